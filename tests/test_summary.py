from dataclasses import replace

import numpy as np
import pytest

from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.evaluate import Evaluation
from forecasting.summary import summarize, verdict
from forecasting.train import fit
from tests.conftest import noisy_sine


@pytest.fixture(scope="module")
def summary():
    series = from_array(noisy_sine(300, period=12), season=12)
    config = TrainConfig(window=24, horizon=6, season_length=12, hidden_size=8, epochs=3)
    return summarize(fit(series, config), series, "LSTM #1")


def test_summary_scores_the_test_part_and_draws_paths_to_the_end(summary):
    assert summary.evaluation.part == "test"
    assert summary.held_out.index[0] == summary.run.train_end
    assert summary.held_out.index[-1] == len(summary.series) - 1
    for path in summary.baseline_paths.values():
        assert path.index.equals(summary.held_out.index)
    assert len(summary.forecast.mean) == 6
    assert summary.forecast.levels == (0.8, 0.95)


def test_summary_forecasts_at_the_levels_it_is_given(summary):
    again = summarize(summary.run, summary.series, "LSTM #1", levels=[0.9])
    assert again.forecast.levels == (0.9,)
    assert again.forecast.mean == pytest.approx(summary.forecast.mean)


def test_seasonal_naive_path_repeats_the_season_before_each_origin(summary):
    values = summary.series.values
    start = summary.run.train_end
    path = summary.baseline_paths["seasonal_naive"]
    np.testing.assert_array_equal(path.iloc[:6].to_numpy(), values[start - 12 : start - 6])


def with_table(summary, table):
    evaluation = Evaluation("test", 10, table)
    return replace(summary, evaluation=evaluation)


def row(mae, mase):
    return {"MAE": mae, "RMSE": mae, "MAPE": None, "sMAPE": 1.0, "MASE": mase}


def test_verdict_names_the_best_baseline_and_the_share_by_which_the_model_beats_it(summary):
    table = {
        "model": row(1.5, 0.6),
        "naive": row(4, 1.6),
        "seasonal_naive": row(2, 0.8),
        "drift": row(5, 2.0),
    }
    result = verdict(with_table(summary, table))
    assert (result.model, result.baseline, result.metric) == ("LSTM", "seasonal_naive", "MASE")
    assert result.improvement == pytest.approx(0.25)


def test_verdict_says_so_when_the_model_is_worse(summary):
    table = {"model": row(3, 1.2), "naive": row(4, 1.6), "drift": row(2.5, 1.0)}
    result = verdict(with_table(summary, table))
    assert result.baseline == "drift" and result.improvement == pytest.approx(-0.2)


def test_verdict_falls_back_to_mae_when_mase_is_undefined(summary):
    table = {"model": row(1.0, None), "naive": row(2.0, None), "drift": row(4.0, None)}
    result = verdict(with_table(summary, table))
    assert (result.metric, result.baseline) == ("MAE", "naive")
    assert result.improvement == pytest.approx(0.5)


def test_no_verdict_when_a_baseline_is_perfect(summary):
    table = {"model": row(1.0, None), "seasonal_naive": row(0.0, None)}
    assert verdict(with_table(summary, table)).improvement is None
