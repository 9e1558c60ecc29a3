"""Forecast page: predictions over the data, the future with its bands, metrics, downloads."""

import streamlit as st

from ui import charts, diagnostics, forecast_view, panel_view, share, state, widgets
from ui.show import plot
from ui.state import text

summary = state.require_run()
st.title(text("forecast.title"))
state.show_notice()
left, middle, right = st.columns([2, 2, 3])
chosen, summary = widgets.run_picker(left, text("forecast.run"), "forecast-run")
stored = state.current_stored()
result = state.panel_of(stored)
if result is not None:
    panel_view.series_picker(stored, result)
    summary = state.current_run()
elif stored.panel:
    st.warning(text("panel.unreadable"))
levels = forecast_view.pick_levels(middle)
shown = forecast_view.pick_baselines(right)
drawn = forecast_view.at_levels(summary, levels)
others = forecast_view.pick_others(summary, chosen)
named = panel_view.series_name(stored, result)
figure = charts.forecast_figure(drawn, shown, state.language(), others, summary.series.truth,
                                named)  # fmt: skip
plot(figure, key="forecast-chart")
forecast_view.verdict_line(summary)
forecast_view.metrics_table(summary)
if result is not None:
    panel_view.scores_section(stored, result)
diagnostics.residuals_section(summary)
if not stored.panel:  # a backtest refits on one series, a link trains one: not a panel's run
    diagnostics.backtest_section(summary, levels)
forecast_view.downloads(summary, drawn.forecast.to_frame())
if not stored.panel:
    share.link_section(summary)
forecast_view.apply_checkpoint()
