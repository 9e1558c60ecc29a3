"""The command line on a long file of many series: `--group-col store,product` forecasts every
series with one network; `--group` or `--aggregate` keeps one series, as before."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SAMPLES
from tests.test_cli import FAST, run_cli

DAYS = pd.date_range("2024-01-01", periods=100, freq="D")


@pytest.fixture(scope="module")
def sales(tmp_path_factory):
    rows, noise = [], np.random.default_rng(3)
    for store in ("1", "2"):
        for product in ("A", "B", "C"):
            days = DAYS[:12] if (store, product) == ("2", "C") else DAYS  # too short: left out
            for step, day in enumerate(days):
                units = 10 * int(store) + 3 * np.sin(2 * np.pi * step / 7) + ord(product) % 5
                units += noise.normal(0, 0.3)
                rows.append({"date": day.strftime("%Y-%m-%d"), "store": store,
                             "product": product, "units": round(units, 3)})  # fmt: skip
    path = tmp_path_factory.mktemp("panel") / "sales.csv"
    pd.DataFrame(rows).rename_axis("row").reset_index().to_csv(path, index=False)
    return path


def test_group_cols_without_a_group_forecast_every_series_with_one_network(capsys, sales, tmp_path):
    panel = ["--target", "units", "--group-col", "store,product", "--horizon", "5"]
    code, out, err = run_cli(capsys, "forecast", sales, *panel, "--out", tmp_path, *FAST)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["series"] == 5 and summary["horizon"] == 5
    frame = pd.read_csv(tmp_path / "forecast.csv", dtype={"store": str, "product": str})
    assert list(frame.columns[:5]) == ["store", "product", "timestamp", "forecast", "lower"]
    assert len(frame) == 5 * 5
    first = frame[(frame["store"] == "1") & (frame["product"] == "A")]
    assert list(first["timestamp"]) == [day.strftime("%Y-%m-%d") for day in
                                        pd.date_range("2024-04-10", periods=5)]  # fmt: skip
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics["series"]) == {"1 / A", "1 / B", "1 / C", "2 / A", "2 / B"}
    assert metrics["series"]["2 / B"]["ids"] == {"store": "2", "product": "B"}
    assert "fewer than" in metrics["left_out"]["2 / C"]
    mases = [entry["metrics"]["model"]["MASE"] for entry in metrics["series"].values()]
    geometric = math.exp(sum(map(math.log, mases)) / len(mases))
    assert metrics["aggregate"]["geometric_mean_mase"]["model"] == pytest.approx(geometric)
    assert summary["geometric_mean_mase"] == pytest.approx(geometric)
    assert "seasonal_naive" in metrics["aggregate"]["total_absolute_error"]
    assert metrics["series"]["1 / A"]["verdict"]["baseline"]


def test_a_group_or_an_aggregate_keeps_one_series(capsys, sales, tmp_path):
    for extra in (["--group", "2"], ["--aggregate", "sum"]):
        out = tmp_path / extra[0].strip("-")
        code, _, err = run_cli(capsys, "forecast", sales, "--target", "units", "--group-col",
                               "store", *extra, "--horizon", "5", "--out", out, *FAST)  # fmt: skip
        assert code == 0, err
        frame = pd.read_csv(out / "forecast.csv")
        assert list(frame.columns[:2]) == ["timestamp", "forecast"] and len(frame) == 5


def test_inspect_describes_the_panel(capsys, sales):
    code, out, _ = run_cli(capsys, "inspect", sales, "--target", "units", "--group-col",
                           "store,product")  # fmt: skip
    assert code == 0
    described = json.loads(out)
    assert described["series"] == 6 and described["id_cols"] == ["store", "product"]
    assert described["labels"][:2] == ["1 / A", "1 / B"]
    assert described["lengths"] == {"min": 12, "max": 100}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["forecast", "--group-col", "store,product", "--group", "1"], "take one --group-col"),
        (["forecast", "--aggregate", "sum"], "--aggregate needs --group-col"),
        (["forecast", "--group-col", "row"], "Each row has its own value of 'row'"),
        (["forecast", "--group-col", "store", "--backtest", "2"], "--backtest works on one"),
    ],
)
def test_a_panel_asked_wrongly_exits_2_with_one_line(capsys, sales, tmp_path, extra, message):
    command, *rest = extra
    code, _, err = run_cli(capsys, command, sales, "--target", "units", *rest,
                           "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 2
    assert message in err and err.count("\n") == 1, err


def test_tune_refuses_a_panel_in_one_line(capsys, sales):
    code, _, err = run_cli(capsys, "tune", sales, "--target", "units", "--group-col", "store")
    assert code == 2 and "tune searches one series" in err and err.count("\n") == 1


def test_calendar_and_holiday_inputs_are_named_in_the_run_s_settings(capsys, sales, tmp_path):
    code, _, err = run_cli(capsys, "forecast", sales, "--target", "units", "--group-col",
                           "store,product", "--horizon", "5", "--calendar", "--holidays", "US",
                           "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 0, err
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    inputs = metrics["config"]["covariates"]
    assert inputs[:2] == ["calendar:day_of_week_sin", "calendar:day_of_week_cos"]
    assert inputs[-5:] == [f"holidays:US+{step}" for step in range(1, 6)]
    assert any("Added holiday inputs for US" in line for line in metrics["report"])


def test_an_unknown_holiday_country_exits_2_naming_it(capsys, tmp_path):
    code, _, err = run_cli(capsys, "forecast", SAMPLES / "airline.csv", "--holidays", "XX",
                           "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 2 and "No holidays are known for 'XX'" in err


@pytest.fixture(scope="module")
def promoted(tmp_path_factory):
    """Two stores' daily units with a promotion column that runs 5 days past the units."""
    rows, noise = [], np.random.default_rng(4)
    for store in ("1", "2"):
        for step, day in enumerate(pd.date_range("2024-01-01", periods=85, freq="D")):
            promo = int(step % 9 == 0)
            units = 20 + 6 * promo + noise.normal(0, 0.5) if step < 80 else None
            rows.append({"date": day.strftime("%Y-%m-%d"), "store": store, "promo": promo,
                         "units": units})  # fmt: skip
    path = tmp_path_factory.mktemp("promo") / "promoted.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_known_ahead_column_is_read_for_the_forecast_steps(capsys, promoted, tmp_path):
    for extra, out in ((["--group-col", "store", "--group", "1"], "one"),
                       (["--group-col", "store"], "panel")):  # fmt: skip
        code, _, err = run_cli(capsys, "forecast", promoted, "--target", "units", *extra,
                               "--known-ahead", "promo", "--no-calendar", "--horizon", "5",
                               "--out", tmp_path / out, *FAST)  # fmt: skip
        assert code == 0, err
        metrics = json.loads((tmp_path / out / "metrics.json").read_text())
        assert metrics["config"]["covariates"] == [f"promo+{step}" for step in range(6)]
        frame = pd.read_csv(tmp_path / out / "forecast.csv")
        assert frame["timestamp"].iloc[0] == "2024-03-21", "the day after the last units"


def test_known_ahead_values_missing_for_the_forecast_steps_exit_2_with_the_dates(
    capsys, promoted, tmp_path
):
    code, _, err = run_cli(capsys, "forecast", promoted, "--target", "units", "--group-col",
                           "store", "--group", "2", "--known-ahead", "promo", "--horizon", "7",
                           "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 2
    assert "'promo' has no value for 2024-03-26, 2024-03-27." in err and err.count("\n") == 1


def test_a_blank_planned_value_is_refused_not_made_up(capsys, promoted, tmp_path):
    table = pd.read_csv(promoted)
    table.loc[(table["store"] == 1) & (table["date"] == "2024-03-22"), "promo"] = None
    path = tmp_path / "blank.csv"
    table.to_csv(path, index=False)
    code, _, err = run_cli(capsys, "forecast", path, "--target", "units", "--group-col", "store",
                           "--group", "1", "--known-ahead", "promo", "--horizon", "5", "--out",
                           tmp_path, *FAST)  # fmt: skip
    assert code == 2
    assert "The known-ahead column 'promo': The series has gaps" in err and "2024-03-22" in err


def test_a_wide_file_forecasts_every_column_with_one_network(capsys, tmp_path):
    days = pd.date_range("2024-01-01", periods=90, freq="D")
    wave = np.sin(2 * np.pi * np.arange(90) / 7) + np.random.default_rng(5).normal(0, 0.2, 90)
    wide = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "north": 10 + wave,
                         "south": 50 + 3 * wave, "note": "x"})  # fmt: skip
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    code, out, err = run_cli(capsys, "forecast", path, "--wide", "--horizon", "4", "--out",
                             tmp_path / "out", *FAST)  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["series"] == 2
    frame = pd.read_csv(tmp_path / "out" / "forecast.csv")
    assert list(frame.columns[:3]) == ["series", "timestamp", "forecast"]
    assert list(frame["series"].unique()) == ["north", "south"] and len(frame) == 8
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert "number" in metrics["left_out"]["note"].lower()


def test_a_daily_panel_reads_the_calendar_unless_told_not_to(capsys, sales, tmp_path):
    panel = ["--target", "units", "--group-col", "store,product", "--horizon", "5"]
    inputs = {}
    for flag in ("", "--no-calendar"):
        out = tmp_path / (flag or "default")
        code, _, err = run_cli(capsys, "forecast", sales, *panel, *([flag] if flag else []),
                               "--out", out, *FAST)  # fmt: skip
        assert code == 0, err
        inputs[flag] = json.loads((out / "metrics.json").read_text())["config"]["covariates"]
    assert "calendar:day_of_week_sin" in inputs[""]
    assert inputs["--no-calendar"] == []
    one_series = ["--target", "units", "--group-col", "store", "--group", "1", "--horizon", "5"]
    code, _, err = run_cli(capsys, "forecast", sales, *one_series, "--out", tmp_path / "one", *FAST)
    assert code == 0, err
    one = json.loads((tmp_path / "one" / "metrics.json").read_text())
    assert one["config"]["covariates"] == [], "one series: off unless asked"


@pytest.fixture(scope="module")
def planned_apart(promoted, tmp_path_factory):
    """The `promoted` file split in two: the rows with units, and a second file of the 5 days
    of promotions past them (no units column)."""
    table = pd.read_csv(promoted)
    folder = tmp_path_factory.mktemp("apart")
    table[table["units"].notna()].to_csv(folder / "sales.csv", index=False)
    plan = table[table["units"].isna()].drop(columns="units")
    plan.to_csv(folder / "plan.csv", index=False)
    return folder / "sales.csv", folder / "plan.csv", plan


def test_future_values_from_a_second_file_forecast_every_series(capsys, planned_apart, tmp_path):
    sales, plan, _ = planned_apart
    code, _, err = run_cli(capsys, "forecast", sales, "--target", "units", "--group-col", "store",
                           "--known-ahead", "promo", "--future", plan, "--no-calendar",
                           "--horizon", "5", "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 0, err
    frame = pd.read_csv(tmp_path / "forecast.csv", dtype={"store": str})
    assert frame.groupby("store").size().to_dict() == {"1": 5, "2": 5}
    assert frame["timestamp"].iloc[0] == "2024-03-21", "the day after the last units"
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["config"]["covariates"] == [f"promo+{step}" for step in range(6)]
    added = "Added 10 rows of future values from 'plan.csv' for 2 series, 2024-03-21 to 2024-03-25."
    assert added in metrics["report"]


@pytest.mark.parametrize(
    ("change", "flags", "message"),
    [
        (lambda plan: plan.drop(columns="store"), [], "'plan.csv' has no column 'store'"),
        (lambda plan: pd.concat([plan.assign(date="2024-03-20").head(1), plan]), [],
         "has a row for '1' at 2024-03-20, a date the data already has for '1'"),
        (lambda plan: plan.assign(units=7.0), [], "gives a value to forecast ('units' = '7.0'"),
        (lambda plan: plan, ["--known-ahead", ""], "--future gives the future values of columns "
         "known ahead: name them with --known-ahead"),
    ],
    ids=["no id column", "a date the data has", "a value to forecast", "no known-ahead"],
)  # fmt: skip
def test_a_future_file_that_does_not_fit_exits_2_with_one_line(
    capsys, planned_apart, tmp_path, change, flags, message
):
    sales, _, plan = planned_apart
    change(plan).to_csv(tmp_path / "plan.csv", index=False)
    code, _, err = run_cli(capsys, "forecast", sales, "--target", "units", "--group-col", "store",
                           "--known-ahead", "promo", "--future", tmp_path / "plan.csv", *flags,
                           "--out", tmp_path, *FAST)  # fmt: skip
    assert code == 2
    assert message in err and err.count("\n") == 1, err
