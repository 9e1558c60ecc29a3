"""A panel in a real browser: a long file of three store-product series uploaded and read each on
its own, one tiny network trained on them all, every series scored and downloaded on the Forecast
page, and the picker switching the chart from one series to another."""

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.e2e.drive import fill_train_form, press_train, wait_trained

SERIES = {("north", "tea"): 10.0, ("north", "cake"): 200.0, ("south", "tea"): 3000.0}
LABELS = [f"{store} / {product}" for store, product in SERIES]
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
EACH = "each on its own (one network)"
SHOTS = os.environ.get("PANEL_SHOTS", "")  # a folder for full-page screenshots, e.g. /tmp/x
PANEL_TIMEOUT_MS = 60_000


def sales_csv(path: Path) -> Path:
    """Daily sales of three store-product series of very different sizes (weekly rhythm), as
    tests/test_panel_pages.py makes them: 84 days each, one row per day, store and product."""
    days = pd.date_range("2024-01-01", periods=84, freq="D")
    noise = np.random.default_rng(0)
    rows = []
    for number, ((store, product), level) in enumerate(SERIES.items()):
        rhythm = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(84) + number) / 7)
        units = np.round(level * (rhythm + noise.normal(0, 0.03, 84)), 2)
        rows += [
            (day.date(), store, product, value) for day, value in zip(days, units, strict=True)
        ]
    pd.DataFrame(rows, columns=["date", "store", "product", "units"]).to_csv(path, index=False)
    return path


def no_errors(page: Page) -> None:
    expect(page.locator(ERRORS)).to_have_count(0)


def metric(page: Page, label: str) -> Locator:
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def selectbox(page: Page, label: str) -> Locator:
    """The selectbox `label`'s search field; its value is the option chosen."""
    return page.get_by_role("combobox", name=label, exact=True)


def options(page: Page, label: str) -> list[str]:
    """The selectbox's options, as its list shows them (opened from the keyboard, closed again
    with Escape); a rerun can redraw the field under the key press, so retry."""
    listed = page.get_by_role("listbox").get_by_role("option")
    for _ in range(20):
        try:
            selectbox(page, label).press("ArrowDown")
            expect(listed.first).to_be_visible(timeout=2_000)
            names = listed.all_inner_texts()
            selectbox(page, label).press("Escape")
            expect(listed).to_have_count(0)
            return names
        except (PlaywrightError, AssertionError):
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError(f"could not open the selectbox {label!r}")


def pick(page: Page, label: str, option: str) -> None:
    """Search the selectbox `label` for `option`, as a user types a series' name, and take it
    (retried, as `options` is)."""
    field = selectbox(page, label)
    for _ in range(20):
        try:
            field.fill(option)
            page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click(
                timeout=2_000
            )
            expect(field).to_have_value(option, timeout=5_000)
            return
        except (PlaywrightError, AssertionError):
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError(f"could not pick {option!r} in the selectbox {label!r}")


def grid(page: Page, column: str) -> Locator:
    """The dataframe whose header holds `column`: its accessible table (hidden, beside the
    canvas the cells are drawn on) names the rows and holds the cells' text."""
    return page.locator("[data-testid='stDataFrame'] table[role=grid]").filter(
        has=page.locator("th", has_text=column)
    )


def frame(page: Page, column: str) -> Locator:
    """The dataframe whose header holds `column`, as drawn."""
    header = page.locator("table[role=grid] th", has_text=column)
    return page.get_by_test_id("stDataFrame").filter(has=header)


def forecast_chart(page: Page) -> dict:
    """The forecast chart's title and the data trace's values, as Plotly holds them, once it
    has drawn them (a rerun redraws the chart: for a moment it holds nothing)."""
    chart = page.locator(".st-key-forecast-chart .js-plotly-plot")
    for _ in range(60):
        expect(chart).to_have_count(1, timeout=PANEL_TIMEOUT_MS)  # a rerun's stale one gone
        try:
            drawn = chart.evaluate(
                """plot => plot.layout && plot.data && {
                    title: plot.layout.title && plot.layout.title.text,
                    data: plot.data.filter(trace => trace.name === 'data').map(trace => trace.y)}"""
            )
        except PlaywrightError:  # redrawn while read
            drawn = None
        if drawn and drawn["data"]:
            return drawn
        page.wait_for_timeout(500)
    raise AssertionError("the forecast chart draws no data")


def shoot(page: Page, name: str) -> None:
    """The whole page, 1400 px wide: the app scrolls inside its own block, so the window is
    made as tall as that block for the screenshot."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no tooltip left open over the page, by hover or by focus
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(1_000)  # charts and tables finish drawing
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1000, min(int(height) + 100, 8_000))})
    page.wait_for_timeout(1_000)
    page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_a_user_uploads_a_panel_trains_one_network_and_sees_every_series_scored(
    app_url, page: Page, tmp_path
):
    csv = sales_csv(tmp_path / "sales.csv")
    page.goto(f"{app_url}/data")
    expect(page.get_by_text("Upload a file")).to_be_visible(timeout=PANEL_TIMEOUT_MS)
    page.get_by_text("Upload a file").click()
    page.locator("input[type=file]").set_input_files(csv)
    each = page.get_by_role("radiogroup", name="Use every series:")
    expect(each).to_be_visible(timeout=PANEL_TIMEOUT_MS)
    each.get_by_text(EACH, exact=True).click()
    expect(each.get_by_role("radio", name=EACH)).to_be_checked()
    ids = page.get_by_test_id("stMultiSelect").filter(has_text="Series named by")
    expect(ids).to_contain_text("store", timeout=PANEL_TIMEOUT_MS)
    expect(ids).to_contain_text("product")
    expect(metric(page, "Series")).to_have_text("3", timeout=PANEL_TIMEOUT_MS)
    expect(metric(page, "Shortest")).to_have_text("84")
    expect(metric(page, "Longest")).to_have_text("84")
    expect(selectbox(page, "Look at a series")).to_have_value(LABELS[0])
    assert options(page, "Look at a series") == LABELS
    expect(page.locator(".js-plotly-plot", has_text="3 of 3 series")).to_be_visible()
    no_errors(page)
    shoot(page, "data-panel")

    fill_train_form(page, "LSTM", epochs=3, smallest=("Hidden size", "Networks in the ensemble"))
    lead = re.compile(r"3 series from sales\.csv \(all 84 points long\)")
    expect(page.get_by_text(lead)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Calendar inputs")).to_be_checked()
    expect(page.get_by_role("textbox", name="Holidays of (country code)")).to_be_visible()
    no_errors(page)
    shoot(page, "train-panel")
    press_train(page)
    wait_trained(page, "LSTM panel #1", timeout_ms=PANEL_TIMEOUT_MS)
    no_errors(page)

    page.get_by_role("button", name="See the forecast").click()
    series_label = "Series (3, worst score first)"
    expect(selectbox(page, series_label)).to_be_visible(timeout=PANEL_TIMEOUT_MS)
    assert sorted(options(page, series_label)) == sorted(LABELS)
    before = forecast_chart(page)
    heading = page.get_by_role("heading", name="Every series (3 scored)")
    expect(heading).to_be_visible(timeout=PANEL_TIMEOUT_MS)
    scores = grid(page, "verdict")
    expect(frame(page, "verdict")).to_be_visible()
    expect(scores).to_have_attribute("aria-rowcount", "4")  # the header and one row per series
    for name in ("north", "south", "tea", "cake"):
        expect(scores).to_contain_text(name)
    expect(frame(page, "geometric-mean MASE")).to_be_visible()
    aggregate = grid(page, "geometric-mean MASE")
    expect(aggregate).to_contain_text("total absolute error")
    expect(aggregate).to_contain_text("seasonal naive")
    no_errors(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Every series' forecast (CSV)").click()
    every = pd.read_csv(download.value.path())
    assert list(every.columns[:3]) == ["store", "product", "timestamp"], list(every.columns)
    assert sorted(every[["store", "product"]].drop_duplicates().apply(" / ".join, axis=1)) == (
        sorted(LABELS)
    )
    assert every.groupby(["store", "product"]).size().nunique() == 1, "as long a forecast each"
    shoot(page, "forecast-panel")

    shown = selectbox(page, series_label).input_value()
    other = next(label for label in LABELS if label != shown)
    pick(page, series_label, other)
    for _ in range(60):  # the rerun redraws the chart
        after = forecast_chart(page)
        if after != before:
            break
        page.wait_for_timeout(500)
    assert after != before, f"the chart still shows the first series after picking {other}"
    no_errors(page)
