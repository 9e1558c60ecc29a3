"""forecasting.backtest_file: a backtest kept as plain arrays comes back equal, on its own series
only; a damaged file is None, never an error."""

import io
import json
from dataclasses import replace

import numpy as np
import pytest

from data.prepare import from_array
from forecasting.backtest import backtest, fold_frame
from forecasting.backtest_file import backtest_from_bytes, backtest_to_bytes
from forecasting.config import TrainConfig
from tests.conftest import noisy_sine

SERIES = from_array(noisy_sine(150), target="signal")
TINY = TrainConfig(window=12, horizon=6, hidden_size=8, epochs=2, members=1, device="cpu")


@pytest.fixture(scope="module")
def result():
    return backtest(SERIES, TINY, folds=2, levels=(0.8, 0.95))


def test_a_backtest_comes_back_with_every_fold_score_and_coverage(result):
    back = backtest_from_bytes(backtest_to_bytes(result), SERIES)
    assert back.table == result.table and back.coverage == result.coverage
    assert back.levels == (0.8, 0.95)
    for kept, fold in zip(back.folds, result.folds, strict=True):
        assert kept.origin == fold.origin
        assert kept.forecast.index.equals(fold.forecast.index)
        np.testing.assert_array_equal(kept.forecast.mean, fold.forecast.mean)
        for level in (0.8, 0.95):
            np.testing.assert_array_equal(kept.forecast.lower(level), fold.forecast.lower(level))
            np.testing.assert_array_equal(kept.forecast.upper(level), fold.forecast.upper(level))
        assert kept.baselines.keys() == fold.baselines.keys()
        for name in fold.baselines:
            np.testing.assert_array_equal(kept.baselines[name], fold.baselines[name])
    assert fold_frame(back, SERIES).equals(fold_frame(result, SERIES))


def test_a_backtest_does_not_come_back_on_other_data(result):
    other = from_array(noisy_sine(150, seed=5), target="signal")
    assert backtest_from_bytes(backtest_to_bytes(result), other) is None
    assert backtest_from_bytes(backtest_to_bytes(result), SERIES.head(100)) is None


@pytest.mark.parametrize(
    "damage", [lambda raw: raw[: len(raw) // 2], lambda raw: b"", lambda raw: b"PK" + raw[2:40]]
)
def test_a_damaged_file_is_none(result, damage):
    assert backtest_from_bytes(damage(backtest_to_bytes(result)), SERIES) is None


def test_a_file_holding_a_pickle_is_refused(result, tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, origins=np.array([object()], dtype=object))
    assert backtest_from_bytes(path.read_bytes(), SERIES) is None


def test_a_stopped_backtest_comes_back_saying_how_many_folds_ran_and_why(result):
    stopped = replace(result, planned=5, stopped_by="budget")
    back = backtest_from_bytes(backtest_to_bytes(stopped), SERIES)
    assert (back.planned, back.stopped_by, back.complete) == (5, "budget", False)
    assert len(back.folds) == 2 and back.table == result.table


def test_a_file_without_the_stop_fields_holds_a_complete_backtest(result):
    raw = backtest_to_bytes(result)
    with np.load(io.BytesIO(raw)) as npz:
        assert "planned" not in json.loads(npz["meta"].tobytes().decode())
    back = backtest_from_bytes(raw, SERIES)
    assert back.complete and back.planned is None and back.stopped_by == ""


@pytest.mark.parametrize("planned", [2, 1, "3", 2.5, True])
def test_a_file_claiming_fewer_folds_planned_than_it_holds_is_refused(result, planned):
    raw = backtest_to_bytes(replace(result, planned=9, stopped_by="user"))
    with np.load(io.BytesIO(raw)) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(arrays["meta"].tobytes().decode()) | {"planned": planned}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    assert backtest_from_bytes(buffer.getvalue(), SERIES) is None
