"""data.numbers: cells as written to float64, with the notes users read about how."""

import datetime

import numpy as np
import pandas as pd
import pytest

from data import numbers
from data.numbers import MISSING_TOKENS, is_missing, to_numbers


def read(cells, decimal=None, name="x"):
    return to_numbers(pd.Series(cells, dtype="str"), name, decimal=decimal)


def assert_values(parsed, expected):
    assert parsed.values.dtype == np.float64
    np.testing.assert_array_equal(parsed.values.to_numpy(), expected)


# Numbers already numeric


def test_floats_pass_through_exactly_with_their_index():
    column = pd.Series([1.5, -2.0, 0.0, -0.0, 1e-300], index=[10, 20, 30, 40, 50])
    parsed = to_numbers(column, "x")
    assert parsed.values.index.equals(column.index)
    assert_values(parsed, [1.5, -2.0, 0.0, -0.0, 1e-300])
    assert (parsed.notes, parsed.bad, parsed.example) == ([], 0, None)


def test_integers_and_nullable_integers_become_floats():
    assert_values(to_numbers(pd.Series([3, -1, 0]), "x"), [3.0, -1.0, 0.0])
    parsed = to_numbers(pd.Series([3, None, 0], dtype="Int64"), "x")
    assert_values(parsed, [3.0, np.nan, 0.0])
    assert parsed.notes == []


def test_a_million_floats_pass_through_unchanged():
    column = pd.Series(np.random.default_rng(0).normal(size=1_000_000))
    parsed = to_numbers(column, "x")
    np.testing.assert_array_equal(parsed.values.to_numpy(), column.to_numpy())


def test_float_infinities_and_absurd_magnitudes_become_missing_and_are_counted():
    parsed = to_numbers(pd.Series([np.inf, -np.inf, 2e15, -1e16, 1e15, -1e15, 5.0]), "x")
    assert_values(parsed, [np.nan, np.nan, np.nan, np.nan, 1e15, -1e15, 5.0])
    assert parsed.notes == [
        "Column 'x': 2 infinite values were treated as missing.",
        "Column 'x': 2 values larger than 1e15 in size were treated as missing "
        "(for example 2e+15).",
    ]
    assert parsed.bad == 0


# Text: plain numbers, spaces, missing cells


def test_plain_text_numbers_including_signs_and_exponents():
    parsed = read(["1.5", "-2", "0", "+5", "-1.5e3", "2E-2", ".5", "-0"])
    assert_values(parsed, [1.5, -2.0, 0.0, 5.0, -1500.0, 0.02, 0.5, -0.0])
    assert (parsed.notes, parsed.bad, parsed.example) == ([], 0, None)


def test_negatives_and_zeros_are_kept_exactly():
    parsed = read(["-0", "0", "0.0", "-3.5"])
    assert_values(parsed, [0.0, 0.0, 0.0, -3.5])
    assert np.signbit(parsed.values.to_numpy()[0])
    assert_values(read(["-0,0", "0,0", "-1,5"]), [0.0, 0.0, -1.5])


def test_the_index_of_a_text_column_is_kept():
    column = pd.Series(["1", "x", "3"], index=["a", "b", "c"], dtype="str")
    assert list(to_numbers(column, "x").values.index) == ["a", "b", "c"]


def test_spaces_around_and_between_digit_groups_are_removed():
    cells = [" 12 ", "\u00a07\u00a0", "1 234", "1\u00a0234\u00a0567", "12\u2009345", "1\u202f000"]
    assert_values(read(cells), [12.0, 7.0, 1234.0, 1234567.0, 12345.0, 1000.0])


def test_space_separated_thousands_with_a_decimal_comma():
    parsed = read(["1 234 567,5", "12 345,25"])
    assert_values(parsed, [1234567.5, 12345.25])


def test_a_space_that_is_not_a_thousands_separator_makes_a_cell_bad():
    parsed = read(["1 2", "3"])
    assert_values(parsed, [np.nan, 3.0])
    assert (parsed.bad, parsed.example) == (1, "1 2")


def test_every_missing_token_is_missing_and_not_bad():
    parsed = read([*MISSING_TOKENS, "3"])
    assert len(MISSING_TOKENS) == 16
    assert_values(parsed, [np.nan] * 16 + [3.0])
    assert (parsed.bad, parsed.example) == (0, None)
    assert parsed.notes == [
        "Column 'x': 16 cells were empty or marked missing (NA, N/A, n/a, NaN, ...)."
    ]


def test_missing_tokens_are_named_in_the_note():
    parsed = read(["1", "NA", " - ", "", "NA", None, "2"])
    assert_values(parsed, [1.0, np.nan, np.nan, np.nan, np.nan, np.nan, 2.0])
    assert parsed.notes == ["Column 'x': 5 cells were empty or marked missing (NA, -)."]


def test_plain_empty_cells_need_no_note_their_gaps_are_reported_later():
    parsed = read(["1", "", "  ", "2"])
    assert parsed.notes == [] and parsed.bad == 0
    assert parsed.values.isna().tolist() == [False, True, True, False]


def test_tokens_without_empty_cells_are_called_marked_missing():
    parsed = read(["1", "#N/A", "#DIV/0!"], name="sales")
    assert parsed.notes == ["Column 'sales': 2 cells were marked missing (#N/A, #DIV/0!)."]


def test_is_missing_tells_blank_and_token_cells():
    cells = pd.Series(["", " NA ", "null", "0", "x", None, "#VALUE!"], dtype="str")
    assert is_missing(cells).tolist() == [True, True, True, False, False, True, True]


def test_cells_that_are_not_numbers_are_counted_with_the_first_as_written():
    parsed = read(["1", " abc ", "2", "n.a.", "12 kg"])
    assert_values(parsed, [1.0, np.nan, 2.0, np.nan, np.nan])
    assert (parsed.bad, parsed.example) == (3, " abc ")
    assert parsed.notes == []


# Money, percent, accounting negatives


def test_currency_symbols_and_codes_are_removed_before_or_after():
    cells = ["$1,200.50", "12 €", "£3", "¥400", "EUR 5", "7 USD", "-$3", "$-4", "€ -2"]
    parsed = read(cells)
    assert_values(parsed, [1200.5, 12.0, 3.0, 400.0, 5.0, 7.0, -3.0, -4.0, -2.0])
    assert parsed.notes == [
        "Column 'x': currency signs removed from 9 values (for example '$1,200.50').",
        "Column 'x': commas read as thousands separators (1,234.5 = 1234.5).",
    ]


def test_euro_amounts_with_decimal_commas():
    parsed = read(["1.234,56 €", "€ 12,5", "-3,25 EUR"])
    assert_values(parsed, [1234.56, 12.5, -3.25])


def test_a_trailing_percent_is_removed_and_values_stay_percentages():
    parsed = read(["12%", "5 %", "-3.5%", "0%"])
    assert_values(parsed, [12.0, 5.0, -3.5, 0.0])
    assert parsed.notes == [
        "Column 'x': % signs removed from 4 values; they are kept as percentages (12% -> 12)."
    ]


def test_a_percent_sign_elsewhere_is_not_a_number():
    parsed = read(["%12", "1%2"])
    assert (parsed.bad, parsed.example) == (2, "%12")


def test_accounting_parentheses_are_negative():
    parsed = read(["(123)", "(1,234.50)", "45", "($7)"])
    assert_values(parsed, [-123.0, -1234.5, 45.0, -7.0])
    assert "Column 'x': 3 values in parentheses read as negative ((123) = -123)." in parsed.notes


def test_the_typographic_minus_sign_is_a_minus():
    assert_values(read(["\u22125", "\u22121,5"]), [-5.0, -1.5])


# Decimal comma or thousands comma


def test_dots_for_thousands_and_a_decimal_comma():
    parsed = read(["1.234,56", "-12.345.678,9", "0,5", "7"], name="sales")
    assert_values(parsed, [1234.56, -12345678.9, 0.5, 7.0])
    assert parsed.notes == ["Column 'sales': decimal commas read (1.234,5 = 1234.5)."]


def test_a_decimal_comma_with_no_dots_in_the_column():
    parsed = read(["1,5", "-2,25", "0,0", "10"])
    assert_values(parsed, [1.5, -2.25, 0.0, 10.0])
    assert parsed.notes == ["Column 'x': decimal commas read (1.234,5 = 1234.5)."]


def test_dotted_thousands_alone_in_a_decimal_comma_column_are_thousands():
    assert_values(read(["1.234", "2,5"]), [1234.0, 2.5])


def test_commas_for_thousands_and_a_decimal_point():
    parsed = read(["1,234.56", "1,234", "1,234,567", "-0.5"])
    assert_values(parsed, [1234.56, 1234.0, 1234567.0, -0.5])
    assert parsed.notes == ["Column 'x': commas read as thousands separators (1,234.5 = 1234.5)."]


def test_an_ambiguous_column_is_read_with_thousands_commas_and_said():
    parsed = read(["1,234", "12,500", "-3,000"])
    assert_values(parsed, [1234.0, 12500.0, -3000.0])
    assert parsed.notes == [
        "Column 'x': commas read as thousands separators (1,234 = 1234); every comma is "
        "followed by three digits, so they could also be decimal commas."
    ]


def test_dots_alone_are_decimal_points_without_a_note():
    parsed = read(["1.234", "2.5"])
    assert_values(parsed, [1.234, 2.5])
    assert parsed.notes == []


def test_cells_that_disagree_with_the_chosen_reading_are_bad():
    parsed = read(["1.234,5", "2.345,5", "1,234.5"])
    assert_values(parsed, [1234.5, 2345.5, np.nan])
    assert (parsed.bad, parsed.example) == (1, "1,234.5")


def test_a_given_decimal_comma_overrides_detection():
    parsed = read(["1.234", "2.500"], decimal=",")
    assert_values(parsed, [1234.0, 2500.0])
    assert parsed.notes == ["Column 'x': decimal commas read, as asked (1.234,5 = 1234.5)."]


def test_a_given_decimal_point_makes_decimal_commas_bad():
    parsed = read(["1,5", "2.5"], decimal=".")
    assert_values(parsed, [np.nan, 2.5])
    assert (parsed.bad, parsed.example) == (1, "1,5")


def test_an_unknown_decimal_mark_is_refused():
    with pytest.raises(ValueError, match=r"decimal must be '\.', ',' or None, got ';'"):
        read(["1"], decimal=";")


# Formulas, infinities, absurd magnitudes


def test_spreadsheet_formulas_are_never_evaluated():
    cells = ["=SUM(A1:A3)", "+A1", "-cmd", "@x", "=1+1", "=5", "-5", "+5", "-1.5e3"]
    parsed = read(cells)
    assert_values(parsed, [np.nan] * 6 + [-5.0, 5.0, -1500.0])
    assert (parsed.bad, parsed.example) == (6, "=SUM(A1:A3)")
    assert parsed.notes == [
        "Column 'x': 6 cells look like spreadsheet formulas and were not evaluated "
        "(for example '=SUM(A1:A3)')."
    ]


def test_one_formula_is_said_in_the_singular():
    parsed = read(["1", "@SUM(1)"])
    assert parsed.notes == [
        "Column 'x': 1 cell looks like a spreadsheet formula and was not evaluated "
        "(for example '@SUM(1)')."
    ]


def test_text_infinities_become_missing_and_are_counted_but_not_bad():
    parsed = read(["inf", "Infinity", "-inf", "+INF", "4"])
    assert_values(parsed, [np.nan, np.nan, np.nan, np.nan, 4.0])
    assert parsed.notes == ["Column 'x': 4 infinite values were treated as missing."]
    assert parsed.bad == 0


def test_absurd_magnitudes_in_text_become_missing():
    parsed = read(["1e16", "-2.000.000.000.000.000,0", "999999999999999", "1"])
    assert_values(parsed, [np.nan, np.nan, 999999999999999.0, 1.0])
    assert parsed.notes[-1] == (
        "Column 'x': 2 values larger than 1e15 in size were treated as missing (for example 1e+16)."
    )


# Columns of other kinds


def test_a_spreadsheet_column_of_numbers_and_text():
    column = pd.Series([1.5, "2,5", "x", None, 3, "NA"], dtype=object)
    parsed = to_numbers(column, "x")
    assert_values(parsed, [1.5, 2.5, np.nan, np.nan, 3.0, np.nan])
    assert (parsed.bad, parsed.example) == (1, "x")


def test_a_spreadsheet_column_with_a_date_among_numbers_counts_it_bad():
    column = pd.Series([1.0, datetime.datetime(2020, 1, 1), 2.0], dtype=object)
    parsed = to_numbers(column, "x")
    assert_values(parsed, [1.0, np.nan, 2.0])
    assert (parsed.bad, parsed.example) == (1, "2020-01-01 00:00:00")


def test_a_column_of_dates_is_not_numbers():
    parsed = to_numbers(pd.Series(pd.date_range("2020-01-01", periods=2)), "when")
    assert_values(parsed, [np.nan, np.nan])
    assert (parsed.bad, parsed.example) == (2, "2020-01-01 00:00:00")


def test_an_object_column_of_strings_is_read_as_text():
    parsed = to_numbers(pd.Series(["1.234,5", "2"], dtype=object), "x")
    assert_values(parsed, [1234.5, 2.0])


# A million cells, read by vectorised string operations (bench/load.py times them)


def test_a_million_decimal_comma_cells_are_all_read():
    whole = np.random.default_rng(0).integers(0, 10**6, 1_000_000)
    cells = pd.Series([f"{number:,}".replace(",", ".") + ",56" for number in whole], dtype="str")
    assert cells[whole > 1000].str.fullmatch(r"\d{1,3}\.\d{3},56").all()
    parsed = to_numbers(cells, "x")
    assert parsed.bad == 0
    np.testing.assert_allclose(parsed.values.to_numpy(), whole + 0.56)


def test_a_categorical_column_is_read_by_its_labels():
    parsed = to_numbers(pd.Series(["1,5", "2", "1,5"], dtype="category"), "x")
    assert_values(parsed, [1.5, 2.0, 1.5])


# Plain cells read straight away, the rest with care: as if the whole column were read with care

MESSY_COLUMNS = {
    "plain-and-missing": ["1", "-2.5", "", "N/A", "3e2", " 4 ", "-"],
    "plain-and-money": ["10", "$5", "12%", "(3)", "1,234.5", "=A1", "inf", "7."],
    "plain-votes-tell-commas-are-thousands": ["1,234", "1.5", "2"],  # 1.5 reads only with points
    "plain-cells-lose-to-decimal-commas": ["1,5", "2,25", "3,5", "1.234", "7"],  # 1.234 = 1234
    "thousands-dots-are-no-votes": ["1.234", "5.678", "1,5"],
    "plain-and-typed-oddly": [".5", "+4", "007", "1E-2", "\u22125", "1 234,5", "١٢", "1e999"],
    "all-plain": ["1", "2.5", "-3", ".25", "1e3"],
    "nothing-plain": ["1,5", "N/A", "$3"],
}


@pytest.mark.parametrize("decimal", [None, ".", ","], ids=["detected", "point", "comma"])
@pytest.mark.parametrize("cells", MESSY_COLUMNS.values(), ids=MESSY_COLUMNS.keys())
def test_reading_plain_cells_straight_away_changes_no_value_note_or_count(cells, decimal):
    strings = pd.Series(cells, dtype="str", index=range(10, 10 + len(cells)))
    values, notes, bad = numbers._read_text(strings, "x", decimal)
    careful_values, careful_notes, careful_bad, _ = numbers._read_with_care(strings, "x", decimal)
    pd.testing.assert_series_equal(values, careful_values)
    assert notes == careful_notes
    np.testing.assert_array_equal(bad, careful_bad)


def test_random_mixes_of_plain_and_messy_cells_read_as_the_careful_reading_does():
    cells = ["1", "-3.5", "5.", "1.234", "1,234", "1,5", "1.234,5", "", "NA", " 7 ", "$5", "(3)"]
    rng = np.random.default_rng(0)
    for _ in range(300):
        strings = pd.Series(rng.choice(cells, size=rng.integers(1, 12)), dtype="str")
        for decimal in (None, ".", ","):
            fast = numbers._read_text(strings, "x", decimal)
            careful = numbers._read_with_care(strings, "x", decimal)
            pd.testing.assert_series_equal(fast[0], careful[0])
            assert fast[1] == careful[1], list(strings)
            np.testing.assert_array_equal(fast[2], careful[2])


def test_commas_in_a_column_of_mostly_plain_numbers_are_said_to_be_thousands():
    parsed = read(["1,234", "1.5", "2"])
    assert_values(parsed, [1234.0, 1.5, 2.0])
    assert parsed.notes == ["Column 'x': commas read as thousands separators (1,234.5 = 1234.5)."]


def test_plain_cells_are_read_differently_when_decimal_commas_win():
    parsed = read(["1,5", "2,25", "3,5", "1.234", "7"])
    assert_values(parsed, [1.5, 2.25, 3.5, 1234.0, 7.0])
    assert parsed.notes == ["Column 'x': decimal commas read (1.234,5 = 1234.5)."]
