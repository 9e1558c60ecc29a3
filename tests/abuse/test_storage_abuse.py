"""Study storages on a shared server: a visitor picks among the operator's, types one only where
the operator allows it, and even then makes no folder outside the data folder, writes no table
into another program's database, reads no database error, and searches within the limits."""

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from forecasting.config import series_config
from forecasting.limits import ServerLimits
from forecasting.tune import (
    SearchSpace,
    StorageError,
    TuneError,
    TuneSettings,
    check_limits,
    open_study,
)
from forecasting.tune_defaults import find_visitor_study, open_visitor_study
from forecasting.tune_job import TuneJob
from tests.e2e.server import free_port
from tests.test_tune import BASE, SERIES, SPACE
from tests.test_tune_page import stored, tune_page
from ui import state

DRIVER_WORDS = ("psycopg2", "Connection refused", "could not connect", "OperationalError",
                "connection to server", "secret")  # fmt: skip
UNUSABLE = "The study storage {shown} could not be used; this server's log says why."


@pytest.fixture
def data_dir(tmp_path, limits_env):
    """This server's data folder, not made yet; studies go there unless a test says otherwise."""
    folder = tmp_path / "data"
    limits_env(DATA_DIR=str(folder))
    return folder


@pytest.fixture
def foreign(tmp_path):
    """Another program's SQLite database: its URL, and its bytes as they were."""
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as shop:
        shop.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        shop.execute("INSERT INTO customers (name) VALUES ('Ada')")
    shop.close()
    return f"sqlite:///{path}", path.read_bytes()


def errors(app: AppTest) -> list[str]:
    return [error.value for error in app.error]


def start_search(app: AppTest) -> TuneJob | None:
    """Press Start; the job it made, once finished (None when the page refused)."""
    app.button(key="tune-start").click().run()
    assert not app.exception
    if state.TUNE_JOB not in app.session_state:
        return None
    job = app.session_state[state.TUNE_JOB]
    assert job.wait(60)
    app.run()
    return job


# Typing a storage


def test_only_the_operators_storages_are_offered_unless_typing_is_allowed(data_dir, limits_env):
    app = tune_page()
    assert [box.key for box in app.text_input if box.key == "tune.storage"] == []
    assert app.selectbox(key="tune.storage_pick").options == [f"sqlite:///{data_dir}/studies.db"]
    assert not errors(app) and not (data_dir / "studies.db").exists(), "looking makes no study"
    limits_env(STORAGE_URLS="true")
    app = tune_page()
    assert app.text_input(key="tune.storage").label == "Storage URL"


# Folders


def test_folders_are_made_only_inside_the_data_folder(data_dir, limits_env, tmp_path):
    limits_env(STORAGE_URLS="true")
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'deep' / 'x.py'}"
    refused = (
        f"The folder of the study storage '{url}' does not exist, and this server makes folders "
        "only in its own data folder."
    )
    app = tune_page(url)
    assert errors(app) == [refused], "said before Start"
    job = start_search(app)
    assert job.error == refused
    assert any(refused in error for error in errors(app))
    assert not (tmp_path / "elsewhere").exists(), "no folder, no file"
    with pytest.raises(TuneError):
        open_visitor_study("s", url, data_dir)
    assert not (tmp_path / "elsewhere").exists()

    inside = f"sqlite:///{data_dir / 'team' / 'studies.db'}"  # the server's own folder: made
    assert find_visitor_study("s", inside, data_dir) is None
    assert not (data_dir / "team").exists(), "looking makes nothing"
    assert open_visitor_study("s", inside, data_dir).study_name == "s"
    assert (data_dir / "team" / "studies.db").is_file()


# Another program's database


def test_a_foreign_database_typed_on_the_page_is_refused_and_left_as_it_was(
    data_dir, limits_env, foreign
):
    url, before = foreign
    limits_env(STORAGE_URLS="true")
    app = tune_page(url)
    refused = (
        f"The study storage '{url}' holds data of another program; studies are kept only in a "
        "database of their own: choose another storage."
    )
    for _ in range(3):  # reruns, without Start
        assert errors(app) == [refused]
        app.run()
    assert (data_dir.parent / "shop.db").read_bytes() == before
    job = start_search(app)
    assert job.error == refused and job.study is None
    assert (data_dir.parent / "shop.db").read_bytes() == before


def test_a_foreign_database_the_operator_configured_is_refused_too(data_dir, limits_env, foreign):
    url, before = foreign
    limits_env(STUDY_STORAGES=url)
    app = tune_page()
    app.selectbox(key="tune.storage_pick").set_value(1).run()
    assert errors(app)[0].startswith(f"The study storage '{url}' holds data of another program")
    start_search(app)
    assert (data_dir.parent / "shop.db").read_bytes() == before


@pytest.mark.parametrize("content", [b"print('hello')\n", b""], ids=["source", "empty"])
def test_a_file_that_is_not_an_sqlite_database_is_refused_and_left_as_it_was(
    data_dir, tmp_path, content
):
    path = tmp_path / "x.py"
    path.write_bytes(content)
    with pytest.raises(TuneError) as err:
        open_visitor_study("s", f"sqlite:///{path}", data_dir)
    assert "is a file that is not an SQLite database" in str(err.value)
    assert path.read_bytes() == content


# Database errors


def test_a_closed_postgres_port_is_named_without_the_drivers_words(data_dir, limits_env, caplog):
    url = f"postgresql://tuner:secret@127.0.0.1:{free_port()}/studies"
    said = UNUSABLE.format(shown=f"'{url.replace(':secret@', ':***@')}'")
    limits_env(STORAGE_URLS="true")
    app = tune_page(url)
    assert errors(app) == [said]
    job = start_search(app)
    assert job.error == said
    assert any(said in error for error in errors(app))
    for words in DRIVER_WORDS:
        assert not any(words in error for error in errors(app)), words
    assert "Connection refused" in caplog.text, "the server's log has the whole error"
    assert "secret" not in caplog.text


def test_a_storage_failing_during_a_visitors_search_is_named_without_its_words(
    data_dir, monkeypatch
):
    def failing(*args, **hooks):
        raise StorageError("The study storage failed: could not connect: Connection refused")

    monkeypatch.setattr("forecasting.tune_job.run_search", failing)
    url = f"sqlite:///{data_dir / 'studies.db'}"
    job = TuneJob(SERIES, BASE, SPACE, TuneSettings(trials=1, epochs=1), "s", url,
                  data_dir=str(data_dir)).start()  # fmt: skip
    assert job.wait(30)
    assert job.error == UNUSABLE.format(shown=f"'{url}'")

    monkeypatch.setattr("forecasting.tune_job.run_search", lambda *a, **k: 1 / 0)
    job = TuneJob(SERIES, BASE, SPACE, TuneSettings(trials=1, epochs=1), "s", url,
                  data_dir=str(data_dir)).start()  # fmt: skip
    assert job.wait(30)
    assert job.error == "an unexpected error stopped the search; this server's log says why"


# Limits


def test_the_page_offers_no_more_than_the_server_allows(data_dir, limits_env):
    limits_env(TUNE_TRIALS="5", EPOCHS="10", HIDDEN_SIZE="32", BATCH_SIZE="64", WINDOW="20")
    app = tune_page()
    assert app.number_input(key="tune.trials").max == 5
    assert app.number_input(key="tune.epochs").max == 10
    assert app.select_slider(key="tune.hidden").options[-1] == "32"
    assert app.multiselect(key="tune.batch").options[-1] == "64"
    assert app.slider(key=next(s.key for s in app.slider if "window" in s.key)).max == 20
    app.number_input(key="tune.trials").set_value(6).run()
    assert app.number_input(key="tune.trials").value <= 5


def test_a_study_whose_settings_exceed_the_limits_is_not_continued(data_dir, limits_env):
    app = tune_page()
    base = series_config(app.session_state[state.SERIES]).with_changes(members=9)
    open_study(
        stored(app, "airline-passengers"), f"sqlite:///{data_dir / 'studies.db'}"
    ).set_user_attr("base", base.to_dict())
    app.run()
    assert start_search(app) is None
    assert errors(app) == ["members is 9; this server allows at most 7 (FORECAST_LAB_MEMBERS)."]


@pytest.mark.parametrize(
    ("space", "settings", "message"),
    [
        ({}, {"trials": 201}, "trials is 201; this server allows at most 200 "
         "(FORECAST_LAB_TUNE_TRIALS)."),
        ({}, {"epochs": 10_000}, "epochs is 10,000; this server allows at most 5,000 "
         "(FORECAST_LAB_EPOCHS)."),
        ({"hidden_size": (8, 512)}, {}, "hidden_size is 512; this server allows at most 256 "
         "(FORECAST_LAB_HIDDEN_SIZE)."),
        ({"num_layers": (1, 6)}, {}, "num_layers is 6; this server allows at most 4 "
         "(FORECAST_LAB_NUM_LAYERS)."),
        ({"batch_sizes": (32, 2048)}, {}, "batch_size is 2,048; this server allows at most "
         "1,024 (FORECAST_LAB_BATCH_SIZE)."),
    ],
)  # fmt: skip
def test_a_search_over_the_limits_is_refused_naming_the_limit(space, settings, message):
    with pytest.raises(TuneError) as err:
        check_limits(SearchSpace(**space), TuneSettings(**settings), BASE, len(SERIES),
                     ServerLimits())  # fmt: skip
    assert str(err.value) == message


def test_a_window_over_the_limit_is_refused():
    limits = ServerLimits(settings={**ServerLimits().settings, "window": 40})
    with pytest.raises(TuneError) as err:
        check_limits(SearchSpace(window=(10, 60)), TuneSettings(), BASE, len(SERIES), limits)
    assert str(err.value) == "window is 60; this server allows at most 40 (FORECAST_LAB_WINDOW)."
    check_limits(SearchSpace(window=(10, 40)), TuneSettings(), BASE, len(SERIES), limits)
