"""Ensemble members side by side on CPU cores: one pool of threads for the whole process.

A member's forward and backward pass is a few large ATen calls that release the GIL, so
threads run members on separate cores. The pool is shared by every training in the process,
so concurrent sessions together never run more member steps at once than it has workers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import torch

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_WORK = 6_000_000  # batch × steps × hidden² × layers of one member's pass; see worth_sharing
_lock = threading.Lock()
_workers = 0  # 0 until set: one per available core
_pool: ThreadPoolExecutor | None = None


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def workers() -> int:
    """How many members may run at once: the count set last, or one per available core."""
    return _workers or available_cores()


def set_workers(count: int = 0) -> None:
    """Run at most `count` members at once (1: one after another); 0: one per available core."""
    global _workers, _pool
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    with _lock:
        if count != _workers:  # a map running on the old pool keeps it until it is done
            _workers, _pool = count, None


def worth_sharing(batch: int, steps: int, hidden: int, layers: int) -> bool:
    """Whether one member's pass is long enough to gain from a thread of its own.

    Measured on 2 cores (bench/members.py): windows of 120 steps, batch 32, 64 units (about
    16M) trained 1.2 to 1.4 times as fast side by side; windows of 10 to 30 steps (1M to 4M)
    0.9 to 1.0 times, as handing small passes to threads costs what they save.
    """
    return batch * steps * hidden * hidden * layers >= MIN_WORK


def side_by_side(work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """`work` applied to every item, on the pool when there is more than one of each; in order.

    Each call runs with the caller's grad and inference modes, which torch keeps per thread.
    """
    global _pool
    if len(items) < 2 or workers() < 2:
        return [work(item) for item in items]
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(workers(), thread_name_prefix="member")
        pool = _pool
    grad, inference = torch.is_grad_enabled(), torch.is_inference_mode_enabled()

    def as_the_caller(item: Item) -> Result:
        with torch.inference_mode(inference), torch.set_grad_enabled(grad):
            return work(item)

    return list(pool.map(as_the_caller, items))
