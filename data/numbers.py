"""From a column of cells as written (text or numbers) to float64, with notes on how it was read.

Vectorised over the whole column: every step is a pandas .str method or a regular expression
that pandas runs on all cells at once. Cells written as plain numbers (12, -3.5, 1e-3) are read
straight away; only the others go through the careful reading of spaces, separators, signs of
money, percentages and missing tokens, which would say nothing about plain cells anyway.
Formulas are never evaluated; zeros and negatives are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_MAGNITUDE = 1e15
LIMIT_TEXT = "1e15"  # MAX_MAGNITUDE as the notes write it
MISSING_TOKENS = (
    *("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "-", "--", "?"),
    *("#N/A", "#NA", "#VALUE!", "#DIV/0!"),
)
_MISSING_FORMS = frozenset(
    form
    for token in MISSING_TOKENS
    for form in (token, token.lower(), token.upper(), token.title())
)
_INFINITIES = frozenset(
    sign + form
    for sign in ("", "+", "-")
    for word in ("inf", "infinity")
    for form in (word, word.upper(), word.title())
)
_WIDE_SPACES = "\u00a0\u2007\u2009\u202f"  # no-break, figure, thin, narrow no-break
_CURRENCY = r"(?:[$€£¥]|EUR|USD|GBP|JPY|CHF)"
_CURRENCY_BEFORE = rf"^([(+-]?){_CURRENCY} *"
_CURRENCY_AFTER = rf" *{_CURRENCY}([)%]?)$"
_EXPONENT = r"(?:[eE][+-]?\d+)?"
_NUMBER = {  # a number once spaces, signs of money and percent are gone, by decimal mark
    ".": rf"[+-]?(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d*)?|\.\d+){_EXPONENT}",
    ",": rf"[+-]?(?:(?:\d{{1,3}}(?:\.\d{{3}})+|\d+)(?:,\d*)?|,\d+){_EXPONENT}",
}
# Plain: no spaces, commas or other signs; [0-9] rather than \d, so pyarrow runs it, ASCII only
_PLAIN = r"[+-]?(?:[0-9]+(?:[.][0-9]*)?|[.][0-9]+)(?:[eE][+-]?[0-9]+)?"
_FORMULA_START = r"[=+\-@]"
_NUMERIC_KINDS = ("integer", "floating", "mixed-integer-float", "decimal", "boolean")


@dataclass
class NumberParse:
    """A column read as numbers, and what the reading did."""

    values: pd.Series  # float64, same index as the input; NaN where missing or not a number
    notes: list[str] = field(default_factory=list)  # report lines for the user
    bad: int = 0  # cells that were not numbers (missing tokens not counted)
    example: str | None = None  # the first such cell, as written


def to_numbers(column: pd.Series, name: str, decimal: str | None = None) -> NumberParse:
    """Read a column as float64; `decimal` is '.' or ',', or None to tell it from the cells."""
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.', ',' or None, got {decimal!r}")
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return _from_floats(column, name)
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return _all_bad(column)  # dates, durations, periods: not numbers
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("string", "empty"):
        return _from_text(column.astype("str"), name, decimal)
    if kind in _NUMERIC_KINDS:
        return _from_floats(pd.to_numeric(column, errors="coerce"), name)
    if kind in ("mixed", "mixed-integer"):
        return _from_mixed(column, name, decimal)
    return _all_bad(column)


def is_missing(strings: pd.Series) -> pd.Series:
    """True where a text cell is absent, blank, or a missing token such as NA, -, #N/A."""
    return strings.isna() | strings.str.strip().isin(_MISSING_FORMS)


def _from_floats(column: pd.Series, name: str) -> NumberParse:
    values = pd.Series(column.to_numpy(dtype="float64", na_value=np.nan), index=column.index)
    values, notes = _drop_extremes(values, name)
    return NumberParse(values, notes)


def _from_text(strings: pd.Series, name: str, decimal: str | None) -> NumberParse:
    values, notes, bad = _read_text(strings, name, decimal)
    values, extreme_notes = _drop_extremes(values, name)
    example = str(strings[bad].iloc[0]) if bad.any() else None
    return NumberParse(values, notes + extreme_notes, int(bad.sum()), example)


def _from_mixed(column: pd.Series, name: str, decimal: str | None) -> NumberParse:
    """An object column holding both text and numbers, as a spreadsheet may give."""
    is_text = column.str.len().notna().to_numpy()
    text_values, notes, text_bad = _read_text(column[is_text].astype("str"), name, decimal)
    others = pd.to_numeric(column[~is_text], errors="coerce")
    values = pd.Series(np.nan, index=column.index, dtype="float64")
    values[is_text] = text_values.to_numpy()
    values[~is_text] = others.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.zeros(len(column), dtype=bool)
    bad[is_text] = text_bad
    bad[~is_text] = others.isna().to_numpy() & column[~is_text].notna().to_numpy()
    values, extreme_notes = _drop_extremes(values, name)
    example = str(column[bad].iloc[0]) if bad.any() else None
    return NumberParse(values, notes + extreme_notes, int(bad.sum()), example)


def _read_text(
    strings: pd.Series, name: str, decimal: str | None
) -> tuple[pd.Series, list[str], np.ndarray]:
    """Strings to floats (infinities kept), notes, and where cells were not numbers.

    Plain cells are cast at once and the rest read with care, as if the whole column were.
    Plain cells take part in one choice only, the decimal mark: a cell such as 1.5 votes for
    the point. If the comma wins anyway, plain cells read otherwise (1.234 = 1234) and the
    whole column is read with care.
    """
    plain = _fullmatch(strings, _PLAIN)
    if decimal == "," or not plain.any():
        return _read_with_care(strings, name, decimal)[:3]
    if plain.all():
        return _as_floats(strings), [], np.zeros(len(strings), dtype=bool)
    votes = 0 if decimal else int((plain & ~_fullmatch(strings, _NUMBER[","])).sum())
    rest = strings[~plain]
    rest_values, notes, rest_bad, chosen = _read_with_care(rest, name, decimal, votes)
    if chosen == ",":
        return _read_with_care(strings, name, decimal)[:3]
    values = np.empty(len(strings))
    values[plain] = _as_floats(strings[plain]).to_numpy()
    values[~plain] = rest_values.to_numpy()
    bad = np.zeros(len(strings), dtype=bool)
    bad[~plain] = rest_bad
    return pd.Series(values, index=strings.index, name=strings.name), notes, bad


def _read_with_care(
    strings: pd.Series, name: str, decimal: str | None, point_votes: int = 0
) -> tuple[pd.Series, list[str], np.ndarray, str]:
    """_read_text's careful reading, and the decimal mark it chose.

    `point_votes`: plain cells elsewhere in the column that only a decimal point reads.
    """
    notes: list[str] = []
    stripped = strings.str.strip()
    missing = (stripped.isna() | stripped.isin(_MISSING_FORMS)).to_numpy()
    tokens = stripped[missing].dropna()
    if (tokens != "").any():  # plain empty cells need no note: the gaps they leave are reported
        notes.append(_missing_note(stripped[missing], name))
    text = _join_digit_groups(stripped)
    text = _replace(text, "\u2212", "-")  # the typographic minus sign
    text, money = _changed(text, _CURRENCY, [(_CURRENCY_BEFORE, r"\1"), (_CURRENCY_AFTER, r"\1")])
    if money.any():
        notes.append(
            f"Column '{name}': currency signs removed from {_count(money, 'value')} "
            f"(for example {stripped[money].iloc[0]!r})."
        )
    text, bracketed = _changed(text, r"\(", [(r"^\((.*)\)$", r"-\1")])
    if bracketed.any():
        notes.append(
            f"Column '{name}': {_count(bracketed, 'value')} in parentheses read as negative "
            "((123) = -123)."
        )
    text, percent = _changed(text, "%", [(r" *%$", "")])
    if percent.any():
        notes.append(
            f"Column '{name}': % signs removed from {_count(percent, 'value')}; "
            "they are kept as percentages (12% -> 12)."
        )
    valid_point = _fullmatch(text, _NUMBER["."])
    valid_comma = _fullmatch(text, _NUMBER[","])
    if decimal is None:
        has_comma = _contains(text, ",")
        decimal, reading = _choose_decimal(valid_point, valid_comma, has_comma, point_votes)
    else:
        marked = valid_comma & _contains(text, "[.,]", regex=True)
        reading = "decimal commas read, as asked (1.234,5 = 1234.5)."
        reading = reading if decimal == "," and marked.any() else None
    if reading:
        notes.append(f"Column '{name}': {reading}")
    valid = valid_comma if decimal == "," else valid_point
    infinite = text.isin(_INFINITIES).to_numpy()
    values = _to_floats(text, valid, decimal, infinite)
    bad = ~missing & ~valid & ~infinite
    formulas = _starts_formula(stripped) & bad
    if formulas.any():
        count = int(formulas.sum())
        notes.append(
            f"Column '{name}': {_count_of(count, 'cell looks', 'cells look')} like "
            f"{'a spreadsheet formula' if count == 1 else 'spreadsheet formulas'} and "
            f"{'was' if count == 1 else 'were'} not evaluated "
            f"(for example {stripped[formulas].iloc[0]!r})."
        )
    return values, notes, bad, decimal


def _all_bad(column: pd.Series) -> NumberParse:
    """A column of dates, durations or other things that are not numbers."""
    present = column.notna().to_numpy()
    example = str(column[present].iloc[0]) if present.any() else None
    values = pd.Series(np.nan, index=column.index, dtype="float64")
    return NumberParse(values, [], int(present.sum()), example)


def _join_digit_groups(text: pd.Series) -> pd.Series:
    """'1 234 567,5' -> '1234567,5': a space between a digit and three digits is a separator."""
    for space in _WIDE_SPACES:
        text = _replace(text, space, " ")
    if not _contains(text, " ").any():
        return text
    group = r"(\d) (\d{3})"
    # a match consumes the next group's first digit, so every other gap waits for a second pass
    return text.str.replace(group, r"\1\2", regex=True).str.replace(group, r"\1\2", regex=True)


def _choose_decimal(
    valid_point: np.ndarray, valid_comma: np.ndarray, has_comma: np.ndarray, point_votes: int = 0
) -> tuple[str, str | None]:
    """The decimal mark most cells agree on; ties and ambiguity go to the point."""
    point_only = int((valid_point & ~valid_comma).sum()) + point_votes  # 1,234.5  1.5  1,234,567
    comma_only = int((valid_comma & ~valid_point).sum())  # 1.234,5  1,5  1.234.567
    if comma_only > point_only:
        return ",", "decimal commas read (1.234,5 = 1234.5)."
    if not (valid_point & has_comma).any():
        return ".", None
    if point_only == 0:
        return ".", (
            "commas read as thousands separators (1,234 = 1234); every comma is followed by "
            "three digits, so they could also be decimal commas."
        )
    return ".", "commas read as thousands separators (1,234.5 = 1234.5)."


def _to_floats(text: pd.Series, valid: np.ndarray, decimal: str, infinite: np.ndarray):
    if decimal == ",":
        text = _replace(_replace(text, ".", ""), ",", ".")
    else:
        text = _replace(text, ",", "")
    values = _as_floats(text if valid.all() else text.where(valid))
    if infinite.any():
        signs = np.where(text[infinite].str.startswith("-").to_numpy(dtype=bool), -1.0, 1.0)
        values[infinite] = signs * np.inf
    return values


def _as_floats(text: pd.Series) -> pd.Series:
    """Text of numbers (missing elsewhere) as float64.

    Text held by pyarrow is cast there: pandas' own astype makes a Python object of every cell.
    """
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        try:
            floats = text.astype("float64[pyarrow]")
        except ValueError:  # digits pyarrow does not read, such as Arabic-Indic ones
            return text.astype("float64")
        return pd.Series(floats.to_numpy("float64", na_value=np.nan), text.index, name=text.name)
    return text.astype("float64")


def _drop_extremes(values: pd.Series, name: str) -> tuple[pd.Series, list[str]]:
    """Infinite values and magnitudes over MAX_MAGNITUDE become missing, said by count."""
    array = values.to_numpy()
    infinite = np.isinf(array)
    with np.errstate(invalid="ignore"):
        huge = ~infinite & (np.abs(array) > MAX_MAGNITUDE)
    notes = []
    if infinite.any():
        infinities = _count_of(int(infinite.sum()), "infinite value was", "infinite values were")
        notes.append(f"Column '{name}': {infinities} treated as missing.")
    if huge.any():
        count = int(huge.sum())
        notes.append(
            f"Column '{name}': {_count_of(count, 'value', 'values')} larger than {LIMIT_TEXT} "
            f"in size {'was' if count == 1 else 'were'} treated as missing "
            f"(for example {array[huge][0]:g})."
        )
    if notes:
        values = values.where(~(infinite | huge))
    return values, notes


def _missing_note(missing_cells: pd.Series, name: str) -> str:
    blank = missing_cells.isna() | (missing_cells == "")
    tokens = missing_cells[~blank].drop_duplicates().head(5).tolist()
    shown = ", ".join(tokens[:4]) + (", ..." if len(tokens) > 4 else "")
    what = "empty or marked missing" if blank.any() else "marked missing"
    cells = _count_of(len(missing_cells), "cell was", "cells were")
    if not tokens:
        return f"Column '{name}': {cells} empty."
    return f"Column '{name}': {cells} {what} ({shown})."


def _starts_formula(text: pd.Series) -> np.ndarray:
    return text.str.match(_FORMULA_START).to_numpy(dtype=bool, na_value=False)


def _changed(
    text: pd.Series, trigger: str, replacements: list[tuple[str, str]]
) -> tuple[pd.Series, np.ndarray]:
    """Apply regex replacements when some cell holds `trigger`; also say which cells changed."""
    if not _contains(text, trigger, regex=True).any():
        return text, np.zeros(len(text), dtype=bool)
    before = text
    for pattern, replacement in replacements:
        text = text.str.replace(pattern, replacement, regex=True)
    changed = (text != before).to_numpy(dtype=bool, na_value=False)
    return text, changed


def _replace(text: pd.Series, old: str, new: str) -> pd.Series:
    if not _contains(text, old).any():
        return text
    return text.str.replace(old, new, regex=False)


def _fullmatch(text: pd.Series, pattern: str) -> np.ndarray:
    return text.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)


def _contains(text: pd.Series, pattern: str, regex: bool = False) -> np.ndarray:
    return text.str.contains(pattern, regex=regex).to_numpy(dtype=bool, na_value=False)


def _count(mask: np.ndarray, noun: str) -> str:
    return _count_of(int(mask.sum()), noun, noun + "s")


def _count_of(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"
