"""Where elements come from: tensor slices, one tensor, ranges, zips, generators, counters."""
from __future__ import annotations

import itertools

import numpy as np

from .. import _integers
from .. import dtypes as _dtypes
from .. import nest
from ..errors import InvalidArgumentError
from ..tensor import Tensor, to_array
from ..tensor_spec import TensorSpec
from . import structure as st
from .dataset import INFINITE, UNKNOWN, Dataset


class TensorSlices(Dataset):
    """``from_tensor_slices``: row i of every component."""

    _tf_name = "_TensorSliceDataset"

    def __init__(self, data):
        self.data = data
        leaves = st.leaves(data)
        sizes = {len(a) if np.ndim(a) else -1 for a in leaves}
        if len(sizes) != 1 or -1 in sizes:
            shapes = [np.shape(a) for a in leaves]
            raise ValueError(f"Dataset.from_tensor_slices: all components need the same first dimension, got "
                             f"shapes {shapes}.")
        self.n = sizes.pop()

    def rows(self, index):
        """The element(s) at ``index`` (an int, a slice or an index array: a whole batch at once)."""
        return st.map_structure(lambda a: st.row(a, index), self.data)

    def _iter(self):
        for i in range(self.n):
            yield self.rows(i)

    def _cardinality(self):
        return self.n

    def _spec(self):
        return st.map_structure(lambda a: TensorSpec(a.shape[1:], a.dtype), self.data)

    def _make_probe(self):
        return self.rows(0) if self.n else None


class Single(Dataset):
    """``from_tensors``: one element."""

    _tf_name = "_TensorDataset"

    def __init__(self, element):
        self.element = element

    def _iter(self):
        yield self.element

    def _cardinality(self):
        return 1

    def _make_probe(self):
        return self.element


class Range(Dataset):
    """``Dataset.range``: int64 numbers (or ``output_type``)."""

    _tf_name = "_RangeDataset"

    def __init__(self, args, output_type):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments (start, stop, step), got {len(args)}.")
        self.args = tuple(_integers.integer(a, "argument", "Dataset.range", "int64") for a in args)
        self.dtype = np.dtype(_dtypes.as_dtype(output_type or _dtypes.int64).dtype)
        if len(self.args) == 3 and self.args[2] == 0:
            raise InvalidArgumentError("Dataset.range: step must not be 0.")
        self.values = np.arange(*self.args).astype(self.dtype)

    def rows(self, index):
        return self.values[index]

    @property
    def data(self):  # lets the batching fast path treat a range like slices
        return self.values

    @property
    def n(self):
        return len(self.values)

    def _iter(self):
        for v in self.values:
            yield np.asarray(v)

    def _cardinality(self):
        return len(self.values)

    def _spec(self):
        return TensorSpec([], self.dtype)

    def _make_probe(self):
        return np.asarray(self.values[0]) if len(self.values) else np.zeros((), self.dtype)


class Counter(Dataset):
    """``Dataset.counter``: ``start, start + step, ...`` forever."""

    _tf_name = "_CounterDataset"

    def __init__(self, start, step, dtype):
        self.start, self.step = start, step
        self.dtype = np.dtype(_dtypes.as_dtype(dtype or _dtypes.int64).dtype)

    def _iter(self):
        for v in itertools.count(self.start, self.step):
            yield np.asarray(v, dtype=self.dtype)

    def _cardinality(self):
        return INFINITE

    def _spec(self):
        return TensorSpec([], self.dtype)

    def _make_probe(self):
        return np.asarray(self.start, dtype=self.dtype)


class Zip(Dataset):
    """``Dataset.zip``: elements side by side, in the structure the datasets were given in (a tuple, a dict, or
    nested ones such as ``(images, (counter, counter))``, as tf.data); stops at the shortest."""

    _tf_name = "_ZipDataset"

    def __init__(self, datasets):
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        for d in nest.flatten(datasets):
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip: expected a tuple or dict of Datasets, got a {type(d).__name__}.")
        self.datasets = datasets

    def _iter(self):
        for parts in zip(*(d._iter() for d in self._children())):
            yield nest.pack_sequence_as(self.datasets, list(parts))

    def _children(self):
        return nest.flatten(self.datasets)

    def _cardinality(self):
        cards = [d._cardinality() for d in self._children()]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return UNKNOWN if UNKNOWN in cards else INFINITE

    def _spec(self):
        return nest.pack_sequence_as(self.datasets, [d._spec() for d in self._children()])

    def _make_probe(self):
        return nest.pack_sequence_as(self.datasets, [d._probe() for d in self._children()])

    def _options(self):
        options = self._children()[0]._options() if self._children() else super()._options()
        for d in self._children()[1:]:
            options = options.merge(d._options())
        return options


def _signature(output_types, output_shapes, output_signature):
    """The element_spec a generator promises, or None when it gave none."""
    if output_signature is not None:
        return st.map_structure(lambda s: s, _as_structure(output_signature))
    if output_types is None:
        return None
    types = _as_structure(output_types)
    shapes = _as_structure(output_shapes) if output_shapes is not None else st.map_structure(lambda _: None, types)
    return st.map_structures(lambda t, s: TensorSpec(None if s is None else list(s), t), types,
                             _shape_structure_like(types, shapes))


def _as_structure(value):
    if isinstance(value, list):
        return tuple(_as_structure(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_as_structure(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_structure(v) for k, v in value.items()}
    return value


def _shape_structure_like(types, shapes):
    """``output_shapes`` given as a plain shape tuple for a single type stays one leaf."""
    if not isinstance(types, (tuple, dict)):
        return list(shapes) if isinstance(shapes, tuple) else shapes
    if isinstance(types, dict):
        return {k: _shape_structure_like(types[k], shapes[k]) for k in types}
    return tuple(_shape_structure_like(t, s) for t, s in zip(types, shapes))


class Generator(Dataset):
    """``from_generator``: a fresh call of the generator for each pass."""

    _tf_name = "_FlatMapDataset"

    def __init__(self, generator, args, output_types, output_shapes, output_signature):
        if not callable(generator):
            raise TypeError(f"Dataset.from_generator: `generator` must be callable, got {generator!r}.")
        self.generator, self.args = generator, args
        self.signature = _signature(output_types, output_shapes, output_signature)

    def _call(self):
        args = [a.numpy() if isinstance(a, Tensor) else a for a in self.args]
        return self.generator(*args)

    def _iter(self):
        for item in self._call():
            yield self._convert(item) if self.signature is not None else st.from_user(item)

    def _convert(self, item):
        if isinstance(item, list) and isinstance(self.signature, tuple):
            item = tuple(item)
        try:
            flat_items = _flatten_like(self.signature, item)
        except (TypeError, KeyError, ValueError):
            raise TypeError(f"`generator` yielded an element that did not match the expected structure. The "
                            f"expected structure was {self.signature}, but the yielded element was {item!r}.") \
                from None
        specs = st.leaves(self.signature)
        out = []
        for spec, value in zip(specs, flat_items):
            arr = to_array(value, spec.dtype)
            if not spec.shape.is_compatible_with(arr.shape):
                expected = "<unknown>" if spec.shape.rank is None else str(tuple(spec.shape))
                raise InvalidArgumentError(f"TypeError: `generator` yielded an element of shape {arr.shape} where "
                                           f"an element of shape {expected} was expected.")
            out.append(arr)
        return st.pack_like(self.signature, out)

    def _spec(self):
        return self.signature if self.signature is not None else super()._spec()

    def _make_probe(self):
        if self.signature is not None:  # zeros of the promised shapes: no need to run the generator
            return st.map_structure(lambda s: np.zeros([1 if d is None else d for d in s.shape]
                                                       if s.shape.rank is not None else [],
                                                       dtype=s.dtype.dtype), self.signature)
        return super()._make_probe()


def _flatten_like(signature, item) -> list:
    """The leaves of ``item``, which must have ``signature``'s tuple/dict nesting (TypeError otherwise)."""
    if isinstance(signature, dict):
        if not isinstance(item, dict) or set(item) != set(signature):
            raise TypeError("structure")
        return [leaf for k in signature for leaf in _flatten_like(signature[k], item[k])]
    if isinstance(signature, tuple):
        if not isinstance(item, (tuple, list)) or len(item) != len(signature):
            raise TypeError("structure")
        return [leaf for s, v in zip(signature, item) for leaf in _flatten_like(s, v)]
    return [item]
