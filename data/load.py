"""From a file (path or bytes) to a DataFrame: encoding, delimiter, header, spreadsheet or text.

Text tables are read with every column as strings: reading numbers is data.numbers' job alone.
What the reader did that the user should know comes back as notes (read_table_with_notes).
A file is refused past `max_bytes`; a spreadsheet past `max_cells`, counted before and while its
rows stream, so a small .xlsx that unpacks to millions of cells costs little to refuse.
The parser is given UTF-8 bytes, never one Python string of the whole file (io.StringIO holds
four bytes a character), so a large file costs about its size once more while it is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from pandas.io.parsers import TextParser

from data.errors import DataError
from data.numbers import is_missing

DELIMITERS = ",;\t|"
ENCODINGS = ("utf-8-sig", "cp1252")
ENCODING_NAMES = {"cp1252": "Windows-1252"}
SNIFF_BYTES = 64 * 1024
HEADER_SCAN_ROWS = 100  # rows looked at to find the header below a preamble
XLSX_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CHUNK_ROWS = 1_000_000  # cells converted at a time where pandas makes a Python object of each
MB = 1024 * 1024
# the limits on a user's own files (the CLI); the app passes its server's (forecasting.limits)
MAX_BYTES = 200 * MB
MAX_CELLS = 20_000_000
XML_BYTES_PER_CELL = 100  # an .xlsx may unpack to this much per cell allowed (about 30 is usual)
XML_ALLOWANCE = 8 * MB  # and this much more, for its styles, theme and other parts
MAX_RATIO = 1000  # deflate, the only compression Excel writes, packs at most about 1,032 to 1
SCAN_BYTES = MB  # an .xlsx part scanned for cell tags a block at a time
CELL_TAG = re.compile(rb"<(?:\w{1,30}:)?c[\s/>]")  # <c r="A1">, <x:c>, <c/>
CELL_TAG_LONGEST = 34


def read_table(
    source: str | Path | bytes,
    name: str = "",
    *,
    max_bytes: int | None = None,
    max_cells: int | None = None,
) -> pd.DataFrame:
    """Read a CSV or .xlsx file (a path or its bytes) into a DataFrame."""
    return read_table_with_notes(source, name, max_bytes=max_bytes, max_cells=max_cells)[0]


def read_table_with_notes(
    source: str | Path | bytes,
    name: str = "",
    *,
    max_bytes: int | None = None,
    max_cells: int | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The table, and notes for the user on how it was read (encoding, delimiter, header, ...).

    `max_bytes`: the largest file read (MAX_BYTES); `max_cells`: the most cells a spreadsheet
    may hold (MAX_CELLS).
    """
    raw, name = _read_bytes(source, name, MAX_BYTES if max_bytes is None else max_bytes)
    if not raw or raw.isspace():  # as `not raw.strip()`, without copying the file
        raise DataError(f"{_label(name)} is empty: there is nothing to read.")
    notes: list[str] = []
    if raw.startswith(XLSX_MAGIC):
        header, rows = _read_excel(raw, name, notes, MAX_CELLS if max_cells is None else max_cells)
    else:
        utf8, encoding = _utf8(raw, name)
        del raw  # read from a path: only `utf8` holds the file now (the same bytes if UTF-8)
        if encoding == "utf-16":
            notes.append("Read as UTF-16 text.")
        elif encoding in ENCODING_NAMES:
            notes.append(f"Decoded as {ENCODING_NAMES[encoding]} (the file is not UTF-8).")
        header, rows = _read_text(utf8, name, notes)
    return _tidy(header, rows, name, notes), notes


def _read_bytes(source: str | Path | bytes, name: str, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        _check_size(len(source), name, max_bytes)
        return source, name
    path = Path(source)
    if not path.is_file():
        raise DataError(f"File not found: {path}. Check the path and try again.")
    name = name or path.name
    _check_size(path.stat().st_size, name, max_bytes)
    return path.read_bytes(), name


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise DataError(
            f"{_label(name)} is {size / MB:.1f} MB, over the {max_bytes / MB:g} MB limit. "
            "Keep only the rows and columns you need, or split the file, and try again."
        )


def _label(name: str) -> str:
    return f"The file '{name}'" if name else "The file"


def decode(raw: bytes, name: str = "") -> str:
    """Bytes to text: UTF-16 (by its BOM or its NUL bytes), else UTF-8, else Windows-1252."""
    return _decode(raw, name)[0]


def _utf8(raw: bytes, name: str) -> tuple[bytes, str]:
    """The file as UTF-8 bytes (`raw` itself when it is UTF-8, BOM kept), and its encoding.

    As _decode decides, without a string of the whole file when it is UTF-8 already.
    """
    if b"\x00" not in raw[:SNIFF_BYTES] and (raw.isascii() or _is_utf8(raw)):
        return raw, "utf-8-sig"  # no NUL bytes: not UTF-16, not binary
    text, encoding = _decode(raw, name)  # UTF-16 or Windows-1252: UTF-8 was ruled out above
    return text.encode("utf-8"), encoding


def _is_utf8(raw: bytes) -> bool:
    """Whether the bytes are UTF-8, decoded a block at a time and thrown away."""
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(raw)
    try:
        for start in range(0, len(raw), SNIFF_BYTES):
            decoder.decode(view[start : start + SNIFF_BYTES], final=start + SNIFF_BYTES >= len(raw))
    except UnicodeDecodeError:
        return False
    return True


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding it was read with."""
    if raw.startswith(UTF16_BOMS):
        return _decode_utf16(raw, "utf-16", name), "utf-16"
    utf16 = _utf16_without_bom(raw[:SNIFF_BYTES])
    if utf16:
        return _decode_utf16(raw, utf16, name), "utf-16"
    if b"\x00" in raw[:SNIFF_BYTES]:
        raise _not_text(name)
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DataError(f"{_label(name)} is not readable text. Save it as UTF-8 CSV and try again.")


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or '-be' when every other byte is NUL, as in UTF-16 text of Latin letters."""
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decode_utf16(raw: bytes, encoding: str, name: str) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise _not_text(name) from err
    if "\x00" in text[:SNIFF_BYTES]:
        raise _not_text(name)
    return text


def _not_text(name: str) -> DataError:
    return DataError(
        f"{_label(name)} is not a text table (it looks like a binary file or an image). "
        "Upload a CSV or an Excel .xlsx file."
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines most consistently."""
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_text(utf8: bytes, name: str, notes: list[str]) -> tuple[list[object], pd.DataFrame]:
    """The header cells and the rows below them, every cell a string; `utf8`: the file's text."""
    if b"\r" in utf8:  # Windows CR LF, or old Mac CR alone
        utf8 = utf8.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    sample = utf8[:SNIFF_BYTES].decode("utf-8-sig", errors="ignore")  # a character may be cut
    delimiter = sniff_delimiter(sample)
    if delimiter != ",":
        notes.append(
            "Columns separated by tabs."
            if delimiter == "\t"
            else f"Columns separated by '{delimiter}'."
        )
    skipped, preamble = _preamble(sample, delimiter, whole=len(utf8) <= SNIFF_BYTES)
    if preamble:
        notes.append(f"Skipped {_lines(skipped)} before the header.")
    grid = _read_csv(_after_lines(utf8, skipped), name, delimiter)
    return grid.iloc[0].tolist(), grid.iloc[1:]


def _read_csv(utf8: bytes, name: str, delimiter: str) -> pd.DataFrame:
    """Every cell as a string, the header row included; pyarrow's reader first, as it is fast.

    Both readers skip a UTF-8 BOM at the start.
    """
    options = {"sep": delimiter, "header": None, "dtype": str, "keep_default_na": False}
    try:
        return pd.read_csv(io.BytesIO(utf8), engine="pyarrow", **options)
    except (ImportError, ValueError):  # no pyarrow, or rows it will not read (short ones)
        pass
    try:
        return pd.read_csv(
            io.BytesIO(utf8), engine="c", na_filter=False, encoding="utf-8", **options
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(
            f"{_label(name)} could not be read as a table ({_first_line(err)}). "
            "Check that every row has the same number of columns."
        ) from err


def _preamble(sample: str, delimiter: str, whole: bool) -> tuple[int, bool]:
    """Lines before the header, and whether any of them held text (not only blank lines).

    `sample`: the start of the text; `whole`: whether it is all of it.
    """
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    widths, first_lines = [], []
    try:
        for record in reader:
            first_lines.append(reader.line_num - _line_count(record))
            widths.append(len(record) if any(field.strip() for field in record) else 0)
            if len(widths) > HEADER_SCAN_ROWS:
                break
    except csv.Error:
        return 0, False
    if not whole or len(widths) > HEADER_SCAN_ROWS:
        widths, first_lines = widths[:-1], first_lines[:-1]  # the last record may be cut short
    header = _header_row(widths)
    if header is None:
        return 0, False
    return first_lines[header], any(widths[:header])


def _line_count(record: list[str]) -> int:
    """Physical lines a parsed record spanned (quoted fields may hold newlines)."""
    return 1 + sum(field.count("\n") for field in record)


def _header_row(widths: list[int]) -> int | None:
    """The first row as wide as most rows after it; rows above it must be narrower (a preamble).

    Width 0 marks a blank row. None when there is no row with content.
    """
    filled = [row for row, width in enumerate(widths) if width]
    if not filled:
        return None
    for row in filled:
        following = [width for width in widths[row + 1 :] if width]
        usual = Counter(following).most_common(1)[0][0] if following else widths[row]
        if widths[row] == usual:
            preamble = [widths[above] for above in filled if above < row]
            return row if all(width < usual for width in preamble) else filled[0]
    return filled[0]


def _after_lines(utf8: bytes, count: int) -> bytes:
    start = 0
    for _ in range(count):
        start = utf8.index(b"\n", start) + 1
    return utf8[start:] if start else utf8


def _read_excel(
    raw: bytes, name: str, notes: list[str], max_cells: int
) -> tuple[list[object], pd.DataFrame]:
    """The header cells and the rows below them of the first sheet, typed as openpyxl reads them."""
    grid, sheets = _excel_grid(raw, name, max_cells)
    notes.append(f"Read the first sheet '{sheets[0]}' of the Excel file.")
    if len(sheets) > 1:
        others = ", ".join(f"'{other}'" for other in sheets[1:])
        notes.append(f"The other sheets were not read: {others}.")
    filled = grid.head(HEADER_SCAN_ROWS + 1).notna().to_numpy()
    widths = np.where(filled.any(axis=1), filled.shape[1] - filled[:, ::-1].argmax(axis=1), 0)
    header = _header_row(widths.tolist())
    if header is None:
        raise DataError(f"{_label(name)} is empty: there is nothing to read.")
    if widths[:header].any():
        notes.append(f"Skipped {_count(header, 'row')} before the header.")
    rows = grid.iloc[header + 1 :].infer_objects()
    return grid.iloc[header].tolist(), rows


def _excel_grid(raw: bytes, name: str, max_cells: int) -> tuple[pd.DataFrame, list[str]]:
    """The first sheet as pandas.read_excel(header=None) reads it, and the names of the sheets.

    Refused past `max_cells`: by the archive's unpacked size and cell tags first, then by the
    sheet's declared size, then by its rows as they stream.
    """
    from openpyxl import load_workbook  # an import for spreadsheets only: CSV needs none of it

    _check_unpacked(raw, name, max_cells)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception as err:
        raise _unreadable(name, err) from err
    try:
        sheets = [sheet.title for sheet in book.worksheets]
        sheet = book.worksheets[0]
        _check_declared_cells(sheet, name, max_cells)
        sheet.reset_dimensions()  # a declared size may be too small: read to the last row
        return _parsed_grid(_sheet_rows(sheet, name, max_cells)), sheets
    except DataError:
        raise
    except Exception as err:
        raise _unreadable(name, err) from err
    finally:
        book.close()


def _unreadable(name: str, err: Exception) -> DataError:
    return DataError(
        f"{_label(name)} looks like an Excel file but could not be opened "
        f"({_first_line(err)}). Save it again as .xlsx or CSV."
    )


def _check_unpacked(raw: bytes, name: str, max_cells: int) -> None:
    """Refuse an archive that unpacks to more than a sheet of `max_cells` needs, or whose parts
    hold more than `max_cells` cells: before openpyxl, which parses a sheet without a declared
    size whole as it opens the workbook, and a row whole before it hands it over.

    The sizes are the archive's own; Python's zipfile stops each part at its stated size.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
            _check_unpacked_size(sum(part.file_size for part in parts), len(raw), name, max_cells)
            cells = 0
            for part in parts:
                with archive.open(part) as source:
                    cells += _cell_tags(source, max_cells - cells)
                if cells > max_cells:
                    why = "counted in its XML, all sheets together"
                    raise _too_many_cells(name, max_cells, why)
    except DataError:
        raise
    except Exception as err:  # not a zip, a part encrypted, cut short or packed unknown ways
        raise _unreadable(name, err) from err


def _check_unpacked_size(unpacked: int, packed: int, name: str, max_cells: int) -> None:
    budget = max_cells * XML_BYTES_PER_CELL + XML_ALLOWANCE
    if unpacked > budget:
        raise DataError(
            f"{_label(name)} unpacks to {unpacked / MB:,.1f} MB; a spreadsheet of at most "
            f"{max_cells:,} cells is read, which takes at most {budget / MB:,.1f} MB. "
            "Save a smaller range, or the data as CSV."
        )
    if unpacked > MAX_RATIO * packed:
        raise DataError(
            f"{_label(name)} unpacks to {unpacked // packed:,} times its size; a spreadsheet "
            f"saved by Excel unpacks to at most about {MAX_RATIO:,} times. "
            "Save it again as .xlsx, or the data as CSV."
        )


def _cell_tags(source: IO[bytes], limit: int) -> int:
    """The cell tags in a part, counted a block at a time; past `limit` the count stops."""
    count, tail = 0, b""
    while count <= limit and (block := source.read(SCAN_BYTES)):
        window = tail + block
        tail = window[-CELL_TAG_LONGEST:]  # a tag cut at the end is counted with the next block
        count += len(CELL_TAG.findall(window)) - len(CELL_TAG.findall(tail))
    return count + len(CELL_TAG.findall(tail))


def _too_many_cells(name: str, max_cells: int, why: str) -> DataError:
    return DataError(
        f"{_label(name)} has more than {max_cells:,} cells ({why}); at most {max_cells:,} "
        "cells of a spreadsheet are read. Save a smaller range, or the data as CSV."
    )


def _check_declared_cells(sheet, name: str, max_cells: int) -> None:
    """Refuse a sheet whose stated size (its <dimension>, when it has one) is over `max_cells`."""
    if sheet.max_row is None or sheet.max_column is None:
        return
    rows = sheet.max_row - sheet.min_row + 1
    columns = sheet.max_column - sheet.min_column + 1
    if rows * columns > max_cells:
        why = f"the sheet declares {_count(rows, 'row')} x {_count(columns, 'column')}"
        raise _too_many_cells(name, max_cells, why)


def _sheet_rows(sheet, name: str, max_cells: int) -> list[list[object]]:
    """The sheet's rows as pandas' openpyxl reader makes them: trimmed, then padded.

    Counted as they stream: the cells openpyxl makes (a row at least one, as rows skipped in
    the XML come as empty rows), and the table they become (rows x the widest row).
    """
    rows: list[list[object]] = []
    made = widest = 0
    last_filled = -1
    for number, row in enumerate(sheet.rows, start=1):
        made += max(len(row), 1)
        values = [_cell_value(cell) for cell in row]
        while values and values[-1] == "":
            values.pop()
        if values:
            last_filled = number - 1
        widest = max(widest, len(values))
        if max(made, number * widest) > max_cells:
            raise _too_many_cells(name, max_cells, f"counted by row {number:,} of the sheet")
        rows.append(values)
    rows = rows[: last_filled + 1]
    return [values + [""] * (widest - len(values)) for values in rows]


def _cell_value(cell) -> object:
    """A cell's value as pandas' openpyxl reader gives it: '' when empty, NaN for an error."""
    if cell.value is None:
        return ""
    if cell.data_type == "e":
        return np.nan
    if cell.data_type == "n":
        whole = int(cell.value)
        return whole if whole == cell.value else float(cell.value)
    return cell.value


def _parsed_grid(rows: list[list[object]]) -> pd.DataFrame:
    """The rows as pandas.read_excel(header=None) types them (numbers, dates, NA strings)."""
    if not rows:
        return pd.DataFrame()
    return TextParser(rows, header=None, skip_blank_lines=False).read()


def _tidy(header: list[object], rows: pd.DataFrame, name: str, notes: list[str]) -> pd.DataFrame:
    """Name the columns; drop empty columns at the end, empty rows around, an index column."""
    names = [_header_name(cell) for cell in header]
    rows = rows.set_axis(range(len(names)), axis=1)
    rows = _drop_trailing_empty_columns(rows, names, notes)
    names = [
        column or f"Unnamed: {position}" for position, column in enumerate(names[: rows.shape[1]])
    ]
    rows = _drop_empty_rows(rows, name)
    if _is_index_column(rows, names):
        notes.append(f"Dropped a leading index column '{names[0]}'.")
        rows, names = rows.iloc[:, 1:], names[1:]
    return rows.set_axis(_unique(names, notes), axis=1)


def _header_name(cell: object) -> str:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip().lstrip("\ufeff")


def _drop_trailing_empty_columns(
    rows: pd.DataFrame, names: list[str], notes: list[str]
) -> pd.DataFrame:
    keep = len(names)
    while keep > 1 and not names[keep - 1] and _empty_cells(rows.iloc[:, keep - 1]).all():
        keep -= 1
    if keep < len(names):
        dropped = len(names) - keep
        notes.append(f"Dropped {_count(dropped, 'empty column')} at the end.")
        rows = rows.iloc[:, :keep]
    return rows


def _drop_empty_rows(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """Drop the empty rows before the first and after the last filled one; inner ones are gaps."""
    first = _filled_rows_before(rows)
    if first is None:
        raise DataError(f"{_label(name)} has a header but no data rows.")
    last = len(rows) - _filled_rows_before(rows, from_end=True)
    return rows.iloc[first:last].reset_index(drop=True)


def _filled_rows_before(rows: pd.DataFrame, from_end: bool = False) -> int | None:
    """Empty rows before the first filled one, counted from the top (or the bottom); None: all.

    Looked for in growing blocks: a wide or long table costs a few rows' work.
    """
    start, size = 0, 8
    while start < len(rows):
        if from_end:
            block = rows.iloc[max(len(rows) - start - size, 0) : len(rows) - start].iloc[::-1]
        else:
            block = rows.iloc[start : start + size]
        cells = pd.Series(block.to_numpy(dtype=object).ravel())
        filled = ~_empty_cells(cells).reshape(block.shape).all(axis=1)
        if filled.any():
            return start + int(filled.argmax())
        start, size = start + size, size * 8
    return None


def _empty_cells(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column):
        return is_missing(column.astype("str")).to_numpy(dtype=bool)
    return column.isna().to_numpy()


def _is_index_column(rows: pd.DataFrame, names: list[str]) -> bool:
    """An unnamed first column holding 0..n-1 or 1..n, as pandas' to_csv writes its index."""
    if len(names) < 2 or names[0] != "Unnamed: 0":
        return False
    column, first = rows.iloc[:, 0], None
    for start in range(0, len(column), CHUNK_ROWS):  # pandas reads text to numbers via objects
        chunk = column.iloc[start : start + CHUNK_ROWS]
        numbers = pd.to_numeric(chunk, errors="coerce").to_numpy(dtype="float64")
        if first is None:
            first = numbers[0]
            if first not in (0, 1):
                return False
        expected = np.arange(first + start, first + start + len(numbers))
        if not np.array_equal(numbers, expected):
            return False
    return first is not None


def _unique(names: list[str], notes: list[str]) -> list[str]:
    """Names made unique: a second 'sales' becomes 'sales (2)'."""
    taken, seen = set(names), set()
    unique: list[str] = []
    for column in names:
        if column in seen:
            number = 2
            while f"{column} ({number})" in taken:
                number += 1
            renamed = f"{column} ({number})"
            taken.add(renamed)
            notes.append(f"Renamed duplicate column '{column}' to '{renamed}'.")
            column = renamed
        seen.add(column)
        unique.append(column)
    return unique


def _lines(count: int) -> str:
    return _count(count, "line")


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
