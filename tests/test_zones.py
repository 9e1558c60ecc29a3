"""Timestamps keep their meaning: a file's times, converted to the zone most of its rows use
(across a DST change), carry that zone into every output: inspect, forecast.csv, the series'
index, the calendar inputs, the saved series."""

import json

import numpy as np
import pandas as pd
import pytest

from data.calendar import calendar_frame
from data.errors import DataError
from data.prepare import CleaningOptions, prepare
from data.series_file import series_from_bytes, series_to_bytes
from tests.test_cli import FAST, run_cli

AUTUMN = pd.date_range("2024-11-02 20:00", periods=30, freq="h", tz="America/New_York")


@pytest.fixture
def dst_file(tmp_path):
    values = 10 + np.sin(2 * np.pi * np.arange(400) / 24)
    stamps = pd.date_range("2024-10-20", periods=400, freq="h", tz="America/New_York")
    path = tmp_path / "load.csv"
    pd.DataFrame({"time": [s.isoformat() for s in stamps], "load": values}).to_csv(
        path, index=False
    )
    return path


def table(stamps) -> pd.DataFrame:
    return pd.DataFrame({"time": [s.isoformat() for s in stamps], "load": np.arange(len(stamps))})


def test_times_across_a_dst_change_take_the_zone_most_rows_use_and_keep_it():
    series = prepare(table(AUTUMN), "time", "load")
    assert str(series.index.tz) == "UTC-05:00"
    assert series.index[0].isoformat() == "2024-11-02T19:00:00-05:00"  # 20:00-04:00
    assert series.index[-1].isoformat() == "2024-11-04T00:00:00-05:00"
    assert len(series) == 30 and series.freq == "h"
    assert "Times were converted to UTC-05:00, the zone most rows use." in series.report


def test_times_in_one_zone_keep_it_and_the_calendar_reads_their_local_hours():
    stamps = pd.date_range("2024-03-01 00:00", periods=48, freq="h", tz="UTC+01:00")
    series = prepare(table(stamps), "time", "load")
    assert str(series.index.tz) == "UTC+01:00"
    hours = calendar_frame(series.index, series.freq)["calendar:hour_of_day_sin"]
    assert hours.iloc[0] == pytest.approx(0.0) and hours.iloc[6] == pytest.approx(1.0)


def test_a_file_without_zones_stays_without_one():
    stamps = pd.date_range("2024-03-01", periods=10, freq="D")
    assert prepare(table(stamps), "time", "load").index.tz is None


def test_the_zone_survives_saving_the_series():
    series = prepare(table(AUTUMN), "time", "load")
    back = series_from_bytes(series_to_bytes(series))
    assert back.index.equals(series.index) and str(back.index.tz) == "UTC-05:00"
    assert back.fingerprint() == series.fingerprint()


def test_inspect_and_the_forecast_file_carry_the_offset(capsys, dst_file, tmp_path):
    code, out, _ = run_cli(capsys, "inspect", dst_file)
    assert code == 0
    described = json.loads(out)
    assert described["start"].endswith("-04:00") and described["end"].endswith("-04:00")
    code, _, err = run_cli(capsys, "forecast", dst_file, "--horizon", "3", "--out", tmp_path,
                           *FAST)  # fmt: skip
    assert code == 0, err
    stamps = pd.read_csv(tmp_path / "forecast.csv")["timestamp"]
    after = pd.Timestamp(described["end"]) + pd.Timedelta(hours=1)
    expected = pd.date_range(after, periods=3, freq="h")
    assert list(stamps) == [str(stamp) for stamp in expected]
    assert all(stamp.endswith("-04:00") for stamp in stamps)


def test_a_named_zone_keeps_the_moments_and_reads_the_local_clock():
    series = prepare(
        table(AUTUMN), "time", "load", options=CleaningOptions(zone="America/New_York")
    )
    assert str(series.index.tz) == "America/New_York" and series.freq == "h" and len(series) == 30
    assert series.index[0].isoformat() == "2024-11-02T20:00:00-04:00"  # as written
    assert series.index[-1].isoformat() == "2024-11-04T00:00:00-05:00"  # after the change
    assert (series.index.asi8 == AUTUMN.asi8).all(), "the same moments"
    assert series.values.tolist() == list(range(30)), "no value moved, none made up"
    assert any("converted from UTC-05:00 to America/New_York" in line for line in series.report)
    midnight = calendar_frame(series.index, series.freq)["calendar:hour_of_day_sin"]
    assert midnight.iloc[4] == pytest.approx(0.0), "00:00 on the local clock"
    back = series_from_bytes(series_to_bytes(series))
    assert back.index.equals(series.index) and str(back.index.tz) == "America/New_York"


def test_wall_times_are_read_as_a_named_zone_unless_a_clock_change_makes_them_ambiguous():
    days = pd.DataFrame({"time": pd.date_range("2024-03-01", periods=10, freq="D").strftime(
        "%Y-%m-%d"), "load": range(10)})  # fmt: skip
    series = prepare(days, "time", "load", options=CleaningOptions(zone="Europe/Madrid"))
    assert series.index[0].isoformat() == "2024-03-01T00:00:00+01:00"
    assert "Times read as Europe/Madrid's local clock." in series.report
    walls = table(AUTUMN.tz_localize(None))  # 01:00 on 3 November happens twice in New York
    with pytest.raises(DataError, match="cannot all be read as America/New_York's clock"):
        prepare(walls, "time", "load", options=CleaningOptions(zone="America/New_York"))


def test_an_unknown_zone_is_refused_in_one_line(capsys, dst_file):
    with pytest.raises(DataError, match=r"'Mars/Olympus' is not a time zone .* America/New_York"):
        CleaningOptions(zone="Mars/Olympus")
    code, _, err = run_cli(capsys, "inspect", dst_file, "--zone", "Mars/Olympus")
    assert code == 2 and err.count("\n") == 1 and "Mars/Olympus" in err


def test_the_cli_gives_every_output_in_the_named_zone(capsys, dst_file, tmp_path):
    code, out, _ = run_cli(capsys, "inspect", dst_file, "--zone", "America/New_York")
    assert code == 0
    described = json.loads(out)
    assert described["start"] == "2024-10-20T00:00:00-04:00"
    assert described["end"].endswith("-05:00"), "after the clock change, its own offset"
    code, _, err = run_cli(capsys, "forecast", dst_file, "--zone", "America/New_York",
                           "--horizon", "3", "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 0, err
    stamps = pd.read_csv(tmp_path / "forecast.csv")["timestamp"]
    assert list(stamps) == [str(s) for s in pd.date_range(
        pd.Timestamp(described["end"]) + pd.Timedelta(hours=1), periods=3, freq="h")]  # fmt: skip


def test_the_data_page_gives_an_upload_in_the_zone_typed_and_refuses_an_unknown_one():
    from tests.test_pages import start
    from ui import state

    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    content = table(AUTUMN).to_csv(index=False).encode()
    app.file_uploader[0].set_value(("load.csv", content, "text/csv")).run()
    zone = app.text_input(key=state.cleaning_key("zone", "load.csv"))
    zone.input("America/New_York").run()
    assert not app.exception and not app.error
    assert str(app.session_state[state.SERIES].index.tz) == "America/New_York"
    app.text_input(key=state.cleaning_key("zone", "load.csv")).input("Mars/Olympus").run()
    assert not app.exception
    assert "Mars/Olympus" in app.error[0].value and "America/New\\_York" in app.error[0].value
