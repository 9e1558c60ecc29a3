"""The Compare page's sections: the trio button and its lesson, runs overlaid, their scores."""

import pandas as pd
import streamlit as st

from forecasting.compare import is_trio, lesson, lesson_table, metrics_table, settings_diff
from forecasting.config import ConfigError
from forecasting.evaluate import METRICS
from forecasting.job import BatchJob
from forecasting.summary import RunSummary
from forecasting.workspace import StoredRun
from ui import compare_charts, sessions, state, trio
from ui.show import plot
from ui.state import text
from ui.text import plain

LABELLED = ("cell", "data", "part", "parameters", "seconds", "epochs", "best_epoch")


def trio_progress() -> None:
    st.fragment(_trio_progress, run_every=sessions.poll_every())()


def _trio_progress() -> None:
    job = state.get_job()
    if not isinstance(job, BatchJob):
        return
    if job.done:
        sessions.rerun_app()  # app.py turns the finished jobs into runs
    state.show_queue_place(job)
    (number, count), (epoch, epochs, _) = job.position(), job.progress()
    values = {"cell": job.current.config.cell.upper(), "number": number, "count": count}
    if job.stopping:
        label = text("compare.stopping")
    elif epoch == 0:
        label = text("compare.starting", **values)
    else:
        label = text("compare.progress", epoch=epoch, epochs=epochs, **values)
    st.progress((number - 1 + epoch / epochs) / count, text=label)
    if st.button(text("compare.stop"), help=text("compare.stop_help"), key="trio-stop"):
        state.stop_job(job)


def trio_button() -> None:
    job, series = state.get_job(), state.get_series()
    if isinstance(job, BatchJob):
        trio_progress()
    elif job is not None:
        st.info(text("compare.busy"))
    elif st.button(
        text("compare.trio"),
        type="primary",
        help=text("compare.trio_help"),
        disabled=series is None,
        key="trio",
    ):
        try:
            trio.start_trio(series, state.get_dataset())
        except ConfigError as err:
            st.error(str(err))


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    part = {"test": text("forecast.part.test"), "validation": text("forecast.part.val")}
    if "part" in frame:
        frame = frame.assign(part=frame["part"].map(part))
    columns = {key: text(f"compare.col.{key}") for key in LABELLED}
    return frame.rename(columns=columns).rename_axis(text("runs.name"))


def trio_table(history: list[StoredRun]) -> None:
    names = set(state.last_group())
    group = state.summaries([stored for stored in history if stored.name in names])
    if len(group) < 2:
        return
    title = "compare.trio_title" if is_trio(group) else "compare.group_title"
    st.subheader(text(title, data=plain(group[0].dataset)))
    table = lesson_table(group)
    metric = table.columns[1]
    table = labelled(table).rename(columns={metric: text("compare.col.accuracy", metric=metric)})
    st.dataframe(table.style.format(precision=3), key="trio-table")
    facts = lesson(group)
    st.markdown(
        text(
            "compare.lesson",
            fewest=facts.fewest,
            most=facts.most,
            ratio=facts.ratio,
            best=facts.best,
            metric=facts.metric,
            score=facts.best_score,
            fastest=facts.fastest,
            seconds=facts.seconds,
        )
    )


def forecasts(chosen: list[RunSummary], colors: list[str]) -> None:
    """Runs trained on the current data, overlaid; the others are named, not drawn."""
    series = state.get_series()
    series = chosen[-1].series if series is None else series
    fingerprint = series.fingerprint()
    same = [i for i, summary in enumerate(chosen) if summary.series.fingerprint() == fingerprint]
    if same:
        drawn, drawn_colors = [chosen[i] for i in same], [colors[i] for i in same]
        figure = compare_charts.forecast_overlay(series, drawn, state.language(), drawn_colors)
        plot(figure, key="compare-forecast")
    elsewhere = [plain(summary.name) for i, summary in enumerate(chosen) if i not in same]
    if elsewhere:
        st.caption(text("compare.other_data", names=", ".join(elsewhere)))


def settings(chosen: list[RunSummary]) -> None:
    st.subheader(text("compare.settings"))
    if len(chosen) < 2:
        st.caption(text("compare.settings_one"))
        return
    diff = settings_diff([s.run.config for s in chosen], [s.name for s in chosen])
    if diff.empty:
        st.caption(text("compare.settings_same"))
    else:
        diff = diff.astype(str).rename_axis(text("compare.col.setting"))
        st.dataframe(diff, key="compare-settings")


def pick_runs(history: list[StoredRun]) -> list[StoredRun]:
    """The runs to compare, as last chosen; at first the last group trained or the last three."""
    names = [summary.name for summary in history]
    shown = state.compare_default()
    default = [index for index, name in enumerate(names) if name in shown]
    key = state.compare_runs_key(len(history))
    picked = st.multiselect(
        text("compare.runs"),
        range(len(history)),
        format_func=names.__getitem__,
        help=text("compare.runs_help"),
        key=state.remembered(key, default),
    )
    state.remember(key)
    return [history[index] for index in picked]


def metrics(chosen: list[RunSummary]) -> None:
    st.subheader(text("compare.metrics"))
    scores = metrics_table(chosen)
    scores[list(METRICS)] = scores[list(METRICS)].astype(float)
    shown = labelled(scores).style.format(precision=3, na_rep="\u2014")
    st.dataframe(shown, key="compare-metrics")
    st.caption(text("compare.metrics_note"))
