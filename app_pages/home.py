"""Landing page: what the app does, a one-click demo that ends on the forecast, and the lessons."""

import streamlit as st

from data.catalog import load_sample, sample
from forecasting.config import auto_config
from forecasting.summary import summarize
from forecasting.train import fit
from ui import lessons, state
from ui.state import text

DEMO_SAMPLE = "airline"

st.title(text("app.title"))
st.markdown(text("home.lead"))
if st.button(text("home.demo"), type="primary", help=text("home.demo_help"), key="demo"):
    with st.spinner(text("home.demo_running")):
        series, dataset = (
            load_sample(DEMO_SAMPLE),
            state.Dataset(sample(DEMO_SAMPLE).name, "sample"),
        )
        state.set_series(series, dataset)
        config = auto_config(len(series), series.season_length, cell="gru", hidden_size=32)
        name = state.next_run_name(config.cell)
        state.add_run(summarize(fit(series, config), series, name, dataset.name))
    st.switch_page("app_pages/forecast.py")
st.markdown(text("home.start"))
lessons.buttons()
