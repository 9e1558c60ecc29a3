"""A panel through the pages (AppTest): an upload of many series read as one panel on the Data
page, one network trained on them all, every series scored on the Forecast page, the chosen
series drawn there and in Inside the cell, and all of it back after a reload."""

import io

import numpy as np
import pandas as pd
import pytest

from forecasting.panel_job import PanelJob
from forecasting.panel_result import result_from_bytes
from tests.test_pages import settle, start, widget
from tests.test_workspace_pages import own_data, reopen  # noqa: F401 (a fixture)
from ui import state

pytestmark = pytest.mark.usefixtures("own_data")  # workspaces in a folder of each test's own

SERIES = {("north", "tea"): 10.0, ("north", "cake"): 200.0, ("south", "tea"): 3000.0}


def sales_csv(short: bool = True, planned: int = 0) -> bytes:
    """Daily sales of three store-product series of very different sizes (weekly rhythm), and
    a fourth too short to train on; with `planned`, a promo column given that many days past
    the sales' end (the sales left empty there)."""
    days = pd.date_range("2024-01-01", periods=84 + planned, freq="D")
    noise = np.random.default_rng(0)
    rows = []
    for number, ((store, product), level) in enumerate(SERIES.items()):
        rhythm = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(84) + number) / 7)
        rhythm += noise.normal(0, 0.03, 84)
        units = [*np.round(level * rhythm, 2), *[None] * planned]
        rows += [(day.date(), store, product, value, place % 5 == 0)
                 for place, (day, value) in enumerate(zip(days, units, strict=True))]  # fmt: skip
    if short:
        rows += [(day.date(), "east", "tea", 5.0 + i % 3, 0) for i, day in enumerate(days[:12])]
    table = pd.DataFrame(rows, columns=["date", "store", "product", "units", "promo"])
    table["promo"] = table["promo"].astype(int)
    if not planned:
        table = table.drop(columns="promo")
    return table.to_csv(index=False).encode()


def as_panel(app, content: bytes = b""):
    """The Data page with the sales file uploaded and read as a panel by store and product."""
    app.radio(key="pick.source").set_value("upload").run()
    app.file_uploader[0].set_value(("sales.csv", content or sales_csv(), "text/csv")).run()
    assert not app.exception and not app.error
    app.radio(key=state.cleaning_key("aggregate", "sales.csv")).set_value("each").run()
    ids = app.multiselect(key=state.cleaning_key("panel_ids", "sales.csv"))
    assert ids.value == ["store", "product"], "detected together"
    assert not app.exception and not app.error
    return app


def test_the_data_page_shows_a_long_file_as_a_panel():
    app = as_panel(start("data"))
    panel = app.session_state[state.PANEL]
    assert panel.labels == ["north / tea", "north / cake", "south / tea", "east / tea"]
    counts = {metric.label: metric.value for metric in app.metric}
    assert counts == {"Series": "4", "Shortest": "12", "Median length": "84", "Longest": "84"}
    picker = app.selectbox(key=state.PANEL_PICK)
    assert picker.options == panel.labels
    picker.set_value("south / tea").run()
    assert app.session_state[state.SERIES].values.max() > 3000
    small = app.get("plotly_chart")
    assert any("4 series" in chart.proto.spec for chart in small), "the small multiples"
    report = next(element.value for element in app.markdown if element.value.startswith("- "))
    assert "Read 4 series by 'store', 'product': 4 used, 12 to 84 points each" in report
    assert "In 4 of 4 series: Using 'date' as the date column" in report


def test_a_panel_trains_one_network_and_the_forecast_page_scores_every_series():
    app = as_panel(start("data"))
    app.switch_page("app_pages/train.py").run()
    assert "**4 series** from **sales\\.csv** (lengths 12 to 84)" in app.markdown[0].value
    calendar = app.checkbox(key=state.calendar_key(app.session_state[state.PANEL]))
    assert calendar.value is True, "on for daily data"
    calendar.uncheck()
    widget(app.number_input, "Epochs").set_value(2)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    assert not app.exception and not app.error
    job = app.session_state[state.JOB]
    assert isinstance(job, PanelJob) and len(job.panel) == 4
    settle(app)
    assert app.success[0].value.startswith("Trained LSTM panel #1")

    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception
    picker = app.selectbox(key=f"{state.FORECAST_SERIES_PICK}-{app.session_state[state.CURRENT]}")
    assert sorted(picker.options) == ["north / cake", "north / tea", "south / tea"]
    table = next(frame.value for frame in app.dataframe if "verdict" in frame.value.columns)
    assert sorted(table["store"] + "/" + table["product"]) == [
        "north/cake",
        "north/tea",
        "south/tea",
    ]
    assert set(table["verdict"]) <= {"better", "on par", "worse", "no baseline to beat"}
    assert table["model's score"].is_monotonic_decreasing, "worst first, as the picker"
    assert table["network's share"].between(0, 100).all()
    assert picker.value == picker.options[0], "the page opens on the worst series"
    worst = kept_result(app).series[picker.options[0]]
    assert state_summary(app).series.fingerprint() == worst.fingerprint(), "and draws it"
    aggregate = next(
        frame.value for frame in app.dataframe if "geometric-mean MASE" in frame.value.columns
    )
    assert {"LSTM panel #1", "seasonal naive"} <= set(aggregate.index)
    left_out = app.expander
    assert any("not trained on or not scored" in e.label for e in left_out)
    assert any("Every series" in button.label for button in app.get("download_button"))
    every = pd.read_csv(io.StringIO(kept_result(app).forecast_csv))
    assert list(every.columns[:3]) == ["store", "product", "timestamp"]
    assert every.groupby(["store", "product"]).size().nunique() == 1

    picker.set_value("south / tea").run()
    shown = state_summary(app)
    assert shown.series.values.max() > 3000, "the chart and metrics show the chosen series"
    app.switch_page("app_pages/inside.py").run()
    assert not app.exception


def kept_result(app):
    """The panel file the workspace keeps beside the current run, as a page reads it."""
    raw = state.store().panel(app.session_state[state.WORKSPACE], app.session_state[state.CURRENT])
    return result_from_bytes(raw)


def state_summary(app):
    held = app.session_state[state.SUMMARIES]
    return held[next(reversed(held))]


def train_panel(app, calendar: bool = False, holidays: str = "", vectors: int = 0):
    """From the Data page's panel to a tiny network trained on it (2 epochs, 8 units)."""
    app.switch_page("app_pages/train.py").run()
    app.checkbox(key=state.calendar_key(app.session_state[state.PANEL])).set_value(calendar)
    app.text_input(key=state.HOLIDAYS_PICK).input(holidays)
    app.number_input(key=state.EMBEDDING_PICK).set_value(vectors)
    widget(app.number_input, "Epochs").set_value(2)
    widget(app.select_slider, "Hidden size").set_value(8)
    app.button(key="train-start").click().run()
    assert not app.exception
    return app


def test_a_reload_brings_back_every_series_and_the_calendar_inputs():
    app = train_panel(as_panel(start("data")), calendar=True, holidays="us", vectors=2)
    assert not app.error
    job = app.session_state[state.JOB]
    assert job.config.series_embedding == 2
    assert "holidays:US+1" in job.config.covariates
    assert any(name.startswith("calendar:day_of_week") for name in job.config.covariates)
    settle(app)
    key, run_id = app.session_state[state.WORKSPACE], app.session_state[state.CURRENT]

    again = reopen(key, "forecast")
    picker = again.selectbox(key=f"{state.FORECAST_SERIES_PICK}-{run_id}")
    assert len(picker.options) == 3
    assert any("verdict" in frame.value.columns for frame in again.dataframe)
    picker.set_value("north / tea").run()
    shown = state_summary(again)
    assert shown.series.values.max() < 20 and shown.run.config.covariates == job.config.covariates
    labels = list(kept_result(again).views)
    assert shown.run.config.series_count == 3
    assert shown.run.series_index == labels.index("north / tea")
    again.switch_page("app_pages/inside.py").run()
    assert not again.exception
    again.switch_page("app_pages/compare.py").run()
    assert not again.exception


def test_an_unknown_holiday_country_is_refused_with_a_message():
    app = train_panel(as_panel(start("data")), holidays="XX")
    assert state.JOB not in app.session_state or app.session_state[state.JOB] is None
    assert "XX" in app.error[0].value


def test_a_column_known_ahead_is_read_for_the_forecast_and_missing_days_are_named():
    app = start("data")
    as_panel(app, sales_csv(short=False, planned=7))
    app.multiselect(key=state.column_key("known", "sales.csv")).set_value(["promo"]).run()
    assert not app.exception and not app.error
    app = trained_with_promo(app)

    app.switch_page("app_pages/data.py").run()
    as_panel(app, sales_csv(short=False, planned=3))  # the plan stops 4 days short
    app = train_panel(app)
    assert state.JOB not in app.session_state or app.session_state[state.JOB] is None
    said = app.error[0].value.replace("\\", "")
    assert "'promo' has no value for 2024-03-28, 2024-03-29, 2024-03-30, 2024-03-31" in said


def trained_with_promo(app):
    """The panel trained with 'promo' known a week ahead, to its success message."""
    app = train_panel(app)
    assert not app.error
    job = app.session_state[state.JOB]
    assert "promo+0" in job.config.covariates and "promo+7" in job.config.covariates
    settle(app)
    assert app.success[0].value.startswith("Trained LSTM panel #1")
    return app


def test_future_values_in_a_second_upload_are_read_for_the_forecast_and_kept_on_return():
    table = pd.read_csv(io.BytesIO(sales_csv(short=False, planned=7)))
    past, plan = table[table["units"].notna()], table[table["units"].isna()].drop(columns="units")
    app = as_panel(start("data"), past.to_csv(index=False).encode())
    app.multiselect(key=state.column_key("known", "sales.csv")).set_value(["promo"]).run()
    assert not app.exception and not app.error
    clash = pd.concat([past.drop(columns="units").tail(1), plan]).to_csv(index=False).encode()
    future = app.file_uploader(key=state.column_key("future", "sales.csv"))
    future.set_value(("plan.csv", clash, "text/csv")).run()
    assert not app.exception
    said = app.error[0].value.replace("\\", "")
    assert "has a row for 'south / tea' at 2024-03-24, a date the data already has" in said
    future = app.file_uploader(key=state.column_key("future", "sales.csv"))
    future.set_value(("plan.csv", plan.to_csv(index=False).encode(), "text/csv")).run()
    assert not app.exception and not app.error
    added = "Added 21 rows of future values from 'plan.csv' for 3 series, 2024-03-25 to 2024-03-31"
    assert added in reported(app)
    app = trained_with_promo(app)

    app.switch_page("app_pages/data.py").run()
    assert not app.exception and not app.error
    assert added in reported(app), "the second file is kept after a page change, as the upload"
    assert any("plan\\.csv" in caption.value for caption in app.caption)
    app.button(key=f"{state.column_key('future', 'sales.csv')}-forget").click().run()
    assert not app.exception and added not in reported(app)


def reported(app) -> str:
    """The Data page's cleaning report, as written (without Markdown escapes)."""
    report = next(element.value for element in app.markdown if element.value.startswith("- "))
    return report.replace("\\", "")
