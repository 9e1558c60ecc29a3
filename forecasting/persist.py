"""A Run to a checkpoint file and back, checking that weights and settings fit together."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
from sklearn.preprocessing import StandardScaler

from data.errors import DataError
from data.prepare import Series
from data.windows import scaler_from_dict, scaler_to_dict, split
from forecasting.config import ConfigError, TrainConfig
from forecasting.train import EpochLog, Run, build_model, model_inputs
from models import checkpoint
from models.checkpoint import Checkpoint, CheckpointError

BEFORE_ENSEMBLES = {
    "members": 1,
    "window_scale": False,
    "loss": "mse",
    "epoch_windows": 0,
    "linear": False,
    "pool": 1,
}
"""What checkpoints saved before these settings existed were trained with."""


def _as_trained(config: TrainConfig, saved: Checkpoint) -> TrainConfig:
    """`config` with the pool its network was trained with, should the automatic rule change."""
    pool = saved.meta.get("pool", config.pool_length)
    if isinstance(pool, bool) or not isinstance(pool, int) or pool < 1:
        raise ConfigError(f"pool must be a whole number of at least 1; got {pool!r}")
    return config if pool == config.pool_length else config.with_changes(pool=pool)


def to_checkpoint(run: Run) -> Checkpoint:
    meta = {
        "train_end": run.train_end,
        "val_end": run.val_end,
        "fingerprint": run.fingerprint,
        "best_epoch": run.best_epoch,
        "stop_reason": run.stop_reason,
        "device": run.device,
        "seconds": run.seconds,
        "history": [asdict(log) for log in run.history],
        "covariate_scaler": _covariate_scaler_to_dict(run.covariate_scaler),
        "pool": run.config.pool_length,  # what an automatic pool was when it trained
    }
    return Checkpoint(
        run.config.to_dict(), scaler_to_dict(run.scaler), run.model.state_dict(), meta
    )


def run_to_bytes(run: Run) -> bytes:
    return checkpoint.to_bytes(to_checkpoint(run))


def save_run(run: Run, path: str | Path) -> Path:
    return checkpoint.save(to_checkpoint(run), path)


def load_run(source: str | Path | bytes) -> Run:
    """A Run from a checkpoint file (path or bytes), on the CPU, ready to predict."""
    saved = checkpoint.load(source)
    try:
        config = _as_trained(TrainConfig.from_dict({**BEFORE_ENSEMBLES, **saved.config}), saved)
        scaler = scaler_from_dict(saved.scaler)
    except (ConfigError, ValueError, TypeError, KeyError) as err:
        raise CheckpointError(f"This checkpoint's settings are not valid: {err}.") from err
    model = build_model(config.with_changes(device="cpu"))
    try:
        model.load_state_dict(saved.state_dict, strict=True)
    except RuntimeError as err:
        raise CheckpointError(
            "This checkpoint's weights do not match its settings (wrong names or shapes), "
            "so it is not loaded."
        ) from err
    model.eval()
    meta = saved.meta
    try:
        history = [EpochLog(**log) for log in meta.get("history", [])]
        covariate_scaler = _covariate_scaler_from_dict(meta.get("covariate_scaler"), config)
        return Run(
            config,
            model,
            scaler,
            int(meta["train_end"]),
            int(meta["val_end"]),
            str(meta["fingerprint"]),
            history,
            int(meta.get("best_epoch", 0)),
            str(meta.get("stop_reason", "")),
            "CPU",
            float(meta.get("seconds", 0.0)),
            covariate_scaler,
        )
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"This checkpoint's description is incomplete: {err}.") from err


def _covariate_scaler_to_dict(scaler: StandardScaler | None) -> dict[str, list[float]] | None:
    if scaler is None:
        return None
    return {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}


def _covariate_scaler_from_dict(
    params: dict[str, list[float]] | None, config: TrainConfig
) -> StandardScaler | None:
    if not config.covariates:
        return None
    mean = np.asarray(params["mean"], dtype=np.float64)
    scale = np.asarray(params["scale"], dtype=np.float64)
    if mean.shape != (len(config.covariates),) or scale.shape != mean.shape:
        raise ValueError("the extra inputs' scaling does not match their number")
    scaler = StandardScaler()
    scaler.mean_, scaler.scale_, scaler.var_ = mean, scale, scale**2
    scaler.n_features_in_, scaler.n_samples_seen_ = len(mean), 2
    return scaler


def apply_to(run: Run, series: Series) -> Run:
    """The same trained model, with the held-out parts cut from another series."""
    config = run.config
    model_inputs(series, config)
    parts = split(series.values, config.val_share, config.test_share, min_part=config.horizon)
    if parts.train_end < config.window:
        raise DataError(
            f"The saved model reads windows of {config.window} steps, but this series has only "
            f"{len(series)} points. Use a longer series with this model."
        )
    return replace(
        run, train_end=parts.train_end, val_end=parts.val_end, fingerprint=series.fingerprint()
    )
