"""``RepeatVector``: ``(batch, features)`` -> ``(batch, n, features)`` (tf.keras 2), e.g. to feed an encoder's
summary to every step of a decoder."""
from __future__ import annotations

import numbers

from ...functions import broadcast_to, expand_dims
from .. import registry
from .base import Layer


class RepeatVector(Layer):
    """Repeats each sample's vector ``n`` times along a new axis 1.

    ``(batch, features)`` -> ``(batch, n, features)``.

    Args:
        n: how many times the input ``(batch, features)`` is repeated: ``(batch, n, features)``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
            raise TypeError(f"RepeatVector {self.name!r}: expected an integer value for `n` (at least 1). "
                            f"Received: {n!r}")
        self.n = int(n)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected ndim=2, found "
                             f"ndim={len(input_shape)}. Full shape received: {tuple(input_shape)}")
        self.built = True

    def call(self, inputs):
        return broadcast_to(expand_dims(inputs, 1), (inputs.shape[0], self.n, inputs.shape[1]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config["n"] = self.n
        return config


registry.register("layers", RepeatVector)
