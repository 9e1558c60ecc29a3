"""The synthetic lab: its sliders do what they say, its noise-free truth is kept and drawn."""

import json

import numpy as np
import pytest

from data.errors import DataError
from data.prepare import from_array
from data.synthetic import generate, generate_with_truth, season_length, to_series
from tests.test_pages import start, train_tiny, widget
from ui import state

PLAIN = {"noise": 0.0, "amplitude": 0.0, "trend": 0.0, "level": 0.0}


def lab(length: int = 1000, seed: int = 0, **params: float):
    return generate_with_truth("lab", length, seed, **params)


@pytest.mark.parametrize("trend", [-0.03, 0.0, 0.02])
def test_the_fitted_slope_is_the_trend_per_step(trend):
    values = lab(5000, seed=1, trend=trend, period=50, noise=1.0).values
    slope, _ = np.polyfit(np.arange(len(values)), values, 1)
    assert slope == pytest.approx(trend, abs=2e-4)


@pytest.mark.parametrize("period", [8, 40, 125])
def test_the_dominant_period_is_the_seasonal_period(period):
    values = lab(1000, seed=3, trend=0.0, period=period, amplitude=2.0, noise=0.5).values
    power = np.abs(np.fft.rfft(values - values.mean()))
    assert 1 / np.fft.rfftfreq(len(values))[np.argmax(power)] == pytest.approx(period)
    assert season_length("lab", period=period) == period


def test_the_regime_changes_level_and_trend_at_its_share_of_the_length():
    values = lab(1000, **PLAIN, regime_at=0.4, level_jump=3.0, trend_change=0.01).values
    assert np.all(values[:400] == 0.0)
    assert values[400] == pytest.approx(3.0)
    np.testing.assert_allclose(np.diff(values[400:]), 0.01, atol=1e-12)


def test_a_regime_change_at_0_is_no_change():
    values = lab(500, **PLAIN, regime_at=0.0, level_jump=5.0, trend_change=0.1).values
    assert np.all(values == 0.0)


def test_the_missing_stretch_is_nan_where_it_says_and_the_truth_has_no_gap():
    generated = lab(1000, gap_start=0.25, gap_length=30)
    assert np.flatnonzero(np.isnan(generated.values)).tolist() == list(range(250, 280))
    assert np.isfinite(generated.truth).all()
    assert not np.isnan(lab(1000, gap_start=0.0, gap_length=30).values).any()
    assert not np.isnan(lab(1000, gap_start=0.25, gap_length=0).values).any()


def test_the_missing_stretch_is_filled_as_chosen_and_the_report_says_so():
    generated = lab(500, seed=2, gap_start=0.5, gap_length=10)
    filled = to_series(generated, "lab", 50, gaps="interpolate")
    assert len(filled) == 500 and np.isfinite(filled.values).all()
    assert any("10 missing values inside the series" in line for line in filled.report)
    before, after = generated.values[249], generated.values[260]
    np.testing.assert_allclose(filled.values[250:260], np.linspace(before, after, 12)[1:-1])
    carried = to_series(generated, "lab", 50, gaps="ffill")
    assert np.all(carried.values[250:260] == before)
    np.testing.assert_array_equal(filled.truth, generated.truth)
    assert filled.covariates is None and filled.columns == ("lab",) and filled.season == 50
    with pytest.raises(DataError, match="10 missing values"):
        to_series(generated, "lab", 50, gaps="refuse")


def test_a_stretch_missing_at_the_end_is_dropped_and_the_truth_stays_aligned():
    generated = lab(200, seed=4, gap_start=0.9, gap_length=50)
    series = to_series(generated, "lab", 50)
    assert len(series) == len(series.truth) == 180
    np.testing.assert_array_equal(series.truth, generated.truth[:180])
    np.testing.assert_array_equal(series.values, generated.values[:180])
    assert any("20 missing values at the start or end" in line for line in series.report)


def test_same_seed_same_signal_another_seed_other_noise_on_the_same_truth():
    params = {"regime_at": 0.3, "gap_start": 0.6, "gap_length": 15}
    first, again, other = lab(seed=5, **params), lab(seed=5, **params), lab(seed=6, **params)
    np.testing.assert_array_equal(first.values, again.values)
    np.testing.assert_array_equal(first.truth, again.truth)
    assert not np.allclose(first.values[:100], other.values[:100])
    np.testing.assert_array_equal(first.truth, other.truth)


def test_without_noise_or_gap_the_truth_is_the_values():
    generated = lab(700, seed=9, noise=0.0, regime_at=0.5, level_jump=-2.0, trend_change=0.02)
    np.testing.assert_array_equal(generated.values, generated.truth)
    series = to_series(generated, "lab")
    np.testing.assert_array_equal(series.values, series.truth)
    same = generate("lab", 700, 9, noise=0.0, regime_at=0.5, level_jump=-2.0, trend_change=0.02)
    np.testing.assert_array_equal(same, generated.values)


def test_other_signals_keep_no_truth():
    assert generate_with_truth("sine", 100).truth is None
    assert to_series(generate_with_truth("sine", 100), "sine").truth is None


def test_the_truth_follows_the_series_when_it_is_cut_and_changes_its_fingerprint():
    values = np.arange(50.0)
    series = from_array(values, truth=values + 1)
    assert series.head(20).truth.tolist() == (values[:20] + 1).tolist()
    assert series.fingerprint() != from_array(values).fingerprint()
    assert series.fingerprint() != from_array(values, truth=values).fingerprint()
    with pytest.raises(ValueError, match="truth"):
        from_array(values, truth=values[:10])


def trace_names(app, chart: int = 0) -> list[str]:
    spec = json.loads(app.get("plotly_chart")[chart].proto.spec)
    return [trace.get("name") for trace in spec["data"]]


def test_the_lab_draws_its_truth_reports_its_gap_and_the_forecast_draws_the_truth_too():
    app = start("data")
    app.radio(key="pick.source").set_value("synthetic").run()
    widget(app.selectbox, "Signal").set_value("lab").run()
    widget(app.slider, "Length (points)").set_value(300).run()
    widget(app.slider, "Missing stretch starts at (share of the length)").set_value(0.5).run()
    assert not app.exception
    series = app.session_state[state.SERIES]
    assert series.truth is not None and len(series.truth) == len(series) == 300
    assert trace_names(app) == ["Synthetic lab", "noise-free truth"]
    assert any("20 missing values inside the series" in item.value for item in app.markdown)
    app.switch_page("app_pages/train.py").run()
    widget(app.slider, "Networks in the ensemble").set_value(1)
    train_tiny(app, epochs=1)
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception
    assert "noise-free truth" in trace_names(app)


def test_a_signal_without_truth_draws_none():
    app = start("data")
    app.radio(key="pick.source").set_value("synthetic").run()
    widget(app.selectbox, "Signal").set_value("sine").run()
    assert app.session_state[state.SERIES].truth is None
    assert "noise-free truth" not in trace_names(app)
