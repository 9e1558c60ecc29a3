"""Many series from one file: a long table with id columns (store, product), or a wide table
with one column per series. Each series is cleaned as a single series is, with its own report;
a series that cannot be used (too short, no numbers) is left out with the reason, and the
panel's report sums what cleaning did across the series."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from data.dates import detect_date_column
from data.errors import DataError
from data.prepare import CleaningOptions, group_labels, prepare, tidy_names
from data.series import CleaningReport, Series

DEFAULT_OPTIONS = CleaningOptions()
MOST_SERIES = 2_000  # a panel with more is refused, with the count and how to cut it down
LABEL_JOIN = " / "
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Panel:
    """Series by label ("3 / A" for store 3, product A), in the file's order."""

    series: dict[str, Series]
    id_cols: tuple[str, ...]  # the id columns of a long file; () for a wide one
    ids: dict[str, tuple[str, ...]]  # each label's values of the id columns
    left_out: dict[str, str]  # label -> why the series is not used
    report: CleaningReport

    def __len__(self) -> int:
        return len(self.series)

    @property
    def labels(self) -> list[str]:
        return list(self.series)


def read_long(
    table: pd.DataFrame,
    id_cols: Sequence[str],
    date_col: str | None = None,
    target: str | None = None,
    *,
    options: CleaningOptions = DEFAULT_OPTIONS,
    min_length: int = 0,
    read_notes: Sequence[str] = (),
) -> Panel:
    """One series per combination of the id columns' values, each cleaned on its own."""
    table = tidy_names(table, CleaningReport())
    id_cols = tuple(id_cols)
    _check_id_columns(table, id_cols)
    labels = pd.DataFrame({name: group_labels(table[name]) for name in id_cols})
    complete = labels.notna().all(axis=1).to_numpy()
    keys = labels[complete].apply(tuple, axis=1) if id_cols else pd.Series(dtype=object)
    rows = table[complete].drop(columns=list(id_cols))
    groups = dict(list(rows.groupby(keys.to_numpy(), sort=False)))
    _check_count(len(groups), f"combinations of {_quoted(id_cols)}")
    if len(groups) == int(complete.sum()):
        raise DataError(
            f"Each row has its own value of {_quoted(id_cols)}, so these columns cannot name "
            "series (every series would be one row). Choose the columns that repeat for each "
            "series, such as a store or product code."
        )
    report = CleaningReport(list(read_notes))
    unlabelled = int((~complete).sum())
    if unlabelled:
        report.add(f"{_rows(unlabelled)} without a value in {_quoted(id_cols)} left out.")
    built = {
        LABEL_JOIN.join(key): (key, group.reset_index(drop=True)) for key, group in groups.items()
    }
    if len(built) < len(groups):
        raise DataError(
            f"Some values of {_quoted(id_cols)} contain '{LABEL_JOIN.strip()}', so two series "
            f"would have the same name. Replace '{LABEL_JOIN.strip()}' in those values."
        )
    return _panel(built, id_cols, date_col, target, options, min_length, report)


def read_known(
    table: pd.DataFrame,
    id_cols: Sequence[str],
    panel: Panel,
    names: Sequence[str],
    options: CleaningOptions = DEFAULT_OPTIONS,
) -> dict[str, Panel]:
    """Each column of `names` known in advance (a promotion, a price), read as a panel over its
    whole span, past the target's last value too; a planned value is never made up (gaps are
    refused, with their dates)."""
    date_col = next(iter(panel.series.values())).date_col
    planned = replace(options, gaps="refuse")
    return {name: read_long(table, id_cols, date_col, name, options=planned) for name in names}


def read_wide(
    table: pd.DataFrame,
    columns: Sequence[str] | None = None,
    date_col: str | None = None,
    *,
    options: CleaningOptions = DEFAULT_OPTIONS,
    min_length: int = 0,
    read_notes: Sequence[str] = (),
) -> Panel:
    """One series per column (`columns`, or every column but the dates); the date column is
    detected when not named."""
    table = tidy_names(table, CleaningReport())
    if date_col is None:
        date_col = detect_date_column(table)
    chosen = [name for name in table.columns if name != date_col] if columns is None else columns
    missing = [name for name in chosen if name not in table.columns]
    if missing:
        raise DataError(f"The file has no column {_quoted(missing)}; its columns are "
                        f"{_quoted(list(table.columns))}.")  # fmt: skip
    _check_count(len(chosen), "series columns")
    kept = [] if date_col is None else [date_col]
    built = {str(name): ((str(name),), table[[*kept, name]]) for name in chosen}
    return _panel(built, (), date_col, None, options, min_length, CleaningReport(list(read_notes)))


def _panel(
    built: dict[str, tuple[tuple[str, ...], pd.DataFrame]],
    id_cols: tuple[str, ...],
    date_col: str | None,
    target: str | None,
    options: CleaningOptions,
    min_length: int,
    report: CleaningReport,
) -> Panel:
    single = replace(options, group_col=None, group=None)
    series, ids, left_out = {}, {}, {}
    for label, (key, rows) in built.items():
        column = target if id_cols else rows.columns[-1]
        try:
            cleaned = prepare(rows, date_col=date_col, target=column, row_time=date_col is None
                              and not id_cols, options=single)  # fmt: skip
        except DataError as err:
            left_out[label] = str(err)
            continue
        if len(cleaned) < min_length:
            left_out[label] = f"{len(cleaned)} points, fewer than the {min_length} needed"
            continue
        series[label], ids[label] = cleaned, key
    if not series:
        reasons = "; ".join(f"{label}: {why}" for label, why in list(left_out.items())[:3])
        raise DataError(f"No series can be used: {reasons}.")
    _summarise(report, series, left_out, id_cols)
    return Panel(series, id_cols, ids, left_out, report)


def _summarise(
    report: CleaningReport,
    series: dict[str, Series],
    left_out: dict[str, str],
    id_cols: tuple[str, ...],
) -> None:
    """The panel's report: how many series, then each kind of cleaning step and in how many."""
    lengths = [len(one) for one in series.values()]
    where = f" by {_quoted(id_cols)}" if id_cols else ", one per column"
    span = (
        f"{min(lengths)} to {max(lengths)}" if min(lengths) < max(lengths) else f"all {lengths[0]}"
    )
    report.add(
        f"Read {len(series) + len(left_out)} series{where}: {len(series)} used, {span} points each."
    )
    if left_out:
        shown = "; ".join(f"{label} ({why})" for label, why in list(left_out.items())[:5])
        more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
        report.add(f"{len(left_out)} series left out: {shown}{more}.")
    steps = Counter(NUMBER.sub("N", line) for one in series.values() for line in one.report)
    for step, count in steps.most_common():
        report.add(f"In {count} of {len(series)} series: {step}")


def _check_id_columns(table: pd.DataFrame, id_cols: tuple[str, ...]) -> None:
    if not id_cols:
        raise DataError("Name at least one id column (such as store or product).")
    missing = [name for name in id_cols if name not in table.columns]
    if missing:
        raise DataError(f"The file has no column {_quoted(missing)}; its columns are "
                        f"{_quoted(list(table.columns))}.")  # fmt: skip


def _check_count(count: int, what: str) -> None:
    if count > MOST_SERIES:
        raise DataError(
            f"The file holds {count:,} {what}, more than the {MOST_SERIES:,} series one panel "
            "may have. Keep fewer (filter the file, or choose fewer id columns) and try again."
        )


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
