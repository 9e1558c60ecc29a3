"""TrainConfig: the single description of a run, shared by the UI, the CLI, URLs and checkpoints."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from data.series import Series
from data.windows import SCALERS, part_sizes
from models.recurrent import CELLS, RESIDUALS

STRATEGIES = ("direct", "recursive")
LOSSES = ("mae", "mse", "huber")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "mixed")
MIXED_MIN_HIDDEN = 512  # on an H100 mixed precision slowed 64 and 256 units and sped up 1024
MIN_WINDOW, MAX_WINDOW = 4, 256
SAMPLED_EPOCH_WINDOWS = 1024  # above this many training windows, epochs are sampled
POOLED_STEPS = 48  # an automatic pool lets the LSTM read at most this many steps


class ConfigError(ValueError):
    """A setting out of range; the message names the setting and its value."""


@dataclass(frozen=True)
class TrainConfig:
    cell: Literal["lstm", "gru", "rnn"] = "lstm"
    strategy: Literal["direct", "recursive"] = "direct"  # whole horizon at once, or step by step
    residual: Literal["last", "seasonal", "none"] = "last"  # what the network corrects
    window_scale: bool = True  # divide each window by its own scale before the network
    loss: Literal["mae", "mse", "huber"] = "mae"
    epoch_windows: int = 0  # windows drawn at random per epoch; 0: every training window
    linear: bool = True  # a linear map of the window added to the network's correction
    members: int = 3  # networks trained from different starting weights; their median forecasts
    pool: int = 0  # steps averaged into one recurrent input; 1: every step; 0: see `pool_length`
    window: int = 24  # input steps the network sees
    horizon: int = 12  # steps it predicts
    season_length: int = 1  # steps in one season; 1 when there is none
    hidden_size: int = 64
    num_layers: int = 1
    dropout: float = 0.0
    epochs: int = 200
    batch_size: int = 32
    lr: float = 0.003
    patience: int = 20  # epochs without a 0.5% validation improvement before stopping; 0: never
    grad_clip: float = 1.0
    scaler: Literal["standard", "minmax", "none"] = "standard"
    val_share: float = 0.15
    test_share: float = 0.15
    seed: int = 0
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    precision: Literal["auto", "fp32", "mixed"] = "auto"  # mixed: CUDA only; see `mixed`
    covariates: tuple[str, ...] = ()  # extra input columns the network reads beside the target

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariates", tuple(self.covariates))
        _check_choice("cell", self.cell, tuple(CELLS))
        _check_choice("strategy", self.strategy, STRATEGIES)
        _check_choice("scaler", self.scaler, SCALERS)
        _check_choice("residual", self.residual, RESIDUALS)
        _check_choice("device", self.device, DEVICES)
        _check_choice("loss", self.loss, LOSSES)
        _check_choice("precision", self.precision, PRECISIONS)
        if not isinstance(self.linear, bool):
            raise ConfigError(f"linear must be true or false; got {self.linear!r}")
        if not isinstance(self.window_scale, bool):
            raise ConfigError(f"window_scale must be true or false; got {self.window_scale!r}")
        _check_int("window", self.window, 2, 10_000)
        _check_int("horizon", self.horizon, 1, 10_000)
        _check_int("season_length", self.season_length, 1, 10_000)
        _check_int("hidden_size", self.hidden_size, 1, 4096)
        _check_int("num_layers", self.num_layers, 1, 16)
        _check_int("epochs", self.epochs, 1, 100_000)
        _check_int("batch_size", self.batch_size, 1, 1_000_000)
        _check_int("patience", self.patience, 0, 100_000)
        _check_int("seed", self.seed, 0, 2**32 - 1)
        _check_int("members", self.members, 1, 15)
        _check_int("pool", self.pool, 0, 10_000)
        _check_int("epoch_windows", self.epoch_windows, 0, 100_000_000)
        _check_float("dropout", self.dropout, 0.0, 0.95)
        _check_float("lr", self.lr, 1e-7, 10.0)
        _check_float("grad_clip", self.grad_clip, 0.0, 1e6)
        _check_float("val_share", self.val_share, 0.0, 0.5)
        _check_float("test_share", self.test_share, 0.0, 0.5)
        if self.val_share == 0:
            raise ConfigError("val_share must be above 0: validation drives early stopping")
        if not all(isinstance(name, str) and name for name in self.covariates):
            raise ConfigError(f"covariates must be column names; got {list(self.covariates)!r}")
        if self.covariates and self.strategy == "recursive":
            raise ConfigError(
                "the recursive strategy cannot use extra inputs (their future values are "
                "unknown); use the direct strategy"
            )

    @property
    def mixed(self) -> bool:
        """Whether training on CUDA uses mixed precision: asked for, or automatically for
        networks wide enough that it paid off (MIXED_MIN_HIDDEN units)."""
        if self.precision == "auto":
            return self.hidden_size >= MIXED_MIN_HIDDEN
        return self.precision == "mixed"

    @property
    def pool_length(self) -> int:
        """Steps the recurrent layers read as one: `pool`, or when it is 0 (automatic) enough
        for the LSTM to read at most POOLED_STEPS steps, and 1 for the GRU and the plain RNN.

        Measured (bench/RESULTS.md): averaged input made the LSTM about twice as fast on long
        seasonal windows at the same accuracy, and cost the GRU accuracy."""
        if self.pool:
            return min(self.pool, self.window)
        return lstm_pool(self.window) if self.cell == "lstm" else 1

    @property
    def rnn_steps(self) -> int:
        """Steps the recurrent layers take over one window: one per pool of `pool_length`."""
        return math.ceil(self.window / self.pool_length)

    @property
    def model_horizon(self) -> int:
        """Steps the network's head predicts: the horizon, or 1 when rolled forward."""
        return self.horizon if self.strategy == "direct" else 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: the same dict after a round trip through JSON."""
        return {**asdict(self), "covariates": list(self.covariates)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown settings {unknown}; known: {sorted(known)}")
        return cls(**values)

    def with_changes(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)


def auto_config(n_points: int, season_length: int = 1, **given: Any) -> TrainConfig:
    """Defaults that work without tuning for a series of `n_points`; `given` settings win."""
    season_length = int(given.pop("season_length", season_length) or 1)
    horizon = int(given.pop("horizon", 0) or default_horizon(season_length, n_points))
    val_share = given.get("val_share", TrainConfig.val_share)
    test_share = given.get("test_share", TrainConfig.test_share)
    train_points = n_points - sum(part_sizes(n_points, val_share, test_share, horizon))
    window = int(given.pop("window", 0) or default_window(season_length, train_points))
    seasonal = 1 < season_length <= window
    if given.get("covariates"):  # measured: extra inputs are learnt better this way
        given.setdefault("loss", "mse")
        given.setdefault("window_scale", False)
    given.setdefault("residual", "seasonal" if seasonal else "last")
    config = TrainConfig(season_length=season_length, horizon=horizon, window=window, **given)
    if training_windows(n_points, config) <= SAMPLED_EPOCH_WINDOWS:
        return config
    sampled = given.get("epoch_windows", SAMPLED_EPOCH_WINDOWS)
    patience = given.get("patience", 10 if sampled else config.patience)
    return config.with_changes(epoch_windows=sampled, patience=patience)


def lstm_pool(window: int) -> int:
    """The automatic pool of an LSTM: the fewest steps per input that leave it POOLED_STEPS."""
    return math.ceil(window / POOLED_STEPS)


def series_config(series: Series, **given: Any) -> TrainConfig:
    """auto_config for `series`, its extra inputs read as covariates; `given` settings win."""
    covariates = () if series.covariates is None else tuple(series.covariates.columns)
    return auto_config(len(series), series.season_length, **{"covariates": covariates, **given})


def training_windows(n_points: int, config: TrainConfig) -> int:
    """Windows whose inputs and targets lie in the training part of a series of `n_points`."""
    val, test = part_sizes(n_points, config.val_share, config.test_share, config.horizon)
    return max(0, n_points - val - test - config.window - config.model_horizon + 1)


def default_horizon(season_length: int, n_points: int) -> int:
    """One season (12 steps when there is none), at most a sixth of the series."""
    wanted = season_length if 2 <= season_length <= 52 else 12
    return max(1, min(wanted, n_points // 6))


def default_window(season_length: int, train_points: int) -> int:
    """About two and a half seasons, kept within bounds and short enough for the training part."""
    wanted = math.ceil(2.5 * season_length) if season_length > 1 else 24
    room = max(MIN_WINDOW, train_points // 3)
    return max(MIN_WINDOW, min(wanted, MAX_WINDOW, room))


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number; got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}; got {value}")


def _check_float(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{name} must be a number; got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}; got {value}")
