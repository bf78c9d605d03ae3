"""``PreprocessingLayer``: a layer whose state comes from data through ``adapt``, as tf.keras 2's.

``layer.adapt(data)`` resets the state, builds the layer on the data's shape if needed, feeds the
data batch by batch to ``update_state`` (arrays in batches of ``batch_size``, 32 by default; a
``chainrule.data.Dataset`` as it yields its elements) and ends with ``finalize_state``. Subclasses
implement those three methods (``reset_state`` too).
"""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor
from .base import Layer


def _is_dataset(data) -> bool:
    return hasattr(data, "_is_chainrule_dataset") or (hasattr(data, "__iter__") and hasattr(data, "element_spec"))


def _as_array(value):
    if isinstance(value, Tensor):
        return value._value
    if hasattr(value, "to_numpy"):  # a pandas Series or DataFrame
        return value.to_numpy()
    return np.asarray(value)


class PreprocessingLayer(Layer):
    """Base class of layers with state computed from data by :meth:`adapt` (``Normalization``, ``Discretization``).

    ``is_adapted`` tells whether ``adapt`` has run; ``update_state(batch)``, ``reset_state()`` and
    ``finalize_state()`` are the steps ``adapt`` calls.
    """

    _is_adapted = False

    @property
    def is_adapted(self) -> bool:
        """Whether :meth:`adapt` has been called."""
        return self._is_adapted

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Compute the layer's state from ``data``: an array (or list, Tensor, pandas object) read in batches of
        ``batch_size`` (default 32), or a Dataset read element by element (``steps`` elements at most)."""
        if self.built:
            self.reset_state()
        for i, batch in enumerate(self._adapt_batches(data, batch_size)):
            if steps is not None and i >= steps:
                break
            batch = _as_array(batch)
            if not self.built:
                if self._batch_input_shape is None:  # as tf.keras 2: the rank is now known
                    self._batch_input_shape = self._adapted_input_shape(tuple(batch.shape))
                self._build_input_shape = tuple(batch.shape)
                self.build(tuple(batch.shape))
                self.built = True
            self.update_state(batch)
        self.finalize_state()
        self._is_adapted = True

    def _adapt_batches(self, data, batch_size):
        if _is_dataset(data):
            if batch_size is not None:
                raise ValueError(f"{type(self).__name__} {self.name!r}: adapt() takes no batch_size for a Dataset "
                                 "(it is read as batched by the Dataset).")
            return iter(data)
        if isinstance(data, dict):
            raise ValueError(f"{type(self).__name__} {self.name!r}: adapt() takes one feature; got a dict "
                             f"(keys {sorted(data)}). Pass one column, e.g. adapt(data[{next(iter(data))!r}]).")
        array = _as_array(data)
        if array.dtype == object:
            raise ValueError(f"{type(self).__name__} {self.name!r}: adapt() needs a rectangular array; got rows of "
                             "different lengths.")
        size = 32 if batch_size is None else int(batch_size)
        if array.ndim == 0:
            return iter([array])
        return (array[i:i + size] for i in range(0, max(len(array), 1), size))

    def _adapted_input_shape(self, batch_shape) -> tuple:
        """The input shape ``adapt`` records for a layer built on a batch of ``batch_shape``: sizes unknown."""
        return (None,) * len(batch_shape)

    def update_state(self, data) -> None:
        """Accumulate statistics from one batch (numpy array)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def reset_state(self) -> None:
        """Forget the statistics (called at the start of every ``adapt``)."""

    def finalize_state(self) -> None:
        """Turn the statistics into the layer's state (called at the end of ``adapt``)."""
