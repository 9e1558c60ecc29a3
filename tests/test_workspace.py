"""forecasting.workspace: visitors' runs, series and uploads kept on the server, found again by
their key only, within a quota, removed when unused; a database of another version or program
left untouched; exports imported as if a stranger had made them."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import forecasting.workspace as workspace
from data.catalog import load_sample
from data.prepare import from_array
from data.series_file import series_to_bytes
from forecasting.config import TrainConfig
from forecasting.limits import MIB, ServerLimits
from forecasting.persist import run_to_bytes
from forecasting.predict import forecast_from
from forecasting.train import fit
from forecasting.workspace import (
    DAY,
    SCHEMA_VERSION,
    WorkspaceError,
    WorkspaceStore,
    open_store,
)
from models.checkpoint import _checksum

QUOTA = 8 * MIB
DAYS = 30
TABLES = {"schema_version", "workspaces", "runs", "uploads", "backtests", "panels"}


@pytest.fixture(scope="module")
def series():
    steps = np.arange(120)
    return from_array(10.0 + 3.0 * np.sin(2 * np.pi * steps / 12), target="signal")


@pytest.fixture(scope="module")
def run(series):
    config = TrainConfig(window=12, horizon=4, hidden_size=8, epochs=2, members=1, device="cpu")
    return fit(series, config)


@pytest.fixture(scope="module")
def airline():
    return load_sample("airline")


def open_at(folder: Path, quota: int = QUOTA) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{folder / 'workspaces.db'}", folder / "files", quota, DAYS)


@pytest.fixture
def store(tmp_path):
    opened = open_at(tmp_path)
    yield opened
    opened.close()


def predictions(run, series) -> np.ndarray:
    starts = np.arange(run.config.window, len(series) - run.config.horizon + 1)
    return forecast_from(run, series.values, starts)


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_run_comes_back_the_same_and_after_a_restart_too(tmp_path, run, series, airline):
    store = open_at(tmp_path)
    key = store.new_workspace()
    first = store.add_run(key, "First", "sine", run, series, mase=0.75)
    second = store.add_run(key, "Second", "airline", run, airline, mase=1.25, share_key="s:1")
    store.set_choice(key, first.id)
    store.close()

    restarted = open_at(tmp_path)
    assert restarted.choice(key) == first.id
    assert [stored.id for stored in restarted.runs(key)] == [first.id, second.id]
    listed = restarted.runs(key)[0]
    assert listed == first
    assert (listed.name, listed.dataset, listed.mase, listed.error) == ("First", "sine", 0.75, "")
    assert listed.config == run.config
    assert listed.fingerprint == series.fingerprint()
    assert (listed.epochs, listed.parameters) == (len(run.history), run.parameters)
    assert listed.seconds == pytest.approx(run.seconds)
    assert listed.share_key is None and restarted.runs(key)[1].share_key == "s:1"
    assert listed.size == len(run_to_bytes(run)) + len(series_to_bytes(series))
    loaded, loaded_series = restarted.load(key, first.id)
    assert loaded.config == run.config
    assert loaded_series.fingerprint() == series.fingerprint()
    assert np.array_equal(predictions(loaded, series), predictions(run, series))
    window = torch.randn(3, 12, 1)
    with torch.no_grad():
        assert torch.equal(loaded.model(window), run.model.eval()(window))
    assert restarted.load(key, second.id)[1].fingerprint() == airline.fingerprint()
    assert restarted.usage(key) == first.size + second.size
    restarted.close()


def test_a_run_that_failed_after_training_keeps_its_error_and_no_score(store, run, series):
    key = store.new_workspace()
    stored = store.add_run(key, "Broken", "sine", run, series, mase=None, error="No forecast.")
    assert (stored.mase, stored.error) == (None, "No forecast.")
    assert (store.runs(key)[0].mase, store.runs(key)[0].error) == (None, "No forecast.")
    assert store.load(key, stored.id)[0].config == run.config


def test_the_choice_is_forgotten_with_its_run_and_unknown_runs_cannot_be_chosen(store, run, series):
    key = store.new_workspace()
    stored = store.add_run(key, "Only", "sine", run, series, mase=1.0)
    assert store.choice(key) is None
    store.set_choice(key, stored.id)
    with pytest.raises(WorkspaceError, match="not in your workspace"):
        store.set_choice(key, stored.id + 1)
    assert store.choice(key) == stored.id
    store.delete_run(key, stored.id)
    assert store.choice(key) is None and store.runs(key) == []


def test_workspaces_never_reach_each_others_runs_or_uploads(store, run, series, airline):
    mine, theirs = store.new_workspace(), store.new_workspace()
    my_run = store.add_run(mine, "Mine", "sine", run, series, mase=1.0)
    their_run = store.add_run(theirs, "Theirs", "airline", run, airline, mase=2.0)
    store.add_upload(mine, "data.csv", b"date,value\n2020-01-01,1\n")
    store.add_upload(theirs, "data.csv", b"secret,table\n")

    assert [stored.name for stored in store.runs(mine)] == ["Mine"]
    assert store.upload(mine, "data.csv") == b"date,value\n2020-01-01,1\n"
    for trespass in (store.load, store.delete_run, store.set_choice):
        with pytest.raises(WorkspaceError, match="not in your workspace"):
            trespass(mine, their_run.id)
    store.delete_workspace(mine)
    assert [stored.name for stored in store.runs(theirs)] == ["Theirs"]
    assert store.upload(theirs, "data.csv") == b"secret,table\n"
    assert store.load(theirs, their_run.id)[1].fingerprint() == airline.fingerprint()
    assert not store.exists(mine) and store.exists(theirs)
    with pytest.raises(WorkspaceError, match="not found"):
        store.runs(mine)
    assert my_run.id != their_run.id


BAD_KEYS = ["", "../x", "' OR 1=1 --", "x" * 10_000, "a" * 31, "a" * 33, "é" * 32, None, 12]


@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda key: repr(key)[:20])
def test_a_malformed_key_is_refused_before_the_database_is_asked(store, key, monkeypatch):
    store.new_workspace()

    class NoDatabase:
        def begin(self):
            raise AssertionError("the database was asked")

    calls = (store.runs, store.usage, store.uploads, store.touch, store.delete_workspace)
    with monkeypatch.context() as patch:
        patch.setattr(store, "_engine", NoDatabase())
        assert store.exists(key) is False
        for call in calls:
            with pytest.raises(WorkspaceError) as caught:
                call(key)
            assert "not found" in str(caught.value)
            assert "SELECT" not in str(caught.value) and "sql" not in str(caught.value).lower()
        with pytest.raises(WorkspaceError, match="not found"):
            store.load(key, 1)


def test_a_well_formed_key_that_was_never_given_is_not_found(store):
    guessed = "A" * 32
    assert not store.exists(guessed)
    with pytest.raises(WorkspaceError, match="may have been removed after 30 days unused"):
        store.load(guessed, 1)


def test_keys_hold_192_random_bits_and_never_repeat(store):
    keys = [store.new_workspace() for _ in range(50)]
    assert len(set(keys)) == 50
    assert all(len(base64.urlsafe_b64decode(key + "==")) == 24 for key in keys)
    assert len(set("".join(keys))) > 40  # spread over the alphabet, not a counter
    assert all(store.exists(key) for key in keys)
    prefixes = {store.study_prefix(key) for key in keys}
    assert len(prefixes) == 50 and all(prefix.startswith("ws") for prefix in prefixes)
    assert store.study_prefix(keys[0]) == store.study_prefix(keys[0])
    assert not any(keys[0][:8] in prefix for prefix in prefixes)


def test_a_run_past_the_quota_is_refused_and_nothing_is_written(tmp_path, run, series):
    one = len(run_to_bytes(run)) + len(series_to_bytes(series))
    store = open_at(tmp_path, quota=one + one // 2)
    key = store.new_workspace()
    store.add_run(key, "Fits", "sine", run, series, mase=1.0)
    before = files_in(tmp_path / "files")
    with pytest.raises(WorkspaceError) as caught:
        store.add_run(key, "Too much", "sine", run, series, mase=1.0)
    assert "Delete runs on the Train page" in str(caught.value)
    assert f"{one:,} bytes" in str(caught.value)
    assert files_in(tmp_path / "files") == before
    assert [stored.name for stored in store.runs(key)] == ["Fits"]
    assert store.usage(key) == one
    with pytest.raises(WorkspaceError, match="Delete runs"):
        store.add_upload(key, "big.csv", b"x" * one)
    assert store.uploads(key) == [] and files_in(tmp_path / "files") == before
    store.close()


def test_uploads_count_in_the_quota_and_a_name_is_never_a_path(store, tmp_path):
    key = store.new_workspace()
    store.add_upload(key, "../../escape.csv", b"a,b\n1,2\n")
    store.add_upload(key, "second.csv", b"c\n3\n")
    store.add_upload(key, "../../escape.csv", b"a,b\n5,6\n")  # replaces the first
    assert store.uploads(key) == ["second.csv", "../../escape.csv"]
    assert store.upload(key, "../../escape.csv") == b"a,b\n5,6\n"
    assert store.upload(key, "never.csv") is None
    assert store.usage(key) == len(b"c\n3\n") + len(b"a,b\n5,6\n")
    names = [path.name for path in files_in(tmp_path / "files")]
    assert len(names) == 2 and not any("escape" in name for name in names)
    assert not (tmp_path / "escape.csv").exists()


def test_unused_workspaces_expire_with_their_files_and_a_visit_keeps_one(
    store, tmp_path, run, series
):
    old = store.new_workspace()
    store.add_run(old, "Old", "sine", run, series, mase=1.0)
    time.sleep(0.05)
    recent = store.new_workspace()
    store.add_upload(recent, "kept.csv", b"a\n1\n")
    recent_seen = time.time()
    time.sleep(0.05)
    store.touch(recent)
    assert store.expire(now=time.time()) == 0
    assert store.expire(now=recent_seen + DAYS * DAY + 0.01) == 1
    assert not store.exists(old) and store.exists(recent)
    assert store.upload(recent, "kept.csv") == b"a\n1\n"
    assert len(list((tmp_path / "files").iterdir())) == 1
    assert len(files_in(tmp_path / "files")) == 1
    assert store.expire(now=time.time() + DAYS * DAY + 1) == 1
    assert files_in(tmp_path / "files") == []


def test_deleting_a_run_or_a_workspace_removes_their_files(store, tmp_path, run, series):
    key = store.new_workspace()
    kept = store.add_run(key, "Kept", "sine", run, series, mase=1.0)
    gone = store.add_run(key, "Gone", "sine", run, series, mase=1.0)
    assert len(files_in(tmp_path / "files")) == 4
    store.delete_run(key, gone.id)
    assert len(files_in(tmp_path / "files")) == 2
    assert [stored.id for stored in store.runs(key)] == [kept.id]
    with pytest.raises(WorkspaceError, match="not in your workspace"):
        store.load(key, gone.id)
    store.add_upload(key, "t.csv", b"a\n1\n")
    folders = list((tmp_path / "files").iterdir())
    store.delete_workspace(key)
    assert files_in(tmp_path / "files") == [] and not any(path.exists() for path in folders)


def test_shared_runs_are_found_from_any_workspace_but_never_failed_ones(store, run, series):
    first, second = store.new_workspace(), store.new_workspace()
    assert store.find_shared("sample:airline") is None
    store.add_run(first, "Failed", "airline", run, series, mase=None, error="x", share_key="s")
    store.add_run(first, "Upload", "mine.csv", run, series, mase=1.0)
    assert store.find_shared("s") is None
    good = store.add_run(second, "Good", "airline", run, series, mase=0.9, share_key="s")
    found = store.find_shared("s")
    assert found is not None
    shared_run, shared_series, stored = found
    assert stored == good and shared_series.fingerprint() == series.fingerprint()
    assert np.array_equal(predictions(shared_run, series), predictions(run, series))
    assert store.find_shared("") is None and store.find_shared("other") is None


def test_open_store_keeps_workspaces_in_the_data_folder(tmp_path, run, series):
    limits = ServerLimits(data_dir=str(tmp_path / "data"), workspace_bytes=3 * MIB)
    store = open_store(limits)
    key = store.new_workspace()
    store.add_run(key, "Run", "sine", run, series, mase=1.0)
    assert (tmp_path / "data" / "workspaces.db").is_file()
    assert len(files_in(tmp_path / "data" / "workspaces")) == 2
    assert (store.quota_bytes, store.expiry_days) == (3 * MIB, 30)
    store.close()


def test_many_sessions_writing_at_once_all_succeed(store):
    keys = [store.new_workspace() for _ in range(8)]
    failures = []

    def write(key: str) -> None:
        try:
            for number in range(5):
                store.add_upload(key, f"{number}.csv", b"a\n1\n")
                store.touch(key)
        except Exception as err:
            failures.append(err)

    threads = [threading.Thread(target=write, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(len(store.uploads(key)) == 5 for key in keys)


# The schema: created, migrated, or refused untouched.


def tables_and_version(path: Path) -> tuple[set[str], list[int]]:
    with sqlite3.connect(path) as connection:
        names = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        tables = {name for name in names if not name.startswith("sqlite_")}
        if "schema_version" not in tables:
            return tables, []
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_version")]
    connection.close()
    return tables, versions


def test_an_empty_database_gets_our_tables_at_this_version(tmp_path):
    open_at(tmp_path).close()
    tables, versions = tables_and_version(tmp_path / "workspaces.db")
    assert tables == TABLES and versions == [SCHEMA_VERSION]


def test_a_database_of_a_newer_version_is_refused_untouched(tmp_path):
    open_at(tmp_path).close()
    with sqlite3.connect(tmp_path / "workspaces.db") as connection:
        connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    connection.close()
    before = (tmp_path / "workspaces.db").read_bytes()
    with pytest.raises(
        WorkspaceError, match=f"newer Forecast Lab \\(schema version {SCHEMA_VERSION + 1}"
    ):
        open_at(tmp_path)
    assert (tmp_path / "workspaces.db").read_bytes() == before


def test_a_database_of_another_program_is_refused_untouched(tmp_path):
    path = tmp_path / "workspaces.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE trials (id INTEGER PRIMARY KEY, value REAL)")
        connection.execute("INSERT INTO trials (value) VALUES (0.5)")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match=r"tables that are not Forecast Lab's \(trials\)"):
        open_at(tmp_path)
    assert path.read_bytes() == before
    assert tables_and_version(path) == ({"trials"}, [])
    assert not (tmp_path / "files").exists()


def test_an_older_database_is_migrated_step_by_step_keeping_its_runs(
    tmp_path, run, series, monkeypatch
):
    store = open_at(tmp_path)
    key = store.new_workspace()
    stored = store.add_run(key, "Before", "sine", run, series, mase=1.0)
    store.close()
    steps = []

    def add_notes(connection) -> None:
        steps.append(1)
        connection.exec_driver_sql("ALTER TABLE runs ADD COLUMN notes TEXT")

    def add_tags(connection) -> None:
        steps.append(2)
        connection.exec_driver_sql("CREATE TABLE tags (run_id INTEGER, tag TEXT)")

    monkeypatch.setattr(workspace, "SCHEMA_VERSION", SCHEMA_VERSION + 2)
    monkeypatch.setattr(
        workspace, "MIGRATIONS", {SCHEMA_VERSION: add_notes, SCHEMA_VERSION + 1: add_tags}
    )
    migrated = open_at(tmp_path)
    assert steps == [1, 2]
    assert tables_and_version(tmp_path / "workspaces.db") == (
        {*TABLES, "tags"},
        [SCHEMA_VERSION + 2],
    )
    assert migrated.runs(key) == [stored]
    assert migrated.load(key, stored.id)[1].fingerprint() == series.fingerprint()
    migrated.close()
    open_at(tmp_path).close()
    assert steps == [1, 2], "a migrated database is not migrated again"


def test_a_version_1_database_gets_the_later_tables_and_keeps_its_runs(tmp_path, run, series):
    store = open_at(tmp_path)
    key = store.new_workspace()
    stored = store.add_run(key, "Before", "sine", run, series, mase=1.0)
    store.close()
    with sqlite3.connect(tmp_path / "workspaces.db") as connection:  # as version 1 left it
        connection.execute("DROP TABLE backtests")
        connection.execute("DROP TABLE panels")
        connection.execute("UPDATE schema_version SET version = 1")
    connection.close()
    later = {"backtests", "panels"}
    assert tables_and_version(tmp_path / "workspaces.db") == (TABLES - later, [1])
    migrated = open_at(tmp_path)
    assert tables_and_version(tmp_path / "workspaces.db") == (TABLES, [3])
    assert migrated.runs(key) == [stored]
    migrated.add_backtest(key, stored.id, 2, (0.8,), b"kept")
    assert migrated.backtest(key, stored.id, 2, (0.8,)) == b"kept"
    migrated.add_panel(key, stored.id, b"panel")
    assert migrated.panel(key, stored.id) == b"panel"
    migrated.close()


def test_a_panel_file_is_kept_beside_its_run_counted_and_deleted_with_it(tmp_path, run, series):
    store = open_at(tmp_path, quota=10**6)
    key, other = store.new_workspace(), store.new_workspace()
    stored = store.add_run(key, "LSTM panel #1", "sales", run, series, mase=1.0)
    single = store.add_run(key, "LSTM #2", "sales", run, series, mase=1.0)
    before = store.usage(key)
    store.add_panel(key, stored.id, b"x" * 1000)
    store.add_panel(key, stored.id, b"y" * 1500)  # replaces: only the difference counts
    assert store.usage(key) == before + 1500
    assert store.panel(key, stored.id) == b"y" * 1500
    assert store.panel(key, single.id) is None
    assert [listed.panel for listed in store.runs(key)] == [True, False]
    assert store.panel(other, stored.id) is None  # another workspace's run: not found
    with pytest.raises(WorkspaceError, match="not in your workspace"):
        store.add_panel(other, stored.id, b"z")
    with pytest.raises(WorkspaceError, match="this panel would take"):
        store.add_panel(key, single.id, b"z" * 10**6)
    assert store.panel(key, single.id) is None
    store.delete_run(key, stored.id)
    assert store.usage(key) == before - stored.size
    folder = tmp_path / "files"
    assert not any(path.suffix == ".panel" for path in folder.rglob("*"))
    store.close()


def test_a_failed_migration_leaves_the_database_at_its_version(tmp_path, monkeypatch):
    open_at(tmp_path).close()

    def broken(connection) -> None:
        connection.exec_driver_sql("ALTER TABLE runs ADD COLUMN notes TEXT")
        raise RuntimeError("step failed")

    monkeypatch.setattr(workspace, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(workspace, "MIGRATIONS", {SCHEMA_VERSION: broken})
    with pytest.raises(RuntimeError, match="step failed"):
        open_at(tmp_path)
    with sqlite3.connect(tmp_path / "workspaces.db") as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(runs)")}
    connection.close()
    assert "notes" not in columns
    assert tables_and_version(tmp_path / "workspaces.db")[1] == [SCHEMA_VERSION]


# Export and import: another workspace, another server, and files made to harm.


@pytest.fixture
def exported(store, run, series, airline) -> tuple[bytes, list]:
    key = store.new_workspace()
    store.add_run(key, "Sine", "sine", run, series, mase=0.5, share_key="sample:sine")
    store.add_run(key, "Air", "airline", run, airline, mase=None, error="Forecast failed.")
    return store.export_zip(key), store.runs(key)


def described(stored) -> tuple:
    return (stored.name, stored.dataset, stored.fingerprint, stored.config, stored.epochs,
            stored.parameters, stored.mase, stored.error, stored.size)  # fmt: skip


def test_an_export_imports_into_another_workspace_and_another_server(
    store, exported, tmp_path, run, series
):
    raw, originals = exported
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["schema_version"] == 1, "without panel files: readable by older servers"
    assert [entry["name"] for entry in manifest["runs"]] == ["Sine", "Air"]

    elsewhere = open_at(tmp_path / "other server")
    for target in (store, elsewhere):
        key = target.new_workspace()
        imported = target.import_zip(key, raw, ServerLimits())
        assert [described(stored) for stored in imported] == [described(s) for s in originals]
        assert target.runs(key) == imported
        assert all(stored.share_key is None for stored in imported)
        loaded, loaded_series = target.load(key, imported[0].id)
        assert loaded_series.fingerprint() == series.fingerprint()
        assert np.array_equal(predictions(loaded, series), predictions(run, series))
    elsewhere.close()


def rezipped(raw: bytes, replace: dict | None = None, drop=(), extra=None, manifest=None) -> bytes:
    """The export with members replaced, dropped or added, and its manifest changed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            if name in drop:
                continue
            data = (replace or {}).get(name, source.read(name))
            if name == "manifest.json" and manifest is not None:
                document = json.loads(data)
                manifest(document)
                data = json.dumps(document)
            target.writestr(name, data)
        for name, data in (extra or {}).items():
            target.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def oversized_checkpoint(raw: bytes) -> bytes:
    """The export's first checkpoint claiming a network far over the server's limits."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        original = archive.read("runs/1.pt")
    payload = torch.load(io.BytesIO(original), map_location="cpu", weights_only=True)
    config = json.loads(payload["config"])
    payload["config"] = json.dumps(
        {**config, "hidden_size": 4096, "num_layers": 16}, sort_keys=True
    )
    payload["checksum"] = _checksum(payload)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def lie(field: str, value) -> callable:
    def change(document: dict) -> None:
        document["runs"][0][field] = value

    return change


def bomb() -> bytes:
    """A zip whose checkpoint unpacks to 2 MiB of zeros from a few kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "{}")
        archive.writestr("runs/1.pt", bytes(2 * MIB))
    return buffer.getvalue()


def many_members() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(1, 502):
            archive.writestr(f"runs/{number}.npz", b"")
    return buffer.getvalue()


CRAFTED = {
    "a name outside": (
        lambda raw: rezipped(raw, extra={"../../etc/cron.d/evil": b"x"}),
        "'../../etc/cron.d/evil', which is not one of an export's files",
    ),
    "an absolute name": (
        lambda raw: rezipped(raw, extra={"/tmp/evil.pt": b"x"}),
        "'/tmp/evil.pt'",
    ),
    "too many members": (lambda raw: many_members(), "holds 501 files"),
    "a zip bomb": (lambda raw: bomb(), "'runs/1.pt' would unpack to 2.0 MiB"),
    "a checkpoint over the server's limits": (
        lambda raw: rezipped(raw, replace={"runs/1.pt": oversized_checkpoint(raw)}),
        "runs/1.pt: This checkpoint's network is larger than this server allows",
    ),
    "a series that is not one": (
        lambda raw: rezipped(raw, replace={"runs/2.npz": b"not a series"}),
        "runs/2.npz: This series file was not written by Forecast Lab",
    ),
    "a manifest that lies about the series": (
        lambda raw: rezipped(raw, manifest=lie("fingerprint", "0" * 16)),
        "does not match the files it lists: run 1: its series",
    ),
    "a manifest that lies about the settings": (
        lambda raw: rezipped(raw, manifest=lambda doc: doc["runs"][0]["config"].update(window=24)),
        "run 1: its window differ from runs/1.pt's",
    ),
    "a manifest with a field of the wrong type": (
        lambda raw: rezipped(raw, manifest=lie("epochs", "2")),
        "run 1's epochs is not valid",
    ),
    "a manifest listing a missing file": (
        lambda raw: rezipped(raw, drop=("runs/2.npz",)),
        "lists 'runs/2.npz', which the file lacks",
    ),
    "a file the manifest does not list": (
        lambda raw: rezipped(raw, extra={"runs/3.pt": b"x"}),
        "does not list 'runs/3.pt'",
    ),
    "a manifest of a newer version": (
        lambda raw: rezipped(raw, manifest=lambda doc: doc.update(schema_version=99)),
        "schema version 99",
    ),
    "not a zip": (lambda raw: b"PK but not really", "not a zip file"),
}


@pytest.mark.parametrize(("craft", "says"), CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_export_is_refused_and_nothing_is_imported(
    store, exported, tmp_path, craft, says
):
    raw, _ = exported
    key = store.new_workspace()
    before = files_in(tmp_path / "files")
    with pytest.raises(WorkspaceError) as caught:
        store.import_zip(key, craft(raw), ServerLimits(checkpoint_bytes=MIB))
    assert says in str(caught.value)
    assert "Nothing was imported" in str(caught.value)
    assert store.runs(key) == [] and store.usage(key) == 0
    assert files_in(tmp_path / "files") == before


def test_an_import_past_the_quota_is_refused(tmp_path, exported):
    raw, originals = exported
    small = open_at(tmp_path / "small", quota=sum(stored.size for stored in originals) + 99)
    key = small.new_workspace()
    small.add_upload(key, "held.csv", b"x" * 100)
    with pytest.raises(WorkspaceError, match=r"holds 100 bytes .* Delete runs on the Train page"):
        small.import_zip(key, raw, ServerLimits())
    assert small.runs(key) == [] and small.usage(key) == 100
    assert len(files_in(tmp_path / "small" / "files")) == 1
    small.delete_workspace(key)
    key = small.new_workspace()
    assert len(small.import_zip(key, raw, ServerLimits())) == 2
    small.close()


# Backtests: kept beside their run, within the quota, gone with it.


def test_a_backtest_is_kept_by_run_folds_and_levels_and_replaced_by_a_new_one(store, run, series):
    key = store.new_workspace()
    stored = store.add_run(key, "LSTM #1", "sine", run, series, mase=1.0)
    before = store.usage(key)
    store.add_backtest(key, stored.id, 3, (0.95, 0.8), b"first")
    assert store.backtest(key, stored.id, 3, (0.8, 0.95)) == b"first", "levels in any order"
    assert store.backtest(key, stored.id, 2, (0.8, 0.95)) is None
    assert store.backtest(key, stored.id, 3, (0.9,)) is None
    store.add_backtest(key, stored.id, 3, (0.8, 0.95), b"second!")
    assert store.backtest(key, stored.id, 3, (0.8, 0.95)) == b"second!"
    assert store.usage(key) == before + len(b"second!"), "the replaced file is not counted"


def test_a_backtest_is_never_read_or_written_for_another_workspaces_run(store, run, series):
    owner, stranger = store.new_workspace(), store.new_workspace()
    stored = store.add_run(owner, "LSTM #1", "sine", run, series, mase=1.0)
    store.add_backtest(owner, stored.id, 2, (0.8,), b"mine")
    assert store.backtest(stranger, stored.id, 2, (0.8,)) is None
    with pytest.raises(WorkspaceError, match="not in your workspace"):
        store.add_backtest(stranger, stored.id, 2, (0.8,), b"theirs")
    assert store.backtest(owner, stored.id, 2, (0.8,)) == b"mine"


def test_a_backtest_counts_against_the_quota(tmp_path, run, series):
    store = open_at(tmp_path)
    key = store.new_workspace()
    stored = store.add_run(key, "LSTM #1", "sine", run, series, mase=1.0)
    room = QUOTA - store.usage(key)
    with pytest.raises(WorkspaceError, match="this backtest would take"):
        store.add_backtest(key, stored.id, 2, (0.8,), bytes(room + 1))
    assert store.backtest(key, stored.id, 2, (0.8,)) is None
    assert len(files_in(tmp_path / "files")) == 2, "only the run's two files"
    store.close()


def test_deleting_a_run_deletes_its_backtests_and_their_files(tmp_path, run, series):
    store = open_at(tmp_path)
    key = store.new_workspace()
    stored = store.add_run(key, "LSTM #1", "sine", run, series, mase=1.0)
    store.add_backtest(key, stored.id, 2, (0.8,), b"gone soon")
    store.delete_run(key, stored.id)
    assert files_in(tmp_path / "files") == []
    assert store.usage(key) == 0
    store.close()


def test_a_backtest_replacing_one_of_its_size_fits_a_full_workspace(tmp_path, run, series):
    store = open_at(tmp_path)
    key = store.new_workspace()
    stored = store.add_run(key, "LSTM #1", "sine", run, series, mase=1.0)
    room = QUOTA - store.usage(key)
    store.add_backtest(key, stored.id, 2, (0.8,), bytes(room))
    store.add_backtest(key, stored.id, 2, (0.8,), bytes(room))  # the same size, replaced
    assert store.usage(key) == QUOTA
    with pytest.raises(WorkspaceError, match="this backtest would take"):
        store.add_backtest(key, stored.id, 3, (0.8,), b"one byte more")
    store.close()
