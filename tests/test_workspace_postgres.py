"""The workspace store on PostgreSQL: runs come back after a restart, workspaces stay apart, and a
database of a newer version is refused untouched.

The session's throwaway PostgreSQL on loopback (tests/conftest.py), one database a test.
Without PostgreSQL these tests fail, saying why, unless NO_POSTGRES_TESTS=1 skips them.
"""

from __future__ import annotations

import secrets

import numpy as np
import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from data.catalog import load_sample
from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.predict import forecast_from
from forecasting.train import fit
from forecasting.workspace import SCHEMA_VERSION, WorkspaceError, WorkspaceStore

TABLES = {"schema_version", "workspaces", "runs", "uploads", "backtests", "panels"}


@pytest.fixture
def database_url(postgres_url):
    """A fresh empty database on the throwaway server, for one test."""
    name = f"workspaces_{secrets.token_hex(4)}"
    server = make_url(postgres_url).set(drivername="postgresql+psycopg2")
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture(scope="module")
def series():
    return from_array(10.0 + 3.0 * np.sin(2 * np.pi * np.arange(120) / 12), target="signal")


@pytest.fixture(scope="module")
def run(series):
    config = TrainConfig(window=12, horizon=4, hidden_size=8, epochs=2, members=1, device="cpu")
    return fit(series, config)


def predictions(run, series) -> np.ndarray:
    starts = np.arange(run.config.window, len(series) - run.config.horizon + 1)
    return forecast_from(run, series.values, starts)


def test_a_run_on_postgres_comes_back_the_same_after_a_restart(database_url, tmp_path, run, series):
    store = WorkspaceStore(database_url, tmp_path, 8 * 2**20, 30)
    key = store.new_workspace()
    stored = store.add_run(key, "Sine", "sine", run, series, mase=0.5, share_key="sample:sine")
    store.add_upload(key, "table.csv", b"a,b\n1,2\n")
    store.set_choice(key, stored.id)
    store.close()

    restarted = WorkspaceStore(database_url, tmp_path, 8 * 2**20, 30)
    assert restarted.runs(key) == [stored]
    assert restarted.choice(key) == stored.id
    assert restarted.upload(key, "table.csv") == b"a,b\n1,2\n"
    assert restarted.usage(key) == stored.size + len(b"a,b\n1,2\n")
    loaded, loaded_series = restarted.load(key, stored.id)
    assert loaded.config == run.config and loaded_series.fingerprint() == series.fingerprint()
    assert np.array_equal(predictions(loaded, series), predictions(run, series))
    assert restarted.find_shared("sample:sine")[2] == stored
    restarted.close()


def test_workspaces_on_postgres_stay_apart(database_url, tmp_path, run, series):
    store = WorkspaceStore(database_url, tmp_path, 8 * 2**20, 30)
    mine, theirs = store.new_workspace(), store.new_workspace()
    their_run = store.add_run(theirs, "Theirs", "airline", run, load_sample("airline"), mase=1.0)
    store.add_upload(theirs, "secret.csv", b"x\n1\n")
    assert store.runs(mine) == [] and store.uploads(mine) == []
    assert store.upload(mine, "secret.csv") is None
    for trespass in (store.load, store.delete_run, store.set_choice):
        with pytest.raises(WorkspaceError, match="not in your workspace"):
            trespass(mine, their_run.id)
    for guessed in ("' OR 1=1 --", "../" + theirs[3:], theirs[:-1] + "?"):
        assert not store.exists(guessed)
        with pytest.raises(WorkspaceError, match="not found"):
            store.runs(guessed)
    store.delete_workspace(mine)
    assert [stored.name for stored in store.runs(theirs)] == ["Theirs"]
    store.close()


def test_a_postgres_database_of_a_newer_version_is_refused_untouched(database_url, tmp_path):
    WorkspaceStore(database_url, tmp_path, 2**20, 30).close()
    engine = sqlalchemy.create_engine(database_url.replace("postgresql:", "postgresql+psycopg2:"))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(WorkspaceError, match="newer Forecast Lab"):
        WorkspaceStore(database_url, tmp_path, 2**20, 30)
    with engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version FROM schema_version").scalars()
        assert list(versions) == [SCHEMA_VERSION + 1]
    assert set(sqlalchemy.inspect(engine).get_table_names()) == TABLES
    engine.dispose()


def test_a_postgres_database_of_another_program_is_refused_untouched(database_url, tmp_path):
    engine = sqlalchemy.create_engine(database_url.replace("postgresql:", "postgresql+psycopg2:"))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE studies (study_id SERIAL PRIMARY KEY)")
    with pytest.raises(WorkspaceError, match="not Forecast Lab's"):
        WorkspaceStore(database_url, tmp_path, 2**20, 30)
    assert sqlalchemy.inspect(engine).get_table_names() == ["studies"]
    engine.dispose()
