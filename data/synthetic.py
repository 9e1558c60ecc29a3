"""Seeded synthetic time series to learn forecasting on: sines, trends, random walks, AR(2)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from data.errors import DataError

MIN_LENGTH = 10
MAX_LENGTH = 10_000_000


class SyntheticError(DataError):
    """Bad generator name or parameter; the message is written for the user."""


@dataclass(frozen=True)
class ParamSpec:
    name: str  # keyword argument name
    label: str  # short human label, e.g. "Period (steps)"
    default: float
    low: float
    high: float
    step: float
    help: str  # one sentence a learner understands


@dataclass(frozen=True)
class Signal:
    key: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    season_param: str | None  # the param giving the season length, None when there is none


def _period(default: float = 50.0, name: str = "period", label: str = "Period") -> ParamSpec:
    return ParamSpec(
        name=name,
        label=f"{label} (steps)",
        default=default,
        low=2.0,
        high=10_000.0,
        step=1.0,
        help="How many steps one full cycle takes before the pattern repeats.",
    )


def _amplitude(
    default: float = 1.0, name: str = "amplitude", label: str = "Amplitude"
) -> ParamSpec:
    return ParamSpec(
        name=name,
        label=label,
        default=default,
        low=0.0,
        high=100.0,
        step=0.1,
        help="How far the cycle swings above and below its centre line.",
    )


def _noise(default: float = 0.1) -> ParamSpec:
    return ParamSpec(
        name="noise",
        label="Noise (std)",
        default=default,
        low=0.0,
        high=100.0,
        step=0.05,
        help="Standard deviation of the random jitter added at every step; 0 gives a clean curve.",
    )


_LEVEL = ParamSpec(
    name="level",
    label="Level",
    default=0.0,
    low=-1000.0,
    high=1000.0,
    step=1.0,
    help="The constant value the series is centred on.",
)

_SIGNALS = (
    Signal(
        key="sine",
        title="Sine wave",
        description="A smooth wave that repeats every period, plus a little noise.",
        params=(_period(), _amplitude(), _noise(), _LEVEL),
        season_param="period",
    ),
    Signal(
        key="two_seasons",
        title="Two seasons",
        description="Two waves added together, like a daily cycle inside a weekly one.",
        params=(
            _period(24.0),
            _amplitude(),
            _period(168.0, name="period2", label="Period 2"),
            _amplitude(0.5, name="amplitude2", label="Amplitude 2"),
            _noise(),
        ),
        season_param="period",
    ),
    Signal(
        key="trend_season",
        title="Trend and season",
        description="A straight-line trend with a repeating wave on top, plus noise.",
        params=(
            ParamSpec(
                name="trend",
                label="Trend (per step)",
                default=0.01,
                low=-1.0,
                high=1.0,
                step=0.001,
                help="How much the series rises (or falls, if negative) at each step.",
            ),
            _period(),
            _amplitude(),
            _noise(),
            _LEVEL,
        ),
        season_param="period",
    ),
    Signal(
        key="random_walk",
        title="Random walk",
        description="Each value is the previous one plus a random step, so there is no cycle.",
        params=(
            ParamSpec(
                name="drift",
                label="Drift (per step)",
                default=0.0,
                low=-10.0,
                high=10.0,
                step=0.01,
                help="The average size of each step; above 0 the walk tends to climb.",
            ),
            ParamSpec(
                name="step_std",
                label="Step size (std)",
                default=1.0,
                low=0.0,
                high=100.0,
                step=0.1,
                help="Standard deviation of the random step taken at each point.",
            ),
            ParamSpec(
                name="start",
                label="Start",
                default=0.0,
                low=-1000.0,
                high=1000.0,
                step=1.0,
                help="The value the walk starts from.",
            ),
        ),
        season_param=None,
    ),
    Signal(
        key="ar2",
        title="AR(2) process",
        description="Each value is a weighted sum of the two before it plus noise: rough cycles.",
        params=(
            ParamSpec(
                name="phi1",
                label="Weight on lag 1 (phi1)",
                default=1.2,
                low=-2.0,
                high=2.0,
                step=0.05,
                help="How strongly the previous value carries into the next one.",
            ),
            ParamSpec(
                name="phi2",
                label="Weight on lag 2 (phi2)",
                default=-0.5,
                low=-1.0,
                high=1.0,
                step=0.05,
                help="How strongly the value two steps back carries into the next one.",
            ),
            _noise(1.0),
        ),
        season_param=None,
    ),
    Signal(
        key="square",
        title="Square wave",
        description="A wave that jumps between a high and a low value every half period.",
        params=(_period(), _amplitude(), _noise()),
        season_param="period",
    ),
    Signal(
        key="sawtooth",
        title="Sawtooth wave",
        description="A wave that climbs steadily, then drops back at once, every period.",
        params=(_period(), _amplitude(), _noise()),
        season_param="period",
    ),
    Signal(
        key="regime_change",
        title="Regime change",
        description="A sine wave whose level and swing change partway through, as after a shock.",
        params=(
            _period(),
            _amplitude(),
            ParamSpec(
                name="change_at",
                label="Change at (fraction)",
                default=0.5,
                low=0.0,
                high=1.0,
                step=0.05,
                help="Where the change happens, as a fraction of the series (0.5 is halfway).",
            ),
            ParamSpec(
                name="level_shift",
                label="Level shift",
                default=2.0,
                low=-100.0,
                high=100.0,
                step=0.1,
                help="How much the centre line jumps at the change.",
            ),
            ParamSpec(
                name="amplitude_factor",
                label="Amplitude factor",
                default=1.5,
                low=0.0,
                high=10.0,
                step=0.1,
                help="The swing after the change is the swing before times this factor.",
            ),
            _noise(),
        ),
        season_param="period",
    ),
)
SIGNALS: dict[str, Signal] = {signal.key: signal for signal in _SIGNALS}


def generate(kind: str, length: int = 500, seed: int = 0, **params: float) -> np.ndarray:
    """`length` float64 values; the same kind, length, seed and params give the same values."""
    values = _resolve(kind, params)
    _check_length(length)
    _check_seed(seed)
    rng = np.random.default_rng(seed)
    series = _GENERATORS[kind](int(length), rng, **values)
    return np.ascontiguousarray(series, dtype=np.float64)


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
