"""Wall time of a tuning search: one worker, then two worker processes sharing the study.

Each worker is `python -m forecasting tune` as a user starts it, on a throwaway PostgreSQL
(tests/postgres.py); the one-worker search also runs on SQLite for reference.

Usage: .venv/bin/python bench/tune.py [--trials 20] [--epochs 60] [--sample airline.csv]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.tune import open_study, trial_rows  # noqa: E402
from tests.postgres import throwaway_postgres  # noqa: E402


def search(storage: str, study: str, workers: int, args: argparse.Namespace) -> dict[str, object]:
    """Start `workers` processes at once, each running its share of args.trials; wait for all."""
    shares = [args.trials // workers + (k < args.trials % workers) for k in range(workers)]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    started = time.perf_counter()
    options = ["--storage", storage, "--study", study, "--epochs", str(args.epochs),
               "--seed", str(args.seed)]  # fmt: skip
    command = [sys.executable, "-m", "forecasting", "tune", f"data/samples/{args.sample}", *options]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    processes = [
        subprocess.Popen([*command, "--trials", str(share)], cwd=ROOT, env=env, **pipes)
        for share in shares
    ]
    outputs = [process.communicate() for process in processes]
    seconds = time.perf_counter() - started
    for process, (_, err) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise SystemExit(f"a worker failed ({process.returncode}): {err.strip()}")
    finished = open_study(study, storage)  # read once every worker is done
    rows = trial_rows(finished)
    states = Counter(row.state for row in rows)
    training = sum(row.seconds or 0.0 for row in rows)
    return {"seconds": seconds, "training": training, "trials": dict(states),
            "best": finished.best_value}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--sample", default="airline.csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite:///{Path(folder) / 'bench.db'}"
        rows.append(("SQLite", 1, search(sqlite, "one", 1, args)))
    with throwaway_postgres() as postgres:
        rows.append(("PostgreSQL", 1, search(postgres, "one", 1, args)))
        rows.append(("PostgreSQL", 2, search(postgres, "two", 2, args)))
    alone = rows[1][2]["seconds"]
    print(f"{args.trials} trials on {args.sample}, at most {args.epochs} epochs each, "
          f"{os.cpu_count()} cores, {args.threads} torch thread(s) per worker")  # fmt: skip
    print("| storage | workers | wall s | vs one worker | trials s | trials | best val MASE |")
    print("|---|---|---|---|---|---|---|")
    for storage, workers, result in rows:
        states = ", ".join(f"{count} {state.lower()}" for state, count in result["trials"].items())
        print(
            f"| {storage} | {workers} | {result['seconds']:.1f} | "
            f"{result['seconds'] / alone:.2f} | {result['training']:.1f} | {states} | "
            f"{result['best']:.3f} |"
        )


if __name__ == "__main__":
    main()
