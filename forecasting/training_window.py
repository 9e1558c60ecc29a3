"""One training window located in the series: the steps it reads and the steps it is taught."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.windows import split, target_starts
from forecasting.config import TrainConfig


@dataclass(frozen=True)
class TrainingWindow:
    """Training window `number` of `count`: the steps it reads and the steps it is taught."""

    number: int
    count: int
    inputs: range  # positions of the input steps
    targets: range  # positions of the target steps, right after the inputs
    train_end: int  # the validation part starts here
    val_end: int  # the test part starts here


def training_window(length: int, config: TrainConfig, number: int) -> TrainingWindow:
    """Window `number` (from 1) of those training learns from, split as training splits."""
    parts = split(np.empty(length), config.val_share, config.test_share, min_part=config.horizon)
    starts = target_starts(parts, config.window, config.model_horizon, "train")
    if not 1 <= number <= len(starts):
        raise ValueError(f"window number must be 1 to {len(starts)}; got {number}")
    first_target = int(starts[number - 1])
    return TrainingWindow(
        number,
        len(starts),
        range(first_target - config.window, first_target),
        range(first_target, first_target + config.model_horizon),
        parts.train_end,
        parts.val_end,
    )
