"""Train page: the settings form, live progress with a loss chart and Stop, the session's runs."""

import pandas as pd
import streamlit as st

from forecasting.config import TrainConfig
from forecasting.job import TrainingJob
from ui import charts, state, widgets
from ui.state import text
from ui.text import plain

REFRESH_S = 0.5


@st.fragment(run_every=REFRESH_S)
def live_progress() -> None:
    job = state.get_job()
    if job is None:
        return
    if job.done:
        st.rerun()  # app.py turns the finished job into a run
    epoch, epochs, left = job.progress()
    if epoch == 0:
        label = text("train.starting")
    elif left is None:
        label = text("train.progress", epoch=epoch, epochs=epochs)
    else:
        label = text("train.progress_eta", epoch=epoch, epochs=epochs, left=f"{left:.0f} s")
    st.progress(epoch / epochs, text=text("train.stopping") if job.stopping else label)
    if st.button(text("train.stop"), help=text("train.stop_help"), key="train-stop"):
        job.stop()
    st.plotly_chart(charts.loss_figure(list(job.history), state.language()), key="live-loss")


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
            text("runs.name"): summary.name,
            text("runs.data"): summary.dataset,
            text("runs.cell"): summary.run.config.cell.upper(),
            text("runs.settings"): settings_line(summary.run.config),
            text("runs.params"): summary.run.parameters,
            text("runs.epochs"): len(summary.run.history),
            text("runs.mase"): summary.model_mase,
            text("runs.seconds"): round(summary.run.seconds, 2),
        }
        for summary in history
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


series = state.require_series()
dataset = state.get_dataset()
st.title(text("train.title"))
st.markdown(
    text("train.data", name=plain(dataset.name), points=len(series), season=series.season_length)
)
state.show_notice()
if state.get_job() is None:
    try:
        config = widgets.config_form(series)
    except ValueError as err:
        st.error(str(err))
        config = None
    if config is not None:
        state.set_job(TrainingJob(series, config, dataset.name).start())
        st.rerun()
else:
    live_progress()
if state.current_run() is not None and st.button(text("train.to_forecast"), key="to-forecast"):
    st.switch_page("app_pages/forecast.py")
run_table()
