"""The three ways to pick a series (sample, synthetic signal, upload), each a widget group."""

from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.catalog import load_sample, sample, samples
from data.dates import detect_date_column
from data.future_rows import with_future_rows
from data.load import read_table_with_notes
from data.panel import Panel, read_known, read_long
from data.prepare import (
    GAP_CHOICES,
    CleaningOptions,
    detect_group_column,
    detect_target,
    numeric_columns,
    prepare,
)
from data.series import Series
from data.synthetic import (
    DEFAULT_GAPS,
    DEFAULT_LENGTH,
    DEFAULT_SEED,
    LENGTH_STEP,
    PAGE_LENGTHS,
    SEEDS,
    SIGNALS,
    ParamSpec,
    generate_with_truth,
    highest,
    season_length,
    to_series,
)
from forecasting.limits import MIB, server_limits
from ui import state, widgets
from ui.state import remember, remembered, text
from ui.text import DEFAULT_LANGUAGE, plain, t

SOURCES = ("sample", "synthetic", "upload")
NO_DATE = "\u2014"
SLIDER_MAX_STEPS = 1000


@st.cache_data(show_spinner=False, max_entries=20)
def load_upload(
    raw: bytes, name: str, max_bytes: int, max_cells: int
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The table, what reading it did, and its numeric columns."""
    table, notes = read_table_with_notes(raw, name, max_bytes=max_bytes, max_cells=max_cells)
    return table, notes, numeric_columns(table)


@st.cache_data(show_spinner=False, max_entries=4)
def cached_panel(
    raw: bytes,
    name: str,
    max_bytes: int,
    max_cells: int,
    ids: tuple[str, ...],
    date_col: str | None,
    target: str,
    choices: dict[str, object],
    known: tuple[str, ...],
    future: tuple[str, bytes] | None = None,
) -> tuple[Panel, dict[str, Panel]]:
    """The upload read as a panel (a series per combination of the `ids` columns' values), and
    each column `known` ahead read as a panel of its own; `future`: the name and bytes of a
    second file whose rows (future values of the `known` columns) join the upload's first."""
    table, notes, _ = load_upload(raw, name, max_bytes, max_cells)
    options = CleaningOptions(**choices)
    if future is not None:
        future_name, future_raw = future
        rows, _, _ = load_upload(future_raw, future_name, max_bytes, max_cells)
        table, note = with_future_rows(table, rows, ids, date_col, target, known,
                                       name=future_name, dayfirst=options.dayfirst)  # fmt: skip
        notes = [*notes, note]
    panel = read_long(table, ids, date_col, target, options=options, read_notes=notes)
    return panel, read_known(table, ids, panel, known, options)


@st.cache_data(show_spinner=False, max_entries=20)
def cached_sample(key: str) -> Series:
    return load_sample(key)


def pick_sample() -> tuple[Series, state.Dataset]:
    keys = [entry.key for entry in samples()]
    key = st.selectbox(
        text("data.sample"),
        keys,
        format_func=lambda k: sample(k).name,
        key=remembered(state.SAMPLE_PICK, keys[0]),
    )
    entry = sample(remember(state.SAMPLE_PICK))
    st.caption(entry.description)
    st.caption(
        text("data.sample_source", source=entry.original_source, package=entry.source_package)
    )
    return cached_sample(key), state.Dataset(entry.name, "sample")


def pick_synthetic() -> tuple[Series, state.Dataset]:
    kinds = list(SIGNALS)
    kind = st.selectbox(
        text("data.signal"),
        kinds,
        format_func=lambda k: text(f"signal.{k}.title"),
        key=remembered(state.SIGNAL_PICK, kinds[0]),
    )
    remember(state.SIGNAL_PICK)
    signal = SIGNALS[kind]
    st.caption(text(f"signal.{kind}.description"))
    with_gaps = any(spec.name == "gap_length" for spec in signal.params)
    places = column_places(2 + len(signal.params) + with_gaps)
    length = places[0].slider(
        text("data.length"),
        *PAGE_LENGTHS,
        step=LENGTH_STEP,
        help=text("data.length_help"),
        key=remembered(state.LENGTH_PICK, DEFAULT_LENGTH),
    )
    seed = places[1].number_input(
        text("data.seed"),
        *SEEDS,
        help=text("data.seed_help"),
        key=remembered(state.SEED_PICK, DEFAULT_SEED),
    )
    remember(state.LENGTH_PICK), remember(state.SEED_PICK)
    params = {
        spec.name: signal_param(kind, spec, int(length), where)
        for spec, where in zip(signal.params, places[2:], strict=False)
    }
    gaps = DEFAULT_GAPS
    if with_gaps:
        gaps = places[-1].selectbox(
            text("lab.gaps"),
            GAP_CHOICES,
            format_func=lambda c: text(f"clean.gaps.{c}"),
            help=text("lab.gaps_help"),
            key=remembered(state.signal_key(kind, "gaps"), DEFAULT_GAPS),
        )
        remember(state.signal_key(kind, "gaps"))
    return synthetic_series(kind, int(length), int(seed), params, gaps)


def synthetic_series(
    kind: str, length: int, seed: int, params: dict[str, float], gaps: str
) -> tuple[Series, state.Dataset]:
    """A signal as a cleaned series. Its target is the signal's English name, the same in every
    language (so the data is the same data after a language switch); its shown name is not."""
    generated = generate_with_truth(kind, length, seed, **params)
    target = t(f"signal.{kind}.title", DEFAULT_LANGUAGE)
    series = to_series(generated, target, season_length(kind, **params), gaps)
    return series, state.Dataset(text(f"signal.{kind}.title"), "synthetic")


def column_places(count: int, columns: int = 3) -> list[DeltaGenerator]:
    """Where each of `count` widgets goes: filling the columns left to right, top to bottom."""
    per_column = -(-count // columns)
    places = st.columns(columns)
    return [places[slot // per_column] for slot in range(count)]


def signal_param(kind: str, spec: ParamSpec, length: int, where: DeltaGenerator) -> float:
    """One parameter's slider (a number box when a slider would have too many steps)."""
    key = remembered(state.signal_key(kind, spec.name), spec.default)
    high = highest(spec, length)
    st.session_state[key] = min(max(float(st.session_state[key]), spec.low), high)
    fits_a_slider = (high - spec.low) / spec.step <= SLIDER_MAX_STEPS
    widget = where.slider if fits_a_slider else where.number_input
    widget(
        text(f"signal.param.{spec.name}.label"),
        spec.low,
        float(high),
        step=spec.step,
        help=text(f"signal.param.{spec.name}.help"),
        key=key,
    )
    return float(remember(key))


def forget_removed_upload() -> None:
    """The user removed the file (its ✕): stop using it. A page change keeps it."""
    if st.session_state.get(state.UPLOAD_PICK) is None:
        state.set_upload(None)


def pick_upload() -> tuple[Series | tuple[Panel, dict[str, Panel]], state.Dataset] | None:
    limits = server_limits()
    stored = _stored_upload(limits.upload_bytes)
    if stored is None:
        return None
    name, raw = stored
    table, notes, numeric = load_upload(raw, name, limits.upload_bytes, limits.spreadsheet_cells)
    columns = [str(column) for column in table.columns]
    left, middle = st.columns(2)
    date_col, detected_date = _pick_date_column(table, name, columns, left)
    row_time = date_col is None
    target, default_target = _pick_target(table, name, columns, date_col, middle)
    options, panel_ids = widgets.cleaning_choices(table, name, date_col, target)
    if panel_ids:
        known = tuple(_pick_known(name, numeric, target, date_col))
        future = None
        if known and date_col is not None:
            future = _pick_future(name, panel_ids, date_col, known, limits.upload_bytes)
        chosen = (panel_ids, date_col, target, asdict(options), known, future)
        panel = cached_panel(raw, name, limits.upload_bytes, limits.spreadsheet_cells, *chosen)
        return panel, state.Dataset(name, "upload")
    covariates = _pick_covariates(name, numeric, target, date_col)  # a panel's are known ahead
    if options.group_col is not None:  # one series, or all combined, of every id column's
        table, _ = widgets.with_group_column(table, widgets.id_columns(table, date_col, target))
    if date_col == detected_date and target == default_target:
        date_col, target = None, None
    series = prepare(
        table,
        date_col=date_col,
        target=target,
        row_time=row_time,
        covariates=covariates,
        options=options,
        read_notes=notes,
    )
    return series, state.Dataset(name, "upload")


def _stored_upload(upload_bytes: int) -> tuple[str, bytes] | None:
    """The uploader; the name and bytes of the file this session holds, or None (said why)."""
    upload = st.file_uploader(
        text("data.upload"),
        type=["csv", "txt", "tsv", "xlsx"],
        help=text("data.upload_help"),
        key=state.UPLOAD_PICK,
        on_change=forget_removed_upload,
        max_upload_size=-(-upload_bytes // MIB),  # MB, for the browser; checked below
    )
    if upload is not None and upload.size > upload_bytes:
        state.set_upload(None)
        size, limit = f"{upload.size / MIB:.1f}", f"{upload_bytes / MIB:g}"
        st.error(text("data.upload_too_big", name=plain(upload.name), size=size, limit=limit))
        return None
    if upload is not None:
        state.set_upload(upload.name, upload.getvalue())
    stored = state.get_upload()
    if stored is None:
        st.info(text("data.upload_prompt"))
    return stored


def _pick_date_column(
    table: pd.DataFrame, name: str, columns: list[str], where: DeltaGenerator
) -> tuple[str | None, str | None]:
    """The date column chosen (None: time is the row number), and the one detected."""
    detected_date = detect_date_column(table)
    date_choice = where.selectbox(
        text("data.date_col"),
        [NO_DATE, *columns],
        help=text("data.date_col_help"),
        key=remembered(state.column_key("date", name), detected_date or NO_DATE),
    )
    remember(state.column_key("date", name))
    return (None if date_choice == NO_DATE else date_choice), detected_date


def _pick_target(
    table: pd.DataFrame, name: str, columns: list[str], date_col: str | None, where: DeltaGenerator
) -> tuple[str, str]:
    """The column to forecast, and the one detected (which a group column never is)."""
    targets = [column for column in columns if column != date_col]
    default_target = detect_target(
        table, exclude=(date_col, detect_group_column(table, date_col, None))
    )
    target_key = remembered(state.column_key("target", name), default_target)
    if st.session_state[target_key] not in targets:  # it became the date column
        st.session_state[target_key] = default_target
    target = where.selectbox(
        text("data.target"), targets, help=text("data.target_help"), key=target_key
    )
    remember(target_key)
    return target, default_target


def _pick_known(name: str, numeric: list[str], target: str, date_col: str | None) -> list[str]:
    """A panel's other numeric columns chosen as known ahead: their values past the target's
    last one are read for the forecast."""
    extras = [column for column in numeric if column not in (target, date_col)]
    if not extras:
        return []
    key = remembered(state.column_key("known", name), [])
    st.session_state[key] = [column for column in st.session_state[key] if column in extras]
    known = st.multiselect(text("data.known"), extras, help=text("data.known_help"), key=key)
    remember(key)
    return known


def _pick_future(
    name: str, ids: list[str], date_col: str, known: tuple[str, ...], upload_bytes: int
) -> tuple[str, bytes] | None:
    """The second uploader, of the future values of the columns known ahead; the name and bytes
    of the file held for upload `name` (kept after a page change, as the upload is), or None."""
    key, held = state.column_key("future", name), state.column_key("future_file", name)
    quoted = {"ids": _quoted(ids), "date": _quoted([date_col]), "known": _quoted(known)}
    upload = st.file_uploader(
        text("data.future"),
        type=["csv", "txt", "tsv", "xlsx"],
        help=text("data.future_help", **quoted),
        key=key,
        on_change=_forget_removed_future,
        args=(key, held),
        max_upload_size=-(-upload_bytes // MIB),  # MB, for the browser; checked below
    )
    if upload is not None and upload.size > upload_bytes:
        state.set_pick(held, None)
        size, limit = f"{upload.size / MIB:.1f}", f"{upload_bytes / MIB:g}"
        st.error(text("data.upload_too_big", name=plain(upload.name), size=size, limit=limit))
        return None
    if upload is not None:
        state.set_pick(held, (upload.name, upload.getvalue()))
    stored = state.picked(held)
    if upload is None and stored is not None:  # uploaded before a page change
        st.caption(text("data.future_held", name=plain(stored[0])))
        if st.button(text("data.future_forget"), key=f"{key}-forget"):
            state.set_pick(held, None)
            return None
    return stored


def _forget_removed_future(key: str, held: str) -> None:
    """The user removed the file of future values (its ✕): stop using it."""
    if st.session_state.get(key) is None:
        state.set_pick(held, None)


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{plain(name)}'" for name in names)


def _pick_covariates(name: str, numeric: list[str], target: str, date_col: str | None) -> list[str]:
    """The other numeric columns chosen as extra inputs; none where there are none."""
    extras = [column for column in numeric if column not in (target, date_col)]
    if not extras:
        return []
    key = remembered(state.column_key("covariates", name), [])
    st.session_state[key] = [column for column in st.session_state[key] if column in extras]
    covariates = st.multiselect(
        text("data.covariates"), extras, help=text("data.covariates_help"), key=key
    )
    remember(key)
    return covariates


PICKERS = {"sample": pick_sample, "synthetic": pick_synthetic, "upload": pick_upload}
