"""``UnitNormalization`` (tf.keras 2): scale each sample to unit L2 norm along some axes."""
from __future__ import annotations

from typing import Any

from ...math import l2_normalize
from .. import registry
from .base import Layer


class UnitNormalization(Layer):
    """``x / sqrt(max(sum(x ** 2, axis), 1e-12))``: each sample has L2 norm 1 along ``axis`` (as
    ``chainrule.math.l2_normalize``, tf.keras 2's; an all-zero vector stays zero). Masks pass through.

    Args:
        axis: the axis (or a list of axes) normalized over (default -1).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        TypeError: ``axis`` is not an int or a list/tuple of ints.
    """

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis: int | list[int]
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(f"UnitNormalization {self.name!r}: invalid value for `axis` argument: expected an int or "
                            f"a list/tuple of ints. Received: axis={axis!r}")
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return l2_normalize(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


registry.register("layers", UnitNormalization)
