"""Widget groups that return our dataclasses."""

from __future__ import annotations

import hashlib
import json
import math

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
from data.windows import SCALERS
from forecasting.config import DEVICES, LOSSES, TrainConfig, series_config, training_windows
from forecasting.limits import check_config, clamped, server_limits
from forecasting.summary import RunSummary
from ui import state
from ui.state import form_start, remember, remembered, text
from ui.text import plain

HIDDEN_SIZES = [4, 8, 16, 32, 64, 128, 256]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512]
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]
MAX_POOL = 64
CELL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


def config_form(series: Series) -> TrainConfig | None:
    """The training settings as a form; the TrainConfig when the user presses Train.

    The form starts from the settings a link (or a preset) chose for this data, else from
    automatic defaults."""
    extra = [] if series.covariates is None else list(series.covariates.columns)
    start = form_start(series)
    limits = server_limits()
    defaults = clamped(start or series_config(series), limits)
    # fresh defaults for new data or new starting settings, kept values for the same ones
    key = series.fingerprint() + ("" if start is None else f"-{settings_token(start)}")
    max_window = min(limits.window, max(defaults.window, min(512, len(series) // 2)))
    max_horizon = min(limits.horizon, max(defaults.horizon, min(512, len(series) // 4)))
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
    with st.form(f"train-form-{key}", border=True):
        first, second, third = st.columns(3)
        cell = first.radio(
            text("train.cell"),
            list(CELL_LABELS),
            list(CELL_LABELS).index(defaults.cell),
            format_func=CELL_LABELS.get,
            horizontal=True,
            help=text("train.cell_help"),
            key=f"cell-{key}",
        )
        hidden_size = first.select_slider(
            text("train.hidden_size"),
            within(with_value(HIDDEN_SIZES, defaults.hidden_size), limits.hidden_size),
            defaults.hidden_size,
            help=text("train.hidden_size_help"),
        )
        num_layers = first.slider(
            text("train.num_layers"),
            *span(1, 4, defaults.num_layers, limits.num_layers),
            defaults.num_layers,
            help=text("train.num_layers_help"),
        )
        window = second.slider(
            text("train.window"),
            *span(4, max_window, defaults.window, limits.window),
            defaults.window,
            help=text("train.window_help"),
        )
        horizon = second.slider(
            text("train.horizon"), 1, max_horizon, defaults.horizon, help=text("train.horizon_help")
        )
        epochs = second.number_input(
            text("train.epochs"),
            *span(1, 5000, defaults.epochs, limits.epochs),
            defaults.epochs,
            help=text("train.epochs_help"),
        )
        lr = third.select_slider(
            text("train.lr"),
            with_value(LEARNING_RATES, defaults.lr),
            defaults.lr,
            help=text("train.lr_help"),
        )
        patience = third.number_input(
            text("train.patience"),
            *span(0, 1000, defaults.patience, limits.patience),
            defaults.patience,
            help=text("train.patience_help"),
        )
        dropout = third.slider(
            text("train.dropout"),
            *span(0.0, 0.5, float(defaults.dropout)),
            float(defaults.dropout),
            0.05,
            help=text("train.dropout_help"),
        )
        with st.expander(text("train.advanced")):
            a, b, c = st.columns(3)
            batch_size = a.select_slider(
                text("train.batch_size"),
                within(with_value(BATCH_SIZES, defaults.batch_size), limits.batch_size),
                defaults.batch_size,
                help=text("train.batch_size_help"),
            )
            scaler = a.selectbox(
                text("train.scaler"),
                SCALERS,
                SCALERS.index(defaults.scaler),
                help=text("train.scaler_help"),
            )
            epoch_windows = a.number_input(
                text("train.epoch_windows"),
                0,
                limits.epoch_windows,
                min(defaults.epoch_windows, limits.epoch_windows),
                step=256,
                help=text("train.epoch_windows_help"),
            )
            pool = a.number_input(
                text("train.pool"),
                *span(0, MAX_POOL, defaults.pool, limits.pool),
                defaults.pool,
                help=text("train.pool_help"),
            )
            loss = a.selectbox(
                text("train.loss"),
                LOSSES,
                LOSSES.index(defaults.loss),
                format_func=str.upper,
                help=text("train.loss_help"),
            )
            val_share = b.slider(
                text("train.val_share"),
                *span(0.05, 0.4, float(defaults.val_share)),
                float(defaults.val_share),
                0.05,
                help=text("train.val_share_help"),
            )
            test_share = b.slider(
                text("train.test_share"),
                *span(0.05, 0.4, float(defaults.test_share)),
                float(defaults.test_share),
                0.05,
                help=text("train.test_share_help"),
            )
            seed = c.number_input(
                text("train.seed"),
                *span(0, 2**31 - 1, defaults.seed),
                defaults.seed,
                help=text("train.seed_help"),
            )
            device = c.selectbox(
                text("train.device"),
                DEVICES,
                DEVICES.index(defaults.device),
                help=text("train.device_help"),
            )
            members = c.slider(
                text("train.members"),
                *span(1, 7, defaults.members, limits.members),
                defaults.members,
                help=text("train.members_help"),
            )
            window_scale = b.checkbox(
                text("train.window_scale"),
                defaults.window_scale,
                help=text("train.window_scale_help"),
            )
            linear = b.checkbox(
                text("train.linear"), defaults.linear, help=text("train.linear_help")
            )
        covariates = extra and st.multiselect(
            text("train.covariates"),
            extra,
            default=[name for name in defaults.covariates if name in extra] if start else extra,
            help=text("train.covariates_help"),
        )
        submitted = st.form_submit_button(text("train.start"), type="primary", key="train-start")
    if not submitted:
        return None
    chosen = defaults.with_changes(
        cell=cell,
        hidden_size=hidden_size,
        num_layers=num_layers,
        window=window,
        horizon=horizon,
        epochs=int(epochs),
        lr=lr,
        patience=int(patience),
        dropout=dropout,
        batch_size=batch_size,
        scaler=scaler,
        val_share=val_share,
        test_share=test_share,
        seed=int(seed),
        device=device,
        covariates=tuple(covariates),
        members=members,
        epoch_windows=int(epoch_windows),
        pool=int(pool),
        loss=loss,
        window_scale=window_scale,
        linear=linear,
        residual=(
            defaults.residual
            if defaults.residual != "seasonal" or 1 < defaults.season_length <= window
            else "last"
        ),
    )
    check_config(chosen, limits)
    return chosen


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
                key=remembered(f"clean.group.{name}", ALL_GROUPS),
            )
            remember(f"clean.group.{name}")
            options |= {"group_col": group_col, "group": None if group == ALL_GROUPS else group}
            if group == ALL_GROUPS:
                options["aggregate"] = left.radio(
                    text("clean.aggregate"),
                    AGGREGATE_CHOICES,
                    horizontal=True,
                    key=remembered(f"clean.aggregate.{name}", "sum"),
                )
                remember(f"clean.aggregate.{name}")
        if date_col is not None:
            order = left.radio(
                text("clean.date_order"),
                ["auto", "month", "day"],
                horizontal=True,
                format_func=lambda o: text(f"clean.date_order.{o}"),
                help=text("clean.date_order_help"),
                key=remembered(f"clean.dayfirst.{name}", "auto"),
            )
            remember(f"clean.dayfirst.{name}")
            options["dayfirst"] = None if order == "auto" else order == "day"
        options["duplicates"] = middle.selectbox(
            text("clean.duplicates"),
            DUPLICATE_CHOICES,
            help=text("clean.duplicates_help"),
            format_func=lambda c: text(f"clean.duplicates.{c}"),
            key=remembered(f"clean.duplicates.{name}", "mean"),
        )
        options["gaps"] = middle.selectbox(
            text("clean.gaps"),
            GAP_CHOICES,
            help=text("clean.gaps_help"),
            format_func=lambda c: text(f"clean.gaps.{c}"),
            key=remembered(f"clean.gaps.{name}", "interpolate"),
        )
        resample = right.selectbox(
            text("clean.resample"),
            ["none", *RESAMPLE_TARGETS],
            help=text("clean.resample_help"),
            format_func=lambda f: text(f"clean.resample.{f}"),
            key=remembered(f"clean.resample.{name}", "none"),
        )
        options["resample"] = None if resample == "none" else resample
        if options["resample"]:
            options["resample_how"] = right.radio(
                text("clean.resample_how"),
                RESAMPLE_CHOICES,
                horizontal=True,
                key=remembered(f"clean.resample_how.{name}", "sum"),
            )
            remember(f"clean.resample_how.{name}")
        for key in ("duplicates", "gaps", "resample"):
            remember(f"clean.{key}.{name}")
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
