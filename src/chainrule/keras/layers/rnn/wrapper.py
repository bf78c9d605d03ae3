"""``Wrapper``: the base of layers that wrap another layer (``TimeDistributed``, ``Bidirectional``)."""
from __future__ import annotations

from typing import Any

from ..base import Layer
from ..serialization import deserialize as deserialize_layer
from ..serialization import serialize as serialize_layer


class Wrapper(Layer):
    """Holds ``layer`` (a Layer instance) and serializes it in its config as ``{"layer": {...}}``.

    Args:
        layer: the wrapped layer.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `{type(self).__name__}` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self) -> dict:
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)
