"""data.dates: which column holds the dates, and how each cell reads as a timestamp."""

import numpy as np
import pandas as pd
import pytest

from data import dates
from data.dates import ParsedDates, detect_date_column, hints_date, looks_like_dates, parse_dates
from data.errors import DataError

AMBIGUOUS_NOTE = (
    "The dates could be read day-first or month-first; read as month/day. You can flip this."
)
NOT_DATES = "Choose the right date column, or none to use the row number as time."
PLAIN_NUMBERS = (
    "Column '{}' holds plain numbers, not dates. "
    "Choose another date column, or none to use the row number as time."
)


def read(cells: list, name: str = "date", **options) -> ParsedDates:
    return parse_dates(pd.Series(cells), name, **options)


def stamps(*texts: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(text) for text in texts]


def assert_reads(cells: list, *expected: str, **options) -> ParsedDates:
    parsed = read(cells, **options)
    assert parsed.stamps.tolist() == stamps(*expected)
    return parsed


# ISO dates and times


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["2020-01-31", "2020-02-01"], ["2020-01-31", "2020-02-01"]),
        (["2020-1-5", "2020-1-6"], ["2020-01-05", "2020-01-06"]),
        (["2020-01-31 13:45", "2020-01-31 14:45"], ["2020-01-31 13:45", "2020-01-31 14:45"]),
        (
            ["2020-01-31T13:45:10", "2020-01-31T14:45:20"],
            ["2020-01-31 13:45:10", "2020-01-31 14:45:20"],
        ),
        (
            ["2020-01-31 13:45:10.250", "2020-01-31T13:45:10.5"],
            ["2020-01-31 13:45:10.250", "2020-01-31 13:45:10.500"],
        ),
        (["2020/01/31", "2020/02/01 06:00"], ["2020-01-31", "2020-02-01 06:00"]),
        (["2020.01.31", "2020.02.01"], ["2020-01-31", "2020-02-01"]),
    ],
    ids=["date", "one-digit", "minutes", "T-seconds", "fractions", "slashes", "dots"],
)
def test_iso_dates_and_times_read_exactly_without_notes(cells, expected):
    parsed = assert_reads(cells, *expected)
    assert parsed.notes == []
    assert (parsed.dayfirst, parsed.ambiguous) == (None, False)


def test_the_result_keeps_the_index_and_name_and_is_naive_datetime():
    column = pd.Series(["2020-01-02", None, "2020-01-01"], index=[7, 7, 3], name="when")
    parsed = parse_dates(column, "when")
    assert parsed.stamps.index.equals(column.index)
    assert parsed.stamps.name == "when"
    assert parsed.stamps.dtype == "datetime64[us]"
    assert parsed.stamps.isna().tolist() == [False, True, False]


def test_one_million_iso_dates_all_read():
    days = pd.date_range("1900-01-01", periods=1_000_000, freq="D")
    parsed = parse_dates(pd.Series(days.strftime("%Y-%m-%d")), "date")
    assert parsed.stamps.notna().all()
    assert parsed.stamps.iloc[-1] == days[-1]


# Time zones


def test_times_in_utc_are_kept_in_utc_and_said():
    parsed = assert_reads(
        ["2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z"], "2020-01-01 10:00", "2020-01-01 11:00"
    )
    assert parsed.notes == ["Times are kept in UTC, the zone written in the file."]


def test_daily_data_at_local_midnight_stays_on_its_own_day():
    cells = ["2020-01-01T00:00:00+01:00", "2020-01-02T00:00:00+01:00", "2020-01-03T00:00:00+01:00"]
    parsed = assert_reads(cells, "2020-01-01", "2020-01-02", "2020-01-03")
    assert parsed.notes == ["Times are kept in UTC+01:00, the zone written in the file."]


def test_mixed_zones_are_converted_to_the_zone_most_rows_use():
    cells = ["2020-01-01 10:00+01:00", "2020-01-01 10:00Z", "2020-01-01 12:00:00 +0100"]
    parsed = assert_reads(cells, "2020-01-01 10:00", "2020-01-01 11:00", "2020-01-01 12:00")
    assert parsed.notes == ["Times were converted to UTC+01:00, the zone most rows use."]


def test_negative_offsets_are_named_and_converted():
    cells = ["2020-06-01T08:00:00-05:00", "2020-06-01T09:00:00-05:00", "2020-06-01T15:00:00Z"]
    parsed = assert_reads(cells, "2020-06-01 08:00", "2020-06-01 09:00", "2020-06-01 10:00")
    assert parsed.notes == ["Times were converted to UTC-05:00, the zone most rows use."]


def test_hourly_times_across_daylight_saving_stay_one_hour_apart():
    hours = pd.date_range("2020-03-29 00:00", periods=5, freq="h", tz="Europe/Paris")
    parsed = read(list(hours.strftime("%Y-%m-%dT%H:%M:%S%z")))
    expected = pd.date_range("2020-03-29 01:00", periods=5, freq="h")
    assert parsed.stamps.tolist() == list(expected)
    assert parsed.notes == ["Times were converted to UTC+02:00, the zone most rows use."]


def test_daily_dates_across_daylight_saving_stay_on_their_local_days():
    days = pd.date_range("2020-03-27", periods=5, freq="D", tz="Europe/Paris")
    parsed = read(list(days.strftime("%Y-%m-%dT%H:%M:%S%z")))
    assert parsed.stamps.tolist() == list(pd.date_range("2020-03-27", periods=5, freq="D"))
    assert parsed.notes == [
        "Times were kept at their local time of day; "
        "their zones (UTC+01:00, UTC+02:00) were dropped."
    ]


def test_times_without_a_zone_beside_zoned_ones_are_taken_in_that_zone():
    cells = ["2020-01-01 10:00", "2020-01-01 11:00+01:00", "2020-01-01 12:00+01:00"]
    parsed = assert_reads(cells, "2020-01-01 10:00", "2020-01-01 11:00", "2020-01-01 12:00")
    assert parsed.notes == [
        "Times are kept in UTC+01:00, the zone written in the file.",
        "1 times without a zone were taken to be in UTC+01:00.",
    ]


def test_a_column_of_zoned_datetimes_is_made_naive_in_its_zone():
    column = pd.Series(pd.date_range("2020-01-01", periods=2, freq="h", tz="UTC"))
    parsed = parse_dates(column, "ts")
    assert parsed.stamps.tolist() == stamps("2020-01-01 00:00", "2020-01-01 01:00")
    assert parsed.notes == ["Times are kept in UTC, the zone written in the file."]


# Day and month order


@pytest.mark.parametrize(
    "cells",
    [
        ["31/01/2020", "01/02/2020", "02/02/2020"],
        ["31-01-2020", "01-02-2020", "02-02-2020"],
        ["31.01.2020", "01.02.2020", "02.02.2020"],
        ["31.01.20", "01.02.20", "02.02.20"],
        ["31/1/2020", "1/2/2020", "2/2/2020"],
    ],
    ids=["slash", "dash", "dot", "two-digit-year", "no-padding"],
)
def test_a_first_number_above_12_makes_dates_day_first(cells):
    parsed = assert_reads(cells, "2020-01-31", "2020-02-01", "2020-02-02")
    assert (parsed.dayfirst, parsed.ambiguous) == (True, False)
    assert parsed.notes == [
        f"Dates were read as day/month/year ({cells[0]!r} reads only that way)."
    ]


def test_a_second_number_above_12_makes_dates_month_first():
    parsed = assert_reads(
        ["01/31/2020", "02/01/2020", "02/02/2020"], "2020-01-31", "2020-02-01", "2020-02-02"
    )
    assert (parsed.dayfirst, parsed.ambiguous) == (False, False)
    assert parsed.notes == ["Dates were read as month/day/year ('01/31/2020' reads only that way)."]


def test_the_deciding_date_may_come_late_in_a_long_column():
    days = pd.date_range("2020-01-01", periods=400, freq="D")
    parsed = read(list(days.strftime("%d/%m/%Y")))
    assert parsed.stamps.tolist() == list(days)
    assert parsed.dayfirst is True


def test_day_month_dates_with_times_and_am_pm():
    parsed = assert_reads(
        ["1/31/2020 1:45 PM", "1/31/2020 2:45:30 PM", "2/1/2020 12:05 AM"],
        "2020-01-31 13:45",
        "2020-01-31 14:45:30",
        "2020-02-01 00:05",
    )
    assert parsed.dayfirst is False
    parsed = assert_reads(
        ["13/01/2020 08:00", "13/01/2020 09:30:15"], "2020-01-13 08:00", "2020-01-13 09:30:15"
    )
    assert parsed.dayfirst is True


def test_only_day_first_gives_evenly_spaced_months():
    cells = [f"01/{month:02d}/{year}" for year in (2020, 2021) for month in range(1, 13)]
    parsed = read(cells)
    assert parsed.stamps.tolist() == list(pd.date_range("2020-01-01", periods=24, freq="MS"))
    assert (parsed.dayfirst, parsed.ambiguous) == (True, False)
    assert parsed.notes == [
        "Dates were read as day/month/year: only that order gives evenly spaced dates."
    ]


def test_only_month_first_gives_evenly_spaced_months():
    cells = [f"{month:02d}/01/{year}" for year in (2020, 2021) for month in range(1, 13)]
    parsed = read(cells)
    assert parsed.stamps.tolist() == list(pd.date_range("2020-01-01", periods=24, freq="MS"))
    assert (parsed.dayfirst, parsed.ambiguous) == (False, False)


def test_undecidable_dates_are_read_month_first_and_said():
    cells = [f"{day:02d}/01/2020" for day in range(1, 13)]  # Jan 1-12 daily, or monthly
    parsed = read(cells)
    assert parsed.stamps.tolist() == list(pd.date_range("2020-01-01", periods=12, freq="MS"))
    assert (parsed.dayfirst, parsed.ambiguous) == (False, True)
    assert parsed.notes == [AMBIGUOUS_NOTE]


def test_undecidable_dates_can_be_flipped_to_day_first():
    cells = [f"{day:02d}/01/2020" for day in range(1, 13)]
    parsed = read(cells, dayfirst=True)
    assert parsed.stamps.tolist() == list(pd.date_range("2020-01-01", periods=12, freq="D"))
    assert (parsed.dayfirst, parsed.ambiguous) == (True, True)
    assert parsed.notes == [
        "The dates could be read day-first or month-first; read as day/month, as chosen. "
        "You can flip this."
    ]


def test_a_forced_order_that_agrees_with_the_data_is_used():
    parsed = assert_reads(["13/01/2020", "14/01/2020"], "2020-01-13", "2020-01-14", dayfirst=True)
    assert (parsed.dayfirst, parsed.ambiguous) == (True, False)


def test_a_forced_order_may_overrule_the_spacing():
    cells = [f"01/{month:02d}/{year}" for year in (2020, 2021) for month in range(1, 13)]
    parsed = read(cells, dayfirst=False)
    assert parsed.stamps.iloc[1] == pd.Timestamp("2020-01-02")
    assert (parsed.dayfirst, parsed.ambiguous) == (False, False)
    assert parsed.notes == ["Dates were read as month/day/year, as chosen."]


@pytest.mark.parametrize(
    ("cells", "dayfirst", "message"),
    [
        (
            ["01/12/2020", "01/13/2020"],
            True,
            "Column 'date' cannot be read as day/month/year: '01/13/2020' is not a date that way. "
            "Read it as month/day/year.",
        ),
        (
            ["12/01/2020", "13/01/2020"],
            False,
            "Column 'date' cannot be read as month/day/year: '13/01/2020' is not a date that way. "
            "Read it as day/month/year.",
        ),
    ],
)
def test_a_forced_order_the_data_contradicts_is_refused(cells, dayfirst, message):
    with pytest.raises(DataError) as err:
        read(cells, dayfirst=dayfirst)
    assert str(err.value) == message


def test_dayfirst_is_ignored_where_there_is_no_order_to_choose():
    parsed = assert_reads(["2020-01-02", "2020-01-03"], "2020-01-02", "2020-01-03", dayfirst=True)
    assert (parsed.dayfirst, parsed.ambiguous) == (None, False)


# Months, quarters, weeks, named months


@pytest.mark.parametrize(
    "cells",
    [
        ["1949-01", "1949-02", "1949-12"],
        ["1949/01", "1949/02", "1949/12"],
        ["Jan 1949", "Feb 1949", "Dec 1949"],
        ["January 1949", "February 1949", "December 1949"],
        ["JAN-1949", "feb-1949", "Dec-1949"],
        ["1949M01", "1949M02", "1949M12"],
        ["01/1949", "02/1949", "12/1949"],
        ["1949-Jan", "1949-Feb", "1949-Dec"],
    ],
)
def test_year_months_read_as_their_first_day(cells):
    parsed = assert_reads(cells, "1949-01-01", "1949-02-01", "1949-12-01")
    assert parsed.notes == []


@pytest.mark.parametrize(
    "cells",
    [
        ["2020Q1", "2020Q2", "2020Q4"],
        ["2020-Q1", "2020-Q2", "2020-Q4"],
        ["2020 Q1", "2020 Q2", "2020 Q4"],
        ["Q1 2020", "Q2 2020", "Q4 2020"],
        ["Q1-2020", "Q2-2020", "Q4-2020"],
        ["2020q1", "q2 2020", "2020-Q4"],
    ],
)
def test_quarters_read_as_their_first_day(cells):
    assert_reads(cells, "2020-01-01", "2020-04-01", "2020-10-01")


def test_iso_weeks_read_as_their_monday_or_given_day():
    assert_reads(["2020-W01", "2020-W02", "2020W03-3"], "2019-12-30", "2020-01-06", "2020-01-15")


@pytest.mark.parametrize(
    "cells",
    [
        ["31-Jan-2020", "01-Feb-2020"],
        ["31 January 2020", "1 February 2020"],
        ["Jan 31, 2020", "Feb 1, 2020"],
        ["January 31 2020", "February 1 2020"],
        ["31Jan2020", "01Feb2020"],
    ],
)
def test_dates_with_month_names_read_exactly(cells):
    assert_reads(cells, "2020-01-31", "2020-02-01")


def test_other_date_shapes_are_read_by_guessing():
    assert_reads(
        ["Fri, 31 Jan 2020 10:00:00", "Sat, 1 Feb 2020 11:00:00"],
        "2020-01-31 10:00",
        "2020-02-01 11:00",
    )


# Numbers: years, yyyymmdd, Unix time


@pytest.mark.parametrize(
    "cells", [[1949, 1950, 1951], [1949.0, 1950.0, 1951.0], ["1949", "1950", "1951"]]
)
def test_whole_years_as_numbers_or_text(cells):
    parsed = assert_reads(cells, "1949-01-01", "1950-01-01", "1951-01-01")
    assert parsed.notes == []


def test_years_before_1677_and_after_2262_are_kept():
    assert_reads([1066, 1067, 2999], "1066-01-01", "1067-01-01", "2999-01-01")


def test_a_year_column_with_a_gap_and_nullable_integers():
    column = pd.Series([2000, None, 2002], dtype="Int64")
    parsed = parse_dates(column, "year")
    assert parsed.stamps.tolist()[0::2] == stamps("2000-01-01", "2002-01-01")
    assert parsed.stamps.isna().tolist() == [False, True, False]


@pytest.mark.parametrize(
    "cells", [[20200130, 20200131, 20200201], ["20200130", "20200131", "20200201"]]
)
def test_yyyymmdd_numbers_or_text(cells):
    assert_reads(cells, "2020-01-30", "2020-01-31", "2020-02-01")


@pytest.mark.parametrize(
    ("cells", "unit"),
    [
        ([1577836800, 1577840400, 1577844000], "seconds"),
        (["1577836800", "1577840400", "1577844000"], "seconds"),
        ([1577836800000, 1577840400000, 1577844000000], "milliseconds"),
        (["1577836800000", "1577840400000", "1577844000000"], "milliseconds"),
        ([1577836800.0, 1577840400.0, 1577844000.0], "seconds"),
    ],
)
def test_unix_time_in_seconds_or_milliseconds_is_read_and_said(cells, unit):
    parsed = parse_dates(pd.Series(cells), "ts")
    assert parsed.stamps.tolist() == stamps(
        "2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 02:00"
    )
    assert parsed.notes == [f"Read 'ts' as Unix time in {unit}."]


@pytest.mark.parametrize(
    "numbers",
    [list(range(1, 13)), [0.5 * k for k in range(12)], [19.99, 5.25, 7.0], [120, 80, 95]],
)
def test_plain_numbers_are_refused_as_dates(numbers):
    with pytest.raises(DataError) as err:
        read(numbers, name="n")
    assert str(err.value) == PLAIN_NUMBERS.format("n")


def test_plain_numbers_written_as_text_are_refused_as_dates():
    with pytest.raises(DataError) as err:
        read(["12", "15", "9"], name="count")
    assert str(err.value) == PLAIN_NUMBERS.format("count")


# Unreadable cells and refusals


def test_a_few_unreadable_and_empty_cells_become_nat():
    cells = [f"2020-01-{day:02d}" for day in range(1, 21)]
    cells[3], cells[7], cells[9] = "not a date", "", None
    parsed = read(cells)
    assert parsed.stamps.isna().sum() == 3
    assert parsed.stamps[parsed.stamps.notna()].tolist() == [
        pd.Timestamp(cell) for k, cell in enumerate(cells) if k not in (3, 7, 9)
    ]


def test_fewer_than_nine_in_ten_readable_cells_is_not_a_date_column():
    cells = [f"2020-01-{day:02d}" for day in range(1, 9)] + ["north", "south"]
    with pytest.raises(DataError) as err:
        read(cells)
    assert str(err.value) == f"Column 'date' does not hold dates (for example 'north'). {NOT_DATES}"


@pytest.mark.parametrize(
    "word", ["north", "3/4", "12:30", "v2.0", "Room 1204", "2020-13-45", "Q5 2020", "1,5"]
)
def test_words_and_numbers_that_are_not_dates_are_refused_with_an_example(word):
    with pytest.raises(DataError) as err:
        read([word] * 12, name="label")
    assert (
        str(err.value) == f"Column 'label' does not hold dates (for example {word!r}). {NOT_DATES}"
    )


@pytest.mark.parametrize("cells", [[None, None], ["", " "], [np.nan, np.nan]])
def test_an_empty_column_is_refused(cells):
    with pytest.raises(DataError) as err:
        read(cells, name="d")
    assert str(err.value) == f"Column 'd' is empty: it holds no dates. {NOT_DATES}"


# Which column


HINTING_NAMES = (
    *("date", "Date", "DATE", "order_date", "OrderDate", "Timestamp (UTC)", "ts", "ts_ms", "ds"),
    *("Month", "year", "Week start", "period", "quarter", "dates", "epoch", "datetime", "Datum"),
)


@pytest.mark.parametrize("name", HINTING_NAMES)
def test_names_with_a_date_word_hint_at_dates(name):
    assert hints_date(name)


@pytest.mark.parametrize(
    "name", ["downloads", "holiday", "runtime", "ads", "t", "value", "Unnamed: 0", "update", 3]
)
def test_names_that_only_contain_date_letters_do_not_hint(name):
    assert not hints_date(name)


def test_a_named_date_column_is_preferred_to_an_earlier_one():
    days = pd.date_range("2020-01-01", periods=12).strftime("%Y-%m-%d")
    table = pd.DataFrame({"created": days, "Date": days, "value": np.arange(12.0)})
    assert detect_date_column(table) == "Date"
    assert detect_date_column(table, exclude="Date") == "created"


def test_an_unnamed_column_of_consecutive_years_is_a_date():
    table = pd.DataFrame({"": np.arange(1821, 1935), "lynx": np.arange(114.0)})
    assert detect_date_column(table) == ""


def test_named_years_may_run_backwards_but_unnamed_years_must_count_up_by_one():
    assert looks_like_dates(pd.Series([2011, 2010, 2009]), hinted=True)
    assert not looks_like_dates(pd.Series([2011, 2010, 2009]), hinted=False)
    assert not looks_like_dates(pd.Series([2000, 2001, 2003]), hinted=False)


def test_yyyymmdd_numbers_count_only_under_a_date_name():
    numbers = pd.Series([20200130, 20200131, 20200201])
    assert looks_like_dates(numbers, hinted=True)
    assert not looks_like_dates(numbers, hinted=False)


def test_unix_time_is_found_by_name_or_by_round_steps_since_1990():
    hours = pd.Series(1_577_836_800 + 3600 * np.arange(50))
    assert detect_date_column(pd.DataFrame({"x": np.arange(50.0), "epoch": hours})) == "epoch"
    assert detect_date_column(pd.DataFrame({"x": np.arange(50.0), "t": hours})) == "t"
    assert detect_date_column(pd.DataFrame({"t": hours * 1000})) == "t"
    early = pd.Series(200_000_000 + 60 * np.arange(50))  # 1976: only a name makes it time
    assert looks_like_dates(early, hinted=True)
    assert not looks_like_dates(early, hinted=False)


@pytest.mark.parametrize(
    "numbers",
    [
        1_000_000_000 + np.arange(50),  # order numbers one apart
        np.cumsum(np.full(50, 12_345_677)) + 1_262_645_000,  # a population
        np.random.default_rng(0).uniform(1e9, 2e9, 50).round(),
    ],
    ids=["ids", "population", "random"],
)
def test_big_unnamed_numbers_are_not_taken_for_unix_time(numbers):
    assert not looks_like_dates(pd.Series(numbers), hinted=False)


def test_prices_and_counts_are_never_dates():
    rng = np.random.default_rng(1)
    table = pd.DataFrame(
        {
            "price": rng.uniform(1, 500, 40).round(2),
            "downloads": rng.integers(1000, 3000, 40),
            "holiday": rng.integers(0, 2, 40),
            "month_count": rng.integers(0, 12, 40),
            "sold": rng.integers(0, 40, 40),
            "flag": rng.integers(0, 2, 40).astype(bool),
        }
    )
    assert detect_date_column(table) is None


def test_a_date_column_among_a_thousand_numeric_columns_is_found():
    rng = np.random.default_rng(2)
    table = pd.DataFrame(rng.normal(size=(500, 1000)), columns=[f"x{k}" for k in range(1000)])
    assert detect_date_column(table) is None
    table["when"] = pd.date_range("2020-01-01", periods=500).strftime("%d/%m/%Y")
    assert detect_date_column(table) == "when"


def test_text_and_datetime_columns_are_looked_at_by_their_values():
    assert looks_like_dates(pd.Series(pd.date_range("2020", periods=3)), hinted=False)
    assert looks_like_dates(pd.Series(["2020Q1", "2020Q2", "2020Q3"]), hinted=False)
    assert not looks_like_dates(pd.Series(["north", "south", "east"]), hinted=True)
    assert not looks_like_dates(pd.Series([None, None]), hinted=True)


# Long columns are parsed a chunk at a time (pandas makes a Python string of every cell it parses)

CHUNKED_COLUMNS = {
    "iso": ["2020-01-01 00:00", " 2020-01-01 01:00", "", "2020-01-01 02:00", None] * 3,
    "day-first": ["31/01/2020", "01/02/2020", "02/02/2020", "03/02/2020 10:30"] * 2,
    "named-months": ["Jan 2020", "Feb 2020", "March 2020", "2020-04", "Q2 2020"],
    "quarters": ["2020Q1", "2020-Q2", "Q3 2020", "2020 Q4", "2021Q1"],
    "weeks": ["2020-W01", "2020-W02-3", "2020W03", "2020-W04", "2020-W05"],
    "guessed": ["5 January 2020 10am", "6 January 2020 11am", "7 January 2020 9pm"] * 2,
    "zones": ["2020-01-01T00:00:00+01:00", "2020-01-01T01:00:00Z", "2020-01-01T02:00"] * 2,
}


@pytest.mark.parametrize("cells", CHUNKED_COLUMNS.values(), ids=CHUNKED_COLUMNS.keys())
def test_a_column_read_a_few_cells_at_a_time_reads_as_in_one_go(monkeypatch, cells):
    column = pd.Series(cells, dtype="str")
    whole = parse_dates(column, "date")
    monkeypatch.setattr(dates, "CHUNK", 2)
    chunked = parse_dates(column, "date")
    pd.testing.assert_series_equal(chunked.stamps, whole.stamps)
    assert (chunked.notes, chunked.dayfirst, chunked.ambiguous) == (
        whole.notes,
        whole.dayfirst,
        whole.ambiguous,
    )
    assert chunked.stamps.notna().sum() >= len(cells) * 0.6
