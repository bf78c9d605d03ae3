"""Spatial reshaping layers: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D.

tf.keras 2's names, arguments, defaults and config keys, on :mod:`chainrule.ops.spatial`
(``ZeroPad``, ``Crop``, ``UpSampleNearest``, ``ResizeBilinear``). The 1-D layers work on
``(batch, steps, features)``; the 2-D and 3-D ones take ``data_format``.
"""
from __future__ import annotations

from typing import Any

from ... import ops as _ops
from ...tensor import apply_op
from .. import registry
from ..utils.image_utils import check_interpolation
from . import conv_utils
from .base import Layer

class _SpatialLayer(Layer):
    """Shared by the padding, cropping and up-sampling layers: rank checks and per-axis output sizes."""

    _rank = 2

    def _axes(self):
        return conv_utils.spatial_axes(self._rank, self.data_format)

    def _check(self, shape):
        conv_utils.check_input_rank(self, shape, self._rank, self.data_format)

    def build(self, input_shape: Any) -> None:
        self._check(tuple(input_shape))
        self.built = True

    def _new_length(self, i, n):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        self._check(shape)
        out = list(shape)
        for i, axis in enumerate(self._axes()):
            out[axis] = None if shape[axis] is None else self._new_length(i, shape[axis])
        return tuple(out)


# ----------------------------------------------------------------------------- zero padding

class _ZeroPadding(_SpatialLayer):
    padding: Any  # set by each ZeroPaddingND
    data_format: str
    def _new_length(self, i, n):
        return n + sum(self._pairs[i])

    def call(self, inputs):
        self._check(tuple(inputs.shape))
        return apply_op(_ops.ZeroPad(padding=self._pairs, data_format=self.data_format), inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["padding"] = self.padding
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class ZeroPadding1D(_ZeroPadding):
    """Zeros at both ends of the steps axis: ``(batch, steps, features)`` -> ``(batch, steps + a + b, features)``.

    ``ZeroPadding1D(padding=1)``: an int (both ends) or ``(a, b)``.

    Args:
        padding: zeros added at each end: an int, or ``(before, after)``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 1
    data_format = "channels_last"

    def __init__(self, padding: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = conv_utils.normalize_tuple(padding, 2, "padding", f"ZeroPadding1D {self.name!r}",
                                                  allow_zero=True)
        self._pairs = (self.padding,)


class ZeroPadding2D(_ZeroPadding):
    """Rows and columns of zeros around images: ``(batch, H, W, C)`` -> ``(batch, H + top + bottom, W + l + r, C)``.

    ``ZeroPadding2D(padding=(1, 1), data_format=None)``: an int, ``(symmetric_h, symmetric_w)`` or
    ``((top, bottom), (left, right))``.

    Args:
        padding: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``.
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"ZeroPadding2D {self.name!r}"
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.padding = self._pairs = conv_utils.normalize_pairs(padding, 2, "padding", owner)


class ZeroPadding3D(_ZeroPadding):
    """Zeros around the three spatial axes of ``(batch, D, H, W, C)``.

    ``ZeroPadding3D(padding=(1, 1, 1), data_format=None)``: an int, 3 ints or 3 ``(before, after)`` pairs.

    Args:
        padding: an int, one int per axis, or a ``(before, after)`` pair per axis.
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 3

    def __init__(self, padding: Any = (1, 1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"ZeroPadding3D {self.name!r}"
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.padding = self._pairs = conv_utils.normalize_pairs(padding, 3, "padding", owner)


# ----------------------------------------------------------------------------- cropping

class _Cropping(_SpatialLayer):
    cropping: Any  # set by each CroppingND
    data_format: str
    def _new_length(self, i, n):
        return n - sum(self._pairs[i])

    def _check(self, shape):
        super()._check(shape)
        for axis, (b, a) in zip(self._axes(), self._pairs):
            if shape[axis] is not None and b + a >= shape[axis]:
                raise ValueError(f"{type(self).__name__} {self.name!r}: cropping {self.cropping} leaves nothing of the "
                                 f"input of shape {tuple(shape)} (axis {axis} has {shape[axis]} values, {b + a} "
                                 f"cropped); each spatial axis must keep at least one value.")

    def call(self, inputs):
        self._check(tuple(inputs.shape))
        return apply_op(_ops.Crop(cropping=self._pairs, data_format=self.data_format), inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = self.cropping
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


class Cropping1D(_Cropping):
    """Cut ``a`` steps from the start and ``b`` from the end: ``(batch, steps, features)``.

    ``Cropping1D(cropping=(1, 1))``: an int (both ends) or ``(a, b)``.

    Args:
        cropping: values cut at each end: an int or ``(before, after)``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 1
    data_format = "channels_last"

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = conv_utils.normalize_tuple(cropping, 2, "cropping", f"Cropping1D {self.name!r}",
                                                   allow_zero=True)
        self._pairs = (self.cropping,)


class Cropping2D(_Cropping):
    """Cut rows and columns off the borders of images: ``(batch, H, W, C)``.

    ``Cropping2D(cropping=((0, 0), (0, 0)), data_format=None)``: an int, ``(symmetric_h, symmetric_w)``
    or ``((top, bottom), (left, right))``.

    Args:
        cropping: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``.
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"Cropping2D {self.name!r}"
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.cropping = self._pairs = conv_utils.normalize_pairs(cropping, 2, "cropping", owner)


class Cropping3D(_Cropping):
    """Cut values off the borders of the three spatial axes of ``(batch, D, H, W, C)``.

    ``Cropping3D(cropping=((1, 1), (1, 1), (1, 1)), data_format=None)``.

    Args:
        cropping: an int, one int per axis, or a ``(before, after)`` pair per axis.
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"Cropping3D {self.name!r}"
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.cropping = self._pairs = conv_utils.normalize_pairs(cropping, 3, "cropping", owner)


# ----------------------------------------------------------------------------- up-sampling

class _UpSampling(_SpatialLayer):
    interpolation = "nearest"

    def _new_length(self, i, n):
        return n * self._factors[i]

    def call(self, inputs):
        shape = tuple(inputs.shape)
        self._check(shape)
        if self.interpolation == "bilinear":
            size = tuple(shape[a] * f for a, f in zip(self._axes(), self._factors))
            return apply_op(_ops.ResizeBilinear(size, data_format=self.data_format), inputs)
        return apply_op(_ops.UpSampleNearest(size=self._factors, data_format=self.data_format), inputs)


class UpSampling1D(_UpSampling):
    """Repeat each step ``size`` times: ``(batch, steps, features)`` -> ``(batch, steps * size, features)``.

    ``UpSampling1D(size=2)``.

    Args:
        size: how many times each step is repeated.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 1
    data_format = "channels_last"

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = int(size)
        self._factors = conv_utils.normalize_tuple(self.size, 1, "size", f"UpSampling1D {self.name!r}")

    def get_config(self) -> dict:
        config = super().get_config()
        config["size"] = self.size
        return config


class UpSampling2D(_UpSampling):
    """Repeat rows ``size[0]`` and columns ``size[1]`` times (or resize bilinearly): ``(batch, H * sh, W * sw, C)``.

    ``UpSampling2D(size=(2, 2), data_format=None, interpolation='nearest')``; 'bilinear' is
    ``tf.image.resize`` (half-pixel centres). Other tf.keras interpolations raise ``NotImplementedError``.

    Args:
        size: the factor per spatial axis (an int or ``(rows, cols)``).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        interpolation: ``'nearest'`` (repeat) or ``'bilinear'``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"UpSampling2D {self.name!r}"
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.size = self._factors = conv_utils.normalize_tuple(size, 2, "size", owner)
        self.interpolation = check_interpolation(interpolation, owner)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(size=self.size, data_format=self.data_format, interpolation=self.interpolation)
        return config


class UpSampling3D(_UpSampling):
    """Repeat each value ``size`` times along the three spatial axes of ``(batch, D, H, W, C)``.

    ``UpSampling3D(size=(2, 2, 2), data_format=None)``.

    Args:
        size: the factor per spatial axis (an int or three).
        data_format: ``'channels_last'`` (inputs ``(batch, ..., channels)``) or ``'channels_first'``
            (``(batch, channels, ...)``); None reads ``keras.backend.image_data_format()``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"UpSampling3D {self.name!r}"
        self.data_format = conv_utils.normalize_data_format(data_format, owner)
        self.size = self._factors = conv_utils.normalize_tuple(size, 3, "size", owner)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(size=self.size, data_format=self.data_format)
        return config


registry.register("layers", ZeroPadding1D, ZeroPadding2D, ZeroPadding3D, Cropping1D, Cropping2D, Cropping3D,
                  UpSampling1D, UpSampling2D, UpSampling3D)
