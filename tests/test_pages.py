"""Each page alone and the main flows, through Streamlit's AppTest."""

import json
import threading
import tomllib
from collections import OrderedDict
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from forecasting.summary import RunSummary, summarize
from models.recurrent import members_of
from tests.conftest import ROOT
from ui import state

APP = str(ROOT / "app.py")
PAGES = sorted((ROOT / "app_pages").glob("*.py"))


def start(page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception
    return app


def widget(elements, label):
    return next(element for element in elements if element.label == label)


def train_tiny(app: AppTest, epochs: int = 2) -> None:
    """On the Train page: a small model, a few epochs, then wait for the job and show the result."""
    widget(app.number_input, "Epochs").set_value(epochs)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    assert not app.exception
    settle(app)


def kept(app: AppTest) -> list[RunSummary]:
    """The runs kept in the session's workspace that forecast, oldest first, as pages draw them."""
    if state.WORKSPACE not in app.session_state:
        return []
    key = app.session_state[state.WORKSPACE]
    held = app.session_state.get(state.SUMMARIES, {})
    summaries = []
    for stored in state.store().runs(key):
        if stored.error:
            continue
        if stored.id not in held:
            run, series = state.store().load(key, stored.id)
            summaries.append(summarize(run, series, stored.name, stored.dataset))
        else:
            summaries.append(held[stored.id])
    return summaries


def put_run(app: AppTest, summary: RunSummary) -> None:
    """Keep `summary` in the session's workspace as its current run, as a finished job would;
    the page draws `summary` itself (held in the session), not a summary made again."""
    if state.WORKSPACE not in app.session_state:
        app.session_state[state.WORKSPACE] = state.store().new_workspace()
    key = app.session_state[state.WORKSPACE]
    stored = state.store().add_run(key, summary.name, summary.dataset, summary.run,
                                   summary.series, mase=summary.model_mase)  # fmt: skip
    state.store().set_choice(key, stored.id)
    app.session_state[state.CURRENT] = stored.id
    app.session_state[state.SUMMARIES] = OrderedDict({stored.id: summary})


def settle(app: AppTest) -> None:
    """Wait for the session's training job and rerun. A job that ended within the click's own
    rerun is already a run (the app collects finished jobs on every run): nothing to wait for."""
    job = app.session_state[state.JOB]
    if job is not None:
        assert job.wait(120)
    app.run()
    assert not app.exception


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_page_runs_alone(page: Path):
    assert not AppTest.from_file(str(page), default_timeout=60).run().exception


@pytest.mark.parametrize("page", ["home", "data", "train", "forecast", "inside", "compare"])
def test_every_page_runs_in_the_app(page):
    assert not start(page).exception


def test_the_sidebar_shows_device_data_and_run():
    app = start()
    sidebar = [element.value for element in app.sidebar.markdown]
    assert sidebar == ["Device: **CPU**", "Data: none yet", "Run: none yet"]
    app.button(key="demo").click().run()
    sidebar = [element.value for element in app.sidebar.markdown]
    assert sidebar[1:] == ["Data: **Airline passengers** (144 points)", "Run: **GRU \\#1**"]


def test_pages_that_end_early_still_draw_the_sidebar():
    for page in ("train", "forecast", "inside", "compare"):
        app = start(page)
        assert app.info, f"{page} says what it needs"
        assert [element.value for element in app.sidebar.markdown][1:] == [
            "Data: none yet",
            "Run: none yet",
        ]


def threads_in_a_new_thread() -> int:
    """torch's thread count as a training job's thread sees it (the count is kept per thread)."""
    seen = []
    worker = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    worker.start()
    worker.join()
    return seen[0]


def test_the_app_sets_one_torch_thread_per_training_on_every_run():
    torch.set_num_threads(2)  # as torch starts on two cores, or as something changed it since
    try:
        assert threads_in_a_new_thread() == 2
        start()
        assert threads_in_a_new_thread() == 1
        torch.set_num_threads(2)
        start("data")  # a second run: the app's cached resources are warm now
        assert threads_in_a_new_thread() == 1
    finally:
        torch.set_num_threads(1)


def test_streamlit_does_not_collect_all_garbage_after_every_rerun():
    """A full collection after each redraw of the training progress stalled concurrent users."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_pages_that_need_data_say_where_to_get_it():
    assert "Data page" in start("train").info[0].value
    assert "Train page" in start("forecast").info[0].value


def test_sample_then_training_ends_on_a_forecast_with_metrics():
    app = start("data")
    widget(app.selectbox, "Sample").set_value("shampoo").run()
    assert app.session_state[state.DATASET].name == "Shampoo sales"
    app.switch_page("app_pages/train.py").run()
    train_tiny(app)
    assert app.success[0].value.startswith("Trained LSTM #1 in")
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception
    assert app.get("plotly_chart"), "the forecast chart is drawn"
    metrics = app.dataframe[0].value
    assert list(metrics.index) == ["LSTM #1", "naive", "seasonal naive", "drift"]
    assert {"MAE", "RMSE", "MASE"} <= set(metrics.columns)
    verdict = kept(app)[0].verdict
    best = {"naive": "naive", "seasonal_naive": "seasonal naive", "drift": "drift"}[
        verdict.baseline
    ]
    said = {
        "better": (app.success, f"LSTM beats {best} by"),
        "on par": (app.info, f"LSTM is on par with {best}"),
        "worse": (app.warning, f"LSTM does not beat {best}"),
    }
    elements, words = said[verdict.outcome]
    assert any(element.value.startswith(words) for element in elements)
    assert [button.label for button in app.get("download_button")] == [
        "Forecast (CSV)",
        "Model checkpoint (.pt)",
        "Settings (JSON)",
    ]


def test_a_synthetic_signal_follows_the_sliders_and_trains():
    app = start("data")
    app.radio(key="pick.source").set_value("synthetic").run()
    widget(app.selectbox, "Signal").set_value("square").run()
    widget(app.slider, "Length (points)").set_value(300).run()
    series = app.session_state[state.SERIES]
    assert len(series) == 300 and app.session_state[state.DATASET].kind == "synthetic"
    assert series.season_length == 50
    app.switch_page("app_pages/train.py").run()
    widget(app.radio, "Cell").set_value("gru")
    train_tiny(app)
    assert [run.name for run in kept(app)] == ["GRU #1"]


def test_an_uploaded_csv_gets_its_columns_picked_and_can_be_changed():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(f"2024-01-{day:02d};{day * 1.5};{30 - day}" for day in range(1, 31))
    app.file_uploader[0].set_value(("shop.csv", f"day;sales;stock\n{rows}".encode(), "text/csv"))
    app.run()
    assert not app.exception and not app.error
    assert widget(app.selectbox, "Date column").value == "day"
    assert widget(app.selectbox, "Value to forecast").value == "sales"
    assert app.session_state[state.SERIES].freq == "D"
    widget(app.selectbox, "Value to forecast").set_value("stock").run()
    assert app.session_state[state.SERIES].target == "stock"
    assert app.session_state[state.SERIES].values[0] == 29


def test_the_upload_survives_a_visit_to_another_page():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(str(value % 9) for value in range(40))
    app.file_uploader[0].set_value(("plain.csv", f"value\n{rows}".encode(), "text/csv")).run()
    app.switch_page("app_pages/home.py").run()
    app.switch_page("app_pages/data.py").run()
    assert app.radio(key="pick.source").value == "upload"
    assert app.session_state[state.DATASET].name == "plain.csv"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "photo.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200)),
            "not a text table",
        ),
        ("empty.csv", b"", "is empty"),
        ("words.csv", b"name,colour\n" + b"a,red\n" * 20, "No column of numbers"),
        ("short.csv", b"value\n1\n2\n3\n", "at least 10 are needed"),
    ],
)
def test_a_broken_file_shows_an_error_not_an_exception(name, content, words):
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not app.exception
    assert words in app.error[0].value


def test_stop_ends_training_and_keeps_a_usable_model():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    widget(app.number_input, "Epochs").set_value(5000)
    widget(app.number_input, "Patience").set_value(0)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    assert not job.done
    app.button(key="train-stop").click().run()
    assert job.wait(60)
    app.run()
    assert not app.exception
    run = kept(app)[0].run
    assert run.stop_reason.startswith("stopped by you")
    assert len(run.history) < 5000
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception and app.get("plotly_chart")


def test_the_demo_button_ends_on_the_forecast_chart():
    app = start()
    app.button(key="demo").click().run()
    assert not app.exception
    assert app.title[0].value == "Forecast"
    assert app.get("plotly_chart")
    assert app.session_state[state.DATASET].name == "Airline passengers"


def test_a_checkpoint_applies_to_the_current_data():
    app = start()
    app.button(key="demo").click().run()
    saved = kept(app)[0]
    from forecasting.persist import run_to_bytes

    raw = run_to_bytes(saved.run)
    app.file_uploader(key="apply-upload").set_value(("gru.pt", raw, "application/octet-stream"))
    app.run()
    assert not app.exception
    assert len(kept(app)) == 2
    assert app.success[0].value == "Applied gru\\.pt to Airline passengers."
    app.run()
    assert len(kept(app)) == 2, "a rerun does not apply it again"
    app.file_uploader(key="apply-upload").set_value(
        ("bad.pt", b"not a model", "application/octet-stream")
    )
    app.run()
    assert "not a Forecast Lab checkpoint" in app.error[0].value


def test_extra_inputs_chosen_on_the_data_page_reach_the_model():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(f"{i},{(i * 7) % 11},{i % 5}" for i in range(120))
    app.file_uploader[0].set_value(("shop.csv", f"t,sales,promo\n{rows}".encode(), "text/csv"))
    app.run()
    widget(app.selectbox, "Date column").set_value("\u2014").run()
    widget(app.multiselect, "Extra inputs (covariates)").select("promo").run()
    assert list(app.session_state[state.SERIES].covariates.columns) == ["promo"]
    app.switch_page("app_pages/train.py").run()
    assert widget(app.multiselect, "Extra inputs").value == ["promo"]
    train_tiny(app)
    run = kept(app)[0].run
    assert run.config.covariates == ("promo",) and members_of(run.model)[0].rnn.input_size == 2


def test_two_runs_on_the_same_data_are_drawn_together():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    train_tiny(app)
    widget(app.radio, "Cell").set_value("gru")
    train_tiny(app)
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception
    newest = state.store().runs(app.session_state[state.WORKSPACE])[-1]
    assert (newest.name, widget(app.selectbox, "Run").value) == ("GRU #2", newest.id), "newest"
    assert widget(app.multiselect, "Other runs on the same data").value == [0]
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    names = {trace.get("name") for trace in figure["data"]}
    assert {"GRU #2 forecast", "LSTM #1 forecast"} <= names


def test_an_extra_input_that_becomes_the_target_leaves_the_extra_inputs():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(f"{i},{(i * 7) % 11},{i % 5}" for i in range(60))
    app.file_uploader[0].set_value(("two.csv", f"t,sales,promo\n{rows}".encode(), "text/csv"))
    app.run()
    widget(app.multiselect, "Extra inputs (covariates)").select("promo").run()
    widget(app.selectbox, "Value to forecast").set_value("promo").run()
    assert not app.exception
    assert app.session_state[state.SERIES].target == "promo"
    assert app.session_state[state.SERIES].covariates is None or "promo" not in (
        app.session_state[state.SERIES].covariates.columns
    )


def test_a_run_that_ends_while_the_user_is_on_another_page_is_kept():
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    widget(app.number_input, "Epochs").set_value(40)  # long enough to leave the page during it
    widget(app.number_input, "Patience").set_value(0)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    app.switch_page("app_pages/forecast.py").run()
    assert job.wait(120)
    app.run()
    assert not app.exception
    assert [run.name for run in kept(app)] == ["LSTM #1"]
    assert app.get("plotly_chart") and app.title[0].value == "Forecast"


def test_choosing_the_target_as_the_date_column_picks_another_target():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(f"2024-01-{day:02d},{day},{day % 3}" for day in range(1, 31))
    app.file_uploader[0].set_value(("shop.csv", f"day,sales,promo\n{rows}".encode(), "text/csv"))
    app.run()
    widget(app.selectbox, "Date column").set_value("sales").run()
    assert not app.exception
    assert widget(app.selectbox, "Value to forecast").value == "promo"
    assert "'sales'" in app.error[0].value


def test_an_unexpected_training_failure_is_said_not_hidden(monkeypatch):
    from forecasting import job as job_module

    def broken(*args, **kwargs):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(job_module, "fit", broken)
    app = start("data")
    app.switch_page("app_pages/train.py").run()
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    if job is not None:  # still running when the page drew: wait, then draw again
        assert job.wait(30)
        app.run()
    assert "RuntimeError: CUDA out of memory" in app.error[0].value
    assert not kept(app)


def test_removing_the_uploaded_file_stops_using_it():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(str(value % 9) for value in range(40))
    app.file_uploader[0].set_value(("plain.csv", f"value\n{rows}".encode(), "text/csv")).run()
    assert app.session_state[state.DATASET].name == "plain.csv"
    app.file_uploader[0].set_value(None).run()
    assert not app.exception
    assert app.info[0].value == "Upload a CSV or .xlsx file to begin."


def test_the_forecast_page_backtests_on_demand_and_draws_the_residuals():
    app = start()
    app.button(key="demo").click().run()
    assert len(app.get("plotly_chart")) == 4, "the forecast and three residual charts"
    name = kept(app)[0].name
    widget(app.slider, "Periods to look back").set_value(2).run()
    app.button(key=f"backtest-run-{name}").click().run()
    assert not app.exception
    held = app.session_state[state.BACKTEST_JOB]
    assert held[:3] == (name, 2, (0.8, 0.95)), "the backtest runs as a background job"
    assert any(bar.proto.text.startswith("Training fold") for bar in app.get("progress"))
    assert held[3].wait(120)
    app.run()
    assert not app.exception
    coverage = [m.value for m in app.markdown if "of the actual values fell inside" in m.value]
    assert [line.split(":")[0] for line in coverage] == ["80% interval", "95% interval"]
    assert coverage[1].endswith("(nominal 95%).")
    assert len(app.get("plotly_chart")) == 5
    result = app.session_state[state.BACKTESTS][(name, 2, (0.8, 0.95))]
    assert [fold.origin for fold in result.folds] == [120, 132]
    app.multiselect(key="forecast-levels").set_value([0.9]).run()
    assert len(app.get("plotly_chart")) == 4, "other levels need their own backtest"
    assert app.button(key=f"backtest-run-{name}")


def test_a_backtest_stops_on_stop_and_offers_the_button_again():
    app = start()
    app.button(key="demo").click().run()
    name = kept(app)[0].name
    app.button(key=f"backtest-run-{name}").click().run()
    job = app.session_state[state.BACKTEST_JOB][3]
    app.button(key=f"backtest-stop-{name}").click().run()
    assert job.wait(60) and job.result is None and job.stop_cause == "user"
    app.run()
    assert not app.exception and app.button(key=f"backtest-run-{name}")
    assert state.BACKTESTS not in app.session_state or not app.session_state[state.BACKTESTS]


def chart_names(app: AppTest) -> list[str]:
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    return [trace.get("name") for trace in figure["data"]]


def test_the_forecast_page_draws_the_interval_levels_chosen():
    app = start()
    app.button(key="demo").click().run()
    levels = app.multiselect(key="forecast-levels")
    assert levels.value == [0.8, 0.95]
    assert {"80% interval", "95% interval"} <= set(chart_names(app))
    levels.set_value([0.99, 0.5]).run()
    assert not app.exception
    bands = [name for name in chart_names(app) if name.endswith("interval")]
    assert bands == ["99% interval", "50% interval"]
    assert kept(app)[0].forecast.levels == (0.8, 0.95), "the run is kept"
    app.multiselect(key="forecast-levels").set_value([]).run()
    assert not app.exception
    assert any("default ones are shown: 80%, 95%" in c.value for c in app.caption)
    assert [name for name in chart_names(app) if name.endswith("interval")] == [
        "95% interval",
        "80% interval",
    ]


def test_the_advanced_settings_choose_ensemble_loss_window_scaling_and_linear_shortcut():
    app = start("data")
    widget(app.selectbox, "Sample").set_value("shampoo").run()
    app.switch_page("app_pages/train.py").run()
    assert widget(app.slider, "Networks in the ensemble").value == 3
    assert widget(app.selectbox, "Loss").value == "mae"
    widget(app.slider, "Networks in the ensemble").set_value(2)
    widget(app.selectbox, "Loss").set_value("huber")
    widget(app.checkbox, "Scale each window by itself").uncheck()
    assert widget(app.checkbox, "Linear shortcut").value is True
    widget(app.checkbox, "Linear shortcut").uncheck()
    train_tiny(app)
    config = kept(app)[0].run.config
    assert (config.members, config.loss, config.window_scale) == (2, "huber", False)
    assert config.linear is False
    assert len(members_of(kept(app)[0].run.model)) == 2


def train_page_captions(app: AppTest, sample: str, words: str) -> list[str]:
    """The Train page's captions that say `words`, with the bundled `sample` as the data."""
    app.switch_page("app_pages/data.py").run()
    widget(app.selectbox, "Sample").set_value(sample).run()
    app.switch_page("app_pages/train.py").run()
    return [caption.value for caption in app.caption if words in caption.value]


def test_the_train_page_says_when_epochs_are_sampled():
    app = start("data")
    assert not train_page_captions(app, "shampoo", "drawn at random")
    said = train_page_captions(app, "co2", "drawn at random")
    assert said and "each epoch trains on 1,024 of them" in said[0]
    assert widget(app.number_input, "Windows per epoch").value == 1024


def test_the_train_page_says_when_the_lstm_reads_a_long_window_pooled_and_keeps_the_choice():
    app = start("data")
    assert not train_page_captions(app, "shampoo", "averages of")
    said = train_page_captions(app, "co2", "averages of")
    assert said and "The window is 130 steps long" in said[0]
    assert "in 44 averages of at most 3 steps each" in said[0]
    assert widget(app.number_input, "Steps averaged per recurrent step").value == 0
    widget(app.number_input, "Steps averaged per recurrent step").set_value(1)
    widget(app.number_input, "Windows per epoch").set_value(64)
    widget(app.slider, "Window").set_value(52)
    train_tiny(app, epochs=1)
    config = kept(app)[0].run.config
    assert (config.pool, config.pool_length, config.window) == (1, 1, 52)
