"""data.load: from a path or bytes to a DataFrame, and the messages users see when it fails.

Text tables come back with every cell as written (strings); data.numbers reads the numbers.
"""

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from data import load
from data.errors import DataError
from data.load import decode, read_table, read_table_with_notes, sniff_delimiter
from data.numbers import to_numbers

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
ROWS = [("2020-01-01", "1.5"), ("2020-01-02", "-2"), ("2020-01-03", "0")]
VALUES = [1.5, -2.0, 0.0]


def table_text(delimiter: str = ",", header: tuple[str, str] = ("date", "value")) -> str:
    lines = [header, *ROWS]
    return "".join(delimiter.join(line) + "\n" for line in lines)


def xlsx_bytes() -> bytes:
    frame = pd.DataFrame(
        {"date": pd.date_range("2020-01-01", periods=3), "Müller": [1.5, -2.0, 0.0]}
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def assert_date_value_table(table: pd.DataFrame, value_col: str = "value") -> None:
    assert list(table.columns) == ["date", value_col]
    assert table["date"].tolist() == [date for date, _ in ROWS]
    assert table[value_col].tolist() == [value for _, value in ROWS]  # as written
    np.testing.assert_array_equal(to_numbers(table[value_col], value_col).values, VALUES)


def test_reads_a_csv_from_a_path(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(table_text(), encoding="utf-8")
    assert_date_value_table(read_table(path))
    assert_date_value_table(read_table(str(path)))


def test_reads_a_csv_from_bytes():
    assert_date_value_table(read_table(table_text().encode(), "sales.csv"))


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_every_supported_delimiter_splits_the_columns(delimiter):
    assert sniff_delimiter(table_text(delimiter)) == delimiter
    assert_date_value_table(read_table(table_text(delimiter).encode()))


def test_a_single_column_file_is_read_as_one_column():
    table = read_table(b"value\n3\n-1\n0\n")
    assert list(table.columns) == ["value"]
    assert table["value"].tolist() == ["3", "-1", "0"]


def test_a_semicolon_file_with_decimal_commas_keeps_them_for_the_number_reader():
    raw = b"date;value\n2020-01-01;1,5\n2020-01-02;-2,25\n2020-01-03;0,0\n"
    table = read_table(raw)
    assert table["value"].tolist() == ["1,5", "-2,25", "0,0"]
    parsed = to_numbers(table["value"], "value")
    np.testing.assert_array_equal(parsed.values, [1.5, -2.25, 0.0])
    assert parsed.notes == ["Column 'value': decimal commas read (1.234,5 = 1234.5)."]


def test_a_semicolon_file_with_decimal_points_keeps_them():
    assert_date_value_table(read_table(table_text(";").encode()))


def test_utf8_with_bom_does_not_leak_into_the_first_column_name():
    raw = b"\xef\xbb\xbf" + table_text().encode("utf-8")
    assert_date_value_table(read_table(raw))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_decoded(encoding):
    text = table_text(";", header=("date", "Müller"))
    raw = text.encode(encoding)
    if encoding != "utf-16":  # the explicit-endian codecs write no BOM: add it as Excel does
        raw = "\ufeff".encode(encoding) + raw
    assert_date_value_table(read_table(raw), value_col="Müller")


def test_windows_1252_text_keeps_its_accented_column_name():
    raw = table_text(";", header=("date", "Müller")).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert_date_value_table(read_table(raw), value_col="Müller")
    assert decode("Müller €".encode("cp1252")) == "Müller €"


def test_utf8_wins_over_windows_1252_when_both_would_decode():
    assert decode("Müller".encode()) == "Müller"


@pytest.mark.parametrize("broken", [False, True], ids=["utf-8", "one-byte-not-utf-8"])
def test_a_long_file_is_checked_for_utf8_to_its_last_byte(broken):
    names = "".join(f"2020-01-{day % 28 + 1:02d},Müller {day}\n" for day in range(5000))
    raw = ("day,name\n" + names).encode()  # over one 64 KiB block; an ü straddles its end
    raw += b"2020-02-01,M\xfcller\n" if broken else b""  # 'ü' in Windows-1252
    table, notes = read_table_with_notes(raw)
    assert table["name"].iloc[-1] == ("Müller" if broken else "Müller 4999")
    assert notes == (["Decoded as Windows-1252 (the file is not UTF-8)."] if broken else [])


def test_xlsx_bytes_are_read_as_a_spreadsheet():
    table = read_table(xlsx_bytes(), "book.xlsx")
    assert list(table.columns) == ["date", "Müller"]
    assert table["date"].tolist() == list(pd.date_range("2020-01-01", periods=3))
    np.testing.assert_array_equal(table["Müller"].to_numpy(), VALUES)


def test_xlsx_named_csv_is_still_read_as_a_spreadsheet(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(xlsx_bytes())
    for table in (read_table(xlsx_bytes(), "export.csv"), read_table(path)):
        assert list(table.columns) == ["date", "Müller"]
        np.testing.assert_array_equal(table["Müller"].to_numpy(), VALUES)


def test_a_broken_xlsx_is_refused_with_advice():
    with pytest.raises(DataError, match="looks like an Excel file but could not be opened") as err:
        read_table(b"PK\x03\x04 not really a zip archive", "book.xlsx")
    assert str(err.value).startswith("The file 'book.xlsx' ")
    assert str(err.value).endswith("Save it again as .xlsx or CSV.")


@pytest.mark.parametrize("raw", [b"", b"  \n\r\n\t\n"], ids=["zero-bytes", "whitespace"])
def test_an_empty_file_is_refused(raw):
    with pytest.raises(DataError) as err:
        read_table(raw, "empty.csv")
    assert str(err.value) == "The file 'empty.csv' is empty: there is nothing to read."


def test_an_empty_file_on_disk_is_named_by_its_path(tmp_path):
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"^The file 'nothing\.csv' is empty"):
        read_table(path)


def test_an_unnamed_upload_is_called_the_file():
    with pytest.raises(DataError, match=r"^The file is empty: there is nothing to read\.$"):
        read_table(b"")


@pytest.mark.parametrize(
    "raw",
    [b"date,value\n", b"date,value\n,\n,\n", b"date,value"],
    ids=["header", "blank", "no-eol"],
)
def test_a_header_without_rows_is_refused(raw):
    with pytest.raises(DataError) as err:
        read_table(raw, "head.csv")
    assert str(err.value) == "The file 'head.csv' has a header but no data rows."


def test_a_png_is_refused_as_not_a_text_table():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
    with pytest.raises(DataError, match="not a text table") as err:
        read_table(png, "chart.png")
    assert str(err.value) == (
        "The file 'chart.png' is not a text table (it looks like a binary file or an image). "
        "Upload a CSV or an Excel .xlsx file."
    )


def test_a_missing_path_is_refused_with_the_path(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(DataError) as err:
        read_table(path)
    assert str(err.value) == f"File not found: {path}. Check the path and try again."


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(DataError, match="File not found"):
        read_table(tmp_path)


def test_rows_of_different_widths_are_refused_with_advice():
    with pytest.raises(DataError, match="could not be read as a table") as err:
        read_table(b"date,value\n2020-01-01,1\n2020-01-02,2,3,4\n", "ragged.csv")
    assert str(err.value).endswith("Check that every row has the same number of columns.")


def test_empty_rows_around_the_data_are_dropped_but_an_inner_gap_is_kept():
    raw = b"value\nn/a\n1\nn/a\n3\nn/a\n"
    table = read_table(raw)
    assert table["value"].tolist() == ["1", "n/a", "3"]
    assert table.index.equals(pd.RangeIndex(3))


def test_blank_excel_style_rows_at_the_end_are_dropped():
    table = read_table(table_text().encode() + b",\n,\n")
    assert_date_value_table(table)


# What the reader did, in notes for the user


def test_a_plain_utf8_comma_file_needs_no_notes():
    table, notes = read_table_with_notes(table_text().encode(), "sales.csv")
    assert_date_value_table(table)
    assert notes == []


def test_read_table_gives_the_table_of_read_table_with_notes():
    raw = b"Title\n\ndate;value;value\n2020-01-01;1;2\n2020-01-02;3;4\n"
    table, _ = read_table_with_notes(raw)
    pd.testing.assert_frame_equal(read_table(raw), table)


@pytest.mark.parametrize(
    ("delimiter", "note"),
    [
        (";", "Columns separated by ';'."),
        ("\t", "Columns separated by tabs."),
        ("|", "Columns separated by '|'."),
    ],
    ids=["semicolon", "tab", "pipe"],
)
def test_a_delimiter_other_than_comma_is_said(delimiter, note):
    table, notes = read_table_with_notes(table_text(delimiter).encode())
    assert_date_value_table(table)
    assert notes == [note]


def test_every_cell_of_a_text_table_is_kept_as_written():
    table = read_table(b'code,amount,when\n007,"1.234,50",NA\n010, 12 ,\n')
    assert table.to_dict("list") == {
        "code": ["007", "010"],
        "amount": ["1.234,50", " 12 "],
        "when": ["NA", ""],
    }
    assert all(pd.api.types.is_string_dtype(dtype) for dtype in table.dtypes)


def test_windows_1252_is_said():
    raw = table_text(";", header=("date", "Müller")).encode("cp1252")
    table, notes = read_table_with_notes(raw)
    assert_date_value_table(table, value_col="Müller")
    assert notes == [
        "Decoded as Windows-1252 (the file is not UTF-8).",
        "Columns separated by ';'.",
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_said(encoding):
    raw = table_text(header=("date", "Müller")).encode(encoding)
    table, notes = read_table_with_notes(raw)
    assert_date_value_table(table, value_col="Müller")
    assert notes == ["Read as UTF-16 text."]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_told_by_its_nul_bytes(encoding):
    raw = table_text("\t", header=("date", "Müller")).encode(encoding)
    assert not raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert decode(raw) == table_text("\t", header=("date", "Müller"))
    table, notes = read_table_with_notes(raw)
    assert_date_value_table(table, value_col="Müller")
    assert notes == ["Read as UTF-16 text.", "Columns separated by tabs."]


def test_a_binary_file_with_nul_bytes_is_not_mistaken_for_utf16():
    raw = bytes(range(256)) * 8
    with pytest.raises(DataError, match=r"^The file 'blob\.bin' is not a text table"):
        read_table(raw, "blob.bin")


def test_quoted_fields_may_hold_newlines_delimiters_and_quotes():
    raw = b'date,note,value\n2020-01-01,"two\nlines",1\n2020-01-02,"a, b ""c""",2\n'
    table = read_table(raw)
    assert table.to_dict("list") == {
        "date": ["2020-01-01", "2020-01-02"],
        "note": ["two\nlines", 'a, b "c"'],
        "value": ["1", "2"],
    }


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["old-mac-cr", "windows-crlf"])
def test_cr_and_crlf_line_endings_are_read(newline):
    raw = table_text().replace("\n", newline).encode()
    table, notes = read_table_with_notes(raw)
    assert_date_value_table(table)
    assert notes == []


def test_empty_columns_at_the_end_are_dropped_and_said():
    table, notes = read_table_with_notes(b"a,b,,\n1,2,,\n3,4,,\n")
    assert table.to_dict("list") == {"a": ["1", "3"], "b": ["2", "4"]}
    assert notes == ["Dropped 2 empty columns at the end."]


def test_one_empty_column_at_the_end_is_said_in_the_singular():
    _, notes = read_table_with_notes(b"a,b,\n1,2,\n")
    assert notes == ["Dropped 1 empty column at the end."]


def test_a_named_empty_column_and_an_unnamed_filled_one_are_kept():
    table, notes = read_table_with_notes(b"a,b,\n1,,x\n2,,y\n")
    assert list(table.columns) == ["a", "b", "Unnamed: 2"]
    assert table["Unnamed: 2"].tolist() == ["x", "y"]
    assert notes == []


def test_trailing_empty_rows_and_columns_together():
    table = read_table(b"date,value,,\n2020-01-01,1,,\n2020-01-02,2,,\n,,,\n,,,\n\n")
    assert table.to_dict("list") == {"date": ["2020-01-01", "2020-01-02"], "value": ["1", "2"]}


def test_a_pandas_index_column_is_dropped_and_said():
    frame = pd.DataFrame({"date": ["2020-01-01", "2020-01-02", "2020-01-03"], "value": [1, 2, 3]})
    table, notes = read_table_with_notes(frame.to_csv().encode())  # writes ",date,value" and 0..2
    assert table.to_dict("list") == {"date": frame["date"].tolist(), "value": ["1", "2", "3"]}
    assert notes == ["Dropped a leading index column 'Unnamed: 0'."]


def test_an_index_column_named_unnamed_0_counting_from_1_is_dropped():
    table, notes = read_table_with_notes(b"Unnamed: 0,value\n1,5\n2,-6\n3,0\n")
    assert table.to_dict("list") == {"value": ["5", "-6", "0"]}
    assert notes == ["Dropped a leading index column 'Unnamed: 0'."]


@pytest.mark.parametrize(
    "first_column",
    ["0,1,3", "2020-01-01,2020-01-02,2020-01-03", "5,6,7"],
    ids=["gap", "dates", "not-from-0-or-1"],
)
def test_an_unnamed_first_column_that_is_not_a_row_counter_is_kept(first_column):
    cells = first_column.split(",")
    raw = (",value\n" + "".join(f"{cell},{n}\n" for n, cell in enumerate(cells))).encode()
    table, notes = read_table_with_notes(raw)
    assert list(table.columns) == ["Unnamed: 0", "value"]
    assert table["Unnamed: 0"].tolist() == cells
    assert notes == []


@pytest.mark.parametrize(
    ("counter", "dropped"),
    [(list(range(1, 11)), True), ([*range(1, 10), 11], False), ([0, *range(2, 11)], False)],
    ids=["counter", "gap-in-a-later-chunk", "wrong-start"],
)
def test_an_index_column_is_checked_a_chunk_at_a_time_to_its_end(monkeypatch, counter, dropped):
    monkeypatch.setattr(load, "CHUNK_ROWS", 3)
    raw = (",value\n" + "".join(f"{n},{n * 2}\n" for n in counter)).encode()
    table, notes = read_table_with_notes(raw)
    assert list(table.columns) == (["value"] if dropped else ["Unnamed: 0", "value"])
    assert notes == (["Dropped a leading index column 'Unnamed: 0'."] if dropped else [])


def test_a_named_first_column_of_row_numbers_is_kept():
    table = read_table(b"id,value\n0,5\n1,6\n")
    assert list(table.columns) == ["id", "value"]


def test_duplicate_column_names_are_made_unique_and_said():
    table, notes = read_table_with_notes(b"date,sales,sales,sales\n2020,1,2,3\n")
    assert list(table.columns) == ["date", "sales", "sales (2)", "sales (3)"]
    assert table.iloc[0].tolist() == ["2020", "1", "2", "3"]
    assert notes == [
        "Renamed duplicate column 'sales' to 'sales (2)'.",
        "Renamed duplicate column 'sales' to 'sales (3)'.",
    ]


def test_a_renamed_duplicate_does_not_take_an_existing_name():
    table = read_table(b"sales,sales,sales (2)\n1,2,3\n")
    assert list(table.columns) == ["sales", "sales (3)", "sales (2)"]
    assert table.iloc[0].tolist() == ["1", "2", "3"]


def test_spaces_around_column_names_are_trimmed_before_duplicates_are_found():
    table = read_table(b" sales ,sales\n1,2\n")
    assert list(table.columns) == ["sales", "sales (2)"]


GOOGLE_TRENDS = (
    "Category: All categories\n"
    "\n"
    "Week,python: (Worldwide)\n"
    "2020-01-05,50\n"
    "2020-01-12,52\n"
    "2020-01-19,<1\n"
)


def test_a_google_trends_preamble_is_skipped_and_said():
    table, notes = read_table_with_notes(GOOGLE_TRENDS.encode())
    assert table.to_dict("list") == {
        "Week": ["2020-01-05", "2020-01-12", "2020-01-19"],
        "python: (Worldwide)": ["50", "52", "<1"],
    }
    assert notes == ["Skipped 2 lines before the header."]


def test_a_preamble_before_a_semicolon_table_is_skipped():
    raw = b"Export of 2024-03-01\nSource: shop\ndate;value;note\n2020-01-01;1,5;a\n2020-01-02;2;b\n"
    table, notes = read_table_with_notes(raw)
    assert list(table.columns) == ["date", "value", "note"]
    assert table["value"].tolist() == ["1,5", "2"]
    assert notes == ["Columns separated by ';'.", "Skipped 2 lines before the header."]


def test_blank_lines_before_the_header_are_skipped_without_a_note():
    table, notes = read_table_with_notes(b"\n\n" + table_text().encode())
    assert_date_value_table(table)
    assert notes == []


def test_a_wider_first_line_is_the_header_not_a_preamble():
    table = read_table(b"date,value,,\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n")
    assert table.to_dict("list") == {
        "date": ["2020-01-01", "2020-01-02", "2020-01-03"],
        "value": ["1", "2", "3"],
    }


# Size limit


MB = 1024 * 1024


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:  # a sparse file: no 250 MB written to disk
        handle.truncate(round(250.3 * MB))
    assert load.MAX_BYTES == 200 * MB
    with pytest.raises(DataError) as err:
        read_table(path)
    assert str(err.value).startswith("The file 'big.csv' is 250.3 MB, over the 200 MB limit. ")


def test_uploaded_bytes_over_the_size_limit_are_refused(monkeypatch):
    monkeypatch.setattr(load, "MAX_BYTES", 1 * MB)
    raw = b"value\n" + b"1\n" * round(0.75 * MB)
    with pytest.raises(DataError) as err:
        read_table(raw)
    assert str(err.value).startswith("The file is 1.5 MB, over the 1 MB limit. ")
    assert read_table(raw[: MB - 10].rsplit(b"\n", 1)[0])["value"].iloc[-1] == "1"


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
def test_a_caller_sets_the_size_limit(tmp_path, as_path):
    raw = b"value\n" + b"1\n" * round(0.375 * MB)  # 0.75 MB
    path = tmp_path / "sales.csv"
    path.write_bytes(raw)
    source = path if as_path else raw
    with pytest.raises(DataError) as err:
        read_table(source, "sales.csv", max_bytes=MB // 2)
    assert str(err.value).startswith("The file 'sales.csv' is 0.8 MB, over the 0.5 MB limit. ")
    assert len(read_table(source, "sales.csv", max_bytes=MB)) == round(0.375 * MB)


# Excel


def workbook(sheets: dict[str, pd.DataFrame], index: bool = False, startrow: int = 0) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, index=index, startrow=startrow)
    return buffer.getvalue()


def test_the_first_sheet_is_read_and_the_others_are_named():
    data = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=3), "sales": [1.5, -2.0, 0]})
    raw = workbook({"Data": data, "Notes": pd.DataFrame({"x": [1]}), "More": data})
    table, notes = read_table_with_notes(raw, "book.xlsx")
    assert list(table.columns) == ["date", "sales"]
    assert table["date"].tolist() == list(data["date"])
    assert table["sales"].dtype == np.float64
    np.testing.assert_array_equal(table["sales"].to_numpy(), [1.5, -2.0, 0.0])
    assert notes == [
        "Read the first sheet 'Data' of the Excel file.",
        "The other sheets were not read: 'Notes', 'More'.",
    ]


def test_an_excel_sheet_with_a_title_above_the_table_skips_it():
    buffer = io.BytesIO()
    data = pd.DataFrame({"month": ["2020-01", "2020-02"], "sales": [10, 20], "cost": [1, 2]})
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, sheet_name="Report", index=False, startrow=2)
        writer.sheets["Report"]["A1"] = "Monthly sales report"
    table, notes = read_table_with_notes(buffer.getvalue())
    assert table.to_dict("list") == {
        "month": ["2020-01", "2020-02"],
        "sales": [10, 20],
        "cost": [1, 2],
    }
    assert notes == [
        "Read the first sheet 'Report' of the Excel file.",
        "Skipped 2 rows before the header.",
    ]


def test_an_excel_index_column_and_duplicate_names_are_handled_as_in_text():
    data = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], columns=["sales", "sales"])
    table, notes = read_table_with_notes(workbook({"Sheet1": data}, index=True))
    assert list(table.columns) == ["sales", "sales (2)"]
    np.testing.assert_array_equal(table.to_numpy(), [[1.0, 2.0], [3.0, 4.0]])
    assert notes == [
        "Read the first sheet 'Sheet1' of the Excel file.",
        "Dropped a leading index column 'Unnamed: 0'.",
        "Renamed duplicate column 'sales' to 'sales (2)'.",
    ]


def mixed_workbook() -> bytes:
    """A sheet of what openpyxl reads differently: dates, times, text that reads as a number or
    as missing, booleans, an error value, a formula, gaps, and a styled empty cell at the end."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B2"] = "Report"
    sheet.append([])
    sheet.append(["date", "value", "note", "flag", "as text", "share"])
    sheet.append([dt.datetime(2020, 1, 1, 6), 1, "NA", True, "1.5", 0.25])
    sheet.append([dt.date(2020, 1, 2), 2.5, "", False, "2", None])
    sheet.append([dt.time(12, 30), None, "n/a", None, "x", 10**12])
    sheet.append([None, "#N/A", "=1+1", "-", "", 3])
    sheet.cell(row=9, column=2, value="#DIV/0!").data_type = "e"
    sheet.cell(row=12, column=2, value=7)
    sheet["J3"].number_format = "0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pandas_grid(raw: bytes, name: str, max_cells: int) -> tuple[pd.DataFrame, list[str]]:
    """The first sheet as the reader read it before it streamed and counted cells."""
    book = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl")
    return pd.read_excel(book, sheet_name=book.sheet_names[0], header=None), book.sheet_names


@pytest.mark.parametrize(
    "raw",
    [
        (CORPUS / "sales.xlsx").read_bytes(),
        xlsx_bytes(),
        mixed_workbook(),
        workbook({"Data": pd.DataFrame({"x": range(3)}), "Other": pd.DataFrame({"y": [1]})}),
    ],
    ids=["corpus-sales", "dates-and-accents", "mixed", "two-sheets"],
)
def test_a_sheet_streamed_under_the_cell_limit_reads_as_pandas_read_excel_did(monkeypatch, raw):
    grid, sheets = load._excel_grid(raw, "book.xlsx", load.MAX_CELLS)
    expected_grid, expected_sheets = pandas_grid(raw, "book.xlsx", load.MAX_CELLS)
    pd.testing.assert_frame_equal(grid, expected_grid)
    assert sheets == expected_sheets
    table, notes = read_table_with_notes(raw, "book.xlsx")
    monkeypatch.setattr(load, "_excel_grid", pandas_grid)
    expected_table, expected_notes = read_table_with_notes(raw, "book.xlsx")
    pd.testing.assert_frame_equal(table, expected_table)
    assert notes == expected_notes


def test_a_sheet_at_the_cell_limit_is_read_and_one_cell_more_is_refused():
    frame = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=9), "value": range(9)})
    raw = workbook({"Data": frame})  # 10 rows x 2 columns, the header included
    assert read_table(raw, max_cells=20).equals(read_table(raw))
    with pytest.raises(DataError, match=r"^The file has more than 19 cells \("):
        read_table(raw, max_cells=19)


def test_many_empty_rows_around_the_data_are_dropped():
    raw = b"value\n" + b"NA\n" * 100 + b"1\n-\n2\n" + b"-\n" * 700
    assert read_table(raw)["value"].tolist() == ["1", "-", "2"]
