"""A class opening one share link at once: one training on the server, a forecast for everyone.

The app runs headless with a data folder of its own; each visitor is a browser context in one
headless Chromium. Run the whole benchmark on two cores (`taskset -c 0,1`, which the server
inherits); the figures are only comparable on the same cores.

a. One link, a class: `--contexts` visitors open `?sample=airline&cell=lstm&page=forecast` (the
   link's default settings) at once. Per visitor, seconds from navigating to the Forecast page's
   chart (the legend "LSTM #1 forecast"); errors on the page (a traceback or an st.error);
   the distinct MASE values the pages show (1: everyone got the same run). Meanwhile one more
   visitor opens the home page: seconds to its demo button. The server's resident memory
   (the streamlit process and its children, from /proc) is sampled: its peak. The server log
   gives the trainings queued (expected 1) and the fragment warnings ("does not exist anymore").
b. A class, each their own run: `--contexts` visitors open a small link each with its own seed,
   at once; all must reach their forecast. Seconds until the last one did, the largest queue
   place seen ("Waiting for a free slot on this server: 12 ahead of you."), the trainings
   queued (expected one per visitor), the fragment warnings.
c. Reload and restart: a visitor opens a longer training and reloads the page mid-training;
   does "LSTM #1" appear in the Train page's run list afterwards? Then the server is stopped
   and started again on the same data folder, and the saved addresses (with `ws=...`) of that
   visitor and of one visitor of (a) are opened: is the run, its forecast chart and the
   "Forecast (CSV)" download back?

In a and b, a visitor without a forecast STUCK_S after the training(s) ended counts as stuck:
its page is kept as /tmp/classroom-{a|b}{number}.png, said in a line (where it is, what it
shows, whether its main area is blank), then reloaded as its visitor would: did that help?
The CPU seconds of the server and of the browsers (Chromium and Playwright's driver) are
counted from /proc: on one machine the 30 browsers take most of the two cores, where a class's
browsers each have their own. The server's log is copied to /tmp/classroom-streamlit.log.

Usage: taskset -c 0,1 .venv/bin/python bench/classroom.py [--contexts 30] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, serve

TIMEOUT_MS = 600_000
STUCK_S = 300  # a visitor without a forecast this long after the training ended is stuck
LINK = {"sample": "airline", "cell": "lstm", "page": "forecast"}  # otherwise the link's defaults
SMALL = {"members": "1", "hidden_size": "8", "epochs": "10", "patience": "0"}  # part b, per seed
LONG = {"members": "1", "epochs": "1500", "patience": "0", "seed": "777"}  # part c: 10 s or so
QUEUED = "(TrainingJob) queued"
FRAGMENT_GONE = "does not exist anymore"
WAITING = re.compile(r"Waiting for a free slot on this server: (?:(\d+) ahead of you|you are next)")
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
MASE = re.compile(r"^Model MASE here: \d+\.\d{4}$")
DEMO = "Try it: forecast airline passengers"
NO_RUN, NO_DATA = "No trained model yet", "No data yet"
ENDED = "(TrainingJob) ended"


def link(url: str, **params: str) -> str:
    return f"{url}/?{urlencode({**LINK, **params})}"


def chart(page: Page, run: str = "LSTM #1"):
    """The Forecast page's chart with `run` drawn on it."""
    return page.locator(".js-plotly-plot .legendtext", has_text=f"{run} forecast").first


def run_listed(page: Page, run: str = "LSTM #1"):
    """`run` in the Train page's run list (the grid's table for screen readers, not drawn)."""
    return page.locator("[data-testid='stDataFrame'] [role=gridcell]", has_text=run).first


def nothing_here(page: Page):
    """What a page without data or without a run says instead."""
    return page.get_by_text(NO_RUN).or_(page.get_by_text(NO_DATA)).first


# The server's memory, from /proc: no psutil needed


def _parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    return parents


def server_pid() -> int:
    """The `streamlit run` this process started."""
    for pid, parent in _parents().items():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if parent == os.getpid() and b"streamlit" in command:
            return pid
    raise RuntimeError("no streamlit process found among this process's children")


def tree(root: int) -> set[int]:
    """`root` and every process below it."""
    parents = _parents()
    pids, frontier = {root}, [root]
    while frontier:
        below = [pid for pid, parent in parents.items() if parent in frontier]
        pids.update(below)
        frontier = below
    return pids


def cpu_seconds(pids: set[int]) -> float:
    """CPU time (user and system) the processes `pids` have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuSplit:
    """CPU seconds the server, and the browser (Chromium and Playwright's driver), use in a
    block; both run on the same cores here, where a class's browsers would each have their own
    machine."""

    def __enter__(self) -> CpuSplit:
        self.server_pid = server_pid()
        self.server, self.browser = self._now()
        return self

    def _now(self) -> tuple[float, float]:
        server = tree(self.server_pid)
        rest = tree(os.getpid()) - server - {os.getpid()}
        return cpu_seconds(server), cpu_seconds(rest)

    def __exit__(self, *exc: object) -> None:
        server, browser = self._now()
        self.server, self.browser = server - self.server, browser - self.browser


def tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and every process below it."""
    total_kib = 0
    for pid in tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total_kib += int(found[1]) if found else 0
    return total_kib / 1024


class MemoryPeak:
    """Samples the server's memory every 0.2 s in a thread while the block runs."""

    def __init__(self, root: int) -> None:
        self.root, self.peak, self.start = root, 0.0, tree_rss_mib(root)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, tree_rss_mib(self.root))

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Log:
    """The server's log, read from where a part began."""

    path: Path
    since: int = 0

    def mark(self) -> None:
        self.since = len(self.path.read_text())

    def text(self) -> str:
        return self.path.read_text()[self.since :]

    def count(self, needle: str) -> int:
        return sum(needle in line for line in self.text().splitlines())

    def jobs(self) -> dict[str, int]:
        """Trainings queued and finished, and fragment warnings, since the mark."""
        lines = self.text().splitlines()
        return {
            "queued": sum(QUEUED in line for line in lines),
            "finished": sum("ended: finished" in line for line in lines),
            "fragment_warnings": sum(FRAGMENT_GONE in line for line in lines),
        }


@dataclass
class Patience:
    """Until when visitors wait for their forecast: STUCK_S after the training(s) ended."""

    at: float = float("inf")

    async def after_trainings(self, log: Log, count: int) -> None:
        """Set once `count` trainings have ended in the server's log."""
        while log.count(ENDED) < count:
            await asyncio.sleep(0.2)
        self.at = time.perf_counter() + STUCK_S


@dataclass
class Visit:
    """What one visitor saw."""

    seconds: float | None = None  # to the forecast; None when it never came
    errors: int = 0
    mase: str = ""
    ahead: list[int] = field(default_factory=list)  # queue places seen
    address: str = ""
    problem: str = ""
    reload_helped: bool | None = None  # for a visitor stuck without a forecast: did a reload?
    blank: bool = False  # stuck on a page with nothing in its main area


async def visit_link(
    context: BrowserContext,
    address: str,
    label: str,
    patience: Patience,
    watch_queue: bool = False,
) -> Visit:
    """Open `address` and wait for its forecast; note the queue places shown meanwhile. A page
    that went wrong is kept as /tmp/classroom-{label}.png."""
    page = await context.new_page()
    visit = Visit()
    started = time.perf_counter()
    try:
        await page.goto(address, wait_until="commit", timeout=TIMEOUT_MS)
        while not await chart(page).is_visible():
            now = time.perf_counter()
            if now > patience.at or now - started > TIMEOUT_MS / 1000:
                raise TimeoutError(
                    f"no forecast {STUCK_S} s after training ended; {await seen(page)}"
                )
            if watch_queue:
                for shown in await page.get_by_text(WAITING).all_inner_texts():
                    found = WAITING.search(shown)
                    visit.ahead.append(int(found[1] or 0) if found else 0)
            if await page.locator(ERRORS).count():
                raise RuntimeError((await page.locator(ERRORS).first.inner_text())[:200])
            await page.wait_for_timeout(250)
        visit.seconds = time.perf_counter() - started
        mase = page.get_by_text(MASE)
        await expect(mase).to_be_visible(timeout=60_000)
        visit.mase = await mase.inner_text()
    except Exception as err:  # a benchmark counts what went wrong, and goes on
        visit.problem = f"{type(err).__name__}: {str(err).splitlines()[0][:400]}"
        await page.screenshot(path=f"/tmp/classroom-{label}.png", full_page=True)
        visit.blank = not await page.locator("[data-testid='stMain'] h1").count()
        visit.reload_helped = await reload_helps(page)
    visit.errors = await page.locator(ERRORS).count()
    visit.address = page.url
    return visit


async def reload_helps(page: Page) -> bool:
    """Whether reloading a stuck page (what its visitor would do) brings the forecast."""
    try:
        await page.reload(timeout=120_000)
        await expect(chart(page)).to_be_visible(timeout=120_000)
    except Exception:  # still no forecast, or the page did not load
        return False
    return True


async def seen(page: Page) -> str:
    """Where a page is and what it says, in a line."""
    headings = await page.locator("h1").all_inner_texts()
    notices = await page.locator("[data-testid='stAlert']").all_inner_texts()
    listed = await run_listed(page).count()
    legends = page.locator(".js-plotly-plot .legendtext", has_text="LSTM #1 forecast")
    boxes = [await legends.nth(n).bounding_box() for n in range(await legends.count())]
    return (
        f"at {urlsplit(page.url).path}, heading {headings[:1]}, notices {notices[:2]}, "
        f"LSTM #1 in the run list: {bool(listed)}, forecast legends {boxes}"
    )


async def home_page_seconds(browser: Browser, url: str) -> float:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    started = time.perf_counter()
    await page.goto(url, timeout=TIMEOUT_MS)
    await expect(page.get_by_role("button", name=DEMO)).to_be_visible(timeout=TIMEOUT_MS)
    seconds = time.perf_counter() - started
    await context.close()
    return seconds


async def when_logged(log: Log, needle: str, timeout_s: float = 600) -> float:
    """Wait for `needle` in the server's log; returns the time.perf_counter() it was seen."""
    deadline = time.monotonic() + timeout_s
    while needle not in log.text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"'{needle}' never appeared in the server log")
        await asyncio.sleep(0.1)
    return time.perf_counter()


async def contexts(browser: Browser, count: int) -> list[BrowserContext]:
    return [await browser.new_context(viewport=VIEWPORT) for _ in range(count)]


async def one_link(browser: Browser, url: str, log: Log, count: int) -> dict:
    """Part a: `count` visitors open the same link at once; one more opens the home page."""
    log.mark()
    opened = await contexts(browser, count)
    patience = Patience()
    with MemoryPeak(server_pid()) as memory, CpuSplit() as cpu:
        started = time.perf_counter()
        visits = asyncio.gather(
            *(visit_link(context, link(url), f"a{n}", patience) for n, context in enumerate(opened))
        )
        ended = asyncio.ensure_future(when_logged(log, ENDED))
        watcher = asyncio.ensure_future(patience.after_trainings(log, 1))
        queued = await when_logged(log, QUEUED)
        home = await home_page_seconds(browser, url)
        home_shown = time.perf_counter()
        visits = await visits
        ended = await ended
        watcher.cancel()
    figures = {
        "visits": visits,
        "queued_after": queued - started,
        "ended_after": ended - started,
        "home": home,
        "home_shown_after": home_shown - started,
        "memory_start": memory.start,
        "memory_peak": memory.peak,
        "cpu": cpu,
        **log.jobs(),
    }
    for context in opened:
        await context.close()
    return figures


async def own_runs(browser: Browser, url: str, log: Log, count: int) -> dict:
    """Part b: `count` visitors open a small link each, with their own seed, at once."""
    log.mark()
    opened = await contexts(browser, count)
    patience = Patience()
    watcher = asyncio.ensure_future(patience.after_trainings(log, count))
    started = time.perf_counter()
    with CpuSplit() as cpu:
        visits = await asyncio.gather(
            *(
                visit_link(context, link(url, **SMALL, seed=str(100 + n)), f"b{n}", patience, True)
                for n, context in enumerate(opened)
            )
        )
    watcher.cancel()
    done = [visit.seconds for visit in visits if visit.seconds is not None]
    figures = {
        "visits": visits,
        "all_done": time.perf_counter() - started if len(done) == count else None,
        "ahead": max((place for visit in visits for place in visit.ahead), default=None),
        "cpu": cpu,
        **log.jobs(),
    }
    for context in opened:
        await context.close()
    return figures


async def reload_mid_training(browser: Browser, url: str, log: Log) -> dict:
    """Part c, first half: reload while the link's training runs; is the run kept?"""
    log.mark()
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    await page.goto(link(url, **LONG), timeout=TIMEOUT_MS)
    await expect(page.get_by_role("button", name="Stop").first).to_be_visible(timeout=TIMEOUT_MS)
    await page.wait_for_timeout(2_000)  # a few epochs in
    before = page.url
    reloaded = time.perf_counter()
    await page.reload(timeout=TIMEOUT_MS)
    figures = {"address_before": before, "kept": False, "seconds": None}
    await when_logged(log, ENDED)
    deadline = time.monotonic() + 20  # after the training ended on the server
    while time.monotonic() < deadline:
        await page.get_by_role("link", name="Train").click(timeout=60_000)
        try:
            await expect(run_listed(page)).to_be_attached(timeout=5_000)
        except AssertionError:
            continue
        figures |= {"kept": True, "seconds": time.perf_counter() - reloaded}
        break
    figures |= {
        "address_after": page.url,
        "errors": await page.locator(ERRORS).count(),
        "log": [line for line in log.text().splitlines() if "job" in line][-6:],
    }
    await page.screenshot(path="/tmp/classroom-reload.png", full_page=True)
    await context.close()
    return figures


async def after_restart(browser: Browser, url: str, address: str, shot: str) -> dict:
    """Part c, second half: a saved address on the restarted server; is the run back?"""
    query = urlsplit(address).query
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    started = time.perf_counter()
    figures = {"address": f"/forecast?{query}", "chart": False, "csv": False, "listed": False}
    try:
        await page.goto(f"{url}/forecast?{query}", timeout=TIMEOUT_MS)
        await expect(chart(page).or_(nothing_here(page))).to_be_visible(timeout=120_000)
        await expect(chart(page)).to_be_visible(timeout=1_000)
        figures |= {"chart": True, "seconds": time.perf_counter() - started}
        csv = page.get_by_role("button", name="Forecast (CSV)")
        await expect(csv).to_be_visible(timeout=30_000)
        figures["csv"] = True
        await page.get_by_role("link", name="Train").click()
        await expect(run_listed(page)).to_be_attached(timeout=60_000)
        figures["listed"] = True
    except Exception as err:  # a check that failed: say which, and go on
        figures["problem"] = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    figures["errors"] = await page.locator(ERRORS).count()
    await page.screenshot(path=shot, full_page=True)
    await context.close()
    return figures


def seconds_row(label: str, visits: list[Visit]) -> str:
    done = sorted(visit.seconds for visit in visits if visit.seconds is not None)
    if not done:
        return f"| {label} | 0 of {len(visits)} | – | – | – |"
    median = done[len(done) // 2]
    return (
        f"| {label} | {len(done)} of {len(visits)} | {done[0]:.1f} | {median:.1f} "
        f"| {done[-1]:.1f} |"
    )


def report(a: dict, b: dict, reload: dict, restarts: dict[str, dict], count: int) -> None:
    cores = sorted(os.sched_getaffinity(0))
    print(f"\n{count} visitors; cores {cores}; Chromium and the server on the same cores; ", end="")
    print(
        f"load average {LOAD_AT_START[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end\n"
    )
    print("| visitors | reached the forecast | first s | median s | last s |")
    print("|---|---|---|---|---|")
    print(seconds_row("a. one link (defaults)", a["visits"]))
    small = ", ".join(f"{name}={value}" for name, value in SMALL.items())
    print(seconds_row(f"b. own seed each ({small})", b["visits"]))
    mases = {visit.mase for visit in a["visits"] if visit.mase}
    errors_a = sum(visit.errors for visit in a["visits"])
    errors_b = sum(visit.errors for visit in b["visits"])
    print("\n| figure | value |")
    print("|---|---|")
    print(f"| a. trainings queued (expected 1) | {a['queued']} |")
    print(f"| a. trainings finished | {a['finished']} |")
    print(f"| a. distinct MASE shown | {len(mases)} ({', '.join(sorted(mases))}) |")
    print(f"| a. pages with an error | {errors_a} |")
    print(f"| a. training queued after s | {a['queued_after']:.1f} |")
    print(f"| a. training ended after s | {a['ended_after']:.1f} |")
    print(f"| a. home page s (one more visitor, once the training was queued) | {a['home']:.2f} |")
    print(f"| a. home page shown after s | {a['home_shown_after']:.1f} |")
    print(f"| a. server memory at start MiB | {a['memory_start']:.0f} |")
    print(f"| a. server memory peak MiB | {a['memory_peak']:.0f} |")
    print(f"| a. fragment warnings | {a['fragment_warnings']} |")
    all_done = "–" if b["all_done"] is None else f"{b['all_done']:.1f}"
    print(f"| b. trainings queued (expected {count}) | {b['queued']} |")
    print(f"| b. trainings finished | {b['finished']} |")
    print(f"| b. seconds until all reached the forecast | {all_done} |")
    ahead = "none seen" if b["ahead"] is None else b["ahead"]
    print(f"| b. largest queue place seen (ahead) | {ahead} |")
    print(f"| b. pages with an error | {errors_b} |")
    print(f"| b. fragment warnings | {b['fragment_warnings']} |")
    kept = f"yes, {reload['seconds']:.1f} s after the reload" if reload["kept"] else "no"
    print(f"| c. run listed after a reload mid-training | {kept} |")
    for label, figures in restarts.items():
        back = ", ".join(name for name in ("chart", "csv", "listed") if figures[name]) or "none"
        print(f"| c. after a restart, {label}: back | {back} |")
    for figures, part in ((a, "a"), (b, "b")):
        cpu = figures["cpu"]
        print(f"| {part}. CPU s, server / browsers | {cpu.server:.0f} / {cpu.browser:.0f} |")
    for visits, part in ((a["visits"], "a"), (b["visits"], "b")):
        stuck = [visit for visit in visits if visit.reload_helped is not None]
        blank = sum(visit.blank for visit in stuck)
        print(
            f"| {part}. stuck visitors: main area blank / other | {blank} / {len(stuck) - blank} |"
        )
        helped = sum(bool(visit.reload_helped) for visit in stuck)
        print(f"| {part}. stuck visitors a reload unstuck | {helped} of {len(stuck)} |")
    for visits, part in ((a["visits"], "a"), (b["visits"], "b")):
        for number, visit in enumerate(visits):
            if visit.problem:
                print(f"{part}. visitor {number}: {visit.problem}")
    print("c. reload: address before", reload["address_before"], "after", reload["address_after"])
    print("c. reload: last job lines of the log:", *reload["log"], sep="\n  ")
    for label, figures in restarts.items():
        if "problem" in figures:
            print(f"c. restart, {label}: {figures['problem']}")


LOAD_AT_START = os.getloadavg()


async def bench(count: int) -> None:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="classroom-"))
        env = {"FORECAST_LAB_DATA_DIR": data_dir}
        log = Log(Path(data_dir) / "streamlit.log")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            with log.path.open("w") as out, serve(out, env=env) as url:
                await home_page_seconds(browser, url)  # untimed: warms the server's caches
                print("a. one link ...", flush=True)
                a = await one_link(browser, url, log, count)
                print("b. own runs ...", flush=True)
                b = await own_runs(browser, url, log, count)
                print("c. reload ...", flush=True)
                reload = await reload_mid_training(browser, url, log)
            saved = {"a visitor of (a)": next((v.address for v in a["visits"] if v.seconds), "")}
            saved["the reloaded visitor"] = reload["address_after"]
            print("c. restart ...", flush=True)
            restarts = {}
            with (Path(data_dir) / "restarted.log").open("w") as out, serve(out, env=env) as url:
                for number, (label, address) in enumerate(saved.items()):
                    shot = f"/tmp/classroom-restart-{number}.png"
                    restarts[label] = await after_restart(browser, url, address, shot)
            await browser.close()
        report(a, b, reload, restarts, count)
        for name in ("streamlit.log", "restarted.log"):
            (Path("/tmp") / f"classroom-{name}").write_text((Path(data_dir) / name).read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contexts", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="3 visitors, to try it out")
    args = parser.parse_args()
    asyncio.run(bench(3 if args.quick else args.contexts))


if __name__ == "__main__":
    main()
