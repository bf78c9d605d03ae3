"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax."""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import backend as _backend
from ... import ops as _ops
from ...functions import cast, clip_by_value, where
from ...tensor import apply_op
from .. import constraints, initializers, registry, regularizers
from .base import Layer


def _floatx_number(value: Any) -> float:
    """``value`` rounded to floatx, as tf.keras 2 keeps these layers' numbers (``backend.cast_to_floatx``): the
    config then holds the float32 number, ``LeakyReLU(alpha=0.2)`` saves ``"alpha": 0.20000000298023224``."""
    return float(np.asarray(value, dtype=_backend.floatx()))


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
        self.max_value = None if max_value is None else _floatx_number(max_value)
        self.negative_slope, self.threshold = _floatx_number(negative_slope), _floatx_number(threshold)

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
        self.alpha = _floatx_number(0.3 if slope is None else slope)

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


class PReLU(Layer):
    """Parametric ReLU: ``x`` if x > 0 else ``alpha * x``, with ``alpha`` learned per input position.

    ``alpha`` has the shape of one sample (``input_shape[1:]``), with size 1 on ``shared_axes``
    (1-based, the batch axis is 0) so one slope serves a whole axis: ``shared_axes=[1, 2]`` on
    ``(batch, height, width, channels)`` images learns one slope per channel. The arithmetic is
    ``chainrule.ops.PReLU``. Masks pass through.

    Args:
        alpha_initializer: initializer of ``alpha`` (default ``'zeros'``: the layer starts as a ReLU).
        alpha_regularizer: a regularizer for ``alpha``.
        alpha_constraint: a constraint on ``alpha``.
        shared_axes: an int or a list of the axes along which ``alpha`` is shared (None: none).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: at build, a shared axis outside ``1 .. rank - 1`` or an unknown unshared axis size.
    """

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None, alpha_constraint: Any = None,
                 shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < rank:
                raise ValueError(f"PReLU {self.name!r}: shared_axes {self.shared_axes} must name axes 1 .. "
                                 f"{rank - 1} of the input shape {input_shape} (axis 0 is the batch).")
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"PReLU {self.name!r}: alpha's shape {tuple(param_shape)} has an unknown size; give the "
                             f"input shape {input_shape} known sizes or share alpha along the unknown axes "
                             "(shared_axes).")
        self.alpha = self.add_weight("alpha", param_shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self._alpha_rank = rank
        self.built = True

    def call(self, inputs: Any) -> Any:
        if inputs.ndim != self._alpha_rank:
            raise ValueError(f"PReLU {self.name!r}: built for inputs of rank {self._alpha_rank}, called on inputs of "
                             f"shape {tuple(inputs.shape)}.")
        return apply_op(_ops.PReLU(), inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(alpha_initializer=initializers.serialize(self.alpha_initializer),
                      alpha_regularizer=regularizers.serialize(self.alpha_regularizer),
                      alpha_constraint=constraints.serialize(self.alpha_constraint),
                      shared_axes=self.shared_axes)
        return config


class ThresholdedReLU(Layer):
    """``x`` if x > theta else 0 (tf.keras 2; ``theta`` default 1.0). Masks pass through.

    Args:
        theta: the threshold, a number >= 0.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: ``theta`` is None or negative.
    """

    def __init__(self, theta: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError(f"ThresholdedReLU {self.name!r}: theta of a ThresholdedReLU layer cannot be None, "
                             "expected a float >= 0.")
        if theta < 0:
            raise ValueError(f"ThresholdedReLU {self.name!r}: theta must be >= 0, got {theta}.")
        self.supports_masking = True
        self.theta = _floatx_number(theta)

    def call(self, inputs: Any) -> Any:
        return inputs * cast(inputs > self.theta, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["theta"] = self.theta
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
        self.alpha = _floatx_number(alpha)

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


registry.register("layers", ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax)
# tf.keras 2 also accepts them as activations by name: activations.get("LeakyReLU") is LeakyReLU().
registry.register("activations", ReLU, LeakyReLU, ELU, Softmax, listed=False)
