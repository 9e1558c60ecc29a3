"""Which torch device a run uses, and its name as the app shows it."""

from __future__ import annotations

import torch

from forecasting.config import ConfigError


def choose_device(preference: str = "auto") -> torch.device:
    """CUDA, then Apple MPS, then CPU, unless a device is asked for."""
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for, but no CUDA GPU is available here")
    if preference == "mps" and not _mps_available():
        raise ConfigError("device 'mps' was asked for, but Apple MPS is not available here")
    return torch.device(preference)


def device_name(device: torch.device) -> str:
    """'CUDA · NVIDIA H100', 'MPS · Apple GPU' or 'CPU'."""
    if device.type == "cuda":
        return f"CUDA · {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "MPS · Apple GPU"
    return "CPU"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def share_cores(threads: int = 1) -> None:
    """Cap torch's threads per training, so concurrent sessions do not oversubscribe the cores.

    Small recurrent models gain little from intra-op threads, and threads that spin while
    another process holds the cores slow training down by orders of magnitude.
    """
    torch.set_num_threads(threads)
