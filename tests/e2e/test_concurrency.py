"""Two users train at once: both runs finish, and a third user meanwhile gets the app quickly."""

import time

from playwright.sync_api import Browser, Page, expect

from tests.e2e.drive import fill_train_form, press_train, stop_training, wait_trained

# Ten seconds is the limit for keeping a user's attention on a wait (Nielsen, "Response Times:
# The 3 Important Limits"). Measured on 2 busy cores (bench/concurrency.py): 1.4 s with nothing
# training, 3.4 s during two trainings, 54 s while Streamlit collected garbage after each rerun.
RESPONSIVE_S = 10
EPOCHS = 5000  # with patience 0 it trains until stopped, so it is surely running meanwhile


def stop_button(page: Page):
    return page.get_by_role("button", name="Stop").first  # a redraw can show it twice briefly


def new_page(browser: Browser, context_args: dict) -> Page:
    return browser.new_context(**context_args).new_page()


def test_two_sessions_train_at_once_both_finish_and_a_third_gets_the_app_meanwhile(
    app_url, browser, browser_context_args
):
    trainers = [new_page(browser, browser_context_args) for _ in range(2)]
    for page in trainers:
        page.goto(f"{app_url}/data", wait_until="commit")
    for page in trainers:
        expect(page.get_by_text("Airline passengers").first).to_be_visible(timeout=60_000)
        fill_train_form(page, "LSTM", epochs=EPOCHS, patience=0)
    for page in trainers:
        press_train(page)
    for page in trainers:
        expect(stop_button(page)).to_be_visible(timeout=60_000)

    visitor = new_page(browser, browser_context_args)
    started = time.perf_counter()
    visitor.goto(app_url)
    expect(visitor.get_by_role("button", name="Try it: forecast airline passengers")).to_be_visible(
        timeout=60_000
    )
    waited = time.perf_counter() - started
    for page in trainers:
        expect(stop_button(page)).to_be_visible()  # still training
    assert waited < RESPONSIVE_S, f"the home page took {waited:.1f} s during two trainings"

    for page in trainers:
        stop_training(page)
    for page in trainers:
        wait_trained(page, "LSTM #1")
        page.get_by_role("button", name="See the forecast").click()
        expect(page.get_by_text("Accuracy on the test part")).to_be_visible(timeout=60_000)
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
    for page in [*trainers, visitor]:
        page.context.close()
