"""The command line: `python -m forecasting inspect FILE`, `... forecast FILE`, `... tune FILE`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from data.calendar import Ahead, calendar_by_default, with_ahead
from data.errors import DataError
from data.export import json_value, safe_csv
from data.future_rows import with_future_rows
from data.load import read_table_with_notes
from data.panel import Panel, read_known, read_long, read_wide
from data.prepare import (
    AGGREGATE_CHOICES,
    DUPLICATE_CHOICES,
    GAP_CHOICES,
    RESAMPLE_CHOICES,
    CleaningOptions,
    prepare,
)
from data.series import Series
from forecasting.config import (
    TrainConfig,
    auto_config,
    cli_defaults,
    declared,
    searched,
)

if TYPE_CHECKING:  # the rest loads with the command that needs it: `inspect` needs no torch
    import optuna
    import pandas as pd

    from forecasting.evaluate import Evaluation
    from forecasting.train import Blend, Run
    from forecasting.tune import SearchSpace, TrialRow
    from forecasting.verdict import Verdict

SHOWN_LABELS = 20  # series labels inspect lists
COMMANDS = ("inspect", "forecast", "tune")
# Errors a user's input causes, by module: those of modules not loaded cannot have been raised
USER_ERRORS = {
    "data.errors": "DataError",
    "forecasting.config": "ConfigError",
    "models.checkpoint": "CheckpointError",
    "forecasting.train": "TrainingError",
    "forecasting.tune": "TuneError",
}
PART_NOTES = {
    "validation": "Scores are on the validation part, which also chose the epoch kept (early "
    "stopping), so they flatter the model a little; --test-share keeps a test part apart.",
    "test": "Scores are on the test part, which training never saw.",
}
EXAMPLES = """examples:
  python -m forecasting inspect sales.csv
  python -m forecasting forecast data/samples/airline.csv --horizon 12 --out /tmp/airline
  python -m forecasting forecast sales.csv --target units --model gru --epochs 100
  python -m forecasting forecast sales.csv --target units --group-col store,product
  python -m forecasting tune data/samples/airline.csv --study airline --trials 20
"""


class Parser(argparse.ArgumentParser):
    """Reports a bad option in one line on stderr and exits with code 2."""

    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    sys.exit(2)


def user_errors() -> tuple[type[Exception], ...]:
    """The USER_ERRORS of the modules this command loaded."""
    loaded = (sys.modules.get(module) for module in USER_ERRORS)
    return tuple(getattr(module, USER_ERRORS[module.__name__]) for module in loaded if module)


def build_parser(only: str | None = None) -> Parser:
    """The command line with every command's options, or, given `only` (a command's name, or
    "" for none), the options of that command alone: building those of `forecast` and `tune`
    loads torch and Optuna, which `inspect` and `--help` do without."""
    parser = Parser(
        prog="python -m forecasting",
        description="Forecast a time series from a CSV or Excel file with an LSTM, GRU or RNN.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    inspect = commands.add_parser(
        "inspect", help="describe the series that would be trained on, as JSON"
    )
    _data_options(inspect)
    forecast = commands.add_parser(
        "forecast",
        help="train on the whole file and forecast the steps after its end",
        description="Train a model on FILE (keeping a validation part for early stopping), "
        "forecast the HORIZON steps after the last timestamp, and write forecast.csv, "
        "metrics.json and model.pt to --out. Every setting has an automatic default.",
    )
    _data_options(forecast)
    if only in (None, "forecast"):
        _train_options(forecast)
    tune = commands.add_parser(
        "tune",
        help="search the settings with Optuna; prints each trial and the best as JSON",
        description=f"Run --trials trials of an Optuna search over {searched_words()}, scored "
        "by validation MASE, in study --study of --storage. Run again to continue the study; run "
        "on several machines with one postgresql:// storage to share it.",
    )
    _data_options(tune)
    if only in (None, "tune"):
        _tune_options(tune)
    return parser


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a CSV or .xlsx file with one row per time step")
    parser.add_argument("--date-col", help="column with the dates (default: detected)")
    parser.add_argument("--target", help="column to forecast (default: first numeric column)")
    parser.add_argument(
        "--group-col",
        help="column(s) naming the series in a long file, e.g. store,product: every series is "
        "forecast by one network (unless --group or --aggregate asks for one series)",
    )
    parser.add_argument("--group", help="use only this series of --group-col (one column)")
    parser.add_argument(
        "--wide",
        action="store_true",
        help="a wide file: every column but the dates is a series, all forecast by one network",
    )
    parser.add_argument(
        "--aggregate",
        choices=AGGREGATE_CHOICES,
        help="combine the series of --group-col into one, by sum or mean",
    )
    parser.add_argument(
        "--date-order",
        choices=["auto", "day", "month"],
        default="auto",
        help="dates like 03/04/2024: day or month first (default: decided from the data)",
    )
    parser.add_argument(
        "--duplicates",
        choices=DUPLICATE_CHOICES,
        default="mean",
        help="what to do with repeated timestamps (default: mean)",
    )
    parser.add_argument(
        "--gaps",
        choices=GAP_CHOICES,
        default="interpolate",
        help="how to fill missing timestamps and values (default: interpolate)",
    )
    parser.add_argument(
        "--zone",
        metavar="NAME",
        help="an IANA time zone (America/New_York) to give every timestamp in: times written "
        "with offsets are converted, times without are read as its clock (default: the file's)",
    )
    parser.add_argument(
        "--resample",
        metavar="FREQ",
        help="a coarser frequency to resample to, e.g. W, MS, QS (default: none)",
    )
    parser.add_argument(
        "--resample-how",
        choices=RESAMPLE_CHOICES,
        default="sum",
        help="how values are combined when resampling (default: sum)",
    )


def setting_options(parser: argparse.ArgumentParser, names: Iterable[str]) -> None:
    """An option for each of these declared TrainConfig settings (forecasting/config.py), with
    the setting's own name as its destination; left out, the setting takes its declared
    command-line default, else its automatic one."""
    settings = declared()
    for name in names:
        spec = settings[name]
        kind = type(getattr(TrainConfig, name))
        if kind is bool:
            typed = {"action": argparse.BooleanOptionalAction}
        elif spec.choices:
            typed = {"choices": sorted(spec.choices) if name == "cell" else spec.choices}
        else:
            typed = {"type": kind, "metavar": metavar(spec.flag)}
        parser.add_argument(
            spec.flag, dest=name, default=spec.cli_default, help=spec.cli_help, **typed
        )


def metavar(flag: str) -> str:
    """--hidden-size -> HIDDEN_SIZE"""
    return flag.lstrip("-").upper().replace("-", "_")


def _train_options(parser: argparse.ArgumentParser) -> None:
    from forecasting.predict import DEFAULT_LEVELS

    setting_options(parser, TRAIN_OPTIONS)
    add = parser.add_argument
    add(
        "--levels",
        default=",".join(f"{level:g}" for level in DEFAULT_LEVELS),
        help="interval coverages, comma-separated (default: 0.8,0.95 for 80%% and 95%%)",
    )
    add("--out", type=Path, default=Path("out"), help="folder for the results (default: out)")
    add(
        "--calendar",
        action=argparse.BooleanOptionalAction,
        help="read where each step falls in the day, week and year (cyclic inputs) beside the "
        "target; needs dates (default: on for a panel of daily or weekly data, else off)",
    )
    add(
        "--holidays",
        metavar="CODE",
        help="read the public holidays of the coming steps, for a country or country and "
        "region: US, DE, US-CA (from the holidays package); needs dates",
    )
    add(
        "--known-ahead",
        metavar="COLUMNS",
        help="columns known in advance, comma-separated (promo,price): each is read at every "
        "step and at the --horizon steps after it, the last from rows past the data's end",
    )
    add(
        "--future",
        type=Path,
        metavar="FILE",
        help="a CSV or .xlsx file of the --known-ahead columns' future values: the id columns, "
        "the date column and those columns (the value to forecast absent or empty) for dates "
        "after the data; its rows are added to FILE's",
    )
    add(
        "--backtest",
        type=int,
        default=0,
        metavar="K",
        help="also refit at each of the last K horizons and score those forecasts (default: 0)",
    )


def _tune_options(parser: argparse.ArgumentParser) -> None:
    from forecasting.tune import DEFAULT_STORAGE

    setting_options(parser, TASK_OPTIONS)
    add = parser.add_argument
    add("--study", help="study name (default: the file's name and the target)")
    add(
        "--storage",
        default=DEFAULT_STORAGE,
        help=f"SQLAlchemy URL of the database keeping the study (default: {DEFAULT_STORAGE}); "
        "postgresql://user:password@host/database shares it between machines",
    )
    run_options(parser)
    search_options(parser)


def run_options(parser: argparse.ArgumentParser) -> None:
    """An option for each setting of the search itself (TuneSettings in forecasting/tune.py),
    with the field's name as its destination and its declared default."""
    from forecasting.tune import TuneSettings, run_kind, run_settings

    for name, spec in run_settings().items():
        if spec.choices:
            typed: dict[str, Any] = {"choices": spec.choices}
        else:
            typed = {"type": run_kind(name), "metavar": metavar(spec.flag)}
        default = getattr(TuneSettings, name)
        parser.add_argument(spec.flag, dest=name, default=default, help=spec.cli_help, **typed)


def search_options(parser: argparse.ArgumentParser) -> None:
    """An option for each searched setting declared with a `tune` flag (--cells): its choices,
    or its range as LOW,HIGH; left out, the study's own, or the declared default."""
    for name, search in searched().items():
        if not search.flag:
            continue
        label = search.label_of(name)
        what = f"{label}s to search" if search.choices else f"the {label} range to search, LOW,HIGH"
        default = ",".join(map(str, search.default))
        parser.add_argument(
            search.flag,
            dest=f"search_{name}",
            metavar=metavar(search.flag),
            help=f"{what}, comma-separated (default: the study's, or {default} for a new one)",
        )


def searched_words() -> str:
    """The searched settings in words: "cell, hidden size, ... and batch size"."""
    labels = [search.label_of(name) for name, search in searched().items()]
    return ", ".join(labels[:-1]) + f" and {labels[-1]}" if len(labels) > 1 else labels[0]


TRAIN_OPTIONS = tuple(name for name, spec in declared().items() if spec.flag)
TASK_OPTIONS = ("horizon", "season_length")  # what a search forecasts, for `tune`


def cleaning_options(args: argparse.Namespace, group_col: str | None) -> CleaningOptions:
    return CleaningOptions(
        duplicates=args.duplicates,
        gaps=args.gaps,
        resample=args.resample,
        resample_how=args.resample_how,
        group_col=group_col,
        group=args.group,
        aggregate=args.aggregate or "sum",
        dayfirst={"auto": None, "day": True, "month": False}[args.date_order],
        zone=args.zone,
    )


def id_columns(args: argparse.Namespace) -> list[str]:
    """The columns of --group-col, split at commas."""
    return [name.strip() for name in (args.group_col or "").split(",") if name.strip()]


def is_panel(args: argparse.Namespace) -> bool:
    """Every series of --group-col (neither --group nor --aggregate given), or of a --wide
    file: one network."""
    grouped = bool(id_columns(args)) and args.group is None and args.aggregate is None
    return grouped or bool(getattr(args, "wide", False))


def load_series(
    args: argparse.Namespace, known: Sequence[str] = ()
) -> tuple[Series, dict[str, Series]]:
    """The series, and each column of `known` read as a series over its whole span."""
    columns = id_columns(args)
    if len(columns) > 1:
        fail("--group and --aggregate take one --group-col column; without them, several "
             "columns name the series of a panel")  # fmt: skip
    table, notes = read_table_with_notes(args.file)
    options = cleaning_options(args, columns[0] if columns else None)
    table, notes = with_future(args, table, notes, columns, known)
    series = prepare(
        table, date_col=args.date_col, target=args.target, options=options, read_notes=notes
    )
    planned = replace(options, gaps="refuse")  # a planned value is never made up
    read = {}
    for name in known:
        try:
            read[name] = prepare(table, date_col=series.date_col, target=name, options=planned)
        except DataError as err:
            raise DataError(f"The known-ahead column '{name}': {err}") from err
    return series, read


def load_panel(
    args: argparse.Namespace, known: Sequence[str] = ()
) -> tuple[Panel, dict[str, Panel]]:
    """The panel, and each column of `known` read as a panel of its own."""
    table, notes = read_table_with_notes(args.file)
    options = cleaning_options(args, None)
    if getattr(args, "wide", False):
        if known or args.group_col:
            fail("--wide reads every column as a series: it takes no --group-col or --known-ahead")
        return read_wide(table, None, args.date_col, options=options, read_notes=notes), {}
    table, notes = with_future(args, table, notes, id_columns(args), known)
    panel = read_long(table, id_columns(args), args.date_col, args.target, options=options,
                      read_notes=notes)  # fmt: skip
    return panel, read_known(table, id_columns(args), panel, known, options)


def with_future(
    args: argparse.Namespace,
    table: pd.DataFrame,
    notes: list[str],
    id_cols: Sequence[str],
    known: Sequence[str],
) -> tuple[pd.DataFrame, list[str]]:
    """The table with the rows of --future added (read as FILE is), and its notes saying so."""
    future = getattr(args, "future", None)
    if future is None:
        return table, notes
    rows, _ = read_table_with_notes(future)
    dayfirst = cleaning_options(args, None).dayfirst
    table, note = with_future_rows(table, rows, id_cols, args.date_col, args.target, known,
                                   name=future.name, dayfirst=dayfirst)  # fmt: skip
    return table, [*notes, note]


def asked_ahead(args: argparse.Namespace, panel: Panel | None = None) -> Ahead:
    """The inputs known ahead asked for; a panel of daily or weekly data reads the calendar
    unless --no-calendar says not to."""
    columns = tuple(name.strip() for name in (args.known_ahead or "").split(",") if name.strip())
    calendar = args.calendar
    if calendar is None:
        calendar = panel is not None and calendar_by_default(next(iter(panel.series.values())))
    return Ahead(calendar, args.holidays, columns)


def inspect_panel(args: argparse.Namespace) -> dict[str, Any]:
    panel, _ = load_panel(args)
    lengths = {label: len(one) for label, one in panel.series.items()}
    return {
        "id_cols": list(panel.id_cols),
        "series": len(panel),
        "lengths": {"min": min(lengths.values()), "max": max(lengths.values())},
        "labels": panel.labels[:SHOWN_LABELS],
        "left_out": panel.left_out,
        "report": list(panel.report),
    }


def inspect(args: argparse.Namespace) -> dict[str, Any]:
    if is_panel(args):
        return inspect_panel(args)
    series, _ = load_series(args)
    dated = series.date_col is not None
    return {
        "date_col": series.date_col,
        "target": series.target,
        "columns": list(series.columns),
        "rows": len(series),
        "freq": series.freq,
        "start": series.index[0].isoformat() if dated else 0,
        "end": series.index[-1].isoformat() if dated else len(series) - 1,
        "first_value": float(series.values[0]),
        "last_value": float(series.values[-1]),
        "report": list(series.report),
    }


def series_and_config(
    args: argparse.Namespace, given: dict[str, Any]
) -> tuple[Series, TrainConfig]:
    """The series with the inputs known ahead that were asked for, and the settings for it."""
    ahead = asked_ahead(args)
    series, known = load_series(args, ahead.columns)
    config = auto_config(len(series), **{"season_length": series.season_length, **given})
    series, names = with_ahead(series, config.horizon, ahead, known)
    if names:
        given = {**given, "covariates": names}
        config = auto_config(len(series), **{"season_length": series.season_length, **given})
    return series, config


def forecast(args: argparse.Namespace) -> dict[str, Any]:
    from forecasting.evaluate import evaluate
    from forecasting.panel_forecast import forecast_panel
    from forecasting.persist import save_run
    from forecasting.predict import future
    from forecasting.train import fit

    given = {name: getattr(args, name) for name in TRAIN_OPTIONS if getattr(args, name) is not None}
    if is_panel(args):
        if args.backtest:
            fail("--backtest works on one series: add --group or --aggregate")
        panel, known = load_panel(args, asked_ahead(args).columns)
        return forecast_panel(panel, given, args.levels, args.out, asked_ahead(args, panel), known)
    series, config = series_and_config(args, given)
    run = fit(series, config)
    coming = future(run, series, args.levels)
    part = "test" if config.test_share > 0 else "val"
    scores = evaluate(run, series, part)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "forecast.csv").write_text(safe_csv(coming.to_frame()))
    save_run(run, args.out / "model.pt")
    report = {
        "part": scores.part,
        "windows": scores.windows,
        "metrics": scores.table,
        "notes": [*scores.notes, PART_NOTES[scores.part]],
        "interval_levels": list(coming.levels),
        "best_epoch": run.best_epoch,
        "stop_reason": run.stop_reason,
        "fit_seconds": round(run.seconds, 3),
        "device": run.device,
        "config": config.to_dict(),
        "data": {
            "file": str(args.file),
            "target": series.target,
            "rows": len(series),
            "freq": series.freq,
            "report": list(series.report),
        },
    }
    if args.backtest:
        report["backtest"] = backtested(series, config, args)
    report |= judged(scores, run)
    (args.out / "metrics.json").write_text(json.dumps(report, indent=2, default=json_value))
    return {
        "out": str(args.out),
        "horizon": config.horizon,
        "model": config.cell,
        "mase": scores.table["model"]["MASE"],
        "part": scores.part,
    }


def backtested(series: Series, config: TrainConfig, args: argparse.Namespace) -> dict[str, Any]:
    """The backtest --backtest asks for, written to backtest.csv; its scores for metrics.json."""
    from forecasting.backtest import backtest, fold_frame

    result = backtest(series, config, args.backtest, args.levels)
    (args.out / "backtest.csv").write_text(safe_csv(fold_frame(result, series)))
    return {
        "folds": args.backtest,
        "metrics": result.table,
        "coverage": {f"{level:g}": share for level, share in result.coverage.items()},
    }


def judged(scores: Evaluation, run: Run) -> dict[str, Any]:
    """The verdict and the blend for metrics.json, each said on stderr when it matters."""
    from forecasting.verdict import WORSE, judge

    result = judge(scores)
    if run.blend is not None:
        say_blend(run.blend, run.config.cell)
    if result.outcome == WORSE:
        warn_worse(result)
    return {
        "verdict": result.to_dict(),
        "blend": None if run.blend is None else asdict(run.blend),
    }


def tune(args: argparse.Namespace) -> dict[str, Any]:
    """Run this worker's trials on the study, one line per trial, and describe the best."""
    from forecasting.tune import (
        TuneSettings,
        best_config,
        open_study,
        run_search,
        run_settings,
        trial_rows,
    )

    settings = TuneSettings(**{name: getattr(args, name) for name in run_settings()})
    series, _ = load_series(args)
    name = args.study or f"{args.file.stem}-{series.target}"
    study = open_study(name, args.storage, settings.seed, settings.pruner)
    space = tune_space(study, args)
    run_search(series, tune_base(study, series, args), space, settings, study, on_trial=print_trial)
    config = best_config(study)
    best = study.best_trial
    states = [row.state for row in trial_rows(study)]
    return {
        "study": name,
        "trials": {state: states.count(state) for state in sorted(set(states))},
        "best_trial": best.number,
        "metric": best.user_attrs.get("metric", "MASE"),
        "best_value": best.value,
        "config": config.to_dict(),
    }


def tune_space(study: optuna.Study, args: argparse.Namespace) -> SearchSpace:
    """The study's own search space when it has one, else the default space, with the choices
    and ranges given as options (--cells) instead of theirs."""
    from forecasting.tune import SearchSpace, stored_space

    given = {}
    for name, search in searched().items():
        raw = getattr(args, f"search_{name}", None)
        if raw is not None:
            given[search.field_name(name)] = search_values(name, search.flag, raw)
    stored = stored_space(study)
    return replace(stored, **given) if stored else SearchSpace(**given)


def search_values(name: str, flag: str, raw: str) -> tuple:
    """'lstm,gru' -> ('lstm', 'gru'); '8,128' -> (8, 128) for a whole-number setting."""
    kind = type(getattr(TrainConfig, name))
    pieces = [piece.strip() for piece in raw.split(",") if piece.strip()]
    try:
        return tuple(kind(piece) for piece in pieces)
    except ValueError:
        fail(f"{flag} takes values of {name} separated by commas; got {raw!r}")


def tune_base(study: optuna.Study, series: Series, args: argparse.Namespace) -> TrainConfig:
    """The study's own base when it has one (a resumed study keeps its task), else automatic
    settings on the whole file with the command line's defaults (no test part); --horizon and
    --season, when given, must agree with it."""
    from forecasting.tune import stored_base

    given = {name: getattr(args, name) for name in TASK_OPTIONS}
    given = {name: value for name, value in given.items() if value is not None}
    base = stored_base(study)
    if base is not None:
        return base.with_changes(**given)
    season = given.pop("season_length", series.season_length)
    return auto_config(len(series), season, **{**cli_defaults(), **given})


def print_trial(row: TrialRow) -> None:
    score = "" if row.value is None else f" value {row.value:.4g}"
    took = "" if row.seconds is None else f" in {row.seconds:.1f} s"
    params = " ".join(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}"
                      for key, value in row.params.items())  # fmt: skip
    print(f"trial {row.number} {row.state}{score}{took}: {params}", flush=True)


def parse_levels(text: str) -> tuple[float, ...]:
    """'0.8,0.95' -> (0.8, 0.95); ValueError with a message for the command line otherwise."""
    pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
    if not pieces:
        raise ValueError("--levels needs at least one level, e.g. --levels 0.8,0.95")
    levels = []
    for piece in pieces:
        try:
            level = float(piece)
        except ValueError:
            raise ValueError(
                f"--levels takes numbers between 0 and 1 separated by commas, "
                f"e.g. --levels 0.8,0.95; got {piece!r}"
            ) from None
        if not 0 < level < 1:
            raise ValueError(
                f"--levels must be between 0 and 1 (0.8 for an 80% interval); got {piece}"
            )
        levels.append(level)
    return tuple(sorted(set(levels)))


def say_blend(blend: Blend, cell: str) -> None:
    """One line on stderr: a baseline beat the network, so the forecast blends the two."""
    baseline = blend.baseline.replace("_", " ")
    print(
        f"note: on the validation part {baseline} beat the {cell.upper()}, so the forecast "
        f"blends them: {blend.weight:.0%} {cell.upper()}, {1 - blend.weight:.0%} {baseline} "
        f"(validation MAE {blend.model_error:.3g} alone, {blend.blended_error:.3g} blended)",
        file=sys.stderr,
    )


def warn_worse(result: Verdict) -> None:
    """One line on stderr: the model scores worse than its best baseline."""
    baseline = result.baseline.replace("_", " ")
    print(
        f"warning: on the {result.part} part the model's {result.metric} "
        f"({result.model_score:.3g}) is {-result.improvement:.0%} worse than {baseline}'s "
        f"({result.baseline_score:.3g}), the best baseline; prefer the baseline, or try another "
        "window or more data",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in COMMANDS else ""
    args = build_parser(command).parse_args(argv)
    if args.group is not None and args.group_col is None:
        fail("--group needs --group-col, the column that names the groups")
    if args.aggregate is not None and args.group_col is None:
        fail("--aggregate needs --group-col, the column that names the groups")
    if getattr(args, "series_embedding", None) and not is_panel(args):
        fail("--series-embedding tells a panel's series apart: it needs --group-col without "
             "--group or --aggregate, or --wide")  # fmt: skip
    if args.command == "tune" and is_panel(args):
        fail("tune searches one series: add --group or --aggregate to --group-col")
    if getattr(args, "future", None) is not None and not asked_ahead(args).columns:
        fail("--future gives the future values of columns known ahead: name them with "
             "--known-ahead")  # fmt: skip
    if args.command == "forecast" and args.backtest < 0:
        fail(f"--backtest must be 0 or more; got {args.backtest}")
    if args.command == "forecast":
        try:
            args.levels = parse_levels(args.levels)
        except ValueError as err:
            fail(str(err))
    commands = {"inspect": inspect, "forecast": forecast, "tune": tune}
    try:
        result = commands[args.command](args)
    except Exception as err:
        if not isinstance(err, user_errors()):
            raise
        fail(str(err))
    print(json.dumps(result, indent=2, default=json_value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
