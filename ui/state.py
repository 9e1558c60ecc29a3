"""The only place session_state keys are spelled; typed get, require and set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import streamlit as st

from data.series import Series
from forecasting import job as job_outcomes
from forecasting.background import Background, server_jobs
from forecasting.backtest import Backtest
from forecasting.config import ConfigError, TrainConfig
from forecasting.job import BacktestJob, BatchJob, TrainingJob
from forecasting.limits import check_config, server_limits
from forecasting.share import DataSource
from forecasting.summary import RunSummary, summarize
from forecasting.train import Run
from ui.text import DEFAULT_LANGUAGE, plain, t

if TYPE_CHECKING:
    from forecasting.tune_job import TuneJob  # optuna loads only when the Tune page does

SERIES, DATASET, RUNS, CURRENT, JOB, LANGUAGE, PICKS, UPLOAD, NOTICE, HANDLED, BACKTESTS = (
    "series", "dataset", "runs", "current_run", "job", "language", "picks", "upload", "notice",
    "handled", "backtests",
)  # fmt: skip
PROJECTOR = "projector"  # the sidebar's projector toggle
FORM_START = "form_start"  # (fingerprint, TrainConfig): the settings the Train form starts from
LINK_READ, LINK_PAGE = "link_read", "link_page"  # a shared link: read once; its page to open
SOURCES = "shared_sources"  # where each series came from, for links
LAST_GROUP = "last_group"  # names of the runs trained together last (a trio), for Compare
LESSON = "lesson"  # the lesson preset under way: its key
IN_APP = "in_app"  # set by app.py: pages end with EndPage, so the sidebar is still drawn
TUNE_JOB = "tune_job"  # the Tune page's search, running or finished
BACKTEST_JOB = "backtest_job"  # (run name, folds, levels, BacktestJob): a backtest under way
# Widgets whose values the code reads back, most kept across pages by `remembered`
SOURCE_PICK, SAMPLE_PICK, UPLOAD_PICK = "pick.source", "pick.sample", "pick.upload"
SIGNAL_PICK, LENGTH_PICK, SEED_PICK = "pick.signal", "pick.length", "pick.seed"


def signal_key(kind: str, choice: str) -> str:
    """The Data page's widget for one choice of signal `kind`: a parameter's name, or "gaps"."""
    return f"pick.{kind}.{choice}"


def column_key(role: str, file_name: str) -> str:
    """The Data page's column widget of an uploaded file: role "date", "target" or "covariates"."""
    return f"pick.{role}.{file_name}"


def tune_key(name: str) -> str:
    """A Tune page input kept through visits to other pages: "cells", "hidden", "trials"..."""
    return f"tune.{name}"


def cleaning_key(choice: str, file_name: str) -> str:
    """The Data page's cleaning widget of an uploaded file: "gaps", "duplicates", "group"..."""
    return f"clean.{choice}.{file_name}"


def compare_runs_key(count: int) -> str:
    """The Compare page's choice of runs, while the session holds `count` runs."""
    return f"compare-runs-{count}"


class EndPage(Exception):
    """Ends the page here; app.py catches it and still draws the sidebar."""


def enter_app() -> None:
    """Called by app.py before the page runs: from here on pages end with EndPage."""
    st.session_state[IN_APP] = True


def end_page() -> NoReturn:
    """Stop drawing the page. st.stop would also drop what app.py draws after the page (the
    sidebar), so inside the app this raises EndPage instead; a page run alone stops."""
    if st.session_state.get(IN_APP):
        raise EndPage
    st.stop()


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
    """Make `series` the data; a lesson under way on other data is over."""
    current = get_series()
    if current is None or current.fingerprint() != series.fingerprint():
        st.session_state[LESSON] = None
    st.session_state[SERIES] = series
    st.session_state[DATASET] = dataset


def require_series() -> Series:
    series = get_series()
    if series is None:
        st.info(text("need.series"))
        end_page()
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
        end_page()
    return summary


def get_job() -> TrainingJob | BatchJob | None:
    return st.session_state.get(JOB)


def set_job(job: TrainingJob | BatchJob | None) -> None:
    st.session_state[JOB] = job


def allowed(job: Background) -> bool:
    """Whether everything `job` would train is within this server's limits; says why not."""
    limits = server_limits()
    if server_jobs()[0].waiting() >= limits.queued_jobs:
        st.error(text("jobs.queue_full", waiting=limits.queued_jobs))
        return False
    try:
        for config in job.trained_configs():
            check_config(config, limits, len(job.series))
    except ConfigError as err:
        st.error(plain(err))
        return False
    return True


def start_job(job: TrainingJob | BatchJob) -> bool:
    """Start `job` as this session's training, once it is within this server's limits."""
    if not allowed(job):
        return False
    set_job(job.start())
    return True


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


def picked(key: str, default: object = None) -> object:
    """Widget `key`'s value as last remembered, whether or not its page is open."""
    return st.session_state.get(PICKS, {}).get(key, default)


def set_pick(key: str, value: object) -> None:
    """Choose `value` for widget `key` as if the user had (before its page draws it)."""
    st.session_state.setdefault(PICKS, {})[key] = value
    st.session_state[key] = value


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


def show_queue_place(job: Background) -> None:
    """While `job` waits for a free slot on the server, how many jobs are ahead of it."""
    ahead = job.waiting_behind()
    if ahead is not None:
        st.info(text("train.waiting", ahead=ahead) if ahead else text("train.waiting_next"))


def first_time(file_id: str) -> bool:
    """True the first time an uploaded file is seen, so it is acted on once, not every rerun."""
    handled = st.session_state.setdefault(HANDLED, set())
    if file_id in handled:
        return False
    handled.add(file_id)
    return True


NOTICES = {  # what each outcome of a finished job (forecasting/job.py) says, and how
    job_outcomes.TRAINED: ("success", "train.done"),
    job_outcomes.FAILED: ("error", "train.failed"),
    job_outcomes.STOPPED_WAITING: ("info", "train.stopped_waiting"),
    job_outcomes.BATCH_TRAINED: ("success", "compare.batch_done"),
    job_outcomes.BATCH_FAILED: ("error", "compare.batch_failed"),
    job_outcomes.BATCH_FAILED_KEPT: ("error", "compare.batch_failed_kept"),
    job_outcomes.BATCH_STOPPED: ("info", "compare.batch_stopped"),
    job_outcomes.BATCH_NONE: ("info", "compare.batch_none"),
}


def collect_finished_job() -> None:
    """A finished training job becomes runs and a notice, whichever page is open."""
    job = get_job()
    if job is None or not job.done:
        return
    set_job(None)
    result = job_outcomes.outcome(job)
    names = [_keep(part) for part in result.kept]
    if result.group:
        set_last_group(names)
    tone, key = NOTICES[result.kind]
    set_notice(tone, text(key, **_notice_values(result, names)))


def _notice_values(result: job_outcomes.Outcome, names: list[str]) -> dict[str, object]:
    """What the notice of `result` names: runs kept, the failure, the cells not trained."""
    values: dict[str, object] = {"names": ", ".join(names), "seconds": result.seconds}
    if result.failed is not None:
        values |= {"cell": result.failed.config.cell.upper(), "error": plain(result.error)}
    if result.skipped:
        values["skipped"] = ", ".join(part.config.cell.upper() for part in result.skipped)
    if result.kind == job_outcomes.TRAINED:
        values |= {"name": names[0], "reason": stop_text(result.kept[0].run)}
    return values


def stop_text(run: Run) -> str:
    """Why training ended, in the session's language (as saved, for a run loaded from a file)."""
    if not run.stop_kind:
        return run.stop_reason
    epoch = run.history[-1].epoch if run.history else 0
    values = {"epoch": epoch, "best": run.best_epoch, "patience": run.config.patience}
    return text(f"reason.{run.stop_kind}", epochs=run.config.epochs, **values)


def _keep(job: TrainingJob) -> str:
    """Add a finished job's run to the session's runs; returns its name."""
    name = next_run_name(job.config.cell)
    add_run(summarize(job.run, job.series, name, job.dataset))
    return name


def last_group() -> list[str]:
    """Names of the runs trained together last (the trio's runs), those still in the session."""
    names = {summary.name for summary in runs()}
    return [name for name in st.session_state.get(LAST_GROUP, []) if name in names]


def set_last_group(names: Sequence[str]) -> None:
    st.session_state[LAST_GROUP] = list(names)


def compare_default() -> list[str]:
    """The runs the Compare page shows until the user picks: the last group trained together
    when it is the newest, else the last three runs."""
    names = [summary.name for summary in runs()]
    group = last_group()
    return group if len(group) > 1 and group[-1] == names[-1] else names[-3:]


def get_backtest(run_name: str, folds: int, levels: Sequence[float]) -> Backtest | None:
    return st.session_state.get(BACKTESTS, {}).get((run_name, folds, tuple(sorted(levels))))


def set_backtest(run_name: str, folds: int, levels: Sequence[float], result: Backtest) -> None:
    """Keep a backtest for its run, number of folds and interval levels."""
    st.session_state.setdefault(BACKTESTS, {})[(run_name, folds, tuple(sorted(levels)))] = result


def get_backtest_job(run_name: str, folds: int, levels: Sequence[float]) -> BacktestJob | None:
    """The backtest under way for this run, folds and levels; None for any other."""
    held = st.session_state.get(BACKTEST_JOB)
    if held is None or held[:3] != (run_name, folds, tuple(sorted(levels))):
        return None
    return held[3]


def set_backtest_job(run_name: str, folds: int, levels: Sequence[float], job: BacktestJob) -> None:
    """Start watching `job`; a backtest under way for another choice is stopped."""
    held = st.session_state.get(BACKTEST_JOB)
    if held is not None and not held[3].done:
        held[3].stop()
    st.session_state[BACKTEST_JOB] = (run_name, folds, tuple(sorted(levels)), job)


def clear_backtest_job() -> None:
    st.session_state[BACKTEST_JOB] = None


def set_language(language: str) -> None:
    st.session_state[LANGUAGE] = language


def projector() -> bool:
    return bool(st.session_state.get(PROJECTOR, False))


def form_start(series: Series) -> TrainConfig | None:
    """The settings the Train form starts from for `series`; None: the automatic defaults."""
    start = st.session_state.get(FORM_START)
    return start[1] if start and start[0] == series.fingerprint() else None


def set_form_start(series: Series, config: TrainConfig) -> None:
    """Start the Train form from `config` while `series` is the data (a link, a preset, tuning)."""
    st.session_state[FORM_START] = (series.fingerprint(), config)


def first_link_read() -> bool:
    """True on the session's first run only, when a link's query parameters are read."""
    if st.session_state.get(LINK_READ):
        return False
    st.session_state[LINK_READ] = True
    return True


def link_page() -> tuple[str, int] | None:
    """The page a shared link opens once its training ends, and the number of runs before it."""
    return st.session_state.get(LINK_PAGE)


def set_link_page(page: str | None, runs_before: int = 0) -> None:
    st.session_state[LINK_PAGE] = None if page is None else (page, runs_before)


def shared_source(fingerprint: str) -> DataSource | str | None:
    """Where the series with `fingerprint` came from; a str says why no link can name it
    ("upload", "unknown"); None when it was never seen."""
    return st.session_state.get(SOURCES, {}).get(fingerprint)


def set_shared_source(series: Series, source: DataSource | str) -> None:
    st.session_state.setdefault(SOURCES, {})[series.fingerprint()] = source


def get_lesson() -> str | None:
    return st.session_state.get(LESSON)


def set_lesson(key: str | None) -> None:
    st.session_state[LESSON] = key


def get_tune_job() -> TuneJob | None:
    return st.session_state.get(TUNE_JOB)


def set_tune_job(job: TuneJob | None) -> None:
    st.session_state[TUNE_JOB] = job
