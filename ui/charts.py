"""Pure Plotly figure builders; no Streamlit here."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from data.prepare import Series
from forecasting.summary import RunSummary
from forecasting.train import EpochLog
from ui.text import DEFAULT_LANGUAGE, t

PALETTE = {  # Okabe-Ito, safe for colour-blind readers
    "data": "#000000",
    "model": "#0072B2",
    "band": "rgba(0, 114, 178, 0.18)",
    "train": "#009E73",
    "val": "#E69F00",
    "naive": "#CC79A7",
    "seasonal_naive": "#D55E00",
    "drift": "#56B4E9",
    "mean": "#999999",
}
OTHER_RUNS = ("#009E73", "#E69F00", "#CC79A7", "#56B4E9")  # other runs drawn beside the chosen one
PART_SHADES = {
    "train": "rgba(0,158,115,0.06)",
    "val": "rgba(230,159,0,0.10)",
    "test": "rgba(204,121,167,0.10)",
}


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "y": 0.98, "yanchor": "top"},
        height=height,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hovermode="x unified",
        template="plotly_white",
    )
    return fig


def series_figure(series: Series, title: str) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=series.index,
            y=series.values,
            mode="lines",
            name=html.escape(series.target),
            line={"color": PALETTE["data"], "width": 1.5},
        )
    )
    return _layout(fig, title, height=360)


def loss_figure(history: Sequence[EpochLog], language: str = DEFAULT_LANGUAGE) -> go.Figure:
    epochs = [log.epoch for log in history]
    fig = go.Figure()
    for key, values in (
        ("train", [log.train_loss for log in history]),
        ("val", [log.val_loss for log in history]),
    ):
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=values,
                mode="lines",
                name=t(f"train.loss.{key}", language),
                line={"color": PALETTE[key]},
            )
        )
    fig.update_yaxes(type="log")
    fig.update_xaxes(title="epoch")
    return _layout(fig, t("train.loss_title", language), height=320)


def forecast_figure(
    summary: RunSummary,
    baselines: Sequence[str] = (),
    language: str = DEFAULT_LANGUAGE,
    others: Sequence[RunSummary] = (),
) -> go.Figure:
    """The data, the model's held-out predictions, baselines, and the future with its band.

    `others` are runs on the same data whose predictions and forecasts are drawn beside.
    """
    series, run, ahead = summary.series, summary.run, summary.forecast
    fig = go.Figure()
    _shade_parts(fig, series, run.train_end, run.val_end, language)
    _line(fig, series.index, series.values, t("forecast.actual", language), PALETTE["data"])
    for key in baselines:
        path = summary.baseline_paths[key]
        _line(fig, path.index, path.values, t(f"baseline.{key}", language), PALETTE[key], "dot")
    band_x = np.concatenate([np.asarray(ahead.index), np.asarray(ahead.index)[::-1]])
    band_y = np.concatenate([ahead.upper, ahead.lower[::-1]])
    band_name = t("forecast.band", language, level=ahead.level)
    fig.add_trace(
        go.Scatter(
            x=band_x,
            y=band_y,
            fill="toself",
            fillcolor=PALETTE["band"],
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            name=band_name,
        )
    )
    drawn = [*zip(others, OTHER_RUNS, strict=False), (summary, PALETTE["model"])]  # chosen on top
    for shown, color in drawn:
        held, future = shown.held_out, shown.forecast
        _line(
            fig,
            held.index,
            held.values,
            t("forecast.held_out", language, model=html.escape(shown.name)),
            color,
            "dash",
        )
        _line(
            fig,
            future.index,
            future.mean,
            t("forecast.future", language, model=html.escape(shown.name)),
            color,
            markers=True,
            width=2.5,
        )
    fig.update_xaxes(rangeslider_visible=True)
    title = t("forecast.chart_title", language, target=html.escape(series.target))
    return _layout(fig, title, height=520)


def _line(
    fig: go.Figure,
    x,
    y,
    name: str,
    color: str,
    dash: str | None = None,
    markers: bool = False,
    width: float = 1.5,
) -> None:
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            name=name,
            mode="lines+markers" if markers else "lines",
            line={"color": color, "dash": dash, "width": width},
        )
    )


def _shade_parts(
    fig: go.Figure, series: Series, train_end: int, val_end: int, language: str
) -> None:
    bounds = {"train": (0, train_end), "val": (train_end, val_end), "test": (val_end, len(series))}
    for part, (start, end) in bounds.items():
        if end <= start:
            continue
        fig.add_vrect(
            x0=series.index[start],
            x1=series.index[end - 1],
            fillcolor=PART_SHADES[part],
            line_width=0,
            layer="below",
            annotation_text=t(f"forecast.part.{part}", language),
            annotation_position="top left",
        )
