"""Load time of a 1,000,000-row CSV: our read_table + prepare against plain pandas.read_csv.

Usage: .venv/bin/python bench/load.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.load import read_table
from data.prepare import prepare


def make_file(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    stamps = pd.date_range("2020-01-01", periods=rows, freq="min")
    frame = pd.DataFrame(
        {
            "timestamp": stamps.strftime("%Y-%m-%d %H:%M:%S"),
            "load_kw": np.round(
                50 + 10 * np.sin(np.arange(rows) / 1440 * 2 * np.pi) + rng.normal(0, 1, rows), 3
            ),
            "temperature": np.round(rng.normal(12, 6, rows), 2),
        }
    )
    frame.to_csv(path, index=False)


def timed(action, repeat: int) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        make_file(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        plain_s, _ = timed(lambda: pd.read_csv(path), args.repeat)
        plain_dates_s, _ = timed(lambda: pd.read_csv(path, parse_dates=["timestamp"]), args.repeat)
        read_s, table = timed(lambda: read_table(path), args.repeat)
        prepare_s, series = timed(lambda: prepare(table), args.repeat)
    print(f"file: {args.rows:,} rows, 3 columns, {size_mb:.1f} MB; median of {args.repeat}")
    print("| step | seconds | vs pandas.read_csv |")
    print("|---|---|---|")
    rows = [
        ("pandas.read_csv", plain_s),
        ("pandas.read_csv(parse_dates=...)", plain_dates_s),
        ("data.load.read_table", read_s),
        ("data.prepare.prepare", prepare_s),
        ("read_table + prepare", read_s + prepare_s),
    ]
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / plain_s:.2f}x |")
    print(f"series: {len(series):,} points, freq {series.freq}, report: {list(series.report)}")


if __name__ == "__main__":
    main()
