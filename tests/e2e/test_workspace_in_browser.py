"""A class opening one link in real browsers: the server trains once, every visitor keeps the run
in their own workspace, and a reload finds it there."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS

CLASS_LINK = {"sample": "airline", "cell": "lstm", "hidden_size": "8", "members": "1",
              "epochs": "20", "patience": "0", "seed": "1818", "page": "forecast"}  # fmt: skip
QUEUED = "(TrainingJob) queued"
FORECAST_TIMEOUT_MS = 90_000  # a few seconds of training; about 20 s to the chart on 2 cores
MASE = re.compile(r"^Model MASE here: \d+\.\d{4}$")
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


def server_log() -> str:
    return (ARTIFACTS / "streamlit.log").read_text()


def forecast_chart(page: Page):
    return page.locator(".js-plotly-plot .legendtext", has_text="LSTM #1 forecast").first


def shows_forecast(page: Page, name: str, timeout_ms: int = FORECAST_TIMEOUT_MS) -> None:
    """Wait for the forecast; else keep a screenshot (artifacts/e2e-workspace-NAME.png) and say
    where the page is."""
    try:
        expect(forecast_chart(page)).to_be_visible(timeout=timeout_ms)
    except AssertionError:
        page.screenshot(path=str(ARTIFACTS / f"e2e-workspace-{name}.png"), full_page=True)
        headings = page.locator("h1").all_inner_texts()
        notices = page.locator("[data-testid='stAlert']").all_inner_texts()
        raise AssertionError(
            f"visitor {name} has no forecast: at {urlsplit(page.url).path}, headings "
            f"{headings}, notices {notices}"
        ) from None


def workspace_key(page: Page) -> str:
    [key] = parse_qs(urlsplit(page.url).query)["ws"]
    return key


def test_a_class_opening_one_link_trains_once_and_a_reload_keeps_the_run(
    app_url, browser: Browser, browser_context_args
):
    seen = len(server_log())
    link = f"{app_url}/?{urlencode(CLASS_LINK)}"
    pages = [browser.new_context(**browser_context_args).new_page() for _ in range(3)]
    for page in pages:  # all three sessions start before any has trained
        page.goto(link, wait_until="commit")
    shown = []
    for number, page in enumerate(pages):
        shows_forecast(page, f"class-{number}")
        expect(page.get_by_text(MASE)).to_be_visible()
        expect(page.locator(ERRORS)).to_have_count(0)
        shown.append(page.get_by_text(MASE).inner_text())
    assert len(set(shown)) == 1, f"every visitor sees the same run: {shown}"
    keys = {workspace_key(page) for page in pages}
    assert len(keys) == 3, "each visitor has a workspace of their own"
    queued = [line for line in server_log()[seen:].splitlines() if QUEUED in line]
    assert len(queued) == 1, f"one training for the class, not {len(queued)}:\n" + "\n".join(queued)

    first = pages[0]
    key = workspace_key(first)
    first.reload()
    shows_forecast(first, "reloaded", timeout_ms=60_000)
    expect(first.locator("[data-testid='stSidebar']")).to_contain_text("Run: LSTM #1")
    expect(first.locator(ERRORS)).to_have_count(0)
    assert workspace_key(first) == key, "the reload opens the same workspace"
    assert sum(QUEUED in line for line in server_log()[seen:].splitlines()) == 1, "no retraining"
    for page in pages:
        page.context.close()


def test_a_visitor_opening_the_link_after_the_class_gets_its_forecast_without_training(
    app_url, browser: Browser, browser_context_args
):
    seen = len(server_log())
    link = f"{app_url}/?{urlencode({**CLASS_LINK, 'seed': '1819'})}"
    pages = []
    for name in ("first", "late"):  # the first trains and keeps the run; then the late one
        page = browser.new_context(**browser_context_args).new_page()
        page.goto(link)
        shows_forecast(page, name)
        expect(page.locator(ERRORS)).to_have_count(0)
        pages.append(page)
    queued = [line for line in server_log()[seen:].splitlines() if QUEUED in line]
    assert len(queued) == 1, "the late visitor's run is a copy, not a second training"
    for page in pages:
        page.context.close()
