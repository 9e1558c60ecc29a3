"""Draw time and websocket bytes of the Forecast page: 1,000,000 points against a small series.

For each series the app is driven in headless Chromium as a user drives it: the bundled airline
sample (144 points), or an uploaded CSV of minute data (a noisy daily cycle); one small LSTM
trained through the Train form (1 epoch, hidden size 4, one network); then the Forecast page
opened from the Train page `--repeat` times (after one untimed visit that loads plotly.js).

- draw ms: performance.now() in the page, from the click on the Forecast link to the first
  animation frame in which every Plotly chart of the page has drawn all its traces.
- browser busy ms: the part of draw ms in which the page's main thread ran tasks of 50 ms or
  more (Long Tasks API): parsing and drawing. Waiting ms: the rest, mostly waiting for the
  server's script run and the transfer (and short tasks).
- bytes: the payloads of the websocket frames the browser received meanwhile (Playwright's
  `framereceived`), and those of the messages that carry a Plotly chart. The server runs with
  Streamlit's message cache off, so every visit sends the page whole, as a first visit does;
  with the cache on, a revisit of an unchanged chart is sent as a reference to the browser's copy.

Usage: .venv/bin/python bench/draw_time.py [--points 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from google.protobuf.message import DecodeError
from playwright.sync_api import Page, expect, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.drive import start_training, wait_trained
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, serve

NO_MESSAGE_CACHE = {"global.minCachedMessageSize": "1e12"}
FORECAST_CHARTS = 4  # the forecast and three residual charts (no backtest until asked for)
TRAIN_SETTINGS = {
    "cell": "LSTM",
    "epochs": 1,
    "smallest": ("Hidden size", "Networks in the ensemble"),
}
SLOW_MS = 600_000

LONG_TASKS = """window.__long = [];
new PerformanceObserver((list) => {
    for (const task of list.getEntries()) window.__long.push([task.startTime, task.duration]);
}).observe({type: "longtask", buffered: true});"""
CLICK_FORECAST = """() => {
    window.__drawn = undefined;
    window.__clicked = performance.now();
    document.querySelector("a[data-testid=stSidebarNavLink][href$='/forecast']").click();
}"""
DRAWN = """(expected) => {
    const charts = [...document.querySelectorAll(".js-plotly-plot")];
    const traced = (chart) => chart.querySelectorAll(".trace").length >= chart._fullData.length;
    const drawn = charts.length >= expected && charts.every((c) => c._fullData && traced(c));
    if (drawn && window.__drawn === undefined) window.__drawn = performance.now();
    return drawn;
}"""
BUSY = """() => {
    const [start, end] = [window.__clicked, window.__drawn];
    const overlap = ([at, length]) => Math.max(0, Math.min(end, at + length) - Math.max(start, at));
    return [end - start, window.__long.reduce((sum, task) => sum + overlap(task), 0)];
}"""


def minute_csv(points: int, folder: Path) -> Path:
    """`points` minutes of a noisy daily cycle, as a CSV a user would upload."""
    steps = np.arange(points)
    values = (
        20 + 5 * np.sin(2 * np.pi * steps / 1440) + np.random.default_rng(0).normal(size=points)
    )
    times = pd.date_range("2020-01-01", periods=points, freq="min")
    path = folder / f"load-{points}.csv"
    frame = pd.DataFrame({"timestamp": times.strftime("%Y-%m-%d %H:%M"), "load": values.round(3)})
    frame.to_csv(path, index=False)
    return path


class Frames:
    """The websocket messages the page receives: bytes, and what each one carries."""

    def __init__(self, page: Page) -> None:
        self.log: list[tuple[int, str]] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self.received))

    def received(self, payload: str | bytes) -> None:
        raw = payload.encode() if isinstance(payload, str) else payload
        self.log.append((len(raw), carried(raw)))


def carried(raw: bytes) -> str:
    """'plotly_chart', 'markdown', 'script_finished'...: the element or message kind."""
    message = ForwardMsg()
    try:
        message.ParseFromString(raw)
    except DecodeError:
        return "unknown"
    kind = message.WhichOneof("type") or "unknown"
    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        return message.delta.new_element.WhichOneof("type") or kind
    return kind


def load_series(page: Page, url: str, upload: Path | None, points: int) -> None:
    page.goto(f"{url}/data")
    expect(page.get_by_text("Airline passengers").first).to_be_visible(timeout=60_000)
    if upload is not None:
        page.get_by_text("Upload a file").click()
        page.locator("input[type=file]").set_input_files(upload)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"({points} points)")).to_be_visible(timeout=SLOW_MS)


def train(page: Page) -> float:
    """Seconds from pressing Train to the run being shown: fitting, then scoring it."""
    start_training(page, **TRAIN_SETTINGS)
    started = time.perf_counter()
    wait_trained(page, "LSTM #1", timeout_ms=SLOW_MS)
    seconds = time.perf_counter() - started
    expect(page.get_by_text("hidden 4 × 1")).to_be_attached()  # in the runs table: as asked
    return seconds


def open_forecast(page: Page, frames: Frames) -> dict[str, float]:
    """One visit: draw ms and the browser's busy ms in it (in the page), bytes received."""
    page.get_by_role("link", name="Train").click()
    expect(page.get_by_role("button", name="See the forecast")).to_be_visible(timeout=SLOW_MS)
    expect(page.locator(".js-plotly-plot")).to_have_count(0, timeout=SLOW_MS)
    frames.log.clear()
    page.evaluate(CLICK_FORECAST)
    page.wait_for_function(DRAWN, arg=FORECAST_CHARTS, polling="raf", timeout=SLOW_MS)
    draw_ms, busy_ms = page.evaluate(BUSY)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    return {
        "draw": draw_ms,
        "busy": busy_ms,
        "bytes": sum(size for size, _ in frames.log),
        "chart_bytes": sum(size for size, kind in frames.log if kind == "plotly_chart"),
    }


def measure(browser, url: str, upload: Path | None, points: int, repeat: int) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(LONG_TASKS)
    page = context.new_page()
    frames = Frames(page)
    load_series(page, url, upload, points)
    train_s = train(page)
    open_forecast(page, frames)  # untimed: loads plotly.js into the page
    visits = [open_forecast(page, frames) for _ in range(repeat)]
    context.close()
    result = {key: statistics.median(visit[key] for visit in visits) for key in visits[0]}
    draws = [visit["draw"] for visit in visits]
    return {**result, "points": points, "train_s": train_s, "low": min(draws), "high": max(draws)}


def row(label: str, result: dict) -> str:
    return (
        f"| {label} | {result['points']:,} | {result['bytes'] / 1e6:.2f} MB "
        f"| {result['chart_bytes'] / 1e6:.2f} MB "
        f"| {result['draw']:,.0f} ({result['low']:,.0f} to {result['high']:,.0f}) "
        f"| {result['busy']:,.0f} | {result['draw'] - result['busy']:,.0f} "
        f"| {result['train_s']:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        upload = minute_csv(args.points, Path(folder))
        with serve(options=NO_MESSAGE_CACHE) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            small = measure(browser, url, None, 144, args.repeat)
            large = measure(browser, url, upload, args.points, args.repeat)
            browser.close()
    print(f"Forecast page, {args.repeat} visits each (medians; draw range in brackets)\n")
    print(
        "| series | points | bytes received | of which charts | draw ms (range) "
        "| browser busy ms | waiting ms | train s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(row("airline sample", small))
    print(row("uploaded minute CSV", large))
    ratio_bytes, ratio_draw = large["bytes"] / small["bytes"], large["draw"] / small["draw"]
    print(f"\nlarge / small: {ratio_bytes:.1f}x the bytes, {ratio_draw:.1f}x the draw time")


if __name__ == "__main__":
    main()
