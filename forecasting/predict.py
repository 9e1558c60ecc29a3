"""Forecasts from a trained run: over the held-out parts, and past the end with intervals."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from data.series import Series
from data.windows import Split, target_starts, unscale
from forecasting.config import TrainConfig
from forecasting.train import Run, eval_batch, model_inputs, run_inputs
from models.baselines import BASELINES
from models.recurrent import roll_forward

DEFAULT_LEVELS = (0.8, 0.95)
CALIBRATION_WINDOWS = 10_000  # most validation windows the intervals are calibrated on


def check_levels(levels: Iterable[float]) -> tuple[float, ...]:
    """The nominal coverages sorted, without repeats; ValueError unless each is in (0, 1)."""
    checked = tuple(sorted({float(level) for level in levels}))
    if not checked:
        raise ValueError("levels must hold at least one interval level, such as 0.8")
    for level in checked:
        if not 0 < level < 1:  # also refuses NaN
            raise ValueError(f"level must be between 0 and 1, got {level}")
    return checked


def level_name(level: float) -> str:
    """A level as a percentage without the sign: 0.8 -> '80', 0.975 -> '97.5'."""
    return f"{round(level * 100, 6):g}"


@dataclass(frozen=True)
class Forecast:
    """The next `horizon` values after the series, with a prediction interval per level."""

    index: pd.Index
    mean: np.ndarray  # (horizon,)
    bands: dict[float, tuple[np.ndarray, np.ndarray]]  # nominal level -> (lower, upper)
    calibration: Calibration | None = field(default=None, compare=False, repr=False)

    @property
    def levels(self) -> tuple[float, ...]:
        return tuple(sorted(self.bands))

    def lower(self, level: float) -> np.ndarray:
        return self.bands[level][0]

    def upper(self, level: float) -> np.ndarray:
        return self.bands[level][1]

    def at_levels(self, levels: Iterable[float]) -> Forecast:
        """The same forecast with intervals at `levels`, cut from the same calibration."""
        margins = self.calibration.margins(levels)
        bands = {
            level: (self.mean - margin, self.mean + margin) for level, margin in margins.items()
        }
        return Forecast(self.index, self.mean, bands, self.calibration)

    def to_frame(self) -> pd.DataFrame:
        """timestamp, forecast, lower, upper (the widest band, as ARCHITECTURE.md's contract
        has it), then lower_80, upper_80, lower_95, ... by rising level."""
        widest = self.levels[-1]
        columns = {
            "timestamp": self.index,
            "forecast": self.mean,
            "lower": self.lower(widest),
            "upper": self.upper(widest),
        }
        for level in self.levels:
            columns[f"lower_{level_name(level)}"] = self.lower(level)
            columns[f"upper_{level_name(level)}"] = self.upper(level)
        return pd.DataFrame(columns)


def predict_scaled(run: Run, inputs: np.ndarray) -> np.ndarray:
    """Scaled forecasts (n, horizon) for scaled input windows (n, window, features)."""
    device = next(run.model.parameters()).device
    run.model.eval()
    outputs = []
    step = eval_batch(run.config)
    with torch.no_grad():
        for start in range(0, len(inputs), step):
            x = torch.as_tensor(inputs[start : start + step], dtype=torch.float32)
            x = x.to(device)  # (batch, window, features)
            if run.config.strategy == "recursive":
                y = roll_forward(run.model, x, run.config.horizon)
            else:
                y = run.model(x)
            outputs.append(y.cpu().numpy().astype(np.float64))
    return np.concatenate(outputs) if outputs else np.zeros((0, run.config.horizon))


def forecast_from(run: Run, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Forecasts (len(starts), horizon), in the data's units, of the steps from each start on.

    `values` is the target (n,), or the target and extra inputs (n, 1 + k) (`model_inputs`).
    """
    window = run.config.window
    if not len(starts):
        return np.zeros((0, run.config.horizon))
    scaled = run_inputs(run, values)  # (n, features)
    views = np.lib.stride_tricks.sliding_window_view(scaled, window, axis=0)  # (m, features, w)
    starts = np.asarray(starts)
    chunks = [  # windows are copied one batch at a time, never all at once
        predict_scaled(run, views[chunk - window].transpose(0, 2, 1))  # (batch, w, features)
        for chunk in np.array_split(starts, max(1, -(-len(starts) // eval_batch(run.config))))
    ]
    network = unscale(run.scaler, np.concatenate(chunks))
    if run.blend is None:
        return network
    target = values[:, 0] if np.ndim(values) == 2 else values
    baseline = baseline_forecasts(run.blend.baseline, target, starts, run.config)
    return run.blend.weight * network + (1 - run.blend.weight) * baseline


def baseline_forecasts(
    name: str, values: np.ndarray, starts: np.ndarray, config: TrainConfig
) -> np.ndarray:
    """A baseline's forecasts (len(starts), horizon) from the target's history at each start."""
    baseline = BASELINES[name]
    return np.stack([baseline(values[:s], config.horizon, config.season_length) for s in starts])


def actuals_from(values: np.ndarray, starts: np.ndarray, horizon: int) -> np.ndarray:
    """The true values (len(starts), horizon) that forecasts from `starts` aim at."""
    return values[np.asarray(starts)[:, None] + np.arange(horizon)]


@dataclass(frozen=True)
class Calibration:
    """What intervals are cut from: held-out errors scaled per horizon step, and the scale."""

    horizon: int
    spread: np.ndarray | None  # (horizon,) each step's scale; None when every error was zero
    val_scores: np.ndarray  # sorted scaled validation errors
    pooled: np.ndarray  # sorted scaled validation and training errors
    val_windows: int = 0  # forecasts the validation errors came from
    pooled_windows: int = 0  # forecasts the pooled errors came from

    def margins(self, levels: Iterable[float] = DEFAULT_LEVELS) -> dict[float, np.ndarray]:
        """Half-widths (horizon,) per level."""
        checked = check_levels(levels)
        if self.spread is None:
            return {level: np.zeros(self.horizon) for level in checked}
        margins = {}
        for level in checked:
            scores, quantile = self.val_scores, conformal_level(self.val_windows, level)
            if quantile > 1:
                scores, quantile = self.pooled, conformal_level(self.pooled_windows, level)
            margins[level] = np.quantile(scores, min(quantile, 1.0), method="higher") * self.spread
        return margins


def calibrate(run: Run, series: Series) -> Calibration:
    """Split-conformal calibration from validation residuals, for intervals at any level.

    Each step's errors are divided by that step's root-mean-square error (made non-decreasing
    along the horizon), the scaled errors of all steps are pooled, and the conformal quantile
    of the pool is scaled back per step: a validation part of a few windows then still gives
    a quantile from many errors, and intervals that widen with the horizon. The quantile's
    finite-sample correction counts forecasts, not errors (`conformal_level`). Each step's
    scale is the larger of the validation and the training errors', so a calm validation
    stretch does not narrow the intervals below what the history shows. When the validation
    part has too few forecasts for a level, the training part's scaled errors join the pool
    (when the training part has room for a window and its horizon: not for a long horizon).
    """
    horizon = run.config.horizon
    values = model_inputs(series, run.config)
    parts = run.split(series.values)
    val_errors = _errors(run, series, values, parts, "val")
    train_errors = _errors(run, series, values, parts, "train")
    val_spread, train_spread = _spread(val_errors), _spread(train_errors)
    if val_spread is None:
        return Calibration(horizon, None, np.zeros(0), np.zeros(0))
    val_scores = np.sort((val_errors / val_spread).ravel())
    windows = len(val_errors)
    if train_spread is None:
        return Calibration(horizon, val_spread, val_scores, val_scores, windows, windows)
    pooled = np.sort(np.concatenate([val_scores, (train_errors / train_spread).ravel()]))
    spread = np.maximum(val_spread, train_spread)
    return Calibration(horizon, spread, val_scores, pooled, windows, windows + len(train_errors))


def conformal_margins(
    run: Run, series: Series, levels: Iterable[float] = DEFAULT_LEVELS
) -> dict[float, np.ndarray]:
    """Half-widths (horizon,) of split-conformal intervals per level (see `calibrate`)."""
    return calibrate(run, series).margins(levels)


def conformal_level(windows: int, level: float) -> float:
    """The quantile of the scores that covers `level`: ceil((n + 1) level) / n for n windows.

    n counts forecasts, not scores: the errors of one forecast's steps come together, so a
    window of 12 steps is one draw, not 12. Above 1 when n is too few for the level.
    """
    return math.ceil((windows + 1) * level) / windows if windows else math.inf


def _errors(run: Run, series: Series, values: np.ndarray, parts: Split, part: str) -> np.ndarray:
    """Absolute errors (windows, horizon) of forecasts whose targets lie in `part`."""
    starts = target_starts(parts, run.config.window, run.config.horizon, part)
    starts = evenly_spread(starts, CALIBRATION_WINDOWS)
    forecasts = forecast_from(run, values, starts)
    return np.abs(actuals_from(series.values, starts, run.config.horizon) - forecasts)


def evenly_spread(starts: np.ndarray, most: int) -> np.ndarray:
    """At most `most` of `starts`, evenly spread, the first and the last kept."""
    if len(starts) <= most:
        return starts
    return starts[np.linspace(0, len(starts) - 1, most).round().astype(int)]


def _spread(errors: np.ndarray) -> np.ndarray | None:
    """Each step's root-mean-square error, non-decreasing along the horizon; None if all 0."""
    if not len(errors):
        return None
    spread = np.maximum.accumulate(np.sqrt(np.mean(errors**2, axis=0)))
    if not spread[-1] > 0:
        return None
    return np.maximum(spread, spread[spread > 0][0])


def future(run: Run, series: Series, levels: Iterable[float] = DEFAULT_LEVELS) -> Forecast:
    """The horizon after the last point, from the last window of the series."""
    mean = forecast_from(run, model_inputs(series, run.config), np.array([len(series)]))[0]
    empty = Forecast(series.future_index(run.config.horizon), mean, {}, calibrate(run, series))
    return empty.at_levels(levels)


PREVIEW_WINDOWS = 500  # held-out forecasts in a preview at most: the latest, end to end


@dataclass(frozen=True)
class Preview:
    """A model in training, drawn early: its forecasts over the held-out parts and past the end."""

    epochs: int  # epochs done when it was drawn
    path: pd.Series  # over validation and test, as held_out_path
    ahead: pd.Series  # the horizon after the last point


def preview_of(run: Run, series: Series) -> Preview:
    """The run's model as it is now (in training), forecasting the held-out parts and beyond."""
    held_out = np.arange(run.train_end, len(series), run.config.horizon)[-PREVIEW_WINDOWS:]
    starts = np.append(held_out, len(series))
    forecasts = forecast_from(run, model_inputs(series, run.config), starts)
    ahead = pd.Series(forecasts[-1], index=series.future_index(run.config.horizon), name="ahead")
    path = path_from(series, starts[:-1], forecasts[:-1], "prediction")
    return Preview(len(run.history), path, ahead)


def held_out_path(run: Run, series: Series) -> pd.Series:
    """One forecast line over validation and test: a forecast from every horizon-th point on."""
    starts = np.arange(run.train_end, len(series), run.config.horizon)
    if not len(starts):
        return pd.Series(dtype=np.float64)
    forecasts = forecast_from(run, model_inputs(series, run.config), starts)
    return path_from(series, starts, forecasts, "prediction")


def path_from(series: Series, starts: np.ndarray, forecasts: np.ndarray, name: str) -> pd.Series:
    """Forecasts (len(starts), horizon) laid end to end on the series' time axis, cut at its end."""
    positions = (starts[:, None] + np.arange(forecasts.shape[1])).ravel()
    inside = positions < len(series)
    return pd.Series(forecasts.ravel()[inside], index=series.index[positions[inside]], name=name)
