"""forecasting.inside: the gates shown are the ones the trained network computed on the window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.prepare import from_array, prepare
from forecasting.config import TrainConfig
from forecasting.inside import window_ends, window_states
from forecasting.predict import forecast_from
from forecasting.train import fit, model_inputs
from models.cells import GRUStates, LSTMStates
from models.recurrent import members_of
from tests.conftest import noisy_sine

TINY = TrainConfig(window=12, horizon=3, hidden_size=6, epochs=1, patience=0, seed=1)


@pytest.fixture(scope="module")
def lstm_run():
    series = from_array(noisy_sine(120), target="signal")
    return series, fit(series, TINY.with_changes(num_layers=2, members=2))


@pytest.fixture(scope="module")
def covariate_run():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2020-01-01", periods=120, freq="D")
    table = pd.DataFrame(
        {"date": dates, "sales": 50 + rng.normal(0, 5, 120), "promo": rng.normal(0, 1, 120)}
    )
    series = prepare(table, target="sales", covariates=["promo"])
    config = TINY.with_changes(cell="gru", members=1, covariates=("promo",), scaler="minmax")
    return series, fit(series, config)


def rnn_seen_by_a_forecast(run, series, end: int, member: int):
    """What the member's rnn read, and its outputs, while the run forecast from `end`."""
    seen = []
    rnn = members_of(run.model)[member].rnn
    handle = rnn.register_forward_hook(lambda module, args, out: seen.append((args[0], out[0])))
    try:
        forecast_from(run, model_inputs(series, run.config), np.array([end]))
    finally:
        handle.remove()
    return seen[0]


@pytest.mark.parametrize("member", [0, 1])
def test_the_states_are_those_the_network_computed_when_forecasting_from_the_window(
    lstm_run, member
):
    series, run = lstm_run
    end = 70
    states = window_states(run, series, end, member)
    inputs, outputs = rnn_seen_by_a_forecast(run, series, end, member)
    np.testing.assert_allclose(states.inputs, inputs[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(states.layers[-1].hidden, outputs[0].numpy(), atol=1e-5)
    assert states.cell == "lstm" and len(states.layers) == 2
    assert all(isinstance(layer, LSTMStates) for layer in states.layers)
    assert states.layers[0].forget.shape == (TINY.window, TINY.hidden_size)


def test_the_window_is_given_in_data_units_with_its_timestamps(lstm_run):
    series, run = lstm_run
    states = window_states(run, series, 40)
    np.testing.assert_array_equal(states.values, series.values[28:40])
    assert list(states.index) == list(range(28, 40))


def test_each_member_of_an_ensemble_shows_its_own_states(lstm_run):
    series, run = lstm_run
    first, second = (window_states(run, series, 50, member) for member in (0, 1))
    assert not np.allclose(first.layers[0].hidden, second.layers[0].hidden)


def test_extra_inputs_are_scaled_and_read_as_in_a_forecast(covariate_run):
    series, run = covariate_run
    end = len(series)
    states = window_states(run, series, end)
    inputs, outputs = rnn_seen_by_a_forecast(run, series, end, 0)
    assert states.inputs.shape == (TINY.window, 2)
    np.testing.assert_allclose(states.inputs, inputs[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(states.layers[0].hidden, outputs[0].numpy(), atol=1e-5)
    assert isinstance(states.layers[0], GRUStates)
    assert states.index[-1] == pd.Timestamp("2020-04-29")


def test_windows_end_from_the_first_full_window_to_the_series_end(lstm_run):
    series, run = lstm_run
    assert window_ends(run, series) == range(TINY.window, len(series) + 1)
    with pytest.raises(ValueError, match="end must be between 12 and 120, got 11"):
        window_states(run, series, 11)
    with pytest.raises(ValueError, match="member must be between 0 and 1, got 2"):
        window_states(run, series, 20, member=2)


@pytest.mark.parametrize(
    ("window", "pool", "middles"),
    [
        (100, 0, [50.0] + [start + 1.0 for start in range(51, 150, 3)]),  # automatic: 3
        (24, 5, [127.5, 132.0, 137.0, 142.0, 147.0]),  # the oldest 4 points, then runs of 5
        (20, 30, [139.5]),  # one mean of the whole window
    ],
)
def test_a_pooled_lstm_shows_one_column_per_mean_at_the_middle_of_its_points(window, pool, middles):
    series = from_array(noisy_sine(200), target="signal")
    run = fit(series, TINY.with_changes(window=window, pool=pool, members=1))
    states = window_states(run, series, 150)
    inputs, outputs = rnn_seen_by_a_forecast(run, series, 150, 0)
    np.testing.assert_allclose(states.inputs, inputs[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(states.layers[-1].hidden, outputs[0].numpy(), atol=1e-5)
    assert states.pool == run.config.pool_length and len(states.index) == window
    assert list(states.steps) == middles
