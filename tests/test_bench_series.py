"""Checks on the benchmark series in bench/series/ and their catalog."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.load import read_table_with_notes
from data.prepare import CleaningOptions, prepare
from data.series import season_from_freq
from tests.test_samples import INT_FIELDS, STR_FIELDS

ROOT = Path(__file__).resolve().parent.parent
SERIES = ROOT / "bench" / "series"
CATALOG = SERIES / "catalog.json"
SAMPLES_CATALOG = ROOT / "data" / "samples" / "catalog.json"

MIN_POINTS, MAX_POINTS = 60, 5000
# Refuse rather than clean: a benchmark series must need no duplicate merging or gap filling.
STRICT = CleaningOptions(duplicates="refuse", gaps="refuse")
# The only report lines allowed: which columns were used, as the catalog names them.
DATE_AS_GIVEN = "Using '{date_col}' as the date column, as given."
TARGET_AS_GIVEN = "Using '{target}' as the value to forecast, as given."


# Frequency kind (from the offset's base) -> the benchmark's forecast horizon.
KIND_BY_BASE = {"MS": "monthly", "QS": "quarterly", "YS": "yearly", "W": "weekly", "D": "daily"}
HORIZON_BY_KIND = {
    "monthly": 12,
    "quarterly": 8,
    "yearly": 6,
    "weekly": 13,
    "daily": 14,
    "half-hourly": 48,
    "hourly": 24,
}

ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?")


def load_catalog() -> list[dict]:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


ENTRIES = load_catalog()
ENTRY_IDS = [e.get("file", "?") for e in ENTRIES]


def sample_keys() -> list[str]:
    samples = json.loads(SAMPLES_CATALOG.read_text(encoding="utf-8"))
    return list(samples[0])


def read_raw(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def read_series(entry: dict) -> pd.DataFrame:
    return pd.read_csv(SERIES / entry["file"])


def prepared(entry: dict):
    """The file as the app reads it: data.load, then data.prepare refusing any cleaning."""
    table, notes = read_table_with_notes(SERIES / entry["file"])
    series = prepare(
        table,
        date_col=entry["date_col"],
        target=entry["target"],
        options=STRICT,
        read_notes=notes,
    )
    return series, notes


def kind(freq: str) -> str:
    offset = pd.tseries.frequencies.to_offset(freq)
    base = offset.rule_code.split("-")[0]
    if base in ("h", "min", "s"):
        minutes = pd.Timedelta(offset).total_seconds() / 60
        return {60: "hourly", 30: "half-hourly"}.get(minutes, "sub-daily")
    return KIND_BY_BASE.get(base, base)


def test_catalog_is_a_list_of_at_least_eight_objects():
    assert isinstance(ENTRIES, list)
    assert len(ENTRIES) >= 8
    assert all(isinstance(e, dict) for e in ENTRIES)


def test_catalog_keys_equal_those_of_the_samples_catalog():
    keys = sample_keys()
    assert set(keys) == set(STR_FIELDS + INT_FIELDS)
    for entry in ENTRIES:
        assert list(entry) == keys, entry.get("file")


def test_the_bench_catalog_lists_exactly_its_csv_files():
    files = [e["file"] for e in ENTRIES]
    assert len(files) == len(set(files)), "duplicate file in catalog"
    present = sorted(p.name for p in SERIES.glob("*.csv"))
    assert sorted(files) == present


def test_no_series_repeats_an_app_sample():
    samples = json.loads(SAMPLES_CATALOG.read_text(encoding="utf-8"))
    sample_files = {e["file"] for e in samples}
    sample_names = {e["name"] for e in samples}
    assert not sample_files & {e["file"] for e in ENTRIES}
    assert not sample_names & {e["name"] for e in ENTRIES}


def test_frequencies_cover_monthly_quarterly_yearly_daily_and_sub_daily():
    kinds = {kind(e["frequency"]) for e in ENTRIES}
    for wanted in ("monthly", "quarterly", "yearly", "daily"):
        assert wanted in kinds
    assert kinds & {"hourly", "half-hourly", "sub-daily"}
    monthly = [e for e in ENTRIES if kind(e["frequency"]) == "monthly"]
    quarterly = [e for e in ENTRIES if kind(e["frequency"]) == "quarterly"]
    assert len(monthly) >= 2
    assert len(quarterly) >= 2


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_every_benchmark_entry_has_typed_fields_a_snake_case_target_and_a_versioned_source(entry):
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
    assert re.fullmatch(r"[a-z][a-z0-9_]*", entry["target"])
    pd.tseries.frequencies.to_offset(entry["frequency"])
    # The package version and the path of the file inside it are both named.
    assert re.search(r"\d+\.\d+", entry["source_package"])
    assert re.search(r"\S+/\S+\.(csv|py)", entry["source_package"])


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_season_length_and_horizon_suit_the_frequency(entry):
    assert entry["season_length"] == season_from_freq(entry["frequency"])
    assert entry["horizon"] == HORIZON_BY_KIND[kind(entry["frequency"])]


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_file_exists_with_date_and_target_columns_only(entry):
    path = SERIES / entry["file"]
    assert path.is_file()
    rows = read_raw(path)
    assert rows[0] == [entry["date_col"], entry["target"]]
    assert all(len(r) == 2 for r in rows[1:])


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_stamps_are_iso_and_values_finite(entry):
    for date, value in read_raw(SERIES / entry["file"])[1:]:
        assert ISO_STAMP.fullmatch(date), date
        assert value, f"{date}: empty value"
        assert value == value.strip(), f"{date}: stray whitespace"
        assert math.isfinite(float(value)), f"{date}: {value!r}"


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_length_is_within_bounds(entry):
    n = len(read_series(entry))
    assert MIN_POINTS <= n <= MAX_POINTS
    assert n > 2 * entry["horizon"]
    assert entry["season_length"] < n


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_prepare_reads_it_without_cleaning(entry):
    series, notes = prepared(entry)
    assert notes == []
    expected = [
        DATE_AS_GIVEN.format(date_col=entry["date_col"]),
        TARGET_AS_GIVEN.format(target=entry["target"]),
    ]
    assert list(series.report) == expected
    df = read_series(entry)
    assert len(series) == len(df)
    assert not np.isnan(series.values).any()
    np.testing.assert_array_equal(series.values, df[entry["target"]].to_numpy(np.float64))
    stamps = pd.DatetimeIndex(pd.to_datetime(df[entry["date_col"]], format="ISO8601"))
    assert series.index.equals(stamps)
    assert series.freq == entry["frequency"]
    assert series.season_length == entry["season_length"]


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_each_bench_series_frequency_matches_its_catalog(entry):
    dates = pd.DatetimeIndex(pd.to_datetime(read_series(entry)[entry["date_col"]]))
    assert dates.is_unique
    assert dates.is_monotonic_increasing
    with pd.option_context("future.infer_freq_returns_offset", True):
        inferred = pd.tseries.frequencies.to_offset(pd.infer_freq(dates))
    assert inferred == pd.tseries.frequencies.to_offset(entry["frequency"])
    expected = pd.date_range(dates[0], periods=len(dates), freq=entry["frequency"])
    assert dates.equals(expected)


def test_readme_names_every_file_and_the_benchmark():
    readme = (SERIES / "README.md").read_text(encoding="utf-8")
    for entry in ENTRIES:
        assert f"`{entry['file']}`" in readme
    assert "bench/accuracy.py" in readme
    assert "not shown in the app" in readme
