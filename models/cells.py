"""Recurrent cells unrolled step by step with a module's own weights, to expose gates and states.

Follows PyTorch's equations and gate order (LSTM: i, f, g, o; GRU: r, z, n), from zero initial
states, as `nn.LSTM`, `nn.GRU` and `nn.RNN` run in evaluation mode (no dropout between layers).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch
from torch import nn

GATES = frozenset({"forget", "input", "output", "update", "reset"})  # values in (0, 1)


class _States:
    """Named (time, units) arrays of one layer over one window, in the equations' order."""

    def quantities(self) -> dict[str, np.ndarray]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @property
    def units(self) -> int:
        return self.hidden.shape[1]


@dataclass(frozen=True)
class LSTMStates(_States):
    forget: np.ndarray  # f_t
    input: np.ndarray  # i_t
    candidate: np.ndarray  # c̃_t, PyTorch's g_t
    cell: np.ndarray  # c_t
    output: np.ndarray  # o_t
    hidden: np.ndarray  # h_t


@dataclass(frozen=True)
class GRUStates(_States):
    update: np.ndarray  # z_t
    reset: np.ndarray  # r_t
    candidate: np.ndarray  # h̃_t, PyTorch's n_t
    hidden: np.ndarray  # h_t


@dataclass(frozen=True)
class RNNStates(_States):
    hidden: np.ndarray  # h_t


CellStates = LSTMStates | GRUStates | RNNStates


def unroll(rnn: nn.RNNBase, inputs: torch.Tensor) -> list[CellStates]:
    """Every layer's gates and states for one window `inputs` (time, features), layer 0 first."""
    kind = next((kind for kind in _LAYERS if isinstance(rnn, kind)), None)
    if kind is None:
        raise TypeError(f"rnn must be an nn.LSTM, nn.GRU or nn.RNN, got {type(rnn).__name__}")
    if rnn.bidirectional or getattr(rnn, "proj_size", 0):
        raise ValueError("bidirectional and projected recurrent layers are not supported")
    if inputs.dim() != 2 or inputs.shape[1] != rnn.input_size or not len(inputs):
        raise ValueError(
            f"inputs must be (time >= 1, {rnn.input_size}) for this module, "
            f"got {tuple(inputs.shape)}"
        )
    layer_step, states_type = _LAYERS[kind]
    layers = []
    with torch.no_grad():
        x = inputs.to(rnn.weight_ih_l0)  # (time, features)
        for layer in range(rnn.num_layers):
            values = layer_step(rnn, layer, x)  # name -> (time, hidden)
            layers.append(states_type(**{k: v.cpu().numpy() for k, v in values.items()}))
            x = values["hidden"]  # the next layer reads this one's h
    return layers


def _weights(
    rnn: nn.RNNBase, layer: int, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The input's share of every gate (time, gates * hidden), then W_hh and b_hh of `layer`."""
    w_ih, w_hh = getattr(rnn, f"weight_ih_l{layer}"), getattr(rnn, f"weight_hh_l{layer}")
    zeros = w_hh.new_zeros(w_hh.shape[0])
    b_ih = getattr(rnn, f"bias_ih_l{layer}") if rnn.bias else zeros
    b_hh = getattr(rnn, f"bias_hh_l{layer}") if rnn.bias else zeros
    return x @ w_ih.T + b_ih, w_hh, b_hh


def _stacked(steps: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Per-step values name -> (hidden,) stacked into name -> (time, hidden)."""
    return {name: torch.stack([step[name] for step in steps]) for name in steps[0]}


def _lstm_layer(rnn: nn.LSTM, layer: int, x: torch.Tensor) -> dict[str, torch.Tensor]:
    from_input, w_hh, b_hh = _weights(rnn, layer, x)
    h = c = from_input.new_zeros(rnn.hidden_size)
    steps = []
    for t in range(len(x)):
        i, f, g, o = (from_input[t] + w_hh @ h + b_hh).chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        steps.append({"forget": f, "input": i, "candidate": g, "cell": c, "output": o, "hidden": h})
    return _stacked(steps)


def _gru_layer(rnn: nn.GRU, layer: int, x: torch.Tensor) -> dict[str, torch.Tensor]:
    from_input, w_hh, b_hh = _weights(rnn, layer, x)
    h = from_input.new_zeros(rnn.hidden_size)
    steps = []
    for t in range(len(x)):
        x_r, x_z, x_n = from_input[t].chunk(3)
        h_r, h_z, h_n = (w_hh @ h + b_hh).chunk(3)
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        h = (1 - z) * n + z * h
        steps.append({"update": z, "reset": r, "candidate": n, "hidden": h})
    return _stacked(steps)


def _rnn_layer(rnn: nn.RNN, layer: int, x: torch.Tensor) -> dict[str, torch.Tensor]:
    from_input, w_hh, b_hh = _weights(rnn, layer, x)
    activation = torch.tanh if rnn.nonlinearity == "tanh" else torch.relu
    h = from_input.new_zeros(rnn.hidden_size)
    steps = []
    for t in range(len(x)):
        h = activation(from_input[t] + w_hh @ h + b_hh)
        steps.append({"hidden": h})
    return _stacked(steps)


_LAYERS = {
    nn.LSTM: (_lstm_layer, LSTMStates),
    nn.GRU: (_gru_layer, GRUStates),
    nn.RNN: (_rnn_layer, RNNStates),
}
