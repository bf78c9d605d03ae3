"""``chainrule.strings``: TensorFlow's string functions on string tensors (UTF-8 bytes, as TensorFlow stores them).

Every function works element-wise on a string tensor of any shape and
returns a Tensor of the same shape, except ``split``/``bytes_split``/
``unicode_split``/``unicode_decode``, which return a 1-D tensor for a scalar
input and a :class:`chainrule.ragged.RaggedTensor` (one row per element) for a
vector, as TensorFlow does. Strings have no gradient.
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import re

import numpy as np

from . import _integers, string_hashes

from . import dtypes as _dtypes
from . import ops as _ops
from ._tape_stack import note_value_read
from .errors import InvalidArgumentError
from .printing import _format_value
from .ragged import RaggedTensor
from .tensor import Tensor, apply_op, as_tensor


def bytes_array(values, shape=None) -> np.ndarray:
    """A numpy object array of ``bytes`` (how chainrule stores strings without losing trailing NUL bytes)."""
    flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in values]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out if shape is None else out.reshape(shape)


def _strings(x) -> Tensor:
    t = as_tensor(x)
    if t._value.dtype.kind not in "SO":
        raise InvalidArgumentError(f"strings: expected a string tensor, got {t.dtype.name}.")
    return t


def _elementwise(fn, x, out_dtype=None):
    """``fn`` on each element's bytes, as a no-gradient op; strings out unless ``out_dtype``."""
    t = _strings(x)

    def run(v):
        flat = [fn(b if isinstance(b, bytes) else bytes(b)) for b in v.ravel()]
        if out_dtype is None:
            return bytes_array(flat, v.shape)
        return np.asarray(flat, dtype=out_dtype).reshape(v.shape)
    return apply_op(_ops.NoGradient(run), t)


def length(input, unit="BYTE", name=None):  # noqa: A002
    """The length of each string in bytes (``unit='BYTE'``) or characters (``'UTF8_CHAR'``), int32."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"strings.length: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}.")
    count = len if unit == "BYTE" else (lambda b: len(b.decode("utf-8", "replace")))
    return _elementwise(count, input, np.int32)


def lower(input, encoding="", name=None):  # noqa: A002
    """Each string in lower case (ASCII letters; all letters with ``encoding='utf-8'``)."""
    if encoding.lower() in ("utf-8", "utf8"):
        return _elementwise(lambda b: b.decode("utf-8").lower().encode("utf-8"), input)
    return _elementwise(bytes.lower, input)


def upper(input, encoding="", name=None):  # noqa: A002
    """Each string in upper case (ASCII letters; all letters with ``encoding='utf-8'``)."""
    if encoding.lower() in ("utf-8", "utf8"):
        return _elementwise(lambda b: b.decode("utf-8").upper().encode("utf-8"), input)
    return _elementwise(bytes.upper, input)


def strip(input, name=None):  # noqa: A002
    """Each string without leading and trailing whitespace."""
    return _elementwise(bytes.strip, input)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replace matches of the regular expression ``pattern`` by ``rewrite`` (``\\1`` for groups) in each string."""
    regex = re.compile(pattern.encode("utf-8") if isinstance(pattern, str) else pattern)
    repl = rewrite.encode("utf-8") if isinstance(rewrite, str) else rewrite
    return _elementwise(lambda b: regex.sub(repl, b, count=0 if replace_global else 1), input)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """Whether each whole string matches the regular expression ``pattern`` (bool)."""
    regex = re.compile(pattern.encode("utf-8") if isinstance(pattern, str) else pattern)
    return _elementwise(lambda b: regex.fullmatch(b) is not None, input, bool)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """``len`` bytes (or UTF-8 characters) of each string starting at ``pos`` (negative: from the end).

    A ``pos`` past the end raises ``InvalidArgumentError``, as TensorFlow.
    """
    start = _integers.integers(as_tensor(pos), "pos", "Substr")[0]
    size = _integers.integers(as_tensor(len), "len", "Substr")[0]

    def cut(b):
        s = b if unit == "BYTE" else b.decode("utf-8")
        n = s.__len__()
        begin = start + n if start < 0 else start
        if begin < 0 or begin > n:
            raise InvalidArgumentError(f"pos {start} out of range for string b'{b.decode('utf-8', 'replace')}' at "
                                       "index 0 [Op:Substr]")
        piece = s[begin:begin + size]
        return piece if unit == "BYTE" else piece.encode("utf-8")
    return _elementwise(cut, input)


def join(inputs, separator="", name=None):
    """Element-wise concatenation of several string tensors (broadcast against each other) with ``separator``."""
    tensors = [_strings(t) for t in inputs]
    sep = separator.encode("utf-8") if isinstance(separator, str) else separator

    def run(*arrays):
        b = np.broadcast_arrays(*arrays)
        flat = [sep.join(parts) for parts in zip(*(a.ravel() for a in b))]
        return bytes_array(flat, b[0].shape if b else ())
    return apply_op(_ops.NoGradient(run), *tensors)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Join the strings along ``axis`` (all of them when None) with ``separator``.

    A RaggedTensor of strings (rows of tokens, as ``unicode_split`` gives) joins each row along its
    ragged last axis (``axis=-1`` or 1) into one string per row.
    """
    sep = separator.encode("utf-8") if isinstance(separator, str) else separator
    if isinstance(inputs, RaggedTensor):
        if inputs.ragged_rank != 1 or axis not in (-1, 1) or inputs.flat_values.ndim != 1:
            raise NotImplementedError("reduce_join of a RaggedTensor: only rows of strings joined along their "
                                      f"ragged last axis (axis=-1) are supported, got axis={axis!r}.")
        values, splits = inputs.flat_values._value, inputs.row_splits._value
        rows = [sep.join(values[a:b].tolist()) for a, b in zip(splits[:-1], splits[1:])]
        out = bytes_array(rows, (len(rows),))
        return Tensor(out[:, None] if keepdims else out)
    t = _strings(inputs)

    def run(v):
        if axis is None:
            out = bytes_array([sep.join(v.ravel())], ())
            return out.reshape((1,) * v.ndim) if keepdims else out
        moved = np.moveaxis(v, axis, -1)
        flat = [sep.join(row) for row in moved.reshape(-1, moved.shape[-1])]
        out = bytes_array(flat, moved.shape[:-1])
        return np.expand_dims(out, axis) if keepdims else out
    return apply_op(_ops.NoGradient(run), t)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):  # noqa: A002
    """Each number as a string: floats with 6 decimals by default (``precision`` sets them), bools 'true'/'false'."""
    t = as_tensor(input)
    kind = t._value.dtype.kind
    if kind == "f":
        spec = "e" if scientific else "g" if shortest else "f"
        fmt = f"%{fill if fill else ''}{width if width >= 0 else ''}.{precision if precision >= 0 else 6}{spec}"
        if shortest:
            fmt = f"%{width if width >= 0 else ''}g"
        fn = (lambda v: (fmt % v).encode())
    elif kind == "b":
        fn = (lambda v: b"true" if v else b"false")
    elif kind in "SO":
        raise InvalidArgumentError("as_string: the input is already a string tensor.")
    else:
        fmt = f"%{fill if fill else ''}{width if width >= 0 else ''}d"
        fn = (lambda v: (fmt % v).encode())
    return apply_op(_ops.NoGradient(lambda v: bytes_array([fn(x) for x in v.ravel()], v.shape)), t)


def to_number(string_tensor, out_type=_dtypes.float32, name=None):
    """Each string parsed as a number of ``out_type`` (float32 by default); ``InvalidArgumentError`` when one is not."""
    target = _dtypes.as_dtype(out_type)

    def parse(b):
        text = b.decode("utf-8").strip()
        try:
            return int(text) if target.is_integer else float(text)
        except ValueError:
            raise InvalidArgumentError(f"StringToNumberOp could not correctly convert string: {text} "
                                       "[Op:StringToNumber]") from None
    return _elementwise(parse, string_tensor, target.dtype)


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """``template`` with each ``placeholder`` replaced by the next input, tensors formatted as ``chainrule.print``."""
    values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    parts = template.split(placeholder)
    if len(parts) - 1 != len(values):
        raise ValueError(f"strings.format: {len(parts) - 1} placeholders in {template!r} but {len(values)} inputs.")
    for v in values:
        if isinstance(v, Tensor):
            note_value_read(v)
    text = parts[0] + "".join(_format_value(v, summarize) + p for v, p in zip(values, parts[1:]))
    return Tensor(bytes_array([text], ()))


# ----------------------------------------------------------------------------- splitting into rows

def _rows(x, pieces_of):
    """A 1-D tensor for a scalar input, a RaggedTensor (one row per string) for a vector input."""
    t = _strings(x)
    note_value_read(t)  # the number of pieces depends on the values
    v = t._value
    if v.ndim == 0:
        return Tensor(bytes_array(pieces_of(v[()])))
    if v.ndim != 1:
        raise InvalidArgumentError(f"strings: split expects a scalar or a vector of strings, got shape {t.shape}.")
    rows = [pieces_of(b) for b in v]
    values = [p for row in rows for p in row]
    return RaggedTensor(Tensor(bytes_array(values)), np.concatenate([[0], np.cumsum([len(r) for r in rows])]))


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Split each string at ``sep`` (runs of whitespace when None, empty pieces dropped).

    A scalar gives a 1-D tensor (``split("Gray wolf", " ")`` -> ``[b'Gray', b'wolf']``); a vector
    gives a RaggedTensor with one row per string.
    """
    separator = None if sep is None else (sep.encode("utf-8") if isinstance(sep, str) else sep)
    if separator == b"":
        raise ValueError("strings.split: sep must not be empty; use bytes_split or unicode_split for characters.")
    return _rows(input, lambda b: b.split(separator, maxsplit))


def bytes_split(input, name=None):  # noqa: A002
    """Each string split into single bytes."""
    return _rows(input, lambda b: [b[i:i + 1] for i in range(len(b))])


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """Each string split into its characters (each character's UTF-8 bytes)."""
    return _rows(input, lambda b: [c.encode("utf-8") for c in b.decode(input_encoding, errors)])


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name=None):
    """Each string as its Unicode code points (int32): a 1-D tensor for a scalar, a RaggedTensor for a vector."""
    t = _strings(input)
    note_value_read(t)
    v = t._value
    decode = (lambda b: [ord(c) for c in b.decode(input_encoding, errors)])
    if v.ndim == 0:
        return Tensor(np.asarray(decode(v[()]), dtype=np.int32))
    rows = [decode(b) for b in v.ravel()]
    flat = np.asarray([c for row in rows for c in row], dtype=np.int32)
    return RaggedTensor(Tensor(flat), np.concatenate([[0], np.cumsum([len(r) for r in rows])]))


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """Code points (int32, last axis) encoded as strings: ``[65, 66]`` -> ``b'AB'``."""
    if isinstance(input, RaggedTensor):
        rows = input.to_list()
        return Tensor(bytes_array(["".join(chr(c) for c in row).encode(output_encoding, errors) for row in rows]))
    v = as_tensor(input)._value
    if v.ndim == 0:
        raise InvalidArgumentError("unicode_encode: input must have rank >= 1 (a list of code points).")
    flat = v.reshape(-1, v.shape[-1])
    encoded = ["".join(chr(int(c)) for c in row).encode(output_encoding, errors) for row in flat]
    return Tensor(bytes_array(encoded, v.shape[:-1]))



def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """``Fingerprint64(s) % num_buckets`` (FarmHash), int64: TensorFlow's bucket for every string, bit-exact."""
    arr = _strings(input)._value
    return Tensor(string_hashes.hash_strings(arr, int(num_buckets)))


def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """``SipHash-2-4(key, s) % num_buckets``, int64, with ``key`` two unsigned 64-bit integers (bit-exact)."""
    if len(key) != 2:
        raise ValueError(f"tf.strings.to_hash_bucket_strong: key must have 2 elements, got {key}.")
    return Tensor(string_hashes.hash_strings(_strings(input)._value, int(num_buckets), key=tuple(key)))


to_hash_bucket = to_hash_bucket_fast


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
