"""Visitors' workspaces kept on the server: their runs, series and uploads, found again by key.

Rows live in a SQLAlchemy database (SQLite by default, PostgreSQL too); files live in a folder,
one sub-folder per workspace, under names we generate. A workspace is reached only through its
secret key, checked against a strict pattern before any query; a database of another version,
or of another program, is refused untouched.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import secrets
import shutil
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from data.errors import DataError
from data.series import Series
from data.series_file import series_from_bytes, series_to_bytes
from forecasting.config import ConfigError, TrainConfig
from forecasting.limits import MIB, ServerLimits
from forecasting.panel_result import result_from_bytes
from forecasting.persist import open_run, run_to_bytes
from forecasting.train import Run
from models.checkpoint import CheckpointError

SCHEMA_VERSION = 3  # 1: workspaces, runs, uploads; 2: backtests; 3: panels
EXPORT_VERSION = 2  # the export zip's own format: 1: runs, checkpoints, series; 2: panel files
KEY_BYTES = 24  # 192 random bits, 32 characters
KEY = re.compile(r"[A-Za-z0-9_-]{32}")
DAY = 86_400
BUSY_SECONDS = 30  # a SQLite writer waits this long for another before failing
CONNECT_SECONDS = 10  # a PostgreSQL server silent this long is given up on
SCHEMA_LOCK = 7_304_157_621  # PostgreSQL advisory lock held while the schema is checked
FORMAT = "forecast-lab-workspace"
MANIFEST = "manifest.json"
MANIFEST_BYTES = MIB
MAX_MEMBERS = 500
MEMBER = re.compile(r"runs/[1-9][0-9]{0,5}\.(pt|npz|panel\.zip)")
SHARED_TRIES = 3  # runs tried, newest first, when a shared run's files cannot be opened
TEXTS = {"name": 200, "dataset": 200, "error": 2000, "upload": 255, "share_key": 200}
UNKNOWN = (
    "This workspace was not found: it may have been removed after {days} days unused, or its "
    "link is mistyped."
)
NO_RUN = "This run is not in your workspace (it may have been deleted)."
DAMAGED = (
    "This run's saved files are missing or damaged, so it cannot be opened; delete it on the "
    "Train page."
)

NOT_EXPORT = "This file is not a workspace exported from Forecast Lab"
NOTHING = "Nothing was imported."
ENTRY_CHECKS: dict[str, Callable[[object], bool]] = {
    "name": lambda value: isinstance(value, str) and len(value) <= TEXTS["name"],
    "dataset": lambda value: isinstance(value, str) and len(value) <= TEXTS["dataset"],
    "fingerprint": lambda value: isinstance(value, str) and len(value) <= 64,
    "config": lambda value: isinstance(value, dict),
    "created": lambda value: _is_number(value) and value >= 0,
    "seconds": lambda value: _is_number(value) and value >= 0,
    "epochs": lambda value: type(value) is int and value >= 0,
    "parameters": lambda value: type(value) is int and value >= 0,
    "mase": lambda value: value is None or _is_number(value),
    "error": lambda value: isinstance(value, str) and len(value) <= TEXTS["error"],
    "share_key": lambda value: value is None or (isinstance(value, str) and len(value) <= 200),
    "checkpoint": lambda value: isinstance(value, str) and _is_member(value, ".pt"),
    "series": lambda value: isinstance(value, str) and _is_member(value, ".npz"),
    "panel": lambda value: isinstance(value, str) and _is_member(value, ".panel.zip"),
}
SUFFIXES = {"checkpoint": ".pt", "series": ".npz", "panel": ".panel.zip"}  # a run's members
REQUIRED = set(ENTRY_CHECKS) - {"panel"}  # "panel": only a panel run's, from version 2

metadata = MetaData()
version_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))
workspace_table = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("created", Float, nullable=False),
    Column("last_seen", Float, nullable=False, index=True),
    Column("choice", Integer),
    sqlite_autoincrement=True,
)
run_table = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("dataset", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("config", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("epochs", Integer, nullable=False),
    Column("parameters", BigInteger, nullable=False),
    Column("mase", Float),
    Column("error", Text, nullable=False),
    Column("share_key", Text, index=True),
    Column("checkpoint_file", String(64), nullable=False),
    Column("series_file", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    sqlite_autoincrement=True,
)
backtest_table = Table(
    "backtests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("folds", Integer, nullable=False),
    Column("levels", String(200), nullable=False),
    Column("file", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created", Float, nullable=False),
    sqlite_autoincrement=True,
)
panel_table = Table(  # a panel run's every series, scores and forecasts, beside its run
    "panels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("file", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created", Float, nullable=False),
    sqlite_autoincrement=True,
)
ATTACHED = (backtest_table, panel_table)  # files kept beside a run, deleted with it
upload_table = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("file", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created", Float, nullable=False),
    sqlite_autoincrement=True,
)

MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: lambda connection: backtest_table.create(connection),
    2: lambda connection: panel_table.create(connection),
}
"""Each step from a schema version to the next, run in order when an older database opens."""


class WorkspaceError(Exception):
    """A user-facing problem with a workspace (quota, unknown key, bad import file, a database
    from another version)."""


@dataclass(frozen=True)
class StoredRun:
    """What a run list shows without loading the model."""

    id: int
    name: str
    dataset: str
    fingerprint: str
    config: TrainConfig
    created: float
    seconds: float
    epochs: int
    parameters: int
    mase: float | None
    error: str  # "" unless the run trained but failed afterwards (forecasting, say)
    share_key: str | None  # for runs other workspaces may reuse (samples, signals); None: upload
    size: int  # bytes of its files
    panel: bool = False  # trained on a panel: its file (forecasting/panel_result) is beside it


@dataclass(frozen=True)
class _NewRun:
    """A run about to be stored: its row's values, its two files' bytes and any panel file's."""

    row: dict[str, Any]
    checkpoint: bytes
    series: bytes
    panel: bytes | None = None

    @property
    def size(self) -> int:
        """Bytes of the run's own files, as its row counts them."""
        return len(self.checkpoint) + len(self.series)

    @property
    def files(self) -> list[tuple[bytes, str]]:
        """Every file to write, with its suffix: checkpoint, series, then any panel file."""
        own = [(self.checkpoint, ".pt"), (self.series, ".npz")]
        return own if self.panel is None else [*own, (self.panel, ".panel")]

    @property
    def total(self) -> int:
        """Bytes of every file, the quota's count."""
        return sum(len(raw) for raw, _ in self.files)


class WorkspaceStore:
    """Every visitor's workspace: one object shared by all sessions of a server."""

    def __init__(self, url: str, folder: str | Path, quota_bytes: int, expiry_days: int) -> None:
        self.folder = Path(folder)
        self.quota_bytes = quota_bytes
        self.expiry_days = expiry_days
        self._engine = _open_engine(url)
        where = self._engine.url.render_as_string(hide_password=True)
        try:
            with self._engine.begin() as connection:
                _open_schema(connection, where)
        except SQLAlchemyError as err:
            self._engine.dispose()
            raise WorkspaceError(
                f"The workspace database at {where} cannot be opened ({getattr(err, 'orig', err)})"
                ": check FORECAST_LAB_WORKSPACE_URL."
            ) from err
        except WorkspaceError:
            self._engine.dispose()
            raise
        _keep_a_journal(self._engine)
        self.folder.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        """Close the database connections; the store is not used afterwards."""
        self._engine.dispose()

    def new_workspace(self) -> str:
        """A new empty workspace's secret key."""
        key = secrets.token_urlsafe(KEY_BYTES)
        now = time.time()
        with self._engine.begin() as connection:
            connection.execute(insert(workspace_table).values(key=key, created=now, last_seen=now))
        return key

    def exists(self, key: str) -> bool:
        if not _well_formed(key):
            return False
        with self._engine.begin() as connection:
            found = connection.execute(
                select(workspace_table.c.id).where(workspace_table.c.key == key)
            )
            return found.first() is not None

    def touch(self, key: str) -> None:
        """Mark the workspace as used now, so that it does not expire."""
        with self._workspace(key, lock=True):
            pass

    def study_prefix(self, key: str) -> str:
        """A short stable id of the workspace that gives nothing of its key away."""
        self._check_key(key)
        return "ws" + hashlib.sha256(key.encode()).hexdigest()[:12]

    def usage(self, key: str) -> int:
        """Bytes of the files the workspace holds."""
        with self._workspace(key) as (connection, workspace):
            return _used(connection, workspace)

    def add_run(
        self,
        key: str,
        name: str,
        dataset: str,
        run: Run,
        series: Series,
        *,
        mase: float | None,
        error: str = "",
        share_key: str | None = None,
    ) -> StoredRun:
        """Keep a trained run and its series; WorkspaceError past the quota, nothing kept."""
        try:
            series_raw = series_to_bytes(series)
        except DataError as err:
            raise WorkspaceError(f"This run's data cannot be kept: {err}") from err
        new = _NewRun(
            {
                "name": _text(name, "name"),
                "dataset": _text(dataset, "dataset"),
                "fingerprint": series.fingerprint(),
                "config": json.dumps(run.config.to_dict(), sort_keys=True),
                "created": time.time(),
                "seconds": float(run.seconds),
                "epochs": len(run.history),
                "parameters": int(run.parameters),
                "mase": _number(mase),
                "error": _text(error, "error"),
                "share_key": None if share_key is None else _text(share_key, "share_key"),
            },
            run_to_bytes(run),
            series_raw,
        )
        return self._add_runs(key, [new], "this run")[0]

    def runs(self, key: str) -> list[StoredRun]:
        """The workspace's runs, in the order they were added."""
        with self._workspace(key) as (connection, workspace):
            beside = select(panel_table.c.id).where(panel_table.c.run_id == run_table.c.id)
            rows = connection.execute(
                select(run_table, beside.exists().label("panel"))
                .where(run_table.c.workspace_id == workspace)
                .order_by(run_table.c.id)
            ).all()
        return [_stored(row) for row in rows]

    def load(self, key: str, run_id: int) -> tuple[Run, Series]:
        """The run and its series, ready to use; a run of another workspace is not found."""
        with self._workspace(key) as (connection, workspace):
            row = _run_row(connection, workspace, run_id)
        return self._opened(row)

    def delete_run(self, key: str, run_id: int) -> None:
        with self._workspace(key, lock=True) as (connection, workspace):
            row = _run_row(connection, workspace, run_id)
            files = []
            for table in ATTACHED:
                beside = _same_attached(table, workspace, row.id, {})
                files += connection.execute(select(table.c.file).where(beside)).scalars()
                connection.execute(delete(table).where(beside))
            connection.execute(delete(run_table).where(run_table.c.id == row.id))
            connection.execute(
                update(workspace_table)
                .where(workspace_table.c.id == workspace, workspace_table.c.choice == row.id)
                .values(choice=None)
            )
        self._remove(workspace, [row.checkpoint_file, row.series_file, *files])

    def delete_workspace(self, key: str) -> None:
        """The workspace's rows and folder, gone."""
        with self._workspace(key) as (_, workspace):
            pass
        self._delete_workspace(workspace)

    def set_choice(self, key: str, run_id: int | None) -> None:
        """Remember the run the visitor works on (None: none), to restore it on their return."""
        with self._workspace(key, lock=True) as (connection, workspace):
            chosen = None if run_id is None else _run_row(connection, workspace, run_id).id
            connection.execute(
                update(workspace_table)
                .where(workspace_table.c.id == workspace)
                .values(choice=chosen)
            )

    def choice(self, key: str) -> int | None:
        """The run chosen last, while it is still in the workspace."""
        with self._workspace(key) as (connection, workspace):
            chosen = connection.execute(
                select(run_table.c.id)
                .join(workspace_table, workspace_table.c.choice == run_table.c.id)
                .where(workspace_table.c.id == workspace, run_table.c.workspace_id == workspace)
            ).scalar()
        return chosen

    def add_upload(self, key: str, name: str, raw: bytes) -> None:
        """Keep an uploaded table under its name (replacing one of the same name)."""
        name = _text(name, "upload")
        if not name.strip() or not isinstance(raw, bytes):
            raise WorkspaceError("An uploaded file needs a name and its bytes.")
        with self._workspace(key) as (connection, workspace):
            self._check_room(connection, workspace, len(raw), name, "this file")
        file = self._write(workspace, raw, ".upload")
        try:
            replaced = self._insert_upload(key, name, file, len(raw))
        except BaseException:
            self._remove(workspace, [file])
            raise
        self._remove(workspace, replaced)

    def uploads(self, key: str) -> list[str]:
        """The names of the workspace's uploaded tables, oldest first."""
        with self._workspace(key) as (connection, workspace):
            names = connection.execute(
                select(upload_table.c.name)
                .where(upload_table.c.workspace_id == workspace)
                .order_by(upload_table.c.id)
            ).scalars()
            return list(names)

    def upload(self, key: str, name: str) -> bytes | None:
        """An uploaded table's bytes, None when the workspace has none of that name."""
        if not isinstance(name, str):
            return None
        with self._workspace(key) as (connection, workspace):
            file = connection.execute(
                select(upload_table.c.file).where(
                    upload_table.c.workspace_id == workspace, upload_table.c.name == name
                )
            ).scalar()
        if file is None:
            return None
        try:
            return (self.folder / str(workspace) / file).read_bytes()
        except OSError as err:
            raise WorkspaceError(
                f"The uploaded file {name!r} is missing; upload it again."
            ) from err

    def add_backtest(
        self, key: str, run_id: int, folds: int, levels: tuple[float, ...], raw: bytes
    ) -> None:
        """Keep a run's backtest (bytes of forecasting/backtest_file), replacing one of the same
        folds and levels; WorkspaceError past the quota, nothing kept."""
        extra = {"folds": folds, "levels": _levels(levels)}
        self._attach(key, run_id, backtest_table, extra, raw, "backtest")

    def backtest(
        self, key: str, run_id: int, folds: int, levels: tuple[float, ...]
    ) -> bytes | None:
        """A run's backtest of `folds` and `levels`, as kept; None when there is none."""
        extra = {"folds": folds, "levels": _levels(levels)}
        return self._attached(key, run_id, backtest_table, extra)

    def add_panel(self, key: str, run_id: int, raw: bytes) -> None:
        """Keep a panel run's file (forecasting/panel_file) beside its run, replacing any."""
        self._attach(key, run_id, panel_table, {}, raw, "panel")

    def panel(self, key: str, run_id: int) -> bytes | None:
        """The panel file kept beside a run; None for a run of one series."""
        return self._attached(key, run_id, panel_table, {})

    def _attach(self, key: str, run_id: int, table: Table, extra: dict[str, Any], raw: bytes,
                what: str) -> None:  # fmt: skip
        """Keep `raw` beside a run in `table`, replacing the row of the same `extra` values; the
        quota counts only the difference."""
        with self._workspace(key) as (connection, workspace):
            _run_row(connection, workspace, run_id)
            same = _same_attached(table, workspace, run_id, extra)
            self._check_room(connection, workspace, _net(connection, table, same, raw),
                             what=f"this {what}")  # fmt: skip
        file = self._write(workspace, raw, f".{what}")
        try:
            with self._workspace(key, lock=True) as (connection, workspace):
                _run_row(connection, workspace, run_id)
                net = _net(connection, table, same, raw)
                self._check_room(connection, workspace, net, what=f"this {what}")
                replaced = list(connection.execute(select(table.c.file).where(same)).scalars())
                connection.execute(delete(table).where(same))
                row = {"workspace_id": workspace, "run_id": run_id, "file": file,
                       "size": len(raw), "created": time.time(), **extra}  # fmt: skip
                connection.execute(insert(table).values(**row))
        except BaseException:
            self._remove(workspace, [file])
            raise
        self._remove(workspace, replaced)

    def _attached(self, key: str, run_id: int, table: Table, extra: dict[str, Any]) -> bytes | None:
        with self._workspace(key) as (connection, workspace):
            same = _same_attached(table, workspace, run_id, extra)
            file = connection.execute(select(table.c.file).where(same)).scalar()
        if file is None:
            return None
        try:
            return (self.folder / str(workspace) / file).read_bytes()
        except OSError:
            return None  # gone from the folder: made again on demand, or the page says so

    def find_shared(self, share_key: str) -> tuple[Run, Series, StoredRun] | None:
        """A finished run any workspace kept under `share_key` (without an error), newest first."""
        if not isinstance(share_key, str) or not share_key:
            return None
        with self._engine.begin() as connection:
            rows = connection.execute(
                select(run_table)
                .where(run_table.c.share_key == share_key, run_table.c.error == "")
                .order_by(run_table.c.id.desc())
                .limit(SHARED_TRIES)
            ).all()
        for row in rows:
            try:
                run, series = self._opened(row)
            except WorkspaceError:
                continue
            return run, series, _stored(row)
        return None

    def expire(self, now: float | None = None) -> int:
        """Remove the workspaces unused for `expiry_days`; how many were removed."""
        cutoff = (time.time() if now is None else now) - self.expiry_days * DAY
        with self._engine.begin() as connection:
            stale = connection.execute(
                select(workspace_table.c.id).where(workspace_table.c.last_seen < cutoff)
            ).scalars()
            stale = list(stale)
        return sum(self._delete_workspace(workspace, cutoff) for workspace in stale)

    def export_zip(self, key: str) -> bytes:
        """A zip of the workspace's runs: manifest.json, and each run's checkpoint and series
        (and a panel run's file); at version 1, which older servers read, unless it has panels."""
        entries = []
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for number, stored in enumerate(self.runs(key), start=1):
                checkpoint, series = self._files(key, stored.id)
                files = {"checkpoint": checkpoint, "series": series}
                panel = self.panel(key, stored.id) if stored.panel else None
                if panel is not None:  # a file gone from the folder leaves a run of one series
                    files["panel"] = panel
                names = {part: f"runs/{number}{SUFFIXES[part]}" for part in files}
                for part, raw in files.items():
                    archive.writestr(names[part], raw)
                entries.append(_manifest_entry(stored, names))
            version = EXPORT_VERSION if any("panel" in entry for entry in entries) else 1
            manifest = {"format": FORMAT, "schema_version": version, "runs": entries}
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        return buffer.getvalue()

    def import_zip(self, key: str, raw: bytes, limits: ServerLimits) -> list[StoredRun]:
        """The runs of an exported workspace, added to this one after every file is judged;
        any problem is a WorkspaceError naming the file, and then nothing is added."""
        with self._workspace(key) as (connection, workspace):
            room = self.quota_bytes - _used(connection, workspace)
        new = _read_export(raw, limits, room, self.quota_bytes)
        return self._add_runs(key, new, "these runs")

    @contextmanager
    def _workspace(self, key: str, lock: bool = False) -> Iterator[tuple[Connection, int]]:
        """A transaction and the workspace's row id, the key checked before anything is asked;
        with `lock`, the row is held (and marked used) until the transaction ends."""
        self._check_key(key)
        with self._engine.begin() as connection:
            yield connection, self._workspace_id(connection, key, lock)

    def _workspace_id(self, connection: Connection, key: str, lock: bool) -> int:
        query = select(workspace_table.c.id).where(workspace_table.c.key == key)
        workspace = connection.execute(query.with_for_update() if lock else query).scalar()
        if workspace is None:
            raise WorkspaceError(UNKNOWN.format(days=self.expiry_days))
        if lock:
            connection.execute(
                update(workspace_table)
                .where(workspace_table.c.id == workspace)
                .values(last_seen=time.time())
            )
        return workspace

    def _check_key(self, key: str) -> None:
        if not _well_formed(key):
            raise WorkspaceError(UNKNOWN.format(days=self.expiry_days))

    def _check_room(
        self, connection: Connection, workspace: int, size: int, replacing: str = "", what: str = ""
    ) -> None:
        """WorkspaceError when `size` more bytes would take the workspace past its quota."""
        used = _used(connection, workspace)
        if replacing:
            used -= connection.execute(
                select(func.coalesce(func.sum(upload_table.c.size), 0)).where(
                    upload_table.c.workspace_id == workspace, upload_table.c.name == replacing
                )
            ).scalar_one()
        if used + size > self.quota_bytes:
            raise WorkspaceError(
                f"Your workspace holds {_amount(used)} of the {_amount(self.quota_bytes)} it may "
                f"keep, and {what or 'this'} would take {_amount(size)} more. Delete runs on the "
                "Train page (or export them first) to make room."
            )

    def _add_runs(self, key: str, new: list[_NewRun], what: str) -> list[StoredRun]:
        """Write the runs' files (a panel run's file too), then their rows in one transaction;
        on any failure neither."""
        size = sum(entry.total for entry in new)
        with self._workspace(key) as (connection, workspace):
            self._check_room(connection, workspace, size, what=what)
        written: list[str] = []
        try:
            files = []
            for entry in new:
                for raw, suffix in entry.files:
                    written.append(self._write(workspace, raw, suffix))
                files.append(written[-len(entry.files) :])
            with self._workspace(key, lock=True) as (connection, _):
                self._check_room(connection, workspace, size, what=what)
                stored = [
                    _insert_run(connection, workspace, entry, *names)
                    for entry, names in zip(new, files, strict=True)
                ]
        except BaseException:
            self._remove(workspace, written)
            raise
        return stored

    def _insert_upload(self, key: str, name: str, file: str, size: int) -> list[str]:
        """The upload's row, replacing any of the same name; the replaced files' names."""
        with self._workspace(key, lock=True) as (connection, workspace):
            self._check_room(connection, workspace, size, name, "this file")
            same = (upload_table.c.workspace_id == workspace) & (upload_table.c.name == name)
            replaced = list(connection.execute(select(upload_table.c.file).where(same)).scalars())
            connection.execute(delete(upload_table).where(same))
            connection.execute(
                insert(upload_table).values(
                    workspace_id=workspace, name=name, file=file, size=size, created=time.time()
                )
            )
        return replaced

    def _files(self, key: str, run_id: int) -> tuple[bytes, bytes]:
        with self._workspace(key) as (connection, workspace):
            row = _run_row(connection, workspace, run_id)
        folder = self.folder / str(row.workspace_id)
        try:
            checkpoint = (folder / row.checkpoint_file).read_bytes()
            series = (folder / row.series_file).read_bytes()
        except OSError as err:
            raise WorkspaceError(f"{DAMAGED} ({row.name})") from err
        return checkpoint, series

    def _opened(self, row: Row) -> tuple[Run, Series]:
        folder = self.folder / str(row.workspace_id)
        try:
            run = open_run((folder / row.checkpoint_file).read_bytes()).run
            series = series_from_bytes((folder / row.series_file).read_bytes())
        except (OSError, CheckpointError, DataError) as err:
            raise WorkspaceError(DAMAGED) from err
        return run, series

    def _write(self, workspace: int, raw: bytes, suffix: str) -> str:
        """`raw` in a new file of the workspace's folder, whole or not at all; its name."""
        folder = self.folder / str(workspace)
        folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + suffix
        partial = folder / f".{name}.partial"
        try:
            partial.write_bytes(raw)
            os.replace(partial, folder / name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return name

    def _remove(self, workspace: int, names: list[str]) -> None:
        for name in names:
            (self.folder / str(workspace) / name).unlink(missing_ok=True)

    def _delete_workspace(self, workspace: int, unused_since: float | None = None) -> bool:
        """Remove the workspace's rows and folder; with `unused_since`, only if it has not been
        used since (a visit between the search and now keeps it). Whether it was removed."""
        with self._engine.begin() as connection:
            if unused_since is not None:
                still = connection.execute(
                    select(workspace_table.c.id)
                    .where(workspace_table.c.id == workspace)
                    .where(workspace_table.c.last_seen < unused_since)
                    .with_for_update()
                ).scalar()
                if still is None:
                    return False
            for table in ATTACHED:
                connection.execute(delete(table).where(table.c.workspace_id == workspace))
            connection.execute(delete(run_table).where(run_table.c.workspace_id == workspace))
            connection.execute(delete(upload_table).where(upload_table.c.workspace_id == workspace))
            connection.execute(delete(workspace_table).where(workspace_table.c.id == workspace))
        shutil.rmtree(self.folder / str(workspace), ignore_errors=True)
        return True


def open_store(limits: ServerLimits) -> WorkspaceStore:
    """The server's workspace store, as its limits describe it (not cached: callers cache)."""
    folder = Path(limits.data_dir) / "workspaces"
    folder.mkdir(parents=True, exist_ok=True)
    return WorkspaceStore(
        limits.workspace_storage(), folder, limits.workspace_bytes, limits.workspace_days
    )


def _open_engine(url: str) -> Engine:
    """An engine whose SQLite connections wait for each other and take whole transactions."""
    try:
        parsed = make_url(url)
        if parsed.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3; we ship 2
            parsed = parsed.set(drivername="postgresql+psycopg2")
        if parsed.get_backend_name() == "postgresql":
            timeout = {"connect_timeout": CONNECT_SECONDS}
            return create_engine(parsed, pool_pre_ping=True, connect_args=timeout)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, pool_pre_ping=True)
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS}
        )
    except (SQLAlchemyError, ValueError, ImportError) as err:
        raise WorkspaceError(
            f"The workspace database URL is not valid ({type(err).__name__}): check "
            "FORECAST_LAB_WORKSPACE_URL."
        ) from err
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is ours (_sqlite_begin), not the driver's
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")


def _sqlite_begin(connection: Connection) -> None:
    """Writers queue at BEGIN, where SQLite waits, rather than fail upgrading a read lock."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _keep_a_journal(engine: Engine) -> None:
    """SQLite in write-ahead mode: readers do not wait for a writer. Set once the schema is ours."""
    if engine.dialect.name == "sqlite":
        connection = engine.raw_connection()
        try:
            connection.cursor().execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()


def _open_schema(connection: Connection, where: str) -> None:
    """Create the tables in an empty database, migrate an older one; refuse any other."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": SCHEMA_LOCK})
    tables = set(inspect(connection).get_table_names())
    if not tables:
        metadata.create_all(connection)
        connection.execute(insert(version_table).values(version=SCHEMA_VERSION))
        return
    if version_table.name not in tables:
        raise WorkspaceError(
            f"The workspace database at {where} holds tables that are not Forecast Lab's "
            f"({', '.join(sorted(tables)[:5])}), so it is left untouched. Give workspaces an "
            "empty database of their own (FORECAST_LAB_WORKSPACE_URL)."
        )
    found = _stored_version(connection, where)
    if found > SCHEMA_VERSION:
        raise WorkspaceError(
            f"The workspace database at {where} was written by a newer Forecast Lab (schema "
            f"version {found}; this one knows up to {SCHEMA_VERSION}), so it is left untouched. "
            "Upgrade Forecast Lab, or give it another database."
        )
    for version in range(found, SCHEMA_VERSION):
        if version not in MIGRATIONS:
            raise WorkspaceError(f"No way is known to migrate workspace version {version}.")
        MIGRATIONS[version](connection)
        connection.execute(update(version_table).values(version=version + 1))


def _stored_version(connection: Connection, where: str) -> int:
    versions = connection.execute(select(version_table.c.version)).scalars().all()
    if len(versions) != 1 or type(versions[0]) is not int or versions[0] < 1:
        raise WorkspaceError(
            f"The workspace database at {where} has a damaged schema_version table (it must hold "
            "one version number), so it is left untouched."
        )
    return versions[0]


def _well_formed(key: object) -> bool:
    return isinstance(key, str) and KEY.fullmatch(key) is not None


def _used(connection: Connection, workspace: int) -> int:
    total = 0
    for table in (run_table, upload_table, *ATTACHED):
        total += connection.execute(
            select(func.coalesce(func.sum(table.c.size), 0)).where(
                table.c.workspace_id == workspace
            )
        ).scalar_one()
    return int(total)


def _same_attached(table: Table, workspace: int, run_id: int, extra: dict[str, Any]) -> Any:
    """The rows of `table` beside a run with the `extra` columns' values."""
    same = (table.c.workspace_id == workspace) & (table.c.run_id == run_id)
    for column, value in extra.items():
        same &= table.c[column] == value
    return same


def _net(connection: Connection, table: Table, same: Any, raw: bytes) -> int:
    """Bytes a file adds: its own, less those of the one it replaces."""
    replaced = connection.execute(select(func.coalesce(func.sum(table.c.size), 0))
                                  .where(same)).scalar_one()  # fmt: skip
    return len(raw) - int(replaced)


def _levels(levels: tuple[float, ...]) -> str:
    """Interval levels as a backtest's row names them: sorted, comma-separated."""
    return ",".join(f"{float(level):g}" for level in sorted(levels))


def _run_row(connection: Connection, workspace: int, run_id: int) -> Row:
    if type(run_id) is not int or not 0 < run_id < 2**31:
        raise WorkspaceError(NO_RUN)
    row = connection.execute(
        select(run_table).where(run_table.c.id == run_id, run_table.c.workspace_id == workspace)
    ).first()
    if row is None:
        raise WorkspaceError(NO_RUN)
    return row


def _insert_run(
    connection: Connection,
    workspace: int,
    entry: _NewRun,
    checkpoint: str,
    series: str,
    panel: str | None = None,
) -> StoredRun:
    """The run's row, and its panel file's row beside it when it has one."""
    values = {
        **entry.row,
        "workspace_id": workspace,
        "checkpoint_file": checkpoint,
        "series_file": series,
        "size": entry.size,
    }
    run_id = connection.execute(insert(run_table).values(**values)).inserted_primary_key[0]
    if panel is not None and entry.panel is not None:
        beside = {"workspace_id": workspace, "run_id": run_id, "file": panel,
                  "size": len(entry.panel), "created": time.time()}  # fmt: skip
        connection.execute(insert(panel_table).values(**beside))
    row = connection.execute(select(run_table).where(run_table.c.id == run_id)).one()
    return replace(_stored(row), panel=panel is not None)


def _stored(row: Row) -> StoredRun:
    return StoredRun(
        id=row.id,
        name=row.name,
        dataset=row.dataset,
        fingerprint=row.fingerprint,
        config=TrainConfig.from_dict(json.loads(row.config)),
        created=row.created,
        seconds=row.seconds,
        epochs=row.epochs,
        parameters=int(row.parameters),
        mase=row.mase,
        error=row.error,
        share_key=row.share_key,
        size=int(row.size),
        panel=bool(getattr(row, "panel", False)),
    )


def _text(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise WorkspaceError(f"The {what} must be text; got {type(value).__name__}.")
    if len(value) > TEXTS[what]:
        raise WorkspaceError(f"The {what} may be at most {TEXTS[what]} characters long.")
    return value


def _number(value: float | None) -> float | None:
    """A finite number, else None (no value to show)."""
    if value is None or not math.isfinite(float(value)):
        return None
    return float(value)


def _amount(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size >= MIB // 10 else f"{size:,} bytes"


def _manifest_entry(stored: StoredRun, names: dict[str, str]) -> dict[str, Any]:
    """A run's entry in the manifest; `names`: its members by part (checkpoint, series, panel)."""
    return {
        "name": stored.name,
        "dataset": stored.dataset,
        "fingerprint": stored.fingerprint,
        "config": stored.config.to_dict(),
        "created": stored.created,
        "seconds": stored.seconds,
        "epochs": stored.epochs,
        "parameters": stored.parameters,
        "mase": stored.mase,
        "error": stored.error,
        "share_key": stored.share_key,
        **names,
    }


def _read_export(raw: bytes, limits: ServerLimits, room: int, quota: int) -> list[_NewRun]:
    """Every run of an exported workspace, each file judged as if a stranger had made it."""
    if not isinstance(raw, bytes) or len(raw) > quota:
        size = len(raw) if isinstance(raw, bytes) else 0
        raise WorkspaceError(
            f"This file is {_amount(size)}, more than a whole workspace may hold "
            f"({_amount(quota)}). {NOTHING}"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise WorkspaceError(f"{NOT_EXPORT} (it is not a zip file). {NOTHING}") from err
    with archive:
        infos = _export_members(archive, limits, room, quota)
        entries = _manifest(_member(archive, infos[MANIFEST], MANIFEST_BYTES))
        _check_listed(entries, infos)
        return [
            _imported(archive, infos, entry, number, limits, room)
            for number, entry in enumerate(entries, start=1)
        ]


def _export_members(
    archive: zipfile.ZipFile, limits: ServerLimits, room: int, quota: int
) -> dict[str, zipfile.ZipInfo]:
    """The zip's members by name, once their names, number and declared sizes are sound."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise WorkspaceError(
            f"{NOT_EXPORT}: it holds {len(infos):,} files, and an export holds at most "
            f"{MAX_MEMBERS}. {NOTHING}"
        )
    found: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name != MANIFEST and not MEMBER.fullmatch(name):
            raise WorkspaceError(
                f"{NOT_EXPORT}: it holds {_shown(name)}, which is not one of an export's files "
                f"(manifest.json, runs/1.pt, runs/1.npz, runs/1.panel.zip, ...). {NOTHING}"
            )
        if name in found or info.flag_bits & 0x1:
            raise WorkspaceError(f"{_shown(name)} is repeated or encrypted in this file. {NOTHING}")
        most = _member_limit(name, limits, room)
        if info.file_size > most:
            raise WorkspaceError(
                f"{_shown(name)} would unpack to {_amount(info.file_size)}, and at most "
                f"{_amount(most)} is accepted for it here. {NOTHING}"
            )
        found[name] = info
    if MANIFEST not in found:
        raise WorkspaceError(f"{NOT_EXPORT}: it has no {MANIFEST}. {NOTHING}")
    size = sum(info.file_size for name, info in found.items() if name != MANIFEST)
    if size > room:
        raise WorkspaceError(
            f"Your workspace holds {_amount(quota - room)} of the {_amount(quota)} it may keep, "
            f"and these runs would take {_amount(size)} more. Delete runs on the Train page to "
            f"make room. {NOTHING}"
        )
    return found


def _member_limit(name: str, limits: ServerLimits, room: int) -> int:
    if name == MANIFEST:
        return MANIFEST_BYTES
    return limits.checkpoint_bytes if name.endswith(".pt") else max(room, 0)


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bytes:
    """A member's bytes, never more than `most` read, and exactly as many as it declared."""
    try:
        with archive.open(info) as member:
            raw = member.read(most + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError) as err:
        raise WorkspaceError(f"{_shown(info.filename)} is damaged. {NOTHING}") from err
    except NotImplementedError as err:
        raise WorkspaceError(
            f"{_shown(info.filename)} is packed in a way this server does not read. {NOTHING}"
        ) from err
    if len(raw) > most or len(raw) != info.file_size:
        raise WorkspaceError(f"{_shown(info.filename)} is not the size it declares. {NOTHING}")
    return raw


def _manifest(raw: bytes) -> list[dict[str, Any]]:
    """The manifest's runs, each of them with every field of its type."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise WorkspaceError(f"{MANIFEST} is not valid JSON. {NOTHING}") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise WorkspaceError(f"{NOT_EXPORT} ({MANIFEST} does not describe one). {NOTHING}")
    version = manifest.get("schema_version")
    if type(version) is not int or not 1 <= version <= EXPORT_VERSION:
        raise WorkspaceError(
            f"{MANIFEST} gives schema version {version!r}; this Forecast Lab reads versions 1 to "
            f"{EXPORT_VERSION} (a newer one exported it?). {NOTHING}"
        )
    entries = manifest.get("runs")
    if (
        set(manifest) != {"format", "schema_version", "runs"}
        or not isinstance(entries, list)
        or len(entries) > MAX_MEMBERS // 2
    ):
        raise WorkspaceError(f"{MANIFEST} does not list the runs as an export does. {NOTHING}")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not REQUIRED <= set(entry) <= set(ENTRY_CHECKS):
            raise WorkspaceError(f"{MANIFEST}: run {number} has the wrong fields. {NOTHING}")
        wrong = [name for name, value in entry.items() if not ENTRY_CHECKS[name](value)]
        if wrong:
            raise WorkspaceError(f"{MANIFEST}: run {number}'s {wrong[0]} is not valid. {NOTHING}")
    return entries


def _check_listed(entries: list[dict[str, Any]], infos: dict[str, zipfile.ZipInfo]) -> None:
    """Every file listed once and present, and no file that is not listed."""
    listed = [entry[part] for entry in entries for part in SUFFIXES if part in entry]
    missing = [name for name in listed if name not in infos]
    unlisted = sorted(set(infos) - set(listed) - {MANIFEST})
    if missing or unlisted or len(set(listed)) != len(listed):
        problem = (
            f"lists {_shown(missing[0])}, which the file lacks"
            if missing
            else f"does not list {_shown(unlisted[0])}"
            if unlisted
            else "lists a file twice"
        )
        raise WorkspaceError(f"{MANIFEST} {problem}. {NOTHING}")


def _imported(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    entry: dict[str, Any],
    number: int,
    limits: ServerLimits,
    room: int,
) -> _NewRun:
    """One listed run, its checkpoint within the server's limits and its series sound."""
    checkpoint = _member(archive, infos[entry["checkpoint"]], limits.checkpoint_bytes)
    series_raw = _member(archive, infos[entry["series"]], max(room, 0))
    try:
        run = open_run(checkpoint, limits.checkpoint_bytes, limits).run
    except (CheckpointError, ConfigError) as err:
        raise WorkspaceError(f"{entry['checkpoint']}: {err} {NOTHING}") from err
    try:
        series = series_from_bytes(series_raw, max(room, 0))
    except DataError as err:
        raise WorkspaceError(f"{entry['series']}: {err} {NOTHING}") from err
    _check_agrees(entry, number, run, series)
    panel = _panel_member(archive, infos, entry, series, room)
    row = {
        "name": entry["name"],
        "dataset": entry["dataset"],
        "fingerprint": series.fingerprint(),
        "config": json.dumps(run.config.to_dict(), sort_keys=True),
        "created": float(entry["created"]),
        "seconds": float(run.seconds),
        "epochs": len(run.history),
        "parameters": int(run.parameters),
        "mase": _number(entry["mase"]),
        "error": entry["error"],
        "share_key": None,  # a stranger's file never stands in for a shared run
    }
    return _NewRun(row, checkpoint, series_raw, panel)


def _panel_member(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    entry: dict[str, Any],
    series: Series,
    room: int,
) -> bytes | None:
    """A listed panel file's bytes, once read back whole with the run's series among its own;
    None for a run of one series."""
    if "panel" not in entry:
        return None
    raw = _member(archive, infos[entry["panel"]], max(room, 0))
    result = result_from_bytes(raw)
    if result is None:
        raise WorkspaceError(
            f"{_shown(entry['panel'])} is damaged or is not a panel file of Forecast Lab. {NOTHING}"
        )
    if series.fingerprint() not in {one.fingerprint() for one in result.series.values()}:
        raise WorkspaceError(
            f"{MANIFEST} does not match the files it lists: {_shown(entry['panel'])} does not "
            f"hold {entry['series']}'s series. {NOTHING}"
        )
    return raw


def _check_agrees(entry: dict[str, Any], number: int, run: Run, series: Series) -> None:
    """The manifest says of a run what its files hold."""
    said = {name: value for name, value in entry["config"].items() if name != "device"}
    found = {name: value for name, value in run.config.to_dict().items() if name != "device"}
    differing = sorted(name for name in set(said) | set(found) if said.get(name) != found.get(name))
    lies = []
    if entry["fingerprint"] != series.fingerprint():
        lies.append(f"its series is {entry['fingerprint']!r}, but {entry['series']} holds another")
    if differing:
        lies.append(f"its {', '.join(differing[:3])} differ from {entry['checkpoint']}'s")
    if entry["epochs"] != len(run.history) or entry["parameters"] != run.parameters:
        lies.append(f"its epochs or weights differ from {entry['checkpoint']}'s")
    if lies:
        raise WorkspaceError(
            f"{MANIFEST} does not match the files it lists: run {number}: {lies[0]}. {NOTHING}"
        )


def _is_number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_member(name: str, suffix: str) -> bool:
    return MEMBER.fullmatch(name) is not None and name.endswith(suffix)


def _shown(name: str) -> str:
    """A member's name as a message may quote it: in quotes, at most 80 characters."""
    return repr(name if len(name) <= 80 else f"{name[:77]}...")
