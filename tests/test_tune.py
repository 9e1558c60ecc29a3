"""forecasting.tune: the search space, a tiny seeded search in SQLite, pruning, stopping,
resuming, the background job and the `tune` command."""

from __future__ import annotations

import json
from dataclasses import replace

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from data.prepare import from_array
from forecasting.config import auto_config
from forecasting.train import TrainingError, fit
from forecasting.tune import (
    SearchSpace,
    TrialSeededSampler,
    TuneError,
    TuneSettings,
    best_config,
    best_trial_config,
    figures,
    open_study,
    run_search,
    stored_base,
    stored_config,
    stored_space,
    suggest_config,
    trial_rows,
    window_bounds,
)
from forecasting.tune_job import TuneJob
from tests.conftest import SAMPLES, noisy_sine
from tests.test_cli import run_cli

SPACE = SearchSpace(hidden_size=(4, 8), batch_sizes=(32, 64))
SETTINGS = TuneSettings(trials=4, epochs=2, pruner="none", seed=3)
SERIES = from_array(noisy_sine(200), target="signal", season=20)
BASE = auto_config(len(SERIES), SERIES.season_length, hidden_size=8)  # members=3


def sqlite(tmp_path, name: str = "studies.db") -> str:
    return f"sqlite:///{tmp_path / name}"


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A finished 4-trial search and its storage URL."""
    storage = sqlite(tmp_path_factory.mktemp("tune"))
    study = open_study("tiny", storage, seed=SETTINGS.seed, pruner=SETTINGS.pruner)
    return run_search(SERIES, BASE, SPACE, SETTINGS, study), storage


# The search space


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"cells": ()}, "Pick at least one cell to search over (lstm, gru or rnn)."),
        ({"cells": ("lstm", "tcn")}, "Unknown cell 'tcn': the cells are gru, lstm, rnn."),
        (
            {"hidden_size": (128, 8)},
            "The hidden size range is upside down: its lowest (128) is above its highest (8).",
        ),
        ({"hidden_size": (8.5, 16)}, "The hidden size range takes whole numbers; got 8.5."),
        ({"dropout": (0.0, 1.5)}, "The dropout range must lie between 0 and 0.95; got 1.5."),
        ({"lr": (0, 0.01)}, "The learning rate range must lie between 1e-07 and 10; got 0."),
        ({"window": (2, 10)}, "The window range must lie between 4 and 10000; got 2."),
        ({"num_layers": (1,)}, "The layers range needs a lowest and a highest value; got (1,)."),
        ({"batch_sizes": ()}, "Pick at least one batch size to search over."),
        ({"batch_sizes": (32, 0)}, "Batch sizes must be whole numbers of 1 or more; got 0."),
    ],
)
def test_a_search_space_that_cannot_be_searched_is_refused_in_words(given, message):
    with pytest.raises(TuneError) as err:
        SearchSpace(**given)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"trials": 0}, "The number of trials must be 1 or more; got 0."),
        ({"pruner": "random"}, "Unknown pruner 'random': choose median, hyperband, none."),
        ({"timeout_s": 0}, "The time budget must be above 0 seconds; got 0."),
        ({"epochs": 0}, "Epochs per trial must be 1 or more; got 0."),
        ({"trials": 2.5}, "The number of trials must be a whole number; got 2.5."),
        ({"seed": 2**32}, "The seed must be between 0 and 4294967295; got 4294967296."),
        ({"timeout_s": "soon"}, "The time budget must be a number; got 'soon'."),
    ],
)
def test_settings_that_cannot_run_are_refused_in_words(given, message):
    with pytest.raises(TuneError) as err:
        TuneSettings(**given)
    assert str(err.value) == message


def test_drawn_configs_stay_within_the_space_and_keep_the_rest_of_the_base():
    space = SearchSpace(cells=("gru", "rnn"), hidden_size=(4, 16), num_layers=(1, 3),
                        dropout=(0.1, 0.2), lr=(1e-3, 1e-2), batch_sizes=(8, 16))  # fmt: skip
    study = optuna.create_study(sampler=TrialSeededSampler(0))
    low, high = window_bounds(space, BASE, len(SERIES))
    drawn = [suggest_config(study.ask(), BASE, space, len(SERIES)) for _ in range(40)]
    for config in drawn:
        assert config.cell in ("gru", "rnn") and 4 <= config.hidden_size <= 16
        assert 1 <= config.num_layers <= 3 and config.batch_size in (8, 16)
        assert 1e-3 <= config.lr <= 1e-2 and low <= config.window <= high
        assert config.dropout == 0.0 if config.num_layers == 1 else 0.1 <= config.dropout <= 0.2
        assert (config.horizon, config.members, config.seed) == (BASE.horizon, 3, BASE.seed)
    assert {config.num_layers for config in drawn} == {1, 2, 3}


def test_a_trial_draws_what_studies_already_hold_in_the_declared_order():
    """Parameter names, distributions and draw order as studies searched so far stored them: a
    change here would stop those studies from being continued."""
    study = optuna.create_study(sampler=TrialSeededSampler(0))
    trial = study.ask()
    suggest_config(trial, BASE, SearchSpace(num_layers=(2, 3), window=(8, 40)), len(SERIES))
    assert list(trial.params) == [
        "cell", "hidden_size", "num_layers", "dropout", "window", "lr", "batch_size"
    ]  # fmt: skip
    assert trial.distributions == {
        "cell": CategoricalDistribution(("lstm", "gru")),
        "hidden_size": IntDistribution(8, 128, log=True),
        "num_layers": IntDistribution(2, 3),
        "dropout": FloatDistribution(0.0, 0.3),
        "window": IntDistribution(8, 40),
        "lr": FloatDistribution(1e-4, 1e-2, log=True),
        "batch_size": CategoricalDistribution((16, 32, 64, 128)),
    }


def test_seed_0_draws_what_it_drew_before_the_search_was_made_from_the_declarations():
    base = auto_config(144, 12)  # airline passengers
    study = optuna.create_study(sampler=TrialSeededSampler(0))
    drawn = [suggest_config(study.ask(), base, SearchSpace(), 144) for _ in range(3)]
    searched = ("cell", "hidden_size", "num_layers", "dropout", "window", "batch_size")
    assert [tuple(getattr(config, name) for name in searched) for config in drawn] == [
        ("gru", 13, 1, 0.0, 40, 64),
        ("lstm", 120, 1, 0.0, 25, 64),
        ("lstm", 122, 2, pytest.approx(0.2201852265540467), 16, 64),
    ]
    assert [config.lr for config in drawn] == pytest.approx(
        [0.0014780173113605082, 0.002402439810913165, 0.003781727177964967]
    )


def test_the_automatic_window_range_brackets_the_automatic_window():
    low, high = window_bounds(SearchSpace(), BASE, len(SERIES))
    assert low == BASE.window // 2 and low < BASE.window < high
    assert high <= (len(SERIES) - 60) // 2  # half the training part: 30 + 30 points held out


def test_a_window_longer_than_the_training_part_is_refused_before_any_trial():
    with pytest.raises(TuneError) as err:
        window_bounds(SearchSpace(window=(10, 200)), BASE, len(SERIES))
    assert str(err.value) == (
        "A window of 200 steps does not fit: the training part has 140 points, "
        "so the longest window is 120."
    )


# A tiny search in SQLite


def test_a_search_runs_its_trials_on_one_network_each_and_keeps_their_settings(searched):
    study, _ = searched
    rows = trial_rows(study)
    assert [row.number for row in rows] == [0, 1, 2, 3]
    assert {row.state for row in rows} == {"COMPLETE"}
    assert all(row.value > 0 and row.seconds > 0 for row in rows)
    for trial in study.trials:
        stored = trial.user_attrs["config"]
        assert stored["members"] == 1 and stored["epochs"] == SETTINGS.epochs
        assert {name: stored[name] for name in trial.params} == trial.params
        assert trial.user_attrs["metric"] == "MASE"


def test_the_best_config_is_the_best_trials_with_the_bases_members(searched):
    study, _ = searched
    best = min(study.trials, key=lambda trial: trial.value)
    stored = best.user_attrs["config"]
    assert best_config(study).to_dict() == {**stored, "members": BASE.members}


def test_the_same_seed_draws_the_same_trials_and_another_seed_others(searched, tmp_path):
    study, _ = searched
    again = open_study("again", sqlite(tmp_path), seed=SETTINGS.seed, pruner="none")
    run_search(SERIES, BASE, SPACE, SETTINGS, again)
    assert [t.params for t in again.trials] == [t.params for t in study.trials]
    other = open_study("other", sqlite(tmp_path), seed=SETTINGS.seed + 1, pruner="none")
    run_search(SERIES, BASE, SPACE, TuneSettings(trials=1, epochs=1, pruner="none"), other)
    assert other.trials[0].params != study.trials[0].params


def test_a_study_is_resumed_where_it_stopped_without_repeating_its_draws(searched, tmp_path):
    _, storage = searched
    copy = sqlite(tmp_path)
    optuna.copy_study(from_study_name="tiny", from_storage=storage, to_storage=copy)
    resumed = open_study("tiny", copy, seed=SETTINGS.seed, pruner="none")
    assert len(resumed.trials) == 4
    run_search(SERIES, BASE, SPACE, TuneSettings(trials=2, epochs=2, seed=3), resumed)
    reopened = open_study("tiny", copy)
    assert [row.number for row in trial_rows(reopened)] == [0, 1, 2, 3, 4, 5]
    params = [trial.params for trial in reopened.trials]
    assert params[4] not in params[:4] and params[5] not in params[:4]


def test_resuming_a_study_with_another_task_is_refused(searched, tmp_path):
    _, storage = searched
    study = open_study("tiny", storage)
    with pytest.raises(TuneError) as err:
        run_search(SERIES, BASE.with_changes(horizon=6), SPACE, SETTINGS, study)
    assert str(err.value) == (
        "Study 'tiny' was searched with other settings (horizon 20 -> 6), so its scores "
        "would not compare: keep them, or name a new study."
    )
    assert len(study.trials) == 4


def test_a_study_remembers_the_data_it_was_first_run_on(searched):
    study, _ = searched
    assert study.user_attrs["data"] == SERIES.fingerprint()


def test_continuing_a_study_on_other_data_is_refused_and_changes_nothing(searched):
    _, storage = searched
    study = open_study("tiny", storage)
    other = from_array(noisy_sine(200, seed=1), target="signal", season=20)
    with pytest.raises(TuneError) as err:
        run_search(other, BASE, SPACE, SETTINGS, study)
    assert str(err.value) == (
        "Study 'tiny' was run on other data, so its trials would not compare with trials on "
        "this data: choose another study name."
    )
    assert len(study.trials) == 4 and study.user_attrs["data"] == SERIES.fingerprint()


def test_continuing_a_study_may_change_its_ranges_but_not_its_choices(searched, tmp_path):
    _, storage = searched
    copy = sqlite(tmp_path)
    optuna.copy_study(from_study_name="tiny", from_storage=storage, to_storage=copy)
    study = open_study("tiny", copy, seed=SETTINGS.seed, pruner="none")
    assert stored_space(study) == SPACE
    with pytest.raises(TuneError) as err:
        run_search(SERIES, BASE, replace(SPACE, cells=("gru",)), SETTINGS, study)
    assert str(err.value) == (
        "Study 'tiny' chooses among the cells lstm, gru and the batch sizes 32, 64; a search "
        "cannot change those choices: keep them, or name a new study."
    )
    assert len(study.trials) == 4
    wider = replace(SPACE, hidden_size=(4, 12))
    run_search(SERIES, BASE, wider, TuneSettings(trials=1, epochs=2, pruner="none"), study)
    assert len(study.trials) == 5 and stored_space(study) == wider


def test_tune_continues_a_study_over_its_own_space_and_refuses_other_cells(capsys, tmp_path):
    storage = sqlite(tmp_path)
    options = ["--storage", storage, "--study", "shared", "--trials", 1, "--epochs", 1]
    code, _, err = run_cli(capsys, "tune", SAMPLES / "airline.csv", *options, "--cells", "rnn")
    assert code == 0, err
    code, _, err = run_cli(capsys, "tune", SAMPLES / "airline.csv", *options)  # no --cells
    assert code == 0, err
    assert open_study("shared", storage).trials[-1].params["cell"] == "rnn"
    code, out, err = run_cli(capsys, "tune", SAMPLES / "airline.csv", *options, "--cells", "lstm")
    assert (code, out) == (2, "")
    assert err.startswith("error: Study 'shared' chooses among the cells rnn and the batch")
    assert len(err.splitlines()) == 1


def test_the_figures_are_optunas_four(searched):
    study, _ = searched
    drawn = figures(study)
    assert list(drawn) == ["history", "parallel", "importance", "slice"]
    points = {trace.name: list(trace.y) for trace in drawn["history"].data}
    assert points["Objective Value"] == [trial.value for trial in study.trials]


# Pruning and stopping


def test_a_trial_the_pruner_stops_ends_pruned_after_its_first_epoch(tmp_path):
    study = open_study("pruned", sqlite(tmp_path), pruner="none")
    study.pruner = optuna.pruners.ThresholdPruner(upper=0.0)  # every loss is above 0
    run_search(SERIES, BASE, SPACE, TuneSettings(trials=2, epochs=3), study)
    assert [trial.state for trial in study.trials] == [optuna.trial.TrialState.PRUNED] * 2
    assert [list(trial.intermediate_values) for trial in study.trials] == [[1], [1]]
    with pytest.raises(TuneError) as err:
        best_config(study)
    assert str(err.value) == "No trial of study 'pruned' has finished yet: run a few more."
    assert "importance" not in figures(study)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("median", optuna.pruners.MedianPruner),
        ("hyperband", optuna.pruners.HyperbandPruner),
        ("none", optuna.pruners.NopPruner),
    ],
)
def test_each_pruner_is_optunas(tmp_path, name, kind):
    assert isinstance(open_study("s", sqlite(tmp_path), pruner=name).pruner, kind)


@pytest.mark.filterwarnings("ignore:Heartbeat of storage")  # ask and tell, by hand
def test_the_median_pruner_prunes_a_trial_worse_than_the_median_from_epoch_5(tmp_path):
    study = open_study("median", sqlite(tmp_path))
    for losses in ([1.0] * 6, [1.2] * 6, [0.8] * 6):
        trial = study.ask()
        for epoch, loss in enumerate(losses, 1):
            trial.report(loss, epoch)
        study.tell(trial, losses[-1])
    worse = study.ask()
    worse.report(5.0, 4)
    assert not worse.should_prune()  # epochs 1 to 4 warm up
    worse.report(5.0, 5)
    assert worse.should_prune()


def test_a_stop_ends_the_trial_under_way_as_pruned_and_starts_no_other(tmp_path):
    study = open_study("stopped", sqlite(tmp_path), pruner="none")
    epochs_heard = []
    run_search(SERIES, BASE, SPACE, TuneSettings(trials=5, epochs=3), study,
               should_stop=lambda: len(epochs_heard) >= 4,
               on_epoch=lambda row, log: epochs_heard.append((row.number, log.epoch)))  # fmt: skip
    assert epochs_heard == [(0, 1), (0, 2), (0, 3), (1, 1)]
    assert [row.state for row in trial_rows(study)] == ["COMPLETE", "PRUNED"]


def test_a_diverging_trial_is_pruned_with_its_reason_and_the_search_goes_on(tmp_path, monkeypatch):
    calls = []

    def diverge_once(series, config, **hooks):
        calls.append(config)
        if len(calls) == 1:
            raise TrainingError("The loss became NaN at epoch 1: training diverged.")
        return fit(series, config, **hooks)

    monkeypatch.setattr("forecasting.tune.fit", diverge_once)
    study = open_study("diverged", sqlite(tmp_path), pruner="none")
    run_search(SERIES, BASE, SPACE, TuneSettings(trials=2, epochs=1), study)
    assert [row.state for row in trial_rows(study)] == ["PRUNED", "COMPLETE"]
    assert study.trials[0].user_attrs["error"] == (
        "The loss became NaN at epoch 1: training diverged."
    )


# Storage


def test_a_storage_that_cannot_be_opened_is_refused_without_its_password():
    with pytest.raises(TuneError) as err:
        open_study("s", "postgresql://tuner:secret@127.0.0.1:1/studies")
    message = str(err.value)
    assert message.startswith("Cannot open the study storage 'postgresql://tuner:***@127.0.0.1:1")
    assert "secret" not in message and "Connection refused" in message
    assert message.endswith(
        "Storages look like sqlite:///studies.db or postgresql://user:password@host/database."
    )


def test_a_new_sqlite_study_makes_its_folder(tmp_path):
    study = open_study("s", f"sqlite:///{tmp_path / '.studies' / 'lab.db'}")
    assert (tmp_path / ".studies" / "lab.db").exists() and study.trials == []


# The background job


def test_a_job_runs_the_search_in_a_thread_and_lists_its_trials(tmp_path):
    job = TuneJob(SERIES, BASE, SPACE, TuneSettings(trials=2, epochs=2), "job", sqlite(tmp_path))
    assert job.start().wait(60)
    assert job.error is None and job.progress() == (2, 2) and job.current is None
    assert [(row.number, row.state) for row in job.rows()] == [(0, "COMPLETE"), (1, "COMPLETE")]
    assert best_config(job.study).members == BASE.members


def test_a_job_whose_storage_cannot_be_opened_ends_with_the_reason(tmp_path):
    job = TuneJob(SERIES, BASE, SPACE, SETTINGS, "job", "nosuch://db").start()
    assert job.done and job.study is None and job.rows() == []
    assert job.error.startswith("Cannot open the study storage 'nosuch://db': ")


def test_a_stopped_job_ends_after_its_trial_under_way(tmp_path):
    job = TuneJob(SERIES, BASE, SPACE, TuneSettings(trials=50, epochs=3), "job", sqlite(tmp_path))
    job.start()
    job.stop()
    assert job.wait(60) and job.stopping and job.error is None
    assert len(job.rows()) <= 1


# The command line


def test_tune_prints_each_trial_and_the_best_settings_as_json(capsys, tmp_path):
    storage = sqlite(tmp_path)
    argv = ["tune", SAMPLES / "airline.csv", "--storage", storage, "--trials", 2, "--epochs", 2]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("trial 0 COMPLETE value ") and lines[1].startswith("trial 1 ")
    best = json.loads("\n".join(lines[2:]))
    assert best["study"] == "airline-passengers" and best["trials"] == {"COMPLETE": 2}
    assert best["metric"] == "MASE" and best["config"]["horizon"] == 12
    study = open_study("airline-passengers", storage)
    assert best["best_value"] == study.best_value
    assert best["config"] == {**study.best_trial.user_attrs["config"], "members": 3}

    code, out, err = run_cli(capsys, *argv)  # the same study, two more trials
    assert code == 0, err
    assert out.splitlines()[0].startswith("trial 2 ")
    assert json.loads(out[out.index("{") :])["trials"] == {"COMPLETE": 4}
    assert [row.number for row in trial_rows(study)] == [0, 1, 2, 3]


def test_tune_refuses_to_continue_a_study_on_another_file_in_one_line(capsys, tmp_path):
    options = ["--storage", sqlite(tmp_path), "--study", "shared", "--trials", 1, "--epochs", 1]
    code, _, err = run_cli(capsys, "tune", SAMPLES / "airline.csv", *options)
    assert code == 0, err
    code, out, err = run_cli(capsys, "tune", SAMPLES / "shampoo.csv", *options)
    assert (code, out) == (2, "")
    assert err == (
        "error: Study 'shared' was run on other data, so its trials would not compare with "
        "trials on this data: choose another study name.\n"
    )
    assert len(open_study("shared", sqlite(tmp_path)).trials) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--storage", "nosuch://db"],
            "error: Cannot open the study storage 'nosuch://db': Can't load plugin: "
            "sqlalchemy.dialects:nosuch. Storages look like sqlite:///studies.db or "
            "postgresql://user:password@host/database.",
        ),
        (["--cells", "lstm,tcn"], "error: Unknown cell 'tcn': the cells are gru, lstm, rnn."),
        (["--trials", "0"], "error: The number of trials must be 1 or more; got 0."),
    ],
)
def test_tune_refuses_bad_settings_in_one_line(capsys, tmp_path, options, message):
    storage = ["--storage", sqlite(tmp_path)]
    code, out, err = run_cli(capsys, "tune", SAMPLES / "airline.csv", *storage, *options)
    assert (code, out, err) == (2, "", message + "\n")


def test_configs_stored_before_pools_existed_read_every_step():
    config = auto_config(2000, season_length=52, cell="lstm")
    old = {key: value for key, value in config.to_dict().items() if key != "pool"}
    study = optuna.create_study()
    study.set_user_attr("base", old)
    study.add_trial(
        optuna.trial.create_trial(
            value=1.0, params={}, distributions={}, user_attrs={"config": old}
        )
    )
    assert config.pool_length == 3
    assert stored_base(study).pool_length == 1
    assert best_trial_config(study).pool_length == 1
    assert stored_config(config.to_dict()) == config
