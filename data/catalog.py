"""The bundled real samples, described by data/samples/catalog.json."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from data.load import read_table
from data.prepare import prepare
from data.series import Series

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


@dataclass(frozen=True)
class Sample:
    file: str
    name: str
    description: str
    source_package: str
    original_source: str
    license: str
    frequency: str
    season_length: int
    horizon: int
    target: str
    date_col: str
    unit: str

    @property
    def key(self) -> str:
        """Short name used in links and commands: the file name without '.csv'."""
        return Path(self.file).stem

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / self.file


@cache
def samples() -> tuple[Sample, ...]:
    entries = json.loads((SAMPLES_DIR / "catalog.json").read_text(encoding="utf-8"))
    return tuple(Sample(**entry) for entry in entries)


def sample(key: str) -> Sample:
    for entry in samples():
        if entry.key == key:
            return entry
    known = ", ".join(entry.key for entry in samples())
    raise KeyError(f"no sample {key!r}; the samples are: {known}")


def load_sample(key: str) -> Series:
    """The sample's series, cleaned, with the season length its catalog entry gives."""
    entry = sample(key)
    series = prepare(read_table(entry.path), date_col=entry.date_col, target=entry.target)
    return replace(series, season=entry.season_length)
