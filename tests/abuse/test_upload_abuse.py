"""Uploads as a visitor with bad intent would make them: a few KB of .xlsx that unpack to
millions of cells, a sheet that lies about its size, a zip packed past what Excel writes, a
file over the byte limit. Each is refused with the numbers, before the work it would cost."""

import bz2
import io
import time
import zipfile

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from data.errors import DataError
from data.load import read_table
from forecasting.limits import MIB, ServerLimits
from tests.conftest import ROOT
from ui import state

BOMB_ROWS = 200_000  # x 2 columns: 400,000 cells in about 30 KB
MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def sheet_xml(rows: bytes, dimension: str | None) -> bytes:
    """A worksheet part holding `rows` (<row> elements), declaring `dimension` when given."""
    declared = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return MAIN + declared + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def xlsx_with_sheet(sheet: bytes) -> bytes:
    """A workbook saved by openpyxl, its one sheet's XML replaced by `sheet`."""
    book = openpyxl.Workbook()
    book.active["A1"] = "value"
    saved, packed = io.BytesIO(), io.BytesIO()
    book.save(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(packed, "w") as target:
        for part in source.infolist():
            data = sheet if part.filename == "xl/worksheets/sheet1.xml" else source.read(part)
            target.writestr(part.filename, data, zipfile.ZIP_DEFLATED, compresslevel=9)
    return packed.getvalue()


def dense_rows(count: int) -> bytes:
    """A header row, then `count` rows of two numbers, without cell references (as allowed)."""
    title = b'<c t="inlineStr"><is><t>%s</t></is></c>'
    header = b"<row>" + title % b"a" + title % b"b" + b"</row>"
    return header + b"<row><c><v>1</v></c><c><v>2</v></c></row>" * count


def gap_rows(last: int) -> bytes:
    """A header and one value, then a row numbered `last`: openpyxl yields every row between."""
    return (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>value</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>1</v></c></row>'
        + f'<row r="{last}"><c r="A{last}"><v>2</v></c></row>'.encode()
    )


def refused(raw: bytes, max_cells: int) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(DataError) as err:
        read_table(raw, "bomb.xlsx", max_cells=max_cells)
    return str(err.value), time.perf_counter() - started


def timed_read(raw: bytes) -> float:
    started = time.perf_counter()
    read_table(raw, "bomb.xlsx", max_cells=10 * BOMB_ROWS)
    return time.perf_counter() - started


def unparsed(monkeypatch) -> None:
    """Make openpyxl opening the workbook fail the test: a refusal must come before it."""

    def opened(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that should have been refused unread")

    monkeypatch.setattr(openpyxl, "load_workbook", opened)


def test_a_small_xlsx_of_too_many_cells_is_refused_unparsed_with_the_numbers(monkeypatch):
    raw = xlsx_with_sheet(sheet_xml(dense_rows(BOMB_ROWS), dimension=None))
    assert len(raw) < 64 * 1024
    tenth = xlsx_with_sheet(sheet_xml(dense_rows(BOMB_ROWS // 10), dimension=None))
    read_in = timed_read(tenth)  # a tenth of the bomb, allowed: about 0.5 s (all of it: 5 s)
    unparsed(monkeypatch)
    message, refused_in = refused(raw, max_cells=100_000)
    assert message == (
        "The file 'bomb.xlsx' has more than 100,000 cells (counted in its XML, all sheets "
        "together); at most 100,000 cells of a spreadsheet are read. Save a smaller range, or "
        "the data as CSV."
    )
    assert refused_in < read_in, (refused_in, read_in)


def test_a_sheet_declaring_more_cells_than_allowed_is_refused_by_its_dimension():
    raw = xlsx_with_sheet(sheet_xml(gap_rows(3), dimension=f"A1:B{BOMB_ROWS}"))
    message, _ = refused(raw, max_cells=100_000)
    assert message.startswith(
        "The file 'bomb.xlsx' has more than 100,000 cells (the sheet declares 200,000 rows x "
        "2 columns); at most 100,000 cells of a spreadsheet are read."
    )


@pytest.mark.parametrize("dimension", ["A1:B2", None], ids=["declares-2-rows", "declares-none"])
def test_a_sheet_lying_about_its_size_is_refused_by_the_count_as_its_rows_stream(dimension):
    raw = xlsx_with_sheet(sheet_xml(gap_rows(BOMB_ROWS), dimension))
    assert len(read_table(raw, max_cells=BOMB_ROWS)) == BOMB_ROWS - 1  # rows 2 to 200,000
    message, _ = refused(raw, max_cells=20_000)
    assert "more than 20,000 cells (counted by row 20,001 of the sheet)" in message


def test_rows_made_wide_by_a_far_cell_reference_are_counted_as_wide():
    far = b"".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>'.encode() for r in (1, 2, 3))
    message, _ = refused(xlsx_with_sheet(sheet_xml(far, "A1:A1")), max_cells=40_000)
    assert "more than 40,000 cells (counted by row 3 of the sheet)" in message  # 16,384 a row


def zip_of(part: str, size: int, compression: int) -> bytes:
    """A zip whose one part holds `size` zero bytes, written a MiB at a time."""
    packed = io.BytesIO()
    with (
        zipfile.ZipFile(packed, "w", compression) as archive,
        archive.open(part, "w", force_zip64=True) as target,
    ):
        for _ in range(size // MIB):
            target.write(bytes(MIB))
    return packed.getvalue()


def test_a_zip_that_unpacks_past_the_cell_limit_is_refused_unparsed(monkeypatch):
    unparsed(monkeypatch)
    raw = zip_of("xl/worksheets/sheet1.xml", 256 * MIB, zipfile.ZIP_DEFLATED)
    assert len(raw) < MIB
    with pytest.raises(DataError) as err:
        read_table(raw, "bomb.xlsx", max_cells=ServerLimits().spreadsheet_cells)
    assert str(err.value) == (
        "The file 'bomb.xlsx' unpacks to 256.0 MB; a spreadsheet of at most 2,000,000 cells is "
        "read, which takes at most 198.7 MB. Save a smaller range, or the data as CSV."
    )


def test_a_zip_packed_tighter_than_excel_can_is_refused_unparsed(monkeypatch):
    unparsed(monkeypatch)
    raw = zip_of("xl/sharedStrings.xml", 8 * MIB, zipfile.ZIP_BZIP2)
    assert len(bz2.compress(bytes(MIB))) < 100  # bzip2 packs zeros past deflate's 1,032 to 1
    with pytest.raises(DataError) as err:
        read_table(raw, "bomb.xlsx", max_cells=ServerLimits().spreadsheet_cells)
    message = str(err.value)
    assert message.startswith("The file 'bomb.xlsx' unpacks to ")
    assert message.endswith(
        " times its size; a spreadsheet saved by Excel unpacks to at most about 1,000 times. "
        "Save it again as .xlsx, or the data as CSV."
    )


# On the Data page, with this server's limits


def uploaded(name: str, content: bytes) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.switch_page("app_pages/data.py").run()
    app.radio(key="pick.source").set_value("upload").run()
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    return app


def shown(element) -> str:
    """An element's text without the Markdown escapes `plain` adds."""
    return element.value.replace("\\", "")


def test_an_upload_over_the_byte_limit_is_refused_on_the_data_page_before_it_is_read(
    limits_env,
):
    limits_env(UPLOAD_BYTES=str(MIB))
    app = uploaded("big.csv", b"value\n" + b"1\n" * (3 * MIB // 4))  # 1.5 MiB
    assert not app.exception
    assert [shown(error) for error in app.error] == [
        "The file 'big.csv' is 1.5 MB; this server reads uploads of at most 1 MB. Keep only "
        "the rows and columns you need, or split the file, and try again."
    ]
    assert app.session_state[state.UPLOAD] is None
    assert app.session_state[state.DATASET].name != "big.csv"


def test_a_spreadsheet_over_the_cell_limit_is_refused_on_the_data_page(limits_env):
    limits_env(SPREADSHEET_CELLS="50")
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    for row in range(40):
        book.active.append([f"2020-01-{row % 28 + 1:02d}", row])
    book.save(buffer)
    app = uploaded("book.xlsx", buffer.getvalue())
    assert not app.exception
    [error] = app.error
    assert shown(error).startswith("The file 'book.xlsx' has more than 50 cells (counted")
    assert "at most 50 cells of a spreadsheet are read" in shown(error)
