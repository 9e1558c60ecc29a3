"""models.recurrent: the forecaster's shapes, checks, residual bases and recursive rollout."""

from __future__ import annotations

import warnings

import pytest
import torch

from models.recurrent import (
    CELLS,
    RESIDUALS,
    Ensemble,
    RecurrentForecaster,
    count_parameters,
    member_outputs,
    roll_forward,
)

GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def make_model(**kwargs) -> RecurrentForecaster:
    torch.manual_seed(0)
    return RecurrentForecaster(**{"hidden_size": 8, **kwargs}).eval()


def zero_head(model: RecurrentForecaster) -> RecurrentForecaster:
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
    return model


def windows_batch(batch: int = 4, window: int = 10, features: int = 1) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(batch, window, features, generator=generator) * 3 + 5  # (batch, window, f)


def test_the_three_cells_are_offered():
    assert set(CELLS) == {"lstm", "gru", "rnn"}


@pytest.mark.parametrize("residual", RESIDUALS)
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_output_is_batch_by_horizon(cell, residual):
    model = make_model(cell=cell, horizon=5, residual=residual, season_length=3)
    assert isinstance(model.rnn, CELLS[cell])
    output = model(windows_batch(batch=4, window=10))
    assert output.shape == (4, 5)
    assert torch.isfinite(output).all()


def test_extra_input_features_are_accepted():
    model = make_model(input_size=3, horizon=2)
    assert model(windows_batch(batch=2, window=7, features=3)).shape == (2, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell": "transformer"}, "cell must be one of .* got 'transformer'"),
        ({"input_size": 0}, "input_size must be at least 1, got 0"),
        ({"hidden_size": 0}, "hidden_size must be at least 1, got 0"),
        ({"num_layers": -1}, "num_layers must be at least 1, got -1"),
        ({"horizon": 0}, "horizon must be at least 1, got 0"),
        ({"residual": "trend"}, "residual must be one of .* got 'trend'"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\), got 1.0"),
        ({"dropout": -0.1}, r"dropout must be in \[0, 1\), got -0.1"),
        ({"season_length": 0}, "season_length must be at least 1, got 0"),
        ({"pool": 0}, "pool must be at least 1, got 0"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RecurrentForecaster(**kwargs)


def test_dropout_reaches_only_stacked_layers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single = RecurrentForecaster(hidden_size=4, num_layers=1, dropout=0.5)
    assert single.rnn.dropout == 0.0
    assert RecurrentForecaster(hidden_size=4, num_layers=2, dropout=0.5).rnn.dropout == 0.5


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_residual_last_with_a_zero_head_is_the_naive_forecast(cell):
    model = zero_head(make_model(cell=cell, horizon=6, residual="last"))
    x = windows_batch(batch=4, window=10)
    expected = x[:, -1, 0:1].expand(4, 6)
    assert torch.equal(model(x), expected)


@pytest.mark.parametrize("horizon", [1, 3, 4, 10])
def test_residual_seasonal_with_a_zero_head_is_the_seasonal_naive_forecast(horizon):
    season, window = 4, 10
    model = zero_head(make_model(horizon=horizon, residual="seasonal", season_length=season))
    x = windows_batch(batch=3, window=window)
    steps = torch.arange(horizon)
    expected = x[:, window - season + steps % season, 0]  # (batch, horizon)
    assert torch.equal(model(x), expected)


@pytest.mark.parametrize("season_length", [1, 11])
def test_residual_seasonal_falls_back_to_naive_when_no_season_fits(season_length):
    model = zero_head(make_model(horizon=3, residual="seasonal", season_length=season_length))
    x = windows_batch(batch=2, window=10)
    assert torch.equal(model(x), x[:, -1, 0:1].expand(2, 3))


def test_residual_none_with_a_zero_head_outputs_zeros():
    model = zero_head(make_model(horizon=4, residual="none"))
    assert torch.equal(model(windows_batch()), torch.zeros(4, 4))


@pytest.mark.parametrize("residual", ["last", "seasonal"])
def test_residual_models_move_with_the_level_of_the_window(residual):
    model = make_model(horizon=5, residual=residual, season_length=4)
    x = windows_batch()
    shifted = model(x + 100.0)
    torch.testing.assert_close(shifted, model(x) + 100.0, rtol=0, atol=1e-4)


def test_residual_none_does_not_move_with_the_level():
    model = make_model(horizon=2, residual="none")
    x = windows_batch()
    assert not torch.allclose(model(x + 100.0), model(x) + 100.0, atol=1.0)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_roll_forward_feeds_each_prediction_back_in(cell):
    model = make_model(cell=cell, horizon=3, residual="none")
    x = windows_batch(batch=2, window=6)
    rolled = roll_forward(model, x, steps=5)
    assert rolled.shape == (2, 5)

    window, expected = x.clone(), []
    for _ in range(5):
        step = model(window)[:, 0]  # (batch,)
        expected.append(step)
        window = torch.cat([window[:, 1:, 0], step[:, None]], dim=1)[:, :, None]
    torch.testing.assert_close(rolled, torch.stack(expected, dim=1), rtol=0, atol=1e-6)
    assert torch.equal(rolled[:, 0], model(x)[:, 0])
    assert not torch.allclose(rolled[:, 1:], model(x)[:, :1].expand(2, 4))


def test_roll_forward_of_a_naive_model_repeats_the_last_value():
    model = zero_head(make_model(horizon=1, residual="last"))
    x = windows_batch(batch=3, window=8)
    assert torch.equal(roll_forward(model, x, steps=7), x[:, -1, 0:1].expand(3, 7))


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_count_parameters_counts_every_weight(cell):
    hidden, horizon = 8, 3
    model = make_model(cell=cell, horizon=horizon)
    assert count_parameters(model) == sum(p.numel() for p in model.parameters())
    gates = GATES[cell]
    rnn = gates * hidden * (1 + hidden) + 2 * gates * hidden
    assert count_parameters(model) == rnn + hidden * horizon + horizon


@pytest.mark.parametrize("residual", ["last", "seasonal"])
def test_window_scale_makes_the_forecast_follow_any_level_and_unit(residual):
    model = make_model(residual=residual, season_length=4, horizon=6, window_scale=True)
    x = windows_batch()
    scale, shift = 250.0, -40.0
    torch.testing.assert_close(
        model(scale * x + shift), scale * model(x) + shift, rtol=1e-4, atol=1e-2
    )


def test_the_linear_shortcut_starts_at_zero_so_it_changes_nothing_untrained():
    torch.manual_seed(0)
    plain = RecurrentForecaster(hidden_size=8, horizon=6, season_length=4, residual="seasonal")
    torch.manual_seed(0)
    shortcut = RecurrentForecaster(
        hidden_size=8, horizon=6, season_length=4, residual="seasonal", linear_window=10
    )
    x = windows_batch()
    assert shortcut.linear.weight.shape == (6, 10)
    torch.testing.assert_close(shortcut.eval()(x), plain.eval()(x))


@pytest.mark.parametrize("window_scale", [False, True])
def test_the_linear_shortcut_can_turn_the_seasonal_base_into_the_last_value(window_scale):
    settings = {"horizon": 6, "season_length": 4, "window_scale": window_scale}
    seasonal = zero_head(make_model(residual="seasonal", linear_window=10, **settings))
    last = zero_head(make_model(residual="last", **settings))
    with torch.no_grad():  # step k's seasonal base is the window's step 10 - 4 + k % 4
        for k in range(6):
            seasonal.linear.weight[k, 10 - 4 + k % 4] = -1.0
    x = windows_batch()
    torch.testing.assert_close(seasonal(x), last(x), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("residual", ["last", "seasonal"])
def test_the_linear_shortcut_keeps_the_forecast_following_level_and_unit(residual):
    model = make_model(
        residual=residual, season_length=4, horizon=6, window_scale=True, linear_window=10
    )
    with torch.no_grad():
        model.linear.weight.normal_()
    x = windows_batch()
    torch.testing.assert_close(
        model(250.0 * x - 40.0), 250.0 * model(x) - 40.0, rtol=1e-4, atol=1e-2
    )


def test_without_window_scale_the_correction_does_not_follow_the_unit():
    model = make_model(horizon=6)
    x = windows_batch()
    assert not torch.allclose(model(250.0 * x), 250.0 * model(x), rtol=1e-3)


def test_an_ensemble_forecasts_the_median_of_members_that_start_apart():
    torch.manual_seed(0)
    members = [RecurrentForecaster(hidden_size=8, horizon=3) for _ in range(3)]
    ensemble = Ensemble(members).eval()
    x = windows_batch()
    each = torch.stack([member(x) for member in members])  # (3, batch, horizon)
    assert not torch.equal(each[0], each[1])
    torch.testing.assert_close(ensemble(x), each.median(dim=0).values)
    torch.testing.assert_close(member_outputs(ensemble, x), each)
    assert member_outputs(members[0], x).shape == (1, 4, 3)
    assert count_parameters(ensemble) == 3 * count_parameters(members[0])


def test_an_even_ensemble_takes_the_mean_of_its_two_middle_members():
    torch.manual_seed(0)
    members = [RecurrentForecaster(hidden_size=8, horizon=3) for _ in range(2)]
    x = windows_batch()
    each = torch.stack([member(x) for member in members])
    torch.testing.assert_close(Ensemble(members).eval()(x), each.mean(dim=0))


@pytest.mark.parametrize("window_scale", [False, True])
def test_a_pool_feeds_the_rnn_the_means_of_chunks_ending_at_the_last_step(window_scale):
    x = windows_batch(window=10, features=2)
    pooled = make_model(input_size=2, pool=3, window_scale=window_scale)
    every = make_model(input_size=2, window_scale=window_scale)
    steps = every.rnn_input(x)  # (4, 10, 2)
    chunks = [steps[:, :1], steps[:, 1:4], steps[:, 4:7], steps[:, 7:]]  # the oldest: what is left
    means = torch.stack([chunk.mean(1) for chunk in chunks], 1)
    torch.testing.assert_close(pooled.rnn_input(x), means)
    assert pooled.rnn_steps(10) == 4 and pooled.rnn_steps(9) == 3
    seen = []
    pooled.rnn.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    pooled(x)
    torch.testing.assert_close(seen[0], means)


def test_a_pool_longer_than_the_window_reads_one_mean():
    x = windows_batch(window=5)
    inputs = make_model(pool=8).rnn_input(x)
    torch.testing.assert_close(inputs, make_model().rnn_input(x).mean(1, keepdim=True))


@pytest.mark.parametrize("residual", ["last", "none"])
def test_every_step_of_a_pooled_window_reaches_the_recurrent_layers(residual):
    model = make_model(input_size=2, pool=3, horizon=2, residual=residual)  # no linear map
    x = windows_batch(window=10, features=2)
    for step in (0, 5):
        changed = x.clone()
        changed[:, step, 1] += 7.0  # an extra input, which only the recurrent layers read
        assert not torch.equal(model(x), model(changed))
