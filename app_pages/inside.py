"""Inside the cell: a trained network's gates and states over a window of the user's series."""

import streamlit as st

from forecasting.inside import window_ends, window_states
from models.recurrent import members_of
from ui import cell_charts, panel_view, state, trio, widgets
from ui.show import plot
from ui.state import text
from ui.text import moment

MAX_UNITS = 16  # units drawn by default


def equations(cell: str, nonlinearity: str) -> None:
    st.subheader(text("inside.equations"))
    for quantity, latex in cell_charts.equations(cell, nonlinearity):
        st.latex(latex)
        symbol = cell_charts.SYMBOLS[cell][quantity][1]
        name, meaning = text(f"inside.name.{quantity}"), text(f"inside.explain.{cell}.{quantity}")
        st.markdown(f"${symbol}$ **{name}**: {meaning}")
    st.caption(text("inside.notation"))
    st.caption(text("inside.colours"))


summary = state.require_run()
st.title(text("inside.title"))
st.caption(text("inside.lead"))
current, dataset = state.get_series(), state.get_dataset()
trio_help = text("compare.trio_help")
if current is not None and st.button(text("compare.trio"), help=trio_help, key="inside-trio"):
    trio.start_trio(current, dataset)
run_column, layer_column, member_column, units_column = st.columns(4)
chosen, summary = widgets.run_picker(run_column, text("inside.run"), "inside-run")
run, series = summary.run, summary.series
members = members_of(run.model)
rnn = members[0].rnn
layer = 0
if rnn.num_layers > 1:
    layer = layer_column.radio(
        text("inside.layer"),
        range(rnn.num_layers),
        format_func=lambda k: str(k + 1),
        horizontal=True,
        help=text("inside.layer_help"),
        key=f"inside-layer-{chosen}",
    )
member = 0
if len(members) > 1:
    member = member_column.selectbox(
        text("inside.member"),
        range(len(members)),
        format_func=lambda k: text("inside.member_option", number=k + 1),
        help=text("inside.member_help", count=len(members)),
        key=f"inside-member-{chosen}",
    )
first, last = 1, 1
if rnn.hidden_size > 1:
    first, last = units_column.slider(
        text("inside.units"),
        1,
        rnn.hidden_size,
        (1, min(rnn.hidden_size, MAX_UNITS)),
        help=text("inside.units_help", units=rnn.hidden_size),
        key=f"inside-units-{chosen}",
    )
ends = window_ends(run, series)
end = ends.stop - 1
if len(ends) > 1:
    end = st.slider(
        text("inside.window"),
        ends.start,
        ends.stop - 1,
        end,
        help=text("inside.window_help"),
        key=f"inside-window-{chosen}",
    )
states = window_states(run, series, end, member)
st.caption(
    text(
        "inside.window_span",
        steps=len(states.index),
        start=moment(states.index[0]),
        end=moment(states.index[-1]),
    )
)
if states.pool > 1:
    st.caption(text("inside.pooled", steps=len(states.steps), pool=states.pool))
figure_column, equations_column = st.columns([3, 2])
stored = state.current_stored()
named = panel_view.series_name(stored, state.panel_of(stored))
figure = cell_charts.cell_figure(
    states, layer, range(first - 1, last), series.target, state.language(), named
)
plot(figure, figure_column, key="inside-chart")
with equations_column:
    equations(states.cell, states.nonlinearity)
