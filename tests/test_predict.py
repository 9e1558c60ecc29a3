import numpy as np
import pandas as pd
import pytest

from data.load import read_table
from data.prepare import from_array, prepare
from data.windows import target_starts
from forecasting.config import TrainConfig
from forecasting.predict import (
    actuals_from,
    conformal_margins,
    forecast_from,
    future,
    held_out_path,
)
from forecasting.train import fit
from tests.conftest import SAMPLES, noisy_sine

TINY = TrainConfig(window=20, horizon=5, hidden_size=16, epochs=5, patience=0)


@pytest.fixture(scope="module")
def sine_run():
    series = from_array(noisy_sine())
    return series, fit(series, TINY)


def test_future_forecast_has_ordered_finite_bounds_after_the_last_row(sine_run):
    series, run = sine_run
    ahead = future(run, series, level=0.9)
    assert list(ahead.index) == [400, 401, 402, 403, 404]
    assert np.isfinite(ahead.mean).all()
    assert (ahead.lower <= ahead.mean).all() and (ahead.mean <= ahead.upper).all()
    assert list(ahead.to_frame().columns) == ["timestamp", "forecast", "lower", "upper"]


def test_future_timestamps_follow_the_calendar():
    series = prepare(read_table(SAMPLES / "airline.csv"))
    run = fit(series, TrainConfig(window=24, horizon=12, hidden_size=8, epochs=2, season_length=12))
    ahead = future(run, series)
    assert ahead.index[0] == pd.Timestamp("1961-01-01")
    assert ahead.index[-1] == pd.Timestamp("1961-12-01")


def test_conformal_margin_is_the_right_order_statistic_of_validation_errors(sine_run):
    series, run = sine_run
    starts = target_starts(run.split(series.values), run.config.window, run.config.horizon, "val")
    errors = np.abs(
        actuals_from(series.values, starts, 5) - forecast_from(run, series.values, starts)
    )
    n = len(errors)
    rank = int(np.ceil((n + 1) * 0.8))  # the k-th smallest error per step
    expected = np.sort(errors, axis=0)[rank - 1]
    np.testing.assert_allclose(conformal_margins(run, series, 0.8), expected)


def test_wider_level_gives_wider_intervals(sine_run):
    series, run = sine_run
    narrow, wide = conformal_margins(run, series, 0.5), conformal_margins(run, series, 0.95)
    assert (wide >= narrow).all() and (wide > narrow).any()


def test_level_outside_zero_one_is_refused(sine_run):
    series, run = sine_run
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        future(run, series, level=1.5)


def test_forecasts_read_only_the_past_of_each_start(sine_run):
    series, run = sine_run
    altered = series.values.copy()
    altered[300:] += 100.0
    start = np.array([300])
    np.testing.assert_array_equal(
        forecast_from(run, series.values, start), forecast_from(run, altered, start)
    )


def test_held_out_path_covers_validation_and_test_with_one_value_per_step(sine_run):
    series, run = sine_run
    path = held_out_path(run, series)
    assert path.index[0] == run.train_end
    assert path.index.is_unique and path.index.is_monotonic_increasing
    assert len(path) == len(series) - run.train_end
    assert path.index[-1] == series.index[-1]
    first_block = forecast_from(run, series.values, np.array([run.train_end]))[0]
    np.testing.assert_allclose(path.iloc[:5].to_numpy(), first_block)
