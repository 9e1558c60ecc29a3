"""Series: one regular series, the type every part of the app passes around, and its report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

SEASON_BY_FREQ = {
    "MS": 12,
    "ME": 12,
    "M": 12,
    "QS": 4,
    "QE": 4,
    "Q": 4,
    "W": 52,
    "D": 7,
    "B": 5,
    "h": 24,
    "30min": 48,
    "15min": 96,
    "min": 60,
}


@dataclass
class CleaningReport:
    """Every change made to the user's data, in words."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def __iter__(self):
        return iter(self.lines)


@dataclass(frozen=True)
class Series:
    """One regular series: values in time order, their timestamps (or row numbers), and how."""

    values: np.ndarray  # (n,) float64
    index: pd.Index  # DatetimeIndex, or RangeIndex when time is the row number
    target: str
    date_col: str | None
    freq: str | None
    report: CleaningReport = field(default_factory=CleaningReport)
    columns: tuple[str, ...] = ()
    season: int = 0  # a known season length; 0: tell it from the frequency
    covariates: pd.DataFrame | None = None  # extra numeric inputs on the same index
    truth: np.ndarray | None = None  # (n,) the noise-free signal under a synthetic series

    def __len__(self) -> int:
        return len(self.values)

    @property
    def season_length(self) -> int:
        """The known season length, else the one the frequency implies (1 when it does not tell)."""
        return self.season or season_from_freq(self.freq)

    def fingerprint(self) -> str:
        """A short hash of the values and timestamps, to recognise the same data later."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        """Hashed once per series: pages ask for it several times on every rerun."""
        digest = hashlib.sha256(np.ascontiguousarray(self.values, dtype=np.float64).tobytes())
        digest.update(pd.util.hash_pandas_object(self.index, index=False).to_numpy().tobytes())
        digest.update(f"{self.freq}|{self.target}".encode())
        zone = getattr(self.index, "tz", None)
        if zone is not None:  # the same moments on another clock: other calendar inputs, outputs
            digest.update(f"|{zone}".encode())
        if self.covariates is not None:
            digest.update(",".join(self.covariates.columns).encode())
            digest.update(np.ascontiguousarray(self.covariates.to_numpy(np.float64)).tobytes())
        if self.truth is not None:
            digest.update(b"truth" + np.ascontiguousarray(self.truth, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]

    def head(self, count: int) -> Series:
        """The first `count` points, as if the data ended there."""
        covariates = None if self.covariates is None else self.covariates.iloc[:count]
        truth = None if self.truth is None else self.truth[:count]
        return replace(
            self,
            values=self.values[:count],
            index=self.index[:count],
            covariates=covariates,
            truth=truth,
        )

    def future_index(self, horizon: int) -> pd.Index:
        """The `horizon` timestamps (or row numbers) right after the last one."""
        if isinstance(self.index, pd.DatetimeIndex):
            return pd.date_range(self.index[-1], periods=horizon + 1, freq=self.freq)[1:]
        return pd.RangeIndex(len(self), len(self) + horizon)


def season_from_freq(freq: str | None) -> int:
    if not freq:
        return 1
    offset = pd.tseries.frequencies.to_offset(freq)
    base = offset.rule_code.split("-")[0]
    if offset.n != 1:
        minutes = pd.Timedelta(offset).total_seconds() / 60 if base in ("min", "h", "s") else 0
        return round(24 * 60 / minutes) if minutes and 24 * 60 % minutes == 0 else 1
    return SEASON_BY_FREQ.get(base, 1)
