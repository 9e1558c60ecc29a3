"""One network for many series: trained on windows drawn from every series of a panel, each
series scaled on its own training part, the parts cut at the same moments for every series.

The result holds the shared network once and, for each series, a Run that sees it through that
series' scaler and parts, so every single-series tool (forecast, evaluate, judge) works on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from data.errors import DataError
from data.panel import Panel
from data.series import Series
from data.windows import Split, fit_scaler, split
from forecasting.config import TrainConfig
from forecasting.device import choose_device, device_name
from forecasting.evaluate import Evaluation, evaluate
from forecasting.guard import guarded
from forecasting.randomness import RunRandom
from forecasting.train import (
    EpochLog,
    Run,
    build_model,
    frame_range,
    frames_of,
    sampled_validation,
    scaled_inputs,
    train_epochs,
    with_series_index,
)
from forecasting.verdict import Verdict, judge


@dataclass
class PanelRun:
    """The network trained on a panel, and each series' view of it."""

    run: Run  # the shared network, its config and history (its scaler is the first series')
    members: dict[str, Run]  # label -> the series' run: the same network, its own scaler, parts
    left_out: dict[str, str] = field(default_factory=dict)  # label -> why it was not trained on


def panel_parts(panel: Panel, config: TrainConfig) -> tuple[dict[str, Split], dict[str, str]]:
    """Each series' training, validation and test parts, cut at the same moments for all (the
    longest series' cuts; series without dates are aligned at their ends), and the series
    left out because their training part is shorter than one window."""
    longest = max(panel.series.values(), key=len)
    cuts = split(longest.values, config.val_share, config.test_share, min_part=config.horizon)
    dated = all(isinstance(one.index, pd.DatetimeIndex) for one in panel.series.values())
    parts, left_out = {}, {}
    needed = config.window + config.model_horizon
    for label, one in panel.series.items():
        if dated:
            train_end = _position(one, longest, cuts.train_end)
            val_end = _position(one, longest, cuts.val_end)
        else:
            train_end = len(one) - (len(longest) - cuts.train_end)
            val_end = len(one) - (len(longest) - cuts.val_end)
        if train_end < needed:
            left_out[label] = (
                f"{max(train_end, 0)} points before the validation part, fewer than one window "
                f"of {config.window} inputs plus {config.model_horizon} targets"
            )
            continue
        parts[label] = Split(one.values, train_end, max(val_end, train_end))
    if not parts:
        raise DataError(
            f"No series has {needed} points before the validation part begins. Use a shorter "
            "window or horizon."
        )
    return parts, left_out


def _position(one: Series, longest: Series, cut: int) -> int:
    """Where the longest series' cut falls in `one`: the first point at or after its moment."""
    if cut >= len(longest):
        return len(one)
    return int(one.index.searchsorted(longest.index[cut]))


def fit_panel(
    panel: Panel,
    config: TrainConfig,
    on_epoch: Callable[[EpochLog], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    history: list[EpochLog] | None = None,
) -> PanelRun:
    """Train one network on every series' windows; early stopping on all validation parts.
    `history`, when given, is the list the run appends every epoch to (as fit's)."""
    parts, left_out = panel_parts(panel, config)
    if config.series_embedding:
        config = config.with_changes(series_count=len(parts))
    randomness = RunRandom(config.seed)
    device = choose_device(config.device)
    blocks, train_idx, val_idx, views = [], [], [], {}
    offset = 0
    for index, (label, part) in enumerate(parts.items()):
        one = panel.series[label]
        scaler = fit_scaler(part, config.scaler)
        covariate_scaler, scaled = scaled_inputs(one, config, scaler, part.train_end)
        blocks.append(with_series_index(scaled, index if config.embedded else None))
        train_idx.append(frame_range(0, part.train_end, config, device) + offset)
        val_idx.append(frame_range(part.train_end, part.val_end, config, device) + offset)
        views[label] = (scaler, covariate_scaler, part, index if config.embedded else None)
        offset += len(one)
    frames = frames_of(np.concatenate(blocks), config, device)  # frames across two series unused
    with randomness.drawing():
        model = build_model(config).to(device)
    first_scaler, first_covariates, first_part, first_index = next(iter(views.values()))
    run = Run(config, model, first_scaler, first_part.train_end, first_part.val_end,
              _fingerprint(panel, parts), device=device_name(device),
              covariate_scaler=first_covariates, series_index=first_index,
              history=[] if history is None else history)  # fmt: skip
    validation = sampled_validation(torch.cat(val_idx), config)
    train_epochs(run, frames, torch.cat(train_idx), validation, randomness, on_epoch,
                  should_stop)  # fmt: skip
    members = {label: _member(run, panel.series[label], *view) for label, view in views.items()}
    if not (should_stop and should_stop()):  # a stopped job's slot is not held for the guard
        members = {label: guarded(member, panel.series[label]) for label, member in members.items()}
    return PanelRun(run, members, left_out)


def _member(run: Run, one: Series, scaler, covariate_scaler, part: Split, index) -> Run:
    """The shared network seen through one series' scaler, parts and row of its embedding."""
    return replace(run, scaler=scaler, train_end=part.train_end, val_end=part.val_end,
                   fingerprint=one.fingerprint(), covariate_scaler=covariate_scaler,
                   blend=None, series_index=index)  # fmt: skip


def _fingerprint(panel: Panel, parts: dict[str, Split]) -> str:
    described = "|".join(f"{label}:{panel.series[label].fingerprint()}" for label in parts)
    return hashlib.sha256(described.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PanelScores:
    """Every series' scores and verdict, and the panel's: geometric-mean MASE and total error."""

    series: dict[str, Evaluation]
    verdicts: dict[str, Verdict]
    geometric_mase: dict[str, float | None]  # forecaster ("model", baselines) -> over series
    total_error: dict[str, float]  # forecaster -> sum of absolute errors over every series
    unscored: dict[str, str]  # label -> why it has no score (its part holds no full window)


def score_panel(
    trained: PanelRun, panel: Panel, part: str, should_stop: Callable[[], bool] | None = None
) -> PanelScores:
    """Evaluate the network on each series' `part`, beside the baselines, and in aggregate.
    `should_stop` is asked between series once one is scored; when it says so, the series
    left are listed in `unscored`."""
    evaluations, unscored = {}, {}
    for label, member in trained.members.items():
        if evaluations and should_stop is not None and should_stop():
            left = [rest for rest in trained.members if rest not in evaluations | unscored]
            unscored |= dict.fromkeys(left, "stopped before it was scored")
            break
        try:
            evaluations[label] = evaluate(member, panel.series[label], part)
        except ValueError as err:
            unscored[label] = str(err)
    if not evaluations:
        raise DataError(f"No series has a full forecast window in its {part} part to score.")
    horizon = trained.run.config.horizon
    names = list(next(iter(evaluations.values())).table)
    geometric, total = {}, {}
    for name in names:
        mases = [scores.table[name]["MASE"] for scores in evaluations.values()]
        usable = [value for value in mases if value is not None and value > 0]
        geometric[name] = float(np.exp(np.mean(np.log(usable)))) if usable else None
        total[name] = float(sum(scores.table[name]["MAE"] * scores.windows * horizon
                                for scores in evaluations.values()))  # fmt: skip
    verdicts = {label: judge(scores) for label, scores in evaluations.items()}
    return PanelScores(evaluations, verdicts, geometric, total, unscored)
