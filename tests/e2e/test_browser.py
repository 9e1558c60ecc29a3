"""The app as a user meets it: a sample, a trained LSTM, an uploaded CSV, a GRU, both forecasts."""

import numpy as np
import pandas as pd
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.drive import train


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
