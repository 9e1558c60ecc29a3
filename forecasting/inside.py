"""Inside the cell: the gates and states a trained run computed on one window of its series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from data.series import Series
from forecasting.train import Run, model_inputs, run_inputs
from models.cells import CellStates, unroll
from models.recurrent import members_of


@dataclass(frozen=True)
class WindowStates:
    """One window of the series, in data units, and every layer's gates and states over it."""

    cell: str  # "lstm" | "gru" | "rnn"
    nonlinearity: str  # "tanh" | "relu": the plain RNN's activation
    index: pd.Index  # (window,) the window's timestamps
    values: np.ndarray  # (window,) the target in data units
    pool: int  # points averaged into one input x_t (1: every point read)
    steps: pd.Index  # (steps,) where the recurrent layers step: each point, or each pool's middle
    inputs: np.ndarray  # (steps, features) what the recurrent layers read, x_t
    layers: list[CellStates]  # layer 0 (closest to the input) first


def pool_middles(index: pd.Index, pool: int) -> pd.Index:
    """The middle of each run of `pool` points of `index`, the last run ending at its end and
    the first holding what is left, as RecurrentForecaster pools a window."""
    if pool == 1:
        return index
    rest = len(index) % pool
    starts = ([0] if rest else []) + list(range(rest, len(index), pool))
    firsts, lasts = index[starts], index[[start - 1 for start in starts[1:]] + [len(index) - 1]]
    return firsts + (lasts - firsts) / 2


def window_ends(run: Run, series: Series) -> range:
    """The positions a window can end at (exclusive): from the first full window to the end."""
    return range(run.config.window, len(series) + 1)


def window_states(run: Run, series: Series, end: int, member: int = 0) -> WindowStates:
    """Gates and states of ensemble member `member` on the window that ends before `end`.

    The window is scaled with the run's scalers and prepared by the model, exactly as a
    forecast from `end` would be, so these are the values the trained network computed.
    """
    ends = window_ends(run, series)
    if end not in ends:
        raise ValueError(f"end must be between {ends.start} and {ends.stop - 1}, got {end}")
    members = members_of(run.model)
    if not 0 <= member < len(members):
        raise ValueError(f"member must be between 0 and {len(members) - 1}, got {member}")
    model = members[member]
    start = end - run.config.window
    rows = model_inputs(series, run.config)[start:end]
    scaled = run_inputs(run, rows)  # (window, features)
    device = next(model.parameters()).device
    x = torch.as_tensor(scaled, dtype=torch.float32, device=device)[None]  # (1, window, f)
    model.eval()
    with torch.no_grad():
        inputs = model.rnn_input(x)[0]  # (steps, features)
    index = series.index[start:end]
    pool = min(model.pool, len(index))
    return WindowStates(
        cell=model.cell,
        nonlinearity=getattr(model.rnn, "nonlinearity", "tanh"),
        index=index,
        values=series.values[start:end],
        pool=pool,
        steps=pool_middles(index, pool),
        inputs=inputs.cpu().numpy(),
        layers=unroll(model.rnn, inputs),
    )
