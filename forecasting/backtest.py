"""Rolling-origin backtest: how the settings would have done over the last k periods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.errors import DataError
from data.prepare import Series
from forecasting.config import TrainConfig
from forecasting.evaluate import DEFAULT_BASELINES, mase_scale, metrics
from forecasting.predict import DEFAULT_LEVEL, Forecast, future
from forecasting.train import fit
from models.baselines import BASELINES


@dataclass(frozen=True)
class Fold:
    """One origin: a model trained on the data before it, and what came after."""

    origin: int  # position of the first forecast step
    forecast: Forecast
    actual: np.ndarray  # (horizon,)
    baselines: dict[str, np.ndarray]


@dataclass(frozen=True)
class Backtest:
    folds: list[Fold]
    table: dict[str, dict[str, float | None]]  # metrics over every fold and step
    coverage: float  # share of actual values inside the forecast intervals
    level: float  # the intervals' nominal coverage


def backtest(
    series: Series,
    config: TrainConfig,
    folds: int = 3,
    level: float = DEFAULT_LEVEL,
    on_fold: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Refit at each of the last `folds` origins, one horizon apart, and forecast the next."""
    horizon = config.horizon
    origins = [len(series) - (folds - fold) * horizon for fold in range(folds)]
    if folds < 1 or origins[0] < config.window + 3 * horizon:
        raise DataError(
            f"A backtest of {folds} periods of {horizon} steps needs a longer series than "
            f"{len(series)} points. Use fewer periods or a shorter horizon."
        )
    fold_config = config.with_changes(test_share=0.0)
    results = []
    for number, origin in enumerate(origins, start=1):
        past = series.head(origin)
        run = fit(past, fold_config)
        baselines = {
            name: BASELINES[name](past.values, horizon, config.season_length)
            for name in DEFAULT_BASELINES
        }
        actual = series.values[origin : origin + horizon]
        results.append(Fold(origin, future(run, past, level), actual, baselines))
        if on_fold:
            on_fold(number, folds)
    return summarize_folds(results, series.values[: origins[0]], config.season_length, level)


def summarize_folds(
    folds: list[Fold], insample: np.ndarray, season_length: int, level: float
) -> Backtest:
    actual = np.concatenate([fold.actual for fold in folds])
    scale = mase_scale(insample, season_length)
    table = {"model": metrics(actual, np.concatenate([f.forecast.mean for f in folds]), scale)}
    for name in folds[0].baselines:
        table[name] = metrics(actual, np.concatenate([f.baselines[name] for f in folds]), scale)
    lower = np.concatenate([fold.forecast.lower for fold in folds])
    upper = np.concatenate([fold.forecast.upper for fold in folds])
    coverage = float(np.mean((actual >= lower) & (actual <= upper)))
    return Backtest(folds, table, coverage, level)


def fold_frame(result: Backtest, series: Series) -> pd.DataFrame:
    """Every fold's forecast beside what happened: timestamp, fold, actual, forecast, bounds."""
    rows = []
    for number, fold in enumerate(result.folds, start=1):
        index = series.index[fold.origin : fold.origin + len(fold.actual)]
        rows.append(
            pd.DataFrame(
                {
                    "timestamp": index,
                    "fold": number,
                    "actual": fold.actual,
                    "forecast": fold.forecast.mean,
                    "lower": fold.forecast.lower,
                    "upper": fold.forecast.upper,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
