"""What the Tune page starts from: a study's name from the data's, where studies are kept, the
windows to offer, and a study looked up without creating it."""

from __future__ import annotations

import re
from pathlib import Path

from forecasting.config import MAX_WINDOW, MIN_WINDOW, TrainConfig
from forecasting.tune import SearchSpace, training_room, window_bounds

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
    _, longest = training_room(base, n_points)
    highest = min(longest, max(MAX_WINDOW, default_high))
    return min(MIN_WINDOW, default_low), highest, default_low, default_high
