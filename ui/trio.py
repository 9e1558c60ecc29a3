"""LSTM vs GRU vs RNN: start the three runs from any page and go to the Compare page."""

from __future__ import annotations

import streamlit as st

from data.series import Series
from forecasting.compare import trio_base, trio_configs
from forecasting.config import TrainConfig
from forecasting.job import BatchJob
from ui import state

COMPARE_PAGE = "app_pages/compare.py"


def start_trio(
    series: Series, dataset: state.Dataset, base_config: TrainConfig | None = None
) -> None:
    """Train `base_config` (by default trio_base's choice) with each cell in the background,
    then open the Compare page, which shows the progress and the table. A job already
    training is left alone and its progress shown instead."""
    if state.get_job() is None:
        base = base_config or trio_base(series, state.current_run())
        if not state.start_job(BatchJob(series, trio_configs(base), dataset.name)):
            return
    st.switch_page(COMPARE_PAGE)
