"""The Tune page's inputs: the ranges to search, how long and how to search, and the study.

The inputs are made from the declarations: a range or a set of choices per searched setting
(forecasting/config.py), an input per setting of the search itself (TuneSettings in
forecasting/tune.py). Ranges, trials and epochs reach at most this server's limits; the study
storage is one the operator configured, or typed where the operator allows it."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.series import Series
from forecasting.config import Search, TrainConfig, declared, searched
from forecasting.limits import ServerLimits, server_limits
from forecasting.tune import (
    RunSetting,
    SearchSpace,
    TuneError,
    TuneSettings,
    run_kind,
    run_settings,
    visitor_most,
)
from forecasting.tune_defaults import storage_label, study_name, window_choices
from ui import state
from ui.state import text
from ui.widgets import LABELS, capped


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
    return {"key": state.tune_key(key), argument: default, "persist_state": "session"}


def search_space(series: Series, base: TrainConfig, limits: ServerLimits) -> dict[str, object]:
    """The ranges to search, one widget per searched setting (forecasting/config.py), as the
    widgets hold them, within this server's limits."""
    st.subheader(text("tune.space"))
    columns = st.columns(3)
    space = {}
    searches = searched()  # in their declared order: the network, then the data, then training
    for number, (name, search) in enumerate(searches.items()):
        where = columns[min(2, number * 3 // len(searches))]
        limit = limits.settings.get(name)
        if name == "window":
            chosen = window_range(where, series, base, limit)
        elif search.choices:
            chosen = choices_widget(where, name, search, limit)
        else:
            chosen = range_widget(where, search, limit)
        space[search.field_name(name)] = chosen
    return space


def choices_widget(where: DeltaGenerator, name: str, search: Search, limit: int | None) -> tuple:
    """A set of values to search among: the cells, the batch sizes."""
    options = capped(list(search.options), limit) if limit else list(search.options)
    default = capped(list(search.default), options[-1]) if limit else list(search.default)
    widget = declared()[name].widget
    chosen = where.multiselect(
        text(f"tune.{search.word}"),
        options,
        format_func=LABELS.get(widget.labels, str) if widget else str,
        help=text(f"tune.{search.word}_help"),
        **kept(search.word, default, "default"),
    )
    numbers = all(isinstance(value, int | float) for value in options)
    return tuple(sorted(chosen)) if numbers else tuple(chosen)


def range_widget(where: DeltaGenerator, search: Search, limit: int | None) -> tuple:
    """A (lowest, highest) range: among the search's options, or between its bounds."""
    label, help_text = text(f"tune.{search.word}"), text(f"tune.{search.word}_help")
    if search.options:
        options = capped(list(search.options), limit) if limit else list(search.options)
        default = tuple(min(value, options[-1]) for value in search.default)
        kept_value = kept(search.word, default)
        chosen = where.select_slider(
            label, options, help=help_text, format_func="{:g}".format, **kept_value
        )
        return tuple(chosen)
    high = search.high if limit is None else max(search.low + 1, min(search.high, limit))
    default = tuple(min(value, limit or high) for value in search.default)
    kept_value = kept(search.word, default)
    chosen = where.slider(label, search.low, high, step=search.step, help=help_text, **kept_value)
    return tuple(round(value, 2) for value in chosen) if search.step else tuple(chosen)


def window_range(
    where: DeltaGenerator, series: Series, base: TrainConfig, limit: int | None
) -> tuple[int, int]:
    """The windows to search: around the automatic window, at most what the series allows."""
    lowest, highest, low, high = window_choices(base, len(series))
    highest = max(lowest + 1, min(highest, limit or highest))
    chosen = where.slider(
        text("tune.window"),
        lowest,
        highest,
        help=text("tune.window_help", window=base.window),
        **kept(f"window.{series.fingerprint()}", (min(low, highest), min(high, highest))),
    )
    return tuple(chosen)


def search_settings(
    series: Series, dataset_name: str, limits: ServerLimits
) -> tuple[dict[str, object], str, str]:
    """How long and how to search, and the study's name and storage, as the widgets hold them."""
    st.subheader(text("tune.search"))
    columns = st.columns(3)
    places = sorted(run_settings().items(), key=lambda item: item[1].widget.place)
    settings = {name: run_input(columns, name, spec, limits) for name, spec in places}
    name = columns[2].text_input(
        text("tune.study"),
        help=text("tune.study_help"),
        **kept(f"study.{series.fingerprint()}", study_name(dataset_name)),
    )
    stored = state.workspace_study(name.strip())
    with st.expander(text("tune.storage_title")):
        storage = storage_input(limits)
        if stored:
            st.caption(text("tune.stored_as", name=stored))
    return settings, stored, storage


def run_input(
    columns: list[DeltaGenerator], name: str, spec: RunSetting, limits: ServerLimits
) -> object:
    """The input of one setting of the search itself, in its declared place, its first value the
    declared default, reaching at most this server's limit."""
    where, default = columns[spec.widget.place[1]], getattr(TuneSettings, name)
    label, help_text = text(f"tune.{spec.word}"), text(f"tune.{spec.word}_help")
    if spec.choices:
        return where.selectbox(
            label,
            spec.choices,
            format_func=lambda choice: text(f"tune.{spec.word}.{choice}"),
            help=help_text,
            **kept(spec.word, spec.choices.index(default), "index"),
        )
    most = visitor_most(name, limits)
    low = spec.low if spec.widget.low is None else spec.widget.low
    if most is None:
        most = spec.high if spec.widget.high is None else spec.widget.high
    first = default if default is None or most is None else min(default, most)
    chosen = where.number_input(
        label, low, most, step=spec.widget.step, help=help_text, **kept(spec.word, first)
    )
    return None if chosen is None else run_kind(name)(chosen)


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
