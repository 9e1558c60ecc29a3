"""Ensemble members side by side on CPU cores: one pool of threads for the whole process.

A member's forward and backward pass is a few large ATen calls that release the GIL, so
threads run members on separate cores. The pool is shared by every training in the process,
so the passes it runs for concurrent sessions together never outnumber its workers; short
passes (see `worth_sharing`) stay in the training's own thread.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import torch

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_WORK = 6_000_000  # batch × steps × hidden² × layers of one member's pass; see worth_sharing
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
_lock = threading.Lock()
_workers = 0  # 0 until set: one per available core
_pool: ThreadPoolExecutor | None = None
_in_pool = threading.local()  # .inside is True on the pool's threads


@functools.cache
def available_cores() -> int:
    """Cores this process may use: its CPU affinity, capped by a container's CPU quota (read
    once: it is asked for on every training step)."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    quota = cgroup_quota()
    return max(1, min(cores, quota) if quota else cores)


def cgroup_quota(path: Path = CGROUP_CPU_MAX) -> int:
    """Whole CPUs a cgroup v2 quota allows ("200000 100000" -> 2); 0 when there is none."""
    try:
        limit, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return 0
    if limit == "max":
        return 0
    try:
        return max(1, int(limit) // int(period))
    except (ValueError, ZeroDivisionError):
        return 0


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
    16M) trained 1.2 to 1.5 times as fast side by side; windows of 10 to 30 steps (1M to 4M)
    0.9 to 1.0 times, as handing short passes to threads costs what they save.
    """
    return batch * steps * hidden * hidden * layers >= MIN_WORK


def side_by_side(work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """`work` applied to every item, on the pool when there is more than one of each; in order.

    Each call runs with the caller's grad and inference modes and torch thread count, which
    torch keeps per thread. Work that is already on the pool, or that arrives while the
    interpreter shuts down, runs in the caller's thread.
    """
    global _pool
    count = workers()
    if len(items) < 2 or count < 2 or getattr(_in_pool, "inside", False):
        return [work(item) for item in items]
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(count, thread_name_prefix="member")
        pool = _pool
    grad, inference = torch.is_grad_enabled(), torch.is_inference_mode_enabled()
    threads = torch.get_num_threads()

    def as_the_caller(item: Item) -> Result:
        _in_pool.inside = True
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        with torch.inference_mode(inference), torch.set_grad_enabled(grad):
            return work(item)

    try:
        return list(pool.map(as_the_caller, items))
    except RuntimeError as err:  # "cannot schedule new futures after (interpreter) shutdown"
        if "schedule new futures" not in str(err):
            raise
        return [work(item) for item in items]
