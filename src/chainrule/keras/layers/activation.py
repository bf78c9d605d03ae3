"""Activation layers: ReLU, LeakyReLU, ELU, Softmax."""
from __future__ import annotations

from typing import Any

from ... import ops as _ops
from ...functions import cast, clip_by_value, where
from ...tensor import apply_op
from .. import registry
from .base import Layer


class ReLU(Layer):
    """``max(x, 0)``, optionally capped at ``max_value``, with ``negative_slope`` below ``threshold``.

    Args:
        max_value: cap the output at this value (None: no cap).
        negative_slope: the slope below ``threshold`` (default 0).
        threshold: values below it are zeroed (or scaled by ``negative_slope``).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, max_value: Any = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for arg, value in (("max_value", max_value), ("negative_slope", negative_slope), ("threshold", threshold)):
            if (value is None and arg != "max_value") or (value is not None and value < 0):
                raise ValueError(f"ReLU {self.name!r}: {arg} must be a number >= 0, got {value}.")
        self.supports_masking = True
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)

    def call(self, inputs: Any) -> Any:
        if self.negative_slope == 0 and self.threshold == 0:
            out = apply_op(_ops.ReLU(), inputs)
        else:
            out = where(inputs >= self.threshold, inputs, self.negative_slope * (inputs - self.threshold))
        if self.max_value is not None:
            out = clip_by_value(out, -float("inf"), self.max_value) if self.negative_slope else \
                clip_by_value(out, 0.0, self.max_value)
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return config


class LeakyReLU(Layer):
    """``x`` if x > 0 else ``alpha * x``; ``alpha`` (tf.keras 2) or ``negative_slope`` (Keras 3), default 0.3.

    Args:
        alpha: the slope below 0 (tf.keras 2's name; default 0.3).
        negative_slope: the same slope, Keras 3's name.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, alpha: Any = None, negative_slope: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        slope = alpha if alpha is not None else negative_slope
        self.alpha = 0.3 if slope is None else float(slope)

    @property
    def negative_slope(self) -> float:
        return self.alpha

    def call(self, inputs: Any) -> Any:
        return apply_op(_ops.LeakyReLU(self.alpha), inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class ELU(Layer):
    """``x`` if x > 0 else ``alpha * (exp(x) - 1)`` (alpha default 1.0).

    Args:
        alpha: the scale of the negative part (default 1.0).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs: Any) -> Any:
        return apply_op(_ops.ELU(self.alpha), inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(Layer):
    """Softmax along ``axis`` (default -1): an int, or a list/tuple of axes normalized together (the
    values over all of them sum to 1), as tf.keras 2 accepts.

    ``mask`` (boolean, broadcastable to the inputs; False = excluded) pushes the excluded
    logits down by 1e9 first, as tf.keras 2 does, so they get (almost) no weight.

    Args:
        axis: the axis normalized over (default -1).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis

    def call(self, inputs: Any, mask: Any = None) -> Any:
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis  # numpy takes a tuple
        if mask is not None:
            return apply_op(_ops.MaskedSoftmax(axis), inputs, cast(mask, "bool"))
        return self._keep(inputs, apply_op(_ops.Softmax(axis), inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


registry.register("layers", ReLU, LeakyReLU, ELU, Softmax)
# tf.keras 2 also accepts them as activations by name: activations.get("LeakyReLU") is LeakyReLU().
registry.register("activations", ReLU, LeakyReLU, ELU, Softmax, listed=False)
