"""Simple forecasts every model must beat. Each maps a history (n,) to the next `horizon` values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def naive(history: np.ndarray, horizon: int, season_length: int = 1) -> np.ndarray:
    """The last value, repeated."""
    return np.full(horizon, history[-1], dtype=np.float64)


def seasonal_naive(history: np.ndarray, horizon: int, season_length: int = 1) -> np.ndarray:
    """The last full season, repeated; the naive forecast when the history is shorter."""
    if season_length <= 1 or len(history) < season_length:
        return naive(history, horizon)
    last_season = history[-season_length:]
    return np.resize(last_season, horizon).astype(np.float64)


def drift(history: np.ndarray, horizon: int, season_length: int = 1) -> np.ndarray:
    """The line from the first to the last value, extended."""
    if len(history) < 2:
        return naive(history, horizon)
    slope = (history[-1] - history[0]) / (len(history) - 1)
    return history[-1] + slope * np.arange(1, horizon + 1, dtype=np.float64)


def mean(history: np.ndarray, horizon: int, season_length: int = 1) -> np.ndarray:
    """The average of the history."""
    return np.full(horizon, np.mean(history), dtype=np.float64)


Baseline = Callable[[np.ndarray, int, int], np.ndarray]
BASELINES: dict[str, Baseline] = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "drift": drift,
    "mean": mean,
}
