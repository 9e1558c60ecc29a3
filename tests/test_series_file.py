"""data.series_file: a Series to an .npz file and back, the same to the last bit, and files
that are not sound refused with our own message before anything large is allocated."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from data.catalog import load_sample
from data.errors import DataError
from data.prepare import from_array, prepare
from data.series import Series
from data.series_file import series_from_bytes, series_to_bytes
from data.synthetic import generate_with_truth, to_series


def with_covariates() -> Series:
    table = pd.DataFrame(
        {
            "day": pd.date_range("2021-03-01", periods=60, freq="D").strftime("%Y-%m-%d"),
            "sales": np.linspace(5.0, 9.0, 60),
            "price": np.cos(np.arange(60.0)),
            "promo": np.arange(60.0) % 7,
        }
    )
    return prepare(table, date_col="day", target="sales", covariates=["price", "promo"])


def zoned() -> Series:
    airline = load_sample("airline")
    return replace(airline, index=airline.index.tz_localize("Europe/Madrid"))


SERIES = {
    "sample": lambda: load_sample("co2"),
    "synthetic with a gap and its truth": lambda: to_series(
        generate_with_truth("lab", 300, seed=3, gap_start=0.4, gap_length=15), "lab", season=50
    ),
    "covariates": with_covariates,
    "time zone": zoned,
    "row numbers from 5 by 2": lambda: replace(
        from_array(np.arange(40.0) ** 0.5), index=pd.RangeIndex(5, 85, 2, name="row")
    ),
    "numbers as index": lambda: replace(
        from_array(np.sin(np.arange(30.0))), index=pd.Index(np.arange(30) * 0.25)
    ),
}


@pytest.mark.parametrize("make", SERIES.values(), ids=SERIES.keys())
def test_a_series_comes_back_with_the_same_fingerprint_and_everything_else(make):
    series = make()
    back = series_from_bytes(series_to_bytes(series))
    assert back.fingerprint() == series.fingerprint()
    assert np.array_equal(back.values, series.values)
    pd.testing.assert_index_equal(back.index, series.index, exact=True)
    assert getattr(back.index, "freq", None) == getattr(series.index, "freq", None)
    assert (back.target, back.date_col, back.freq, back.columns, back.season) == (
        series.target,
        series.date_col,
        series.freq,
        series.columns,
        series.season,
    )
    assert back.report.lines == series.report.lines
    assert back.season_length == series.season_length
    if series.covariates is None:
        assert back.covariates is None
    else:
        pd.testing.assert_frame_equal(back.covariates, series.covariates)
    assert (back.truth is None) == (series.truth is None)
    if series.truth is not None:
        assert np.array_equal(back.truth, series.truth)


def test_the_cases_cover_truth_covariates_zones_and_kinds_of_index():
    made = {name: make() for name, make in SERIES.items()}
    assert made["synthetic with a gap and its truth"].truth is not None
    assert any("filled" in line for line in made["synthetic with a gap and its truth"].report)
    assert list(made["covariates"].covariates.columns) == ["price", "promo"]
    assert str(made["time zone"].index.tz) == "Europe/Madrid"
    assert made["sample"].index.freq is not None


def test_a_file_holds_no_pickle_and_loads_with_pickles_refused():
    raw = series_to_bytes(with_covariates())
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        assert set(npz.files) == {"values", "index", "covariates", "meta"}
        assert json.loads(str(npz["meta"][()]))["target"] == "sales"


def arrays_of(raw: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def npz(compressed: bool = False, **arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def changed_meta(raw: bytes, **changes: object) -> bytes:
    arrays = arrays_of(raw)
    meta = json.loads(str(arrays["meta"][()]))
    for name, value in changes.items():
        if name.startswith("index_"):
            meta["index"][name.removeprefix("index_")] = value
        else:
            meta[name] = value
    return npz(**{**arrays, "meta": np.array(json.dumps(meta))})


def huge_header() -> bytes:
    """A values array whose header claims a terabyte while the file holds 8 bytes."""
    member = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": (2**37,)}
    np.lib.format.write_array_header_1_0(member, header)
    member.write(b"\0" * 8)
    good = arrays_of(series_to_bytes(from_array(np.arange(5.0))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("values.npy", member.getvalue())
        for name in ("index", "meta"):
            part = io.BytesIO()
            np.save(part, good[name])
            archive.writestr(f"{name}.npy", part.getvalue())
    return buffer.getvalue()


GOOD = series_to_bytes(load_sample("airline"))
PLAIN = arrays_of(series_to_bytes(from_array(np.arange(5.0))))
BAD_FILES = {
    "not a zip": (b"values,1,2,3", "not an .npz file"),
    "an extra array": (npz(**arrays_of(GOOD), evil=np.zeros(3)), "holds"),
    "no description": (npz(values=PLAIN["values"], index=PLAIN["index"]), "holds"),
    "a pickled object": (npz(**{**PLAIN, "values": np.array([1, "x"], dtype=object)}), "object"),
    "whole numbers as values": (npz(**{**PLAIN, "values": np.arange(5)}), "values"),
    "truth of another length": (npz(**PLAIN, truth=np.zeros(4)), "truth has shape [4]"),
    "a missing value": (npz(**{**PLAIN, "values": np.array([1, np.nan, 3, 4, 5.0])}), "missing"),
    "compressed arrays": (npz(compressed=True, **PLAIN), "compressed"),
    "a header larger than the file": (huge_header(), "declares more data than it holds"),
    "a season that is text": (changed_meta(GOOD, season="12"), "season"),
    "an unknown frequency": (changed_meta(GOOD, freq="fortnightly"), "freq"),
    "a zone that is a path": (changed_meta(GOOD, index_tz="../../etc/passwd"), "index"),
    "a frequency its times break": (changed_meta(GOOD, index_freq="D"), "times cannot be rebuilt"),
    "an extra description field": (changed_meta(GOOD, owner="me"), "wrong fields"),
    "row numbers of another length": (
        npz(**{**PLAIN, "index": np.array([0, 9, 1])}),
        "row numbers do not match",
    ),
    "missing times": (
        npz(**{**arrays_of(GOOD), "index": np.full(144, np.iinfo(np.int64).min)}),
        "times are missing",
    ),
}


@pytest.mark.parametrize(("raw", "says"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_an_unsound_file_is_refused_with_our_message(raw, says):
    with pytest.raises(DataError, match="not written by Forecast Lab or is damaged") as caught:
        series_from_bytes(raw)
    assert says in str(caught.value)


def test_a_file_over_the_size_given_is_refused_unread():
    with pytest.raises(DataError, match=f"is {len(GOOD):,} bytes; at most 1,000 are accepted"):
        series_from_bytes(GOOD, max_bytes=1000)
    assert series_from_bytes(GOOD, max_bytes=len(GOOD)).target == "passengers"


def test_a_series_that_could_not_be_read_back_is_not_saved():
    with pytest.raises(DataError, match="cannot be saved: its values hold missing"):
        series_to_bytes(from_array(np.array([1.0, np.inf, 2.0])))
    text_index = replace(from_array(np.arange(3.0)), index=pd.Index(["a", "b", "c"]))
    with pytest.raises(DataError, match="cannot be saved"):
        series_to_bytes(text_index)
