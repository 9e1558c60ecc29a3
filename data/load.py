"""From a file (path or bytes) to a DataFrame: encoding, delimiter, spreadsheet or text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from data.errors import DataError

DELIMITERS = ",;\t|"
ENCODINGS = ("utf-8-sig", "cp1252")
SNIFF_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"


def read_table(source: str | Path | bytes, name: str = "") -> pd.DataFrame:
    """Read a CSV or .xlsx file (a path or its bytes) into a DataFrame."""
    raw, name = _read_bytes(source, name)
    if not raw.strip():
        raise DataError(f"{_label(name)} is empty: there is nothing to read.")
    if raw.startswith(XLSX_MAGIC):
        return _read_excel(raw, name)
    text = decode(raw, name)
    return _read_text(text, name)


def _read_bytes(source: str | Path | bytes, name: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, name
    path = Path(source)
    if not path.is_file():
        raise DataError(f"File not found: {path}. Check the path and try again.")
    return path.read_bytes(), name or path.name


def _label(name: str) -> str:
    return f"The file '{name}'" if name else "The file"


def decode(raw: bytes, name: str = "") -> str:
    """Bytes to text: UTF-16 by its BOM, else UTF-8 (BOM or not), else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:SNIFF_BYTES]:
        raise DataError(
            f"{_label(name)} is not a text table (it looks like a binary file or an image). "
            "Upload a CSV or an Excel .xlsx file."
        )
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{_label(name)} is not readable text. Save it as UTF-8 CSV and try again.")


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines most consistently."""
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_text(text: str, name: str) -> pd.DataFrame:
    delimiter = sniff_delimiter(text)
    table = _read_csv(text, name, delimiter, decimal=".")
    if delimiter != ",":
        # A file split by ; tab or | may write 1,5 for one and a half.
        comma_table = _read_csv(text, name, delimiter, decimal=",")
        if _numeric_columns(comma_table) > _numeric_columns(table):
            table = comma_table
    return _drop_empty(table, name)


def _read_csv(text: str, name: str, delimiter: str, decimal: str) -> pd.DataFrame:
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, decimal=decimal, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(
            f"{_label(name)} could not be read as a table ({_first_line(err)}). "
            "Check that every row has the same number of columns."
        ) from err


def _numeric_columns(table: pd.DataFrame) -> int:
    return sum(pd.api.types.is_numeric_dtype(dtype) for dtype in table.dtypes)


def _read_excel(raw: bytes, name: str) -> pd.DataFrame:
    try:
        table = pd.read_excel(io.BytesIO(raw), sheet_name=0, engine="openpyxl")
    except Exception as err:
        raise DataError(
            f"{_label(name)} looks like an Excel file but could not be opened "
            f"({_first_line(err)}). Save it again as .xlsx or CSV."
        ) from err
    return _drop_empty(table, name)


def _drop_empty(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Drop the empty rows before the first and after the last filled one; inner ones are gaps."""
    filled = table.notna().any(axis=1).to_numpy()
    if not filled.any() or len(table.columns) == 0:
        raise DataError(f"{_label(name)} has a header but no data rows.")
    first, last = filled.argmax(), len(filled) - filled[::-1].argmax()
    return table.iloc[first:last].reset_index(drop=True)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
