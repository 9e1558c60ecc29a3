"""Compare page: LSTM vs GRU vs RNN in one click; chosen runs side by side."""

import streamlit as st

from ui import compare_charts, compare_view, state
from ui.show import plot
from ui.state import text

st.title(text("compare.title"))
state.show_notice()
compare_view.trio_button()
history = state.runs()
compare_view.trio_table(history)
if not history:
    st.info(text("compare.empty"))
    state.end_page()
chosen = state.summaries(compare_view.pick_runs(history))
if not chosen:
    st.info(text("compare.pick"))
    state.end_page()
colors = compare_charts.run_colors(len(chosen))
plot(compare_charts.loss_overlay(chosen, state.language(), colors), key="compare-loss")
compare_view.forecasts(chosen, colors)
compare_view.metrics(chosen)
compare_view.settings(chosen)
