"""A search in a background thread, so a page can draw its trials live and offer a Stop button."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import optuna

from data.series import Series
from forecasting.background import Background
from forecasting.config import TrainConfig
from forecasting.train import EpochLog
from forecasting.tune import (
    SearchSpace,
    StorageError,
    TrialRow,
    TuneError,
    TuneSettings,
    open_study,
    run_search,
    trial_rows,
)
from forecasting.tune_defaults import open_visitor_study, storage_failure

log = logging.getLogger(__name__)


@dataclass
class TuneJob(Background):
    """One run_search() in its own thread; the page reads `rows()` and `current` meanwhile.

    `start` opens the study (a storage that cannot be opened sets `error` and ends the job);
    read `study` from this thread only once the job is `done` (figures, best_config). A web
    visitor's job has a `data_dir`: its storage is checked before it is opened, and `error`
    names a failing storage or a bug without quoting them (the server's log does).
    """

    series: Series
    base: TrainConfig
    space: SearchSpace
    settings: TuneSettings
    study_name: str
    storage: str | None = None
    dataset: str = ""  # the data's name as the user knows it
    data_dir: str | None = None  # a web visitor's job: the server's data folder
    study: optuna.Study | None = None
    error: str | None = None
    current: tuple[TrialRow, EpochLog] | None = None  # this job's running trial, its last epoch
    finished: int = 0  # trials this job has finished
    started: float = field(default_factory=time.perf_counter)
    _rows: dict[int, TrialRow] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> TuneJob:
        self.started = time.perf_counter()
        try:
            self.study = self._open()
        except TuneError as err:
            self.error = str(err)
            self._finished.set()
            return self
        self._refresh()
        self._launch(self._work, "forecast-lab-tuning")
        return self

    def _work(self) -> None:
        try:
            run_search(self.series, self.base, self.space, self.settings, self.study,
                       should_stop=self._stop.is_set, on_trial=self._trial_done,
                       on_epoch=self._epoch_done)  # fmt: skip
        except StorageError as err:
            hidden = self.data_dir is not None
            self.error = str(storage_failure(self.storage or "", err) if hidden else err)
        except TuneError as err:
            self.error = str(err)
        except Exception as err:  # a bug, the machine or the database: still say what happened
            if self.data_dir is None:
                self.error = f"an unexpected error stopped the search ({type(err).__name__}: {err})"
            else:
                log.exception("The search of study %r failed", self.study_name)
                self.error = "an unexpected error stopped the search; this server's log says why"
        finally:
            self.current = None
            self._refresh()

    def _open(self) -> optuna.Study:
        seed, pruner = self.settings.seed, self.settings.pruner
        if self.data_dir is None:
            return open_study(self.study_name, self.storage, seed, pruner)
        return open_visitor_study(self.study_name, self.storage or "", self.data_dir, seed, pruner)

    def _trial_done(self, row: TrialRow) -> None:
        self.finished += 1
        self.current = None
        with self._lock:
            self._rows[row.number] = row
        self._refresh()

    def _epoch_done(self, row: TrialRow, log: EpochLog) -> None:
        with self._lock:
            self._rows[row.number] = row
            self.current = (row, log)

    def _refresh(self) -> None:
        """Every trial of the study from storage, other workers' included."""
        try:
            rows = trial_rows(self.study)
        except Exception:  # the storage hiccuped: keep the rows we have until the next trial
            return
        with self._lock:
            self._rows = {row.number: row for row in rows}

    def rows(self) -> list[TrialRow]:
        """The trials so far, by number: a copy, safe to read from another thread."""
        with self._lock:
            return [self._rows[number] for number in sorted(self._rows)]

    def progress(self) -> tuple[int, int]:
        """Trials this job has finished, and how many it was asked for."""
        return self.finished, self.settings.trials
