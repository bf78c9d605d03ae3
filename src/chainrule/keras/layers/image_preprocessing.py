"""Image preprocessing and augmentation layers: Resizing, CenterCrop and the Random* layers of tf.keras 2.

Images are ``(batch, height, width, channels)`` or one image ``(height, width, channels)``; integer
images are cast to the layer's dtype (float32). The random layers change their input only in
training, as in tf.keras 2: ``fit`` passes ``training=True``, ``predict``/``evaluate`` pass
``training=False``, and a direct call without ``training`` (``layer(x)`` or ``model(x)``) counts as
training, because the layers' ``call`` defaults to ``training=True`` there. Their random numbers
come from the global seeded generator (``keras.utils.set_random_seed`` / ``chainrule.random.set_seed``),
or from the layer's own generator when it is given ``seed``.

The geometric layers (RandomRotation, RandomZoom, RandomTranslation) build tf.keras's transform
matrices and apply them with :class:`chainrule.ops.ProjectiveTransform` (TensorFlow's
``ImageProjectiveTransformV3``: fill modes 'reflect', 'wrap', 'constant', 'nearest';
interpolation 'bilinear' or 'nearest').
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ... import backend as _backend
from ... import ops as _ops
from ..._tape_stack import note_side_effect
from ...functions import cast, clip_by_value, expand_dims, reduce_mean, squeeze, where
from ...tensor import Tensor, apply_op
from .. import registry
from ..utils.image_utils import check_interpolation
from .base import Layer

H_AXIS, W_AXIS = -3, -2


def _check_image_rank(layer, shape):
    if len(shape) not in (3, 4):
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: expected images of shape (batch, height, width, "
                         f"channels) or one image (height, width, channels), but received input of shape "
                         f"{tuple(shape)} (rank {len(shape)}). A grayscale batch (batch, height, width) needs a "
                         f"channels axis: np.expand_dims(x, -1).")


def _as_float(layer, inputs):
    _check_image_rank(layer, inputs.shape)
    return inputs if inputs.dtype == layer.dtype else cast(inputs, layer.dtype)


def _batched(fn, images):
    """Apply ``fn`` to a batch; a single image ``(H, W, C)`` is given a batch axis and has it taken off again."""
    if images.ndim == 3:
        return squeeze(fn(expand_dims(images, 0)), 0)
    return fn(images)


def _resize(images, height, width, interpolation):
    """``tf.image.resize`` of a batch ``(N, H, W, C)`` to ``(height, width)`` (bilinear or nearest)."""
    if tuple(images.shape[1:3]) == (height, width):
        return images
    op = _ops.ResizeBilinear if interpolation == "bilinear" else _ops.ResizeNearest
    return apply_op(op((height, width)), images)


def smart_resize(images, size, interpolation="bilinear"):
    """tf.keras's ``smart_resize``: the largest centred crop with the target's aspect ratio, then a resize.

    ``images``: a Tensor ``(N, H, W, C)`` or ``(H, W, C)``; ``size``: ``(height, width)``.
    """
    target_h, target_w = (int(s) for s in size)

    def fn(x):
        h, w = x.shape[1], x.shape[2]
        crop_h = min(h, int(np.float32(w * target_h) / np.float32(target_w)))
        crop_w = min(w, int(np.float32(h * target_w) / np.float32(target_h)))
        top, left = int(np.float32(h - crop_h) / 2), int(np.float32(w - crop_w) / 2)
        if (crop_h, crop_w) != (h, w):
            x = x[:, top:top + crop_h, left:left + crop_w, :]
        return _resize(x, target_h, target_w, interpolation)
    return _batched(fn, images)


def _resized_shape(input_shape, height, width):
    shape = list(input_shape)
    shape[H_AXIS], shape[W_AXIS] = height, width
    return tuple(shape)


def _check_size(owner, height, width):
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}.")


class Resizing(Layer):
    """Resize images to ``(height, width)``: ``tf.image.resize`` (half-pixel centres, no antialiasing).

    ``Resizing(height, width, interpolation='bilinear', crop_to_aspect_ratio=False)``; with
    ``crop_to_aspect_ratio=True`` the largest centred crop of the target aspect ratio is resized,
    so the images are not distorted. Interpolations: 'bilinear' and 'nearest' (tf.keras's others
    raise ``NotImplementedError``). Output float32 ``(..., height, width, channels)``.

    Args:
        height: the output's height in pixels.
        width: the output's width in pixels.
        interpolation: ``'bilinear'`` or ``'nearest'``.
        crop_to_aspect_ratio: resize the largest centred crop of the target aspect ratio (no distortion).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = f"Resizing {self.name!r}"
        _check_size(owner, height, width)
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self._method = check_interpolation(interpolation, owner)
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)

    def call(self, inputs: Any) -> Any:
        x = _as_float(self, inputs)
        if self.crop_to_aspect_ratio:
            return smart_resize(x, (self.height, self.width), self._method)
        return _batched(lambda b: _resize(b, self.height, self.width, self._method), x)

    def compute_output_shape(self, input_shape):
        _check_image_rank(self, input_shape)
        return _resized_shape(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(height=self.height, width=self.width, interpolation=self.interpolation,
                      crop_to_aspect_ratio=self.crop_to_aspect_ratio)
        return config


class CenterCrop(Layer):
    """Crop the centre ``(height, width)`` of each image (the extra row/column of an odd margin is cut at the end).

    ``CenterCrop(height, width)``. An image smaller than the target is resized up instead
    (``smart_resize``, bilinear), as in tf.keras.

    Args:
        height: the crop's height.
        width: the crop's width.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, height: int, width: int, **kwargs: Any) -> None:
        kwargs.pop("autocast", None)
        super().__init__(**kwargs)
        _check_size(f"CenterCrop {self.name!r}", height, width)
        self.height, self.width = int(height), int(width)

    def call(self, inputs: Any) -> Any:
        x = _as_float(self, inputs)
        h_diff, w_diff = x.shape[H_AXIS] - self.height, x.shape[W_AXIS] - self.width
        if h_diff < 0 or w_diff < 0:
            return smart_resize(x, (self.height, self.width))
        top, left = h_diff // 2, w_diff // 2
        return x[..., top:top + self.height, left:left + self.width, :]

    def compute_output_shape(self, input_shape):
        _check_image_rank(self, input_shape)
        return _resized_shape(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(height=self.height, width=self.width)
        return config


# ----------------------------------------------------------------------------- random layers

class _RandomLayer(Layer):
    """Shared by the augmentation layers: the generator, the training rule, the shape and config plumbing."""

    def __init__(self, seed: int | None = None, rng_type: Any = None, **kwargs: Any) -> None:
        kwargs.pop("force_generator", None)
        kwargs.pop("autocast", None)
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    @property
    def rng(self) -> np.random.Generator:
        """The layer's own generator when it has a seed, else the global seeded one (read at each call).

        The draws are made here in Python, outside any op, so a ``chainrule.function`` trace is
        told: a replay would repeat the first step's flips and angles, so that trace runs eagerly.
        """
        note_side_effect(f"{type(self).__name__}'s random draw")
        return self._rng if self._rng is not None else _backend.rng()

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        x = _as_float(self, inputs)
        if training is False:     # None (no flag given) counts as training, as tf.keras 2's default True
            return x
        return _batched(self._augment, x)

    def _augment(self, images):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        _check_image_rank(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["rng_type"] = "stateful"      # tf.keras 2 records its generator kind; chainrule has one kind
        return config


def _factor_range(owner, name, factor, symmetric_from_zero=True):
    """``factor`` as ``(lower, upper)``: a number ``f`` means ``(-f, f)``; a pair is taken as given."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(f"{owner}: `{name}` must be a number or a pair (lower, upper), got {factor!r}.")
        lower, upper = float(factor[0]), float(factor[1])
    else:
        lower, upper = (-float(factor), float(factor)) if symmetric_from_zero else (float(factor), float(factor))
    return lower, upper


class RandomFlip(_RandomLayer):
    """Flip each image left-right and/or up-down with probability 1/2 in training.

    ``RandomFlip(mode='horizontal_and_vertical', seed=None)``; ``mode``: 'horizontal' (left-right),
    'vertical' (up-down) or 'horizontal_and_vertical' (each decided independently).

    Args:
        mode: ``'horizontal'``, ``'vertical'`` or ``'horizontal_and_vertical'``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {self.name!r} received an unknown mode argument {mode!r}; use "
                             f"'horizontal', 'vertical' or 'horizontal_and_vertical'.")
        self.mode = mode
        self.horizontal = mode != "vertical"
        self.vertical = mode != "horizontal"

    def _augment(self, images):
        out = images
        n = images.shape[0]
        for flip, index in ((self.horizontal, (slice(None), slice(None), slice(None, None, -1))),
                            (self.vertical, (slice(None), slice(None, None, -1)))):
            if flip:
                chosen = self.rng.random(n) < 0.5
                out = where(Tensor(chosen.reshape(n, 1, 1, 1)), out[index], out)
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(mode=self.mode, seed=self.seed)
        return config


class _RandomTransform(_RandomLayer):
    """A random projective transform per image, applied with ``ops.ProjectiveTransform``."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if fill_mode not in _ops.warp.FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Only `reflect`, `wrap`, `constant` and "
                                      f"`nearest` are supported.")
        if interpolation not in _ops.warp.INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Only `nearest` and `bilinear` "
                                      f"are supported.")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def _matrices(self, n, height, width):
        raise NotImplementedError

    def _augment(self, images):
        n, h, w = images.shape[0], images.shape[1], images.shape[2]
        transforms = self._matrices(n, np.float32(h), np.float32(w))
        op = _ops.ProjectiveTransform(self.fill_mode, self.interpolation, self.fill_value)
        return apply_op(op, images, Tensor(transforms))

    def _transform_config(self) -> dict:
        return dict(fill_mode=self.fill_mode, fill_value=self.fill_value, interpolation=self.interpolation,
                    seed=self.seed)


def rotation_matrix(angles, height, width):
    """tf.keras's ``get_rotation_matrix``: rotations by ``angles`` (radians, counter-clockwise) about the centre.

    Rows ``[cos, -sin, x_offset, sin, cos, y_offset, 0, 0]`` (float32), mapping output to input points.
    """
    angles = np.asarray(angles, dtype=np.float32)
    cos, sin = np.cos(angles), np.sin(angles)
    h1, w1 = np.float32(height) - 1, np.float32(width) - 1
    x_offset = (w1 - (cos * w1 - sin * h1)) / np.float32(2)
    y_offset = (h1 - (sin * w1 + cos * h1)) / np.float32(2)
    zeros = np.zeros_like(angles)
    return np.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1).astype(np.float32)


def zoom_matrix(zooms, height, width):
    """tf.keras's ``get_zoom_matrix``: ``zooms`` ``(N, 2)`` = (width zoom, height zoom) about the centre."""
    zooms = np.asarray(zooms, dtype=np.float32)
    zx, zy = zooms[:, 0], zooms[:, 1]
    x_offset = ((np.float32(width) - 1) / np.float32(2)) * (1 - zx)
    y_offset = ((np.float32(height) - 1) / np.float32(2)) * (1 - zy)
    zeros = np.zeros_like(zx)
    return np.stack([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1).astype(np.float32)


def translation_matrix(translations):
    """tf.keras's ``get_translation_matrix``: ``translations`` ``(N, 2)`` = (dx, dy) in pixels."""
    t = np.asarray(translations, dtype=np.float32)
    ones, zeros = np.ones(len(t), np.float32), np.zeros(len(t), np.float32)
    return np.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1], zeros, zeros], axis=1)


class RandomRotation(_RandomTransform):
    """Rotate each image by a random angle in training: ``factor * 2 pi`` radians (counter-clockwise positive).

    ``RandomRotation(factor, fill_mode='reflect', interpolation='bilinear', seed=None, fill_value=0.0)``;
    ``factor``: a fraction of a full turn, ``f`` meaning ``[-f, f]``, or a pair ``(lower, upper)``.

    Args:
        factor: a fraction of a full turn: ``f`` means angles in ``[-f, f] * 2 pi``, or ``(lower, upper)``.
        fill_mode: how points outside the image are filled: ``'reflect'``, ``'wrap'``, ``'constant'`` or ``'nearest'``.
        interpolation: ``'bilinear'`` or ``'nearest'``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        fill_value: the value of the filled points with ``fill_mode='constant'``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self.lower, self.upper = _factor_range(f"RandomRotation {self.name!r}", "factor", factor)
        if self.upper < self.lower:
            raise ValueError(f"RandomRotation {self.name!r}: `factor` cannot have an upper bound below its lower "
                             f"bound, got factor={factor!r}.")

    def _matrices(self, n, height, width):
        angles = self.rng.uniform(self.lower * 2.0 * math.pi, self.upper * 2.0 * math.pi, n).astype(np.float32)
        return rotation_matrix(angles, height, width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(factor=self.factor, **self._transform_config())
        return config


class RandomZoom(_RandomTransform):
    """Zoom each image in or out by a random factor in training (about its centre).

    ``RandomZoom(height_factor, width_factor=None, fill_mode='reflect', interpolation='bilinear',
    seed=None, fill_value=0.0)``: the image is scaled by ``1 + f`` per axis with ``f`` drawn from
    ``[lower, upper]`` (a number ``f`` means ``[-f, f]``); a positive ``f`` zooms *out* (the
    transform reads a larger region), as in tf.keras. ``width_factor=None`` keeps the aspect ratio.

    Args:
        height_factor: ``f`` zooms by ``1 + [-f, f]`` vertically (positive: out); or ``(lower, upper)``.
        width_factor: the same horizontally (None: keep the aspect ratio).
        fill_mode: how points outside the image are filled: ``'reflect'``, ``'wrap'``, ``'constant'`` or ``'nearest'``.
        interpolation: ``'bilinear'`` or ``'nearest'``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        fill_value: the value of the filled points with ``fill_mode='constant'``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        owner = f"RandomZoom {self.name!r}"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _factor_range(owner, "height_factor", height_factor)
        if abs(self.height_lower) > 1.0 or abs(self.height_upper) > 1.0:
            raise ValueError(f"{owner}: `height_factor` must have values between [-1, 1], received "
                             f"height_factor={height_factor!r}.")
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor_range(owner, "width_factor", width_factor)
            if self.width_lower < -1.0 or self.width_upper < -1.0:
                raise ValueError(f"{owner}: `width_factor` must have values larger than -1, received "
                                 f"width_factor={width_factor!r}.")

    def _matrices(self, n, height, width):
        zy = self.rng.uniform(1.0 + self.height_lower, 1.0 + self.height_upper, n)
        zx = self.rng.uniform(1.0 + self.width_lower, 1.0 + self.width_upper, n) \
            if self.width_factor is not None else zy
        return zoom_matrix(np.stack([zx, zy], axis=1), height, width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(height_factor=self.height_factor, width_factor=self.width_factor, **self._transform_config())
        return config


class RandomTranslation(_RandomTransform):
    """Shift each image by a random fraction of its height and width in training.

    ``RandomTranslation(height_factor, width_factor, fill_mode='reflect', interpolation='bilinear',
    seed=None, fill_value=0.0)``; each factor ``f`` means ``[-f, f]`` of the size (a pair
    ``(lower, upper)`` is taken as given; values within [-1, 1]).

    Args:
        height_factor: ``f`` shifts by ``[-f, f]`` of the height; or ``(lower, upper)``.
        width_factor: the same for the width.
        fill_mode: how points outside the image are filled: ``'reflect'``, ``'wrap'``, ``'constant'`` or ``'nearest'``.
        interpolation: ``'bilinear'`` or ``'nearest'``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        fill_value: the value of the filled points with ``fill_mode='constant'``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        owner = f"RandomTranslation {self.name!r}"
        self.height_factor, self.width_factor = height_factor, width_factor
        for name, factor in (("height", height_factor), ("width", width_factor)):
            lower, upper = _factor_range(owner, f"{name}_factor", factor)
            if upper < lower:
                raise ValueError(f"{owner}: `{name}_factor` cannot have an upper bound below its lower bound, got "
                                 f"{factor!r}.")
            if abs(lower) > 1.0 or abs(upper) > 1.0:
                raise ValueError(f"{owner}: `{name}_factor` must have values between [-1, 1], received "
                                 f"{name}_factor={factor!r}.")
            setattr(self, f"{name}_lower", lower)
            setattr(self, f"{name}_upper", upper)

    def _matrices(self, n, height, width):
        dy = self.rng.uniform(self.height_lower, self.height_upper, n).astype(np.float32) * height
        dx = self.rng.uniform(self.width_lower, self.width_upper, n).astype(np.float32) * width
        return translation_matrix(np.stack([dx, dy], axis=1))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(height_factor=self.height_factor, width_factor=self.width_factor, **self._transform_config())
        return config


class RandomCrop(_RandomLayer):
    """Crop a random ``(height, width)`` window in training (one offset for the whole batch, as tf.keras).

    ``RandomCrop(height, width, seed=None)``. At inference, or when the images are smaller than
    the target, the images are resized to the target instead (``smart_resize``, bilinear).

    Args:
        height: the crop's height.
        width: the crop's width.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, height: int, width: int, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        _check_size(f"RandomCrop {self.name!r}", height, width)
        self.height, self.width = int(height), int(width)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        x = _as_float(self, inputs)
        h_diff, w_diff = x.shape[H_AXIS] - self.height, x.shape[W_AXIS] - self.width
        if training is False or h_diff < 0 or w_diff < 0:
            return smart_resize(x, (self.height, self.width))
        top, left = (int(v) for v in self.rng.integers(0, [h_diff + 1, w_diff + 1]))
        return x[..., top:top + self.height, left:left + self.width, :]

    def compute_output_shape(self, input_shape):
        _check_image_rank(self, input_shape)
        return _resized_shape(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(height=self.height, width=self.width, seed=self.seed)
        return config


class RandomContrast(_RandomLayer):
    """Scale each image's contrast by a random factor in training, then clip to [0, 255].

    ``RandomContrast(factor, seed=None)``: one factor per call drawn from ``[1 - lower, 1 + upper]``
    (``factor`` a number for both, or ``(lower, upper)``), applied as ``tf.image.adjust_contrast``:
    ``(x - mean) * factor + mean`` with the mean of each image and channel.

    Args:
        factor: ``f`` draws contrast factors in ``[1 - f, 1 + f]``; or ``(lower, upper)``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, factor: Any, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self.lower, self.upper = _factor_range(f"RandomContrast {self.name!r}", "factor", factor,
                                               symmetric_from_zero=False)
        if self.lower < 0.0 or self.upper < 0.0 or self.lower > 1.0:
            raise ValueError(f"RandomContrast {self.name!r}: `factor` cannot have negative values or values greater "
                             f"than 1, received factor={factor!r}.")

    def _augment(self, images):
        contrast = np.float32(self.rng.uniform(1.0 - self.lower, 1.0 + self.upper))
        return adjust_contrast(images, contrast)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(factor=self.factor, seed=self.seed)
        return config


def adjust_contrast(images, contrast_factor):
    """``tf.image.adjust_contrast`` then ``clip_by_value(0, 255)``: ``(x - mean) * f + mean`` per image and channel."""
    mean = reduce_mean(images, axis=(H_AXIS, W_AXIS), keepdims=True)
    factor = np.asarray(contrast_factor, dtype=images._value.dtype)
    return clip_by_value((images - mean) * factor + mean, 0.0, 255.0)


class RandomBrightness(_RandomLayer):
    """Add a random brightness delta to each image in training, then clip to ``value_range`` (tf.keras 2).

    One delta per image, drawn uniformly from ``factor``'s range times the width of ``value_range``
    (``factor=0.2`` on ``[0, 255]`` images: ``[-51, 51]``), added to every pixel and channel; the result is
    clipped to ``value_range``. Inactive in inference (the input comes back as floats).

    Args:
        factor: a number ``f`` in ``[-1, 1]`` for ``[-|f|, |f|]``, or two numbers ``(lower, upper)`` in ``[-1, 1]``.
        value_range: the images' ``(low, high)`` (default ``(0, 255)``).
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``input_shape`` ...).

    Raises:
        ValueError: a ``factor`` outside ``[-1, 1]`` or not one or two numbers, a ``value_range`` that is not two
            numbers, or images that are not 3-D or 4-D.
    """

    _FACTOR_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                     "[-1.0, 1.0]. ")
    _VALUE_RANGE_ERROR = "The `value_range` argument should be a list of two numbers. "

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or any(not -1.0 <= f <= 1.0 for f in factor):
                raise ValueError(self._FACTOR_ERROR + f"Got {factor}")
            self._factor = sorted(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if not -1.0 <= factor <= 1.0:
                raise ValueError(self._FACTOR_ERROR + f"Got {factor}")
            self._factor = [-abs(factor), abs(factor)]
        else:
            raise ValueError(self._FACTOR_ERROR + f"Got {factor}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(self._VALUE_RANGE_ERROR + f"Got {value_range}")
        self._value_range = sorted(value_range)

    def _augment(self, images):
        low, high = self._value_range
        deltas = self.rng.uniform(self._factor[0], self._factor[1], size=(images.shape[0], 1, 1, 1))
        deltas = (deltas.astype(np.float32) * np.float32(high - low)).astype(images._value.dtype)
        return clip_by_value(images + Tensor(deltas), low, high)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(factor=self._factor, value_range=self._value_range, seed=self.seed)
        return config


class _RandomSide(_RandomLayer):
    """RandomHeight and RandomWidth: resize one side by a random factor in training (one factor per call)."""

    _axis = H_AXIS
    _lesser = "lesser"

    def __init__(self, factor: Any, interpolation: str = "bilinear", seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self.lower, self.upper = (float(factor[0]), float(factor[1])) if isinstance(factor, (tuple, list)) \
            else (-float(factor), float(factor))
        if self.upper < self.lower:  # tf.keras 2's two messages differ by a word
            raise ValueError(f"`factor` argument cannot have an upper bound {self._lesser} than the lower bound. "
                             f"Received: factor={factor}")
        if self.lower < -1.0 or self.upper < -1.0:
            raise ValueError(f"`factor` argument must have values larger than -1. Received: factor={factor}")
        self.interpolation = check_interpolation(interpolation, f"{type(self).__name__} {self.name!r}")

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if training is False:  # tf.keras 2 hands the input back as it came (an integer image stays integer)
            _check_image_rank(self, inputs.shape)
            return inputs
        return super().call(inputs, training)

    def _augment(self, images):
        side = images.shape[self._axis]
        scale = np.float32(self.rng.uniform(1.0 + self.lower, 1.0 + self.upper))
        new = int(scale * np.float32(side))  # tf.cast(factor * side, tf.int32) truncates
        height, width = (new, images.shape[W_AXIS]) if self._axis == H_AXIS else (images.shape[H_AXIS], new)
        return _resize(images, height, width, self.interpolation)

    def compute_output_shape(self, input_shape):
        _check_image_rank(self, input_shape)
        shape = list(input_shape)
        shape[self._axis] = None
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(factor=self.factor, interpolation=self.interpolation, seed=self.seed)
        return config


class RandomHeight(_RandomSide):
    """Resize the images' height by a random factor in training (tf.keras 2); inactive in inference.

    One factor per call drawn from ``[1 + lower, 1 + upper]``; the new height is ``int(factor * height)`` and the
    width is kept (``tf.image.resize``). The output's height is None in the layer's output shape.

    Args:
        factor: a number ``f`` for ``[-f, f]``, or ``(lower, upper)``; both above -1.
        interpolation: ``'bilinear'`` (default) or ``'nearest'``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments.

    Raises:
        ValueError: ``upper < lower``, a bound at or below -1, or images that are not 3-D or 4-D.
    """

    _axis = H_AXIS


class RandomWidth(_RandomSide):
    """Resize the images' width by a random factor in training (tf.keras 2); inactive in inference.

    One factor per call drawn from ``[1 + lower, 1 + upper]``; the new width is ``int(factor * width)`` and the
    height is kept. The output's width is None in the layer's output shape.

    Args:
        factor: a number ``f`` for ``[-f, f]``, or ``(lower, upper)``; both above -1.
        interpolation: ``'bilinear'`` (default) or ``'nearest'``.
        seed: the seed of the layer's own random generator (None: the global seeded one).
        **kwargs: the base ``Layer`` arguments.

    Raises:
        ValueError: ``upper < lower``, a bound at or below -1, or images that are not 3-D or 4-D.
    """

    _axis = W_AXIS
    _lesser = "less"


registry.register("layers", Resizing, CenterCrop, RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
                  RandomCrop, RandomContrast, RandomBrightness, RandomHeight, RandomWidth)
