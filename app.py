"""Forecast Lab: the Streamlit entry point."""

import streamlit as st

st.set_page_config(page_title="Forecast Lab", layout="wide")
st.title("Forecast Lab")
st.write(
    "Train LSTM, GRU and RNN forecasters on your own time series. "
    "The pages of the app are being built; the engine works today from the command line: "
    "`python -m forecasting forecast data/samples/airline.csv --horizon 12`."
)
