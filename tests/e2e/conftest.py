"""A real `streamlit run` on a free port, driven by Playwright in Debian's headless Chromium."""

from pathlib import Path

import pytest

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, ROOT, VIEWPORT, serve

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app, its visitors' work (studies) kept in a folder of this test session's own."""
    ARTIFACTS.mkdir(exist_ok=True)
    data = {"FORECAST_LAB_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    with (ARTIFACTS / "streamlit.log").open("w") as log, serve(log, env=data) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}
