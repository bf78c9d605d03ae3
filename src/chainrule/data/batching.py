"""Batching steps: batch, padded_batch, unbatch, rebatch, window (see ``dataset.py`` for the contract)."""
from __future__ import annotations

import collections

import numpy as np

from ..errors import InvalidArgumentError
from ..tensor import Tensor
from ..tensor_spec import TensorSpec
from . import structure as st
from .dataset import UNKNOWN
from .sources import Range, TensorSlices
from .transforms import _DONE, Shuffle, _Unary


def _stack(elements):
    first = elements[0]
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    if isinstance(first, tuple):
        return tuple(_stack([e[i] for e in elements]) for i in range(len(first)))
    try:
        return np.stack(elements)
    except ValueError:
        shapes = sorted({np.shape(e) for e in elements})
        raise InvalidArgumentError(f"Cannot batch tensors with different shapes in component 0. First element had "
                                   f"shape {list(shapes[0])} and element 1 had shape {list(shapes[-1])}. Use "
                                   "padded_batch to batch elements of different shapes.") from None


class Batch(_Unary):
    _tf_name = "_BatchDataset"

    def __init__(self, source, batch_size, drop_remainder):
        super().__init__(source)
        self.batch_size, self.drop_remainder = batch_size, drop_remainder

    def _index_batches(self, n, order):
        bs = self.batch_size
        stop = n - n % bs if self.drop_remainder else n
        for start in range(0, stop, bs):
            yield order[start:start + bs] if order is not None else slice(start, min(start + bs, n))

    def _iter(self):
        src = self.source
        # Fast paths: gather a whole batch of rows at once.
        if isinstance(src, (TensorSlices, Range)):
            for idx in self._index_batches(src.n, None):
                yield src.rows(idx)
            return
        if isinstance(src, Shuffle) and src._full(src.source._cardinality()):
            rows = src.source
            order = src.order(rows.n)
            for idx in self._index_batches(rows.n, order):
                yield rows.rows(idx)
            return
        pending = []
        for element in src._iter():
            pending.append(element)
            if len(pending) == self.batch_size:
                yield self._combine(pending)
                pending = []
        if pending and not self.drop_remainder:
            yield self._combine(pending)

    def _combine(self, elements):
        return _stack(elements)

    def _cardinality(self):
        n = self.source._cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def _spec(self):
        spec = self.source._spec()
        return None if spec is None else st.batched_spec(spec, self.batch_size if self.drop_remainder else None)

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None else self._combine([p] * self.batch_size)


class PaddedBatch(Batch):
    _tf_name = "_PaddedBatchDataset"

    def __init__(self, source, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(source, batch_size, drop_remainder)
        spec = source._spec()
        self.padded_shapes = padded_shapes if padded_shapes is not None else \
            st.map_structure(lambda s: [None] * (s.shape.rank or 0), spec)
        self.padding_values = padding_values

    def _iter(self):
        pending = []
        for element in self.source._iter():
            pending.append(element)
            if len(pending) == self.batch_size:
                yield self._combine(pending)
                pending = []
        if pending and not self.drop_remainder:
            yield self._combine(pending)

    def _combine(self, elements):
        shapes = _structure_like(elements[0], self.padded_shapes)
        values = _structure_like(elements[0], self.padding_values, scalar_ok=True)
        columns = st.leaves(_transpose(elements))
        out = [_pad_stack(col, shape, value) for col, shape, value in
               zip(columns, st.leaves(shapes), st.leaves(values))]
        return st.pack_like(elements[0], out)

    def _spec(self):
        spec = self.source._spec()
        shapes = _structure_like(spec, self.padded_shapes)
        batch = self.batch_size if self.drop_remainder else None
        return st.map_structures(lambda s, shape: TensorSpec([batch] + [None if d in (None, -1) else int(d)
                                                                        for d in _dims(shape.value)], s.dtype),
                                 spec, shapes)


def _dims(shape):
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    return list(shape) if not hasattr(shape, "as_list") else shape.as_list()


def _structure_like(element, value, scalar_ok=False):
    """``value`` spread over ``element``'s structure: per component when it has the element's nesting,
    else the same value for every leaf. For shapes (``scalar_ok=False``) a list of sizes is one value."""
    if isinstance(element, dict):
        per_key = isinstance(value, dict)
        return {k: _structure_like(element[k], value[k] if per_key else value, scalar_ok) for k in element}
    if isinstance(element, tuple):
        per_item = isinstance(value, (tuple, list)) and len(value) == len(element) and (
            scalar_ok or all(v is None or isinstance(v, (tuple, list, dict)) or hasattr(v, "as_list")
                             for v in value))
        return tuple(_structure_like(e, value[i] if per_item else value, scalar_ok) for i, e in enumerate(element))
    return _Leaf(value)


class _Leaf:
    """A value kept whole by the structure helpers (a shape list is one leaf, not a structure)."""

    def __init__(self, value):
        self.value = value


def _transpose(elements):
    first = elements[0]
    if isinstance(first, dict):
        return {k: _transpose([e[k] for e in elements]) for k in first}
    if isinstance(first, tuple):
        return tuple(_transpose([e[i] for e in elements]) for i in range(len(first)))
    return _Leaf(elements)


def _pad_stack(column, shape, value):
    arrays = column.value
    shape = shape.value
    rank = arrays[0].ndim
    target = [max(a.shape[d] for a in arrays) for d in range(rank)]
    if shape is not None:
        wanted = _dims(shape)
        if len(wanted) != rank:
            raise ValueError(f"padded_batch: padded_shapes {wanted} do not match elements of rank {rank}.")
        for d, w in enumerate(wanted):
            if w not in (None, -1):
                if target[d] > int(w):
                    raise InvalidArgumentError(f"Attempted to pad to a smaller size than the input element: "
                                               f"dimension {d} of size {target[d]} is larger than {int(w)}.")
                target[d] = int(w)
    pad = value.value
    dtype = arrays[0].dtype
    if pad is None:
        pad = b"" if dtype.kind in "SO" else 0
    elif isinstance(pad, Tensor):
        pad = pad._value
    out = np.full([len(arrays)] + target, pad, dtype=object if dtype.kind in "SO" else dtype)
    for i, a in enumerate(arrays):
        out[(i,) + tuple(slice(0, n) for n in a.shape)] = a
    return out


class Unbatch(_Unary):
    _tf_name = "_UnbatchDataset"

    def _iter(self):
        for batch in self.source._iter():
            leaves = st.leaves(batch)
            n = len(leaves[0])
            if any(len(leaf) != n for leaf in leaves):
                raise InvalidArgumentError("Input element must have the same batch size in each component.")
            for i in range(n):
                yield st.map_structure(lambda a, i=i: st.row(a, i), batch)

    def _cardinality(self):
        return UNKNOWN

    def _spec(self):
        spec = self.source._spec()
        return None if spec is None else st.unbatched_spec(spec)

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None or len(st.leaves(p)[0]) == 0 else st.map_structure(lambda a: st.row(a, 0), p)


class Rebatch(_Unary):
    _tf_name = "_RebatchDataset"

    def __init__(self, source, batch_size, drop_remainder):
        super().__init__(source)
        sizes = [int(batch_size)] if np.ndim(batch_size) == 0 else [int(b) for b in np.asarray(batch_size)]
        if not sizes or any(b <= 0 for b in sizes):
            raise ValueError(f"Dataset.rebatch: batch sizes must be positive, got {batch_size}.")
        self.sizes, self.drop_remainder = sizes, drop_remainder
        self.rows = Unbatch(source)

    def _iter(self):
        pending, k = [], 0
        for row in self.rows._iter():
            pending.append(row)
            if len(pending) == self.sizes[k % len(self.sizes)]:
                yield _stack(pending)
                pending, k = [], k + 1
        if pending and not self.drop_remainder:
            yield _stack(pending)

    def _cardinality(self):
        return UNKNOWN

    def _spec(self):
        spec = self.rows._spec()
        size = self.sizes[0] if self.drop_remainder and len(set(self.sizes)) == 1 else None
        return None if spec is None else st.batched_spec(spec, size)

    def _make_probe(self):
        p = self.rows._probe()
        return None if p is None else _stack([p] * self.sizes[0])


class Window(_Unary):
    _tf_name = "_WindowDataset"

    def __init__(self, source, size, shift, stride, drop_remainder):
        super().__init__(source)
        self.size, self.shift, self.stride, self.drop_remainder = size, shift, stride, drop_remainder

    def _windows(self):
        span = (self.size - 1) * self.stride
        buffer, base, start = collections.deque(), 0, 0
        it, exhausted = self.source._iter(), False
        while True:
            while not exhausted and base + len(buffer) <= start + span:
                element = next(it, _DONE)
                if element is _DONE:
                    exhausted = True
                else:
                    buffer.append(element)
            available = base + len(buffer)
            if available <= start:
                return
            picked = [buffer[i - base] for i in range(start, start + span + 1, self.stride) if i < available]
            if len(picked) < self.size and self.drop_remainder:
                return
            yield picked
            start += self.shift
            while buffer and base < start:
                buffer.popleft()
                base += 1

    def _iter(self):
        for picked in self._windows():
            yield self._as_datasets(picked)

    @staticmethod
    def _as_datasets(elements):
        """A window's elements as a Dataset (a tuple/dict of Datasets for tuple/dict elements)."""
        columns = _transpose(elements)
        if isinstance(columns, _Leaf):
            return TensorSlices(np.stack(columns.value))
        return st.map_structure(lambda leaf: TensorSlices(np.stack(leaf.value)), columns)

    def _cardinality(self):
        n = self.source._cardinality()
        if n < 0:
            return n
        if self.drop_remainder:
            span = (self.size - 1) * self.stride + 1
            return max((n - span) // self.shift + 1, 0) if n >= span else 0
        return -(-n // self.shift)

    def _spec(self):
        spec = self.source._spec()
        return None if spec is None else st.map_structure(st.DatasetSpec, spec)

    def _make_probe(self):
        p = self.source._probe()
        return None if p is None else self._as_datasets([p])


