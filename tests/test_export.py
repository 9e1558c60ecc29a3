import io

import pandas as pd

from data.export import escape_formula, safe_csv


def test_cells_that_would_run_as_formulas_are_quoted():
    for text in ["=SUM(A1:A3)", "+A1", "-cmd|' /C calc'!A0", "@SUM(1)"]:
        assert escape_formula(text) == "'" + text


def test_ordinary_text_and_numbers_are_left_alone():
    frame = pd.DataFrame({"store": ["north", "=HYPERLINK(1)"], "sales": [-5.5, 3.0]})
    text = safe_csv(frame)
    back = pd.read_csv(io.StringIO(text))
    assert back["sales"].tolist() == [-5.5, 3.0]
    assert back["store"].tolist() == ["north", "'=HYPERLINK(1)"]


def test_column_names_are_escaped_too():
    frame = pd.DataFrame({"=cmd()": [1], "timestamp": ["2024-01-01"]})
    assert safe_csv(frame).splitlines()[0] == "'=cmd(),timestamp"
