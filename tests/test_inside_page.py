"""The Inside the cell page through AppTest: gates under the series, with the cell's equations."""

from __future__ import annotations

import base64
import json

import numpy as np

from models.recurrent import members_of
from tests.test_pages import kept, start, train_tiny, widget

LSTM_SYMBOLS = ["f_t", "i_t", r"\tilde{c}_t", "c_t", "o_t", "h_t"]
GRU_SYMBOLS = ["z_t", "r_t", r"\tilde{h}_t", "h_t"]


def latex(app) -> list[str]:
    return [element.body.strip("$\n") for element in app.latex]


def chart(app) -> dict:
    """The drawn figure's JSON as the browser receives it."""
    return json.loads(app.get("plotly_chart")[0].proto.spec)


def array(value) -> np.ndarray:
    """A figure's array, which Plotly sends packed (dtype, base64 bytes, shape) or as a list."""
    if isinstance(value, list):
        return np.array(value)
    shape = [int(size) for size in str(value.get("shape", "-1")).split(",")]
    return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).reshape(shape)


def heatmap_titles(app) -> list[str]:
    return [annotation["text"] for annotation in chart(app)["layout"]["annotations"]][1:]


def test_without_a_run_the_page_says_to_train_one():
    app = start("inside")
    assert "Train page" in app.info[0].value
    assert not app.get("plotly_chart")


def test_the_demo_gru_shows_its_gates_and_equations_and_follows_the_window():
    app = start()
    app.button(key="demo").click().run()
    app.switch_page("app_pages/inside.py").run()
    assert not app.exception
    assert [body.split(" =")[0] for body in latex(app)] == GRU_SYMBOLS
    assert heatmap_titles(app) == [
        "z<sub>t</sub> update gate",
        "r<sub>t</sub> reset gate",
        "h\u0303<sub>t</sub> candidate",
        "h<sub>t</sub> hidden state",
    ]
    summary = kept(app)[0]
    slider = widget(app.slider, "Window ends at point")
    assert slider.value == len(summary.series)  # the last window by default
    first = chart(app)["data"][0]["x"]
    slider.set_value(slider.value - 24).run()
    assert not app.exception
    assert chart(app)["data"][0]["x"][-1] < first[-1]  # the window moved back two years
    assert widget(app.slider, "Units shown").value == (1, 16)  # 32 units, the first 16 drawn
    heatmap = chart(app)["data"][1]
    assert array(heatmap["z"]).shape == (16, summary.run.config.window)  # (units, time)
    assert list(heatmap["y"]) == [str(unit) for unit in range(1, 17)]
    assert not [radio for radio in app.radio if radio.label == "Layer"]  # one layer only
    assert len(members_of(summary.run.model)) == 3
    widget(app.selectbox, "Network of the ensemble").set_value(2).run()
    assert not app.exception
    assert not np.array_equal(array(chart(app)["data"][1]["z"]), array(heatmap["z"]))


def train_then_look_inside(app) -> None:
    """Train the Train page's settings for one epoch, then open Inside the cell."""
    train_tiny(app, epochs=1)
    app.switch_page("app_pages/inside.py").run()
    assert not app.exception


def test_a_two_layer_lstm_shows_the_lstm_equations_and_each_layer():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    widget(app.slider, "Layers").set_value(2)
    widget(app.slider, "Networks in the ensemble").set_value(1)
    train_then_look_inside(app)
    assert [body.split(" =")[0] for body in latex(app)] == LSTM_SYMBOLS
    assert heatmap_titles(app)[0] == "f<sub>t</sub> forget gate"
    assert len(heatmap_titles(app)) == 6
    assert not [box for box in app.selectbox if box.label == "Network of the ensemble"]
    layer = widget(app.radio, "Layer")
    assert layer.value == 0
    before = array(chart(app)["data"][1]["z"])
    layer.set_value(1).run()
    assert not app.exception
    assert "layer 2 of 2" in chart(app)["layout"]["title"]["text"]
    assert not np.array_equal(array(chart(app)["data"][1]["z"]), before)


def test_a_pooled_lstm_draws_one_column_per_mean_and_says_so():
    app = start("data")
    widget(app.selectbox, "Sample").set_value("co2").run()
    app.switch_page("app_pages/train.py").run()
    widget(app.slider, "Networks in the ensemble").set_value(1)
    widget(app.number_input, "Windows per epoch").set_value(64)
    train_then_look_inside(app)
    config = kept(app)[0].run.config
    assert (config.window, config.pool_length) == (130, 3)
    said = [caption.value for caption in app.caption if "averages of" in caption.value]
    assert said and "in 44 averages of at most 3 points each" in said[0]
    series, heatmap = chart(app)["data"][0], chart(app)["data"][1]
    assert len(array(series["y"])) == 130
    assert array(heatmap["z"]).shape[1] == 44  # (units, steps)
