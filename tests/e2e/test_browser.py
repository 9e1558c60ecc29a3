"""The app as a user meets it: a sample, a trained LSTM, an uploaded CSV, a GRU, both forecasts."""

import numpy as np
import pandas as pd
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ARTIFACTS

TRAINING_TIMEOUT_MS = 180_000


def choose(page: Page, cells: Locator, cell: str) -> None:
    """Click the cell's radio button; a rerun can briefly draw the form twice, so retry."""
    for _ in range(20):
        choice = cells.get_by_text(cell, exact=True)
        try:
            expect(choice).to_have_count(1, timeout=10_000)
            choice.click(timeout=5_000)
            expect(cells.get_by_role("radio", name=cell)).to_be_checked(timeout=5_000)
            return
        except (PlaywrightError, AssertionError):
            page.wait_for_timeout(500)
    raise AssertionError(f"could not choose the {cell} cell")


def train(page: Page, run_name: str, epochs: int) -> None:
    """Train the cell that starts `run_name` ("GRU #3") and wait until that very run is done."""
    cell = run_name.split()[0]
    page.get_by_role("link", name="Train").click()
    cells = page.get_by_role("radiogroup", name="Cell")
    expect(cells).to_have_count(1, timeout=30_000)  # one form: the last run's elements are gone
    choose(page, cells, cell)
    epochs_input = page.get_by_role("spinbutton", name="Epochs")
    epochs_input.fill(str(epochs))
    epochs_input.press("Tab")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(f"Trained {run_name} in")).to_be_visible(timeout=TRAINING_TIMEOUT_MS)


def open_forecast(page: Page) -> None:
    page.get_by_role("button", name="See the forecast").click()
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Accuracy on the test part")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def legend(page: Page) -> list[str]:
    return page.locator(".js-plotly-plot .legendtext").all_text_contents()


def test_a_user_trains_on_a_sample_then_on_an_upload_and_sees_both_forecasts(
    app_url, page, tmp_path
):
    page.goto(f"{app_url}/data")
    expect(page.get_by_text("Airline passengers").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("What was done to the data")).to_be_visible()

    train(page, "LSTM #1", epochs=3)
    open_forecast(page)
    assert {"data", "LSTM #1 forecast", "LSTM #1 on held-out data"} <= set(legend(page))
    assert {"80% interval", "95% interval"} <= set(legend(page))
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() >= 5

    csv = tmp_path / "shop.csv"
    days = pd.date_range("2023-01-01", periods=200, freq="D")
    noise = np.random.default_rng(0).normal(0, 2, 200)
    sales = 100 + 10 * np.sin(np.arange(200) * 2 * np.pi / 7) + noise
    pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "sales": sales.round(2)}).to_csv(
        csv, index=False
    )
    page.get_by_role("link", name="Data").click()
    page.get_by_text("Upload a file").click()
    page.locator("input[type=file]").set_input_files(csv)
    expect(page.get_by_text("Training on")).to_have_count(0)
    expect(page.get_by_text("shop.csv").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Using 'day' as the date column (detected).")).to_be_visible()

    train(page, "LSTM #2", epochs=3)
    train(page, "GRU #3", epochs=3)
    open_forecast(page)
    drawn = set(legend(page))
    assert {"GRU #3 forecast", "GRU #3 on held-out data", "LSTM #2 forecast"} <= drawn
    assert "LSTM #1 forecast" not in drawn, "a run on other data is not drawn over this data"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-forecast.png"), full_page=True)
