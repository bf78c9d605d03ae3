"""BatchNormalization."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._types import ConstraintLike, InitializerLike, RegularizerLike
from ... import ops as _ops
from ...ops.updates import MovingAverage
from ...functions import reshape, rsqrt
from ...tensor import Tensor, apply_op
from .. import constraints, initializers, registry, regularizers
from .base import Layer


class BatchNormalization(Layer):
    """Normalizes each feature (along ``axis``) to zero mean and unit variance, then scales and shifts.

    Training: batch statistics via the fused ``BatchNorm`` op, and the moving
    statistics move toward them: ``moving = moving * momentum + batch * (1 - momentum)``.
    Inference (and when the layer is frozen): ``(x - moving_mean) / sqrt(moving_variance + epsilon)
    * gamma + beta``. Weights, in order: ``gamma``, ``beta`` (trainable), ``moving_mean``,
    ``moving_variance`` (non-trainable), each of shape ``(C,)``; with several axes (``axis=[1, 2]``)
    of the input's shape with 1 on the other axes, as tf.keras 2. Once built, ``axis`` is a list of
    non-negative axes (tf.keras 2 writes ``'axis': [1]`` in configs).
    Defaults: ``axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True``.

    Args:
        axis: the features axis (default -1, the last) kept; statistics are over the others.
        momentum: the momentum of the moving mean and variance (default 0.99).
        epsilon: added to the variance to avoid dividing by zero.
        center: add the learned offset ``beta``.
        scale: multiply by the learned factor ``gamma``.
        beta_initializer: initializer of ``beta`` (default zeros).
        gamma_initializer: initializer of ``gamma`` (default ones).
        moving_mean_initializer: initializer of the moving mean (default zeros).
        moving_variance_initializer: initializer of the moving variance (default ones).
        beta_regularizer: a regularizer for ``beta``.
        gamma_regularizer: a regularizer for ``gamma``.
        beta_constraint: a constraint on ``beta``.
        gamma_constraint: a constraint on ``gamma``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: InitializerLike = "zeros",
                 gamma_initializer: InitializerLike = "ones", moving_mean_initializer: InitializerLike = "zeros",
                 moving_variance_initializer: InitializerLike = "ones", beta_regularizer: RegularizerLike = None,
                 gamma_regularizer: RegularizerLike = None, beta_constraint: ConstraintLike = None,
                 gamma_constraint: ConstraintLike = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis) if isinstance(axis, (int, np.integer)) else [int(a) for a in axis]
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"BatchNormalization {self.name!r}: axis {a} is out of range for input shape "
                                 f"{tuple(input_shape)} (rank {rank}); use axis=-1 for the features (valid axes "
                                 f"are {-rank} to {rank - 1}).")
            if input_shape[a] is None:
                raise ValueError(f"BatchNormalization {self.name!r}: axis {a} of input shape "
                                 f"{tuple(input_shape)} must be defined.")
        self.axis = sorted({a % rank for a in axes})
        if len(self.axis) == 1:
            shape = (int(input_shape[self.axis[0]]),)
        else:
            shape = tuple(int(input_shape[i]) if i in self.axis else 1 for i in range(rank))
        self._param_shape = [int(input_shape[i]) if i in self.axis else 1 for i in range(rank)]
        self.gamma = self.add_weight("gamma", shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight("beta", shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        self.moving_mean = self.add_weight("moving_mean", shape, initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def _param(self, var, fill):
        if var is not None:
            return var
        return Tensor(np.full(self.moving_mean._value.shape, fill, dtype=self.moving_mean._value.dtype))

    def call(self, inputs, training=None):
        gamma, beta = self._param(self.gamma, 1.0), self._param(self.beta, 0.0)
        if training and self.trainable:
            out, mean, variance = apply_op(_ops.BatchNorm(tuple(self.axis), self.epsilon, statistics=True),
                                           inputs, gamma, beta)
            average = MovingAverage(self.momentum)
            self.moving_mean.apply_update(average, mean)
            self.moving_variance.apply_update(average, variance)
            return out
        shape = self._param_shape
        inv = rsqrt(self.moving_variance + self.epsilon)
        scale = reshape(gamma * inv, shape)
        shift = reshape(beta - self.moving_mean * gamma * inv, shape)
        return inputs * scale + shift

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
                      scale=self.scale, beta_initializer=initializers.serialize(self.beta_initializer),
                      gamma_initializer=initializers.serialize(self.gamma_initializer),
                      moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
                      moving_variance_initializer=initializers.serialize(self.moving_variance_initializer),
                      beta_regularizer=regularizers.serialize(self.beta_regularizer),
                      gamma_regularizer=regularizers.serialize(self.gamma_regularizer),
                      beta_constraint=constraints.serialize(self.beta_constraint),
                      gamma_constraint=constraints.serialize(self.gamma_constraint))
        return config


registry.register("layers", BatchNormalization)
