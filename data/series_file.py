"""A Series as an .npz file of plain arrays and back, refusing any file that is not sound.

The file holds `values`, `index`, `meta` (a JSON text: names, frequency, season, report, how to
rebuild the index) and, when the series has them, `covariates` and `truth`. It is read with
pickles refused, every array's declared shape and type judged before it is read, and the series
rebuilt only when every part agrees; the fingerprint survives the round trip.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from typing import Any

import numpy as np
import pandas as pd

from data.errors import DataError
from data.series import CleaningReport, Series

FLOAT = np.dtype("<f8")
INT = np.dtype("<i8")
REQUIRED = {"values", "index", "meta"}
OPTIONAL = {"covariates", "truth"}
UNITS = ("s", "ms", "us", "ns")
ZONE = re.compile(r"[A-Za-z0-9_+\-/:]{1,64}")
NOT_OURS = "This series file was not written by Forecast Lab or is damaged"
HEADER_BYTES = 10_000


class _Unsound(ValueError):
    """What is wrong with a series' arrays or description, in a few words."""


def series_to_bytes(series: Series) -> bytes:
    """The series as an .npz file (plain arrays, no pickle) that series_from_bytes reads."""
    index, index_meta = _index_arrays(series.index)
    arrays = {"values": np.ascontiguousarray(series.values, dtype=FLOAT), "index": index}
    covariate_names = None
    if series.covariates is not None:
        arrays["covariates"] = np.ascontiguousarray(series.covariates.to_numpy(FLOAT))
        covariate_names = [str(name) for name in series.covariates.columns]
    if series.truth is not None:
        arrays["truth"] = np.ascontiguousarray(series.truth, dtype=FLOAT)
    meta = {
        "target": series.target,
        "date_col": series.date_col,
        "freq": series.freq,
        "columns": [str(name) for name in series.columns],
        "season": int(series.season),
        "report": [str(line) for line in series.report.lines],
        "index": index_meta,
        "covariates": covariate_names,
    }
    try:
        _check_meta(meta)
        _check_arrays(arrays, meta)
    except _Unsound as err:
        raise DataError(f"This series cannot be saved: {err}.") from err
    arrays["meta"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _index_arrays(index: pd.Index) -> tuple[np.ndarray, dict[str, Any]]:
    """The index as one int64 or float64 array, and what rebuilds it exactly."""
    name = index.name if isinstance(index.name, str) else None
    meta: dict[str, Any] = {"kind": "values", "name": name, "unit": None, "tz": None, "freq": None}
    if isinstance(index, pd.RangeIndex):
        meta["kind"] = "range"
        return np.array([index.start, index.stop, index.step], dtype=INT), meta
    if isinstance(index, pd.DatetimeIndex):
        meta |= {"kind": "datetime", "unit": index.unit, "freq": index.freqstr}
        meta["tz"] = None if index.tz is None else str(index.tz)
        return np.ascontiguousarray(index.asi8, dtype=INT), meta
    if index.dtype.kind in "iu":
        return np.ascontiguousarray(index.to_numpy(), dtype=INT), meta
    if index.dtype.kind == "f":
        return np.ascontiguousarray(index.to_numpy(), dtype=FLOAT), meta
    raise DataError(
        f"This series is indexed by {index.dtype} values, which cannot be saved; only dates, row "
        "numbers and numbers can."
    )


def series_from_bytes(raw: bytes, max_bytes: int | None = None) -> Series:
    """The Series an .npz file from series_to_bytes holds; DataError for anything else."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise DataError(
            f"This series file is {len(raw):,} bytes; at most {max_bytes:,} are accepted."
        )
    names = _checked_members(raw)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in names}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"{NOT_OURS} (an array cannot be read).") from err
    try:
        meta = _meta(arrays.pop("meta"))
        _check_arrays(arrays, meta)
        index = _index(arrays["index"], meta["index"], len(arrays["values"]))
    except _Unsound as err:
        raise DataError(f"{NOT_OURS} ({err}).") from err
    covariates = None
    if meta["covariates"] is not None:
        covariates = pd.DataFrame(arrays["covariates"], index=index, columns=meta["covariates"])
    return Series(
        arrays["values"],
        index,
        meta["target"],
        meta["date_col"],
        meta["freq"],
        CleaningReport(list(meta["report"])),
        tuple(meta["columns"]),
        meta["season"],
        covariates,
        arrays.get("truth"),
    )


def _checked_members(raw: bytes) -> list[str]:
    """The arrays' names, once every member is a stored array of a sound type and size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise DataError(f"{NOT_OURS} (it is not an .npz file).") from err
    with archive:
        infos = archive.infolist()
        names = [info.filename.removesuffix(".npy") for info in infos]
        found = set(names)
        if (
            len(names) != len(found)
            or not REQUIRED <= found <= REQUIRED | OPTIONAL
            or not all(info.filename.endswith(".npy") for info in infos)
        ):
            raise DataError(
                f"{NOT_OURS}: it holds {sorted(names)[:8]}, where a series file holds "
                f"{sorted(REQUIRED)} and perhaps {sorted(OPTIONAL)}."
            )
        for info in infos:
            _check_member(archive, info, len(raw))
    return names


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_bytes: int) -> None:
    """A member stored uncompressed, whose header declares an array of one of our types that
    fits in the member: nothing larger than the file itself is ever allocated."""
    stored = info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1
    if not stored or info.file_size != info.compress_size or info.file_size > file_bytes:
        raise DataError(f"{NOT_OURS} (its array {info.filename} is compressed or encrypted).")
    try:
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            read_header = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }[version]
            shape, _, dtype = read_header(member, max_header_size=HEADER_BYTES)
    except (KeyError, ValueError, OSError, EOFError, SyntaxError, zipfile.BadZipFile) as err:
        raise DataError(f"{NOT_OURS} (the header of {info.filename} cannot be read).") from err
    if dtype.kind not in "fiU" or dtype.hasobject or dtype.fields is not None:
        raise DataError(f"{NOT_OURS} ({info.filename} holds {dtype} values).")
    if math.prod(shape) * dtype.itemsize > info.file_size:
        raise DataError(f"{NOT_OURS} ({info.filename} declares more data than it holds).")


def _meta(array: np.ndarray) -> dict[str, Any]:
    if array.ndim != 0 or array.dtype.kind != "U":
        raise _Unsound("its description is not one text")
    try:
        meta = json.loads(str(array[()]))
    except (ValueError, RecursionError) as err:
        raise _Unsound("its description is not valid JSON") from err
    _check_meta(meta)
    return meta


def _check_meta(meta: object) -> None:
    """Every field of the description present, of its type, and nothing more."""
    fields = {
        "target": _is_text,
        "date_col": _is_optional_text,
        "freq": _is_frequency,
        "columns": _is_texts,
        "season": lambda value: type(value) is int and 0 <= value < 2**31,
        "report": _is_texts,
        "index": _is_index_meta,
        "covariates": lambda value: value is None or (_is_texts(value) and len(value) > 0),
    }
    if not isinstance(meta, dict) or set(meta) != set(fields):
        raise _Unsound("its description has the wrong fields")
    wrong = [name for name, check in fields.items() if not check(meta[name])]
    if wrong:
        raise _Unsound(f"its description's {wrong[0]} is not valid")


def _is_index_meta(value: object) -> bool:
    if not isinstance(value, dict) or set(value) != {"kind", "name", "unit", "tz", "freq"}:
        return False
    if value["kind"] == "datetime":
        zone = value["tz"]
        return (
            value["unit"] in UNITS
            and (zone is None or (isinstance(zone, str) and ZONE.fullmatch(zone) is not None))
            and ".." not in (zone or "")
            and _is_frequency(value["freq"])
            and _is_optional_text(value["name"])
        )
    plain = value["unit"] is None and value["tz"] is None and value["freq"] is None
    return value["kind"] in ("range", "values") and plain and _is_optional_text(value["name"])


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_frequency(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or len(value) > 32:
        return False
    try:
        pd.tseries.frequencies.to_offset(value)
    except (ValueError, TypeError):
        return False
    return True


def _check_arrays(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Each array of its type and shape, the lengths agreeing, the numbers finite."""
    values = arrays["values"]
    if values.dtype != FLOAT or values.ndim != 1 or len(values) == 0:
        raise _Unsound("its values are not one non-empty list of numbers")
    if ("covariates" in arrays) != (meta["covariates"] is not None):
        raise _Unsound("its extra inputs and their names disagree")
    length, kind = len(values), meta["index"]["kind"]
    expected = {
        "values": (length,),
        "truth": (length,),
        "covariates": (length, len(meta["covariates"] or ())),
        "index": (3,) if kind == "range" else (length,),
    }
    for name, array in arrays.items():
        if array.shape != expected[name]:
            raise _Unsound(
                f"its {name} has shape {list(array.shape)} where {length} values need "
                f"{list(expected[name])}"
            )
        allowed = (INT, FLOAT) if name == "index" and kind == "values" else (FLOAT,)
        if name == "index" and kind != "values":
            allowed = (INT,)
        if array.dtype not in allowed:
            raise _Unsound(f"its {name} holds {array.dtype} numbers")
        if array.dtype == FLOAT and not np.isfinite(array).all():
            raise _Unsound(f"its {name} hold missing or infinite numbers")


def _index(array: np.ndarray, meta: dict[str, Any], length: int) -> pd.Index:
    """The index the arrays describe, exactly as it was saved."""
    name = meta["name"]
    if meta["kind"] == "range":
        start, stop, step = (int(number) for number in array)
        index = pd.RangeIndex(start, stop, step, name=name) if step else None
        if index is None or len(index) != length:
            raise _Unsound(f"its row numbers do not match its {length} values")
        return index
    if meta["kind"] == "values":
        return pd.Index(array, name=name)
    if (array == np.iinfo(np.int64).min).any():
        raise _Unsound("some of its times are missing")
    try:
        index = pd.DatetimeIndex(array.view(f"datetime64[{meta['unit']}]"), name=name)
        if meta["tz"] is not None:
            index = index.tz_localize("UTC").tz_convert(meta["tz"])
        return pd.DatetimeIndex(index, freq=meta["freq"]) if meta["freq"] else index
    except (ValueError, KeyError, TypeError, OverflowError) as err:
        raise _Unsound(f"its times cannot be rebuilt: {err}") from err
