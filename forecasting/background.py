"""Work in a background thread that a page can watch, stop and wait for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Background:
    """A daemon thread with a Stop flag: the base of the training, batch and tuning jobs."""

    _stop: threading.Event = field(default_factory=threading.Event, repr=False, kw_only=True)
    _thread: threading.Thread | None = field(default=None, repr=False, kw_only=True)
    _finished: threading.Event = field(default_factory=threading.Event, repr=False, kw_only=True)

    def _launch(self, work: Callable[[], None], name: str) -> None:
        """Run `work` in a daemon thread; the job is `done` when it returns or raises."""

        def run() -> None:
            try:
                work()
            finally:
                self._finished.set()

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the work to end at its next check (after an epoch, or a trial), keeping what it
        finished."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait at most `timeout` seconds for the work to end; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            self._finished.wait(timeout)
        return self.done
