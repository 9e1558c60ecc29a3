"""ui.cell_charts: the window over one heatmap per gate and state, labelled as the equations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from forecasting.inside import WindowStates
from models.cells import unroll
from ui.cell_charts import EQUATIONS, SYMBOLS, cell_figure, equations

MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
INDEX = pd.date_range("2024-01-01", periods=10, freq="MS")
NAMES = {
    "lstm": ["forget gate", "input gate", "candidate", "cell state", "output gate", "hidden state"],
    "gru": ["update gate", "reset gate", "candidate", "hidden state"],
    "rnn": ["hidden state"],
}


def window(cell: str, layers: int = 1, hidden: int = 20) -> WindowStates:
    torch.manual_seed(0)
    rnn = MODULES[cell](1, hidden, layers, batch_first=True)
    inputs = torch.linspace(-2, 2, len(INDEX))[:, None]  # (time, 1)
    values = np.arange(len(INDEX), dtype=np.float64) * 10
    return WindowStates(cell, "tanh", INDEX, values, 1, INDEX, inputs.numpy(), unroll(rnn, inputs))


@pytest.mark.parametrize("cell", sorted(MODULES))
def test_every_equation_begins_with_the_symbol_its_heatmap_is_titled_with(cell):
    states = window(cell)
    quantities = list(states.layers[0].quantities())
    assert [quantity for quantity, _ in EQUATIONS[cell]] == quantities
    for quantity, latex in EQUATIONS[cell]:
        assert latex.startswith(SYMBOLS[cell][quantity][1] + " = ")
    titles = [a.text for a in cell_figure(states, 0, range(4), "sales").layout.annotations]
    assert titles[1:] == [
        f"{SYMBOLS[cell][quantity][0]} {name}"
        for quantity, name in zip(quantities, NAMES[cell], strict=True)
    ]


def test_the_window_sits_on_top_and_every_row_shares_its_time_axis():
    states = window("lstm")
    fig = cell_figure(states, 0, range(20), "sales")
    line, *heatmaps = fig.data
    assert line.type == "scatter" and list(line.y) == list(states.values)
    assert len(heatmaps) == 6 and all(trace.type == "heatmap" for trace in heatmaps)
    for trace in fig.data:
        assert list(trace.x) == list(INDEX)
    axes = {trace.xaxis for trace in fig.data}
    assert len(axes) == 7
    assert all(fig.layout[f"xaxis{k}"].matches == "x7" for k in range(1, 7))


def test_rows_are_the_chosen_units_over_time_with_their_values():
    states = window("gru", layers=2)
    fig = cell_figure(states, 1, range(3, 8), "sales")
    update = fig.data[1]
    assert list(update.y) == ["4", "5", "6", "7", "8"]  # counted from 1
    np.testing.assert_array_equal(update.z, states.layers[1].update[:, 3:8].T)
    assert "layer 2 of 2" in fig.layout.title.text
    assert "unit %{y}" in update.hovertemplate and "%{z:.3f}" in update.hovertemplate
    assert "%{x}" in update.hovertemplate


def test_gates_share_a_fixed_zero_to_one_scale_and_states_a_scale_centred_at_zero():
    fig = cell_figure(window("lstm"), 0, range(20), "sales")
    scales = {
        a.text.split(" ", 1)[1]: trace
        for a, trace in zip(fig.layout.annotations[1:], fig.data[1:], strict=True)
    }
    for gate in ["forget gate", "input gate", "output gate"]:
        assert (scales[gate].zmin, scales[gate].zmax) == (0, 1)
    for name in ["candidate", "cell state", "hidden state"]:
        assert scales[name].zmid == 0 and scales[name].zmin is None


def test_fonts_are_large_enough_for_a_projector():
    fig = cell_figure(window("gru"), 0, range(20), "sales")
    assert fig.layout.font.size >= 14
    assert all(a.font.size >= 14 for a in fig.layout.annotations)
    assert all(fig.layout[f"xaxis{k}"].tickfont.size >= 14 for k in range(1, 6))
    assert all(fig.layout[f"yaxis{k}"].tickfont.size >= 14 for k in range(1, 6))


def test_each_colour_bar_stands_beside_its_own_row():
    fig = cell_figure(window("gru"), 0, range(20), "sales")
    for row, trace in enumerate(fig.data[1:], start=2):
        low, high = fig.layout[f"yaxis{row}"].domain
        assert low < trace.colorbar.y < high


def test_a_column_name_is_shown_as_written_not_as_html():
    fig = cell_figure(window("rnn"), 0, range(2), "<b>sales</b> %{y}")
    assert fig.layout.annotations[0].text.startswith("&lt;b&gt;sales&lt;/b&gt; %&#123;y}")
    assert "<b>" not in fig.data[0].hovertemplate


def test_a_relu_rnn_gets_its_own_equation():
    assert equations("rnn", "relu")[0][1].startswith(r"h_t = \mathrm{ReLU}")
    assert equations("rnn")[0][1].startswith(r"h_t = \tanh")
