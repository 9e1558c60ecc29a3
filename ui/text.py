"""Every user-facing string of the app, by key and language."""

from __future__ import annotations

import re

LANGUAGES = {"en": "English"}
DEFAULT_LANGUAGE = "en"

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "app.title": "Forecast Lab",
        "nav.home": "Home",
        "nav.data": "Data",
        "nav.train": "Train",
        "nav.forecast": "Forecast",
        "sidebar.device": "Device: **{device}**",
        "sidebar.data": "Data: **{name}** ({points} points)",
        "sidebar.no_data": "Data: none yet",
        "sidebar.run": "Run: **{name}**",
        "sidebar.no_run": "Run: none yet",
        "home.lead": (
            "Train LSTM, GRU and plain RNN forecasters on your own time series.  \n"
            "Compare them with simple baselines, see the forecast over your data, "
            "with an honest interval.  \n"
            "Upload a CSV or Excel file, pick a bundled sample, or make a synthetic signal."
        ),
        "home.demo": "Try it: forecast airline passengers",
        "home.demo_help": "Loads a bundled sample, trains a small GRU in seconds, shows the forecast.",
        "home.demo_running": "Training a small GRU on monthly airline passengers...",
        "home.start": "Or start with your own data on the **Data** page.",
        "need.series": "No data yet: pick a sample, a synthetic signal or upload a file on the Data page.",
        "need.run": "No trained model yet: train one on the Train page.",
        "data.title": "Data",
        "data.source": "Where does the series come from?",
        "data.source.sample": "Bundled sample",
        "data.source.synthetic": "Synthetic signal",
        "data.source.upload": "Upload a file",
        "data.sample": "Sample",
        "data.sample_source": "Source: {source}. Distributed with {package}.",
        "data.signal": "Signal",
        "data.length": "Length (points)",
        "data.length_help": "How many time steps the signal has.",
        "data.seed": "Seed",
        "data.seed_help": "The same seed gives the same noise, so a demo can be repeated.",
        "data.upload": "CSV or Excel file",
        "data.upload_help": "One row per time step; a date column is optional.",
        "data.upload_prompt": "Upload a CSV or .xlsx file to begin.",
        "data.date_col": "Date column",
        "data.date_col_help": "The column with the time of each row; none uses the row number.",
        "data.no_date": "(none: use the row number)",
        "data.target": "Value to forecast",
        "data.target_help": "The numeric column the model learns to forecast.",
        "data.covariates": "Extra inputs (covariates)",
        "data.covariates_help": (
            "Other numeric columns the model also reads in each window (their past only)."
        ),
        "data.chart_title": "{target}",
        "data.stats": "Summary",
        "data.report": "What was done to the data",
        "data.report_none": "Nothing needed changing.",
        "clean.title": "Cleaning choices",
        "clean.group_found": "'{column}' names {count} separate series.",
        "clean.group": "Series",
        "clean.group_help": "Forecast one of them, or all of them combined (—).",
        "clean.aggregate": "Combine the series by",
        "clean.date_order": "The dates read as",
        "clean.date_order.auto": "decide from the data",
        "clean.date_order_help": "For dates like 03/04/2024: month first (US) or day first (most of Europe).",
        "clean.date_order.month": "month/day",
        "clean.date_order.day": "day/month",
        "clean.duplicates": "Repeated timestamps",
        "clean.duplicates_help": "What to do when a timestamp appears in more than one row.",
        "clean.duplicates.mean": "average them",
        "clean.duplicates.sum": "add them up",
        "clean.duplicates.first": "keep the first",
        "clean.duplicates.last": "keep the last",
        "clean.duplicates.refuse": "refuse the file",
        "clean.gaps": "Gaps",
        "clean.gaps_help": "Missing timestamps and missing values inside the series.",
        "clean.gaps.interpolate": "interpolate",
        "clean.gaps.ffill": "repeat the last value",
        "clean.gaps.zero": "fill with zero",
        "clean.gaps.refuse": "refuse the file",
        "clean.resample": "Resample to",
        "clean.resample_help": "Add up (or average) the values of each coarser period, e.g. daily sales to weekly.",
        "clean.resample.none": "keep as it is",
        "clean.resample.W": "weeks",
        "clean.resample.MS": "months",
        "clean.resample.QS": "quarters",
        "clean.resample.YS": "years",
        "clean.resample_how": "Combine by",
        "stats.points": "Points",
        "stats.start": "Start",
        "stats.end": "End",
        "stats.freq": "Frequency",
        "stats.mean": "Mean",
        "stats.std": "Std. dev.",
        "stats.min": "Min",
        "stats.max": "Max",
        "stats.rows": "row numbers",
        "train.title": "Train",
        "train.data": "Training on **{name}**: {points} points, season of {season} steps.",
        "train.form": "Settings",
        "train.cell": "Cell",
        "train.cell_help": (
            "LSTM and GRU have gates that decide what to remember; "
            "the plain RNN has none and forgets fast."
        ),
        "train.hidden_size": "Hidden size",
        "train.hidden_size_help": "Units in each recurrent layer: more can learn more, and is slower.",
        "train.num_layers": "Layers",
        "train.num_layers_help": "Recurrent layers stacked on each other.",
        "train.dropout": "Dropout",
        "train.dropout_help": "Share of units switched off at random between layers, against overfitting.",
        "train.window": "Window",
        "train.window_help": "How many past steps the model reads to make one forecast.",
        "train.horizon": "Horizon",
        "train.horizon_help": "How many steps ahead the model forecasts.",
        "train.epochs": "Epochs",
        "train.epochs_help": "Most passes over the training data (over a random sample of it on long series); early stopping may end sooner.",
        "train.batch_size": "Batch size",
        "train.batch_size_help": "Windows per update of the weights.",
        "train.lr": "Learning rate",
        "train.lr_help": "Step size of the optimizer (Adam): too high diverges, too low crawls.",
        "train.patience": "Patience",
        "train.patience_help": (
            "Stop after this many epochs in which the validation loss fell by less than 0.5% "
            "(the best weights are kept); 0 never stops early."
        ),
        "train.scaler": "Scaling",
        "train.scaler_help": "Values are scaled with statistics of the training part only.",
        "train.val_share": "Validation share",
        "train.val_share_help": "End part used to stop early and to size the interval.",
        "train.test_share": "Test share",
        "train.test_share_help": "Last part kept hidden until the end, to score the model honestly.",
        "train.members": "Networks in the ensemble",
        "train.members_help": "Several networks start from different weights and train side by side; the forecast is their median, steadier than any one of them. Each one adds its training time.",
        "train.loss": "Loss",
        "train.loss_help": "What training minimises: mean absolute error (MAE, robust to outliers, what MASE scores), mean squared error (MSE), or Huber (between the two).",
        "train.window_scale": "Scale each window by itself",
        "train.window_scale_help": "Divides each input window by its own typical step, so the network sees windows at any level and amplitude alike. Better on trending or growing series; with extra inputs, usually off. It applies when the network corrects a baseline.",
        "train.linear": "Linear shortcut",
        "train.linear_help": "Adds a linear map of the input window to the network's correction, so past seasons and the last value can be weighed directly (LSTNet's autoregressive part). It starts at zero and is trained with the network. It applies when the network corrects a baseline.",
        "train.epoch_windows": "Windows per epoch",
        "train.epoch_windows_help": "How many training windows, drawn at random, one epoch trains on; 0 trains on all of them every epoch.",
        "train.sampled": "This series has {windows:,} training windows: each epoch trains on {sample:,} of them, drawn at random, so an epoch takes the same time however long the series is. Change it under More settings (0: all of them).",
        "train.seed": "Seed",
        "train.seed_help": "The same seed gives the same model.",
        "train.device": "Device",
        "train.device_help": "auto uses CUDA, then Apple MPS, then the CPU.",
        "train.advanced": "More settings",
        "train.covariates": "Extra inputs",
        "train.covariates_help": "Columns chosen on the Data page that the model reads beside the value.",
        "train.start": "Train",
        "train.stop": "Stop",
        "train.stop_help": "Ends training after the current epoch and keeps the best model so far.",
        "train.stopping": "Stopping after this epoch...",
        "train.progress": "Epoch {epoch} of {epochs}",
        "train.progress_eta": "Epoch {epoch} of {epochs} · at most {left} left",
        "train.starting": "Starting...",
        "train.loss_title": "Loss (on scaled values)",
        "train.loss.train": "training",
        "train.loss.val": "validation",
        "train.done": "Trained {name} in {seconds:.1f} s: {reason}.",
        "train.failed": "Training failed: {error}",
        "train.history": "Runs in this session",
        "train.to_forecast": "See the forecast",
        "runs.name": "Run",
        "runs.data": "Data",
        "runs.cell": "Cell",
        "runs.settings": "Settings",
        "runs.settings_line": "window {window}, horizon {horizon}, hidden {hidden} × {layers}, lr {lr:g}",
        "runs.params": "Parameters",
        "runs.mase": "MASE",
        "runs.seconds": "Time (s)",
        "runs.epochs": "Epochs",
        "forecast.title": "Forecast",
        "forecast.run": "Run",
        "forecast.of": "{run} on {data}",
        "forecast.levels": "Intervals",
        "forecast.levels_help": "How often the actual value should fall inside each band.",
        "forecast.levels_none": "No interval chosen, so the default ones are shown: {levels}.",
        "forecast.baselines": "Baselines on the chart",
        "forecast.others": "Other runs on the same data",
        "forecast.chart_title": "{target}: data, predictions and forecast",
        "forecast.actual": "data",
        "forecast.held_out": "{model} on held-out data",
        "forecast.future": "{model} forecast",
        "forecast.band": "{level}% interval",
        "forecast.part.train": "train",
        "forecast.part.val": "validation",
        "forecast.part.test": "test",
        "forecast.metrics": "Accuracy on the {part} part ({windows} forecast windows)",
        "forecast.verdict.better": "{model} beats {baseline} by {pct:.0%} ({metric}) on the {part} part.",
        "forecast.verdict.worse": (
            "{model} does not beat {baseline}: its {metric} is {pct:.0%} higher on the {part} part. "
            "Try another window, more epochs, or another cell."
        ),
        "forecast.verdict.par": "{model} is on par with {baseline}: their {metric} differ by less than 1% on the {part} part.",
        "forecast.verdict.none": "The baselines make no error here, so there is nothing to beat.",
        "forecast.downloads": "Downloads",
        "forecast.download_csv": "Forecast (CSV)",
        "forecast.download_model": "Model checkpoint (.pt)",
        "forecast.download_config": "Settings (JSON)",
        "forecast.apply": "Apply a saved model to the current data",
        "forecast.apply_upload": "Checkpoint (.pt) saved by Forecast Lab",
        "forecast.applied": "Applied {name} to {data}.",
        "backtest.title": "How it would have done over the last periods",
        "backtest.folds": "Periods to look back",
        "backtest.folds_help": "The model is trained again at each of the last periods, on the data before it only, and its forecast compared with what happened.",
        "backtest.run": "Run the backtest",
        "backtest.progress": "Training fold {fold} of {folds}...",
        "backtest.fold": "fold {number}",
        "backtest.chart_title": "Backtest: {folds} forecasts, each made before its period",
        "backtest.coverage": "{level}% interval: {coverage:.0%} of the actual values fell inside (nominal {level}%).",
        "backtest.metrics": "Accuracy over the {folds} backtest periods",
        "residuals.title": "Residuals of the held-out predictions",
        "residuals.over_time": "Residuals over time",
        "residuals.histogram": "Distribution",
        "residuals.acf": "Autocorrelation (dotted: ±1.96/√n)",
        "baseline.model": "model",
        "baseline.naive": "naive",
        "baseline.seasonal_naive": "seasonal naive",
        "baseline.drift": "drift",
        "baseline.mean": "mean",
        # inside the cell (keys inside.*)
        # compare page and LSTM vs GRU vs RNN (keys compare.*)
        # synthetic lab and windows explained (keys lab.*, windows.*)
        # share links, language, projector mode (keys share.*, lang.*, projector.*)
        # lesson presets (keys lesson.*)
    }
}


MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(value: object) -> str:
    """User-given text (a name, a message quoting a cell) shown as written, not as Markdown."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(value))


def t(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `language` (English when missing), with `values` filled in."""
    table = TEXT.get(language, TEXT[DEFAULT_LANGUAGE])
    template = table.get(key, TEXT[DEFAULT_LANGUAGE][key])
    return template.format(**values) if values else template
