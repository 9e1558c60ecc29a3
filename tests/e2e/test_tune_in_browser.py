"""A search from the browser: a sample, a few trials watched live, the winner trained."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.drive import TRAINING_TIMEOUT_MS, fill_number
from tests.e2e.server import VIEWPORT

RUNNING = re.compile(r"^running$")
LIVE = re.compile(r"^\d of 3 trials done|^Starting the search")


def test_a_user_tunes_on_a_sample_watches_it_live_and_trains_the_winner(app_url, page: Page):
    page.goto(f"{app_url}/data")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("(144 points)")).to_be_visible(timeout=60_000)  # the data is in
    page.get_by_role("link", name="Tune").click()
    expect(page.get_by_text("Searching on Airline passengers")).to_be_visible(timeout=60_000)

    fill_number(page, "Trials", 3)
    for thumb in ("end", "start"):  # wide networks: trials long enough to watch
        page.get_by_role("slider", name=f"Hidden size — {thumb} Hidden size").press("End")
    expect(page.get_by_role("slider", name="Hidden size — start Hidden size")).to_have_attribute(
        "aria-valuetext", "256"
    )
    page.get_by_text("Where studies are kept").click()
    expect(page.get_by_role("textbox", name="Storage URL")).to_have_count(0)  # the operator's
    page.get_by_role("button", name="Start", exact=True).click()

    expect(
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop")
    ).to_be_visible(timeout=60_000)
    running = page.locator("[data-testid='stDataFrame'] [role=gridcell]", has_text=RUNNING)
    expect(running.first).to_be_attached(timeout=60_000)  # a trial training, in the live table
    expect(page.get_by_text(LIVE).first).to_be_visible()
    expect(page.locator(".js-plotly-plot", has_text="Optimisation history")).to_have_count(1)

    expect(page.get_by_text("Best trial:")).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    expect(
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop")
    ).to_have_count(0)
    trials = page.locator("[data-testid='stDataFrame'] table[role=grid]").filter(
        has=page.locator("th", has_text="Validation MASE")
    )
    expect(trials).to_have_attribute("aria-rowcount", "4")  # the header and three trials
    expect(page.get_by_role("tab", name="Parallel coordinates")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 3_200})  # the whole page
    page.wait_for_timeout(1_000)
    page.screenshot(path=str(ARTIFACTS / "e2e-tune.png"))
    page.set_viewport_size(VIEWPORT)

    page.get_by_role("button", name="Train the best now").click()
    expect(page.get_by_text("Accuracy on the test part")).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    legend = page.locator(".js-plotly-plot .legendtext", has_text=re.compile(r"#1 forecast$"))
    expect(legend.first).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
