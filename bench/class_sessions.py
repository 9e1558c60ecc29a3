"""A class on one link, the server's side only: sessions that speak Streamlit's websocket
protocol as a browser does, without drawing anything.

bench/classroom.py drives real Chromium contexts, but on a 2-core machine the 30 browsers take
twenty times the server's CPU, so its times are the browsers'. Here each visitor is a websocket
session in this process: it opens the link (a `rerun_script` with the link's query string),
follows the server's page changes and query string, and polls every `run_every` fragment the
server announces (`auto_rerun`) at the interval it asks, as the browser's timers do. A visitor
reaches its forecast when a chart delta naming "LSTM #1 forecast" arrives. A 31st visitor opens
the home page in real Chromium while the class trains (and once before, on the quiet server).

a. `--sessions` visitors open `?sample=airline&cell=lstm&page=forecast` at once (the link's
   defaults). Per visitor, seconds to the forecast; errors shown (an exception or st.error);
   the server's trainings queued (expected 1), memory peak, CPU seconds (server, these
   sessions, Chromium); the 31st visitor's seconds to the home page's demo button.
b. `--sessions` visitors open a small link each with its own seed, at once: all must reach
   their forecast; the largest queue place sent to them; fragment warnings in the log.

Usage: taskset -c 0,1 .venv/bin/python bench/class_sessions.py [--sessions 30]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import websockets
from playwright.async_api import async_playwright
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classroom import (
    ENDED,
    LINK,
    QUEUED,
    SMALL,
    CpuSplit,
    Log,
    MemoryPeak,
    home_page_seconds,
    server_pid,
    when_logged,
)
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, serve

TIMEOUT_S = 600.0
FORECAST = b"LSTM #1 forecast"
AHEAD = re.compile(rb"(\d+) ahead of you")
FULL_RUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


@dataclass
class Session:
    """One visitor's websocket session: where the server put it, and what it was sent."""

    query: str
    page: str = ""  # the page's script hash; "" until the server names one
    polls: dict[str, asyncio.Task] = field(default_factory=dict)  # fragment id -> its timer
    announced: set[str] = field(default_factory=set)  # fragments the current full run drew
    errors: int = 0
    ahead: list[int] = field(default_factory=list)
    polled: int = 0

    def rerun(self, fragment: str = "") -> bytes:
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query, self.page
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
        return message.SerializeToString()

    def read(self, raw: bytes) -> tuple[str, ForwardMsg]:
        message = ForwardMsg.FromString(raw)
        kind = message.WhichOneof("type")
        if kind == "navigation" and message.navigation.page_script_hash:
            self.page = message.navigation.page_script_hash
        elif kind == "new_session" and message.new_session.page_script_hash:
            self.page = message.new_session.page_script_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            shown = element.WhichOneof("type")
            if shown == "exception" or (shown == "alert" and element.alert.format == Alert.ERROR):
                self.errors += 1
            self.ahead += [int(found) for found in AHEAD.findall(raw)]
        return kind, message


async def _poll(socket, session: Session, fragment: str, every: float) -> None:
    """A browser's timer for a `run_every` fragment."""
    while True:
        await asyncio.sleep(every)
        session.polled += 1
        await socket.send(session.rerun(fragment))


def _follow(socket, session: Session, kind: str, message: ForwardMsg) -> None:
    """Start the polls the server asks for; a full run ends those it did not ask for again."""
    if kind == "auto_rerun":
        fragment = message.auto_rerun.fragment_id
        session.announced.add(fragment)
        if fragment in session.polls:
            session.polls[fragment].cancel()
        every = max(message.auto_rerun.interval, 0.1)
        session.polls[fragment] = asyncio.ensure_future(_poll(socket, session, fragment, every))
    elif kind == "script_finished" and message.script_finished == FULL_RUN:
        for fragment in set(session.polls) - session.announced:
            session.polls.pop(fragment).cancel()
        session.announced = set()


@dataclass
class Visit:
    seconds: float | None
    session: Session


async def visit(ws_url: str, params: dict[str, str]) -> Visit:
    """Open the link in a session of its own; seconds until the forecast chart arrives."""
    session = Session(urlencode(params))
    started = time.perf_counter()
    seconds = None
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as socket:
        await socket.send(session.rerun())
        try:
            async with asyncio.timeout(TIMEOUT_S):
                async for raw in socket:
                    kind, message = session.read(raw)
                    if kind == "delta" and FORECAST in raw:
                        seconds = time.perf_counter() - started
                        break
                    _follow(socket, session, kind, message)
        except TimeoutError:
            pass
        finally:
            for poll in session.polls.values():
                poll.cancel()
    return Visit(seconds, session)


def stream(url: str) -> str:
    return url.replace("http://", "ws://") + "/_stcore/stream"


async def one_link(browser, url: str, log: Log, count: int) -> dict:
    idle_home = await home_page_seconds(browser, url)  # the same visit on a quiet server
    log.mark()
    with MemoryPeak(server_pid()) as memory, CpuSplit() as cpu:
        own_cpu = time.process_time()
        started = time.perf_counter()
        visits = asyncio.gather(*(visit(stream(url), LINK) for _ in range(count)))
        ended = asyncio.ensure_future(when_logged(log, ENDED))
        queued = await when_logged(log, QUEUED)
        home = await home_page_seconds(browser, url)
        visits = await visits
        ended = await ended
        own_cpu = time.process_time() - own_cpu
    return {
        "visits": visits,
        "queued_after": queued - started,
        "ended_after": ended - started,
        "home": (idle_home, home),
        "memory": (memory.start, memory.peak),
        "cpu": (cpu.server, own_cpu, cpu.browser),
        **log.jobs(),
    }


async def own_runs(url: str, log: Log, count: int) -> dict:
    log.mark()
    with CpuSplit() as cpu:
        own_cpu = time.process_time()
        links = [{**LINK, **SMALL, "seed": str(300 + n)} for n in range(count)]
        visits = await asyncio.gather(*(visit(stream(url), params) for params in links))
        own_cpu = time.process_time() - own_cpu
    return {
        "visits": visits,
        "cpu": (cpu.server, own_cpu, cpu.browser),
        **log.jobs(),
    }


def times(visits: list[Visit]) -> str:
    done = sorted(v.seconds for v in visits if v.seconds is not None)
    if not done:
        return f"0 of {len(visits)}"
    return (
        f"{len(done)} of {len(visits)} | {done[0]:.1f} | {statistics.median(done):.1f} | "
        f"{done[-1]:.1f}"
    )


def report(a: dict, b: dict, count: int) -> None:
    print(
        "| sessions | reached the forecast | first s | median s | last s |\n|---|---|---|---|---|"
    )
    print(f"| a. {count} on one link (defaults) | {times(a['visits'])} |")
    print(f"| b. {count}, a seed each | {times(b['visits'])} |\n")
    print("| figure | value |\n|---|---|")
    rows = {
        "a. trainings queued (expected 1)": a["queued"],
        "a. training queued / ended, s after opening": (
            f"{a['queued_after']:.1f} / {a['ended_after']:.1f}"
        ),
        "a. home page in Chromium, s: quiet server / 31st visitor": "{:.1f} / {:.1f}".format(
            *a["home"]
        ),
        "a. errors shown": sum(v.session.errors for v in a["visits"]),
        "a. polls sent": sum(v.session.polled for v in a["visits"]),
        "a. server memory before / peak, MiB": "{:.0f} / {:.0f}".format(*a["memory"]),
        "a. CPU s: server / these sessions": "{:.0f} / {:.0f}".format(*a["cpu"][:2]),
        "a. fragment warnings": a["fragment_warnings"],
        "b. trainings queued (expected one each)": b["queued"],
        "b. largest queue place sent": max(
            (n for v in b["visits"] for n in v.session.ahead), default=None
        ),
        "b. errors shown": sum(v.session.errors for v in b["visits"]),
        "b. CPU s: server / these sessions": "{:.0f} / {:.0f}".format(*b["cpu"][:2]),
        "b. fragment warnings": b["fragment_warnings"],
    }
    for name, value in rows.items():
        print(f"| {name} | {value} |")


async def bench(count: int) -> None:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="class-sessions-"))
        log = Log(Path(data_dir) / "streamlit.log")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            with (
                log.path.open("w") as out,
                serve(out, env={"FORECAST_LAB_DATA_DIR": data_dir}) as url,
            ):
                await home_page_seconds(browser, url)  # untimed: warms the server's caches
                print("a. one link ...", flush=True)
                a = await one_link(browser, url, log, count)
                print("b. own runs ...", flush=True)
                b = await own_runs(url, log, count)
            await browser.close()
        report(a, b, count)
        Path("/tmp/class-sessions-streamlit.log").write_text(log.path.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    asyncio.run(bench(parser.parse_args().sessions))


if __name__ == "__main__":
    main()
