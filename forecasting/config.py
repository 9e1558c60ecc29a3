"""TrainConfig: the single description of a run, shared by the UI, the CLI, URLs and checkpoints."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from data.panel import MOST_SERIES
from data.series import Series
from data.windows import SCALERS, part_sizes
from models.kinds import CELLS, RESIDUALS

STRATEGIES = ("direct", "recursive")
LOSSES = ("mae", "mse", "huber")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "mixed")
MIXED_MIN_HIDDEN = 512  # on an H100 mixed precision slowed 64 and 256 units and sped up 1024
MIN_WINDOW, MAX_WINDOW = 4, 256
SAMPLED_EPOCH_WINDOWS = 1024  # above this many training windows, epochs are sampled
SAMPLED_PATIENCE = 10  # the automatic patience of sampled epochs
POOLED_STEPS = 48  # an automatic pool lets the LSTM read at most this many steps


class ConfigError(ValueError):
    """A setting out of range; the message names the setting and its value."""


@dataclass(frozen=True)
class Widget:
    """How the Train form offers a setting: the widget, where it sits, and its range.

    A setting with a server limit reaches up to that limit (`high` is for the others); the
    range is widened to take a value a link or preset sets, never past the limit."""

    kind: Literal["radio", "select_slider", "slider", "number", "select", "checkbox"]
    place: tuple[str, int, int]  # ("main" or "more", column, row)
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[Any, ...] = ()  # the choices of a radio, select box or select slider
    labels: Literal["", "cells", "upper"] = ""  # how options are written


@dataclass(frozen=True)
class Search:
    """How a search (the Tune page, `tune`) draws a setting: a (lowest, highest) range, or choices.

    A trial draws an int or a float (the setting's type) between the range's ends, on a log scale
    when `log`, or one of the choices; the searched settings are drawn, and shown on the Tune
    page, in `order`. Optuna keeps each parameter's name and distribution with a study: changing
    how a setting is drawn stops a study searched before from being continued."""

    word: str  # its name on the Tune page: widget `tune.<word>`, texts `tune.<word>`, `..._help`
    default: tuple[Any, ...]  # the range, or the choices, a new search starts from
    options: tuple[Any, ...] = ()  # the values offered; () a continuous range from low to high
    low: float | None = None  # the Tune page's range; a range starts no lower (None: the setting's)
    high: float | None = None  # a range may reach the setting's own highest
    step: float | None = None  # the Tune page's step; trials draw any value in between
    choices: bool = False  # a set of values rather than a range
    label: str = ""  # its name in messages and the CLI's description; "": the setting's name
    order: int = 100  # its place among the searched settings
    log: bool = False  # drawn on a log scale
    # drawn only when this holds for the settings drawn before it; else it takes its default
    only_if: Callable[[Mapping[str, Any]], bool] | None = None
    flag: str = ""  # the `tune` command's option giving the choices or the range; "": none

    def field_name(self, setting: str) -> str:
        """Its field in tune.SearchSpace: `cells` and `batch_sizes` for choices."""
        return f"{setting}s" if self.choices else setting

    def label_of(self, setting: str) -> str:
        """Its name in messages: its label, else the setting's name in words."""
        return self.label or setting.replace("_", " ")


@dataclass(frozen=True)
class Setting:
    """Everything about one TrainConfig setting besides its name, type and default.

    The Train form, the command line, share links, checkpoints, the Tune page and the server's
    limits are all made from these declarations (see `declared`)."""

    low: float | None = None  # the widest range any caller may use (the CLI's)
    high: float | None = None
    choices: tuple[str, ...] = ()
    limit: int | None = None  # a web visitor's largest value, unless the operator raises it
    widget: Widget | None = None  # None: not on the Train form
    flag: str = ""  # the CLI option; "": not an option
    cli_help: str = ""
    cli_default: Any = None  # the command line's default when not the field's; None: the field's
    search: Search | None = None  # None: the Tune page does not search it


def setting(default: Any, **spec: Any) -> Any:
    """A TrainConfig field with its declaration."""
    return field(default=default, metadata={"setting": Setting(**spec)})


def more_than_one_layer(drawn: Mapping[str, Any]) -> bool:
    """Whether a trial draws dropout: only between layers, so with more than one."""
    return drawn["num_layers"] > 1


HIDDEN_SIZES = (4, 8, 16, 32, 64, 128, 256)
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03)
SEARCHED_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)


@dataclass(frozen=True)
class TrainConfig:
    cell: Literal["lstm", "gru", "rnn"] = setting(
        "lstm",
        choices=tuple(CELLS),
        widget=Widget("radio", ("main", 0, 0), options=tuple(CELLS), labels="cells"),
        flag="--model",
        cli_help="recurrent cell (default: lstm)",
        search=Search(
            "cells",
            ("lstm", "gru"),
            tuple(CELLS),
            choices=True,
            label="cell",
            order=0,
            flag="--cells",
        ),
    )
    strategy: Literal["direct", "recursive"] = setting(  # whole horizon at once, or step by step
        "direct",
        choices=STRATEGIES,
        flag="--strategy",
        cli_help="direct: whole horizon at once; recursive: stepwise",
    )
    residual: Literal["last", "seasonal", "none"] = setting(  # what the network corrects
        "last",
        choices=RESIDUALS,
        flag="--residual",
        cli_help="forecast the model corrects (default: automatic)",
    )
    window_scale: bool = setting(  # divide each window by its own scale before the network
        True,
        widget=Widget("checkbox", ("more", 1, 2)),
        flag="--window-scale",
        cli_help="divide each window by its own scale (default: on, off with extra inputs)",
    )
    loss: Literal["mae", "mse", "huber"] = setting(
        "mae",
        choices=LOSSES,
        widget=Widget("select", ("more", 0, 4), options=LOSSES, labels="upper"),
        flag="--loss",
        cli_help="what training minimises (default: mae)",
    )
    epoch_windows: int = setting(  # windows drawn at random per epoch; 0: every training window
        0,
        low=0,
        high=100_000_000,
        limit=1_000_000,
        widget=Widget("number", ("more", 0, 2), 0, step=256),
        flag="--epoch-windows",
        cli_help="training windows drawn per epoch; 0: all (default: 0, 1024 on long series)",
    )
    linear: bool = setting(  # a linear map of the window added to the network's correction
        True,
        widget=Widget("checkbox", ("more", 1, 3)),
        flag="--linear",
        cli_help="add a linear map of the window to the network's correction (default: on)",
    )
    members: int = setting(  # networks trained from different starting weights; median forecast
        3,
        low=1,
        high=15,
        limit=7,
        widget=Widget("slider", ("more", 2, 2), 1),
        flag="--members",
        cli_help="networks in the median ensemble, 1 to 15 (default: 3)",
    )
    pool: int = setting(  # steps averaged into one recurrent input; 1: every step; 0: automatic
        0,
        low=0,
        high=10_000,
        limit=64,
        widget=Widget("number", ("more", 0, 3), 0),
        flag="--pool",
        cli_help="steps averaged into one recurrent input; 1: every step; 0: automatic, the LSTM "
        "reads at most 48 steps, the GRU and RNN every step (default: 0)",
    )
    series_embedding: int = setting(  # a panel's learned vector per series; 0: none
        0,
        low=0,
        high=64,
        limit=16,
        flag="--series-embedding",
        cli_help="with --group-col or --wide: numbers learned for each series, read beside its "
        "values, so one network can tell the series apart; 0: none (default: 0)",
    )
    window: int = setting(  # input steps the network sees
        24,
        low=2,
        high=10_000,
        limit=512,
        widget=Widget("slider", ("main", 1, 0), MIN_WINDOW),
        flag="--window",
        cli_help="past steps the model reads (default: about 2.5 seasons)",
        # (0, 0): from half to twice the automatic window (tune.window_bounds)
        search=Search("window", (0, 0), low=MIN_WINDOW, order=4),
    )
    horizon: int = setting(  # steps it predicts
        12,
        low=1,
        high=10_000,
        limit=512,
        widget=Widget("slider", ("main", 1, 1), 1),
        flag="--horizon",
        cli_help="steps to forecast (default: one season, or 12)",
    )
    season_length: int = setting(  # steps in one season; 1 when there is none
        1,
        low=1,
        high=10_000,
        flag="--season",
        cli_help="steps in one season, when the dates do not tell (e.g. 12)",
    )
    hidden_size: int = setting(
        64,
        low=1,
        high=4096,
        limit=256,
        widget=Widget("select_slider", ("main", 0, 1), options=HIDDEN_SIZES),
        flag="--hidden-size",
        cli_help="units in each recurrent layer (default: 64)",
        search=Search("hidden", (8, 128), HIDDEN_SIZES, label="hidden size", order=1, log=True),
    )
    num_layers: int = setting(
        1,
        low=1,
        high=16,
        limit=4,
        widget=Widget("slider", ("main", 0, 2), 1),
        flag="--num-layers",
        cli_help="stacked recurrent layers (default: 1)",
        search=Search("layers", (1, 2), low=1, high=4, label="layers", order=2),
    )
    dropout: float = setting(
        0.0,
        low=0.0,
        high=0.95,
        widget=Widget("slider", ("main", 2, 2), 0.0, 0.5, step=0.05),
        flag="--dropout",
        cli_help="dropout between layers, 0 to 0.95 (default: 0)",
        search=Search(
            "dropout",
            (0.0, 0.3),
            low=0.0,
            high=0.9,
            step=0.05,
            order=3,
            only_if=more_than_one_layer,
        ),
    )
    epochs: int = setting(
        200,
        low=1,
        high=100_000,
        limit=5000,
        widget=Widget("number", ("main", 1, 2), 1),
        flag="--epochs",
        cli_help="maximum passes over the training data (default: 200)",
    )
    batch_size: int = setting(
        32,
        low=1,
        high=1_000_000,
        limit=1024,
        widget=Widget("select_slider", ("more", 0, 0), options=BATCH_SIZES),
        flag="--batch-size",
        cli_help="windows per gradient step (default: 32)",
        search=Search(
            "batch", (16, 32, 64, 128), BATCH_SIZES, choices=True, label="batch size", order=6
        ),
    )
    lr: float = setting(
        0.003,
        low=1e-7,
        high=10.0,
        widget=Widget("select_slider", ("main", 2, 0), options=LEARNING_RATES),
        flag="--lr",
        cli_help="Adam learning rate (default: 0.003)",
        search=Search("lr", (1e-4, 1e-2), SEARCHED_RATES, label="learning rate", order=5, log=True),
    )
    patience: int = setting(  # epochs without a 0.5% validation improvement before stopping
        20,
        low=0,
        high=100_000,
        limit=1000,
        widget=Widget("number", ("main", 2, 1), 0),
        flag="--patience",
        cli_help="epochs without a 0.5%% improvement before stopping (default: 20, 10 on long "
        "series); 0: never",
    )
    grad_clip: float = setting(1.0, low=0.0, high=1e6)
    scaler: Literal["standard", "minmax", "none"] = setting(
        "standard",
        choices=SCALERS,
        widget=Widget("select", ("more", 0, 1), options=SCALERS),
        flag="--scaler",
        cli_help="scaling (default: standard)",
    )
    val_share: float = setting(
        0.15,
        low=0.0,
        high=0.5,
        widget=Widget("slider", ("more", 1, 0), 0.05, 0.4, step=0.05),
        flag="--val-share",
        cli_help="share of the end kept for validation (default: 0.15)",
    )
    test_share: float = setting(
        0.15,
        low=0.0,
        high=0.5,
        widget=Widget("slider", ("more", 1, 1), 0.05, 0.4, step=0.05),
        flag="--test-share",
        cli_help="share kept for a final test (default: 0, none)",
        cli_default=0.0,
    )
    seed: int = setting(
        0,
        low=0,
        high=2**32 - 1,
        widget=Widget("number", ("more", 2, 0), 0, 2**31 - 1),
        flag="--seed",
        cli_help="random seed; the same seed gives the same forecast (default: 0)",
    )
    device: Literal["auto", "cpu", "cuda", "mps"] = setting(
        "auto",
        choices=DEVICES,
        widget=Widget("select", ("more", 2, 1), options=DEVICES),
        flag="--device",
        cli_help="auto picks CUDA, then MPS, then CPU",
    )
    precision: Literal["auto", "fp32", "mixed"] = setting(  # mixed: CUDA only; see `mixed`
        "auto",
        choices=PRECISIONS,
        flag="--precision",
        cli_help="mixed: float16 autocast with gradient scaling on CUDA, fp32 elsewhere; auto: "
        "mixed on CUDA from 512 hidden units (default: auto)",
    )
    covariates: tuple[str, ...] = ()  # extra input columns the network reads beside the target
    series_count: int = 0  # the series a panel's embedding has a row for (set by fit_panel)

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariates", tuple(self.covariates))
        for name, spec in declared().items():
            _check(name, getattr(self, name), spec, type(getattr(TrainConfig, name)))
        if self.val_share == 0:
            raise ConfigError("val_share must be above 0: validation drives early stopping")
        if not all(isinstance(name, str) and name for name in self.covariates):
            raise ConfigError(f"covariates must be column names; got {list(self.covariates)!r}")
        _check_int("series_count", self.series_count, 0, MOST_SERIES)
        if self.covariates and self.strategy == "recursive":
            raise ConfigError(
                "the recursive strategy cannot use extra inputs (their future values are "
                "unknown); use the direct strategy"
            )

    @property
    def mixed(self) -> bool:
        """Whether training on CUDA uses mixed precision: asked for, or automatically for
        networks wide enough that it paid off (MIXED_MIN_HIDDEN units)."""
        if self.precision == "auto":
            return self.hidden_size >= MIXED_MIN_HIDDEN
        return self.precision == "mixed"

    @property
    def embedded(self) -> bool:
        """Whether the network learns a vector per series: asked for, on a panel."""
        return self.series_embedding > 0 and self.series_count > 0

    @property
    def pool_length(self) -> int:
        """Steps the recurrent layers read as one: `pool`, or when it is 0 (automatic) enough
        for the LSTM to read at most POOLED_STEPS steps, and 1 for the GRU and the plain RNN.

        Measured (bench/RESULTS.md): averaged input made the LSTM about twice as fast on long
        seasonal windows at the same accuracy, and cost the GRU accuracy."""
        if self.pool:
            return min(self.pool, self.window)
        return lstm_pool(self.window) if self.cell == "lstm" else 1

    @property
    def rnn_steps(self) -> int:
        """Steps the recurrent layers take over one window: one per pool of `pool_length`."""
        return math.ceil(self.window / self.pool_length)

    @property
    def model_horizon(self) -> int:
        """Steps the network's head predicts: the horizon, or 1 when rolled forward."""
        return self.horizon if self.strategy == "direct" else 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: the same dict after a round trip through JSON."""
        return {**asdict(self), "covariates": list(self.covariates)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown settings {unknown}; known: {sorted(known)}")
        return cls(**values)

    def with_changes(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)


def auto_config(n_points: int, season_length: int = 1, **given: Any) -> TrainConfig:
    """Defaults that work without tuning for a series of `n_points`; `given` settings win."""
    season_length = int(given.pop("season_length", season_length) or 1)
    horizon = int(given.pop("horizon", 0) or default_horizon(season_length, n_points))
    val_share = given.get("val_share", TrainConfig.val_share)
    test_share = given.get("test_share", TrainConfig.test_share)
    train_points = n_points - sum(part_sizes(n_points, val_share, test_share, horizon))
    window = int(given.pop("window", 0) or default_window(season_length, train_points))
    seasonal = 1 < season_length <= window
    if given.get("covariates"):  # measured: extra inputs are learnt better this way
        given.setdefault("loss", "mse")
        given.setdefault("window_scale", False)
    given.setdefault("residual", "seasonal" if seasonal else "last")
    config = TrainConfig(season_length=season_length, horizon=horizon, window=window, **given)
    return sampled_when_long(config, training_windows(n_points, config), given)


def sampled_when_long(
    config: TrainConfig, windows: int, given: Mapping[str, Any] | None = None
) -> TrainConfig:
    """`config` with each epoch drawing SAMPLED_EPOCH_WINDOWS windows (patience
    SAMPLED_PATIENCE) when there are more training `windows` than that; settings `given` win."""
    given = {} if given is None else given
    if config.epoch_windows or windows <= SAMPLED_EPOCH_WINDOWS:
        return config
    sampled = given.get("epoch_windows", SAMPLED_EPOCH_WINDOWS)
    patience = given.get("patience", SAMPLED_PATIENCE if sampled else config.patience)
    return config.with_changes(epoch_windows=sampled, patience=patience)


def lstm_pool(window: int) -> int:
    """The automatic pool of an LSTM: the fewest steps per input that leave it POOLED_STEPS."""
    return math.ceil(window / POOLED_STEPS)


def series_config(series: Series, **given: Any) -> TrainConfig:
    """auto_config for `series`, its extra inputs read as covariates; `given` settings win."""
    covariates = () if series.covariates is None else tuple(series.covariates.columns)
    return auto_config(len(series), series.season_length, **{"covariates": covariates, **given})


def training_windows(n_points: int, config: TrainConfig) -> int:
    """Windows whose inputs and targets lie in the training part of a series of `n_points`."""
    val, test = part_sizes(n_points, config.val_share, config.test_share, config.horizon)
    return max(0, n_points - val - test - config.window - config.model_horizon + 1)


def default_horizon(season_length: int, n_points: int) -> int:
    """One season (12 steps when there is none), at most a sixth of the series."""
    wanted = season_length if 2 <= season_length <= 52 else 12
    return max(1, min(wanted, n_points // 6))


def default_window(season_length: int, train_points: int) -> int:
    """About two and a half seasons, kept within bounds and short enough for the training part."""
    wanted = math.ceil(2.5 * season_length) if season_length > 1 else 24
    room = max(MIN_WINDOW, train_points // 3)
    return max(MIN_WINDOW, min(wanted, MAX_WINDOW, room))


def declared() -> dict[str, Setting]:
    """Every declared TrainConfig setting, in field order."""
    return {spec.name: spec.metadata["setting"] for spec in fields(TrainConfig) if spec.metadata}


def searched() -> dict[str, Search]:
    """The settings a search draws, with how, in the order trials draw them and the Tune page
    shows them."""
    found = [(name, spec.search) for name, spec in declared().items() if spec.search]
    return dict(sorted(found, key=lambda item: item[1].order))


def cli_defaults() -> dict[str, Any]:
    """The settings whose command-line default is not the field's, with that default."""
    return {
        name: spec.cli_default for name, spec in declared().items() if spec.cli_default is not None
    }


def bounds(name: str) -> tuple[float, float]:
    """A setting's widest range, as declared."""
    spec = declared()[name]
    return spec.low, spec.high


def _check(name: str, value: object, spec: Setting, kind: type) -> None:
    if spec.choices:
        _check_choice(name, value, spec.choices)
    elif kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false; got {value!r}")
    elif kind is int:
        _check_int(name, value, int(spec.low), int(spec.high))
    else:
        _check_float(name, value, spec.low, spec.high)


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number; got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}; got {value}")


def _check_float(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{name} must be a number; got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}; got {value}")
