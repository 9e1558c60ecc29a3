"""A visitor with bad intent, in a real browser: an oversized link is refused, and a training
left behind by a closed tab ends on the server."""

import re
import time
from urllib.parse import urlencode

from playwright.sync_api import Browser, expect

from forecasting.background import SESSION_GRACE_S, SWEEP_EVERY_S
from tests.e2e.conftest import ARTIFACTS

OVERSIZED = {"sample": "sunspots", "hidden_size": "4096", "num_layers": "16", "members": "15",
             "epochs": "100000", "patience": "0"}  # fmt: skip
ENDLESS = {"sample": "airline", "cell": "lstm", "hidden_size": "8", "members": "1",
           "epochs": "5000", "patience": "0", "page": "train"}  # fmt: skip
JOB = re.compile(r"job (\d+) \(TrainingJob\) queued")


def server_log() -> str:
    return (ARTIFACTS / "streamlit.log").read_text()


def test_the_oversized_link_is_refused_on_the_page(app_url, page):
    page.goto(f"{app_url}/?{urlencode(OVERSIZED)}")
    error = page.locator("[data-testid='stAlertContentError']")
    expect(error).to_contain_text("hidden_size is 4,096", timeout=60_000)
    expect(error).to_contain_text("FORECAST_LAB_HIDDEN_SIZE")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)


def test_closing_the_tab_mid_training_ends_the_job_on_the_server(
    app_url, browser: Browser, browser_context_args
):
    seen = len(server_log())
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto(f"{app_url}/?{urlencode({**ENDLESS, 'page': 'forecast'})}")
    expect(page.get_by_role("button", name="Stop").first).to_be_visible(timeout=60_000)
    [number] = JOB.findall(server_log()[seen:])[:1]
    context.close()  # the visitor closes the tab mid-training
    closed = time.monotonic()
    ended = f"job {number} (TrainingJob) ended: session"
    while ended not in server_log()[seen:]:
        assert time.monotonic() - closed < 60, f"job {number} still runs 60 s after its tab closed"
        time.sleep(0.5)
    took = time.monotonic() - closed
    assert took <= SESSION_GRACE_S + SWEEP_EVERY_S + 10
    print(f"orphaned job stopped {took:.1f} s after its tab closed")
