"""Checks on the bundled sample series in data/samples/ and their catalog."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
CATALOG = SAMPLES / "catalog.json"

STR_FIELDS = (
    "file",
    "name",
    "description",
    "source_package",
    "original_source",
    "license",
    "frequency",
    "target",
    "date_col",
    "unit",
)
INT_FIELDS = ("season_length", "horizon")
FIELDS = STR_FIELDS + INT_FIELDS

# Facts about each series as found in the package files it was extracted from
# (row count, empty value cells, first date, last date, first value, last value).
EXPECTED = {
    "airline.csv": (144, 0, "1949-01-01", "1960-12-01", 112, 432),
    "shampoo.csv": (36, 0, "1991-01-01", "1993-12-01", 266.0, 646.9),
    "elnino.csv": (732, 0, "1950-01-01", "2010-12-01", 23.11, 22.07),
    # statsmodels co2.csv: 2284 weekly rows, 59 of them without a value
    # (its docs give 2225 observations).
    "co2.csv": (2284, 59, "1958-03-29", "2001-12-29", 316.1, 371.5),
    "elec_equip.csv": (257, 0, "1995-01-01", "2016-05-01", 66.19, 97.86),
    "sunspots.csv": (309, 0, "1700-01-01", "2008-01-01", 5, 2.9),
    "nile.csv": (100, 0, "1871-01-01", "1970-01-01", 1120, 740),
    "lynx.csv": (114, 0, "1821-01-01", "1934-01-01", 269, 3396),
}

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def load_catalog() -> list[dict]:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


ENTRIES = load_catalog()
ENTRY_IDS = [e.get("file", "?") for e in ENTRIES]


def read_raw(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def read_series(entry: dict) -> pd.DataFrame:
    return pd.read_csv(SAMPLES / entry["file"])


def test_catalog_is_a_non_empty_list_of_objects():
    assert isinstance(ENTRIES, list)
    assert ENTRIES
    assert all(isinstance(e, dict) for e in ENTRIES)


def test_catalog_lists_exactly_the_csv_files_present():
    files = [e["file"] for e in ENTRIES]
    assert len(files) == len(set(files)), "duplicate file in catalog"
    present = sorted(p.name for p in SAMPLES.glob("*.csv"))
    assert sorted(files) == present


def test_catalog_covers_the_expected_series_in_order():
    files = [e["file"] for e in ENTRIES]
    assert files[:4] == ["airline.csv", "shampoo.csv", "elnino.csv", "co2.csv"]
    assert sorted(files) == sorted(EXPECTED)


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_every_sample_entry_has_all_its_fields_filled_with_the_right_types(entry):
    missing = [f for f in FIELDS if f not in entry]
    assert not missing, f"missing fields: {missing}"
    for field in STR_FIELDS:
        assert isinstance(entry[field], str), field
        assert entry[field].strip(), f"{field} is empty"
    for field in INT_FIELDS:
        value = entry[field]
        assert isinstance(value, int), field
        assert not isinstance(value, bool), field
        assert value >= 1, field
    assert entry["file"].endswith(".csv")
    assert "/" not in entry["file"]
    assert entry["date_col"] == "date"
    assert entry["target"] != entry["date_col"]
    # The frequency must be an alias pandas understands.
    pd.tseries.frequencies.to_offset(entry["frequency"])
    # The package version and the path of the file inside it are both named.
    assert re.search(r"\d+\.\d+", entry["source_package"])
    assert re.search(r"\S+/\S+\.csv", entry["source_package"])


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_csv_has_date_and_target_columns_only(entry):
    df = read_series(entry)
    assert list(df.columns) == [entry["date_col"], entry["target"]]
    assert len(df) > 2 * entry["horizon"]
    assert entry["season_length"] < len(df)


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_dates_are_iso_increasing_and_regular(entry):
    df = read_series(entry)
    raw_dates = df[entry["date_col"]].astype(str)
    assert raw_dates.map(lambda s: bool(ISO_DATE.fullmatch(s))).all()
    dates = pd.to_datetime(raw_dates, format="%Y-%m-%d")
    assert dates.notna().all()
    assert dates.is_monotonic_increasing
    assert dates.is_unique
    expected = pd.date_range(dates.iloc[0], periods=len(dates), freq=entry["frequency"])
    assert pd.DatetimeIndex(dates).equals(expected)


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_inferred_frequency_matches_catalog(entry):
    dates = pd.DatetimeIndex(pd.to_datetime(read_series(entry)[entry["date_col"]]))
    # pandas 3 warns that infer_freq will return an offset instead of a string; opt in
    # to that now. to_offset accepts either.
    with pd.option_context("future.infer_freq_returns_offset", True):
        inferred = pd.tseries.frequencies.to_offset(pd.infer_freq(dates))
    assert inferred == pd.tseries.frequencies.to_offset(entry["frequency"])


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_values_are_finite_or_empty(entry):
    rows = read_raw(SAMPLES / entry["file"])
    assert rows[0] == [entry["date_col"], entry["target"]]
    body = rows[1:]
    assert all(len(r) == 2 for r in body)
    for date, value in body:
        if value == "":
            continue
        assert value == value.strip(), f"{date}: stray whitespace"
        assert math.isfinite(float(value)), f"{date}: {value!r}"
    df = read_series(entry)
    assert pd.api.types.is_numeric_dtype(df[entry["target"]])


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_rows_and_empty_cells_match_source(entry):
    n_rows, n_empty, first_date, last_date, first_value, last_value = EXPECTED[entry["file"]]
    rows = read_raw(SAMPLES / entry["file"])[1:]
    assert len(rows) == n_rows
    assert sum(1 for _, v in rows if v == "") == n_empty
    df = read_series(entry)
    assert df[entry["target"]].isna().sum() == n_empty
    assert df[entry["date_col"]].iloc[0] == first_date
    assert df[entry["date_col"]].iloc[-1] == last_date
    assert df[entry["target"]].iloc[0] == pytest.approx(first_value)
    assert df[entry["target"]].iloc[-1] == pytest.approx(last_value)


def test_airline_is_the_box_jenkins_series():
    df = pd.read_csv(SAMPLES / "airline.csv", parse_dates=["date"])
    assert len(df) == 144
    assert df["date"].iloc[0] == pd.Timestamp("1949-01-01")
    assert df["date"].iloc[-1] == pd.Timestamp("1960-12-01")
    assert df["passengers"].iloc[0] == 112
    assert df["passengers"].iloc[-1] == 432
    assert df["passengers"].notna().all()
    assert df["passengers"].max() == 622


def test_co2_is_weekly_on_saturdays_with_gaps_left_empty():
    df = pd.read_csv(SAMPLES / "co2.csv", parse_dates=["date"])
    assert (df["date"].dt.day_of_week == 5).all()
    assert df["co2"].isna().sum() == 59
    assert df["co2"].notna().sum() == 2225


def test_elnino_is_chronological_reshape_of_year_by_month_table():
    df = pd.read_csv(SAMPLES / "elnino.csv", parse_dates=["date"])
    assert len(df) == 61 * 12
    first_year = df[df["date"].dt.year == 1950]["sst"].tolist()
    assert first_year[:3] == pytest.approx([23.11, 24.2, 25.37])
    assert first_year[-1] == pytest.approx(21.8)


def test_readme_names_every_file():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for entry in ENTRIES:
        assert f"`{entry['file']}`" in readme
