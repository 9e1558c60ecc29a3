import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import forecasting.guard as guard
from forecasting.__main__ import build_parser, main, parse_levels
from forecasting.persist import load_run
from tests.conftest import ROOT, SAMPLES

FAST = ["--epochs", "3", "--hidden-size", "8"]


def run_cli(capsys, *argv):
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_tune_commands_own_options_default_to_the_declared_search_settings():
    from forecasting.tune import TuneSettings, run_settings

    args = build_parser().parse_args(["tune", "x.csv"])
    given = {name: getattr(args, name) for name in run_settings()}
    assert TuneSettings(**given) == TuneSettings(trials=20, epochs=60, pruner="median", seed=0)
    args = build_parser().parse_args(["tune", "x.csv", "--epochs", "5", "--seed", "7"])
    assert (args.epochs, args.seed) == (5, 7), "the trials' epochs and the sampler's seed"


def test_inspect_describes_the_cleaned_series_as_json(capsys):
    code, out, err = run_cli(capsys, "inspect", SAMPLES / "airline.csv")
    assert code == 0 and err == ""
    described = json.loads(out)
    assert described == {
        "date_col": "date",
        "target": "passengers",
        "columns": ["date", "passengers"],
        "rows": 144,
        "freq": "MS",
        "start": "1949-01-01T00:00:00",
        "end": "1960-12-01T00:00:00",
        "first_value": 112.0,
        "last_value": 432.0,
        "report": described["report"],
    }
    assert "Using 'date' as the date column (detected)." in described["report"]


def test_inspect_reports_the_filled_gaps_of_co2(capsys):
    code, out, _ = run_cli(capsys, "inspect", SAMPLES / "co2.csv", "--target", "co2")
    described = json.loads(out)
    assert code == 0 and described["freq"] == "W-SAT" and described["rows"] == 2284
    assert any("59 missing values" in line for line in described["report"])


def test_inspect_without_dates_uses_row_numbers(capsys, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("value\n" + "\n".join(str(i % 7) for i in range(30)))
    described = json.loads(run_cli(capsys, "inspect", path)[1])
    assert described["date_col"] is None and described["freq"] is None
    assert (described["start"], described["end"], described["rows"]) == (0, 29, 30)


def test_forecast_writes_h_rows_at_the_future_timestamps(capsys, tmp_path):
    out_dir = tmp_path / "airline"
    code, out, err = run_cli(
        capsys, "forecast", SAMPLES / "airline.csv", "--horizon", 12, "--out", out_dir, *FAST
    )
    assert code == 0, err
    table = pd.read_csv(out_dir / "forecast.csv", parse_dates=["timestamp"])
    bounds = ["lower_80", "upper_80", "lower_95", "upper_95"]
    assert list(table.columns) == ["timestamp", "forecast", "lower", "upper", *bounds]
    assert list(table["timestamp"]) == list(pd.date_range("1961-01-01", periods=12, freq="MS"))
    assert np.isfinite(table[["forecast", *bounds]].to_numpy()).all()
    assert (table["lower_95"] <= table["lower_80"]).all()
    assert (table["lower_80"] <= table["forecast"]).all()
    assert (table["forecast"] <= table["upper_80"]).all()
    assert (table["upper_80"] <= table["upper_95"]).all()
    scores = json.loads((out_dir / "metrics.json").read_text())
    assert scores["part"] == "validation" and scores["interval_levels"] == [0.8, 0.95]
    assert set(scores["metrics"]) == {"model", "naive", "seasonal_naive", "drift"}
    assert scores["config"]["horizon"] == 12 and scores["config"]["epochs"] == 3
    assert load_run(out_dir / "model.pt").config.horizon == 12
    assert json.loads(out)["out"] == str(out_dir)


def test_every_training_setting_is_an_option(capsys, tmp_path):
    code, _, err = run_cli(
        capsys,
        "forecast",
        SAMPLES / "shampoo.csv",
        "--out",
        tmp_path,
        "--model",
        "gru",
        "--window",
        8,
        "--horizon",
        3,
        "--hidden-size",
        8,
        "--num-layers",
        2,
        "--dropout",
        0.1,
        "--epochs",
        2,
        "--batch-size",
        4,
        "--lr",
        0.01,
        "--patience",
        0,
        "--scaler",
        "minmax",
        "--strategy",
        "recursive",
        "--residual",
        "none",
        "--val-share",
        0.2,
        "--test-share",
        0.2,
        "--seed",
        3,
        "--device",
        "cpu",
        "--season",
        4,
        "--loss",
        "huber",
        "--members",
        2,
        "--no-window-scale",
        "--no-linear",
        "--precision",
        "mixed",
        "--epoch-windows",
        16,
        "--pool",
        2,
    )
    assert code == 0, err
    config = json.loads((tmp_path / "metrics.json").read_text())["config"]
    assert config == config | {
        "cell": "gru",
        "window": 8,
        "horizon": 3,
        "hidden_size": 8,
        "num_layers": 2,
        "dropout": 0.1,
        "epochs": 2,
        "batch_size": 4,
        "lr": 0.01,
        "patience": 0,
        "scaler": "minmax",
        "strategy": "recursive",
        "residual": "none",
        "val_share": 0.2,
        "test_share": 0.2,
        "seed": 3,
        "device": "cpu",
        "season_length": 4,
        "loss": "huber",
        "members": 2,
        "window_scale": False,
        "linear": False,
        "precision": "mixed",
        "epoch_windows": 16,
        "pool": 2,
    }
    assert json.loads((tmp_path / "metrics.json").read_text())["part"] == "test"
    assert len(pd.read_csv(tmp_path / "forecast.csv")) == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["inspect", "missing.csv"], "error: File not found: missing.csv."),
        (["forecast", SAMPLES / "airline.csv", "--epochs", "0"], "error: epochs must be between"),
        (["forecast", SAMPLES / "airline.csv", "--model", "cnn"], "error: argument --model"),
        (["forecast", SAMPLES / "airline.csv", "--members", "0"], "error: members must be"),
        (["forecast", SAMPLES / "airline.csv", "--pool", "-2"], "error: pool must be"),
        (
            ["forecast", SAMPLES / "airline.csv", "--bogus"],
            "error: unrecognized arguments: --bogus",
        ),
        (["inspect", SAMPLES / "airline.csv", "--target", "sales"], "The target column 'sales'"),
        (["inspect", SAMPLES / "airline.csv", "--group", "A"], "--group needs --group-col"),
        ([], "error: the following arguments are required: COMMAND"),
        (["forecast", SAMPLES / "airline.csv", "--levels", "1.5"], "--levels must be between 0"),
        (
            ["forecast", SAMPLES / "airline.csv", "--levels", "80,95"],
            "--levels must be between 0 and 1 (0.8 for an 80% interval); got 80",
        ),
        (
            ["forecast", SAMPLES / "airline.csv", "--levels", "0.8;0.95"],
            "separated by commas, e.g. --levels 0.8,0.95; got '0.8;0.95'",
        ),
        (["forecast", SAMPLES / "airline.csv", "--levels", " , "], "at least one level"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_an_image_is_refused_in_one_line(capsys, tmp_path):
    image = tmp_path / "photo.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    code, _, err = run_cli(capsys, "inspect", image)
    assert code == 2 and "not a text table" in err and err.count("\n") == 1


def test_the_module_runs_as_a_command_and_explains_itself():
    result = subprocess.run(
        [sys.executable, "-m", "forecasting", "forecast", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for option in ("--model", "--horizon", "--season", "--patience", "--out", "--device"):
        assert option in result.stdout


def test_the_date_order_and_cleaning_choices_are_options(capsys):
    ambiguous = ROOT / "tests" / "corpus" / "files" / "ambiguous_dates.csv"
    code, out, _ = run_cli(capsys, "inspect", ambiguous, "--date-order", "day")
    assert code == 0 and json.loads(out)["freq"] == "MS"
    code, out, _ = run_cli(capsys, "inspect", ambiguous)
    assert json.loads(out)["freq"] == "D"
    gaps = ROOT / "tests" / "corpus" / "files" / "gaps.csv"
    code, _, err = run_cli(capsys, "inspect", gaps, "--gaps", "refuse")
    assert code == 2 and "The series has gaps: 5 missing timestamps" in err
    code, out, _ = run_cli(
        capsys, "inspect", SAMPLES / "co2.csv", "--resample", "MS", "--resample-how", "mean"
    )
    described = json.loads(out)
    assert code == 0 and described["freq"] == "MS" and 500 < described["rows"] < 530


def test_forecast_can_backtest_the_last_periods(capsys, tmp_path):
    code, _, err = run_cli(
        capsys, "forecast", SAMPLES / "airline.csv", "--out", tmp_path, "--backtest", 2, *FAST
    )
    assert code == 0, err
    scores = json.loads((tmp_path / "metrics.json").read_text())["backtest"]
    assert scores["folds"] == 2 and set(scores["coverage"]) == {"0.8", "0.95"}
    assert all(0 <= share <= 1 for share in scores["coverage"].values())
    assert set(scores["metrics"]) == {"model", "naive", "seasonal_naive", "drift"}
    folds = pd.read_csv(tmp_path / "backtest.csv", parse_dates=["timestamp"])
    assert len(folds) == 24 and folds["timestamp"].iloc[-1] == pd.Timestamp("1960-12-01")
    assert {"lower_80", "upper_80", "lower_95", "upper_95"} <= set(folds.columns)


def test_levels_chosen_on_the_command_line_name_the_columns_and_the_coverage(capsys, tmp_path):
    code, _, err = run_cli(
        capsys,
        "forecast",
        SAMPLES / "shampoo.csv",
        "--horizon",
        3,
        "--levels",
        "0.975, 0.5",
        "--backtest",
        1,
        "--out",
        tmp_path,
        *FAST,
    )
    assert code == 0, err
    columns = list(pd.read_csv(tmp_path / "forecast.csv").columns)
    assert columns == [
        "timestamp",
        "forecast",
        "lower",
        "upper",
        "lower_50",
        "upper_50",
        "lower_97.5",
        "upper_97.5",
    ]
    scores = json.loads((tmp_path / "metrics.json").read_text())
    assert scores["interval_levels"] == [0.5, 0.975]
    assert set(scores["backtest"]["coverage"]) == {"0.5", "0.975"}


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("0.8,0.95", (0.8, 0.95)),
        (" 0.95 , 0.8 ", (0.8, 0.95)),
        ("0.9", (0.9,)),
        ("0.9,0.9,", (0.9,)),
    ],
)
def test_levels_parse_sorted_without_repeats(text, levels):
    assert parse_levels(text) == levels


@pytest.mark.parametrize("text", ["", "0", "1", "-0.5", "nan", "inf", "90%", "0.8 0.95"])
def test_levels_that_are_not_coverages_are_refused(text):
    with pytest.raises(ValueError, match="--levels"):
        parse_levels(text)


BAD_NETWORK = ("--residual", "none", "--epochs", 1, "--lr", 0.0001, "--members", 1)


def test_a_model_worse_than_its_best_baseline_is_warned_about(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "choose_blend", lambda run, series: None)  # the network alone
    code, _, err = run_cli(capsys, "forecast", SAMPLES / "airline.csv", "--out", tmp_path,
                           *BAD_NETWORK)  # fmt: skip
    assert code == 0
    verdict = json.loads((tmp_path / "metrics.json").read_text())["verdict"]
    assert verdict["outcome"] == "worse" and verdict["part"] == "validation"
    assert verdict["model_score"] > verdict["baseline_score"] and verdict["improvement"] < -0.01
    assert err.startswith("warning: on the validation part the model's MASE (")
    assert "the best baseline" in err and len(err.strip().splitlines()) == 1


def test_a_network_worse_than_a_baseline_is_blended_with_it_not_left_worse(capsys, tmp_path):
    code, _, err = run_cli(capsys, "forecast", SAMPLES / "airline.csv", "--out", tmp_path,
                           *BAD_NETWORK)  # fmt: skip
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["blend"]["baseline"] in ("seasonal_naive", "drift")
    assert metrics["blend"]["weight"] < 0.5, "mostly the baseline: the network barely trained"
    assert metrics["verdict"]["outcome"] != "worse"
    assert err.startswith("note: on the validation part") and "warning" not in err


def test_a_model_that_beats_its_best_baseline_brings_no_warning(capsys, tmp_path):
    code, _, err = run_cli(capsys, "forecast", SAMPLES / "airline.csv", "--out", tmp_path)
    assert code == 0 and err == ""
    verdict = json.loads((tmp_path / "metrics.json").read_text())["verdict"]
    assert verdict["outcome"] == "better" and verdict["model_score"] < verdict["baseline_score"]


def test_inspect_and_help_load_neither_torch_nor_optuna():
    """The CLI's start-up is part of a user's wait: a command loads what it uses."""
    import subprocess
    import sys

    probe = (
        "import contextlib, io, sys\n"
        "from forecasting.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main({argv})\n"
        "print(sorted(name for name in ('torch', 'optuna', 'sklearn') if name in sys.modules))\n"
    )
    for argv in (["inspect", str(SAMPLES / "airline.csv")], ["--help"]):
        done = subprocess.run([sys.executable, "-c", probe.format(argv=argv)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)  # fmt: skip
        assert done.stdout.strip() == "[]", (argv, done.stdout, done.stderr)
    forecast_help = subprocess.run(
        [sys.executable, "-m", "forecasting", "forecast", "--help"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "--hidden-size" in forecast_help.stdout, "a command's own options are all there"
