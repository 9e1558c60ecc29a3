"""The lessons' exercises as presets: the data, the runs to train, and the page to watch them on.

Each exercise trains the plain network of the lessons (no baseline to correct, no linear
shortcut, every step read, no window scaling, one network, no early stopping), so the class sees
what the textbook model does; the Train page's defaults are what this app would use instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from data.series import Series
from forecasting.config import TrainConfig, auto_config
from forecasting.share import DataSource

TEXTBOOK = {  # the lessons' plain network
    "residual": "none",
    "linear": False,
    "pool": 1,
    "window_scale": False,
    "members": 1,
    "patience": 0,
    "loss": "mse",
}
SINE = DataSource.synthetic("sine", length=1000, seed=0)
SALES = DataSource.sample("shampoo")
SINE_TASK = TEXTBOOK | {"window": 10, "horizon": 10, "lr": 0.001, "epochs": 100}


@dataclass(frozen=True)
class Lesson:
    """One exercise: `runs` are settings over the Train form's defaults for its data."""

    key: str  # its text keys are lesson.<key>.title and lesson.<key>.notice
    source: DataSource
    runs: tuple[Mapping[str, Any], ...]
    page: str  # where the class watches: "train" for one run, "compare" for several
    shared: Mapping[str, Any] = field(default_factory=dict)  # settings every run has

    def configs(self, series: Series) -> list[TrainConfig]:
        """The runs' TrainConfigs for `series` (the lesson's data), in order."""
        return [
            auto_config(len(series), series.season_length, **{**self.shared, **run})
            for run in self.runs
        ]


LESSONS = (
    Lesson(
        "sine_lstm",
        SINE,
        ({"cell": "lstm", "hidden_size": 50, "num_layers": 2},),
        "train",
        SINE_TASK,
    ),
    Lesson(
        "sales_lstm_gru",
        SALES,
        ({"cell": "lstm"}, {"cell": "gru"}),
        "compare",
        TEXTBOOK | {"scaler": "minmax", "window": 10, "hidden_size": 50, "epochs": 100},
    ),
    Lesson(
        "size_layers",
        SINE,
        tuple(
            {"cell": "lstm", "hidden_size": hidden, "num_layers": layers}
            for layers in (1, 2)
            for hidden in (50, 100)
        ),
        "compare",
        SINE_TASK,
    ),
    Lesson(
        "lstm_rnn",
        SINE,
        ({"cell": "lstm"}, {"cell": "rnn"}),
        "compare",
        SINE_TASK | {"hidden_size": 50, "num_layers": 2},
    ),
)


def lesson(key: str) -> Lesson:
    for each in LESSONS:
        if each.key == key:
            return each
    raise KeyError(f"no lesson {key!r}; the lessons are {[each.key for each in LESSONS]}")
