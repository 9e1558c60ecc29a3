"""A panel network's learned vector per series (`series_embedding`): it tells apart series whose
windows look alike but move differently, and each series' row travels with its run through a
checkpoint, a kept panel file and the command line."""

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from data.panel import read_long, read_wide
from forecasting.config import ConfigError, TrainConfig
from forecasting.evaluate import evaluate
from forecasting.limits import ServerLimits, check_config
from forecasting.panel_result import panel_result, result_from_bytes, result_to_bytes
from forecasting.panel_train import fit_panel, score_panel
from forecasting.persist import load_run, run_to_bytes
from forecasting.predict import future
from models.checkpoint import CheckpointError
from tests.test_cli import FAST, run_cli
from tests.test_panel_train import TINY, sine, wide

# Two series of zeros and ones whose last two values (0, 1) are followed by 0 in one and by 1
# in the other: without knowing which series a window is from, no network can be right on both.
ALIKE = TrainConfig(window=2, horizon=1, members=1, scaler="none", residual="none",
                    window_scale=False, linear=False, hidden_size=8, epochs=25, batch_size=16,
                    lr=0.01, patience=0, device="cpu", seed=0)  # fmt: skip


def alike_panel():
    one, other = np.tile([0.0, 0.0, 1.0], 30), np.tile([0.0, 0.0, 1.0, 1.0], 23)[:90]
    table = pd.DataFrame({"id": ["one"] * 90 + ["other"] * 90, "step": [*range(90)] * 2,
                          "y": np.r_[one, other]})  # fmt: skip
    return read_long(table, ["id"], None, "y")


def network_error(config: TrainConfig) -> float:
    """The network's own validation MAE (no blend with a baseline), the worse of the two."""
    panel = alike_panel()
    trained = fit_panel(panel, config)
    errors = [evaluate(replace(member, blend=None), panel.series[label], "val").table["model"]
              for label, member in trained.members.items()]  # fmt: skip
    return max(error["MAE"] for error in errors)


def test_series_vectors_tell_apart_series_whose_windows_look_alike():
    without, with_vectors = (
        network_error(ALIKE),
        network_error(ALIKE.with_changes(series_embedding=4)),
    )
    assert without > 0.1, "no network can forecast both series from their windows alone"
    assert with_vectors < without / 3, (without, with_vectors)


@pytest.fixture(scope="module")
def embedded():
    panel = read_wide(wide(small=sine(), large=sine(1000.0, seed=1), mid=sine(30.0, seed=2)))
    trained = fit_panel(panel, TINY.with_changes(series_embedding=3))
    return panel, trained


def test_each_series_reads_its_own_row_of_one_embedding(embedded):
    panel, trained = embedded
    assert trained.run.config.series_count == 3 and trained.run.config.embedded
    assert [member.series_index for member in trained.members.values()] == [0, 1, 2]
    rows = trained.run.model.series.weight
    assert tuple(rows.shape) == (3, 3)
    member = trained.members["mid"]
    swapped = replace(member, series_index=0, blend=None)
    own = future(replace(member, blend=None), panel.series["mid"], (0.8,)).mean
    assert not np.allclose(own, future(swapped, panel.series["mid"], (0.8,)).mean)


def test_a_series_checkpoint_keeps_its_row_and_forecasts_the_same(embedded):
    panel, trained = embedded
    member = trained.members["large"]
    loaded = load_run(run_to_bytes(member))
    assert loaded.series_index == 1 and loaded.config.series_count == 3
    np.testing.assert_allclose(
        future(loaded, panel.series["large"], (0.8,)).mean,
        future(member, panel.series["large"], (0.8,)).mean,
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    ("index", "why"),
    [
        (3, "not one of the 3"),
        (-1, "not one of the 3"),
        ("1", "not one of the 3"),
        (None, "not one"),
    ],
)
def test_a_checkpoint_naming_a_row_its_network_lacks_is_refused(embedded, index, why):
    member = replace(embedded[1].members["large"], series_index=index)
    with pytest.raises(CheckpointError, match=why):
        load_run(run_to_bytes(member))


def test_a_checkpoint_without_an_embedding_naming_a_row_is_refused(embedded):
    plain = fit_panel(embedded[0], TINY.with_changes(epochs=1)).members["small"]
    with pytest.raises(CheckpointError, match="no series vectors"):
        load_run(run_to_bytes(replace(plain, series_index=0)))


def test_a_kept_panel_file_gives_each_series_its_row_back(embedded):
    panel, trained = embedded
    scores = score_panel(trained, panel, "test")
    result = result_from_bytes(result_to_bytes(panel_result(trained, panel, scores, (0.8,))))
    shared = load_run(run_to_bytes(trained.members["small"]))
    member, series = result.member(shared, "mid")
    assert member.series_index == 2
    np.testing.assert_allclose(
        future(member, series, (0.8,)).mean,
        future(trained.members["mid"], series, (0.8,)).mean,
        rtol=1e-6,
    )


def test_a_kept_panel_file_with_a_negative_row_reads_as_none(embedded):
    panel, trained = embedded
    raw = result_to_bytes(panel_result(trained, panel, score_panel(trained, panel, "test"), (0.8,)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            content = old.read(info)
            if info.filename == "panel.json":
                meta = json.loads(content)
                meta["views"]["mid"]["series_index"] = -2
                content = json.dumps(meta).encode()
            new.writestr(info.filename, content)
    assert result_from_bytes(buffer.getvalue()) is None


def test_series_vectors_are_bounded_by_the_setting_and_the_server_limit():
    with pytest.raises(ConfigError, match="series_embedding"):
        TrainConfig(series_embedding=65)
    with pytest.raises(ConfigError, match="series_count"):
        TrainConfig(series_embedding=4, series_count=2001)
    check_config(TrainConfig(series_embedding=16), ServerLimits())
    with pytest.raises(ConfigError, match="series_embedding"):
        check_config(TrainConfig(series_embedding=17), ServerLimits())


def test_the_cli_learns_series_vectors_for_a_panel_and_names_them(capsys, tmp_path):
    path = tmp_path / "wide.csv"
    wide(small=sine(n=120), large=sine(1000.0, seed=1, n=120)).to_csv(path, index=False)
    code, _, err = run_cli(capsys, "forecast", path, "--wide", "--series-embedding", "2",
                           "--out", tmp_path / "out", *FAST)  # fmt: skip
    assert code == 0, err
    config = json.loads((tmp_path / "out" / "metrics.json").read_text())["config"]
    assert (config["series_embedding"], config["series_count"]) == (2, 2)


def test_the_cli_refuses_series_vectors_for_one_series(capsys, tmp_path):
    path = tmp_path / "one.csv"
    wide(small=sine(n=120)).to_csv(path, index=False)
    code, _, err = run_cli(capsys, "forecast", path, "--series-embedding", "2", "--out", tmp_path)
    assert code == 2 and "--series-embedding" in err and "Traceback" not in err
