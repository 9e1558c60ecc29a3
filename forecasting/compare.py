"""Runs side by side: their differing settings, their scores, and the LSTM vs GRU vs RNN trio."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import pandas as pd

from data.series import Series
from forecasting.config import TrainConfig, lstm_pool, series_config
from forecasting.evaluate import METRICS
from forecasting.summary import RunSummary

TRIO = ("lstm", "gru", "rnn")
TRIO_HIDDEN = 16  # small enough that the three runs of an automatic trio take seconds
HEADLINE_METRICS = ("MASE", "sMAPE", "MAE")  # first in the table; the other metrics follow
SIZE_AND_TIME = ("parameters", "seconds", "epochs", "best_epoch")


def settings_diff(configs: Sequence[TrainConfig], names: Sequence[str]) -> pd.DataFrame:
    """The settings that differ between the configs: a row per setting, a column per run."""
    if len(configs) != len(names):
        raise ValueError(f"{len(configs)} configs but {len(names)} names")
    values = [{**config.to_dict(), "pool": config.pool_length} for config in configs]  # as used
    differing = [
        setting.name
        for setting in fields(TrainConfig)
        if any(other[setting.name] != values[0][setting.name] for other in values[1:])
    ]
    rows = [[_shown(run[key]) for run in values] for key in differing]
    index = pd.Index(differing, name="setting", dtype=object)
    return pd.DataFrame(rows, index=index, columns=list(names), dtype=object)


def _shown(value: object) -> object:
    return ", ".join(value) if isinstance(value, list) else value


def metrics_table(summaries: Sequence[RunSummary]) -> pd.DataFrame:
    """Per run (indexed by name): cell, data, the model's scores on its held-out part, its
    parameter count, training seconds, epochs run and best epoch."""
    metric_order = [*HEADLINE_METRICS, *(m for m in METRICS if m not in HEADLINE_METRICS)]
    rows = []
    for summary in summaries:
        run, scores = summary.run, summary.evaluation.table["model"]
        rows.append(
            {
                "cell": run.config.cell.upper(),
                "data": summary.dataset,
                "part": summary.evaluation.part,
                **{metric: scores.get(metric) for metric in metric_order},
                "parameters": run.parameters,
                "seconds": run.seconds,
                "epochs": len(run.history),
                "best_epoch": run.best_epoch,
            }
        )
    columns = ["cell", "data", "part", *metric_order, *SIZE_AND_TIME]
    index = pd.Index([summary.name for summary in summaries], name="run")
    return pd.DataFrame(rows, index=index, columns=columns)


def trio_configs(base: TrainConfig) -> list[TrainConfig]:
    """The same config with each cell, LSTM, GRU and RNN: same seed, every other setting kept.

    The cells read the same input: where an automatic pool would differ between them (a window
    longer than POOLED_STEPS), it is fixed at what it is for `base`'s cell."""
    pool = base.pool or (base.pool_length if lstm_pool(base.window) > 1 else 0)
    return [base.with_changes(cell=cell, pool=pool) for cell in TRIO]


def trio_base(series: Series, current: RunSummary | None = None) -> TrainConfig:
    """The settings a trio trains with: the current run's, when it was trained on `series`;
    otherwise automatic ones with one small network, so the three runs take seconds, and no
    linear shortcut, so the forecast is the recurrent cell's work and the cells can differ."""
    if current is not None and current.series.fingerprint() == series.fingerprint():
        return current.run.config
    return series_config(series, members=1, hidden_size=TRIO_HIDDEN, linear=False)


def accuracy_metric(summaries: Sequence[RunSummary]) -> str:
    """MASE when every run has one, else MAE: the score runs are ranked by."""
    scores = [summary.evaluation.table["model"]["MASE"] for summary in summaries]
    return "MASE" if all(score is not None for score in scores) else "MAE"


def lesson_table(summaries: Sequence[RunSummary]) -> pd.DataFrame:
    """The lessons' comparison: per run, cell, accuracy, training time and parameter count."""
    metric = accuracy_metric(summaries)
    table = metrics_table(summaries)
    return table[["cell", metric, "seconds", "parameters"]]


@dataclass(frozen=True)
class Lesson:
    """What a class should notice in a comparison, as measured."""

    fewest: str  # the run with the fewest parameters (its cell, when the cells all differ)
    most: str  # and the most
    ratio: float  # how many times more parameters the largest has
    metric: str
    best: str  # the most accurate run
    best_score: float
    fastest: str  # the run that trained in the least time
    seconds: float


def lesson(summaries: Sequence[RunSummary]) -> Lesson:
    """Who is smallest, who is most accurate and who is fastest, from the runs' numbers."""
    if len(summaries) < 2:
        raise ValueError("a lesson needs at least two runs to compare")
    metric = accuracy_metric(summaries)
    by_size = sorted(summaries, key=lambda s: s.run.parameters)
    best = min(summaries, key=lambda s: s.evaluation.table["model"][metric])
    fastest = min(summaries, key=lambda s: s.run.seconds)
    cells = [summary.run.config.cell for summary in summaries]
    by_cell = len(set(cells)) == len(cells)

    def named(summary: RunSummary) -> str:
        return summary.run.config.cell.upper() if by_cell else summary.name

    return Lesson(
        fewest=named(by_size[0]),
        most=named(by_size[-1]),
        ratio=by_size[-1].run.parameters / by_size[0].run.parameters,
        metric=metric,
        best=named(best),
        best_score=float(best.evaluation.table["model"][metric]),
        fastest=named(fastest),
        seconds=fastest.run.seconds,
    )


def is_trio(summaries: Sequence[RunSummary]) -> bool:
    """Whether the runs are one LSTM, one GRU and one RNN."""
    return sorted(summary.run.config.cell for summary in summaries) == sorted(TRIO)
