"""Peak memory of training on a 10,000,000-point series: windows stay views, epochs are sampled.

Two cases, each measured in a fresh process so that neither inherits the other's peak:
- memory: the series built in memory (a noisy sine, season 96; no file);
- csv: the same length read from a CSV as the app reads an upload (data.load.read_table, then
  data.prepare.prepare): `timestamp` to the minute and a whole number per minute (a noisy sine
  of period 96, 10 to 99), 20 bytes a row, which is as much as 10,000,000 rows can say under
  the CLI's 200 MB file limit (a web server's is FORECAST_LAB_UPLOAD_BYTES). The file is
  written to a temporary folder first, by this process, not the measured one.
Each then trains one epoch of a small model with a large batch and the default settings for a
series that long (season 96 in both), forecasts with intervals, and reports its peak resident
memory (VmHWM) after loading and at the end.

Usage: .venv/bin/python bench/memory.py [--points 10000000] [--epoch-windows N] [--cases memory,csv]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ("memory", "csv")
SEASON = 96
SIZE_LIMIT_MB = 200  # the CLI's file limit (data.load.MAX_BYTES)


def peak_gib() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, it starts afresh at exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def signal(points: int) -> np.ndarray:
    steps = np.arange(points)
    noise = np.random.default_rng(0).normal(size=points)
    return 20 + 5 * np.sin(2 * np.pi * steps / SEASON) + noise


def write_csv(path: Path, rows: int) -> None:
    """`timestamp,count` rows such as `2020-01-01 00:00,57`: one a minute from 2020-01-01."""
    counts = np.clip(np.round(55 + 4 * (signal(rows) - 20)), 10, 99).astype(int)
    words = [str(number) for number in range(100)]
    clock = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60)]
    first = pd.Timestamp("2020-01-01")
    with path.open("w", encoding="ascii", newline="\n") as out:
        out.write("timestamp,count\n")
        for start in range(0, rows, len(clock)):
            day = (first + pd.Timedelta(days=start // len(clock))).strftime("%Y-%m-%d")
            block = counts[start : start + len(clock)]
            out.write("".join(f"{day} {clock[k]},{words[v]}\n" for k, v in enumerate(block)))


def measure(case: str, points: int, epoch_windows: int | None, path: str | None) -> dict:
    """One case, in this process: load, train one epoch, forecast; seconds and peaks."""
    import torch

    from data.load import read_table
    from data.prepare import from_array, prepare
    from forecasting.config import auto_config, training_windows
    from forecasting.predict import future
    from forecasting.train import fit

    torch.set_num_threads(1)
    result: dict = {"case": case, "torch": torch.__version__, "after_imports": peak_gib()}
    started = time.perf_counter()
    if case == "memory":
        series = from_array(signal(points), season=SEASON)
    else:
        table = read_table(path)
        result["read_table_s"] = time.perf_counter() - started
        result["peak_after_read"] = peak_gib()
        started = time.perf_counter()
        series = prepare(table)
        del table
        result["prepare_s"] = time.perf_counter() - started
        result["report"] = list(series.report)
    result["load_s"] = result.get("read_table_s", 0) + time.perf_counter() - started
    result["peak_after_load"] = peak_gib()
    given = {} if epoch_windows is None else {"epoch_windows": epoch_windows}
    config = auto_config(
        len(series),
        SEASON,
        hidden_size=8,
        batch_size=4096,
        epochs=1,
        members=1,
        test_share=0.0,
        device="cpu",
        **given,
    )
    windows = training_windows(len(series), config)
    started = time.perf_counter()
    run = fit(series, config)
    future(run, series)
    result.update(
        train_s=time.perf_counter() - started,
        peak=peak_gib(),
        points=len(series),
        window=config.window,
        windows=windows,
        epoch_windows=config.epoch_windows or windows,
        copied_gib=windows * (config.window + config.horizon) * 4 / 2**30,
    )
    return result


def run_case(case: str, args: argparse.Namespace, path: Path | None) -> dict:
    """measure() in a fresh Python process."""
    command = [sys.executable, __file__, "--child", case, "--points", str(args.points)]
    command += [] if path is None else ["--file", str(path)]
    command += [] if args.epoch_windows is None else ["--epoch-windows", str(args.epoch_windows)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{case} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--epoch-windows", type=int, help="default: what auto_config picks")
    parser.add_argument("--cases", default=",".join(CASES), help="memory, csv or both")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.points, args.epoch_windows, args.file)))
        return
    results, file_note = [], ""
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases.split(","):
            path = None
            if case == "csv":
                path = Path(folder) / "ten_million.csv"
                started = time.perf_counter()
                write_csv(path, args.points)
                size_mb = path.stat().st_size / 2**20
                file_note = (
                    f"CSV: {args.points:,} rows, {size_mb:.1f} MB (limit {SIZE_LIMIT_MB} MB), "
                    f"written in {time.perf_counter() - started:.1f} s (not measured)"
                )
            results.append(run_case(case, args, path))
    first = results[0]
    print(f"torch {first['torch']}, 1 thread; window {first['window']}")
    print(f"training windows: {first['windows']:,}; trained per epoch: {first['epoch_windows']:,}")
    if file_note:
        print(file_note)
    print(
        "| series | peak memory | after loading | after imports | "
        "all windows copied would take | load s | epoch + forecast s |"
    )
    print("|---|---|---|---|---|---|---|")
    for result in results:
        loaded = (
            "built in memory"
            if result["case"] == "memory"
            else f"read from CSV (read_table {result['read_table_s']:.1f} s + "
            f"prepare {result['prepare_s']:.1f} s)"
        )
        print(
            f"| {loaded} | {result['peak']:.2f} GiB | {result['peak_after_load']:.2f} GiB | "
            f"{result['after_imports']:.2f} GiB | {result['copied_gib']:.2f} GiB | "
            f"{result['load_s']:.1f} | {result['train_s']:.1f} |"
        )
    for result in results:
        if "report" in result:
            print(f"csv: peak after read_table {result['peak_after_read']:.2f} GiB")
            print(f"csv: {result['points']:,} points; report: {result['report']}")


if __name__ == "__main__":
    main()
