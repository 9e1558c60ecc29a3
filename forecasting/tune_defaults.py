"""What the Tune page starts from: a study's name from the data's and the windows to offer; and
the study storages a web visitor uses, checked before Optuna touches them.

A visitor's storage never gets a folder made outside the server's data folder, nor Optuna's
tables added to a database holding anything else; looking a study up writes nothing; and a
storage that fails is named (its password hidden) without the database's own words, which go
to the server's log.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path
from urllib.request import pathname2url

import optuna
import sqlalchemy
from optuna.storages._rdb.models import BaseModel
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

from forecasting.config import MAX_WINDOW, MIN_WINDOW, TrainConfig
from forecasting.tune import (
    SearchSpace,
    StorageError,
    TuneError,
    TuneSettings,
    connection,
    find_study,
    open_study,
    shown_url,
    sqlite_file,
    training_room,
    window_bounds,
)

log = logging.getLogger(__name__)

MAX_NAME = 60
OPTUNA_TABLES = frozenset({*BaseModel.metadata.tables, "alembic_version"})
SQLITE_HEADER = b"SQLite format 3\x00"
STORAGE_FAILURES = (sqlalchemy.exc.SQLAlchemyError, sqlite3.Error, ImportError, OSError)


def study_name(dataset_name: str) -> str:
    """'Airline passengers (monthly)' -> 'airline-passengers-monthly'; else 'study'."""
    slug = re.sub(r"[^a-z0-9]+", "-", dataset_name.lower()).strip("-")
    return slug[:MAX_NAME].rstrip("-") or "study"


def window_choices(base: TrainConfig, n_points: int) -> tuple[int, int, int, int]:
    """(lowest, highest, default low, default high) windows to offer for a series of `n_points`:
    the defaults are the search's automatic range; the highest is the longest window that fits
    the training part (at most MAX_WINDOW, unless the defaults reach further).

    Raises TuneError when the series is too short to tune."""
    default_low, default_high = window_bounds(SearchSpace(), base, n_points)
    _, longest = training_room(base, n_points)
    highest = min(longest, max(MAX_WINDOW, default_high))
    return min(MIN_WINDOW, default_low), highest, default_low, default_high


def storage_label(url: str) -> str:
    """A storage URL as a visitor sees it: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return "***@" + url.rsplit("@", 1)[1] if "@" in url else url


def open_visitor_study(
    name: str,
    storage: str,
    data_dir: str | Path,
    seed: int = TuneSettings.seed,
    pruner: str = TuneSettings.pruner,
) -> optuna.Study:
    """open_study for a web visitor: the storage checked first (check_storage); a failure
    named without the database's words."""
    check_storage(storage, data_dir)
    try:
        return open_study(name, storage, seed, pruner)
    except StorageError as err:
        raise storage_failure(storage, err) from None


def find_visitor_study(name: str, storage: str, data_dir: str | Path) -> optuna.Study | None:
    """find_study for a web visitor, writing nothing: None unless the storage already holds all
    of Optuna's tables (so loading it creates none); TuneError when the visitor may not use it."""
    if not name.strip() or not OPTUNA_TABLES.issubset(check_storage(storage, data_dir)):
        return None
    try:
        return find_study(name, storage)
    except StorageError as err:
        raise storage_failure(storage, err) from None


def check_storage(storage: str, data_dir: str | Path) -> frozenset[str]:
    """The tables the storage holds (none in an SQLite file not made yet), read without writing.

    TuneError when a visitor may not keep studies there: an SQLite file outside `data_dir`
    whose folder is missing, or a database holding anything but Optuna's tables."""
    try:
        url = make_url(storage)
    except sqlalchemy.exc.ArgumentError as err:
        raise storage_failure(storage, err) from None
    file = sqlite_file(url)
    try:
        if file is None:
            tables = _tables(_engine(storage))
        else:
            tables = _sqlite_tables(storage, url, file, Path(data_dir))
    except STORAGE_FAILURES as err:
        raise storage_failure(storage, err) from None
    if tables - OPTUNA_TABLES:
        raise TuneError(
            f"The study storage {shown_url(storage)} holds data of another program; studies are "
            "kept only in a database of their own: choose another storage."
        )
    return tables


def storage_failure(storage: str, err: BaseException) -> StorageError:
    """What a visitor reads when a storage fails: which one, not why; the server's log gets the
    whole error."""
    shown = shown_url(storage)
    log.warning("The study storage %s failed: %s", shown, err, exc_info=err)
    return StorageError(f"The study storage {shown} could not be used; this server's log says why.")


def _sqlite_tables(storage: str, url: URL, file: Path, data_dir: Path) -> frozenset[str]:
    """The tables of an SQLite file, opened read-only; refusals for a folder to make outside
    `data_dir` and for a file that is not an SQLite database."""
    if "uri" in url.query:
        raise TuneError(
            f"The study storage {shown_url(storage)} asks for SQLite's URI mode, which this "
            "server does not take."
        )
    file = file.resolve()
    inside = file.is_relative_to(data_dir.resolve())
    if not file.exists():
        if not inside and not file.parent.is_dir():
            raise TuneError(
                f"The folder of the study storage {shown_url(storage)} does not exist, and this "
                "server makes folders only in its own data folder."
            )
        return frozenset()
    with file.open("rb") as opened:
        header = opened.read(len(SQLITE_HEADER))
    if header == b"" and inside:
        return frozenset()  # an empty file of our own: SQLite makes it a database
    if header != SQLITE_HEADER:
        raise TuneError(
            f"The study storage {shown_url(storage)} is a file that is not an SQLite database; "
            "studies are kept only in a database of their own: choose another storage."
        )
    read_only = f"file:{pathname2url(str(file))}?mode=ro"
    engine = sqlalchemy.create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(read_only, uri=True), poolclass=NullPool
    )
    return _tables(engine)


def _engine(storage: str) -> Engine:
    """An engine for looking at the storage once, with the options a study would use."""
    url, options = connection(storage)
    return sqlalchemy.create_engine(url, poolclass=NullPool, **options)


def _tables(engine: Engine) -> frozenset[str]:
    """The tables and views in the default schema of `engine`'s database."""
    try:
        inspector = sqlalchemy.inspect(engine)
        return frozenset([*inspector.get_table_names(), *inspector.get_view_names()])
    finally:
        engine.dispose()
