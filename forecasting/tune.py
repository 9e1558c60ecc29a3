"""Automatic tuning: an Optuna study over TrainConfig, scored by validation MASE.

A study lives in a database (SQLite by default, any SQLAlchemy URL when given), so it survives
a reload, can be resumed, and can be shared by workers on several machines through a server
such as PostgreSQL: each worker opens the same study and runs its own trials. These functions
open any storage they are given, as the command line does; a web visitor's storage is checked
first (forecasting/tune_defaults.py).
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
import sqlalchemy.exc
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy.engine import URL, make_url

from data.errors import DataError
from data.series import Series
from data.windows import part_sizes
from forecasting.config import (
    MIN_WINDOW,
    ConfigError,
    TrainConfig,
    bounds,
    default_window,
    searched,
)
from forecasting.evaluate import evaluate, headline_metric
from forecasting.limits import ServerLimits, check_config, env_name
from forecasting.train import EpochLog, TrainingError, fit
from models.recurrent import CELLS

if TYPE_CHECKING:
    import plotly.graph_objects as go

DEFAULT_STORAGE = "sqlite:///studies.db"
PRUNERS = ("median", "hyperband", "none")
LARGEST_CELL_FIRST = ("lstm", "gru", "rnn")  # weights per unit: four gates, three, one
SEARCHED = tuple(searched())
FREE_SETTINGS = (*SEARCHED, "members", "epochs", "device", "precision")  # may change on resuming
DATA_ATTR = "data"  # the study's user attribute holding its series' fingerprint
SPACE_ATTR = "space"  # ... and the search space of its latest search
HEARTBEAT_S = 60  # a worker's running trial records that it is alive this often
GRACE_S = 600  # a running trial silent this long belongs to a dead worker: marked failed
SQLITE_WAIT_S = 30  # how long a worker waits for another to release an SQLite file
CONNECT_TIMEOUT_S = 10  # how long to try reaching a database server
STORAGE_TRIES = 5  # workers starting together race to create the tables; the losers retry
STORAGE_HINT = (
    "Storages look like sqlite:///studies.db or postgresql://user:password@host/database."
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


class TuneError(ValueError):
    """A setting or storage the user gave that cannot be used; message for the user."""


class StorageError(TuneError):
    """The study storage could not be opened or failed; the message quotes the database."""


@dataclass(frozen=True)
class SearchSpace:
    """The ranges a search draws from; every pair is (lowest, highest), both included."""

    cells: tuple[str, ...] = searched()["cell"].default
    hidden_size: tuple[int, int] = searched()["hidden_size"].default  # sampled on a log scale
    num_layers: tuple[int, int] = searched()["num_layers"].default
    dropout: tuple[float, float] = searched()["dropout"].default  # only for more than one layer
    window: tuple[int, int] = searched()["window"].default  # (0, 0): half to twice the automatic
    lr: tuple[float, float] = searched()["lr"].default  # log scale
    batch_sizes: tuple[int, ...] = searched()["batch_size"].default

    def __post_init__(self) -> None:
        for name in ("cells", "hidden_size", "num_layers", "dropout", "window", "lr"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "batch_sizes", tuple(self.batch_sizes))
        if not self.cells:
            raise TuneError("Pick at least one cell to search over (lstm, gru or rnn).")
        unknown = [cell for cell in self.cells if cell not in CELLS]
        if unknown:
            raise TuneError(
                f"Unknown cell {unknown[0]!r}: the cells are {', '.join(sorted(CELLS))}."
            )
        _check_range("hidden size", self.hidden_size, *bounds("hidden_size"), whole=True)
        _check_range("layers", self.num_layers, *bounds("num_layers"), whole=True)
        _check_range("dropout", self.dropout, *bounds("dropout"))
        if self.window != (0, 0):
            _check_range("window", self.window, MIN_WINDOW, bounds("window")[1], whole=True)
        _check_range("learning rate", self.lr, *bounds("lr"))
        if not self.batch_sizes:
            raise TuneError("Pick at least one batch size to search over.")
        for size in self.batch_sizes:
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise TuneError(f"Batch sizes must be whole numbers of 1 or more; got {size!r}.")


@dataclass(frozen=True)
class TuneSettings:
    trials: int = 20  # trials this call runs; with several workers each runs its own
    timeout_s: float | None = None  # time budget in seconds, None: no limit
    epochs: int = 60  # most epochs per trial (early stopping still applies)
    pruner: str = "median"  # "median" | "hyperband" | "none"
    seed: int = 0  # sampler seed

    def __post_init__(self) -> None:
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or self.trials < 1:
            raise TuneError(f"The number of trials must be 1 or more; got {self.trials!r}.")
        if self.timeout_s is not None and not self.timeout_s > 0:
            raise TuneError(f"The time budget must be above 0 seconds; got {self.timeout_s!r}.")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise TuneError(f"Epochs per trial must be 1 or more; got {self.epochs!r}.")
        _check_pruner(self.pruner)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TuneError(f"The seed must be a whole number; got {self.seed!r}.")
        if not 0 <= self.seed < 2**32:
            raise TuneError(f"The seed must be between 0 and {2**32 - 1}; got {self.seed}.")


@dataclass(frozen=True)
class TrialRow:
    """One row of the live table of trials."""

    number: int
    state: str  # RUNNING, COMPLETE, PRUNED, FAIL, WAITING
    value: float | None  # validation MASE of a complete trial
    params: dict[str, object]
    seconds: float | None  # how long a finished trial took


def open_study(
    name: str, storage: str | None = None, seed: int = 0, pruner: str = "median"
) -> optuna.Study:
    """Create or load study `name` (minimising) in `storage` (None: DEFAULT_STORAGE).

    Each call builds its own sampler, so each worker process has one; it draws trial n from a
    random stream of its own, fixed by (seed, n), so workers sharing a study draw different
    trials and the same seed repeats a one-worker search.
    """
    if not name or not name.strip():
        raise TuneError("Give the study a name.")
    _check_pruner(pruner)
    url = storage or DEFAULT_STORAGE
    try:
        return optuna.create_study(
            storage=_storage(url),
            sampler=TrialSeededSampler(seed),
            pruner=_pruner(pruner),
            study_name=name,
            direction="minimize",
            load_if_exists=True,
        )
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, OSError, RuntimeError) as err:
        raise StorageError(
            f"Cannot open the study storage {shown_url(url)}: {first_reason(err)}. {STORAGE_HINT}"
        ) from err
    except ValueError as err:
        raise TuneError(f"Cannot use study {name!r} in {shown_url(url)}: {err}") from None


def training_room(base: TrainConfig, n_points: int) -> tuple[int, int]:
    """Points in the training part, and the longest window that fits it (one window and its
    targets, as fit() needs)."""
    val, test = part_sizes(n_points, base.val_share, base.test_share, base.horizon)
    train_points = n_points - val - test
    return train_points, train_points - base.model_horizon


def window_bounds(space: SearchSpace, base: TrainConfig, n_points: int) -> tuple[int, int]:
    """The window range searched on a series of `n_points`: the space's, checked against the
    training part, or (for (0, 0)) from half to twice the automatic window, within its room."""
    train_points, longest = training_room(base, n_points)
    if space.window != (0, 0):
        if space.window[1] > longest:
            raise TuneError(
                f"A window of {space.window[1]} steps does not fit: the training part has "
                f"{train_points} points, so the longest window is {max(longest, 0)}."
            )
        return space.window
    automatic = default_window(base.season_length, train_points)
    low = max(MIN_WINDOW, automatic // 2)
    high = min(2 * automatic, max(low, train_points // 2))
    if low > longest:
        raise TuneError(
            f"The series is too short to tune: its training part has {train_points} points, "
            f"too few for a window of {low} steps and a horizon of {base.horizon}."
        )
    return low, min(high, longest)


def suggest_config(
    trial: optuna.Trial, base: TrainConfig, space: SearchSpace, n_points: int
) -> TrainConfig:
    """`base` with the searched settings drawn for `trial`."""
    window_low, window_high = window_bounds(space, base, n_points)
    cell = trial.suggest_categorical("cell", list(space.cells))
    hidden_size = trial.suggest_int("hidden_size", *space.hidden_size, log=True)
    num_layers = trial.suggest_int("num_layers", *space.num_layers)
    dropout = trial.suggest_float("dropout", *space.dropout) if num_layers > 1 else 0.0
    return base.with_changes(
        cell=cell,
        hidden_size=hidden_size,
        num_layers=num_layers,
        dropout=dropout,
        window=trial.suggest_int("window", window_low, window_high),
        lr=trial.suggest_float("lr", *space.lr, log=True),
        batch_size=trial.suggest_categorical("batch_size", list(space.batch_sizes)),
    )


def trial_base(base: TrainConfig, settings: TuneSettings) -> TrainConfig:
    """What every trial trains from: one network (trials stay cheap), settings.epochs at most."""
    return base.with_changes(members=1, epochs=settings.epochs)


def check_limits(
    space: SearchSpace,
    settings: TuneSettings,
    base: TrainConfig,
    n_points: int,
    limits: ServerLimits,
) -> None:
    """TuneError when a web visitor's search asks for more than this server allows: more trials,
    or a largest network (every range at its top, with the base's members for training the
    winner) beyond a limit. The message names the setting, its value and the limit."""
    if settings.trials > limits.tune_trials:
        raise TuneError(
            f"trials is {settings.trials:,}; this server allows at most {limits.tune_trials:,} "
            f"({env_name('tune_trials')})."
        )
    cell = next(cell for cell in LARGEST_CELL_FIRST if cell in space.cells)
    try:
        largest = base.with_changes(
            cell=cell,
            hidden_size=space.hidden_size[1],
            num_layers=space.num_layers[1],
            window=window_bounds(space, base, n_points)[1],
            batch_size=max(space.batch_sizes),
            epochs=settings.epochs,
        )
        check_config(largest, limits)
    except ConfigError as err:
        raise TuneError(str(err)) from None


def run_search(
    series: Series,
    base: TrainConfig,
    space: SearchSpace,
    settings: TuneSettings,
    study: optuna.Study,
    should_stop: Callable[[], bool] | None = None,
    on_trial: Callable[[TrialRow], None] | None = None,
    on_epoch: Callable[[TrialRow, EpochLog], None] | None = None,
) -> optuna.Study:
    """Run settings.trials trials (or until the time budget or should_stop) on `study`.

    A trial trains trial_base(base) with drawn settings and scores validation MASE (MAE when
    the series has no MASE scale); each epoch's validation loss goes to the pruner. A stop
    ends the trial under way as pruned. `on_trial` hears each finished trial of this call,
    `on_epoch` the running trial after each of its epochs. A study keeps its base: resuming
    it with other settings than the searched ones, members and epochs is refused, and so is
    resuming it on other data.
    """
    start = trial_base(base, settings)
    stop = should_stop or (lambda: False)

    def objective(trial: optuna.Trial) -> float:
        config = suggest_config(trial, start, space, len(series))
        trial.set_user_attr("config", config.to_dict())
        history: list[EpochLog] = []
        watch = _EpochWatch(trial, history, stop, on_epoch)
        try:
            run = fit(series, config, should_stop=watch, history=history)
        except TrainingError as err:  # diverged: a bad corner of the space, not a broken search
            trial.set_user_attr("error", str(err))
            raise optuna.TrialPruned(str(err)) from None
        if watch.stopped:
            study.stop()
            raise optuna.TrialPruned("stopped by the user")
        scores = evaluate(run, series, "val", baselines=())
        metric = headline_metric(scores.table)
        trial.set_user_attr("metric", metric)
        trial.set_user_attr("best_epoch", run.best_epoch)
        return float(scores.table["model"][metric])

    def after_trial(study: optuna.Study, trial: FrozenTrial) -> None:
        if on_trial:
            on_trial(_row(trial))
        if stop():
            study.stop()

    try:
        check_same_data(study, series)
        window_bounds(space, base, len(series))
        _remember(study, space, base, series)
        if not stop():
            study.optimize(objective, settings.trials, settings.timeout_s, callbacks=[after_trial])
    except (DataError, ConfigError) as err:
        raise TuneError(str(err)) from None
    except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as err:
        reason = first_reason(err.__cause__ or err)
        raise StorageError(f"The study storage failed: {reason}") from err
    return study


def trial_rows(study: optuna.Study) -> list[TrialRow]:
    """Every trial of the study, from every worker, by number."""
    return [_row(trial) for trial in sorted(study.get_trials(), key=lambda t: t.number)]


def best_config(study: optuna.Study) -> TrainConfig:
    """The best trial's config, with the members of the search's base restored for training."""
    config = best_trial_config(study)
    base = stored_base(study)
    return config if base is None else config.with_changes(members=base.members)


def best_trial_config(study: optuna.Study) -> TrainConfig:
    """The best trial's config exactly as it was trained and scored (one network)."""
    try:
        best = study.best_trial
    except ValueError:
        raise TuneError(
            f"No trial of study {study.study_name!r} has finished yet: run a few more."
        ) from None
    if "config" not in best.user_attrs:
        raise TuneError(f"Trial {best.number} of study {study.study_name!r} has no settings.")
    return stored_config(best.user_attrs["config"])


def stored_base(study: optuna.Study) -> TrainConfig | None:
    """The base config of the study's latest search (None before its first), to continue it."""
    stored = study.user_attrs.get("base")
    return None if stored is None else stored_config(stored)


def stored_config(values: dict) -> TrainConfig:
    """A config a study stored; one stored before pools existed read every step."""
    return TrainConfig.from_dict({"pool": 1, **values})


def stored_space(study: optuna.Study) -> SearchSpace | None:
    """The search space of the study's latest search (None before its first)."""
    stored = study.user_attrs.get(SPACE_ATTR)
    return None if stored is None else SearchSpace(**stored)


def check_same_data(study: optuna.Study, series: Series) -> None:
    """Refuse to continue a study first run on another series: their trials would not compare."""
    first = study.user_attrs.get(DATA_ATTR)
    if first is not None and first != series.fingerprint():
        raise TuneError(
            f"Study {study.study_name!r} was run on other data, so its trials would not compare "
            "with trials on this data: choose another study name."
        )


def figures(study: optuna.Study) -> dict[str, go.Figure]:
    """Optuna's Plotly figures: history, parallel coordinates, importances (from 2 complete
    trials) and slices."""
    from optuna import visualization

    drawn = {
        "history": visualization.plot_optimization_history(study),
        "parallel": visualization.plot_parallel_coordinate(study),
    }
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) >= 2:
        with contextlib.suppress(ValueError, RuntimeError), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "few trials": we know, it is early
            drawn["importance"] = visualization.plot_param_importances(study)
    drawn["slice"] = visualization.plot_slice(study)
    return drawn


class TrialSeededSampler(optuna.samplers.BaseSampler):
    """TPE whose random stream for trial n is fixed by (seed, n), not by the process.

    Workers sharing a study thus draw different settings (their trial numbers differ), a
    resumed study does not repeat its first draws, and one worker with a seed repeats itself.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._tpe = optuna.samplers.TPESampler(seed=seed)

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        stream = int(np.random.SeedSequence([self.seed, trial.number]).generate_state(1)[0])
        self._tpe = optuna.samplers.TPESampler(seed=stream)
        self._tpe.before_trial(study, trial)

    def infer_relative_search_space(
        self, study: optuna.Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._tpe.infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: optuna.Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._tpe.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._tpe.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._tpe.after_trial(study, trial, state, values)


class _EpochWatch:
    """fit()'s should_stop, asked before every batch: reports each new epoch's validation loss
    to the pruner once, and passes a stop on at once."""

    def __init__(
        self,
        trial: optuna.Trial,
        history: list[EpochLog],
        stop: Callable[[], bool],
        on_epoch: Callable[[TrialRow, EpochLog], None] | None,
    ) -> None:
        self.trial, self.history, self.stop, self.on_epoch = trial, history, stop, on_epoch
        self.stopped = False
        self.heard = 0  # epochs reported so far

    def __call__(self) -> bool:
        if self.stop():
            self.stopped = True
            return True
        if len(self.history) == self.heard:
            return False
        self.heard = len(self.history)
        log = self.history[-1]
        self.trial.report(log.val_loss, log.epoch)
        if self.on_epoch:
            self.on_epoch(
                TrialRow(self.trial.number, "RUNNING", None, self.trial.params, None), log
            )
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {log.epoch}")
        return False


def _remember(study: optuna.Study, space: SearchSpace, base: TrainConfig, series: Series) -> None:
    """Keep in the study what its next search must agree with: its space, base and data."""
    _remember_space(study, space)
    _remember_base(study, base)
    _remember_data(study, series)


def _remember_base(study: optuna.Study, base: TrainConfig) -> None:
    """Keep the search's base with the study; scores compare only between trials of one task,
    so a search that would change it is refused."""
    before = stored_base(study)
    if before != base:
        _check_same_base(study, before, base)
        study.set_user_attr("base", base.to_dict())


def _remember_space(study: optuna.Study, space: SearchSpace) -> None:
    """Keep the search space with the study. Its ranges may change from one search to the next;
    its choices (cells, batch sizes) may not: Optuna refuses a choice drawn from other ones."""
    before = stored_space(study)
    if before is not None and (before.cells, before.batch_sizes) != (
        space.cells,
        space.batch_sizes,
    ):
        raise TuneError(
            f"Study {study.study_name!r} chooses among the cells {', '.join(before.cells)} and "
            f"the batch sizes {', '.join(map(str, before.batch_sizes))}; a search cannot change "
            "those choices: keep them, or name a new study."
        )
    if before != space:
        study.set_user_attr(SPACE_ATTR, asdict(space))


def _remember_data(study: optuna.Study, series: Series) -> None:
    """Keep the fingerprint of the series the study was first run on."""
    if DATA_ATTR not in study.user_attrs:
        study.set_user_attr(DATA_ATTR, series.fingerprint())


def _check_same_base(study: optuna.Study, before: TrainConfig | None, base: TrainConfig) -> None:
    if before is None:
        return
    changed = [
        f"{name} {getattr(before, name)!r} -> {getattr(base, name)!r}"
        for name in TrainConfig.__dataclass_fields__
        if name not in FREE_SETTINGS and getattr(before, name) != getattr(base, name)
    ]
    if changed:
        raise TuneError(
            f"Study {study.study_name!r} was searched with other settings ({'; '.join(changed)}), "
            "so its scores would not compare: keep them, or name a new study."
        )


def _row(trial: FrozenTrial) -> TrialRow:
    seconds = None
    if trial.datetime_start and trial.datetime_complete:
        seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
    value = trial.value if trial.state == TrialState.COMPLETE else None
    return TrialRow(trial.number, trial.state.name, value, dict(trial.params), seconds)


def connection(url: str) -> tuple[URL, dict[str, Any]]:
    """The URL a study storage connects to and its engine options: SQLite waits for another
    worker's lock, PostgreSQL goes through psycopg2 and gives up on a silent server."""
    parsed = make_url(url)
    engine_kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        engine_kwargs["connect_args"] = {"timeout": SQLITE_WAIT_S}
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3; we ship 2
            parsed = parsed.set(drivername="postgresql+psycopg2")
        engine_kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    return parsed, engine_kwargs


def sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL keeps its database in; None for another database or memory."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def _storage(url: str) -> optuna.storages.RDBStorage:
    parsed, engine_kwargs = connection(url)
    file = sqlite_file(parsed)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, STORAGE_TRIES + 1):
        try:
            with warnings.catch_warnings():  # the heartbeat is marked experimental
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    parsed.render_as_string(hide_password=False),
                    engine_kwargs=engine_kwargs,
                    heartbeat_interval=HEARTBEAT_S,
                    grace_period=GRACE_S,
                )
        except sqlalchemy.exc.DBAPIError as err:
            if attempt == STORAGE_TRIES or not _lost_table_race(err):
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def _lost_table_race(err: sqlalchemy.exc.DBAPIError) -> bool:
    """Whether another worker created optuna's tables while this one did (a first run)."""
    text = str(err.orig).lower()
    return "already exists" in text or "duplicate key" in text or "unique constraint" in text


def _pruner(name: str) -> optuna.pruners.BasePruner:
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=5)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=3)
    return optuna.pruners.NopPruner()


def _check_pruner(name: str) -> None:
    if name not in PRUNERS:
        raise TuneError(f"Unknown pruner {name!r}: choose {', '.join(PRUNERS)}.")


def _check_range(
    label: str, bounds: tuple, lowest: float, highest: float, whole: bool = False
) -> None:
    if len(bounds) != 2:
        raise TuneError(f"The {label} range needs a lowest and a highest value; got {bounds!r}.")
    for value in bounds:
        kind = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or math.isnan(value):
            what = "whole numbers" if whole else "numbers"
            raise TuneError(f"The {label} range takes {what}; got {value!r}.")
        if not lowest <= value <= highest:
            raise TuneError(
                f"The {label} range must lie between {lowest:g} and {highest:g}; got {value:g}."
            )
    if bounds[0] > bounds[1]:
        raise TuneError(
            f"The {label} range is upside down: its lowest ({bounds[0]:g}) is above its "
            f"highest ({bounds[1]:g})."
        )


def find_study(name: str, storage: str) -> optuna.Study | None:
    """Study `name` in `storage` when it is there; None when it is not (none is created)."""
    if not name.strip() or not _may_exist(storage):
        return None
    try:
        return optuna.load_study(study_name=name, storage=_reader(storage))
    except KeyError:
        return None
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, OSError, RuntimeError, ValueError) as err:
        raise StorageError(
            f"Cannot open the study storage {shown_url(storage)}: {first_reason(err)}"
        ) from err


@functools.lru_cache(maxsize=8)
def _reader(url: str) -> optuna.storages.RDBStorage:
    """One storage per URL for looking studies up, not a new engine on every page rerun."""
    return _storage(url)


def _may_exist(storage: str) -> bool:
    """False for an SQLite file not made yet (looking must not make it); True otherwise."""
    try:
        file = sqlite_file(make_url(storage))
    except sqlalchemy.exc.ArgumentError:
        return True  # loading says what is wrong with it
    return file is None or file.exists()


def shown_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except sqlalchemy.exc.ArgumentError:
        return repr(url)


def first_reason(err: BaseException) -> str:
    """The first line of what went wrong, without SQLAlchemy's background links."""
    cause = getattr(err, "orig", None) or err
    lines = [line for line in str(cause).splitlines() if line.strip()]
    return lines[0].strip().rstrip(".") if lines else type(cause).__name__
