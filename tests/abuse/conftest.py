import pytest

from forecasting import background
from forecasting.limits import server_limits


@pytest.fixture
def limits_env(monkeypatch):
    """Set FORECAST_LAB_* variables for one test: `limits_env(EPOCHS="50")`."""

    def set_limits(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"FORECAST_LAB_{name}", value)
        server_limits.cache_clear()

    yield set_limits
    server_limits.cache_clear()


@pytest.fixture
def fresh_jobs(monkeypatch):
    """A job queue and job list of this test's own, instead of the process's."""
    monkeypatch.setattr(background, "_SERVER", None)
    yield background.server_jobs
