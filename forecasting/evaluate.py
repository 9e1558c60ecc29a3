"""Accuracy of the model and of the baselines on the same held-out windows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data.series import Series
from data.windows import target_starts
from forecasting.predict import actuals_from, baseline_forecasts, evenly_spread, forecast_from
from forecasting.train import Run, model_inputs

METRICS = ("MAE", "RMSE", "MAPE", "sMAPE", "MASE")
DEFAULT_BASELINES = ("naive", "seasonal_naive", "drift")
PART_NAMES = {"val": "validation", "test": "test"}
EVALUATION_WINDOWS = 10_000  # most windows scored; a long series' are evenly spread


@dataclass
class Evaluation:
    """Metrics per forecaster on one part of the series, and what could not be computed."""

    part: str
    windows: int
    table: dict[str, dict[str, float | None]]
    notes: list[str] = field(default_factory=list)

    def best_baseline(self, metric: str = "MASE") -> str | None:
        """The baseline with the lowest score; None when no baseline has one."""
        scores = {name: row[metric] for name, row in self.table.items() if name != "model"}
        defined = [name for name in scores if scores[name] is not None]
        return min(defined, key=scores.get) if defined else None


def headline_metric(table: dict[str, dict[str, float | None]]) -> str:
    """MASE, or MAE where the model's MASE is undefined: what verdicts compare."""
    return "MASE" if table["model"]["MASE"] is not None else "MAE"


def mase_scale(insample: np.ndarray, season_length: int) -> float | None:
    """Mean absolute error of the seasonal-naive forecast inside the training part."""
    lag = season_length if 1 <= season_length < len(insample) else 1
    scale = float(np.mean(np.abs(insample[lag:] - insample[:-lag])))
    return scale if scale > 0 else None


def metrics(
    actual: np.ndarray, predicted: np.ndarray, scale: float | None
) -> dict[str, float | None]:
    """MAE, RMSE, MAPE (None when an actual value is zero), sMAPE and MASE (None without scale)."""
    actual, predicted = np.ravel(actual), np.ravel(predicted)
    errors = predicted - actual
    mae = float(np.mean(np.abs(errors)))
    denominator = np.abs(actual) + np.abs(predicted)
    safe = np.where(denominator == 0, 1.0, denominator)
    smape = float(np.mean(np.where(denominator == 0, 0.0, 2 * np.abs(errors) / safe)) * 100)
    has_zero = bool(np.any(actual == 0))
    mape = None if has_zero else float(np.mean(np.abs(errors / actual)) * 100)
    return {
        "MAE": mae,
        "RMSE": float(np.sqrt(np.mean(errors**2))),
        "MAPE": mape,
        "sMAPE": smape,
        "MASE": None if scale is None else mae / scale,
    }


def evaluate(
    run: Run, series: Series, part: str = "test", baselines: tuple[str, ...] = DEFAULT_BASELINES
) -> Evaluation:
    """Forecast every window whose target lies in `part`, for the model and each baseline."""
    values, config = series.values, run.config
    parts = run.split(values)
    every = target_starts(parts, config.window, config.horizon, part)
    if not len(every):
        raise ValueError(f"the {PART_NAMES[part]} part holds no full forecast window")
    starts = evenly_spread(every, EVALUATION_WINDOWS)
    actual = actuals_from(values, starts, config.horizon)
    scale = mase_scale(parts.train, config.season_length)
    forecasts = {"model": forecast_from(run, model_inputs(series, config), starts)}
    for name in baselines:
        forecasts[name] = baseline_forecasts(name, values, starts, config)
    table = {name: metrics(actual, forecast, scale) for name, forecast in forecasts.items()}
    notes = []
    if len(starts) < len(every):
        notes.append(
            f"Scored on {len(starts):,} of the {len(every):,} {PART_NAMES[part]} windows, evenly "
            "spread, to keep scoring a long series quick."
        )
    if np.any(actual == 0):
        notes.append(f"MAPE is undefined: the {PART_NAMES[part]} part contains zeros.")
    if scale is None:
        notes.append("MASE is undefined: the training part does not change from season to season.")
    return Evaluation(PART_NAMES[part], len(starts), table, notes)


def autocorrelation(values: np.ndarray, lags: int) -> np.ndarray:
    """Sample autocorrelation at lags 1..`lags` (zeros for a constant input)."""
    centred = np.asarray(values, dtype=np.float64) - np.mean(values)
    denominator = float(np.dot(centred, centred))
    lags = min(lags, len(centred) - 1)
    if denominator == 0 or lags < 1:
        return np.zeros(max(lags, 0))
    return np.array(
        [np.dot(centred[:-lag], centred[lag:]) / denominator for lag in range(1, lags + 1)]
    )
