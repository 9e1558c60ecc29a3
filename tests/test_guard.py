"""forecasting.guard: never silently worse than the simplest forecast. A baseline that beats the
network on the validation part is blended in, by validation error, and the run says so: in its
forecasts, its checkpoint, the CLI and the Forecast page."""

import json
from dataclasses import replace

import numpy as np
import pytest

import forecasting.guard as guard
from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.persist import load_run, run_to_bytes
from forecasting.predict import actuals_from, baseline_forecasts, forecast_from
from forecasting.train import Blend, fit, model_inputs
from models.checkpoint import CheckpointError
from tests.conftest import SAMPLES, noisy_sine
from tests.test_cli import FAST, run_cli

TINY = TrainConfig(window=40, horizon=5, hidden_size=8, epochs=2, members=1, season_length=20,
                   device="cpu", seed=3)  # fmt: skip


@pytest.fixture(scope="module")
def trained():
    series = from_array(noisy_sine(400, noise=0.02), season=20)
    return series, fit(series, TINY)


def pretend_network(monkeypatch, make):
    """The network's validation forecasts replaced by `make(actual, seasonal naive)`."""

    def forecasts(run, values, starts):
        target = values[:, 0] if np.ndim(values) == 2 else values
        actual = actuals_from(target, starts, run.config.horizon)
        naive = baseline_forecasts("seasonal_naive", target, starts, run.config)
        return make(actual, naive)

    monkeypatch.setattr(guard, "forecast_from", forecasts)


def test_a_network_beaten_by_seasonal_naive_is_blended_with_it(trained, monkeypatch):
    series, run = trained
    noise = np.random.default_rng(0)
    pretend_network(monkeypatch, lambda actual, naive: actual + noise.normal(0, 1.0, actual.shape))
    blend = guard.choose_blend(run, series)
    assert blend.baseline == "seasonal_naive"
    assert 0 <= blend.weight < 0.5, "mostly the baseline: it is far better"
    assert blend.blended_error < blend.model_error * (1 - guard.MIN_GAIN)


def test_a_network_that_holds_up_forecasts_alone(trained, monkeypatch):
    series, run = trained
    pretend_network(monkeypatch, lambda actual, naive: actual.copy())
    assert guard.choose_blend(run, series) is None
    noise = np.random.default_rng(0)
    pretend_network(monkeypatch, lambda actual, naive: actual + noise.normal(0, 1.0, actual.shape))
    assert guard.choose_blend(run, series) is not None
    monkeypatch.setattr(guard, "MIN_GAIN", 0.99)
    assert guard.choose_blend(run, series) is None, "a gain under MIN_GAIN is no reason to blend"


def test_a_blended_run_forecasts_the_weighted_mix_everywhere(trained):
    series, run = trained
    mixed = replace(run, blend=Blend("drift", 0.3, 1.0, 0.5))
    alone = replace(run, blend=None)
    starts = np.arange(TINY.window, len(series) - TINY.horizon, 37)
    inputs = model_inputs(series, TINY)
    expected = 0.3 * forecast_from(alone, inputs, starts) + 0.7 * baseline_forecasts(
        "drift", series.values, starts, TINY
    )
    np.testing.assert_allclose(forecast_from(mixed, inputs, starts), expected)


def test_fit_decides_on_the_validation_part_and_the_checkpoint_keeps_it(trained, monkeypatch):
    series, _ = trained
    chosen = Blend("seasonal_naive", 0.4, 2.0, 1.0)
    monkeypatch.setattr(guard, "choose_blend", lambda run, one: chosen)
    run = fit(series, TINY.with_changes(epochs=1))
    assert run.blend == chosen
    assert load_run(run_to_bytes(run)).blend == chosen


@pytest.mark.parametrize(
    "saved",
    [
        {"baseline": "oracle", "weight": 0.5, "model_error": 1.0, "blended_error": 0.5},
        {"baseline": "drift", "weight": 1.5, "model_error": 1.0, "blended_error": 0.5},
        {"baseline": "drift", "weight": 0.5, "model_error": float("nan"), "blended_error": 0.5},
        {"baseline": "drift", "weight": 0.5, "code": "import os"},
        {"baseline": "naive", "weight": 0.5, "model_error": 1.0, "blended_error": 0.5},
        {"baseline": "drift", "weight": 1.0, "model_error": 1.0, "blended_error": 0.5},
    ],
    ids=[
        "unknown baseline",
        "share above 1",
        "not a number",
        "other keys",
        "not guarded",
        "the network alone",
    ],
)
def test_a_checkpoint_with_a_blend_this_app_does_not_make_is_refused(trained, saved):
    from forecasting import persist
    from models import checkpoint

    _, run = trained
    saved_run = persist.to_checkpoint(run)
    saved_run.meta["blend"] = saved
    with pytest.raises(CheckpointError, match="incomplete"):
        load_run(checkpoint.to_bytes(saved_run))


def test_the_cli_says_when_it_blends_and_metrics_json_records_it(capsys, tmp_path, monkeypatch):
    chosen = Blend("seasonal_naive", 0.6, 5.7, 5.0)
    monkeypatch.setattr(guard, "choose_blend", lambda run, one: chosen)
    code, _, err = run_cli(capsys, "forecast", SAMPLES / "airline.csv", "--out", tmp_path, *FAST)
    assert code == 0
    note = next(line for line in err.splitlines() if line.startswith("note:"))
    assert "seasonal naive beat the LSTM" in note and "60% LSTM, 40% seasonal naive" in note
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["blend"] == {"baseline": "seasonal_naive", "weight": 0.6,
                                "model_error": 5.7, "blended_error": 5.0}  # fmt: skip
    monkeypatch.setattr(guard, "choose_blend", lambda run, one: None)
    code, _, err = run_cli(capsys, "forecast", SAMPLES / "airline.csv", "--out", tmp_path, *FAST)
    assert code == 0 and "note:" not in err
    assert json.loads((tmp_path / "metrics.json").read_text())["blend"] is None


def test_the_forecast_page_says_the_forecast_is_a_blend(trained):
    from forecasting.summary import summarize
    from tests.test_pages import put_run, start

    series, run = trained
    blended = replace(run, blend=Blend("drift", 0.7, 2.0, 1.5))
    app = start()
    put_run(app, summarize(blended, series, "LSTM #1"))
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception
    said = [element.value for element in app.info]
    assert any("drift beat the LSTM network" in line and "70% LSTM, 30% drift" in line
               for line in said)  # fmt: skip


def test_a_saved_model_applied_to_other_data_chooses_its_blend_there(trained, monkeypatch):
    from forecasting.persist import apply_to

    run = trained[1]
    blended = replace(run, blend=Blend("drift", 0.2, 2.0, 1.0))
    other = from_array(noisy_sine(300, noise=0.05, seed=9), season=20)
    monkeypatch.setattr(guard, "choose_blend", lambda run, one: None)
    assert apply_to(blended, other).blend is None, "the old series' blend is not carried over"
    chosen = Blend("seasonal_naive", 0.5, 1.0, 0.8)
    monkeypatch.setattr(guard, "choose_blend", lambda run, one: chosen)
    assert apply_to(blended, other).blend == chosen
