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
from dataclasses import asdict, dataclass, field, fields, make_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_type_hints

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
    Search,
    TrainConfig,
    Widget,
    bounds,
    declared,
    default_window,
    searched,
)
from forecasting.evaluate import evaluate, headline_metric
from forecasting.limits import ServerLimits, check_config, env_name
from forecasting.train import EpochLog, TrainingError, fit

if TYPE_CHECKING:
    import plotly.graph_objects as go

DEFAULT_STORAGE = "sqlite:///studies.db"
PRUNERS = ("median", "hyperband", "none")
LARGEST_CELL_FIRST = ("lstm", "gru", "rnn")  # weights per unit: four gates, three, one
LARGEST_FIRST = {"cell": LARGEST_CELL_FIRST}  # choices not numbers: which needs the most
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


def _check_space(space: Any) -> None:
    """SearchSpace's checks, made from the declarations: each range within its setting's (a
    range (0, 0) of a setting in DATA_RANGES asks for one from the data), each choice among the
    setting's; TuneError naming the first problem."""
    for name, search in searched().items():
        key = search.field_name(name)
        values = tuple(getattr(space, key))
        object.__setattr__(space, key, values)
        if search.choices:
            _check_choices(name, search, values)
        elif not (name in DATA_RANGES and values == (0, 0)):
            lowest, highest = bounds(name)
            lowest = lowest if search.low is None else search.low
            whole = _kind(name) is int
            _check_range(search.label_of(name), values, lowest, highest, whole=whole)


SearchSpace = make_dataclass(
    "SearchSpace",
    [
        (search.field_name(name), tuple, field(default=search.default))
        for name, search in searched().items()
    ],
    namespace={
        "__doc__": "The ranges a search draws from, a field per searched setting "
        "(forecasting/config.py: `cells`, `hidden_size`, ..., `batch_sizes`): every range is "
        "(lowest, highest), both included; choices are tuples of values.",
        "__module__": __name__,
        "__post_init__": _check_space,
    },
    frozen=True,
)


@dataclass(frozen=True)
class RunSetting:
    """How a setting of the search itself (not of the networks it trains) is checked, offered
    on the Tune page (`widget`, texts `tune.<word>` and `tune.<word>_help`) and on the command
    line (`flag`); TuneSettings' fields each carry one (see `run_settings`)."""

    label: str  # its name at the start of a message: "The number of trials"
    word: str  # its Tune page widget `tune.<word>`; a choice `c` reads `tune.<word>.<c>`
    widget: Widget  # kind, place ("tune", column, row); low, high and step where not its own
    flag: str
    cli_help: str
    low: float | None = None
    high: float | None = None
    above: bool = False  # `low` itself is refused
    unit: str = ""  # said after a bound: " seconds"
    choices: tuple[str, ...] = ()
    limit: str = ""  # the ServerLimits field capping it for a web visitor
    trains: str = ""  # the TrainConfig setting each trial takes it as (capped as that setting)


def run_setting(default: Any, **spec: Any) -> Any:
    """A TuneSettings field with its declaration."""
    return field(default=default, metadata={"run": RunSetting(**spec)})


@dataclass(frozen=True)
class TuneSettings:
    """How long and how to search: declared once here, checked in __post_init__, and made into
    the Tune page's inputs and the `tune` command's options."""

    trials: int = run_setting(  # trials this call runs; with several workers each runs its own
        20,
        label="The number of trials",
        word="trials",
        low=1,
        limit="tune_trials",
        widget=Widget("number", ("tune", 0, 0)),
        flag="--trials",
        cli_help="trials this worker runs (default: 20)",
    )
    timeout_s: float | None = run_setting(  # None: no limit
        None,
        label="The time budget",
        word="timeout",
        low=0,
        above=True,
        unit=" seconds",
        widget=Widget("number", ("tune", 0, 1), 1, 7 * 24 * 3600, step=30),
        flag="--timeout",
        cli_help="time budget in seconds; the trial under way finishes",
    )
    epochs: int = run_setting(  # most epochs per trial (early stopping still applies)
        60,
        label="Epochs per trial",
        word="epochs",
        low=1,
        trains="epochs",
        widget=Widget("number", ("tune", 1, 0)),
        flag="--epochs",
        cli_help="most epochs per trial (default: 60)",
    )
    pruner: str = run_setting(
        "median",
        label="The pruner",
        word="pruner",
        choices=PRUNERS,
        widget=Widget("select", ("tune", 1, 1)),
        flag="--pruner",
        cli_help="how bad trials end early (default: median)",
    )
    seed: int = run_setting(  # the sampler's
        0,
        label="The seed",
        word="seed",
        low=0,
        high=2**32 - 1,
        widget=Widget("number", ("tune", 2, 0)),
        flag="--seed",
        cli_help="sampler seed (default: 0)",
    )

    def __post_init__(self) -> None:
        for name, spec in run_settings().items():
            _check_run_setting(name, getattr(self, name), spec)


def run_settings() -> dict[str, RunSetting]:
    """TuneSettings' declarations, in field order."""
    return {spec.name: spec.metadata["run"] for spec in fields(TuneSettings)}


def run_kind(name: str) -> type:
    """The type of a TuneSettings field, None aside: `float` for `float | None`."""
    hint = get_type_hints(TuneSettings)[name]
    return next((kind for kind in get_args(hint) if kind is not type(None)), hint)


def visitor_most(name: str, limits: ServerLimits) -> int | None:
    """The largest value of TuneSettings' `name` a web visitor may ask for; None: no limit."""
    spec = run_settings()[name]
    if spec.limit:
        return getattr(limits, spec.limit)
    return limits.settings.get(spec.trains) if spec.trains else None


def trained(settings: TuneSettings) -> dict[str, Any]:
    """The TrainConfig settings every trial takes from the search's settings: its epochs."""
    return {
        spec.trains: getattr(settings, name) for name, spec in run_settings().items() if spec.trains
    }


@dataclass(frozen=True)
class TrialRow:
    """One row of the live table of trials."""

    number: int
    state: str  # RUNNING, COMPLETE, PRUNED, FAIL, WAITING
    value: float | None  # validation MASE of a complete trial
    params: dict[str, object]
    seconds: float | None  # how long a finished trial took


def open_study(
    name: str,
    storage: str | None = None,
    seed: int = TuneSettings.seed,
    pruner: str = TuneSettings.pruner,
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


# Searched settings whose range depends on the data: (0, 0) asks for one derived from it, and a
# range given is checked against it. The hook takes the space, the base and the series' length.
DATA_RANGES: dict[str, Callable[[Any, TrainConfig, int], tuple]] = {"window": window_bounds}


def search_ranges(space: SearchSpace, base: TrainConfig, n_points: int) -> dict[str, tuple]:
    """Each searched setting's range or choices on a series of `n_points`: the space's, those of
    DATA_RANGES worked out from the data."""
    ranges = {name: getattr(space, search.field_name(name)) for name, search in searched().items()}
    for name, derived in DATA_RANGES.items():
        ranges[name] = derived(space, base, n_points)
    return ranges


def suggest_config(
    trial: optuna.Trial, base: TrainConfig, space: SearchSpace, n_points: int
) -> TrainConfig:
    """`base` with the searched settings drawn for `trial`, in their declared order; a setting
    whose `only_if` does not hold (dropout with one layer) takes its default."""
    ranges = search_ranges(space, base, n_points)
    drawn: dict[str, Any] = {}
    for name, search in searched().items():
        if search.only_if is None or search.only_if(drawn):
            drawn[name] = suggest(trial, name, search, ranges[name])
        else:
            drawn[name] = getattr(TrainConfig, name)
    return base.with_changes(**drawn)


def suggest(trial: optuna.Trial, name: str, search: Search, values: tuple) -> Any:
    """One setting drawn as declared: one of its choices, or an int or a float (its type) in
    its range, on a log scale when the search says so."""
    if search.choices:
        return trial.suggest_categorical(name, list(values))
    if _kind(name) is int:
        return trial.suggest_int(name, *values, log=search.log)
    return trial.suggest_float(name, *values, log=search.log)


def trial_base(base: TrainConfig, settings: TuneSettings) -> TrainConfig:
    """What every trial trains from: one network (trials stay cheap), settings.epochs at most."""
    return base.with_changes(members=1, **trained(settings))


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
    for name, spec in run_settings().items():
        value = getattr(settings, name)
        if spec.limit and value is not None and value > (most := getattr(limits, spec.limit)):
            raise TuneError(
                f"{name} is {value:,}; this server allows at most {most:,} "
                f"({env_name(spec.limit)})."
            )
    ranges = search_ranges(space, base, n_points)
    tops = {name: _largest(name, search, ranges[name]) for name, search in searched().items()}
    try:
        check_config(base.with_changes(**tops, **trained(settings)), limits)
    except ConfigError as err:
        raise TuneError(str(err)) from None


def _largest(name: str, search: Search, values: tuple) -> Any:
    """The value of a range or choices that needs the most: the top of a range, the largest
    number, or the first of LARGEST_FIRST (else of the declared choices) among the chosen."""
    if not search.choices:
        return values[1]
    if all(isinstance(value, int | float) for value in values):
        return max(values)
    return next(
        value for value in LARGEST_FIRST.get(name, declared()[name].choices) if value in values
    )


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
        alone = replace(run, blend=None)  # the network, not the blend chosen on the same part
        scores = evaluate(alone, series, "val", baselines=())
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
    chosen = {name: search for name, search in searched().items() if search.choices}
    keys = [search.field_name(name) for name, search in chosen.items()]
    if before is not None and any(getattr(before, key) != getattr(space, key) for key in keys):
        among = " and ".join(
            f"the {search.label_of(name)}s {', '.join(map(str, getattr(before, key)))}"
            for (name, search), key in zip(chosen.items(), keys, strict=True)
        )
        raise TuneError(
            f"Study {study.study_name!r} chooses among {among}; a search cannot change those "
            "choices: keep them, or name a new study."
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
    _check_run_setting("pruner", name, run_settings()["pruner"])


def _check_run_setting(name: str, value: object, spec: RunSetting) -> None:
    """TuneError when `value` is not one TuneSettings' `name` takes, in the declared words."""
    if spec.choices:
        if value not in spec.choices:
            raise TuneError(f"Unknown {spec.word} {value!r}: choose {', '.join(spec.choices)}.")
        return
    if value is None and getattr(TuneSettings, name) is None:
        return
    whole = run_kind(name) is int
    if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
        what = "a whole number" if whole else "a number"
        raise TuneError(f"{spec.label} must be {what}; got {value!r}.")
    if spec.high is not None and not spec.low <= value <= spec.high:
        raise TuneError(f"{spec.label} must be between {spec.low} and {spec.high}; got {value}.")
    if math.isnan(value) or value < spec.low or (spec.above and value == spec.low):
        bound = f"above {spec.low}" if spec.above else f"{spec.low} or more"
        raise TuneError(f"{spec.label} must be {bound}{spec.unit}; got {value!r}.")


def _check_choices(name: str, search: Search, values: tuple) -> None:
    """A set of values to search among: at least one, each among the setting's choices, or
    numbers of its type no lower than its lowest."""
    label, allowed = search.label_of(name), declared()[name].choices
    if not values:
        among = f" ({', '.join(allowed[:-1])} or {allowed[-1]})" if allowed else ""
        raise TuneError(f"Pick at least one {label} to search over{among}.")
    unknown = [value for value in values if allowed and value not in allowed]
    if unknown:
        raise TuneError(
            f"Unknown {label} {unknown[0]!r}: the {label}s are {', '.join(sorted(allowed))}."
        )
    if allowed:
        return
    whole, lowest = _kind(name) is int, bounds(name)[0]
    for value in values:
        kind = int if whole else int | float
        if isinstance(value, bool) or not isinstance(value, kind) or not value >= lowest:
            what = "whole numbers" if whole else "numbers"
            raise TuneError(
                f"{label.capitalize()}s must be {what} of {lowest:g} or more; got {value!r}."
            )


def _kind(name: str) -> type:
    """The type of a TrainConfig setting: that of its default."""
    return type(getattr(TrainConfig, name))


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
