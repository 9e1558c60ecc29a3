"""Lesson presets: the exercises' settings, and one click from Home to each of them."""

from __future__ import annotations

import pytest

from data.catalog import load_sample
from data.synthetic import generate_with_truth, to_series
from forecasting import lessons
from forecasting.job import BatchJob, TrainingJob
from tests.test_pages import kept, start
from ui import state
from ui.text import TEXT


def series_of(lesson: lessons.Lesson):
    source = lesson.source
    if source.kind == "sample":
        return load_sample(source.key)
    return to_series(
        generate_with_truth(source.key, source.length, source.seed, **source.params), "sine", 50
    )


def differing(configs) -> set[str]:
    dicts = [config.to_dict() for config in configs]
    return {key for key in dicts[0] if len({str(each[key]) for each in dicts}) > 1}


def test_exercise_one_is_the_lessons_two_layer_lstm_on_a_thousand_point_sine():
    lesson = lessons.lesson("sine_lstm")
    assert (lesson.source.kind, lesson.source.key, lesson.source.length) == (
        "synthetic",
        "sine",
        1000,
    )
    (config,) = lesson.configs(series_of(lesson))
    assert (config.cell, config.num_layers, config.hidden_size) == ("lstm", 2, 50)
    assert (config.window, config.lr, config.epochs, config.patience) == (10, 0.001, 100, 0)
    assert (config.residual, config.linear, config.members) == ("none", False, 1)
    assert lesson.page == "train"


def test_exercise_two_compares_lstm_and_gru_on_monthly_sales_with_min_max_scaling():
    lesson = lessons.lesson("sales_lstm_gru")
    assert lesson.source.key == "shampoo"
    configs = lesson.configs(series_of(lesson))
    assert [config.cell for config in configs] == ["lstm", "gru"]
    assert {(config.scaler, config.window) for config in configs} == {("minmax", 10)}
    assert differing(configs) == {"cell"}


def test_exercise_three_crosses_hidden_size_50_and_100_with_one_and_two_layers():
    lesson = lessons.lesson("size_layers")
    configs = lesson.configs(series_of(lesson))
    sizes = {(config.hidden_size, config.num_layers) for config in configs}
    assert sizes == {(50, 1), (100, 1), (50, 2), (100, 2)}
    assert differing(configs) == {"hidden_size", "num_layers"}


def test_exercise_four_is_the_same_task_with_an_lstm_and_a_plain_rnn():
    lesson = lessons.lesson("lstm_rnn")
    configs = lesson.configs(series_of(lesson))
    assert [config.cell for config in configs] == ["lstm", "rnn"]
    assert differing(configs) == {"cell"}
    sine = lessons.lesson("sine_lstm").configs(series_of(lessons.lesson("sine_lstm")))[0]
    assert configs[0] == sine


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda lesson: lesson.key)
def test_every_lesson_has_a_title_what_it_trains_and_what_to_notice(lesson):
    for part in ("title", "about", "notice"):
        assert TEXT["en"][f"lesson.{lesson.key}.{part}"]


def test_an_unknown_lesson_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="sine_lstm"):
        lessons.lesson("nope")


def test_one_click_starts_an_exercise_on_its_data_and_opens_where_to_watch_it():
    app = start()
    app.button(key="lesson-sales_lstm_gru").click().run()
    assert not app.exception
    job = app.session_state[state.JOB]
    assert isinstance(job, BatchJob)
    assert [part.config.cell for part in job.jobs] == ["lstm", "gru"]
    assert app.session_state[state.DATASET].name == "Shampoo sales"
    assert app.title[0].value == "Compare runs"
    assert "What to notice" in app.sidebar.info[0].value
    assert job.wait(120)  # 36 months: both train in seconds
    app.run()
    assert app.subheader[0].value == "Trained together on Shampoo sales"
    sentence = next(line.value for line in app.markdown if line.value.startswith("What to notice"))
    assert "GRU has the fewest parameters and LSTM the most" in sentence


def test_exercise_one_trains_on_the_train_page_with_its_settings():
    app = start()
    app.button(key="lesson-sine_lstm").click().run()
    job = app.session_state[state.JOB]
    try:
        assert isinstance(job, TrainingJob)
        assert (job.config.hidden_size, job.config.num_layers, job.config.window) == (50, 2, 10)
        assert len(job.series) == 1000
        assert app.title[0].value == "Train"
    finally:
        job.stop()
        job.wait(120)


def test_three_clicks_reach_an_lstms_gates_and_one_more_the_lstm_gru_rnn_table():
    app = start()
    app.button(key="lesson-look_inside").click().run()  # 1: a small LSTM on a sample
    assert not app.exception
    assert app.title[0].value == "Inside the cell"
    assert app.session_state[state.DATASET].kind == "sample"
    [summary] = kept(app)
    assert not summary.run.config.linear, "the forecast is the gates' work"
    assert summary.run.best_epoch > 1, "the gates shown are those of a network that learnt"
    assert app.latex[0].body.strip("$\n").startswith("f_t =")  # the forget gate first
    assert app.get("plotly_chart"), "the gate heatmaps are drawn"
    app.button(key="inside-trio").click().run()  # 2: LSTM vs GRU vs RNN
    job = app.session_state[state.JOB]
    assert [part.config.cell for part in job.jobs] == ["lstm", "gru", "rnn"]
    assert job.wait(120)
    app.run()
    assert not app.exception
    assert app.title[0].value == "Compare runs"
    table = next(frame.value for frame in app.dataframe if "Parameters" in frame.value.columns)
    assert sorted(table["Cell"]) == ["GRU", "LSTM", "RNN"]


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda lesson: lesson.key)
def test_the_lessons_networks_read_every_step_even_of_a_long_window(lesson):
    for config in lesson.configs(series_of(lesson)):
        assert config.with_changes(window=100).pool_length == 1
