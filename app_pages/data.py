"""Data page: a bundled sample, a synthetic signal or an upload, its chart and cleaning report."""

import html

import pandas as pd
import streamlit as st

from data.errors import DataError
from data.series import Series
from ui import charts, panel_view, pickers, state
from ui.show import plot
from ui.state import remember, remembered, text
from ui.text import moment, plain


def show(series: Series, said: list[str] | None = None) -> None:
    """The series' chart, figures and cleaning report (`said`: a panel's and the series')."""
    title = text("data.chart_title", target=html.escape(series.target))
    plot(charts.series_figure(series, title, state.language(), series.truth))
    stats, report = st.columns([2, 3])
    with stats:
        st.subheader(text("data.stats"))
        dated = series.date_col is not None
        rows = {
            text("stats.points"): f"{len(series):,}",
            text("stats.start"): moment(series.index[0]) if dated else text("stats.rows"),
            text("stats.end"): moment(series.index[-1]) if dated else f"0 \u2013 {len(series) - 1}",
            text("stats.freq"): series.freq or "\u2014",
            text("stats.mean"): f"{series.values.mean():.4g}",
            text("stats.std"): f"{series.values.std():.4g}",
            text("stats.min"): f"{series.values.min():.4g}",
            text("stats.max"): f"{series.values.max():.4g}",
        }
        st.table(pd.DataFrame({"": list(rows.values())}, index=list(rows)))
    with report:
        st.subheader(text("data.report"))
        lines = list(series.report if said is None else said)
        st.markdown(
            "\n".join(f"- {plain(line)}" for line in lines) if lines else text("data.report_none")
        )


st.title(text("data.title"))
source = st.radio(
    text("data.source"),
    pickers.SOURCES,
    horizontal=True,
    format_func=lambda s: text(f"data.source.{s}"),
    key=remembered(state.SOURCE_PICK, "sample"),
)
remember(state.SOURCE_PICK)
try:
    picked = pickers.PICKERS[source]()
except DataError as err:
    st.error(plain(err))
    state.end_page()
if picked is not None:
    data, dataset = picked
    panel, known = data if isinstance(data, tuple) else (None, None)
    series = data if panel is None else panel_view.data_view(panel)
    current = state.get_series()
    if (
        current is None
        or current.fingerprint() != series.fingerprint()
        or state.get_dataset() != dataset
        or panel is not None
    ):
        state.set_series(series, dataset, panel, known)
    show(series, None if panel is None else list(panel.report))
