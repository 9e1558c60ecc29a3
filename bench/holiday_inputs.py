"""Holiday inputs (issue 19): does the network forecast holiday weeks better when it reads them?

A synthetic weekly panel (`--series` stores x `--years` years from 2018, weeks starting on
Monday): a level per store, a yearly wave, noise, and sales `--lift` times the level higher in
every week holding a U.S. public holiday. One network is trained on the panel twice with the
same settings and seed: without extra inputs, and with the calendar and the U.S. holidays
(data/calendar.py). Both are scored on every test window (the last 15% of each store's weeks):
MASE over the holiday weeks among the forecast steps, over the other weeks, and over all.

Usage: .venv/bin/python bench/holiday_inputs.py [--series 20] [--years 6] [--lift 0.6]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.calendar import holiday_frame, with_calendar  # noqa: E402
from data.panel import Panel  # noqa: E402
from data.prepare import prepare  # noqa: E402
from data.series import CleaningReport  # noqa: E402
from data.windows import target_starts  # noqa: E402
from forecasting.config import auto_config  # noqa: E402
from forecasting.evaluate import mase_scale  # noqa: E402
from forecasting.panel_train import fit_panel  # noqa: E402
from forecasting.predict import actuals_from, forecast_from  # noqa: E402
from forecasting.train import model_inputs  # noqa: E402

HORIZON, COUNTRY, SEASON = 14, "US", 7


def made_panel(stores: int, years: int, lift: float) -> Panel:
    days = pd.date_range("2018-01-01", periods=365 * years, freq="D")
    holidays = holiday_frame(days, "D", 1, COUNTRY)[0].iloc[:, 0].shift(1).fillna(0).to_numpy()
    weekly = np.where(days.day_of_week >= 5, 0.7, 1.0)
    rng = np.random.default_rng(0)
    series = {}
    for store in range(stores):
        level = 50 + 20 * store
        wave = 0.2 * level * np.sin(2 * np.pi * (np.arange(len(days)) / 365.25 + store / stores))
        values = level * weekly + wave + lift * level * (holidays > 0)
        values += 0.05 * level * rng.standard_normal(len(days))
        table = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "sales": values})
        series[f"store {store}"] = prepare(table, "day", "sales")
    return Panel(series, ("store",), {k: (k,) for k in series}, {}, CleaningReport())


def scores(panel: Panel, inputs: bool, epochs: int) -> tuple[dict[str, float], float]:
    first = next(iter(panel.series.values()))
    given = {"horizon": HORIZON, "test_share": 0.15, "epochs": epochs, "seed": 3}
    config = auto_config(len(first), season_length=SEASON, **given)
    if inputs:
        made = {k: with_calendar(one, HORIZON, True, COUNTRY) for k, one in panel.series.items()}
        names = next(iter(made.values()))[1]
        panel = Panel({k: one for k, (one, _) in made.items()}, panel.id_cols, panel.ids, {},
                      CleaningReport())  # fmt: skip
        config = auto_config(len(first), season_length=SEASON, covariates=names, **given)
    started = time.perf_counter()
    trained = fit_panel(panel, config)
    seconds = time.perf_counter() - started
    errors = {"holidays": [], "other days": [], "all days": []}
    for label, run in trained.members.items():
        one = panel.series[label]
        starts = target_starts(run.split(one.values), config.window, HORIZON, "test")
        actual = actuals_from(one.values, starts, HORIZON)
        forecast = forecast_from(run, model_inputs(one, config), starts)
        scale = mase_scale(one.values[: run.train_end], SEASON)
        holiday = holiday_frame(one.index, one.freq, 1, COUNTRY)[0].iloc[:, 0].shift(1).fillna(0)
        marked = holiday.to_numpy()[starts[:, None] + np.arange(HORIZON)] > 0
        scaled = np.abs(actual - forecast) / scale
        errors["holidays"].append(scaled[marked])
        errors["other days"].append(scaled[~marked])
        errors["all days"].append(scaled.ravel())
    return {name: float(np.mean(np.concatenate(parts))) for name, parts in errors.items()}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--lift", type=float, default=0.6)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    panel = made_panel(args.series, args.years, args.lift)
    without, plain_s = scores(panel, False, args.epochs)
    with_inputs, inputs_s = scores(panel, True, args.epochs)
    print(f"{args.series} stores x {365 * args.years} days, holiday lift {args.lift}, horizon "
          f"{HORIZON}, {COUNTRY} holidays\n")  # fmt: skip
    print("| MASE on | without inputs | with calendar and holidays | change |")
    print("|---|---|---|---|")
    for name in without:
        change = with_inputs[name] / without[name] - 1
        print(f"| {name} | {without[name]:.3f} | {with_inputs[name]:.3f} | {change:+.0%} |")
    print(f"| fit seconds | {plain_s:.1f} | {inputs_s:.1f} | |")


if __name__ == "__main__":
    main()
