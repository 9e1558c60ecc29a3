"""A panel forecast end to end: one network fitted on every series, each series forecast and
scored, written as forecast.csv (id columns first) and metrics.json (per series and overall)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from data.calendar import Ahead, with_ahead
from data.errors import DataError
from data.export import json_value, safe_csv
from data.panel import Panel
from data.series import CleaningReport, Series
from forecasting.config import TrainConfig, auto_config, sampled_when_long, training_windows
from forecasting.panel_train import PanelRun, PanelScores, fit_panel, score_panel
from forecasting.predict import future

PART = {True: "test", False: "val"}
NOTHING_AHEAD = Ahead()


def panel_config(panel: Panel, given: dict[str, Any]) -> TrainConfig:
    """The automatic settings for a series of the panel's median length, with the ones
    `given` (a few short series do not shrink every series' window); epochs are sampled when
    the whole panel has more training windows than one series would be sampled at."""
    middle = median_series(panel)
    config = auto_config(len(middle), **{"season_length": middle.season_length, **given})
    return sampled_for_panel(panel, config, given)


def median_series(panel: Panel) -> Series:
    """The series of the panel's median length, which the automatic settings are made for."""
    ordered = sorted(panel.series.values(), key=len)
    return ordered[len(ordered) // 2]


def sampled_for_panel(
    panel: Panel, config: TrainConfig, given: dict[str, Any] | None = None
) -> TrainConfig:
    """`config` with its epochs sampled when the whole panel has many training windows."""
    windows = sum(training_windows(len(one), config) for one in panel.series.values())
    return sampled_when_long(config, windows, given)


def with_ahead_panel(
    panel: Panel, horizon: int, ahead: Ahead, known: dict[str, Panel]
) -> tuple[Panel, tuple[str, ...]]:
    """Every series with the same inputs known in advance, and their names."""
    made = {}
    for label, one in panel.series.items():
        lacking = [name for name, column in known.items() if label not in column.series]
        if lacking:
            raise DataError(
                f"The known-ahead column '{lacking[0]}' has no usable values for series "
                f"{label}: give them in the file, or leave the column out."
            )
        columns = {name: column.series[label] for name, column in known.items()}
        made[label] = with_ahead(one, horizon, ahead, columns)
    first, names = next(iter(made.values()))
    report = CleaningReport(list(panel.report))
    for line in first.report.lines[len(next(iter(panel.series.values())).report.lines) :]:
        report.add(f"In every series: {line}")
    series = {label: one for label, (one, _) in made.items()}
    return replace(panel, series=series, report=report), names


def forecast_frame(trained: PanelRun, panel: Panel, levels: Sequence[float]) -> pd.DataFrame:
    """Every series' forecast after its end: the id columns, then timestamp, forecast, bounds."""
    names = panel.id_cols or ("series",)
    frames = []
    for label, member in trained.members.items():
        frame = future(member, panel.series[label], levels).to_frame()
        for position, (name, value) in enumerate(zip(names, panel.ids[label], strict=True)):
            frame.insert(position, name, value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def panel_report(trained: PanelRun, panel: Panel, scores: PanelScores) -> dict[str, Any]:
    """metrics.json's panel part: each series' scores and verdict, and the panel's aggregate."""
    names = panel.id_cols or ("series",)
    per_series = {
        label: {
            "ids": dict(zip(names, panel.ids[label], strict=True)),
            "points": len(panel.series[label]),
            "metrics": evaluation.table,
            "verdict": scores.verdicts[label].to_dict(),
        }
        for label, evaluation in scores.series.items()
    }
    return {
        "series": per_series,
        "aggregate": {
            "series_scored": len(scores.series),
            "geometric_mean_mase": scores.geometric_mase,
            "total_absolute_error": scores.total_error,
        },
        "left_out": {**panel.left_out, **trained.left_out},
        "unscored": scores.unscored,
        "report": list(panel.report),
    }


def forecast_panel(
    panel: Panel,
    given: dict[str, Any],
    levels: Sequence[float],
    out: Path,
    ahead: Ahead = NOTHING_AHEAD,
    known: dict[str, Panel] | None = None,
) -> dict[str, Any]:
    """Fit, forecast and score the panel, with the inputs known `ahead` asked for (`known`:
    its columns, each read as a panel); write forecast.csv and metrics.json to `out`."""
    config = panel_config(panel, given)
    if ahead:
        panel, names = with_ahead_panel(panel, config.horizon, ahead, known or {})
        config = panel_config(panel, {**given, "covariates": names})
    trained = fit_panel(panel, config)
    scores = score_panel(trained, panel, PART[config.test_share > 0])
    out.mkdir(parents=True, exist_ok=True)
    (out / "forecast.csv").write_text(safe_csv(forecast_frame(trained, panel, levels)))
    report = {
        **panel_report(trained, panel, scores),
        "part": next(iter(scores.series.values())).part,
        "interval_levels": sorted(levels),
        "best_epoch": trained.run.best_epoch,
        "stop_reason": trained.run.stop_reason,
        "fit_seconds": round(trained.run.seconds, 3),
        "device": trained.run.device,
        "config": trained.run.config.to_dict(),
    }
    (out / "metrics.json").write_text(json.dumps(report, indent=2, default=json_value))
    return {
        "out": str(out),
        "series": len(trained.members),
        "horizon": config.horizon,
        "model": config.cell,
        "geometric_mean_mase": scores.geometric_mase["model"],
        "part": report["part"],
    }
