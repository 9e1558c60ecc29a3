"""Pure Plotly builders for the Tune page: the search's progress, trial by trial; no Streamlit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from ui.charts import PALETTE, apply_layout
from ui.text import DEFAULT_LANGUAGE, t

if TYPE_CHECKING:
    from forecasting.tune import TrialRow

FEW_TRIALS = 12  # up to this trial number, a tick for each trial


def best_so_far(values: Sequence[float]) -> list[float]:
    """The lowest value up to and including each position: the running minimum."""
    lowest, best = float("inf"), []
    for value in values:
        lowest = min(lowest, value)
        best.append(lowest)
    return best


def history_figure(rows: Sequence[TrialRow], language: str = DEFAULT_LANGUAGE) -> go.Figure:
    """Each finished trial's validation MASE (dots) and the best so far (a step line).

    Trials without a value (running, pruned, failed) are left out."""
    finished = sorted((row for row in rows if row.value is not None), key=lambda row: row.number)
    numbers = [row.number for row in finished]
    values = [float(row.value) for row in finished]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=numbers,
            y=values,
            mode="markers",
            name=t("tune.chart.trial", language),
            marker={"color": PALETTE["model"], "size": 8},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=numbers,
            y=best_so_far(values),
            mode="lines",
            name=t("tune.chart.best", language),
            line={"color": PALETTE["seasonal_naive"], "shape": "hv", "width": 2},
        )
    )
    few = not numbers or numbers[-1] <= FEW_TRIALS  # else Plotly's ticks fall on whole numbers
    fig.update_xaxes(
        title=t("tune.chart.x", language), rangemode="tozero", dtick=1 if few else None
    )
    fig.update_yaxes(title=t("tune.chart.y", language))
    return apply_layout(fig, t("tune.chart.title", language), height=360)
