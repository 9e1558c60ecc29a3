import numpy as np
import pandas as pd
import pytest

from data.load import read_table
from data.prepare import from_array, prepare
from data.windows import target_starts
from forecasting import predict
from forecasting.config import TrainConfig
from forecasting.predict import (
    DEFAULT_LEVELS,
    Forecast,
    actuals_from,
    conformal_margins,
    forecast_from,
    future,
    held_out_path,
)
from forecasting.train import fit
from tests.conftest import SAMPLES, noisy_sine

TINY = TrainConfig(window=20, horizon=5, hidden_size=16, epochs=5, patience=0)


@pytest.fixture(scope="module")
def sine_run():
    series = from_array(noisy_sine())
    return series, fit(series, TINY)


def test_future_forecast_has_ordered_finite_bounds_after_the_last_row(sine_run):
    series, run = sine_run
    ahead = future(run, series, levels=[0.9])
    assert list(ahead.index) == [400, 401, 402, 403, 404]
    assert ahead.levels == (0.9,)
    assert np.isfinite(ahead.mean).all()
    assert (ahead.lower(0.9) <= ahead.mean).all() and (ahead.mean <= ahead.upper(0.9)).all()
    columns = ["timestamp", "forecast", "lower", "upper", "lower_90", "upper_90"]
    assert list(ahead.to_frame().columns) == columns


def test_a_forecast_has_80_and_95_percent_bands_by_default_the_95_around_the_80(sine_run):
    series, run = sine_run
    ahead = future(run, series)
    assert DEFAULT_LEVELS == (0.8, 0.95) and ahead.levels == (0.8, 0.95)
    assert (ahead.lower(0.95) <= ahead.lower(0.8)).all()
    assert (ahead.lower(0.8) <= ahead.mean).all() and (ahead.mean <= ahead.upper(0.8)).all()
    assert (ahead.upper(0.8) <= ahead.upper(0.95)).all()
    assert (ahead.upper(0.95) - ahead.lower(0.95) > ahead.upper(0.8) - ahead.lower(0.8)).any()
    frame = ahead.to_frame()
    assert list(frame.columns) == [
        "timestamp",
        "forecast",
        "lower",
        "upper",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    ]
    np.testing.assert_array_equal(frame["upper_95"], ahead.upper(0.95))
    np.testing.assert_array_equal(frame["upper"], frame["upper_95"])  # the widest band
    np.testing.assert_array_equal(frame["lower"], frame["lower_95"])


def test_every_level_shares_the_one_mean(sine_run):
    series, run = sine_run
    np.testing.assert_array_equal(future(run, series, [0.5]).mean, future(run, series).mean)


def test_frame_columns_name_the_level_in_percent_in_rising_order():
    zeros = np.zeros(2)
    bands = {0.975: (zeros, zeros), 0.5: (zeros, zeros), 0.9: (zeros, zeros)}
    frame = Forecast(pd.RangeIndex(2), zeros, bands).to_frame()
    assert list(frame.columns)[4:] == [
        "lower_50",
        "upper_50",
        "lower_90",
        "upper_90",
        "lower_97.5",
        "upper_97.5",
    ]


def test_future_timestamps_follow_the_calendar():
    series = prepare(read_table(SAMPLES / "airline.csv"))
    run = fit(series, TrainConfig(window=24, horizon=12, hidden_size=8, epochs=2, season_length=12))
    ahead = future(run, series)
    assert ahead.index[0] == pd.Timestamp("1961-01-01")
    assert ahead.index[-1] == pd.Timestamp("1961-12-01")


def part_errors(run, series, part):
    starts = target_starts(run.split(series.values), run.config.window, run.config.horizon, part)
    forecasts = forecast_from(run, series.values, starts)
    return np.abs(actuals_from(series.values, starts, run.config.horizon) - forecasts)


def widening_rms(errors):
    return np.maximum.accumulate(np.sqrt(np.mean(errors**2, axis=0)))  # per step, widening


def conformal_quantile(scores, windows, level):
    """The pooled scores' quantile at ceil((n + 1) level) / n for n forecasts."""
    return np.quantile(scores, np.ceil((windows + 1) * level) / windows, method="higher")


def test_conformal_margins_are_pooled_quantiles_of_scaled_validation_errors(sine_run):
    series, run = sine_run
    errors, train_errors = part_errors(run, series, "val"), part_errors(run, series, "train")
    windows = len(errors)
    assert np.ceil((windows + 1) * 0.95) <= windows  # enough forecasts for both levels
    scores = (errors / widening_rms(errors)).ravel()
    spread = np.maximum(widening_rms(errors), widening_rms(train_errors))
    margins = conformal_margins(run, series, [0.8, 0.95])
    assert list(margins) == [0.8, 0.95]
    for level in (0.8, 0.95):
        expected = conformal_quantile(scores, windows, level) * spread
        np.testing.assert_allclose(margins[level], expected)
        assert np.all(np.diff(margins[level]) >= 0)  # never narrower further ahead
        inside = np.mean(errors <= margins[level])
        assert level - 0.1 <= inside <= 1.0  # they cover the validation errors they came from


def test_the_finite_sample_correction_counts_forecasts_not_their_steps():
    assert predict.conformal_level(19, 0.95) == 1.0  # 19 forecasts: the largest score
    assert predict.conformal_level(9, 0.8) == 8 / 9
    assert predict.conformal_level(18, 0.95) > 1  # too few forecasts for 95%
    assert predict.conformal_level(0, 0.8) > 1
    scores = np.sort(np.random.default_rng(0).random(19 * 12))  # 19 forecasts of 12 steps
    calibration = predict.Calibration(12, np.ones(12), scores, scores, 19, 19)
    np.testing.assert_allclose(calibration.margins([0.95])[0.95], scores[-1])


def test_a_calm_validation_part_does_not_narrow_the_intervals_below_the_history():
    rng = np.random.default_rng(0)
    steps = np.arange(400)
    noise = np.where(steps < 340, 1.0, 0.05) * rng.standard_normal(400)
    series = from_array(10 + np.sin(2 * np.pi * steps / 20) + noise, target="y")
    config = TrainConfig(window=20, horizon=5, hidden_size=8, epochs=3, members=1, test_share=0)
    run = fit(series, config)
    errors, train_errors = part_errors(run, series, "val"), part_errors(run, series, "train")
    assert widening_rms(train_errors)[0] > 3 * widening_rms(errors)[0]
    margin = conformal_margins(run, series, [0.8])[0.8]
    scores = (errors / widening_rms(errors)).ravel()
    expected = conformal_quantile(scores, len(errors), 0.8) * widening_rms(train_errors)
    np.testing.assert_allclose(margin, expected)


def test_too_few_validation_forecasts_for_a_level_borrow_the_training_errors():
    series = from_array(10 + np.sin(np.arange(120) / 3) + 0.2 * np.cos(np.arange(120) * 1.7))
    config = TrainConfig(
        window=12, horizon=5, hidden_size=8, epochs=2, members=1, val_share=0.04, test_share=0
    )
    run = fit(series, config)
    errors, train_errors = part_errors(run, series, "val"), part_errors(run, series, "train")
    assert errors.shape == (1, 5)  # one forecast: too few for 80% (it needs 4) or 95% (19)
    val_scores = (errors / widening_rms(errors)).ravel()
    pooled = np.concatenate([val_scores, (train_errors / widening_rms(train_errors)).ravel()])
    spread = np.maximum(widening_rms(errors), widening_rms(train_errors))
    margins = conformal_margins(run, series, [0.8, 0.95])
    for level in (0.8, 0.95):
        expected = conformal_quantile(pooled, 1 + len(train_errors), level) * spread
        np.testing.assert_allclose(margins[level], expected)


def test_wider_level_gives_wider_intervals(sine_run):
    series, run = sine_run
    margins = conformal_margins(run, series, [0.95, 0.5])
    narrow, wide = margins[0.5], margins[0.95]
    assert (wide >= narrow).all() and (wide > narrow).any()


@pytest.mark.parametrize("levels", [[1.5], [0.8, 0.0], [0.8, float("nan")], [-0.2]])
def test_level_outside_zero_one_is_refused(sine_run, levels):
    series, run = sine_run
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        future(run, series, levels=levels)


def test_no_level_at_all_is_refused(sine_run):
    series, run = sine_run
    with pytest.raises(ValueError, match="at least one interval level"):
        conformal_margins(run, series, [])


def test_forecasts_read_only_the_past_of_each_start(sine_run):
    series, run = sine_run
    altered = series.values.copy()
    altered[300:] += 100.0
    start = np.array([300])
    np.testing.assert_array_equal(
        forecast_from(run, series.values, start), forecast_from(run, altered, start)
    )


def test_held_out_path_covers_validation_and_test_with_one_value_per_step(sine_run):
    series, run = sine_run
    path = held_out_path(run, series)
    assert path.index[0] == run.train_end
    assert path.index.is_unique and path.index.is_monotonic_increasing
    assert len(path) == len(series) - run.train_end
    assert path.index[-1] == series.index[-1]
    first_block = forecast_from(run, series.values, np.array([run.train_end]))[0]
    np.testing.assert_allclose(path.iloc[:5].to_numpy(), first_block)


def test_forecasts_made_batch_by_batch_equal_those_made_one_by_one(sine_run, monkeypatch):
    series, run = sine_run
    starts = np.arange(run.config.window, len(series) - run.config.horizon)
    whole = forecast_from(run, series.values, starts)
    monkeypatch.setattr(predict, "eval_batch", lambda config: 7)  # many small batches
    np.testing.assert_allclose(forecast_from(run, series.values, starts), whole, rtol=1e-6)


def test_intervals_calibrate_on_an_even_spread_of_at_most_so_many_windows(sine_run, monkeypatch):
    series, run = sine_run
    seen = []
    original = predict.forecast_from
    monkeypatch.setattr(
        predict, "forecast_from", lambda r, v, starts: seen.append(starts) or original(r, v, starts)
    )
    monkeypatch.setattr(predict, "CALIBRATION_WINDOWS", 5)
    conformal_margins(run, series)
    for part, starts in zip(("val", "train"), seen, strict=True):
        parts = run.split(series.values)
        every = target_starts(parts, run.config.window, run.config.horizon, part)
        assert len(every) > 5 and len(starts) == 5
        assert starts[0] == every[0] and starts[-1] == every[-1]


def test_a_training_part_without_room_for_a_window_and_horizon_still_gives_intervals():
    series = from_array(noisy_sine(200, period=12), target="signal")
    config = TINY.with_changes(horizon=60, window=24, strategy="recursive")
    run = fit(series, config)  # training part: 80 points, fewer than 24 inputs + 60 steps
    assert not len(target_starts(run.split(series.values), 24, 60, "train"))
    ahead = predict.future(run, series, (0.8,))
    width = ahead.upper(0.8) - ahead.lower(0.8)
    assert np.all(width > 0) and np.all(np.diff(width) >= 0), "from the validation errors"
    assert predict.forecast_from(run, series.values, np.array([], dtype=int)).shape == (0, 60)


def test_wide_long_networks_are_evaluated_in_smaller_batches_within_the_memory_bound():
    from forecasting.config import TrainConfig
    from forecasting.train import EVAL_BATCH, EVAL_NUMBERS, EVAL_NUMBERS_PER_UNIT, eval_batch

    small = TrainConfig(window=64, hidden_size=64)
    assert eval_batch(small) == EVAL_BATCH, "the usual networks keep the usual batch"
    wide = TrainConfig(window=512, pool=1, hidden_size=256, num_layers=4, members=7)
    batch = eval_batch(wide)
    assert 1 <= batch < EVAL_BATCH
    held = batch * wide.rnn_steps * wide.hidden_size * wide.members * EVAL_NUMBERS_PER_UNIT
    assert held <= EVAL_NUMBERS
