"""Forecast page sections that judge a run: a rolling backtest and its residuals."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from forecasting.background import BUDGET
from forecasting.backtest import Backtest
from forecasting.job import BacktestJob
from forecasting.predict import level_name
from forecasting.summary import RunSummary
from ui import charts, sessions, state
from ui.show import plot
from ui.state import text
from ui.text import plain


def metrics_dataframe(table: dict[str, dict[str, float | None]], model_name: str) -> None:
    """Scores of the model (under its run name) and of each baseline, undefined ones as a dash."""
    names = {key: model_name if key == "model" else text(f"baseline.{key}") for key in table}
    frame = pd.DataFrame(table).T.astype(float).rename(index=names)
    st.dataframe(frame.style.format(precision=3, na_rep="\u2014"))


def backtest_section(summary: RunSummary, levels: Sequence[float]) -> None:
    """Refit at each of the last k periods on demand; show the forecasts, scores and coverage."""
    st.subheader(text("backtest.title"))
    left, right = st.columns([3, 1])
    folds = left.slider(
        text("backtest.folds"),
        2,
        8,
        3,
        help=text("backtest.folds_help"),
        key=f"backtest-folds-{summary.name}",
    )
    result = state.get_backtest(summary.name, folds, levels)
    job = state.get_backtest_job(summary.name, folds, levels)
    if job is None and (result is None or not result.complete):
        label = text("backtest.run" if result is None else "backtest.run_again")
        if right.button(label, key=f"backtest-run-{summary.name}"):
            job = BacktestJob(summary.series, summary.run.config, folds, tuple(levels))
            if not state.allowed(job):
                return
            state.set_backtest_job(summary.name, folds, levels, job.start())
    if job is not None:
        backtest_progress(summary.name, folds, levels)
        return
    if result is not None:
        backtest_result(summary, result)


def backtest_result(summary: RunSummary, result: Backtest) -> None:
    """A backtest's forecasts, coverage and scores; a stopped one says so above them."""
    if not result.complete:
        key = "backtest.stopped_budget" if result.stopped_by == BUDGET else "backtest.stopped_user"
        st.warning(text(key, done=len(result.folds), planned=result.planned))
    plot(
        charts.backtest_figure(summary.series, result, state.language()),
        key=f"backtest-chart-{summary.name}",
    )
    for level, coverage in result.coverage.items():
        st.markdown(text("backtest.coverage", level=level_name(level), coverage=coverage))
    st.caption(text("backtest.metrics", folds=len(result.folds)))
    metrics_dataframe(result.table, summary.name)


@st.fragment(run_every=0.5)
def backtest_progress(run_name: str, folds: int, levels: Sequence[float]) -> None:
    """The backtest's folds done and a Stop button while it runs; its result once it is done."""
    job = state.get_backtest_job(run_name, folds, levels)
    if job is None:
        return
    if job.done:
        state.clear_backtest_job()
        if job.error:
            st.error(plain(job.error))
            return
        if job.result is not None:
            state.set_backtest(run_name, folds, levels, job.result)
        sessions.rerun_app()
    state.show_queue_place(job)
    fold = min(job.done_folds + 1, folds)
    st.progress(job.done_folds / folds, text=text("backtest.progress", fold=fold, folds=folds))
    if st.button(text("train.stop"), key=f"backtest-stop-{run_name}", disabled=job.stopping):
        job.stop()


def residuals_section(summary: RunSummary) -> None:
    st.subheader(text("residuals.title"))
    for column, figure in zip(
        st.columns(3), charts.residual_figures(summary, state.language()), strict=True
    ):
        plot(figure, column)
