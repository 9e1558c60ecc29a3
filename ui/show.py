"""Every chart is drawn here, so projector mode reaches all of them."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import state

OKABE_ITO = (  # safe for colour-blind readers; Okabe & Ito (2008)
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)  # fmt: skip
TITLE_PX, AXIS_TITLE_PX, TEXT_PX = 26, 20, 18
LINE_GROWTH, MIN_LINE_PX, MIN_MARKER_PX, DEFAULT_MARKER_PX = 1.6, 3.5, 9, 6
HEIGHT_GROWTH = 1.25


def plot(figure: go.Figure, where: DeltaGenerator | None = None, **kwargs: Any) -> None:
    """st.plotly_chart (or `where.plotly_chart`, e.g. a column), in projector style when on."""
    shown = projector_style(figure) if state.projector() else figure
    (where or st).plotly_chart(shown, **kwargs)


def projector_style(figure: go.Figure) -> go.Figure:
    """A copy of `figure` for a room: larger fonts, thicker lines, the Okabe-Ito colours."""
    styled = go.Figure(figure)
    layout = styled.layout
    styled.update_layout(
        font_size=max(layout.font.size or 0, TEXT_PX),
        title_font_size=max(layout.title.font.size or 0, TITLE_PX),
        legend_font_size=max(layout.legend.font.size or 0, TEXT_PX),
        hoverlabel_font_size=TEXT_PX,
        colorway=OKABE_ITO,  # for traces that name no colour of their own
    )
    if layout.height:
        margin = layout.margin.t
        styled.update_layout(height=round(layout.height * HEIGHT_GROWTH))
        if margin:
            styled.update_layout(margin_t=round(margin * HEIGHT_GROWTH))
    styled.update_xaxes(tickfont_size=TEXT_PX, title_font_size=AXIS_TITLE_PX)
    styled.update_yaxes(tickfont_size=TEXT_PX, title_font_size=AXIS_TITLE_PX)
    styled.update_annotations(font_size=AXIS_TITLE_PX)  # subplot titles among them
    for trace in styled.data:
        _thicken(trace)
    for shape in layout.shapes:
        if shape.line.width != 0:
            shape.line.width = max(MIN_LINE_PX, LINE_GROWTH * (shape.line.width or 2))
    return styled


def _thicken(trace: Any) -> None:
    """Wider lines and larger markers; a line drawn 0 wide (a band's edge) stays hidden."""
    line = getattr(trace, "line", None)
    if line is not None and "width" in line and line.width != 0:
        line.width = max(MIN_LINE_PX, LINE_GROWTH * (line.width or 2))
    marker = getattr(trace, "marker", None)
    if marker is not None and "size" in marker and isinstance(marker.size, int | float | None):
        marker.size = max(MIN_MARKER_PX, LINE_GROWTH * (marker.size or DEFAULT_MARKER_PX))
