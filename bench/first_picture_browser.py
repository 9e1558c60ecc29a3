"""Time to a first picture in a real browser: seconds from the click on Train to the model in
training drawn on the Train page (its preview chart visible in headless Chromium; or the run
finished, when training ends before a preview is drawn), with
the Train form's defaults, for the default sample and the longest synthetic signal the Data page
makes, LSTM and GRU. The app runs as `make run` starts it, on 127.0.0.1; bench/first_picture.py
measures the same on the server side.

Usage: .venv/bin/python bench/first_picture_browser.py [--cells lstm,gru] [--repeat 2]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.drive import TRAINED, choose, press_train, stop_training  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, serve  # noqa: E402

PREVIEW = re.compile(r"The model so far \(\d+ epochs? done\)")  # the preview chart's title
CASES = ("airline (144 points)", "trend_season (5,000 points)")


def choose_data(page: Page, url: str, case: str) -> None:
    """The Data page's default sample, or its synthetic signal at its longest."""
    page.goto(f"{url}/data")
    expect(page.get_by_text("Where does the series come from?")).to_be_visible(timeout=60_000)
    if case.startswith("trend_season"):
        page.get_by_text("Synthetic signal", exact=True).click()
        slider = page.get_by_role("slider", name="Length (points)")
        slider.focus()
        slider.press("End")
        expect(slider).to_have_attribute("aria-valuetext", "5000", timeout=30_000)
    page.get_by_role("link", name="Train").click()


def first_picture(page: Page, url: str, case: str, cell: str) -> tuple[float, str]:
    """Seconds from the click on Train to the first drawn preview, or to the finished run when
    training ends first (its forecast is then one click away); which of the two came; the
    training is then stopped."""
    choose_data(page, url, case)
    cells = page.get_by_role("radiogroup", name="Cell")
    expect(cells).to_have_count(1, timeout=30_000)
    choose(page, cells, cell.upper())
    started = time.perf_counter()
    press_train(page)
    preview = page.locator(".js-plotly-plot", has_text=PREVIEW)
    expect(preview.or_(page.get_by_text(TRAINED)).first).to_be_visible(timeout=120_000)
    seen = time.perf_counter() - started
    came = "preview" if preview.count() else "trained"
    stop_training(page)
    expect(page.get_by_text(TRAINED)).to_be_visible(timeout=120_000)  # its core is free again
    return seen, came


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    seconds: dict[tuple[str, str], list[float]] = {}
    with (
        tempfile.TemporaryDirectory() as data,
        serve(env={"FORECAST_LAB_DATA_DIR": data}) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for rep in range(args.repeat + 1):  # the first round warms the server up, untimed
            for case in CASES:
                for cell in args.cells.split(","):
                    context = browser.new_context(viewport=VIEWPORT)
                    took, came = first_picture(context.new_page(), url, case, cell)
                    context.close()
                    if rep:
                        seconds.setdefault((case, cell), []).append(took)
                        print(f"  {case} {cell} rep {rep}: {took:.2f} s ({came})", flush=True)
        browser.close()
    print("\n| series | cell | s from the click on Train to the first picture (median) | all |")
    print("|---|---|---|---|")
    for (case, cell), taken in seconds.items():
        shown = ", ".join(f"{value:.2f}" for value in taken)
        print(f"| {case} | {cell.upper()} | {statistics.median(taken):.2f} | {shown} |")


if __name__ == "__main__":
    main()
