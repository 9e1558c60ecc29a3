"""data.panel: a long file with id columns, or a wide one, read as many series, each cleaned on
its own and said so; series that cannot be used left out with the reason; bad ids refused."""

import numpy as np
import pandas as pd
import pytest

from data.errors import DataError
from data.panel import MOST_SERIES, read_long, read_wide

DAYS = pd.date_range("2024-01-01", periods=40, freq="D")


def long_sales(stores=("1", "2"), products=("A", "B"), days=DAYS) -> pd.DataFrame:
    rows = []
    for s, store in enumerate(stores):
        for p, product in enumerate(products):
            for d, day in enumerate(days):
                rows.append({"date": day.strftime("%Y-%m-%d"), "store": store,
                             "product": product, "units": 10 * (s + 1) + p + d % 7})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_long_file_with_two_id_columns_is_one_series_per_combination():
    panel = read_long(long_sales(), ["store", "product"], "date", "units")
    assert panel.labels == ["1 / A", "1 / B", "2 / A", "2 / B"]
    assert panel.ids["2 / B"] == ("2", "B")
    assert panel.id_cols == ("store", "product")
    one = panel.series["2 / B"]
    assert len(one) == 40 and one.freq == "D"
    np.testing.assert_array_equal(one.values[:7], 21 + np.arange(7))
    assert "Read 4 series by 'store', 'product': 4 used, all 40 points each." in panel.report


def test_each_series_is_cleaned_on_its_own_and_the_panel_counts_each_step():
    table = long_sales()
    gap = table.index[(table["store"] == "1") & (table["product"] == "A")][5]
    table = table.drop(index=gap)
    panel = read_long(table, ["store", "product"], "date", "units")
    filled = [line for line in panel.series["1 / A"].report if "interpolat" in line.lower()]
    assert filled, list(panel.series["1 / A"].report)
    assert not [line for line in panel.series["2 / B"].report if "interpolat" in line.lower()]
    assert any(
        line.startswith("In 1 of 4 series:") and "nterpolat" in line for line in panel.report
    )
    assert panel.series["1 / A"].values[5] == pytest.approx((10 + 4 + 10 + 6) / 2)


def test_a_series_too_short_or_without_numbers_is_left_out_with_the_reason():
    table = long_sales(stores=("1", "2", "3"))
    short = (table["store"] == "2") & (table["product"] == "A") & (table.index % 40 >= 10)
    table = table[~short].astype({"units": object})
    table.loc[(table["store"] == "3") & (table["product"] == "B"), "units"] = "n/a"
    panel = read_long(table, ["store", "product"], "date", "units", min_length=20)
    assert "2 / A" not in panel.series and "3 / B" not in panel.series
    assert panel.left_out["2 / A"] == "10 points, fewer than the 20 needed"
    assert "number" in panel.left_out["3 / B"].lower()
    assert len(panel) == 4
    assert any(line.startswith("2 series left out: 2 / A (10 points") for line in panel.report)


def test_rows_without_an_id_are_left_out_and_said():
    table = long_sales()
    table.loc[3, "store"] = " "
    panel = read_long(table, ["store", "product"], "date", "units")
    assert "1 row without a value in 'store', 'product' left out." in panel.report
    assert len(panel.series["1 / A"]) == 40, "the missing day is filled, as for one series"


def test_an_id_column_with_a_value_per_row_is_refused_with_what_to_choose():
    table = long_sales()
    table["row"] = [f"r{n}" for n in range(len(table))]
    with pytest.raises(DataError, match="Each row has its own value of 'row'"):
        read_long(table, ["row"], "date", "units")


def test_a_missing_id_column_is_named():
    with pytest.raises(DataError, match="no column 'shop'"):
        read_long(long_sales(), ["shop"], "date", "units")


def test_a_panel_of_no_usable_series_says_why():
    table = long_sales()
    table["units"] = "none"
    with pytest.raises(DataError, match="No series can be used: 1 / A: "):
        read_long(table, ["store", "product"], "date", "units")


def test_more_series_than_a_panel_may_hold_are_refused_before_cleaning_any():
    count = MOST_SERIES + 1
    table = pd.DataFrame({"id": np.repeat(np.arange(count), 2), "t": np.tile([0, 1], count),
                          "y": 1.0})  # fmt: skip
    with pytest.raises(DataError, match=f"{count:,} combinations of 'id'"):
        read_long(table, ["id"], "t", "y")


def test_a_wide_file_is_one_series_per_column_with_the_date_detected():
    wide = pd.DataFrame({"month": DAYS.strftime("%Y-%m-%d"), "north": np.arange(40.0),
                         "south": 100 + np.arange(40.0)})  # fmt: skip
    panel = read_wide(wide)
    assert panel.labels == ["north", "south"] and panel.id_cols == ()
    assert panel.series["south"].values[0] == 100 and panel.series["south"].freq == "D"
    assert panel.series["north"].index.equals(panel.series["south"].index)
    assert read_wide(wide, columns=["south"]).labels == ["south"]
    with pytest.raises(DataError, match="no column 'east'"):
        read_wide(wide, columns=["east"])


def test_ids_whose_joined_names_collide_are_refused_not_merged():
    table = long_sales(stores=("x / y", "x"), products=("z", "y / z"))
    with pytest.raises(DataError, match="two series would have the same name"):
        read_long(table, ["store", "product"], "date", "units")
