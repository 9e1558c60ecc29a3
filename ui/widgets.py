"""Widget groups that return our dataclasses."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.panel import LABEL_JOIN
from data.prepare import (
    AGGREGATE_CHOICES,
    DUPLICATE_CHOICES,
    GAP_CHOICES,
    RESAMPLE_CHOICES,
    CleaningOptions,
    detect_id_columns,
    group_labels,
)
from data.series import Series
from forecasting.config import (
    MIN_WINDOW,
    TrainConfig,
    Widget,
    declared,
    series_config,
    training_windows,
)
from forecasting.limits import clamped, server_limits
from forecasting.summary import RunSummary
from ui import state
from ui.state import form_start, remember, remembered, text
from ui.text import plain

CELL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}
LABELS = {"cells": CELL_LABELS.get, "upper": str.upper}
SECTIONS = ("main", "more")  # the form's columns, then those under "More settings"


def config_form(series: Series) -> TrainConfig | None:
    """The training settings as a form, one widget per declared setting (forecasting/config.py);
    the TrainConfig when the user presses Train.

    The form starts from the settings a link (or a preset) chose for this data, else from
    automatic defaults; no range goes past this server's limits (the weights and windows an
    epoch draws are checked where every job starts, `state.allowed`)."""
    extra = [] if series.covariates is None else list(series.covariates.columns)
    start = form_start(series)
    limits = server_limits()
    defaults = clamped(start or series_config(series), limits)
    # fresh defaults for new data or new starting settings, kept values for the same ones
    key = series.fingerprint() + ("" if start is None else f"-{settings_token(start)}")
    ranges = {  # the longest window and horizon this series leaves room for
        "window": (MIN_WINDOW, len(series) // 2),
        "horizon": (1, len(series) // 4),
    }
    form_captions(series, defaults)
    with st.form(f"train-form-{key}", border=True):
        places = {"main": st.columns(3)}
        with st.expander(text("train.advanced")):
            places["more"] = st.columns(3)
        offered = sorted(
            ((name, spec.widget) for name, spec in declared().items() if spec.widget),
            key=lambda item: (SECTIONS.index(item[1].place[0]), *item[1].place[1:]),
        )
        chosen = {
            name: offer(
                places[widget.place[0]][widget.place[1]],
                name,
                widget,
                getattr(defaults, name),
                limits.settings.get(name, math.inf),
                ranges.get(name),
                key,
            )
            for name, widget in offered
        }
        covariates = extra and st.multiselect(
            text("train.covariates"),
            extra,
            default=[name for name in defaults.covariates if name in extra] if start else extra,
            help=text("train.covariates_help"),
        )
        submitted = st.form_submit_button(text("train.start"), type="primary", key="train-start")
    if not submitted:
        return None
    seasonal = 1 < defaults.season_length <= chosen["window"]
    residual = "last" if defaults.residual == "seasonal" and not seasonal else defaults.residual
    return defaults.with_changes(**chosen, covariates=tuple(covariates), residual=residual)


def form_captions(series: Series, defaults: TrainConfig) -> None:
    """What the automatic settings do to this series: sampled epochs, a pooled window."""
    windows = training_windows(len(series), defaults)
    if defaults.epoch_windows and windows > defaults.epoch_windows:
        st.caption(text("train.sampled", windows=windows, sample=defaults.epoch_windows))
    if not defaults.pool and defaults.pool_length > 1:  # the automatic pool applies
        st.caption(
            text(
                "train.pooled",
                window=defaults.window,
                steps=defaults.rnn_steps,
                pool=defaults.pool_length,
            )
        )


def offer(
    where: DeltaGenerator,
    name: str,
    widget: Widget,
    value: Any,
    limit: float,
    bounds: tuple[float, float] | None,
    key: str,
) -> Any:
    """One setting's widget, at `value`; returns the value chosen, of the setting's type."""
    label, help_text = text(f"train.{name}"), text(f"train.{name}_help")
    kind = type(getattr(TrainConfig, name))  # the declared default's type: int, float, ...
    value = kind(value)
    low, high = bounds or (widget.low, widget.high)
    if widget.kind == "checkbox":
        return where.checkbox(label, value, help=help_text)
    if widget.kind in ("radio", "select"):
        options = list(widget.options)
        format_func = LABELS.get(widget.labels, str)
        if widget.kind == "radio":
            return where.radio(label, options, options.index(value), format_func=format_func,
                               horizontal=True, help=help_text, key=f"{name}-{key}")  # fmt: skip
        return where.selectbox(
            label, options, options.index(value), format_func=format_func, help=help_text
        )
    if widget.kind == "select_slider":
        reach = [limit] if math.isfinite(limit) else []  # a raised limit is offered too
        options = capped(with_value([*widget.options, *reach], value), limit)
        if len(options) > 1:
            return kind(where.select_slider(label, options, value, help=help_text))
        low = high = value
    else:
        top = high if high is not None else limit  # a limited setting reaches its limit
        low, high = span(kind(low), kind(max(top, low)), value, limit)
    if low >= high:  # one value left (a server limit at the setting's lowest): shown, fixed
        return kind(where.number_input(label, value=value, disabled=True, help=help_text))
    step = None if widget.step is None else kind(widget.step)
    draw = where.slider if widget.kind == "slider" else where.number_input
    return kind(draw(label, low, high, value, step, help=help_text))


def with_value(choices: list, value: object) -> list:
    """The choices of a select slider, with `value` among them (a link may set any value)."""
    return sorted({*choices, value})


def span(low: float, high: float, value: float, limit: float = math.inf) -> tuple[float, float]:
    """A widget's range, widened to take `value`, never past this server's `limit`."""
    return min(low, value), min(max(high, value), limit)


def capped(choices: list, limit: float) -> list:
    """The choices up to this server's `limit`; just the limit when every choice is above it."""
    return [choice for choice in choices if choice <= limit] or [limit]


def settings_token(config: TrainConfig) -> str:
    """A short name for a set of settings, so a form that starts from them is a new form."""
    return hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:8]


RESAMPLE_TARGETS = ["W", "MS", "QS", "YS"]
ALL_GROUPS = "\u2014"
EACH = "each"  # every group a series of its own, one network for all: a panel


@st.cache_data(show_spinner=False, max_entries=20)
def id_columns(table: pd.DataFrame, date_col: str | None, target: str | None) -> tuple[str, ...]:
    """detect_id_columns, once per file and choice of columns (it tries columns together)."""
    return detect_id_columns(table, date_col, target)


def with_group_column(table: pd.DataFrame, ids: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """The table and the column that names each row's series: the id column itself, or for
    several a column of their labels joined as a panel's are ("north / tea"), named after them
    ("store / product"), missing where one of them is."""
    if len(ids) == 1:
        return table, ids[0]
    named = group_labels(table[ids[0]])
    for column in ids[1:]:
        named = named + LABEL_JOIN + group_labels(table[column])  # missing stays missing
    column = LABEL_JOIN.join(ids)
    return table.assign(**{column: named}), column


def cleaning_choices(
    table: pd.DataFrame, name: str, date_col: str | None, target: str | None
) -> tuple[CleaningOptions, tuple[str, ...]]:
    """The choices where the data can be cleaned more than one way, in an expander; and the id
    columns when the file is to be read as a panel (every series on its own), else ()."""
    ids = id_columns(table, date_col, target)
    with st.expander(text("clean.title"), expanded=bool(ids)):
        left, middle, right = st.columns(3)
        options: dict[str, object] = {}
        if ids:
            options |= group_choices(left, table, ids, name, (date_col, target))
        if date_col is not None:
            order = kept_choice(left, "dayfirst", name, ["auto", "month", "day"], "auto",
                                words="date_order", radio=True)  # fmt: skip
            options["dayfirst"] = None if order == "auto" else order == "day"
            key = remembered(state.cleaning_key("zone", name), "")
            zone = left.text_input(text("clean.zone"), help=text("clean.zone_help"),
                                   max_chars=64, key=key)  # fmt: skip
            remember(key)
            options["zone"] = zone.strip() or None
        options["duplicates"] = kept_choice(middle, "duplicates", name, DUPLICATE_CHOICES, "mean")
        options["gaps"] = kept_choice(middle, "gaps", name, GAP_CHOICES, "interpolate")
        resample = kept_choice(right, "resample", name, ["none", *RESAMPLE_TARGETS], "none")
        options["resample"] = None if resample == "none" else resample
        if options["resample"]:
            options["resample_how"] = kept_choice(right, "resample_how", name, RESAMPLE_CHOICES,
                                                  "sum", radio=True, bare=True)  # fmt: skip
    panel_ids = options.pop("panel_ids", ())
    return CleaningOptions(**options), panel_ids


def group_choices(
    where: DeltaGenerator, table: pd.DataFrame, ids: tuple[str, ...], name: str, roles: tuple
) -> dict[str, object]:
    """Which group of a long file to use, or how to combine them all, or every series on its
    own (a panel: "panel_ids", its id columns; `ids` those detected, naming a group together)."""
    grouped, group_col = with_group_column(table, ids)  # several columns: their combinations
    groups = [ALL_GROUPS, *sorted(grouped[group_col].dropna().astype(str).str.strip().unique())]
    where.caption(text("clean.group_found", column=plain(group_col), count=len(groups) - 1))
    group = kept_choice(where, "group", name, groups, ALL_GROUPS, labelled=False)
    chosen: dict[str, object] = {"group_col": group_col}
    chosen["group"] = None if group == ALL_GROUPS else group
    if group != ALL_GROUPS:
        return chosen
    way = kept_choice(where, "aggregate", name, [*AGGREGATE_CHOICES, EACH], "sum", radio=True)
    if way != EACH:
        return chosen | {"aggregate": way}
    columns = [str(column) for column in table.columns if column not in roles]
    key = remembered(state.cleaning_key("panel_ids", name), list(ids))
    st.session_state[key] = [column for column in st.session_state[key] if column in columns]
    picked = where.multiselect(text("clean.panel_ids"), columns,
                               help=text("clean.panel_ids_help"), key=key)  # fmt: skip
    remember(key)
    return {"panel_ids": tuple(picked) or (ids[0],)}


def kept_choice(
    where: DeltaGenerator,
    choice: str,
    file_name: str,
    options: Sequence[str],
    default: str,
    *,
    words: str = "",
    radio: bool = False,
    labelled: bool = True,
    bare: bool = False,
) -> str:
    """One cleaning choice for this file, kept through visits to other pages. Its texts are
    `clean.<words>` (the choice's name by default), its help `..._help` unless `bare`, and
    each option's `clean.<words>.<option>` when `labelled` and not `bare`."""
    words = words or choice
    key = state.cleaning_key(choice, file_name)
    shown: dict[str, object] = {"key": remembered(key, default)}
    if not bare:
        shown["help"] = text(f"clean.{words}_help")
        if labelled:
            shown["format_func"] = lambda option: text(f"clean.{words}.{option}")
    label = text(f"clean.{words}")
    if radio:
        value = where.radio(label, options, horizontal=True, **shown)
    else:
        value = where.selectbox(label, options, **shown)
    remember(key)
    return value


def run_picker(where: DeltaGenerator, label: str, key: str) -> tuple[int, RunSummary]:
    """A choice among the workspace's runs that forecast, at the current one; the run chosen
    becomes current. Returns its id in the workspace and the run."""
    current = state.require_run()
    history = [stored for stored in state.runs() if not stored.error]
    ids = [stored.id for stored in history]
    chosen = where.selectbox(
        label,
        ids,
        index=ids.index(state.current_stored().id),
        format_func=lambda run_id: history[ids.index(run_id)].name,
        key=f"{key}-{len(history)}",
    )
    if chosen != state.current_stored().id:
        state.select_run(chosen)
        return chosen, state.current_run()
    return chosen, current
