"""Training in a background thread, so a page can draw progress and offer a Stop button."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from data.errors import DataError
from data.prepare import Series
from forecasting.config import ConfigError, TrainConfig
from forecasting.train import EpochLog, Run, TrainingError, fit

USER_ERRORS = (DataError, ConfigError, TrainingError)


@dataclass
class TrainingJob:
    """One fit() running in its own thread; the page reads `history` and `progress` meanwhile."""

    series: Series
    config: TrainConfig
    dataset: str = ""  # the data's name as the user knows it
    history: list[EpochLog] = field(default_factory=list)
    run: Run | None = None
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> TrainingJob:
        self._thread = threading.Thread(
            target=self._work, name="forecast-lab-training", daemon=True
        )
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            self.run = fit(self.series, self.config, should_stop=self._stop.is_set,
                           history=self.history)  # fmt: skip
        except USER_ERRORS as err:
            self.error = str(err)
        except Exception as err:  # a bug or the machine (out of memory): still say what happened
            self.error = f"an unexpected error stopped training ({type(err).__name__}: {err})"

    def stop(self) -> None:
        """End training after the current epoch, keeping the best model so far."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def progress(self) -> tuple[int, int, float | None]:
        """Epochs done, epochs planned, and an estimate of the seconds left (None before one)."""
        logs = list(self.history)
        planned = self.config.epochs
        if not logs:
            return 0, planned, None
        last = logs[-1]
        left = last.elapsed / last.epoch * (planned - last.epoch)
        return last.epoch, planned, left
