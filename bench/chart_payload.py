"""Size of the Plotly figure sent to the browser for a long series, thinned and not.

Usage: .venv/bin/python bench/chart_payload.py [--points 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.prepare import from_array
from ui import charts


def measure(points: int, limit: int) -> tuple[int, float, int]:
    """(bytes of the figure's JSON, seconds to build and serialise it, points in its trace)."""
    steps = np.arange(points)
    values = (
        20 + 5 * np.sin(2 * np.pi * steps / 1440) + np.random.default_rng(0).normal(size=points)
    )
    index = pd.date_range("2020-01-01", periods=points, freq="min")
    series = replace(from_array(values), index=index)
    original = charts.MAX_POINTS
    charts.MAX_POINTS = limit
    try:
        started = time.perf_counter()
        figure = charts.series_figure(series, "load")
        payload = figure.to_json()
        seconds = time.perf_counter() - started
    finally:
        charts.MAX_POINTS = original
    return len(payload.encode()), seconds, len(figure.data[0].y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    print("| trace | points sent | JSON size | build + serialise s |")
    print("|---|---|---|---|")
    for label, limit in (("thinned (min-max)", charts.MAX_POINTS), ("every point", args.points)):
        size, seconds, sent = measure(args.points, limit)
        print(f"| {label} | {sent:,} | {size / 1e6:.2f} MB | {seconds:.2f} |")


if __name__ == "__main__":
    main()
