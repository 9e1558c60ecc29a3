"""Accuracy of the default LSTM and GRU against seasonal naive, AutoETS and AutoARIMA.

Each series loses its last `horizon` points (its catalog says how many); every forecaster sees
the rest and forecasts them. Scores: MASE (scaled by the in-sample seasonal-naive error),
sMAPE, coverage of the 80% and 95% intervals, and fit + predict time. The statistical anchors
run in .venv-bench (see bench/anchors.py); `--no-anchors` skips them.

Usage: .venv/bin/python bench/accuracy.py [--cells lstm,gru] [--series airline,wineind]
       [--member-cores 0] [--origins 3 --no-anchors] [--set lr=0.006]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.load import read_table  # noqa: E402
from data.prepare import prepare  # noqa: E402
from data.series import Series  # noqa: E402
from forecasting.config import auto_config  # noqa: E402
from forecasting.evaluate import mase_scale, metrics  # noqa: E402
from forecasting.predict import future  # noqa: E402
from forecasting.train import fit  # noqa: E402
from models.baselines import seasonal_naive  # noqa: E402
from models.parallel import set_workers, workers  # noqa: E402

CATALOGS = (ROOT / "data" / "samples", ROOT / "bench" / "series")
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
CACHE = ROOT / "bench" / ".cache"
LEVELS = (0.8, 0.95)


@dataclass(frozen=True)
class Case:
    name: str
    series: Series  # the history every forecaster sees
    actual: np.ndarray  # the hidden last horizon
    season_length: int
    horizon: int
    frequency: str


@dataclass(frozen=True)
class Outcome:
    mean: np.ndarray
    intervals: dict[float, tuple[np.ndarray, np.ndarray]]
    seconds: float


def load_cases(only: set[str] | None, origins: int = 1) -> list[Case]:
    """Each catalog series with its last horizon hidden; with `origins` > 1 also the same series
    ending 1, 2, ... horizons earlier (named "airline -1h"), as long as at least three quarters
    of its history is left."""
    cases = []
    for folder in CATALOGS:
        if not (folder / "catalog.json").exists():
            continue
        for entry in json.loads((folder / "catalog.json").read_text(encoding="utf-8")):
            name = Path(entry["file"]).stem
            if only and name not in only:
                continue
            table = read_table(folder / entry["file"])
            series = prepare(table, date_col=entry["date_col"], target=entry["target"])
            series = replace(series, season=entry["season_length"])
            horizon = entry["horizon"]
            history = len(series) - horizon
            for k in range(origins):
                end = len(series) - k * horizon
                if end - horizon < 0.75 * history:
                    break
                cases.append(
                    Case(
                        name if k == 0 else f"{name} -{k}h",
                        series.head(end - horizon),
                        series.values[end - horizon : end],
                        entry["season_length"],
                        horizon,
                        entry["frequency"],
                    )
                )
    return cases


def ours(case: Case, cell: str, settings: dict[str, Any]) -> tuple[Outcome, Outcome]:
    """What `python -m forecasting forecast FILE --horizon H --model CELL` does by default; and
    the same trained network's forecast alone, without the baseline blend forecasting.guard
    chose on the validation part (its seconds: the same fit)."""
    started = time.perf_counter()
    config = auto_config(
        len(case.series),
        case.season_length,
        horizon=case.horizon,
        cell=cell,
        test_share=0.0,
        **settings,
    )
    run = fit(case.series, config)
    ahead = future(run, case.series, LEVELS)
    seconds = time.perf_counter() - started
    alone = ahead if run.blend is None else future(replace(run, blend=None), case.series, LEVELS)
    return tuple(
        Outcome(made.mean, {level: made.bands[level] for level in LEVELS}, seconds)
        for made in (ahead, alone)
    )


def ours_on_every_case(
    cases: list[Case], cell: str, settings: dict[str, Any]
) -> dict[str, dict[str, Outcome]]:
    """Our forecaster of `cell` on every case, and its network alone (without a blend)."""
    name, alone = f"our {cell.upper()}", f"our {cell.upper()} alone"
    outcomes: dict[str, dict[str, Outcome]] = {name: {}, alone: {}}
    for case in cases:
        outcomes[name][case.name], outcomes[alone][case.name] = ours(case, cell, settings)
        print(f"  {name} {case.name:16s} {outcomes[name][case.name].seconds:6.2f} s", flush=True)
    return outcomes


def snaive(case: Case) -> Outcome:
    started = time.perf_counter()
    mean = seasonal_naive(case.series.values, case.horizon, case.season_length)
    return Outcome(mean, {}, time.perf_counter() - started)


def anchors(cases: list[Case]) -> dict[str, dict[str, Outcome]]:
    """AutoETS and AutoARIMA forecasts per case, computed in .venv-bench, cached per history.

    AutoARIMA takes about ten minutes on the weekly co2 series alone, so results are kept in
    bench/.cache under a hash of the histories and settings they were computed from.
    """
    meta = {c.name: {"horizon": c.horizon, "season_length": c.season_length} for c in cases}
    histories = {case.name: case.series.values for case in cases}
    digest = hashlib.sha256(json.dumps(meta, sort_keys=True).encode())
    for name in sorted(histories):
        digest.update(name.encode() + histories[name].tobytes())
    digest.update((ROOT / "bench" / "anchors.py").read_bytes())
    cached = CACHE / f"anchors-{digest.hexdigest()[:16]}.json"
    if not cached.exists():
        if not BENCH_PYTHON.exists():
            sys.exit(f"error: {BENCH_PYTHON} is missing; run `make bench-venv` first")
        CACHE.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory() as folder:
            source, target = Path(folder) / "histories.npz", Path(folder) / "anchors.json"
            np.savez(source, __meta__=json.dumps(meta), **histories)
            command = [BENCH_PYTHON, ROOT / "bench" / "anchors.py", source, target]
            subprocess.run(command, check=True)
            shutil.move(target, cached)
    else:
        print(f"anchors: cached results from {cached.relative_to(ROOT)}")
    raw = json.loads(cached.read_text())
    return {
        anchor: {
            name: Outcome(
                np.array(out["mean"]),
                {
                    level: (
                        np.array(out[f"lo-{round(level * 100)}"]),
                        np.array(out[f"hi-{round(level * 100)}"]),
                    )
                    for level in LEVELS
                },
                out["seconds"],
            )
            for name, out in per_case.items()
        }
        for anchor, per_case in raw.items()
    }


def score(case: Case, outcome: Outcome) -> dict[str, float | None]:
    scale = mase_scale(case.series.values, case.season_length)
    row = metrics(case.actual, outcome.mean, scale)
    result: dict[str, float | None] = {"MASE": row["MASE"], "sMAPE": row["sMAPE"]}
    for level in LEVELS:
        if level in outcome.intervals:
            lower, upper = outcome.intervals[level]
            inside = (case.actual >= lower) & (case.actual <= upper)
            result[f"cover{round(level * 100)}"] = float(np.mean(inside))
    result["seconds"] = outcome.seconds
    return result


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(max(v, 1e-9)) for v in values) / len(values))


def report(cases: list[Case], scores: dict[str, dict[str, dict]]) -> str:
    names = list(scores)
    lines = [
        "| series | freq | n | h | " + " | ".join(names) + " |",
        "|---|---|---|---|" + "---|" * len(names),
    ]
    for case in cases:
        cells = [f"{scores[name][case.name]['MASE']:.3f}" for name in names]
        row = f"| {case.name} | {case.frequency} | {len(case.series)} | {case.horizon} | "
        lines.append(row + " | ".join(cells) + " |")
    lines += ["", "| forecaster | geo-mean MASE | mean sMAPE | cover 80% | cover 95% | total s |"]
    lines.append("|---|---|---|---|---|---|")
    for name in names:
        rows = [scores[name][case.name] for case in cases]
        cover = {
            level: (f"{np.mean([r[level] for r in rows]):.1%}" if level in rows[0] else "–")
            for level in ("cover80", "cover95")
        }
        lines.append(
            f"| {name} | {geometric_mean([r['MASE'] for r in rows]):.3f} | "
            f"{np.mean([r['sMAPE'] for r in rows]):.2f} | {cover['cover80']} | "
            f"{cover['cover95']} | {sum(r['seconds'] for r in rows):.1f} |"
        )
    return "\n".join(lines)


def beaten(cases: list[Case], scores: dict[str, dict[str, dict]], margin: float = 0.05) -> str:
    """For each of our forecasters: the series where it is worse than seasonal naive by more
    than `margin` (MASE)."""
    lines = [f"| forecaster | worse than seasonal naive by over {margin:.0%} |", "|---|---|"]
    for name in (name for name in scores if name.startswith("our ")):
        worse = [
            f"{case.name} ({scores[name][case.name]['MASE']:.3f} vs "
            f"{scores['seasonal naive'][case.name]['MASE']:.3f})"
            for case in cases
            if scores[name][case.name]["MASE"]
            > (1 + margin) * scores["seasonal naive"][case.name]["MASE"]
        ]
        lines.append(f"| {name} | {len(worse)}: {', '.join(worse) or 'none'} |")
    return "\n".join(lines)


def parse_setting(item: str) -> tuple[str, Any]:
    """'members=1' -> ('members', 1); values are read as JSON when they can be."""
    name, _, value = item.partition("=")
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--series", default="", help="comma-separated names (default: all)")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (default: 1, as the anchors use)"
    )
    parser.add_argument(
        "--member-cores",
        type=int,
        default=1,
        help="cores an ensemble's members train on side by side (default: 1; 0: all)",
    )
    parser.add_argument(
        "--origins",
        type=int,
        default=1,
        help="forecast origins per series: the end, and 1, 2, ... horizons before it "
        "(default: 1; more needs --no-anchors, as AutoARIMA would take hours)",
    )
    parser.add_argument("--json", type=Path, help="also write every score here")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a TrainConfig setting other than the default, e.g. --set members=1 (repeatable)",
    )
    args = parser.parse_args()
    if args.origins < 1:
        parser.error(f"--origins must be at least 1; got {args.origins}")
    if args.origins > 1 and not args.no_anchors:
        parser.error("--origins above 1 needs --no-anchors (AutoARIMA would take hours)")
    torch.set_num_threads(args.threads)
    set_workers(args.member_cores)
    settings = dict(parse_setting(item) for item in args.set)
    cases = load_cases(set(args.series.split(",")) if args.series else None, args.origins)
    outcomes: dict[str, dict[str, Outcome]] = {"seasonal naive": {c.name: snaive(c) for c in cases}}
    if not args.no_anchors:
        outcomes.update(anchors(cases))
    for cell in args.cells.split(","):
        outcomes |= ours_on_every_case(cases, cell, settings)
    scores = {
        name: {case.name: score(case, per_case[case.name]) for case in cases}
        for name, per_case in outcomes.items()
    }
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"members on {workers()} cores\n"
    )
    print(report(cases, scores))
    print("\n" + beaten(cases, scores))
    if args.json:
        args.json.write_text(json.dumps(scores, indent=2))


if __name__ == "__main__":
    main()
