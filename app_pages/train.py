"""Train page: the settings form, live progress with a loss chart and Stop, the session's runs."""

import streamlit as st

from forecasting.job import TrainingJob
from ui import state, train_view, widgets, workspace_view
from ui.state import text
from ui.text import plain

series = state.require_series()
dataset = state.get_dataset()
st.title(text("train.title"))
st.markdown(
    text("train.data", name=plain(dataset.name), points=len(series), season=series.season_length)
)
state.show_notice()
if state.get_job() is None:
    try:
        config = widgets.config_form(series)
    except ValueError as err:
        st.error(str(err))
        config = None
    if config is not None and state.start_job(TrainingJob(series, config, dataset.name)):
        st.rerun()
else:
    train_view.live_progress()
with st.expander(text("windows.title")):
    train_view.windows_explained(series)
if state.current_run() is not None and st.button(text("train.to_forecast"), key="to-forecast"):
    st.switch_page("app_pages/forecast.py")
train_view.run_table()
workspace_view.workspace_panel()
