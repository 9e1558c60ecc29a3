import numpy as np
import pytest

from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.summary import summarize
from forecasting.train import fit
from forecasting.verdict import judge
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


def test_a_summary_s_verdict_is_the_one_judged_on_its_evaluation(summary):
    assert summary.verdict == judge(summary.evaluation)
    assert summary.verdict.part == "test"
