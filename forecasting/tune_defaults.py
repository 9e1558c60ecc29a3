"""What the Tune page starts from: a study's name from the data's, where studies are kept, the
windows to offer, and a study looked up without creating it."""

from __future__ import annotations

import re
from pathlib import Path

import optuna
import sqlalchemy.exc
from sqlalchemy.engine import make_url

from data.windows import part_sizes
from forecasting.config import MAX_WINDOW, MIN_WINDOW, TrainConfig
from forecasting.tune import SearchSpace, TuneError, first_reason, shown_url, window_bounds

STUDIES_DIR = ".studies"
STUDIES_FILE = "studies.db"
MAX_NAME = 60


def study_name(dataset_name: str) -> str:
    """'Airline passengers (monthly)' -> 'airline-passengers-monthly'; else 'study'."""
    slug = re.sub(r"[^a-z0-9]+", "-", dataset_name.lower()).strip("-")
    return slug[:MAX_NAME].rstrip("-") or "study"


def default_storage(root: Path) -> str:
    """The SQLite URL of the studies file in `root`/.studies, creating the folder."""
    folder = Path(root).resolve() / STUDIES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / STUDIES_FILE}"


def window_choices(base: TrainConfig, n_points: int) -> tuple[int, int, int, int]:
    """(lowest, highest, default low, default high) windows to offer for a series of `n_points`:
    the defaults are the search's automatic range; the highest is the longest window that fits
    the training part (at most MAX_WINDOW, unless the defaults reach further).

    Raises TuneError when the series is too short to tune."""
    default_low, default_high = window_bounds(SearchSpace(), base, n_points)
    val, test = part_sizes(n_points, base.val_share, base.test_share, base.horizon)
    longest = n_points - val - test - base.model_horizon
    highest = min(longest, max(MAX_WINDOW, default_high))
    return min(MIN_WINDOW, default_low), highest, default_low, default_high


def find_study(name: str, storage: str) -> optuna.Study | None:
    """Study `name` in `storage` when it is there; None when it is not (none is created)."""
    if not name.strip() or not _may_exist(storage):
        return None
    try:
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        return None
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, OSError, RuntimeError, ValueError) as err:
        raise TuneError(
            f"Cannot open the study storage {shown_url(storage)}: {first_reason(err)}"
        ) from None


def _may_exist(storage: str) -> bool:
    """False for an SQLite file not made yet (looking must not make it); True otherwise."""
    try:
        url = make_url(storage)
    except sqlalchemy.exc.ArgumentError:
        return True  # load_study says what is wrong with it
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).expanduser().exists()
