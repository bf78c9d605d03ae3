"""SpatialDropout1D/2D/3D: Dropout that drops whole feature maps (one mask value per sample and channel).

In training a channel is zeroed with probability ``rate`` in every position at once, and the kept
ones are scaled by ``1 / (1 - rate)``; at inference the layer passes its input through. The mask is
``ops.Dropout`` with a ``noise_shape`` of size 1 on the spatial axes.
"""
from __future__ import annotations

from typing import Any

from ... import ops as _ops
from ...tensor import apply_op
from .. import registry
from . import conv_utils
from .core import Dropout


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


registry.register("layers", SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
