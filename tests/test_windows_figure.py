"""Windows explained: the figure draws exactly the windows training learns from."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from data.prepare import from_array
from data.windows import sliding, split
from forecasting.config import TrainConfig, training_windows
from forecasting.train import frame_range
from forecasting.training_window import training_window
from tests.conftest import noisy_sine
from tests.test_pages import start, train_tiny, widget
from ui import charts

CONFIG = TrainConfig(window=24, horizon=6, val_share=0.15, test_share=0.2)


@pytest.fixture(scope="module")
def series():
    return from_array(noisy_sine(300), target="signal")


def shapes_by_name(figure) -> dict[str, tuple]:
    return {shape.name: (shape.x0, shape.x1) for shape in figure.layout.shapes if shape.name}


def test_the_windows_are_those_training_learns_from(series):
    parts = split(series.values, CONFIG.val_share, CONFIG.test_share, min_part=CONFIG.horizon)
    frames = frame_range(0, parts.train_end, CONFIG, torch.device("cpu"))
    count = training_windows(len(series), CONFIG)
    assert count == len(frames) == parts.train_end - CONFIG.window - CONFIG.horizon + 1
    inputs, targets = sliding(series.values, CONFIG.window, CONFIG.horizon)
    for number in (1, 57, count):
        frame = int(frames[number - 1])
        window = training_window(len(series), CONFIG, number)
        assert window.count == count
        np.testing.assert_array_equal(series.values[list(window.inputs)], inputs[frame])
        np.testing.assert_array_equal(series.values[list(window.targets)], targets[frame])
    assert training_window(len(series), CONFIG, count).targets[-1] == parts.train_end - 1


@pytest.mark.parametrize(
    ("number", "inputs", "targets"), [(1, (0, 23), (24, 29)), ("last", (165, 188), (189, 194))]
)
def test_the_highlighted_spans_are_the_window_s_positions(series, number, inputs, targets):
    number = training_windows(len(series), CONFIG) if number == "last" else number
    figure = charts.window_figure(series, CONFIG, number, "en")
    traces = {trace.name: trace for trace in figure.data}
    assert list(traces) == ["data", "input (24 steps)", "target (6 steps)"]
    for name, (first, last) in (("input (24 steps)", inputs), ("target (6 steps)", targets)):
        assert list(traces[name].x) == list(range(first, last + 1))
        np.testing.assert_array_equal(traces[name].y, series.values[first : last + 1])
    assert shapes_by_name(figure) == {"input": inputs, "target": targets}
    assert figure.layout.title.text == f"Training window {number} of 166"


def test_the_parts_shaded_are_the_split_training_uses(series):
    parts = split(series.values, CONFIG.val_share, CONFIG.test_share, min_part=CONFIG.horizon)
    figure = charts.window_figure(series, CONFIG, 1, "en")
    shaded = [(shape.x0, shape.x1) for shape in figure.layout.shapes if not shape.name]
    assert shaded == [
        (0, parts.train_end - 1),
        (parts.train_end, parts.val_end - 1),
        (parts.val_end, len(series) - 1),
    ]
    labels = [note.text for note in figure.layout.annotations]
    assert labels == ["train", "validation", "test"]


def test_a_recursive_model_learns_one_step_after_each_window(series):
    config = CONFIG.with_changes(strategy="recursive")
    window = training_window(len(series), config, 3)
    assert window.inputs == range(2, 26) and window.targets == range(26, 27)
    assert window.count == training_windows(len(series), config)


def test_a_window_number_outside_the_training_windows_is_refused(series):
    with pytest.raises(ValueError, match="1 to 166; got 167"):
        training_window(len(series), CONFIG, 167)
    with pytest.raises(ValueError, match="got 0"):
        charts.window_figure(series, CONFIG, 0, "en")


def test_a_long_series_is_thinned_but_the_window_is_drawn_whole():
    long = from_array(noisy_sine(50_000), target="signal")
    dated = replace(long, index=pd.date_range("2000-01-01", periods=50_000, freq="h"))
    figure = charts.window_figure(dated, CONFIG, 1000, "en")
    assert all(len(trace.x) <= charts.MAX_POINTS for trace in figure.data)
    inputs = figure.data[1]
    assert len(inputs.x) == 24 and inputs.x[0] == dated.index[999]


def caption_starting(app, words: str) -> str:
    return next(item.value for item in app.caption if item.value.startswith(words))


def test_the_train_page_moves_through_the_windows_with_a_slider():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    assert "How the model sees your data" in [expander.label for expander in app.expander]
    assert caption_starting(app, "Windows with the default settings")
    first = caption_starting(app, "Window 1 of ")
    assert "the network reads 1949-01-01 to " in first
    widget(app.slider, "Training window").set_value(5).run()
    assert not app.exception
    fifth = caption_starting(app, "Window 5 of ")
    assert fifth != first and "reads 1949-05-01 to " in fifth
    widget(app.slider, "Window").set_value(10)
    widget(app.slider, "Networks in the ensemble").set_value(1)
    train_tiny(app, epochs=1)
    assert caption_starting(app, "Windows as LSTM \\#1 was trained: input of 10 steps")
    assert "reads 1949-01-01 to 1949-10-01 " in caption_starting(app, "Window 1 of ")
