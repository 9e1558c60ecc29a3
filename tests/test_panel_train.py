"""forecasting.panel_train: one network trained on every series of a panel, each series scaled
on its own, windows never crossing two series, parts cut at the same moments for all."""

import numpy as np
import pandas as pd
import pytest

import forecasting.panel_train as panel_train
from data.errors import DataError
from data.panel import read_long, read_wide
from forecasting.config import TrainConfig
from forecasting.panel_train import fit_panel, panel_parts, score_panel
from forecasting.predict import future
from tests.conftest import noisy_sine

TINY = TrainConfig(window=24, horizon=6, hidden_size=8, epochs=3, members=1, season_length=12,
                   device="cpu", test_share=0.15, val_share=0.15, seed=7)  # fmt: skip
DAYS = pd.date_range("2023-01-01", periods=160, freq="D")


def wide(**columns: np.ndarray) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    return pd.DataFrame({"date": DAYS[:length].strftime("%Y-%m-%d"), **columns})


def sine(scale: float = 1.0, seed: int = 0, n: int = 160) -> np.ndarray:
    return scale * noisy_sine(n, period=12, seed=seed)


def test_one_network_serves_every_series_each_through_its_own_scaler():
    panel = read_wide(wide(small=sine(), large=sine(1000.0, seed=1), mid=sine(30.0, seed=2)))
    trained = fit_panel(panel, TINY)
    models = {id(member.model) for member in trained.members.values()}
    assert models == {id(trained.run.model)}, "one network"
    means = {label: float(m.scaler.mean_[0]) for label, m in trained.members.items()}
    assert means["large"] == pytest.approx(1000 * means["small"], rel=0.05)
    for label, member in trained.members.items():
        ahead = future(member, panel.series[label], (0.8,))
        level = panel.series[label].values[-24:].mean()
        assert abs(ahead.mean.mean() - level) < 0.5 * abs(level), label


def test_a_series_a_thousand_times_larger_does_not_dominate_training():
    config = TINY.with_changes(epochs=25, hidden_size=16)
    alone = read_wide(wide(small=sine(), partner=sine(seed=1)))
    beside_large = read_wide(wide(small=sine(), partner=sine(1000.0, seed=1)))
    scores = [
        score_panel(fit_panel(panel, config), panel, "test").series["small"].table["model"]["MASE"]
        for panel in (alone, beside_large)
    ]
    assert scores[1] < 1.25 * scores[0], scores


def test_windows_never_cross_from_one_series_into_the_next(monkeypatch):
    seen = {}

    def capture(run, frames, train_idx, val_idx, *rest):
        seen.update(frames=frames, train=train_idx, val=val_idx)

    monkeypatch.setattr(panel_train, "train_epochs", capture)
    panel = read_wide(wide(a=sine(n=100), b=sine(n=100, seed=1) + 50, c=sine(n=100, seed=2)))
    fit_panel(panel, TINY)
    span = TINY.window + TINY.model_horizon
    parts, _ = panel_parts(panel, TINY)
    ends = np.cumsum([len(panel.series[label]) for label in parts])
    starts = ends - 100
    for kind, limit in (("train", "train_end"), ("val", "val_end")):
        for frame in seen[kind].tolist():
            k = int(np.searchsorted(ends, frame, side="right"))
            assert frame + span <= starts[k] + getattr(parts[panel.labels[k]], limit), (kind, frame)
    assert len(seen["train"]) == 3 * (parts["a"].train_end - span + 1)


def test_the_parts_are_cut_at_the_same_dates_for_series_of_other_lengths():
    table = pd.concat(
        [
            pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"), "id": "long", "y": sine()}),
            pd.DataFrame(
                {"date": DAYS[40:].strftime("%Y-%m-%d"), "id": "late", "y": sine(seed=1)[40:]}
            ),
        ]
    )
    panel = read_long(table, ["id"], "date", "y")
    parts, _ = panel_parts(panel, TINY)
    for cut in ("train_end", "val_end"):
        dates = {label: panel.series[label].index[getattr(parts[label], cut)] for label in parts}
        assert dates["long"] == dates["late"], cut


def test_a_series_too_short_to_train_on_is_left_out_with_the_reason():
    table = pd.concat(
        [
            pd.DataFrame({"date": DAYS.strftime("%Y-%m-%d"), "id": "long", "y": sine()}),
            pd.DataFrame({"date": DAYS[110:].strftime("%Y-%m-%d"), "id": "new", "y": sine()[110:]}),
        ]
    )
    panel = read_long(table, ["id"], "date", "y")
    trained = fit_panel(panel, TINY)
    assert list(trained.members) == ["long"]
    assert "fewer than one window of 24 inputs plus 6 targets" in trained.left_out["new"]
    with pytest.raises(DataError, match="No series has 30 points before the validation part"):
        fit_panel(read_long(table[table["id"] == "new"].iloc[20:], ["id"], "date", "y"), TINY)


def test_the_panel_scores_each_series_and_the_geometric_mean():
    panel = read_wide(wide(a=sine(), b=sine(5.0, seed=1), c=sine(2.0, seed=2)))
    trained = fit_panel(panel, TINY)
    scores = score_panel(trained, panel, "test")
    mases = [scores.series[label].table["model"]["MASE"] for label in "abc"]
    assert scores.geometric_mase["model"] == pytest.approx(np.exp(np.mean(np.log(mases))))
    assert set(scores.verdicts) == {"a", "b", "c"}
    assert scores.total_error["model"] > 0 and "seasonal_naive" in scores.total_error


def test_the_same_panel_and_seed_train_the_same_network():
    panel = read_wide(wide(a=sine(), b=sine(3.0, seed=1)))
    forecasts = [future(fit_panel(panel, TINY).members["b"], panel.series["b"], (0.8,)).mean
                 for _ in range(2)]  # fmt: skip
    np.testing.assert_array_equal(forecasts[0], forecasts[1])


def test_a_panel_with_many_windows_samples_its_epochs_and_a_small_one_does_not():
    from forecasting.config import SAMPLED_EPOCH_WINDOWS
    from forecasting.panel_forecast import panel_config

    small = read_wide(wide(a=sine(), b=sine(seed=1)))
    assert panel_config(small, {}).epoch_windows == 0
    many = read_wide(wide(**{f"s{k}": sine(seed=k) for k in range(40)}))
    config = panel_config(many, {})
    assert config.epoch_windows == SAMPLED_EPOCH_WINDOWS and config.patience == 10
    assert panel_config(many, {"epoch_windows": 0}).epoch_windows == 0, "asked: every window"
