"""data.load: from a path or bytes to a DataFrame, and the messages users see when it fails."""

import io

import numpy as np
import pandas as pd
import pytest

from data.errors import DataError
from data.load import decode, read_table, sniff_delimiter

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
    np.testing.assert_array_equal(table[value_col].to_numpy(), VALUES)


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
    np.testing.assert_array_equal(table["value"].to_numpy(), [3, -1, 0])


def test_a_semicolon_file_with_decimal_commas_gives_numbers():
    raw = b"date;value\n2020-01-01;1,5\n2020-01-02;-2,25\n2020-01-03;0,0\n"
    table = read_table(raw)
    assert pd.api.types.is_float_dtype(table["value"])
    np.testing.assert_array_equal(table["value"].to_numpy(), [1.5, -2.25, 0.0])


def test_a_semicolon_file_with_decimal_points_keeps_them():
    table = read_table(table_text(";").encode())
    np.testing.assert_array_equal(table["value"].to_numpy(), VALUES)


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
    np.testing.assert_array_equal(table["value"].to_numpy(), [1.0, np.nan, 3.0])
    assert table.index.equals(pd.RangeIndex(3))


def test_blank_excel_style_rows_at_the_end_are_dropped():
    table = read_table(table_text().encode() + b",\n,\n")
    assert_date_value_table(table)
