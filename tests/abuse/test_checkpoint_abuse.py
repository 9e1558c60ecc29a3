"""Checkpoints as a visitor with bad intent would craft them: refused with our own message before
any tensor is built or any network allocated, never a traceback, never much memory taken."""

import io
import json
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

import forecasting.persist as persist
from data.prepare import from_array
from forecasting.backtest import backtest
from forecasting.config import TrainConfig
from forecasting.device import choose_device
from forecasting.limits import ServerLimits
from forecasting.persist import load_run, open_run, run_to_bytes
from forecasting.summary import summarize
from forecasting.train import build_model, fit
from models import checkpoint
from models.checkpoint import CheckpointError, _checksum
from tests.test_pages import kept, put_run
from ui import state

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
NOT_PLAIN = "is not stored as a plain array of its own"
FAKE_CHECKSUM = "0" * 64  # never compared: these files are refused before
PEAK = """
import gc, json, sys, tracemalloc
from pathlib import Path
from forecasting.limits import ServerLimits
from forecasting.persist import load_run
from models.checkpoint import CheckpointError

def resident_kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(field)

def high_water_reset():  # the peak resident memory set to what is in use now, where /proc can
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return resident_kib("VmHWM") <= resident_kib("VmRSS") + 1024
    except OSError:
        return False

limits = ServerLimits()
load_run(sys.argv[1], limits.checkpoint_bytes, limits)  # warm-up on a sound checkpoint
gc.collect()
if high_water_reset():
    way, peak = "VmHWM", lambda: resident_kib("VmHWM")
else:  # sees Python's and numpy's allocations, not torch's
    tracemalloc.start()
    way, peak = "tracemalloc", lambda: tracemalloc.get_traced_memory()[1] // 1024
before = peak()
try:
    load_run(sys.argv[2], limits.checkpoint_bytes, limits)
    message = "loaded"
except CheckpointError as err:
    message = str(err)
after = peak()
print(json.dumps({"before_kib": before, "after_kib": after, "message": message, "way": way}))
"""


@pytest.fixture(scope="module")
def series():
    return from_array(10.0 + 3.0 * np.sin(2 * np.pi * np.arange(120) / 12))


@pytest.fixture(scope="module")
def raw(series) -> bytes:
    config = TrainConfig(window=12, horizon=4, hidden_size=8, epochs=1, members=1, device="cpu")
    return run_to_bytes(fit(series, config))


def payload_of(raw: bytes) -> dict:
    return torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)


def saved(payload: dict, checksum: str | None = None) -> bytes:
    """The payload as a file's bytes, with a checksum that matches unless one is given."""
    payload["checksum"] = checksum or _checksum(payload)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def with_config(raw: bytes, **changes) -> dict:
    payload = payload_of(raw)
    payload["config"] = json.dumps({**json.loads(payload["config"]), **changes}, sort_keys=True)
    return payload


def deflated(raw: bytes) -> bytes:
    """The same archive with every part compressed, which torch.save never does."""
    source, buffer = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    return buffer.getvalue()


@pytest.fixture
def nothing_built(monkeypatch):
    """Fails the test should a network be built anywhere but on the meta device."""

    def on_meta_only(config):
        assert torch.get_default_device().type == "meta", "a network was built for real"
        return build_model(config)

    monkeypatch.setattr(persist, "build_model", on_meta_only)


def peak_growth_kib(good: bytes, bad: bytes, tmp_path: Path) -> tuple[int, str]:
    """How much the peak memory of a fresh process grows while it reads and refuses `bad`, in
    KiB: its peak resident memory (VmHWM), reset after a warm-up so that growth below the
    process's earlier peak (importing torch) is seen; where /proc cannot reset it, the peak of
    the allocations tracemalloc sees."""
    (tmp_path / "good.pt").write_bytes(good)
    (tmp_path / "bad.pt").write_bytes(bad)
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(tmp_path / "good.pt"), str(tmp_path / "bad.pt")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(done.stdout.splitlines()[-1])
    return figures["after_kib"] - figures["before_kib"], figures["message"]


def test_a_small_stride_0_weight_is_refused(raw):
    payload = payload_of(raw)
    payload["state_dict"]["rnn.weight_hh_l0"] = torch.zeros(1).expand(32, 8)
    bad = saved(payload)
    with pytest.raises(CheckpointError, match=f"'rnn.weight_hh_l0' {NOT_PLAIN}.*view"):
        checkpoint.load(bad)
    with pytest.raises(CheckpointError, match=NOT_PLAIN):
        load_run(bad)


def test_a_huge_stride_0_weight_is_refused_with_our_message(raw):
    payload = payload_of(raw)
    payload["state_dict"]["rnn.weight_hh_l0"] = torch.zeros(1).expand(10**6, 10**6)
    bad = saved(payload, FAKE_CHECKSUM)
    assert len(bad) < 10_000
    with pytest.raises(CheckpointError, match=NOT_PLAIN):
        checkpoint.load(bad)
    with pytest.raises(CheckpointError, match=NOT_PLAIN):
        load_run(bad, MIB, ServerLimits())


def test_refusing_a_stride_0_weight_takes_no_memory(raw, tmp_path):
    payload = payload_of(raw)
    payload["state_dict"]["rnn.weight_hh_l0"] = torch.zeros(1).expand(6000, 6000)
    growth, message = peak_growth_kib(raw, saved(payload, FAKE_CHECKSUM), tmp_path)
    assert NOT_PLAIN in message
    assert growth < 50 * 1024, f"peak memory grew by {growth / 1024:.1f} MiB"


def test_a_compressed_part_is_refused(raw):
    with pytest.raises(CheckpointError, match="is compressed"):
        load_run(deflated(raw))


def test_refusing_a_compression_bomb_takes_no_memory(raw, tmp_path):
    payload = payload_of(raw)
    payload["state_dict"]["bomb"] = torch.zeros(16 * MIB)  # 64 MiB of zeros
    bomb = deflated(saved(payload, FAKE_CHECKSUM))
    assert len(bomb) < 200_000
    growth, message = peak_growth_kib(raw, bomb, tmp_path)
    assert "is compressed" in message
    assert growth < 50 * 1024, f"peak memory grew by {growth / 1024:.1f} MiB"


def large_file_with_one_nan(raw: bytes) -> bytes:
    """About 42 MiB: six members of 256 units x 4 layers (within every limit), sound in every way
    but one NaN, in the last of its weights."""
    payload = with_config(raw, hidden_size=256, num_layers=4, members=6)
    state = dict(build_model(TrainConfig.from_dict(json.loads(payload["config"]))).state_dict())
    state[next(reversed(state))].view(-1)[-1] = math.nan
    payload["state_dict"] = state
    return saved(payload)


def scaler_of_the_wrong_length(raw: bytes) -> bytes:
    payload = payload_of(raw)
    payload["scaler"] = json.dumps({"kind": "standard", "mean": [1.0, 2.0], "scale": [1.0, 1.0]})
    return saved(payload)


JUDGED = {  # files refused once their settings, shapes, numbers or scaling are judged
    "oversized-config": (
        lambda raw: saved(with_config(raw, hidden_size=4096, num_layers=16, members=15)),
        "hidden_size is 4,096; this server allows at most 256",
    ),
    "wrong-shape": (
        lambda raw: saved(with_config(raw, hidden_size=16)),
        "rnn.weight_ih_l0 has shape [32, 1] where the settings need",
    ),
    "nan-in-a-large-file": (large_file_with_one_nan, "holds NaN or infinite numbers"),
    "wrong-scaler-length": (scaler_of_the_wrong_length, "its mean is not one finite number"),
}


@pytest.mark.parametrize("kind", JUDGED)
def test_refusing_a_file_judged_on_its_contents_takes_little_memory(raw, tmp_path, kind):
    craft, expected = JUDGED[kind]
    bad = craft(raw)
    growth, message = peak_growth_kib(raw, bad, tmp_path)
    assert expected in message
    assert growth < 50 * 1024, f"peak memory grew by {growth / 1024:.1f} MiB"
    if kind == "nan-in-a-large-file":
        assert 40 * MIB < len(bad) < 50 * MIB


def test_a_table_of_contents_of_many_tiny_parts_is_refused(raw):
    source, buffer = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for number in range(20_000):
            target.writestr(f"archive/junk/{number}", b"")
    with pytest.raises(CheckpointError, match=r"20,0\d\d parts"):
        load_run(buffer.getvalue())


def test_a_pickle_longer_than_ours_could_be_is_refused(raw):
    payload = payload_of(raw)
    payload["padding"] = [[] for _ in range(150_000)]
    with pytest.raises(CheckpointError, match="takes over 100,000 steps"):
        load_run(saved(payload))


def test_an_oversized_network_is_refused_by_the_server_limits_before_anything_is_built(
    raw, nothing_built
):
    bad = saved(with_config(raw, hidden_size=4096, num_layers=16, members=15))
    assert len(bad) < 10_000
    with pytest.raises(CheckpointError) as refused:
        load_run(bad, MIB, ServerLimits())
    assert "hidden_size is 4,096; this server allows at most 256 (FORECAST_LAB_HIDDEN_SIZE)" in (
        str(refused.value)
    )
    with pytest.raises(CheckpointError, match="weights do not match its settings"):
        load_run(bad)  # the CLI's ranges allow the settings; the weights are compared on meta


def test_weights_of_the_wrong_shape_are_refused_naming_one_before_the_network_is_built(
    raw, nothing_built
):
    bad = saved(with_config(raw, hidden_size=16))
    with pytest.raises(
        CheckpointError, match=r"rnn.weight_ih_l0 has shape \[32, 1\] where the settings need "
    ):
        load_run(bad)


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_an_extra_or_missing_weight_is_refused_naming_it(raw, nothing_built, change):
    payload = payload_of(raw)
    if change == "extra":
        payload["state_dict"]["rnn.weight_hh_l9"] = torch.zeros(32, 8)
        expected = "it has an extra weight rnn.weight_hh_l9"
    else:
        del payload["state_dict"]["head.bias"]
        expected = "it lacks head.bias"
    with pytest.raises(CheckpointError, match=expected):
        load_run(saved(payload))


def test_two_weights_sharing_one_storage_are_refused(raw):
    payload = payload_of(raw)
    shared = torch.zeros(32)
    payload["state_dict"]["rnn.bias_ih_l0"] = shared.view(32)
    payload["state_dict"]["rnn.bias_hh_l0"] = shared.view(32)
    with pytest.raises(CheckpointError, match="shares its storage with"):
        load_run(saved(payload))


def test_a_weight_viewing_part_of_a_larger_storage_is_refused(raw):
    payload = payload_of(raw)
    payload["state_dict"]["head.bias"] = torch.zeros(100)[10:14]
    with pytest.raises(CheckpointError, match=f"'head.bias' {NOT_PLAIN}.*view"):
        load_run(saved(payload))


@pytest.mark.parametrize("value", [math.nan, math.inf], ids=["nan", "inf"])
def test_a_weight_that_is_not_finite_is_refused(raw, value):
    payload = payload_of(raw)
    payload["state_dict"]["head.bias"][0] = value
    with pytest.raises(CheckpointError, match=r"'head\.bias' holds NaN or infinite numbers"):
        load_run(saved(payload))


@pytest.mark.parametrize(
    ("scaler", "expected"),
    [
        ({"kind": "standard", "mean": [1.0, 2.0], "scale": [1.0, 1.0]}, "mean is not one"),
        ({"kind": "standard", "mean": 1.0, "scale": [1.0]}, "scale is not one"),
        ({"kind": "minmax", "min": 0.0, "max": [1.0, 2.0]}, "max is not one"),
    ],
    ids=["standard-two", "scale-list", "minmax-two"],
)
def test_a_scaler_of_the_wrong_length_is_refused(raw, scaler, expected):
    payload = payload_of(raw)
    payload["scaler"] = json.dumps(scaler)
    with pytest.raises(CheckpointError, match=f"scaling is damaged: its {expected} finite"):
        load_run(saved(payload))


@pytest.mark.parametrize(
    ("scaler", "expected"),
    [
        ({"kind": "standard", "mean": 1.0, "scale": 0.0}, "its scale is 0.0, and a scale must"),
        ({"kind": "standard", "mean": 1.0, "scale": -2.0}, "its scale is -2.0, and a scale must"),
        ({"kind": "standard", "mean": math.nan, "scale": 1.0}, "its mean is not one finite"),
        ({"kind": "minmax", "min": 0.0, "max": math.inf}, "its max is not one finite"),
    ],
    ids=["zero-scale", "negative-scale", "nan-mean", "infinite-max"],
)
def test_a_zero_scale_or_a_scaler_that_is_not_finite_is_refused(raw, scaler, expected):
    payload = payload_of(raw)
    payload["scaler"] = json.dumps(scaler)
    with pytest.raises(CheckpointError, match=expected):
        load_run(saved(payload))


def test_a_name_outside_the_allowlist_is_refused_even_one_torch_would_load(raw):
    payload = payload_of(raw)
    payload["device"] = torch.device("cpu")
    bad = saved(payload)
    assert payload_of(bad)["device"] == torch.device("cpu")  # torch's weights_only allows it
    with pytest.raises(CheckpointError, match=r"refers to code \('torch.device'\)"):
        load_run(bad)


def test_a_file_over_the_size_cap_is_refused_unread(raw, tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    path.write_bytes(raw)
    cap = len(raw) - 1
    with pytest.raises(CheckpointError, match=f"opens checkpoints of at most {cap:,} bytes"):
        load_run(raw, cap)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(CheckpointError, match=f"is {len(raw):,} bytes"):
        load_run(path, cap, ServerLimits())


def test_a_checkpoint_trained_on_cuda_opens_on_auto_here_and_says_so(raw, series, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    opened = open_run(saved(with_config(raw, device="cuda")), MIB, ServerLimits())
    assert opened.run.config.device == "auto"
    [note] = opened.notes
    assert "trained on a CUDA GPU" in note and "device set to auto" in note
    assert choose_device(opened.run.config.device).type == "cpu"
    assert backtest(series, opened.run.config, folds=1) is not None
    assert open_run(raw).notes == ()


def test_the_forecast_page_explains_each_refusal_and_the_device_it_changed(
    raw, series, monkeypatch
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state[state.SERIES] = series
    app.session_state[state.DATASET] = state.Dataset("Sine", "synthetic")
    put_run(app, summarize(load_run(raw), series, "LSTM #1", "Sine"))
    app.run()
    app.switch_page("app_pages/forecast.py").run()
    huge = payload_of(raw)
    huge["state_dict"]["rnn.weight_hh_l0"] = torch.zeros(1).expand(10**6, 10**6)
    oversized = with_config(raw, hidden_size=4096, num_layers=16, members=15)
    refused = [
        (saved(huge, FAKE_CHECKSUM), NOT_PLAIN),
        (deflated(raw), "is compressed"),
        (saved(oversized), "hidden_size is 4,096; this server allows at most 256"),
    ]
    for number, (content, expected) in enumerate(refused):
        upload = (f"crafted{number}.pt", content, "application/octet-stream")
        app.file_uploader(key="apply-upload").set_value(upload).run()
        assert not app.exception
        assert expected in app.error[0].value.replace("\\", "")
    cuda = ("cuda.pt", saved(with_config(raw, device="cuda")), "application/octet-stream")
    app.file_uploader(key="apply-upload").set_value(cuda).run()
    assert not app.exception
    [note] = [info.value for info in app.info if info.value.startswith("Applied cuda")]
    assert "trained on a CUDA GPU" in note and "device set to auto" in note.replace("\\", "")
    assert kept(app)[-1].run.config.device == "auto"
