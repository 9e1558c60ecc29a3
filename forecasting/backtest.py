"""Rolling-origin backtest: how the settings would have done over the last k periods."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.errors import DataError
from data.series import Series
from forecasting.config import TrainConfig
from forecasting.evaluate import DEFAULT_BASELINES, mase_scale, metrics
from forecasting.predict import DEFAULT_LEVELS, Forecast, check_levels, future
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
    """The folds done, with scores and coverage over them; a backtest stopped before its last
    fold keeps the folds it finished and says how many were asked for."""

    folds: list[Fold]
    table: dict[str, dict[str, float | None]]  # metrics over every fold and step
    coverage: dict[float, float]  # nominal level -> share of actual values inside its intervals
    planned: int | None = None  # folds asked for, when it stopped before them all
    stopped_by: str = ""  # who stopped it early: forecasting.background's USER or BUDGET

    @property
    def levels(self) -> tuple[float, ...]:
        return tuple(sorted(self.coverage))

    @property
    def complete(self) -> bool:
        """Whether every fold asked for was done."""
        return self.planned is None or len(self.folds) >= self.planned


def backtest(
    series: Series,
    config: TrainConfig,
    folds: int = 3,
    levels: Iterable[float] = DEFAULT_LEVELS,
    on_fold: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Backtest | None:
    """Refit at each of the last `folds` origins, one horizon apart, and forecast the next.

    When `should_stop` turns true, the fold being trained is dropped and the folds done before
    it are kept (`planned` says how many were asked for); None when none was done."""
    horizon = config.horizon
    origins = [len(series) - (folds - fold) * horizon for fold in range(folds)]
    if folds < 1 or origins[0] < config.window + 3 * horizon:
        raise DataError(
            f"A backtest of {folds} periods of {horizon} steps needs a longer series than "
            f"{len(series)} points. Use fewer periods or a shorter horizon."
        )
    levels = check_levels(levels)  # before any fold is trained
    fold_config = config.with_changes(test_share=0.0)
    results = []
    for number, origin in enumerate(origins, start=1):
        past = series.head(origin)
        run = fit(past, fold_config, should_stop=should_stop)
        if should_stop and should_stop():
            break  # this fold's training was cut short
        baselines = {
            name: BASELINES[name](past.values, horizon, config.season_length)
            for name in DEFAULT_BASELINES
        }
        actual = series.values[origin : origin + horizon]
        results.append(Fold(origin, future(run, past, levels), actual, baselines))
        if on_fold:
            on_fold(number, folds)
    if not results:
        return None
    planned = folds if len(results) < folds else None
    return summarize_folds(results, series.values[: origins[0]], config.season_length, planned)


def summarize_folds(
    folds: list[Fold], insample: np.ndarray, season_length: int, planned: int | None = None
) -> Backtest:
    """Scores and coverage over `folds`; `planned` when more folds were asked for."""
    actual = np.concatenate([fold.actual for fold in folds])
    scale = mase_scale(insample, season_length)
    table = {"model": metrics(actual, np.concatenate([f.forecast.mean for f in folds]), scale)}
    for name in folds[0].baselines:
        table[name] = metrics(actual, np.concatenate([f.baselines[name] for f in folds]), scale)
    coverage = {}
    for level in folds[0].forecast.levels:
        lower = np.concatenate([fold.forecast.lower(level) for fold in folds])
        upper = np.concatenate([fold.forecast.upper(level) for fold in folds])
        coverage[level] = float(np.mean((actual >= lower) & (actual <= upper)))
    return Backtest(folds, table, coverage, planned)


def fold_frame(result: Backtest, series: Series) -> pd.DataFrame:
    """Every fold's forecast beside what happened: timestamp, fold, actual, forecast, bounds."""
    rows = []
    for number, fold in enumerate(result.folds, start=1):
        frame = fold.forecast.to_frame()
        frame["timestamp"] = series.index[fold.origin : fold.origin + len(fold.actual)]
        frame.insert(1, "fold", number)
        frame.insert(2, "actual", fold.actual)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)
