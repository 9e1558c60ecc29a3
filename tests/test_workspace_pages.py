"""A visitor's workspace through the pages (AppTest): reloads and restarts keep the runs, two
workspaces never meet, a class on one link trains once, a run that cannot forecast is kept."""

import threading
import time

import numpy as np
import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

import forecasting.job
from forecasting.config import auto_config
from forecasting.limits import env_name, server_limits
from forecasting.share import DataSource, encode
from forecasting.shared_jobs import shared_trainings
from tests.test_pages import APP, start, train_tiny, widget
from ui import state

TINY = auto_config(144, 12, cell="lstm", hidden_size=8, members=1, epochs=2)  # for airline


@pytest.fixture
def own_data(monkeypatch, tmp_path):
    """Workspaces in a folder of this test's own; `given(name=value)` sets more limits."""

    def given(**values: object) -> None:
        for name, value in values.items():
            monkeypatch.setenv(env_name(name), str(value))
        server_limits.cache_clear()

    monkeypatch.setattr(state, "_STORES", {})
    given(data_dir=tmp_path)
    yield given
    server_limits.cache_clear()


def reopen(key: str, page: str | None = None) -> AppTest:
    """A new session on the workspace's link: what a reload, a bookmark or another tab is."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params = {state.WORKSPACE_PARAM: key}
    app.run()
    if page:
        app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception
    return app


def on_train_page() -> AppTest:
    """A new visitor on the Train page with the default sample picked."""
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    return app


def names(app: AppTest) -> list[str]:
    return [stored.name for stored in app.session_state[state.RUN_LIST] or []]


def listed(app: AppTest) -> list:
    app.run()
    return state.store().runs(app.session_state[state.WORKSPACE])


def test_the_workspace_key_is_in_the_link_and_unguessable(own_data):
    first, second = start(), start()
    keys = [app.session_state[state.WORKSPACE] for app in (first, second)]
    assert keys[0] != keys[1]
    assert all(len(key) >= 22 for key in keys), "at least 128 random bits, base64"
    assert first.query_params[state.WORKSPACE_PARAM] == keys[0]


def test_a_reload_keeps_the_runs_and_the_chosen_run(own_data):
    app = on_train_page()
    train_tiny(app)
    train_tiny(app)
    key = app.session_state[state.WORKSPACE]
    before = listed(app)
    assert [run.name for run in before] == ["LSTM #1", "LSTM #2"]
    chosen = app.session_state[state.CURRENT]
    again = reopen(key, "forecast")
    assert again.session_state[state.CURRENT] == chosen
    assert [run.name for run in listed(again)] == ["LSTM #1", "LSTM #2"]
    assert again.get("plotly_chart"), "the chosen run's forecast is drawn after the reload"
    assert again.session_state[state.SERIES] is not None, "its data is the current data again"


def test_a_restart_keeps_the_runs_and_their_forecasts(own_data, monkeypatch):
    app = on_train_page()
    train_tiny(app)
    key = app.session_state[state.WORKSPACE]
    forecast = app.session_state[state.SUMMARIES][app.session_state[state.CURRENT]].forecast
    monkeypatch.setattr(state, "_STORES", {})  # a new server process opens the store again
    again = reopen(key, "forecast")
    summary = again.session_state[state.SUMMARIES][again.session_state[state.CURRENT]]
    np.testing.assert_allclose(summary.forecast.mean, forecast.mean, rtol=1e-5)


def test_two_workspaces_never_see_each_others_runs(own_data):
    teacher = on_train_page()
    train_tiny(teacher)
    student = on_train_page()
    assert names(student) == []
    assert listed(student) == []
    guessed = reopen("a" * 32)  # a key nobody was given: a new, empty workspace, said so
    assert guessed.session_state[state.WORKSPACE] != "a" * 32
    assert "does not exist on this server" in guessed.info[0].value
    assert listed(guessed) == []


def test_a_deleted_run_is_gone_after_a_reload(own_data):
    app = on_train_page()
    train_tiny(app)
    train_tiny(app)
    first = listed(app)[0]
    app.multiselect(key="workspace-delete").select(first.id).run()
    app.button(key="workspace-delete-button").click().run()
    assert [run.name for run in listed(reopen(app.session_state[state.WORKSPACE]))] == ["LSTM #2"]


def test_a_run_that_cannot_forecast_is_kept_with_its_error(own_data, monkeypatch):
    def fails(*args, **kwargs):
        raise ValueError("Found array with 0 sample(s)")  # as calibrating once did, h 44

    monkeypatch.setattr(forecasting.job, "summarize", fails)
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params = encode(DataSource.sample("airline"), TINY, page="forecast")
    app.run()
    app.session_state[state.JOB].wait(120)
    app.run()
    [kept] = listed(app)
    assert kept.error and "0 sample" in kept.error and kept.mase is None
    assert any("forecast failed" in error.value for error in app.error)
    app.switch_page("app_pages/forecast.py").run()
    assert "trained, but its forecast failed" in app.error[0].value
    assert not app.exception


def test_the_quota_refuses_a_run_and_says_so(own_data):
    own_data(workspace_bytes=1)
    app = on_train_page()
    train_tiny(app)
    assert any("Delete runs on the Train page" in error.value for error in app.error)
    assert listed(app) == []


def test_the_pages_refuse_a_database_of_a_newer_version_untouched(own_data, tmp_path):
    start()  # creates the store
    for opened in state._STORES.values():
        opened.close()
    state._STORES.clear()
    database = tmp_path / "workspaces.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE schema_version SET version = version + 1"))
    engine.dispose()
    before = database.read_bytes()
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "version" in app.error[0].value
    assert database.read_bytes() == before


def test_a_class_on_one_link_trains_once_and_every_session_gets_the_same_run(own_data, monkeypatch):
    real_fit, fits, gate = forecasting.job.fit, [], threading.Event()

    def counted(*args, **kwargs):
        fits.append(1)
        gate.wait(60)  # the first session's training runs until the class has joined
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(forecasting.job, "fit", counted)
    link = encode(DataSource.sample("airline"), TINY.with_changes(seed=12345), page="forecast")
    classroom = []
    for _ in range(3):
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params = dict(link)
        classroom.append(app.run())
    jobs = {id(app.session_state[state.JOB]) for app in classroom}
    assert len(jobs) == 1, "every session watches the one training"
    gate.set()
    classroom[0].session_state[state.JOB].wait(120)
    late = AppTest.from_file(APP, default_timeout=60)
    for app in classroom:
        app.run()
    late.query_params = dict(link)
    late.run()
    assert len(fits) == 1, "trained once for the class and the late visitor"
    assert any("was already trained on this server" in notice.value for notice in late.success)
    assert not any("Training the shared demo" in notice.value for notice in late.info)
    forecasts = [
        app.session_state[state.SUMMARIES][app.session_state[state.CURRENT]].forecast.mean
        for app in [*classroom, late.run()]
    ]
    for other in forecasts[1:]:
        np.testing.assert_array_equal(other, forecasts[0])
    keys = {app.session_state[state.WORKSPACE] for app in [*classroom, late]}
    assert len(keys) == 4, "each copy is in its own workspace"
    assert shared_trainings().watching(classroom[0].session_state.get(state.JOB) or object()) == 0


def test_an_upload_is_never_shared(own_data, monkeypatch):
    real_fit, fits = forecasting.job.fit, []
    monkeypatch.setattr(forecasting.job, "fit", lambda *a, **k: fits.append(1) or real_fit(*a, **k))
    rows = "\n".join(f"2024-01-{day:02d};{day * 1.5 + day % 7}" for day in range(1, 31))
    for _ in range(2):
        app = start("data")
        app.radio(key="pick.source").set_value("upload").run()
        app.file_uploader[0].set_value(("shop.csv", f"day;sales\n{rows}".encode(), "text/csv"))
        app.run()
        app.switch_page("app_pages/train.py").run()
        train_tiny(app)
        assert len(listed(app)) == 1
    assert len(fits) == 2, "each visitor's upload trains in its own session"


def upload_shop(app: AppTest) -> None:
    rows = "\n".join(f"2024-01-{day:02d};{day * 1.5 + day % 7}" for day in range(1, 31))
    app.radio(key="pick.source").set_value("upload").run()
    app.file_uploader[0].set_value(("shop.csv", f"day;sales\n{rows}".encode(), "text/csv"))
    app.run()


def test_an_upload_is_kept_in_its_workspace_only(own_data):
    app = start("data")
    upload_shop(app)
    assert app.session_state[state.SERIES].target == "sales"
    again = reopen(app.session_state[state.WORKSPACE], "data")
    again.radio(key="pick.source").set_value("upload").run()
    assert not again.exception
    assert again.session_state[state.SERIES].target == "sales", "the upload after a reload"
    stranger = start("data")
    stranger.radio(key="pick.source").set_value("upload").run()
    assert stranger.session_state[state.SERIES].target != "sales"
    assert state.store().uploads(stranger.session_state[state.WORKSPACE]) == []


def test_an_expired_workspace_is_removed_and_its_link_says_so(own_data):
    app = on_train_page()
    train_tiny(app)
    key = app.session_state[state.WORKSPACE]
    days = server_limits().workspace_days
    assert state.store().expire(now=time.time() + (days + 1) * 86_400) >= 1
    again = reopen(key)
    assert "does not exist on this server" in again.info[0].value
    assert again.session_state[state.WORKSPACE] != key


def test_an_exported_workspace_is_imported_on_another_server(own_data, tmp_path):
    app = on_train_page()
    train_tiny(app)
    exported = state.store().export_zip(app.session_state[state.WORKSPACE])
    state._STORES.clear()
    own_data(data_dir=tmp_path / "another-server")
    elsewhere = on_train_page()
    upload = ("runs.zip", exported, "application/zip")
    elsewhere.file_uploader(key="workspace-import").set_value(upload).run()
    assert not elsewhere.exception
    assert "Imported 1 runs." in [success.value for success in elsewhere.success]
    assert [run.name for run in listed(elsewhere)] == ["LSTM #1"]
    bad = ("runs.zip", b"PK\x05\x06" + bytes(18), "application/zip")
    elsewhere.file_uploader(key="workspace-import").set_value(bad).run()
    assert elsewhere.error and not elsewhere.exception


def test_a_session_holds_only_a_few_runs_however_many_the_workspace_has(own_data):
    app = on_train_page()
    train_tiny(app)
    key = app.session_state[state.WORKSPACE]
    run, series = state.store().load(key, app.session_state[state.CURRENT])
    for number in range(2, 13):
        state.store().add_run(key, f"LSTM #{number}", "Airline", run, series, mase=1.0)
    app.switch_page("app_pages/forecast.py").run()
    for stored in state.store().runs(key):
        picker = app.selectbox(key=f"forecast-run-{len(state.store().runs(key))}")
        picker.set_value(stored.id).run()
        assert not app.exception
        assert len(app.session_state[state.SUMMARIES]) <= state.KEPT_SUMMARIES
    assert app.session_state[state.CURRENT] == stored.id


def test_a_backtest_is_there_after_a_reload_without_running_again(own_data):
    app = start()
    app.button(key="demo").click().run()
    name = app.session_state[state.SUMMARIES][app.session_state[state.CURRENT]].name
    widget(app.slider, "Periods to look back").set_value(2).run()
    app.button(key=f"backtest-run-{name}").click().run()
    assert app.session_state[state.BACKTEST_JOB][3].wait(120)
    app.run()
    coverage = [m.value for m in app.markdown if "of the actual values fell inside" in m.value]
    assert len(coverage) == 2
    again = reopen(app.session_state[state.WORKSPACE], "forecast")
    widget(again.slider, "Periods to look back").set_value(2).run()
    assert not again.exception
    held = state.BACKTEST_JOB in again.session_state and again.session_state[state.BACKTEST_JOB]
    assert not held, "no backtest runs again after the reload"
    assert [m.value for m in again.markdown if "fell inside" in m.value] == coverage
    with pytest.raises(KeyError):  # shown, not offered again
        again.button(key=f"backtest-run-{name}")


def test_a_page_reloaded_mid_training_watches_it_again_and_keeps_its_run(own_data):
    app = on_train_page()
    widget(app.number_input, "Epochs").set_value(2000)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    again = reopen(app.session_state[state.WORKSPACE], "train")
    assert again.session_state[state.JOB] is job, "the reloaded page watches the same training"
    assert again.get("progress"), "and draws its progress"
    job.stop()
    assert job.wait(60)
    again.run()
    assert names(again) == ["LSTM #1"]
    assert again.session_state[state.JOB] is None
    assert [stored.name for stored in listed(again)] == ["LSTM #1"], "kept once"
