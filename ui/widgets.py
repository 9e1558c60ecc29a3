"""Widget groups that return our dataclasses."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.prepare import (
    AGGREGATE_CHOICES,
    DUPLICATE_CHOICES,
    GAP_CHOICES,
    RESAMPLE_CHOICES,
    CleaningOptions,
    detect_group_column,
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
from forecasting.limits import check_config, clamped, server_limits
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
    automatic defaults; no range goes past this server's limits."""
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
    config = defaults.with_changes(**chosen, covariates=tuple(covariates), residual=residual)
    check_config(config, limits, len(series))
    return config


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
        options = within(with_value([*widget.options, *reach], value), limit)
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


def within(choices: list, limit: float) -> list:
    """The choices at most this server's `limit` (the smallest one when none is)."""
    return [choice for choice in choices if choice <= limit] or choices[:1]


def settings_token(config: TrainConfig) -> str:
    """A short name for a set of settings, so a form that starts from them is a new form."""
    return hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:8]


RESAMPLE_TARGETS = ["W", "MS", "QS", "YS"]
ALL_GROUPS = "\u2014"


def cleaning_choices(
    table: pd.DataFrame, name: str, date_col: str | None, target: str | None
) -> CleaningOptions:
    """The choices where the data can be cleaned more than one way, in an expander."""
    group_col = detect_group_column(table, date_col, target)
    with st.expander(text("clean.title"), expanded=group_col is not None):
        left, middle, right = st.columns(3)
        options: dict[str, object] = {}
        if group_col is not None:
            groups = [
                ALL_GROUPS,
                *sorted(table[group_col].dropna().astype(str).str.strip().unique()),
            ]
            left.caption(text("clean.group_found", column=plain(group_col), count=len(groups) - 1))
            group = left.selectbox(
                text("clean.group"),
                groups,
                help=text("clean.group_help"),
                key=remembered(state.cleaning_key("group", name), ALL_GROUPS),
            )
            remember(state.cleaning_key("group", name))
            options |= {"group_col": group_col, "group": None if group == ALL_GROUPS else group}
            if group == ALL_GROUPS:
                options["aggregate"] = left.radio(
                    text("clean.aggregate"),
                    AGGREGATE_CHOICES,
                    horizontal=True,
                    key=remembered(state.cleaning_key("aggregate", name), "sum"),
                )
                remember(state.cleaning_key("aggregate", name))
        if date_col is not None:
            order = left.radio(
                text("clean.date_order"),
                ["auto", "month", "day"],
                horizontal=True,
                format_func=lambda o: text(f"clean.date_order.{o}"),
                help=text("clean.date_order_help"),
                key=remembered(state.cleaning_key("dayfirst", name), "auto"),
            )
            remember(state.cleaning_key("dayfirst", name))
            options["dayfirst"] = None if order == "auto" else order == "day"
        options["duplicates"] = middle.selectbox(
            text("clean.duplicates"),
            DUPLICATE_CHOICES,
            help=text("clean.duplicates_help"),
            format_func=lambda c: text(f"clean.duplicates.{c}"),
            key=remembered(state.cleaning_key("duplicates", name), "mean"),
        )
        options["gaps"] = middle.selectbox(
            text("clean.gaps"),
            GAP_CHOICES,
            help=text("clean.gaps_help"),
            format_func=lambda c: text(f"clean.gaps.{c}"),
            key=remembered(state.cleaning_key("gaps", name), "interpolate"),
        )
        resample = right.selectbox(
            text("clean.resample"),
            ["none", *RESAMPLE_TARGETS],
            help=text("clean.resample_help"),
            format_func=lambda f: text(f"clean.resample.{f}"),
            key=remembered(state.cleaning_key("resample", name), "none"),
        )
        options["resample"] = None if resample == "none" else resample
        if options["resample"]:
            options["resample_how"] = right.radio(
                text("clean.resample_how"),
                RESAMPLE_CHOICES,
                horizontal=True,
                key=remembered(state.cleaning_key("resample_how", name), "sum"),
            )
            remember(state.cleaning_key("resample_how", name))
        for key in ("duplicates", "gaps", "resample"):
            remember(state.cleaning_key(key, name))
    return CleaningOptions(**options)


def run_picker(where: DeltaGenerator, label: str, key: str) -> tuple[int, RunSummary]:
    """A choice among the session's runs, at the current one; the run chosen becomes current.
    Returns its position in the history and the run."""
    history, current = state.runs(), state.require_run()
    chosen = where.selectbox(
        label,
        range(len(history)),
        index=next(i for i, other in enumerate(history) if other is current),
        format_func=lambda i: history[i].name,
        key=f"{key}-{len(history)}",
    )
    if history[chosen] is not current:
        state.select_run(chosen)
    return chosen, history[chosen]
