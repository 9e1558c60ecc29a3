"""Future values from a second file: rows of the columns known ahead (a planned promotion, a
price) for dates after the data, added to the data's table before it is read, as if the file
had given them past each series' last value. Nothing in the data is ever overwritten."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from data.dates import detect_date_column, parse_dates
from data.errors import DataError
from data.numbers import is_missing
from data.panel import LABEL_JOIN
from data.prepare import detect_target, group_labels, moment, tidy_names
from data.series import CleaningReport

SHOWN = 5  # rows or columns a refusal names at most


def with_future_rows(
    table: pd.DataFrame,
    future: pd.DataFrame,
    id_cols: Sequence[str],
    date_col: str | None,
    target: str | None,
    known: Sequence[str],
    *,
    name: str = "",
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, str]:
    """The data's table with the rows of `future` (its id, date and `known` columns; the target
    absent or empty) added below, and a line for the cleaning report saying so. Raises
    DataError, naming the file, when a column is missing, a row gives a value to forecast, or
    a row falls on a date the data already has for its series."""
    table = tidy_names(table, CleaningReport())
    future = tidy_names(future, CleaningReport())
    id_cols = tuple(id_cols)
    _check_data(table, (*id_cols, *([date_col] if date_col else []), *known))
    date_col = date_col or _date_column(table, id_cols)
    target = target or detect_target(table.drop(columns=list(id_cols)), exclude=date_col)
    _check_columns(future, (*id_cols, date_col, *known), name)
    if future.empty:
        raise DataError(f"{_file(name)} has no rows below its header: add a row per series and "
                        "date with the values known ahead.")  # fmt: skip
    if target in future.columns:
        _check_target_empty(future, id_cols, date_col, target, name)
    data_stamps, future_stamps = _stamps(
        table[date_col], future[date_col], date_col, dayfirst, name
    )
    data_keys = _keys(table, id_cols, data_stamps)
    future_keys = _keys(future, id_cols, future_stamps)
    _check_placed(future, future_keys, id_cols, date_col, name)
    _check_series(future_keys, data_keys, id_cols, name)
    _check_new(future_keys, data_keys, id_cols, name)
    kept = [column for column in table.columns if column in future.columns and column != target]
    joined = pd.concat([table, future[kept]], ignore_index=True)
    return joined, _note(future_keys, id_cols, future_stamps, name)


def _check_data(table: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise DataError(f"The data has no column {_quoted(missing)}; its columns are "
                        f"{_quoted(list(table.columns))}.")  # fmt: skip


def _date_column(table: pd.DataFrame, id_cols: tuple[str, ...]) -> str:
    """The date column read_long would find: the first that reads as dates, ids aside."""
    found = detect_date_column(table.drop(columns=list(id_cols)))
    if found is None:
        raise DataError("The data has no column of dates, so future values cannot be placed after "
                        "it. Name the date column.")  # fmt: skip
    return found


def _check_columns(future: pd.DataFrame, needed: Sequence[str], name: str) -> None:
    missing = [column for column in dict.fromkeys(needed) if column not in future.columns]
    if missing:
        raise DataError(
            f"{_file(name)} has no column {_quoted(missing)}. It needs the columns "
            f"{_quoted(list(dict.fromkeys(needed)))} (the same names as in the data); its "
            f"columns are {_quoted(list(future.columns))}."
        )


def _check_target_empty(
    future: pd.DataFrame, id_cols: tuple[str, ...], date_col: str, target: str, name: str
) -> None:
    given = ~is_missing(future[target].astype("string")).fillna(True).to_numpy(bool)
    if given.any():
        row = int(np.flatnonzero(given)[0])
        where = _row_words(future, row, id_cols, date_col)
        raise DataError(
            f"{_file(name)} gives a value to forecast ('{target}' = {future[target].iloc[row]!r} "
            f"{where}) in {_count(int(given.sum()), 'row')}. Future rows hold only the values "
            f"known ahead: leave '{target}' empty there, or remove that column."
        )


def _stamps(
    data_dates: pd.Series,
    future_dates: pd.Series,
    date_col: str,
    dayfirst: bool | None,
    name: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Both files' dates read together, so they are read the same way (day or month first)."""
    both = pd.concat([data_dates, future_dates], ignore_index=True)
    try:
        stamps = parse_dates(both, date_col, dayfirst=dayfirst).stamps.to_numpy()
    except DataError as err:
        raise DataError(f"{_file(name)} and the data, their dates read together: {err}") from err
    return stamps[: len(data_dates)], stamps[len(data_dates) :]


def _keys(frame: pd.DataFrame, id_cols: tuple[str, ...], stamps: np.ndarray) -> pd.MultiIndex:
    """(id values..., timestamp) of each row; missing where a cell is blank or unreadable."""
    labels = [group_labels(frame[column]).to_numpy(object) for column in id_cols]
    return pd.MultiIndex.from_arrays([*labels, stamps], names=[*id_cols, None])


def _check_placed(
    future: pd.DataFrame, keys: pd.MultiIndex, id_cols: tuple[str, ...], date_col: str, name: str
) -> None:
    """Each future row names its series and a readable date."""
    for level, column in enumerate((*id_cols, date_col)):
        blank = np.asarray(pd.isna(keys.get_level_values(level)), dtype=bool)
        if blank.any():
            row = int(np.flatnonzero(blank)[0])
            value = future[column].iloc[row]
            empty = bool(is_missing(pd.Series([value], dtype="string")).all())
            what = "no value" if empty else f"{value!r}, not a date,"
            raise DataError(
                f"Row {row + 1} below the header of {_file(name, lower=True)} has {what} in "
                f"'{column}'. Every future row needs its series and a date: fill it in or remove "
                "the row."
            )


def _check_series(
    future_keys: pd.MultiIndex, data_keys: pd.MultiIndex, id_cols: tuple[str, ...], name: str
) -> None:
    """Each future row is for a series the data has: a misspelt id is named, not a new series."""
    if not id_cols:
        return
    series = _series(future_keys)
    unknown = list(series[~series.isin(_series(data_keys))].unique())
    if unknown:
        shown = ", ".join(f"'{_label(key)}'" for key in unknown[:SHOWN])
        more = f" and {len(unknown) - SHOWN} more" if len(unknown) > SHOWN else ""
        raise DataError(
            f"{_file(name)} has rows for {shown}{more}: no series of the data (by "
            f"{_quoted(id_cols)}) has those values. Write them as the data does."
        )


def _check_new(
    future_keys: pd.MultiIndex, data_keys: pd.MultiIndex, id_cols: tuple[str, ...], name: str
) -> None:
    """No future row repeats a date its series has, in the data or in the future file."""
    for clash, where in ((future_keys.isin(data_keys), "the data already has"),
                         (future_keys.duplicated(), "it gives twice")):  # fmt: skip
        if clash.any():
            key = future_keys[int(np.flatnonzero(clash)[0])]
            series = f" for '{_label(key[:-1])}'" if id_cols else ""
            raise DataError(
                f"{_file(name)} has a row{series} at {moment(pd.Timestamp(key[-1]))}, a date "
                f"{where}{series}. Future rows add dates after the data's and never replace "
                f"a value: remove the row, or correct its date ({_count(int(clash.sum()), 'row')}"
                " in all)."
            )


def _note(keys: pd.MultiIndex, id_cols: tuple[str, ...], stamps: np.ndarray, name: str) -> str:
    """The cleaning report's line: how many rows were added, from which file, for what."""
    first, last = (moment(pd.Timestamp(stamp)) for stamp in (stamps.min(), stamps.max()))
    span = first if first == last else f"{first} to {last}"
    among = f" for {_count(len(_series(keys).unique()), 'series', 'series')}" if id_cols else ""
    source = f" from '{name}'" if name else " from the file of future values"
    return f"Added {_count(len(keys), 'row')} of future values{source}{among}, {span}."


def _series(keys: pd.MultiIndex) -> pd.MultiIndex:
    """The series (id values) of each row's key, its date left off."""
    return pd.MultiIndex.from_arrays([keys.get_level_values(k) for k in range(keys.nlevels - 1)])


def _row_words(future: pd.DataFrame, row: int, id_cols: tuple[str, ...], date_col: str) -> str:
    ids = ", ".join(f"{column} {future[column].iloc[row]}" for column in id_cols)
    return f"at {future[date_col].iloc[row]}" + (f" for {ids}" if ids else "")


def _label(key: tuple) -> str:
    return LABEL_JOIN.join(map(str, key))


def _file(name: str, lower: bool = False) -> str:
    words = f"the file of future values '{name}'" if name else "the file of future values"
    return words if lower else words[0].upper() + words[1:]


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _count(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
