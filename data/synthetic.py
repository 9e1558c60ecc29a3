"""Seeded synthetic time series to learn forecasting on: sines, trends, random walks, AR(2), a lab.

Only stable keys and parameter names live here; their labels and help are in ui/text.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from data.errors import DataError
from data.prepare import CleaningOptions, from_array, prepare
from data.series import Series

MIN_LENGTH = 10
MAX_LENGTH = 10_000_000
# What the Data page offers (and a link may carry): lengths, seeds and their defaults
PAGE_LENGTHS, LENGTH_STEP, DEFAULT_LENGTH = (50, 5000), 10, 500
SEEDS, DEFAULT_SEED = (0, 2**31 - 1), 0
DEFAULT_GAPS = "interpolate"
_TRUTH = "\x00truth"  # the truth's column while the values are cleaned; no user column has it


class SyntheticError(DataError):
    """Bad generator name or parameter; the message is written for the user."""


@dataclass(frozen=True)
class ParamSpec:
    name: str  # keyword argument name, also the key of its label and help
    default: float
    low: float
    high: float
    step: float


@dataclass(frozen=True)
class Signal:
    key: str
    params: tuple[ParamSpec, ...]
    season_param: str | None  # the param giving the season length, None when there is none


def _period(default: float = 50.0, name: str = "period") -> ParamSpec:
    return ParamSpec(name, default, low=2.0, high=10_000.0, step=1.0)


def _amplitude(default: float = 1.0, name: str = "amplitude") -> ParamSpec:
    return ParamSpec(name, default, low=0.0, high=100.0, step=0.1)


def _noise(default: float = 0.1) -> ParamSpec:
    return ParamSpec("noise", default, low=0.0, high=100.0, step=0.05)


def _level(default: float = 0.0) -> ParamSpec:
    return ParamSpec("level", default, low=-1000.0, high=1000.0, step=1.0)


def _trend(default: float = 0.01) -> ParamSpec:
    return ParamSpec("trend", default, low=-1.0, high=1.0, step=0.001)


_SIGNALS = (
    Signal("sine", (_period(), _amplitude(), _noise(), _level()), season_param="period"),
    Signal(
        "two_seasons",
        (
            _period(24.0),
            _amplitude(),
            _period(168.0, name="period2"),
            _amplitude(0.5, name="amplitude2"),
            _noise(),
        ),
        season_param="period",
    ),
    Signal(
        "trend_season",
        (_trend(), _period(), _amplitude(), _noise(), _level()),
        season_param="period",
    ),
    Signal(
        "random_walk",
        (
            ParamSpec("drift", 0.0, low=-10.0, high=10.0, step=0.01),
            ParamSpec("step_std", 1.0, low=0.0, high=100.0, step=0.1),
            ParamSpec("start", 0.0, low=-1000.0, high=1000.0, step=1.0),
        ),
        season_param=None,
    ),
    Signal(
        "ar2",
        (
            ParamSpec("phi1", 1.2, low=-2.0, high=2.0, step=0.05),
            ParamSpec("phi2", -0.5, low=-1.0, high=1.0, step=0.05),
            _noise(1.0),
        ),
        season_param=None,
    ),
    Signal("square", (_period(), _amplitude(), _noise()), season_param="period"),
    Signal("sawtooth", (_period(), _amplitude(), _noise()), season_param="period"),
    Signal(
        "regime_change",
        (
            _period(),
            _amplitude(),
            ParamSpec("change_at", 0.5, low=0.0, high=1.0, step=0.05),
            ParamSpec("level_shift", 2.0, low=-100.0, high=100.0, step=0.1),
            ParamSpec("amplitude_factor", 1.5, low=0.0, high=10.0, step=0.1),
            _noise(),
        ),
        season_param="period",
    ),
    Signal(
        "lab",
        (
            _level(10.0),
            _noise(0.2),
            _trend(),
            _period(),
            _amplitude(),
            ParamSpec("regime_at", 0.0, low=0.0, high=0.95, step=0.05),
            ParamSpec("level_jump", 2.0, low=-100.0, high=100.0, step=0.1),
            ParamSpec("trend_change", 0.0, low=-1.0, high=1.0, step=0.001),
            ParamSpec("gap_start", 0.0, low=0.0, high=0.95, step=0.05),
            ParamSpec("gap_length", 20.0, low=0.0, high=10_000.0, step=1.0),
        ),
        season_param="period",
    ),
)
SIGNALS: dict[str, Signal] = {signal.key: signal for signal in _SIGNALS}


@dataclass(frozen=True)
class Generated:
    """A generated signal: its values (NaN where a stretch is missing) and noise-free truth."""

    values: np.ndarray  # (length,) float64
    truth: np.ndarray | None  # (length,) float64 without gaps; None when the signal keeps none


def highest(spec: ParamSpec, length: int) -> float:
    """A parameter's highest value for `length` points: a period or a gap at most half of them."""
    capped = spec.name.startswith("period") or spec.name == "gap_length"
    return min(spec.high, length // 2) if capped else spec.high


def generate(kind: str, length: int = 500, seed: int = 0, **params: float) -> np.ndarray:
    """`length` float64 values; the same kind, length, seed and params give the same values."""
    return generate_with_truth(kind, length, seed, **params).values


def generate_with_truth(kind: str, length: int = 500, seed: int = 0, **params: float) -> Generated:
    """The values and, for signals that keep one, the noise-free truth they were drawn around."""
    values = _resolve(kind, params)
    _check_length(length)
    _check_seed(seed)
    rng = np.random.default_rng(seed)
    if kind in _TRUTHS:
        truth = _TRUTHS[kind](int(length), **values)
        series = truth + _jitter(rng, int(length), values["noise"])
        series[_missing(int(length), values)] = np.nan
        return Generated(np.ascontiguousarray(series, dtype=np.float64), truth)
    series = _GENERATORS[kind](int(length), rng, **values)
    return Generated(np.ascontiguousarray(series, dtype=np.float64), None)


def to_series(
    generated: Generated, target: str, season: int = 0, gaps: str = "interpolate"
) -> Series:
    """A Series of the generated values, cleaned like any data: a missing stretch is filled
    as `gaps` says (and reported); the truth stays aligned with the values that are kept."""
    values, truth = generated.values, generated.truth
    if not np.isnan(values).any():
        return from_array(values, target=target, season=season, truth=truth)
    table = pd.DataFrame({target: values} | ({} if truth is None else {_TRUTH: truth}))
    covariates = [] if truth is None else [_TRUTH]
    options = CleaningOptions(gaps=gaps)
    cleaned = prepare(table, target=target, row_time=True, covariates=covariates, options=options)
    kept = None if truth is None else cleaned.covariates[_TRUTH].to_numpy(np.float64)
    return replace(cleaned, covariates=None, columns=(target,), season=season, truth=kept)


def season_length(kind: str, **params: float) -> int:
    """The season length (period in steps) implied by the parameters, 1 when the signal has none."""
    values = _resolve(kind, params)
    season_param = SIGNALS[kind].season_param
    if season_param is None:
        return 1
    return max(1, round(values[season_param]))


def _resolve(kind: str, params: dict[str, float]) -> dict[str, float]:
    """Defaults overlaid with the user's values, every one checked against its range."""
    if kind not in SIGNALS:
        raise SyntheticError(f"Unknown signal '{kind}'. Choose one of: {', '.join(SIGNALS)}.")
    specs = {spec.name: spec for spec in SIGNALS[kind].params}
    unknown = [name for name in params if name not in specs]
    if unknown:
        raise SyntheticError(
            f"Signal '{kind}' has no parameter '{unknown[0]}'. "
            f"Valid parameters: {', '.join(specs)}."
        )
    values = {name: spec.default for name, spec in specs.items()}
    for name, raw in params.items():
        values[name] = _check_value(specs[name], raw)
    if kind == "ar2":
        _check_stationary(values["phi1"], values["phi2"])
    return values


def _check_value(spec: ParamSpec, raw: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SyntheticError(f"Parameter '{spec.name}' must be a number, got {raw!r}.") from None
    if not spec.low <= value <= spec.high:
        raise SyntheticError(
            f"Parameter '{spec.name}' is {value:g}, outside the allowed range "
            f"{spec.low:g} to {spec.high:g}."
        )
    return value


def _check_stationary(phi1: float, phi2: float) -> None:
    if phi2 + phi1 < 1 and phi2 - phi1 < 1 and abs(phi2) < 1:
        return
    raise SyntheticError(
        f"AR(2) with phi1={phi1:g} and phi2={phi2:g} is not stationary and would blow up. "
        f"Keep phi1 + phi2 < 1, phi2 - phi1 < 1 and phi2 between -1 and 1 "
        f"(here phi1 + phi2 = {phi1 + phi2:g}, phi2 - phi1 = {phi2 - phi1:g})."
    )


def _check_length(length: int) -> None:
    if isinstance(length, bool) or not isinstance(length, int | np.integer):
        raise SyntheticError(f"length must be a whole number of steps, got {length!r}.")
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise SyntheticError(
            f"length must be between {MIN_LENGTH:,} and {MAX_LENGTH:,} steps, got {length:,}."
        )


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SyntheticError(f"seed must be a whole number 0 or above, got {seed!r}.")


def _steps(length: int) -> np.ndarray:
    return np.arange(length, dtype=np.float64)


def _phase(length: int, period: float) -> np.ndarray:
    """Position inside the current cycle, from 0 (start) up to 1 (end), at each step."""
    return np.mod(_steps(length) / period, 1.0)


def _wave(length: int, period: float) -> np.ndarray:
    return np.sin(2 * np.pi * _steps(length) / period)


def _jitter(rng: np.random.Generator, length: int, std: float) -> np.ndarray:
    return std * rng.standard_normal(length)


def _sine(length, rng, *, period, amplitude, noise, level):
    return level + amplitude * _wave(length, period) + _jitter(rng, length, noise)


def _two_seasons(length, rng, *, period, amplitude, period2, amplitude2, noise):
    seasons = amplitude * _wave(length, period) + amplitude2 * _wave(length, period2)
    return seasons + _jitter(rng, length, noise)


def _trend_season(length, rng, *, trend, period, amplitude, noise, level):
    season = amplitude * _wave(length, period)
    return level + trend * _steps(length) + season + _jitter(rng, length, noise)


def _random_walk(length, rng, *, drift, step_std, start):
    steps = drift + _jitter(rng, length, step_std)
    steps[0] = 0.0
    return start + np.cumsum(steps)


def _square(length, rng, *, period, amplitude, noise):
    high = _phase(length, period) < 0.5
    return amplitude * np.where(high, 1.0, -1.0) + _jitter(rng, length, noise)


def _sawtooth(length, rng, *, period, amplitude, noise):
    ramp = 2.0 * _phase(length, period) - 1.0
    return amplitude * ramp + _jitter(rng, length, noise)


def _regime_change(
    length, rng, *, period, amplitude, change_at, level_shift, amplitude_factor, noise
):
    after = _steps(length) >= round(change_at * length)
    swing = amplitude * np.where(after, amplitude_factor, 1.0)
    level = np.where(after, level_shift, 0.0)
    return level + swing * _wave(length, period) + _jitter(rng, length, noise)


def _lab_truth(
    length, *, trend, amplitude, period, level, regime_at, level_jump, trend_change, **_
):
    """Level, trend and season; from the regime change on, a level jump and a trend change.

    The noise and the missing stretch (the other parameters) are not part of the truth."""
    steps = _steps(length)
    truth = level + trend * steps + amplitude * _wave(length, period)
    change = _share_position(length, regime_at)
    if change is not None:
        truth[change:] += level_jump + trend_change * (steps[change:] - change)
    return truth


def _missing(length: int, values: dict[str, float]) -> slice:
    """The steps of the missing stretch; empty when its start or length is 0."""
    start = _share_position(length, values["gap_start"])
    if start is None:
        return slice(0, 0)
    return slice(start, min(length, start + round(values["gap_length"])))


def _share_position(length: int, share: float) -> int | None:
    """The step a share of the length points at (at least step 1); None for a share of 0."""
    return None if share <= 0 else min(length - 1, max(1, round(share * length)))


def _ar2(length, rng, *, phi1, phi2, noise):
    """AR(2) started from its stationary distribution, so there is no warm-up drift."""
    variance = noise**2 * (1 - phi2) / ((1 + phi2) * ((1 - phi2) ** 2 - phi1**2))
    lag1_corr = phi1 / (1 - phi2)
    start2, start_noise = rng.standard_normal(2)
    before2 = math.sqrt(variance) * start2
    before1 = lag1_corr * before2 + math.sqrt(variance * (1 - lag1_corr**2)) * start_noise
    return _ar2_filter(_jitter(rng, length, noise), phi1, phi2, before1, before2)


def _ar2_filter(
    shocks: np.ndarray, phi1: float, phi2: float, before1: float = 0.0, before2: float = 0.0
) -> np.ndarray:
    """x[t] = phi1 * x[t-1] + phi2 * x[t-2] + shocks[t], given x[-1] = before1, x[-2] = before2.

    Exact, with Python loops of about sqrt(n) steps rather than n: the series is cut into chunks,
    every chunk is filtered from a zero start at once, then each chunk's true start is carried
    over from the chunk before and its effect added back.
    """
    length = len(shocks)
    chunk = max(2, math.isqrt(length - 1) + 1)
    n_chunks = -(-length // chunk)
    padded = np.zeros(n_chunks * chunk)
    padded[:length] = shocks
    from_zero = _filter_from_zero(padded.reshape(n_chunks, chunk).T, phi1, phi2)

    impulse = _impulse_response(phi1, phi2, chunk + 1)
    from_before1 = impulse[1:]  # (chunk,) effect of x[-1] = 1 through a chunk
    from_before2 = phi2 * impulse[:-1]  # (chunk,) effect of x[-2] = 1

    starts1, starts2 = np.empty(n_chunks), np.empty(n_chunks)
    last, second_last = from_zero[-1].tolist(), from_zero[-2].tolist()
    for index in range(n_chunks):
        starts1[index], starts2[index] = before1, before2
        before1, before2 = (
            last[index] + from_before1[-1] * before1 + from_before2[-1] * before2,
            second_last[index] + from_before1[-2] * before1 + from_before2[-2] * before2,
        )

    from_zero += np.outer(from_before1, starts1)
    from_zero += np.outer(from_before2, starts2)
    return from_zero.T.reshape(-1)[:length]


def _filter_from_zero(shocks: np.ndarray, phi1: float, phi2: float) -> np.ndarray:
    """The AR(2) recursion down the rows of shocks (steps, series), every column from zero."""
    filtered = np.empty_like(shocks)  # (steps, series)
    filtered[0] = shocks[0]
    filtered[1] = phi1 * filtered[0] + shocks[1]
    for step in range(2, len(shocks)):
        filtered[step] = phi1 * filtered[step - 1] + phi2 * filtered[step - 2] + shocks[step]
    return filtered


def _impulse_response(phi1: float, phi2: float, count: int) -> np.ndarray:
    """Effect of a unit shock 0, 1, ..., count - 1 steps later."""
    impulse = np.empty(count)
    impulse[0], impulse[1] = 1.0, phi1
    for step in range(2, count):
        impulse[step] = phi1 * impulse[step - 1] + phi2 * impulse[step - 2]
    return impulse


_GENERATORS: dict[str, Callable[..., np.ndarray]] = {
    "sine": _sine,
    "two_seasons": _two_seasons,
    "trend_season": _trend_season,
    "random_walk": _random_walk,
    "ar2": _ar2,
    "square": _square,
    "sawtooth": _sawtooth,
    "regime_change": _regime_change,
}
_TRUTHS: dict[str, Callable[..., np.ndarray]] = {"lab": _lab_truth}
