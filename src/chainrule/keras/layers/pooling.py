"""Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D, GlobalMax/AveragePooling2D/3D.

tf.keras 2's names, arguments, defaults and config keys, on the pooling ops of
:mod:`chainrule.ops.pooling` (TensorFlow's rules: 'same' padding with the extra pad at the end,
max pooling never picks a pad, average pooling divides by the number of real values).
``GlobalAveragePooling1D`` / ``GlobalMaxPooling1D`` (with masks) live with the sequence layers.
"""
from __future__ import annotations

from typing import Any

from .._types import IntOrTuple
from ... import ops as _ops
from ...tensor import apply_op
from .. import registry
from . import conv_utils
from .base import Layer


class _Pooling(Layer):
    """N-d max or average pooling; ``strides=None`` means ``pool_size``."""

    _rank = 2
    _op: Any = None  # the op class each pooling layer runs

    def __init__(self, pool_size: IntOrTuple, strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        if strides is None:
            strides = pool_size
        self.pool_size = conv_utils.normalize_tuple(pool_size, self._rank, "pool_size", owner)
        self.strides = conv_utils.normalize_tuple(strides, self._rank, "strides", owner)
        self.padding = conv_utils.normalize_padding(padding, owner)
        self.data_format = conv_utils.normalize_data_format(data_format, owner)

    def build(self, input_shape: Any) -> None:
        conv_utils.check_input_rank(self, input_shape, self._rank, self.data_format)
        self.built = True

    def call(self, inputs: Any) -> Any:
        conv_utils.check_input_rank(self, inputs.shape, self._rank, self.data_format)
        op = type(self)._op(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                            data_format=self.data_format)
        return apply_op(op, inputs)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        conv_utils.check_input_rank(self, shape, self._rank, self.data_format)
        out = list(shape)
        for axis, k, s in zip(conv_utils.spatial_axes(self._rank, self.data_format), self.pool_size, self.strides):
            out[axis] = _ops.conv_output_length(shape[axis], k, self.padding, s)
        if any(d is not None and d <= 0 for d in out[1:]):
            raise ValueError(f"{type(self).__name__} {self.name!r}: the pooling window {self.pool_size} does not fit "
                             f"into the input of shape {shape} with padding={self.padding!r}; use padding='same' "
                             f"or a smaller pool_size.")
        return tuple(out)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(pool_size=self.pool_size, padding=self.padding, strides=self.strides,
                      data_format=self.data_format)
        return config


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps: ``(batch, steps, features)`` -> ``(batch, new_steps, features)``.

    ``MaxPooling1D(pool_size=2, strides=None, padding='valid', data_format='channels_last')``;
    ``new_steps = (steps - pool_size) // strides + 1`` ('valid') or ``ceil(steps / strides)`` ('same').

    Args:
        pool_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'`` (no padding) or ``'same'`` (pad so the output covers every input position).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 1, _ops.MaxPool

    def __init__(self, pool_size: IntOrTuple = 2, strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = "channels_last", **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """Max over ``pool_size`` windows: ``(batch, H, W, C)`` -> ``(batch, H', W', C)``.

    ``MaxPooling2D(pool_size=(2, 2), strides=None, padding='valid', data_format=None)``; each output
    size is ``(n - pool) // stride + 1`` ('valid') or ``ceil(n / stride)`` ('same').

    Args:
        pool_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'`` (no padding) or ``'same'`` (pad so the output covers every input position).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 2, _ops.MaxPool

    def __init__(self, pool_size: IntOrTuple = (2, 2), strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(_Pooling):
    """Max over ``pool_size`` windows of ``(batch, D, H, W, C)``; arguments as :class:`MaxPooling2D`.

    Args:
        pool_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'`` (no padding) or ``'same'`` (pad so the output covers every input position).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 3, _ops.MaxPool

    def __init__(self, pool_size: IntOrTuple = (2, 2, 2), strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows of ``pool_size`` steps; with 'same' padding border windows average their real values only.

    ``AveragePooling1D(pool_size=2, strides=None, padding='valid', data_format='channels_last')``.

    Args:
        pool_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'`` (no padding) or ``'same'`` (pad so the output covers every input position).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 1, _ops.AvgPool

    def __init__(self, pool_size: IntOrTuple = 2, strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = "channels_last", **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows of ``(batch, H, W, C)`` (TensorFlow's 'same': divides by the real values).

    ``AveragePooling2D(pool_size=(2, 2), strides=None, padding='valid', data_format=None)``.

    Args:
        pool_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'`` (no padding) or ``'same'`` (pad so the output covers every input position).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 2, _ops.AvgPool

    def __init__(self, pool_size: IntOrTuple = (2, 2), strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over ``pool_size`` windows of ``(batch, D, H, W, C)``; arguments as :class:`AveragePooling2D`.

    Args:
        pool_size: the window's size (an int or one per spatial axis).
        strides: the step of the window along each spatial axis (an int or one per axis).
        padding: ``'valid'`` (no padding) or ``'same'`` (pad so the output covers every input position).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 3, _ops.AvgPool

    def __init__(self, pool_size: IntOrTuple = (2, 2, 2), strides: IntOrTuple | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    """Max or mean over every spatial axis: ``(batch, *spatial, C)`` -> ``(batch, C)`` (``keepdims``: 1s kept)."""

    _rank = 2
    _op: Any = None  # the op class each pooling layer runs

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format, f"{type(self).__name__} {self.name!r}")
        self.keepdims = bool(keepdims)

    def _check(self, shape):
        conv_utils.check_input_rank(self, shape, self._rank, self.data_format)
        for axis in conv_utils.spatial_axes(self._rank, self.data_format):
            if shape[axis] == 0:
                raise ValueError(f"{type(self).__name__} {self.name!r}: incorrect input shape {tuple(shape)} with "
                                 f"dimension 0 at reduction axis {axis}.")

    def build(self, input_shape: Any) -> None:
        self._check(tuple(input_shape))
        self.built = True

    def call(self, inputs: Any) -> Any:
        self._check(tuple(inputs.shape))
        return apply_op(type(self)._op(data_format=self.data_format, keepdims=self.keepdims), inputs)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        self._check(shape)
        channels = shape[conv_utils.channel_axis(self.data_format, len(shape))]
        if not self.keepdims:
            return (shape[0], channels)
        ones = (1,) * self._rank
        return (shape[0],) + ones + (channels,) if self.data_format == "channels_last" else \
            (shape[0], channels) + ones

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: ``(batch, H, W, C)`` -> ``(batch, C)`` or ``(batch, 1, 1, C)`` with ``keepdims``.

    ``GlobalAveragePooling2D(data_format=None, keepdims=False)``.

    Args:
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        keepdims: keep the pooled spatial axes with size 1.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 2, _ops.GlobalAvgPool


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width: ``(batch, H, W, C)`` -> ``(batch, C)`` (``keepdims=True``: ``(batch, 1, 1, C)``).

    The gradient goes to the maxima, shared among ties (TensorFlow's ``reduce_max``).

    Args:
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        keepdims: keep the pooled spatial axes with size 1.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 2, _ops.GlobalMaxPool


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over the three spatial axes of ``(batch, D, H, W, C)``; arguments as :class:`GlobalAveragePooling2D`.

    Args:
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        keepdims: keep the pooled spatial axes with size 1.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 3, _ops.GlobalAvgPool


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over the three spatial axes of ``(batch, D, H, W, C)``; arguments as :class:`GlobalMaxPooling2D`.

    Args:
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        keepdims: keep the pooled spatial axes with size 1.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank, _op = 3, _ops.GlobalMaxPool


# tf.keras's other names for the same classes.
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool2D, GlobalAvgPool3D = GlobalAveragePooling2D, GlobalAveragePooling3D
GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling2D, GlobalMaxPooling3D

registry.register("layers", MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D,
                  AveragePooling3D, GlobalAveragePooling2D, GlobalMaxPooling2D, GlobalAveragePooling3D,
                  GlobalMaxPooling3D,
                  aliases={"MaxPool1D": MaxPooling1D, "MaxPool2D": MaxPooling2D, "MaxPool3D": MaxPooling3D,
                           "AvgPool1D": AveragePooling1D, "AvgPool2D": AveragePooling2D,
                           "AvgPool3D": AveragePooling3D, "GlobalAvgPool2D": GlobalAveragePooling2D,
                           "GlobalAvgPool3D": GlobalAveragePooling3D, "GlobalMaxPool2D": GlobalMaxPooling2D,
                           "GlobalMaxPool3D": GlobalMaxPooling3D})
