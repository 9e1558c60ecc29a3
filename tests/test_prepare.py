"""data.prepare: from a raw table to one clean, regular series, with every change reported."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.errors import DataError
from data.load import read_table
from data.prepare import from_array, prepare

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
CATALOG = json.loads((SAMPLES / "catalog.json").read_text(encoding="utf-8"))

DETECTED_DATE = "Using 'date' as the date column (detected)."
DETECTED_VALUE = "Using 'value' as the value to forecast (the first numeric column)."
TWELVE = [3.0, -2.0, 0.0, -7.5, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]
BY_DEFAULT = "(the default; you can forward-fill them, set them to zero or refuse gaps instead)."


def days(count: int, start: str = "2020-01-01", freq: str = "D") -> list[str]:
    return pd.date_range(start, periods=count, freq=freq).strftime("%Y-%m-%d %H:%M:%S").tolist()


def dated(dates: list, values: list, date: str = "date", target: str = "value") -> pd.DataFrame:
    return pd.DataFrame({date: dates, target: values})


def offset(freq: str | None):
    return pd.tseries.frequencies.to_offset(freq)


# Which columns


def test_the_date_and_target_are_detected_and_reported():
    series = prepare(dated(days(12), TWELVE))
    assert (series.date_col, series.target) == ("date", "value")
    assert series.report.lines == [DETECTED_DATE, DETECTED_VALUE]
    assert series.columns == ("date", "value")
    assert series.index.equals(pd.DatetimeIndex(days(12)))
    assert series.values.dtype == np.float64
    np.testing.assert_array_equal(series.values, TWELVE)


def test_the_date_is_found_by_its_values_when_the_name_does_not_hint():
    table = pd.DataFrame({"amount": TWELVE, "when": days(12)})
    series = prepare(table)
    assert (series.date_col, series.target) == ("when", "amount")
    assert series.report.lines[0] == "Using 'when' as the date column (detected)."


def test_named_columns_are_used_and_not_reported_as_detected():
    table = pd.DataFrame({"day": days(12), "first": np.zeros(12), "second": TWELVE})
    series = prepare(table, date_col="day", target="second")
    assert (series.date_col, series.target) == ("day", "second")
    assert series.report.lines == [
        "Using 'day' as the date column, as given.",
        "Using 'second' as the value to forecast, as given.",
    ]
    np.testing.assert_array_equal(series.values, TWELVE)


def test_the_first_numeric_column_other_than_the_date_is_the_default_target():
    table = pd.DataFrame({"date": days(12), "label": list("abcdefghijkl"), "sales": TWELVE})
    assert prepare(table).target == "sales"


def test_column_names_are_stripped_of_spaces():
    table = pd.DataFrame({" date ": days(12), " Sales": TWELVE})
    series = prepare(table, target="Sales")
    assert (series.date_col, series.target) == ("date", "Sales")


def test_the_input_table_is_not_changed():
    table = dated(days(12)[::-1], TWELVE)
    before = table.copy()
    prepare(table)
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"target": "sales"},
            "The target column 'sales' is not in the file. Its columns are: 'date', 'value'.",
        ),
        (
            {"date_col": "Date"},
            "The date column 'Date' is not in the file. Its columns are: 'date', 'value'.",
        ),
    ],
)
def test_a_named_column_that_does_not_exist_is_refused_with_the_columns(arguments, message):
    with pytest.raises(DataError) as err:
        prepare(dated(days(12), TWELVE), **arguments)
    assert str(err.value) == message


def test_the_same_column_cannot_be_date_and_target():
    with pytest.raises(DataError) as err:
        prepare(dated(days(12), TWELVE), date_col="value", target="value")
    assert str(err.value) == "'value' cannot be both the date column and the value to forecast."


# Time as the row number


def test_without_a_date_column_time_is_the_row_number():
    series = prepare(pd.DataFrame({"reading": TWELVE}))
    assert series.date_col is None
    assert series.freq is None
    assert isinstance(series.index, pd.RangeIndex)
    assert series.index.equals(pd.RangeIndex(12))
    assert series.report.lines == [
        "No date column found: time is the row number.",
        "Using 'reading' as the value to forecast (the first numeric column).",
    ]
    np.testing.assert_array_equal(series.values, TWELVE)


def test_without_a_date_column_gaps_are_still_filled():
    values = [np.nan, 1.0, np.nan, 3.0, *range(4, 12), np.nan]
    series = prepare(pd.DataFrame({"reading": values}))
    assert series.index.equals(pd.RangeIndex(11))
    np.testing.assert_array_equal(series.values, [1.0, 2.0, *range(3, 12)])
    assert "2 missing values at the start or end were dropped." in series.report.lines
    assert (
        f"1 missing value inside the series was filled by linear interpolation {BY_DEFAULT}"
        in series.report.lines
    )


# Dates in other shapes


def test_a_column_of_whole_years_one_apart_is_a_date_whatever_its_name():
    years = np.arange(1821, 1935)
    table = pd.DataFrame({"t": years, "trappings": np.arange(114.0) * 3})
    series = prepare(table)
    assert (series.date_col, series.target) == ("t", "trappings")
    assert offset(series.freq) == offset("YS")
    assert series.index[0] == pd.Timestamp("1821-01-01")
    assert series.index[-1] == pd.Timestamp("1934-01-01")
    assert len(series) == 114


def test_a_year_column_named_year_may_have_gaps():
    years = [2000, 2001, 2003, *range(2004, 2013)]
    series = prepare(pd.DataFrame({"Year": years, "v": np.arange(12.0)}))
    assert series.date_col == "Year"
    assert series.index[2] == pd.Timestamp("2002-01-01")
    assert len(series) == 13
    assert series.values[2] == pytest.approx(1.5)


def test_a_year_column_newest_first_is_a_date_and_gets_sorted():
    years = list(range(2011, 1999, -1))
    series = prepare(pd.DataFrame({"year": years, "v": np.arange(12.0)}))
    assert series.date_col == "year"
    assert series.index[0] == pd.Timestamp("2000-01-01")
    np.testing.assert_array_equal(series.values, np.arange(12.0)[::-1])
    assert "Rows were not in time order and were sorted by date." in series.report.lines


def test_yyyymmdd_integers_are_dates():
    stamps = [20200130, 20200131, 20200201, 20200202, *range(20200203, 20200211)]
    series = prepare(dated(stamps, TWELVE))
    assert series.date_col == "date"
    assert series.freq == "D"
    assert series.index[0] == pd.Timestamp("2020-01-30")
    assert series.index[2] == pd.Timestamp("2020-02-01")


@pytest.mark.parametrize("numbers", [list(range(1, 13)), [0.5 * k for k in range(12)]])
def test_a_named_date_column_of_plain_numbers_is_refused(numbers):
    table = pd.DataFrame({"n": numbers, "value": TWELVE})
    with pytest.raises(DataError) as err:
        prepare(table, date_col="n")
    assert str(err.value) == (
        "Column 'n' holds plain numbers, not dates. "
        "Choose another date column, or none to use the row number as time."
    )


def test_a_named_date_column_of_words_is_refused_with_an_example():
    table = pd.DataFrame({"label": ["north"] * 12, "value": TWELVE})
    with pytest.raises(DataError, match="does not hold dates") as err:
        prepare(table, date_col="label")
    assert str(err.value).startswith("Column 'label' does not hold dates (for example 'north').")


def test_a_few_unreadable_dates_drop_their_rows_and_say_so():
    dates = days(12)
    dates[5] = "not a date"
    series = prepare(dated(dates, TWELVE))
    assert "1 row with an unreadable date in 'date' was dropped." in series.report.lines
    assert len(series) == 12
    assert series.values[5] == pytest.approx((TWELVE[4] + TWELVE[6]) / 2)


# Frequency


@pytest.mark.parametrize(
    ("freq", "expected", "season"),
    [
        ("D", "D", 7),
        ("W-SAT", "W-SAT", 52),
        ("W-MON", "W-MON", 52),
        ("MS", "MS", 12),
        ("ME", "ME", 12),
        ("QS", "QS", 4),
        ("QE", "QE", 4),
        ("YS", "YS", 1),
        ("YE", "YE", 1),
        ("h", "h", 24),
        ("30min", "30min", 48),
        ("B", "B", 5),
    ],
)
@pytest.mark.parametrize("gaps", [False, True], ids=["whole", "with-gaps"])
def test_the_frequency_and_season_are_inferred(freq, expected, season, gaps):
    stamps = days(16, start="2021-01-01", freq=freq)
    values = np.arange(16.0) - 8
    if gaps:
        stamps, values = stamps[:4] + stamps[5:9] + stamps[11:], np.delete(values, [4, 9, 10])
    series = prepare(dated(stamps, values))
    assert offset(series.freq) == offset(expected)
    assert series.season_length == season
    assert series.index.equals(pd.DatetimeIndex(days(16, start="2021-01-01", freq=freq)))
    np.testing.assert_array_equal(series.values, np.arange(16.0) - 8)
    expected_filled = (
        f"3 missing values inside the series were filled by linear interpolation {BY_DEFAULT}"
    )
    assert (expected_filled in series.report.lines) == gaps


def test_weekly_dates_keep_their_weekday_when_some_weeks_are_missing():
    stamps = days(20, start="1958-03-29", freq="W-SAT")
    del stamps[3]
    series = prepare(dated(stamps, np.arange(19.0)))
    assert series.freq == "W-SAT"
    assert "1 missing timestamp was added to keep a regular W-SAT calendar." in (
        series.report.lines
    )


def test_fewer_than_three_dates_cannot_tell_the_frequency():
    with pytest.raises(DataError, match="At least 3 dated rows are needed to tell the frequency"):
        prepare(dated(["2020-01-01", "2020-01-02"], [1.0, 2.0]))


def test_a_date_off_the_calendar_is_refused():
    stamps = days(12)
    stamps[4] = "2020-01-05 12:00:00"
    with pytest.raises(DataError) as err:
        prepare(dated(stamps, TWELVE))
    assert str(err.value) == (
        "The dates are not evenly spaced: 2020-01-05 12:00:00 does not fit a D calendar. "
        "Make the dates regular (one row per period) and try again."
    )


def test_dates_with_ever_wider_gaps_are_refused_not_mostly_invented():
    offsets = np.cumsum(range(12))  # 0, 1, 3, 6, 10, ... days from the first
    stamps = [str(pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(k))) for k in offsets]
    with pytest.raises(DataError, match="The dates are too irregular") as err:
        prepare(dated(stamps, TWELVE))
    assert "would need 55 timestamps added to the 12 in the file" in str(err.value)


# Cleaning


def test_unsorted_rows_are_sorted_and_reported():
    order = [3, 0, 11, 5, 1, 9, 2, 7, 4, 10, 6, 8]
    table = dated([days(12)[k] for k in order], [TWELVE[k] for k in order])
    series = prepare(table)
    assert series.index.equals(pd.DatetimeIndex(days(12)))
    np.testing.assert_array_equal(series.values, TWELVE)
    assert "Rows were not in time order and were sorted by date." in series.report.lines


def test_duplicate_timestamps_are_averaged_and_reported():
    stamps = days(12)
    table = dated([*stamps[:3], stamps[2], *stamps[3:]], [*TWELVE[:3], 4.0, *TWELVE[3:]])
    series = prepare(table)
    assert len(series) == 12
    assert series.values[2] == pytest.approx((TWELVE[2] + 4.0) / 2)
    np.testing.assert_array_equal(np.delete(series.values, 2), np.delete(TWELVE, 2))
    assert series.report.lines[2:] == [
        "1 timestamp appeared more than once (first 2020-01-03); their values were averaged "
        "(the default; you can sum them or keep the first or last instead)."
    ]


def test_missing_timestamps_are_added_interpolated_and_counted():
    stamps = days(14)
    values = np.arange(14.0) * -2
    table = dated(np.delete(stamps, [3, 4]).tolist(), np.delete(values, [3, 4]))
    series = prepare(table)
    assert series.index.equals(pd.DatetimeIndex(stamps))
    np.testing.assert_allclose(series.values, values)
    assert series.report.lines[2:] == [
        "2 missing timestamps were added to keep a regular D calendar.",
        f"2 missing values inside the series were filled by linear interpolation {BY_DEFAULT}",
    ]


def test_missing_values_at_the_ends_are_dropped_and_reported():
    values = [np.nan, np.nan, *TWELVE, np.nan]
    series = prepare(dated(days(15), values))
    assert series.index.equals(pd.DatetimeIndex(days(15)[2:14]))
    np.testing.assert_array_equal(series.values, TWELVE)
    assert series.report.lines[2:] == ["3 missing values at the start or end were dropped."]


def test_cells_that_are_not_numbers_are_counted_and_treated_as_missing():
    cells = ["1", "2", "oops", "4", " ", "6", "7", "8", "9", "n.a.", "11", "12"]
    series = prepare(dated(days(12), cells))
    np.testing.assert_array_equal(series.values, np.arange(1.0, 13.0))
    assert series.report.lines[2:] == [
        "2 cells of 'value' are not numbers (for example 'oops') and were treated as missing.",
        f"3 missing values inside the series were filled by linear interpolation {BY_DEFAULT}",
    ]


def test_infinite_values_are_treated_as_missing():
    values = [1.0, 2.0, np.inf, 4.0, -np.inf, *range(6, 13)]
    series = prepare(dated(days(12), values))
    assert np.isfinite(series.values).all()
    np.testing.assert_array_equal(series.values, np.arange(1.0, 13.0))
    assert "Column 'value': 2 infinite values were treated as missing." in series.report.lines


def test_infinite_values_written_in_a_csv_are_treated_as_missing():
    lines = [f"{day},{value}" for day, value in zip(days(12), range(1, 13), strict=True)]
    lines[3] = f"{days(12)[3]},inf"
    series = prepare(read_table(("date,value\n" + "\n".join(lines)).encode()))
    np.testing.assert_array_equal(series.values, np.arange(1.0, 13.0))
    assert "Column 'value': 1 infinite value was treated as missing." in series.report.lines


def test_prepare_keeps_negatives_and_zeros_exactly():
    temperatures = [-3.5, 0.0, -0.25, 0.0, -12.0, 5.0, -1.0, 0.0, -40.0, 2.5, -0.5, 0.0]
    lines = "".join(
        f"{day},{value}\n" for day, value in zip(days(12), temperatures, strict=True)
    ).encode()
    series = prepare(read_table(b"date,temperature\n" + lines))
    np.testing.assert_array_equal(series.values, temperatures)
    assert len(series) == 12
    assert series.report.lines == [
        DETECTED_DATE,
        "Using 'temperature' as the value to forecast (the first numeric column).",
    ]


def test_a_cold_series_below_zero_survives_gap_filling_unchanged():
    temperatures = np.linspace(-20.0, -9.0, 12)
    stamps = days(12, freq="MS")
    series = prepare(dated(stamps[:5] + stamps[6:], np.delete(temperatures, 5)))
    np.testing.assert_allclose(series.values, temperatures)
    assert (series.values < 0).all()


# Refusals


def test_a_series_shorter_than_ten_points_is_refused():
    with pytest.raises(DataError) as err:
        prepare(dated(days(9), TWELVE[:9]))
    assert str(err.value) == "The series has 9 points after cleaning; at least 10 are needed."


def test_ten_points_are_enough():
    assert len(prepare(dated(days(10), TWELVE[:10]))) == 10


def test_a_series_short_after_trimming_is_refused():
    values = [np.nan, np.nan, *TWELVE[:9], np.nan]
    with pytest.raises(DataError, match="has 9 points after cleaning"):
        prepare(dated(days(12), values))


def test_a_column_of_text_as_target_is_refused():
    table = pd.DataFrame({"date": days(12), "city": ["Oslo"] * 12})
    with pytest.raises(DataError) as err:
        prepare(table, target="city")
    message = "Column 'city' has no numbers in it. Choose another column to forecast."
    assert str(err.value) == message


def test_a_table_without_numbers_is_refused():
    table = pd.DataFrame({"date": days(12), "city": ["Oslo"] * 12})
    with pytest.raises(DataError) as err:
        prepare(table)
    assert str(err.value) == (
        "No column of numbers to forecast was found. "
        "The file needs at least one column whose cells are numbers."
    )


# Series


@pytest.mark.parametrize(
    ("freq", "season"),
    [("MS", 12), ("W-SAT", 52), ("W-SUN", 52), ("D", 7), ("h", 24), ("YS", 1), ("QS", 4)],
)
def test_season_length_follows_the_frequency(freq, season):
    series = prepare(dated(days(12, freq=freq), TWELVE))
    assert series.season_length == season


def test_season_length_is_one_without_dates():
    assert prepare(pd.DataFrame({"value": TWELVE})).season_length == 1
    assert from_array(np.arange(20.0)).season_length == 1


@pytest.mark.parametrize(
    ("freq", "start", "future"),
    [
        ("MS", "2020-01-01", ["2021-01-01", "2021-02-01", "2021-03-01"]),
        ("ME", "2020-01-31", ["2021-01-31", "2021-02-28", "2021-03-31"]),
        ("W-SAT", "2020-01-04", ["2020-03-28", "2020-04-04", "2020-04-11"]),
        ("B", "2020-01-01", ["2020-01-17", "2020-01-20", "2020-01-21"]),
        ("h", "2020-01-01", ["2020-01-01 12:00", "2020-01-01 13:00", "2020-01-01 14:00"]),
    ],
)
def test_future_index_continues_the_calendar(freq, start, future):
    series = prepare(dated(days(12, start=start, freq=freq), TWELVE))
    assert series.future_index(3).equals(pd.DatetimeIndex(future))


def test_future_index_continues_the_row_numbers():
    series = prepare(pd.DataFrame({"value": TWELVE}))
    assert series.future_index(4).equals(pd.RangeIndex(12, 16))


def test_fingerprint_is_stable_for_the_same_data_and_changes_with_one_value():
    first = prepare(dated(days(12), TWELVE))
    again = prepare(dated(days(12), list(TWELVE)))
    changed = list(TWELVE)
    changed[7] += 0.001
    other = prepare(dated(days(12), changed))
    shifted = prepare(dated(days(12, start="2020-01-02"), TWELVE))
    assert first.fingerprint() == again.fingerprint()
    assert len(first.fingerprint()) == 16
    assert int(first.fingerprint(), 16) >= 0
    assert other.fingerprint() != first.fingerprint()
    assert shifted.fingerprint() != first.fingerprint()


# Bundled samples


@pytest.mark.parametrize("entry", CATALOG, ids=[entry["file"] for entry in CATALOG])
def test_every_sample_prepares_as_its_catalog_says(entry):
    path = SAMPLES / entry["file"]
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    series = prepare(read_table(path))
    assert (series.date_col, series.target) == (entry["date_col"], entry["target"])
    assert offset(series.freq) == offset(entry["frequency"])
    assert len(series) == rows
    assert np.isfinite(series.values).all()
    assert series.index.equals(
        pd.date_range(series.index[0], periods=rows, freq=entry["frequency"])
    )


def test_co2_reports_its_interpolated_weeks():
    series = prepare(read_table(SAMPLES / "co2.csv"))
    assert (
        f"59 missing values inside the series were filled by linear interpolation {BY_DEFAULT}"
        in series.report.lines
    )
    assert series.values[0] == pytest.approx(316.1)
    assert series.values[-1] == pytest.approx(371.5)


def test_airline_values_come_through_unchanged():
    raw = pd.read_csv(SAMPLES / "airline.csv")
    series = prepare(read_table(SAMPLES / "airline.csv"))
    np.testing.assert_array_equal(series.values, raw["passengers"].to_numpy(np.float64))
    assert series.report.lines == [
        DETECTED_DATE,
        "Using 'passengers' as the value to forecast (the first numeric column).",
    ]


def test_row_time_ignores_a_date_column_when_asked():
    table = pd.DataFrame({"day": days(12), "value": TWELVE})
    series = prepare(table, target="value", row_time=True)
    assert series.date_col is None and isinstance(series.index, pd.RangeIndex)
    assert series.report.lines[0] == "Time is the row number, as given."


def test_the_fingerprint_tells_apart_the_same_values_on_other_dates():
    values = np.arange(12.0)
    daily = prepare(dated(days(12), values))
    monthly = prepare(dated(pd.date_range("2020-01-01", periods=12, freq="MS"), values))
    assert daily.fingerprint() != monthly.fingerprint()
    assert daily.fingerprint() == prepare(dated(days(12), values)).fingerprint()


def test_a_stray_number_in_a_date_column_is_an_unreadable_date_not_year_minus_one():
    lines = [f"2024-01-{day:02d},{day}" for day in range(1, 20)]
    lines[3], lines[9] = "-1,4", "-1,10"
    series = prepare(read_table(("date,value\n" + "\n".join(lines)).encode()))
    assert len(series) == 19 and series.index[0] == pd.Timestamp("2024-01-01")
    assert "2 rows with an unreadable date in 'date' were dropped." in series.report.lines


def test_numeric_group_ids_are_not_taken_for_the_value_to_forecast():
    rows = [
        f"2024-01-{day:02d},{store},{day * 10 + store}"
        for day in range(1, 31)
        for store in (1, 2, 3)
    ]
    series = prepare(read_table(("date,store,sales\n" + "\n".join(rows)).encode()))
    assert series.target == "sales"
    assert any(
        "'store' looks like it names separate series (3 groups)" in line
        for line in series.report.lines
    )
