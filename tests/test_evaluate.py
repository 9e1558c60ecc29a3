import numpy as np
import pytest

from data.prepare import from_array
from forecasting import evaluate as evaluate_module
from forecasting.config import TrainConfig
from forecasting.evaluate import evaluate, mase_scale, metrics
from forecasting.train import fit
from tests.conftest import noisy_sine


def test_metrics_match_hand_computed_values():
    actual = np.array([10.0, 20.0, 30.0])
    predicted = np.array([12.0, 18.0, 33.0])
    scores = metrics(actual, predicted, scale=2.0)
    assert scores["MAE"] == pytest.approx(7 / 3)
    assert scores["RMSE"] == pytest.approx(np.sqrt((4 + 4 + 9) / 3))
    assert scores["MAPE"] == pytest.approx((0.2 + 0.1 + 0.1) / 3 * 100)
    smape = (2 * 2 / 22 + 2 * 2 / 38 + 2 * 3 / 63) / 3 * 100
    assert scores["sMAPE"] == pytest.approx(smape)
    assert scores["MASE"] == pytest.approx(7 / 3 / 2)


def test_mape_is_undefined_rather_than_infinite_when_an_actual_is_zero():
    scores = metrics(np.array([0.0, 1.0]), np.array([1.0, 1.0]), scale=1.0)
    assert scores["MAPE"] is None
    assert np.isfinite(scores["sMAPE"])


def test_mase_scale_is_the_in_sample_seasonal_naive_error():
    insample = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    assert mase_scale(insample, 1) == pytest.approx(np.mean([1, 2, 3, 4]))
    assert mase_scale(insample, 2) == pytest.approx(np.mean([3, 5, 7]))
    assert mase_scale(insample, 10) == pytest.approx(np.mean([1, 2, 3, 4]))
    assert mase_scale(np.ones(5), 1) is None


def test_model_and_baselines_are_scored_on_the_same_windows():
    values = noisy_sine(300, period=12)
    series = from_array(values)
    config = TrainConfig(window=24, horizon=6, season_length=12, hidden_size=8, epochs=2)
    run = fit(series, config)
    result = evaluate(run, series, "test")
    assert result.part == "test"
    assert result.windows == (len(series) - run.val_end) - 6 + 1
    assert set(result.table) == {"model", "naive", "seasonal_naive", "drift"}
    starts = np.arange(run.val_end, len(series) - 5)
    truth = values[starts[:, None] + np.arange(6)]
    seasonal = values[starts[:, None] - 12 + np.arange(6)]
    expected = np.mean(np.abs(truth - seasonal))
    assert result.table["seasonal_naive"]["MAE"] == pytest.approx(expected)


def test_a_long_part_is_scored_on_evenly_spread_windows_and_says_so(monkeypatch):
    values = noisy_sine(300, period=12)
    series = from_array(values)
    config = TrainConfig(window=24, horizon=6, season_length=12, hidden_size=8, epochs=1)
    run = fit(series, config)
    every = (len(series) - run.val_end) - 6 + 1
    monkeypatch.setattr(evaluate_module, "EVALUATION_WINDOWS", 10)
    result = evaluate(run, series, "test")
    assert result.windows == 10 < every
    assert f"Scored on 10 of the {every} test windows, evenly spread" in result.notes[0]
    starts = run.val_end + np.linspace(0, every - 1, 10).round().astype(int)
    truth = values[starts[:, None] + np.arange(6)]
    naive = values[starts - 1][:, None]
    assert result.table["naive"]["MAE"] == pytest.approx(np.mean(np.abs(truth - naive)))


def test_zeros_in_the_part_are_noted_for_mape():
    values = noisy_sine(200, period=10) - 10.0
    values[-3] = 0.0
    series = from_array(values)
    run = fit(series, TrainConfig(window=20, horizon=5, hidden_size=8, epochs=1))
    result = evaluate(run, series, "test")
    assert result.table["model"]["MAPE"] is None
    assert "MAPE is undefined: the test part contains zeros." in result.notes


def test_best_baseline_is_the_one_with_the_lowest_score():
    values = noisy_sine(300, period=12, noise=0.01)
    series = from_array(values)
    config = TrainConfig(window=24, horizon=12, season_length=12, hidden_size=8, epochs=1)
    result = evaluate(fit(series, config), series, "val")
    assert result.best_baseline("MASE") == "seasonal_naive"


def test_autocorrelation_matches_a_hand_computed_lag_and_is_zero_for_a_constant():
    from forecasting.evaluate import autocorrelation

    values = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    centred = values - values.mean()
    expected = np.dot(centred[:-1], centred[1:]) / np.dot(centred, centred)
    assert autocorrelation(values, 2)[0] == pytest.approx(expected)
    assert len(autocorrelation(values, 10)) == 4
    assert not autocorrelation(np.ones(6), 3).any()
