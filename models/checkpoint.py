"""Save a run as one file and load it back safely: tensors and plain values only, never code."""

from __future__ import annotations

import hashlib
import io
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

FORMAT = "forecast-lab-checkpoint"
VERSION = 1
APP_VERSION = "0.1.0"
REQUIRED = ("format", "version", "config", "scaler", "state_dict", "meta", "checksum")


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint of ours; the message says why."""


@dataclass
class Checkpoint:
    """What a checkpoint file holds, as plain values."""

    config: dict[str, Any]
    scaler: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)


def library_versions() -> dict[str, str]:
    return {
        "forecast_lab": APP_VERSION,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def to_bytes(checkpoint: Checkpoint) -> bytes:
    state = {
        key: tensor.detach().cpu().contiguous() for key, tensor in checkpoint.state_dict.items()
    }
    meta = {**checkpoint.meta, "versions": library_versions()}
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "config": json.dumps(checkpoint.config, sort_keys=True),
        "scaler": json.dumps(checkpoint.scaler, sort_keys=True),
        "meta": json.dumps(meta, sort_keys=True),
        "state_dict": state,
    }
    payload["checksum"] = _checksum(payload)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def save(checkpoint: Checkpoint, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(to_bytes(checkpoint))
    return path


def load(source: str | Path | bytes) -> Checkpoint:
    """Read a checkpoint, refusing anything that is not an intact file of ours."""
    raw = source if isinstance(source, bytes) else _read(Path(source))
    try:
        payload = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception as err:
        raise CheckpointError(
            "This file is not a Forecast Lab checkpoint (it cannot be read as one). "
            "Upload a .pt file saved by Forecast Lab."
        ) from err
    _check_payload(payload)
    try:
        config = json.loads(payload["config"])
        scaler = json.loads(payload["scaler"])
        meta = json.loads(payload["meta"])
    except (TypeError, json.JSONDecodeError) as err:
        raise CheckpointError("This checkpoint is damaged: its settings cannot be read.") from err
    if not all(isinstance(part, dict) for part in (config, scaler, meta)):
        raise CheckpointError("This checkpoint is damaged: its settings cannot be read.")
    return Checkpoint(config, scaler, dict(payload["state_dict"]), meta)


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise CheckpointError(f"Checkpoint not found: {path}.")
    return path.read_bytes()


def _check_payload(payload: object) -> None:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            "This file is not a Forecast Lab checkpoint. Upload a .pt file saved by Forecast Lab."
        )
    missing = [key for key in REQUIRED if key not in payload]
    if missing:
        raise CheckpointError(f"This checkpoint is incomplete: it lacks {', '.join(missing)}.")
    if payload["version"] != VERSION:
        raise CheckpointError(
            f"This checkpoint has format version {payload['version']}; "
            f"this Forecast Lab reads version {VERSION}."
        )
    state = payload["state_dict"]
    if not isinstance(state, dict) or not all(_is_weight(k, v) for k, v in state.items()):
        raise CheckpointError("This checkpoint is damaged: its weights are not float32 tensors.")
    if payload["checksum"] != _checksum(payload):
        raise CheckpointError(
            "This checkpoint was changed after it was saved (its checksum does not match), "
            "so it is not loaded."
        )


def _is_weight(name: object, tensor: object) -> bool:
    """A named, plain float32 tensor, as `to_bytes` writes them (and as `_checksum` can read)."""
    return (
        isinstance(name, str)
        and isinstance(tensor, torch.Tensor)
        and tensor.dtype == torch.float32
        and tensor.layout == torch.strided
        and not tensor.requires_grad
    )


def _checksum(payload: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for key in ("format", "version", "config", "scaler", "meta"):
        digest.update(f"{key}={payload[key]}\n".encode())
    for name in sorted(payload["state_dict"]):
        tensor = payload["state_dict"][name]
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}\n".encode())
        digest.update(tensor.contiguous().numpy().tobytes())
    return digest.hexdigest()
