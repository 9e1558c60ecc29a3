"""The only place session_state keys are spelled; typed get, require and set."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn

import streamlit as st

from data.panel import Panel
from data.series import Series
from forecasting import job as job_outcomes
from forecasting.background import Background, server_jobs
from forecasting.backtest import Backtest
from forecasting.backtest_file import backtest_from_bytes, backtest_to_bytes
from forecasting.config import ConfigError, TrainConfig
from forecasting.job import BacktestJob, BatchJob, TrainingJob
from forecasting.limits import ServerLimits, check_config, server_limits
from forecasting.panel_job import PanelJob
from forecasting.panel_result import PanelResult, result_from_bytes
from forecasting.share import DataSource
from forecasting.shared_jobs import share_key, shared_trainings
from forecasting.summary import RunSummary, summarize
from forecasting.train import Run
from forecasting.workspace import StoredRun, WorkspaceError, WorkspaceStore, open_store
from forecasting.workspace_jobs import Kept, add_named, workspace_jobs
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
WORKSPACE, RUN_LIST, SUMMARIES = "workspace", "run_list", "summaries"  # the visitor's store
WORKSPACE_PARAM = "ws"  # the query parameter that carries the workspace key
KEPT_SUMMARIES = 8  # runs held drawn in a session; the rest stay in the store
KEPT_BACKTESTS = 4  # backtests held in a session; the rest stay in the store
PANEL = "panel"  # the Data page's panel (a file read as many series), or None for one series
PANEL_KNOWN = "panel_known"  # its columns known ahead: name -> the column read as a panel
PANELS, PANEL_CHOICE = "panels", "panel_choice"  # panel runs' files held; series chosen, by run
KEPT_PANELS = 2  # panel files held in a session
# Widgets whose values the code reads back, most kept across pages by `remembered`
SOURCE_PICK, SAMPLE_PICK, UPLOAD_PICK = "pick.source", "pick.sample", "pick.upload"
SIGNAL_PICK, LENGTH_PICK, SEED_PICK = "pick.signal", "pick.length", "pick.seed"
PANEL_PICK, FORECAST_SERIES_PICK = "pick.panel_series", "pick.forecast_series"
CALENDAR_PICK, HOLIDAYS_PICK = "pick.calendar", "pick.holidays"
EMBEDDING_PICK = "pick.series_embedding"  # the numbers a panel network learns per series


def signal_key(kind: str, choice: str) -> str:
    """The Data page's widget for one choice of signal `kind`: a parameter's name, or "gaps"."""
    return f"pick.{kind}.{choice}"


def column_key(role: str, file_name: str) -> str:
    """The Data page's column widget of an uploaded file: role "date", "target" or "covariates"."""
    return f"pick.{role}.{file_name}"


def calendar_key(panel: Panel) -> str:
    """The Train page's calendar box for `panel`: a new panel opens at its own default (on for
    daily and weekly dates), the same panel read again keeps the user's choice."""
    described = "|".join(f"{label}:{one.fingerprint()}" for label, one in panel.series.items())
    return f"{CALENDAR_PICK}.{hashlib.sha256(described.encode()).hexdigest()[:16]}"


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


def set_series(
    series: Series,
    dataset: Dataset,
    panel: Panel | None = None,
    known: dict[str, Panel] | None = None,
) -> None:
    """Make `series` the data (one series of `panel`, when the data is a panel, with its columns
    `known` ahead); a lesson under way on other data is over."""
    current = get_series()
    if current is None or current.fingerprint() != series.fingerprint():
        st.session_state[LESSON] = None
    st.session_state[SERIES] = series
    st.session_state[DATASET] = dataset
    st.session_state[PANEL] = panel
    st.session_state[PANEL_KNOWN] = known or {}


def get_panel() -> Panel | None:
    return st.session_state.get(PANEL)


def get_known() -> dict[str, Panel]:
    """The panel's columns known ahead, each read as a panel (name -> panel)."""
    return st.session_state.get(PANEL_KNOWN, {})


def require_series() -> Series:
    series = get_series()
    if series is None:
        st.info(text("need.series"))
        end_page()
    return series


_STORES: dict[tuple[str, str, int, int], WorkspaceStore] = {}
_STORES_LOCK = threading.Lock()


def store(limits: ServerLimits | None = None) -> WorkspaceStore:
    """This server's workspace store, opened once (old workspaces removed then)."""
    limits = limits or server_limits()
    where = (limits.workspace_storage(), limits.data_dir, limits.workspace_bytes,
             limits.workspace_days)  # fmt: skip
    with _STORES_LOCK:  # sessions arriving together open it once ("database is locked")
        if where not in _STORES:
            opened = open_store(limits)
            opened.expire()
            _STORES[where] = opened
        return _STORES[where]


def enter_workspace() -> None:
    """Called by app.py on every run: the visitor's workspace, from the link's key or new; the
    key is put in the address bar so that a reload, a bookmark or a restart finds it again."""
    try:
        store()
    except WorkspaceError as err:  # e.g. a database of a newer version: refused, untouched
        st.error(plain(err))
        st.stop()
    key = st.session_state.get(WORKSPACE)
    if key is None:
        asked = st.query_params.get(WORKSPACE_PARAM)
        if asked and store().exists(asked):
            key = asked
            store().touch(key)
        else:
            key = store().new_workspace()
            if asked:
                st.info(text("workspace.unknown"))
        st.session_state[WORKSPACE] = key
        st.session_state[CURRENT] = store().choice(key)
        st.session_state[RUN_LIST] = None  # the chosen run's data is read from the new list
        _rejoin_training(key)
        _restore_series()
    st.session_state[RUN_LIST] = None  # read again: another tab of the workspace may have added
    if st.query_params.get(WORKSPACE_PARAM) != key:
        st.query_params[WORKSPACE_PARAM] = key


def _rejoin_training(key: str) -> None:
    """A page reloaded while its workspace trained watches that training again (or collects
    it, if it ended meanwhile)."""
    job = workspace_jobs().under_way(key)
    if job is not None and get_job() is None:
        server_jobs()[1].add_owner(job)
        set_job(job)
        if get_series() is None:
            set_series(job.series, Dataset(job.dataset, "workspace"))


def _restore_series() -> None:
    """A reopened workspace starts on the data of its chosen run."""
    stored = current_stored()
    summary = None if stored is None else summary_of(stored)
    if summary is not None and get_series() is None:
        set_series(summary.series, Dataset(stored.dataset, "workspace"))


def workspace() -> str:
    """The visitor's workspace key (a page run alone, as in tests, gets a new workspace)."""
    if WORKSPACE not in st.session_state:
        st.session_state[WORKSPACE] = store().new_workspace()
    return st.session_state[WORKSPACE]


def workspace_study(name: str) -> str:
    """A Tune study's name in storage: the visitor's, inside their workspace's own prefix."""
    return f"{store().study_prefix(workspace())}-{name}" if name else ""


def runs() -> list[StoredRun]:
    """The workspace's runs, oldest first, as a list shows them (nothing loaded)."""
    listed = st.session_state.get(RUN_LIST)
    if listed is None:
        listed = st.session_state[RUN_LIST] = store().runs(workspace())
    return listed


def summary_of(stored: StoredRun) -> RunSummary | None:
    """The run drawn: loaded from the store and summarised once, then kept among the session's
    few; None for a run whose forecast failed."""
    if stored.error:
        return None
    label = panel_choice(stored)
    key = stored.id if label is None else (stored.id, label)
    held: OrderedDict[object, RunSummary] = st.session_state.setdefault(SUMMARIES, OrderedDict())
    if key in held:
        held.move_to_end(key)
        return held[key]
    run, series = store().load(workspace(), stored.id)
    if label is not None:
        run, series = panel_of(stored).member(run, label)
    summary = replace(summarize(run, series, stored.name, stored.dataset), created=stored.created)
    _hold(key, summary)
    return summary


def panel_of(stored: StoredRun) -> PanelResult | None:
    """A panel run's every series and scores, read once and held among the session's few; None
    for a run of one series, or a panel file that can no longer be read."""
    if not stored.panel:
        return None
    held: OrderedDict[int, PanelResult | None] = st.session_state.setdefault(PANELS, OrderedDict())
    if stored.id not in held:
        raw = store().panel(workspace(), stored.id)
        held[stored.id] = None if raw is None else result_from_bytes(raw)
    held.move_to_end(stored.id)
    while len(held) > KEPT_PANELS:
        held.popitem(last=False)
    return held[stored.id]


def panel_choice(stored: StoredRun) -> str | None:
    """The series of a panel run the pages show, when one other than its first was chosen."""
    chosen = st.session_state.get(PANEL_CHOICE, {}).get(stored.id)
    result = panel_of(stored) if chosen is not None else None
    return chosen if result is not None and chosen in result.views else None


def choose_panel_series(stored: StoredRun, label: str) -> None:
    st.session_state.setdefault(PANEL_CHOICE, {})[stored.id] = label


def summaries(chosen: Sequence[StoredRun]) -> list[RunSummary]:
    """The drawable runs among `chosen`, in order."""
    return [summary for stored in chosen if (summary := summary_of(stored)) is not None]


def _hold(key: int | tuple[int, str], summary: RunSummary) -> None:
    """Keep a drawn run (by run id; a panel run's other series by run id and label)."""
    held: OrderedDict[object, RunSummary] = st.session_state.setdefault(SUMMARIES, OrderedDict())
    held[key] = summary
    while len(held) > KEPT_SUMMARIES:
        held.popitem(last=False)


def add_run(summary: RunSummary, shared: str | None = None) -> bool:
    """Keep `summary` in the workspace and make it the current run; says why not (the quota)."""
    try:
        stored = store().add_run(
            workspace(),
            summary.name,
            summary.dataset,
            summary.run,
            summary.series,
            mase=summary.model_mase,
            share_key=shared,
        )
    except WorkspaceError as err:
        set_notice("error", plain(err))
        return False
    _choose_new(stored.id, summary)
    return True


def _choose_new(run_id: int, summary: RunSummary) -> None:
    """A run just stored becomes the current one, drawn from `summary` (not loaded again)."""
    _hold(run_id, summary)
    st.session_state[RUN_LIST] = None
    select_run(run_id)


def import_runs(raw: bytes) -> list[StoredRun]:
    """The runs of an exported workspace, added to this one (checked against the limits)."""
    added = store().import_zip(workspace(), raw, server_limits())
    st.session_state[RUN_LIST] = None
    return added


def delete_runs(run_ids: Sequence[int]) -> None:
    held = st.session_state.get(SUMMARIES, {})
    for run_id in run_ids:
        store().delete_run(workspace(), run_id)
        for key in [
            key for key in held if key == run_id or (isinstance(key, tuple) and key[0] == run_id)
        ]:
            held.pop(key)
        st.session_state.get(PANELS, {}).pop(run_id, None)
    st.session_state[RUN_LIST] = None
    st.session_state.pop(BACKTESTS, None)  # held by run name, which a new run may take
    if st.session_state.get(CURRENT) in run_ids:
        st.session_state[CURRENT] = None


def delete_workspace() -> None:
    """Remove the workspace and everything in it; the next run starts a new one."""
    store().delete_workspace(workspace())
    for key in (WORKSPACE, RUN_LIST, SUMMARIES, CURRENT, BACKTESTS, PANELS, PANEL_CHOICE):
        st.session_state.pop(key, None)
    st.query_params.pop(WORKSPACE_PARAM, None)


def current_stored() -> StoredRun | None:
    chosen = st.session_state.get(CURRENT)
    return next((stored for stored in runs() if stored.id == chosen), None)


def current_run() -> RunSummary | None:
    stored = current_stored()
    return None if stored is None else summary_of(stored)


def select_run(run_id: int) -> None:
    st.session_state[CURRENT] = run_id
    store().set_choice(workspace(), run_id)


def require_run() -> RunSummary:
    stored = current_stored()
    if stored is None:
        st.info(text("need.run"))
        end_page()
    if stored.error:
        st.error(text("runs.failed_forecast", name=plain(stored.name), error=plain(stored.error)))
        end_page()
    return summary_of(stored)


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
            check_config(config, limits, job.points)
    except ConfigError as err:
        st.error(plain(err))
        return False
    return True


def start_job(job: TrainingJob | BatchJob, shared: bool = False) -> bool:
    """Start `job` as this session's training, once it is within this server's limits. A
    `shared` training (a link's, a lesson's) on data anyone can make again (a sample, a signal)
    trains once for everyone: a run already trained is copied, one under way is watched."""
    source = shared_source(job.series.fingerprint())
    if shared and isinstance(job, TrainingJob) and isinstance(source, DataSource):
        return _start_shared(job)
    if not allowed(job):
        return False
    workspace_jobs().attach(store(), workspace(), job)
    set_job(job.start())
    return True


def _start_shared(job: TrainingJob) -> bool:
    key = share_key(job.series, job.config)
    found = store().find_shared(key)
    if found is not None:
        _copy_shared(job, key, *found[:2])
        return True
    trainings = shared_trainings()
    held, new = trainings.join(key, job)
    if not new:
        server_jobs()[1].add_owner(held)
        workspace_jobs().attach(store(), workspace(), held)
        set_job(held)
        return True
    if not allowed(job):
        trainings.forget(key)
        return False
    workspace_jobs().attach(store(), workspace(), job)
    set_job(job.start())
    return True


def _copy_shared(job: TrainingJob, key: str, run: Run, series: Series) -> None:
    """A run trained for another visitor, copied into this workspace under its next name."""
    summary = summarize(run, series, "", job.dataset)

    def copy(name: str) -> StoredRun:
        return store().add_run(workspace(), name, job.dataset, run, series,
                               mase=summary.model_mase, share_key=key)  # fmt: skip

    try:
        stored = add_named(store(), workspace(), job.stem, copy)
    except WorkspaceError as err:
        set_notice("error", plain(err))
        return
    _choose_new(stored.id, replace(summary, name=stored.name))
    set_notice("success", text("train.copied", name=stored.name))


def stop_job(job: TrainingJob | BatchJob) -> None:
    """Stop pressed: a training other sessions watch goes on for them, this session leaves it."""
    if isinstance(job, TrainingJob) and job.share_key is not None:
        if shared_trainings().leave(job) > 0:
            workspace_jobs().detach(workspace(), job)
            set_job(None)
            set_notice("info", text("train.left_shared"))
        return
    job.stop()


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
    """The uploaded file; a new session of the workspace starts from its latest upload."""
    if UPLOAD not in st.session_state:
        names = store().uploads(workspace())
        raw = store().upload(workspace(), names[-1]) if names else None
        st.session_state[UPLOAD] = None if raw is None else (names[-1], raw)
    return st.session_state.get(UPLOAD)


def set_upload(name: str | None, raw: bytes = b"") -> None:
    """Keep the uploaded file for later visits, in the workspace too; None forgets it here."""
    held = st.session_state.get(UPLOAD)
    st.session_state[UPLOAD] = None if name is None else (name, raw)
    if name is None or held == (name, raw):
        return
    try:
        store().add_upload(workspace(), name, raw)
    except WorkspaceError as err:  # the quota: the file is still used in this session
        st.warning(plain(err))


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
    job_outcomes.TRAINED_NO_FORECAST: ("error", "train.no_forecast"),
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
    kept = keep_runs(job)
    if kept.error:  # the workspace is full: its notice says so
        return
    if result.group:
        set_last_group(kept.names)
    tone, key = NOTICES[result.kind]
    set_notice(tone, text(key, **_notice_values(result, list(kept.names))))


def _notice_values(result: job_outcomes.Outcome, names: list[str]) -> dict[str, object]:
    """What the notice of `result` names: runs kept, the failure, the cells not trained."""
    values: dict[str, object] = {"names": ", ".join(names), "seconds": result.seconds}
    if result.failed is not None:
        values |= {"cell": result.failed.config.cell.upper(), "error": plain(result.error)}
    if result.skipped:
        values["skipped"] = ", ".join(part.config.cell.upper() for part in result.skipped)
    if result.kind in (job_outcomes.TRAINED, job_outcomes.TRAINED_NO_FORECAST):
        values |= {"name": names[0], "reason": stop_text(result.kept[0].run)}
        values["error"] = plain(result.error)
    return values


def stop_text(run: Run) -> str:
    """Why training ended, in the session's language (as saved, for a run loaded from a file)."""
    if not run.stop_kind:
        return run.stop_reason
    epoch = run.history[-1].epoch if run.history else 0
    values = {"epoch": epoch, "best": run.best_epoch, "patience": run.config.patience}
    return text(f"reason.{run.stop_kind}", epochs=run.config.epochs, **values)


def keep_runs(job: TrainingJob | BatchJob) -> Kept:
    """The runs a finished job left in the workspace (written by its thread as it ended, or
    now), the last one chosen; a workspace without room says so in the notice."""
    kept = workspace_jobs().collect(store(), workspace(), job)
    parts = job.jobs if isinstance(job, BatchJob) else [job]
    trained = [part for part in parts if part.run is not None]
    for part, name, run_id in zip(trained, kept.names, kept.run_ids, strict=False):
        if part.summary is not None:  # drawn from memory, not loaded again from the store
            _hold(run_id, replace(part.summary, name=name))
        if isinstance(part, PanelJob) and part.result is not None:
            st.session_state.setdefault(PANELS, OrderedDict())[run_id] = part.result
    st.session_state[RUN_LIST] = None
    if kept.run_ids:
        try:
            select_run(kept.run_ids[-1])
        except WorkspaceError as err:  # deleted meanwhile, in another tab of the workspace
            set_notice("error", plain(err))
            return kept
    if kept.error:
        set_notice("error", plain(kept.error))
    return kept


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
    """The backtest of this run, folds and levels: held, or kept in the workspace."""
    key = (run_name, folds, tuple(sorted(levels)))
    held: OrderedDict = st.session_state.setdefault(BACKTESTS, OrderedDict())
    if key not in held:
        stored = _stored_named(run_name)
        summary = None if stored is None else summary_of(stored)
        if summary is None:
            return None
        raw = store().backtest(workspace(), stored.id, folds, key[2])
        found = None if raw is None else backtest_from_bytes(raw, summary.series)
        if found is None:
            return None
        _hold_backtest(key, found)
    held.move_to_end(key)
    return held[key]


def set_backtest(run_name: str, folds: int, levels: Sequence[float], result: Backtest) -> None:
    """Keep a backtest for its run, number of folds and interval levels, in the workspace too."""
    key = (run_name, folds, tuple(sorted(levels)))
    _hold_backtest(key, result)
    stored = _stored_named(run_name)
    if stored is None:
        return
    try:
        store().add_backtest(workspace(), stored.id, folds, key[2], backtest_to_bytes(result))
    except WorkspaceError as err:
        set_notice("error", plain(err))


def _hold_backtest(key: tuple, result: Backtest) -> None:
    held: OrderedDict = st.session_state.setdefault(BACKTESTS, OrderedDict())
    held[key] = result
    while len(held) > KEPT_BACKTESTS:
        held.popitem(last=False)


def _stored_named(name: str) -> StoredRun | None:
    """The chosen run when it is named `name`, else the newest of that name."""
    chosen = current_stored()
    if chosen is not None and chosen.name == name:
        return chosen
    return next((stored for stored in reversed(runs()) if stored.name == name), None)


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
