"""Time to a first picture: seconds from starting a training job (as the Train page's button
does, default settings) to the first forecast of the model in training (TrainingJob.preview),
for synthetic signals and bundled samples up to 5,000 points, LSTM and GRU.

Usage: .venv/bin/python bench/first_picture.py [--cells lstm,gru] [--lengths 500,2000,5000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.catalog import load_sample, samples  # noqa: E402
from data.synthetic import generate_with_truth, season_length, to_series  # noqa: E402
from forecasting.config import series_config  # noqa: E402
from forecasting.job import TrainingJob  # noqa: E402

SIGNAL = "trend_season"  # a synthetic signal of the Data page: trend, season and noise


def first_picture(series, cell: str) -> tuple[float, float]:
    """Seconds to the first preview, and to the end of training (the job stopped then)."""
    job = TrainingJob(series, series_config(series, cell=cell)).start()
    started = time.perf_counter()
    while job.preview is None and not job.done:
        time.sleep(0.01)
    seen = time.perf_counter() - started
    job.stop()
    job.wait(600)
    return seen, job.preview.epochs if job.preview else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--lengths", default="500,2000,5000")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cases = [(entry.key, load_sample(entry.key)) for entry in samples()]
    for length in (int(n) for n in args.lengths.split(",")):
        generated = generate_with_truth(SIGNAL, length, 0)
        series = to_series(generated, SIGNAL, season_length(SIGNAL), "interpolate")
        cases.append((f"{SIGNAL} {length}", series))
    first_picture(cases[1][1], "lstm")  # a server is warm: imports, thread pools, first kernels
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread per training\n")
    print("| series | points | " + " | ".join(f"{c.upper()} s to first picture" for c in
                                               args.cells.split(",")) + " |")  # fmt: skip
    print("|---|---|" + "---|" * len(args.cells.split(",")))
    worst = 0.0
    for name, series in cases:
        cells = []
        for cell in args.cells.split(","):
            seconds, epoch = first_picture(series, cell)
            worst = max(worst, seconds)
            cells.append(f"{seconds:.2f} ({epoch} epochs done)")
        print(f"| {name} | {len(series):,} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nslowest first picture: {worst:.2f} s")


if __name__ == "__main__":
    main()
