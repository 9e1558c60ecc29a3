"""What a finished job becomes, decided in forecasting/job.py without Streamlit."""

from types import SimpleNamespace

import pytest

from data.prepare import from_array
from forecasting import job as outcomes
from forecasting.config import TrainConfig
from forecasting.job import BatchJob, TrainingJob, outcome
from tests.conftest import noisy_sine

SERIES = from_array(noisy_sine(60), target="signal")
CELLS = ("lstm", "gru", "rnn")


def finished(job: TrainingJob, seconds: float | None = None, error: str | None = None):
    """Mark `job` as done, with a run of `seconds` or an error (neither: it never trained)."""
    job.run = None if seconds is None else SimpleNamespace(seconds=seconds)
    job.error = error
    job._finished.set()
    return job


def single(seconds=None, error=None, stopped=False) -> TrainingJob:
    job = TrainingJob(SERIES, TrainConfig())
    if stopped:
        job.stop()
    return finished(job, seconds, error)


def batch(*ends) -> BatchJob:
    """A batch of the three cells, each ending as given: seconds, an error text, or None
    (skipped: Stop came first)."""
    job = BatchJob(SERIES, [TrainConfig(cell=cell) for cell in CELLS])
    for part, end in zip(job.jobs, ends, strict=True):
        if isinstance(end, str):
            finished(part, error=end)
        elif end is not None:
            finished(part, seconds=end)
    job._finished.set()
    return job


def test_a_trained_job_keeps_its_run():
    job = single(seconds=2.5)
    result = outcome(job)
    assert (result.kind, result.kept, result.seconds, result.group) == (
        outcomes.TRAINED,
        (job,),
        2.5,
        False,
    )


def test_a_failed_job_keeps_nothing_and_says_why():
    result = outcome(single(error="too short"))
    assert (result.kind, result.kept, result.error) == (outcomes.FAILED, (), "too short")


def test_a_job_that_ended_without_a_model_or_an_error_is_a_failure():
    assert outcome(single()).error == "no model came back"


def test_a_job_stopped_before_it_began_is_neither_kept_nor_failed():
    result = outcome(single(stopped=True))
    assert (result.kind, result.kept, result.failed) == (outcomes.STOPPED_WAITING, (), None)


@pytest.mark.parametrize(
    ("ends", "kind", "kept", "skipped"),
    [
        ((1.0, 2.0, 3.0), outcomes.BATCH_TRAINED, CELLS, ()),
        ((1.0, "boom", 3.0), outcomes.BATCH_FAILED_KEPT, ("lstm", "rnn"), ()),
        (("boom", "bang", "crash"), outcomes.BATCH_FAILED, (), ()),
        ((1.0, None, None), outcomes.BATCH_STOPPED, ("lstm",), ("gru", "rnn")),
        ((None, None, None), outcomes.BATCH_NONE, (), CELLS),
    ],
    ids=["all-trained", "one-failed", "all-failed", "stopped", "stopped-at-once"],
)
def test_a_batch_keeps_every_run_that_trained_and_says_what_became_of_the_rest(
    ends, kind, kept, skipped
):
    result = outcome(batch(*ends))
    assert result.kind == kind and result.group
    assert tuple(part.config.cell for part in result.kept) == kept
    assert tuple(part.config.cell for part in result.skipped) == skipped
    assert result.seconds == sum(end for end in ends if isinstance(end, float))


def test_a_batch_names_its_first_failure():
    result = outcome(batch("boom", "bang", 3.0))
    assert (result.failed.config.cell, result.error) == ("lstm", "boom")
