"""Each run's own random numbers, so a run gives the same numbers alone or beside others.

Shuffling draws from a generator the run owns. Weight initialisation and the recurrent
layers' dropout can only draw from torch's global generator, which every session's thread
shares; a run swaps its own state into it under one process-wide lock, and takes it back out
when done, so no other run draws in between.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_GLOBAL_GENERATOR = threading.RLock()


class RunRandom:
    """A run's stream of torch's global random numbers, seeded like `torch.manual_seed(seed)`."""

    def __init__(self, seed: int) -> None:
        self._state = torch.Generator().manual_seed(seed).get_state()

    @contextmanager
    def drawing(self) -> Iterator[None]:
        """Within the block, torch's global generator is this run's, and no other run's."""
        with _GLOBAL_GENERATOR:
            saved = torch.get_rng_state()
            torch.set_rng_state(self._state)
            try:
                yield
            finally:
                self._state = torch.get_rng_state()
                torch.set_rng_state(saved)
