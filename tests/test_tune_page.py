"""The Tune page through AppTest: a tiny search, live and finished, resumed, and its winner."""

import json
import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace

import optuna
import pytest
from streamlit.testing.v1 import AppTest

from forecasting.config import auto_config
from forecasting.evaluate import evaluate
from forecasting.limits import env_name, server_limits
from forecasting.tune import (
    SearchSpace,
    TuneSettings,
    best_config,
    find_study,
    open_study,
    run_settings,
    window_bounds,
)
from forecasting.tune_defaults import study_name, window_choices
from tests.conftest import ROOT
from tests.test_pages import APP, kept, settle, start, widget
from ui import state
from ui.tune_charts import best_so_far, history_figure


@pytest.fixture(autouse=True)
def limits(monkeypatch, tmp_path):
    """This server's limits from FORECAST_LAB_* variables set by the test; studies are kept in
    the data folder, tmp_path (the page's own storage: sqlite:///tmp_path/studies.db)."""

    def given(**values: object) -> None:
        for name, value in values.items():
            monkeypatch.setenv(env_name(name), str(value))
        server_limits.cache_clear()

    given(data_dir=tmp_path)
    yield given
    server_limits.cache_clear()


def tune_page(storage: str | None = None, workspace: str | None = None) -> AppTest:
    """The Tune page on the default sample, with a tiny search kept in the server's own storage,
    or in a `storage` typed (the server must allow typing one); in a new workspace, or in the
    `workspace` given (its link reopened)."""
    app = AppTest.from_file(APP, default_timeout=60)
    if workspace is not None:
        app.query_params = {state.WORKSPACE_PARAM: workspace}
    app.run()
    app.switch_page("app_pages/data.py").run()
    app.switch_page("app_pages/tune.py").run()
    assert not app.exception
    if storage is not None:
        app.text_input(key="tune.storage").set_value(storage)
    app.multiselect(key="tune.cells").set_value(["gru"])
    app.select_slider(key="tune.hidden").set_value((4, 8))
    app.number_input(key="tune.epochs").set_value(2)
    return app.run()


def stored(app: AppTest, name: str) -> str:
    """A study's name in storage: the visitor's, inside the workspace's own prefix."""
    return f"{state.store().study_prefix(app.session_state[state.WORKSPACE])}-{name}"


def search(app: AppTest, trials: int) -> None:
    """Start `trials` trials and wait for them, then draw the finished study."""
    app.number_input(key="tune.trials").set_value(trials).run()
    app.button(key="tune-start").click().run()
    assert not app.exception and not app.error
    job = app.session_state[state.TUNE_JOB]
    assert job.wait(120)
    assert job.error is None
    app.run()
    assert not app.exception and not app.error


def chart(app: AppTest, key: str) -> dict:
    found = next(chart for chart in app.get("plotly_chart") if chart.proto.id.endswith(key))
    return json.loads(found.proto.spec)


def trials_table(app: AppTest):
    """The table of every trial (beside the best trial's settings)."""
    return next(frame.value for frame in app.dataframe if "Trial" in frame.value.columns)


def test_without_data_the_page_says_where_to_get_it():
    app = start("tune")
    assert "Data page" in app.info[0].value
    assert not app.button


def test_a_tiny_search_shows_its_trials_and_fills_the_train_form(tmp_path):
    storage = f"sqlite:///{tmp_path / 'studies.db'}"
    app = tune_page()
    assert widget(app.text_input, "Study name").value == "airline-passengers"
    search(app, trials=3)
    trials = trials_table(app)
    assert trials["Trial"].tolist() == [0, 1, 2]
    assert set(trials["State"]) <= {"complete", "pruned"}
    history = chart(app, "tune-history")
    assert [trace["name"] for trace in history["data"]] == ["trial", "best so far"]
    assert len(history["data"][0]["x"]) == (trials["State"] == "complete").sum()
    assert {"history", "parallel", "slice"} <= {
        key.rsplit("-", 1)[-1] for key in (c.proto.id for c in app.get("plotly_chart"))
    }

    study = optuna.load_study(study_name=stored(app, "airline-passengers"), storage=storage)
    best = best_config(study)
    assert best.cell == "gru" and 4 <= best.hidden_size <= 8 and best.epochs == 2
    app.button(key="tune-fill").click().run()
    assert not app.exception
    assert app.title[0].value == "Train"
    assert app.info[0].value.startswith("The Train form holds the best settings of study")
    assert app.session_state[state.FORM_START][1] == best
    assert widget(app.select_slider, "Hidden size").value == best.hidden_size
    assert widget(app.radio, "Cell").value == "gru"


def test_a_study_is_continued_in_a_new_session_and_its_winner_trained_now():
    first = tune_page()
    search(first, trials=2)
    stranger = tune_page()
    assert not any("trials already" in info.value for info in stranger.info), "not another's"

    app = tune_page(workspace=first.session_state[state.WORKSPACE])
    assert "airline\\-passengers** has 2 trials already" in app.info[0].value
    assert trials_table(app)["Trial"].tolist() == [0, 1]
    search(app, trials=1)
    assert trials_table(app)["Trial"].tolist() == [0, 1, 2]

    app.button(key="tune-train").click().run()
    assert not app.exception
    study = app.session_state[state.TUNE_JOB].study
    settle(app)
    assert app.title[0].value == "Forecast"
    [summary] = kept(app)
    assert summary.run.config == best_config(study).with_changes(members=1)  # the trial's own
    assert summary.name == "GRU #1"
    network = replace(summary.run, blend=None)  # a trial scores the network, not a blend
    scored = evaluate(network, summary.series, "val", baselines=()).table["model"]["MASE"]
    assert scored == pytest.approx(study.best_value, rel=1e-9), "the very model the trial scored"
    assert app.get("plotly_chart"), "the best trial's forecast is drawn"


def test_a_storage_that_cannot_be_opened_is_said_not_raised(limits):
    limits(storage_urls="true")
    app = tune_page("nonsense://nowhere")
    assert not app.exception
    said = "The study storage 'nonsense://nowhere' could not be used; this server's log says why."
    assert app.error[0].value == said
    app.button(key="tune-start").click().run()
    assert not app.exception
    assert app.session_state[state.TUNE_JOB].wait(10)
    app.run()
    assert any(said in error.value for error in app.error)


def test_a_study_run_on_one_sample_is_not_continued_on_another():
    app = tune_page()
    widget(app.text_input, "Study name").set_value("shared")
    search(app, trials=1)

    app.switch_page("app_pages/data.py").run()
    widget(app.selectbox, "Sample").set_value("shampoo").run()
    app.switch_page("app_pages/tune.py").run()
    widget(app.text_input, "Study name").set_value("shared")
    app.run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        f"Study '{stored(app, 'shared')}' was run on other data, so its trials would not compare "
        "with trials on this data: choose another study name."
    ]
    assert not app.info, "no offer to continue it"
    assert app.button(key="tune-start").disabled
    assert not any("Trial" in frame.value.columns for frame in app.dataframe)


def test_an_empty_choice_of_cells_is_refused_before_anything_runs():
    app = tune_page()
    app.multiselect(key="tune.cells").set_value([]).run()
    app.button(key="tune-start").click().run()
    assert not app.exception
    assert app.error[0].value == "Pick at least one cell to search over (lstm, gru or rnn)."
    assert state.TUNE_JOB not in app.session_state


def test_the_search_settings_inputs_are_made_from_their_declarations(limits):
    limits(tune_trials=5, epochs=40)
    capped = {"trials": 5, "epochs": 40}  # the server's limits just set
    app = start("data")
    app.switch_page("app_pages/tune.py").run()
    for name, spec in run_settings().items():
        default = getattr(TuneSettings, name)
        if spec.choices:
            assert app.selectbox(key=f"tune.{spec.word}").value == default
            continue
        box = app.number_input(key=f"tune.{spec.word}")
        assert box.value == (min(default, capped[name]) if name in capped else default), name
        assert name not in capped or box.max == capped[name]
    assert app.number_input(key="tune.epochs").value == 40, "the declared 60, capped"
    assert app.number_input(key="tune.timeout").value is None


def test_the_best_so_far_is_the_running_minimum():
    assert best_so_far([3.0, 1.0, 2.0, 0.5, 4.0]) == [3.0, 1.0, 1.0, 0.5, 0.5]
    assert best_so_far([]) == []


def test_the_history_chart_draws_finished_trials_and_their_running_best():
    rows = [
        SimpleNamespace(number=number, state=trial_state, value=value)
        for number, trial_state, value in [
            (2, "COMPLETE", 0.9),
            (0, "COMPLETE", 1.2),
            (1, "PRUNED", None),
            (3, "COMPLETE", 1.1),
            (4, "RUNNING", None),
        ]
    ]
    trial, best = history_figure(rows).data
    assert list(trial.x) == [0, 2, 3] and list(trial.y) == [1.2, 0.9, 1.1]
    assert list(best.x) == [0, 2, 3] and list(best.y) == [1.2, 0.9, 0.9]
    assert best.line.shape == "hv"
    assert history_figure(rows).layout.xaxis.dtick == 1, "a tick per trial, not at halves"
    many = [SimpleNamespace(number=number, state="COMPLETE", value=1.0) for number in range(40)]
    assert history_figure(many).layout.xaxis.dtick is None


def test_a_study_is_named_after_the_data():
    assert study_name("Airline passengers") == "airline-passengers"
    assert study_name("Sales 2024 (EUR) — shop #3.csv") == "sales-2024-eur-shop-3-csv"
    assert study_name("***") == "study"


def test_studies_are_kept_in_the_data_folder_or_a_storage_the_operator_added(limits, tmp_path):
    limits(study_storages="postgresql://tuner:secret@127.0.0.1:1/studies, sqlite:///lab.db")
    app = start("data")
    app.switch_page("app_pages/tune.py").run()
    choice = app.selectbox(key="tune.storage_pick")
    assert choice.label == "Storage"
    assert choice.options == [
        f"sqlite:///{tmp_path / 'studies.db'}",
        "postgresql://tuner:***@127.0.0.1:1/studies",
        "sqlite:///lab.db",
    ]
    assert "secret" not in str(choice.proto), "the password stays on the server"
    assert not (tmp_path / "studies.db").exists(), "looking makes no file"


def test_looking_for_a_study_creates_neither_the_file_nor_the_study(tmp_path):
    storage = f"sqlite:///{tmp_path / 'studies.db'}"
    assert find_study("airline", storage) is None
    assert not (tmp_path / "studies.db").exists()
    open_study("other", storage)
    assert find_study("airline", storage) is None
    assert optuna.get_all_study_names(storage) == ["other"]
    assert find_study("other", storage).study_name == "other"


def test_the_windows_offered_reach_from_the_automatic_range_to_the_longest_that_fits():
    base = auto_config(144, 12)  # airline passengers: a window of 30, 100 training points
    assert window_choices(base, 144) == (4, 88, 15, 50)
    assert window_bounds(SearchSpace(window=(4, 88)), base, 144) == (4, 88), "it can be searched"


def test_a_study_started_on_the_page_is_continued_from_the_command_line(tmp_path):
    storage = f"sqlite:///{tmp_path / 'studies.db'}"
    app = tune_page()
    search(app, trials=1)
    name = stored(app, "airline-passengers")
    assert any(name in caption.value for caption in app.caption), "the page says the name"
    command = [
        sys.executable, "-m", "forecasting", "tune", str(ROOT / "data" / "samples" / "airline.csv"),
        "--study", name, "--storage", storage, "--trials", "1",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    study = optuna.load_study(study_name=name, storage=storage)
    assert [trial.number for trial in study.trials] == [0, 1]
    assert study.trials[1].state in (
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
    )
    assert study.trials[1].params["cell"] == "gru", "the page's search space goes on"


def test_a_study_started_from_the_command_line_is_continued_on_the_page(tmp_path):
    storage = f"sqlite:///{tmp_path / 'studies.db'}"
    app = start("data")
    app.switch_page("app_pages/tune.py").run()
    name = stored(app, "airline-passengers")  # the name the page says, given to the CLI
    command = [
        sys.executable, "-m", "forecasting", "tune", str(ROOT / "data" / "samples" / "airline.csv"),
        "--study", name, "--storage", storage, "--trials", "1", "--epochs", "1",
        "--cells", "lstm,gru",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    app.number_input(key="tune.epochs").set_value(1)
    search(app.run(), trials=1)  # the CLI's task (no test part) goes on, not the page's own
    study = optuna.load_study(study_name=name, storage=storage)
    assert [trial.number for trial in study.trials] == [0, 1]
