"""Many series, one network (issue 19): accuracy and time on a real panel, and the cost of a
large one.

a. Grunfeld's investment panel (data/samples/panels/grunfeld.csv: 11 firms x 20 years), target
   `invest`, horizon H, at the last `--origins` origins (each history ends H, H+1, ... points
   before the end). Per forecaster, the geometric-mean MASE over every series and origin (each
   scaled by its history's naive error, the season being 1) and the total fit + forecast time:
   - `global`: one network on every series (forecasting/panel_train.py, the CLI's defaults);
   - `per series`: the single-series model fitted on each series alone (the CLI's defaults);
   - `seasonal naive` (the last value, for yearly data) and `AutoETS` per series
     (statsforecast, run in .venv-bench by bench/anchors.py; `--no-anchors` skips it).
b. A synthetic panel of `--series` x `--length` points: the seconds of one epoch of the global
   network and the process's peak memory (VmHWM), in a process of its own.

Usage: .venv/bin/python bench/panel.py [--origins 3] [--horizon 2] [--no-anchors]
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
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.load import read_table  # noqa: E402
from data.panel import Panel, read_long  # noqa: E402
from data.series import CleaningReport  # noqa: E402
from forecasting.config import auto_config  # noqa: E402
from forecasting.panel_forecast import panel_config  # noqa: E402
from forecasting.panel_train import fit_panel  # noqa: E402
from forecasting.predict import future  # noqa: E402
from forecasting.train import fit  # noqa: E402

GRUNFELD = ROOT / "data" / "samples" / "panels" / "grunfeld.csv"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"


def truncated(panel: Panel, drop: int) -> Panel:
    """The panel with the last `drop` points of every series held out."""
    series = {label: one.head(len(one) - drop) for label, one in panel.series.items()}
    return Panel(series, panel.id_cols, panel.ids, {}, CleaningReport())


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray) -> float:
    scale = float(np.mean(np.abs(np.diff(history))))
    return float(np.mean(np.abs(actual - forecast))) / scale


def global_forecasts(history: Panel, horizon: int) -> tuple[dict[str, np.ndarray], float]:
    started = time.perf_counter()
    config = panel_config(history, {"horizon": horizon, "test_share": 0.0})
    trained = fit_panel(history, config)
    out = {label: future(run, history.series[label], (0.8,)).mean
           for label, run in trained.members.items()}  # fmt: skip
    return out, time.perf_counter() - started


def per_series_forecasts(history: Panel, horizon: int) -> tuple[dict[str, np.ndarray], float]:
    started, out = time.perf_counter(), {}
    for label, one in history.series.items():
        config = auto_config(len(one), season_length=one.season_length, horizon=horizon,
                             test_share=0.0)  # fmt: skip
        out[label] = future(fit(one, config), one, (0.8,)).mean
    return out, time.perf_counter() - started


def naive_forecasts(history: Panel, horizon: int) -> tuple[dict[str, np.ndarray], float]:
    out = {label: np.repeat(one.values[-1], horizon) for label, one in history.series.items()}
    return out, 0.0


def ets_forecasts(histories: list[Panel], horizon: int) -> list[tuple[dict, float]]:
    """AutoETS per series and origin, in .venv-bench."""
    if not BENCH_PYTHON.exists():
        sys.exit(f"error: {BENCH_PYTHON} is missing; run `make bench-venv` or pass --no-anchors")
    names = {f"{k}|{label}": (k, label) for k, h in enumerate(histories) for label in h.series}
    meta = {name: {"horizon": horizon, "season_length": 1} for name in names}
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


def accuracy(origins: int, horizon: int, anchors: bool) -> None:
    table = read_table(GRUNFELD)
    panel = read_long(table, ["firm"], "year", "invest")
    histories = [truncated(panel, horizon + k) for k in range(origins)]
    makers = {"global": global_forecasts, "per series": per_series_forecasts,
              "seasonal naive": naive_forecasts}  # fmt: skip
    runs = {name: [make(h, horizon) for h in histories] for name, make in makers.items()}
    if anchors:
        runs["AutoETS"] = ets_forecasts(histories, horizon)
    print(f"Grunfeld, {len(panel)} firms x {len(next(iter(panel.series.values())))} years, "
          f"target invest, horizon {horizon}, {origins} origins\n")  # fmt: skip
    print("| forecaster | geometric-mean MASE | series x origins | fit + forecast s |")
    print("|---|---|---|---|")
    for name, results in runs.items():
        scores = []
        for k, (forecasts, _) in enumerate(results):
            end = len(next(iter(panel.series.values()))) - horizon - k
            for label, forecast in forecasts.items():
                actual = panel.series[label].values[end : end + horizon]
                scores.append(mase(actual, forecast, histories[k].series[label].values))
        geometric = math.exp(np.mean(np.log(scores)))
        seconds = sum(took for _, took in results)
        print(f"| {name} | {geometric:.3f} | {len(scores)} | {seconds:.1f} |")


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
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--horizon", type=int, default=2)
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--length", type=int, default=1000)
    args = parser.parse_args()
    accuracy(args.origins, args.horizon, not args.no_anchors)
    large(args.series, args.length)


if __name__ == "__main__":
    main()
