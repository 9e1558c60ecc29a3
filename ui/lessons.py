"""Lesson presets in the app: one click loads the data, starts the runs and opens where to watch."""

from __future__ import annotations

from typing import Any

import streamlit as st

from forecasting.config import series_config
from forecasting.job import BatchJob, TrainingJob
from forecasting.lessons import LESSONS, Lesson
from forecasting.share import DataSource
from ui import share, state
from ui.state import text
from ui.text import plain

INSIDE_SAMPLE = "airline"
INSIDE_HIDDEN = 16


def start(chosen: Lesson) -> None:
    """Load the lesson's data, train its runs in the background and open its page."""
    series, dataset = share.apply_source(chosen.source)
    configs = chosen.configs(series)
    state.set_form_start(series, configs[0])
    if len(configs) == 1:
        job = TrainingJob(series, configs[0], dataset.name)
    else:
        job = BatchJob(series, configs, dataset.name)
    if not state.start_job(job, shared=True):
        return
    state.set_lesson(chosen.key)
    st.switch_page(share.page_path(chosen.page))


def train_now(key: str, **settings: Any) -> None:
    """Make bundled sample `key` the data and train a run on it here and now (seconds)."""
    series, dataset = share.apply_source(DataSource.sample(key))
    job = TrainingJob(series, series_config(series, **settings), dataset.name)
    if not state.allowed(job):
        state.end_page()
    job.start().wait()  # in the server's queue, and ended with this session like any job
    if job.run is None:
        st.error(text("train.failed", error=plain(job.error or "no model came back")))
        state.end_page()
    state.keep_runs(job)


def look_inside() -> None:
    """Train a small LSTM on a bundled sample, here and now, and open Inside the cell."""
    # no linear shortcut: the forecast is the gates' work
    train_now(INSIDE_SAMPLE, cell="lstm", hidden_size=INSIDE_HIDDEN, members=1, linear=False)
    state.set_lesson("look_inside")
    st.switch_page(share.page_path("inside"))


def buttons() -> None:
    """The Home page's lesson section: one button per exercise, and what it shows."""
    st.subheader(text("lesson.title"))
    busy = state.get_job() is not None
    inside = text("lesson.look_inside.title")
    if st.button(inside, key="lesson-look_inside", type="primary", disabled=busy):
        with st.spinner(text("lesson.look_inside.running")):
            look_inside()
    st.caption(text("lesson.look_inside.about"))
    for each in LESSONS:
        if st.button(text(f"lesson.{each.key}.title"), key=f"lesson-{each.key}", disabled=busy):
            start(each)
        st.caption(text(f"lesson.{each.key}.about"))
    if busy:
        st.caption(text("lesson.busy"))


def notice() -> None:
    """What the class should notice in the lesson under way, in the sidebar."""
    key = state.get_lesson()
    if key is None:
        return
    with st.sidebar:
        title = text(f"lesson.{key}.title")
        st.info(text("lesson.notice", title=title, notice=text(f"lesson.{key}.notice")))
