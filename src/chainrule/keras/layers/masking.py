"""Masking: mark the timesteps whose features all equal ``mask_value`` as padding (tf.keras 2)."""
from __future__ import annotations

from typing import Any

from ...functions import cast, not_equal, reduce_any, squeeze
from .. import registry
from .base import Layer


class Masking(Layer):
    """Skips padded timesteps: a step of ``(batch, timesteps, features)`` whose features all equal
    ``mask_value`` (default 0.0) is masked for the layers downstream (an LSTM carries its state over
    it) and its values are set to zero.

    The output has the input's shape and carries the mask ``(batch, timesteps)`` (True = real step).

    Args:
        mask_value: the value that marks a padded timestep (default 0.0).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value
        self._compute_output_and_mask_jointly = True

    def compute_mask(self, inputs, mask=None):
        return reduce_any(not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs: Any) -> Any:
        keep = reduce_any(not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        outputs = inputs * cast(keep, inputs.dtype)
        outputs._keras_mask = squeeze(keep, axis=-1)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


registry.register("layers", Masking)
