"""Pure Plotly figure of a cell's gates and states under the window they were computed on."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from forecasting.inside import WindowStates
from models.cells import GATES
from ui.text import DEFAULT_LANGUAGE, t

FONT_SIZE = 16  # readable on a projector
TICK_SIZE = 14
SERIES_HEIGHT = 230  # pixels
GAP = 70  # pixels between rows, room for each heatmap's title
LINE = "#000000"
GATE_SCALE = "Viridis"  # 0 (closed) to 1 (open), colour-blind safe
STATE_SCALE = "RdBu_r"  # blue below zero, red above

# Each quantity's symbol, in the heatmap titles (HTML) and in the equations (LaTeX).
SYMBOLS: dict[str, dict[str, tuple[str, str]]] = {
    "lstm": {
        "forget": ("f<sub>t</sub>", r"f_t"),
        "input": ("i<sub>t</sub>", r"i_t"),
        "candidate": ("c\u0303<sub>t</sub>", r"\tilde{c}_t"),
        "cell": ("c<sub>t</sub>", r"c_t"),
        "output": ("o<sub>t</sub>", r"o_t"),
        "hidden": ("h<sub>t</sub>", r"h_t"),
    },
    "gru": {
        "update": ("z<sub>t</sub>", r"z_t"),
        "reset": ("r<sub>t</sub>", r"r_t"),
        "candidate": ("h\u0303<sub>t</sub>", r"\tilde{h}_t"),
        "hidden": ("h<sub>t</sub>", r"h_t"),
    },
    "rnn": {"hidden": ("h<sub>t</sub>", r"h_t")},
}

# PyTorch's equations, one per quantity, in the order the cell computes them.
EQUATIONS: dict[str, list[tuple[str, str]]] = {
    "lstm": [
        ("forget", r"f_t = \sigma(W_f\,x_t + U_f\,h_{t-1} + b_f)"),
        ("input", r"i_t = \sigma(W_i\,x_t + U_i\,h_{t-1} + b_i)"),
        ("candidate", r"\tilde{c}_t = \tanh(W_c\,x_t + U_c\,h_{t-1} + b_c)"),
        ("cell", r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t"),
        ("output", r"o_t = \sigma(W_o\,x_t + U_o\,h_{t-1} + b_o)"),
        ("hidden", r"h_t = o_t \odot \tanh(c_t)"),
    ],
    "gru": [
        ("update", r"z_t = \sigma(W_z\,x_t + U_z\,h_{t-1} + b_z)"),
        ("reset", r"r_t = \sigma(W_r\,x_t + U_r\,h_{t-1} + b_r)"),
        (
            "candidate",
            r"\tilde{h}_t = \tanh\big(W_h\,x_t + b_h + r_t \odot (U_h\,h_{t-1} + b'_h)\big)",
        ),
        ("hidden", r"h_t = (1 - z_t) \odot \tilde{h}_t + z_t \odot h_{t-1}"),
    ],
    "rnn": [("hidden", r"h_t = \tanh(W\,x_t + U\,h_{t-1} + b)")],
}
RELU_RNN = [("hidden", r"h_t = \mathrm{ReLU}(W\,x_t + U\,h_{t-1} + b)")]


def equations(cell: str, nonlinearity: str = "tanh") -> list[tuple[str, str]]:
    """(quantity, LaTeX) for each of the cell's equations, in the order it computes them."""
    return RELU_RNN if cell == "rnn" and nonlinearity == "relu" else EQUATIONS[cell]


def quantity_title(cell: str, quantity: str, language: str = DEFAULT_LANGUAGE) -> str:
    """'f<sub>t</sub> forget gate': the symbol of the equations, then the name."""
    return f"{SYMBOLS[cell][quantity][0]} {t(f'inside.name.{quantity}', language)}"


def heatmap_height(units: int) -> int:
    """Pixels for one heatmap of `units` rows."""
    return int(np.clip(50 + 12 * units, 110, 420))


def cell_figure(
    states: WindowStates,
    layer: int,
    units: Sequence[int],
    target: str,
    language: str = DEFAULT_LANGUAGE,
    series_name: str = "",
) -> go.Figure:
    """The window on top, then one heatmap (time × unit) per gate and state of `layer`.

    `layer` and `units` count from 0; titles and axes count from 1, as the page does;
    `series_name` names which series of a panel the window is from.
    """
    quantities = states.layers[layer].quantities()
    units = list(units)
    heat = heatmap_height(len(units))
    rows = 1 + len(quantities)
    plot_height = SERIES_HEIGHT + heat * len(quantities) + GAP * (rows - 1)
    titles = [series_title(target, series_name, language)]
    titles += [quantity_title(states.cell, name, language) for name in quantities]
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        row_heights=[SERIES_HEIGHT] + [heat] * len(quantities),
        vertical_spacing=GAP / plot_height,
        subplot_titles=titles,
    )
    fig.add_trace(_window_trace(states, target), row=1, col=1)
    _add_heatmaps(fig, states, quantities, units, language)
    _style_axes(fig, states, rows, target, language)
    _lay_out(fig, states, layer, plot_height, language)
    return fig


def series_title(target: str, series_name: str, language: str) -> str:
    if series_name:
        return t("inside.series_title_series", language, target=_escaped(target),
                 series=_escaped(series_name))  # fmt: skip
    return t("inside.series_title", language, target=_escaped(target))


def _window_trace(states: WindowStates, target: str) -> go.Scatter:
    """The window's values, as lines and markers."""
    return go.Scatter(
        x=states.index,
        y=states.values,
        mode="lines+markers",
        line={"color": LINE, "width": 2},
        marker={"size": 6},
        name=target,
        hovertemplate=f"%{{x}}<br>{_escaped(target)} = %{{y:.4g}}<extra></extra>",
    )


def _add_heatmaps(
    fig: go.Figure,
    states: WindowStates,
    quantities: dict[str, np.ndarray],
    units: list[int],
    language: str,
) -> None:
    """One heatmap of the chosen units per quantity, from the second row down."""
    labels = [str(unit + 1) for unit in units]
    for row, (name, values) in enumerate(quantities.items(), start=2):
        fig.add_trace(_heatmap(states, name, values[:, units], labels, language), row=row, col=1)
        fig.update_yaxes(
            type="category",
            autorange="reversed",
            title_text=t("inside.unit", language),
            row=row,
            col=1,
        )
    _place_colourbars(fig)


def _style_axes(
    fig: go.Figure, states: WindowStates, rows: int, target: str, language: str
) -> None:
    """Shared time axis over the heatmaps' edges, named on the bottom row; readable ticks."""
    fig.update_xaxes(showticklabels=True, row=1, col=1)
    fig.update_xaxes(
        range=_edges(states.index), tickfont_size=TICK_SIZE, showspikes=True, spikemode="across"
    )
    fig.update_xaxes(title_text=t("inside.time", language), row=rows, col=1)
    fig.update_yaxes(tickfont_size=TICK_SIZE, title_font_size=TICK_SIZE)
    fig.update_yaxes(title_text=_escaped(target), row=1, col=1)


def _lay_out(
    fig: go.Figure, states: WindowStates, layer: int, plot_height: int, language: str
) -> None:
    """The chart's title, height, fonts and hover."""
    fig.update_annotations(font_size=FONT_SIZE)
    layers = len(states.layers)
    title = t(
        "inside.chart_title", language, cell=states.cell.upper(), layer=layer + 1, layers=layers
    )
    fig.update_layout(
        title={"text": title, "font_size": FONT_SIZE + 2, "y": 0.995, "yanchor": "top"},
        height=plot_height + 110,
        margin={"l": 10, "r": 10, "t": 90, "b": 20},
        font_size=FONT_SIZE,
        hoverlabel_font_size=FONT_SIZE,
        hovermode="closest",
        showlegend=False,
        template="plotly_white",
    )


def _heatmap(
    states: WindowStates, name: str, values: np.ndarray, labels: list[str], language: str
) -> go.Heatmap:
    """One quantity (time, units) as rows of units over time."""
    symbol = SYMBOLS[states.cell][name][0]
    unit = t("inside.unit", language)
    hover = f"%{{x}}<br>{unit} %{{y}}<br>{symbol} = %{{z:.3f}}<extra></extra>"
    colours = (
        {"colorscale": GATE_SCALE, "zmin": 0.0, "zmax": 1.0}
        if name in GATES
        else {"colorscale": STATE_SCALE, "zmid": 0.0}
    )
    return go.Heatmap(
        x=states.steps,
        y=labels,
        z=values.T,  # (units, time)
        ygap=1,
        hovertemplate=hover,
        colorbar={"thickness": 14, "tickfont_size": TICK_SIZE},
        **colours,
    )


def _edges(index: pd.Index) -> list[object]:
    """The outer edges of the first and last heatmap columns, so rows line up without margins."""
    if len(index) < 2:
        return [index[0], index[-1]]
    return [index[0] - (index[1] - index[0]) / 2, index[-1] + (index[-1] - index[-2]) / 2]


def _place_colourbars(fig: go.Figure) -> None:
    """Each heatmap's colour bar beside its own row, as tall as the row."""
    for row, trace in enumerate(fig.data[1:], start=2):
        low, high = fig.layout[f"yaxis{row}"].domain
        trace.colorbar.update(y=(low + high) / 2, len=high - low, yanchor="middle")


def _escaped(text: str) -> str:
    """User text (a column name) shown as written, not as HTML or a hover placeholder."""
    return html.escape(text).replace("%{", "%&#123;")
