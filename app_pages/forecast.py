"""Forecast page: predictions over the data, the future with its bands, metrics, downloads."""

import json

import pandas as pd
import streamlit as st

from data.errors import DataError
from data.export import safe_csv
from forecasting.limits import server_limits
from forecasting.persist import apply_to, open_run, run_to_bytes
from forecasting.predict import DEFAULT_LEVELS, check_levels, level_name
from forecasting.summary import RunSummary, summarize, verdict
from models.checkpoint import CheckpointError
from ui import charts, diagnostics, share, state, widgets
from ui.show import plot
from ui.state import text
from ui.text import plain

LEVEL_CHOICES = [0.5, 0.8, 0.9, 0.95, 0.99]
ON_PAR = 0.01  # a difference in error below this share is no win and no loss
BASELINE_KEYS = ["seasonal_naive", "drift", "naive"]


def part_label(part: str) -> str:
    return text("forecast.part.test" if part == "test" else "forecast.part.val")


def verdict_line(summary: RunSummary) -> None:
    result = verdict(summary)
    if result.improvement is None:
        st.info(text("forecast.verdict.none"))
        return
    better = result.improvement > 0
    outcome = "par" if abs(result.improvement) < ON_PAR else "better" if better else "worse"
    line = text(
        f"forecast.verdict.{outcome}",
        model=result.model,
        baseline=text(f"baseline.{result.baseline}"),
        pct=abs(result.improvement),
        part=part_label(result.part),
        metric=result.metric,
    )
    {"better": st.success, "par": st.info, "worse": st.warning}[outcome](line)


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
        upload = st.file_uploader(text("forecast.apply_upload"), type=["pt"], key="apply-upload")
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
            state.add_run(summarize(run, series, name, dataset.name))
            applied = text("forecast.applied", name=plain(upload.name), data=plain(dataset.name))
            if opened.notes:  # what changed to run it here, e.g. a CUDA model on a CPU server
                state.set_notice("info", " ".join([applied, *map(plain, opened.notes)]))
            else:
                state.set_notice("success", applied)
        st.rerun()


summary = state.require_run()
st.title(text("forecast.title"))
state.show_notice()
history = state.runs()
names = [run.name for run in history]
left, middle, right = st.columns([2, 2, 3])
chosen, summary = widgets.run_picker(left, text("forecast.run"), "forecast-run")
picked = middle.multiselect(
    text("forecast.levels"),
    LEVEL_CHOICES,
    default=list(DEFAULT_LEVELS),
    format_func=lambda v: f"{level_name(v)}%",
    help=text("forecast.levels_help"),
    key="forecast-levels",
)
levels = check_levels(picked) if picked else DEFAULT_LEVELS
if not picked:
    defaults = ", ".join(f"{level_name(level)}%" for level in DEFAULT_LEVELS)
    middle.caption(text("forecast.levels_none", levels=defaults))
shown = right.multiselect(
    text("forecast.baselines"),
    BASELINE_KEYS,
    default=BASELINE_KEYS[:2],
    format_func=lambda k: text(f"baseline.{k}"),
    key="forecast-baselines",
)
ahead = (
    summary.forecast if levels == summary.forecast.levels else summary.forecast.at_levels(levels)
)
drawn = summary if ahead is summary.forecast else RunSummary(**{**vars(summary), "forecast": ahead})
fingerprint = summary.series.fingerprint()
same_data = [h for h in history if h is not summary and h.series.fingerprint() == fingerprint]
beside = (
    st.multiselect(
        text("forecast.others"),
        range(len(history)),
        format_func=lambda i: names[i],
        default=[history.index(other) for other in same_data[-3:]],
        key=f"forecast-others-{chosen}",
    )
    if same_data
    else []
)
others = [history[i] for i in beside if history[i] is not summary][: len(charts.OTHER_RUNS)]
figure = charts.forecast_figure(drawn, shown, state.language(), others, summary.series.truth)
plot(figure, key="forecast-chart")
verdict_line(summary)
metrics_table(summary)
diagnostics.residuals_section(summary)
diagnostics.backtest_section(summary, levels)
downloads(summary, ahead.to_frame())
share.link_section(summary)
apply_checkpoint()
