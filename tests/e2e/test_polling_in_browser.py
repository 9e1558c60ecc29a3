"""Pages that poll a training, in a real browser: a busy browser's polls sent twice never blank
the page the training ends on, and a page reloaded mid-training still gets its run."""

import re
import time
from urllib.parse import urlencode

from playwright.sync_api import Browser, Locator, Page, WebSocketRoute, expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.e2e.test_workspace_in_browser import (
    ERRORS,
    forecast_chart,
    shows_forecast,
    workspace_key,
)

SMALL_LINK = {"sample": "airline", "cell": "lstm", "hidden_size": "8", "members": "1",
              "epochs": "20", "patience": "0", "page": "forecast"}  # fmt: skip
STREAM = re.compile(r".*/_stcore/stream$")
RESENT_AFTER_S = (0.03, 0.1, 0.2, 0.4)  # one lands while the run that ends it switches page
FORECAST_S = 90.0
STAYS_S = 4.0  # how long the forecast must stay drawn after it appears
LONG_EPOCHS = "1500"  # a training still under way when the page reloads (about 30 s)


def fragment_poll(message: str | bytes) -> bool:
    """Whether a message from the page is a fragment's timed rerun (run_every)."""
    if not isinstance(message, bytes):
        return False
    back = BackMsg()
    back.ParseFromString(message)
    return back.WhichOneof("type") == "rerun_script" and bool(back.rerun_script.fragment_id)


class PollsSentTwice:
    """A page whose fragment polls reach the server again, copies RESENT_AFTER_S later, as
    those of a browser too busy to keep its timers apart do. The copies go out while the test
    waits in `wait` (Playwright's sync API sends from the test's own thread only)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.resent = 0
        self._later: list[tuple[float, WebSocketRoute, bytes]] = []
        page.route_web_socket(STREAM, self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_page(message: str | bytes) -> None:
            server.send(message)
            if fragment_poll(message):
                now = time.monotonic()
                self._later += [(now + after, server, message) for after in RESENT_AFTER_S]

        socket.on_message(from_page)

    def wait(self, seconds: float, until: Locator | None = None) -> bool:
        """Wait `seconds`, sending the copies as they fall due; True once `until` is visible."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(10)
            due = [held for held in self._later if held[0] <= time.monotonic()]
            for held in due:
                self._later.remove(held)
                held[1].send(held[2])
                self.resent += 1
            if until is not None and until.count() > 0 and until.first.is_visible():
                return True
        return until is None


def test_polls_sent_twice_as_a_training_ends_leave_its_forecast_drawn(
    app_url, browser: Browser, browser_context_args
):
    for seed in (2101, 2102, 2104):
        page = browser.new_context(**browser_context_args).new_page()
        busy = PollsSentTwice(page)
        page.goto(f"{app_url}/?{urlencode({**SMALL_LINK, 'seed': str(seed)})}")
        assert busy.wait(FORECAST_S, until=forecast_chart(page)), f"no forecast for seed {seed}"
        busy.wait(STAYS_S)
        shows_forecast(page, f"polled-twice-{seed}", timeout_ms=1_000)
        expect(page.locator(ERRORS)).to_have_count(0)
        assert busy.resent > 0, "the page's polls were sent twice"
        page.context.close()


def test_a_page_reloaded_mid_training_watches_it_again_and_gets_the_run(
    app_url, browser: Browser, browser_context_args
):
    page = browser.new_context(**browser_context_args).new_page()
    link = {**SMALL_LINK, "epochs": LONG_EPOCHS, "seed": "2103"}
    page.goto(f"{app_url}/?{urlencode(link)}")
    progress = page.locator("[data-testid='stProgress']")
    expect(progress).to_contain_text("Epoch", timeout=60_000)
    key = workspace_key(page)
    page.reload()
    expect(progress).to_contain_text("Epoch", timeout=30_000)
    assert workspace_key(page) == key
    page.get_by_role("button", name="Stop").last.click()
    expect(page.get_by_text(re.compile(r"^Trained LSTM #1"))).to_be_visible(timeout=60_000)
    expect(page.locator(ERRORS)).to_have_count(0)
    page.reload()
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("Run: LSTM #1")
    page.context.close()
