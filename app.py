"""Forecast Lab: the entry point. Navigation and the shared sidebar; no logic."""

import streamlit as st

from forecasting.device import choose_device, device_name, share_cores
from forecasting.train import warm_up
from ui import lessons, sessions, share, state
from ui.state import text
from ui.text import LANGUAGES, plain

st.set_page_config(page_title="Forecast Lab", page_icon=":material/show_chart:", layout="wide")
share_cores()  # on every run, so a thread count changed since (a library, a test) cannot stay

PAGES = [
    st.Page("app_pages/home.py", title=text("nav.home"), icon=":material/home:", default=True),
    st.Page("app_pages/data.py", title=text("nav.data"), icon=":material/table_chart:"),
    st.Page("app_pages/train.py", title=text("nav.train"), icon=":material/model_training:"),
    st.Page("app_pages/forecast.py", title=text("nav.forecast"), icon=":material/show_chart:"),
    st.Page("app_pages/inside.py", title=text("nav.inside"), icon=":material/memory:"),
    st.Page("app_pages/compare.py", title=text("nav.compare"), icon=":material/compare_arrows:"),
    st.Page("app_pages/tune.py", title=text("nav.tune"), icon=":material/tune:"),
]


@st.cache_resource
def warmed_up() -> bool:
    """Once per server: the first run a user trains (and times) should not pay torch's start."""
    warm_up()
    return True


@st.cache_resource
def jobs_watched() -> bool:
    """Once per server: jobs end with the session that started them."""
    sessions.watch_sessions()
    return True


@st.cache_resource
def device_label() -> str:
    return device_name(choose_device("auto"))


def sidebar() -> None:
    """Device, data and run, drawn after the page so they show what the page just did."""
    with st.sidebar:
        st.markdown(text("sidebar.device", device=device_label()))
        dataset, series, panel = state.get_dataset(), state.get_series(), state.get_panel()
        if dataset and panel is not None:
            st.markdown(text("sidebar.panel", name=plain(dataset.name), count=len(panel)))
        elif dataset and series is not None:
            st.markdown(text("sidebar.data", name=plain(dataset.name), points=len(series)))
        else:
            st.markdown(text("sidebar.no_data"))
        summary = state.current_run()
        st.markdown(
            text("sidebar.run", name=plain(summary.name)) if summary else text("sidebar.no_run")
        )
    lessons.notice()


def settings() -> None:
    """Language and projector mode at the top of the sidebar, set before the page draws."""
    with st.sidebar:
        st.selectbox(
            text("lang.label"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            help=text("lang.help"),
            key=state.LANGUAGE,
            persist_state="session",  # kept through st.switch_page, which drops widget values
        )
        st.toggle(
            text("projector.label"),
            help=text("projector.help"),
            key=state.PROJECTOR,
            persist_state="session",
        )


warmed_up()
jobs_watched()
page = st.navigation(PAGES)
state.enter_workspace()
share.open_link()
settings()
state.collect_finished_job()
share.follow_link()
state.enter_app()
try:
    page.run()
except state.EndPage:
    pass
finally:
    share.note_source()
    sidebar()
