"""``LayerNormalization`` (tf.keras 2): normalize each sample over its feature axes, then scale and shift."""
from __future__ import annotations

import numbers

from ... import ops as _ops
from ...tensor import apply_op
from .. import constraints, initializers, registry, regularizers
from .base import Layer


class LayerNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the mean and variance of each sample over ``axis``.

    Defaults as tf.keras 2: ``axis=-1`` (an int or a list), ``epsilon=1e-3``, ``center=True``
    (``beta``, zeros), ``scale=True`` (``gamma``, ones). The weights have the shape of the
    normalized axes. Masks pass through. The arithmetic is ``chainrule.ops.LayerNorm``.

    Args:
        axis: the axis (or axes) normalized over (default -1).
        epsilon: added to the variance to avoid dividing by zero.
        center: add the learned offset ``beta``.
        scale: multiply by the learned factor ``gamma``.
        beta_initializer: initializer of ``beta`` (default zeros).
        gamma_initializer: initializer of ``gamma`` (default ones).
        beta_regularizer: a regularizer for ``beta``.
        gamma_regularizer: a regularizer for ``gamma``.
        beta_constraint: a constraint on ``beta``.
        gamma_constraint: a constraint on ``gamma``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(f"LayerNormalization {self.name!r}: expected an int or a list/tuple of ints for the "
                            f"argument 'axis', but received: {axis!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"LayerNormalization {self.name!r}: invalid value for `axis` argument. Expected "
                                 f"0 <= axis < inputs.rank (with inputs.rank={rank}). Received: axis={self.axis}")
        self.axis = sorted({a % rank for a in axes})
        if len(self.axis) != len(axes):
            raise ValueError(f"LayerNormalization {self.name!r}: duplicate axis: {axes}")
        param_shape = [input_shape[a] for a in self.axis]
        if any(d is None for d in param_shape):
            raise ValueError(f"LayerNormalization {self.name!r}: the normalized axes {self.axis} of the input shape "
                             f"{tuple(input_shape)} must be known.")
        self.gamma = self.add_weight("gamma", param_shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight("beta", param_shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        self.built = True

    def call(self, inputs):
        params = [p for p in (self.gamma, self.beta) if p is not None]
        return apply_op(_ops.LayerNorm(axis=tuple(self.axis), epsilon=self.epsilon, center=self.center,
                                       scale=self.scale), inputs, *params)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                      beta_initializer=initializers.serialize(self.beta_initializer),
                      gamma_initializer=initializers.serialize(self.gamma_initializer),
                      beta_regularizer=regularizers.serialize(self.beta_regularizer),
                      gamma_regularizer=regularizers.serialize(self.gamma_regularizer),
                      beta_constraint=constraints.serialize(self.beta_constraint),
                      gamma_constraint=constraints.serialize(self.gamma_constraint))
        return config


registry.register("layers", LayerNormalization)
