"""Everything the Forecast page shows about a run, computed once when the run ends."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.prepare import Series
from forecasting.evaluate import DEFAULT_BASELINES, Evaluation, evaluate
from forecasting.predict import DEFAULT_LEVEL, Forecast, future, held_out_path, path_from
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
    created: float = field(default_factory=time.time)

    @property
    def model_mase(self) -> float | None:
        return self.evaluation.table["model"]["MASE"]


@dataclass(frozen=True)
class Verdict:
    """How the model did against the best baseline, by MASE on the held-out part."""

    model: str
    baseline: str
    part: str
    improvement: float | None  # share by which the model's MASE is lower; negative when worse


def summarize(run: Run, series: Series, name: str, level: float = DEFAULT_LEVEL) -> RunSummary:
    part = "test" if run.val_end < len(series) else "val"
    evaluation = evaluate(run, series, part)
    paths = {key: baseline_path(run, series, key) for key in DEFAULT_BASELINES}
    return RunSummary(name, run, series, evaluation, future(run, series, level),
                      held_out_path(run, series), paths)  # fmt: skip


def baseline_path(run: Run, series: Series, baseline: str) -> pd.Series:
    """A baseline's forecasts on the same origins as the model's held-out path."""
    horizon, season = run.config.horizon, run.config.season_length
    starts = np.arange(run.train_end, len(series), horizon)
    forecast = BASELINES[baseline]
    values = np.stack([forecast(series.values[:start], horizon, season) for start in starts])
    return path_from(series, starts, values, baseline)


def verdict(summary: RunSummary) -> Verdict:
    table = summary.evaluation.table
    baseline = summary.evaluation.best_baseline("MASE")
    model_score, baseline_score = table["model"]["MASE"], table[baseline]["MASE"]
    improvement = None
    if model_score is not None and baseline_score:
        improvement = 1 - model_score / baseline_score
    return Verdict(summary.run.config.cell.upper(), baseline, summary.evaluation.part, improvement)
