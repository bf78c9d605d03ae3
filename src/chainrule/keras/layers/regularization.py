"""Regularization layers: SpatialDropout1D/2D/3D, AlphaDropout, GaussianNoise, GaussianDropout,
ActivityRegularization.

SpatialDropout drops whole feature maps (one mask value per sample and channel): in training a channel
is zeroed with probability ``rate`` in every position at once, and the kept ones are scaled by
``1 / (1 - rate)``; the mask is ``ops.Dropout`` with a ``noise_shape`` of size 1 on the spatial axes.
The noise layers draw in training only, each call anew (a ``chainrule.function`` replay included),
from the layer's own Generator when it has a ``seed`` and from the global seeded one otherwise, as
``Dropout`` does; at inference they pass their input through.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ... import ops as _ops
from ...tensor import apply_op
from .. import registry, regularizers
from . import conv_utils
from .base import Layer
from .core import Dropout, check_noise_shape


class _SpatialDropout(Dropout):
    _rank = 2

    def _noise_shape(self, ndim):
        ones = (1,) * self._rank
        return (None,) + ones + (None,) if self.data_format == "channels_last" else (None, None) + ones

    def build(self, input_shape):
        conv_utils.check_input_rank(self, input_shape, self._rank, self.data_format)
        self.built = True

    def call(self, inputs, training=None):
        conv_utils.check_input_rank(self, inputs.shape, self._rank, self.data_format)
        if not training or self.rate == 0:
            return inputs
        op = _ops.Dropout(self.rate, noise_shape=self._noise_shape(inputs.ndim), rng=self._rng)
        return apply_op(op, inputs)


class SpatialDropout1D(_SpatialDropout):
    """Drops entire 1-D feature maps: ``(batch, steps, channels)``, one mask value per sample and channel.

    ``SpatialDropout1D(rate)``; active only in training.

    Args:
        rate: the fraction of the inputs dropped, in [0, 1).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 1
    data_format = "channels_last"

    def __init__(self, rate: Any, **kwargs: Any) -> None:
        super().__init__(rate, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2-D feature maps of ``(batch, H, W, C)`` (or channels_first) in training.

    ``SpatialDropout2D(rate, data_format=None)``. The config also keeps ``data_format`` (tf.keras 2's
    omits it, so a channels_first layer reloaded there becomes channels_last; Keras 3's keeps it).

    Args:
        rate: the fraction of the inputs dropped, in [0, 1).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 2

    def __init__(self, rate: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(rate, **kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format, f"{type(self).__name__} {self.name!r}")

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class SpatialDropout3D(SpatialDropout2D):
    """Drops entire 3-D feature maps of ``(batch, D, H, W, C)`` in training; arguments as :class:`SpatialDropout2D`.

    Args:
        rate: the fraction of the inputs dropped, in [0, 1).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 3


def _checked_rate(layer, rate) -> float:
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= float(rate) < 1:
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: rate must be a number in [0, 1), got {rate!r}.")
    return float(rate)


class _NoiseLayer(Layer):
    """A layer that adds noise in training only; its own Generator when seeded (masks passes through)."""

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def _noise_op(self, inputs):
        raise NotImplementedError

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training:
            return inputs
        op = self._noise_op(inputs)
        return inputs if op is None else apply_op(op, inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class AlphaDropout(_NoiseLayer):
    """Dropout for self-normalizing (SELU) networks: keeps the inputs' mean and variance.

    In training each value is, with probability ``rate``, set to SELU's saturation ``alpha_p =
    -1.7580993408473766``, then all go through ``a * x + b`` with ``a = ((1 - rate) * (1 + rate *
    alpha_p ** 2)) ** -0.5`` and ``b = -a * alpha_p * rate`` (tf.keras 2's formula,
    ``chainrule.ops.AlphaDropout``). At inference, or with ``rate`` 0, the input passes through.
    The config also keeps ``noise_shape`` (tf.keras 2's has only ``rate`` and ``seed``, so a reloaded layer
    there forgets it; Keras 3's keeps it).

    Args:
        rate: the fraction of the inputs dropped, in [0, 1).
        noise_shape: the shape of the mask (None entries take the input's size), to share it along axes.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: ``rate`` outside [0, 1).
    """

    def __init__(self, rate: Any, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = _checked_rate(self, rate)
        self.noise_shape = noise_shape

    def _noise_op(self, inputs):
        if self.rate == 0:
            return None
        check_noise_shape(self, self.noise_shape, inputs.shape)
        return _ops.AlphaDropout(self.rate, noise_shape=self.noise_shape, rng=self._rng)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return config


class GaussianNoise(_NoiseLayer):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` in training (a regularizer, and
    a way to make a model robust to small input changes); identity at inference.

    Args:
        stddev: the standard deviation of the noise, a number >= 0.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: ``stddev`` is not a number >= 0.
    """

    def __init__(self, stddev: Any, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or float(stddev) < 0:
            raise ValueError(f"GaussianNoise {self.name!r}: stddev must be a number >= 0, got {stddev!r}.")
        self.stddev = float(stddev)

    def _noise_op(self, inputs):
        return _ops.GaussianNoise(self.stddev, rng=self._rng)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(stddev=self.stddev, seed=self.seed)
        return config


class GaussianDropout(_NoiseLayer):
    """Multiplies the inputs by Gaussian noise of mean 1 and standard deviation ``sqrt(rate / (1 - rate))``
    in training (``chainrule.ops.GaussianDropout``); identity at inference or with ``rate`` 0.

    Args:
        rate: the drop probability as with ``Dropout``, in [0, 1).
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).

    Raises:
        ValueError: ``rate`` outside [0, 1).
    """

    def __init__(self, rate: Any, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.rate = _checked_rate(self, rate)

    def _noise_op(self, inputs):
        return _ops.GaussianDropout(self.rate, rng=self._rng) if self.rate > 0 else None

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


class ActivityRegularization(Layer):
    """Passes its input through and adds ``l1 * sum(|x|) + l2 * sum(x ** 2)`` (per sample, averaged
    over the batch as every activity regularizer) to the layer's ``losses``.

    Args:
        l1: the L1 factor (default 0).
        l2: the L2 factor (default 0).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        if "activity_regularizer" in kwargs:
            raise TypeError(f"ActivityRegularization: the regularizer is set by l1 and l2, not by "
                            f"activity_regularizer={kwargs['activity_regularizer']!r}.")
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(l1=self.l1, l2=self.l2)
        return config


registry.register("layers", SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, AlphaDropout, GaussianNoise,
                  GaussianDropout, ActivityRegularization)
