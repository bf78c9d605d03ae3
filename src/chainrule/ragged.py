"""``chainrule.ragged``: RaggedTensor for the simple cases the guides show.

A :class:`RaggedTensor` holds rows of different lengths as TensorFlow does: a
flat ``values`` tensor and ``row_splits`` (row i is ``values[splits[i]:splits[i+1]]``);
``values`` may itself be ragged for deeper nesting. It prints, converts
(``to_list``, ``to_tensor``, ``numpy``), indexes by row and does element-wise
arithmetic with scalars. It is not differentiable, and ops and layers
do not accept it: pad it with ``to_tensor()`` first.
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import builtins

import numpy as np

from .errors import _IndexOutOfBoundsError
from .tensor import Tensor, TensorShape, to_array


class RaggedTensor:
    """Rows of different lengths: ``RaggedTensor.from_row_splits(values, row_splits)``; see the module doc."""

    _is_chainrule_composite = True

    def __init__(self, values, row_splits):
        self._values = values if isinstance(values, (Tensor, RaggedTensor)) else Tensor(to_array(values))
        splits = np.asarray(row_splits._value if isinstance(row_splits, Tensor) else row_splits, dtype=np.int64)
        n = _nrows(self._values)
        if splits.ndim != 1 or splits.size == 0 or splits[0] != 0 or splits[-1] != n or np.any(np.diff(splits) < 0):
            raise ValueError(f"RaggedTensor: row_splits must start at 0, never decrease and end at the number of "
                             f"values ({n}), got {splits.tolist()}.")
        self._row_splits = splits

    # -- constructors
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Rows ``values[row_splits[i]:row_splits[i + 1]]``."""
        return cls(values, row_splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Rows of the given lengths, taken from ``values`` in order."""
        lengths = np.asarray(row_lengths._value if isinstance(row_lengths, Tensor) else row_lengths, dtype=np.int64)
        return cls(values, np.concatenate([[0], np.cumsum(lengths)]))

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None):
        """Rows of a dense 2-D+ tensor, cut to ``lengths`` (or where ``padding`` starts) when given."""
        arr = np.asarray(tensor._value if isinstance(tensor, Tensor) else to_array(tensor))
        if lengths is None:
            if padding is None:
                lengths = np.full(arr.shape[0], arr.shape[1])
            else:  # each row ends after its last entry that is not padding
                keep = (arr != padding).reshape(arr.shape[0], arr.shape[1], -1).any(axis=2)
                lengths = np.where(keep.any(axis=1), arr.shape[1] - np.argmax(keep[:, ::-1], axis=1), 0)
        lengths = np.asarray(lengths, dtype=np.int64)
        rows = [arr[i, :n] for i, n in enumerate(lengths)]
        values = np.concatenate(rows) if rows else arr[:0, 0]
        return cls(Tensor(values), np.concatenate([[0], np.cumsum(lengths)]))

    # -- structure
    @property
    def values(self):
        """The concatenated rows (a Tensor, or a RaggedTensor for deeper nesting)."""
        return self._values

    @property
    def flat_values(self) -> Tensor:
        """The innermost values as one flat Tensor."""
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def row_splits(self) -> Tensor:
        """Where each row starts and ends in ``values`` (int64, length ``nrows + 1``)."""
        return Tensor(self._row_splits.copy())

    def row_lengths(self, axis=1, name=None) -> Tensor:
        """The length of each row (int64)."""
        return Tensor(np.diff(self._row_splits))

    def nrows(self, out_type=None, name=None) -> Tensor:
        """The number of rows (int64 scalar)."""
        return Tensor(np.asarray(len(self._row_splits) - 1, dtype=np.int64))

    @property
    def ragged_rank(self) -> int:
        """How many axes are ragged (1 for a list of rows)."""
        return 1 + (self._values.ragged_rank if isinstance(self._values, RaggedTensor) else 0)

    @property
    def dtype(self):
        """The values' dtype."""
        return self.flat_values.dtype

    @property
    def shape(self) -> TensorShape:
        """``(nrows, None, ...)``: None for each ragged axis, then the inner fixed axes."""
        inner = self._values.shape
        return TensorShape([len(self._row_splits) - 1, None] + list(inner[1:]))

    @property
    def ndim(self) -> int:
        """The number of axes, ragged ones included."""
        return len(self.shape)

    def bounding_shape(self, axis=None, name=None, out_type=None) -> Tensor:
        """The shape of the smallest dense tensor that holds every row (int64)."""
        shape = np.asarray(self._dense_shape(), dtype=np.int64)
        return Tensor(shape if axis is None else shape[axis])

    def _dense_shape(self):
        lengths = np.diff(self._row_splits)
        longest = int(lengths.max()) if lengths.size else 0
        if isinstance(self._values, RaggedTensor):
            inner = self._values._dense_shape()[1:]
        else:
            inner = list(self._values._value.shape[1:])
        return [len(lengths), longest] + list(inner)

    # -- conversion
    def to_list(self) -> list:
        """The rows as nested Python lists."""
        if isinstance(self._values, RaggedTensor):
            inner = self._values.to_list()
        else:
            inner = self._values._value.tolist()
        return [inner[a:b] for a, b in zip(self._row_splits[:-1], self._row_splits[1:])]

    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        """A dense tensor padded with ``default_value`` (0, or b'' for strings) to the bounding shape."""
        dims = self._dense_shape()
        flat = self.flat_values._value
        fill = default_value if default_value is not None else (b"" if flat.dtype.kind in "SO" else 0)
        out = np.full(dims, fill, dtype=object if flat.dtype.kind in "SO" else flat.dtype)
        for i, row in enumerate(self.to_list()):
            _fill(out[i], row)
        if shape is not None:
            out = out[tuple(slice(0, s) if s is not None else slice(None) for s in shape)]
        return Tensor(out)

    def numpy(self):
        """A numpy object array with one array per row (as TensorFlow's ``RaggedTensor.numpy()``)."""
        rows = [self[i] for i in builtins.range(len(self._row_splits) - 1)]
        out = np.empty(len(rows), dtype=object)
        for i, r in enumerate(rows):
            out[i] = r.numpy() if isinstance(r, RaggedTensor) else r._value
        return out

    # -- access
    def __getitem__(self, key):
        if isinstance(key, Tensor):
            key = int(key._value)
        if isinstance(key, (int, np.integer)):
            n = len(self._row_splits) - 1
            if not -n <= key < n:
                raise _IndexOutOfBoundsError(f"slice index {key} of dimension 0 out of bounds. (RaggedTensor with "
                                             f"{n} rows)")
            key %= n
            a, b = int(self._row_splits[key]), int(self._row_splits[key + 1])
            return _slice_rows(self._values, a, b)
        if isinstance(key, slice):
            rows = builtins.range(*key.indices(len(self._row_splits) - 1))
            return constant([self.to_list()[i] for i in rows], dtype=self.dtype)
        raise TypeError(f"RaggedTensor: index with an int or a slice of rows, got {key!r}; for other indexing, "
                        "convert with to_tensor() first.")

    def __iter__(self):
        for i in builtins.range(len(self._row_splits) - 1):
            yield self[i]

    def __len__(self):
        return len(self._row_splits) - 1

    def with_flat_values(self, new_values) -> "RaggedTensor":
        """The same rows holding ``new_values`` (a flat tensor of the same length)."""
        if isinstance(self._values, RaggedTensor):
            return RaggedTensor(self._values.with_flat_values(new_values), self._row_splits)
        return RaggedTensor(new_values, self._row_splits)

    # -- element-wise arithmetic with scalars or same-structure ragged tensors
    def _binary(self, other, fn, reverse=False):
        if isinstance(other, RaggedTensor):
            other = other.flat_values
        elif isinstance(other, Tensor) or np.ndim(other):
            if np.ndim(other._value if isinstance(other, Tensor) else other) != 0:
                raise ValueError("RaggedTensor arithmetic: the other operand must be a scalar or a RaggedTensor "
                                 "with the same rows.")
        a = self.flat_values
        return self.with_flat_values(fn(other, a) if reverse else fn(a, other))

    def __add__(self, other):
        return self._binary(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._binary(other, lambda a, b: a + b, reverse=True)

    def __sub__(self, other):
        return self._binary(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._binary(other, lambda a, b: a - b, reverse=True)

    def __mul__(self, other):
        return self._binary(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._binary(other, lambda a, b: a * b, reverse=True)

    def __truediv__(self, other):
        return self._binary(other, lambda a, b: a / b)

    def __neg__(self):
        return self.with_flat_values(-self.flat_values)

    # -- printing, as TensorFlow prints
    def __repr__(self) -> str:
        return f"<chainrule.RaggedTensor {_ragged_text(self.to_list())}>"

    __str__ = __repr__


def _nrows(values) -> int:
    return len(values) if isinstance(values, RaggedTensor) else values._value.shape[0]


def _slice_rows(values, a, b):
    if isinstance(values, RaggedTensor):
        return RaggedTensor(_slice_rows(values._values, int(values._row_splits[a]), int(values._row_splits[b])),
                            values._row_splits[a:b + 1] - values._row_splits[a])
    return Tensor(values._value[a:b])


def _fill(out, row):
    for j, item in enumerate(row):
        if isinstance(item, list):
            _fill(out[j], item)
        else:
            out[j] = item


def _ragged_text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_ragged_text(v) for v in value) + "]"
    return repr(value)


def _depth(value) -> int:
    if isinstance(value, (list, tuple)):
        depths = [_depth(v) for v in value]
        return 1 + (max(depths) if depths else 0)
    return 0


def _flatten_rows(pylist, levels):
    """Split a nested list into ``levels`` row-split arrays and the flat leaf list."""
    splits = []
    current = list(pylist)
    for _ in builtins.range(levels):
        lengths = [len(row) for row in current]
        splits.append(np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]))
        current = [item for row in current for item in row]
    return splits, current


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None, row_splits_dtype=None):
    """A RaggedTensor from a nested Python list whose rows may differ in length.

    ``tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]])`` has shape ``(4, None)``;
    ints become int32, floats float32, strings string, as ``constant``. Every leaf must be at
    the same depth (``ValueError`` otherwise).
    """
    if isinstance(pylist, RaggedTensor):
        return pylist
    depth = _depth(pylist)
    if depth == 0:
        raise ValueError("ragged.constant: expected a (nested) list of rows, got a scalar.")
    levels = depth - 1 if ragged_rank is None else int(ragged_rank)
    if levels < 1:  # a plain list: one ragged level over its items
        levels = 1
    splits, leaves = _flatten_rows(pylist, levels)
    if any(isinstance(v, (list, tuple)) for v in leaves) and ragged_rank is None:
        raise ValueError("ragged.constant: all scalar values must be at the same nesting depth.")
    flat = to_array(leaves, dtype) if leaves else np.zeros((0,), dtype=np.float32 if dtype is None else
                                                           Tensor(to_array(0, dtype))._value.dtype)
    if flat.dtype.kind in "SU":
        flat = np.array([v.encode() if isinstance(v, str) else v for v in leaves], dtype=object)
    values = Tensor(flat)
    for s in reversed(splits):
        values = RaggedTensor(values, s)
    return values


def range(starts, limits=None, deltas=1, dtype=None, name=None, row_splits_dtype=None):  # noqa: A001
    """Rows ``range(starts[i], limits[i], deltas[i])`` (``limits`` alone: from 0)."""
    if limits is None:
        starts, limits = 0, starts
    s, lim, d = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v._value if isinstance(v, Tensor) else v))
                                      for v in (starts, limits, deltas)))
    rows = [np.arange(a, b, c) for a, b, c in zip(s, lim, d)]
    values = np.concatenate(rows) if rows else np.zeros(0)
    target = np.int32 if dtype is None and values.dtype.kind == "i" else values.dtype if dtype is None else \
        Tensor(to_array(0, dtype))._value.dtype
    return RaggedTensor(Tensor(values.astype(target)), np.concatenate([[0], np.cumsum([len(r) for r in rows])]))


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
