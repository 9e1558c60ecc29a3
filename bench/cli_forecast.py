"""Wall time of `python -m forecasting forecast` on the bundled samples, as a user runs it.

Usage: .venv/bin/python bench/cli_forecast.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("airline.csv", ["--horizon", "12"]),
    ("shampoo.csv", []),
    ("elnino.csv", []),
    ("co2.csv", []),
]


def time_case(sample: str, options: list[str], model: str, repeat: int) -> dict[str, object]:
    seconds, summary = [], {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            command = [
                sys.executable,
                "-m",
                "forecasting",
                "forecast",
                f"data/samples/{sample}",
                "--model",
                model,
                "--out",
                out,
                *options,
            ]
            started = time.perf_counter()
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
            seconds.append(time.perf_counter() - started)
            summary = json.loads(result.stdout)
            metrics = json.loads((Path(out) / "metrics.json").read_text())
    return {
        "sample": sample,
        "model": model,
        "wall_s": statistics.median(seconds),
        "fit_s": metrics["fit_seconds"],
        "best_epoch": metrics["best_epoch"],
        "val_mase": summary["mase"],
        "snaive_mase": metrics["metrics"]["seasonal_naive"]["MASE"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| sample | model | wall s (median) | fit s | best epoch | val MASE | snaive MASE |")
    print("|---|---|---|---|---|---|---|")
    for sample, options in CASES:
        for model in ("lstm", "gru"):
            row = time_case(sample, options, model, args.repeat)
            print(
                f"| {row['sample']} | {row['model']} | {row['wall_s']:.2f} | {row['fit_s']:.2f} "
                f"| {row['best_epoch']} | {row['val_mase']:.3f} | {row['snaive_mase']:.3f} |"
            )


if __name__ == "__main__":
    main()
