import time
from dataclasses import fields

import numpy as np
import pytest

from data import synthetic
from data.synthetic import SIGNALS, SyntheticError, generate, season_length
from ui.text import DEFAULT_LANGUAGE, TEXT

KINDS = list(SIGNALS)
PERIODIC = [key for key, signal in SIGNALS.items() if signal.season_param]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("length", [10, 1234])
def test_every_signal_with_defaults_gives_finite_float64_of_the_requested_length(kind, length):
    series = generate(kind, length)
    assert series.dtype == np.float64
    assert series.shape == (length,)
    assert np.isfinite(series).all()


@pytest.mark.parametrize("kind", KINDS)
def test_every_param_spec_is_usable_as_a_slider(kind):
    signal = SIGNALS[kind]
    names = [spec.name for spec in signal.params]
    assert signal.key == kind
    assert len(set(names)) == len(names)
    assert signal.season_param is None or signal.season_param in names
    for spec in signal.params:
        assert spec.low <= spec.default <= spec.high, spec.name
        assert 0 < spec.step <= spec.high - spec.low, spec.name
    generate(kind, 50, **{spec.name: spec.default for spec in signal.params})


@pytest.mark.parametrize("kind", KINDS)
def test_every_signal_and_parameter_has_its_words_in_the_text_table(kind):
    english = TEXT[DEFAULT_LANGUAGE]
    assert english[f"signal.{kind}.title"]
    assert english[f"signal.{kind}.description"].endswith(".")
    for spec in SIGNALS[kind].params:
        assert english[f"signal.param.{spec.name}.label"], spec.name
        assert english[f"signal.param.{spec.name}.help"].endswith("."), spec.name


def test_the_data_package_holds_no_user_facing_labels():
    assert {field.name for field in fields(synthetic.ParamSpec)} == {
        "name",
        "default",
        "low",
        "high",
        "step",
    }
    assert not {"title", "description"} & {field.name for field in fields(synthetic.Signal)}


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_gives_the_same_series_and_another_seed_a_different_one(kind):
    first = generate(kind, 300, seed=7)
    assert np.array_equal(first, generate(kind, 300, seed=7))
    assert not np.allclose(first, generate(kind, 300, seed=8))


def test_noise_free_sine_equals_the_formula():
    steps = np.arange(200)
    series = generate("sine", 200, period=25, amplitude=3.0, noise=0.0, level=10.0)
    np.testing.assert_allclose(series, 10.0 + 3.0 * np.sin(2 * np.pi * steps / 25), atol=1e-12)


@pytest.mark.parametrize("period", [8, 25, 50, 125])
def test_sine_dominant_fft_period_is_the_period_param(period):
    series = generate("sine", 1000, seed=3, period=period, noise=0.5)
    power = np.abs(np.fft.rfft(series - series.mean()))
    frequencies = np.fft.rfftfreq(len(series))
    assert 1 / frequencies[np.argmax(power)] == pytest.approx(period)


@pytest.mark.parametrize("kind", ["sine", "square", "sawtooth", "trend_season"])
def test_noise_free_seasonal_part_repeats_every_period(kind):
    params = {"period": 40, "noise": 0.0} | ({"trend": 0.0} if kind == "trend_season" else {})
    series = generate(kind, 400, **params)
    np.testing.assert_allclose(series[40:], series[:-40], atol=1e-9)
    assert not np.allclose(series[20:], series[:-20])


def test_noise_free_square_spends_half_of_each_period_high_and_half_low():
    series = generate("square", 100, period=20, amplitude=2.0, noise=0.0)
    assert set(series.tolist()) == {-2.0, 2.0}
    assert list(series[:20]) == [2.0] * 10 + [-2.0] * 10


def test_noise_free_sawtooth_climbs_across_the_period_then_drops():
    series = generate("sawtooth", 100, period=20, amplitude=1.5, noise=0.0)
    assert series.min() == pytest.approx(-1.5)
    assert series.max() < 1.5
    assert (np.diff(series[:20]) > 0).all()
    assert series[20] < series[19]


@pytest.mark.parametrize("kind", PERIODIC)
def test_season_length_is_the_period_for_periodic_signals(kind):
    period_default = next(spec.default for spec in SIGNALS[kind].params if spec.name == "period")
    assert season_length(kind) == round(period_default)
    assert season_length(kind, period=37) == 37
    assert season_length(kind, period=36.6) == 37


@pytest.mark.parametrize("kind", ["random_walk", "ar2"])
def test_season_length_is_one_for_signals_without_a_season(kind):
    assert season_length(kind) == 1


@pytest.mark.parametrize("trend", [-0.05, 0.0, 0.02])
def test_trend_season_fitted_slope_is_the_trend_param(trend):
    series = generate("trend_season", 5000, seed=1, trend=trend, period=50, noise=1.0)
    slope, _ = np.polyfit(np.arange(len(series)), series, 1)
    assert slope == pytest.approx(trend, abs=2e-4)


def test_regime_change_shifts_the_mean_and_scales_the_swing_at_change_at():
    params = {"period": 50, "amplitude": 2.0, "change_at": 0.25, "noise": 0.0}
    series = generate("regime_change", 4000, level_shift=-3.0, amplitude_factor=2.5, **params)
    before, after = series[:1000], series[1000:]
    assert after.mean() - before.mean() == pytest.approx(-3.0, abs=1e-9)
    assert after.std() / before.std() == pytest.approx(2.5, rel=1e-9)


def test_random_walk_starts_at_start_and_moves_by_drift_without_noise():
    series = generate("random_walk", 100, drift=0.5, step_std=0.0, start=-4.0)
    np.testing.assert_allclose(series, -4.0 + 0.5 * np.arange(100))


@pytest.mark.parametrize(("phi1", "phi2"), [(1.2, -0.5), (0.5, 0.3), (-0.4, 0.2)])
def test_ar2_lag1_autocorrelation_is_phi1_over_one_minus_phi2(phi1, phi2):
    series = generate("ar2", 100_000, seed=2, phi1=phi1, phi2=phi2)
    centred = series - series.mean()
    lag1 = centred[1:] @ centred[:-1] / (centred @ centred)
    assert lag1 == pytest.approx(phi1 / (1 - phi2), abs=0.02)


@pytest.mark.parametrize("length", [1, 2, 3, 17, 100, 1001])
def test_chunked_ar2_filter_matches_the_plain_recursion(length):
    shocks = np.random.default_rng(length).standard_normal(length)
    expected, before1, before2 = [], 0.3, -0.7
    for shock in shocks:
        value = 1.2 * before1 - 0.5 * before2 + shock
        expected.append(value)
        before1, before2 = value, before1
    filtered = synthetic._ar2_filter(shocks, 1.2, -0.5, 0.3, -0.7)
    np.testing.assert_allclose(filtered, expected, rtol=1e-10, atol=1e-12)


def test_ar2_of_100_000_points_takes_under_a_second():
    started = time.perf_counter()
    generate("ar2", 100_000)
    assert time.perf_counter() - started < 1.0


def test_unknown_signal_lists_the_known_ones():
    with pytest.raises(SyntheticError, match="'sinus'") as caught:
        generate("sinus")
    assert all(kind in str(caught.value) for kind in KINDS)


def test_unknown_parameter_is_named_with_the_valid_ones():
    with pytest.raises(SyntheticError, match="'frequency'") as caught:
        generate("sine", frequency=3.0)
    assert all(spec.name in str(caught.value) for spec in SIGNALS["sine"].params)
    with pytest.raises(SyntheticError, match="'drift'"):
        season_length("sine", drift=1.0)


@pytest.mark.parametrize(
    ("kind", "name", "value", "shown"),
    [
        ("sine", "period", 1.0, "is 1, outside the allowed range 2 to 10000"),
        ("sine", "noise", -0.5, "is -0.5, outside the allowed range 0 to 100"),
        ("regime_change", "change_at", 1.5, "is 1.5, outside the allowed range 0 to 1"),
        ("ar2", "phi1", 2.5, "is 2.5, outside the allowed range -2 to 2"),
        ("sine", "amplitude", float("nan"), "is nan, outside"),
    ],
)
def test_out_of_range_value_names_the_parameter_its_value_and_the_range(kind, name, value, shown):
    with pytest.raises(SyntheticError, match=f"'{name}' {shown}"):
        generate(kind, **{name: value})


def test_non_numeric_value_names_the_parameter():
    with pytest.raises(SyntheticError, match="'amplitude' must be a number"):
        generate("sine", amplitude="big")


@pytest.mark.parametrize(("phi1", "phi2"), [(0.6, 0.5), (0.5, 0.5), (-0.7, 0.4), (0.0, -1.0)])
def test_non_stationary_ar2_names_phi1_and_phi2(phi1, phi2):
    with pytest.raises(SyntheticError, match="not stationary") as caught:
        generate("ar2", phi1=phi1, phi2=phi2)
    assert f"phi1={phi1:g}" in str(caught.value)
    assert f"phi2={phi2:g}" in str(caught.value)


@pytest.mark.parametrize("length", [9, 0, -5, 10_000_001])
def test_length_out_of_range_is_refused_with_the_allowed_range(length):
    with pytest.raises(SyntheticError, match=r"length must be between 10 and 10,000,000 steps"):
        generate("sine", length)


@pytest.mark.parametrize("length", [12.0, "100", True, None])
def test_length_that_is_not_a_whole_number_is_refused(length):
    with pytest.raises(SyntheticError, match="length must be a whole number"):
        generate("sine", length)


def test_lengths_at_both_limits_are_accepted():
    assert len(generate("sine", 10)) == 10
    assert len(generate("random_walk", 10_000_000, step_std=0.0)) == 10_000_000
