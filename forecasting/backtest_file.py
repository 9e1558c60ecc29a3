"""A Backtest as an .npz file of plain arrays (no pickle) and back, for a workspace to keep.

Each fold's forecast is rebuilt on the series it was run on: its index is the series' own at
the fold's origin. A file that does not agree with that series is refused (None), and the
backtest is run again on demand. A backtest stopped before its last fold also keeps how many
folds were asked for and who stopped it; a file without them holds a complete backtest.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from data.series import Series
from forecasting.backtest import Backtest, Fold
from forecasting.predict import Forecast

FLOAT = np.dtype("<f8")


def backtest_to_bytes(result: Backtest) -> bytes:
    """The backtest's folds, scores and coverage as an .npz file."""
    levels = list(result.levels)
    baselines = list(result.folds[0].baselines)
    arrays = {
        "origins": np.array([fold.origin for fold in result.folds], dtype=np.int64),
        "actual": np.stack([fold.actual for fold in result.folds]).astype(FLOAT),
        "mean": np.stack([fold.forecast.mean for fold in result.folds]).astype(FLOAT),
        "lower": _bound(result, levels, 0),
        "upper": _bound(result, levels, 1),
    }
    for name in baselines:
        arrays[f"baseline.{name}"] = np.stack([f.baselines[name] for f in result.folds])
    meta = {"levels": levels, "baselines": baselines, "table": result.table,
            "coverage": [[level, share] for level, share in result.coverage.items()]}  # fmt: skip
    if not result.complete:  # absent: every fold was done (files written before it say so too)
        meta |= {"planned": result.planned, "stopped_by": result.stopped_by}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _bound(result: Backtest, levels: list[float], side: int) -> np.ndarray:
    """(folds, levels, horizon): each fold's lower (side 0) or upper (side 1) bounds."""
    return np.stack(
        [np.stack([fold.forecast.bands[level][side] for level in levels]) for fold in result.folds]
    ).astype(FLOAT)


def backtest_from_bytes(raw: bytes, series: Series) -> Backtest | None:
    """The backtest kept in `raw`, on `series`; None when the file is damaged or does not fit."""
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        return _rebuilt(arrays, meta, series)
    except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            zipfile.BadZipFile):  # fmt: skip
        return None


def _rebuilt(arrays: dict[str, np.ndarray], meta: dict, series: Series) -> Backtest | None:
    origins, actual = arrays["origins"], arrays["actual"]
    horizon = actual.shape[1]
    levels = [float(level) for level in meta["levels"]]
    folds = []
    for number, origin in enumerate(int(origin) for origin in origins):
        if not 0 < origin <= len(series) - horizon:
            return None
        if not np.array_equal(series.values[origin : origin + horizon], actual[number], True):
            return None  # run on other data
        bands = {
            level: (arrays["lower"][number, place], arrays["upper"][number, place])
            for place, level in enumerate(levels)
        }
        index = series.index[origin : origin + horizon]
        forecast = Forecast(index, arrays["mean"][number], bands)
        baselines = {name: arrays[f"baseline.{name}"][number] for name in meta["baselines"]}
        folds.append(Fold(origin, forecast, actual[number], baselines))
    coverage = {float(level): float(share) for level, share in meta["coverage"]}
    planned, stopped_by = meta.get("planned"), meta.get("stopped_by", "")
    if planned is not None and (type(planned) is not int or planned <= len(folds)):
        return None
    if not isinstance(stopped_by, str):
        return None
    return Backtest(folds, meta["table"], coverage, planned, stopped_by)
