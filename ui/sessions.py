"""Which browser session runs this script, and whether a session is still connected."""

from __future__ import annotations

import logging
from typing import NoReturn

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from forecasting.background import server_jobs


def session_id() -> str | None:
    """The session of the calling script thread; None outside a script run."""
    context = get_script_run_ctx(suppress_warning=True)
    return None if context is None else context.session_id


def session_alive(session: str) -> bool:
    """Whether `session` is still connected; True where no server runs (tests, scripts)."""
    return not Runtime.exists() or Runtime.instance().is_active_session(session)


def rerun_app() -> NoReturn:
    """Rerun the whole app from a polling fragment whose job has ended. The session forgets its
    fragments first, so a poll the browser sent twice (a busy one does) is dropped on arrival:
    run after the page changed, it would blank the new page (Streamlit 1.67 runs it with the
    old page's hash). The full run registers again the fragments it draws."""
    context = get_script_run_ctx(suppress_warning=True)
    if context is not None:
        context.fragment_storage.clear()
    st.rerun()


POLL_S, POLL_MOST_S, WATCHERS_PER_POLL = 0.5, 3.0, 4


def poll_every() -> float:
    """How often a page polls its job: twice a second while a few sessions watch jobs, slower as
    more do, so that a class of thirty costs the server what about four sessions would."""
    watchers = server_jobs()[1].watchers()
    return min(POLL_S * max(1.0, watchers / WATCHERS_PER_POLL), POLL_MOST_S)


def watch_sessions() -> None:
    """Jobs remember the session that started them, and end once it has gone; the server's log
    lists each job as it is queued, runs and ends."""
    jobs_log = logging.getLogger("forecast_lab")
    if not jobs_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        jobs_log.addHandler(handler)
        jobs_log.setLevel(logging.INFO)
    server_jobs()[1].watch_sessions(session_id, session_alive)
