"""Links as a visitor with bad intent would write them: refused with our own message, never a
traceback, never a job started beyond the server's limits."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forecasting.config import TrainConfig
from forecasting.limits import (
    ServerLimits,
    check_config,
    env_name,
    estimated_parameters,
    limit_names,
)
from forecasting.share import SETTINGS, ShareError, decode
from tests.abuse.apps import no_job, opened, shown
from ui import state
from ui.share import page_names
from ui.text import LANGUAGES

OVERSIZED = {
    "sample": "sunspots",
    "hidden_size": "4096",
    "num_layers": "16",
    "members": "15",
    "epochs": "100000",
    "patience": "0",
}


def test_the_oversized_link_is_refused_naming_the_setting_its_value_and_the_limit():
    app = opened(OVERSIZED)
    assert not app.exception
    [error] = app.error
    assert "hidden_size is 4,096" in shown(error)
    assert "at most 256 (FORECAST_LAB_HIDDEN_SIZE)" in shown(error)
    assert no_job(app)


def test_a_link_within_each_setting_but_over_the_weight_limit_is_refused(limits_env):
    config = TrainConfig(hidden_size=128, num_layers=2, members=3)
    limits_env(PARAMETERS=str(estimated_parameters(config) - 1))
    params = {"sample": "airline", "hidden_size": "128", "num_layers": "2", "members": "3"}
    app = opened(params)
    assert not app.exception
    assert "weights; this server allows at most" in shown(app.error[0])
    assert no_job(app)


def test_an_operator_raises_a_limit_in_one_variable(limits_env):
    params = {"sample": "airline", "epochs": "6000"}
    with pytest.raises(ShareError, match="epochs is 6,000"):
        decode(params, languages=LANGUAGES, pages=page_names(), limits=ServerLimits.from_env())
    limits_env(EPOCHS="10000")
    demo = decode(params, languages=LANGUAGES, pages=page_names(), limits=ServerLimits.from_env())
    assert demo.settings["epochs"] == 6000


def test_deeply_nested_covariates_show_a_message_not_a_recursion_traceback():
    nested = "[" * 1000 + "]" * 1000
    app = opened({"sample": "airline", "covariates": nested})
    assert not app.exception
    assert "covariates must be a list of column names" in shown(app.error[0])


def test_a_huge_value_or_too_many_keys_are_refused_before_parsing():
    with pytest.raises(ShareError, match="characters long"):
        decode({"sample": "airline", "covariates": "x" * 100_000}, languages=LANGUAGES, pages=[])
    keys = {f"k{i}": "1" for i in range(1000)}
    with pytest.raises(ShareError, match="1000 settings"):
        decode(keys, languages=LANGUAGES, pages=[])


def test_unknown_keys_and_huge_numbers_are_refused_in_the_app():
    for params in (
        {"sample": "airline", "__class__": "x"},
        {"sample": "airline", "epochs": "9" * 12},
        {"sample": "airline", "lr": "1e308"},
        {"sample": "airline", "seed": "-1"},
    ):
        app = opened(params)
        assert not app.exception, params
        assert app.error and app.error[0].value.startswith("This link cannot be opened"), params


KEYS = st.sampled_from([*SETTINGS, "sample", "signal", "page", "lang", "signal.length", "x"])
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(-(10**15), 10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.recursive(st.just("[]"), lambda inner: inner.map(lambda s: f"[{s}]"), max_leaves=40),
    st.lists(st.text(max_size=5), max_size=5).map(json.dumps),
    st.sampled_from(["airline", "sunspots", "sine", "true", "false", "forecast", "gru"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_random_links_raise_only_our_own_error(params):
    """Whatever a link holds, decoding and sizing it ends in a demo or a ShareError."""
    limits = ServerLimits()
    try:
        demo = decode(params, languages=LANGUAGES, pages=page_names(), limits=limits)
        if demo.settings:
            config = demo.config_for(144, 12, limits)
            check_config(config, limits)
    except ShareError:
        pass


def refused(params: dict[str, str]) -> bool:
    """Whether decoding the link, as the app does on a session's first run, refuses it."""
    try:
        decode(params, languages=LANGUAGES, pages=page_names(), limits=ServerLimits.from_env())
    except ShareError:
        return True
    return False


def stop_training(app) -> None:
    """Stop and wait for the training a link started, so the next example starts clean."""
    if not no_job(app):
        job = app.session_state[state.JOB]
        job.stop()
        assert job.wait(60)


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_random_links_opened_in_the_app_show_our_message_never_a_traceback(params):
    """The app itself, opened on a random link: never an exception; a link decoding refuses
    is said in an error on the page."""
    app = opened(params)
    try:
        assert not app.exception, params
        event("refused" if refused(params) else "opened")
        if refused(params):
            assert app.error, params
            assert shown(app.error[0]).startswith("This link cannot be opened"), params
    finally:
        stop_training(app)


def test_the_train_form_offers_nothing_beyond_the_server_limits(limits_env):
    limits_env(HIDDEN_SIZE="32", EPOCHS="50", MEMBERS="2", NUM_LAYERS="2")
    app = opened({"sample": "airline", "page": "train"})
    assert not app.exception
    hidden = next(s for s in app.select_slider if s.label == "Hidden size")
    assert max(hidden.options, key=float) == "32"
    epochs = next(n for n in app.number_input if n.label == "Epochs")
    assert epochs.max == 50
    layers = next(s for s in app.slider if s.label == "Layers")
    assert layers.max == 2
    members = next(s for s in app.slider if s.label == "Networks in the ensemble")
    assert members.max == 2


def test_every_server_limit_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [env_name(name) for name in limit_names() if env_name(name) not in readme]
    assert not missing, f"README.md does not document {missing}"


def test_a_limit_at_a_settings_lowest_shows_it_fixed_and_the_form_still_trains(limits_env):
    limits_env(MEMBERS="1", NUM_LAYERS="1", HIDDEN_SIZE="4")
    app = opened({"sample": "airline", "page": "train"})
    assert not app.exception
    fixed = {box.label: box for box in app.number_input if box.disabled}
    assert {"Networks in the ensemble", "Layers", "Hidden size"} <= set(fixed)
    assert fixed["Layers"].value == 1
    app.button(key="train-start").click().run()
    job = app.session_state[state.JOB]
    job.stop()
    assert job.wait(60)
    assert (job.config.members, job.config.num_layers, job.config.hidden_size) == (1, 1, 4)


def test_raising_a_limit_widens_the_train_form(limits_env):
    limits_env(EPOCHS="20000", HIDDEN_SIZE="512", MEMBERS="9")
    app = opened({"sample": "airline", "page": "train"})
    epochs = next(box for box in app.number_input if box.label == "Epochs")
    hidden = next(s for s in app.select_slider if s.label == "Hidden size")
    members = next(s for s in app.slider if s.label == "Networks in the ensemble")
    assert (epochs.max, hidden.options[-1], members.max) == (20000, "512", 9)


def test_a_misspelt_limit_stops_the_server_naming_the_known_ones():
    from forecasting.limits import LimitError

    with pytest.raises(LimitError, match="Unknown setting FORECAST_LAB_EPOCH;"):
        ServerLimits.from_env({"FORECAST_LAB_EPOCH": "10", "HOME": "/root"})


def test_the_command_line_takes_settings_beyond_the_server_limits(monkeypatch, tmp_path):
    """The CLI runs on the user's own machine: TrainConfig's ranges, not a server's limits.
    Training is cut to one small epoch here; the settings the CLI built are what is checked."""
    from forecasting import __main__ as cli
    from forecasting import train
    from forecasting.limits import LimitError
    from tests.conftest import SAMPLES

    real_fit, asked = train.fit, []

    def one_small_epoch(series, config, **options):
        asked.append(config)
        return real_fit(series, config.with_changes(epochs=1, hidden_size=4), **options)

    monkeypatch.setattr(train, "fit", one_small_epoch)  # the CLI's forecast reads it when run
    argv = ["forecast", str(SAMPLES / "airline.csv"), "--out", str(tmp_path),
            "--epochs", "6000", "--hidden-size", "512", "--members", "1"]  # fmt: skip
    assert cli.main(argv) == 0
    [config] = asked
    assert (config.epochs, config.hidden_size) == (6000, 512)
    assert json.loads((tmp_path / "metrics.json").read_text())["config"]["epochs"] == 6000
    with pytest.raises(LimitError, match="epochs is 6,000; this server allows at most 5,000"):
        check_config(config, ServerLimits.from_env())
