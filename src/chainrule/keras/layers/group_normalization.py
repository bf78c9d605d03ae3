"""``GroupNormalization`` (tf.keras 2.11+): normalize each sample over groups of channels, then scale and shift."""
from __future__ import annotations

import numbers
from typing import Any

from ...functions import reduce_mean, reshape, rsqrt, square
from .. import constraints, initializers, registry, regularizers
from .base import Layer


class GroupNormalization(Layer):
    """Splits the channels (``axis``) into ``groups`` groups and normalizes each sample's group with its own
    mean and variance over the group's channels and every other non-batch axis, then applies the per-channel
    ``gamma * x + beta``.

    ``groups=1`` is layer normalization over all features, ``groups=-1`` (one group per channel) instance
    normalization. Defaults as tf.keras 2: ``groups=32``, ``axis=-1``, ``epsilon=1e-3``, ``center`` and
    ``scale`` True; the weights ``gamma`` then ``beta`` have shape ``(channels,)``. Batch-size independent,
    the same in training and inference. Masks pass through.

    Args:
        groups: the number of groups, a divisor of the channel count (-1: one per channel).
        axis: the channel axis (default -1).
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

    Raises:
        ValueError: at build, an unknown channel count, more groups than channels, or a channel count that
            the groups do not divide.
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or (groups < 1 and groups != -1):
            raise ValueError(f"GroupNormalization {self.name!r}: groups must be a positive int or -1 (one group per "
                             f"channel), got {groups!r}.")
        self.groups: int = int(groups)
        self.axis: int = int(axis)
        self.epsilon: float = float(epsilon)
        self.center: bool = bool(center)
        self.scale: bool = bool(scale)
        self.beta_initializer: Any = initializers.get(beta_initializer)
        self.gamma_initializer: Any = initializers.get(gamma_initializer)
        self.beta_regularizer: Any = regularizers.get(beta_regularizer)
        self.gamma_regularizer: Any = regularizers.get(gamma_regularizer)
        self.beta_constraint: Any = constraints.get(beta_constraint)
        self.gamma_constraint: Any = constraints.get(gamma_constraint)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"GroupNormalization {self.name!r}: axis {self.axis} is out of range for inputs of shape "
                             f"{input_shape}.")
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"GroupNormalization {self.name!r}: axis {self.axis} of input tensor should have a "
                             f"defined dimension but the layer received an input with shape {input_shape}.")
        groups = channels if self.groups == -1 else self.groups
        if channels < groups:
            raise ValueError(f"GroupNormalization {self.name!r}: number of groups ({groups}) cannot be more than the "
                             f"number of channels ({channels}).")
        if channels % groups:
            raise ValueError(f"GroupNormalization {self.name!r}: the number of channels ({channels}) must be a "
                             f"multiple of the number of groups ({groups}).")
        self.groups = groups  # tf.keras 2 keeps the resolved count (-1 becomes the channel count)
        self._channel_axis, self._rank = self.axis % rank, rank
        self.gamma = self.add_weight("gamma", (channels,), initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint) \
            if self.scale else None
        self.beta = self.add_weight("beta", (channels,), initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint) \
            if self.center else None
        self.built = True

    def call(self, inputs: Any) -> Any:
        shape = tuple(inputs.shape)
        if len(shape) != self._rank:
            raise ValueError(f"GroupNormalization {self.name!r}: built for inputs of rank {self._rank}, called on "
                             f"inputs of shape {shape}.")
        axis, groups = self._channel_axis, self.groups
        channels = shape[axis]
        # (..., channels, ...) -> (..., groups, channels // groups, ...): statistics over all but batch and group
        grouped_shape = shape[:axis] + (groups, channels // groups) + shape[axis + 1:]
        grouped = reshape(inputs, grouped_shape)
        reduced = tuple(i for i in range(1, len(grouped_shape)) if i != axis)
        mean = reduce_mean(grouped, axis=reduced, keepdims=True)
        centred = grouped - mean
        variance = reduce_mean(square(centred), axis=reduced, keepdims=True)
        out = reshape(centred * rsqrt(variance + self.epsilon), shape)
        param_shape = [1] * len(shape)
        param_shape[axis] = channels
        if self.gamma is not None:
            out = out * reshape(self.gamma, param_shape)
        if self.beta is not None:
            out = out + reshape(self.beta, param_shape)
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(groups=self.groups, axis=self.axis, epsilon=self.epsilon, center=self.center,
                      scale=self.scale, beta_initializer=initializers.serialize(self.beta_initializer),
                      gamma_initializer=initializers.serialize(self.gamma_initializer),
                      beta_regularizer=regularizers.serialize(self.beta_regularizer),
                      gamma_regularizer=regularizers.serialize(self.gamma_regularizer),
                      beta_constraint=constraints.serialize(self.beta_constraint),
                      gamma_constraint=constraints.serialize(self.gamma_constraint))
        return config


registry.register("layers", GroupNormalization)
