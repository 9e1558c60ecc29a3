"""Inputs known in advance: where each step falls in the day, week, month and year (as a point
on a circle, so that December sits beside January), the public holidays of a country and region
in each of the next steps, and columns the user knows ahead (a planned promotion, a price).

The holiday inputs of a step say, for each of the `horizon` steps after it, how many holiday
days that step holds: the network reads them at the window's last step, so a forecast knows
which of its days or weeks hold a holiday.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from data.errors import DataError
from data.prepare import moment
from data.series import CleaningReport, Series

# (name, the position in its cycle from a DatetimeIndex, the cycle's length), chosen by the
# frequency's unit: a cycle shorter than two steps says nothing
CYCLES: dict[str, list[tuple[str, Callable[[pd.DatetimeIndex], np.ndarray], float]]] = {
    "hour": [
        ("hour_of_day", lambda index: index.hour + index.minute / 60, 24),
        ("day_of_week", lambda index: index.day_of_week + index.hour / 24, 7),
    ],
    "day": [
        ("day_of_week", lambda index: index.day_of_week, 7),
        ("day_of_month", lambda index: index.day - 1, 31),
        ("day_of_year", lambda index: index.day_of_year - 1, 366),
    ],
    "week": [
        ("week_of_year", lambda index: index.isocalendar().week.to_numpy() - 1, 53),
        ("month_of_year", lambda index: index.month - 1, 12),
    ],
    "month": [("month_of_year", lambda index: index.month - 1, 12)],
    "quarter": [("quarter_of_year", lambda index: index.quarter - 1, 4)],
}
UNITS = {"h": "hour", "min": "hour", "s": "hour", "D": "day", "B": "day", "W": "week",
         "M": "month", "Q": "quarter", "Y": "year"}  # fmt: skip
CALENDAR_PREFIX, HOLIDAY_PREFIX = "calendar:", "holidays:"


def _base(freq: str | None) -> str:
    """A pandas frequency's rule without its multiple or anchor: "2h" -> "h", "QS-OCT" -> "QS"."""
    return pd.tseries.frequencies.to_offset(freq).rule_code.split("-")[0] if freq else ""


def unit_of(freq: str | None) -> str | None:
    """The calendar unit of a pandas frequency ("D" -> "day", "W-SUN" -> "week"), or None."""
    base = _base(freq)
    return UNITS.get(base.rstrip("SE").lstrip("B") or base)  # "BMS", "ME" -> "M"; "B" stays


CALENDAR_BY_DEFAULT = ("day", "week")  # units whose panels read the calendar unless told not to


def calendar_by_default(series: Series) -> bool:
    """Whether a panel of series like this one reads the calendar unless told not to: daily and
    weekly data, dated (measured: bench/holiday_inputs.py)."""
    dated = isinstance(series.index, pd.DatetimeIndex)
    return dated and unit_of(series.freq) in CALENDAR_BY_DEFAULT


def calendar_frame(index: pd.DatetimeIndex, freq: str | None) -> pd.DataFrame:
    """Sine and cosine of each cycle the frequency has, e.g. calendar:day_of_week_sin."""
    unit = unit_of(freq)
    if unit == "year":
        raise DataError(
            "Yearly data has no cycle within a step for calendar inputs to show: leave them "
            "off (holiday inputs still count each year's holidays)."
        )
    if unit is None or not isinstance(index, pd.DatetimeIndex):
        raise DataError(
            "Calendar inputs need dates at a regular frequency (hourly to quarterly); this "
            "series has none. Choose its date column on the Data page, or leave them off."
        )
    columns = {}
    for name, position, length in CYCLES[unit]:
        angle = 2 * np.pi * np.asarray(position(index), dtype=np.float64) / length
        columns[f"{CALENDAR_PREFIX}{name}_sin"] = np.sin(angle)
        columns[f"{CALENDAR_PREFIX}{name}_cos"] = np.cos(angle)
    return pd.DataFrame(columns, index=index)


@functools.lru_cache(maxsize=64)  # a panel's series all ask for the same years
def holiday_dates(code: str, first: int, last: int) -> pd.DatetimeIndex:
    """The public holidays of `code` from year `first` to `last`, sorted: a country ("US"), or
    a country and region ("US-CA")."""
    import holidays  # its country tables load only when asked

    country, _, region = code.strip().upper().partition("-")
    try:
        found = holidays.country_holidays(country, subdiv=region or None,
                                          years=range(first, last + 1))  # fmt: skip
        return pd.DatetimeIndex(sorted(found))
    except NotImplementedError as err:
        raise DataError(
            f"No holidays are known for {code!r} ({err}). Give a country code such as US, GB "
            "or DE, optionally with a region: US-CA."
        ) from err


def holiday_frame(
    index: pd.DatetimeIndex, freq: str | None, horizon: int, code: str
) -> tuple[pd.DataFrame, int]:
    """For each step, the holiday days in each of the next `horizon` steps (holidays:US+1 ...
    holidays:US+h), and how many holidays fall in the data's span."""
    if unit_of(freq) is None or not isinstance(index, pd.DatetimeIndex):
        raise DataError("Holiday inputs need dates at a regular frequency; this series has none.")
    steps = index.append(pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:])
    stamps = holiday_dates(code, steps[0].year, steps[-1].year + 1).as_unit(steps.unit)
    if steps.tz is not None:
        stamps = stamps.tz_localize(steps.tz)
    counts = _holidays_in(steps, stamps, freq)
    name = code.strip().upper()
    frame = pd.DataFrame(
        {
            f"{HOLIDAY_PREFIX}{name}+{ahead}": counts[ahead : ahead + len(index)].astype(float)
            for ahead in range(1, horizon + 1)
        },
        index=index,
    )
    inside = int(counts[: len(index)].sum())
    return frame, inside


def _holidays_in(steps: pd.DatetimeIndex, stamps: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Holiday days in each step: an hour or a day counts its date; a step dated at the end of
    its period (month, quarter or year end: "ME", "QE", "YE") counts the days after the step
    before it up to its date; any other (a week, a month start) its date and the days up to
    the next step."""
    if unit_of(freq) in ("hour", "day"):
        return steps.normalize().isin(stamps).astype(int)
    if _dated_at_end(freq):
        before = pd.DatetimeIndex([steps[0] - (steps[1] - steps[0])]).append(steps[:-1])
        return stamps.searchsorted(steps, side="right") - stamps.searchsorted(before, side="right")
    ends = steps[1:].append(pd.DatetimeIndex([steps[-1] + (steps[-1] - steps[-2])]))
    return stamps.searchsorted(ends) - stamps.searchsorted(steps)


def _dated_at_end(freq: str) -> bool:
    """Whether a frequency's steps are dated at their period's end: "ME", "QE-DEC", "YE"."""
    base = _base(freq)
    return base.endswith("E") and base[:1] in ("M", "Q", "Y", "B")


def with_calendar(
    series: Series, horizon: int, calendar: bool = True, holidays: str | None = None
) -> tuple[Series, tuple[str, ...]]:
    """The series with calendar and holiday inputs among its extra inputs, and their names;
    the report says what was added."""
    frames, report = [], CleaningReport(list(series.report))
    if calendar:
        made = calendar_frame(series.index, series.freq)
        cycles = sorted({name[len(CALENDAR_PREFIX) : -4] for name in made.columns})
        report.add(f"Added calendar inputs: {', '.join(cycles)} (each as a sine and a cosine).")
        frames.append(made)
    if holidays:
        made, inside = holiday_frame(series.index, series.freq, horizon, holidays)
        report.add(
            f"Added holiday inputs for {holidays.strip().upper()}: {inside} holiday days in the "
            f"data's span; each step reads the holidays of the {horizon} steps after it."
        )
        frames.append(made)
    if not frames:
        return series, ()
    added = pd.concat(frames, axis=1)
    extra = added if series.covariates is None else pd.concat([series.covariates, added], axis=1)
    return replace(series, covariates=extra, report=report), tuple(added.columns)


def with_known_ahead(
    series: Series, horizon: int, columns: dict[str, Series]
) -> tuple[Series, tuple[str, ...]]:
    """The series with inputs for columns known in advance (a planned promotion, a price): at
    each step, the column's value there and at each of the next `horizon` steps (promo+0 ...
    promo+h). `columns` are those columns read as series of their own, over their whole span:
    the rows past the target's last value give the forecast steps' values, and a forecast
    step without one is refused with its dates."""
    if not columns:
        return series, ()
    steps = series.index.append(series.future_index(horizon))
    frames, report = {}, CleaningReport(list(series.report))
    for name, column in columns.items():
        values = pd.Series(column.values, index=column.index).reindex(steps)
        lacking = steps[values.isna().to_numpy()]
        if len(lacking):
            shown = ", ".join(moment(stamp) for stamp in lacking[:5])
            more = f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
            raise DataError(
                f"The known-ahead column '{name}' has no value for {shown}{more}. A forecast "
                f"needs it for every step up to {horizon} steps after the last value to "
                f"forecast: add rows with those dates (the value to forecast left empty)."
            )
        for ahead in range(horizon + 1):
            frames[f"{name}+{ahead}"] = values.to_numpy()[ahead : ahead + len(series)]
        report.add(
            f"Added known-ahead inputs for '{name}': its value at each step and at the "
            f"{horizon} steps after it (the last {horizon} read from rows past the data's end)."
        )
    added = pd.DataFrame(frames, index=series.index)
    extra = added if series.covariates is None else pd.concat([series.covariates, added], axis=1)
    return replace(series, covariates=extra, report=report), tuple(added.columns)


@dataclass(frozen=True)
class Ahead:
    """The inputs known in advance a user asked for."""

    calendar: bool = False
    holidays: str | None = None  # a country, or a country and region: "US", "US-CA"
    columns: tuple[str, ...] = ()  # columns of the file known ahead: "promo", "price"

    def __bool__(self) -> bool:
        return self.calendar or bool(self.holidays) or bool(self.columns)


def with_ahead(
    series: Series, horizon: int, ahead: Ahead, columns: dict[str, Series]
) -> tuple[Series, tuple[str, ...]]:
    """The series with every input of `ahead` (`columns`: its known columns, read as series)."""
    series, calendar_names = with_calendar(series, horizon, ahead.calendar, ahead.holidays)
    series, known_names = with_known_ahead(series, horizon, columns)
    return series, calendar_names + known_names
