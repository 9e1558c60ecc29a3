"""Checks fit(), forecasts and checkpoints on a real CUDA GPU; exits non-zero when one fails.

Trains with TrainConfig(device="cuda"), forecasts from the CUDA run, saves it, and loads the
file in a fresh process that sees no GPU (CUDA_VISIBLE_DEVICES=""), as a CPU-only user would.

Usage: python3 bench/cuda_check.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.prepare import from_array
from data.series import Series
from forecasting.config import TrainConfig
from forecasting.evaluate import evaluate
from forecasting.persist import load_run, run_to_bytes, save_run
from forecasting.predict import future, held_out_path
from forecasting.train import Run, fit, mixed_precision, validation_loss
from models.recurrent import members_of

ROOT = Path(__file__).resolve().parents[1]

CONFIGS = {
    "lstm direct": TrainConfig(cell="lstm", window=24, horizon=6, hidden_size=32, epochs=20),
    "gru recursive": TrainConfig(
        cell="gru", strategy="recursive", window=24, horizon=6, hidden_size=32, epochs=20
    ),
    "lstm direct mixed": TrainConfig(
        cell="lstm", window=24, horizon=6, hidden_size=32, epochs=20, precision="mixed"
    ),
}
LOAD_ON_CPU = """
import json, sys
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
from data.prepare import from_array
from forecasting.persist import load_run
from forecasting.predict import future
run = load_run(sys.argv[2])
series = from_array(np.load(sys.argv[3]), target="signal")
print(json.dumps({
    "cuda_available": torch.cuda.is_available(),
    "devices": sorted({str(p.device) for p in run.model.parameters()}),
    "run_device": run.device,
    "mean": future(run, series).mean.tolist(),
}))
"""

failures: list[str] = []


def check(name: str, passed: bool, detail: str = "") -> None:
    print(f"{'PASS' if passed else 'FAIL'}  {name}{f': {detail}' if detail else ''}", flush=True)
    if not passed:
        failures.append(name)


def noisy_sine(points: int = 600, period: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(points)
    return 10 + np.sin(2 * np.pi * steps / period) + 0.1 * rng.standard_normal(points)


def check_run(label: str, run: Run, series: Series) -> None:
    gpu = torch.cuda.get_device_name(0)
    check(f"{label}: run.device names the GPU", run.device == f"CUDA · {gpu}", repr(run.device))
    devices = sorted({str(p.device) for p in run.model.parameters()})
    check(f"{label}: every parameter is on cuda", devices == ["cuda:0"], str(devices))
    losses = [log.val_loss for log in run.history]
    check(
        f"{label}: trained, validation loss fell",
        len(losses) == run.config.epochs and min(losses) < losses[0],
        f"{losses[0]:.4f} -> {min(losses):.4f} over {len(losses)} epochs in {run.seconds:.2f} s",
    )
    forecast = future(run, series)
    check(
        f"{label}: future() gives {run.config.horizon} finite values inside their interval",
        forecast.mean.shape == (run.config.horizon,)
        and bool(np.all(np.isfinite(forecast.mean)))
        and all(bool(np.all(forecast.lower(lv) <= forecast.upper(lv))) for lv in forecast.levels),
        np.array2string(forecast.mean, precision=3),
    )
    path = held_out_path(run, series)
    check(
        f"{label}: held_out_path() covers validation and test",
        len(path) == len(series) - run.train_end,
        f"{len(path)} points",
    )
    scores = evaluate(run, series, "test").table
    check(
        f"{label}: beats the naive forecast on the test part",
        scores["model"]["MAE"] < scores["naive"]["MAE"],
        f"MAE {scores['model']['MAE']:.3f} vs naive {scores['naive']['MAE']:.3f}",
    )
    check(f"{label}: validation_loss() runs", bool(np.isfinite(validation_loss(run, series))))
    if run.config.mixed:
        rnn = members_of(run.model)[0].rnn
        with torch.no_grad(), mixed_precision(torch.device("cuda"), run.config):
            dtype = rnn(torch.ones(2, run.config.window, 1, device="cuda"))[0].dtype
        check(f"{label}: the recurrent layers run in float16", dtype == torch.float16, str(dtype))


def check_checkpoint(label: str, run: Run, series: Series, folder: Path) -> None:
    expected = future(run, series).mean
    in_process = load_run(run_to_bytes(run))
    devices = sorted({str(p.device) for p in in_process.model.parameters()})
    check(f"{label}: load_run() puts the weights on the CPU", devices == ["cpu"], str(devices))
    check(
        f"{label}: the loaded run forecasts what the CUDA run did",
        np.allclose(future(in_process, series).mean, expected, rtol=1e-4, atol=1e-4),
    )
    path = save_run(run, folder / f"{label.replace(' ', '_')}.pt")
    values = folder / "values.npy"
    np.save(values, series.values)
    result = subprocess.run(
        [sys.executable, "-c", LOAD_ON_CPU, str(ROOT), str(path), str(values)],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        check(f"{label}: the checkpoint loads in a process without a GPU", False, result.stderr)
        return
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    check(
        f"{label}: the checkpoint loads in a process without a GPU",
        not seen["cuda_available"] and seen["devices"] == ["cpu"] and seen["run_device"] == "CPU",
        f"cuda available {seen['cuda_available']}, parameters on {seen['devices']}",
    )
    check(
        f"{label}: ... and forecasts what the CUDA run did",
        np.allclose(seen["mean"], expected, rtol=1e-4, atol=1e-4),
        f"largest difference {np.max(np.abs(np.array(seen['mean']) - expected)):.2e}",
    )


def main() -> None:
    if not torch.cuda.is_available():
        print("no CUDA GPU here: nothing to check", file=sys.stderr)
        sys.exit(2)
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
    series = from_array(noisy_sine(), target="signal")
    with tempfile.TemporaryDirectory() as folder:
        for label, config in CONFIGS.items():
            run = fit(series, config.with_changes(device="cuda"))
            check_run(label, run, series)
            check_checkpoint(label, run, series, Path(folder))
    print(f"{len(failures)} failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
