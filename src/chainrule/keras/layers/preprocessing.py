"""Preprocessing layers that live inside a model, so a saved model takes raw inputs."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ...functions import cast
from .. import registry
from .base import Layer


def _number_or_list(value, what: str, layer: str):
    """A float, or a list of floats (per channel, broadcast over the last axes) as tf.keras 2 accepts."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    try:
        return np.asarray(value, dtype=np.float64).tolist()
    except (TypeError, ValueError):
        raise TypeError(f"Rescaling {layer!r}: {what} must be a number or a list of numbers (one per channel), "
                        f"got {value!r}.") from None


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1/255)`` for pixel or RGB values).

    ``scale`` and ``offset`` are numbers, or lists that broadcast against the inputs' last axes
    (one value per channel, e.g. ``Rescaling([1/58.4, 1/57.1, 1/57.4])``).

    Args:
        scale: the factor: a number, or one per channel.
        offset: added after scaling: a number, or one per channel.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, scale: Any, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _number_or_list(scale, "scale", self.name)
        self.offset = _number_or_list(offset, "offset", self.name)

    def call(self, inputs: Any) -> Any:
        if inputs.dtype != self.dtype:
            inputs = cast(inputs, self.dtype)
        dtype = self._np_dtype
        return inputs * np.asarray(self.scale, dtype) + np.asarray(self.offset, dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(scale=self.scale, offset=self.offset)
        return config


registry.register("layers", Rescaling)
