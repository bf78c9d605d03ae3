"""``PreprocessingLayer``: a layer whose state is learned from data by ``adapt`` (tf.keras 2's API)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .... import data as _data
from .... import ops as _ops
from ....context import init_scope
from ....functions import stack
from ....tensor import Tensor, apply_op, to_array
from ..base import Layer


def as_one_tensor(inputs):
    """A layer called on a Python list gets one Tensor per item (Layer.__call__ converts each): stack them back
    into one, as tf.keras 2's text layers ``convert_to_tensor`` a list."""
    if isinstance(inputs, (list, tuple)):
        return stack([as_one_tensor(x) for x in inputs])
    return inputs


def run_as_op(fn, *tensors):
    """``fn`` (numpy arrays in, one numpy array out) run as one op without gradient, on the tensors' values.

    A ``chainrule.function`` trace (``fit``'s training step) replays ops; numpy code run on a tensor's value
    directly would be frozen into the trace, giving every later batch the first batch's result. Ops that
    ``fn`` runs on the way (a user's ``standardize`` function) belong to this op and are not traced alone.
    """
    def forward(*arrays):
        with init_scope():
            return fn(*arrays)
    return apply_op(_ops.NoGradient(forward), *[as_one_tensor(t) for t in tensors])


def as_bytes_array(value, what):
    """Strings (Python str/bytes, nested lists, numpy arrays, string Tensors) as a numpy bytes array."""
    if isinstance(value, Tensor):
        arr = value._value
    elif isinstance(value, np.ndarray):
        arr = value
    else:
        arr = to_array(value)
    if arr.dtype.kind == "U":
        arr = np.char.encode(arr, "utf-8")
    elif arr.dtype.kind == "O":
        flat = [v.encode("utf-8") if isinstance(v, str) else v for v in arr.reshape(-1).tolist()]
        if not all(isinstance(v, bytes) for v in flat):
            kinds = sorted({type(v).__name__ for v in flat})
            raise ValueError(f"{what}: expected strings, got values of types {kinds}.")
        arr = np.array(flat, dtype=bytes).reshape(arr.shape) if flat else np.zeros(arr.shape, dtype="S1")
    if arr.dtype.kind != "S":
        raise ValueError(f"{what}: expected strings, got an array of dtype {arr.dtype} and shape {arr.shape}.")
    return arr


def batches_of(data, batch_size=None, steps=None):
    """The batches ``adapt`` reads: a Dataset's elements (its first item when they are tuples), or the data
    itself cut into ``batch_size`` rows (all at once by default)."""
    if isinstance(data, _data.Dataset):
        for i, element in enumerate(data.as_numpy_iterator()):
            if steps is not None and i >= steps:
                return
            yield element[0] if isinstance(element, tuple) else element
        return
    if isinstance(data, Tensor):
        data = data._value
    if isinstance(data, (list, tuple)):
        data = np.asarray(data, dtype=object) if data and isinstance(data[0], (str, bytes)) else np.asarray(data)
    if batch_size is None or np.ndim(data) == 0:
        yield data
        return
    for i, start in enumerate(range(0, len(data), int(batch_size))):
        if steps is not None and i >= steps:
            return
        yield data[start:start + int(batch_size)]


class PreprocessingLayer(Layer):
    """A layer with state computed from data: ``adapt(data)`` runs ``reset_state``, ``update_state`` on each
    batch and ``finalize_state``. ``data`` is a numpy array, a list, a Tensor or a ``chainrule.data.Dataset``
    (its elements; the first item of ``(x, y)`` pairs)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._is_adapted = False

    @property
    def is_adapted(self) -> bool:
        """Whether ``adapt`` has run (or the state was given, e.g. as a vocabulary)."""
        return self._is_adapted

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the layer's state from ``data`` (replacing any earlier state)."""
        self.reset_state()
        for batch in batches_of(data, batch_size, steps):
            self.update_state(batch)
        self.finalize_state()
        self._is_adapted = True

    def update_state(self, data):
        raise NotImplementedError(f"{type(self).__name__} has no state to adapt.")

    def finalize_state(self):
        pass

    def reset_state(self):
        pass
