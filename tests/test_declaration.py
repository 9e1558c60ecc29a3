"""Each training setting is declared once, in forecasting/config.py: a setting added there
reaches the command line, share links, the server's limits, checkpoints, the Train form and,
searched, the Tune page and the `tune` command. The search's own settings are declared once
too (TuneSettings in forecasting/tune.py), and every default a help text states is the declared
one."""

import argparse
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from forecasting.__main__ import build_parser
from forecasting.config import TrainConfig, declared, searched
from forecasting.limits import ServerLimits
from forecasting.tune import TuneSettings, run_settings

ROOT = Path(__file__).resolve().parents[1]
NEW_SETTING = """    warmup: int = setting(  # epochs at a lower learning rate (this test's own)
        0,
        low=0,
        high=1000,
        limit=50,
        widget=Widget("number", ("more", 2, 3), 0),
        flag="--warmup",
        cli_help="epochs at a lower learning rate (default: 0)",
        search=Search("warmup", (0, 10), low=0, high=60, label="warm-up", flag="--warmup-range"),
    )
"""
WORDS = """        "train.warmup": "Warm-up epochs",
        "train.warmup_help": "Epochs at a lower learning rate.",
"""
TUNE_WORDS = """        "tune.warmup": "Warm-up epochs to search",
        "tune.warmup_help": "Trials draw between these two.",
"""
PROBE = textwrap.dedent("""
    from streamlit.testing.v1 import AppTest

    from forecasting.__main__ import build_parser
    from forecasting.config import TrainConfig
    from forecasting.limits import ServerLimits
    from forecasting.persist import load_run, run_to_bytes
    from forecasting.share import ShareError, decode
    from forecasting.train import fit
    from data.prepare import from_array

    args = build_parser().parse_args(["forecast", "x.csv", "--warmup", "5"])
    assert args.warmup == 5, "the CLI option"

    limits = ServerLimits.from_env({"FORECAST_LAB_WARMUP": "70"})
    assert ServerLimits().most("warmup") == 50 and limits.most("warmup") == 70, "the limit"

    link = {"sample": "airline", "warmup": "60"}
    assert decode(link, languages=["en"], pages=[]).settings["warmup"] == 60, "the link"
    try:
        decode(link, languages=["en"], pages=[], limits=ServerLimits())
        raise AssertionError("a link over the limit opened")
    except ShareError as err:
        assert "warmup is 60" in str(err) and "FORECAST_LAB_WARMUP" in str(err), err

    config = TrainConfig(warmup=4, epochs=1, hidden_size=4, members=1, window=8, horizon=2)
    run = fit(from_array([float(i % 7) for i in range(60)], target="x"), config)
    assert load_run(run_to_bytes(run)).config.warmup == 4, "the checkpoint"

    app = AppTest.from_file("app.py", default_timeout=60)
    app.query_params = {"sample": "airline", "page": "train", "warmup": "7"}
    app.run()
    [box] = [box for box in app.number_input if box.label == "Warm-up epochs"]
    assert (box.value, box.max) == (7, 50), "the Train form, up to the server's limit"
    box.set_value(9)
    app.button(key="train-start").click().run()
    job = app.session_state["job"]
    job.stop()
    assert job.wait(60)
    assert job.config.warmup == 9, "the form's value trains"

    from tests.test_declaration import searched_by_the_tune_command, searched_on_the_tune_page

    searched_by_the_tune_command()
    searched_on_the_tune_page()
    print("every surface has warmup")
""")


def searched_by_the_tune_command() -> None:
    """In the probe's copy: `tune` names warmup among what it searches, takes its range, and
    its trials draw it within that range."""
    import contextlib
    import io
    import json
    import tempfile

    from forecasting.__main__ import main

    args = build_parser().parse_args(["tune", "x.csv", "--warmup-range", "2,6"])
    assert args.search_warmup == "2,6", "the tune option"
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
        main(["tune", "--help"])
    assert "learning rate, batch size and warm-up," in " ".join(shown.getvalue().split())
    storage = f"sqlite:///{tempfile.mkdtemp()}/studies.db"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        main(["tune", "data/samples/airline.csv", "--storage", storage, "--trials", "1",
              "--epochs", "1", "--warmup-range", "2,6"])  # fmt: skip
    trial, *best = printed.getvalue().splitlines()
    drawn = json.loads("\n".join(best))["config"]["warmup"]
    assert 2 <= drawn <= 6 and f"warmup={drawn}" in trial, "the tune command's trial"


def searched_on_the_tune_page() -> None:
    """In the probe's copy: the Tune page offers warmup's range, up to the server's limit, and
    a search started there draws it within the range chosen."""
    from streamlit.testing.v1 import AppTest

    from ui import state

    app = AppTest.from_file(str(Path.cwd() / "app.py"), default_timeout=60).run()
    app.switch_page("app_pages/data.py").run()
    app.switch_page("app_pages/tune.py").run()
    searched = app.slider(key="tune.warmup")
    assert (searched.value, searched.max) == ((0, 10), 50), "the Tune page, up to the limit"
    searched.set_value((3, 5))
    app.multiselect(key="tune.cells").set_value(["gru"])
    app.select_slider(key="tune.hidden").set_value((4, 8))
    app.number_input(key="tune.epochs").set_value(1)
    app.number_input(key="tune.trials").set_value(1).run()
    app.button(key="tune-start").click().run()
    job = app.session_state[state.TUNE_JOB]
    assert job.wait(120) and job.error is None, job.error
    assert 3 <= job.study.trials[0].params["warmup"] <= 5, "the page's range is searched"


def test_a_setting_declared_once_reaches_every_surface(tmp_path):
    copy = tmp_path / "lab"
    skip = shutil.ignore_patterns(".*", "__pycache__", "artifacts", "bench", "tests", "out")
    shutil.copytree(ROOT, copy, ignore=skip)
    config = copy / "forecasting" / "config.py"
    anchor = "    covariates: tuple[str, ...] = ()"
    config.write_text(config.read_text().replace(anchor, NEW_SETTING + anchor, 1))
    words = copy / "ui" / "text.py"
    anchor = '        "train.members": '
    words.write_text(words.read_text().replace(anchor, WORDS + anchor, 1))
    anchor = '        "tune.cells": '
    words.write_text(words.read_text().replace(anchor, TUNE_WORDS + anchor, 1))
    (copy / "tests").mkdir()
    shutil.copy(Path(__file__), copy / "tests" / "test_declaration.py")  # the probe's helpers
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "every surface has warmup" in probe.stdout


def test_every_declared_setting_is_a_field_with_its_own_words():
    from ui.text import TEXT

    for name, spec in declared().items():
        assert name in TrainConfig.__dataclass_fields__
        if spec.widget:
            assert f"train.{name}" in TEXT["en"] and f"train.{name}_help" in TEXT["en"], name
        if spec.limit is not None:
            assert ServerLimits().most(name) == spec.limit
            assert spec.low <= spec.limit <= spec.high, name
        if spec.flag:
            assert spec.flag.startswith("--") and spec.cli_help, name
        if spec.search:
            word = spec.search.word
            assert f"tune.{word}" in TEXT["en"] and f"tune.{word}_help" in TEXT["en"], name
    for name, spec in run_settings().items():
        assert f"tune.{spec.word}" in TEXT["en"] and f"tune.{spec.word}_help" in TEXT["en"], name
        assert spec.flag.startswith("--") and spec.cli_help, name
        for choice in spec.choices:
            assert f"tune.{spec.word}.{choice}" in TEXT["en"], (name, choice)


# Every default a help text states is the declared one

STATED = re.compile(r"\(default: ([^,;)\s]+)")


def stated_default(help_text: str) -> str | None:
    """The value a help text gives as its default: "0" of "(default: 0, none)"; None when it
    states none."""
    found = STATED.search(help_text)
    return found.group(1) if found else None


def names_the_default(stated: str, default: object, choices: tuple = ()) -> bool:
    """Whether a stated default agrees with the declared one. A default in words ("about 2.5
    seasons", "automatic") describes how it is worked out from the data: not compared."""
    if isinstance(default, bool):
        return {"on": True, "off": False}.get(stated, default) == default
    if isinstance(default, int | float):
        try:
            return float(stated) == default
        except ValueError:
            return stated.isalpha()
    return stated == default or (stated not in choices and stated.isalpha())


def subcommand(name: str) -> argparse.ArgumentParser:
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices[name]


def declared_default(command: str, action: argparse.Action) -> tuple[object, tuple]:
    """What a declared option takes when left out: the parser's default, else (None) the
    setting's own, with its choices."""
    if action.dest in run_settings() and command == "tune":
        return action.default, run_settings()[action.dest].choices
    spec = declared()[action.dest]
    default = getattr(TrainConfig, action.dest) if action.default is None else action.default
    return default, spec.choices


@pytest.mark.parametrize("command", ["forecast", "tune"])
def test_every_default_the_command_line_states_is_the_declared_one(command):
    checked = []
    for action in subcommand(command)._actions:
        known = action.dest in declared() or action.dest in run_settings()
        stated = stated_default(action.help or "")
        if not known or stated is None:
            continue
        default, choices = declared_default(command, action)
        assert names_the_default(stated, default, choices), (action.dest, stated, default)
        checked.append(action.dest)
    expected = {"forecast": {"test_share", "hidden_size"}, "tune": {"trials", "epochs", "seed"}}
    assert expected[command] <= set(checked)


def test_the_command_line_leaves_out_a_test_part_as_declared():
    args = build_parser().parse_args(["forecast", "x.csv"])
    assert args.test_share == declared()["test_share"].cli_default == 0.0
    assert TrainConfig().test_share == 0.15, "the web's own default"


def test_every_default_the_pages_state_is_the_declared_one():
    from ui.text import TEXT

    helps = [
        (TEXT["en"].get(f"train.{name}_help", ""), getattr(TrainConfig, name), spec.choices)
        for name, spec in declared().items()
    ]
    helps += [
        (TEXT["en"][f"tune.{search.word}_help"], search.default, ())
        for search in searched().values()
    ]
    helps += [
        (TEXT["en"][f"tune.{spec.word}_help"], getattr(TuneSettings, name), spec.choices)
        for name, spec in run_settings().items()
    ]
    for help_text, default, choices in helps:
        stated = stated_default(help_text)
        assert stated is None or names_the_default(stated, default, choices), help_text


def test_a_wrong_stated_default_is_seen():
    assert not names_the_default("0", 0.15)
    assert not names_the_default("gru", "lstm", ("lstm", "gru", "rnn"))
    assert not names_the_default("off", True)
    assert names_the_default("0", 0.0) and names_the_default("automatic", "last", ("last",))
