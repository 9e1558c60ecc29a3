"""The Tune page's inputs: the ranges to search, how long and how to search, and the study.

Ranges, trials and epochs reach at most this server's limits; the study storage is one the
operator configured, or typed where the operator allows it."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data.series import Series
from forecasting.config import TrainConfig
from forecasting.limits import ServerLimits, server_limits
from forecasting.tune import PRUNERS, SearchSpace, TuneError, TuneSettings
from forecasting.tune_defaults import storage_label, study_name, window_choices
from ui import state
from ui.state import text
from ui.widgets import BATCH_SIZES, CELL_LABELS, HIDDEN_SIZES

LEARNING_RATES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]


@dataclass(frozen=True)
class TuneForm:
    """What the inputs hold; `search()` checks the ranges and settings when Start asks."""

    space: dict[str, object]  # SearchSpace's fields
    settings: dict[str, object]  # TuneSettings' fields
    study_name: str
    storage: str

    def search(self) -> tuple[SearchSpace, TuneSettings]:
        """The search space and settings; TuneError when they cannot be searched."""
        return SearchSpace(**self.space), TuneSettings(**self.settings)


def tune_form(series: Series, base: TrainConfig, dataset_name: str) -> TuneForm:
    """Draw the inputs; a series too short to tune ends the page, saying why."""
    limits = server_limits()
    try:
        space = search_space(series, base, limits)
    except TuneError as err:
        st.error(str(err))
        state.end_page()
    settings, name, storage = search_settings(series, dataset_name, limits)
    return TuneForm(space, settings, name, storage)


def kept(key: str, default: object, argument: str = "value") -> dict[str, object]:
    """A widget's key, its first value (given as `argument`) and its value kept through visits
    to other pages."""
    return {"key": f"tune.{key}", argument: default, "persist_state": "session"}


def capped(choices: list[int], limit: int) -> list[int]:
    """The choices up to this server's `limit`; just the limit when every choice is above it."""
    return [choice for choice in choices if choice <= limit] or [limit]


def search_space(series: Series, base: TrainConfig, limits: ServerLimits) -> dict[str, object]:
    """The ranges to search, as the widgets hold them, within this server's limits."""
    lowest, highest, low, high = window_choices(base, len(series))
    highest = max(lowest + 1, min(highest, limits.window))
    hidden_sizes = capped(HIDDEN_SIZES, limits.hidden_size)
    most_layers = max(2, min(4, limits.num_layers))  # a slider needs two values; Start checks
    batch_sizes = capped(BATCH_SIZES, limits.batch_size)
    st.subheader(text("tune.space"))
    left, middle, right = st.columns(3)
    cells = left.multiselect(
        text("tune.cells"),
        list(CELL_LABELS),
        format_func=CELL_LABELS.get,
        help=text("tune.cells_help"),
        **kept("cells", ["lstm", "gru"], "default"),
    )
    hidden = left.select_slider(
        text("tune.hidden"),
        hidden_sizes,
        help=text("tune.hidden_help"),
        **kept("hidden", (min(8, hidden_sizes[-1]), min(128, hidden_sizes[-1]))),
    )
    layers = left.slider(
        text("tune.layers"),
        1,
        most_layers,
        help=text("tune.layers_help"),
        **kept("layers", (1, min(2, limits.num_layers))),
    )
    dropout = middle.slider(
        text("tune.dropout"),
        0.0,
        0.9,
        step=0.05,
        help=text("tune.dropout_help"),
        **kept("dropout", (0.0, 0.3)),
    )
    window = middle.slider(
        text("tune.window"),
        lowest,
        highest,
        help=text("tune.window_help", window=base.window),
        **kept(f"window.{series.fingerprint()}", (min(low, highest), min(high, highest))),
    )
    lr = right.select_slider(
        text("tune.lr"),
        LEARNING_RATES,
        format_func="{:g}".format,
        help=text("tune.lr_help"),
        **kept("lr", (1e-4, 1e-2)),
    )
    batch_sizes = right.multiselect(
        text("tune.batch"),
        batch_sizes,
        help=text("tune.batch_help"),
        **kept("batch", capped([16, 32, 64, 128], batch_sizes[-1]), "default"),
    )
    return {
        "cells": tuple(cells),
        "hidden_size": tuple(hidden),
        "num_layers": tuple(layers),
        "dropout": tuple(round(value, 2) for value in dropout),
        "window": tuple(window),
        "lr": tuple(lr),
        "batch_sizes": tuple(sorted(batch_sizes)),
    }


def search_settings(
    series: Series, dataset_name: str, limits: ServerLimits
) -> tuple[dict[str, object], str, str]:
    """How long and how to search, and the study's name and storage, as the widgets hold them."""
    st.subheader(text("tune.search"))
    first, second, third = st.columns(3)
    trials = first.number_input(
        text("tune.trials"),
        1,
        limits.tune_trials,
        help=text("tune.trials_help"),
        **kept("trials", min(20, limits.tune_trials)),
    )
    timeout = first.number_input(
        text("tune.timeout"),
        min_value=1,
        max_value=7 * 24 * 3600,
        step=30,
        help=text("tune.timeout_help"),
        **kept("timeout", None),
    )
    epochs = second.number_input(
        text("tune.epochs"),
        1,
        limits.epochs,
        help=text("tune.epochs_help"),
        **kept("epochs", min(60, limits.epochs)),
    )
    pruner = second.selectbox(
        text("tune.pruner"),
        PRUNERS,
        format_func=lambda name: text(f"tune.pruner.{name}"),
        help=text("tune.pruner_help"),
        **kept("pruner", PRUNERS.index("median"), "index"),
    )
    seed = third.number_input(
        text("tune.seed"), 0, 2**32 - 1, help=text("tune.seed_help"), **kept("seed", 0)
    )
    name = third.text_input(
        text("tune.study"),
        help=text("tune.study_help"),
        **kept(f"study.{series.fingerprint()}", study_name(dataset_name)),
    )
    with st.expander(text("tune.storage_title")):
        storage = storage_input(limits)
    settings = {
        "trials": int(trials),
        "timeout_s": None if timeout is None else float(timeout),
        "epochs": int(epochs),
        "pruner": pruner,
        "seed": int(seed),
    }
    return settings, name.strip(), storage


def storage_input(limits: ServerLimits) -> str:
    """The storage picked among the operator's (by position: the URLs stay on the server), or
    one typed where the operator allows it."""
    storages = limits.storages()
    picked = st.selectbox(
        text("tune.storage_pick"),
        list(range(len(storages))),
        format_func=lambda index: storage_label(storages[index]),
        help=text("tune.storage_pick_help"),
        **kept("storage_pick", 0, "index"),
    )
    if not limits.storage_urls:
        return storages[picked]
    typed = st.text_input(
        text("tune.storage"), help=text("tune.storage_help"), **kept("storage", "")
    )
    return typed.strip() or storages[picked]
