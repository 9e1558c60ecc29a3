"""A visitor with bad intent, in a real browser: an oversized link is refused, and a training
left behind by a closed tab ends on the server."""

import re
import time
import tomllib
from urllib.parse import urlencode

from playwright.sync_api import Browser, expect

from forecasting.background import SESSION_GRACE_S, SWEEP_EVERY_S
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.server import ROOT

OVERSIZED = {"sample": "sunspots", "hidden_size": "4096", "num_layers": "16", "members": "15",
             "epochs": "100000", "patience": "0"}  # fmt: skip
# minutes of training (5,000 epochs of three members), far past the sweep's grace; with one
# small member it once ended on its own 18 s in, before its closed tab's grace ran out
ENDLESS = {"sample": "airline", "cell": "lstm", "hidden_size": "32", "members": "3",
           "epochs": "5000", "patience": "0", "page": "train"}  # fmt: skip
JOB = re.compile(r"job (\d+) \(TrainingJob\) queued")


def ping_interval_s() -> float:
    """A tab gone without closing its websocket is noticed after at most two ping intervals."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return float(config["server"]["websocketPingInterval"])


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
    bound = 2 * ping_interval_s() + SESSION_GRACE_S + SWEEP_EVERY_S + 10
    ended = f"job {number} (TrainingJob) ended: session"
    while ended not in server_log()[seen:]:
        log = server_log()[seen:][-2000:]
        assert time.monotonic() - closed < bound, f"job {number} still runs; the log:\n{log}"
        time.sleep(0.5)
    took = time.monotonic() - closed
    print(f"orphaned job stopped {took:.1f} s after its tab closed")
