"""The Train page's sections: live progress with Stop, the session's runs, the windows explained."""

import pandas as pd
import streamlit as st

from data.series import Series
from forecasting.config import TrainConfig, series_config, training_windows
from forecasting.job import BatchJob
from forecasting.training_window import training_window
from ui import charts, sessions, state
from ui.show import plot
from ui.state import text
from ui.text import moment, plain


def live_progress() -> None:
    """The job's progress, polled at the server's pace (ui/sessions.poll_every)."""
    st.fragment(_progress, run_every=sessions.poll_every())()


def _progress() -> None:
    job = state.get_job()
    if job is None:
        return
    if job.done:
        sessions.rerun_app()  # app.py turns the finished job into a run
    epoch, epochs, left = job.progress()
    state.show_queue_place(job)
    if epoch == 0:
        label = text("train.starting")
    elif left is None:
        label = text("train.progress", epoch=epoch, epochs=epochs)
    else:
        label = text("train.progress_eta", epoch=epoch, epochs=epochs, left=f"{left:.0f} s")
    st.progress(epoch / epochs, text=text("train.stopping") if job.stopping else label)
    if st.button(text("train.stop"), help=text("train.stop_help"), key="train-stop"):
        state.stop_job(job)
    plot(charts.loss_figure(list(job.history), state.language()), key="live-loss")
    part = job.current if isinstance(job, BatchJob) else job
    if part.preview is not None:
        figure = charts.preview_figure(part.series, part.preview, state.language())
        plot(figure, key="live-preview")


def settings_line(config: TrainConfig) -> str:
    return text(
        "runs.settings_line",
        window=config.window,
        horizon=config.horizon,
        hidden=config.hidden_size,
        layers=config.num_layers,
        lr=config.lr,
    )


def run_table() -> None:
    history = state.runs()
    if not history:
        return
    st.subheader(text("train.history"))
    rows = [
        {
            text("runs.name"): stored.name,
            text("runs.data"): stored.dataset,
            text("runs.cell"): stored.config.cell.upper(),
            text("runs.settings"): settings_line(stored.config),
            text("runs.params"): stored.parameters,
            text("runs.epochs"): stored.epochs,
            text("runs.mase"): stored.mase,
            text("runs.seconds"): round(stored.seconds, 2),
            text("runs.error"): stored.error,
        }
        for stored in history
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def window_config(series: Series) -> tuple[TrainConfig, str]:
    """The current run's settings when it was trained on this series, else the form's defaults;
    and a line saying which."""
    summary = state.current_run()
    if summary is not None and summary.run.fingerprint == series.fingerprint():
        config, key, name = summary.run.config, "windows.config_run", plain(summary.name)
    else:
        config = series_config(series)
        key, name = "windows.config_default", ""
    return config, text(key, name=name, window=config.window, horizon=config.model_horizon)


def steps_text(index: pd.Index, steps: range) -> str:
    """Where a run of steps lies: its row numbers, or its first and last dates."""
    first, last = index[steps.start], index[steps.stop - 1]
    if isinstance(index, pd.DatetimeIndex):
        return text("windows.dates", first=moment(first), last=moment(last))
    if len(steps) == 1:
        return text("windows.step", first=first)
    return text("windows.steps", first=first, last=last)


@st.fragment
def windows_explained(series: Series) -> None:
    """A slider through the training windows and the figure of the one chosen."""
    config, whose = window_config(series)
    st.caption(text("windows.intro"))
    st.caption(whose)
    count = training_windows(len(series), config)
    if count == 0:
        st.info(text("windows.none", window=config.window, horizon=config.model_horizon))
        return
    number = 1
    if count > 1:
        number = st.slider(
            text("windows.slider"),
            1,
            count,
            1,
            help=text("windows.slider_help"),
            key=f"windows-{series.fingerprint()}-{config.window}-{config.model_horizon}-"
            f"{config.val_share}-{config.test_share}",
        )
    span = training_window(len(series), config, number)
    st.caption(
        text(
            "windows.caption",
            number=number,
            count=count,
            inputs=steps_text(series.index, span.inputs),
            targets=steps_text(series.index, span.targets),
        )
    )
    figure = charts.window_figure(series, config, number, state.language())
    plot(figure, key="windows-chart")
