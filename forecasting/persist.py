"""A Run to a checkpoint file and back, checking that weights and settings fit together."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.preprocessing import StandardScaler

from data.errors import DataError
from data.series import Series
from data.windows import Scaler, scaler_from_dict, scaler_to_dict, split
from forecasting.config import ConfigError, TrainConfig, bounds
from forecasting.device import choose_device, device_name
from forecasting.guard import GUARDED, guarded
from forecasting.limits import ServerLimits, check_config
from forecasting.randomness import RunRandom
from forecasting.train import Blend, EpochLog, Run, build_model, model_inputs
from models import checkpoint
from models.checkpoint import MIB, RESAVE, Checkpoint, CheckpointError

BEFORE_ENSEMBLES = {
    "members": 1,
    "window_scale": False,
    "loss": "mse",
    "epoch_windows": 0,
    "linear": False,
    "pool": 1,
}
"""What checkpoints saved before these settings existed were trained with."""
HISTORY_BYTES = 192  # one epoch's line of history takes about 125
SCALER_NUMBERS = {"none": (), "minmax": ("min", "max"), "standard": ("mean", "scale")}
DEVICE_NAMES = {"cuda": "a CUDA GPU", "mps": "an Apple GPU (MPS)"}


def _as_trained(config: TrainConfig, meta: dict[str, Any]) -> TrainConfig:
    """`config` with the pool its network was trained with, should the automatic rule change."""
    pool = meta.get("pool", config.pool_length)
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
        "covariate_scaler": covariate_scaler_to_dict(run.covariate_scaler),
        "pool": run.config.pool_length,  # what an automatic pool was when it trained
        "blend": None if run.blend is None else asdict(run.blend),
        "series_index": run.series_index,
    }
    return Checkpoint(
        run.config.to_dict(), scaler_to_dict(run.scaler), run.model.state_dict(), meta
    )


def run_to_bytes(run: Run) -> bytes:
    return checkpoint.to_bytes(to_checkpoint(run))


def save_run(run: Run, path: str | Path) -> Path:
    return checkpoint.save(to_checkpoint(run), path)


@dataclass(frozen=True)
class OpenedRun:
    """A run loaded from a checkpoint, and what was changed so that it runs here."""

    run: Run
    notes: tuple[str, ...] = ()  # one sentence each, for the page or the terminal


def load_run(
    source: str | Path | bytes, max_bytes: int | None = None, limits: ServerLimits | None = None
) -> Run:
    """A Run from a checkpoint file (path or bytes), on the CPU, ready to predict."""
    return open_run(source, max_bytes, limits).run


def open_run(
    source: str | Path | bytes, max_bytes: int | None = None, limits: ServerLimits | None = None
) -> OpenedRun:
    """A Run from a checkpoint file, judged before anything in it is built.

    The file must be at most `max_bytes`; its settings within `limits` (a web visitor's; None
    keeps TrainConfig's ranges); its weights the names and shapes its settings describe, finite;
    its scaling finite and fitting the settings. Any failure is a CheckpointError."""
    examined = checkpoint.examine(source, max_bytes, _settings_bytes(limits))
    config = _checked_config(examined, limits)
    config, notes = _runnable_here(config)
    _check_shapes(examined.shapes, config)
    scaler = checked_scaler(examined.scaler)
    covariate_scaler = checked_covariate_scaler(examined.meta.get("covariate_scaler"), config)
    state = examined.weights()  # judged finite in the file before any is copied
    with RunRandom(config.seed).drawing():  # its weights are replaced: no other run's draws
        model = build_model(config.with_changes(device="cpu"))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise CheckpointError(
            "This checkpoint's weights do not match its settings (wrong names or shapes), "
            "so it is not loaded."
        ) from err
    model.eval()
    return OpenedRun(_run(config, model, scaler, covariate_scaler, examined.meta), notes)


def _settings_bytes(limits: ServerLimits | None) -> int:
    """The most a checkpoint's settings and history may take: the history grows with epochs."""
    epochs = bounds("epochs")[1] if limits is None else limits.most("epochs")
    return MIB + HISTORY_BYTES * epochs


def _checked_config(examined: checkpoint.Examined, limits: ServerLimits | None) -> TrainConfig:
    try:
        config = TrainConfig.from_dict({**BEFORE_ENSEMBLES, **examined.config})
        config = _as_trained(config, examined.meta)
    except (ConfigError, ValueError, TypeError, KeyError) as err:
        raise CheckpointError(f"This checkpoint's settings are not valid: {err}.") from err
    if limits is not None:
        try:
            check_config(config, limits)
        except ConfigError as err:  # a LimitError, which names the setting and its limit
            raise CheckpointError(
                f"This checkpoint's network is larger than this server allows: {err} Use the "
                "checkpoint of a smaller network, or ask the operator to raise the limit."
            ) from err
    return config


def _runnable_here(config: TrainConfig) -> tuple[TrainConfig, tuple[str, ...]]:
    """`config` with its device set to auto when the one it trained on is missing here."""
    if config.device in ("auto", "cpu"):
        return config, ()
    try:
        choose_device(config.device)
    except ConfigError:
        here = device_name(choose_device("auto"))
        note = (
            f"This model was trained on {DEVICE_NAMES[config.device]}, which this machine does "
            f"not have; it runs on this machine's {here} instead (device set to auto)."
        )
        return config.with_changes(device="auto"), (note,)
    return config, ()


def _check_shapes(found: dict[str, tuple[int, ...]], config: TrainConfig) -> None:
    """Refuse weights other than those the settings' network has, before building it."""
    with torch.device("meta"):
        expected = build_model(config).state_dict()
    problems = [f"it lacks {name}" for name in expected if name not in found]
    problems += [f"it has an extra weight {_short(name)}" for name in found if name not in expected]
    problems += [
        f"{name} has shape {list(found[name])} where the settings need {list(tensor.shape)}"
        for name, tensor in expected.items()
        if name in found and (found[name] != tuple(tensor.shape) or tensor.dtype != torch.float32)
    ]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CheckpointError(
            "This checkpoint's weights do not match its settings (wrong names or shapes), so it "
            f"is not loaded: {problems[0]}{more}. Save the model again from Forecast Lab."
        )


def checked_scaler(params: dict[str, Any]) -> Scaler:
    """The target's scaling, its numbers each one finite value (a scale above 0)."""
    kind = params.get("kind")
    if not isinstance(kind, str) or kind not in SCALER_NUMBERS:
        raise CheckpointError(f"This checkpoint's scaling is of an unknown kind. {RESAVE}")
    for name in SCALER_NUMBERS[kind]:
        if not _finite(params.get(name)):
            raise CheckpointError(
                f"This checkpoint's scaling is damaged: its {name} is not one finite number. "
                f"{RESAVE}"
            )
    if kind == "standard" and params["scale"] <= 0:
        raise CheckpointError(
            f"This checkpoint's scaling is damaged: its scale is {params['scale']}, and a scale "
            f"must be above 0. {RESAVE}"
        )
    return scaler_from_dict(params)


def checked_covariate_scaler(params: object, config: TrainConfig) -> StandardScaler | None:
    """The extra inputs' scaling: one finite mean and one positive scale per extra input."""
    if not config.covariates:
        return None
    count = len(config.covariates)
    fits = isinstance(params, dict) and all(
        isinstance(params.get(key), list)
        and len(params[key]) == count
        and all(_finite(value) for value in params[key])
        for key in ("mean", "scale")
    )
    if not fits or min(params["scale"]) <= 0:
        raise CheckpointError(
            f"This checkpoint's scaling of its {count} extra inputs is missing or damaged (it "
            f"needs {count} finite means and {count} scales above 0). {RESAVE}"
        )
    return _covariate_scaler_from_dict(params, config)


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return type(value) is int and abs(value) < 2**53


def _run(
    config: TrainConfig,
    model: torch.nn.Module,
    scaler: Scaler,
    covariate_scaler: StandardScaler | None,
    meta: dict[str, Any],
) -> Run:
    try:
        train_end, val_end = int(meta["train_end"]), int(meta["val_end"])
        if not 0 <= train_end <= val_end:
            raise ValueError(f"its split ends {train_end} and {val_end} are out of order")
        return Run(
            config,
            model,
            scaler,
            train_end,
            val_end,
            str(meta["fingerprint"]),
            _history(meta.get("history", [])),
            int(meta.get("best_epoch", 0)),
            str(meta.get("stop_reason", "")),
            "CPU",
            float(meta.get("seconds", 0.0)),
            covariate_scaler,
            blend=checked_blend(meta.get("blend")),
            series_index=checked_series_index(meta.get("series_index"), config),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise CheckpointError(f"This checkpoint's description is incomplete: {err}.") from err


def checked_series_index(saved: object, config: TrainConfig) -> int | None:
    """The series' row in its panel network's embedding: a whole number below the rows it has,
    present exactly when the network has one."""
    if not config.embedded:
        if saved is not None:
            raise CheckpointError(
                "This checkpoint names a series of a panel, but its network has no series "
                f"vectors. {RESAVE}"
            )
        return None
    if type(saved) is not int or not 0 <= saved < config.series_count:
        raise CheckpointError(
            f"This checkpoint's series index {saved!r} is not one of the {config.series_count} "
            f"series its network has. {RESAVE}"
        )
    return saved


def checked_blend(saved: object) -> Blend | None:
    """The saved blend with a baseline: one the guard blends with, a share from 0 to below 1,
    finite errors."""
    if saved is None:
        return None
    blend = Blend(**saved)  # TypeError for other keys, or not a dict
    numbers = (blend.weight, blend.model_error, blend.blended_error)
    if blend.baseline not in GUARDED or not all(_finite(value) for value in numbers):
        raise ValueError("its blend with a baseline is not one this app makes")
    if not 0 <= blend.weight < 1:
        raise ValueError(f"its blend gives the network a share of {blend.weight}, outside 0 to 1")
    return blend


def _history(logs: object) -> list[EpochLog]:
    """The epochs as saved: whole epoch numbers and finite losses and times."""
    if not isinstance(logs, list):
        raise TypeError("its history is not a list of epochs")
    history = [EpochLog(**log) for log in logs]
    for log in history:
        numbers = (log.train_loss, log.val_loss, log.elapsed)
        if (
            type(log.epoch) is not int
            or type(log.epochs) is not int
            or not all(_finite(value) for value in numbers)
        ):
            raise ValueError("its history holds values that are not numbers")
    return history


def _short(name: str) -> str:
    return name if len(name) <= 80 else f"{name[:77]}..."


def covariate_scaler_to_dict(scaler: StandardScaler | None) -> dict[str, list[float]] | None:
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
    applied = replace(run, train_end=parts.train_end, val_end=parts.val_end,
                      fingerprint=series.fingerprint(), blend=None)  # fmt: skip
    return guarded(applied, series)  # a blend is chosen on this series' validation part
