from dataclasses import replace

import numpy as np
import pytest

from data.errors import DataError
from data.prepare import from_array
from forecasting.backtest import backtest, fold_frame, summarize_folds
from forecasting.config import TrainConfig
from tests.conftest import noisy_sine

CONFIG = TrainConfig(
    window=20,
    horizon=5,
    season_length=20,
    hidden_size=8,
    epochs=5,
    residual="seasonal",
    val_share=0.2,
)


@pytest.fixture(scope="module")
def series():
    return from_array(noisy_sine(400, period=20, noise=0.2), season=20)


def test_folds_end_at_the_last_point_one_horizon_apart(series):
    result = backtest(series, CONFIG, folds=3)
    assert [fold.origin for fold in result.folds] == [385, 390, 395]
    assert result.folds[-1].origin + 5 == len(series)
    np.testing.assert_array_equal(result.folds[0].actual, series.values[385:390])
    assert set(result.table) == {"model", "naive", "seasonal_naive", "drift"}


def test_a_fold_never_sees_what_came_after_its_origin(series):
    first = backtest(series, CONFIG, folds=3)
    changed = series.values.copy()
    changed[395:] += 100.0
    second = backtest(replace(series, values=changed), CONFIG, folds=3)
    for before, after in zip(first.folds, second.folds, strict=True):
        np.testing.assert_array_equal(before.forecast.mean, after.forecast.mean)
    assert not np.array_equal(first.folds[-1].actual, second.folds[-1].actual)


@pytest.fixture(scope="module")
def ten_folds(series):
    return backtest(series, CONFIG, folds=10)


def test_intervals_at_80_and_95_percent_cover_about_what_they_claim_with_known_noise(ten_folds):
    assert ten_folds.levels == (0.8, 0.95)
    assert 0.65 <= ten_folds.coverage[0.8] <= 0.95
    assert 0.85 <= ten_folds.coverage[0.95] <= 1.0
    assert ten_folds.coverage[0.8] <= ten_folds.coverage[0.95]


def test_coverage_per_level_is_the_share_of_actual_values_inside_that_band(ten_folds):
    actual = np.concatenate([fold.actual for fold in ten_folds.folds])
    for level in (0.8, 0.95):
        lower = np.concatenate([fold.forecast.lower(level) for fold in ten_folds.folds])
        upper = np.concatenate([fold.forecast.upper(level) for fold in ten_folds.folds])
        inside = (lower <= actual) & (actual <= upper)
        assert ten_folds.coverage[level] == pytest.approx(inside.mean())


def test_a_backtest_scores_the_levels_it_is_given(series):
    result = backtest(series, CONFIG, folds=1, levels=[0.9, 0.5])
    assert result.levels == (0.5, 0.9) and set(result.coverage) == {0.5, 0.9}
    assert result.folds[0].forecast.levels == (0.5, 0.9)


def test_a_bad_level_is_refused_before_any_fold_is_trained(series, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("a fold was trained")

    monkeypatch.setattr("forecasting.backtest.fit", no_training)
    with pytest.raises(ValueError, match="level must be between 0 and 1, got 95"):
        backtest(series, CONFIG, folds=2, levels=[0.8, 95])


def test_the_fold_table_lists_every_forecast_beside_what_happened(series):
    result = backtest(series, CONFIG, folds=2)
    frame = fold_frame(result, series)
    assert list(frame.columns) == [
        "timestamp",
        "fold",
        "actual",
        "forecast",
        "lower",
        "upper",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    ]
    first = result.folds[0].forecast
    np.testing.assert_array_equal(frame["lower_95"].iloc[:5], first.lower(0.95))
    np.testing.assert_array_equal(frame["actual"].iloc[5:], result.folds[1].actual)
    assert frame["fold"].tolist() == [1] * 5 + [2] * 5
    assert frame["timestamp"].tolist() == list(range(390, 400))


def test_a_backtest_too_long_for_the_series_is_refused(series):
    with pytest.raises(DataError, match="needs a longer series than 400 points"):
        backtest(series, CONFIG, folds=75)


def test_a_stopped_backtest_keeps_the_folds_it_finished_and_scores_only_those(series):
    done: list[int] = []
    result = backtest(series, CONFIG, folds=4, on_fold=lambda number, total: done.append(number),
                      should_stop=lambda: len(done) >= 2)  # fmt: skip
    assert [fold.origin for fold in result.folds] == [380, 385]
    assert (result.planned, result.complete) == (4, False)
    alone = summarize_folds(result.folds, series.values[:380], CONFIG.season_length)
    assert result.table == alone.table and result.coverage == alone.coverage
    actual = np.concatenate([fold.actual for fold in result.folds])
    np.testing.assert_array_equal(actual, series.values[380:390])


def test_a_backtest_stopped_before_its_first_fold_is_none_and_a_full_one_is_complete(series):
    assert backtest(series, CONFIG, folds=2, should_stop=lambda: True) is None
    full = backtest(series, CONFIG, folds=2, should_stop=lambda: False)
    assert full.complete and full.planned is None and len(full.folds) == 2
