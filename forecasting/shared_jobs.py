"""Trainings sessions share: the same data, settings, seed and library versions train once.

Training is deterministic for those (forecasting/randomness.py), so a class opening one link
needs one training: the first session starts it, the others watch the same job and each keeps a
copy of its run. Only data anyone can make again (a bundled sample, a seeded signal) is shared;
an upload never is.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time

import numpy as np
import torch

from data.series import Series
from forecasting.background import USER
from forecasting.config import TrainConfig
from forecasting.job import TrainingJob

VERSIONS = {"torch": torch.__version__, "numpy": np.__version__}
FINISHED_KEPT_S = 120.0  # a finished job stays joinable this long; the store has it after


def share_key(series: Series, config: TrainConfig) -> str:
    """What makes two trainings the same: the data's fingerprint, every setting, the versions."""
    described = {"data": series.fingerprint(), "config": config.to_dict(), "versions": VERSIONS}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:32]


class SharedTrainings:
    """The trainings under way that other sessions may join, and how many sessions watch each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, TrainingJob] = {}
        self._watchers: dict[int, int] = {}
        self._finished_at: dict[str, float] = {}

    def join(self, key: str, job: TrainingJob) -> tuple[TrainingJob, bool]:
        """The job training under `key`, now watched by one more session; when there is none
        (or it was stopped), `job` becomes it. Returns the job and whether it is `job`."""
        with self._lock:
            self._forget_finished()
            held = self._jobs.get(key)
            if held is None or not _joinable(held):
                job.share_key = key
                self._jobs[key], held = job, job
            self._watchers[id(held)] = self._watchers.get(id(held), 0) + 1
            return held, held is job

    def leave(self, job: TrainingJob) -> int:
        """A session stops watching `job`; the last one to leave stops it. Returns how many
        sessions still watch it."""
        with self._lock:
            left = max(self._watchers.get(id(job), 1) - 1, 0)
            self._watchers[id(job)] = left
        if left == 0:
            job.stop(USER)
        return left

    def forget(self, key: str) -> None:
        """Drop `key` (its job was refused before it started)."""
        with self._lock:
            job = self._jobs.pop(key, None)
            if job is not None:
                self._watchers.pop(id(job), None)

    def watching(self, job: TrainingJob) -> int:
        with self._lock:
            return self._watchers.get(id(job), 0)

    def _forget_finished(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            if not job.done:
                continue
            ended = self._finished_at.setdefault(key, now)
            if now - ended > FINISHED_KEPT_S:
                del self._jobs[key], self._finished_at[key]
                self._watchers.pop(id(job), None)


def _joinable(job: TrainingJob) -> bool:
    """Training, or trained in full: a failed or stopped job is trained again, not copied."""
    if job.stopping:
        return False
    return not job.done or (job.run is not None and job.error is None)


_SHARED = SharedTrainings()


def shared_trainings() -> SharedTrainings:
    """This server's shared trainings."""
    return _SHARED
