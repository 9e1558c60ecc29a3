"""A demo's whole state as a flat query string: its data, its settings, its language, its page.

A link names a bundled sample or a synthetic signal (with its length, seed and parameters),
never uploaded data. Every TrainConfig setting but the machine's (device, precision) is
written out, so a link keeps its meaning when defaults change; settings a hand-written link
leaves out take the Train form's defaults for its data. A link with settings trains them and
opens its page (the Forecast page unless it names another); a link to the Train page only
fills the Train form.

    ?lang=ca&page=forecast&sample=airline&cell=gru&hidden_size=8&...
    ?signal=sine&signal.length=1000&signal.seed=0&signal.period=50&...&cell=lstm&...
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from data.catalog import samples
from data.errors import DataError
from data.prepare import GAP_CHOICES
from data.synthetic import (
    DEFAULT_GAPS,
    DEFAULT_LENGTH,
    DEFAULT_SEED,
    PAGE_LENGTHS,
    SEEDS,
    SIGNALS,
    highest,
    season_length,
)
from forecasting.config import ConfigError, TrainConfig, auto_config
from forecasting.limits import LimitError, ServerLimits, check_config, check_settings

LANGUAGE, PAGE, SAMPLE, SIGNAL = "lang", "page", "sample", "signal"
SIGNAL_PREFIX = "signal."
LENGTH, SEED, GAPS = "signal.length", "signal.seed", "signal.gaps"
SETTINGS = {f.name: f.default for f in fields(TrainConfig)}
PAGE_NAME = re.compile(r"[a-z][a-z_]{0,31}")
WHOLE = re.compile(r"-?\d{1,12}")
FOREIGN = re.compile(r"utm_\w*|\w*clid|mc_[ce]id")  # tracking keys others add to links
MACHINE_SETTINGS = ("device", "precision")  # of the machine that made the link, not the demo
MAX_VALUE_LENGTH = 2000  # characters of one value: a list of column names fits, a bomb does not
MAX_KEYS = 100


class ShareError(ValueError):
    """A link that cannot be opened; the message is written for the user."""


@dataclass(frozen=True)
class DataSource:
    """Where a series comes from, in a form a link can carry: a sample or a synthetic signal."""

    kind: Literal["sample", "synthetic"]
    key: str  # the sample's key ("airline") or the signal's ("sine")
    length: int = DEFAULT_LENGTH  # the rest only for a synthetic signal
    seed: int = DEFAULT_SEED
    params: Mapping[str, float] = field(default_factory=dict)  # every parameter of the signal
    gaps: str = DEFAULT_GAPS  # how a missing stretch is filled

    @classmethod
    def sample(cls, key: str) -> DataSource:
        if key not in {entry.key for entry in samples()}:
            known = ", ".join(entry.key for entry in samples())
            raise ShareError(f"There is no sample '{key}'. The samples are: {known}.")
        return cls("sample", key)

    @classmethod
    def synthetic(
        cls,
        key: str,
        length: int = DEFAULT_LENGTH,
        seed: int = DEFAULT_SEED,
        params: Mapping[str, float] | None = None,
        gaps: str = DEFAULT_GAPS,
    ) -> DataSource:
        """A signal with every parameter set: those not given take their defaults."""
        if key not in SIGNALS:
            raise ShareError(f"There is no signal '{key}'. The signals are: {', '.join(SIGNALS)}.")
        _check_range("the signal's length", length, *PAGE_LENGTHS)
        _check_range("the signal's seed", seed, *SEEDS)
        if gaps not in GAP_CHOICES:
            raise ShareError(
                f"Missing values can be filled by {', '.join(GAP_CHOICES)}; got '{gaps}'."
            )
        given = dict(params or {})
        values = {
            spec.name: float(given.pop(spec.name, spec.default)) for spec in SIGNALS[key].params
        }
        if given:
            raise ShareError(
                f"The signal '{key}' has no parameter '{next(iter(given))}'. "
                f"Its parameters are: {', '.join(values)}."
            )
        for spec in SIGNALS[key].params:
            if values[spec.name] > highest(spec, int(length)):
                raise ShareError(
                    f"The signal's {spec.name} can be at most {highest(spec, int(length)):g} "
                    f"for {length} points; this link asks for {values[spec.name]:g}."
                )
        try:
            season_length(key, **values)  # checks every value against its range
        except DataError as err:
            raise ShareError(f"This signal cannot be made: {err}") from None
        return cls("synthetic", key, int(length), int(seed), values, gaps)


@dataclass(frozen=True)
class SharedDemo:
    """What a link asks for; any part may be missing (`?lang=ca` only sets the language)."""

    source: DataSource | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # TrainConfig fields the link sets
    language: str | None = None
    page: str | None = None

    @property
    def opens(self) -> str:
        """The page to show: the one named, else the forecast when there are settings to train."""
        return self.page or ("forecast" if self.settings else "data")

    @property
    def trains(self) -> bool:
        """Whether opening it trains a model; a link to the Train page only fills its form."""
        return bool(self.settings) and self.opens != "train"

    def config_for(
        self, n_points: int, season: int = 1, limits: ServerLimits | None = None
    ) -> TrainConfig:
        """The link's settings over the Train form's defaults for a series of `n_points`,
        within `limits` when given (a web server's)."""
        try:
            config = auto_config(n_points, **{"season_length": season, **self.settings})
            if limits is not None:
                check_config(config, limits, n_points)
        except LimitError as err:
            raise ShareError(too_much(err)) from None
        except ValueError as err:  # ConfigError, or a series too short for these settings
            raise ShareError(f"This link's training settings cannot be used: {err}") from None
        return config


def encode(
    source: DataSource,
    config: TrainConfig | None = None,
    language: str | None = None,
    page: str | None = None,
) -> dict[str, str]:
    """The query parameters of a link to this demo."""
    params: dict[str, str] = {}
    if language:
        params[LANGUAGE] = language
    if page:
        params[PAGE] = page
    if source.kind == "sample":
        params[SAMPLE] = source.key
    else:
        params |= {SIGNAL: source.key, LENGTH: str(source.length), SEED: str(source.seed)}
        params |= {SIGNAL_PREFIX + name: _number(value) for name, value in source.params.items()}
        if source.gaps != DEFAULT_GAPS:
            params[GAPS] = source.gaps
    if config is not None:
        for name, value in config.to_dict().items():
            if name not in MACHINE_SETTINGS and (name != "covariates" or value):
                params[name] = _setting_text(value)
    return params


def decode(
    params: Mapping[str, str],
    *,
    languages: Collection[str],
    pages: Collection[str],
    limits: ServerLimits | None = None,
) -> SharedDemo:
    """What the query parameters of a link ask for; ShareError when they cannot be used, or
    ask for more than `limits` (a web server's) allow."""
    if len(params) > MAX_KEYS:
        raise ShareError(f"This link has {len(params)} settings; a link has at most {MAX_KEYS}.")
    long = next((name for name, raw in params.items() if len(str(raw)) > MAX_VALUE_LENGTH), None)
    if long is not None:
        raise ShareError(
            f"In this link, {long[:40]} is {len(str(params[long])):,} characters long; a value "
            f"has at most {MAX_VALUE_LENGTH:,}. The link may have been changed by hand."
        )
    params = dict(params)
    language = params.pop(LANGUAGE, None)
    if language is not None and language not in languages:
        raise ShareError(
            f"This link asks for the language '{language}'; "
            f"the languages are: {', '.join(languages)}."
        )
    page = params.pop(PAGE, None)
    if page is not None and (not PAGE_NAME.fullmatch(page) or page not in pages):
        raise ShareError(f"This link opens a page '{page}' that does not exist.")
    for name in [name for name in params if FOREIGN.fullmatch(name)]:
        del params[name]  # what messengers and mailing tools add to a link they pass on
    source = _source(params)
    settings = {name: _setting(name, params.pop(name)) for name in list(params) if name in SETTINGS}
    if params:
        unknown = ", ".join(sorted(params)[:5])
        raise ShareError(
            f"This link has settings Forecast Lab does not know: {unknown}. "
            "It may have been cut short or changed by hand."
        )
    if source is None and (settings or page):
        raise ShareError(
            "This link does not say which data to use: it needs sample=... or signal=...."
        )
    try:
        if limits is not None:
            check_settings(settings, limits)
        TrainConfig.from_dict(dict(settings))
    except LimitError as err:
        raise ShareError(too_much(err)) from None
    except ConfigError as err:
        raise ShareError(f"This link's training settings cannot be used: {err}") from None
    return SharedDemo(source, settings, language, page)


def _source(params: dict[str, str]) -> DataSource | None:
    """The data the link names, taking its keys out of `params`."""
    sample_key, signal_key = params.pop(SAMPLE, None), params.pop(SIGNAL, None)
    signal_params = {
        name: params.pop(name) for name in list(params) if name.startswith(SIGNAL_PREFIX)
    }
    if sample_key is not None and signal_key is not None:
        raise ShareError("This link names both a sample and a signal; a demo uses one of them.")
    if signal_key is None:
        if signal_params:
            raise ShareError(f"This link sets {next(iter(signal_params))} but names no signal.")
        return None if sample_key is None else DataSource.sample(sample_key)
    length = _whole(LENGTH, signal_params.pop(LENGTH, str(DEFAULT_LENGTH)))
    seed = _whole(SEED, signal_params.pop(SEED, str(DEFAULT_SEED)))
    gaps = signal_params.pop(GAPS, DEFAULT_GAPS)
    values = {
        name.removeprefix(SIGNAL_PREFIX): _real(name, raw) for name, raw in signal_params.items()
    }
    return DataSource.synthetic(signal_key, length, seed, values, gaps)


def too_much(err: LimitError) -> str:
    return (
        f"This link asks for more than this server allows: {err} Lower these settings in the "
        "link, or ask the server's operator to raise the limits."
    )


def _setting(name: str, raw: str) -> Any:
    """A TrainConfig field's value from its text, by the type of its default."""
    default = SETTINGS[name]
    if isinstance(default, bool):
        if raw not in ("true", "false"):
            raise ShareError(f"In this link, {name} must be true or false; got '{raw}'.")
        return raw == "true"
    if isinstance(default, int):
        return _whole(name, raw)
    if isinstance(default, float):
        return _real(name, raw)
    if isinstance(default, tuple):
        try:
            names = json.loads(raw)
        except (ValueError, RecursionError):
            names = None
        if not isinstance(names, list) or not all(isinstance(item, str) for item in names):
            raise ShareError(f"In this link, {name} must be a list of column names; got '{raw}'.")
        return tuple(names)
    return raw


def _setting_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    return str(value)


def _number(value: float) -> str:
    """The shortest text that reads back as the same float: 50.0 as '50', 0.1 as '0.1'."""
    text = repr(float(value))
    return text.removesuffix(".0")


def _whole(name: str, raw: str) -> int:
    if not WHOLE.fullmatch(raw):
        raise ShareError(f"In this link, {name} must be a whole number; got '{raw}'.")
    return int(raw)


def _real(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ShareError(f"In this link, {name} must be a number; got '{raw}'.")
    return value


def _check_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ShareError(
            f"In this link, {name} must be a whole number from {low} to {high}; got {value!r}."
        )
