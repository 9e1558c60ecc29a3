"""Share links: the query string round trip, refused links, and opening a link in the app."""

from urllib.parse import urlencode

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data.synthetic import SIGNALS, generate
from forecasting import shared_jobs
from forecasting.config import TrainConfig, auto_config
from forecasting.limits import server_limits
from forecasting.share import (
    LANGUAGE,
    PAGE,
    SAMPLE,
    SETTINGS,
    SIGNAL,
    SIGNAL_PREFIX,
    DataSource,
    SharedDemo,
    ShareError,
    decode,
    encode,
)
from tests.test_pages import APP, kept, settle, start, widget
from ui import state
from ui.text import TEXT, t

LANGUAGES = ("en", "es", "ca")
PAGES = ("home", "data", "train", "forecast")
TINY = auto_config(144, 12, cell="gru", hidden_size=8, members=1, epochs=2)  # for airline


def read(params: dict[str, str]) -> SharedDemo:
    return decode(params, languages=LANGUAGES, pages=PAGES)


def nudged(key: str) -> dict[str, float]:
    """Every parameter of the signal one step away from its default, within its range."""
    return {
        spec.name: spec.default + spec.step
        if spec.default + spec.step <= spec.high
        else spec.default - spec.step
        for spec in SIGNALS[key].params
    }


# The query string round trip


def test_a_sample_link_reads_back_as_the_same_demo():
    source = DataSource.sample("airline")
    params = encode(source, TINY, "ca", "forecast")
    assert all(isinstance(value, str) for value in params.values())
    demo = read(params)
    assert (demo.source, demo.language, demo.page) == (source, "ca", "forecast")
    assert demo.config_for(144, 12) == TINY
    assert demo.trains and demo.opens == "forecast"


@pytest.mark.parametrize("key", sorted(SIGNALS))
def test_every_signal_reads_back_with_its_length_seed_and_parameters(key):
    source = DataSource.synthetic(key, 730, 7, nudged(key))
    demo = read(encode(source))
    assert demo.source == source
    assert dict(demo.source.params) == nudged(key)
    np.testing.assert_array_equal(
        generate(key, demo.source.length, demo.source.seed, **demo.source.params),
        generate(key, 730, 7, **nudged(key)),
    )
    assert (demo.settings, demo.language, demo.trains, demo.opens) == ({}, None, False, "data")


def test_a_link_leaves_the_machine_to_the_machine_that_opens_it():
    params = encode(DataSource.sample("nile"), TrainConfig(device="cuda", precision="mixed"))
    assert "device" not in params and "precision" not in params
    config = read(params).config_for(100)
    assert (config.device, config.precision) == ("auto", "auto")


def test_tracking_keys_added_to_a_link_are_ignored_and_typos_are_not():
    params = encode(DataSource.sample("nile"), TrainConfig(hidden_size=8), "es")
    tracked = {**params, "utm_source": "newsletter", "fbclid": "IwAR0x", "mc_eid": "1"}
    assert read(tracked) == read(params)
    with pytest.raises(ShareError, match="does not know: hiden_size"):
        read({**params, "hiden_size": "8"})


def test_a_period_longer_than_the_data_page_allows_is_refused_not_changed():
    with pytest.raises(ShareError, match="period can be at most 250 for 500 points"):
        read({"signal": "sine", "signal.length": "500", "signal.period": "400"})
    assert read({"signal": "sine", "signal.length": "500", "signal.period": "250"}).source


def test_a_signal_keeps_how_its_missing_stretch_is_filled():
    source = DataSource.synthetic("lab", 400, 1, {"gap_start": 0.5}, gaps="ffill")
    assert read(encode(source)).source.gaps == "ffill"


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(),
        TrainConfig(cell="rnn", hidden_size=50, num_layers=2, window=10, lr=0.001, epochs=100),
        TrainConfig(strategy="recursive", residual="none", window_scale=False, linear=False),
        TrainConfig(loss="huber", scaler="minmax", dropout=1 / 3, val_share=0.2, test_share=0.1),
        TrainConfig(seed=2**32 - 1, epoch_windows=4096, patience=0, grad_clip=0.25, members=7),
        TrainConfig(covariates=("promo", "price, in €")),
    ],
    ids=["defaults", "lesson", "switches", "floats", "extremes", "covariates"],
)
def test_any_config_reads_back_exactly_whatever_the_data(config):
    demo = read(encode(DataSource.sample("nile"), config))
    for points, season in [(100, 1), (144, 12), (5000, 24)]:
        assert demo.config_for(points, season) == config


def test_a_hand_written_link_takes_the_train_forms_defaults_for_what_it_leaves_out():
    demo = read({SAMPLE: "airline", "cell": "gru", "epochs": "30"})
    assert demo.config_for(144, 12) == auto_config(144, 12, cell="gru", epochs=30)


def test_no_link_parameters_ask_for_nothing_and_a_language_alone_sets_the_language():
    assert read({}) == SharedDemo()
    assert read({LANGUAGE: "es"}) == SharedDemo(language="es")


def test_the_link_keys_and_the_setting_names_never_clash():
    assert not set(SETTINGS) & {LANGUAGE, PAGE, SAMPLE, SIGNAL}
    assert not [name for name in SETTINGS if name.startswith(SIGNAL_PREFIX)]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {SAMPLE: "airline", "hidden_size": "lots"},
            "hidden_size must be a whole number; got 'lots'",
        ),
        ({SAMPLE: "airline", "hidden_size": "0"}, "hidden_size must be between 1 and 4096; got 0"),
        ({SAMPLE: "airline", "cell": "transformer"}, "cell must be one of lstm, gru, rnn"),
        ({SAMPLE: "airline", "lr": "nan"}, "lr must be a number; got 'nan'"),
        ({SAMPLE: "airline", "linear": "yes"}, "linear must be true or false; got 'yes'"),
        ({SAMPLE: "airline", "covariates": "promo"}, "covariates must be a list of column names"),
        ({SAMPLE: "airline", "hiden_size": "8"}, "does not know: hiden_size"),
        ({SAMPLE: "atlantis"}, "There is no sample 'atlantis'. The samples are: airline"),
        ({SIGNAL: "chirp"}, "There is no signal 'chirp'"),
        ({SIGNAL: "sine", "signal.period": "1"}, "'period' is 1, outside the allowed range 2"),
        ({SIGNAL: "sine", "signal.octave": "2"}, "The signal 'sine' has no parameter 'octave'"),
        (
            {SIGNAL: "ar2", "signal.phi1": "1.9"},
            "AR(2) with phi1=1.9 and phi2=-0.5 is not stationary",
        ),
        ({SIGNAL: "sine", "signal.length": "20"}, "length must be a whole number from 50 to 5000"),
        ({SIGNAL: "sine", "signal.length": "1e3"}, "signal.length must be a whole number"),
        ({SIGNAL: "sine", "signal.gaps": "bfill"}, "filled by interpolate, ffill, zero, refuse"),
        ({SIGNAL: "sine", SAMPLE: "airline"}, "names both a sample and a signal"),
        ({SAMPLE: "airline", "signal.period": "20"}, "sets signal.period but names no signal"),
        ({"epochs": "3"}, "does not say which data to use"),
        ({SAMPLE: "airline", LANGUAGE: "xx"}, "the language 'xx'; the languages are: en, es, ca"),
        ({SAMPLE: "airline", PAGE: "../secrets"}, "a page '../secrets' that does not exist"),
    ],
)
def test_a_tampered_link_is_refused_with_a_message_saying_what_is_wrong(params, words):
    with pytest.raises(ShareError) as err:
        read(params)
    assert words in str(err.value)


# Opening a link in the app


def open_link(params: dict[str, str]) -> AppTest:
    """A new session opened on the link, run until its training (if any) has ended."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params = dict(params)
    app.run()
    assert not app.exception
    job = app.session_state.get(state.JOB)
    if job is not None:
        assert job.wait(120)
        app.run()
        assert not app.exception
    return app


def test_a_shared_link_restores_data_language_and_settings_trains_and_shows_the_forecast(
    tmp_path,
):
    params = encode(DataSource.sample("airline"), TINY, "ca", "forecast")
    app = open_link(params)
    assert app.title[0].value == TEXT["ca"]["forecast.title"] != TEXT["en"]["forecast.title"]
    assert app.get("plotly_chart"), "the forecast chart is drawn"
    assert app.session_state[state.DATASET] == state.Dataset("Airline passengers", "sample")
    assert app.selectbox(key=state.LANGUAGE).value == "ca"
    [summary] = kept(app)
    assert summary.run.config == TINY
    assert app.code[0].value == f"?{urlencode(params)}", "the page offers the very same link"
    mase = summary.model_mase
    assert t("share.mase", "ca", mase=mase) in [caption.value for caption in app.caption]

    shared_jobs._SHARED = shared_jobs.SharedTrainings()  # another server: nothing to copy
    state._STORES.clear()
    server_limits.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORECAST_LAB_DATA_DIR", str(tmp_path / "another-server"))
        again = open_link(params)
        assert kept(again)[0].model_mase == mase, "same link, same numbers, trained again"
    server_limits.cache_clear()
    state._STORES.clear()

    fingerprint = app.session_state[state.SERIES].fingerprint()
    app.switch_page("app_pages/data.py").run()
    assert app.radio(key="pick.source").value == "sample"
    assert widget(app.selectbox, TEXT["ca"]["data.sample"]).value == "airline"
    assert app.session_state[state.SERIES].fingerprint() == fingerprint


def test_a_link_to_the_train_page_fills_the_form_with_a_synthetic_signal_and_its_settings():
    source = DataSource.synthetic("sine", 300, 5, {"period": 25.0, "noise": 0.3})
    config = auto_config(300, 25, cell="rnn", hidden_size=50, lr=0.0007, epochs=2, members=1)
    app = open_link(encode(source, config, "en", "train"))
    assert app.session_state.get(state.JOB) is None
    assert not kept(app)
    assert app.info[0].value.startswith("The Train form holds the shared settings")
    assert widget(app.select_slider, "Hidden size").value == 50
    assert widget(app.radio, "Cell").value == "rnn"
    app.button(key="train-start").click().run()
    settle(app)
    assert kept(app)[-1].run.config == config, "Train runs the link's settings"

    series = app.session_state[state.SERIES]
    assert (len(series), series.season_length) == (300, 25)
    app.switch_page("app_pages/data.py").run()
    assert widget(app.slider, "Length (points)").value == 300
    assert widget(app.number_input, "Seed").value == 5
    assert app.session_state[state.SERIES].fingerprint() == series.fingerprint()
    app.radio(key="pick.source").set_value("sample").run()
    app.switch_page("app_pages/train.py").run()
    assert widget(app.select_slider, "Hidden size").value == TrainConfig.hidden_size, (
        "on other data the form starts from its automatic defaults again"
    )


def test_a_tampered_link_shows_an_error_and_the_app_still_works():
    app = open_link({SAMPLE: "airline", "hidden_size": "lots"})
    assert app.error[0].value.startswith("This link cannot be opened: In this link, hidden")
    assert state.JOB not in app.session_state and state.SERIES not in app.session_state
    app.switch_page("app_pages/data.py").run()
    assert not app.exception and app.title[0].value == "Data"


def test_a_language_link_sets_the_language_and_opens_the_home_page():
    app = open_link({LANGUAGE: "es"})
    assert app.selectbox(key=state.LANGUAGE).value == "es"
    assert app.button(key="demo"), "the home page is shown"


def test_a_run_on_uploaded_data_has_no_link_and_the_page_says_why():
    app = start("data")
    app.radio(key="pick.source").set_value("upload").run()
    rows = "\n".join(f"{k}" for k in np.arange(120) % 12)
    app.file_uploader[0].set_value(("mine.csv", f"value\n{rows}".encode(), "text/csv")).run()
    app.switch_page("app_pages/train.py").run()
    widget(app.number_input, "Epochs").set_value(1)
    widget(app.select_slider, "Hidden size").set_value(4)
    app.button(key="train-start").click().run()
    settle(app)
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception and not app.code
    assert any(info.value.startswith("This run's data was uploaded") for info in app.info)
