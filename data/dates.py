"""Dates in a user's column: which column holds them, and how its cells read as timestamps."""

from __future__ import annotations

import calendar
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.errors import DataError

DATE_PARSE_SHARE = 0.9  # of the non-empty cells, or the column does not hold dates
DETECT_SAMPLE = 200  # cells read per column when looking for the date column
PLAN_SAMPLE = 100  # cells from the start, and as many spread over the rest, to learn formats
FALLBACK_PROBE = 200  # leftover cells tried with the slow, guessing parser before all of them
UNIT = "datetime64[us]"
CHUNK = 1_000_000  # cells parsed at a time: pandas makes a Python string of each while it parses
DATE_WORDS = frozenset(
    {"date", "datetime", "time", "timestamp", "ts", "dt", "ds", "epoch", "unix", "period"}
    | {"day", "week", "month", "quarter", "year", "yyyymmdd", "datum", "fecha"}
)

FIRST_YEAR, LAST_YEAR = 1000, 2999
FIRST_YMD, LAST_YMD = 10000101, 29991231
LAST_EPOCH = 4_102_444_800  # 2100-01-01 in Unix seconds
FIRST_EPOCH = 631_152_000  # 1990-01-01: the earliest for a column whose name says nothing
FIRST_EPOCH_NAMED = 100_000_000  # 1973-03-03: the earliest for a column named like time
EPOCH_UNITS = {"s": (1, 60), "ms": (1000, 1000)}  # unit: (per second, round step when unnamed)
EPOCH_WORDS = {"s": "seconds", "ms": "milliseconds"}

ORDER_NAME = {True: "day/month/year", False: "month/day/year"}
ORDER_SHORT = {True: "day/month", False: "month/day"}
MONTHS = frozenset(name.lower() for name in [*calendar.month_abbr[1:], *calendar.month_name[1:]])
QUARTER, WEEK, DAY_MONTH = "quarter", "week", "day-month"

WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
INTEGER_TEXT = r"[+-]?\d+(?:\.0*)?"
YEAR_DIGITS = "[0-9]{4}"  # a guessed date must show its year
NOT_A_DATE = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?|\d{1,2}:\d{2}(?::\d{2})?"
# Patterns run over whole columns avoid \d and \s, which keep pandas from using pyarrow.
ZONE = r"(?:Z|UTC|GMT|[+-][0-9][0-9](?::?[0-9][0-9])?)"
ZONED = r"[0-9]:[0-9][0-9](?::[0-9][0-9])?(?:[.,][0-9]+)? *" + ZONE + "$"
ZONE_SUFFIX = " *" + ZONE + "$"
DAY_MONTH_PARTS = r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})"
ISO_ORDER = {True: r"\3-\2-\1", False: r"\3-\1-\2"}  # day/month/year parts as year-month-day
ISO_CLOCK = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)?$"
DAY_MONTH_ISO = r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}" + ISO_CLOCK  # rewritable as ISO
ZONE_TAIL = re.compile(r"(Z|UTC|GMT|(?P<sign>[+-])(?P<hours>\d\d):?(?P<minutes>\d\d)?)$")
CLOCK = re.compile(
    r"(?P<sep>T|\s+)(?P<hour>\d{1,2}):\d{2}(?P<sec>:\d{2})?(?P<frac>[.,]\d+)?"
    r"(?:(?P<gap>\s*)(?P<ampm>[AP]M))?$",
    re.IGNORECASE,
)
QUARTER_PARTS = (
    r"^(?:(?P<y1>\d{4})\s*[-/ ]?\s*[Qq](?P<q1>[1-4])|[Qq](?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>\d{4}))$"
)
WEEK_PARTS = r"^(?P<y>\d{4})-?[Ww](?P<w>\d{1,2})(?:-?(?P<d>[1-7]))?$"


@dataclass(frozen=True)
class ParsedDates:
    """A column read as timestamps, with what the user should be told about how."""

    stamps: pd.Series  # datetime64 (naive), same index as the input; NaT where unreadable
    notes: list[str]  # report lines for the user
    dayfirst: bool | None  # the order used for dd/mm vs mm/dd dates, None if not applicable
    ambiguous: bool  # True when the data could not decide that order (the user may flip it)
    zone: str | None = None  # the zone the stamps' wall times are in ("UTC-05:00"), if written


class _OrderRefused(Exception):
    """The forced day/month order does not fit a cell that the other order reads."""

    def __init__(self, example: str, dayfirst: bool) -> None:
        super().__init__(example)
        self.example, self.dayfirst = example, dayfirst


@dataclass
class _Order:
    stamps: np.ndarray  # (n,) datetime64[us]
    dayfirst: bool
    ambiguous: bool
    note: str


@dataclass
class _Reading:
    stamps: np.ndarray  # (n,) datetime64[us], one per non-empty cell
    notes: list[str]
    dayfirst: bool | None = None
    ambiguous: bool = False
    zone: str | None = None


# Which column


def hints_date(name: object) -> bool:
    """Whether a column name has a word such as 'date', 'Month' or 'ts' (not 'downloads')."""
    for word in WORD.findall(str(name)):
        word = word.lower()
        if word in DATE_WORDS or (word.endswith("s") and word[:-1] in DATE_WORDS):
            return True
    return False


def detect_date_column(table: pd.DataFrame, exclude: str | None = None) -> str | None:
    """The first column whose values read as dates, trying names like 'date' or 'month' first."""
    positions = [k for k, column in enumerate(table.columns) if column != exclude]
    hinted = [k for k in positions if hints_date(table.columns[k])]
    named = set(hinted)
    for position in hinted + [k for k in positions if k not in named]:
        if looks_like_dates(table.iloc[:, position], hinted=position in named):
            return table.columns[position]
    return None


def looks_like_dates(column: pd.Series, hinted: bool) -> bool:
    """Whether a sample of the column reads as dates; `hinted`: its name says it holds time."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return bool(column.notna().any())
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return _numbers_look_like_dates(_floats(column.iloc[:DETECT_SAMPLE]), hinted)
    sample, _ = _texts(column.iloc[:DETECT_SAMPLE])
    if sample.empty or sample.str.contains(r"\d").mean() < DATE_PARSE_SHARE:
        return False
    if _is_integer_text(sample):
        return _numbers_look_like_dates(_floats(pd.to_numeric(sample, errors="coerce")), hinted)
    return bool((~np.isnat(_read_texts(sample, None).stamps)).mean() >= DATE_PARSE_SHARE)


def _numbers_look_like_dates(numbers: np.ndarray, hinted: bool) -> bool:
    values = numbers[~np.isnan(numbers)]
    if values.size == 0 or not np.isfinite(values).all():
        return False
    low, high, whole = values.min(), values.max(), bool((values % 1 == 0).all())
    if whole and low >= FIRST_YEAR and high <= LAST_YEAR:
        return _years_in_order(values, strict=not hinted)
    if whole and low >= FIRST_YMD and high <= LAST_YMD:
        return hinted and not np.isnat(_ymd_stamps(values)).any()
    for per_second, round_step in EPOCH_UNITS.values():
        first = (FIRST_EPOCH_NAMED if hinted else FIRST_EPOCH) * per_second
        if first <= low and high <= LAST_EPOCH * per_second:
            return hinted or (whole and _evenly_stepped(values, round_step))
    return False


def _years_in_order(years: np.ndarray, strict: bool) -> bool:
    """In order either way; `strict`: ascending one apart, like an unnamed index of years."""
    steps = np.diff(years)
    if strict:
        return years.size > 2 and bool((steps == 1).all())
    return bool((steps >= 0).all() or (steps <= 0).all())


def _evenly_stepped(values: np.ndarray, round_step: int) -> bool:
    """At least 3 distinct values on a grid whose step is a multiple of `round_step`."""
    distinct = np.unique(values)
    return distinct.size >= 3 and _regular(np.diff(distinct), distinct.size, round_step)


def _regular(steps: np.ndarray, count: int, round_step: float = 1) -> bool:
    """Steps all multiples of the smallest, which is a multiple of `round_step`, few gaps."""
    step = steps.min()
    if step <= 0 or step % round_step:
        return False
    return bool((steps % step == 0).all()) and steps.sum() / step + 1 <= 2 * count


# Reading a column


def parse_dates(column: pd.Series, name: str, dayfirst: bool | None = None) -> ParsedDates:
    """Timestamps from the column's cells; NaT where a cell is empty or unreadable.

    `dayfirst` forces the order of dates such as 03/04/2020; None decides it from the data.
    Raises DataError, written for the user, when the column does not hold dates.
    """
    if pd.api.types.is_datetime64_any_dtype(column):
        return _from_datetimes(column)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        numbers = _floats(column)
        positions = np.flatnonzero(~np.isnan(numbers))
        if positions.size == 0:
            raise _empty(name)
        return _full(column, _read_numbers(numbers[positions], name), positions)
    texts, positions = _texts(column)
    if texts.empty:
        raise _empty(name)
    if _is_integer_text(texts.iloc[:DETECT_SAMPLE]):
        numbers = _floats(pd.to_numeric(texts, errors="coerce"))
        return _full(column, _read_numbers(numbers, name), positions)
    try:
        reading = _read_texts(texts, dayfirst)
    except _OrderRefused as refused:
        raise DataError(
            f"Column '{name}' cannot be read as {ORDER_NAME[refused.dayfirst]}: "
            f"{refused.example!r} is not a date that way. "
            f"Read it as {ORDER_NAME[not refused.dayfirst]}."
        ) from None
    unread = np.isnat(reading.stamps)
    if unread.mean() > 1 - DATE_PARSE_SHARE:
        raise DataError(
            f"Column '{name}' does not hold dates (for example {texts[unread].iloc[0]!r}). "
            "Choose the right date column, or none to use the row number as time."
        )
    return _full(column, reading, positions)


EARLIEST, LATEST = np.datetime64("1000-01-01", "us"), np.datetime64("9999-12-31T23:59:59", "us")


def _empty(name: str) -> DataError:
    return DataError(
        f"Column '{name}' is empty: it holds no dates. "
        "Choose the right date column, or none to use the row number as time."
    )


def _full(column: pd.Series, reading: _Reading, positions: np.ndarray | None) -> ParsedDates:
    """The reading of the non-empty cells at `positions` (None: all), spread over the column."""
    if positions is None:  # the reading's own array, not a copy
        stamps = reading.stamps.astype(UNIT, copy=False)
    else:
        stamps = np.full(len(column), np.datetime64("NaT"), dtype=UNIT)
        stamps[positions] = reading.stamps
    outside = (stamps < EARLIEST) | (stamps > LATEST)  # NaT compares False: stays as it is
    stamps[outside] = np.datetime64("NaT")
    series = pd.Series(stamps, index=column.index, name=column.name, copy=False)
    return ParsedDates(series, reading.notes, reading.dayfirst, reading.ambiguous, reading.zone)


def _from_datetimes(column: pd.Series) -> ParsedDates:
    notes, zone = [], None
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        zone = str(column.dt.tz)
        notes.append(f"Times are kept in {zone}, the zone written in the file.")
        column = column.dt.tz_localize(None)
    return ParsedDates(column.astype(UNIT), notes, None, False, zone)


def _floats(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _texts(column: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """The non-empty cells as stripped strings (on a RangeIndex), and their positions.

    The positions are None when every cell is filled.
    """
    known = column.notna().to_numpy(dtype=bool)
    texts = _strip(_where(column, known).astype(str))
    filled = (texts != "").to_numpy(dtype=bool)
    if known.all() and filled.all():
        return texts.reset_index(drop=True), None
    return _where(texts, filled).reset_index(drop=True), np.flatnonzero(known)[filled]


def _strip(texts: pd.Series) -> pd.Series:
    """texts.str.strip(); the same texts, not a copy, when no cell has whitespace around it."""
    for start in range(0, len(texts), CHUNK):
        chunk = texts.iloc[start : start + CHUNK]
        if (chunk.str.strip() != chunk).any():
            return texts.str.strip()
    return texts


def _where(column: pd.Series, keep: np.ndarray) -> pd.Series:
    """column[keep], without a copy when every cell is kept."""
    return column if keep.all() else column[keep]


def _is_integer_text(texts: pd.Series) -> bool:
    return bool(texts.str.fullmatch(INTEGER_TEXT).mean() >= DATE_PARSE_SHARE)


# Numbers: years, yyyymmdd, Unix time


def _read_numbers(numbers: np.ndarray, name: str) -> _Reading:
    """Whole years, yyyymmdd, or Unix seconds or milliseconds; NaN: a cell that is no number."""
    whole = numbers % 1 == 0
    readers: list[tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], str | None]] = [
        (whole & (numbers >= FIRST_YEAR) & (numbers <= LAST_YEAR), _year_stamps, None),
        (whole & (numbers >= FIRST_YMD) & (numbers <= LAST_YMD), _ymd_stamps, None),
    ]
    for unit, (per_second, _) in EPOCH_UNITS.items():
        first, last = FIRST_EPOCH_NAMED * per_second, LAST_EPOCH * per_second
        note = f"Read '{name}' as Unix time in {EPOCH_WORDS[unit]}."
        read = lambda seconds, unit=unit: _epoch_stamps(seconds, unit)  # noqa: E731
        readers.append(((numbers >= first) & (numbers <= last), read, note))
    for inside, read, note in readers:
        if inside.mean() >= DATE_PARSE_SHARE:
            stamps = np.full(numbers.size, np.datetime64("NaT"), dtype=UNIT)
            stamps[inside] = read(numbers[inside])
            if (~np.isnat(stamps)).mean() >= DATE_PARSE_SHARE:
                return _Reading(stamps, [note] if note else [])
    raise DataError(
        f"Column '{name}' holds plain numbers, not dates. "
        "Choose another date column, or none to use the row number as time."
    )


def _year_stamps(years: np.ndarray) -> np.ndarray:
    return (years.astype(np.int64) - 1970).astype("datetime64[Y]").astype(UNIT)


def _ymd_stamps(numbers: np.ndarray) -> np.ndarray:
    digits = numbers.astype(np.int64)
    parts = {"year": digits // 10000, "month": digits // 100 % 100, "day": digits % 100}
    return pd.to_datetime(pd.DataFrame(parts), errors="coerce").to_numpy(UNIT)


def _epoch_stamps(numbers: np.ndarray, unit: str) -> np.ndarray:
    return pd.to_datetime(numbers, unit=unit).to_numpy(UNIT)


# Text


def _read_texts(texts: pd.Series, dayfirst: bool | None) -> _Reading:
    """Read stripped strings on a RangeIndex: learn their formats from a sample, then parse."""
    texts = texts.reset_index(drop=True)
    walls, offsets = _split_zones(texts)
    stamps = np.full(len(walls), np.datetime64("NaT"), dtype=UNIT)
    order: _Order | None = None
    for key, templates in _plan(walls):
        todo = np.isnat(stamps)
        if not todo.any():
            break
        if key == DAY_MONTH:
            order = _read_day_month(walls[todo], templates, dayfirst)
            stamps[todo] = order.stamps
        else:
            stamps[todo] = _read_format(walls[todo], key)
    _read_leftovers(walls, stamps, bool(order.dayfirst) if order else False)
    stamps, notes, zone = _apply_zones(stamps, offsets)
    if order is None:
        return _Reading(stamps, notes, zone=zone)
    return _Reading(stamps, [order.note, *notes], order.dayfirst, order.ambiguous, zone)


def _plan(texts: pd.Series) -> list[tuple[str, list[str]]]:
    """The formats found in a sample, most common first; day/month templates as one entry."""
    step = max(1, len(texts) // PLAN_SAMPLE)
    positions = np.r_[: min(PLAN_SAMPLE, len(texts)), PLAN_SAMPLE : len(texts) : step]
    sample = [texts.iloc[position] for position in positions]  # pyarrow's take copies it all
    shapes = {text: _shape_of(text) for text in dict.fromkeys(sample)}
    counts = Counter(shapes[text] for text in sample)
    counts.pop(None, None)
    templates = [key[len(DAY_MONTH) :] for key in counts if key.startswith(DAY_MONTH)]
    grouped = Counter({key: n for key, n in counts.items() if not key.startswith(DAY_MONTH)})
    if templates:
        grouped[DAY_MONTH] = sum(n for key, n in counts.items() if key.startswith(DAY_MONTH))
    return [(key, templates if key == DAY_MONTH else []) for key, _ in grouped.most_common()]


def _shape_of(text: str) -> str | None:
    """The format of one cell: a strptime format, QUARTER, WEEK, or DAY_MONTH + a template."""
    clock, day = "", text
    found = CLOCK.search(text)
    if found:
        clock, day = _clock_format(found), text[: found.start()]
    for pattern, build in SHAPES:
        match = pattern.fullmatch(day)
        if match:
            key = build(match)
            if key in (QUARTER, WEEK, None):
                return None if clock else key
            if key == "%Y-%m-%d" and "%p" not in clock:
                return "ISO8601"
            return key + clock
    return None


def _clock_format(found: re.Match) -> str:
    clock = ("T" if found["sep"] in "Tt" else " ") + ("%I" if found["ampm"] else "%H") + ":%M"
    clock += ":%S" if found["sec"] else ""
    clock += found["frac"][0] + "%f" if found["frac"] else ""
    return clock + ((" " if found["gap"] else "") + "%p" if found["ampm"] else "")


def _month_format(name: str) -> str | None:
    if name.lower() not in MONTHS:
        return None
    return "%b" if len(name) == 3 else "%B"


def _year(match: re.Match) -> str:
    return "%Y" if len(match["year"]) == 4 else "%y"


def _with_month(template: str, match: re.Match) -> str | None:
    month = _month_format(match["month"])
    return None if month is None else template.format(**{**match.groupdict(), "month": month})


SHAPES: list[tuple[re.Pattern, Callable[[re.Match], str | None]]] = [
    (re.compile(pattern, re.IGNORECASE), build)
    for pattern, build in [
        (QUARTER_PARTS[1:-1], lambda m: QUARTER),
        (WEEK_PARTS[1:-1], lambda m: WEEK),
        (r"\d{4}-\d{1,2}-\d{1,2}", lambda m: "%Y-%m-%d"),
        (
            r"\d{4}(?P<sep>[/.])\d{1,2}(?P=sep)\d{1,2}",
            lambda m: "%Y{sep}%m{sep}%d".format_map(m.groupdict()),
        ),
        (r"\d{8}", lambda m: "%Y%m%d"),
        (
            r"\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?P<year>\d{4}|\d{2})",
            lambda m: (
                DAY_MONTH + "{{first}}{sep}{{second}}{sep}".format_map(m.groupdict()) + _year(m)
            ),
        ),
        (r"\d{4}(?P<sep>[-/.M])\d{1,2}", lambda m: "%Y{sep}%m".format_map(m.groupdict())),
        (r"\d{1,2}(?P<sep>[-/.])\d{4}", lambda m: "%m{sep}%Y".format_map(m.groupdict())),
        (
            r"(?P<month>[a-z]{3,9})(?P<sep>[ -]?)(?P<year>\d{4}|\d{2})",
            lambda m: _with_month("{month}{sep}" + _year(m), m),
        ),
        (r"\d{4}(?P<sep>[ -]?)(?P<month>[a-z]{3,9})", lambda m: _with_month("%Y{sep}{month}", m)),
        (
            r"\d{1,2}(?P<sep>[ /-]?)(?P<month>[a-z]{3,9})(?P=sep)(?P<year>\d{4}|\d{2})",
            lambda m: _with_month("%d{sep}{month}{sep}" + _year(m), m),
        ),
        (
            r"(?P<month>[a-z]{3,9}) \d{1,2}(?P<comma>,?) \d{4}",
            lambda m: _with_month("{month} %d{comma} %Y", m),
        ),
    ]
]


def _read_format(texts: pd.Series, key: str) -> np.ndarray:
    if key == QUARTER:
        return _read_quarters(texts)
    if key == WEEK:
        return _read_weeks(texts)
    return _parse(texts, format=key)


def _read_formats(texts: pd.Series, formats: list[str]) -> np.ndarray:
    """Each format in turn on the cells the ones before could not read."""
    stamps = np.full(len(texts), np.datetime64("NaT"), dtype=UNIT)
    for fmt in formats:
        todo = np.isnat(stamps)
        if not todo.any():
            break
        stamps[todo] = _read_format(texts[todo], fmt)
    return stamps


def _parse(texts: pd.Series, **options) -> np.ndarray:
    """pd.to_datetime(texts, errors="coerce", **options), naive, read CHUNK cells at a time.

    Every option used here reads each cell on its own, so chunks give the same stamps.
    """
    stamps = np.empty(len(texts), dtype=UNIT)
    for start in range(0, len(texts), CHUNK):
        chunk = texts.iloc[start : start + CHUNK]
        stamps[start : start + CHUNK] = _naive(pd.to_datetime(chunk, errors="coerce", **options))
    return stamps


def _naive(stamps: pd.Series) -> np.ndarray:
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    return stamps.to_numpy(UNIT)


def _read_quarters(texts: pd.Series) -> np.ndarray:
    """'2020Q1', '2020-Q1', '2020 Q1', 'Q1 2020', 'Q1-2020' -> the first day of the quarter."""
    parts = texts.str.extract(QUARTER_PARTS).astype("float64")
    years = parts["y1"].fillna(parts["y2"]).to_numpy()
    quarters = parts["q1"].fillna(parts["q2"]).to_numpy()
    return _month_stamps(years, (quarters - 1) * 3 + 1)


def _month_stamps(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    stamps = np.full(len(years), np.datetime64("NaT"), dtype=UNIT)
    known = ~np.isnan(years) & ~np.isnan(months)
    count = (years[known] - 1970) * 12 + months[known] - 1
    stamps[known] = count.astype(np.int64).astype("datetime64[M]").astype(UNIT)
    return stamps


def _read_weeks(texts: pd.Series) -> np.ndarray:
    """ISO weeks such as '2020-W05' (its Monday) or '2020-W05-3' (its Wednesday)."""
    parts = texts.str.extract(WEEK_PARTS)
    normal = parts["y"] + "-W" + parts["w"].str.zfill(2) + "-" + parts["d"].fillna("1")
    return _parse(normal, format="%G-W%V-%u")


# Day/month order


def _read_day_month(texts: pd.Series, templates: list[str], dayfirst: bool | None) -> _Order:
    """Read dd/mm or mm/dd dates in the order the data (or `dayfirst`) says."""
    readings = {first: _read_in_order(texts, templates, first) for first in (True, False)}
    only = {
        first: ~np.isnat(readings[first]) & np.isnat(readings[not first]) for first in (True, False)
    }
    if dayfirst is not None and only[not dayfirst].any():
        raise _OrderRefused(texts[only[not dayfirst]].iloc[0], dayfirst)
    if only[True].any() or only[False].any():
        decided = bool(only[True].sum() >= only[False].sum())
        example = texts[only[decided]].iloc[0]
        note = f"Dates were read as {ORDER_NAME[decided]} ({example!r} reads only that way)."
        return _Order(readings[decided], decided, False, note)
    even = {first: _evenly_spaced(readings[first]) for first in (True, False)}
    if even[True] != even[False]:
        decided = even[True]
        if dayfirst is None or dayfirst == decided:
            note = (
                f"Dates were read as {ORDER_NAME[decided]}: "
                "only that order gives evenly spaced dates."
            )
            return _Order(readings[decided], decided, False, note)
        note = f"Dates were read as {ORDER_NAME[dayfirst]}, as chosen."
        return _Order(readings[dayfirst], dayfirst, False, note)
    chosen = bool(dayfirst)
    how = ". You can flip this." if dayfirst is None else ", as chosen. You can flip this."
    note = f"The dates could be read day-first or month-first; read as {ORDER_SHORT[chosen]}{how}"
    return _Order(readings[chosen], chosen, True, note)


def _read_in_order(texts: pd.Series, templates: list[str], dayfirst: bool) -> np.ndarray:
    """Dates such as 31/01/2020 read day-first or month-first.

    With a 4-digit year and a 24-hour clock, they are rewritten as ISO (fast); else strptime.
    """
    stamps = np.full(len(texts), np.datetime64("NaT"), dtype=UNIT)
    fast = texts.str.contains(DAY_MONTH_ISO).to_numpy(dtype=bool)
    if fast.any():
        iso = texts[fast].str.replace(DAY_MONTH_PARTS, ISO_ORDER[dayfirst], regex=True)
        stamps[fast] = _parse(iso, format="ISO8601")
    if not fast.all():
        first, second = ("%d", "%m") if dayfirst else ("%m", "%d")
        formats = [template.format(first=first, second=second) for template in templates]
        stamps[~fast] = _read_formats(texts[~fast], formats)
    return stamps


def _evenly_spaced(stamps: np.ndarray) -> bool:
    """Distinct timestamps on a fixed step (daily, weekly, ...) or a calendar-month step."""
    distinct = np.unique(stamps[~np.isnat(stamps)])
    if distinct.size < 3:
        return False
    if _regular(np.diff(distinct).astype(np.int64), distinct.size):
        return True
    index = pd.DatetimeIndex(distinct)
    same_day = index.day.nunique() == 1 or bool(index.is_month_end.all())
    if not same_day or (index - index.normalize()).nunique() != 1:
        return False
    months = np.asarray(index.year * 12 + index.month, dtype=np.int64)
    return _regular(np.diff(months), distinct.size)


# Leftovers, read by guessing


def _read_leftovers(texts: pd.Series, stamps: np.ndarray, dayfirst: bool) -> None:
    """Cells in no known format, with a year, read by pandas' guessing parser if a probe reads."""
    todo = np.isnat(stamps)
    if not todo.any():
        return
    left = texts[todo]
    left = left[left.str.contains(YEAR_DIGITS) & ~left.str.fullmatch(NOT_A_DATE)]
    if left.empty:
        return
    probe = _guess(left.iloc[:FALLBACK_PROBE], dayfirst)
    if (~np.isnat(probe)).mean() < 0.5:
        return
    stamps[left.index] = probe if len(left) <= FALLBACK_PROBE else _guess(left, dayfirst)


def _guess(texts: pd.Series, dayfirst: bool) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _parse(texts, format="mixed", utc=True, dayfirst=dayfirst)


# Time zones


def _split_zones(texts: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """Times without their zone marks, and each cell's offset in minutes (NaN: none written)."""
    zoned = texts.str.contains(ZONED).to_numpy(dtype=bool)
    if not zoned.any():
        return texts, None
    tails = texts[zoned].str[-6:]
    minutes = {tail: _zone_minutes(tail) for tail in tails.unique()}
    offsets = np.full(len(texts), np.nan)
    offsets[zoned] = tails.map(minutes).to_numpy(dtype=np.float64)
    stripped = texts[zoned].str.replace(ZONE_SUFFIX, "", regex=True)
    walls = texts.mask(pd.Series(zoned, index=texts.index), stripped)
    return walls, offsets


def _zone_minutes(tail: str) -> float:
    found = ZONE_TAIL.search(tail)
    if found is None or not found["sign"]:
        return 0.0
    minutes = int(found["hours"]) * 60 + int(found["minutes"] or 0)
    return float(-minutes if found["sign"] == "-" else minutes)


def _zone_name(minutes: float) -> str:
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(int(minutes)), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"


def _apply_zones(
    stamps: np.ndarray, offsets: np.ndarray | None
) -> tuple[np.ndarray, list[str], str | None]:
    """Every time as a wall time in the zone most rows use, and that zone (None when the file
    writes none, or when only the times of day are kept); the note says which zone."""
    if offsets is None:
        return stamps, [], None
    read = ~np.isnat(stamps)
    zoned = read & ~np.isnan(offsets)
    if not zoned.any():
        return stamps, [], None
    zones, counts = np.unique(offsets[zoned], return_counts=True)
    target = zones[counts.argmax()]
    name = zone = _zone_name(target)
    if zones.size == 1:
        notes = [f"Times are kept in {name}, the zone written in the file."]
    elif _same_time_of_day(stamps[zoned]):
        names = ", ".join(_zone_name(zone) for zone in zones)
        notes = [f"Times were kept at their local time of day; their zones ({names}) were dropped."]
        zone = None
    else:
        shift = ((offsets[zoned] - target) * 60_000_000).astype(np.int64).astype("timedelta64[us]")
        stamps = stamps.copy()
        stamps[zoned] -= shift
        notes = [f"Times were converted to {name}, the zone most rows use."]
    unzoned = int((read & np.isnan(offsets)).sum())
    if unzoned:
        notes.append(f"{unzoned} times without a zone were taken to be in {name}.")
    return stamps, notes, zone


def _same_time_of_day(stamps: np.ndarray) -> bool:
    return np.unique(stamps - stamps.astype("datetime64[D]")).size == 1
