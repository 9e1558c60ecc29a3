"""Statistical anchors for bench/accuracy.py: AutoETS and AutoARIMA from statsforecast.

Runs in .venv-bench (statsforecast needs pandas < 3, the app pins pandas 3), called by
bench/accuracy.py with an .npz of training histories; writes forecasts, intervals and times
as JSON. Usage: .venv-bench/bin/python bench/anchors.py HISTORIES.npz OUT.json
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np
from statsforecast.models import AutoARIMA, AutoETS

ANCHORS = {"AutoETS": AutoETS, "AutoARIMA": AutoARIMA}
LEVELS = (80, 95)


def forecast_all(histories: dict[str, np.ndarray], meta: dict[str, dict]) -> dict:
    results: dict[str, dict] = {}
    for name, values in histories.items():
        horizon, season = meta[name]["horizon"], meta[name]["season_length"]
        for anchor, model in ANCHORS.items():
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = model(season_length=season).forecast(y=values, h=horizon, level=list(LEVELS))
            results.setdefault(anchor, {})[name] = {
                "mean": out["mean"].tolist(),
                **{f"lo-{lv}": out[f"lo-{lv}"].tolist() for lv in LEVELS},
                **{f"hi-{lv}": out[f"hi-{lv}"].tolist() for lv in LEVELS},
                "seconds": time.perf_counter() - started,
            }
            print(f"  {anchor:9s} {name:16s} {results[anchor][name]['seconds']:6.2f} s", flush=True)
    return results


def main(argv: list[str]) -> int:
    source, target = argv
    with np.load(source) as data:
        histories = {name: data[name] for name in data.files if name != "__meta__"}
        meta = json.loads(str(data["__meta__"]))
    with open(target, "w", encoding="utf-8") as out:
        json.dump(forecast_all(histories, meta), out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
