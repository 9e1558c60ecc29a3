"""Never silently worse than the simplest forecast: when seasonal naive or drift beats the
trained network on the validation part, the run forecasts a blend of the two, weighted by their
validation errors, and says so.

The weight is the network's share that gives the lowest mean absolute error over the
validation part's windows (a grid of tenths); the blend is kept only when it lowers that error
by at least MIN_GAIN, so a network as good as the baselines forecasts alone.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from data.series import Series
from data.windows import target_starts
from forecasting.predict import actuals_from, baseline_forecasts, evenly_spread, forecast_from
from forecasting.train import Blend, Run, model_inputs

GUARDED = ("seasonal_naive", "drift")  # the simplest forecasts a network must beat
WEIGHTS = np.linspace(0.0, 1.0, 11)  # the network's share, in tenths
MIN_GAIN = 0.02  # a blend must lower the validation error by this share of the network's
WINDOWS = 2000  # validation windows judged at most, evenly spread


def guarded(run: Run, series: Series) -> Run:
    """`run` with the blend its validation part asks for (None when the network holds up)."""
    run.blend = choose_blend(run, series)
    return run


def choose_blend(run: Run, series: Series) -> Blend | None:
    """The mix of the network and one baseline with the lowest validation error; None when it
    is not MIN_GAIN better than the network alone, or the validation part has no window."""
    config = run.config
    starts = target_starts(run.split(series.values), config.window, config.horizon, "val")
    if not len(starts):
        return None
    starts = evenly_spread(starts, WINDOWS)
    actual = actuals_from(series.values, starts, config.horizon)
    alone = replace(run, blend=None)
    network = forecast_from(alone, model_inputs(series, config), starts)
    own = float(np.mean(np.abs(network - actual)))
    best = (own, "", 1.0)
    for name in GUARDED:
        baseline = baseline_forecasts(name, series.values, starts, config)
        for weight in WEIGHTS:
            error = float(np.mean(np.abs(weight * network + (1 - weight) * baseline - actual)))
            if error < best[0]:
                best = (error, name, round(float(weight), 2))
    error, name, weight = best
    if not name or error > own * (1 - MIN_GAIN):
        return None
    return Blend(name, weight, own, error)
