"""models.checkpoint and forecasting.persist: a run saved, loaded back, and bad files refused."""

from __future__ import annotations

import io
import json
import pickle
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from data.prepare import from_array
from data.windows import scale, scaler_to_dict
from forecasting.config import TrainConfig
from forecasting.persist import load_run, run_to_bytes, save_run
from forecasting.predict import forecast_from, future
from forecasting.train import fit
from models import checkpoint
from models.checkpoint import FORMAT, REQUIRED, VERSION, CheckpointError, _checksum

NOT_OURS = "This file is not a Forecast Lab checkpoint"
CHANGED = re.escape("This checkpoint was changed after it was saved (its checksum does not match)")


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    steps = np.arange(120)
    return from_array(10.0 + 3.0 * np.sin(2 * np.pi * steps / 12) + rng.normal(0, 0.2, 120))


@pytest.fixture(scope="module")
def run(series):
    config = TrainConfig(
        window=12,
        horizon=4,
        hidden_size=8,
        epochs=3,
        batch_size=16,
        device="cpu",
        seed=1,
        members=1,
    )
    return fit(series, config)


@pytest.fixture(scope="module")
def raw(run) -> bytes:
    return run_to_bytes(run)


def payload_of(raw: bytes) -> dict:
    return torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)


def saved(payload: dict, keep_checksum: bool = False) -> bytes:
    """The payload as a file's bytes, its checksum recomputed unless told to keep the old one."""
    if not keep_checksum:
        payload["checksum"] = _checksum(payload)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def all_predictions(run, series) -> np.ndarray:
    starts = np.arange(run.config.window, len(series) + 1)
    return forecast_from(run, series.values, starts)


def assert_same_run(loaded, run, series) -> None:
    assert loaded.config == run.config
    assert scaler_to_dict(loaded.scaler) == scaler_to_dict(run.scaler)
    np.testing.assert_array_equal(
        scale(loaded.scaler, series.values), scale(run.scaler, series.values)
    )
    assert loaded.history == run.history and len(loaded.history) == 3
    assert (loaded.train_end, loaded.val_end) == (run.train_end, run.val_end)
    assert loaded.fingerprint == run.fingerprint == series.fingerprint()
    assert (loaded.best_epoch, loaded.stop_reason) == (run.best_epoch, run.stop_reason)
    assert loaded.seconds == run.seconds
    assert not loaded.model.training
    np.testing.assert_array_equal(all_predictions(loaded, series), all_predictions(run, series))


def test_a_saved_run_loads_back_the_same(run, series, tmp_path):
    path = save_run(run, tmp_path / "run.pt")
    assert path == tmp_path / "run.pt" and path.is_file()
    loaded = load_run(path)
    assert_same_run(loaded, run, series)
    ahead, ahead_loaded = future(run, series), future(loaded, series)
    np.testing.assert_array_equal(ahead_loaded.mean, ahead.mean)
    for level in ahead.levels:
        np.testing.assert_array_equal(ahead_loaded.lower(level), ahead.lower(level))
        np.testing.assert_array_equal(ahead_loaded.upper(level), ahead.upper(level))
    assert ahead_loaded.index.equals(ahead.index)


def test_a_run_round_trips_through_bytes(run, series, raw):
    assert_same_run(load_run(raw), run, series)


def test_loaded_weights_equal_the_trained_ones(run, raw):
    state = checkpoint.load(raw).state_dict
    assert state.keys() == run.model.state_dict().keys()
    for name, tensor in run.model.state_dict().items():
        assert torch.equal(state[name], tensor), name


def test_checkpoint_keeps_its_settings_and_library_versions(run, raw):
    loaded = checkpoint.load(raw)
    assert loaded.config == run.config.to_dict()
    assert loaded.scaler == scaler_to_dict(run.scaler)
    assert loaded.meta["versions"] == checkpoint.library_versions()
    assert loaded.meta["train_end"] == run.train_end


def test_a_missing_file_is_reported_by_name(tmp_path):
    missing = tmp_path / "nowhere.pt"
    with pytest.raises(CheckpointError, match=f"Checkpoint not found: {missing}"):
        checkpoint.load(missing)


@pytest.mark.parametrize(
    "content",
    [
        np.random.default_rng(3).bytes(4096),
        b"date,value\n2020-01-01,1\n2020-01-02,2\n",
        b"",
    ],
    ids=["random-bytes", "csv-text", "empty"],
)
def test_files_that_are_not_checkpoints_are_refused(content, tmp_path):
    path = tmp_path / "upload.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=NOT_OURS):
        checkpoint.load(path)
    with pytest.raises(CheckpointError, match=NOT_OURS):
        load_run(content)


def test_a_torch_file_without_our_format_marker_is_refused(run):
    buffer = io.BytesIO()
    torch.save({"state_dict": run.model.state_dict(), "config": "{}"}, buffer)
    with pytest.raises(CheckpointError, match=f"^{NOT_OURS}. Upload a .pt file"):
        checkpoint.load(buffer.getvalue())


def test_a_plain_state_dict_is_refused(run):
    buffer = io.BytesIO()
    torch.save(run.model.state_dict(), buffer)
    with pytest.raises(CheckpointError, match=NOT_OURS):
        load_run(buffer.getvalue())


def test_one_byte_flipped_in_the_weights_is_refused(run, raw):
    weight = run.model.state_dict()["rnn.weight_hh_l0"].numpy().tobytes()
    start = raw.find(weight)
    assert start > 0 and raw.count(weight) == 1
    damaged = bytearray(raw)
    damaged[start + len(weight) // 2] ^= 0xFF
    with pytest.raises(CheckpointError, match=CHANGED):
        checkpoint.load(bytes(damaged))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_any_bit_flipped_in_the_pickled_part_is_refused_or_harmless(raw):
    """A damaged file may load only when what it holds is unchanged (a flip in a memo index)."""
    original = checkpoint.load(raw)
    record = zipfile.ZipFile(io.BytesIO(raw)).getinfo("archive/data.pkl")
    name_length, extra_length = struct.unpack_from("<HH", raw, record.header_offset + 26)
    start = record.header_offset + 30 + name_length + extra_length  # the local header's end
    assert raw[start : start + 1] == b"\x80"  # the pickle's PROTO opcode
    for position in range(start, start + record.file_size):
        damaged = bytearray(raw)
        damaged[position] ^= 0x01
        try:
            loaded = checkpoint.load(bytes(damaged))
        except CheckpointError:
            continue
        assert (loaded.config, loaded.scaler) == (original.config, original.scaler), position
        assert all(torch.equal(loaded.state_dict[k], v) for k, v in original.state_dict.items())


def test_a_weight_changed_under_the_old_checksum_is_refused(raw):
    payload = payload_of(raw)
    payload["state_dict"]["head.bias"] = payload["state_dict"]["head.bias"] + 0.5
    with pytest.raises(CheckpointError, match=CHANGED):
        checkpoint.load(saved(payload, keep_checksum=True))


def test_settings_changed_under_the_old_checksum_are_refused(raw):
    payload = payload_of(raw)
    payload["config"] = payload["config"].replace('"epochs": 3', '"epochs": 4')
    assert '"epochs": 4' in payload["config"]
    with pytest.raises(CheckpointError, match=CHANGED):
        checkpoint.load(saved(payload, keep_checksum=True))


def test_weights_whose_shapes_do_not_fit_the_settings_are_refused(raw):
    payload = payload_of(raw)
    config = json.loads(payload["config"])
    payload["config"] = json.dumps({**config, "hidden_size": 16}, sort_keys=True)
    resaved = saved(payload)
    assert checkpoint.load(resaved).config["hidden_size"] == 16  # intact as a file
    with pytest.raises(CheckpointError, match="weights do not match its settings"):
        load_run(resaved)


def test_weights_with_a_missing_tensor_are_refused(raw):
    payload = payload_of(raw)
    del payload["state_dict"]["head.bias"]
    with pytest.raises(CheckpointError, match="weights do not match its settings"):
        load_run(saved(payload))


def test_a_newer_format_version_is_refused(raw):
    payload = payload_of(raw)
    payload["version"] = VERSION + 1
    with pytest.raises(
        CheckpointError,
        match=f"has format version {VERSION + 1}; this Forecast Lab reads version {VERSION}",
    ):
        checkpoint.load(saved(payload))


@pytest.mark.parametrize("key", [key for key in REQUIRED if key != "format"])
def test_a_checkpoint_missing_a_key_is_refused_naming_it(raw, key):
    payload = payload_of(raw)
    del payload[key]
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    with pytest.raises(CheckpointError, match=f"incomplete: it lacks {key}"):
        checkpoint.load(buffer.getvalue())


def test_weights_that_are_not_tensors_are_refused(raw):
    payload = payload_of(raw)
    payload["state_dict"]["head.bias"] = [0.0, 0.0, 0.0, 0.0]
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    with pytest.raises(CheckpointError, match="its weights are not"):
        checkpoint.load(buffer.getvalue())


@pytest.mark.parametrize(
    "change",
    [
        lambda t: torch.nn.Parameter(t.clone()),
        lambda t: t.to(torch.bfloat16),
        lambda t: t.to(torch.float64),
        lambda t: t.to_sparse(),
    ],
    ids=["requires-grad", "bfloat16", "float64", "sparse"],
)
def test_weights_that_are_not_plain_float32_tensors_are_refused(raw, change):
    payload = payload_of(raw)
    payload["state_dict"]["head.bias"] = change(payload["state_dict"]["head.bias"])
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    with pytest.raises(CheckpointError, match="its weights are not"):
        checkpoint.load(buffer.getvalue())


@pytest.mark.parametrize("field", ["config", "scaler", "meta"])
@pytest.mark.parametrize("text", ["not json", "[]", "3"])
def test_settings_that_are_not_json_objects_are_refused(raw, field, text):
    payload = payload_of(raw)
    payload[field] = text
    with pytest.raises(CheckpointError, match="its settings cannot be read"):
        load_run(saved(payload))


def test_settings_out_of_range_are_refused_naming_the_setting(raw):
    payload = payload_of(raw)
    config = json.loads(payload["config"])
    payload["config"] = json.dumps({**config, "hidden_size": 0}, sort_keys=True)
    with pytest.raises(CheckpointError, match="settings are not valid: hidden_size must be"):
        load_run(saved(payload))


def test_a_description_without_the_split_is_refused(raw):
    payload = payload_of(raw)
    meta = json.loads(payload["meta"])
    del meta["train_end"]
    payload["meta"] = json.dumps(meta, sort_keys=True)
    with pytest.raises(CheckpointError, match="description is incomplete"):
        load_run(saved(payload))


class CreatesFile:
    """Unpickling this object opens (and so creates) a file: code run by loading."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def malicious_torch_file(marker: Path) -> bytes:
    payload = {"format": FORMAT, "version": VERSION, "state_dict": {}, "hook": CreatesFile(marker)}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def malicious_pickle(marker: Path) -> bytes:
    return pickle.dumps({"format": FORMAT, "version": VERSION, "hook": CreatesFile(marker)})


def careless_torch_load(content: bytes) -> object:
    return torch.load(io.BytesIO(content), weights_only=False)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize(
    ("make", "careless_load"),
    [(malicious_torch_file, careless_torch_load), (malicious_pickle, pickle.loads)],
    ids=["torch-save", "pickle"],
)
def test_a_file_that_would_run_code_is_refused_without_running_it(make, careless_load, tmp_path):
    marker = tmp_path / "pwned.txt"
    content = make(marker)
    careless_load(content)["hook"].close()
    assert marker.exists()  # the payload does run code when unpickled carelessly
    marker.unlink()
    path = tmp_path / "upload.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=NOT_OURS):
        checkpoint.load(path)
    with pytest.raises(CheckpointError, match=NOT_OURS):
        load_run(content)
    assert not marker.exists()


def test_an_ensemble_with_window_scaling_round_trips(series):
    config = TrainConfig(
        window=12,
        horizon=4,
        hidden_size=8,
        epochs=2,
        batch_size=16,
        members=3,
        window_scale=True,
        loss="mae",
    )
    trained = fit(series, config)
    loaded = load_run(run_to_bytes(trained))
    assert loaded.config == config
    np.testing.assert_allclose(future(loaded, series).mean, future(trained, series).mean, rtol=1e-6)


def test_a_checkpoint_saved_before_ensembles_loads_as_the_single_mse_model_it_was(series):
    old_settings = {"members", "window_scale", "loss", "epoch_windows", "linear"}
    config = TrainConfig(
        window=12,
        horizon=4,
        hidden_size=8,
        epochs=2,
        members=1,
        window_scale=False,
        loss="mse",
        linear=False,
    )
    trained = fit(series, config)
    saved = checkpoint.load(run_to_bytes(trained))
    legacy = {key: value for key, value in saved.config.items() if key not in old_settings}
    older = checkpoint.Checkpoint(legacy, saved.scaler, saved.state_dict, saved.meta)
    loaded = load_run(checkpoint.to_bytes(older))
    assert (loaded.config.members, loaded.config.window_scale, loaded.config.loss) == (
        1,
        False,
        "mse",
    )
    assert loaded.config.linear is False
    np.testing.assert_array_equal(future(loaded, series).mean, future(trained, series).mean)


@pytest.fixture(scope="module")
def every_step():
    """A run that read every step of a window an automatic pool would halve, and its file."""
    series = from_array(10.0 + np.sin(np.arange(200) / 5))
    config = TrainConfig(window=60, horizon=4, hidden_size=8, epochs=1, members=1, pool=1)
    trained = fit(series, config)
    return series, trained, checkpoint.load(run_to_bytes(trained))


def test_a_checkpoint_saved_before_pools_loads_reading_every_step(every_step):
    series, trained, saved = every_step
    legacy = {key: value for key, value in saved.config.items() if key != "pool"}
    older = checkpoint.Checkpoint(legacy, saved.scaler, saved.state_dict, saved.meta)
    loaded = load_run(checkpoint.to_bytes(older))
    assert loaded.config.pool_length == 1 and trained.config.with_changes(pool=0).pool_length == 2
    np.testing.assert_array_equal(future(loaded, series).mean, future(trained, series).mean)


def test_a_checkpoint_keeps_the_pool_it_trained_with_should_the_automatic_rule_change(every_step):
    series, trained, saved = every_step
    assert saved.meta["pool"] == 1
    automatic = {**saved.config, "pool": 0}  # as if saved automatic, under a rule that gave 1
    moved = checkpoint.Checkpoint(automatic, saved.scaler, saved.state_dict, saved.meta)
    loaded = load_run(checkpoint.to_bytes(moved))
    assert loaded.config.pool_length == 1 and loaded.config.with_changes(pool=0).pool_length == 2
    np.testing.assert_array_equal(future(loaded, series).mean, future(trained, series).mean)
    broken = checkpoint.Checkpoint(saved.config, saved.scaler, saved.state_dict, {"pool": "x"})
    with pytest.raises(CheckpointError, match="pool must be a whole number"):
        load_run(checkpoint.to_bytes(broken))
