"""Future values of the columns known ahead from a second file: its rows join the data's table
before the panel is read, and a row that would overwrite, invent or misplace a value is
refused with what to fix."""

import pandas as pd
import pytest

from data.errors import DataError
from data.future_rows import with_future_rows
from data.load import read_table
from data.panel import read_known, read_long

IDS = ["store"]


def sales(days: int = 30) -> pd.DataFrame:
    """Two stores' daily units and promotion, read as the app reads an upload (text cells)."""
    lines = ["date,store,promo,units"]
    for store in ("1", "2"):
        for day in pd.date_range("2024-01-01", periods=days, freq="D"):
            lines.append(f"{day:%Y-%m-%d},{store},{int(day.day % 7 == 0)},{10 + day.day % 5}")
    return read_table("\n".join(lines).encode(), "sales.csv")


def future(text: str) -> pd.DataFrame:
    return read_table(text.encode(), "plan.csv")


def merged(text: str, **given) -> tuple[pd.DataFrame, str]:
    settings = {"date_col": "date", "target": "units", "known": ["promo"], "name": "plan.csv"}
    return with_future_rows(sales(), future(text), IDS, **(settings | given))


PLAN = "date,store,promo\n" + "".join(
    f"2024-01-{day},{store},{day % 2}\n" for store in ("1", "2") for day in (31,)
) + "2024-02-01,1,1\n2024-02-01,2,0\n"  # fmt: skip


def test_future_rows_are_added_below_the_data_and_the_report_line_names_the_file():
    table, note = merged(PLAN)
    assert len(table) == 60 + 4
    added = table.iloc[60:]
    assert list(added["date"]) == ["2024-01-31", "2024-01-31", "2024-02-01", "2024-02-01"]
    assert added["units"].isna().all() and list(added["promo"]) == ["1", "1", "1", "0"]
    assert (
        note
        == "Added 4 rows of future values from 'plan.csv' for 2 series, 2024-01-31 to 2024-02-01."
    )


def test_the_merged_table_gives_the_known_column_past_the_target_s_end():
    table, _ = merged(PLAN)
    panel = read_long(table, IDS, "date", "units")
    known = read_known(table, IDS, panel, ["promo"])
    assert panel.series["1"].index[-1] == pd.Timestamp("2024-01-30")
    assert known["promo"].series["2"].index[-1] == pd.Timestamp("2024-02-01")
    assert known["promo"].series["2"].values[-1] == 0


def test_the_target_column_may_be_given_empty_and_the_date_column_detected():
    table, note = merged("date,store,promo,units\n2024-01-31,1,0,\n2024-01-31,2,1, \n",
                         date_col=None, target="units", name="")  # fmt: skip
    assert len(table) == 62 and "from the file of future values for 2 series" in note


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("date,promo\n2024-01-31,1\n", "has no column 'store'. It needs the columns 'store', "
         "'date', 'promo'"),
        ("date,store\n2024-01-31,1\n", "has no column 'promo'"),
        ("store,promo\n1,1\n", "has no column 'date'"),
        ("date,store,promo,units\n2024-01-31,1,0,\n2024-02-01,1,0,12\n",
         "gives a value to forecast ('units' = '12' at 2024-02-01 for store 1) in 1 row"),
        ("date,store,promo\n2024-01-29,1,0\n2024-01-30,2,1\n",
         "has a row for '1' at 2024-01-29, a date the data already has for '1'"),
        ("date,store,promo\n2024-01-31,2,0\n2024-01-31,2,1\n", "a date it gives twice for '2'"),
        ("date,store,promo\n2024-01-31,3,0\n", "has rows for '3': no series of the data"),
        ("date,store,promo\n2024-01-31,,0\n", "Row 1 below the header of the file of future "
         "values 'plan.csv' has no value in 'store'"),
    ],
    ids=["no id", "no known", "no date", "a target", "a date the data has", "twice",
         "an unknown series", "a blank id"],
)  # fmt: skip
def test_a_future_file_that_would_misplace_or_overwrite_a_value_is_refused(text, said):
    with pytest.raises(DataError) as refused:
        merged(text)
    assert said in str(refused.value)
    assert "plan.csv" in str(refused.value)


def test_dates_written_differently_are_still_matched_to_the_data_s():
    with pytest.raises(DataError, match="a date the data already has for '2'"):
        merged("date,store,promo\n2024-01-30T00:00:00,2,0\n")


def test_without_id_columns_the_rows_join_one_series():
    one = sales()[lambda table: table["store"] == "1"].drop(columns="store")
    table, note = with_future_rows(
        one, future("date,promo\n2024-01-31,1\n"), [], "date", "units", ["promo"]
    )
    assert len(table) == 31 and note.endswith("values from the file of future values, 2024-01-31.")
    with pytest.raises(DataError, match=r"at 2024-01-30, a date the data already has\. "):
        with_future_rows(one, future("date,promo\n2024-01-30,1\n"), [], "date", "units", ["promo"])


def test_a_future_table_without_rows_is_refused():
    empty = pd.DataFrame(columns=["date", "store", "promo"])
    with pytest.raises(DataError, match="has no rows below its header"):
        with_future_rows(sales(), empty, IDS, "date", "units", ["promo"])
