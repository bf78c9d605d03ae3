"""Preprocessing layers that live inside a model, so a saved model takes raw inputs."""
from __future__ import annotations

from ...functions import cast
from .. import registry
from .base import Layer


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1/255)`` for pixel or RGB values)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs):
        if inputs.dtype != self.dtype:
            inputs = cast(inputs, self.dtype)
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(scale=self.scale, offset=self.offset)
        return config


registry.register("layers", Rescaling)
