"""Training in a background thread, so a page can draw progress and offer a Stop button."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from data.errors import DataError
from data.series import Series
from forecasting.background import BUDGET, USER, Background
from forecasting.backtest import Backtest, backtest
from forecasting.config import ConfigError, TrainConfig
from forecasting.predict import Preview, preview_of
from forecasting.summary import RunSummary, summarize
from forecasting.train import EpochLog, Run, TrainingError, fit

LOG = logging.getLogger(__name__)
USER_ERRORS = (DataError, ConfigError, TrainingError)


def unexpected(err: Exception, what: str) -> str:
    return f"an unexpected error stopped {what} ({type(err).__name__}: {err})"


@dataclass
class TrainingJob(Background):
    """One fit() running in its own thread; the page reads `history` and `progress` meanwhile.

    After training, the run is summarised (forecasts, baselines, scores) in the same thread; a
    failure there keeps the trained run and says why in `forecast_error`."""

    series: Series
    config: TrainConfig
    dataset: str = ""  # the data's name as the user knows it
    history: list[EpochLog] = field(default_factory=list)
    run: Run | None = None
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    summary: RunSummary | None = None  # named per session when kept (dataclasses.replace)
    forecast_error: str | None = None  # trained, but forecasting failed: why
    share_key: str | None = None  # set when sessions may share this training (shared_jobs)
    preview: Preview | None = None  # the model in training, drawn early (forecasting.predict)

    def trained_configs(self) -> tuple[TrainConfig, ...]:
        return (self.config,)

    def start(self) -> TrainingJob:
        self._launch(self.train, "forecast-lab-training")
        return self

    def train(self) -> None:
        """Train in the calling thread; `start` calls this in a thread of its own."""
        self.started = time.perf_counter()
        try:
            self.run = self._fit()
            if self.stop_cause == BUDGET:
                self.run.stop_kind = BUDGET
                self.run.stop_reason = (
                    f"stopped at this server's time budget after epoch {self.run.history[-1].epoch}"
                    f" (best epoch {self.run.best_epoch} kept)"
                )
        except USER_ERRORS as err:
            self.error = str(err)
        except Exception as err:  # a bug or the machine (out of memory): still say what happened
            self.error = unexpected(err, "training")
        else:
            self._summarize()
        finally:
            if self._thread is None:  # a batch's part; a job of its own is done after its hooks
                self._finished.set()

    def _fit(self) -> Run:
        return fit(self.series, self.config, should_stop=self._stop.is_set, history=self.history,
                   on_model=self._preview)  # fmt: skip

    def _preview(self, run: Run) -> None:
        """An early forecast of the model in training, for the page to draw meanwhile."""
        try:
            self.preview = preview_of(run, self.series)
        except Exception:  # a preview is a courtesy: training goes on without one
            LOG.exception("a training preview could not be drawn")

    def kept_beside(self) -> bytes | None:
        """A file the workspace keeps beside the run (a panel run's); None for one series."""
        return None

    @property
    def stem(self) -> str:
        """What the run's name starts with: 'LSTM' in 'LSTM #3'."""
        return self.config.cell.upper()

    def _summarize(self) -> None:
        try:
            self.summary = summarize(self.run, self.series, "", self.dataset)
        except USER_ERRORS as err:
            self.forecast_error = str(err)
        except Exception as err:  # e.g. too few held-out windows to calibrate the intervals
            self.forecast_error = unexpected(err, "the forecast")

    def progress(self) -> tuple[int, int, float | None]:
        """Epochs done, epochs planned, and an estimate of the seconds left (None before one)."""
        logs = list(self.history)
        planned = self.config.epochs
        if not logs:
            return 0, planned, None
        last = logs[-1]
        left = last.elapsed / last.epoch * (planned - last.epoch)
        return last.epoch, planned, left


@dataclass
class BatchJob(Background):
    """Several configs trained one after another in one thread, on one series.

    Each config gets a TrainingJob in `jobs`, trained in order; Stop ends the current one
    (keeping its best model) and skips the rest.
    """

    series: Series
    configs: Sequence[TrainConfig]
    dataset: str = ""  # the data's name as the user knows it
    jobs: list[TrainingJob] = field(init=False)

    def __post_init__(self) -> None:
        self.configs = tuple(self.configs)
        if not self.configs:
            raise ValueError("a batch needs at least one config to train")
        self.jobs = [
            TrainingJob(self.series, config, self.dataset, _stop=self._stop)
            for config in self.configs
        ]

    def trained_configs(self) -> tuple[TrainConfig, ...]:
        return tuple(self.configs)

    def start(self) -> BatchJob:
        self._launch(self._work, "forecast-lab-batch")
        return self

    def stop(self, cause: str = USER) -> None:
        for job in self.jobs:
            job.stop(cause)
        super().stop(cause)

    def _work(self) -> None:
        for job in self.jobs:
            if self._stop.is_set():
                break
            job.train()

    @property
    def current(self) -> TrainingJob:
        """The job training now: the first one not done (the last one once all are)."""
        return next((job for job in self.jobs if not job.done), self.jobs[-1])

    @property
    def history(self) -> list[EpochLog]:
        """The current run's epochs, as TrainingJob.history."""
        return self.current.history

    @property
    def skipped(self) -> list[TrainingJob]:
        """Jobs that never trained because Stop came first (only final once `done`)."""
        return [job for job in self.jobs if not job.done]

    def position(self) -> tuple[int, int]:
        """Which run is training: its number, from 1, and how many runs there are."""
        return self.jobs.index(self.current) + 1, len(self.jobs)

    def progress(self) -> tuple[int, int, float | None]:
        """The current run's progress, as TrainingJob.progress: a page drawing either works."""
        return self.current.progress()


@dataclass
class BacktestJob(Background):
    """A rolling backtest in its own thread: the page draws its folds done and offers Stop."""

    series: Series
    config: TrainConfig
    folds: int
    levels: Sequence[float]
    done_folds: int = 0
    result: Backtest | None = None
    error: str | None = None

    def trained_configs(self) -> tuple[TrainConfig, ...]:
        return (self.config,)

    def start(self) -> BacktestJob:
        self._launch(self._work, "forecast-lab-backtest")
        return self

    def _work(self) -> None:
        def advance(done: int, total: int) -> None:
            self.done_folds = done

        try:
            result = backtest(self.series, self.config, self.folds, self.levels,
                              on_fold=advance, should_stop=self._stop.is_set)  # fmt: skip
            if result is not None and not result.complete:  # kept: the folds done, and who stopped
                result = replace(result, stopped_by=self.stop_cause or USER)
            self.result = result
        except USER_ERRORS as err:
            self.error = str(err)
        except Exception as err:  # a bug or the machine: still say what happened
            self.error = unexpected(err, "the backtest")


# What a finished job becomes (Outcome.kind): one job, then a batch of jobs trained together
TRAINED, FAILED, STOPPED_WAITING = "trained", "failed", "stopped_waiting"
TRAINED_NO_FORECAST = "trained_no_forecast"  # kept with its error said beside it
BATCH_TRAINED, BATCH_FAILED, BATCH_FAILED_KEPT = "batch_trained", "batch_failed", "batch_kept"
BATCH_STOPPED, BATCH_NONE = "batch_stopped", "batch_none"


@dataclass(frozen=True)
class Outcome:
    """What a finished job becomes: the runs to keep, and what to tell the user about it."""

    kind: str  # TRAINED, FAILED, ... BATCH_NONE above
    kept: tuple[TrainingJob, ...] = ()  # jobs whose runs join the session, in training order
    failed: TrainingJob | None = None  # the first job that failed
    skipped: tuple[TrainingJob, ...] = ()  # a batch's jobs that never trained (Stop came first)
    error: str = ""  # why it failed
    group: bool = False  # the runs were trained together (a batch), to be compared as one

    @property
    def seconds(self) -> float:
        """Training time of the runs kept."""
        return sum(job.run.seconds for job in self.kept)


def outcome(job: TrainingJob | BatchJob) -> Outcome:
    """What a finished training job or batch becomes."""
    if isinstance(job, BatchJob):
        return _batch_outcome(job)
    if job.run is None and job.error is None and job.stopping:
        return Outcome(STOPPED_WAITING)
    if job.error or job.run is None:
        return Outcome(FAILED, failed=job, error=job.error or "no model came back")
    if job.forecast_error:
        return Outcome(TRAINED_NO_FORECAST, kept=(job,), error=job.forecast_error)
    return Outcome(TRAINED, kept=(job,))


def _batch_outcome(job: BatchJob) -> Outcome:
    """Every run of a batch that trained is kept; the kind says what became of the rest."""
    kept = tuple(part for part in job.jobs if part.run is not None)
    failed = next((part for part in job.jobs if part.error), None)
    skipped = tuple(job.skipped)
    if failed is not None:
        kind = BATCH_FAILED_KEPT if kept else BATCH_FAILED
        return Outcome(kind, kept, failed, skipped, failed.error, group=True)
    if skipped:
        kind = BATCH_STOPPED if kept else BATCH_NONE
        return Outcome(kind, kept, skipped=skipped, group=True)
    return Outcome(BATCH_TRAINED, kept, group=True)
