import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from data.errors import DataError
from data.prepare import from_array
from data.windows import target_starts
from forecasting import train
from forecasting.config import ConfigError, TrainConfig
from forecasting.device import choose_device, device_name
from forecasting.evaluate import evaluate
from forecasting.predict import actuals_from, forecast_from, future
from forecasting.train import TrainingError, fit
from models.recurrent import Ensemble, members_of
from tests.conftest import ROOT, noisy_sine

TINY = TrainConfig(window=20, horizon=5, hidden_size=16, epochs=4, batch_size=32, patience=0)


def test_the_linear_shortcut_is_trained_and_absent_when_off(sine_series):
    run = fit(sine_series, TINY.with_changes(members=1))
    assert run.model.linear.weight.abs().sum() > 0
    plain = fit(sine_series, TINY.with_changes(members=1, linear=False))
    assert plain.model.linear is None
    assert not any(name.startswith("linear") for name in plain.model.state_dict())


def test_mixed_precision_changes_nothing_off_cuda(sine_series):
    config = TINY.with_changes(members=1, device="cpu")
    fp32 = future(fit(sine_series, config), sine_series)
    mixed = future(fit(sine_series, config.with_changes(precision="mixed")), sine_series)
    np.testing.assert_array_equal(mixed.mean, fp32.mean)


def test_same_seed_gives_the_same_forecast(sine_series):
    first = future(fit(sine_series, TINY), sine_series)
    second = future(fit(sine_series, TINY), sine_series)
    np.testing.assert_array_equal(first.mean, second.mean)
    np.testing.assert_array_equal(first.upper(0.95), second.upper(0.95))


def test_another_seed_gives_another_model(sine_series):
    first = future(fit(sine_series, TINY), sine_series)
    other = future(fit(sine_series, TINY.with_changes(seed=1)), sine_series)
    assert not np.array_equal(first.mean, other.mean)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_small_network_learns_a_noisy_sine_well_beyond_naive(sine_series, cell):
    config = TrainConfig(cell=cell, window=40, horizon=10, hidden_size=32, epochs=60, lr=0.01)
    run = fit(sine_series, config)
    scores = evaluate(run, sine_series, "val").table
    assert scores["model"]["MAE"] < 0.5 * scores["naive"]["MAE"]


def test_the_rnn_cell_and_the_recursive_strategy_train_too(sine_series):
    run = fit(sine_series, TINY.with_changes(cell="rnn", strategy="recursive"))
    assert all(member.horizon == 1 for member in members_of(run.model))
    ahead = future(run, sine_series)
    assert ahead.mean.shape == (5,) and np.isfinite(ahead.mean).all()


def test_history_has_one_entry_per_epoch_with_finite_losses(sine_series):
    run = fit(sine_series, TINY)
    assert [log.epoch for log in run.history] == [1, 2, 3, 4]
    assert all(np.isfinite([log.train_loss, log.val_loss]).all() for log in run.history)
    assert run.history[-1].elapsed <= run.seconds
    assert (run.stop_kind, run.stop_reason) == ("completed", "completed 4 epochs")


def test_early_stopping_stops_and_restores_the_best_weights(sine_series, monkeypatch):
    config = TINY.with_changes(epochs=200, patience=3, lr=0.05)
    run = fit(sine_series, config)
    assert len(run.history) < 200
    assert 0 <= len(run.history) - run.best_epoch <= 3
    best = min(log.val_loss for log in run.history)
    assert run.history[run.best_epoch - 1].val_loss == best
    assert _validation_loss(run, sine_series) == pytest.approx(best, rel=1e-5)


def _validation_loss(run, series):
    return train.validation_loss(run, series)


def test_should_stop_ends_within_the_epoch_under_way_and_keeps_the_best(sine_series):
    history: list = []
    checks = []

    def stop_after_three_epochs() -> bool:
        checks.append(len(history))
        return len(history) >= 3

    config = TINY.with_changes(epochs=50)
    run = fit(sine_series, config, should_stop=stop_after_three_epochs, history=history)
    assert len(run.history) == 3
    assert checks.count(3) == 1, "the fourth epoch ends at its first batch"
    assert checks.count(1) > 1, "asked before every batch, not once an epoch"
    assert run.stop_kind == "user" and run.stop_reason.startswith("stopped by you after epoch 3")
    best = min(log.val_loss for log in run.history)
    assert _validation_loss(run, sine_series) == pytest.approx(best, rel=1e-5)


def test_a_stop_in_the_first_epoch_keeps_the_model_of_its_first_batch(sine_series):
    batches = []

    def stop_at_once() -> bool:
        batches.append(1)
        return True

    run = fit(sine_series, TINY.with_changes(epochs=50, batch_size=4), should_stop=stop_at_once)
    assert len(run.history) == 1 and run.stop_kind == "user"
    assert len(batches) == 3, "before the second batch (never run), then twice as it ends"
    assert math.isfinite(run.history[0].train_loss) and math.isfinite(run.history[0].val_loss)


def test_on_epoch_is_throttled_but_always_hears_the_last_epoch(sine_series, monkeypatch):
    heard = []
    monkeypatch.setattr(train, "CALLBACK_INTERVAL_S", 3600.0)
    fit(sine_series, TINY.with_changes(epochs=6), on_epoch=heard.append)
    assert [log.epoch for log in heard] == [6]
    heard.clear()
    monkeypatch.setattr(train, "CALLBACK_INTERVAL_S", 0.0)
    fit(sine_series, TINY.with_changes(epochs=6), on_epoch=heard.append)
    assert [log.epoch for log in heard] == [1, 2, 3, 4, 5, 6]
    assert all(log.epochs == 6 and log.elapsed >= 0 for log in heard)


def test_a_diverging_loss_stops_with_advice_to_lower_the_learning_rate():
    huge = from_array(noisy_sine() * 1e30)
    with pytest.raises(TrainingError, match=r"Try a lower learning rate than 0\.003"):
        fit(huge, TINY.with_changes(scaler="none", lr=0.003, loss="mse", window_scale=False))


def test_a_constant_series_is_refused_with_the_reason():
    flat = from_array(np.full(200, 4.0))
    with pytest.raises(DataError, match="constant \\(every value is 4\\)"):
        fit(flat, TINY)


def test_a_series_too_short_for_the_window_is_refused():
    short = from_array(noisy_sine(40))
    with pytest.raises(DataError, match="fewer than one window of 30 inputs plus 5 targets"):
        fit(short, TINY.with_changes(window=30))


def test_the_scaler_is_fitted_on_the_training_part_only(sine_series):
    run = fit(sine_series, TINY.with_changes(scaler="minmax", epochs=1))
    train_part = sine_series.values[: run.train_end]
    assert run.scaler.data_max_[0] == train_part.max()
    assert run.scaler.data_min_[0] == train_part.min()


def test_zero_patience_keeps_the_last_epoch_weights(sine_series):
    run = fit(sine_series, TINY.with_changes(epochs=5, patience=0))
    assert len(run.history) == 5
    assert _validation_loss(run, sine_series) == pytest.approx(run.history[-1].val_loss, rel=1e-5)


def test_device_choice_falls_back_to_cpu_and_refuses_a_missing_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert choose_device("auto").type == "cpu"
    assert device_name(torch.device("cpu")) == "CPU"
    with pytest.raises(ConfigError, match="no CUDA GPU is available"):
        choose_device("cuda")


def test_training_tensors_live_on_the_chosen_device(sine_series):
    run = fit(sine_series, TINY.with_changes(device="cpu", epochs=1))
    assert {p.device.type for p in run.model.parameters()} == {"cpu"}
    assert run.device == "CPU"


@pytest.mark.parametrize(("loss", "power"), [("mae", 1), ("mse", 2)])
def test_the_validation_loss_is_the_chosen_loss_in_scaled_units(sine_series, loss, power):
    config = TINY.with_changes(loss=loss, epochs=2)
    run = fit(sine_series, config)
    starts = target_starts(run.split(sine_series.values), config.window, config.horizon, "val")
    forecasts = forecast_from(run, sine_series.values, starts)
    errors = (forecasts - actuals_from(sine_series.values, starts, config.horizon)) / float(
        run.scaler.scale_[0]
    )
    expected = float(np.mean(np.abs(errors) ** power))
    assert train.validation_loss(run, sine_series) == pytest.approx(expected, rel=1e-4)
    assert run.history[-1].val_loss == pytest.approx(expected, rel=1e-4)


def test_an_ensemble_trains_its_members_apart_and_repeats_with_the_seed(sine_series):
    config = TINY.with_changes(members=3, epochs=3)
    run = fit(sine_series, config)
    assert isinstance(run.model, Ensemble) and len(run.model.members) == 3
    first, second = (member.head.weight for member in run.model.members[:2])
    assert not torch.equal(first, second)
    again = fit(sine_series, config)
    np.testing.assert_array_equal(future(run, sine_series).mean, future(again, sine_series).mean)
    assert run.history[-1].val_loss < run.history[0].val_loss


def test_epoch_windows_caps_the_windows_an_epoch_trains_on(sine_series, monkeypatch):
    steps = []
    original = torch.optim.Adam.step
    monkeypatch.setattr(
        torch.optim.Adam, "step", lambda self, *a, **k: steps.append(1) or original(self, *a, **k)
    )
    fit(sine_series, TINY.with_changes(epochs=2, batch_size=32, members=1))
    every = len(steps)
    steps.clear()
    fit(sine_series, TINY.with_changes(epochs=2, batch_size=32, members=1, epoch_windows=64))
    assert every > 4 and len(steps) == 4  # two batches of 32 in each of two epochs


def test_only_a_real_improvement_restarts_the_patience_count(sine_series, monkeypatch):
    scripted = iter([1.0, 0.5, 0.4995, 0.499, 0.4985, 0.3, 0.2])  # under 0.5% after epoch 2
    monkeypatch.setattr(train, "_loss", lambda *args: next(scripted))
    run = fit(sine_series, TINY.with_changes(epochs=7, patience=3))
    assert len(run.history) == 5  # epochs 3 to 5 gained too little to count
    assert run.best_epoch == 5  # yet the lowest loss is the one kept
    assert run.stop_kind == "early" and "less than 0.5% in 3 epochs" in run.stop_reason


def test_sampled_epochs_also_bound_the_validation_pass(sine_series, monkeypatch):
    sizes = []
    original = train._loss
    monkeypatch.setattr(
        train,
        "_loss",
        lambda model, frames, idx, config, *stop: (
            sizes.append(len(idx)) or original(model, frames, idx, config, *stop)
        ),
    )
    fit(sine_series, TINY.with_changes(epochs=1, members=1))
    every = sizes[-1]
    fit(sine_series, TINY.with_changes(epochs=1, members=1, epoch_windows=4))
    assert every > 16 and sizes[-1] == 16  # four times the sampled training windows


def test_warming_up_loads_what_the_first_optimiser_would_have_to():
    script = (
        "import sys; from forecasting.train import warm_up; "
        "before = 'torch._dynamo' in sys.modules; warm_up(); "
        "print(before, 'torch._dynamo' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True"], done.stderr


@pytest.mark.parametrize("max_norm", [0.05, 1e6])
def test_clip_gradients_matches_torchs_clipping(max_norm):
    torch.manual_seed(0)
    net = torch.nn.LSTM(1, 6)
    mine, theirs = list(net.parameters()), [p.detach().clone() for p in net.parameters()]
    for ours, reference in zip(mine, theirs, strict=True):
        ours.grad = torch.randn_like(ours)
        reference.grad = ours.grad.clone()
    unclipped = [p.grad.clone() for p in mine]
    train.clip_gradients(mine, max_norm)
    torch.nn.utils.clip_grad_norm_(theirs, max_norm)
    for ours, reference in zip(mine, theirs, strict=True):
        torch.testing.assert_close(ours.grad, reference.grad)
    joint = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in mine]))
    if max_norm < 1:
        assert joint == pytest.approx(max_norm, rel=1e-4)
    else:
        assert all(torch.equal(p.grad, g) for p, g in zip(mine, unclipped, strict=True))


def test_clip_gradients_skips_parameters_without_a_gradient():
    with_grad, without = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(2))
    with_grad.grad = torch.full((3,), 10.0)
    train.clip_gradients([with_grad, without], 1.0)
    assert without.grad is None
    assert float(with_grad.grad.norm()) == pytest.approx(1.0, rel=1e-4)
