"""Cleaning the user's data as they choose: duplicate timestamps, gaps, resampling, groups of a
long table; empty, renamed and wide columns (data.prepare with CleaningOptions)."""

import time

import numpy as np
import pandas as pd
import pytest

import data.prepare
from data.errors import DataError
from data.prepare import CleaningOptions, detect_group_column, prepare

CHOSEN = [
    "Using 'date' as the date column (detected).",
    "Using 'value' as the value to forecast (the first numeric column).",
]
GAPS_BY_DEFAULT = (
    "(the default; you can forward-fill them, set them to zero or refuse gaps instead)."
)
GAP_ADVICE = "Fill them in the file, or choose how to fill gaps: interpolate, forward-fill or zero."


def days(count: int, start: str = "2020-01-01", freq: str = "D") -> list[str]:
    return pd.date_range(start, periods=count, freq=freq).strftime("%Y-%m-%d").tolist()


def dated(dates: list, values: list, **others) -> pd.DataFrame:
    return pd.DataFrame({"date": dates, "value": values, **others})


def long_table() -> pd.DataFrame:
    """Two stores, twelve days each, rows by day; store B sells ten times as much."""
    return pd.DataFrame(
        {
            "date": np.repeat(days(12), 2),
            "store": ["A", "B"] * 12,
            "sales": np.ravel([[k, 10.0 * k] for k in range(12)]),
        }
    )


# Options


@pytest.mark.parametrize(
    ("field", "value", "choices"),
    [
        ("duplicates", "average", "'mean', 'sum', 'first', 'last', 'refuse'"),
        ("gaps", "bfill", "'interpolate', 'ffill', 'zero', 'refuse'"),
        ("resample_how", "max", "'sum', 'mean', 'last'"),
        ("aggregate", "first", "'sum', 'mean'"),
    ],
)
def test_an_option_outside_its_choices_is_refused_by_name(field, value, choices):
    with pytest.raises(DataError) as err:
        CleaningOptions(**{field: value})
    assert str(err.value) == f"{field} must be one of {choices}; got {value!r}."


def test_a_resampling_frequency_pandas_does_not_know_is_refused():
    with pytest.raises(DataError) as err:
        CleaningOptions(resample="weekly")
    assert str(err.value) == (
        "'weekly' is not a frequency to resample to; "
        "use for example 'W' (weeks), 'MS' (months) or 'QS' (quarters)."
    )


def test_a_group_without_a_group_column_is_refused():
    with pytest.raises(DataError) as err:
        CleaningOptions(group="A")
    assert str(err.value) == "The group 'A' needs a group column to look in."


def test_the_default_options_change_nothing_a_plain_call_would_not():
    table = dated([*days(12)[:3], days(12)[2], *days(12)[3:]], [*range(3), 9.0, *range(3, 12)])
    assert prepare(table, options=CleaningOptions()).report.lines == prepare(table).report.lines
    np.testing.assert_array_equal(
        prepare(table, options=CleaningOptions()).values, prepare(table).values
    )


# Duplicate timestamps

REPEATED = dated(
    [*days(12)[:3], days(12)[2], days(12)[2], *days(12)[3:]],
    [0.0, 1.0, 2.0, 6.0, 7.0, *range(3, 12)],
)


@pytest.mark.parametrize(
    ("how", "value", "said"),
    [
        (
            "mean",
            5.0,
            "their values were averaged "
            "(the default; you can sum them or keep the first or last instead).",
        ),
        ("sum", 15.0, "their values were summed, as chosen."),
        ("first", 2.0, "the first row of each was kept, as chosen."),
        ("last", 7.0, "the last row of each was kept, as chosen."),
    ],
)
def test_repeated_timestamps_are_merged_as_chosen_and_said(how, value, said):
    series = prepare(REPEATED, options=CleaningOptions(duplicates=how))
    assert len(series) == 12
    assert series.values[2] == value
    np.testing.assert_array_equal(np.delete(series.values, 2), np.delete(np.arange(12.0), 2))
    assert series.report.lines == [
        *CHOSEN,
        f"1 timestamp appeared more than once (first 2020-01-03); {said}",
    ]


def test_keeping_the_first_keeps_its_row_even_where_its_value_is_missing():
    table = dated(
        [*days(12)[:3], days(12)[2], *days(12)[3:]], [0.0, 1.0, np.nan, 9.0, *range(3, 12)]
    )
    series = prepare(table, options=CleaningOptions(duplicates="first"))
    assert series.values[2] == pytest.approx(2.0)  # the first row's hole, interpolated
    filled = (
        f"1 missing value inside the series was filled by linear interpolation {GAPS_BY_DEFAULT}"
    )
    assert filled in series.report.lines


def test_repeated_timestamps_are_refused_when_asked_naming_the_first_and_how_many():
    table = dated(
        [*days(12)[:3], days(12)[2], *days(12)[3:8], days(12)[7], *days(12)[8:]], np.arange(14.0)
    )
    with pytest.raises(DataError) as err:
        prepare(table, options=CleaningOptions(duplicates="refuse"))
    assert str(err.value) == (
        "2 timestamps appear more than once (the first is 2020-01-03). Remove the repeated "
        "rows, or choose how to merge them: mean, sum, first or last."
    )


def test_repeats_explained_by_a_group_column_point_to_it():
    series = prepare(long_table())
    assert series.report.lines[2:] == [
        "12 timestamps appeared more than once (first 2020-01-01); their values were averaged "
        "(the default; you can sum them or keep the first or last instead).",
        "'store' looks like it names separate series (2 groups): choose it as the group column "
        "to take one group or to combine them.",
    ]
    np.testing.assert_array_equal(series.values, np.arange(12.0) * 5.5)
    with pytest.raises(DataError, match=r"more than once \(the first is 2020-01-01\).*'store'"):
        prepare(long_table(), options=CleaningOptions(duplicates="refuse"))


# Gaps: missing timestamps and missing values inside

HOLEY = dated(
    [*days(14)[:4], *days(14)[6:]],  # 2020-01-05 and 2020-01-06 missing
    [0.0, 1.0, np.nan, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0],
    price=[5.0, np.nan, 7.0, 8.0, *[9.0] * 8],
)


@pytest.mark.parametrize(
    ("how", "values", "prices", "said", "said_price"),
    [
        (
            "interpolate",
            [0, 1, 2, 3, 4, 5, 6],
            [5, 6, 7, 8, 8 + 1 / 3, 8 + 2 / 3, 9],
            f"filled by linear interpolation {GAPS_BY_DEFAULT}",
            "interpolated",
        ),
        (
            "ffill",
            [0, 1, 1, 3, 3, 3, 6],
            [5, 5, 7, 8, 8, 8, 9],
            "forward-filled with the value before each, as chosen.",
            "forward-filled",
        ),
        (
            "zero",
            [0, 1, 0, 3, 0, 0, 6],
            [5, 0, 7, 8, 0, 0, 9],
            "set to zero, as chosen.",
            "set to zero",
        ),
    ],
)
def test_gaps_are_filled_as_chosen_in_the_target_and_extra_inputs(
    how, values, prices, said, said_price
):
    series = prepare(HOLEY, covariates=["price"], options=CleaningOptions(gaps=how))
    assert series.index.equals(pd.DatetimeIndex(days(14)))
    np.testing.assert_allclose(series.values[:7], values)
    np.testing.assert_array_equal(series.values[7:], np.arange(7.0, 14.0))
    np.testing.assert_allclose(series.covariates["price"].to_numpy()[:7], prices)
    assert series.report.lines[2:] == [
        "2 missing timestamps were added to keep a regular D calendar.",
        f"3 missing values inside the series were {said}",
        f"3 missing values of the extra input 'price' were {said_price}.",
    ]


def test_gaps_are_refused_when_asked_with_counts_and_the_first():
    with pytest.raises(DataError) as err:
        prepare(HOLEY, options=CleaningOptions(gaps="refuse"))
    assert str(err.value) == (
        "The series has gaps: 2 missing timestamps in its D calendar and 1 missing value "
        f"(the first at 2020-01-03). {GAP_ADVICE}"
    )


def test_missing_timestamps_alone_are_refused_when_asked():
    table = dated(days(14)[:9] + days(14)[10:], np.arange(13.0))
    with pytest.raises(DataError) as err:
        prepare(table, options=CleaningOptions(gaps="refuse"))
    assert str(err.value) == (
        f"The series has gaps: 1 missing timestamp in its D calendar (the first at 2020-01-10). "
        f"{GAP_ADVICE}"
    )


def test_a_hole_in_an_extra_input_is_refused_when_asked():
    table = dated(days(12), np.arange(12.0), price=[*range(7), np.nan, np.nan, 9.0, 10.0, 11.0])
    with pytest.raises(DataError) as err:
        prepare(table, covariates=["price"], options=CleaningOptions(gaps="refuse"))
    assert str(err.value) == (
        f"The extra input 'price' has 2 missing values (the first at 2020-01-08). {GAP_ADVICE}"
    )


def test_without_dates_a_refused_gap_is_named_by_its_row():
    table = pd.DataFrame({"reading": [1.0, 2.0, 3.0, np.nan, *range(5, 13)]})
    with pytest.raises(DataError) as err:
        prepare(table, options=CleaningOptions(gaps="refuse"))
    assert (
        str(err.value) == f"The series has gaps: 1 missing value (the first at row 4). {GAP_ADVICE}"
    )


@pytest.mark.parametrize("how", ["interpolate", "ffill", "zero", "refuse"])
def test_missing_values_at_the_ends_are_dropped_whatever_the_gap_choice(how):
    table = dated(days(15), [np.nan, np.nan, *range(12), np.nan])
    series = prepare(table, options=CleaningOptions(gaps=how))
    np.testing.assert_array_equal(series.values, np.arange(12.0))
    assert series.index[0] == pd.Timestamp("2020-01-03")
    assert series.report.lines[2:] == ["3 missing values at the start or end were dropped."]


def test_forward_fill_back_fills_an_extra_input_that_starts_late_and_says_so():
    table = dated(days(12), np.arange(12.0), price=[np.nan, np.nan, *range(2, 12)])
    series = prepare(table, covariates=["price"], options=CleaningOptions(gaps="ffill"))
    assert series.covariates["price"].tolist()[:3] == [2.0, 2.0, 2.0]
    assert series.report.lines[2:] == [
        "2 missing values of the extra input 'price' were forward-filled "
        "(those before its first value back-filled)."
    ]


# Resampling to a coarser frequency

DAILY = dated(days(370, start="2021-01-01"), np.arange(370.0))  # Friday 2021-01-01 to 2022-01-05


def test_daily_sales_become_weekly_sums_without_the_partial_weeks():
    series = prepare(DAILY, options=CleaningOptions(resample="W"))
    assert series.freq == "W-SUN"
    assert series.season_length == 52
    assert series.index.equals(pd.date_range("2021-01-10", periods=52, freq="W-SUN"))
    # the first full week is Monday 2021-01-04 (day 3) to Sunday 2021-01-10 (day 9)
    assert series.values[0] == sum(range(3, 10))
    assert series.values[-1] == sum(range(360, 367))
    assert series.report.lines[2:] == [
        "Resampled from D to W-SUN by sum: 370 rows -> 54 "
        "(the sum is the default; you can take the mean or the last value instead).",
        "Dropped the first and last periods (2021-01-03 and 2022-01-09), which the data cover "
        "only in part: a partial sum would be misleading.",
    ]


def test_whole_weeks_resample_without_dropping_any():
    table = dated(days(364, start="2024-01-01"), np.ones(364))  # Monday to Sunday, 52 weeks
    series = prepare(table, options=CleaningOptions(resample="W"))
    assert len(series) == 52
    np.testing.assert_array_equal(series.values, np.full(52, 7.0))
    assert series.report.lines[2:] == [
        "Resampled from D to W-SUN by sum: 364 rows -> 52 "
        "(the sum is the default; you can take the mean or the last value instead)."
    ]


@pytest.mark.parametrize(
    ("how", "first", "said", "reason"),
    [
        (
            "mean",
            15.0,
            "mean",
            "a mean over part of a period would not be comparable with the others",
        ),
        (
            "last",
            30.0,
            "last value",
            "the last value of part of a period is not the value at its end",
        ),
    ],
)
def test_daily_values_become_monthly_means_or_last_values(how, first, said, reason):
    table = dated(days(400, start="2020-01-01"), np.arange(400.0))  # to 2021-02-03
    series = prepare(table, options=CleaningOptions(resample="MS", resample_how=how))
    assert series.freq == "MS"
    assert series.index.equals(pd.date_range("2020-01-01", periods=13, freq="MS"))
    assert series.values[0] == first
    assert series.report.lines[2:] == [
        f"Resampled from D to MS by {said}: 400 rows -> 14, as chosen.",
        f"Dropped the last period (2021-02-01), which the data cover only in part: {reason}.",
    ]


def test_gaps_are_filled_before_resampling():
    table = dated(np.delete(days(84, start="2024-01-01"), 3).tolist(), np.ones(83))
    table.loc[10, "value"] = np.nan  # 2024-01-12, in the second week
    series = prepare(table, options=CleaningOptions(resample="W", gaps="zero"))
    np.testing.assert_array_equal(series.values, [6.0, 6.0, *[7.0] * 10])
    assert series.report.lines[2:] == [
        "1 missing timestamp was added to keep a regular D calendar.",
        "2 missing values inside the series were set to zero, as chosen.",
        "Resampled from D to W-SUN by sum: 84 rows -> 12 "
        "(the sum is the default; you can take the mean or the last value instead).",
    ]


def test_resampling_to_a_finer_frequency_is_refused():
    with pytest.raises(DataError) as err:
        prepare(DAILY, options=CleaningOptions(resample="h"))
    assert str(err.value) == (
        "Cannot resample to h: it is finer than the data's own frequency D. "
        "Choose a coarser one, such as W (weeks), MS (months) or QS (quarters)."
    )


def test_resampling_weeks_to_weeks_on_another_day_is_refused():
    table = dated(days(20, start="2024-01-06", freq="W-SAT"), np.arange(20.0))
    with pytest.raises(
        DataError,
        match="Cannot resample to W-SUN: it is no coarser than the data's own frequency W-SAT",
    ):
        prepare(table, options=CleaningOptions(resample="W"))


def test_resampling_to_the_data_s_own_frequency_changes_nothing_and_says_so():
    table = dated(days(12), np.arange(12.0))
    series = prepare(table, options=CleaningOptions(resample="D"))
    np.testing.assert_array_equal(series.values, np.arange(12.0))
    assert series.report.lines[2:] == [
        "The data are already at frequency D: nothing was resampled."
    ]


def test_resampling_needs_dates():
    with pytest.raises(DataError) as err:
        prepare(pd.DataFrame({"value": np.arange(30.0)}), options=CleaningOptions(resample="W"))
    assert str(err.value) == (
        "Resampling needs a date column; without one, time is the row number. "
        "Choose the date column, or do not resample."
    )


# Long format: groups


def test_the_group_column_of_a_small_long_table_is_detected():
    assert detect_group_column(long_table(), "date", "sales") == "store"


def test_no_group_column_is_detected_where_dates_do_not_repeat():
    table = pd.DataFrame({"date": days(12), "store": ["A", "B"] * 6, "sales": np.arange(12.0)})
    assert detect_group_column(table, "date", "sales") is None
    assert detect_group_column(long_table(), None, "sales") is None


def test_a_column_that_does_not_explain_the_repeats_is_not_a_group():
    table = long_table()
    table["weekday"] = pd.to_datetime(table["date"]).dt.day_name()  # the same on both rows of a day
    table["note"] = [f"n{k}" for k in range(24)]  # every label once
    table["code"] = [1, 2] * 12  # numbers, not text
    assert detect_group_column(table.drop(columns=["store"]), "date", "sales") is None
    assert detect_group_column(table, "date", "sales") == "store"


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["2020-01-01", "2020-01-02", "2020-01-03"], dtype="str"),
        pd.Series(["2020-01-03", "2020-01-02", "2020-01-01"], dtype="str"),
        pd.Series(["2020-01-01", "2020-01-01", "2020-01-02"], dtype="str"),
        pd.Series(["", "2020-01-01", "", "2020-01-02"], dtype="str"),
        pd.Series(["a", None, "b", None], dtype="str"),
        pd.Series(["a", None, "b", None], dtype="string[pyarrow]"),
        pd.Series([1.0, np.nan, 2.0, np.nan]),
        pd.Series([3, 1, 2, 1]),
        pd.Series(["2020", 2021, "2021", 2021], dtype=object),
        pd.Series(pd.to_datetime(["2020-01-01", None, "2020-01-02", None])),
    ],
    ids=[
        "ascending",
        "descending",
        "repeated",
        "blank-twice",
        "missing-twice",
        "missing-twice-as-na",
        "nan-twice",
        "unordered-numbers",
        "text-beside-numbers",
        "nat-twice",
    ],
)
def test_repeated_dates_are_counted_as_duplicated_counts_them(column):
    assert data.prepare._repeats(column) == int(column.duplicated().sum())


def test_one_group_is_picked_and_said():
    series = prepare(long_table(), options=CleaningOptions(group_col="store", group="B"))
    np.testing.assert_array_equal(series.values, np.arange(12.0) * 10)
    assert series.freq == "D"
    assert series.columns == ("date", "store", "sales")
    assert series.report.lines == [
        "Using 'date' as the date column (detected).",
        "Using 'sales' as the value to forecast (the first numeric column).",
        "Kept the 12 rows of group 'B' in 'store' (one of 2 groups), as chosen.",
    ]


def test_a_group_is_found_whatever_the_spaces_around_its_label():
    table = long_table()
    table["store"] = [" A", "B "] * 12
    series = prepare(table, options=CleaningOptions(group_col="store", group="A"))
    np.testing.assert_array_equal(series.values, np.arange(12.0))


@pytest.mark.parametrize(
    ("how", "factor", "said"),
    [
        (
            "sum",
            11.0,
            "Summed the 2 groups of 'store' at each timestamp "
            "(the default; you can average them or pick one group instead).",
        ),
        ("mean", 5.5, "Averaged the 2 groups of 'store' at each timestamp, as chosen."),
    ],
)
def test_all_groups_are_combined_per_timestamp_as_chosen(how, factor, said):
    options = CleaningOptions(group_col="store", aggregate=how)
    series = prepare(long_table(), options=options)
    np.testing.assert_array_equal(series.values, np.arange(12.0) * factor)
    assert series.index.equals(pd.DatetimeIndex(days(12)))
    assert series.report.lines[2:] == [said]


def test_combining_says_where_some_groups_are_missing():
    table = long_table().iloc[4:].reset_index(drop=True)  # the first two days have no rows
    table = pd.concat([table, pd.DataFrame({"date": days(2), "store": "A", "sales": 100.0})])
    series = prepare(table, options=CleaningOptions(group_col="store"))
    np.testing.assert_array_equal(series.values, [100.0, 100.0, *(np.arange(2.0, 12.0) * 11)])
    assert series.report.lines[2:] == [
        "Rows were not in time order and were sorted by date.",
        "Summed the 2 groups of 'store' at each timestamp (the default; you can average them "
        "or pick one group instead). 2 timestamps lack some of the groups and were combined "
        "from those present.",
    ]


def test_repeats_within_a_group_are_merged_before_groups_are_combined():
    table = pd.concat(
        [long_table(), pd.DataFrame({"date": ["2020-01-05"], "store": ["A"], "sales": [8.0]})]
    )
    series = prepare(table, options=CleaningOptions(group_col="store"))
    assert series.values[4] == (4.0 + 8.0) / 2 + 40.0
    assert series.report.lines[3] == (
        "1 timestamp appeared more than once within a group (first 2020-01-05); their values "
        "were averaged (the default; you can sum them or keep the first or last instead)."
    )


def test_rows_without_a_group_are_dropped_when_groups_are_combined():
    table = long_table()
    table.loc[[1, 3], "store"] = [np.nan, "  "]
    series = prepare(table, options=CleaningOptions(group_col="store"))
    assert series.values[:3].tolist() == [0.0, 1.0, 22.0]
    assert series.report.lines[2] == "2 rows without a group in 'store' were dropped."


def test_numeric_group_labels_are_named_without_decimals():
    table = long_table()
    table["store"] = [1.0, 2.0] * 12
    series = prepare(table, target="sales", options=CleaningOptions(group_col="store", group="2"))
    np.testing.assert_array_equal(series.values, np.arange(12.0) * 10)


def test_a_missing_group_is_refused_listing_the_first_ten():
    table = pd.DataFrame(
        {"date": np.repeat(days(12), 12), "id": [f"g{k}" for k in range(12)] * 12, "v": 1.0}
    )
    with pytest.raises(DataError) as err:
        prepare(table, options=CleaningOptions(group_col="id", group="g99"))
    assert str(err.value) == (
        "There is no group 'g99' in 'id'; the groups are: "
        "'g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9' ...."
    )


def test_a_group_column_not_in_the_file_or_also_the_target_is_refused():
    with pytest.raises(DataError) as err:
        prepare(long_table(), options=CleaningOptions(group_col="shop"))
    assert str(err.value) == (
        "The group column 'shop' is not in the file. Its columns are: 'date', 'store', 'sales'."
    )
    with pytest.raises(DataError) as err:
        prepare(long_table(), target="store", options=CleaningOptions(group_col="store"))
    assert str(err.value) == (
        "'store' cannot be both the group column and the date, the value to forecast "
        "or an extra input."
    )


def test_without_dates_one_group_can_be_picked_but_groups_cannot_be_combined():
    table = long_table().drop(columns=["date"])
    picked = prepare(table, options=CleaningOptions(group_col="store", group="A"))
    np.testing.assert_array_equal(picked.values, np.arange(12.0))
    assert picked.date_col is None
    with pytest.raises(DataError) as err:
        prepare(table, options=CleaningOptions(group_col="store"))
    assert str(err.value) == (
        "Combining groups needs a date column to line their rows up. "
        "Choose the date column, or pick one group."
    )


def test_a_numeric_group_column_is_never_the_detected_target():
    table = pd.DataFrame(
        {"date": np.repeat(days(12), 2), "shop": [7, 8] * 12, "sales": np.arange(24.0)}
    )
    series = prepare(table, options=CleaningOptions(group_col="shop", group="8"))
    assert series.target == "sales"
    np.testing.assert_array_equal(series.values, np.arange(1.0, 24.0, 2))


# Empty and wide tables


def test_empty_columns_are_ignored_and_said():
    table = dated(days(12), np.arange(12.0), x=np.nan, y=["", " ", None] * 4)
    series = prepare(table)
    assert series.columns == ("date", "value")
    assert series.report.lines == [*CHOSEN, "Ignored 2 empty columns: 'x', 'y'."]


def test_an_empty_column_named_as_the_target_is_refused_not_ignored():
    table = dated(days(12), np.arange(12.0), x=np.nan)
    with pytest.raises(DataError, match="Column 'x' has no numbers in it"):
        prepare(table, target="x")


def test_a_constant_series_prepares():
    series = prepare(dated(days(12), np.full(12, 7.0)))
    np.testing.assert_array_equal(series.values, np.full(12, 7.0))
    assert series.report.lines == CHOSEN


def test_a_repeated_column_name_gets_a_suffix_and_is_said():
    table = pd.DataFrame([[day, 1.0, 2.0] for day in days(12)], columns=["date", "v", " v"])
    series = prepare(table, target="v.1")
    np.testing.assert_array_equal(series.values, np.full(12, 2.0))
    assert series.columns == ("date", "v", "v.1")
    assert series.report.lines[0] == "Another column named 'v' was renamed 'v.1'."


def wide_table() -> pd.DataFrame:
    numbers = np.random.default_rng(0).normal(size=(500, 1000))
    table = pd.DataFrame(numbers, columns=[f"sensor_{k}" for k in range(1000)])
    table.insert(0, "date", days(500))
    return table


@pytest.mark.parametrize(("target", "expected"), [(None, "sensor_0"), ("sensor_737", "sensor_737")])
def test_a_table_of_a_thousand_columns_prepares_quickly_with_the_right_target(target, expected):
    table = wide_table()
    started = time.perf_counter()
    series = prepare(table, target=target)
    assert time.perf_counter() - started < 1.0
    assert series.target == expected
    assert len(series.columns) == 1001
    np.testing.assert_array_equal(series.values, table[expected].to_numpy())


def test_only_the_columns_used_are_converted(monkeypatch):
    converted = []
    original = data.prepare._to_numbers

    def counting(column, name, report):
        converted.append(name)
        return original(column, name, report)

    monkeypatch.setattr(data.prepare, "_to_numbers", counting)
    prepare(wide_table(), target="sensor_3", covariates=["sensor_9"])
    assert converted == ["sensor_3", "sensor_9"]
