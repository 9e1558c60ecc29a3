"""Jobs on a shared server: they wait their turn, end with their session or at the budget, and
each run's numbers are its own whoever trains beside it."""

import threading
import time

import torch

from data.prepare import from_array
from forecasting.background import BUDGET, SESSION_GONE, SESSION_GRACE_S, Background, JobQueue
from forecasting.config import TrainConfig
from forecasting.job import TrainingJob
from forecasting.train import fit
from tests.abuse.apps import no_job, opened
from tests.conftest import noisy_sine
from tests.test_pages import kept
from ui import state

DROPOUT = TrainConfig(num_layers=2, dropout=0.3, hidden_size=8, epochs=4, members=1, window=24,
                      patience=0, seed=3)  # fmt: skip
FOREVER = TrainConfig(hidden_size=4, epochs=100_000, patience=0, members=1, window=12)


class Held(Background):
    """A job that works until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.began = threading.Event()

    def start(self) -> "Held":
        self._launch(self._work, "held")
        return self

    def _work(self) -> None:
        self.began.set()
        while not (self.release.is_set() or self.stopping):
            time.sleep(0.01)


def test_jobs_past_the_slots_wait_first_come_first_served(fresh_jobs, limits_env):
    limits_env(JOBS="1")
    first, second, third = Held().start(), Held().start(), Held().start()
    assert first.began.wait(5)
    time.sleep(0.1)
    assert (first.waiting_behind(), second.waiting_behind(), third.waiting_behind()) == (None, 0, 1)
    assert not second.began.is_set() and not third.began.is_set()
    first.release.set()
    assert second.began.wait(5) and not third.began.is_set()
    assert third.waiting_behind() == 0
    second.release.set()
    assert third.began.wait(5)
    third.release.set()
    assert all(job.wait(5) for job in (first, second, third))


def test_stop_works_while_waiting_and_the_job_leaves_the_queue(fresh_jobs, limits_env):
    limits_env(JOBS="1")
    running, waiting, behind = Held().start(), Held().start(), Held().start()
    assert running.began.wait(5)
    waiting.stop()
    assert waiting.wait(5) and not waiting.began.is_set()
    assert behind.waiting_behind() == 0
    running.release.set()
    assert behind.began.wait(5)
    behind.release.set()
    assert behind.wait(5)


def test_the_server_job_list_shows_who_waits_and_who_runs(fresh_jobs, limits_env):
    limits_env(JOBS="1")
    running, waiting = Held().start(), Held().start()
    assert running.began.wait(5)
    _, jobs = fresh_jobs()
    assert [entry.state for entry in jobs.entries()] == ["running", "waiting"]
    running.release.set()
    waiting.release.set()
    assert running.wait(5) and waiting.wait(5)
    assert jobs.entries() == []


def test_an_orphaned_sessions_training_stops_and_keeps_its_best_model(fresh_jobs, sine_series):
    _, jobs = fresh_jobs()
    connected = {"tab-1": True}
    jobs.watch_sessions(owner=lambda: "tab-1", alive=lambda session: connected[session])
    job = TrainingJob(sine_series, FOREVER).start()
    while not job.history:
        time.sleep(0.05)
    assert jobs.sweep() == [] and not job.stopping, "a connected session's job goes on"
    connected["tab-1"] = False  # the tab closed
    now = time.monotonic()
    assert jobs.sweep(now) == [], "a moment's disconnection is forgiven"
    [entry] = jobs.sweep(now + SESSION_GRACE_S)
    assert entry.job is job and job.stop_cause == SESSION_GONE
    assert job.wait(30)
    assert job.run is not None and job.run.stop_kind == "user"
    assert 0 < len(job.run.history) < FOREVER.epochs


def test_a_job_over_the_time_budget_stops_with_its_best_result(fresh_jobs, sine_series, limits_env):
    limits_env(JOB_SECONDS="1")
    _, jobs = fresh_jobs()
    job = TrainingJob(sine_series, FOREVER).start()
    started = time.monotonic()
    while not jobs.sweep():
        time.sleep(0.1)
        assert time.monotonic() - started < 30
    assert job.wait(30) and job.stop_cause == BUDGET
    assert job.run.stop_kind == BUDGET and "time budget" in job.run.stop_reason
    assert job.run.best_epoch <= len(job.run.history) < FOREVER.epochs


def weights(config: TrainConfig, series) -> dict[str, torch.Tensor]:
    return fit(series, config).model.state_dict()


draws_made: list[int] = []


def draw_until(done: threading.Event) -> None:
    """Another session's model builds and draws, as fast as it can, until `done`."""
    from forecasting.randomness import RunRandom
    from forecasting.train import build_model

    count = 0
    while not done.is_set():
        with RunRandom(count).drawing():
            build_model(DROPOUT)
            torch.rand(100)
        count += 1
    draws_made.append(count)


def test_two_trainings_at_once_equal_their_solo_results_bit_for_bit():
    """Dropout and weight initialisation draw from torch's global generator; each run keeps
    its own stream of it, so another session's training cannot shift its numbers."""
    series = from_array(noisy_sine(600), target="signal")
    other = DROPOUT.with_changes(seed=11, hidden_size=12)
    solo = weights(DROPOUT, series), weights(other, series)
    for _ in range(2):
        together: list[dict[str, torch.Tensor]] = [{}, {}]

        def train(slot: int, config: TrainConfig, into: list = together) -> None:
            into[slot] = weights(config, series)

        threads = [
            threading.Thread(target=train, args=(i, c)) for i, c in enumerate((DROPOUT, other))
        ]
        trained = threading.Event()
        meanwhile = threading.Thread(target=draw_until, args=(trained,))  # a third session
        meanwhile.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        trained.set()
        meanwhile.join()
        assert draws_made[-1] > 0, "the third session drew while the two trained"
        for alone, beside in zip(solo, together, strict=True):
            assert alone.keys() == beside.keys()
            assert all(torch.equal(alone[name], beside[name]) for name in alone)


def test_a_queue_of_one_slot_serves_in_order_under_contention():
    queue = JobQueue(1)
    order: list[int] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        assert queue.enter(number, lambda: False)
        with lock:
            order.append(number)
        time.sleep(0.01)
        queue.leave(number)

    threads = []
    for number in range(6):
        threads.append(threading.Thread(target=worker, args=(number,)))
        threads[-1].start()
        time.sleep(0.02)  # each arrives after the one before
    for thread in threads:
        thread.join(10)
    assert order == list(range(6))


def test_the_train_page_says_how_many_are_ahead_and_stop_works_while_waiting(
    fresh_jobs, limits_env
):
    limits_env(JOBS="1")
    busy = Held().start()
    assert busy.began.wait(5)
    app = opened({"sample": "airline", "page": "train"})
    app.button(key="train-start").click().run()
    assert not app.exception
    job = app.session_state[state.JOB]
    assert job.waiting_behind() == 0
    assert "Waiting for a free slot on this server: you are next." in [i.value for i in app.info]
    app.button(key="train-stop").click().run()
    assert job.wait(5) and job.run is None
    app.run()
    assert "Stopped before training began" in app.info[0].value
    assert not kept(app)
    busy.release.set()
    assert busy.wait(5)


def endless_search(tmp_path, study: str):
    """A search of 10,000 tiny trials on a sine, in a SQLite file of the test's own."""
    from forecasting.config import auto_config
    from forecasting.tune import SearchSpace, TuneSettings
    from forecasting.tune_job import TuneJob

    series = from_array(noisy_sine(200), target="signal", season=20)
    base = auto_config(len(series), 20, hidden_size=4, members=1)
    settings = TuneSettings(trials=10_000, epochs=3, pruner="none", seed=0)
    space = SearchSpace(hidden_size=(4, 8), batch_sizes=(32, 64))
    return TuneJob(series, base, space, settings, study, f"sqlite:///{tmp_path}/s.db")


def test_a_search_over_the_time_budget_stops_after_its_trial_under_way(
    fresh_jobs, limits_env, tmp_path
):
    limits_env(JOB_SECONDS="1")
    _, jobs = fresh_jobs()
    job = endless_search(tmp_path, "endless").start()
    started = time.monotonic()
    while not jobs.sweep():
        time.sleep(0.1)
        assert time.monotonic() - started < 30
    assert job.wait(60) and job.stop_cause == BUDGET and job.error is None
    assert 0 < job.finished < job.settings.trials


def test_a_full_queue_refuses_a_new_job_with_a_message(fresh_jobs, limits_env):
    limits_env(JOBS="1", QUEUED_JOBS="1")
    running, waiting = Held().start(), Held().start()
    assert running.began.wait(5)
    app = opened({"sample": "airline", "page": "train"})
    app.button(key="train-start").click().run()
    assert not app.exception
    assert "This server is busy: 1 jobs are already waiting" in app.error[0].value
    assert no_job(app)
    running.release.set()
    waiting.release.set()
    assert running.wait(5) and waiting.wait(5)


def test_a_batch_stopped_by_the_sweep_keeps_the_cause(fresh_jobs, sine_series):
    from forecasting.job import BatchJob

    batch = BatchJob(sine_series, [FOREVER, FOREVER.with_changes(cell="gru")]).start()
    while not batch.jobs[0].history:
        time.sleep(0.05)
    batch.stop(BUDGET)
    assert batch.wait(30)
    assert batch.stop_cause == BUDGET and all(job.stop_cause == BUDGET for job in batch.jobs)
    assert batch.jobs[0].run.stop_kind == BUDGET


def test_the_trio_refuses_cells_whose_networks_pass_the_weight_limit(monkeypatch, limits_env):
    """The trio trains the base's settings with each cell; an RNN within the weight limit can
    be an LSTM four times over it, and that is refused before anything trains."""
    from forecasting.limits import estimated_parameters
    from ui import trio

    rnn = TrainConfig(cell="rnn", hidden_size=64, num_layers=2, members=1, epochs=5, window=12)
    limits_env(PARAMETERS=str(estimated_parameters(rnn) * 2))
    monkeypatch.setattr(trio, "trio_base", lambda series, current: rnn)
    app = opened({"sample": "airline", "page": "compare"})
    app.button(key="trio").click().run()
    assert not app.exception
    assert "weights; this server allows at most" in app.error[0].value
    assert no_job(app)


def test_two_jobs_on_equal_copies_of_the_same_data_queue_apart(fresh_jobs, limits_env):
    """Each session has its own copy of a sample; jobs on equal copies are still two jobs."""
    from dataclasses import replace

    limits_env(JOBS="1")
    series = from_array(noisy_sine(200), target="signal")
    copy = replace(series, values=series.values.copy())
    busy = Held().start()
    assert busy.began.wait(5)
    first = TrainingJob(series, FOREVER.with_changes(epochs=1)).start()
    second = TrainingJob(copy, FOREVER.with_changes(epochs=1)).start()
    time.sleep(0.3)
    assert (first.waiting_behind(), second.waiting_behind()) == (0, 1)
    busy.release.set()
    assert first.wait(30) and second.wait(30)
    assert first.run is not None and second.run is not None


def first_fold_then_forever(monkeypatch) -> None:
    """A backtest's first fold trains one epoch; every later fold trains until it is stopped."""
    from forecasting import backtest as backtest_module

    real_fit, calls = backtest_module.fit, []

    def fit_then_forever(series, config, should_stop=None):
        calls.append(config)
        epochs = 1 if len(calls) == 1 else 100_000
        changed = config.with_changes(epochs=epochs, patience=0)
        return real_fit(series, changed, should_stop=should_stop)

    monkeypatch.setattr(backtest_module, "fit", fit_then_forever)


def wait_for_a_fold(job, seconds: float = 60) -> None:
    started = time.monotonic()
    while job.done_folds < 1:
        assert time.monotonic() - started < seconds, "the first fold never ended"
        time.sleep(0.05)


def test_a_backtest_over_the_time_budget_keeps_the_folds_it_finished(
    fresh_jobs, sine_series, monkeypatch
):
    from forecasting.job import BacktestJob

    _, jobs = fresh_jobs()
    first_fold_then_forever(monkeypatch)
    job = BacktestJob(sine_series, FOREVER.with_changes(horizon=6), 3, (0.8,)).start()
    wait_for_a_fold(job)
    [entry] = jobs.sweep(time.monotonic() + jobs.budget_s + 1)
    assert entry.job is job and job.stop_cause == BUDGET
    assert job.wait(30) and job.error is None
    assert [fold.origin for fold in job.result.folds] == [len(sine_series) - 18]
    assert (job.result.planned, job.result.complete) == (3, False)
    assert set(job.result.table) >= {"model", "naive"} and set(job.result.coverage) == {0.8}


def test_the_forecast_page_says_a_backtest_stopped_at_the_budget_above_its_folds(
    fresh_jobs, monkeypatch
):
    from tests.test_pages import start

    _, jobs = fresh_jobs()
    app = start()
    app.button(key="demo").click().run()
    name = kept(app)[0].name
    first_fold_then_forever(monkeypatch)
    app.button(key=f"backtest-run-{name}").click().run()
    job = app.session_state[state.BACKTEST_JOB][3]
    wait_for_a_fold(job)
    jobs.sweep(time.monotonic() + jobs.budget_s + 1)
    assert job.wait(60) and job.stop_cause == BUDGET
    app.run()
    assert not app.exception
    [warning] = app.warning
    assert warning.value.startswith(
        "Stopped at this server's time budget after 1 of 3 folds: the forecasts, scores"
    )
    assert any("fell inside" in line.value for line in app.markdown)
    kept_result = app.session_state[state.BACKTESTS][(name, 3, (0.8, 0.95))]
    assert len(kept_result.folds) == 1 and kept_result.stopped_by == BUDGET
    assert app.button(key=f"backtest-run-{name}").label == "Run the whole backtest again"


def test_the_train_page_says_one_then_two_ahead_while_the_only_slot_is_held(fresh_jobs, limits_env):
    limits_env(JOBS="1")
    busy, queued = Held().start(), Held().start()
    assert busy.began.wait(5)
    apps = []
    for ahead in (1, 2):
        app = opened({"sample": "airline", "page": "train"})
        app.button(key="train-start").click().run()
        assert not app.exception
        assert app.session_state[state.JOB].waiting_behind() == ahead
        waiting = f"Waiting for a free slot on this server: {ahead} ahead of you."
        assert waiting in [info.value for info in app.info]
        apps.append(app)
    queued.stop()
    assert queued.wait(5)
    apps[1].run()
    assert "Waiting for a free slot on this server: 1 ahead of you." in [
        info.value for info in apps[1].info
    ], "a job that leaves the queue moves the ones behind it up"
    for app in apps:
        app.button(key="train-stop").click().run()
        assert app.session_state[state.JOB] is None or app.session_state[state.JOB].wait(5)
    busy.release.set()
    assert busy.wait(5)


def test_an_orphaned_sessions_search_is_stopped_by_the_sweep(fresh_jobs, tmp_path):
    _, jobs = fresh_jobs()
    connected = {"tab-1": True}
    jobs.watch_sessions(owner=lambda: "tab-1", alive=lambda session: connected[session])
    job = endless_search(tmp_path, "left").start()
    started = time.monotonic()
    while job.finished < 1:
        assert time.monotonic() - started < 60
        time.sleep(0.05)
    assert jobs.sweep() == [] and not job.stopping, "a connected session's search goes on"
    connected["tab-1"] = False  # the tab closed
    now = time.monotonic()
    assert jobs.sweep(now) == []
    [entry] = jobs.sweep(now + SESSION_GRACE_S)
    assert entry.job is job and job.stop_cause == SESSION_GONE
    assert job.wait(60) and job.error is None
    assert 0 < job.finished < job.settings.trials
