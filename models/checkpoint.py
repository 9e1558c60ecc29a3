"""Save a run as one file and load it back safely: tensors and plain values only, never code.

A file is judged before anything in it is trusted. Its zip directory is read here, not by torch;
the pickle that describes its tensors is read by an unpickler that knows a few names and builds
placeholders instead of tensors; every weight must be a plain float32 array filling a storage of
its own, and the checksum must match. Only then, and only when asked, are the weights judged
finite where they lie in the file, and copied out.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import pickle
import pickletools
import platform
import struct
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import numpy as np
import torch

FORMAT = "forecast-lab-checkpoint"
VERSION = 1
APP_VERSION = "0.1.0"
REQUIRED = ("format", "version", "config", "scaler", "state_dict", "meta", "checksum")
MIB = 1024 * 1024
SETTINGS_BYTES = 32 * MIB  # data.pkl: the settings, the history and the weights' descriptions
PICKLE_OPS = 100_000  # a network of 15 members of 16 layers is described in about 36,000
DIRECTORY_BYTES = MIB  # the zip's table of contents: about 70 bytes a part
PARTS = 10_000  # parts in the zip: one a weight (about 1,000 at most) and a few more
MAX_DIM = 2**40
FINITE_CHUNK = 1 << 18  # numbers judged finite at once: a mask of 256 KiB, whatever the weight
NOT_OURS = "This file is not a Forecast Lab checkpoint"
UPLOAD = "Upload a .pt file saved by Forecast Lab."
RESAVE = "Save the model again from Forecast Lab and use that file."
STORAGES = {
    "FloatStorage": torch.float32,
    "DoubleStorage": torch.float64,
    "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16,
    "LongStorage": torch.int64,
    "IntStorage": torch.int32,
    "ShortStorage": torch.int16,
    "CharStorage": torch.int8,
    "ByteStorage": torch.uint8,
    "BoolStorage": torch.bool,
}
# What torch.save writes for our payload: no BUILD, no object construction, no copies made.
# fmt: off
PICKLE_OPCODES = frozenset({
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",  # framing and the stack
    "NONE", "NEWTRUE", "NEWFALSE", "BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT",  # values
    "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",  # text
    "EMPTY_DICT", "EMPTY_LIST", "EMPTY_TUPLE", "DICT", "LIST", "TUPLE", "TUPLE1", "TUPLE2",
    "TUPLE3", "APPEND", "APPENDS", "SETITEM", "SETITEMS",  # containers
    "GLOBAL", "STACK_GLOBAL", "REDUCE", "BINPERSID",  # names (see GLOBALS) and storages
    "BINPUT", "LONG_BINPUT", "MEMOIZE", "BINGET", "LONG_BINGET",  # the memo
})
# fmt: on


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint of ours; the message says why."""


@dataclass
class Checkpoint:
    """What a checkpoint file holds, as plain values."""

    config: dict[str, Any]
    scaler: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Examined:
    """A checkpoint judged intact from its description alone: no tensor has been built yet."""

    config: dict[str, Any]
    scaler: dict[str, Any]
    meta: dict[str, Any]
    shapes: dict[str, tuple[int, ...]]  # every weight, all plain float32 arrays
    raw: bytes = field(repr=False)
    spans: dict[str, tuple[int, int]] = field(repr=False)  # where each weight's bytes lie in raw

    def weights(self) -> dict[str, torch.Tensor]:
        """The weights, copied out of the file once every one is judged finite."""
        self.check_finite()
        view = memoryview(self.raw)
        return {
            name: torch.from_numpy(
                np.frombuffer(view[start:end], dtype="<f4").astype(np.float32)
            ).reshape(self.shapes[name])
            for name, (start, end) in self.spans.items()
        }

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.config, self.scaler, self.weights(), self.meta)

    def check_finite(self) -> None:
        """CheckpointError naming the first weight that holds NaN or infinity, judged on the
        file's own bytes a chunk at a time: refusing a file copies none of its weights."""
        view = memoryview(self.raw)
        for name, (start, end) in self.spans.items():
            numbers = np.frombuffer(view[start:end], dtype="<f4")  # a view: nothing copied
            chunks = range(0, len(numbers), FINITE_CHUNK)
            if not all(np.isfinite(numbers[at : at + FINITE_CHUNK]).all() for at in chunks):
                raise CheckpointError(
                    f"This checkpoint's weight {_short(name)} holds NaN or infinite numbers, so "
                    "its forecasts would be meaningless. Train the model again (a lower "
                    "learning rate may help)."
                )


def library_versions() -> dict[str, str]:
    return {
        "forecast_lab": APP_VERSION,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def to_bytes(checkpoint: Checkpoint) -> bytes:
    state = {
        key: tensor.detach().cpu().contiguous() for key, tensor in checkpoint.state_dict.items()
    }
    meta = {**checkpoint.meta, "versions": library_versions()}
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "config": json.dumps(checkpoint.config, sort_keys=True),
        "scaler": json.dumps(checkpoint.scaler, sort_keys=True),
        "meta": json.dumps(meta, sort_keys=True),
        "state_dict": state,
    }
    payload["checksum"] = _checksum(payload)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def save(checkpoint: Checkpoint, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(to_bytes(checkpoint))
    return path


def load(
    source: str | Path | bytes,
    max_bytes: int | None = None,
    max_settings_bytes: int = SETTINGS_BYTES,
) -> Checkpoint:
    """Read a checkpoint, refusing anything that is not an intact file of ours."""
    return examine(source, max_bytes, max_settings_bytes).checkpoint()


def examine(
    source: str | Path | bytes,
    max_bytes: int | None = None,
    max_settings_bytes: int = SETTINGS_BYTES,
) -> Examined:
    """A checkpoint judged without building a tensor: a file of at most `max_bytes`, whose
    settings take at most `max_settings_bytes`, every weight a plain float32 array, intact."""
    raw = _read(source, max_bytes)
    parts = _parts(raw)
    prefix, payload = _unpickled(raw, parts, max_settings_bytes)
    _check_payload(payload)
    state = payload["state_dict"]
    spans = _weight_spans(state, parts, prefix)
    view = memoryview(raw)
    if payload["checksum"] != _checksum(payload, lambda name: view[slice(*spans[name])]):
        raise CheckpointError(
            "This checkpoint was changed after it was saved (its checksum does not match), "
            "so it is not loaded."
        )
    config, scaler, meta = (_settings(payload[key]) for key in ("config", "scaler", "meta"))
    shapes = {name: record.shape for name, record in state.items()}
    return Examined(config, scaler, meta, shapes, raw, spans)


def _read(source: str | Path | bytes, max_bytes: int | None) -> bytes:
    if isinstance(source, bytes):
        _check_size(len(source), max_bytes)
        return source
    path = Path(source)
    if not path.is_file():
        raise CheckpointError(f"Checkpoint not found: {path}.")
    _check_size(path.stat().st_size, max_bytes)
    return path.read_bytes()


def _check_size(size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise CheckpointError(
            f"This checkpoint is {_amount(size)}; this server opens checkpoints of at most "
            f"{_amount(max_bytes)}. Use the checkpoint of a smaller network (fewer units, "
            "layers or members)."
        )


def _amount(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size >= MIB else f"{size:,} bytes"


def _unreadable() -> CheckpointError:
    return CheckpointError(f"{NOT_OURS} (it cannot be read as one). {UPLOAD}")


def _packed(detail: str) -> CheckpointError:
    return CheckpointError(
        f"This checkpoint is packed in a way Forecast Lab never writes ({detail}), so it is not "
        f"opened. {RESAVE}"
    )


# the zip archive, read by hand where it matters


class _Part(NamedTuple):
    """Where one part's bytes lie in the file."""

    start: int
    end: int


def _parts(raw: bytes) -> dict[str, _Part]:
    """Every part of the zip `raw`, stored as torch.save stores them: uncompressed, apart."""
    _check_directory(raw)
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except Exception as err:  # zipfile fails on a damaged directory in many ways
        raise _unreadable() from err
    if len(infos) > PARTS:
        raise _packed(f"{len(infos):,} parts")
    parts: dict[str, _Part] = {}
    taken: list[tuple[int, int]] = []
    for info in infos:
        if info.filename in parts:
            raise _packed(f"two parts named {_short(info.filename)}")
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise _packed(f"its part {_short(info.filename)} is compressed or encrypted")
        if info.file_size != info.compress_size:
            raise _packed(f"the sizes of its part {_short(info.filename)} do not add up")
        start = _data_start(raw, info)
        parts[info.filename] = _Part(start, start + info.file_size)
        taken.append((info.header_offset, start + info.file_size))
    taken.sort()
    if any(end > len(raw) for _, end in taken) or any(
        later[0] < earlier[1] for earlier, later in itertools.pairwise(taken)
    ):
        raise _packed("the sizes of its parts do not add up: they overlap or overrun the file")
    return parts


def _check_directory(raw: bytes) -> None:
    """Refuse a table of contents that would take much memory to read (a bomb of tiny parts).

    Finds the end record as zipfile does, and the zip64 record that may stand before it."""
    tail = raw[-22:]
    if len(tail) == 22 and tail[:4] == b"PK\x05\x06" and tail[-2:] == b"\x00\x00":
        end = len(raw) - 22
    else:
        end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 22 - 65535))
    if end < 0 or end + 22 > len(raw):
        raise _unreadable()
    *_, count, size, _, _ = struct.unpack_from("<4s4H2LH", raw, end)
    counts, sizes = [count], [size]
    if end >= 20 and raw[end - 20 : end - 16] == b"PK\x06\x07":
        located = struct.unpack_from("<4sLQL", raw, end - 20)[2]
        for start in {end - 20 - 56, located}:
            if 0 <= start <= len(raw) - 56 and raw[start : start + 4] == b"PK\x06\x06":
                *_, count64, size64, _ = struct.unpack_from("<4sQ2H2L4Q", raw, start)
                counts.append(count64)
                sizes.append(size64)
    if max(counts) > PARTS or max(sizes) > DIRECTORY_BYTES:
        raise _packed(f"a table of contents of {max(counts):,} parts in {max(sizes):,} bytes")


def _data_start(raw: bytes, info: zipfile.ZipInfo) -> int:
    """Where a stored part's bytes begin: after its local header, read here, not trusted."""
    offset = info.header_offset
    if offset < 0 or offset + 30 > len(raw) or raw[offset : offset + 4] != b"PK\x03\x04":
        raise _unreadable()
    _, _, _, method, *_, name_length, extra_length = struct.unpack_from("<4s5H3L2H", raw, offset)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    name = raw[offset + 30 : offset + 30 + name_length]
    if method != zipfile.ZIP_STORED:
        raise _packed(f"its part {_short(info.filename)} is compressed")
    if name != info.orig_filename.encode(encoding, errors="replace"):
        raise _packed(f"its part {_short(info.filename)} is named twice differently")
    return offset + 30 + name_length + extra_length


# the pickle, read into placeholders


class _StorageType(NamedTuple):
    dtype: torch.dtype


class _Storage(NamedTuple):
    """Where a tensor's elements lie, as the pickle says: nothing read, nothing allocated."""

    key: str
    dtype: torch.dtype
    numel: int


class _Tensor(NamedTuple):
    """A tensor as the pickle describes it."""

    storage: _Storage | None
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]
    kind: str  # "tensor", "parameter" or "sparse"
    requires_grad: bool

    @property
    def dtype(self) -> torch.dtype | None:
        return self.storage.dtype if self.storage else None


def _dims(values: object) -> tuple[int, ...]:
    if not isinstance(values, tuple) or len(values) > 8:
        raise ValueError("not a shape")
    if not all(type(value) is int and 0 <= value <= MAX_DIM for value in values):
        raise ValueError("not a shape")
    return values


def _tensor(storage, offset, shape, stride, requires_grad, hooks=None, metadata=None) -> _Tensor:
    if not isinstance(storage, _Storage) or type(offset) is not int or not 0 <= offset <= MAX_DIM:
        raise ValueError("not a tensor")
    shape, stride = _dims(shape), _dims(stride)
    if len(shape) != len(stride):
        raise ValueError("not a tensor")
    return _Tensor(storage, offset, shape, stride, "tensor", requires_grad is True)


def _parameter(data, requires_grad, hooks=None, state=None) -> _Tensor:
    if not isinstance(data, _Tensor):
        raise ValueError("not a tensor")
    return data._replace(kind="parameter", requires_grad=requires_grad is True)


def _sparse(*args) -> _Tensor:
    return _Tensor(None, 0, (), (), "sparse", False)


def _layout(name) -> str:
    if not isinstance(name, str) or len(name) > 32:
        raise ValueError("not a layout")
    return name


def _ordered_dict(*args) -> OrderedDict:
    if args:
        raise ValueError("an OrderedDict is only ever built empty, then filled")
    return OrderedDict()


GLOBALS: dict[tuple[str, str], object] = {
    ("torch._utils", "_rebuild_tensor_v2"): _tensor,
    ("torch._utils", "_rebuild_parameter"): _parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _parameter,
    ("torch._utils", "_rebuild_sparse_tensor"): _sparse,
    ("torch.serialization", "_get_layout"): _layout,
    ("torch", "Size"): _dims,
    ("collections", "OrderedDict"): _ordered_dict,
    **{("torch", name): _StorageType(dtype) for name, dtype in STORAGES.items()},
}
"""The names a checkpoint's pickle may use, each mapped to something that builds nothing big."""


class _Unpickler(pickle.Unpickler):
    """Reads data.pkl into plain values and placeholders: no code run, no tensor allocated."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> object:
        found = GLOBALS.get((module, name))
        if found is None:
            raise CheckpointError(
                f"{NOT_OURS}: it refers to code ({_short(f'{module}.{name}')}), which a "
                f"checkpoint never does, so it is not opened. {UPLOAD}"
            )
        return found

    def persistent_load(self, pid: object) -> _Storage:
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise ValueError("not a storage")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, _StorageType) or not isinstance(key, str) or len(key) > 32:
            raise ValueError("not a storage")
        if type(numel) is not int or not 0 <= numel <= MAX_DIM:
            raise ValueError("not a storage")
        storage = self.storages.setdefault(key, _Storage(key, kind.dtype, numel))
        if storage != (key, kind.dtype, numel):
            raise ValueError("one storage described two ways")
        return storage


def _unpickled(raw: bytes, parts: dict[str, _Part], max_settings_bytes: int) -> tuple[str, Any]:
    """The archive's folder name and its data.pkl, read into placeholders."""
    prefix = next(iter(parts), "").split("/")[0]
    part = parts.get(f"{prefix}/data.pkl")
    if part is None or not all(name.startswith(f"{prefix}/") for name in parts):
        raise _unreadable()
    order = parts.get(f"{prefix}/byteorder")
    if order is not None and raw[order.start : order.end] != b"little":
        raise _packed("it was saved with big-endian numbers")
    size = part.end - part.start
    if size > max_settings_bytes:
        raise CheckpointError(
            f"This checkpoint's settings and history take {_amount(size)}; this server reads "
            f"at most {_amount(max_settings_bytes)}. {RESAVE}"
        )
    data = raw[part.start : part.end]
    _check_opcodes(data)
    try:
        return prefix, _Unpickler(data).load()
    except CheckpointError:
        raise
    except Exception as err:  # a damaged pickle fails in any of many ways, all of them ours
        raise _unreadable() from err


def _check_opcodes(data: bytes) -> None:
    """Refuse a pickle longer than ours could be, or using operations torch.save never writes."""
    try:
        for count, (opcode, _, _) in enumerate(pickletools.genops(data)):
            if count >= PICKLE_OPS:
                raise _packed(f"its description takes over {PICKLE_OPS:,} steps")
            if opcode.name not in PICKLE_OPCODES:
                raise CheckpointError(f"{NOT_OURS}. {UPLOAD}")
    except CheckpointError:
        raise
    except Exception as err:
        raise _unreadable() from err


# what the payload holds


def _check_payload(payload: object) -> None:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{NOT_OURS}. {UPLOAD}")
    missing = [key for key in REQUIRED if key not in payload]
    if missing:
        raise CheckpointError(f"This checkpoint is incomplete: it lacks {', '.join(missing)}.")
    version = payload["version"]
    if version != VERSION:
        shown = version if type(version) is int and abs(version) < 10**9 else "unknown"
        raise CheckpointError(
            f"This checkpoint has format version {shown}; this Forecast Lab reads version "
            f"{VERSION}."
        )
    state = payload["state_dict"]
    if not isinstance(state, dict) or not all(_is_weight(k, v) for k, v in state.items()):
        raise CheckpointError("This checkpoint is damaged: its weights are not float32 tensors.")
    if not all(isinstance(payload[key], str) for key in ("config", "scaler", "meta", "checksum")):
        raise CheckpointError("This checkpoint is damaged: its settings cannot be read.")


def _is_weight(name: object, tensor: object) -> bool:
    """A named, plain float32 tensor, as `to_bytes` writes them."""
    return (
        isinstance(name, str)
        and isinstance(tensor, _Tensor)
        and tensor.kind == "tensor"
        and tensor.dtype == torch.float32
        and not tensor.requires_grad
    )


def _weight_spans(
    state: dict[str, _Tensor], parts: dict[str, _Part], prefix: str
) -> dict[str, tuple[int, int]]:
    """Where each weight's bytes lie: each a contiguous array filling a storage of its own."""
    spans: dict[str, tuple[int, int]] = {}
    owners: dict[str, str] = {}
    for name, tensor in state.items():
        storage = tensor.storage
        numel = math.prod(tensor.shape)
        if tensor.offset != 0 or tensor.stride != _contiguous(tensor.shape, tensor.stride):
            _laid_out_badly(name, "it is an offset, strided or expanded view into other data")
        if storage.numel != numel:
            _laid_out_badly(name, f"its storage holds {storage.numel:,} numbers, not {numel:,}")
        if storage.key in owners:
            _laid_out_badly(name, f"it shares its storage with {_short(owners[storage.key])}")
        owners[storage.key] = name
        part = parts.get(f"{prefix}/data/{storage.key}")
        if part is None:
            _laid_out_badly(name, "its numbers are missing from the file")
        if part.end - part.start != numel * 4:
            _laid_out_badly(
                name, f"the file holds {part.end - part.start:,} bytes of it, not {numel * 4:,}"
            )
        spans[name] = (part.start, part.end)
    return spans


def _contiguous(shape: tuple[int, ...], stride: tuple[int, ...]) -> tuple[int, ...]:
    """The strides of a row-major array of `shape`; any stride is fine along a dimension of 1."""
    expected, step = [], 1
    for size, given in zip(reversed(shape), reversed(stride), strict=True):
        expected.append(given if size == 1 else step)
        step *= size
    return tuple(reversed(expected))


def _laid_out_badly(name: str, why: str) -> NoReturn:
    raise CheckpointError(
        f"This checkpoint's weight {_short(name)} is not stored as a plain array of its own: "
        f"{why}. Forecast Lab never writes such a file, so it is not opened. {RESAVE}"
    )


def _settings(text: str) -> dict[str, Any]:
    """A JSON object, refused unread when it holds far more objects or values than ours do, so
    that a short text cannot become a large object (a line of history: 1 object, 5 values in
    about 125 characters)."""
    containers, values = text.count("{") + text.count("["), text.count(",")
    if containers > 64 + len(text) // 48 or values > 1024 + len(text) // 12:
        raise CheckpointError("This checkpoint is damaged: its settings cannot be read.")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise CheckpointError("This checkpoint is damaged: its settings cannot be read.") from err
    if not isinstance(value, dict):
        raise CheckpointError("This checkpoint is damaged: its settings cannot be read.")
    return value


def _short(name: str) -> str:
    return repr(name if len(name) <= 80 else f"{name[:77]}...")


def _checksum(
    payload: dict[str, Any], weight_bytes: Callable[[str], bytes | memoryview] | None = None
) -> str:
    """The SHA-256 of the settings and the weights (read with `weight_bytes` when given)."""
    state = payload["state_dict"]
    read = weight_bytes or (lambda name: state[name].contiguous().numpy().tobytes())
    digest = hashlib.sha256()
    for key in ("format", "version", "config", "scaler", "meta"):
        digest.update(f"{key}={payload[key]}\n".encode())
    for name in sorted(state):
        tensor = state[name]
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}\n".encode())
        digest.update(read(name))
    return digest.hexdigest()
