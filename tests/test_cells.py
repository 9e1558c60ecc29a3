"""models.cells: the unrolled cells give what nn.LSTM, nn.GRU and nn.RNN give, gate by gate."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from models.cells import GATES, GRUStates, LSTMStates, RNNStates, unroll
from models.recurrent import RecurrentForecaster

WINDOW = 12
MODULES = {
    "lstm": lambda size, layers: nn.LSTM(size, 6, layers, batch_first=True),
    "gru": lambda size, layers: nn.GRU(size, 6, layers, batch_first=True),
    "rnn-tanh": lambda size, layers: nn.RNN(size, 6, layers, batch_first=True),
    "rnn-relu": lambda size, layers: nn.RNN(size, 6, layers, nonlinearity="relu", batch_first=True),
}
STATES = {"lstm": LSTMStates, "gru": GRUStates, "rnn-tanh": RNNStates, "rnn-relu": RNNStates}


def window(size: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(3)
    return torch.randn(WINDOW, size, generator=generator) * 2  # (time, features)


def module(kind: str, size: int, layers: int) -> nn.RNNBase:
    torch.manual_seed(0)
    rnn = MODULES[kind](size, layers).eval()
    with torch.no_grad():  # larger weights than the default, so gates reach towards 0 and 1
        for parameter in rnn.parameters():
            parameter.mul_(3)
    return rnn


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", sorted(MODULES))
def test_unrolled_hidden_states_equal_the_module_outputs(kind, layers, size):
    rnn, x = module(kind, size, layers), window(size)
    with torch.no_grad():
        outputs, final = rnn(x[None])  # (1, time, hidden)
    states = unroll(rnn, x)
    assert len(states) == layers
    assert all(type(layer) is STATES[kind] for layer in states)
    np.testing.assert_allclose(states[-1].hidden, outputs[0].numpy(), atol=1e-5)
    h_n = final[0] if kind == "lstm" else final  # (layers, 1, hidden)
    for layer, layer_states in enumerate(states):
        assert layer_states.hidden.shape == (WINDOW, 6)
        np.testing.assert_allclose(layer_states.hidden[-1], h_n[layer, 0].numpy(), atol=1e-5)
        if kind == "lstm":
            np.testing.assert_allclose(layer_states.cell[-1], final[1][layer, 0].numpy(), atol=1e-5)


def test_every_layer_s_hidden_states_over_time_equal_a_module_of_that_layer_alone():
    """Layer 2's h over time is what a one-layer module with layer 2's weights reads layer 1's
    h into; with layer 1's alone equal to nn.LSTM's outputs this checks every layer over time."""
    rnn, x = module("lstm", 3, 2), window(3)
    second = nn.LSTM(6, 6, 1, batch_first=True).eval()
    second.load_state_dict(
        {k.replace("_l1", "_l0"): v for k, v in rnn.state_dict().items() if "_l1" in k}
    )
    first_states, second_states = unroll(rnn, x)
    with torch.no_grad():
        outputs, _ = second(torch.as_tensor(first_states.hidden)[None])
    np.testing.assert_allclose(second_states.hidden, outputs[0].numpy(), atol=1e-5)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gates_lie_between_zero_and_one_and_candidates_between_minus_one_and_one(kind):
    states = unroll(module(kind, 3, 2), window(3))
    for layer in states:
        quantities = layer.quantities()
        gates = [name for name in quantities if name in GATES]
        assert len(gates) == (3 if kind == "lstm" else 2)
        for name in gates:
            assert ((quantities[name] > 0) & (quantities[name] < 1)).all(), name
            assert quantities[name].min() < 0.3 and quantities[name].max() > 0.7, name
        assert (np.abs(layer.candidate) < 1).all()


def test_quantities_come_in_the_order_of_the_equations():
    x = window(1)
    assert list(unroll(module("lstm", 1, 1), x)[0].quantities()) == [
        "forget", "input", "candidate", "cell", "output", "hidden",
    ]  # fmt: skip
    assert list(unroll(module("gru", 1, 1), x)[0].quantities()) == [
        "update", "reset", "candidate", "hidden",
    ]  # fmt: skip
    assert list(unroll(module("rnn-tanh", 1, 1), x)[0].quantities()) == ["hidden"]


def test_a_window_of_the_wrong_shape_is_refused_naming_the_shape():
    with pytest.raises(
        ValueError, match=r"inputs must be \(time >= 1, 3\) for this module, got \(1, 12, 3\)"
    ):
        unroll(module("gru", 3, 1), window(3)[None])
    with pytest.raises(TypeError, match="got Linear"):
        unroll(nn.Linear(3, 3), window(3))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cell": "lstm", "residual": "last", "window_scale": True, "linear_window": WINDOW},
        {"cell": "gru", "residual": "seasonal", "season_length": 4, "input_size": 3},
        {"cell": "rnn", "residual": "none", "input_size": 3},
        {
            "cell": "lstm",
            "residual": "last",
            "window_scale": True,
            "input_size": 3,
            "num_layers": 2,
        },
        {"cell": "lstm", "residual": "last", "linear_window": WINDOW, "pool": 5},
        {"cell": "gru", "residual": "none", "input_size": 3, "pool": 3},
    ],
    ids=["scaled", "covariates", "no-residual", "two-layers", "pooled", "pooled-raw"],
)
def test_the_rnn_input_and_the_unrolled_cell_give_the_forward_forecast(kwargs):
    torch.manual_seed(0)
    model = RecurrentForecaster(hidden_size=8, horizon=3, **kwargs).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.1 * torch.randn_like(parameter))
    x = window(kwargs.get("input_size", 1))[None] * 5 + 40  # (1, time, features)
    seen = []

    def unrolled(rnn, args, outputs):
        """Record what forward fed the rnn, and answer with the unrolled cell's hidden states."""
        seen.append(args[0])
        return torch.as_tensor(unroll(rnn, args[0][0])[-1].hidden)[None], outputs[1]

    with torch.no_grad():
        expected = model(x)
        handle = model.rnn.register_forward_hook(unrolled)
        from_unrolled = model(x)
        handle.remove()
        inputs = model.rnn_input(x)
    assert torch.equal(seen[0], inputs)
    pool = kwargs.get("pool", 1)
    assert inputs.shape == (1, -(-WINDOW // pool), kwargs.get("input_size", 1))
    if pool > 1:
        pass  # what a pool reads: tests/test_recurrent.py
    elif model.residual == "none":
        assert torch.equal(inputs, x)
    else:
        assert inputs[0, -1, 0] == 0  # relative to the window's last value
        assert not torch.equal(inputs, x)
    torch.testing.assert_close(from_unrolled, expected, atol=1e-5, rtol=1e-5)
