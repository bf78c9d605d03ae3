"""``Permute`` (tf.keras 2): reorder the axes of each sample, e.g. ``(batch, steps, features)`` -> ``(batch,
features, steps)``."""
from __future__ import annotations

from typing import Any

from ...functions import transpose
from .. import registry
from .base import Layer


class Permute(Layer):
    """Permutes the non-batch axes of its input by ``dims`` (1-based: the batch axis 0 stays first).

    ``Permute((2, 1))`` turns ``(batch, 10, 64)`` into ``(batch, 64, 10)``. Masks do not pass (as
    tf.keras 2's, which does not support masking).

    Args:
        dims: a permutation of ``1 .. n`` for inputs of rank ``n + 1``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: ``dims`` is not a permutation of ``1 .. len(dims)``; at build or call, inputs whose
            rank is not ``len(dims) + 1``.
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute {self.name!r}: invalid permutation argument `dims` for Permute Layer. The set "
                             f"of indices in `dims` must be consecutive and start from 1. Received dims={dims}")

    def _check(self, shape):
        if len(shape) != len(self.dims) + 1:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected "
                             f"ndim={len(self.dims) + 1}, found ndim={len(shape)}. Full shape received: "
                             f"{tuple(shape)}")

    def build(self, input_shape: Any) -> None:
        self._check(tuple(input_shape))
        self.built = True

    def call(self, inputs: Any) -> Any:
        self._check(tuple(inputs.shape))
        return transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        self._check(tuple(input_shape))
        return (tuple(input_shape)[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        config = super().get_config()
        config["dims"] = self.dims
        return config


registry.register("layers", Permute)
