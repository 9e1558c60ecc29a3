"""The Tune page's study: what is saved under its name, the search followed live, the results
and the buttons that train the winner."""

from __future__ import annotations

from collections.abc import Sequence

import optuna
import pandas as pd
import streamlit as st

from data.series import Series
from forecasting.config import ConfigError, TrainConfig, series_config
from forecasting.job import TrainingJob
from forecasting.limits import server_limits
from forecasting.tune import (
    SEARCHED,
    TrialRow,
    TuneError,
    best_config,
    best_trial_config,
    check_limits,
    check_same_data,
    figures,
    stored_base,
    trial_rows,
)
from forecasting.tune_defaults import find_visitor_study
from forecasting.tune_job import TuneJob
from ui import sessions, state, tune_charts
from ui.show import plot
from ui.state import text
from ui.text import plain
from ui.tune_form import TuneForm
from ui.widgets import CELL_LABELS

REFRESH_S = 1.0
FIGURES = ("history", "parallel", "importance", "slice")


def fresh_base(series: Series) -> TrainConfig:
    """What a new study searches from: the data's automatic settings, with no more members than
    this server allows."""
    base = series_config(series)
    return base.with_changes(members=min(base.members, server_limits().most("members")))


def saved_study(form: TuneForm, series: Series, running: bool) -> tuple[optuna.Study | None, bool]:
    """The study saved under the form's name (None when there is none, or when its storage
    cannot be read or used: said), and whether Start may go on with it: not on other data than
    it was run on (said). A study with trials says that Start continues it. Looking writes
    nothing: only Start makes a study, or the tables that keep it."""
    try:
        study = find_visitor_study(form.study_name, form.storage, server_limits().data_dir)
    except TuneError as err:
        st.error(str(err))
        return None, True
    if study is None:
        return None, True
    try:
        check_same_data(study, series)
    except TuneError as err:
        st.error(str(err))
        return None, False
    if study.trials and not running:
        st.info(
            text("tune.resume", name=plain(form.study_name), count=len(study.trials),
                 trials=form.settings["trials"])
        )  # fmt: skip
    return study, True


def continued_base(study: optuna.Study | None, base: TrainConfig) -> TrainConfig:
    """The settings a study goes on with (its own), else `base`; a study whose settings cannot
    be read ends the page, saying why."""
    try:
        return (study and stored_base(study)) or base
    except ConfigError as err:
        st.error(plain(err))
        state.end_page()


def start(series: Series, base: TrainConfig, form: TuneForm, dataset_name: str) -> None:
    """Start the search in the background, within this server's limits; the page then follows
    it live."""
    limits = server_limits()
    try:
        space, settings = form.search()
        check_limits(space, settings, base, len(series), limits)
    except TuneError as err:
        st.error(str(err))
        return
    job = TuneJob(series, base, space, settings, form.study_name, form.storage, dataset_name,
                  data_dir=limits.data_dir)  # fmt: skip
    if not state.allowed(job):
        return
    state.set_tune_job(job.start())
    st.rerun()


def failure(job: TuneJob | None, form: TuneForm) -> None:
    """Why the last search of this study stopped, when an error stopped it."""
    if (
        job is not None
        and job.error
        and (job.study_name, job.storage)
        == (
            form.study_name,
            form.storage,
        )
    ):
        st.error(text("tune.failed", error=plain(job.error)))


@st.fragment(run_every=REFRESH_S)
def live_search() -> None:
    job = state.get_tune_job()
    if job is None:
        return
    if job.done:
        sessions.rerun_app()  # the whole page draws the finished study
    state.show_queue_place(job)
    rows, (done, planned), current = job.rows(), job.progress(), job.current
    if job.stopping:
        label = text("tune.stopping")
    elif current is not None:
        row, log = current
        label = text("tune.progress_epoch", done=done, trials=planned, number=row.number,
                     epoch=log.epoch, epochs=job.settings.epochs)  # fmt: skip
    elif done:
        label = text("tune.progress", done=done, trials=planned)
    else:
        label = text("tune.starting")
    st.progress(min(done / planned, 1.0), text=label)
    if st.button(text("tune.stop"), help=text("tune.stop_help"), key="tune-stop"):
        job.stop()
    trials_table(rows, key="tune-live-table")
    plot(tune_charts.history_figure(rows, state.language()), key="tune-live-history")


def results(study: optuna.Study, form: TuneForm, series: Series, dataset_name: str) -> None:
    """The study's best settings and what to do with them, its trials, its history and
    Optuna's figures."""
    rows = trial_rows(study)
    try:
        configs = best_trial_config(study), best_config(study)
        best_trial(rows, configs, form.study_name, series, dataset_name)
    except (TuneError, ConfigError) as err:  # ConfigError: a study written by other hands
        st.info(str(err))
    st.subheader(text("tune.trials_title"))
    trials_table(rows, key="tune-table")
    plot(tune_charts.history_figure(rows, state.language()), key="tune-history")
    stamp = tuple((row.number, row.state, row.value) for row in rows)
    drawn = study_figures(form.study_name, form.storage, stamp)
    if not drawn:
        return
    st.subheader(text("tune.figures"))
    tabs = st.tabs([text(f"tune.figure.{key}") for key in FIGURES])
    for key, tab in zip(FIGURES, tabs, strict=True):
        if key in drawn:
            plot(drawn[key], where=tab, key=f"tune-figure-{key}")
        else:
            tab.info(text("tune.importance_needs"))


@st.cache_data(max_entries=4, show_spinner=False)
def study_figures(name: str, storage: str, stamp: tuple) -> dict:
    """Optuna's figures of the study as it stood at `stamp` (its trials: redrawn on a change)."""
    study = find_visitor_study(name, storage, server_limits().data_dir)
    return {} if study is None else figures(study)


def best_trial(
    rows: Sequence[TrialRow],
    configs: tuple[TrainConfig, TrainConfig],
    name: str,
    series: Series,
    dataset_name: str,
) -> None:
    """The best trial's score and settings, and the buttons that train them: the trial's own
    network again (its forecast, as scored), or its settings with the search's ensemble."""
    trial, config = configs
    best = min((row for row in rows if row.value is not None), key=lambda row: row.value)
    st.subheader(text("tune.best_settings"))
    st.markdown(text("tune.best", number=best.number, value=best.value))
    settings = {
        text(f"train.{key}") if key in SEARCHED else key: shown(value)
        for key, value in best.params.items()
    }
    st.dataframe(pd.DataFrame([settings]), hide_index=True, key="tune-best")
    busy = state.get_job() is not None
    buttons = st.container(horizontal=True)
    if buttons.button(
        text("tune.train_now"),
        type="primary",
        help=text("tune.train_now_help"),
        disabled=busy,
        key="tune-train",
    ):
        state.set_form_start(series, trial)
        if not state.start_job(TrainingJob(series, trial, dataset_name)):
            return
        state.set_link_page("forecast", len(state.runs()))
        state.set_notice("info", text("tune.training_best", name=plain(name)))
        st.switch_page("app_pages/train.py")
    if buttons.button(text("tune.train_best"), help=text("tune.train_best_help"), key="tune-fill"):
        state.set_form_start(series, config)
        state.set_notice("info", text("tune.form_filled", name=plain(name)))
        st.switch_page("app_pages/train.py")
    if busy:
        st.caption(text("tune.busy"))


def trials_table(rows: Sequence[TrialRow], key: str) -> None:
    table = pd.DataFrame(
        [
            {
                text("tune.col.number"): row.number,
                text("tune.col.state"): text(f"tune.state.{row.state.lower()}"),
                text("tune.col.value"): row.value,
                text("tune.col.params"): params_line(row.params),
                text("tune.col.seconds"): None if row.seconds is None else round(row.seconds, 1),
            }
            for row in rows
        ]
    )
    columns = {
        text("tune.col.value"): st.column_config.NumberColumn(format="%.4f"),
        text("tune.col.params"): st.column_config.TextColumn(width="large"),
    }
    st.dataframe(table, hide_index=True, column_config=columns, key=key)


def params_line(params: dict[str, object]) -> str:
    return ", ".join(f"{key}={shown(value)}" for key, value in params.items())


def shown(value: object) -> str:
    """A drawn setting as read: 3 significant digits, cells in capitals."""
    if isinstance(value, float):
        return f"{value:.3g}"
    return CELL_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)
