"""data.calendar: cyclic calendar inputs and the holidays of the coming steps, checked against
days worked out by hand; what cannot have them is refused with a message."""

import numpy as np
import pandas as pd
import pytest

from data.calendar import Ahead, calendar_frame, holiday_frame, unit_of, with_ahead, with_calendar
from data.errors import DataError
from data.prepare import from_array, prepare


def daily(start: str, days: int, **extra) -> pd.DataFrame:
    dates = pd.date_range(start, periods=days, freq="D")
    return pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "y": np.arange(days) % 7 + 1.0,
                         **extra})  # fmt: skip


@pytest.mark.parametrize(
    ("freq", "unit"),
    [
        ("D", "day"),
        ("W-SUN", "week"),
        ("MS", "month"),
        ("QS-OCT", "quarter"),
        ("h", "hour"),
        ("YS-JAN", "year"),
        ("B", "day"),
        (None, None),
    ],
)
def test_the_unit_of_a_frequency(freq, unit):
    assert unit_of(freq) == unit


def test_days_of_the_week_sit_on_a_circle_monday_first():
    index = pd.date_range("2024-01-01", periods=7, freq="D")  # a Monday
    frame = calendar_frame(index, "D")
    angles = 2 * np.pi * np.arange(7) / 7
    np.testing.assert_allclose(frame["calendar:day_of_week_sin"], np.sin(angles), atol=1e-12)
    np.testing.assert_allclose(frame["calendar:day_of_week_cos"], np.cos(angles), atol=1e-12)
    assert frame.loc["2024-01-01", "calendar:day_of_month_cos"] == pytest.approx(1.0)


def test_monthly_data_gets_the_month_of_the_year_only():
    index = pd.date_range("2024-01-01", periods=12, freq="MS")
    frame = calendar_frame(index, "MS")
    assert list(frame.columns) == ["calendar:month_of_year_sin", "calendar:month_of_year_cos"]
    assert frame.loc["2024-03-01", "calendar:month_of_year_sin"] == pytest.approx(np.sin(np.pi / 3))
    december = frame.loc["2024-12-01"].to_numpy()
    january = frame.loc["2024-01-01"].to_numpy()
    assert np.linalg.norm(december - january) < 0.6, "December sits beside January"


def test_each_step_reads_the_holidays_of_the_steps_after_it():
    index = pd.date_range("2024-07-01", periods=5, freq="D")
    frame, inside = holiday_frame(index, "D", 3, "US")
    assert inside == 1  # the Fourth of July
    assert frame.loc["2024-07-03", "holidays:US+1"] == 1
    assert frame.loc["2024-07-02", "holidays:US+2"] == 1
    assert frame.loc["2024-07-01", "holidays:US+3"] == 1
    assert frame.to_numpy().sum() == 3


def test_the_last_steps_read_holidays_past_the_end_of_the_data():
    index = pd.date_range("2024-12-10", "2024-12-23", freq="D")
    frame, inside = holiday_frame(index, "D", 3, "US")
    assert inside == 0
    assert frame.loc["2024-12-23", "holidays:US+2"] == 1, "Christmas, after the data ends"


def test_a_region_adds_its_own_holidays():
    index = pd.date_range("2024-03-25", periods=10, freq="D")
    country, _ = holiday_frame(index, "D", 1, "US")
    region, inside = holiday_frame(index, "D", 1, "us-ca")
    assert country.to_numpy().sum() == 0
    assert region.loc["2024-03-30", "holidays:US-CA+1"] == 1, "Cesar Chavez Day, March 31"
    assert inside == 2  # and its observance on Monday, April 1


def test_a_week_counts_the_holiday_days_in_it():
    index = pd.date_range("2024-11-18", periods=3, freq="W-MON")
    frame, _ = holiday_frame(index, "W-MON", 1, "US-CA")
    assert frame.loc["2024-11-18", "holidays:US-CA+1"] == 2, "Thanksgiving and the day after"


@pytest.mark.parametrize("code", ["XX", "US-ZZ"])
def test_an_unknown_country_or_region_is_named(code):
    with pytest.raises(DataError, match=f"No holidays are known for '{code}'"):
        holiday_frame(pd.date_range("2024-01-01", periods=3, freq="D"), "D", 1, code)


def test_data_without_dates_or_yearly_gets_no_calendar_inputs():
    with pytest.raises(DataError, match="need dates at a regular frequency"):
        with_calendar(from_array(np.arange(20.0)), 3)
    with pytest.raises(DataError, match="Yearly data has no cycle"):
        calendar_frame(pd.date_range("2000-01-01", periods=5, freq="YS"), "YS-JAN")


def test_the_inputs_join_the_series_extra_inputs_and_the_report_says_so():
    series = prepare(daily("2024-06-01", 60, temp=np.linspace(10, 20, 60)), "date", "y",
                     covariates=["temp"])  # fmt: skip
    made, names = with_calendar(series, 7, calendar=True, holidays="US")
    assert names[:2] == ("calendar:day_of_week_sin", "calendar:day_of_week_cos")
    assert names[-1] == "holidays:US+7" and len(names) == 6 + 7
    assert list(made.covariates.columns) == ["temp", *names]
    assert made.covariates.index.equals(series.index)
    np.testing.assert_array_equal(made.values, series.values)
    added = made.report.lines[len(series.report.lines) :]
    assert added[0].startswith("Added calendar inputs: day_of_month, day_of_week, day_of_year")
    assert added[1].startswith("Added holiday inputs for US: 2 holiday days")  # June 19, July 4
    assert with_calendar(series, 7, calendar=False) == (series, ())


def known(days: int, future: int) -> tuple:
    """A daily series of `days` values, and its 'promo' column running `future` days past it."""
    promo = np.arange(days + future) % 3
    units = (10.0 + promo).astype(object)
    units[days:] = None
    table = daily("2024-01-01", days + future, promo=promo)
    table["y"] = units
    return prepare(table, "date", "y"), prepare(table, "date", "promo")


def test_a_known_ahead_column_is_read_at_each_step_and_the_steps_after_it():
    series, promo = known(30, 4)
    made, names = with_ahead(series, 4, Ahead(columns=("promo",)), {"promo": promo})
    assert names == ("promo+0", "promo+1", "promo+2", "promo+3", "promo+4")
    inputs = made.covariates
    np.testing.assert_array_equal(inputs["promo+0"], promo.values[:30])
    np.testing.assert_array_equal(inputs["promo+3"], promo.values[3:33])
    assert inputs["promo+4"].iloc[-1] == promo.values[33], "read from a row past the end"
    assert len(series) == 30 and "Added known-ahead inputs for 'promo'" in made.report.lines[-1]


def test_a_known_ahead_column_without_the_forecast_steps_values_names_the_dates():
    series, promo = known(30, 2)
    with pytest.raises(DataError, match="'promo' has no value for 2024-02-02, 2024-02-03\\. "):
        with_ahead(series, 4, Ahead(columns=("promo",)), {"promo": promo})


def test_nothing_asked_ahead_is_nothing_added():
    series, _ = known(30, 4)
    assert not Ahead() and Ahead(calendar=True)
    assert with_ahead(series, 4, Ahead(), {}) == (series, ())


def test_a_month_dated_at_its_end_counts_the_holidays_of_that_month():
    index = pd.date_range("2023-10-31", periods=3, freq="ME")
    frame, _ = holiday_frame(index, "ME", 1, "US")
    assert frame.loc["2023-11-30", "holidays:US+1"] == 1, "December: Christmas"
    assert frame.loc["2023-12-31", "holidays:US+1"] == 2, "January: New Year and MLK Day"


def test_every_hour_of_a_holiday_is_a_holiday():
    index = pd.date_range("2024-12-24 20:00", periods=30, freq="h")
    frame, inside = holiday_frame(index, "h", 1, "US")
    flagged = frame.index[frame["holidays:US+1"] == 1] + pd.Timedelta(hours=1)
    assert list(flagged) == list(pd.date_range("2024-12-25", periods=24, freq="h"))
    assert inside == 24
