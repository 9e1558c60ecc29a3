import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from data.prepare import from_array
from data.series import Series

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

# Visitors' work (workspaces, studies) goes to a folder of this test run's own, never the repo's.
os.environ.setdefault("FORECAST_LAB_DATA_DIR", tempfile.mkdtemp(prefix="forecast-lab-tests-"))

# Tiny models train as fast on one thread, and two threads crawl when the machine is busy.
torch.set_num_threads(1)


def noisy_sine(n: int = 400, period: int = 20, noise: float = 0.1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(n)
    return 10 + np.sin(2 * np.pi * steps / period) + noise * rng.standard_normal(n)


@pytest.fixture
def sine_series() -> Series:
    return from_array(noisy_sine(), target="signal")


@pytest.fixture(autouse=True)
def own_workspaces(monkeypatch, tmp_path):
    """Each test's visitors keep their work in a folder of the test's own, and share trainings
    among themselves only: a run an earlier test trained is never copied instead of trained."""
    from forecasting import shared_jobs, workspace_jobs
    from forecasting.limits import server_limits
    from ui import state

    monkeypatch.setenv("FORECAST_LAB_DATA_DIR", str(tmp_path / "data"))
    server_limits.cache_clear()
    monkeypatch.setattr(shared_jobs, "_SHARED", shared_jobs.SharedTrainings())
    monkeypatch.setattr(workspace_jobs, "_JOBS", workspace_jobs.WorkspaceJobs())
    monkeypatch.setattr(state, "_STORES", {})
    yield
    for store in state._STORES.values():
        store.close()
    server_limits.cache_clear()


POSTGRES_SKIP = "NO_POSTGRES_TESTS"


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on loopback for the session (tests/postgres.py): its URL.
    Without PostgreSQL the tests using it fail, saying why, unless NO_POSTGRES_TESTS=1
    skips them."""
    from tests.postgres import PostgresUnavailable, throwaway_postgres

    if os.environ.get(POSTGRES_SKIP) == "1":
        pytest.skip(f"{POSTGRES_SKIP}=1: the PostgreSQL tests are skipped")
    failure = None
    try:
        with throwaway_postgres() as url:
            yield url
    except PostgresUnavailable as err:
        failure = str(err)
    if failure:
        pytest.fail(f"PostgreSQL could not be started for the tests: {failure}", pytrace=False)
