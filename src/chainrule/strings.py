"""``tf.strings``: the string functions text preprocessing needs, on string Tensors (numpy bytes arrays).

TensorFlow's semantics: strings are UTF-8 bytes; ``lower``/``upper`` change ASCII letters only
(as ``tf.strings.lower`` without ``encoding``; with ``encoding='utf-8'`` every letter);
``regex_replace`` uses the pattern on the bytes (TensorFlow uses RE2; the common patterns -
character classes, alternatives, repetitions - mean the same in Python's ``re``);
``to_hash_bucket_fast`` is FarmHash Fingerprint64 modulo the buckets and
``to_hash_bucket_strong`` SipHash-2-4 with a 128-bit key, both bit-exact.
"""
from __future__ import annotations

import re

import numpy as np

from . import string_hashes
from .tensor import Tensor, to_array

__all__ = ["lower", "upper", "regex_replace", "strip", "length", "as_string", "to_hash_bucket_fast",
           "to_hash_bucket_strong", "to_hash_bucket", "join", "split"]


def _bytes_array(x, name):
    arr = to_array(x)
    if arr.dtype.kind == "U":
        arr = np.char.encode(arr, "utf-8")
    if arr.dtype.kind == "O":
        arr = np.array([v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1)],
                       dtype=bytes).reshape(arr.shape)
    if arr.dtype.kind != "S":
        raise TypeError(f"tf.strings.{name}: expected a string tensor, got dtype {arr.dtype}.")
    return arr


def _map(arr, fn):
    """``fn`` on every distinct string of ``arr`` (bytes), in ``arr``'s shape."""
    if arr.size == 0:
        return arr.copy()
    uniq, inverse = np.unique(arr.reshape(-1), return_inverse=True)
    mapped = [fn(u) for u in uniq.tolist()]
    if isinstance(mapped[0], bytes):
        out = np.array(mapped, dtype=bytes)
    else:
        out = np.array(mapped)
    return out[inverse].reshape(arr.shape)


def lower(input, encoding="", name=None):  # noqa: A002 - TensorFlow's name
    """Lower-case: ASCII letters only, or every letter with ``encoding='utf-8'``."""
    arr = _bytes_array(input, "lower")
    if encoding:
        return Tensor(_map(arr, lambda b: b.decode(encoding).lower().encode(encoding)))
    return Tensor(np.char.lower(arr) if arr.size else arr.copy())


def upper(input, encoding="", name=None):  # noqa: A002
    """Upper-case: ASCII letters only, or every letter with ``encoding='utf-8'``."""
    arr = _bytes_array(input, "upper")
    if encoding:
        return Tensor(_map(arr, lambda b: b.decode(encoding).upper().encode(encoding)))
    return Tensor(np.char.upper(arr) if arr.size else arr.copy())


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replace the matches of ``pattern`` by ``rewrite`` (``\\1`` refers to a group), every match or the first."""
    arr = _bytes_array(input, "regex_replace")
    regex = re.compile(pattern.encode("utf-8") if isinstance(pattern, str) else pattern)
    rewrite = rewrite.encode("utf-8") if isinstance(rewrite, str) else rewrite
    count = 0 if replace_global else 1
    return Tensor(_map(arr, lambda b: regex.sub(rewrite, b, count=count)))


def strip(input, name=None):  # noqa: A002
    """Remove leading and trailing (ASCII) whitespace."""
    return Tensor(_map(_bytes_array(input, "strip"), lambda b: b.strip()))


def length(input, unit="BYTE", name=None):  # noqa: A002
    """The length of each string in bytes (``unit='BYTE'``) or characters (``'UTF8_CHAR'``), int32."""
    arr = _bytes_array(input, "length")
    if unit == "UTF8_CHAR":
        return Tensor(_map(arr, lambda b: len(b.decode("utf-8"))).astype(np.int32))
    return Tensor(np.char.str_len(arr).astype(np.int32) if arr.size else np.zeros(arr.shape, np.int32))


def as_string(input, name=None):  # noqa: A002
    """Numbers (or booleans) as their decimal text."""
    arr = to_array(input)
    if arr.dtype.kind == "b":
        return Tensor(np.where(arr, b"true", b"false"))
    return Tensor(np.array([str(v).encode() for v in arr.reshape(-1).tolist()], dtype=bytes).reshape(arr.shape)
                  if arr.size else np.zeros(arr.shape, dtype="S1"))


def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """``Fingerprint64(s) % num_buckets`` (FarmHash), int64: TensorFlow's bucket for every string."""
    return Tensor(string_hashes.hash_strings(_bytes_array(input, "to_hash_bucket_fast"), int(num_buckets)))


def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """``SipHash-2-4(key, s) % num_buckets``, int64, with ``key`` two unsigned 64-bit integers."""
    if len(key) != 2:
        raise ValueError(f"tf.strings.to_hash_bucket_strong: key must have 2 elements, got {key}.")
    return Tensor(string_hashes.hash_strings(_bytes_array(input, "to_hash_bucket_strong"), int(num_buckets),
                                             key=tuple(key)))


to_hash_bucket = to_hash_bucket_fast


def join(inputs, separator="", name=None):
    """Element-wise concatenation of string tensors with ``separator`` between them."""
    arrays = np.broadcast_arrays(*[_bytes_array(x, "join") for x in inputs])
    sep = separator.encode("utf-8") if isinstance(separator, str) else separator
    flat = [sep.join(parts) for parts in zip(*[a.reshape(-1).tolist() for a in arrays])]
    return Tensor(np.array(flat, dtype=bytes).reshape(arrays[0].shape) if flat else arrays[0].copy())


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """The pieces of each string of a 0-D or 1-D string tensor: a list of 1-D string Tensors (one per string;
    TensorFlow returns a RaggedTensor, which chainrule does not have). ``sep=None`` splits on runs of
    ASCII whitespace and drops empty pieces, as TensorFlow does."""
    arr = _bytes_array(input, "split")
    if arr.ndim > 1:
        raise ValueError(f"tf.strings.split: chainrule splits 0-D and 1-D string tensors, got shape {arr.shape}.")
    sep = sep.encode("utf-8") if isinstance(sep, str) else sep

    def pieces(b):
        parts = b.split(sep, maxsplit) if sep is not None else b.split(None, maxsplit)
        return Tensor(np.array(parts, dtype=bytes) if parts else np.zeros((0,), dtype="S1"))
    if arr.ndim == 0:
        return pieces(arr.item())
    return [pieces(b) for b in arr.tolist()]
