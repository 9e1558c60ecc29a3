from dataclasses import replace

import numpy as np
import pytest

from data.errors import DataError
from data.prepare import from_array
from forecasting.backtest import backtest, fold_frame
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


def test_intervals_cover_about_what_they_claim_on_a_series_with_known_noise(series):
    result = backtest(series, CONFIG, folds=10, level=0.9)
    assert result.level == 0.9
    assert 0.78 <= result.coverage <= 1.0


def test_the_fold_table_lists_every_forecast_beside_what_happened(series):
    result = backtest(series, CONFIG, folds=2)
    frame = fold_frame(result, series)
    assert list(frame.columns) == ["timestamp", "fold", "actual", "forecast", "lower", "upper"]
    assert frame["fold"].tolist() == [1] * 5 + [2] * 5
    assert frame["timestamp"].tolist() == list(range(390, 400))


def test_a_backtest_too_long_for_the_series_is_refused(series):
    with pytest.raises(DataError, match="needs a longer series than 400 points"):
        backtest(series, CONFIG, folds=75)
