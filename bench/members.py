"""An ensemble's members trained side by side on the cores, against one after another.

Trains the default model (a median ensemble of 3) of each series for a fixed number of
epochs with torch at 1 thread, its members on 1 core and on every available core
(models.parallel), in alternating order; prints the median seconds, their ratio, and checks
that both ways learn the same weights.

With `--epochs 0` each training runs as the Train page's defaults do, early stopping
included.

Usage: .venv/bin/python bench/members.py [--series co2,taylor] [--epochs 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from accuracy import load_cases  # noqa: E402

from forecasting.config import auto_config  # noqa: E402
from forecasting.train import Run, fit  # noqa: E402
from models.parallel import available_cores, set_workers  # noqa: E402


def timed_fit(case, config, cores: int) -> tuple[float, Run]:
    set_workers(cores)
    started = time.perf_counter()
    run = fit(case.series, config)
    return time.perf_counter() - started, run


def same_weights(first: Run, second: Run) -> bool:
    pairs = zip(first.model.parameters(), second.model.parameters(), strict=True)
    return all(torch.allclose(a, b, rtol=1e-4, atol=1e-5) for a, b in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="co2,taylor,seattle_temps_hourly,elnino,airline")
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument(
        "--epochs", type=int, default=5, help="epochs, no early stopping; 0: the defaults' own"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cores = available_cores()
    print(f"torch {torch.__version__}, 1 thread; members on 1 core or on {cores}")
    length = f"{args.epochs} epochs each (no early stopping)" if args.epochs else "the defaults"
    print(f"{length}, median of {args.repeat}\n")
    rows = []
    for case in load_cases(set(args.series.split(","))):
        for cell in args.cells.split(","):
            fixed = {"epochs": args.epochs, "patience": 0} if args.epochs else {}
            config = auto_config(
                len(case.series),
                case.season_length,
                horizon=case.horizon,
                cell=cell,
                **fixed,
            )
            timed_fit(case, config, 1)  # warm-up
            seconds: dict[int, list[float]] = {1: [], cores: []}
            runs: dict[int, Run] = {}
            for rep in range(args.repeat):
                for count in (1, cores) if rep % 2 == 0 else (cores, 1):
                    took, runs[count] = timed_fit(case, config, count)
                    seconds[count].append(took)
            alone, together = (statistics.median(seconds[count]) for count in (1, cores))
            rows.append(
                f"| {case.name} | {cell} | {config.members} | {alone:.2f} | {together:.2f} "
                f"| {alone / together:.2f} | {same_weights(runs[1], runs[cores])} |"
            )
            print(rows[-1], flush=True)
    set_workers(0)
    print()
    print(
        f"| series | cell | members | s on 1 core | s on {cores} cores | speed-up | same weights |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
