"""What the app writes for other programs: CSV that spreadsheets open safely (text that looks
like a formula is never run), and numpy and pandas values as JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text, with text cells and column names escaped; numbers stay numbers."""
    escaped = frame.rename(columns=lambda name: escape_formula(str(name)))
    for column in escaped.columns:
        values = escaped[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            escaped[column] = values.map(
                lambda cell: escape_formula(cell) if isinstance(cell, str) else cell
            )
    return escaped.to_csv(index=False)


def json_value(value: object) -> object:
    """json.dumps' `default`: numpy numbers as numbers, timestamps as ISO text."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
