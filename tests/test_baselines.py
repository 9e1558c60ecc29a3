"""models.baselines: the simple forecasts every model must beat, value by value."""

from __future__ import annotations

import numpy as np
import pytest

from models.baselines import BASELINES, drift, mean, naive, seasonal_naive


def assert_forecast(actual: np.ndarray, expected: list[float]) -> None:
    assert actual.dtype == np.float64
    np.testing.assert_array_equal(actual, np.array(expected, dtype=np.float64))


def test_naive_repeats_the_last_value():
    assert_forecast(naive(np.array([4.0, 1.0, 7.5]), 3), [7.5, 7.5, 7.5])


def test_naive_of_whole_numbers_is_float():
    assert_forecast(naive(np.array([1, 2, 3]), 2), [3.0, 3.0])


def test_seasonal_naive_repeats_the_last_season():
    history = np.arange(10.0)  # last season of 4: 6, 7, 8, 9
    assert_forecast(seasonal_naive(history, 4, 4), [6, 7, 8, 9])
    assert_forecast(seasonal_naive(history, 9, 4), [6, 7, 8, 9, 6, 7, 8, 9, 6])
    assert_forecast(seasonal_naive(history, 2, 4), [6, 7])


def test_seasonal_naive_with_a_history_of_exactly_one_season():
    assert_forecast(seasonal_naive(np.array([3, 1, 2]), 5, 3), [3, 1, 2, 3, 1])


@pytest.mark.parametrize("season_length", [1, 0, 5])
def test_seasonal_naive_is_naive_without_a_full_season(season_length):
    history = np.array([2.0, 8.0, 5.0, 1.0])
    assert_forecast(seasonal_naive(history, 3, season_length), [1.0, 1.0, 1.0])


def test_drift_extends_the_line_through_the_first_and_last_values():
    assert_forecast(drift(np.array([1.0, 0.0, 9.0, 4.0]), 3), [5.0, 6.0, 7.0])


def test_drift_of_a_straight_line_continues_it_exactly():
    steps = np.arange(15.0)
    line = 3.0 - 0.5 * steps
    assert_forecast(drift(line[:10], 5), list(line[10:]))


def test_drift_of_one_point_is_naive():
    assert_forecast(drift(np.array([6.0]), 2), [6.0, 6.0])


def test_mean_repeats_the_average():
    assert_forecast(mean(np.array([1.0, 2.0, 3.0, 6.0]), 3), [3.0, 3.0, 3.0])


def test_the_registry_holds_the_four_baselines():
    assert {
        "naive": naive,
        "seasonal_naive": seasonal_naive,
        "drift": drift,
        "mean": mean,
    } == BASELINES


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_takes_history_horizon_season_and_leaves_history_alone(name):
    history = np.sin(np.arange(30.0))
    before = history.copy()
    forecast = BASELINES[name](history, 7, 6)
    assert forecast.shape == (7,) and forecast.dtype == np.float64
    assert np.isfinite(forecast).all()
    np.testing.assert_array_equal(history, before)
