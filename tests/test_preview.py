"""A first picture while training goes on: the model in training forecasts the held-out parts
and past the end after its first epoch (then every PREVIEW_INTERVAL_S), and the Train page
draws it."""

import time

import numpy as np

import forecasting.train as train
from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.job import TrainingJob
from forecasting.predict import held_out_path, preview_of
from forecasting.train import fit
from tests.conftest import noisy_sine
from tests.test_pages import start, widget
from ui import state

TINY = TrainConfig(window=24, horizon=6, hidden_size=8, epochs=3, members=1, season_length=20,
                   device="cpu", seed=1)  # fmt: skip


def test_the_first_epoch_gives_a_preview_and_later_ones_at_most_every_interval(monkeypatch):
    series = from_array(noisy_sine(300), season=20)
    seen = []
    fit(series, TINY, on_model=lambda run: seen.append(run.history[-1].epoch))
    assert seen[0] == 1, "a picture after the first epoch"
    monkeypatch.setattr(train, "PREVIEW_INTERVAL_S", 0.0)
    seen.clear()
    fit(series, TINY, on_model=lambda run: seen.append(run.history[-1].epoch))
    assert seen == [1, 2, 3]


def test_a_long_first_epoch_is_drawn_before_it_ends(monkeypatch):
    series = from_array(noisy_sine(300), season=20)
    monkeypatch.setattr(train, "FIRST_PREVIEW_S", 0.0)  # as if each batch took long
    modes, backward = [], train._backward
    monkeypatch.setattr(train, "_backward", lambda model, *rest: modes.append(model.training)
                        or backward(model, *rest))  # fmt: skip
    seen = []

    def drawn(run):
        seen.append(len(run.history))
        preview_of(run, series)  # forecasting puts the network in evaluation mode

    run = fit(series, TINY.with_changes(epochs=1, batch_size=16), on_model=drawn)
    assert seen[0] == 0, "drawn within the first epoch"
    assert len(modes) > 2 and all(modes), "every batch after the preview trains in training mode"
    assert run.history[-1].epoch == 1


def test_a_preview_forecasts_the_held_out_parts_and_the_horizon_after_the_end():
    series = from_array(noisy_sine(300), season=20)
    run = fit(series, TINY.with_changes(epochs=1))
    preview = preview_of(run, series)
    path = held_out_path(run, series)
    np.testing.assert_allclose(preview.path.to_numpy(), path.to_numpy())
    assert list(preview.ahead.index) == list(range(300, 306))
    assert np.isfinite(preview.ahead.to_numpy()).all() and preview.epochs == 1


def test_a_training_job_keeps_its_latest_preview():
    job = TrainingJob(from_array(noisy_sine(300), season=20), TINY)
    job.train()
    assert job.preview is not None and job.preview.epochs >= 1
    assert len(job.preview.ahead) == TINY.horizon


def test_the_train_page_draws_the_model_so_far_while_it_trains():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    widget(app.number_input, "Epochs").set_value(2000)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    deadline = time.monotonic() + 60
    while job.preview is None and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        app.run()
        drawn = [chart.proto.spec for chart in app.get("plotly_chart")]
        assert any("The model so far (" in spec for spec in drawn)
    finally:
        job.stop()
        job.wait(60)
