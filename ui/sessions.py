"""Which browser session runs this script, and whether a session is still connected."""

from __future__ import annotations

import logging

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
