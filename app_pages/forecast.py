"""Forecast page: predictions over the data, the future with its bands, metrics, downloads."""

import streamlit as st

from ui import charts, diagnostics, forecast_view, share, state, widgets
from ui.show import plot
from ui.state import text

summary = state.require_run()
st.title(text("forecast.title"))
state.show_notice()
left, middle, right = st.columns([2, 2, 3])
chosen, summary = widgets.run_picker(left, text("forecast.run"), "forecast-run")
levels = forecast_view.pick_levels(middle)
shown = forecast_view.pick_baselines(right)
drawn = forecast_view.at_levels(summary, levels)
others = forecast_view.pick_others(summary, chosen)
figure = charts.forecast_figure(drawn, shown, state.language(), others, summary.series.truth)
plot(figure, key="forecast-chart")
forecast_view.verdict_line(summary)
forecast_view.metrics_table(summary)
diagnostics.residuals_section(summary)
diagnostics.backtest_section(summary, levels)
forecast_view.downloads(summary, drawn.forecast.to_frame())
share.link_section(summary)
forecast_view.apply_checkpoint()
