"""Each training setting is declared once, in forecasting/config.py: a setting added there
reaches the command line, share links, the server's limits, checkpoints and the Train form."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from forecasting.config import TrainConfig, declared
from forecasting.limits import ServerLimits

ROOT = Path(__file__).resolve().parents[1]
NEW_SETTING = """    warmup: int = setting(  # epochs at a lower learning rate (this test's own)
        0,
        low=0,
        high=1000,
        limit=50,
        widget=Widget("number", ("more", 2, 3), 0),
        flag="--warmup",
        cli_help="epochs at a lower learning rate (default: 0)",
    )
"""
WORDS = """        "train.warmup": "Warm-up epochs",
        "train.warmup_help": "Epochs at a lower learning rate.",
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
    print("every surface has warmup")
""")


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
