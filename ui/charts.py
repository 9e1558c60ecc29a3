"""Pure Plotly figure builders; no Streamlit here."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from data.series import Series
from forecasting.backtest import Backtest
from forecasting.config import TrainConfig
from forecasting.evaluate import autocorrelation
from forecasting.predict import Forecast, Preview, level_name
from forecasting.summary import RunSummary
from forecasting.train import EpochLog
from forecasting.training_window import training_window
from ui.text import DEFAULT_LANGUAGE, t

# Every figure starts from this template: a new figure takes the default without validating
# it, about 20 ms less per figure than `template=` in its layout (which counts twice a second
# while training draws its loss chart).
pio.templates.default = "plotly_white"

MAX_POINTS = 10_000  # per trace sent to the browser
MAX_MARKERS = 500  # longer lines get no markers: each one is an SVG element the browser draws
RESIDUAL_BINS = 20

PALETTE = {  # Okabe-Ito, safe for colour-blind readers
    "data": "#000000",
    "model": "#0072B2",
    "band": "rgba(0, 114, 178, 0.22)",  # every interval but the widest, stacked: darker inside
    "band_wide": "rgba(0, 114, 178, 0.10)",  # the widest interval, drawn first
    "train": "#009E73",
    "val": "#E69F00",
    "naive": "#CC79A7",
    "seasonal_naive": "#D55E00",
    "drift": "#56B4E9",
    "mean": "#999999",
    "truth": "#6F6F6F",
    "input": "#0072B2",
    "target": "#D55E00",
}
OTHER_RUNS = ("#009E73", "#E69F00", "#CC79A7", "#56B4E9")  # other runs drawn beside the chosen one
RUN_COLORS = (PALETTE["model"], *OTHER_RUNS)  # Okabe-Ito, one per run, repeating after five


def run_colors(count: int) -> list[str]:
    return [RUN_COLORS[number % len(RUN_COLORS)] for number in range(count)]


SPAN_SHADES = {"input": "rgba(0,114,178,0.16)", "target": "rgba(213,94,0,0.18)"}
PART_SHADES = {
    "train": "rgba(0,158,115,0.06)",
    "val": "rgba(230,159,0,0.10)",
    "test": "rgba(204,121,167,0.10)",
}


def apply_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "y": 0.98, "yanchor": "top"},
        height=height,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hovermode="x unified",
    )
    return fig


def thin(values: np.ndarray, limit: int = MAX_POINTS) -> np.ndarray:
    """Positions of at most `limit` points of `values` that keep the line's shape.

    Min-max decimation: the first and last points, and the lowest and highest point of each of
    (limit - 2) / 2 equal buckets in between, in time order. Every kept point is a real one, so
    hover shows exact values; NaN (a gap) is never chosen over a number.
    """
    values = np.asarray(values, dtype=np.float64)
    count = len(values)
    if count <= limit:
        return np.arange(count)
    buckets = max(1, (limit - 2) // 2)
    inner = values[1:-1]
    size = -(-len(inner) // buckets)
    grid = np.full(buckets * size, np.nan)
    grid[: len(inner)] = inner
    grid = grid.reshape(buckets, size)
    missing = np.isnan(grid)
    lows = np.argmin(np.where(missing, np.inf, grid), axis=1)
    highs = np.argmax(np.where(missing, -np.inf, grid), axis=1)
    starts = np.arange(buckets) * size
    kept = np.concatenate([starts + lows, starts + highs])
    kept = kept[kept < len(inner)] + 1
    return np.unique(np.concatenate([[0, count - 1], kept]))


def _thinned(x, y) -> tuple:
    if len(y) <= MAX_POINTS:
        return x, y
    kept = thin(y)
    return np.asarray(x)[kept], np.asarray(y)[kept]


def series_figure(
    series: Series,
    title: str,
    language: str = DEFAULT_LANGUAGE,
    truth: np.ndarray | None = None,
) -> go.Figure:
    """The series; with `truth`, the noise-free signal under it, dashed."""
    x, y = _thinned(series.index, series.values)
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=html.escape(series.target),
            line={"color": PALETTE["data"], "width": 1.5},
        )
    )
    _truth(fig, series, truth, language)
    return apply_layout(fig, title, height=360)


def _truth(fig: go.Figure, series: Series, truth: np.ndarray | None, language: str) -> None:
    if truth is not None:
        add_line(
            fig, series.index, truth, t("lab.truth", language), PALETTE["truth"], "dash", width=2
        )


def preview_figure(series: Series, preview: Preview, language: str = DEFAULT_LANGUAGE) -> go.Figure:
    """The series with an early forecast of the model in training: over the held-out parts and
    past the end (drawn while training goes on)."""
    title = t("train.preview_title", language, epochs=preview.epochs)
    fig = series_figure(series, title, language)
    name = t("train.preview", language)
    line = pd.concat([preview.path, preview.ahead])
    add_line(fig, line.index, line.to_numpy(), name, PALETTE["model"], "solid", width=2)
    return fig


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
    fig.update_xaxes(title=t("chart.epoch", language))
    return apply_layout(fig, t("train.loss_title", language), height=320)


def forecast_figure(
    summary: RunSummary,
    baselines: Sequence[str] = (),
    language: str = DEFAULT_LANGUAGE,
    others: Sequence[RunSummary] = (),
    truth: np.ndarray | None = None,
    series_name: str = "",
) -> go.Figure:
    """The data, the model's held-out predictions, baselines, and the future with its bands.

    `others` are runs on the same data whose predictions and forecasts are drawn beside;
    `truth`, the noise-free signal under a synthetic series, is drawn dashed; `series_name`
    names which series of a panel it is, in the title.
    """
    series, run, ahead = summary.series, summary.run, summary.forecast
    fig = go.Figure()
    _shade_parts(fig, series, run.train_end, run.val_end, language)
    add_line(fig, series.index, series.values, t("forecast.actual", language), PALETTE["data"])
    _truth(fig, series, truth, language)
    for key in baselines:
        path = summary.baseline_paths[key]
        add_line(fig, path.index, path.values, t(f"baseline.{key}", language), PALETTE[key], "dot")
    _bands(fig, ahead, language)
    drawn = [*zip(others, OTHER_RUNS, strict=False), (summary, PALETTE["model"])]  # chosen on top
    for shown, color in drawn:
        run_lines(fig, shown, color, language)
    fig.update_xaxes(rangeslider_visible=True)
    title = t("forecast.chart_title", language, target=html.escape(series.target))
    if series_name:
        title = t("forecast.chart_title_series", language, target=html.escape(series.target),
                  series=html.escape(series_name))  # fmt: skip
    return apply_layout(fig, title, height=520)


def run_lines(fig: go.Figure, summary: RunSummary, color: str, language: str) -> None:
    """A run's predictions over the held-out parts (dashed) and its forecast (with markers)."""
    name = html.escape(summary.name)
    held, future = summary.held_out, summary.forecast
    add_line(
        fig, held.index, held.values, t("forecast.held_out", language, model=name), color, "dash"
    )
    add_line(
        fig,
        future.index,
        future.mean,
        t("forecast.future", language, model=name),
        color,
        markers=True,
        width=2.5,
    )


def _bands(
    fig: go.Figure,
    forecast: Forecast,
    language: str,
    index: Sequence | None = None,
    in_legend: bool = True,
) -> None:
    """One filled band per level, the widest (lightest) first so the narrower ones sit on top."""
    x = np.asarray(forecast.index if index is None else index)
    widest_first = forecast.levels[::-1]
    for number, level in enumerate(widest_first):
        lower, upper = forecast.bands[level]
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([upper, lower[::-1]]),
                fill="toself",
                fillcolor=PALETTE["band_wide" if number == 0 and len(widest_first) > 1 else "band"],
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                name=t("forecast.band", language, level=level_name(level)),
                legendgroup=f"band-{level}",
                showlegend=in_legend,
            )
        )


def add_line(
    fig: go.Figure,
    x,
    y,
    name: str,
    color: str,
    dash: str | None = None,
    markers: bool = False,
    width: float = 1.5,
) -> None:
    x, y = _thinned(x, y)
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


def window_figure(
    series: Series, config: TrainConfig, position: int, language: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """The series with training window `position` (from 1): its inputs, its target, the parts."""
    span = training_window(len(series), config, position)
    fig = go.Figure()
    _shade_parts(fig, series, span.train_end, span.val_end, language)
    add_line(fig, series.index, series.values, t("forecast.actual", language), PALETTE["data"])
    for role, steps in (("input", span.inputs), ("target", span.targets)):
        index = series.index[steps.start : steps.stop]
        fig.add_vrect(
            x0=index[0],
            x1=index[-1],
            fillcolor=SPAN_SHADES[role],
            line_width=0,
            layer="below",
            name=role,
        )
        add_line(
            fig,
            index,
            series.values[steps.start : steps.stop],
            t(f"windows.{role}", language, count=len(steps)),
            PALETTE[role],
            markers=len(steps) <= MAX_MARKERS,
            width=3,
        )
    title = t("windows.chart_title", language, number=span.number, count=span.count)
    return apply_layout(fig, title, height=380)


def backtest_figure(
    series: Series, result: Backtest, language: str = DEFAULT_LANGUAGE
) -> go.Figure:
    """The data near the end, with each fold's forecast and interval drawn where it was made."""
    first = result.folds[0].origin
    start = max(0, first - 3 * len(result.folds[0].actual))
    fig = go.Figure()
    add_line(
        fig,
        series.index[start:],
        series.values[start:],
        t("forecast.actual", language),
        PALETTE["data"],
    )
    for number, fold in enumerate(result.folds):
        index = series.index[fold.origin : fold.origin + len(fold.actual)]
        color = RUN_COLORS[number % len(RUN_COLORS)]
        _bands(fig, fold.forecast, language, index, in_legend=number == 0)
        add_line(
            fig,
            index,
            fold.forecast.mean,
            t("backtest.fold", language, number=number + 1),
            color,
            markers=True,
            width=2,
        )
    return apply_layout(
        fig, t("backtest.chart_title", language, folds=len(result.folds)), height=380
    )


def _histogram(values: np.ndarray) -> go.Figure:
    """Counts binned here, not in the browser: the bins go out, not every value."""
    counts, edges = np.histogram(values[np.isfinite(values)], bins=RESIDUAL_BINS)
    bar = go.Bar(
        x=(edges[:-1] + edges[1:]) / 2,
        y=counts,
        width=np.diff(edges),
        xhoverformat=".4g",
        customdata=np.column_stack([edges[:-1], edges[1:]]),
        hovertemplate="%{customdata[0]:.4g} to %{customdata[1]:.4g}: %{y}<extra></extra>",
        marker_color=PALETTE["model"],
    )
    return go.Figure(bar).update_layout(bargap=0)


def residual_figures(summary: RunSummary, language: str = DEFAULT_LANGUAGE) -> list[go.Figure]:
    """Held-out residuals: over time, as a histogram, and their autocorrelation."""
    held = summary.held_out
    positions = summary.series.index.get_indexer(held.index)
    residuals = summary.series.values[positions] - held.to_numpy()
    shown_x, shown_y = _thinned(held.index, residuals)
    over_time = go.Figure(
        go.Scatter(
            x=shown_x,
            y=shown_y,
            mode="lines+markers" if len(shown_y) <= MAX_MARKERS else "lines",
            line={"color": PALETTE["model"]},
            name="",
        )
    )
    over_time.add_hline(y=0, line_color=PALETTE["mean"])
    histogram = _histogram(residuals)
    lags = max(2, min(2 * summary.run.config.season_length, len(residuals) // 2, 48))
    correlations = autocorrelation(residuals, lags)
    bound = 1.96 / np.sqrt(len(residuals))
    acf = go.Figure(
        go.Bar(x=np.arange(1, len(correlations) + 1), y=correlations, marker_color=PALETTE["model"])
    )
    for level in (bound, -bound):
        acf.add_hline(y=level, line_dash="dot", line_color=PALETTE["mean"])
    titles = ("residuals.over_time", "residuals.histogram", "residuals.acf")
    return [
        apply_layout(figure, t(title, language), height=280).update_layout(showlegend=False)
        for figure, title in zip((over_time, histogram, acf), titles, strict=True)
    ]
