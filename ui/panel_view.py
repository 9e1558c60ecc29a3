"""The pages' parts for a panel (a file of many series): the Data page's view of it, the Train
page's panel settings, the Forecast page's series picker, table of every series and download."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from data.calendar import Ahead, calendar_by_default
from data.errors import DataError
from data.panel import Panel
from data.series import Series
from forecasting.config import TrainConfig
from forecasting.job import TrainingJob
from forecasting.limits import server_limits
from forecasting.panel_forecast import sampled_for_panel, with_ahead_panel
from forecasting.panel_job import PanelJob
from forecasting.panel_result import PanelResult, sorted_labels, worst_first
from forecasting.verdict import BETTER, PAR, WORSE
from forecasting.workspace import StoredRun
from ui import panel_charts, state
from ui.show import plot
from ui.state import remember, remembered, text
from ui.text import plain

VERDICT_KEYS = {BETTER: "better", PAR: "par", WORSE: "worse", "": "none"}
SERIES_JOIN = " · "  # between a series' id columns in a title: "store north · product tea"


def data_view(panel: Panel) -> Series:
    """The panel's size and lengths, what was left out, a searchable picker and a few series
    drawn small; returns the series picked."""
    lengths = [len(one) for one in panel.series.values()]
    for place, (key, value) in zip(
        st.columns(4),
        [
            ("count", len(panel)),
            ("shortest", min(lengths)),
            ("median", int(np.median(lengths))),
            ("longest", max(lengths)),
        ],
        strict=True,
    ):
        place.metric(text(f"panel.{key}"), f"{value:,}")
    if panel.left_out:
        with st.expander(text("panel.left_out", count=len(panel.left_out))):
            st.dataframe(why_table(panel.left_out), hide_index=True)
    labels = panel.labels
    key = remembered(state.PANEL_PICK, labels[0])
    if st.session_state[key] not in panel.series:
        st.session_state[key] = labels[0]
    label = st.selectbox(text("panel.pick"), labels, help=text("panel.pick_help"), key=key)
    remember(key)
    shown = panel_charts.shown_labels(labels, label)
    plot(panel_charts.small_multiples(panel, shown, state.language()), key="panel-small")
    return panel.series[label]


def why_table(why: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({text("panel.series"): list(why), text("panel.why"): list(why.values())})


def train_lead(panel: Panel, name: str) -> None:
    st.markdown(text("panel.train_lead", count=len(panel), name=plain(name),
                     lengths=lengths_said(panel)))  # fmt: skip


def lengths_said(panel: Panel) -> str:
    """The series' lengths in words: "lengths 12 to 84", or "all 84 points long" when equal."""
    lengths = [len(one) for one in panel.series.values()]
    if min(lengths) == max(lengths):
        return text("panel.lengths_same", length=f"{lengths[0]:,}")
    return text("panel.lengths", shortest=f"{min(lengths):,}", longest=f"{max(lengths):,}")


def ahead_choices(panel: Panel, known: dict[str, Panel]) -> Ahead:
    """The Train page's inputs known ahead for a panel: calendar (on for daily and weekly data),
    a country's holidays, and the file's columns chosen as known ahead on the Data page."""
    if known:
        st.caption(text("panel.known", names=", ".join(plain(name) for name in known)))
    first = next(iter(panel.series.values()))
    dated = isinstance(first.index, pd.DatetimeIndex)
    left, right = st.columns(2)
    calendar_key = state.calendar_key(panel)
    calendar = left.checkbox(
        text("panel.calendar"),
        help=text("panel.calendar_help"),
        disabled=not dated,
        key=remembered(calendar_key, calendar_by_default(first)),
    )
    holidays = right.text_input(
        text("panel.holidays"),
        help=text("panel.holidays_help"),
        placeholder=text("panel.holidays_placeholder"),
        max_chars=12,
        disabled=not dated,
        key=remembered(state.HOLIDAYS_PICK, ""),
    )
    remember(calendar_key), remember(state.HOLIDAYS_PICK)
    code = holidays.strip().upper() if dated else ""
    return Ahead(calendar=bool(calendar) and dated, holidays=code or None, columns=tuple(known))


def series_vectors() -> int:
    """The Train page's choice of numbers learned for each series (0: none), within the server's
    limit."""
    most = server_limits().most("series_embedding")
    chosen = st.number_input(
        text("panel.embedding"),
        min_value=0,
        max_value=most,
        step=1,
        help=text("panel.embedding_help", most=most),
        key=remembered(state.EMBEDDING_PICK, 0),
    )
    remember(state.EMBEDDING_PICK)
    return int(chosen)


def panel_job(
    panel: Panel, config: TrainConfig, ahead: Ahead, known: dict[str, Panel], dataset: str
) -> TrainingJob | None:
    """The job that trains one network on every series of the panel, with the inputs known
    ahead (`known`: the file's columns, each read as a panel); None (and the reason shown) when
    they cannot be made, such as a planned value missing."""
    try:
        if ahead:
            panel, names = with_ahead_panel(panel, config.horizon, ahead, known)
            config = config.with_changes(covariates=names)
        config = sampled_for_panel(panel, config)
    except DataError as err:
        st.error(plain(err))
        return None
    first = next(iter(panel.series.values()))
    return PanelJob(first, config, dataset, panel=panel)


def series_picker(stored: StoredRun, result: PanelResult) -> None:
    """Which series of a panel run the page shows (searchable; worst score first)."""
    labels = sorted_labels(result)
    chosen = state.panel_choice(stored)
    shown = chosen or result.labels[0]  # the run as stored is its first series'
    label = st.selectbox(
        text("panel.forecast_pick", count=len(labels)),
        labels,
        index=labels.index(chosen) if chosen in labels else 0,  # the worst, at first
        help=text("panel.forecast_pick_help"),
        key=f"{state.FORECAST_SERIES_PICK}-{stored.id}",
    )
    if label != shown:
        state.choose_panel_series(stored, label)


def series_name(stored: StoredRun, result: PanelResult | None) -> str:
    """The series of a panel run the pages show, named by its id columns ("store north ·
    product tea"); "" for a run of one series, or a column of a wide file (its name says it)."""
    if result is None:
        return ""
    label = state.panel_choice(stored) or result.labels[0]
    if result.series[label].target == label:
        return ""
    named = zip(result.id_cols, result.ids[label], strict=True)
    return SERIES_JOIN.join(f"{column} {value}" for column, value in named)


def scores_section(stored: StoredRun, result: PanelResult) -> None:
    """Every series' score and verdict (a sortable table), the panel's aggregate, and one CSV
    of every series' forecast."""
    st.subheader(text("panel.scores", count=len(result.table)))
    aggregate = result.aggregate
    rows = {
        stored.name if name == "model" else text(f"baseline.{name}"): {
            text("panel.geometric_mase"): mase,
            text("panel.total_error"): aggregate["total_absolute_error"].get(name),
        }
        for name, mase in aggregate["geometric_mean_mase"].items()
    }
    numbers = {text("panel.geometric_mase"): st.column_config.NumberColumn(format="%.3f"),
               text("panel.total_error"): st.column_config.NumberColumn(
                   format="localized", help=text("panel.total_error_help"))}  # fmt: skip
    st.dataframe(pd.DataFrame(rows).T, width="content", column_config=numbers)
    st.dataframe(shown_table(result), hide_index=True, key=f"panel-table-{stored.id}",
                 column_config=score_columns())  # fmt: skip
    if result.left_out:
        with st.expander(text("panel.not_scored", count=len(result.left_out))):
            st.dataframe(why_table(result.left_out), hide_index=True)
    stem = stored.name.replace(" ", "").replace("#", "-").lower()
    st.download_button(
        text("panel.download"),
        result.forecast_csv,
        f"{stem}-every-series-forecast.csv",
        "text/csv",
        key="download-panel-csv",
    )


def score_columns() -> dict[str, object]:
    three = st.column_config.NumberColumn(format="%.3f")
    return {
        text("panel.model_score"): three,
        text("panel.baseline_score"): three,
        text("panel.improvement"): st.column_config.NumberColumn(format="%+.1f%%"),
        text("panel.share"): st.column_config.NumberColumn(
            format="%.0f%%", help=text("panel.share_help")
        ),
    }


def shown_table(result: PanelResult) -> pd.DataFrame:
    """The score table in the session's language, worst score first: ids, points, scores,
    the network's share of the forecast (below 100% where a baseline is blended in), verdict."""
    table = worst_first(result.table)
    shown = table[list(result.id_cols)].copy()
    shown[text("panel.points")] = table["points"]
    shown[text("panel.metric")] = table["metric"]
    shown[text("panel.model_score")] = table["model"]
    shown[text("panel.baseline")] = [text(f"baseline.{name}") if name else "" for name in
                                     table["baseline"]]  # fmt: skip
    shown[text("panel.baseline_score")] = table["baseline_score"]
    shown[text("panel.improvement")] = table["improvement"] * 100
    shown[text("panel.share")] = [_share(result.views[label].blend) for label in table["label"]]
    shown[text("panel.verdict")] = [text(f"panel.verdict.{VERDICT_KEYS[v]}") for v in
                                    table["verdict"]]  # fmt: skip
    return shown


def _share(blend: dict | None) -> float:
    """The network's share of a series' forecast, in percent (forecasting.guard)."""
    return 100.0 if blend is None else 100 * blend["weight"]
