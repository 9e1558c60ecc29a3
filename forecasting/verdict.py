"""One verdict on a run: the model against its best baseline, for the page, the CLI and
metrics.json alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from forecasting.evaluate import Evaluation, headline_metric

ON_PAR = 0.01  # a difference in error below this share of the baseline's is no win and no loss
BETTER, PAR, WORSE = "better", "on par", "worse"


@dataclass(frozen=True)
class Verdict:
    """How the model did against the best baseline on the held-out part."""

    outcome: str | None  # better, on par or worse; None when no baseline has an error to beat
    baseline: str  # the best baseline by `metric`; "" when no baseline is scored
    metric: str  # MASE, or MAE when the model's MASE is undefined
    model_score: float | None
    baseline_score: float | None
    improvement: float | None  # share by which the model's error is lower; negative when worse
    part: str  # "validation" or "test"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(evaluation: Evaluation) -> Verdict:
    """The model's score against the best baseline's on the evaluated part, by MASE (MAE where
    MASE is undefined): better or worse by at least ON_PAR of the baseline's error, else on par."""
    table = evaluation.table
    metric = headline_metric(table)
    baseline = evaluation.best_baseline(metric)
    model_score = table["model"][metric]
    baseline_score = table[baseline][metric] if baseline else None
    improvement = 1 - model_score / baseline_score if baseline_score else None
    if improvement is None:
        outcome = None
    elif abs(improvement) < ON_PAR:
        outcome = PAR
    else:
        outcome = BETTER if improvement > 0 else WORSE
    return Verdict(
        outcome, baseline or "", metric, model_score, baseline_score, improvement, evaluation.part
    )
