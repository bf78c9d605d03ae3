"""The files of a checkpoint: ``<prefix>.index`` and ``<prefix>.data-00000-of-00001``, chainrule's own layout.

TensorFlow names a checkpoint by a prefix and writes those two files; chainrule writes files with
the same names so that programs listing or copying them work, but their content is its own and
TensorFlow cannot read them (nor chainrule TensorFlow's):

* the data file holds each array's bytes (C order, little-endian), one after the other;
* the index file is JSON: ``{"format": "chainrule-checkpoint", "version": 1, "data_size": n,
  "data_crc32": c, "entries": {key: {"dtype", "shape", "offset", "size", "crc32"}, ...}}``; a
  string value (``dtype: "string"``) is stored in the index as ``"value"``.

Reading checks everything before any value is used: the JSON's size, every entry's dtype (numbers
and booleans only), shape, offset and length against the data file, and CRC-32 checksums; a
damaged or foreign file raises ``ValueError`` naming it. Both files are written atomically, the
data file first, so a crash leaves either the old checkpoint or the new one.
"""
from __future__ import annotations

import json
import os
import zlib
from typing import Any

import numpy as np

from .atomic import atomic_write

FORMAT = "chainrule-checkpoint"
DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"
_MAX_INDEX_BYTES = 64 * 1024 * 1024
_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
           "float64", "complex64", "complex128"}


def index_path(prefix: str) -> str:
    return prefix + INDEX_SUFFIX


def data_path(prefix: str) -> str:
    return prefix + DATA_SUFFIX


def exists(prefix: str) -> bool:
    """Whether a checkpoint with this prefix was written (its index file exists)."""
    return os.path.isfile(index_path(prefix))


def write(prefix: str, values: dict) -> None:
    """Write ``{key: numpy array or str}`` as a checkpoint named ``prefix`` (folders are created)."""
    folder = os.path.dirname(os.path.abspath(prefix))
    os.makedirs(folder, exist_ok=True)
    entries: dict[str, dict[str, Any]] = {}
    chunks, offset, crc = [], 0, 0
    for key in sorted(values):
        value = values[key]
        if isinstance(value, str):
            entries[key] = {"dtype": "string", "shape": [], "value": value}
            continue
        arr = np.asarray(value)  # (np.ascontiguousarray would turn a 0-d array into shape (1,))
        if arr.dtype.name not in _DTYPES:
            raise TypeError(f"Checkpoint: cannot save {key!r} of dtype {arr.dtype}.")
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
        entries[key] = {"dtype": arr.dtype.name, "shape": list(arr.shape), "offset": offset, "size": len(data),
                        "crc32": zlib.crc32(data)}
        chunks.append(data)
        crc = zlib.crc32(data, crc)
        offset += len(data)
    index = {"format": FORMAT, "version": 1, "data_size": offset, "data_crc32": crc, "entries": entries}
    with atomic_write(data_path(prefix), True, "the checkpoint data") as tmp:
        with open(tmp, "wb") as f:
            for data in chunks:
                f.write(data)
    with atomic_write(index_path(prefix), True, "the checkpoint index") as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(index, f, indent=0, sort_keys=True)


def read_index(prefix: str) -> dict:
    """The checked index of the checkpoint ``prefix``: ``{key: entry}``. Raises ValueError for a bad file."""
    path = index_path(prefix)
    if not os.path.isfile(path):
        raise ValueError(f"No checkpoint at {prefix!r}: {path!r} does not exist. Give the prefix that save() "
                         "returned (e.g. 'ckpt/ckpt-1'), or use chainrule.train.latest_checkpoint(folder).")
    size = os.path.getsize(path)
    if size > _MAX_INDEX_BYTES:
        raise ValueError(f"{path!r} is {size} bytes: too large for a checkpoint index; refusing it.")
    with open(path, "rb") as f:
        head = f.read(1)
        f.seek(0)
        text = f.read()
    if head != b"{":
        raise ValueError(f"{path!r} is not a chainrule checkpoint index (TensorFlow's own checkpoints cannot be read "
                         "by chainrule).")
    try:
        index = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path!r} is damaged: its JSON does not parse ({e}).") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT or not isinstance(index.get("entries"), dict):
        raise ValueError(f"{path!r} is not a chainrule checkpoint index.")
    data_size = index.get("data_size")
    if not isinstance(data_size, int) or data_size < 0:
        raise ValueError(f"{path!r} is damaged: bad data_size {data_size!r}.")
    for key, entry in index["entries"].items():
        _check_entry(path, key, entry, data_size)
    return index


def _check_entry(path, key, entry, data_size):
    if not isinstance(entry, dict):
        raise ValueError(f"{path!r} is damaged: the entry {key!r} is not an object.")
    dtype = entry.get("dtype")
    shape = entry.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError(f"{path!r} is damaged: the entry {key!r} has the shape {shape!r}.")
    if dtype == "string":
        if not isinstance(entry.get("value"), str):
            raise ValueError(f"{path!r} is damaged: the string entry {key!r} has no text value.")
        return
    if dtype not in _DTYPES:
        raise ValueError(f"{path!r}: the entry {key!r} has the dtype {dtype!r}, which chainrule does not load.")
    offset, size = entry.get("offset"), entry.get("size")
    if not isinstance(offset, int) or not isinstance(size, int) or offset < 0 or size < 0 or \
            offset + size > data_size:
        raise ValueError(f"{path!r} is damaged: the entry {key!r} lies outside the data file.")
    if size != int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize:
        raise ValueError(f"{path!r} is damaged: the entry {key!r} has {size} bytes for shape {shape} of {dtype}.")


def read_values(prefix: str, index: dict, keys) -> dict:
    """``{key: numpy array or str}`` for ``keys`` of a checked ``index``; every checksum verified first."""
    entries = index["entries"]
    path = data_path(prefix)
    if not os.path.isfile(path):
        raise ValueError(f"The checkpoint {prefix!r} has an index but no data file {path!r}.")
    actual = os.path.getsize(path)
    if actual != index["data_size"]:
        raise ValueError(f"{path!r} has {actual} bytes but its index expects {index['data_size']}: the files do not "
                         "belong together (or the data file is truncated).")
    out = {}
    with open(path, "rb") as f:
        for key in keys:
            entry = entries[key]
            if entry["dtype"] == "string":
                out[key] = entry["value"]
                continue
            f.seek(entry["offset"])
            data = f.read(entry["size"])
            if zlib.crc32(data) != entry.get("crc32"):
                raise ValueError(f"{path!r} is damaged: the checksum of {key!r} does not match.")
            dtype = np.dtype(entry["dtype"]).newbyteorder("<")
            out[key] = np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="), copy=True) \
                .reshape(entry["shape"])
    return out
