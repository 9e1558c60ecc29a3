"""A panel's rough edges: Stop while every series is scored, the calendar box of each panel,
the lengths said in words when every series has the same length, one series of a file with
several id columns, and the charts naming the series of a panel they show."""

import io
import json

import pandas as pd
import pytest

import forecasting.panel_train as panel_train
from data.panel import read_wide
from forecasting.panel_job import PanelJob
from forecasting.panel_result import panel_result
from forecasting.panel_train import fit_panel, score_panel
from tests.test_pages import settle, start, widget
from tests.test_panel_pages import as_panel, sales_csv, train_panel
from tests.test_panel_train import TINY, sine, wide
from tests.test_workspace_pages import own_data  # noqa: F401 (a fixture)
from ui import state

STOPPED = "stopped before it was scored"


@pytest.fixture(scope="module")
def four():
    """A panel of four series and the network trained on them."""
    panel = read_wide(wide(a=sine(), b=sine(10.0, seed=1), c=sine(3.0, seed=2), d=sine(seed=3)))
    return panel, fit_panel(panel, TINY.with_changes(epochs=2))


def after(calls: int):
    """A should_stop that says stop from its `calls`-th call on, counting every call."""
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        return len(asked) >= calls

    return should_stop, asked


def test_stop_while_the_series_are_scored_leaves_the_rest_unscored(four):
    panel, trained = four
    should_stop, asked = after(2)
    scores = score_panel(trained, panel, "test", should_stop)
    assert list(scores.series) == ["a", "b"] and list(scores.verdicts) == ["a", "b"]
    assert scores.unscored == {"c": STOPPED, "d": STOPPED}
    assert len(asked) == 2, "asked between series, then no more"
    result = panel_result(trained, panel, scores, (0.8,))
    assert result.labels == ["a", "b"], "the page offers the series scored"
    assert result.left_out["c"] == STOPPED


def test_a_stop_never_asked_for_scores_every_series(four):
    panel, trained = four
    should_stop, asked = after(99)
    scores = score_panel(trained, panel, "test", should_stop)
    assert list(scores.series) == ["a", "b", "c", "d"] and scores.unscored == {}
    assert len(asked) == 3, "once between each two series"


def test_the_first_series_is_scored_even_when_stop_came_first(four):
    panel, trained = four
    scores = score_panel(trained, panel, "test", lambda: True)
    assert list(scores.series) == ["a"] and set(scores.unscored) == {"b", "c", "d"}


def test_stop_pressed_while_a_panel_job_scores_ends_the_scoring(monkeypatch):
    panel = read_wide(wide(a=sine(), b=sine(10.0, seed=1), c=sine(3.0, seed=2)))
    job = PanelJob(panel.series["a"], TINY.with_changes(epochs=2), "sales", panel=panel)
    scored = []

    def evaluate_then_stop(*args, **kwargs):
        scored.append(True)
        job.stop()  # pressed while the first series is scored
        return evaluate(*args, **kwargs)

    evaluate = panel_train.evaluate
    monkeypatch.setattr(panel_train, "evaluate", evaluate_then_stop)
    job.train()
    assert job.error is None and job.forecast_error is None
    assert len(scored) == 1 and job.result.labels == ["a"]
    assert job.result.left_out == {"b": STOPPED, "c": STOPPED}
    assert job.summary is not None and job.series is panel.series["a"]


def test_a_panel_job_stopped_in_training_still_scores_every_series():
    panel = read_wide(wide(a=sine(), b=sine(10.0, seed=1), c=sine(3.0, seed=2)))
    job = PanelJob(panel.series["a"], TINY.with_changes(epochs=5), "sales", panel=panel)
    job.stop()  # before the first epoch ends: training stops there, the best model is kept
    job.train()
    assert job.error is None and len(job.history) == 1
    assert job.result.labels == ["a", "b", "c"] and job.result.left_out == {}


def on_train_page(app, content: bytes):
    """The Data page's upload read as a panel, then the Train page; the panel's calendar box."""
    app.switch_page("app_pages/data.py").run()
    as_panel(app, content)
    app.switch_page("app_pages/train.py").run()
    assert not app.exception
    box = widget(app.checkbox, "Calendar inputs")
    assert box.key == state.calendar_key(app.session_state[state.PANEL]), "the panel's own"
    return box


@pytest.mark.usefixtures("own_data")
def test_a_new_panel_opens_the_calendar_box_at_its_own_default():
    app = start("data")
    box = on_train_page(app, sales_csv())
    assert box.value is True, "on for daily data"
    box.uncheck().run()
    other = on_train_page(app, sales_csv(short=False))
    assert other.value is True, "another panel: its own default, not the last choice"
    again = on_train_page(app, sales_csv())
    assert again.value is False, "the same panel read again: the user's choice"


@pytest.mark.usefixtures("own_data")
def test_series_of_one_length_are_said_to_be_all_that_long():
    app = start("data")
    on_train_page(app, sales_csv(short=False))
    lead = app.markdown[0].value
    assert "(all 84 points long)" in lead and "84 to 84" not in lead
    on_train_page(app, sales_csv())
    assert "(lengths 12 to 84)" in app.markdown[0].value


def upload(app, content: bytes):
    """The Data page with the sales file uploaded, read as one series (as first offered)."""
    app.switch_page("app_pages/data.py").run()
    app.radio(key="pick.source").set_value("upload").run()
    app.file_uploader[0].set_value(("sales.csv", content, "text/csv")).run()
    assert not app.exception and not app.error
    return app


@pytest.mark.usefixtures("own_data")
def test_one_series_of_a_file_with_two_id_columns_is_chosen_by_both():
    app = upload(start(), sales_csv())
    picker = app.selectbox(key=state.cleaning_key("group", "sales.csv"))
    assert picker.options[1:] == ["east / tea", "north / cake", "north / tea", "south / tea"]
    picker.set_value("north / cake").run()
    assert not app.exception and not app.error
    series = app.session_state[state.SERIES]
    assert len(series) == 84 and 150 < series.values.mean() < 250, "north's cake, not its tea"
    report = " ".join(element.value for element in app.markdown)
    assert "'north / cake' in 'store / product'" in report


@pytest.mark.usefixtures("own_data")
def test_every_series_of_two_id_columns_is_added_up_once():
    content = sales_csv()
    app = upload(start(), content)
    app.selectbox(key=state.cleaning_key("group", "sales.csv")).set_value("\u2014").run()
    series = app.session_state[state.SERIES]
    table = pd.read_csv(io.BytesIO(content))
    assert series.values[0] == pytest.approx(table[table["date"] == "2024-01-01"]["units"].sum())


def chart_titles(app) -> list[str]:
    """The titles of every chart drawn, subplots' too."""
    layouts = [json.loads(chart.proto.spec)["layout"] for chart in app.get("plotly_chart")]
    return [
        *(layout.get("title", {}).get("text", "") for layout in layouts),
        *(note.get("text", "") for layout in layouts for note in layout.get("annotations", [])),
    ]


@pytest.mark.usefixtures("own_data")
def test_the_forecast_and_inside_charts_name_the_series_of_a_panel_shown():
    app = train_panel(as_panel(start("data")))
    settle(app)
    app.switch_page("app_pages/forecast.py").run()
    picker = app.selectbox(key=f"{state.FORECAST_SERIES_PICK}-{app.session_state[state.CURRENT]}")
    picker.set_value("south / tea").run()
    assert not app.exception
    named = "units of store south · product tea"
    assert f"{named}: data, predictions and forecast" in chart_titles(app)
    app.switch_page("app_pages/inside.py").run()
    assert not app.exception
    assert f"{named}: the window the network reads" in chart_titles(app)
