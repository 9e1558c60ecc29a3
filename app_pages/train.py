"""Train page: the settings form, live progress with a loss chart and Stop, the session's runs."""

import streamlit as st

from forecasting.job import TrainingJob
from forecasting.panel_forecast import median_series
from ui import panel_view, state, train_view, widgets, workspace_view
from ui.state import text
from ui.text import plain

series = state.require_series()
dataset, panel = state.get_dataset(), state.get_panel()
st.title(text("train.title"))
if panel is None:
    st.markdown(text("train.data", name=plain(dataset.name), points=len(series),
                     season=series.season_length))  # fmt: skip
else:
    panel_view.train_lead(panel, dataset.name)
state.show_notice()
if state.get_job() is None:
    ahead = None if panel is None else panel_view.ahead_choices(panel, state.get_known())
    vectors = 0 if panel is None else panel_view.series_vectors()
    try:
        config = widgets.config_form(series if panel is None else median_series(panel))
    except ValueError as err:
        st.error(str(err))
        config = None
    if config is None:
        job = None
    elif panel is None:
        job = TrainingJob(series, config, dataset.name)
    else:
        config = config.with_changes(series_embedding=vectors)
        job = panel_view.panel_job(panel, config, ahead, state.get_known(), dataset.name)
    if job is not None and state.start_job(job):
        st.rerun()
else:
    train_view.live_progress()
with st.expander(text("windows.title")):
    train_view.windows_explained(series)
if state.current_run() is not None and st.button(text("train.to_forecast"), key="to-forecast"):
    st.switch_page("app_pages/forecast.py")
train_view.run_table()
workspace_view.workspace_panel()
