"""The app as a fresh visitor opens it under AppTest, and what a page shows them."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def opened(params: dict[str, str]) -> AppTest:
    """A new session on a link with these query parameters, after its first run."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params = dict(params)
    return app.run()


def shown(element) -> str:
    """An element's text without the Markdown escapes `plain` adds."""
    return element.value.replace("\\", "")


def no_job(app: AppTest) -> bool:
    """Whether the session trains nothing."""
    return state.JOB not in app.session_state or app.session_state[state.JOB] is None
