"""From a raw table to one clean, regular series, with a report of every change made."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.errors import DataError

MIN_POINTS = 10
DATE_NAME_HINTS = ("date", "time", "timestamp", "period", "month", "year", "day", "week", "ds")
DATE_PARSE_SHARE = 0.9
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

    def __len__(self) -> int:
        return len(self.values)

    @property
    def season_length(self) -> int:
        """The known season length, else the one the frequency implies (1 when it does not tell)."""
        return self.season or season_from_freq(self.freq)

    def fingerprint(self) -> str:
        """A short hash of the values and timestamps, to recognise the same data later."""
        digest = hashlib.sha256(np.ascontiguousarray(self.values, dtype=np.float64).tobytes())
        digest.update(str(self.index[0]).encode() + str(len(self)).encode())
        if self.covariates is not None:
            digest.update(",".join(self.covariates.columns).encode())
            digest.update(np.ascontiguousarray(self.covariates.to_numpy(np.float64)).tobytes())
        return digest.hexdigest()[:16]

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


def from_array(values: np.ndarray, target: str = "value", season: int = 0) -> Series:
    """A series over row numbers, for synthetic signals."""
    values = np.asarray(values, dtype=np.float64)
    index = pd.RangeIndex(len(values))
    return Series(values, index, target, None, None, CleaningReport(), season=season)


def prepare(
    table: pd.DataFrame,
    date_col: str | None = None,
    target: str | None = None,
    row_time: bool = False,
    covariates: Sequence[str] = (),
) -> Series:
    """Pick the date and target columns, parse, sort, merge duplicates, make regular, fill gaps.

    Columns not named are detected; `row_time` uses the row number as time, whatever the file;
    `covariates` are other numeric columns kept, cleaned the same way, as extra inputs.
    """
    report = CleaningReport()
    table = table.copy()
    table.columns = [str(column).strip() for column in table.columns]
    _check_columns_named(table, date_col, target)
    if row_time:
        date_col = None
        report.add("Time is the row number, as given.")
    elif date_col is None:
        date_col = detect_date_column(table, exclude=target)
        if date_col is not None:
            report.add(f"Using '{date_col}' as the date column (detected).")
        else:
            report.add("No date column found: time is the row number.")
    else:
        report.add(f"Using '{date_col}' as the date column, as given.")
    if target is None:
        target = detect_target(table, exclude=date_col)
        report.add(f"Using '{target}' as the value to forecast (the first numeric column).")
    else:
        report.add(f"Using '{target}' as the value to forecast, as given.")
    _check_covariates(table, covariates, date_col, target)
    columns = tuple(table.columns)
    numbers = {"value": _to_numbers(table[target], target, report).to_numpy()}
    for name in covariates:
        numbers[name] = _to_numbers(table[name], name, report).to_numpy()
    if date_col is None:
        frame, freq = pd.DataFrame(numbers), None
    else:
        stamps = parse_dates(table[date_col], date_col)
        frame = pd.DataFrame(numbers, index=pd.DatetimeIndex(stamps))
        frame = _drop_bad_dates(frame, date_col, report)
        frame = _sort(frame, report)
        frame = _merge_duplicates(frame, report)
        frame, freq = _regularise(frame, report)
    frame = _fill_missing(frame, report)
    _check_length(frame)
    index = frame.index if date_col is not None else pd.RangeIndex(len(frame))
    extra = frame[list(covariates)].set_axis(index) if covariates else None
    values = frame["value"].to_numpy(np.float64)
    return Series(values, index, target, date_col, freq, report, columns, covariates=extra)


def _check_covariates(
    table: pd.DataFrame, covariates: Sequence[str], date_col: str | None, target: str
) -> None:
    for name in covariates:
        if name not in table.columns:
            raise DataError(f"The extra input '{name}' is not in the file.")
        if name in (date_col, target):
            raise DataError(f"'{name}' cannot be both an extra input and the date or the target.")


def _check_columns_named(table: pd.DataFrame, date_col: str | None, target: str | None) -> None:
    for role, column in (("date column", date_col), ("target column", target)):
        if column is not None and column not in table.columns:
            raise DataError(
                f"The {role} '{column}' is not in the file. "
                f"Its columns are: {', '.join(map(repr, table.columns))}."
            )
    if date_col is not None and date_col == target:
        raise DataError(f"'{date_col}' cannot be both the date column and the value to forecast.")


def detect_date_column(table: pd.DataFrame, exclude: str | None = None) -> str | None:
    """The first column whose values read as dates, preferring names like 'date' or 'month'."""
    candidates = [c for c in table.columns if c != exclude]
    hinted = [c for c in candidates if _hints_date(c)]
    for column in hinted + [c for c in candidates if c not in hinted]:
        if _looks_like_dates(table[column], hinted=column in hinted):
            return column
    return None


def _hints_date(column: str) -> bool:
    name = column.lower()
    return any(
        name == hint or name.startswith(hint) or name.endswith(hint) for hint in DATE_NAME_HINTS
    )


def _looks_like_dates(column: pd.Series, hinted: bool) -> bool:
    sample = column.dropna().head(200)
    if sample.empty:
        return False
    if pd.api.types.is_numeric_dtype(sample):
        return _looks_like_years(sample, strict=not hinted) or (hinted and _looks_like_ymd(sample))
    try:
        parsed = _parse(sample.astype(str))
    except (ValueError, TypeError, OverflowError):
        return False
    return parsed.notna().mean() >= DATE_PARSE_SHARE


def _looks_like_years(sample: pd.Series, strict: bool = False) -> bool:
    """Whole numbers from 1000 to 2999 in order (either way); `strict`: and one apart, ascending."""
    whole = bool((sample % 1 == 0).all()) and bool(sample.between(1000, 2999).all())
    if strict:
        return whole and len(sample) > 2 and bool((sample.diff().dropna() == 1).all())
    return whole and (sample.is_monotonic_increasing or sample.is_monotonic_decreasing)


def _looks_like_ymd(sample: pd.Series) -> bool:
    """Whole numbers such as 19580329 that read as year, month and day."""
    if not ((sample % 1 == 0).all() and sample.between(10000101, 29991231).all()):
        return False
    parsed = pd.to_datetime(sample.astype("int64").astype(str), format="%Y%m%d", errors="coerce")
    return bool(parsed.notna().all())


def parse_dates(column: pd.Series, name: str) -> pd.Series:
    """Dates from strings (or whole years); unparsable cells become NaT."""
    if pd.api.types.is_numeric_dtype(column):
        present = column.dropna()
        if _looks_like_years(present):
            return pd.to_datetime(column.astype("Int64").astype(str), format="%Y", errors="coerce")
        if _looks_like_ymd(present):
            digits = column.astype("Int64").astype(str)
            return pd.to_datetime(digits, format="%Y%m%d", errors="coerce")
        raise DataError(
            f"Column '{name}' holds plain numbers, not dates. "
            "Choose another date column, or none to use the row number as time."
        )
    parsed = _parse(column.astype(str))
    if parsed.notna().mean() < DATE_PARSE_SHARE:
        first_bad = column[parsed.isna()].iloc[0]
        raise DataError(
            f"Column '{name}' does not hold dates (for example {first_bad!r}). "
            "Choose the right date column, or none to use the row number as time."
        )
    return parsed


def _parse(strings: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(strings, errors="coerce", format="mixed", utc=True)
    return parsed.dt.tz_localize(None)


def detect_target(table: pd.DataFrame, exclude: str | None = None) -> str:
    """The first column (other than the date) whose cells are mostly numbers."""
    for column in table.columns:
        if column == exclude:
            continue
        numbers = pd.to_numeric(table[column], errors="coerce")
        if numbers.notna().sum() and numbers.notna().mean() >= 0.5:
            return column
    raise DataError(
        "No column of numbers to forecast was found. "
        "The file needs at least one column whose cells are numbers."
    )


def _to_numbers(column: pd.Series, name: str, report: CleaningReport) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce").astype("float64")
    bad = numbers.isna() & column.notna() & (column.astype(str).str.strip() != "")
    if bad.any():
        example = column[bad].iloc[0]
        report.add(
            f"{int(bad.sum())} cells of '{name}' are not numbers (for example {example!r}) "
            "and were treated as missing."
        )
    infinite = np.isinf(numbers)
    if infinite.any():
        report.add(f"{int(infinite.sum())} infinite values of '{name}' were treated as missing.")
        numbers = numbers.where(~infinite)
    if numbers.notna().sum() == 0:
        raise DataError(f"Column '{name}' has no numbers in it. Choose another column to forecast.")
    return numbers


def _drop_bad_dates(frame: pd.DataFrame, date_col: str, report: CleaningReport) -> pd.DataFrame:
    bad = frame.index.isna()
    if bad.any():
        report.add(f"{int(bad.sum())} rows with an unreadable date in '{date_col}' were dropped.")
        frame = frame[~bad]
    return frame


def _sort(frame: pd.DataFrame, report: CleaningReport) -> pd.DataFrame:
    if not frame.index.is_monotonic_increasing:
        report.add("Rows were not in time order and were sorted by date.")
        frame = frame.sort_index(kind="stable")
    return frame


def _merge_duplicates(frame: pd.DataFrame, report: CleaningReport) -> pd.DataFrame:
    duplicated = frame.index.duplicated(keep=False)
    if duplicated.any():
        stamps = frame.index[duplicated].unique()
        report.add(
            f"{len(stamps)} timestamps appeared more than once (first {stamps[0]}); "
            "their values were averaged."
        )
        frame = frame.groupby(level=0).mean()
    return frame


def _regularise(frame: pd.DataFrame, report: CleaningReport) -> tuple[pd.DataFrame, str]:
    freq = infer_frequency(frame.index)
    grid = pd.date_range(frame.index[0], frame.index[-1], freq=freq)
    off_grid = frame.index.difference(grid)
    if len(off_grid):
        raise DataError(
            f"The dates are not evenly spaced: {off_grid[0]} does not fit a {freq} calendar. "
            "Make the dates regular (one row per period) and try again."
        )
    missing = len(grid) - len(frame)
    if missing > len(frame):
        raise DataError(
            f"The dates are too irregular: a regular {freq} calendar would need {missing} "
            f"timestamps added to the {len(frame)} in the file. "
            "Make the dates regular (one row per period) and try again."
        )
    if missing:
        report.add(f"{missing} missing timestamps were added to keep a regular {freq} calendar.")
        frame = frame.reindex(grid)
    frame.index.freq = freq
    return frame, freq


def infer_frequency(index: pd.DatetimeIndex) -> str:
    """The calendar frequency of sorted, unique timestamps, tolerating gaps."""
    if len(index) < 3:
        raise DataError("At least 3 dated rows are needed to tell the frequency.")
    with pd.option_context("future.infer_freq_returns_offset", True):
        exact = pd.infer_freq(index)
    if exact is not None:
        return exact.freqstr
    days = pd.Series(index).diff().dropna().dt.total_seconds() / 86400
    typical = days.median()
    if 27 <= typical <= 32:
        return "MS" if (index.day == 1).all() else "ME" if index.is_month_end.all() else "MS"
    if 88 <= typical <= 93:
        return "QS" if (index.day == 1).all() else "QE"
    if 364 <= typical <= 367:
        return "YS" if (index.day_of_year == 1).all() else "YE"
    if typical == 7:
        return f"W-{index[0].day_name()[:3].upper()}"
    if typical == 1 and (index.day_of_week < 5).all():
        return "B"
    step = pd.Series(index).diff().dropna().mode().iloc[0]
    if step == pd.Timedelta(days=1):
        return "D"
    return pd.tseries.frequencies.to_offset(step).freqstr


def _fill_missing(frame: pd.DataFrame, report: CleaningReport) -> pd.DataFrame:
    """Trim to the target's first and last values; interpolate the holes of every column."""
    present = frame["value"].notna().to_numpy()
    if not present.any():
        raise DataError("The series has no values.")
    first, last = present.argmax(), len(present) - present[::-1].argmax()
    if first or last < len(frame):
        report.add(f"{first + len(frame) - last} missing values at the start or end were dropped.")
        frame = frame.iloc[first:last]
    holes = int(frame["value"].isna().sum())
    if holes:
        report.add(f"{holes} missing values inside the series were filled by linear interpolation.")
    for name in frame.columns.drop("value"):
        gaps = int(frame[name].isna().sum())
        if gaps:
            report.add(f"{gaps} missing values of the extra input '{name}' were interpolated.")
    return frame.interpolate(method="linear", limit_direction="both")


def _check_length(values: pd.Series | pd.DataFrame) -> None:
    if len(values) < MIN_POINTS:
        raise DataError(
            f"The series has {len(values)} points after cleaning; at least {MIN_POINTS} are needed."
        )


def select_group(table: pd.DataFrame, group_col: str | None, group: str | None) -> pd.DataFrame:
    """The rows of one group of a long table (one series per store, product, ...)."""
    if group_col is None:
        return table
    if group_col not in table.columns:
        raise DataError(
            f"The group column '{group_col}' is not in the file. "
            f"Its columns are: {', '.join(map(repr, map(str, table.columns)))}."
        )
    labels = table[group_col].astype(str).str.strip()
    groups = list(dict.fromkeys(labels.dropna()))
    if group is None or group not in groups:
        shown = ", ".join(map(repr, groups[:10])) + (" ..." if len(groups) > 10 else "")
        what = "Choose a group" if group is None else f"There is no group {group!r}"
        raise DataError(f"{what} in '{group_col}'; the groups are: {shown}.")
    return table[labels == group].drop(columns=[group_col]).reset_index(drop=True)
