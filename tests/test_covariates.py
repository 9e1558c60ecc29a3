"""Extra numeric inputs (covariates): cleaned with the target, read by the network, saved."""

import numpy as np
import pandas as pd
import pytest

from data.errors import DataError
from data.prepare import prepare
from forecasting.config import ConfigError, TrainConfig
from forecasting.evaluate import evaluate
from forecasting.persist import apply_to, load_run, run_to_bytes
from forecasting.predict import forecast_from, future
from forecasting.train import fit, model_inputs
from models.recurrent import members_of

N = 400


def leading_indicator_table() -> pd.DataFrame:
    """`sales` repeats `lead` five steps later, plus a little noise."""
    rng = np.random.default_rng(0)
    lead = rng.normal(0, 1, N + 5)
    sales = lead[:-5] + 0.05 * rng.normal(0, 1, N)
    return pd.DataFrame({"sales": sales, "lead": lead[5:], "noise": rng.normal(0, 1, N)})


CONFIG = TrainConfig(
    window=10, horizon=3, hidden_size=16, epochs=40, lr=0.01, loss="mse", window_scale=False
)


@pytest.fixture(scope="module")
def series():
    return prepare(leading_indicator_table(), target="sales", covariates=["lead"])


@pytest.fixture(scope="module")
def covariate_run(series):
    return fit(series, CONFIG.with_changes(covariates=("lead",)))


def test_covariates_are_kept_beside_the_target(series):
    assert list(series.covariates.columns) == ["lead"]
    assert series.covariates.index.equals(series.index)
    np.testing.assert_array_equal(series.covariates["lead"], leading_indicator_table()["lead"])


def test_covariate_gaps_are_interpolated_and_reported():
    table = pd.DataFrame(
        {
            "day": pd.date_range("2024-01-01", periods=30).astype(str),
            "sales": np.arange(30.0),
            "price": np.arange(30.0) * 2,
        }
    )
    table.loc[[4, 5], "price"] = np.nan
    series = prepare(table, covariates=["price"])
    assert series.covariates["price"].iloc[4:6].tolist() == [8.0, 10.0]
    assert "2 missing values of the extra input 'price' were interpolated." in series.report.lines


def test_a_covariate_that_is_the_target_or_missing_is_refused():
    table = leading_indicator_table()
    with pytest.raises(DataError, match="'sales' cannot be both an extra input"):
        prepare(table, target="sales", covariates=["sales"])
    with pytest.raises(DataError, match="The extra input 'price' is not in the file"):
        prepare(table, target="sales", covariates=["price"])


def test_a_leading_indicator_makes_the_forecast_better(series, covariate_run):
    alone = fit(series, CONFIG)
    with_lead = evaluate(covariate_run, series, "val").table["model"]["MAE"]
    without = evaluate(alone, series, "val").table["model"]["MAE"]
    assert with_lead < 0.6 * without
    assert all(member.rnn.input_size == 2 for member in members_of(covariate_run.model))


def test_forecasts_read_the_covariates_past(series, covariate_run):
    inputs = model_inputs(series, covariate_run.config)
    changed = inputs.copy()
    changed[290:300, 1] += 5.0
    start = np.array([300])
    before = forecast_from(covariate_run, inputs, start)
    assert not np.allclose(before, forecast_from(covariate_run, changed, start))
    changed[300:, 1] -= 50.0
    np.testing.assert_array_equal(
        forecast_from(covariate_run, changed, start),
        forecast_from(covariate_run, np.vstack([changed[:300], inputs[300:]]), start),
    )


def test_a_checkpoint_keeps_the_covariates_and_their_scaling(series, covariate_run):
    loaded = load_run(run_to_bytes(covariate_run))
    assert loaded.config.covariates == ("lead",)
    np.testing.assert_array_equal(future(loaded, series).mean, future(covariate_run, series).mean)


def test_a_model_with_covariates_needs_them_in_the_data(covariate_run):
    bare = prepare(leading_indicator_table(), target="sales")
    with pytest.raises(DataError, match="extra inputs 'lead', which the current data does not"):
        apply_to(covariate_run, bare)


def test_the_recursive_strategy_refuses_covariates():
    with pytest.raises(ConfigError, match="recursive strategy cannot use extra inputs"):
        TrainConfig(strategy="recursive", covariates=("lead",))
