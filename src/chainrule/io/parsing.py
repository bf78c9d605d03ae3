"""``tf.io.parse_single_example`` / ``parse_example``: serialized ``tf.train.Example`` records to tensors.

A feature description maps names to ``FixedLenFeature(shape, dtype, default_value)`` (a dense
tensor of ``shape``; the default when the Example lacks the feature) or ``VarLenFeature(dtype)``
(a ``SparseTensor`` of however many values there are). ``dtype`` is ``tf.string``, ``tf.int64``
or ``tf.float32``, the three kinds of list an Example holds. Errors are TensorFlow's
``InvalidArgumentError`` with its wording (the key, what was expected, what was found).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import dtypes as _dtypes
from .._tape_stack import note_value_read
from ..errors import DataLossError, InvalidArgumentError
from ..sparse import SparseTensor
from ..strings import bytes_array
from ..tensor import Tensor
from .example_proto import example_feature_arrays

_KIND_OF = {"string": "bytes_list", "float32": "float_list", "int64": "int64_list"}
_KIND_NAME = {"bytes_list": "string", "float_list": "float", "int64_list": "int64"}


class FixedLenFeature(NamedTuple):
    """``tf.io.FixedLenFeature(shape, dtype, default_value=None)``: a dense feature of a known ``shape``.

    ``shape`` is a list of ints (``[]`` for a scalar); an Example must hold exactly
    ``prod(shape)`` values, or lack the feature when ``default_value`` (anything with that
    many values) is given.
    """
    shape: Any
    dtype: Any
    default_value: Any = None


class VarLenFeature(NamedTuple):
    """``tf.io.VarLenFeature(dtype)``: a feature with any number of values, parsed to a ``SparseTensor``."""
    dtype: Any


def _check_dtype(key: str, dtype) -> _dtypes.DType:
    dtype = _dtypes.as_dtype(dtype)
    if dtype.name not in _KIND_OF:
        raise InvalidArgumentError(f"Feature {key!r}: dtype {dtype.name} is not one an Example holds; use "
                                   "tf.string, tf.int64 or tf.float32 (and cast after parsing).")
    return dtype


def _fixed_shape(key: str, shape) -> tuple:
    """A FixedLenFeature's shape (a list, tuple, int or TensorShape) as a tuple of ints."""
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape) if isinstance(shape, (list, tuple)) \
        else [shape]
    if any(d is None or int(d) < 0 for d in dims):
        raise InvalidArgumentError(f"Feature {key!r}: FixedLenFeature needs a fully defined shape, got {dims}; a "
                                   "list of any length is a VarLenFeature.")
    return tuple(int(d) for d in dims)


def _as_array(values, dtype: _dtypes.DType) -> np.ndarray:
    if dtype.name == "string":
        return bytes_array(values)
    return np.asarray(values, dtype=dtype.as_numpy_dtype)


def _dense_default(key: str, spec: FixedLenFeature, dtype: _dtypes.DType, shape: tuple) -> np.ndarray | None:
    if spec.default_value is None:
        return None
    value = spec.default_value._value if isinstance(spec.default_value, Tensor) else spec.default_value
    flat = _as_array(np.asarray(value, dtype=object).ravel().tolist() if dtype.name == "string"
                     else np.ravel(value), dtype)
    if flat.size != int(np.prod(shape)):
        raise InvalidArgumentError(f"Feature {key!r}: default_value has {flat.size} values, but the shape "
                                   f"{list(shape)} needs {int(np.prod(shape))}.")
    return flat.reshape(shape)


def _records(serialized) -> tuple[list[bytes], tuple]:
    """The serialized Examples as a flat list of bytes, and the shape they came in."""
    if isinstance(serialized, Tensor):
        note_value_read(serialized)  # parsed in Python: a traced chainrule.function runs this signature eagerly
        array = serialized._value
    else:
        array = np.asarray(serialized, dtype=object)
    flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in np.asarray(array, dtype=object).ravel()]
    return flat, np.shape(array)


def _parse_records(records: list[bytes]) -> list[dict]:
    out = []
    for record in records:
        try:
            out.append(example_feature_arrays(record))
        except DataLossError as e:
            shown = record if len(record) <= 64 else record[:64] + b"..."
            raise InvalidArgumentError(f"Could not parse example input, value: {shown!r} ({e})") from None
    return out


def _values_of(example: dict, key: str, dtype: _dtypes.DType, dense: bool):
    """The values of ``key`` in one parsed Example, or None when it is absent (or has no list set)."""
    kind, values = example.get(key, (None, None))
    if kind is None:
        return None
    if kind != _KIND_OF[dtype.name]:
        found = _KIND_NAME[kind]
        raise InvalidArgumentError(f"Key: {key}.  Data types don't match. " +
                                   (f"Data type: {found} but expected type: {dtype.name}" if dense else
                                    f"Expected type: {dtype.name}, Actual type: {found}"))
    return values


def _parse(examples: list[dict], features: dict) -> dict:
    """Each feature over all ``examples``: dense ``(batch, *shape)`` arrays and (row, i)-indexed sparse parts."""
    if not isinstance(features, dict):
        raise TypeError(f"features must be a dict of FixedLenFeature / VarLenFeature, got {type(features).__name__}.")
    out: dict[str, Any] = {}
    for key in sorted(features):  # TensorFlow returns the keys sorted
        spec = features[key]
        if isinstance(spec, FixedLenFeature):
            dtype = _check_dtype(key, spec.dtype)
            shape = _fixed_shape(key, spec.shape)
            default = _dense_default(key, spec, dtype, shape)
            count = int(np.prod(shape))
            rows = []
            for example in examples:
                values = _values_of(example, key, dtype, dense=True)
                if values is None:
                    if default is None:
                        raise InvalidArgumentError(f"Feature: {key} (data type: {_KIND_NAME[_KIND_OF[dtype.name]]}) "
                                                   "is required but could not be found.")
                    rows.append(default)
                    continue
                if len(values) != count:
                    raise InvalidArgumentError(f"Key: {key}.  Can't parse serialized Example: {len(values)} "
                                               f"{_KIND_OF[dtype.name]} values, but the shape {list(shape)} needs "
                                               f"{count}.")
                rows.append(_as_array(values, dtype).reshape(shape))
            out[key] = np.stack(rows) if rows else _as_array([], dtype).reshape((0,) + shape)
        elif isinstance(spec, VarLenFeature):
            dtype = _check_dtype(key, spec.dtype)
            lists = [_values_of(example, key, dtype, dense=False) for example in examples]
            lengths = np.array([0 if v is None else len(v) for v in lists], dtype=np.int64)
            rows_idx = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
            within = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            values = [v for vs in lists if vs is not None for v in vs]
            out[key] = (rows_idx, within, _as_array(values, dtype), int(lengths.max(initial=0)))
        else:
            raise TypeError(f"features[{key!r}] must be a FixedLenFeature or a VarLenFeature, got "
                            f"{type(spec).__name__}.")
    return out


def parse_example(serialized, features, example_names=None, name=None) -> dict:
    """Parse a batch (1-D string tensor) of serialized ``tf.train.Example`` records.

    Returns ``{key: tensor}`` (keys sorted): a ``FixedLenFeature`` gives a dense tensor
    ``(batch, *shape)``; a ``VarLenFeature`` a ``SparseTensor`` with indices ``(row, i)`` and
    dense_shape ``[batch, longest list]``. ``InvalidArgumentError`` for a record that is not an
    Example, a missing feature without default, a count that does not fit the shape, or a type
    that does not match the list stored.
    """
    records, shape = _records(serialized)
    if len(shape) != 1:
        raise InvalidArgumentError(f"parse_example: serialized must be a vector (1-D) of strings, got shape "
                                   f"{list(shape)}; use parse_single_example for one record.")
    parsed = _parse(_parse_records(records), features)
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        if isinstance(value, tuple):
            rows, within, values, longest = value
            out[key] = SparseTensor(np.stack([rows, within], axis=1), values, [len(records), longest])
        else:
            out[key] = Tensor(value)
    return out


def parse_single_example(serialized, features, example_names=None, name=None) -> dict:
    """Parse one serialized ``tf.train.Example`` (a scalar string) into ``{key: tensor}`` (keys sorted).

    A ``FixedLenFeature`` gives a dense tensor of its ``shape`` (its default when the Example lacks
    the feature); a ``VarLenFeature`` a ``SparseTensor`` with indices ``(n, 1)``, the ``n`` values and
    dense_shape ``[n]``. Raises ``InvalidArgumentError`` as :func:`parse_example`.
    """
    records, shape = _records(serialized)
    if len(shape) != 0:
        raise InvalidArgumentError(f"parse_single_example: serialized must be a scalar string, got shape "
                                   f"{list(shape)}; use parse_example for a batch.")
    parsed = _parse(_parse_records(records), features)
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        if isinstance(value, tuple):
            _, within, values, longest = value
            out[key] = SparseTensor(within[:, None], values, [longest])
        else:
            out[key] = Tensor(value[0])
    return out
