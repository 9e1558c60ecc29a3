"""The only place session_state keys are spelled; typed get, require and set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from data.prepare import Series
from forecasting.backtest import Backtest
from forecasting.job import TrainingJob
from forecasting.summary import RunSummary, summarize
from ui.text import DEFAULT_LANGUAGE, plain, t

SERIES, DATASET, RUNS, CURRENT, JOB, LANGUAGE, PICKS, UPLOAD, NOTICE, HANDLED, BACKTESTS = (
    "series", "dataset", "runs", "current_run", "job", "language", "picks", "upload", "notice",
    "handled", "backtests",
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    """Where the current series came from, in a line the sidebar can show."""

    name: str
    kind: str  # "sample" | "synthetic" | "upload"


def language() -> str:
    return st.session_state.get(LANGUAGE, DEFAULT_LANGUAGE)


def text(key: str, **values: object) -> str:
    """The user-facing string for `key` in the session's language."""
    return t(key, language(), **values)


def get_series() -> Series | None:
    return st.session_state.get(SERIES)


def get_dataset() -> Dataset | None:
    return st.session_state.get(DATASET)


def set_series(series: Series, dataset: Dataset) -> None:
    st.session_state[SERIES] = series
    st.session_state[DATASET] = dataset


def require_series() -> Series:
    series = get_series()
    if series is None:
        st.info(text("need.series"))
        st.stop()
    return series


def runs() -> list[RunSummary]:
    return st.session_state.setdefault(RUNS, [])


def add_run(summary: RunSummary) -> None:
    runs().append(summary)
    st.session_state[CURRENT] = len(runs()) - 1


def current_run() -> RunSummary | None:
    history = runs()
    index = st.session_state.get(CURRENT)
    return history[index] if index is not None and index < len(history) else None


def select_run(index: int) -> None:
    st.session_state[CURRENT] = index


def require_run() -> RunSummary:
    summary = current_run()
    if summary is None:
        st.info(text("need.run"))
        st.stop()
    return summary


def get_job() -> TrainingJob | None:
    return st.session_state.get(JOB)


def set_job(job: TrainingJob | None) -> None:
    st.session_state[JOB] = job


def next_run_name(cell: str) -> str:
    """'GRU #3': the cell and the run's number in this session."""
    return f"{cell.upper()} #{len(runs()) + 1}"


def remembered(key: str, default: object) -> str:
    """Give widget `key` the value the user last chose, even after visiting another page."""
    picks = st.session_state.setdefault(PICKS, {})
    if key not in st.session_state:
        st.session_state[key] = picks.get(key, default)
    return key


def remember(key: str) -> object:
    """Keep widget `key`'s current value for the next visit; returns the value."""
    value = st.session_state.get(key)
    st.session_state.setdefault(PICKS, {})[key] = value
    return value


def get_upload() -> tuple[str, bytes] | None:
    return st.session_state.get(UPLOAD)


def set_upload(name: str | None, raw: bytes = b"") -> None:
    """Keep the uploaded file for later visits; None forgets it."""
    st.session_state[UPLOAD] = None if name is None else (name, raw)


def set_notice(kind: str, message: str) -> None:
    """A message to show once on the next run: kind is 'success', 'error' or 'info'."""
    st.session_state[NOTICE] = (kind, message)


def show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        kind, message = notice
        {"success": st.success, "error": st.error, "info": st.info}[kind](message)


def first_time(file_id: str) -> bool:
    """True the first time an uploaded file is seen, so it is acted on once, not every rerun."""
    handled = st.session_state.setdefault(HANDLED, set())
    if file_id in handled:
        return False
    handled.add(file_id)
    return True


def collect_finished_job() -> None:
    """A finished training job becomes a run (or an error notice), whichever page is open."""
    job = get_job()
    if job is None or not job.done:
        return
    set_job(None)
    if job.error or job.run is None:
        set_notice("error", text("train.failed", error=plain(job.error or "no model came back")))
        return
    name = next_run_name(job.config.cell)
    add_run(summarize(job.run, job.series, name, job.dataset))
    reason = job.run.stop_reason
    set_notice("success", text("train.done", name=name, seconds=job.run.seconds, reason=reason))


def get_backtest(run_name: str, folds: int, levels: Sequence[float]) -> Backtest | None:
    return st.session_state.get(BACKTESTS, {}).get((run_name, folds, tuple(sorted(levels))))


def set_backtest(run_name: str, folds: int, levels: Sequence[float], result: Backtest) -> None:
    """Keep a backtest for its run, number of folds and interval levels."""
    st.session_state.setdefault(BACKTESTS, {})[(run_name, folds, tuple(sorted(levels)))] = result
