"""fit(): train a recurrent forecaster on a series; knows nothing of who listens."""

from __future__ import annotations

import contextlib
import functools
import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.preprocessing import StandardScaler
from torch import nn

from data.errors import DataError
from data.series import Series
from data.windows import Scaler, Split, fit_covariate_scaler, fit_scaler, scale_inputs, split
from forecasting.config import TrainConfig
from forecasting.device import choose_device, device_name
from forecasting.randomness import RunRandom
from models.parallel import side_by_side
from models.recurrent import Ensemble, RecurrentForecaster, count_parameters, members_of

CALLBACK_INTERVAL_S = 0.25
PREVIEW_INTERVAL_S = 2.0  # a preview of the model in training at most this often, after the first
FIRST_PREVIEW_S = 1.0  # a first epoch longer than this gives a preview before it ends
MIN_PROGRESS = 0.005  # relative drop of the validation loss that resets the patience count
EVAL_BATCH = 4096  # windows evaluated at once, at most
EVAL_NUMBERS = 128 * 1024 * 1024  # numbers an evaluation batch may hold (512 MiB in float32)
EVAL_NUMBERS_PER_UNIT = 1  # a pass without gradients keeps a layer's outputs: a number a step
LOSSES = {
    "mse": nn.functional.mse_loss,
    "mae": nn.functional.l1_loss,
    "huber": nn.functional.huber_loss,
}


class TrainingError(RuntimeError):
    """Training could not go on; the message says what to change."""


@dataclass(frozen=True)
class EpochLog:
    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    elapsed: float  # seconds since training started


@dataclass(frozen=True)
class Blend:
    """The forecast a run gives when a simple baseline beat its network on the validation part:
    `weight` of the network's forecast and the rest of the baseline's (forecasting/guard.py)."""

    baseline: str  # "seasonal_naive" or "drift"
    weight: float  # the network's share, from 0 (the baseline alone) to below 1
    model_error: float  # validation MAE of the network alone
    blended_error: float  # validation MAE of the blend


@dataclass
class Run:
    """A trained model with everything needed to use, judge and save it."""

    config: TrainConfig
    model: RecurrentForecaster | Ensemble
    scaler: Scaler
    train_end: int
    val_end: int
    fingerprint: str
    history: list[EpochLog] = field(default_factory=list)
    best_epoch: int = 0
    stop_reason: str = ""
    device: str = "cpu"
    seconds: float = 0.0
    covariate_scaler: StandardScaler | None = None
    stop_kind: str = ""  # "user", "early" or "completed": why training ended, for translated text
    blend: Blend | None = None  # set after training when a baseline beat the network
    series_index: int | None = None  # its row in a panel network's embedding (config.embedded)

    @property
    def parameters(self) -> int:
        return count_parameters(self.model)

    def split(self, values: np.ndarray) -> Split:
        return Split(values, self.train_end, self.val_end)


def fit(
    series: Series,
    config: TrainConfig,
    on_epoch: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    history: list[EpochLog] | None = None,
    on_model: Callable[[Run], None] | None = None,
) -> Run:
    """Train on the training part, stop early on the validation part, keep the best weights.

    `on_epoch` hears at most a few epochs a second (always the last); `history`, when given,
    is the list the run appends every epoch to, for a caller watching from another thread;
    `on_model` gets the run in training FIRST_PREVIEW_S into the first epoch (or at its end),
    then after an epoch every PREVIEW_INTERVAL_S, in the training thread (to draw an early
    forecast while training goes on).
    """
    parts = split(series.values, config.val_share, config.test_share, min_part=config.horizon)
    _check_trainable(parts, config)
    randomness = RunRandom(config.seed)
    device = choose_device(config.device)
    scaler = fit_scaler(parts, config.scaler)
    covariate_scaler, frames = _scaled_frames(series, config, scaler, parts.train_end, device)
    train_idx = frame_range(0, parts.train_end, config, device)
    val_frames = frame_range(parts.train_end, parts.val_end, config, device)
    val_idx = sampled_validation(val_frames, config)
    with randomness.drawing():
        model = build_model(config).to(device)
    run = Run(
        config,
        model,
        scaler,
        parts.train_end,
        parts.val_end,
        series.fingerprint(),
        history=[] if history is None else history,
        device=device_name(device),
        covariate_scaler=covariate_scaler,
    )
    train_epochs(run, frames, train_idx, val_idx, randomness, on_epoch, should_stop, on_model)
    from forecasting.guard import guarded  # it forecasts, and forecasting.predict imports this

    return guarded(run, series)


def _scaled_frames(
    series: Series, config: TrainConfig, scaler: Scaler, train_end: int, device: torch.device
) -> tuple[StandardScaler | None, torch.Tensor]:
    """The extra inputs' scaler (fitted on the training part) and every frame of window and
    targets the scaled inputs hold, as a view of one tensor on `device`."""
    covariate_scaler, scaled = scaled_inputs(series, config, scaler, train_end)
    return covariate_scaler, frames_of(scaled, config, device)


def scaled_inputs(
    series: Series, config: TrainConfig, scaler: Scaler, train_end: int
) -> tuple[StandardScaler | None, np.ndarray]:
    """The extra inputs' scaler (fitted on the training part), and the inputs scaled
    (n, features)."""
    inputs = model_inputs(series, config)
    covariate_scaler = fit_covariate_scaler(inputs[:train_end, 1:]) if inputs.ndim > 1 else None
    return covariate_scaler, scale_inputs(scaler, covariate_scaler, inputs)


def run_inputs(run: Run, values: np.ndarray) -> np.ndarray:
    """`values` (model_inputs) scaled as `run` reads them (n, features), with the series' index
    as a last feature when its network learns a vector per series."""
    scaled = scale_inputs(run.scaler, run.covariate_scaler, values)
    return with_series_index(scaled, run.series_index if run.config.embedded else None)


def with_series_index(scaled: np.ndarray, index: int | None) -> np.ndarray:
    """Scaled inputs (n, features), and the series' index as one more feature unless None."""
    if index is None:
        return scaled
    return np.column_stack([scaled, np.full(len(scaled), float(index))])


def frames_of(scaled: np.ndarray, config: TrainConfig, device: torch.device) -> torch.Tensor:
    """Every frame of window and targets in `scaled` (n, features), as a view of one tensor."""
    data = torch.as_tensor(scaled, dtype=torch.float32, device=device)
    return data.unfold(0, config.window + config.model_horizon, 1)  # (n_frames, features, w + h)


def train_epochs(
    run: Run,
    frames: torch.Tensor,
    train_idx: torch.Tensor,
    val_idx: torch.Tensor,
    randomness: RunRandom,
    on_epoch: Callable[[EpochLog], None] | None,
    should_stop: Callable[[], bool] | None,
    on_model: Callable[[Run], None] | None = None,
) -> None:
    """Train `run.model` epoch by epoch, logging each in `run`, until done or stopped."""
    config, model, device = run.config, run.model, frames.device
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, fused=_fused(device))
    gradients = gradient_scaler(device, config)
    generator = torch.Generator(device=device.type if device.type == "cuda" else "cpu")
    generator.manual_seed(config.seed)
    best_loss, best_state, progress_loss, progress_epoch = math.inf, None, math.inf, 0
    started = last_call = time.perf_counter()
    logged, previewed = 0, [-math.inf]  # when the model was last handed to on_model
    masks = randomness if draws_dropout(config) else None
    for epoch in range(1, config.epochs + 1):
        first = on_model and epoch == 1
        checks = _midway(run, on_model, should_stop, previewed) if first else should_stop
        train_loss = _train_epoch(model, optimizer, frames, train_idx, config, generator,
                                  gradients, masks, checks)  # fmt: skip
        cut = bool(should_stop and should_stop())  # within this epoch
        watch = should_stop if run.history and not cut else None
        val_loss = None if cut and run.history else _loss(model, frames, val_idx, config, watch)
        if val_loss is None:  # stopped within the epoch: the epochs before it stand
            user_stopped = True
            run.stop_kind, run.stop_reason = _stop_reason(run, config, True, progress_epoch)
            break
        if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
            raise _diverged(train_loss, epoch, config)
        run.history.append(
            EpochLog(epoch, config.epochs, train_loss, val_loss, time.perf_counter() - started)
        )
        if val_loss < progress_loss * (1 - MIN_PROGRESS):
            progress_loss, progress_epoch = val_loss, epoch
        if val_loss < best_loss:
            best_loss, run.best_epoch = val_loss, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if on_epoch and time.perf_counter() - last_call >= CALLBACK_INTERVAL_S:
            on_epoch(run.history[-1])
            last_call, logged = time.perf_counter(), epoch
        if on_model and time.perf_counter() - previewed[0] >= PREVIEW_INTERVAL_S:
            on_model(run)
            previewed[0] = time.perf_counter()
        user_stopped = bool(should_stop and should_stop())
        run.stop_kind, run.stop_reason = _stop_reason(run, config, user_stopped, progress_epoch)
        if run.stop_reason:
            break
    if on_epoch and logged != run.history[-1].epoch:
        on_epoch(run.history[-1])
    if not run.stop_reason:
        run.stop_kind, run.stop_reason = "completed", f"completed {config.epochs} epochs"
    if best_state is not None and (config.patience or user_stopped):
        model.load_state_dict(best_state)
    model.eval()
    run.seconds = time.perf_counter() - started


def _midway(
    run: Run,
    on_model: Callable[[Run], None],
    should_stop: Callable[[], bool] | None,
    previewed: list[float],
) -> Callable[[], bool]:
    """`should_stop` for the first epoch, which also hands the run to `on_model` once,
    FIRST_PREVIEW_S into the epoch (between batches), so a long first epoch is drawn early;
    `previewed[0]` says when."""
    started = time.perf_counter()

    def check() -> bool:
        if previewed[0] < started and time.perf_counter() - started >= FIRST_PREVIEW_S:
            on_model(run)
            run.model.train()  # forecasting set it to evaluation
            previewed[0] = time.perf_counter()
        return bool(should_stop and should_stop())

    return check


def _diverged(train_loss: float, epoch: int, config: TrainConfig) -> TrainingError:
    return TrainingError(
        f"The loss became {'NaN' if math.isnan(train_loss) else 'infinite'} at epoch "
        f"{epoch}: training diverged. Try a lower learning rate than {config.lr:g}."
    )


def warm_up() -> None:
    """Build one optimiser now: torch's first one takes a second or two (it imports torch's
    compiler), which would otherwise be charged to the first run a user times."""
    torch.optim.Adam([nn.Parameter(torch.zeros(1))])


def build_model(config: TrainConfig) -> RecurrentForecaster | Ensemble:
    """One forecaster, or `config.members` of them whose median is the forecast."""
    if config.members == 1:
        return build_member(config)
    return Ensemble([build_member(config) for _ in range(config.members)])


def build_member(config: TrainConfig) -> RecurrentForecaster:
    return RecurrentForecaster(
        cell=config.cell,
        input_size=1 + len(config.covariates),
        hidden_size=config.hidden_size,
        num_layers=config.num_layers,
        dropout=config.dropout,
        horizon=config.model_horizon,
        residual=config.residual,
        season_length=config.season_length,
        window_scale=config.window_scale,
        linear_window=config.window if config.linear else 0,
        pool=config.pool_length,
        series=(config.series_count, config.series_embedding) if config.embedded else (0, 0),
    )


def model_inputs(series: Series, config: TrainConfig) -> np.ndarray:
    """The target (n,), or the target and the extra inputs the config names (n, 1 + k)."""
    if not config.covariates:
        return series.values
    have = [] if series.covariates is None else list(series.covariates.columns)
    missing = [name for name in config.covariates if name not in have]
    if missing:
        raise DataError(
            f"This model reads the extra inputs {', '.join(map(repr, missing))}, "
            "which the current data does not have. Choose them on the Data page."
        )
    extra = series.covariates[list(config.covariates)].to_numpy(np.float64)
    return np.column_stack([series.values, extra])


def split_frames(batch: torch.Tensor, window: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Frames (batch, features, w + h) -> inputs (batch, w, features) and targets (batch, h)."""
    return batch[:, :, :window].transpose(1, 2), batch[:, 0, window:]


def _check_trainable(parts: Split, config: TrainConfig) -> None:
    needed = config.window + config.model_horizon
    if parts.train_end < needed:
        raise DataError(
            f"The training part has {parts.train_end} points, fewer than one window of "
            f"{config.window} inputs plus {config.model_horizon} targets. "
            "Use a shorter window or horizon, or a longer series."
        )
    train = parts.train
    if np.ptp(train) == 0:
        raise DataError(
            f"The training part of the series is constant (every value is {train[0]:g}): "
            "there is nothing to learn. Choose a column that varies."
        )


def sampled_validation(idx: torch.Tensor, config: TrainConfig) -> torch.Tensor:
    """With sampled epochs, at most 4 × epoch_windows validation frames, evenly spread."""
    most = 4 * config.epoch_windows
    if not most or len(idx) <= most:
        return idx
    return idx[torch.linspace(0, len(idx) - 1, most, device=idx.device).round().long()]


def frame_range(start: int, end: int, config: TrainConfig, device: torch.device) -> torch.Tensor:
    """Frames whose targets lie wholly in [start, end); frame i's targets begin at i + window."""
    first = max(0, start - config.window)
    last = end - config.window - config.model_horizon
    return torch.arange(first, max(first, last + 1), device=device)


def _train_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    frames: torch.Tensor,
    train_idx: torch.Tensor,
    config: TrainConfig,
    generator: torch.Generator,
    scaler: torch.amp.GradScaler,
    masks: RunRandom | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> float:
    """One pass over the training windows, cut short when `should_stop` turns true (asked
    before every batch but the first); the mean loss of the windows trained on. Dropout masks,
    when drawn, come from `masks`."""
    model.train()
    order = train_idx[
        torch.randperm(len(train_idx), generator=generator, device=generator.device).to(
            train_idx.device
        )
    ]
    if 0 < config.epoch_windows < len(order):
        order = order[: config.epoch_windows]
    params = [p for p in model.parameters() if p.requires_grad]
    total = torch.zeros((), device=frames.device)
    for start in range(0, len(order), config.batch_size):
        if start and should_stop and should_stop():
            order = order[:start]  # the windows trained on before the stop
            break
        batch = frames[order[start : start + config.batch_size]]  # (batch, features, window + h)
        inputs, targets = split_frames(batch, config.window)
        optimizer.zero_grad(set_to_none=True)
        loss = _backward(model, inputs, targets, config, scaler, masks)
        if config.grad_clip:
            scaler.unscale_(optimizer)
            clip_gradients(params, config.grad_clip)
        scaler.step(optimizer)
        scaler.update()
        total += loss.detach() * len(batch)
    return float(total) / len(order)


def draws_dropout(config: TrainConfig) -> bool:
    """Whether a training pass draws dropout masks (between recurrent layers only)."""
    return config.dropout > 0 and config.num_layers > 1


def clip_gradients(params: list[nn.Parameter], max_norm: float) -> None:
    """Scale the gradients down so that their joint norm is at most `max_norm`, as
    `nn.utils.clip_grad_norm_` does, in half its time for a small network."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    torch._foreach_mul_(grads, torch.clamp(max_norm / (total + 1e-6), max=1.0))


def _fused(device: torch.device) -> bool:
    """Whether Adam's fused kernel runs here: one call per step instead of a few per tensor."""
    return device.type in ("cpu", "cuda")


def _backward(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    config: TrainConfig,
    scaler: torch.amp.GradScaler,
    masks: RunRandom | None = None,
) -> torch.Tensor:
    """Every member's gradients for one batch; returns the loss averaged over the members.
    Dropout masks are drawn from `masks` (the run's own random numbers), forward pass only.

    Members are independent until the optimiser's step, so on CPU each one's forward and
    backward pass runs on a core of its own (models.parallel) when the pass is long enough to
    gain, unless dropout draws random masks, whose order would then depend on the threads and
    the run could not be repeated.
    """
    members = members_of(model)

    def one(member: RecurrentForecaster) -> torch.Tensor:
        drawing = masks.drawing() if masks else contextlib.nullcontext()
        with drawing, mixed_precision(inputs.device, config):
            outputs = member(inputs)
        loss = LOSSES[config.loss](outputs.float(), targets)
        if len(members) > 1:
            loss = loss / len(members)
        scaler.scale(loss).backward()
        return loss.detach()

    if inputs.device.type != "cpu" or draws_dropout(config) or not members[0].worth_sharing(inputs):
        return functools.reduce(operator.add, map(one, members))
    return functools.reduce(operator.add, side_by_side(one, members))


def mixed_precision(device: torch.device, config: TrainConfig) -> torch.autocast:
    """float16 autocast for the forward pass when mixed precision is on and on CUDA; a no-op
    otherwise. float16, not bfloat16: autocast runs cuDNN's recurrent layers in float16 even
    when asked for bfloat16 (seen on an H100), so the gradients are scaled as float16 needs."""
    return torch.autocast(device.type, dtype=torch.float16, enabled=_mixed_on(device, config))


def gradient_scaler(device: torch.device, config: TrainConfig) -> torch.amp.GradScaler:
    """Scales the loss so float16 gradients do not underflow; passes through when off."""
    return torch.amp.GradScaler(device.type, enabled=_mixed_on(device, config))


def _mixed_on(device: torch.device, config: TrainConfig) -> bool:
    return config.mixed and device.type == "cuda"


@torch.no_grad()
def _loss(
    model: nn.Module,
    frames: torch.Tensor,
    idx: torch.Tensor,
    config: TrainConfig,
    should_stop: Callable[[], bool] | None = None,
) -> float | None:
    """The mean loss over the frames `idx`; None when `should_stop` turned true meanwhile."""
    model.eval()
    total = torch.zeros((), device=frames.device)
    step = eval_batch(config)
    for start in range(0, len(idx), step):
        if should_stop and should_stop():
            return None
        batch = frames[idx[start : start + step]]
        inputs, targets = split_frames(batch, config.window)
        total += LOSSES[config.loss](model(inputs), targets, reduction="sum") / targets.shape[1]
    return float(total) / max(1, len(idx))


def eval_batch(config: TrainConfig) -> int:
    """Windows evaluated at once: EVAL_BATCH, fewer for networks whose passes over that many
    windows would hold more than EVAL_NUMBERS numbers (long windows, wide layers, many members)."""
    per_window = config.rnn_steps * config.hidden_size * config.members * EVAL_NUMBERS_PER_UNIT
    return max(1, min(EVAL_BATCH, EVAL_NUMBERS // per_window))


def _stop_reason(
    run: Run, config: TrainConfig, user_stopped: bool, progress_epoch: int
) -> tuple[str, str]:
    """Why training ends after this epoch, as a kind and a sentence; ("", "") to go on."""
    epoch = run.history[-1].epoch
    if user_stopped:
        return "user", f"stopped by you after epoch {epoch} (best epoch {run.best_epoch} kept)"
    if config.patience and epoch - progress_epoch >= config.patience:
        return "early", (
            f"early stopping at epoch {epoch}: the validation loss improved by less than "
            f"{MIN_PROGRESS:.1%} in {config.patience} epochs"
        )
    return "", ""


def validation_loss(run: Run, series: Series) -> float:
    """The run's current validation loss on `series`, as fit() measures it each epoch."""
    device = next(run.model.parameters()).device
    scaled = run_inputs(run, model_inputs(series, run.config))
    data = torch.as_tensor(scaled, dtype=torch.float32, device=device)
    frames = data.unfold(0, run.config.window + run.config.model_horizon, 1)
    val_frames = frame_range(run.train_end, run.val_end, run.config, device)
    val_idx = sampled_validation(val_frames, run.config)
    return _loss(run.model, frames, val_idx, run.config)
