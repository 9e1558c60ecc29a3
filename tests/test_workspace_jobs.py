"""forecasting.workspace_jobs: a finished training's runs reach every workspace that watched it,
written by the job's own thread, once, whether or not a page is there to collect them."""

from __future__ import annotations

import pytest

import forecasting.workspace_jobs as workspace_jobs
from data.prepare import from_array
from forecasting.config import TrainConfig
from forecasting.job import BatchJob, TrainingJob
from forecasting.limits import MIB
from forecasting.workspace import WorkspaceStore
from forecasting.workspace_jobs import Kept, WorkspaceJobs
from tests.conftest import noisy_sine

SERIES = from_array(noisy_sine(120), target="signal")
TINY = TrainConfig(window=12, horizon=4, hidden_size=8, epochs=2, members=1, device="cpu")


@pytest.fixture
def store(tmp_path):
    opened = WorkspaceStore(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "files", 8 * MIB, 30)
    yield opened
    opened.close()


def trained(jobs: WorkspaceJobs, store: WorkspaceStore, *workspaces: str, job=None):
    """A tiny training watched by `workspaces` from its start, run to its end."""
    job = job or TrainingJob(SERIES, TINY, "sine")
    for key in workspaces:
        jobs.attach(store, key, job)
    job.start()
    assert job.wait(120)
    return job


def names(store: WorkspaceStore, key: str) -> list[str]:
    return [stored.name for stored in store.runs(key)]


def test_the_jobs_thread_keeps_the_run_before_the_job_is_done_with_no_page_collecting(store):
    jobs, key = WorkspaceJobs(), store.new_workspace()
    trained(jobs, store, key)
    [stored] = store.runs(key)
    assert (stored.name, stored.dataset, stored.error) == ("LSTM #1", "sine", "")
    assert stored.mase is not None


def test_collecting_names_the_run_the_thread_kept_without_keeping_it_twice(store):
    jobs, key = WorkspaceJobs(), store.new_workspace()
    job = trained(jobs, store, key)
    kept = jobs.collect(store, key, job)
    assert kept == Kept(("LSTM #1",), (store.runs(key)[0].id,))
    assert jobs.collect(store, key, job) == kept
    assert names(store, key) == ["LSTM #1"]


def test_every_workspace_watching_gets_its_own_copy_and_one_that_left_gets_none(store):
    jobs = WorkspaceJobs()
    first, second, left = (store.new_workspace() for _ in range(3))
    job = TrainingJob(SERIES, TINY, "sine")
    for key in (first, second, left):
        jobs.attach(store, key, job)
    jobs.detach(left, job)
    trained(jobs, store, job=job)
    copies = [store.runs(key) for key in (first, second)]
    assert [[stored.name for stored in runs] for runs in copies] == [["LSTM #1"], ["LSTM #1"]]
    assert copies[0][0].id != copies[1][0].id
    assert copies[0][0].mase == copies[1][0].mase
    assert store.runs(left) == []


def test_a_workspace_that_comes_after_the_end_gets_its_copy_at_once(store):
    jobs, early, late = WorkspaceJobs(), store.new_workspace(), store.new_workspace()
    job = trained(jobs, store, early)
    jobs.attach(store, late, job)
    assert names(store, late) == ["LSTM #1"]
    assert jobs.collect(store, late, job).names == ("LSTM #1",)
    assert names(store, late) == ["LSTM #1"]


def test_a_reloaded_page_finds_the_training_under_way_until_it_collects_it(store):
    jobs, key, other = WorkspaceJobs(), store.new_workspace(), store.new_workspace()
    job = TrainingJob(SERIES, TINY, "sine")
    jobs.attach(store, key, job)
    assert jobs.under_way(key) is job
    assert jobs.under_way(other) is None
    job.start().wait(120)
    assert jobs.under_way(key) is job, "ended but not collected: the page still shows its notice"
    jobs.collect(store, key, job)
    assert jobs.under_way(key) is None


def test_a_job_ended_long_ago_is_no_longer_listed_and_collecting_it_keeps_nothing_more(
    store, monkeypatch
):
    jobs, key = WorkspaceJobs(), store.new_workspace()
    job = trained(jobs, store, key)
    later = workspace_jobs._now() + workspace_jobs.ENDED_KEPT_S + 1
    monkeypatch.setattr(workspace_jobs, "_now", lambda: later)  # this module's clock only
    assert jobs.under_way(key) is None
    assert jobs.collect(store, key, job).names == ("LSTM #1",)
    assert names(store, key) == ["LSTM #1"]


def test_a_job_collected_without_having_been_watched_is_kept_once(store):
    key = store.new_workspace()
    job = TrainingJob(SERIES, TINY, "sine")
    job.train()
    assert WorkspaceJobs().collect(store, key, job).names == ("LSTM #1",)
    assert names(store, key) == ["LSTM #1"]


def test_a_batch_keeps_each_run_under_a_name_of_its_own(store):
    jobs, key = WorkspaceJobs(), store.new_workspace()
    trained(jobs, store, key)
    configs = [TrainConfig(**{**TINY.to_dict(), "cell": cell}) for cell in ("lstm", "gru")]
    batch = trained(jobs, store, key, job=BatchJob(SERIES, configs, "sine"))
    assert jobs.collect(store, key, batch).names == ("LSTM #2", "GRU #3")
    assert names(store, key) == ["LSTM #1", "LSTM #2", "GRU #3"]


def test_a_run_that_could_not_forecast_is_kept_with_its_error(store):
    jobs, key = WorkspaceJobs(), store.new_workspace()
    job = TrainingJob(SERIES, TINY, "sine")
    job.train()
    job.summary, job.forecast_error = None, "too few windows to calibrate"
    jobs.collect(store, key, job)
    [stored] = store.runs(key)
    assert (stored.name, stored.error, stored.mase) == ("LSTM #1", job.forecast_error, None)


def test_a_full_workspace_keeps_nothing_and_says_why(tmp_path):
    tiny = WorkspaceStore(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "files", 1_000, 30)
    key = tiny.new_workspace()
    kept = WorkspaceJobs().collect(tiny, key, trained(WorkspaceJobs(), tiny))
    assert kept.names == ()
    assert "Delete runs on the Train page" in kept.error
    assert tiny.runs(key) == []
    tiny.close()


def test_a_failing_hook_still_lets_the_job_end():
    job = TrainingJob(SERIES, TINY, "sine")

    def broken(_job):
        raise RuntimeError("a hook's bug")

    job.when_done(broken)
    assert job.start().wait(120)
    assert job.run is not None


def test_a_batch_whose_second_run_cannot_be_written_keeps_the_first_and_says_why(
    store, monkeypatch
):
    key = store.new_workspace()
    configs = [TrainConfig(**{**TINY.to_dict(), "cell": cell}) for cell in ("lstm", "gru")]
    batch = BatchJob(SERIES, configs, "sine")
    for part in batch.jobs:
        part.train()
    real, calls = store.add_run, []

    def full_disk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "add_run", full_disk)
    kept = WorkspaceJobs().collect(store, key, batch)
    assert kept.names == ("LSTM #1",) and len(kept.run_ids) == 1
    assert "could not be saved (OSError)" in kept.error
    assert names(store, key) == ["LSTM #1"]
