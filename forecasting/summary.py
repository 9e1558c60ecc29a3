"""Everything the Forecast page shows about a run, computed once when the run ends."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.series import Series
from forecasting.evaluate import DEFAULT_BASELINES, Evaluation, evaluate, headline_metric
from forecasting.predict import DEFAULT_LEVELS, Forecast, future, held_out_path, path_from
from forecasting.train import Run
from models.baselines import BASELINES


@dataclass
class RunSummary:
    """A finished run on its series: forecasts, baselines and scores, ready to draw."""

    name: str
    run: Run
    series: Series
    evaluation: Evaluation
    forecast: Forecast
    held_out: pd.Series
    baseline_paths: dict[str, pd.Series]
    dataset: str = ""  # the data's name as the user knows it
    created: float = field(default_factory=time.time)

    @property
    def model_mase(self) -> float | None:
        return self.evaluation.table["model"]["MASE"]


@dataclass(frozen=True)
class Verdict:
    """How the model did against the best baseline on the held-out part."""

    model: str
    baseline: str
    metric: str  # MASE, or MAE when MASE is undefined
    part: str
    improvement: float | None  # share by which the model's error is lower; negative when worse


def summarize(
    run: Run,
    series: Series,
    name: str,
    dataset: str = "",
    levels: Iterable[float] = DEFAULT_LEVELS,
) -> RunSummary:
    part = "test" if run.val_end < len(series) else "val"
    evaluation = evaluate(run, series, part)
    paths = {key: baseline_path(run, series, key) for key in DEFAULT_BASELINES}
    ahead, held_out = future(run, series, levels), held_out_path(run, series)
    return RunSummary(
        name, run, series, evaluation, ahead, held_out, paths, dataset or series.target
    )


def baseline_path(run: Run, series: Series, baseline: str) -> pd.Series:
    """A baseline's forecasts on the same origins as the model's held-out path."""
    horizon, season = run.config.horizon, run.config.season_length
    starts = np.arange(run.train_end, len(series), horizon)
    forecast = BASELINES[baseline]
    values = np.stack([forecast(series.values[:start], horizon, season) for start in starts])
    return path_from(series, starts, values, baseline)


def verdict(summary: RunSummary) -> Verdict:
    """Model against its best baseline, by MASE, or by MAE where MASE is undefined."""
    table = summary.evaluation.table
    metric = headline_metric(table)
    baseline = summary.evaluation.best_baseline(metric)
    model_score = table["model"][metric]
    baseline_score = table[baseline][metric] if baseline else None
    improvement = 1 - model_score / baseline_score if baseline_score else None
    cell = summary.run.config.cell.upper()
    return Verdict(cell, baseline or "", metric, summary.evaluation.part, improvement)
