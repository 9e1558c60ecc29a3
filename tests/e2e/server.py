"""The app as a user starts it (`streamlit run` on a free port), and Debian's headless Chromium.

Shared by the browser tests and the browser benchmarks in bench/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} was not healthy within {timeout:.0f} s")


@contextmanager
def serve(
    log: IO | None = None,
    options: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run the app headless on a free port until the block ends; yields its URL.

    `options` are extra `streamlit run` flags, e.g. {"global.minCachedMessageSize": "1e12"};
    `env` adds environment variables, e.g. {"FORECAST_LAB_DATA_DIR": "/tmp/x"}.
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    for name, value in (options or {}).items():
        command += [f"--{name}", value]
    output = log if log is not None else subprocess.DEVNULL
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=environment
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
