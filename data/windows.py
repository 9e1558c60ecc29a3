"""Chronological splits, scalers fitted on the training part only, sliding windows as views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from data.errors import DataError

SCALERS = ("standard", "minmax", "none")
if TYPE_CHECKING:  # sklearn loads when a scaler is made: reading a file needs none
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    Scaler = MinMaxScaler | StandardScaler | None
else:
    Scaler = object


@dataclass(frozen=True)
class Split:
    """The series cut in time order: train, then validation, then test (views, not copies)."""

    values: np.ndarray
    train_end: int
    val_end: int

    @property
    def train(self) -> np.ndarray:
        return self.values[: self.train_end]

    @property
    def val(self) -> np.ndarray:
        return self.values[self.train_end : self.val_end]

    @property
    def test(self) -> np.ndarray:
        return self.values[self.val_end :]


def split(values: np.ndarray, val: float = 0.15, test: float = 0.15, min_part: int = 1) -> Split:
    """Cut by shares of the length; a non-empty part gets at least `min_part` points."""
    n = len(values)
    val_size, test_size = part_sizes(n, val, test, min_part)
    train_end = n - val_size - test_size
    if train_end < 2:
        raise DataError(
            f"The series has {n} points: too few to keep {val_size} for validation and "
            f"{test_size} for testing. Use a longer series or smaller shares."
        )
    return Split(values, train_end, n - test_size)


def part_sizes(n: int, val: float, test: float, min_part: int = 1) -> tuple[int, int]:
    """Points kept for validation and for testing."""
    return tuple(0 if share <= 0 else max(min_part, round(n * share)) for share in (val, test))


def fit_scaler(parts: Split, kind: str = "standard") -> Scaler:
    """A scaler fitted on the training part alone, so no later value leaks into it."""
    if kind == "none":
        return None
    if kind not in SCALERS:
        raise ValueError(f"scaler must be one of {SCALERS}, got {kind!r}")
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    scaler = MinMaxScaler() if kind == "minmax" else StandardScaler()
    scaler.fit(parts.train.reshape(-1, 1))
    return scaler


def scale(scaler: Scaler, values: np.ndarray) -> np.ndarray:
    if scaler is None:
        return np.asarray(values, dtype=np.float64)
    shape = np.shape(values)
    return scaler.transform(np.reshape(values, (-1, 1))).reshape(shape)


def unscale(scaler: Scaler, values: np.ndarray) -> np.ndarray:
    if scaler is None:
        return np.asarray(values, dtype=np.float64)
    shape = np.shape(values)
    return scaler.inverse_transform(np.reshape(values, (-1, 1))).reshape(shape)


def fit_covariate_scaler(train_rows: np.ndarray) -> StandardScaler:
    """Standardise each extra input with the statistics of the training rows alone."""
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit(train_rows)


def scale_inputs(
    scaler: Scaler, covariate_scaler: StandardScaler | None, inputs: np.ndarray
) -> np.ndarray:
    """Model inputs (n, features): the scaled target, then the scaled extra inputs."""
    if inputs.ndim == 1:
        return scale(scaler, inputs)[:, None]
    target = scale(scaler, inputs[:, 0])
    return np.column_stack([target, covariate_scaler.transform(inputs[:, 1:])])


def scaler_to_dict(scaler: Scaler) -> dict[str, object]:
    """The fitted parameters as plain numbers, for a checkpoint."""
    if scaler is None:
        return {"kind": "none"}
    from sklearn.preprocessing import MinMaxScaler  # loaded already: a scaler was made

    if isinstance(scaler, MinMaxScaler):
        return {
            "kind": "minmax",
            "min": float(scaler.data_min_[0]),
            "max": float(scaler.data_max_[0]),
        }
    return {"kind": "standard", "mean": float(scaler.mean_[0]), "scale": float(scaler.scale_[0])}


def scaler_from_dict(params: dict[str, object]) -> Scaler:
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    kind = params.get("kind")
    if kind == "none":
        return None
    if kind == "minmax":
        scaler = MinMaxScaler().fit(np.array([[params["min"]], [params["max"]]], dtype=np.float64))
        return scaler
    if kind == "standard":
        scaler = StandardScaler()
        scaler.mean_ = np.array([params["mean"]], dtype=np.float64)
        scaler.scale_ = np.array([params["scale"]], dtype=np.float64)
        scaler.var_ = scaler.scale_**2
        scaler.n_features_in_ = 1
        scaler.n_samples_seen_ = 2
        return scaler
    raise ValueError(f"unknown scaler kind {kind!r}")


def sliding(values: np.ndarray, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, window) and targets (n, horizon) of every window, as views of `values`."""
    frames = sliding_window_view(values, window + horizon)  # (n_windows, window + horizon)
    return frames[:, :window], frames[:, window:]


def target_starts(parts: Split, window: int, horizon: int, part: str) -> np.ndarray:
    """Indices of the first target step of every window whose whole target lies in `part`."""
    start, end = {
        "train": (0, parts.train_end),
        "val": (parts.train_end, parts.val_end),
        "test": (parts.val_end, len(parts.values)),
    }[part]
    first = max(start, window)
    last = end - horizon
    return np.arange(first, last + 1) if last >= first else np.arange(0)
