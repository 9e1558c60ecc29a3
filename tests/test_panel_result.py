"""forecasting.panel_result and panel_job: what a panel run leaves beside its stored run, read
back into any series' view of the shared network; the job that trains it in the background."""

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from data.panel import read_wide
from forecasting.panel_job import PanelJob
from forecasting.panel_result import (
    panel_result,
    result_from_bytes,
    result_to_bytes,
    sorted_labels,
)
from forecasting.panel_train import fit_panel, score_panel
from forecasting.persist import load_run, run_to_bytes
from forecasting.predict import future
from tests.test_panel_train import TINY, sine, wide

LEVELS = (0.8,)


@pytest.fixture(scope="module")
def trained():
    table = wide(small=sine(), large=sine(1000.0, seed=1), short=sine())
    table.loc[: len(table) - 31, "short"] = np.nan  # a series that begins 30 days from the end
    panel = read_wide(table)
    fitted = fit_panel(panel, TINY)
    scores = score_panel(fitted, panel, "test")
    return panel, fitted, panel_result(fitted, panel, scores, LEVELS)


def test_the_result_lists_every_series_scored_and_why_one_was_left_out(trained):
    result = trained[2]
    assert result.labels == ["small", "large"]
    assert list(result.table["label"]) == ["small", "large"]
    assert set(result.table["verdict"]) <= {"better", "on par", "worse"}
    assert "fewer than one window" in result.left_out["short"]
    every = pd.read_csv(io.StringIO(result.forecast_csv))
    assert list(every.columns[:3]) == ["series", "timestamp", "forecast"]
    assert sorted(every["series"].unique()) == ["large", "small"]
    assert result.aggregate["geometric_mean_mase"]["model"] > 0


def test_a_kept_file_rebuilds_each_series_view_with_the_same_forecast(trained):
    panel, fitted, result = trained
    read = result_from_bytes(result_to_bytes(result))
    assert read.labels == result.labels and read.id_cols == result.id_cols
    pd.testing.assert_frame_equal(read.table, result.table)
    assert read.forecast_csv == result.forecast_csv
    stored = load_run(run_to_bytes(fitted.members["small"]))  # as the workspace keeps it
    for label in result.labels:
        run, series = read.member(stored, label)
        assert series.fingerprint() == panel.series[label].fingerprint()
        again = future(run, series, LEVELS).mean
        first = future(fitted.members[label], panel.series[label], LEVELS).mean
        np.testing.assert_allclose(again, first, rtol=1e-6)


def test_a_series_trained_on_but_not_scored_is_not_offered(trained):
    result = trained[2]
    unscored = replace(result, table=result.table[result.table["label"] != "small"])
    assert unscored.labels == ["large"] and "small" in unscored.views


def test_a_file_with_a_view_out_of_order_reads_as_none(trained):
    raw = result_to_bytes(trained[2])
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        meta = json.loads(archive.read("panel.json"))
    meta["views"]["large"]["train_end"] = meta["views"]["large"]["val_end"] + 1
    assert result_from_bytes(_rewritten(raw, "panel.json", json.dumps(meta).encode())) is None


def test_the_worst_scored_series_is_listed_first(trained):
    _, _, result = trained
    scores = dict(zip(result.table["label"], result.table["model"], strict=True))
    assert sorted_labels(result)[0] == max(scores, key=scores.get)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"not a zip at all",
        lambda raw: _rewritten(raw, "panel.json", b'{"format": "something else"}'),
        lambda raw: _rewritten(raw, "series/0.npz", b"garbage"),
        lambda raw: _rewritten(raw, "panel.json", b"[1, 2"),
        lambda raw: _rewritten(raw, "panel.json", _zero_scale(raw)),
    ],
    ids=[
        "truncated",
        "not a zip",
        "another format",
        "a damaged series",
        "broken json",
        "a zero scale",
    ],
)
def test_a_damaged_or_foreign_file_reads_as_none(trained, damage):
    assert result_from_bytes(damage(result_to_bytes(trained[2]))) is None


def _zero_scale(raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        meta = json.loads(archive.read("panel.json"))
    meta["views"]["large"]["scaler"]["scale"] = 0.0
    return json.dumps(meta).encode()


def _rewritten(raw: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, content if info.filename == name else old.read(info))
    return buffer.getvalue()


def test_a_panel_job_keeps_its_first_series_run_and_the_file_beside_it():
    panel = read_wide(wide(small=sine(), large=sine(1000.0, seed=1)))
    job = PanelJob(next(iter(panel.series.values())), TINY.with_changes(epochs=2), "sales",
                   panel=panel)  # fmt: skip
    job.train()
    assert job.error is None and job.forecast_error is None
    assert job.stem == "LSTM panel" and job.points == 320
    assert job.series is panel.series["small"] and job.summary.series is job.series
    assert len(job.history) == 2
    read = result_from_bytes(job.kept_beside())
    assert read.labels == ["small", "large"]


def test_a_panel_job_needs_a_panel():
    with pytest.raises(ValueError, match="panel"):
        PanelJob(None, TINY)
