"""forecasting.compare and the batch job: settings diffs, score tables, LSTM vs GRU vs RNN."""

import threading

import pytest

from data.prepare import from_array
from forecasting.compare import (
    TRIO_HIDDEN,
    is_trio,
    lesson,
    lesson_table,
    metrics_table,
    settings_diff,
    trio_base,
    trio_configs,
)
from forecasting.config import TrainConfig
from forecasting.job import BatchJob, TrainingJob
from forecasting.summary import summarize
from forecasting.train import fit
from tests.conftest import noisy_sine

TINY = TrainConfig(
    window=20, horizon=5, hidden_size=8, epochs=2, patience=0, members=1, device="cpu", seed=3
)


@pytest.fixture(scope="module")
def series():
    return from_array(noisy_sine(240), target="signal")


@pytest.fixture(scope="module")
def trio(series):
    """LSTM, GRU and RNN trained one after another by a batch job, as runs of a session."""
    job = BatchJob(series, trio_configs(TINY), "sine").start()
    assert job.wait(120)
    assert [part.error for part in job.jobs] == [None, None, None]
    return [
        summarize(part.run, series, f"{part.config.cell.upper()} #{number}", "sine")
        for number, part in enumerate(job.jobs, start=1)
    ]


def test_the_diff_lists_exactly_the_settings_that_differ_in_field_order():
    configs = [TINY, TINY.with_changes(lr=0.01, hidden_size=4), TINY.with_changes(lr=0.01)]
    diff = settings_diff(configs, ["a", "b", "c"])
    assert list(diff.index) == ["hidden_size", "lr"]
    assert list(diff.columns) == ["a", "b", "c"]
    assert diff.loc["hidden_size"].tolist() == [8, 4, 8]
    assert diff.loc["lr"].tolist() == [0.003, 0.01, 0.01]


def test_the_diff_of_equal_settings_is_empty_and_extra_inputs_are_shown_as_names():
    assert settings_diff([TINY, TINY], ["a", "b"]).empty
    diff = settings_diff([TINY, TINY.with_changes(covariates=("price", "promo"))], ["a", "b"])
    assert list(diff.index) == ["covariates"]
    assert diff.loc["covariates"].tolist() == ["", "price, promo"]


def test_the_diff_needs_a_name_per_config():
    with pytest.raises(ValueError, match="2 configs but 1 names"):
        settings_diff([TINY, TINY], ["a"])


def test_trio_configs_differ_from_the_base_only_in_their_cell():
    base = TINY.with_changes(cell="gru", seed=11, num_layers=2)
    configs = trio_configs(base)
    assert [config.cell for config in configs] == ["lstm", "gru", "rnn"]
    assert all(config.with_changes(cell=base.cell) == base for config in configs)
    assert list(settings_diff(configs, ["l", "g", "r"]).index) == ["cell"]


@pytest.mark.parametrize(("cell", "pool"), [("lstm", 3), ("gru", 1)])
def test_the_trio_s_cells_read_the_same_input_as_the_base_s_cell(cell, pool):
    base = TINY.with_changes(cell=cell, window=130)
    assert base.pool_length == pool
    assert [config.pool_length for config in trio_configs(base)] == [pool] * 3


def test_the_trio_keeps_the_current_run_s_settings_only_on_the_data_it_was_trained_on(series, trio):
    assert trio_base(series, trio[1]) == trio[1].run.config
    other = from_array(noisy_sine(300, seed=1), target="signal")
    automatic = trio_base(other, trio[1])
    assert (automatic.members, automatic.hidden_size, automatic.linear) == (1, TRIO_HIDDEN, False)
    assert automatic.seed == 0 and automatic.cell == "lstm"
    assert trio_base(other) == automatic


def test_the_metrics_table_has_a_row_per_run_with_its_scores_size_and_epochs(trio):
    table = metrics_table(trio)
    assert list(table.index) == ["LSTM #1", "GRU #2", "RNN #3"]
    assert list(table.columns[:6]) == ["cell", "data", "part", "MASE", "sMAPE", "MAE"]
    for summary, (_, row) in zip(trio, table.iterrows(), strict=True):
        model = summary.evaluation.table["model"]
        assert row["cell"] == summary.run.config.cell.upper()
        assert row["part"] == "test" and row["data"] == "sine"
        for metric in ("MAE", "RMSE", "MAPE", "sMAPE", "MASE"):
            assert row[metric] == pytest.approx(model[metric])
        assert row["parameters"] == summary.run.parameters
        assert row["seconds"] == summary.run.seconds
        assert (row["epochs"], row["best_epoch"]) == (2, summary.run.best_epoch)


def test_the_trio_is_trained_with_the_same_settings_and_differs_in_size(trio):
    assert [s.run.config for s in trio] == trio_configs(TINY)
    sizes = [summary.run.parameters for summary in trio]
    assert sizes[2] < sizes[1] < sizes[0], "RNN < GRU < LSTM"


def test_the_lesson_is_read_from_the_numbers(trio):
    facts = lesson(trio)
    assert (facts.fewest, facts.most) == ("RNN", "LSTM")
    assert facts.ratio == trio[0].run.parameters / trio[2].run.parameters
    assert facts.metric == "MASE"
    scores = {s.run.config.cell.upper(): s.evaluation.table["model"]["MASE"] for s in trio}
    assert facts.best == min(scores, key=scores.get)
    assert facts.best_score == scores[facts.best]
    assert facts.fastest == min(trio, key=lambda s: s.run.seconds).run.config.cell.upper()
    table = lesson_table(trio)
    assert list(table.columns) == ["cell", "MASE", "seconds", "parameters"]
    with pytest.raises(ValueError, match="at least two runs"):
        lesson(trio[:1])


def test_runs_of_one_cell_are_named_by_run_not_by_cell_and_are_no_trio(series, trio):
    wider = TINY.with_changes(hidden_size=TINY.hidden_size * 2)
    second = summarize(fit(series, wider), series, "LSTM #4", "sine")
    lstms = [trio[0], second]
    facts = lesson(lstms)
    assert (facts.fewest, facts.most) == ("LSTM #1", "LSTM #4")
    assert facts.best in {"LSTM #1", "LSTM #4"} and facts.fastest in {"LSTM #1", "LSTM #4"}
    assert is_trio(trio) and not is_trio(lstms) and not is_trio(trio[:2])


def test_a_batch_trains_its_configs_in_order_in_one_thread(series, monkeypatch):
    from forecasting import job as job_module

    seen = []
    real_fit = job_module.fit

    def recording(series, config, **kwargs):
        seen.append((config.cell, threading.current_thread().name))
        return real_fit(series, config, **kwargs)

    monkeypatch.setattr(job_module, "fit", recording)
    job = BatchJob(series, trio_configs(TINY.with_changes(epochs=1))).start()
    assert job.wait(120)
    assert seen == [(cell, "forecast-lab-batch") for cell in ("lstm", "gru", "rnn")]
    assert job.position() == (3, 3) and job.progress()[:2] == (1, 1)
    assert not job.skipped


def test_stopping_a_batch_keeps_the_current_run_and_skips_the_rest(series):
    endless = TINY.with_changes(epochs=100_000)
    job = BatchJob(series, trio_configs(endless)).start()
    while not job.jobs[0].history:
        job.wait(0.01)
    assert job.position() == (1, 3)
    job.stop()
    assert job.wait(60)
    first = job.jobs[0]
    assert first.run is not None and first.run.stop_reason.startswith("stopped by you")
    assert job.skipped == job.jobs[1:]
    assert all(part.run is None and part.error is None for part in job.skipped)


def test_a_batch_reports_each_run_s_error_and_goes_on(series):
    too_long = TINY.with_changes(window=400)
    job = BatchJob(series, [too_long, TINY]).start()
    assert job.wait(120)
    assert "fewer than one window" in job.jobs[0].error
    assert job.jobs[1].run is not None


def test_a_batch_needs_a_config():
    with pytest.raises(ValueError, match="at least one config"):
        BatchJob(from_array(noisy_sine(50), target="signal"), [])


def test_a_training_job_can_train_in_the_calling_thread(series):
    job = TrainingJob(series, TINY)
    assert not job.done
    job.train()
    assert job.done and job.wait(0) and job.run is not None


def test_the_settings_diff_shows_the_pool_each_run_used():
    lstm = TINY.with_changes(window=130)
    assert settings_diff([lstm, lstm.with_changes(pool=3)], ["a", "b"]).empty
    diff = settings_diff([lstm, lstm.with_changes(cell="gru")], ["l", "g"])
    assert list(diff.loc["pool"]) == [3, 1]
