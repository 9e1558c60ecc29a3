from dataclasses import replace

import numpy as np
import pytest

from data.prepare import from_array
from forecasting.backtest import Backtest, Fold
from forecasting.config import TrainConfig
from forecasting.predict import future
from forecasting.summary import summarize
from forecasting.train import EpochLog, fit
from tests.conftest import noisy_sine
from ui import charts


@pytest.fixture(scope="module")
def summaries():
    series = from_array(noisy_sine(300, period=12), season=12)
    config = TrainConfig(window=24, horizon=6, season_length=12, hidden_size=8, epochs=2)
    first = summarize(fit(series, config), series, "LSTM #1")
    second = summarize(fit(series, config.with_changes(cell="gru")), series, "GRU #2")
    return first, second


def names(figure):
    return [trace.name for trace in figure.data]


def test_forecast_figure_draws_data_baselines_band_and_the_run_on_top(summaries):
    first, _ = summaries
    figure = charts.forecast_figure(first, ["seasonal_naive"])
    assert names(figure) == [
        "data",
        "seasonal naive",
        "95% interval",
        "80% interval",
        "LSTM #1 on held-out data",
        "LSTM #1 forecast",
    ]
    wide, narrow = figure.data[2], figure.data[3]
    for band, level in ((wide, 0.95), (narrow, 0.8)):
        assert band.fill == "toself" and band.mode == "lines"
        assert len(band.x) == 2 * len(first.forecast.mean)
        assert list(band.y[:6]) == pytest.approx(first.forecast.upper(level))
    assert wide.fillcolor == charts.PALETTE["band_wide"] != narrow.fillcolor
    assert list(figure.data[-1].y) == pytest.approx(first.forecast.mean)
    assert figure.layout.xaxis.rangeslider.visible


def test_one_band_per_level_widest_first(summaries):
    first, _ = summaries
    forecast = future(first.run, first.series, [0.99, 0.5, 0.9])
    figure = charts.forecast_figure(replace(first, forecast=forecast))
    bands = [name for name in names(figure) if name.endswith("interval")]
    assert bands == ["99% interval", "90% interval", "50% interval"]


def test_backtest_figure_draws_each_fold_with_its_bands_labelled_once(summaries):
    first, _ = summaries
    series, horizon = first.series, 6
    folds = [
        Fold(origin, first.forecast, series.values[origin : origin + horizon], {})
        for origin in (len(series) - 2 * horizon, len(series) - horizon)
    ]
    figure = charts.backtest_figure(series, Backtest(folds, {}, {0.8: 0.75, 0.95: 1.0}))
    assert names(figure) == [
        "data",
        "95% interval",
        "80% interval",
        "fold 1",
        "95% interval",
        "80% interval",
        "fold 2",
    ]
    assert [trace.showlegend for trace in figure.data if trace.fill] == [True, True, False, False]
    assert list(figure.data[4].x[:6]) == list(series.index[-6:])


def test_train_validation_and_test_parts_are_shaded(summaries):
    first, _ = summaries
    shapes = charts.forecast_figure(first).layout.shapes
    assert len(shapes) == 3
    assert shapes[1].x0 == first.run.train_end and shapes[2].x0 == first.run.val_end


def test_other_runs_are_drawn_beneath_the_chosen_one(summaries):
    first, second = summaries
    figure = charts.forecast_figure(second, others=[first])
    assert names(figure)[-4:] == [
        "LSTM #1 on held-out data",
        "LSTM #1 forecast",
        "GRU #2 on held-out data",
        "GRU #2 forecast",
    ]
    assert figure.data[-1].line.color != figure.data[-3].line.color


def test_the_noise_free_truth_is_drawn_dashed_only_when_given(summaries):
    first, _ = summaries
    series = first.series
    truth = np.linspace(9.0, 11.0, len(series))
    assert names(charts.series_figure(series, "data")) == ["value"]
    with_truth = charts.series_figure(series, "data", truth=truth)
    assert names(with_truth) == ["value", "noise-free truth"]
    drawn = with_truth.data[1]
    assert drawn.line.dash == "dash" and list(drawn.y) == pytest.approx(truth)
    assert list(drawn.x) == list(series.index)
    assert "noise-free truth" not in names(charts.forecast_figure(first))
    forecast = charts.forecast_figure(first, ["seasonal_naive"], truth=truth)
    assert names(forecast)[:3] == ["data", "noise-free truth", "seasonal naive"]
    assert list(forecast.data[1].y) == pytest.approx(truth)


def test_loss_figure_has_a_line_per_part_on_a_log_scale():
    history = [EpochLog(epoch, 3, 1.0 / epoch, 2.0 / epoch, 0.1 * epoch) for epoch in (1, 2, 3)]
    figure = charts.loss_figure(history)
    assert names(figure) == ["training", "validation"]
    assert list(figure.data[1].y) == [2.0, 1.0, 2.0 / 3]
    assert figure.layout.yaxis.type == "log"


def test_thinning_keeps_short_lines_whole():
    assert list(charts.thin(np.arange(50.0))) == list(range(50))


def test_thinning_keeps_each_buckets_extremes_and_both_ends():
    values = np.random.default_rng(0).normal(size=1_000_000)
    values[123_456] = 50.0  # a spike that must survive
    values[654_321] = -50.0
    kept = charts.thin(values)
    assert len(kept) <= charts.MAX_POINTS
    assert np.all(np.diff(kept) > 0)  # real positions, in time order
    assert kept[0] == 0 and kept[-1] == len(values) - 1
    assert {123_456, 654_321} <= set(kept)
    size = -(-(len(values) - 2) // ((charts.MAX_POINTS - 2) // 2))
    bucket = values[1 + 7 * size : 1 + 8 * size]
    assert {1 + 7 * size + bucket.argmin(), 1 + 7 * size + bucket.argmax()} <= set(kept)


def test_thinning_never_picks_a_gap_over_a_number():
    values = np.arange(30_000, dtype=float)
    values[1::2] = np.nan  # every other point is a gap
    kept = charts.thin(values, limit=1_000)
    assert np.isfinite(values[kept[:-1]]).all()  # the last point is kept as it is


def test_every_trace_of_a_long_series_stays_under_the_limit_with_exact_values():
    steps = np.arange(60_000)
    series = from_array(10 + np.sin(2 * np.pi * steps / 24) + 0.001 * steps, season=24)
    config = TrainConfig(
        window=24, horizon=6, hidden_size=4, epochs=1, epoch_windows=64, members=1, patience=0
    )
    summary = summarize(fit(series, config), series, "long")
    figures = [
        charts.series_figure(series, "data", truth=series.values - 1),
        charts.forecast_figure(summary, ["seasonal_naive", "drift"], truth=series.values - 1),
        *charts.residual_figures(summary),
    ]
    for figure in figures:
        for trace in figure.data:
            for values in (trace.x, trace.y):
                assert values is None or len(values) <= charts.MAX_POINTS, trace.name
    data_trace = figures[0].data[0]
    assert len(data_trace.y) > charts.MAX_POINTS // 2
    positions = np.asarray(data_trace.x, dtype=int)
    np.testing.assert_array_equal(np.asarray(data_trace.y), series.values[positions])
    over_time, histogram, _ = figures[2:]
    assert over_time.data[0].mode == "lines", "thousands of markers would slow the browser down"
    residuals = len(summary.held_out)
    assert histogram.data[0].type == "bar" and len(histogram.data[0].y) == charts.RESIDUAL_BINS
    assert histogram.data[0].y.sum() == residuals, "every residual is counted in a bin"


def test_a_short_residual_line_keeps_its_markers(summaries):
    over_time, histogram, _ = charts.residual_figures(summaries[0])
    assert over_time.data[0].mode == "lines+markers"
    edges = histogram.data[0].customdata
    assert np.all(edges[:, 0] < edges[:, 1]) and np.allclose(edges[1:, 0], edges[:-1, 1])
