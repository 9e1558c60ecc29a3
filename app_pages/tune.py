"""Tune page: an Optuna search over the training settings, drawn live; the winner trained."""

import streamlit as st

from ui import state
from ui.state import text
from ui.text import plain
from ui.tune_form import tune_form
from ui.tune_view import (
    continued_base,
    failure,
    fresh_base,
    live_search,
    results,
    saved_study,
    start,
)

series = state.require_series()
dataset = state.get_dataset()
st.title(text("tune.title"))
st.caption(text("tune.intro"))
st.markdown(text("tune.data", name=plain(dataset.name), points=len(series)))
base = fresh_base(series)
form = tune_form(series, base, dataset.name)
job = state.get_tune_job()
running = job is not None and not job.done
study, may_continue = saved_study(form, series, running)
base = continued_base(study, base)
if st.button(
    text("tune.start"), type="primary", help=text("tune.start_help"),
    disabled=running or not may_continue, key="tune-start",
):  # fmt: skip
    start(series, base, form, dataset.name)
if running:
    live_search()
else:
    failure(job, form)
    if study is not None and study.trials:
        results(study, form, series, dataset.name)
