"""Landing page: what the app does, a one-click demo that ends on the forecast, and the lessons."""

import streamlit as st

from ui import lessons
from ui.state import text

DEMO_SAMPLE = "airline"

st.title(text("app.title"))
st.markdown(text("home.lead"))
if st.button(text("home.demo"), type="primary", help=text("home.demo_help"), key="demo"):
    with st.spinner(text("home.demo_running")):
        lessons.train_now(DEMO_SAMPLE, cell="gru", hidden_size=32)
    st.switch_page("app_pages/forecast.py")
st.markdown(text("home.start"))
lessons.buttons()
