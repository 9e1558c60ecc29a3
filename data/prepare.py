"""From a raw table to one clean, regular series, with a report of every change made."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from data.dates import detect_date_column, parse_dates
from data.errors import DataError
from data.numbers import to_numbers
from data.series import CleaningReport, Series

MIN_POINTS = 10
DUPLICATE_CHOICES = ("mean", "sum", "first", "last", "refuse")
GAP_CHOICES = ("interpolate", "ffill", "zero", "refuse")
RESAMPLE_CHOICES = ("sum", "mean", "last")
AGGREGATE_CHOICES = ("sum", "mean")
GROUP_COUNT = (2, 500)  # how many distinct labels a detected group column may have
ID_CANDIDATES = 8  # label columns tried together as a panel's ids
SHOWN_NAMES = 10  # names listed in one message before "..."
_GROUP = "\x00group"  # the group labels while groups are combined; no column of a file has it


@dataclass(frozen=True)
class CleaningOptions:
    """The user's choices where the data can be cleaned in more than one sensible way."""

    duplicates: Literal["mean", "sum", "first", "last", "refuse"] = "mean"  # repeated timestamps
    gaps: Literal["interpolate", "ffill", "zero", "refuse"] = "interpolate"  # missing times, values
    resample: str | None = None  # a coarser pandas frequency, e.g. "W", "MS", "QS"
    resample_how: Literal["sum", "mean", "last"] = "sum"
    group_col: str | None = None  # long format: the column naming each series (store, product)
    group: str | None = None  # which group; None with a group_col: combine all groups
    aggregate: Literal["sum", "mean"] = "sum"  # how groups are combined when group is None
    dayfirst: bool | None = None  # dates like 03/04/2024: None decides from the data
    zone: str | None = None  # an IANA zone ("America/New_York") every timestamp is given in

    def __post_init__(self) -> None:
        for name, choices in (
            ("duplicates", DUPLICATE_CHOICES),
            ("gaps", GAP_CHOICES),
            ("resample_how", RESAMPLE_CHOICES),
            ("aggregate", AGGREGATE_CHOICES),
        ):
            value = getattr(self, name)
            if value not in choices:
                raise DataError(f"{name} must be one of {_names(choices)}; got {value!r}.")
        if self.group is not None and self.group_col is None:
            raise DataError(f"The group {self.group!r} needs a group column to look in.")
        if self.resample is not None:
            _offset(self.resample)
        if self.zone is not None:
            _zone(self.zone)


def _zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; DataError naming it and how to write one when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DataError(
            f"'{name}' is not a time zone this server knows. Use an IANA name such as "
            "America/New_York, Europe/Madrid or UTC."
        ) from None


def _in_zone(index: pd.DatetimeIndex, name: str, report: CleaningReport) -> pd.DatetimeIndex:
    """The stamps in zone `name`: the same moments when the file wrote its offsets, else its
    wall times read as that zone's (a wall time a clock change skips or repeats is refused)."""
    if index.tz is not None:
        report.add(f"Times converted from {index.tz} to {name}: the same moments, local clock.")
        return index.tz_convert(name)
    try:
        zoned = index.tz_localize(name, ambiguous="raise", nonexistent="raise")
    except (ValueError, OverflowError) as err:  # pytz-free pandas raises ValueError subclasses
        raise DataError(
            f"The times cannot all be read as {name}'s clock: {err}. A clock change skips or "
            "repeats a time there; give the times with their offsets (such as -05:00) instead."
        ) from None
    report.add(f"Times read as {name}'s local clock.")
    return zoned


def from_array(
    values: np.ndarray, target: str = "value", season: int = 0, truth: np.ndarray | None = None
) -> Series:
    """A series over row numbers, for synthetic signals; `truth` is their noise-free signal."""
    values = np.asarray(values, dtype=np.float64)
    index = pd.RangeIndex(len(values))
    if truth is not None:
        truth = np.asarray(truth, dtype=np.float64)
        if truth.shape != values.shape:
            raise ValueError(f"truth has shape {truth.shape}; the values have {values.shape}")
    return Series(values, index, target, None, None, CleaningReport(), season=season, truth=truth)


def prepare(
    table: pd.DataFrame,
    date_col: str | None = None,
    target: str | None = None,
    row_time: bool = False,
    covariates: Sequence[str] = (),
    *,
    options: CleaningOptions = CleaningOptions(),
    read_notes: Sequence[str] = (),
) -> Series:
    """Pick the columns and group, parse, sort, merge duplicates, make regular, fill, resample.

    Columns not named are detected; `row_time` uses the row number as time, whatever the file;
    `covariates` are other numeric columns kept, cleaned the same way, as extra inputs;
    `options` holds the user's choices (duplicates, gaps, resampling, groups, date order);
    `read_notes` are what reading the file did, reported first. Only the columns used are
    converted, so a wide table costs little more than a narrow one.
    """
    report = CleaningReport(list(read_notes))
    table = tidy_names(table, report)
    group_col = options.group_col
    table, date_col, target = _pick_columns(
        table, date_col, target, row_time, covariates, group_col, report
    )
    columns = tuple(table.columns)
    used = [name for name in (date_col, group_col, target, *covariates) if name is not None]
    rows, labels = table[used], None
    if group_col is not None:
        rows, labels = _take_groups(rows, group_col, options.group, report)
    if date_col is None:
        _check_row_time(options, labels)
    frame = pd.DataFrame(
        {name: _to_numbers(rows[name], name, report).to_numpy() for name in (target, *covariates)}
    )
    freq, added, zone = None, None, None
    if date_col is not None:
        frame, freq, added, zone = _on_calendar(
            frame, rows[date_col], labels, table, date_col, target, options, report
        )
    frame = _trim_ends(frame, target, report)
    frame = _fill_gaps(frame, target, options.gaps, added, freq, report)
    if options.resample is not None:
        frame, freq = _resample(frame, freq, options.resample, options.resample_how, report)
    _check_length(frame)
    index = frame.index if date_col is not None else pd.RangeIndex(len(frame))
    if zone is not None:  # the file's zone stays on every timestamp, so every output shows it
        index = index.tz_localize(zone)
    if options.zone is not None and date_col is not None:
        index = _in_zone(index, options.zone, report)
    extra = frame[list(covariates)].set_axis(index) if covariates else None
    values = frame[target].to_numpy(np.float64)
    return Series(values, index, target, date_col, freq, report, columns, covariates=extra)


def _pick_columns(
    table: pd.DataFrame,
    date_col: str | None,
    target: str | None,
    row_time: bool,
    covariates: Sequence[str],
    group_col: str | None,
    report: CleaningReport,
) -> tuple[pd.DataFrame, str | None, str]:
    """The table without its empty columns, the date column (None: row numbers) and the target,
    detected where not named; the names given are checked first."""
    _check_columns_named(table, date_col, target)
    _check_group_column(table, group_col, (date_col, target, *covariates))
    named = {date_col, target, group_col, *covariates} - {None}
    ignored = [column for column in empty_columns(table) if column not in named]
    table = table.drop(columns=ignored)
    date_col = _choose_date_column(table, date_col, target, row_time, group_col, report)
    target = _choose_target(table, target, date_col, group_col, report)
    _report_ignored(ignored, report)
    _check_covariates(table, covariates, date_col, target)
    return table, date_col, target


def _on_calendar(
    frame: pd.DataFrame,
    dates: pd.Series,
    labels: pd.Series | None,
    table: pd.DataFrame,
    date_col: str,
    target: str,
    options: CleaningOptions,
    report: CleaningReport,
) -> tuple[pd.DataFrame, str, pd.DatetimeIndex, str | None]:
    """The values indexed by their parsed dates: sorted, one row per timestamp (duplicates
    merged, groups combined) on a regular calendar (wall times, without a zone); with its
    frequency, the stamps added, and the zone the file wrote its times in."""
    parsed = parse_dates(dates, date_col, dayfirst=options.dayfirst)
    for note in parsed.notes:
        report.add(note)
    frame.index = pd.DatetimeIndex(parsed.stamps, copy=False)
    if labels is not None:
        frame[_GROUP] = labels.to_numpy()
    frame = _drop_bad_dates(frame, date_col, report)
    frame = _sort(frame, report)
    hint = _group_hint(table, date_col, target, frame.index, options.group_col)
    frame = _merge_duplicates(frame, options.duplicates, hint, report)
    if labels is not None:
        frame = _combine_groups(frame, options.group_col, options.aggregate, report)
    return (*_regularise(frame, report), parsed.zone)


# Which columns


def tidy_names(table: pd.DataFrame, report: CleaningReport) -> pd.DataFrame:
    """Column names as text without surrounding spaces; a repeated name gets a suffix."""
    unique: dict[str, None] = {}
    for name in (str(column).strip() for column in table.columns):
        new, suffix = name, 0
        while new in unique:
            suffix += 1
            new = f"{name}.{suffix}"
        if new != name:
            report.add(f"Another column named {name!r} was renamed {new!r}.")
        unique[new] = None
    return table.set_axis(list(unique), axis=1)


def _check_columns_named(table: pd.DataFrame, date_col: str | None, target: str | None) -> None:
    for role, column in (("date column", date_col), ("target column", target)):
        if column is not None and column not in table.columns:
            raise DataError(
                f"The {role} '{column}' is not in the file. "
                f"Its columns are: {', '.join(map(repr, table.columns))}."
            )
    if date_col is not None and date_col == target:
        raise DataError(f"'{date_col}' cannot be both the date column and the value to forecast.")


def _check_group_column(
    table: pd.DataFrame, group_col: str | None, others: Sequence[str | None]
) -> None:
    if group_col is None:
        return
    if group_col not in table.columns:
        raise DataError(
            f"The group column '{group_col}' is not in the file. "
            f"Its columns are: {', '.join(map(repr, table.columns))}."
        )
    if group_col in others:
        raise DataError(
            f"'{group_col}' cannot be both the group column and the date, "
            "the value to forecast or an extra input."
        )


def _check_covariates(
    table: pd.DataFrame, covariates: Sequence[str], date_col: str | None, target: str
) -> None:
    for name in covariates:
        if name not in table.columns:
            raise DataError(f"The extra input '{name}' is not in the file.")
        if name in (date_col, target):
            raise DataError(f"'{name}' cannot be both an extra input and the date or the target.")


def _report_ignored(ignored: list[str], report: CleaningReport) -> None:
    if ignored:
        shown = _names(ignored[:SHOWN_NAMES]) + (" ..." if len(ignored) > SHOWN_NAMES else "")
        report.add(f"Ignored {_count(len(ignored), 'empty column')}: {shown}.")


def empty_columns(table: pd.DataFrame) -> list[str]:
    """The columns whose cells are all missing or blank text."""
    empty = table.isna().all().to_numpy().copy()
    for position, dtype in enumerate(table.dtypes):
        if not empty[position] and _is_text_dtype(dtype):
            empty[position] = _blank(table.iloc[:, position])
    return [column for column, blank in zip(table.columns, empty, strict=True) if blank]


def _blank(column: pd.Series) -> bool:
    """Whether every cell of a text column is missing or spaces; the first cell usually tells."""
    first = column.iloc[0]
    if isinstance(first, str) and first.strip():
        return False
    present = column.dropna()
    return not present.astype(str).str.strip().ne("").any()


def _is_text_dtype(dtype) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
    )


def _choose_date_column(
    table: pd.DataFrame,
    date_col: str | None,
    target: str | None,
    row_time: bool,
    group_col: str | None,
    report: CleaningReport,
) -> str | None:
    if row_time:
        report.add("Time is the row number, as given.")
        return None
    if date_col is not None:
        report.add(f"Using '{date_col}' as the date column, as given.")
        return date_col
    candidates = table if group_col is None else table.drop(columns=[group_col])
    date_col = detect_date_column(candidates, exclude=target)
    if date_col is None:
        report.add("No date column found: time is the row number.")
    else:
        report.add(f"Using '{date_col}' as the date column (detected).")
    return date_col


def _choose_target(
    table: pd.DataFrame,
    target: str | None,
    date_col: str | None,
    group_col: str | None,
    report: CleaningReport,
) -> str:
    if target is not None:
        report.add(f"Using '{target}' as the value to forecast, as given.")
        return target
    target = detect_target(
        table, exclude=(date_col, group_col or detect_group_column(table, date_col, None))
    )
    report.add(f"Using '{target}' as the value to forecast (the first numeric column).")
    return target


# Long format: one series per group


def detect_group_column(
    table: pd.DataFrame, date_col: str | None, target: str | None
) -> str | None:
    """The text column that names separate series in a long table, or None.

    It has 2 to 500 distinct labels, each on more than one row, and explains the date column's
    repeats: with its label beside the date, at most a tenth of the repeats remain.
    """
    found = _explaining(table, date_col, target, 1)
    return found[0] if found else None


def detect_id_columns(
    table: pd.DataFrame, date_col: str | None, target: str | None, most: int = 3
) -> tuple[str, ...]:
    """The fewest text columns (at most `most`) whose labels together name separate series
    (store and product), as detect_group_column's one column does; () when none do."""
    for size in range(1, most + 1):
        found = _explaining(table, date_col, target, size)
        if found:
            return found
    return ()


def _explaining(
    table: pd.DataFrame, date_col: str | None, target: str | None, size: int
) -> tuple[str, ...]:
    """The `size` label columns that leave the fewest of the date's repeats (at most a tenth)."""
    if date_col is None or date_col not in table.columns:
        return ()
    repeats = _repeats(table[date_col])
    if not repeats:
        return ()
    dates = table[date_col].to_numpy()
    labels = _label_columns(table, date_col, target)
    places = {column: place for place, column in enumerate(table.columns)}
    explaining = []
    for combo in combinations(list(labels)[:ID_CANDIDATES], size):
        pairs = pd.DataFrame({"date": dates, **{str(n): labels[c] for n, c in enumerate(combo)}})
        left = int(pairs.duplicated().sum())
        if left <= repeats / 10:
            explaining.append((left, [places[column] for column in combo], combo))
    return min(explaining)[2] if explaining else ()


def _label_columns(
    table: pd.DataFrame, date_col: str | None, target: str | None
) -> dict[str, np.ndarray]:
    """Text columns with 2 to 500 distinct labels, each on more than one row: their labels."""
    found = {}
    for position, dtype in enumerate(table.dtypes):
        column = table.columns[position]
        if column in (date_col, target) or not _is_text_dtype(dtype):
            continue
        labels = group_labels(table.iloc[:, position])
        counts = labels.value_counts()
        if GROUP_COUNT[0] <= len(counts) <= GROUP_COUNT[1] and counts.min() >= 2:
            found[column] = labels.to_numpy()
    return found


def _repeats(column: pd.Series) -> int:
    """How many cells repeat an earlier one; 0 at once when the cells are strictly in order."""
    later = column.iloc[1:].reset_index(drop=True)
    earlier = column.iloc[:-1].reset_index(drop=True)
    try:
        for ordered in (later > earlier, later < earlier):  # missing cells compare False
            if ordered.to_numpy(dtype=bool, na_value=False).all():
                return 0
    except TypeError:  # cells that do not compare (text beside numbers): count them
        pass
    return int(pd.Series(column.to_numpy()).duplicated().sum())


def group_labels(column: pd.Series) -> pd.Series:
    """Group labels as stripped text; blank cells are missing, whole numbers lose their '.0'."""
    if pd.api.types.is_float_dtype(column) and bool((column.dropna() % 1 == 0).all()):
        column = column.astype("Int64")
    labels = column.astype(str).str.strip()
    return labels.where(column.notna().to_numpy() & (labels != "").to_numpy())


def _take_groups(
    rows: pd.DataFrame, group_col: str, group: str | None, report: CleaningReport
) -> tuple[pd.DataFrame, pd.Series | None]:
    """The rows of the chosen group, or all labelled rows with their labels to combine later."""
    labels = group_labels(rows[group_col])
    groups = list(dict.fromkeys(labels.dropna()))
    if group is not None:
        wanted = str(group).strip()
        if wanted not in groups:
            raise DataError(_no_group_message(group_col, wanted, groups))
        keep = (labels == wanted).fillna(False).to_numpy(bool)
        report.add(
            f"Kept the {_count(int(keep.sum()), 'row')} of group {wanted!r} in '{group_col}' "
            f"(one of {_count(len(groups), 'group')}), as chosen."
        )
        return rows[keep].reset_index(drop=True), None
    if not groups:
        raise DataError(f"The group column '{group_col}' has no labels in it.")
    unlabelled = labels.isna().to_numpy()
    if unlabelled.any():
        count = int(unlabelled.sum())
        report.add(
            f"{_count(count, 'row')} without a group in '{group_col}' {_were(count)} dropped."
        )
        rows, labels = rows[~unlabelled], labels[~unlabelled]
    return rows.reset_index(drop=True), labels.reset_index(drop=True)


def _no_group_message(group_col: str, group: str | None, groups: list[str]) -> str:
    shown = _names(groups[:SHOWN_NAMES]) + (" ..." if len(groups) > SHOWN_NAMES else "")
    what = "Choose a group" if group is None else f"There is no group {group!r}"
    return f"{what} in '{group_col}'; the groups are: {shown}."


def _group_hint(
    table: pd.DataFrame,
    date_col: str,
    target: str,
    index: pd.DatetimeIndex,
    group_col: str | None,
) -> str:
    """When timestamps repeat and no group was chosen: the column that looks like one, in words."""
    if group_col is not None or not index.has_duplicates:
        return ""
    found = detect_group_column(table, date_col, target)
    if found is None:
        return ""
    count = group_labels(table[found]).nunique()
    return (
        f"'{found}' looks like it names separate series ({count} groups): choose it as "
        "the group column to take one group or to combine them."
    )


def _combine_groups(
    frame: pd.DataFrame, group_col: str, how: str, report: CleaningReport
) -> pd.DataFrame:
    """One row per timestamp: the groups' values summed or averaged."""
    labels = frame[_GROUP]
    count = labels.nunique()
    incomplete = int((labels.groupby(level=0).nunique() < count).sum())
    by_stamp = frame.drop(columns=_GROUP).groupby(level=0)
    combined = by_stamp.sum(min_count=1) if how == "sum" else by_stamp.mean()
    if how == "sum":
        line = (
            f"Summed the {_count(count, 'group')} of '{group_col}' at each timestamp "
            "(the default; you can average them or pick one group instead)."
        )
    else:
        line = (
            f"Averaged the {_count(count, 'group')} of '{group_col}' at each timestamp, as chosen."
        )
    if incomplete:
        some = "lacks" if incomplete == 1 else "lack"
        line += (
            f" {_count(incomplete, 'timestamp')} {some} some of the groups and "
            f"{_were(incomplete)} combined from those present."
        )
    report.add(line)
    return combined


# Dates


def detect_target(table: pd.DataFrame, exclude: str | Collection[str | None] | None = None) -> str:
    """The first column (other than the date, or those excluded) whose cells are mostly numbers."""
    excluded = {exclude} if exclude is None or isinstance(exclude, str) else set(exclude)
    for column in table.columns:
        if column not in excluded and is_numeric(table[column]):
            return column
    raise DataError(
        "No column of numbers to forecast was found. "
        "The file needs at least one column whose cells are numbers."
    )


def is_numeric(column: pd.Series, sample: int = 200) -> bool:
    """Whether at least half of the filled cells among the first `sample` read as numbers."""
    head = column.head(sample)
    plain = pd.to_numeric(head, errors="coerce")
    if plain.notna().sum() and plain.notna().sum() >= head.notna().sum() / 2:
        return True  # plain numbers: no need for the slower reading of written-out ones
    parsed = to_numbers(head, str(column.name))
    found = int(parsed.values.notna().sum())
    return found > 0 and found >= parsed.bad


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """The columns whose cells are mostly numbers, in table order."""
    return [column for column in table.columns if is_numeric(table[column])]


def _to_numbers(column: pd.Series, name: str, report: CleaningReport) -> pd.Series:
    parsed = to_numbers(column, name)
    for note in parsed.notes:
        report.add(note)
    if parsed.bad:
        report.add(
            f"{parsed.bad} cells of '{name}' are not numbers (for example {parsed.example!r}) "
            "and were treated as missing."
        )
    if parsed.values.notna().sum() == 0:
        raise DataError(f"Column '{name}' has no numbers in it. Choose another column to forecast.")
    return parsed.values


# Time structure

MERGED = {
    "mean": "their values were averaged (the default; you can sum them or keep the first or "
    "last instead).",
    "sum": "their values were summed, as chosen.",
    "first": "the first row of each was kept, as chosen.",
    "last": "the last row of each was kept, as chosen.",
}
FILLED = {
    "interpolate": "filled by linear interpolation (the default; you can forward-fill them, "
    "set them to zero or refuse gaps instead).",
    "ffill": "forward-filled with the value before each, as chosen.",
    "zero": "set to zero, as chosen.",
}
COVARIATE_FILLED = {"interpolate": "interpolated", "ffill": "forward-filled", "zero": "set to zero"}
GAP_ADVICE = "Fill them in the file, or choose how to fill gaps: interpolate, forward-fill or zero."
RESAMPLED_BY = {"sum": "sum", "mean": "mean", "last": "last value"}
PARTIAL = {
    "sum": "a partial sum would be misleading",
    "mean": "a mean over part of a period would not be comparable with the others",
    "last": "the last value of part of a period is not the value at its end",
}


def _check_row_time(options: CleaningOptions, labels: pd.Series | None) -> None:
    if labels is not None:
        raise DataError(
            "Combining groups needs a date column to line their rows up. "
            "Choose the date column, or pick one group."
        )
    if options.resample is not None:
        raise DataError(
            "Resampling needs a date column; without one, time is the row number. "
            "Choose the date column, or do not resample."
        )


def _drop_bad_dates(frame: pd.DataFrame, date_col: str, report: CleaningReport) -> pd.DataFrame:
    bad = frame.index.isna()
    if bad.any():
        count = int(bad.sum())
        rows = f"{_count(count, 'row')} with an unreadable date in '{date_col}'"
        report.add(f"{rows} {_were(count)} dropped.")
        frame = frame[~bad]
    return frame


def _sort(frame: pd.DataFrame, report: CleaningReport) -> pd.DataFrame:
    if not frame.index.is_monotonic_increasing:
        report.add("Rows were not in time order and were sorted by date.")
        frame = frame.sort_index(kind="stable")
    return frame


def _merge_duplicates(
    frame: pd.DataFrame, how: str, hint: str, report: CleaningReport
) -> pd.DataFrame:
    """One row per timestamp (per timestamp and group while groups are kept apart)."""
    grouped = _GROUP in frame.columns
    keys = pd.MultiIndex.from_arrays([frame.index, frame[_GROUP]]) if grouped else frame.index
    duplicated = keys.duplicated(keep=False)
    if not duplicated.any():
        return frame
    stamps = frame.index[duplicated].unique()
    count, first = len(stamps), moment(stamps[0])
    within = " within a group" if grouped else ""
    if how == "refuse":
        raise DataError(
            f"{_count(count, 'timestamp')} {'appears' if count == 1 else 'appear'} more than "
            f"once{within} (the first is {first}). Remove the repeated rows, or choose how to "
            "merge them: mean, sum, first or last." + (f" {hint}" if hint else "")
        )
    if how in ("first", "last"):
        frame = frame[~keys.duplicated(keep=how)]
    else:
        indexed = frame.set_index(_GROUP, append=True) if grouped else frame
        by_key = indexed.groupby(level=[0, 1] if grouped else 0, sort=False)
        merged = by_key.sum(min_count=1) if how == "sum" else by_key.mean()
        frame = merged.reset_index(level=1) if grouped else merged
    report.add(
        f"{_count(count, 'timestamp')} appeared more than once{within} (first {first}); "
        + MERGED[how]
    )
    if hint:
        report.add(hint)
    return frame


def _regularise(
    frame: pd.DataFrame, report: CleaningReport
) -> tuple[pd.DataFrame, str, pd.DatetimeIndex]:
    """The frame on a regular calendar, its frequency, and the timestamps that had to be added."""
    freq = infer_frequency(frame.index)
    grid = pd.date_range(frame.index[0], frame.index[-1], freq=freq)
    off_grid = frame.index.difference(grid)
    if len(off_grid):
        raise DataError(
            f"The dates are not evenly spaced: {moment(off_grid[0])} does not fit a {freq} "
            "calendar. Make the dates regular (one row per period) and try again."
        )
    added = grid.difference(frame.index)
    if len(added) > len(frame):
        raise DataError(
            f"The dates are too irregular: a regular {freq} calendar would need {len(added)} "
            f"timestamps added to the {len(frame)} in the file. "
            "Make the dates regular (one row per period) and try again."
        )
    if len(added):
        report.add(
            f"{_count(len(added), 'missing timestamp')} {_were(len(added))} added to keep "
            f"a regular {freq} calendar."
        )
        frame = frame.reindex(grid)
    frame.index.freq = freq
    return frame, freq, added


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


def _trim_ends(frame: pd.DataFrame, target: str, report: CleaningReport) -> pd.DataFrame:
    """The rows from the target's first value to its last."""
    present = frame[target].notna().to_numpy()
    if not present.any():
        raise DataError("The series has no values.")
    first, last = present.argmax(), len(present) - present[::-1].argmax()
    if first or last < len(frame):
        dropped = int(first + len(frame) - last)
        report.add(
            f"{_count(dropped, 'missing value')} at the start or end {_were(dropped)} dropped."
        )
        frame = frame.iloc[first:last]
    return frame


def _fill_gaps(
    frame: pd.DataFrame,
    target: str,
    how: str,
    added: pd.DatetimeIndex | None,
    freq: str | None,
    report: CleaningReport,
) -> pd.DataFrame:
    """Fill the holes of every column as chosen (or refuse them), and say how many."""
    holes = frame.isna()
    if not holes.to_numpy().any():
        return frame
    if how == "refuse":
        _refuse_gaps(frame, target, holes, added, freq)
    inside = int(holes[target].sum())
    if inside:
        report.add(
            f"{_count(inside, 'missing value')} inside the series {_were(inside)} " + FILLED[how]
        )
    for name in frame.columns.drop(target):
        count = int(holes[name].sum())
        if count:
            before_first = how == "ffill" and bool(holes[name].iloc[0])
            report.add(
                f"{_count(count, 'missing value')} of the extra input '{name}' {_were(count)} "
                f"{COVARIATE_FILLED[how]}"
                + (" (those before its first value back-filled)." if before_first else ".")
            )
    if how == "interpolate":
        return frame.interpolate(method="linear", limit_direction="both")
    if how == "ffill":
        return frame.ffill().bfill()
    return frame.fillna(0.0)


def _refuse_gaps(
    frame: pd.DataFrame,
    target: str,
    holes: pd.DataFrame,
    added: pd.DatetimeIndex | None,
    freq: str | None,
) -> None:
    target_holes = holes[target].to_numpy()
    if target_holes.any():
        stamps = 0 if added is None else int(frame.index.isin(added).sum())
        values = int(target_holes.sum()) - stamps
        parts = [f"{_count(stamps, 'missing timestamp')} in its {freq} calendar"] if stamps else []
        parts += [_count(values, "missing value")] if values else []
        where = _where(frame.index[target_holes.argmax()])
        raise DataError(
            f"The series has gaps: {' and '.join(parts)} (the first {where}). {GAP_ADVICE}"
        )
    for name in frame.columns.drop(target):
        column_holes = holes[name].to_numpy()
        if column_holes.any():
            count, where = int(column_holes.sum()), _where(frame.index[column_holes.argmax()])
            raise DataError(
                f"The extra input '{name}' has {_count(count, 'missing value')} "
                f"(the first {where}). {GAP_ADVICE}"
            )


def _resample(
    frame: pd.DataFrame, freq: str, rule_text: str, how: str, report: CleaningReport
) -> tuple[pd.DataFrame, str]:
    """The frame at a coarser frequency, without partial first and last periods."""
    rule, step = _offset(rule_text), pd.tseries.frequencies.to_offset(freq)
    if rule == step:
        report.add(f"The data are already at frequency {freq}: nothing was resampled.")
        return frame, freq
    if _typical_days(rule) <= _typical_days(step):
        relation = "finer than" if _typical_days(rule) < _typical_days(step) else "no coarser than"
        raise DataError(
            f"Cannot resample to {rule.freqstr}: it is {relation} the data's own frequency "
            f"{freq}. Choose a coarser one, such as W (weeks), MS (months) or QS (quarters)."
        )
    resampled = getattr(frame.resample(rule), how)()
    note = (
        " (the sum is the default; you can take the mean or the last value instead)"
        if how == "sum"
        else ", as chosen"
    )
    report.add(
        f"Resampled from {freq} to {rule.freqstr} by {RESAMPLED_BY[how]}: "
        f"{len(frame)} rows -> {len(resampled)}{note}."
    )
    first_partial = _same_period(frame.index[0] - step, frame.index[0], rule)
    last_partial = _same_period(frame.index[-1], frame.index[-1] + step, rule)
    ends = [
        (which, moment(label))
        for which, label, partial in (
            ("first", resampled.index[0], first_partial),
            ("last", resampled.index[-1], last_partial),
        )
        if partial
    ]
    if ends:
        which = " and ".join(which for which, _ in ends)
        labels = " and ".join(label for _, label in ends)
        noun = "period" if len(ends) == 1 else "periods"
        report.add(
            f"Dropped the {which} {noun} ({labels}), which the data cover only in part: "
            f"{PARTIAL[how]}."
        )
        resampled = resampled.iloc[int(first_partial) : len(resampled) - int(last_partial)]
    return resampled, rule.freqstr


def _offset(rule: str) -> pd.DateOffset:
    try:
        return pd.tseries.frequencies.to_offset(rule)
    except (ValueError, TypeError) as err:
        raise DataError(
            f"{rule!r} is not a frequency to resample to; use for example "
            "'W' (weeks), 'MS' (months) or 'QS' (quarters)."
        ) from err


def _typical_days(offset: pd.DateOffset) -> float:
    """The average length of one step of `offset`, in days."""
    stamps = pd.date_range("2001-01-01", periods=25, freq=offset)
    return (stamps[-1] - stamps[0]) / pd.Timedelta(days=24)


def _same_period(earlier: pd.Timestamp, later: pd.Timestamp, rule: pd.DateOffset) -> bool:
    """Whether two timestamps fall in the same period of `rule`, as resampling bins them."""
    pair = pd.Series([0, 0], index=pd.DatetimeIndex([earlier, later]))
    return len(pair.resample(rule).size()) == 1


def _check_length(values: pd.Series | pd.DataFrame) -> None:
    if len(values) < MIN_POINTS:
        raise DataError(
            f"The series has {len(values)} points after cleaning; at least {MIN_POINTS} are needed."
        )


# Words


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _were(number: int) -> str:
    return "was" if number == 1 else "were"


def _names(names: Sequence[str]) -> str:
    return ", ".join(map(repr, names))


def moment(stamp: pd.Timestamp) -> str:
    """A timestamp without its time of day when it has none."""
    try:
        return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)
    except (NotImplementedError, OverflowError, ValueError):
        return str(stamp)


def _where(label) -> str:
    """Where a row is, in words: its timestamp, or its row number counted from 1."""
    return f"at {moment(label)}" if isinstance(label, pd.Timestamp) else f"at row {label + 1}"
