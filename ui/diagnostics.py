"""Forecast page sections that judge a run: a rolling backtest and its residuals."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from data.errors import DataError
from forecasting.backtest import backtest
from forecasting.predict import level_name
from forecasting.summary import RunSummary
from ui import charts, state
from ui.show import plot
from ui.state import text
from ui.text import plain


def metrics_dataframe(table: dict[str, dict[str, float | None]], model_name: str) -> None:
    """Scores of the model (under its run name) and of each baseline, undefined ones as a dash."""
    names = {key: model_name if key == "model" else text(f"baseline.{key}") for key in table}
    frame = pd.DataFrame(table).T.astype(float).rename(index=names)
    st.dataframe(frame.style.format(precision=3, na_rep="\u2014"))


def backtest_section(summary: RunSummary, levels: Sequence[float]) -> None:
    """Refit at each of the last k periods on demand; show the forecasts, scores and coverage."""
    st.subheader(text("backtest.title"))
    left, right = st.columns([3, 1])
    folds = left.slider(
        text("backtest.folds"),
        2,
        8,
        3,
        help=text("backtest.folds_help"),
        key=f"backtest-folds-{summary.name}",
    )
    result = state.get_backtest(summary.name, folds, levels)
    if result is None and right.button(text("backtest.run"), key=f"backtest-run-{summary.name}"):
        progress = st.progress(0.0, text=text("backtest.progress", fold=1, folds=folds))

        def advance(done: int, total: int) -> None:
            label = text("backtest.progress", fold=min(done + 1, total), folds=total)
            progress.progress(done / total, text=label)

        try:
            result = backtest(summary.series, summary.run.config, folds, levels, on_fold=advance)
        except DataError as err:
            st.error(plain(err))
            return
        finally:
            progress.empty()
        state.set_backtest(summary.name, folds, levels, result)
    if result is None:
        return
    plot(
        charts.backtest_figure(summary.series, result, state.language()),
        key=f"backtest-chart-{summary.name}",
    )
    for level, coverage in result.coverage.items():
        st.markdown(text("backtest.coverage", level=level_name(level), coverage=coverage))
    st.caption(text("backtest.metrics", folds=folds))
    metrics_dataframe(result.table, summary.name)


def residuals_section(summary: RunSummary) -> None:
    st.subheader(text("residuals.title"))
    for column, figure in zip(
        st.columns(3), charts.residual_figures(summary, state.language()), strict=True
    ):
        plot(figure, column)
