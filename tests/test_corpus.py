"""The corpus of awkward files: each is read as expected, or refused with a message naming why."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from forecasting.__main__ import main
from tests.conftest import ROOT
from ui import state

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def inspect(capsys, name: str, args: list[str]) -> tuple[int, str, str]:
    try:
        code = main(["inspect", str(CORPUS / "files" / name), *args])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_corpus_has_at_least_forty_files_each_with_an_expectation():
    files = {path.name for path in (CORPUS / "files").iterdir()}
    assert files == set(EXPECTED) and len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_inspect_reads_or_refuses_each_file_as_expected(capsys, name):
    expected = EXPECTED[name]
    code, out, err = inspect(capsys, name, expected["args"])
    if "error" in expected:
        assert code == 2, out
        assert err.count("\n") == 1 and err.startswith("error: ")
        assert expected["error"] in err
        return
    assert code == 0, err
    described = json.loads(out)
    for key in ("rows", "target", "date_col", "freq"):
        if key in expected:
            assert described[key] == expected[key], key
    assert described["first_value"] == pytest.approx(expected["first_value"])
    assert described["last_value"] == pytest.approx(expected["last_value"])
    report = " | ".join(described["report"]).lower()
    for words in expected["report"]:
        assert words.lower() in report, f"{words!r} not in the report: {report}"


DATA_PAGE_CASES = [
    "cp1252_semicolon.csv",
    "decimal_comma_thousands_dot.csv",
    "google_trends.csv",
    "missing_tokens.csv",
    "formulas.csv",
    "excel_named_csv.csv",
    "image.csv",
    "text_only.csv",
    "irregular_dates.csv",
    "html_header.csv",
    "wide_1000_columns.csv",
    "long_format.csv",
]


def upload(name: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.switch_page("app_pages/data.py").run()
    app.radio(key="pick.source").set_value("upload").run()
    content = (CORPUS / "files" / name).read_bytes()
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    return app


def choice(app: AppTest, label: str):
    return next(widget for widget in [*app.selectbox, *app.radio] if widget.label == label)


@pytest.mark.parametrize("name", DATA_PAGE_CASES, ids=str)
def test_the_data_page_shows_the_report_or_an_error_never_an_exception(name):
    app = upload(name)
    assert not app.exception
    if "error" in EXPECTED[name]:
        assert EXPECTED[name]["error"] in app.error[0].value
    else:
        assert not app.error
        assert "What was done to the data" in [header.value for header in app.subheader]


def test_a_long_file_offers_its_groups_combined_or_one_by_one():
    app = upload("long_format.csv")
    assert app.session_state[state.SERIES].values[0] == pytest.approx(120.0)  # A + B
    choice(app, "Series").set_value("B").run()
    assert app.session_state[state.SERIES].values[0] == pytest.approx(110.0)
    assert not app.exception


def test_ambiguous_dates_can_be_flipped_to_day_first():
    app = upload("ambiguous_dates.csv")
    assert app.session_state[state.SERIES].freq == "D"
    choice(app, "The dates read as").set_value("day").run()
    assert app.session_state[state.SERIES].freq == "MS"
    assert not app.exception


def test_a_column_name_with_html_is_shown_as_text():
    app = upload("html_header.csv")
    report = next(element.value for element in app.markdown if "Using" in element.value)
    assert "\\<b\\>sales\\</b\\>" in report
