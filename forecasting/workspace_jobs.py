"""Trainings as workspaces see them: the job under way in each workspace, so a reloaded page
finds it again, and a finished job's runs written into every workspace that watched it by the
job's own thread, so they are kept even when no page is open to collect them."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from forecasting.background import BUDGET, USER, Background
from forecasting.job import BatchJob, TrainingJob, outcome
from forecasting.workspace import StoredRun, WorkspaceError, WorkspaceStore

LOG = logging.getLogger("forecast_lab.workspace_jobs")
ENDED_KEPT_S = 600.0  # a finished job stays findable this long for a page reloaded meanwhile
SAVE_FAILED = "Your run could not be saved ({error}); please train again."
_NAMING = threading.Lock()  # a run's name is chosen and taken in one step, whichever thread
_now = time.monotonic


@dataclass(frozen=True)
class Kept:
    """What a finished job left in one workspace: its runs' names and ids, in training order,
    and why a run could not be kept (the workspace is full), if one could not."""

    names: tuple[str, ...] = ()
    run_ids: tuple[int, ...] = ()
    error: str = ""


@dataclass
class _Watched:
    job: TrainingJob | BatchJob
    store: WorkspaceStore
    workspaces: list[str] = field(default_factory=list)  # in the order they came
    kept: dict[str, Kept] | None = None  # None until the runs are written
    ended_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def keep(store: WorkspaceStore, workspace: str, job: TrainingJob | BatchJob) -> Kept:
    """Write a finished job's runs into `workspace` (a run that trained but could not forecast
    is kept with its error); stops at the first run the quota refuses."""
    names: list[str] = []
    ids: list[int] = []
    for part in outcome(job).kept:
        try:
            with _NAMING:
                name = next_name(store, workspace, part.stem)
                stored = _add(store, workspace, name, part)
        except WorkspaceError as err:
            return Kept(tuple(names), tuple(ids), str(err))
        except Exception as err:  # the disk or the database: the runs kept so far stand
            LOG.exception("a finished run could not be kept in a workspace")
            return Kept(tuple(names), tuple(ids), SAVE_FAILED.format(error=type(err).__name__))
        names.append(name)
        ids.append(stored.id)
    return Kept(tuple(names), tuple(ids))


def _add(store: WorkspaceStore, workspace: str, name: str, part: TrainingJob) -> StoredRun:
    """Store the run (and a panel run's file beside it: both or neither)."""
    if part.summary is None:
        stored = store.add_run(workspace, name, part.dataset, part.run, part.series, mase=None,
                               error=part.forecast_error or "")  # fmt: skip
    else:
        whole = part.share_key if part.run.stop_kind not in (USER, BUDGET) else None
        stored = store.add_run(workspace, name, part.dataset, part.run, part.series,
                               mase=part.summary.model_mase, share_key=whole)  # fmt: skip
    beside = part.kept_beside()
    if beside is not None:
        try:
            store.add_panel(workspace, stored.id, beside)
        except BaseException:
            store.delete_run(workspace, stored.id)
            raise
    return stored


def add_named(store: WorkspaceStore, workspace: str, stem: str, add) -> StoredRun:
    """`add(name)` with the next free name of `cell`, no other run named meanwhile."""
    with _NAMING:
        return add(next_name(store, workspace, stem))


def next_name(store: WorkspaceStore, workspace: str, stem: str) -> str:
    """'GRU #3': the stem (a cell's name) and the next number not taken in the workspace."""
    names = {stored.name for stored in store.runs(workspace)}
    number = len(names) + 1
    while f"{stem} #{number}" in names:
        number += 1
    return f"{stem} #{number}"


class WorkspaceJobs:
    """Which workspaces watch which training job, and what each finished job left in each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, _Watched] = {}  # by id() of the job

    def attach(self, store: WorkspaceStore, workspace: str, job: TrainingJob | BatchJob) -> None:
        """`workspace` gets the runs of `job` when it ends (at once, when it has ended)."""
        with self._lock:
            self._forget_ended()
            watched = job.watched
            if watched is None:
                watched = job.watched = _Watched(job, store)
                job.when_done(self._ended)
            self._watched.setdefault(id(job), watched)
            if workspace not in watched.workspaces:
                watched.workspaces.append(workspace)
        with watched.lock:
            if watched.kept is not None and workspace not in watched.kept:
                watched.kept[workspace] = keep(watched.store, workspace, job)

    def detach(self, workspace: str, job: Background) -> None:
        """`workspace` no longer wants the runs of `job` (it left a shared training)."""
        with self._lock:
            watched = job.watched
            if watched is not None and workspace in watched.workspaces:
                watched.workspaces.remove(workspace)

    def under_way(self, workspace: str) -> TrainingJob | BatchJob | None:
        """The latest job `workspace` watches and has not collected: running, or ended meanwhile."""
        with self._lock:
            self._forget_ended()
            found = [w.job for w in self._watched.values() if workspace in w.workspaces]
        return found[-1] if found else None

    def collect(self, store: WorkspaceStore, workspace: str, job: TrainingJob | BatchJob) -> Kept:
        """What the ended `job` left in `workspace` (kept now if no thread did); `workspace`
        stops watching it."""
        self.attach(store, workspace, job)
        watched = job.watched
        self._keep_all(watched)
        with self._lock:
            if workspace in watched.workspaces:
                watched.workspaces.remove(workspace)
            if not watched.workspaces:
                self._watched.pop(id(job), None)
        return watched.kept.get(workspace, Kept())

    def _ended(self, job: Background) -> None:
        """The job's own thread, as it ends: its runs go into every workspace watching it."""
        if job.watched is not None:
            self._keep_all(job.watched)

    def _keep_all(self, watched: _Watched) -> None:
        with watched.lock:
            if watched.kept is not None:
                return
            watched.ended_at = _now()
            with self._lock:
                workspaces = list(watched.workspaces)
            watched.kept = {
                workspace: keep(watched.store, workspace, watched.job) for workspace in workspaces
            }

    def _forget_ended(self) -> None:
        """Stop listing jobs ended ENDED_KEPT_S ago: their runs are in the store, and what they
        left stays on the job for a page still holding it (called holding _lock)."""
        now = _now()
        for key, watched in list(self._watched.items()):
            if watched.ended_at is not None and now - watched.ended_at > ENDED_KEPT_S:
                del self._watched[key]


_JOBS = WorkspaceJobs()


def workspace_jobs() -> WorkspaceJobs:
    """This server's trainings by workspace."""
    return _JOBS
