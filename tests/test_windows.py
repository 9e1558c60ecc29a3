"""data.windows: chronological splits, train-only scalers, sliding windows as views."""

from __future__ import annotations

import json

import numpy as np
import pytest

from data import windows
from data.errors import DataError

KINDS = list(windows.SCALERS)


def test_split_cuts_by_shares_in_time_order():
    values = np.arange(100.0)
    parts = windows.split(values, val=0.2, test=0.1)
    assert (len(parts.train), len(parts.val), len(parts.test)) == (70, 20, 10)
    assert (parts.train_end, parts.val_end) == (70, 90)
    assert parts.train[-1] < parts.val[0] and parts.val[-1] < parts.test[0]
    np.testing.assert_array_equal(np.concatenate([parts.train, parts.val, parts.test]), values)


def test_split_parts_are_views_of_the_input_not_copies():
    values = np.arange(50.0)
    parts = windows.split(values, val=0.2, test=0.2)
    for part in (parts.train, parts.val, parts.test):
        assert np.shares_memory(part, values)
    values[-1] = -1.0
    assert parts.test[-1] == -1.0


def test_a_zero_share_gives_an_empty_part_even_with_a_minimum():
    parts = windows.split(np.arange(40.0), val=0.25, test=0.0, min_part=5)
    assert (len(parts.train), len(parts.val), len(parts.test)) == (30, 10, 0)


def test_min_part_raises_small_parts_to_the_minimum():
    parts = windows.split(np.arange(40.0), val=0.05, test=0.05, min_part=6)
    assert (len(parts.train), len(parts.val), len(parts.test)) == (28, 6, 6)
    assert windows.part_sizes(40, 0.05, 0.05, min_part=6) == (6, 6)


def test_two_training_points_are_enough():
    parts = windows.split(np.arange(4.0), val=0.25, test=0.25)
    assert (len(parts.train), len(parts.val), len(parts.test)) == (2, 1, 1)


@pytest.mark.parametrize(
    ("n", "val", "test", "min_part"),
    [(5, 0.3, 0.3, 1), (3, 0.2, 0.2, 1), (10, 0.1, 0.1, 5), (0, 0.15, 0.15, 1)],
)
def test_a_series_too_short_for_the_parts_raises_data_error(n, val, test, min_part):
    with pytest.raises(DataError, match=rf"^The series has {n} points: too few to keep"):
        windows.split(np.arange(float(n)), val=val, test=test, min_part=min_part)


def test_minmax_scaler_sees_only_training_data():
    parts = windows.split(np.arange(100.0), val=0.2, test=0.1)
    scaler = windows.fit_scaler(parts, "minmax")
    assert scaler.data_max_[0] == parts.train[-1]
    assert scaler.data_min_[0] == parts.train[0]


def test_standard_scaler_sees_only_training_data():
    values = np.concatenate([np.linspace(0.0, 1.0, 80), np.full(20, 1000.0)])
    parts = windows.split(values, val=0.1, test=0.1)
    scaler = windows.fit_scaler(parts, "standard")
    assert scaler.mean_[0] == pytest.approx(parts.train.mean(), rel=1e-12)
    assert scaler.scale_[0] == pytest.approx(parts.train.std(), rel=1e-12)
    assert scaler.mean_[0] < 1.0


def test_scaled_training_part_is_normalised():
    rng = np.random.default_rng(0)
    parts = windows.split(rng.normal(5.0, 3.0, 200), val=0.15, test=0.15)
    minmax = windows.scale(windows.fit_scaler(parts, "minmax"), parts.train)
    assert minmax.min() == 0.0 and minmax.max() == 1.0
    standard = windows.scale(windows.fit_scaler(parts, "standard"), parts.train)
    assert standard.mean() == pytest.approx(0.0, abs=1e-12)
    assert standard.std() == pytest.approx(1.0, rel=1e-12)


def test_no_scaler_and_unknown_kinds():
    parts = windows.split(np.arange(20.0), val=0.2, test=0.2)
    assert windows.fit_scaler(parts, "none") is None
    with pytest.raises(ValueError, match=r"scaler must be one of .* got 'robust'"):
        windows.fit_scaler(parts, "robust")


@pytest.mark.parametrize("kind", KINDS)
def test_scale_then_unscale_gives_the_values_back_in_their_shape(kind):
    rng = np.random.default_rng(1)
    parts = windows.split(rng.normal(10.0, 4.0, 60), val=0.2, test=0.2)
    scaler = windows.fit_scaler(parts, kind)
    block = rng.normal(10.0, 4.0, (3, 5))
    scaled = windows.scale(scaler, block)
    assert scaled.shape == (3, 5) and scaled.dtype == np.float64
    if kind != "none":
        assert not np.allclose(scaled, block)
    np.testing.assert_allclose(windows.unscale(scaler, scaled), block, rtol=1e-12, atol=1e-12)


def test_no_scaler_passes_values_through_as_float64():
    values = np.arange(6).reshape(2, 3)
    for result in (windows.scale(None, values), windows.unscale(None, values)):
        assert result.dtype == np.float64
        np.testing.assert_array_equal(result, values)


@pytest.mark.parametrize("kind", KINDS)
def test_scaler_dict_round_trip_gives_identical_transforms(kind):
    rng = np.random.default_rng(2)
    parts = windows.split(rng.normal(-3.0, 7.0, 80), val=0.2, test=0.2)
    scaler = windows.fit_scaler(parts, kind)
    params = json.loads(json.dumps(windows.scaler_to_dict(scaler)))
    assert params["kind"] == kind
    restored = windows.scaler_from_dict(params)
    probe = rng.normal(-3.0, 20.0, 50)
    np.testing.assert_array_equal(windows.scale(restored, probe), windows.scale(scaler, probe))
    np.testing.assert_array_equal(windows.unscale(restored, probe), windows.unscale(scaler, probe))
    assert windows.scaler_to_dict(restored) == params


def test_scaler_from_an_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown scaler kind 'robust'"):
        windows.scaler_from_dict({"kind": "robust"})


def test_sliding_gives_every_window_as_views_of_the_series():
    values = np.arange(10.0)
    inputs, targets = windows.sliding(values, window=3, horizon=2)
    assert inputs.shape == (6, 3) and targets.shape == (6, 2)
    for i in range(6):
        np.testing.assert_array_equal(inputs[i], values[i : i + 3])
        np.testing.assert_array_equal(targets[i], values[i + 3 : i + 5])
    assert np.shares_memory(inputs, values) and np.shares_memory(targets, values)
    assert inputs.nbytes > values.nbytes  # several windows over the same memory: no copy made
    values[4] = 99.0
    assert inputs[2, 2] == 99.0 and targets[0, 1] == 99.0
    assert not inputs.flags.writeable and not targets.flags.writeable


def test_sliding_over_exactly_one_window():
    inputs, targets = windows.sliding(np.arange(5.0), window=3, horizon=2)
    np.testing.assert_array_equal(inputs, [[0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(targets, [[3.0, 4.0]])


def _part_bounds(parts: windows.Split, part: str) -> tuple[int, int]:
    return {
        "train": (0, parts.train_end),
        "val": (parts.train_end, parts.val_end),
        "test": (parts.val_end, len(parts.values)),
    }[part]


@pytest.mark.parametrize("part", ["train", "val", "test"])
@pytest.mark.parametrize(("window", "horizon"), [(1, 1), (5, 3), (12, 4), (40, 2), (8, 25)])
def test_target_starts_are_exactly_the_windows_whose_target_lies_in_the_part(part, window, horizon):
    parts = windows.split(np.arange(100.0), val=0.2, test=0.2)
    start, end = _part_bounds(parts, part)
    starts = windows.target_starts(parts, window, horizon, part)
    assert np.issubdtype(starts.dtype, np.integer)
    assert all(start <= s and s + horizon <= end and s - window >= 0 for s in starts)
    expected = [s for s in range(window, 101) if start <= s and s + horizon <= end]
    np.testing.assert_array_equal(starts, expected)


def test_target_starts_index_the_sliding_windows():
    values = np.arange(60.0) ** 2
    parts = windows.split(values, val=0.25, test=0.25)
    window, horizon = 6, 3
    inputs, targets = windows.sliding(values, window, horizon)
    starts = windows.target_starts(parts, window, horizon, "val")
    assert len(starts) == 15 - horizon + 1
    for s in starts:
        np.testing.assert_array_equal(inputs[s - window], values[s - window : s])
        np.testing.assert_array_equal(targets[s - window], values[s : s + horizon])
