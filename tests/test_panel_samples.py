"""The real panels shipped in data/samples/panels/: each reads with data.panel into the series
its file holds, each series from its first row's value to its last; the README names each."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from data.load import read_table
from data.panel import read_long, read_wide
from data.prepare import MIN_POINTS

ROOT = Path(__file__).resolve().parent.parent
PANELS = ROOT / "data" / "samples" / "panels"
STATSMODELS = ".venv-bench/lib/python*/site-packages/statsmodels/datasets"
LONG = {  # file -> (id column, date column, target)
    "grunfeld.csv": ("firm", "year", "invest"),
    "fertility.csv": ("country", "year", "fertility"),
}
WIDE = {"macrodata.csv": "date"}


def csv_rows(name: str) -> list[dict[str, str]]:
    with open(PANELS / name, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def by_id(rows: list[dict[str, str]], id_col: str) -> dict[str, list[dict[str, str]]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row[id_col], []).append(row)
    return groups


def statsmodels_rows(dataset: str) -> list[dict[str, str]]:
    """The rows of statsmodels' copy of `dataset`, in .venv-bench; the test is skipped without."""
    found = sorted(ROOT.glob(f"{STATSMODELS}/{dataset}/{dataset}.csv"))
    if not found:
        pytest.skip("statsmodels is not installed in .venv-bench")
    with open(found[0], newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize("name", sorted(LONG))
def test_each_long_sample_panel_reads_as_one_series_per_id_first_to_last_row(name):
    id_col, date_col, target = LONG[name]
    groups = by_id(csv_rows(name), id_col)
    panel = read_long(read_table(PANELS / name), [id_col], date_col, target)
    assert set(panel.series) | set(panel.left_out) == set(groups)
    assert not set(panel.series) & set(panel.left_out)
    for label, one in panel.series.items():
        rows = groups[label]
        assert one.values[0] == pytest.approx(float(rows[0][target]), rel=1e-12)
        assert one.values[-1] == pytest.approx(float(rows[-1][target]), rel=1e-12)
        assert one.index[0].year == int(rows[0][date_col])
        assert one.index[-1].year == int(rows[-1][date_col])
    for label, rows in groups.items():
        years = [int(row[date_col]) for row in rows]
        if len(rows) >= MIN_POINTS and years == list(range(years[0], years[-1] + 1)):
            assert label in panel.series, panel.left_out.get(label)
            assert len(panel.series[label]) == len(rows)
    assert all(why for why in panel.left_out.values())


def test_every_grunfeld_firm_is_a_series_of_the_sample_panel():
    groups = by_id(csv_rows("grunfeld.csv"), "firm")
    panel = read_long(read_table(PANELS / "grunfeld.csv"), ["firm"], "year", "invest")
    assert panel.labels == list(groups) and not panel.left_out


def test_the_fertility_sample_is_the_statsmodels_tables_non_empty_cells_unchanged():
    wide = statsmodels_rows("fertility")
    cells = [(row["Country Code"], year, row[year]) for row in wide for year in row
             if year.isdigit() and row[year].strip()]  # fmt: skip
    shipped = [(row["country"], row["year"], row["fertility"]) for row in csv_rows("fertility.csv")]
    assert shipped == cells


def test_the_macrodata_sample_is_the_statsmodels_quarters_and_levels_unchanged():
    source, shipped = statsmodels_rows("macrodata"), csv_rows("macrodata.csv")
    levels = [column for column in shipped[0] if column != "date"]
    assert set(source[0]) - set(levels) == {"year", "quarter", "infl", "realint"}
    assert [row["date"] for row in shipped] == [
        f"{row['year']}-{3 * int(row['quarter']) - 2:02d}-01" for row in source
    ]
    assert [[row[c] for c in levels] for row in shipped] == [
        [row[c] for c in levels] for row in source
    ]


@pytest.mark.parametrize("name", sorted(WIDE))
def test_each_wide_sample_panel_reads_as_one_series_per_column_first_to_last_row(name):
    date_col = WIDE[name]
    rows = csv_rows(name)
    columns = [column for column in rows[0] if column != date_col]
    panel = read_wide(read_table(PANELS / name), None, date_col)
    assert panel.labels == columns and not panel.left_out
    for column in columns:
        one = panel.series[column]
        assert len(one) == len(rows)
        assert one.values[0] == pytest.approx(float(rows[0][column]), rel=1e-12)
        assert one.values[-1] == pytest.approx(float(rows[-1][column]), rel=1e-12)
        assert one.index[0] == pd.Timestamp(rows[0][date_col])
        assert one.index[-1] == pd.Timestamp(rows[-1][date_col])
        assert (one.values > 0).all()


def test_the_sample_panels_readme_names_every_shipped_panel_file():
    readme = (PANELS / "README.md").read_text(encoding="utf-8")
    shipped = sorted(path.name for path in PANELS.glob("*.csv"))
    assert shipped == sorted([*LONG, *WIDE])
    for name in shipped:
        assert f"`{name}`" in readme, name
