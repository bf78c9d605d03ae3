"""Elements of a Dataset: nested tuples/dicts of numpy arrays, and their ``element_spec``.

Internally an element is a leaf (a numpy array), a tuple or a dict of
elements. As in tf.data, a list given as data is one tensor, while a list
returned by a ``map`` function is a tuple. Iterating a Dataset wraps each leaf
in a Tensor.

.. note:: this module keeps its own small structure walkers; once
   ``chainrule.nest`` is on main they should be replaced by it.
"""
from __future__ import annotations

import collections

import numpy as np

from ..sparse import SparseTensorSpec
from ..tensor import Tensor, to_array
from ..tensor_spec import TensorSpec


def _dict_like(d, items):
    """A dict of ``d``'s kind (an OrderedDict stays one, as make_csv_dataset's features)."""
    return collections.OrderedDict(items) if isinstance(d, collections.OrderedDict) else dict(items)


def map_structure(fn, s):
    """``fn`` applied to every leaf of the tuple/dict structure ``s``."""
    if isinstance(s, dict):
        return _dict_like(s, ((k, map_structure(fn, v)) for k, v in s.items()))
    if isinstance(s, tuple):
        return tuple(map_structure(fn, v) for v in s)
    return fn(s)


def map_structures(fn, a, b):
    """``fn(leaf_a, leaf_b)`` over two structures of the same nesting."""
    if isinstance(a, dict):
        return {k: map_structures(fn, a[k], b[k]) for k in a}
    if isinstance(a, tuple):
        return tuple(map_structures(fn, x, y) for x, y in zip(a, b))
    return fn(a, b)


def leaves(s) -> list:
    """The leaves of ``s`` in order."""
    if isinstance(s, dict):
        return [x for v in s.values() for x in leaves(v)]
    if isinstance(s, tuple):
        return [x for v in s for x in leaves(v)]
    return [s]


def pack_like(structure, flat):
    """``flat`` (a list of leaves) in the nesting of ``structure``."""
    it = iter(flat)
    return map_structure(lambda _: next(it), structure)


def row(array, index):
    """``array[index]``, keeping a string as a 0-d object array (numpy gives a bare ``bytes`` for a 1-D object
    array; a bytes dtype would drop trailing NUL bytes)."""
    out = array[index]
    if array.dtype == object and not isinstance(out, np.ndarray):
        boxed = np.empty((), dtype=object)
        boxed[()] = out
        return boxed
    return out


def to_numpy(x):
    """A leaf as a numpy array (strings stay numpy bytes arrays)."""
    if isinstance(x, Tensor):
        return x._value
    if hasattr(x, "to_numpy"):  # a pandas Series: its text (an object array of str) as bytes, as any strings
        return to_array(x.to_numpy())
    return to_array(x)


def normalize(element):
    """A user's element as an internal one: tuples and dicts are structures, anything else (a list too) a leaf."""
    if isinstance(element, dict):
        return _dict_like(element, ((k, normalize(v)) for k, v in element.items()))
    if isinstance(element, tuple):
        return tuple(normalize(v) for v in element)
    if hasattr(element, "_is_chainrule_dataset") or getattr(element, "_is_chainrule_composite", False):
        return element  # a nested Dataset (window) or a SparseTensor/RaggedTensor stays as it is
    return to_numpy(element)


def from_user(value):
    """A user function's return value as an internal element."""
    if isinstance(value, list):
        value = tuple(value)
    return normalize(value)


def to_tensors(element):
    """An internal element as the user sees it: Tensors in the same nesting."""
    return map_structure(lambda a: Tensor(np.asarray(a)) if isinstance(a, (np.ndarray, np.generic)) else a,
                         element)


def _python_leaf(a):
    if not isinstance(a, (np.ndarray, np.generic)) or np.ndim(a):
        return a
    if a.dtype.kind in "SO":  # strings as bytes, as TensorFlow's as_numpy_iterator gives them
        return np.asarray(a).item()
    return a[()]


def to_python(element):
    """An internal element for ``as_numpy_iterator``: numpy arrays, 0-d ones as numpy scalars, strings as bytes."""
    return map_structure(_python_leaf, element)


def spec_of(element):
    """The exact ``element_spec`` of one element (every dimension known)."""
    def leaf_spec(a):
        if hasattr(a, "_is_chainrule_dataset"):
            return DatasetSpec(a.element_spec)
        if getattr(a, "_is_chainrule_composite", False) and hasattr(a, "dense_shape"):
            return SparseTensorSpec.from_value(a)
        return TensorSpec(a.shape, a.dtype)
    return map_structure(leaf_spec, element)


def relax(spec, dims):
    """``spec`` with the leading dimension of every TensorSpec set to ``dims`` (None: unknown)."""
    def leaf(s):
        if isinstance(s, TensorSpec) and s.shape.rank:
            return TensorSpec([dims] + list(s.shape[1:]), s.dtype, s.name)
        return s
    return map_structure(leaf, spec)


def batched_spec(spec, batch_size):
    """The spec of a batch of elements of ``spec`` (batch dimension ``batch_size``, None when it varies)."""
    return map_structure(lambda s: TensorSpec([batch_size] + (s.shape.as_list() if s.shape.rank is not None
                                                              else []), s.dtype, s.name), spec)


def unbatched_spec(spec):
    """The spec of the rows of elements of ``spec``."""
    def leaf(s):
        if s.shape.rank == 0:
            raise ValueError(f"Dataset.unbatch: the elements must have rank >= 1 to be split, got {s}.")
        return TensorSpec(None if s.shape.rank is None else s.shape.as_list()[1:], s.dtype, s.name)
    return map_structure(leaf, spec)


def most_specific(a, b):
    """The most specific spec both ``a`` and ``b`` satisfy (sizes that differ become None)."""
    def leaf(x, y):
        if isinstance(x, TensorSpec) and isinstance(y, TensorSpec):
            shape = x.shape.most_specific_compatible_shape(y.shape)
            return TensorSpec(None if shape.rank is None else shape.as_list(), x.dtype, x.name)
        return x
    return map_structures(leaf, a, b)


class DatasetSpec:
    """The ``element_spec`` of an element that is itself a Dataset (``window``): ``DatasetSpec(element_spec)``."""

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self._dataset_shape = tuple(dataset_shape)

    @property
    def value_type(self):
        # dataset.py imports this module, so Dataset is looked up here, when asked for (not an import cycle).
        from .dataset import Dataset
        return Dataset

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and other.element_spec == self.element_spec

    def __hash__(self):
        return hash(repr(self))

    def __repr__(self) -> str:
        return f"DatasetSpec({self.element_spec!r}, TensorShape({list(self._dataset_shape)}))"
