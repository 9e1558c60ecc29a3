"""A few series of a panel drawn small, side by side; pure Plotly, no Streamlit."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data.panel import Panel
from ui.charts import MAX_POINTS, PALETTE
from ui.text import t

SMALL_MULTIPLES = 6  # series drawn at once
COLUMNS = 3


def shown_labels(labels: Sequence[str], picked: str, count: int = SMALL_MULTIPLES) -> list[str]:
    """The picked series and the ones after it in the file's order (wrapping), `count` at most."""
    start = list(labels).index(picked)
    ordered = [*labels[start:], *labels[:start]]
    return ordered[: min(count, len(ordered))]


def small_multiples(panel: Panel, labels: Sequence[str], language: str) -> go.Figure:
    """Each series of `labels` in its own small chart, with its own y scale."""
    rows = -(-len(labels) // COLUMNS)
    titles = [html.escape(label) for label in labels]
    figure = make_subplots(rows=rows, cols=COLUMNS, subplot_titles=titles,
                           horizontal_spacing=0.06, vertical_spacing=0.18)  # fmt: skip
    for place, label in enumerate(labels):
        one = panel.series[label]
        step = max(1, len(one) // MAX_POINTS)
        figure.add_trace(
            go.Scatter(
                x=one.index[::step],
                y=one.values[::step],
                mode="lines",
                line={"color": PALETTE["data"], "width": 1},
                name=titles[place],
                showlegend=False,
            ),
            row=place // COLUMNS + 1,
            col=place % COLUMNS + 1,
        )
    figure.update_layout(
        title=t("panel.small_title", language, shown=len(labels), count=len(panel)),
        height=220 * rows + 60,
        margin={"l": 40, "r": 20, "t": 80, "b": 30},
    )
    return figure
