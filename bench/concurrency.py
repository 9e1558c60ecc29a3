"""Two sessions training at once against one alone, and how quickly a third gets the home page.

The app runs headless; each session is its own browser context in headless Chromium. A session
loads the bundled airline sample and trains an LSTM with the Train form's defaults but a fixed
amount of work (`--epochs`, patience 0, so early stopping never cuts it short). Each repetition
runs one session alone, then two that press Train together (each in a fresh context); during
each, once training runs, a visitor opens the home page, and once more with nothing training.

- fit s: the training time the app reports ("Trained LSTM #1 in 6.2 s"), measured in the job.
- press to shown s: wall time from pressing Train to that message on the page: fit, scoring the
  run, and the wait for the progress fragment's next redraw.
- home page s: wall time from the visitor's navigation to the home page's demo button.

`--post-script-gc` runs the server with Streamlit's full garbage collection after every script
run, as before .streamlit/config.toml turned it off, for comparison.

Usage: .venv/bin/python bench/concurrency.py [--epochs 100] [--repeat 3] [--post-script-gc]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.drive import TRAINED, fill_train_form, press_train
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, serve

TIMEOUT_MS = 600_000
FIT_SECONDS = re.compile(r"in ([\d.]+) s")


def session(browser: Browser, url: str, epochs: int) -> Page:
    """A new session with the airline sample and the Train form filled in, not yet pressed."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(f"{url}/data", timeout=TIMEOUT_MS)
    expect(page.get_by_text("Airline passengers").first).to_be_visible(timeout=TIMEOUT_MS)
    fill_train_form(page, "LSTM", epochs=epochs, patience=0)
    return page


def home_page_seconds(browser: Browser, url: str) -> float:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    started = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)
    demo = page.get_by_role("button", name="Try it: forecast airline passengers")
    expect(demo).to_be_visible(timeout=TIMEOUT_MS)
    seconds = time.perf_counter() - started
    page.context.close()
    return seconds


def train_together(browser: Browser, url: str, pages: list[Page]) -> dict[str, list[float]]:
    """Press Train in every page at once; visit the home page meanwhile; wait for every run."""
    started = time.perf_counter()
    for page in pages:
        press_train(page)
    for page in pages:
        expect(page.get_by_role("button", name="Stop").first).to_be_visible(timeout=TIMEOUT_MS)
    visit = home_page_seconds(browser, url)
    shown: dict[int, float] = {}
    while len(shown) < len(pages):
        for number, page in enumerate(pages):
            if number not in shown and page.get_by_text(TRAINED).count():
                shown[number] = time.perf_counter() - started
        pages[0].wait_for_timeout(100)
        if time.perf_counter() - started > TIMEOUT_MS / 1000:
            raise TimeoutError("training did not end")
    fits = [float(FIT_SECONDS.search(page.get_by_text(TRAINED).inner_text())[1]) for page in pages]
    for page in pages:
        page.context.close()
    return {"fit": fits, "shown": list(shown.values()), "home": [visit]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--post-script-gc", action="store_true")
    args = parser.parse_args()
    options = {"runner.postScriptGC": "true"} if args.post_script_gc else {}
    results: dict[str, dict[str, list[float]]] = {"one": {}, "two": {}, "none": {"home": []}}
    with serve(options=options) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        home_page_seconds(browser, url)  # untimed: the first visit warms the server's caches
        for _ in range(args.repeat):
            results["none"]["home"].append(home_page_seconds(browser, url))
            for label, count in (("one", 1), ("two", 2)):
                pages = [session(browser, url, args.epochs) for _ in range(count)]
                for key, values in train_together(browser, url, pages).items():
                    results[label].setdefault(key, []).extend(values)
        browser.close()
    alone = statistics.median(results["one"]["fit"])
    gc = "on" if args.post_script_gc else "off"
    print(f"airline, LSTM, {args.epochs} epochs, post-script GC {gc}; medians of {args.repeat}\n")
    print("| sessions training | fit s | press to shown s | fit vs alone | home page s |")
    print("|---|---|---|---|---|")
    print(f"| none | – | – | – | {statistics.median(results['none']['home']):.2f} |")
    for label in ("one", "two"):
        row = results[label]
        fit = statistics.median(row["fit"])
        print(
            f"| {label} | {fit:.1f} | {statistics.median(row['shown']):.1f} "
            f"| {fit / alone:.2f} | {statistics.median(row['home']):.2f} |"
        )


if __name__ == "__main__":
    main()
