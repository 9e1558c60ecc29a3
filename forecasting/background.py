"""Work in a background thread that a page can watch, stop and wait for; and the server's list
of such work: at most a few jobs run at once, the rest wait their turn, and a job ends with its
browser session or at the server's time budget."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from forecasting.limits import server_limits

LOG = logging.getLogger("forecast_lab.jobs")
SESSION_GRACE_S = 15.0  # a session gone this long has closed (a dropped connection comes back)
SWEEP_EVERY_S = 5.0
USER, BUDGET, SESSION_GONE = "user", "budget", "session"  # why a job was asked to stop


class JobQueue:
    """At most `slots` jobs work at once; the others wait, first come, first served.

    Jobs are told apart by identity: two jobs on equal data are still two jobs."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._turn = threading.Condition()
        self._waiting: deque[int] = deque()  # id() of each waiting job, oldest first
        self._working: set[int] = set()

    def enter(self, job: object, give_up: Callable[[], bool]) -> bool:
        """Wait for a slot; False when `give_up` turned true first (the job left the queue)."""
        me = id(job)
        with self._turn:
            self._waiting.append(me)
            try:
                while self._waiting[0] != me or len(self._working) >= self.slots:
                    if give_up():
                        return False
                    self._turn.wait(0.2)
                self._working.add(me)
                return True
            finally:
                self._waiting.remove(me)
                self._turn.notify_all()

    def leave(self, job: object) -> None:
        with self._turn:
            self._working.discard(id(job))
            self._turn.notify_all()

    def waiting(self) -> int:
        with self._turn:
            return len(self._waiting)

    def ahead_of(self, job: object) -> int | None:
        """How many jobs wait before `job`; None when it is not waiting."""
        with self._turn:
            return self._waiting.index(id(job)) if id(job) in self._waiting else None


@dataclass
class JobEntry:
    """One job as the server's list shows it."""

    number: int
    kind: str
    owner: str | None  # the session that started it
    job: Background
    owners: set[str] = field(default_factory=set)  # every session watching it (shared jobs)
    state: str = "waiting"  # waiting, running, ended
    running_since: float | None = None
    ended_because: str = ""


class JobList:
    """Every job of this server, who owns it, and the sweep that ends orphaned or overlong ones."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self._entries: dict[int, JobEntry] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._owner: Callable[[], str | None] = lambda: None
        self._alive: Callable[[str], bool] = lambda owner: True
        self._gone_since: dict[str, float] = {}
        self._sweeper: threading.Thread | None = None

    def watch_sessions(self, owner: Callable[[], str | None], alive: Callable[[str], bool]) -> None:
        """Who starts a job (`owner`, called in the starting thread) and whether they are still
        there (`alive`); starts the sweep that stops the jobs of sessions gone."""
        self._owner, self._alive = owner, alive
        if self._sweeper is None:
            self._sweeper = threading.Thread(target=self._sweep_forever, daemon=True,
                                             name="forecast-lab-job-sweep")  # fmt: skip
            self._sweeper.start()

    def add(self, job: Background) -> JobEntry:
        entry = JobEntry(next(self._numbers), type(job).__name__, self._owner(), job)
        with self._lock:
            self._entries[id(job)] = entry
        LOG.info("job %d (%s) queued for session %s", entry.number, entry.kind, entry.owner)
        return entry

    def add_owner(self, job: Background) -> None:
        """The calling session watches `job` too: it ends only once every watcher has gone."""
        entry, owner = self._entries.get(id(job)), self._owner()
        if entry is not None and owner is not None:
            with self._lock:
                entry.owners.add(owner)

    def running(self, job: Background) -> None:
        entry = self._entries.get(id(job))
        if entry is not None:
            entry.state, entry.running_since = "running", time.monotonic()
            LOG.info("job %d (%s) running", entry.number, entry.kind)

    def ended(self, job: Background) -> None:
        with self._lock:
            entry = self._entries.pop(id(job), None)
        if entry is not None:
            entry.state = "ended"
            cause = job.stop_cause or "finished"
            LOG.info("job %d (%s) ended: %s", entry.number, entry.kind, cause)

    def watchers(self) -> int:
        """Sessions watching a job now (a shared job counts each of its watchers)."""
        return sum(len(_owners(entry)) for entry in self.entries())

    def entries(self) -> list[JobEntry]:
        """The jobs waiting or running now, oldest first."""
        with self._lock:
            return sorted(self._entries.values(), key=lambda entry: entry.number)

    def sweep(self, now: float | None = None) -> list[JobEntry]:
        """Stop the jobs whose session has gone for SESSION_GRACE_S, and those past the budget;
        returns the jobs stopped."""
        now = time.monotonic() if now is None else now
        owners = {owner for entry in self.entries() for owner in _owners(entry)}
        for owner in set(self._gone_since) - owners:  # sessions with no job left
            del self._gone_since[owner]
        stopped = []
        for entry in self.entries():
            if entry.job.stopping:
                continue
            watchers = _owners(entry)
            if watchers and min(self._gone_for(o, now) for o in watchers) >= SESSION_GRACE_S:
                entry.job.stop(SESSION_GONE)
            elif entry.running_since is not None and now - entry.running_since > self.budget_s:
                entry.job.stop(BUDGET)
            else:
                continue
            LOG.info("job %d (%s) stopping: %s", entry.number, entry.kind, entry.job.stop_cause)
            stopped.append(entry)
        return stopped

    def _gone_for(self, owner: str, now: float) -> float:
        if self._alive(owner):
            self._gone_since.pop(owner, None)
            return 0.0
        if owner not in self._gone_since:
            LOG.info("session %s gone; its jobs stop in %.0f s", owner, SESSION_GRACE_S)
        return now - self._gone_since.setdefault(owner, now)

    def _sweep_forever(self) -> None:
        while True:
            time.sleep(SWEEP_EVERY_S)
            try:
                self.sweep()
            except Exception:  # the sweep must outlive any one job's trouble
                LOG.exception("the job sweep failed once")


def _owners(entry: JobEntry) -> set[str]:
    return entry.owners | ({entry.owner} if entry.owner is not None else set())


_SERVER: tuple[JobQueue, JobList] | None = None
_SERVER_LOCK = threading.Lock()


def server_jobs() -> tuple[JobQueue, JobList]:
    """This process's job queue and job list, made with the server's limits on first use."""
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None:
            limits = server_limits()
            _SERVER = JobQueue(limits.jobs), JobList(limits.job_seconds)
        return _SERVER


@dataclass
class Background:
    """A daemon thread with a Stop flag: the base of the training, batch and tuning jobs.

    The thread waits its turn in the server's queue before it works; Stop works while it waits.
    """

    _stop: threading.Event = field(default_factory=threading.Event, repr=False, kw_only=True)
    _thread: threading.Thread | None = field(default=None, repr=False, kw_only=True)
    _finished: threading.Event = field(default_factory=threading.Event, repr=False, kw_only=True)
    stop_cause: str = field(default="", kw_only=True)  # USER, BUDGET or SESSION_GONE
    watched: Any = field(default=None, repr=False, kw_only=True)  # by workspaces: workspace_jobs
    _hooks: list[Callable[[Background], None]] = field(default_factory=list, repr=False,
                                                       kw_only=True)  # fmt: skip

    def _launch(self, work: Callable[[], None], name: str) -> None:
        """Run `work` in a daemon thread once the queue lets it; the job is `done` when it
        returns or raises, or when it is stopped while waiting."""
        queue, jobs = server_jobs()
        jobs.add(self)

        def run() -> None:
            try:
                if queue.enter(self, self._stop.is_set):
                    jobs.running(self)
                    try:
                        work()
                    finally:
                        queue.leave(self)
            finally:
                jobs.ended(self)
                for hook in list(self._hooks):
                    try:
                        hook(self)
                    except Exception:  # a hook's trouble must not leave the job never done
                        LOG.exception("a hook of job %s failed", type(self).__name__)
                self._finished.set()

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    @property
    def points(self) -> int:
        """Points the job trains on, for the server's limits: its series' (a panel's, all)."""
        return len(self.series)

    def when_done(self, hook: Callable[[Background], None]) -> None:
        """Call `hook(job)` in the job's thread once its work ends, before the job is `done`."""
        self._hooks.append(hook)

    def trained_configs(self) -> tuple:
        """The TrainConfigs this job trains, for checking against a server's limits."""
        return ()

    def stop(self, cause: str = USER) -> None:
        """Ask the work to end at its next check (before a batch), keeping what it finished;
        `cause` says who asked first."""
        if not self.stop_cause:
            self.stop_cause = cause
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def waiting_behind(self) -> int | None:
        """How many jobs wait before this one in the server's queue; None once it works."""
        return server_jobs()[0].ahead_of(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait at most `timeout` seconds for the work to end; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self._finished.wait(timeout)
        return self.done
