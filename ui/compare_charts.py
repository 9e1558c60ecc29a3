"""Pure Plotly builders for the Compare page: runs overlaid, one colour per run; no Streamlit."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from data.series import Series
from forecasting.summary import RunSummary
from ui.charts import PALETTE, add_line, apply_layout, run_colors, run_lines
from ui.text import DEFAULT_LANGUAGE, t


def loss_overlay(
    summaries: Sequence[RunSummary],
    language: str = DEFAULT_LANGUAGE,
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """Each run's training loss (solid) and validation loss (dotted) per epoch, in its colour."""
    colors = run_colors(len(summaries)) if colors is None else colors
    fig = go.Figure()
    for summary, color in zip(summaries, colors, strict=True):
        history, name = summary.run.history, html.escape(summary.name)
        epochs = [log.epoch for log in history]
        for part, dash in (("train", None), ("val", "dot")):
            losses = [log.train_loss if part == "train" else log.val_loss for log in history]
            fig.add_trace(
                go.Scatter(
                    x=epochs,
                    y=losses,
                    mode="lines",
                    name=t(f"compare.loss.{part}", language, run=name),
                    legendgroup=name,
                    line={"color": color, "dash": dash},
                )
            )
    fig.update_yaxes(type="log")
    fig.update_xaxes(title=t("chart.epoch", language))
    return apply_layout(fig, t("compare.loss_title", language), height=380)


def forecast_overlay(
    series: Series,
    summaries: Sequence[RunSummary],
    language: str = DEFAULT_LANGUAGE,
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """The data, and each run's held-out predictions (dashed) and future forecast, in its colour.

    Every run must have been trained on `series`; the page leaves out the others.
    """
    colors = run_colors(len(summaries)) if colors is None else colors
    fig = go.Figure()
    add_line(fig, series.index, series.values, t("forecast.actual", language), PALETTE["data"])
    for summary, color in zip(summaries, colors, strict=True):
        run_lines(fig, summary, color, language)
    fig.update_xaxes(rangeslider_visible=True)
    title = t("compare.forecast_title", language, target=html.escape(series.target))
    return apply_layout(fig, title, height=500)
