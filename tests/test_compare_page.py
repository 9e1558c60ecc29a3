"""The Compare page through AppTest: runs side by side, and LSTM vs GRU vs RNN in one click."""

import json

from streamlit.testing.v1 import AppTest

from forecasting.config import TrainConfig
from forecasting.job import BatchJob
from tests.test_pages import kept, start, widget
from ui import state


def train(app: AppTest, hidden: int) -> None:
    """On the Train page: one small network for two epochs, then wait and show the result."""
    widget(app.number_input, "Epochs").set_value(2)
    widget(app.select_slider, "Hidden size").set_value(hidden)
    widget(app.slider, "Networks in the ensemble").set_value(1)
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    if job is not None:
        assert job.wait(120)
        app.run()
    assert not app.exception


def trace_names(app: AppTest, key: str) -> list[str]:
    chart = next(chart for chart in app.get("plotly_chart") if chart.proto.id.endswith(key))
    return [trace.get("name") for trace in json.loads(chart.proto.spec)["data"]]


def test_without_runs_the_page_says_what_to_do():
    app = start("compare")
    assert app.info[0].value.startswith("No runs to compare yet: train some on the Train page")
    assert app.button(key="trio").disabled, "no data, nothing to train on"


def test_two_runs_are_compared_by_losses_forecasts_scores_and_settings():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    train(app, 8)
    train(app, 4)
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    assert app.multiselect(key="compare-runs-2").value == [0, 1]
    assert trace_names(app, "compare-loss") == [
        "LSTM #1 training",
        "LSTM #1 validation",
        "LSTM #2 training",
        "LSTM #2 validation",
    ]
    assert {"LSTM #1 forecast", "LSTM #2 on held-out data"} <= set(
        trace_names(app, "compare-forecast")
    )
    scores, diff = (frame.value for frame in app.dataframe)
    assert list(scores.index) == ["LSTM #1", "LSTM #2"]
    assert {"MASE", "sMAPE", "MAE", "Parameters", "Epochs run"} <= set(scores.columns)
    assert list(diff.index) == ["hidden_size"]
    assert diff.loc["hidden_size"].tolist() == ["8", "4"]
    app.multiselect(key="compare-runs-2").set_value([1]).run()
    assert len(app.dataframe) == 1
    assert "Choose two runs or more" in app.caption[-1].value


def test_runs_on_other_data_are_named_not_overlaid():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    train(app, 4)
    app.switch_page("app_pages/data.py").run()
    widget(app.selectbox, "Sample").set_value("shampoo").run()
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    assert app.caption[0].value.startswith("Not on the forecast chart: LSTM \\#1")
    assert trace_names(app, "compare-loss") == ["LSTM #1 training", "LSTM #1 validation"]
    assert not any(chart.proto.id.endswith("compare-forecast") for chart in app.get("plotly_chart"))


def test_the_trio_button_trains_lstm_gru_and_rnn_and_shows_the_lesson_table():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    train(app, 8)  # the current run, on the current data: the trio takes its settings
    app.switch_page("app_pages/compare.py").run()
    app.button(key="trio").click().run()
    assert not app.exception
    job = app.session_state[state.JOB]
    if job is not None:
        assert isinstance(job, BatchJob)
        assert job.wait(120)
        app.run()
    assert not app.exception
    assert app.success[0].value.startswith("Trained LSTM #2, GRU #3, RNN #4 in")
    runs = kept(app)
    configs = [summary.run.config for summary in runs[1:]]
    assert [config.cell for config in configs] == ["lstm", "gru", "rnn"]
    assert {config.with_changes(cell="lstm") for config in configs} == {runs[0].run.config}
    table = app.dataframe[0].value
    assert list(table["Cell"]) == ["LSTM", "GRU", "RNN"]
    assert list(table.columns) == [
        "Cell",
        "Accuracy (MASE, lower is better)",
        "Training time (s)",
        "Parameters",
    ]
    lstm, gru, rnn = table["Parameters"]
    assert rnn < gru < lstm
    assert any("RNN has the fewest parameters and LSTM the most" in m.value for m in app.markdown)
    assert app.multiselect(key="compare-runs-4").value == [1, 2, 3], "the trio is chosen"


def test_stop_ends_the_current_run_of_the_trio_and_skips_the_rest(monkeypatch):
    from ui import trio

    endless = TrainConfig(window=12, horizon=6, hidden_size=4, members=1, epochs=5000)
    monkeypatch.setattr(trio, "trio_base", lambda series, current: endless.with_changes(patience=0))
    app = start("data")
    app.switch_page("app_pages/compare.py").run()
    assert app.info[0].value.startswith("No runs to compare yet")
    app.button(key="trio").click().run()
    job = app.session_state[state.JOB]
    assert isinstance(job, BatchJob) and not job.done
    label = app.get("progress")[0].proto.text
    assert label.startswith(("Starting LSTM (run 1 of 3)", "LSTM (run 1 of 3): epoch"))
    app.button(key="trio-stop").click().run()
    assert job.wait(60)
    app.run()
    assert not app.exception
    assert app.info[0].value == "Stopped: kept LSTM #1; not trained: GRU, RNN."
    assert [summary.name for summary in kept(app)] == ["LSTM #1"]
    assert app.button(key="trio"), "the button is back"
