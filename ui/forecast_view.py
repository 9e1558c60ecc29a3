"""The Forecast page's sections: what to draw, the verdict, the metrics, downloads, a checkpoint."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.errors import DataError
from data.export import safe_csv
from forecasting.limits import MIB, server_limits
from forecasting.persist import apply_to, open_run, run_to_bytes
from forecasting.predict import DEFAULT_LEVELS, check_levels, level_name
from forecasting.summary import RunSummary, summarize
from forecasting.verdict import BETTER, ON_PAR, PAR, WORSE
from models.checkpoint import CheckpointError
from ui import charts, diagnostics, state
from ui.state import text
from ui.text import plain

LEVEL_CHOICES = [0.5, 0.8, 0.9, 0.95, 0.99]
BASELINE_KEYS = ["seasonal_naive", "drift", "naive"]
VERDICT_LINES = {
    BETTER: ("better", st.success),
    PAR: ("par", st.info),
    WORSE: ("worse", st.warning),
}


def part_label(part: str) -> str:
    return text("forecast.part.test" if part == "test" else "forecast.part.val")


def pick_levels(where: DeltaGenerator) -> tuple[float, ...]:
    """The interval levels to draw; the default ones when none is chosen (and said)."""
    picked = where.multiselect(
        text("forecast.levels"),
        LEVEL_CHOICES,
        default=list(DEFAULT_LEVELS),
        format_func=lambda v: f"{level_name(v)}%",
        help=text("forecast.levels_help"),
        key="forecast-levels",
    )
    if picked:
        return check_levels(picked)
    defaults = ", ".join(f"{level_name(level)}%" for level in DEFAULT_LEVELS)
    where.caption(text("forecast.levels_none", levels=defaults))
    return DEFAULT_LEVELS


def pick_baselines(where: DeltaGenerator) -> list[str]:
    return where.multiselect(
        text("forecast.baselines"),
        BASELINE_KEYS,
        default=BASELINE_KEYS[:2],
        format_func=lambda k: text(f"baseline.{k}"),
        key="forecast-baselines",
    )


def at_levels(summary: RunSummary, levels: tuple[float, ...]) -> RunSummary:
    """The run with its forecast at `levels` (itself when those are the levels it has)."""
    if levels == summary.forecast.levels:
        return summary
    return RunSummary(**{**vars(summary), "forecast": summary.forecast.at_levels(levels)})


def pick_others(summary: RunSummary, chosen: int) -> list[RunSummary]:
    """Other runs on the same data to draw beside the chosen one (the last three at first)."""
    fingerprint = summary.series.fingerprint()
    same_data = [
        stored
        for stored in state.runs()
        if stored.id != chosen and not stored.error and stored.fingerprint == fingerprint
    ]
    if not same_data:
        return []
    beside = st.multiselect(
        text("forecast.others"),
        range(len(same_data)),
        format_func=lambda i: same_data[i].name,
        default=list(range(len(same_data)))[-3:],
        key=f"forecast-others-{chosen}",
    )
    return state.summaries([same_data[i] for i in beside][: len(charts.OTHER_RUNS)])


def blend_line(summary: RunSummary) -> None:
    """Says so when a baseline beat the network on the validation part and the forecast blends
    the two (forecasting/guard.py), as the CLI and metrics.json do."""
    blend = summary.run.blend
    if blend is None:
        return
    cell = summary.run.config.cell.upper()
    st.info(text("forecast.blend", model=cell, baseline=text(f"baseline.{blend.baseline}"),
                 share=blend.weight, rest=1 - blend.weight, alone=blend.model_error,
                 blended=blend.blended_error))  # fmt: skip


def verdict_line(summary: RunSummary) -> None:
    """The run's verdict (forecasting/verdict.py), the one the CLI and metrics.json give."""
    blend_line(summary)
    result = summary.verdict
    if result.outcome is None:
        st.info(text("forecast.verdict.none"))
        return
    key, show = VERDICT_LINES[result.outcome]
    line = text(
        f"forecast.verdict.{key}",
        model=summary.run.config.cell.upper(),
        baseline=text(f"baseline.{result.baseline}"),
        pct=abs(result.improvement),
        part=part_label(result.part),
        metric=result.metric,
        band=ON_PAR,
    )
    show(line)


def metrics_table(summary: RunSummary) -> None:
    evaluation = summary.evaluation
    part = part_label(evaluation.part)
    st.subheader(text("forecast.metrics", part=part, windows=evaluation.windows))
    diagnostics.metrics_dataframe(evaluation.table, summary.name)
    for note in evaluation.notes:
        st.caption(note)


def downloads(summary: RunSummary, forecast_frame: pd.DataFrame) -> None:
    st.subheader(text("forecast.downloads"))
    stem = summary.name.replace(" ", "").replace("#", "-").lower()
    first, second, third = st.columns(3)
    first.download_button(
        text("forecast.download_csv"),
        safe_csv(forecast_frame),
        f"{stem}-forecast.csv",
        "text/csv",
        key="download-csv",
    )
    second.download_button(
        text("forecast.download_model"),
        run_to_bytes(summary.run),
        f"{stem}.pt",
        "application/octet-stream",
        key="download-model",
    )
    third.download_button(
        text("forecast.download_config"),
        json.dumps(summary.run.config.to_dict(), indent=2),
        f"{stem}-config.json",
        "application/json",
        key="download-config",
    )


def apply_checkpoint() -> None:
    with st.expander(text("forecast.apply")):
        upload = st.file_uploader(
            text("forecast.apply_upload"),
            type=["pt"],
            key="apply-upload",
            max_upload_size=-(-server_limits().checkpoint_bytes // MIB),  # MB, for the browser
        )
        series, dataset = state.get_series(), state.get_dataset()
        if upload is None or series is None or not state.first_time(upload.file_id):
            return
        limits = server_limits()
        try:
            opened = open_run(upload.getvalue(), limits.checkpoint_bytes, limits)
            run = apply_to(opened.run, series)
        except (CheckpointError, DataError) as err:
            state.set_notice("error", plain(err))
        else:
            name = f"{upload.name} \u2192 {dataset.name}"
            if not state.add_run(summarize(run, series, name, dataset.name)):
                st.rerun()
            applied = text("forecast.applied", name=plain(upload.name), data=plain(dataset.name))
            if opened.notes:  # what changed to run it here, e.g. a CUDA model on a CPU server
                state.set_notice("info", " ".join([applied, *map(plain, opened.notes)]))
            else:
                state.set_notice("success", applied)
        st.rerun()
