import threading

import numpy as np
import pytest
import torch
from torch import nn

from data.prepare import from_array
from forecasting import train
from forecasting.config import TrainConfig
from forecasting.predict import future
from forecasting.train import fit
from models import parallel
from models.parallel import cgroup_quota, set_workers, side_by_side, worth_sharing
from models.recurrent import Ensemble, RecurrentForecaster
from tests.conftest import noisy_sine

TINY = TrainConfig(window=16, horizon=4, hidden_size=8, epochs=3, batch_size=32, patience=0)


@pytest.fixture
def workers():
    """Set the pool's size for one test, and put back the default after it."""
    yield set_workers
    set_workers(0)


@pytest.fixture(scope="module")
def series():
    return from_array(noisy_sine(300), target="signal")


def test_items_run_at_the_same_time_on_the_pool_and_come_back_in_order(workers):
    workers(2)
    together = threading.Barrier(2, timeout=10)  # broken unless both items run at once

    def work(item: int) -> tuple[int, int]:
        together.wait()
        return item * 10, threading.get_ident()

    results = side_by_side(work, [1, 2])
    assert [value for value, _ in results] == [10, 20]
    assert threading.get_ident() not in {thread for _, thread in results}


def test_one_worker_runs_the_items_one_after_another_in_the_callers_thread(workers):
    workers(1)
    seen = side_by_side(lambda item: (item, threading.get_ident()), [1, 2, 3])
    assert seen == [(item, threading.get_ident()) for item in (1, 2, 3)]


def test_the_default_is_one_worker_per_available_core(workers):
    workers(0)
    assert parallel.workers() == parallel.available_cores() >= 1
    with pytest.raises(ValueError, match="count must be 0 or more"):
        workers(-1)


def test_the_pool_runs_work_in_the_callers_grad_and_inference_modes(workers):
    workers(2)

    def modes(_: int) -> tuple[bool, bool]:
        return torch.is_grad_enabled(), torch.is_inference_mode_enabled()

    with torch.no_grad():
        assert side_by_side(modes, [1, 2]) == [(False, False)] * 2
    with torch.inference_mode():
        assert side_by_side(modes, [1, 2]) == [(False, True)] * 2
    assert side_by_side(modes, [1, 2]) == [(True, False)] * 2


def test_work_already_on_the_pool_runs_in_its_own_thread_instead_of_waiting_for_a_worker(
    workers,
):
    workers(2)

    def outer(_: int) -> tuple[int, list[int]]:
        return threading.get_ident(), side_by_side(lambda _: threading.get_ident(), [1, 2])

    for thread, inner in side_by_side(outer, [1, 2]):
        assert inner == [thread, thread]


def test_the_pool_runs_work_with_the_callers_torch_thread_count(workers):
    workers(2)
    before = torch.get_num_threads()
    try:
        for count in (2, 1):
            torch.set_num_threads(count)
            assert side_by_side(lambda _: torch.get_num_threads(), [1, 2]) == [count, count]
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("text", "cores"),
    [("200000 100000\n", 2), ("50000 100000\n", 1), ("max 100000\n", 0), ("", 0)],
)
def test_a_containers_cpu_quota_is_read_in_whole_cpus(tmp_path, text, cores):
    (tmp_path / "cpu.max").write_text(text)
    assert cgroup_quota(tmp_path / "cpu.max") == cores
    assert cgroup_quota(tmp_path / "missing") == 0


def test_the_members_gradients_are_those_of_the_loss_over_all_members_at_once(workers):
    workers(2)
    torch.manual_seed(0)
    model = Ensemble([RecurrentForecaster(hidden_size=8, horizon=3) for _ in range(3)])
    config = TINY.with_changes(horizon=3, members=3, loss="mae")
    x, targets = torch.randn(5, 12, 1), torch.randn(5, 3)
    outputs = torch.stack([member(x) for member in model.members])
    nn.functional.l1_loss(outputs, targets.expand_as(outputs)).backward()
    expected = [p.grad.clone() for p in model.parameters()]
    model.zero_grad(set_to_none=True)
    loss = train._backward(model, x, targets, config, torch.amp.GradScaler("cpu", enabled=False))
    torch.testing.assert_close(loss, nn.functional.l1_loss(outputs, targets.expand_as(outputs)))
    for got, want in zip((p.grad for p in model.parameters()), expected, strict=True):
        torch.testing.assert_close(got, want)


def threads_of_forward_passes(monkeypatch, training_only: bool = False) -> set[int]:
    """The threads the members' forward passes run on (training passes only, if asked)."""
    seen: set[int] = set()
    forward = RecurrentForecaster.forward

    def watched(self, x):
        if self.training or not training_only:
            seen.add(threading.get_ident())
        return forward(self, x)

    monkeypatch.setattr(RecurrentForecaster, "forward", watched)
    return seen


def test_only_passes_long_enough_to_gain_are_shared():
    assert worth_sharing(batch=32, steps=120, hidden=64, layers=1)  # the long series' windows
    assert not worth_sharing(batch=32, steps=30, hidden=64, layers=1)  # monthly ones
    assert worth_sharing(batch=32, steps=30, hidden=64, layers=2)
    assert worth_sharing(batch=4096, steps=30, hidden=64, layers=1)  # a validation pass


def test_tiny_members_stay_in_the_training_thread(workers, series, monkeypatch):
    workers(2)
    seen = threads_of_forward_passes(monkeypatch)
    fit(series, TINY.with_changes(members=3, epochs=1))
    assert seen == {threading.get_ident()}


@pytest.mark.parametrize(("pool", "shared"), [(1, True), (4, False)])
def test_a_pass_s_work_counts_the_steps_the_recurrent_layers_take(
    workers, series, monkeypatch, pool, shared
):
    workers(2)
    config = TINY.with_changes(members=3, epochs=1, pool=pool)
    work = config.batch_size * config.window * config.hidden_size**2
    monkeypatch.setattr(parallel, "MIN_WORK", work)  # a whole window's pass, not a pooled one
    seen = threads_of_forward_passes(monkeypatch, training_only=True)
    fit(series, config)
    assert (seen != {threading.get_ident()}) is shared


def test_members_trained_side_by_side_learn_what_they_learn_one_after_another(
    workers, series, monkeypatch
):
    monkeypatch.setattr(parallel, "MIN_WORK", 0)  # share even these tiny passes
    config = TINY.with_changes(members=3)
    workers(1)
    alone = fit(series, config)
    workers(2)
    seen = threads_of_forward_passes(monkeypatch)
    together = fit(series, config)
    assert seen - {threading.get_ident()}, "the members ran on the pool's threads"
    for (name, first), second in zip(
        alone.model.state_dict().items(), together.model.state_dict().values(), strict=True
    ):
        torch.testing.assert_close(second, first, rtol=1e-5, atol=1e-6, msg=name)
    np.testing.assert_allclose(
        [log.val_loss for log in together.history], [log.val_loss for log in alone.history]
    )
    np.testing.assert_allclose(future(together, series).mean, future(alone, series).mean)


def test_dropout_between_layers_keeps_a_run_repeatable_with_a_pool(workers, series, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_WORK", 0)
    workers(2)
    config = TINY.with_changes(members=3, num_layers=2, dropout=0.3)
    seen = threads_of_forward_passes(monkeypatch, training_only=True)
    first, second = fit(series, config), fit(series, config)
    assert seen == {threading.get_ident()}, "passes that draw dropout masks take turns"
    for one, other in zip(first.model.parameters(), second.model.parameters(), strict=True):
        torch.testing.assert_close(one, other, rtol=0, atol=0)
