"""One verdict on a run: the Forecast page, the CLI's warning and metrics.json give the same."""

import json
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

import forecasting.evaluate as evaluate_module
import forecasting.guard as guard
from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.evaluate import Evaluation
from forecasting.summary import summarize
from forecasting.train import fit
from forecasting.verdict import BETTER, ON_PAR, PAR, WORSE, judge
from tests.conftest import ROOT, SAMPLES, noisy_sine
from tests.test_cli import run_cli
from tests.test_pages import put_run


def row(mae, mase):
    return {"MAE": mae, "RMSE": mae, "MAPE": None, "sMAPE": 1.0, "MASE": mase}


def scores(model, naive=None, seasonal_naive=None, drift=None, part="test"):
    table = {"model": model, "naive": naive, "seasonal_naive": seasonal_naive, "drift": drift}
    return Evaluation(part, 10, {name: scored for name, scored in table.items() if scored})


def test_the_verdict_names_the_best_baseline_and_the_share_by_which_the_model_beats_it():
    result = judge(scores(row(1.5, 0.6), row(4, 1.6), row(2, 0.8), row(5, 2.0)))
    assert (result.outcome, result.baseline, result.metric) == (BETTER, "seasonal_naive", "MASE")
    assert (result.model_score, result.baseline_score) == (0.6, 0.8)
    assert result.improvement == pytest.approx(0.25)


def test_the_verdict_is_against_the_best_baseline_not_seasonal_naive():
    result = judge(
        scores(row(3, 1.2), naive=row(4, 1.6), seasonal_naive=row(5, 2.0), drift=row(2.5, 1.0))
    )
    assert (result.outcome, result.baseline) == (WORSE, "drift")
    assert result.improvement == pytest.approx(-0.2)


@pytest.mark.parametrize(
    ("model_mase", "outcome"),
    [(0.98, BETTER), (0.995, PAR), (1.0, PAR), (1.009, PAR), (1.02, WORSE)],
)
def test_a_difference_under_one_percent_of_the_baseline_s_error_is_on_par(model_mase, outcome):
    assert ON_PAR == 0.01
    assert judge(scores(row(1, model_mase), seasonal_naive=row(1, 1.0))).outcome == outcome


def test_the_verdict_falls_back_to_mae_when_mase_is_undefined():
    result = judge(scores(row(1.0, None), naive=row(2.0, None), drift=row(4.0, None)))
    assert (result.outcome, result.metric, result.baseline) == (BETTER, "MAE", "naive")
    assert result.improvement == pytest.approx(0.5)


def test_there_is_no_verdict_when_a_baseline_is_perfect():
    result = judge(scores(row(1.0, None), seasonal_naive=row(0.0, None), part="validation"))
    assert result.outcome is None and result.improvement is None
    assert result.to_dict() == {
        "outcome": None,
        "baseline": "seasonal_naive",
        "metric": "MAE",
        "model_score": 1.0,
        "baseline_score": 0.0,
        "improvement": None,
        "part": "validation",
    }


# Where the old rules disagreed: the page judged against the best baseline with a 1% band,
# the CLI against seasonal naive alone, strictly.
WITHIN_ONE_PERCENT_WORSE = {
    "model": row(10.05, 1.005),
    "naive": row(13, 1.3),
    "seasonal_naive": row(10, 1.0),
    "drift": row(12, 1.2),
}
BEATS_SEASONAL_NAIVE_NOT_DRIFT = {
    "model": row(9, 0.9),
    "naive": row(12, 1.2),
    "seasonal_naive": row(10, 1.0),
    "drift": row(8, 0.8),
}


@pytest.fixture(scope="module")
def run_and_series():
    series = from_array(noisy_sine(200, period=12), season=12)
    config = TrainConfig(window=24, horizon=6, season_length=12, hidden_size=4, epochs=1, members=1)
    return fit(series, config), series


def page_verdicts(run_and_series, table) -> list[str]:
    """Every success, info and warning line of the Forecast page for a run scored as `table`."""
    run, series = run_and_series
    summary = summarize(run, series, "LSTM #1")
    summary = replace(summary, evaluation=Evaluation("validation", 10, table))
    app = AppTest.from_file(str(ROOT / "app_pages" / "forecast.py"), default_timeout=60)
    put_run(app, summary)
    app.run()
    assert not app.exception
    return [element.value for element in [*app.success, *app.info, *app.warning]]


@pytest.mark.parametrize(
    ("table", "outcome", "line"),
    [
        (
            WITHIN_ONE_PERCENT_WORSE,
            PAR,
            "LSTM is on par with seasonal naive: their MASE differ by less than 1% on the "
            "validation part.",
        ),
        (
            BEATS_SEASONAL_NAIVE_NOT_DRIFT,
            WORSE,
            "LSTM does not beat drift: its MASE is 12% higher on the validation part.",
        ),
    ],
    ids=["within-1%-worse", "beats-seasonal-naive-not-drift"],
)
def test_the_page_the_cli_and_metrics_json_give_one_verdict(
    capsys, monkeypatch, tmp_path, run_and_series, table, outcome, line
):
    monkeypatch.setattr(
        evaluate_module, "evaluate", lambda run, series, part: Evaluation("validation", 10, table)
    )
    monkeypatch.setattr(guard, "choose_blend", lambda run, series: None)  # the verdict alone
    argv = ["forecast", SAMPLES / "airline.csv", "--out", tmp_path, "--epochs", 1, "--members", 1]
    code, _, err = run_cli(capsys, *argv, "--hidden-size", 4)
    assert code == 0
    written = json.loads((tmp_path / "metrics.json").read_text())
    assert "against_seasonal_naive" not in written
    verdict = written["verdict"]
    assert verdict["outcome"] == outcome and verdict["metric"] == "MASE"
    assert verdict == judge(Evaluation("validation", 10, table)).to_dict()
    if outcome == WORSE:
        assert err.strip().splitlines() == [
            "warning: on the validation part the model's MASE (0.9) is 12% worse than drift's "
            "(0.8), the best baseline; prefer the baseline, or try another window or more data"
        ]
    else:
        assert err == ""
    lines = [shown for shown in page_verdicts(run_and_series, table) if shown.startswith("LSTM")]
    assert len(lines) == 1 and lines[0].startswith(line)
