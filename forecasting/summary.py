"""Everything the Forecast page shows about a run, computed once when the run ends."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.series import Series
from forecasting.evaluate import DEFAULT_BASELINES, Evaluation, evaluate
from forecasting.predict import DEFAULT_LEVELS, Forecast, future, held_out_path, path_from
from forecasting.train import Run
from forecasting.verdict import Verdict, judge
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

    @property
    def verdict(self) -> Verdict:
        return judge(self.evaluation)


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
