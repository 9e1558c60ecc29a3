"""What this server allows a web visitor: one declaration, read from the environment.

A TrainConfig setting's limit is declared with the setting (`Setting.limit` in
forecasting/config.py): its largest value for a visitor, which the Train form's range, the link
parser, the checkpoint loader and the Tune page all read. The other limits are fields of
ServerLimits. An operator sets any of them with FORECAST_LAB_<NAME> (`FORECAST_LAB_EPOCHS=20000`,
`FORECAST_LAB_JOBS=8`). The CLI, run by a user on their own machine, keeps TrainConfig's wider
ranges.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch

from forecasting.config import ConfigError, TrainConfig, declared, training_windows
from models.parallel import available_cores

PREFIX = "FORECAST_LAB_"
ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
GIB = 1024 * MIB
# Bytes one training pass keeps per window, recurrent step and unit, for each layer and once for
# the network: a member's forward and backward pass (its gates, states and autograd's saved
# tensors). Measured on CPU (torch 2.13, one thread) as the growth of peak resident memory
# (VmHWM reset through /proc/self/clear_refs) over one pass of a fresh process; the slope over
# batches of 64 to 1,024 windows, 32 to 256 units and 32 to 512 steps, in float32 numbers per
# window x step x unit: LSTM 16.7 with 1 layer, 22.8 with 2 (25.5 with dropout), 35.8 with 4
# (37.2 at 512 steps); GRU 14.1, 19.5, 38.6; RNN 5.3, 7.8, 13.9. A straight line in the layers,
# rounded up to cover every measurement, gives these (per layer, per network) counts; the
# fixed cost of a first pass (about 20 MiB) is left out. For hidden 256, 4 layers, 512 steps
# and batch 32 an LSTM member measured 595 MiB, estimated 624 MiB.
ACTIVATION_NUMBERS = {"lstm": (8, 10), "gru": (8, 7), "rnn": (4, 2)}
FLOAT_BYTES = 4


class LimitError(ConfigError):
    """A setting, file or request beyond this server's limits; the message names the limit."""


def declared_limits() -> dict[str, int]:
    """The TrainConfig settings a server caps, with their default limits, from the declaration."""
    return {name: spec.limit for name, spec in declared().items() if spec.limit is not None}


@dataclass(frozen=True)
class ServerLimits:
    """Safe defaults for a 2-core, 4 GiB machine; raise one with FORECAST_LAB_<NAME>."""

    # a visitor's largest value of each capped TrainConfig setting (declared with the setting)
    settings: Mapping[str, int] = field(default_factory=declared_limits)
    # the rest of what a visitor's work may take
    parameters: int = 16_000_000  # weights across the ensemble, estimated before allocating
    training_bytes: int = GIB  # a training's activations, estimated before allocating
    tune_trials: int = 200  # trials in one search
    job_seconds: int = 1800  # wall-clock budget of one training, batch, backtest or search
    jobs: int = field(
        default_factory=available_cores
    )  # jobs running at once; the rest wait in a queue
    queued_jobs: int = 60  # jobs waiting at once; past that a new one is refused
    upload_bytes: int = 50 * MIB  # an uploaded table
    spreadsheet_cells: int = 2_000_000  # cells read from an .xlsx
    checkpoint_bytes: int = 64 * MIB  # an uploaded checkpoint
    # where visitors' work is kept, and which study storages they may choose
    data_dir: str = str(ROOT / ".data")
    study_storages: str = ""  # extra storage URLs, comma-separated, the operator's own
    storage_urls: bool = False  # whether a visitor may type a storage URL on the Tune page
    # visitors' workspaces: where they are kept, how much each may hold, how long unused
    workspace_url: str = ""  # a SQLAlchemy URL; empty: workspaces.db in data_dir
    workspace_bytes: int = 256 * MIB  # files (checkpoints, series, uploads) one workspace holds
    workspace_days: int = 30  # a workspace unopened this long is removed

    def __post_init__(self) -> None:
        values = {**self.settings, **{name: getattr(self, name) for name in _OWN}}
        for name, value in values.items():
            if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                raise LimitError(f"{env_name(name)} must be at least 1; got {value}")

    def most(self, setting: str) -> int:
        """The largest value of a capped TrainConfig `setting` a visitor may ask for."""
        return self.settings[setting]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerLimits:
        """The defaults, with every FORECAST_LAB_<NAME> set in `environ` (os.environ)."""
        environ = os.environ if environ is None else environ
        known = {env_name(name) for name in limit_names()}
        unknown = sorted(name for name in environ if name.startswith(PREFIX) and name not in known)
        if unknown:
            raise LimitError(f"Unknown setting {unknown[0]}; the known ones: {sorted(known)}.")
        defaults = cls()
        given: dict[str, object] = {}
        settings = dict(defaults.settings)
        for name in settings:
            raw = environ.get(env_name(name))
            if raw is not None:
                settings[name] = _parsed(name, raw, int)
        for name in _OWN:
            raw = environ.get(env_name(name))
            if raw is not None:
                given[name] = _parsed(name, raw, type(getattr(defaults, name)))
        return cls(settings=settings, **given)

    def workspace_storage(self) -> str:
        """Where workspaces are kept: the operator's URL, else workspaces.db in the data folder."""
        return self.workspace_url or f"sqlite:///{Path(self.data_dir) / 'workspaces.db'}"

    def storages(self) -> list[str]:
        """The study storages a visitor may choose: the app's own SQLite file first."""
        own = f"sqlite:///{Path(self.data_dir) / 'studies.db'}"
        extra = [url.strip() for url in self.study_storages.split(",") if url.strip()]
        return [own, *extra]


def env_name(limit: str) -> str:
    return PREFIX + limit.upper()


def _parsed(name: str, raw: str, kind: type) -> object:
    text = raw.strip()
    if kind is bool:
        if text.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise LimitError(f"{env_name(name)} must be true or false; got {raw!r}")
        return text.lower() in ("1", "true", "yes")
    if kind is int:
        try:
            return int(text.replace("_", ""))
        except ValueError:
            raise LimitError(f"{env_name(name)} must be a whole number; got {raw!r}") from None
    return text


@functools.cache
def server_limits() -> ServerLimits:
    """This server's limits, read once from the environment."""
    return ServerLimits.from_env()


def limit_names() -> list[str]:
    """Every limit an operator can set, as its name in FORECAST_LAB_<NAME>."""
    return [*declared_limits(), *_OWN]


def estimated_parameters(config: TrainConfig) -> int:
    """The weights `config`'s network has across its ensemble, counted without allocating them."""
    from forecasting.train import build_model  # train imports config; keep this module light
    from models.recurrent import count_parameters

    with torch.device("meta"):
        return count_parameters(build_model(config))


def check_config(config: TrainConfig, limits: ServerLimits, n_points: int | None = None) -> None:
    """LimitError when `config` asks for more than this server allows a visitor; with the
    series' length, its epochs may not draw more windows than the limit either."""
    check_settings(config.to_dict(), limits)
    if n_points is not None and not config.epoch_windows:
        drawn, most = training_windows(n_points, config), limits.most("epoch_windows")
        if drawn > most:
            raise LimitError(
                f"Every epoch would train on all {drawn:,} windows of this series; this server "
                f"draws at most {most:,} an epoch ({env_name('epoch_windows')}). Set the "
                f"windows per epoch to {most:,} or fewer."
            )
    parameters = estimated_parameters(config)
    if parameters > limits.parameters:
        raise LimitError(
            f"This network would have {parameters:,} weights; this server allows at most "
            f"{limits.parameters:,} ({env_name('parameters')}). Use fewer units, layers or "
            "members."
        )
    check_training_bytes(config, limits)


def estimated_training_bytes(config: TrainConfig) -> int:
    """The memory `config`'s training passes keep at once, estimated from the settings alone:
    batch x recurrent steps x units x numbers kept per unit (ACTIVATION_NUMBERS) x members.

    Every member counts, as members may train side by side on their own cores
    (models.parallel); one after another they would keep a member's share at a time."""
    per_layer, per_network = ACTIVATION_NUMBERS[config.cell]
    numbers = per_layer * config.num_layers + per_network
    per_member = config.batch_size * config.rnn_steps * config.hidden_size * numbers * FLOAT_BYTES
    return per_member * config.members


def check_training_bytes(config: TrainConfig, limits: ServerLimits) -> None:
    """LimitError when training `config` would keep more memory than this server allows."""
    needed = estimated_training_bytes(config)
    if needed > limits.training_bytes:
        raise LimitError(
            f"Training this network would take about {_memory(needed)} of memory "
            f"({config.batch_size:,} windows a batch x {config.rnn_steps:,} steps x "
            f"{config.hidden_size:,} units x {config.num_layers} layers x {config.members} "
            f"members); this server allows at most {_memory(limits.training_bytes)} "
            f"({env_name('training_bytes')}). Use a smaller batch, a shorter window (or a "
            "larger pool), fewer units, layers or members."
        )


def _memory(size: int) -> str:
    return f"{size / GIB:,.1f} GiB" if size >= GIB else f"{size / MIB:,.0f} MiB"


def check_settings(settings: Mapping[str, object], limits: ServerLimits) -> None:
    """LimitError naming every setting in `settings` above its server limit."""
    over = [
        f"{name} is {value:,}; this server allows at most {highest:,} ({env_name(name)})."
        for name, highest in limits.settings.items()
        if isinstance(value := settings.get(name), int)
        and not isinstance(value, bool)
        and value > highest
    ]
    if over:
        raise LimitError(" ".join(over))


def clamped(config: TrainConfig, limits: ServerLimits) -> TrainConfig:
    """`config` with every capped setting brought down to its server limit."""
    values = config.to_dict()
    lowered = {name: highest for name, highest in limits.settings.items() if values[name] > highest}
    return config.with_changes(**lowered) if lowered else config


_OWN = [spec.name for spec in fields(ServerLimits) if spec.name != "settings"]
