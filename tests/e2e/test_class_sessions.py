"""Many sessions on one link, spoken to in Streamlit's own protocol (bench/class_sessions.py,
whose 30-session figures are in bench/RESULTS.md): one training, a forecast for everyone."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from bench.class_sessions import stream, visit
from tests.e2e.test_polling_in_browser import SMALL_LINK
from tests.e2e.test_workspace_in_browser import QUEUED, server_log

SESSIONS = 6


async def together(url: str, params: dict[str, str]):
    return await asyncio.gather(*(visit(stream(url), params) for _ in range(SESSIONS)))


def test_sessions_opening_one_link_at_once_all_get_the_forecast_of_one_training(app_url):
    seen = len(server_log())
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        visits = thread.submit(asyncio.run, together(app_url, {**SMALL_LINK, "seed": "2201"}))
        visits = visits.result()
    assert all(visit.seconds is not None for visit in visits), [v.seconds for v in visits]
    assert sum(visit.session.errors for visit in visits) == 0
    assert all(visit.session.polled > 0 for visit in visits), "each polled its progress"
    queued = [line for line in server_log()[seen:].splitlines() if QUEUED in line]
    assert len(queued) == 1, f"one training for {SESSIONS} sessions, not {len(queued)}"
    assert all("ws=" in visit.session.query for visit in visits), "each has its workspace"
    assert len({visit.session.query for visit in visits}) == SESSIONS
    assert urlencode(SMALL_LINK) not in visits[0].session.query, "the link was read once"
