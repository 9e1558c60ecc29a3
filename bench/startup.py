"""CLI start-up: seconds from launching `python -m forecasting` to its exit, for commands that
stop before any training (`inspect` on a sample, `forecast --help`, `--help`), and which heavy
libraries each loaded.

Usage: .venv/bin/python bench/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "inspect data/samples/airline.csv": ["inspect", "data/samples/airline.csv"],
    "forecast --help": ["forecast", "--help"],
    "--help": ["--help"],
}
HEAVY = ("torch", "sklearn", "optuna", "sqlalchemy")
PROBE = (
    "import contextlib, io, sys\n"
    "from forecasting.__main__ import main\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    main({argv})\n"
    "print(' '.join(name for name in {heavy} if name in sys.modules) or 'none')\n"
)


def seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "forecasting", *argv], cwd=ROOT, capture_output=True,
                   check=False)  # fmt: skip
    return time.perf_counter() - started


def loaded(argv: list[str]) -> str:
    probe = PROBE.format(argv=argv, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| command | median s | runs, s | heavy libraries loaded |")
    print("|---|---|---|---|")
    for name, argv in COMMANDS.items():
        runs = [seconds(argv) for _ in range(args.repeat)]
        shown = ", ".join(f"{run:.2f}" for run in runs)
        print(f"| `{name}` | {statistics.median(runs):.2f} | {shown} | {loaded(argv)} |")


if __name__ == "__main__":
    main()
