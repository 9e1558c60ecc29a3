"""Share links in the app: open one on a session's first run, and offer one for a run."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from data.catalog import sample, samples
from data.errors import DataError
from data.series import Series
from data.synthetic import SIGNALS
from forecasting.job import TrainingJob
from forecasting.limits import server_limits
from forecasting.share import DataSource, ShareError, decode, encode
from forecasting.summary import RunSummary
from ui import pickers, state
from ui.state import text
from ui.text import LANGUAGES, plain

PAGES_DIR = Path(__file__).resolve().parents[1] / "app_pages"


def page_names() -> list[str]:
    return sorted(path.stem for path in PAGES_DIR.glob("*.py"))


def page_path(name: str) -> str:
    return f"app_pages/{name}.py"


def source_series(source: DataSource) -> tuple[Series, state.Dataset]:
    """The series and its name exactly as the Data page makes them from the same choices."""
    if source.kind == "sample":
        return pickers.cached_sample(source.key), state.Dataset(sample(source.key).name, "sample")
    params = dict(source.params)
    return pickers.synthetic_series(source.key, source.length, source.seed, params, source.gaps)


def apply_source(
    source: DataSource, made: tuple[Series, state.Dataset] | None = None
) -> tuple[Series, state.Dataset]:
    """Make `source` the current data (`made` from it already, when given), with the Data
    page's choices set to match."""
    series, dataset = made or source_series(source)
    state.set_pick(state.SOURCE_PICK, source.kind)
    if source.kind == "sample":
        state.set_pick(state.SAMPLE_PICK, source.key)
    else:
        state.set_pick(state.SIGNAL_PICK, source.key)
        state.set_pick(state.LENGTH_PICK, source.length)
        state.set_pick(state.SEED_PICK, source.seed)
        for name, value in source.params.items():
            state.set_pick(state.signal_key(source.key, name), value)
        state.set_pick(state.signal_key(source.key, "gaps"), source.gaps)
    state.set_series(series, dataset)
    state.set_shared_source(series, source)
    return series, dataset


def open_link() -> None:
    """On a session's first run, do what its link asks: language, data, settings, training, page."""
    if not state.first_link_read():
        return
    params = st.query_params.to_dict()
    params.pop(state.WORKSPACE_PARAM, None)
    if not params:
        return
    for name in params:  # read once: a reload opens the workspace, not the link again
        st.query_params.pop(name, None)
    try:
        limits = server_limits()
        demo = decode(params, languages=LANGUAGES, pages=page_names(), limits=limits)
        if demo.language and demo.language != state.language():
            state.set_language(demo.language)
            if demo.source is None:
                st.rerun()  # the page titles, already made, take the link's language
        if demo.source is None:
            return
        made = source_series(demo.source)
        series = made[0]
        config = (
            demo.config_for(len(series), series.season_length, limits) if demo.settings else None
        )
    except (ShareError, DataError) as err:
        st.error(text("share.bad_link", error=plain(err)))
        return
    series, dataset = apply_source(demo.source, made)
    if config is not None:
        state.set_form_start(series, config)
    if demo.trains:
        runs_before = len(state.runs())  # a run trained for another visitor is copied at once
        if not state.start_job(TrainingJob(series, config, dataset.name), shared=True):
            return
        state.set_link_page(demo.opens, runs_before)
        if state.get_job() is not None:  # not when the run was copied: that notice stays
            state.set_notice("info", text("share.training"))
        st.switch_page(page_path("train"))
    if config is not None:
        state.set_notice("info", text("share.form_filled"))
    st.switch_page(page_path(demo.opens))


def follow_link() -> None:
    """Once a shared link's training has become a run, open the page the link asked for."""
    pending = state.link_page()
    if pending is None or state.get_job() is not None:
        return
    state.set_link_page(None)
    page, runs_before = pending
    if len(state.runs()) > runs_before:
        st.switch_page(page_path(page))


def note_source() -> None:
    """Remember where the current series came from, so a link can name it after the picks change."""
    series, dataset = state.get_series(), state.get_dataset()
    if series is None or dataset is None or state.shared_source(series.fingerprint()) is not None:
        return
    state.set_shared_source(series, described(series, dataset))


def described(series: Series, dataset: state.Dataset) -> DataSource | str:
    """The source that makes `series` again, or why there is none: "upload" or "unknown"."""
    if dataset.kind == "upload":
        return "upload"
    source = picked_source(dataset)
    if source is None:
        return "unknown"
    try:
        made, _ = source_series(source)
    except DataError:
        return "unknown"
    return source if made.fingerprint() == series.fingerprint() else "unknown"


def picked_source(dataset: state.Dataset) -> DataSource | None:
    """The source the Data page's current choices describe, for a sample or a signal."""
    if dataset.kind == "sample":
        key = next((entry.key for entry in samples() if entry.name == dataset.name), None)
        return None if key is None else DataSource.sample(key)
    kind = state.picked(state.SIGNAL_PICK)
    if dataset.kind != "synthetic" or kind not in SIGNALS:
        return None
    params = {
        spec.name: float(state.picked(state.signal_key(kind, spec.name), spec.default))
        for spec in SIGNALS[kind].params
    }
    length = int(state.picked(state.LENGTH_PICK, 500))
    seed = int(state.picked(state.SEED_PICK, 0))
    gaps = str(state.picked(state.signal_key(kind, "gaps"), "interpolate"))
    try:
        return DataSource.synthetic(kind, length, seed, params, gaps)
    except ShareError:
        return None


def link_url(params: dict[str, str], page: str) -> str:
    """The whole link when the browser's address is known (not under AppTest), else `?...`."""
    query = urlencode(params)
    address = st.context.url
    if not address:
        return f"?{query}"
    root = address.split("?")[0].rstrip("/").removesuffix(f"/{page}")
    return f"{root}/?{query}"


def link_section(summary: RunSummary, page: str = "forecast") -> None:
    """The link to this run on its data, with a copy button; or why there is none."""
    st.subheader(text("share.title"))
    note_source()
    source = state.shared_source(summary.series.fingerprint())
    if not isinstance(source, DataSource):
        st.info(text("share.no_upload" if source == "upload" else "share.no_source"))
        return
    params = encode(source, summary.run.config, state.language(), page)
    st.code(link_url(params, page), language=None, wrap_lines=True)
    st.caption(text("share.help"))
    if summary.model_mase is not None:
        st.caption(text("share.mase", mase=summary.model_mase))
