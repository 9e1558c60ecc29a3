"""Peak memory of training on a 10,000,000-point series: windows stay views, epochs are sampled.

Builds the series in memory (no CSV), trains one epoch of a small model with a large batch and
the default settings for a series that long, and reports the process's peak resident memory.

Usage: .venv/bin/python bench/memory.py [--points 10000000] [--epoch-windows N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.prepare import from_array
from forecasting.config import auto_config, training_windows
from forecasting.predict import future
from forecasting.train import fit


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--epoch-windows", type=int, help="default: what auto_config picks")
    args = parser.parse_args()
    torch.set_num_threads(1)
    at_start = peak_gib()
    steps = np.arange(args.points)
    values = (
        20 + 5 * np.sin(2 * np.pi * steps / 96) + np.random.default_rng(0).normal(size=len(steps))
    )
    series = from_array(values, season=96)
    del steps, values
    given = {} if args.epoch_windows is None else {"epoch_windows": args.epoch_windows}
    config = auto_config(
        len(series),
        96,
        hidden_size=8,
        batch_size=4096,
        epochs=1,
        members=1,
        test_share=0.0,
        device="cpu",
        **given,
    )
    windows = training_windows(len(series), config)
    copied = windows * (config.window + config.horizon) * 4 / 2**30
    started = time.perf_counter()
    run = fit(series, config)
    future(run, series)
    seconds = time.perf_counter() - started
    print(f"torch {torch.__version__}, 1 thread; {args.points:,} points, window {config.window}")
    print(f"training windows: {windows:,}; trained per epoch: {config.epoch_windows or windows:,}")
    print(f"all windows copied into one float32 tensor would take {copied:.2f} GiB")
    print(f"peak memory: {peak_gib():.2f} GiB (after imports: {at_start:.2f} GiB)")
    print(f"one epoch plus the forecast: {seconds:.1f} s")


if __name__ == "__main__":
    main()
