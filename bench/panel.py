"""Many series, one network (issue 19): accuracy and time on a real panel, and the cost of a
large one.

a. A real panel from data/samples/panels/ (`--panel`, its README names the sources), horizon H,
   at the last `--origins` origins (each history ends H, H+1, ... points before its series'
   end):
   - `grunfeld` (the default): Grunfeld's investment panel, 11 firms x 20 years, target
     `invest`, yearly (season 1);
   - `fertility`: the World Bank's total fertility rate, 210 countries x up to 52 years
     (1960-2011; 201 read, the rest too short or too sparse), target `fertility`, yearly
     (season 1);
   - `macrodata`: 10 U.S. quarterly macro series (a wide file), 203 quarters (1959Q1-2009Q3),
     each column its own target, quarterly (season 4).
   `--most N` keeps the first N series by id (the panel's labels sorted), said in the output.
   Per forecaster, the geometric-mean MASE over every series and origin (each scaled by its
   history's seasonal naive error at the panel's season) and the total fit + forecast time:
   - `global`: one network on every series (forecasting/panel_train.py, the CLI's defaults);
   - `per series`: the single-series model fitted on each series alone (the CLI's defaults);
   - `seasonal naive` (the last season repeated; the last value for yearly data) and `AutoETS`
     per series at the panel's season (statsforecast, run in .venv-bench by bench/anchors.py;
     `--no-anchors` skips it).
   Only the series and origins every forecaster forecast are scored (the global network leaves
   out a series shorter than one training window, said with the reason), and none whose
   history's scale is 0.
b. A synthetic panel of `--series` x `--length` points: the seconds of one epoch of the global
   network and the process's peak memory (VmHWM), in a process of its own (`--series 0` skips
   it).

Usage: .venv/bin/python bench/panel.py [--panel {grunfeld,fertility,macrodata}] [--most N]
       [--origins 3] [--horizon 2] [--no-anchors] [--series-embedding N]
       [--series 1000 --length 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.errors import DataError  # noqa: E402
from data.load import read_table  # noqa: E402
from data.panel import Panel, read_long, read_wide  # noqa: E402
from data.series import CleaningReport  # noqa: E402
from forecasting.config import auto_config  # noqa: E402
from forecasting.panel_forecast import panel_config  # noqa: E402
from forecasting.panel_train import fit_panel  # noqa: E402
from forecasting.predict import future  # noqa: E402
from forecasting.train import fit  # noqa: E402

PANELS_DIR = ROOT / "data" / "samples" / "panels"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"


@dataclass(frozen=True)
class Source:
    """A panel file of data/samples/panels/ and how it is read."""

    title: str
    file: str
    id_cols: tuple[str, ...]  # () for a wide file, one series per column
    date_col: str
    target: str | None  # None for a wide file: each column is its own target
    season: int
    what: str  # what a series is, plural ("firms")
    unit: str  # what a step is, plural ("years")


PANELS = {
    "grunfeld": Source("Grunfeld", "grunfeld.csv", ("firm",), "year", "invest", 1, "firms",
                       "years"),
    "fertility": Source("Fertility", "fertility.csv", ("country",), "year", "fertility", 1,
                        "countries", "years"),
    "macrodata": Source("Macrodata", "macrodata.csv", (), "date", None, 4, "series",
                        "quarters"),
}  # fmt: skip


def load(source: Source, most: int | None) -> Panel:
    """The panel, its first `most` series by id when given (said, with the series left out)."""
    table = read_table(PANELS_DIR / source.file)
    if source.id_cols:
        panel = read_long(table, list(source.id_cols), source.date_col, source.target)
    else:
        panel = read_wide(table, None, source.date_col)
    if panel.left_out:
        print(f"{len(panel.left_out)} series left out when read: "
              + "; ".join(f"{label} ({why})" for label, why in panel.left_out.items()))  # fmt: skip
    if most is None:
        return panel
    kept = sorted(panel.labels)[:most]
    print(f"Using the first {len(kept)} of {len(panel)} series by id: {', '.join(kept)}\n")
    series = {label: panel.series[label] for label in kept}
    return Panel(series, panel.id_cols, {label: panel.ids[label] for label in kept}, {},
                 CleaningReport())  # fmt: skip


def truncated(panel: Panel, drop: int) -> Panel:
    """The panel with the last `drop` points of every series held out."""
    series = {label: one.head(len(one) - drop) for label, one in panel.series.items()}
    return Panel(series, panel.id_cols, panel.ids, {}, CleaningReport())


def scale(history: np.ndarray, season: int) -> float:
    """The history's mean absolute seasonal naive error (the naive one for a season of 1)."""
    return float(np.mean(np.abs(history[season:] - history[:-season])))


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int) -> float:
    return float(np.mean(np.abs(actual - forecast))) / scale(history, season)


def global_forecasts(
    history: Panel, horizon: int, vectors: int = 0
) -> tuple[dict[str, np.ndarray], float]:
    started = time.perf_counter()
    given = {"horizon": horizon, "test_share": 0.0, "series_embedding": vectors}
    config = panel_config(history, given)
    trained = fit_panel(history, config)
    for label, why in trained.left_out.items():
        print(f"global network: {label} left out ({why})")
    out = {label: future(run, history.series[label], (0.8,)).mean
           for label, run in trained.members.items()}  # fmt: skip
    return out, time.perf_counter() - started


def per_series_forecasts(history: Panel, horizon: int) -> tuple[dict[str, np.ndarray], float]:
    started, out = time.perf_counter(), {}
    for label, one in history.series.items():
        config = auto_config(len(one), season_length=one.season_length, horizon=horizon,
                             test_share=0.0)  # fmt: skip
        try:
            out[label] = future(fit(one, config), one, (0.8,)).mean
        except (DataError, ValueError) as err:
            print(f"per series: {label} left out ({err})")
    return out, time.perf_counter() - started


def naive_forecasts(history: Panel, horizon: int, season: int) -> tuple[dict, float]:
    """The last season repeated (the last value for a season of 1)."""
    out = {label: np.resize(one.values[-season:], horizon)
           for label, one in history.series.items()}  # fmt: skip
    return out, 0.0


def ets_forecasts(histories: list[Panel], horizon: int, season: int) -> list[tuple[dict, float]]:
    """AutoETS per series and origin, in .venv-bench."""
    if not BENCH_PYTHON.exists():
        sys.exit(f"error: {BENCH_PYTHON} is missing; run `make bench-venv` or pass --no-anchors")
    names = {f"{k}|{label}": (k, label) for k, h in enumerate(histories) for label in h.series}
    meta = {name: {"horizon": horizon, "season_length": season} for name in names}
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "histories.npz", Path(folder) / "anchors.json"
        arrays = {name: histories[k].series[label].values for name, (k, label) in names.items()}
        np.savez(source, __meta__=json.dumps(meta), **arrays)
        subprocess.run([BENCH_PYTHON, ROOT / "bench" / "anchors.py", source, target],
                       check=True, capture_output=True)  # fmt: skip
        raw = json.loads(target.read_text())["AutoETS"]
    results: list[tuple[dict, float]] = [({}, 0.0) for _ in histories]
    for name, (k, label) in names.items():
        results[k][0][label] = np.array(raw[name]["mean"])
        results[k] = (results[k][0], results[k][1] + raw[name]["seconds"])
    return results


def scored(runs: dict[str, list], histories: list[Panel], season: int) -> list[set[str]]:
    """Per origin, the series every forecaster forecast and whose history's scale is not 0."""
    common = []
    for k, history in enumerate(histories):
        labels = set.intersection(*(set(results[k][0]) for results in runs.values()))
        flat = {label for label in labels if scale(history.series[label].values, season) == 0}
        if flat:
            print(f"origin {k + 1}: not scored, a history without change: {sorted(flat)}")
        common.append(labels - flat)
    return common


def accuracy(source: Source, most: int | None, origins: int, horizon: int,
             anchors: bool, vectors: int = 0) -> None:  # fmt: skip
    panel, season = load(source, most), source.season
    histories = [truncated(panel, horizon + k) for k in range(origins)]
    makers = {"global": global_forecasts, "per series": per_series_forecasts,
              "seasonal naive": partial(naive_forecasts, season=season)}  # fmt: skip
    if vectors:
        makers[f"global, {vectors} numbers per series"] = partial(global_forecasts, vectors=vectors)
    runs = {name: [make(h, horizon) for h in histories] for name, make in makers.items()}
    if anchors:
        runs["AutoETS"] = ets_forecasts(histories, horizon, season)
    lengths = sorted({len(one) for one in panel.series.values()})
    span = f"{lengths[0]}" if len(lengths) == 1 else f"{lengths[0]} to {lengths[-1]}"
    print(f"{source.title}, {len(panel)} {source.what} x {span} {source.unit}, target "
          f"{source.target or 'each column'}, horizon {horizon}, {origins} origins\n")  # fmt: skip
    table(runs, panel, histories, horizon, season)


def table(runs: dict[str, list], panel: Panel, histories: list[Panel], horizon: int,
          season: int) -> None:  # fmt: skip
    """Geometric-mean MASE per forecaster over the same (origin, series) pairs: those every
    forecaster forecast with an error above 0 (a log of 0 has no mean; the pairs left are said)."""
    common = scored(runs, histories, season)
    scores: dict[str, dict[tuple[int, str], float]] = {}
    for name, results in runs.items():
        scores[name] = {}
        for k, (forecasts, _) in enumerate(results):
            for label in sorted(common[k], key=list(forecasts).index):
                end = len(panel.series[label]) - horizon - k
                actual = panel.series[label].values[end : end + horizon]
                history = histories[k].series[label].values
                scores[name][k, label] = mase(actual, forecasts[label], history, season)
    exact = {pair for by_pair in scores.values() for pair, value in by_pair.items() if value == 0}
    if exact:
        print(f"not in the means: {len(exact)} series x origins some forecaster got exactly right "
              f"(MASE 0): {', '.join(sorted({label for _, label in exact}))}\n")  # fmt: skip
    print("| forecaster | geometric-mean MASE | series x origins | fit + forecast s |")
    print("|---|---|---|---|")
    for name, results in runs.items():
        kept = [value for pair, value in scores[name].items() if pair not in exact]
        geometric = math.exp(np.mean(np.log(kept)))
        seconds = sum(took for _, took in results)
        print(f"| {name} | {geometric:.3f} | {len(kept)} | {seconds:.1f} |")


def large(series: int, length: int) -> None:
    """One epoch on a synthetic panel, in a process of its own so its peak memory is its own."""
    code = f"""
import time, numpy as np, pandas as pd
from data.panel import Panel
from data.prepare import from_array
from data.series import CleaningReport
from forecasting.panel_forecast import panel_config
from forecasting.panel_train import fit_panel
rng = np.random.default_rng(0)
steps = np.arange({length})
made = {{str(k): from_array(10 + k % 7 + np.sin(2 * np.pi * steps / 7 + k) +
        0.1 * rng.standard_normal({length}), season=7) for k in range({series})}}
panel = Panel(made, ("id",), {{k: (k,) for k in made}}, {{}}, CleaningReport())
config = panel_config(panel, {{"epochs": 1, "members": 1, "patience": 0}})
started = time.perf_counter()
trained = fit_panel(panel, config)
took = time.perf_counter() - started
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(f"{{took:.1f}} {{int(peak) / 1024:.0f}} {{config.window}} {{config.epoch_windows}}")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)  # fmt: skip
    took, peak, window, epoch_windows = done.stdout.split()
    print(f"\n| panel | one epoch s (fit, incl. set-up) | peak memory MiB | window | "
          f"windows an epoch |\n|---|---|---|---|---|\n| {series} x {length} | {took} | {peak} "
          f"| {window} | {epoch_windows if epoch_windows != '0' else 'all'} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", choices=sorted(PANELS), default="grunfeld")
    parser.add_argument("--most", type=int, default=None, metavar="N",
                        help="only the first N series, sorted by id")  # fmt: skip
    parser.add_argument("--series-embedding", type=int, default=0, metavar="N",
                        help="also the network with N numbers learned per series")  # fmt: skip
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--horizon", type=int, default=2)
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--length", type=int, default=1000)
    args = parser.parse_args()
    accuracy(PANELS[args.panel], args.most, args.origins, args.horizon, not args.no_anchors,
             args.series_embedding)  # fmt: skip
    if args.series:
        large(args.series, args.length)


if __name__ == "__main__":
    main()
