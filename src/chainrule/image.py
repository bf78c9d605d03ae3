"""``chainrule.image``: TensorFlow's ``tf.image`` on chainrule's ops and functions.

Images are ``(H, W, C)`` or batched ``(N, H, W, C)``. Each function is a thin composition: resizing is
:class:`~chainrule.ops.ResizeBilinear`/:class:`~chainrule.ops.ResizeNearest`, ``crop_and_resize`` the
projective-warp op, padding :class:`~chainrule.ops.ZeroPad`, Sobel edges a depthwise convolution, and
crops, flips and colour adjustments Tensor slicing and arithmetic, so every gradient is an existing
op's backward. ``adjust_saturation``/``adjust_hue`` have no gradient (as in TensorFlow, whose kernels
have none).

Random functions draw from chainrule's seeded generator (``seed`` an int, or the global seed); the
``stateless_random_*`` functions take ``seed=(a, b)`` and give the same result for the same seed every
time. chainrule does not reproduce TensorFlow's random numbers, only their distributions.
"""
from __future__ import annotations

import math as _pymath
from typing import Any, Callable

import numpy as np

from ._missing import missing_attribute as _missing_attribute
from . import _dispatch
from . import dtypes as _dtypes
from . import ops as _ops
from . import random as _random
from .errors import InvalidArgumentError
from .functions import (abs, cast, concat, expand_dims, gather, log, maximum, reduce_max,  # noqa: A004
                        reduce_mean, reduce_min, reduce_sum, reshape, reverse, square, squeeze, stack, tile,
                        transpose as _transpose, where)
from .io import decode_image, decode_jpeg, decode_png, encode_jpeg, encode_png  # noqa: F401 - tf.image's aliases
from .math import reduce_std
from .linalg import tensordot
from .nn import conv2d, depthwise_conv2d
from .tensor import Tensor, TensorLike, apply_op, as_tensor


class ResizeMethod:
    """The ``method`` names of :func:`resize` (TensorFlow's ``tf.image.ResizeMethod``)."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


_NOT_IMPLEMENTED_METHODS = ("bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


# --------------------------------------------------------------------------- helpers

def _batched(image: TensorLike, op_name: str) -> tuple[Tensor, bool]:
    """``image`` as ``(N, H, W, C)`` and whether it came as one ``(H, W, C)`` image."""
    t = as_tensor(image)
    if t.ndim == 3:
        return expand_dims(t, 0), False
    if t.ndim == 4:
        return t, True
    raise ValueError(f"{op_name}: 'image' (shape {tuple(t.shape)}) must have either 3 or 4 dimensions.")


def _unbatched(t: Tensor, batched: bool) -> Tensor:
    return t if batched else squeeze(t, 0)


def _at_least_3d(image: TensorLike, op_name: str) -> Tensor:
    t = as_tensor(image)
    if t.ndim < 3:
        raise ValueError(f"{op_name}: 'image' (shape {tuple(t.shape)}) must be at least three-dimensional.")
    return t


def _float_work(t: Tensor) -> Tensor:
    """A float image to compute with: float images as they are, integer ones scaled to float32 in [0, 1]."""
    return t if t._value.dtype.kind == "f" else convert_image_dtype(t, _dtypes.float32)


def _back_to(t: Tensor, dtype: Any) -> Tensor:
    """The result in the input's dtype (saturating, as TensorFlow's adjust_* functions do)."""
    return t if t.dtype == dtype else convert_image_dtype(t, dtype, saturate=True)


def _ints(value: Any) -> list[int]:
    return [int(v) for v in np.ravel(value.numpy() if isinstance(value, Tensor) else value)]


# --------------------------------------------------------------------------- resizing

def resize(images: TensorLike, size: Any, method: str = ResizeMethod.BILINEAR, preserve_aspect_ratio: bool = False,
           antialias: bool = False, name: str | None = None) -> Tensor:
    """Resize images to ``size`` (TensorFlow 2's half-pixel centres).

    Args:
        images: ``(H, W, C)`` or ``(N, H, W, C)``, any real dtype.
        size: ``(new_height, new_width)``.
        method: ``'bilinear'`` (default) or ``'nearest'``; TensorFlow's other methods ('bicubic', 'area',
            'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic') raise NotImplementedError.
        preserve_aspect_ratio: fit inside ``size`` keeping the aspect ratio (scale rounded half to even).
        antialias: bilinear only; upsampling is unchanged by it, downsampling with it is not implemented.
        name: ignored.

    Returns:
        float32 for 'bilinear', the input's dtype for 'nearest'. Differentiable in ``images``.

    Raises:
        ValueError: an unknown method, a ``size`` that is not two positive ints, or images that are not 3-D/4-D.
        NotImplementedError: a TensorFlow method or antialiased downsampling that chainrule lacks.
    """
    x, batched = _batched(images, "resize")
    method = str(method).lower()
    if method in _NOT_IMPLEMENTED_METHODS:
        raise NotImplementedError(f"tf.image.resize: method {method!r} is not implemented in chainrule; use "
                                  f"'bilinear' or 'nearest'.")
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"Resize method is not implemented: [{method}]")
    target = _ints(size)
    if len(target) != 2 or any(s < 1 for s in target):
        raise ValueError(f"tf.image.resize: 'size' must be a 1-D Tensor of 2 positive elements: new_height, "
                         f"new_width, got {size!r}.")
    h, w = x.shape[1], x.shape[2]
    if preserve_aspect_ratio:
        scale = min(np.float32(target[0]) / np.float32(h), np.float32(target[1]) / np.float32(w))
        target = [max(int(np.round(scale * np.float32(h))), 1), max(int(np.round(scale * np.float32(w))), 1)]
    if method == "nearest":
        out = apply_op(_ops.ResizeNearest(tuple(target)), x)
    else:
        if antialias and (target[0] < h or target[1] < w):
            raise NotImplementedError("tf.image.resize: antialias=True when downsampling is not implemented in "
                                      "chainrule; use antialias=False (plain bilinear).")
        out = apply_op(_ops.ResizeBilinear(tuple(target)), x)
        if out.dtype != _dtypes.float32:
            out = cast(out, _dtypes.float32)
    return _unbatched(out, batched)


def _check_box(what: str, value: int, allowed: bool) -> None:
    if not allowed:
        raise ValueError(f"{what}, got {value}.")


def crop_to_bounding_box(image: TensorLike, offset_height: int, offset_width: int, target_height: int,
                         target_width: int) -> Tensor:
    """The ``target_height x target_width`` block at ``(offset_height, offset_width)``.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        offset_height: top row of the block.
        offset_width: left column of the block.
        target_height: rows kept.
        target_width: columns kept.

    Returns:
        The cropped image, same dtype. Differentiable.

    Raises:
        ValueError: negative offsets, non-positive targets, or a block that does not fit.
    """
    x, batched = _batched(image, "crop_to_bounding_box")
    h, w = x.shape[1], x.shape[2]
    _check_box("offset_width must be >= 0", offset_width, offset_width >= 0)
    _check_box("offset_height must be >= 0", offset_height, offset_height >= 0)
    _check_box("target_width must be > 0", target_width, target_width > 0)
    _check_box("target_height must be > 0", target_height, target_height > 0)
    _check_box("width must be >= target + offset", w, w >= target_width + offset_width)
    _check_box("height must be >= target + offset", h, h >= target_height + offset_height)
    out = x[:, offset_height:offset_height + target_height, offset_width:offset_width + target_width, :]
    return _unbatched(out, batched)


def pad_to_bounding_box(image: TensorLike, offset_height: int, offset_width: int, target_height: int,
                        target_width: int) -> Tensor:
    """Zeros around ``image`` so that it sits at ``(offset_height, offset_width)`` of a larger canvas.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        offset_height: zero rows above.
        offset_width: zero columns to the left.
        target_height: height of the result.
        target_width: width of the result.

    Returns:
        ``(..., target_height, target_width, C)``, same dtype. Differentiable (the ZeroPad op).

    Raises:
        ValueError: negative offsets or a canvas too small.
    """
    x, batched = _batched(image, "pad_to_bounding_box")
    h, w = x.shape[1], x.shape[2]
    after_h, after_w = target_height - offset_height - h, target_width - offset_width - w
    _check_box("offset_height must be >= 0", offset_height, offset_height >= 0)
    _check_box("offset_width must be >= 0", offset_width, offset_width >= 0)
    _check_box("width must be <= target - offset", w, after_w >= 0)
    _check_box("height must be <= target - offset", h, after_h >= 0)
    out = apply_op(_ops.ZeroPad(((offset_height, after_h), (offset_width, after_w))), x)
    return _unbatched(out, batched)


def resize_with_crop_or_pad(image: TensorLike, target_height: int, target_width: int) -> Tensor:
    """Centre-crop and/or zero-pad to ``target_height x target_width`` (TensorFlow's offsets).

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        target_height: rows of the result.
        target_width: columns of the result.

    Returns:
        The image, same dtype. Differentiable.

    Raises:
        ValueError: non-positive targets, or images that are not 3-D/4-D.
    """
    x, batched = _batched(image, "resize_with_crop_or_pad")
    _check_box("target_width must be > 0", target_width, target_width > 0)
    _check_box("target_height must be > 0", target_height, target_height > 0)
    h, w = x.shape[1], x.shape[2]
    crop_h, crop_w = max((h - target_height) // 2, 0), max((w - target_width) // 2, 0)
    pad_h, pad_w = max((target_height - h) // 2, 0), max((target_width - w) // 2, 0)
    cropped = crop_to_bounding_box(x, crop_h, crop_w, min(target_height, h), min(target_width, w))
    return _unbatched(pad_to_bounding_box(cropped, pad_h, pad_w, target_height, target_width), batched)


def resize_with_pad(image: TensorLike, target_height: int, target_width: int,
                    method: str = ResizeMethod.BILINEAR, antialias: bool = False) -> Tensor:
    """Resize keeping the aspect ratio, then zero-pad to ``target_height x target_width``.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        target_height: rows of the result.
        target_width: columns of the result.
        method: as :func:`resize`.
        antialias: as :func:`resize`.

    Returns:
        float32 (bilinear) or the input's dtype (nearest).

    Raises:
        ValueError: non-positive targets; as :func:`resize`.
    """
    x, batched = _batched(image, "resize_with_pad")
    _check_box("target_width must be > 0", target_width, target_width > 0)
    _check_box("target_height must be > 0", target_height, target_height > 0)
    f = np.float32
    h, w = f(x.shape[1]), f(x.shape[2])
    ratio = max(w / f(target_width), h / f(target_height))
    rh, rw = h / ratio, w / ratio
    pad_h = max(0, int(np.floor((f(target_height) - rh) / f(2))))
    pad_w = max(0, int(np.floor((f(target_width) - rw) / f(2))))
    resized = resize(x, [int(np.floor(rh)), int(np.floor(rw))], method=method, antialias=antialias)
    return _unbatched(pad_to_bounding_box(resized, pad_h, pad_w, target_height, target_width), batched)


def central_crop(image: TensorLike, central_fraction: float) -> Tensor:
    """The central ``central_fraction`` of each side.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        central_fraction: in ``(0, 1]``; 1 returns ``image``.

    Returns:
        The cropped image. Differentiable.

    Raises:
        ValueError: a fraction outside ``(0, 1]``.
    """
    if not 0.0 < central_fraction <= 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    x, batched = _batched(image, "central_crop")
    if central_fraction == 1.0:
        return as_tensor(image)
    h, w = x.shape[1], x.shape[2]
    top = int((h - h * central_fraction) / 2)
    left = int((w - w * central_fraction) / 2)
    return _unbatched(x[:, top:h - top, left:w - left, :], batched)


def crop_and_resize(image: TensorLike, boxes: TensorLike, box_indices: TensorLike, crop_size: Any,
                    method: str = "bilinear", extrapolation_value: float = 0.0, name: str | None = None) -> Tensor:
    """Crops of ``image[box_indices[i]]`` at normalised ``boxes[i]``, each resized to ``crop_size``.

    A box ``(y1, x1, y2, x2)`` maps crop row ``y`` to image row ``y1 * (H - 1) + y * (y2 - y1) * (H - 1) /
    (crop_height - 1)`` (the box centre for one row), columns likewise; points outside the image get
    ``extrapolation_value``. Computed by the projective-warp op with one affine transform per box.

    Args:
        image: ``(N, H, W, C)``.
        boxes: ``(num_boxes, 4)`` floats ``(y1, x1, y2, x2)`` in ``[0, 1]`` image coordinates (outside allowed;
            ``y1 > y2`` flips the crop).
        box_indices: ``(num_boxes,)`` ints in ``[0, N)``.
        crop_size: ``(crop_height, crop_width)``.
        method: ``'bilinear'`` (default) or ``'nearest'``.
        extrapolation_value: the value of points outside the image.
        name: ignored.

    Returns:
        float32 ``(num_boxes, crop_height, crop_width, C)``; differentiable in ``image`` (not in ``boxes``).

    Raises:
        ValueError: images not 4-D, boxes not ``(num_boxes, 4)``, an unknown method.
        InvalidArgumentError: a box index outside ``[0, N)``.
    """
    x = as_tensor(image)
    if x.ndim != 4:
        raise ValueError(f"crop_and_resize: image must be 4-D (N, H, W, C), got shape {tuple(x.shape)}.")
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"crop_and_resize: method must be 'bilinear' or 'nearest', got {method!r}.")
    b = np.asarray(boxes.numpy() if isinstance(boxes, Tensor) else boxes, dtype=np.float32).reshape(-1, 4) \
        if np.size(boxes.numpy() if isinstance(boxes, Tensor) else boxes) else np.zeros((0, 4), np.float32)
    idx = np.asarray(_ints(box_indices), dtype=np.int64)
    if np.ndim(boxes.numpy() if isinstance(boxes, Tensor) else boxes) != 2 or len(idx) != len(b):
        raise ValueError(f"crop_and_resize: boxes must be (num_boxes, 4) with one box index each, got boxes "
                         f"{np.shape(boxes)} and {len(idx)} indices.")
    n, h, w = x.shape[0], x.shape[1], x.shape[2]
    if np.any((idx < 0) | (idx >= n)):
        raise InvalidArgumentError(f"crop_and_resize: box_indices has values outside [0, {n}): {idx.tolist()}.")
    crop_h, crop_w = _ints(crop_size)
    if crop_h < 1 or crop_w < 1:
        raise ValueError(f"crop_and_resize: crop_size must be positive, got {crop_size!r}.")
    f = np.float32
    y1, x1, y2, x2 = (b[:, i] for i in range(4))
    # Per box: source coordinate = offset + crop index * scale (TensorFlow's CropAndResize).
    sy = np.where(crop_h > 1, (y2 - y1) * f(h - 1) / f(max(crop_h - 1, 1)), f(0)).astype(f)
    sx = np.where(crop_w > 1, (x2 - x1) * f(w - 1) / f(max(crop_w - 1, 1)), f(0)).astype(f)
    oy = (y1 * f(h - 1) if crop_h > 1 else f(0.5) * (y1 + y2) * f(h - 1)).astype(f)
    ox = (x1 * f(w - 1) if crop_w > 1 else f(0.5) * (x1 + x2) * f(w - 1)).astype(f)
    zeros = np.zeros_like(sx)
    transforms = np.stack([sx, zeros, ox, zeros, sy, oy, zeros, zeros], axis=1)
    work = x if x._value.dtype.kind == "f" else cast(x, _dtypes.float32)
    op = _ops.ProjectiveTransform(fill_mode="constant", interpolation=method, fill_value=extrapolation_value,
                                  output_shape=(crop_h, crop_w))
    out = apply_op(op, gather(work, idx), Tensor(transforms))
    ys = oy[:, None] + np.arange(crop_h, dtype=f)[None, :] * sy[:, None]
    xs = ox[:, None] + np.arange(crop_w, dtype=f)[None, :] * sx[:, None]
    outside = (((ys < 0) | (ys > h - 1))[:, :, None] | ((xs < 0) | (xs > w - 1))[:, None, :])[..., None]
    if outside.any():
        out = where(Tensor(np.broadcast_to(outside, out.shape)), Tensor(np.full((), extrapolation_value,
                                                                                  out._value.dtype)), out)
    return out if out.dtype == _dtypes.float32 else cast(out, _dtypes.float32)


# --------------------------------------------------------------------------- flips and rotations

def flip_left_right(image: TensorLike) -> Tensor:
    """Mirror the columns (the width axis).

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.

    Returns:
        The flipped image. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    x, _ = _batched(image, "flip_left_right")
    return reverse(as_tensor(image), [-2])


def flip_up_down(image: TensorLike) -> Tensor:
    """Mirror the rows (the height axis).

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.

    Returns:
        The flipped image. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    _batched(image, "flip_up_down")
    return reverse(as_tensor(image), [-3])


def transpose(image: TensorLike, name: str | None = None) -> Tensor:
    """Swap height and width.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        name: ignored.

    Returns:
        ``(W, H, C)`` or ``(N, W, H, C)``. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    t = as_tensor(image)
    _batched(t, "transpose")
    return _transpose(t, [1, 0, 2] if t.ndim == 3 else [0, 2, 1, 3])


def rot90(image: TensorLike, k: int = 1, name: str | None = None) -> Tensor:
    """Rotate by ``k`` quarter turns counter-clockwise.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        k: the number of quarter turns (any int; taken modulo 4).
        name: ignored.

    Returns:
        The rotated image. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    t = as_tensor(image)
    _batched(t, "rot90")
    k = int(k) % 4
    if k == 1:
        return transpose(flip_left_right(t))
    if k == 2:
        return flip_up_down(flip_left_right(t))
    if k == 3:
        return flip_left_right(transpose(t))
    return t


# --------------------------------------------------------------------------- dtype and colour

def convert_image_dtype(image: TensorLike, dtype: Any, saturate: bool = False, name: str | None = None) -> Tensor:
    """Convert between image dtypes with TensorFlow's scaling: floats are in ``[0, 1]``, ints in ``[0, MAX]``.

    int -> int shifts the range (``255 -> 65535`` is ``* 257``; down by floor division), int -> float divides
    by the input's MAX, float -> int multiplies by ``MAX + 0.5`` and truncates, float -> float is a cast.

    Args:
        image: any real image Tensor.
        dtype: the target dtype.
        saturate: clip to the target's range before casting (avoids wrap-around).
        name: ignored.

    Returns:
        The converted Tensor (``image`` itself when the dtype already matches). Float -> float is differentiable.

    Raises:
        AttributeError: a target dtype that is neither integer nor floating (as TensorFlow).
    """
    t = as_tensor(image)
    target = _dtypes.as_dtype(dtype)
    if not (target.is_floating or target.is_integer):
        raise AttributeError(f"convert_image_dtype: dtype must be either floating point or integer, got "
                             f"{target.name}.")
    source = t.dtype
    if source == target:
        return t
    if source.is_integer and target.is_integer:
        scale_in, scale_out = int(source.max), int(target.max)
        if scale_in > scale_out:
            value = t._value // ((scale_in + 1) // (scale_out + 1))
            return Tensor(_saturate(value, target) if saturate else value.astype(target.dtype))
        value = _saturate(t._value, target) if saturate else t._value.astype(target.dtype)
        return Tensor(value * target.dtype.type((scale_out + 1) // (scale_in + 1)))
    if source.is_floating and target.is_floating:
        return cast(t, target)
    if source.is_integer:
        scale = np.asarray(1.0 / int(source.max), dtype=target.dtype)
        return Tensor(t._value.astype(target.dtype) * scale)
    scaled = t._value * t._value.dtype.type(float(target.max) + 0.5)
    if saturate:
        return Tensor(_saturate(scaled, target))
    with np.errstate(invalid="ignore"):
        return Tensor(scaled.astype(target.dtype))


def _saturate(value: np.ndarray, target: Any) -> np.ndarray:
    """``tf.dtypes.saturate_cast``: clip to the target's range (in the source's type), then cast."""
    lo, hi = target.min, target.max
    if value.dtype.kind == "f":
        lo, hi = max(float(lo), float(np.finfo(value.dtype).min)), min(float(hi), float(np.finfo(value.dtype).max))
    return np.clip(value, value.dtype.type(lo), value.dtype.type(hi)).astype(target.dtype)


def rgb_to_grayscale(images: TensorLike, name: str | None = None) -> Tensor:
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B``, keeping a channel axis of 1.

    Args:
        images: ``(..., 3)``.
        name: ignored.

    Returns:
        ``(..., 1)`` in the input's dtype (integers scaled through float32 as TensorFlow does). Differentiable.

    Raises:
        ValueError: a last axis other than 3.
    """
    t = as_tensor(images)
    if t.ndim < 1 or t.shape[-1] != 3:
        raise ValueError(f"rgb_to_grayscale: images must have 3 channels (RGB) in the last axis, got shape "
                         f"{tuple(t.shape)}.")
    flt = _float_work(t)
    weights = Tensor(np.asarray([0.2989, 0.5870, 0.1140], dtype=flt._value.dtype))
    gray = reduce_sum(flt * weights, axis=-1, keepdims=True)
    return convert_image_dtype(gray, t.dtype)


def grayscale_to_rgb(images: TensorLike, name: str | None = None) -> Tensor:
    """Repeat the one channel three times.

    Args:
        images: ``(..., 1)``, at least 2-D.
        name: ignored.

    Returns:
        ``(..., 3)``. Differentiable.

    Raises:
        ValueError: a last axis other than 1.
    """
    t = as_tensor(images)
    if t.ndim < 2 or t.shape[-1] != 1:
        raise ValueError(f"grayscale_to_rgb: images must be at least 2-D with a last axis of 1, got shape "
                         f"{tuple(t.shape)}.")
    return tile(t, [1] * (t.ndim - 1) + [3])


def _channels(t: Tensor, op_name: str) -> tuple[Tensor, Tensor, Tensor]:
    if t.ndim < 1 or t.shape[-1] != 3:
        raise InvalidArgumentError(f"{op_name}: the last dimension must be 3 (three channels), got shape "
                                   f"{tuple(t.shape)}.")
    return t[..., 0], t[..., 1], t[..., 2]


def rgb_to_hsv(images: TensorLike, name: str | None = None) -> Tensor:
    """RGB in ``[0, 1]`` to hue, saturation, value in ``[0, 1]`` (TensorFlow's formulas; grey has hue 0).

    Args:
        images: float ``(..., 3)``.
        name: ignored.

    Returns:
        ``(..., 3)`` HSV. Differentiable (away from ties between channels).

    Raises:
        InvalidArgumentError: a last axis other than 3, or a non-float image.
    """
    t = as_tensor(images)
    if t._value.dtype.kind != "f":
        raise InvalidArgumentError(f"rgb_to_hsv: images must be float, got {t.dtype.name}; use "
                                   f"convert_image_dtype first.")
    r, g, b = _channels(t, "RGBToHSV")
    value, low = reduce_max(t, axis=-1), reduce_min(t, axis=-1)
    spread = value - low
    v, s = value._value, spread._value
    one = np.ones((), t._value.dtype)
    saturation = where(Tensor(v > 0), spread / where(Tensor(v > 0), value, one), Tensor(np.zeros_like(v)))
    norm = Tensor(one * 6) * where(Tensor(s > 0), spread, one)
    r_max, g_max = r._value == v, (g._value == v) & (r._value != v)
    hue = where(Tensor(r_max), (g - b) / norm,
                where(Tensor(g_max), (b - r) / norm + 2.0 / 6.0, (r - g) / norm + 4.0 / 6.0))
    hue = where(Tensor(s > 0), hue, Tensor(np.zeros_like(v)))
    hue = where(Tensor(hue._value < 0), hue + 1.0, hue)
    return stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images: TensorLike, name: str | None = None) -> Tensor:
    """Hue, saturation, value in ``[0, 1]`` to RGB (TensorFlow's formulas).

    Args:
        images: float ``(..., 3)`` HSV.
        name: ignored.

    Returns:
        ``(..., 3)`` RGB. Differentiable.

    Raises:
        InvalidArgumentError: a last axis other than 3, or a non-float image.
    """
    t = as_tensor(images)
    if t._value.dtype.kind != "f":
        raise InvalidArgumentError(f"hsv_to_rgb: images must be float, got {t.dtype.name}.")
    h, s, v = _channels(t, "HSVToRGB")
    c = s * v
    m = v - c
    dh = h * 6.0
    category = np.trunc(dh._value).astype(np.int64)                   # C++ static_cast<int>
    fmodu = dh - Tensor((2 * np.floor(dh._value / 2)).astype(dh._value.dtype))
    fmodu = where(Tensor(fmodu._value <= 0), fmodu + 2.0, fmodu)        # the kernel's (0, 2] range
    x = c * (1.0 - abs(fmodu - 1.0))
    zero = Tensor(np.zeros((), t._value.dtype))

    def pick(c_in: tuple[int, ...], x_in: tuple[int, ...]) -> Tensor:
        return where(Tensor(np.isin(category, c_in)), c, where(Tensor(np.isin(category, x_in)), x, zero)) + m

    return stack([pick((0, 5), (1, 4)), pick((1, 2), (0, 3)), pick((3, 4), (2, 5))], axis=-1)


def adjust_brightness(image: TensorLike, delta: float) -> Tensor:
    """``image + delta`` (integer images through float32 in ``[0, 1]``, saturated back).

    Args:
        image: any image.
        delta: the amount added (in ``[0, 1]`` units).

    Returns:
        The image in its own dtype. Differentiable for float images.
    """
    t = as_tensor(image)
    flt = _float_work(t)
    return _back_to(flt + Tensor(np.asarray(delta, dtype=flt._value.dtype)), t.dtype)


def adjust_contrast(images: TensorLike, contrast_factor: float) -> Tensor:
    """``(x - mean) * contrast_factor + mean`` per image and channel (the mean over height and width).

    Args:
        images: at least 3-D, ``(..., H, W, C)``.
        contrast_factor: the multiplier of deviations from the mean.

    Returns:
        The image in its own dtype. Differentiable for float images.

    Raises:
        ValueError: fewer than 3 dimensions.
    """
    t = _at_least_3d(images, "adjust_contrast")
    flt = _float_work(t)
    # TensorFlow's kernel takes an accurate mean (float32 summed in a tree); a float32 mean summed along the
    # rows drifts by 1e-4 over a photo, which moves thousands of uint8 pixels by one. In float64, then rounded.
    mean = cast(reduce_mean(cast(flt, _dtypes.float64), axis=[-3, -2], keepdims=True), flt.dtype)
    factor = Tensor(np.asarray(contrast_factor, dtype=flt._value.dtype))
    return _back_to((flt - mean) * factor + mean, t.dtype)


def adjust_gamma(image: TensorLike, gamma: float = 1, gain: float = 1) -> Tensor:
    """``gain * image ** gamma`` (integer images through float32 in ``[0, 1]``).

    Args:
        image: any image.
        gamma: non-negative exponent.
        gain: multiplier.

    Returns:
        The image in its own dtype. Differentiable for float images.

    Raises:
        ValueError: a negative gamma.
    """
    if np.any(np.asarray(gamma) < 0):
        raise ValueError("Gamma should be a non-negative real number.")
    t = as_tensor(image)
    flt = _float_work(t)
    dt = flt._value.dtype
    return _back_to(Tensor(np.asarray(gain, dt)) * flt ** Tensor(np.asarray(gamma, dt)), t.dtype)


def _no_gradient_rgb(image: TensorLike, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """Apply ``fn`` to an RGB image computed in float32, with no gradient (TensorFlow's kernels have none)."""
    t = as_tensor(image)
    flt = Tensor(_float_work(t)._value.astype(np.float32))
    return _back_to(Tensor(fn(flt)._value.astype(np.float32)), t.dtype)


def adjust_saturation(image: TensorLike, saturation_factor: float, name: str | None = None) -> Tensor:
    """Scale the HSV saturation by ``saturation_factor`` (clipped to ``[0, 1]``).

    Args:
        image: RGB ``(..., 3)``.
        saturation_factor: the multiplier.
        name: ignored.

    Returns:
        The image in its own dtype; no gradient (as in TensorFlow).

    Raises:
        InvalidArgumentError: a last axis other than 3.
    """
    def saturate(flt: Tensor) -> Tensor:
        hsv = rgb_to_hsv(flt)._value
        hsv[..., 1] = np.clip(hsv[..., 1] * np.float32(saturation_factor), 0, 1)
        return hsv_to_rgb(Tensor(hsv))

    return _no_gradient_rgb(image, saturate)


def adjust_hue(image: TensorLike, delta: float, name: str | None = None) -> Tensor:
    """Rotate the HSV hue by ``delta`` (a fraction of the full turn, in ``[-1, 1]``).

    Args:
        image: RGB ``(..., 3)``.
        delta: the hue shift.
        name: ignored.

    Returns:
        The image in its own dtype; no gradient (as in TensorFlow).

    Raises:
        InvalidArgumentError: a last axis other than 3.
    """
    def shift(flt: Tensor) -> Tensor:
        hsv = rgb_to_hsv(flt)._value
        hue = np.fmod(hsv[..., 0] + np.float32(delta), np.float32(1))
        hsv[..., 0] = np.where(hue < 0, hue + 1, hue)
        return hsv_to_rgb(Tensor(hsv))

    return _no_gradient_rgb(image, shift)


def per_image_standardization(image: TensorLike) -> Tensor:
    """``(x - mean) / max(std, 1 / sqrt(num_pixels))`` per image (over height, width and channels).

    Args:
        image: at least 3-D ``(..., H, W, C)``.

    Returns:
        float32 (float images keep a float dtype). Differentiable.

    Raises:
        ValueError: fewer than 3 dimensions.
    """
    t = _at_least_3d(image, "per_image_standardization")
    flt = t if t._value.dtype.kind == "f" else cast(t, _dtypes.float32)
    dt = flt._value.dtype
    count = _pymath.prod(t.shape[-3:])
    mean = reduce_mean(flt, axis=[-1, -2, -3], keepdims=True)
    std = maximum(reduce_std(flt, axis=[-1, -2, -3], keepdims=True), Tensor(np.asarray(1 / np.sqrt(count), dt)))
    return (flt - mean) / std



def _colour_transform(images: TensorLike, kernel: list[list[float]], op_name: str) -> Tensor:
    """``images (..., 3) @ kernel (3, 3)``: one linear colour-space change."""
    t = as_tensor(images)
    if t._value.dtype.kind != "f":
        raise InvalidArgumentError(f"{op_name}: images must be float, got {t.dtype.name}; use "
                                   f"convert_image_dtype first.")
    _channels(t, op_name)
    return tensordot(t, Tensor(np.asarray(kernel, dtype=t._value.dtype)), [[t.ndim - 1], [0]])


def rgb_to_yiq(images: TensorLike) -> Tensor:
    """RGB to YIQ (TensorFlow's matrix).

    Args:
        images: float ``(..., 3)``.

    Returns:
        ``(..., 3)``. Differentiable.

    Raises:
        InvalidArgumentError: a last axis other than 3, or a non-float image.
    """
    return _colour_transform(images, [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                                      [0.114, -0.32134392, 0.31119955]], "rgb_to_yiq")


def yiq_to_rgb(images: TensorLike) -> Tensor:
    """YIQ to RGB (TensorFlow's matrix).

    Args:
        images: float ``(..., 3)``.

    Returns:
        ``(..., 3)``. Differentiable.

    Raises:
        InvalidArgumentError: a last axis other than 3, or a non-float image.
    """
    return _colour_transform(images, [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
                                      [0.6208248, -0.64720424, 1.70423049]], "yiq_to_rgb")


def rgb_to_yuv(images: TensorLike) -> Tensor:
    """RGB to YUV (TensorFlow's matrix).

    Args:
        images: float ``(..., 3)``.

    Returns:
        ``(..., 3)``. Differentiable.

    Raises:
        InvalidArgumentError: a last axis other than 3, or a non-float image.
    """
    return _colour_transform(images, [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                                      [0.114, 0.43601035, -0.10001026]], "rgb_to_yuv")


def yuv_to_rgb(images: TensorLike) -> Tensor:
    """YUV to RGB (TensorFlow's matrix).

    Args:
        images: float ``(..., 3)``.

    Returns:
        ``(..., 3)``. Differentiable.

    Raises:
        InvalidArgumentError: a last axis other than 3, or a non-float image.
    """
    return _colour_transform(images, [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]],
                             "yuv_to_rgb")


def extract_patches(images: TensorLike, sizes: Any, strides: Any, rates: Any, padding: str,
                    name: str | None = None) -> Tensor:
    """Every ``kh x kw`` patch, flattened into the channels (row, column, channel order).

    Computed as a convolution with a one-hot kernel ``(kh, kw, C, kh * kw * C)``, so the gradient is the
    convolution's.

    Args:
        images: ``(N, H, W, C)``.
        sizes: ``[1, kh, kw, 1]``.
        strides: ``[1, sh, sw, 1]``.
        rates: ``[1, rh, rw, 1]`` (the dilation inside a patch).
        padding: ``'SAME'`` or ``'VALID'``.
        name: ignored.

    Returns:
        ``(N, H_out, W_out, kh * kw * C)``, the input's dtype. Differentiable for float images.

    Raises:
        ValueError: images not 4-D, or ``sizes``/``strides``/``rates`` not of the form ``[1, a, b, 1]``.
    """
    t = as_tensor(images)
    if t.ndim != 4:
        raise ValueError(f"extract_patches: images must be 4-D (N, H, W, C), got shape {tuple(t.shape)}.")
    args = {"sizes": _ints(sizes), "strides": _ints(strides), "rates": _ints(rates)}
    for what, values in args.items():
        if len(values) != 4 or values[0] != 1 or values[3] != 1:
            raise ValueError(f"extract_patches: {what} must be [1, rows, cols, 1], got {values}.")
    kh, kw, c = args["sizes"][1], args["sizes"][2], t.shape[3]
    work = t if t._value.dtype.kind == "f" else cast(t, _dtypes.float64)
    kernel = np.eye(kh * kw * c, dtype=work._value.dtype).reshape(kh, kw, c, kh * kw * c)
    out = conv2d(work, kernel, args["strides"], padding, dilations=args["rates"])
    return out if work is t else cast(out, t.dtype)

# --------------------------------------------------------------------------- random augmentation

class _TensorFlowDraws:
    """The draws of TensorFlow's ``stateless_random_*`` image functions for ``seed=(a, b)``, made as TensorFlow
    makes them (``random.stateless_uniform``, Philox), so that a seed gives TensorFlow's images."""

    def __init__(self, seed: Any) -> None:
        self.seed = seed

    def uniform(self, low: float = 0.0, high: float = 1.0, size: int | None = None) -> Any:
        """float32 ``low + u * (high - low)``: a scalar, or ``size`` values."""
        return _random.stateless_uniform([] if size is None else [int(size)], self.seed, low, high)._value

    def offsets(self, limits: list) -> list:
        """A crop's start per axis: int32 draws over ``[0, 2**31 - 1)`` modulo each axis's ``limit``."""
        draws = _random.stateless_uniform([len(limits)], self.seed, 0, 2 ** 31 - 1, dtype=_dtypes.int32)._value
        return [int(d) % n for d, n in zip(draws, limits)]


_Draw = Callable[[], Any]  # a numpy Generator (stateful functions) or _TensorFlowDraws (stateless ones)


def _stateful(seed: int | None, op_name: str) -> _Draw:
    return lambda: _random._rng(seed, op_name)


def _stateless(seed: Any) -> _Draw:
    return lambda: _TensorFlowDraws(seed)


def _random_flip(image: TensorLike, axis: int, rng: _Draw, op_name: str) -> Tensor:
    x, batched = _batched(image, op_name)
    draws = np.asarray(rng().uniform(size=x.shape[0] if batched else 1))
    # TensorFlow's rules: one image flips when its draw is below 0.5, a batch's images where it rounds to 1
    flips = np.round(draws) == 1 if batched else draws < 0.5
    mask = Tensor(flips.reshape(-1, 1, 1, 1))
    return _unbatched(where(mask, reverse(x, [axis]), x), batched)


def _check_range(lower: float, upper: float) -> None:
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def _check_delta(max_delta: float, limit: float | None = None) -> None:
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    if limit is not None and max_delta > limit:
        raise ValueError(f"max_delta must be <= {limit}.")


def _random_crop(value: TensorLike, size: Any, rng: _Draw) -> Tensor:
    t = as_tensor(value)
    want = _ints(size)
    if len(want) != t.ndim:
        raise ValueError(f"random_crop: size must have one entry per dimension of value ({t.ndim}), got {want}.")
    if any(s > n or s < 0 for s, n in zip(want, t.shape)):
        raise InvalidArgumentError(f"Need value.shape >= size, got {list(t.shape)} and {want}")
    gen = rng()
    limits = [n - s + 1 for s, n in zip(want, t.shape)]
    starts = gen.offsets(limits) if isinstance(gen, _TensorFlowDraws) else [int(gen.integers(0, n)) for n in limits]
    return t[tuple(slice(b, b + s) for b, s in zip(starts, want))]


def random_flip_left_right(image: TensorLike, seed: int | None = None) -> Tensor:
    """Mirror each image left-right with probability 1/2 (each image of a batch on its own).

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        seed: an int for a repeatable draw; None uses the global generator.

    Returns:
        The image. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    return _random_flip(image, 2, _stateful(seed, "RandomFlipLeftRight"), "random_flip_left_right")


def random_flip_up_down(image: TensorLike, seed: int | None = None) -> Tensor:
    """Mirror each image up-down with probability 1/2 (each image of a batch on its own).

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        seed: an int for a repeatable draw; None uses the global generator.

    Returns:
        The image. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    return _random_flip(image, 1, _stateful(seed, "RandomFlipUpDown"), "random_flip_up_down")


def random_brightness(image: TensorLike, max_delta: float, seed: int | None = None) -> Tensor:
    """:func:`adjust_brightness` by one ``delta`` drawn uniformly from ``[-max_delta, max_delta)``.

    Args:
        image: any image.
        max_delta: non-negative bound.
        seed: an int for a repeatable draw.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: a negative ``max_delta``.
    """
    _check_delta(max_delta)
    return adjust_brightness(image, _stateful(seed, "RandomBrightness")().uniform(-max_delta, max_delta))


def random_contrast(image: TensorLike, lower: float, upper: float, seed: int | None = None) -> Tensor:
    """:func:`adjust_contrast` by a factor drawn uniformly from ``[lower, upper)``.

    Args:
        image: at least 3-D.
        lower: the smallest factor (non-negative).
        upper: the largest factor (above ``lower``).
        seed: an int for a repeatable draw.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: ``upper <= lower`` or ``lower < 0``.
    """
    _check_range(lower, upper)
    return adjust_contrast(image, _stateful(seed, "RandomContrast")().uniform(lower, upper))


def random_saturation(image: TensorLike, lower: float, upper: float, seed: int | None = None) -> Tensor:
    """:func:`adjust_saturation` by a factor drawn uniformly from ``[lower, upper)``.

    Args:
        image: RGB ``(..., 3)``.
        lower: the smallest factor (non-negative).
        upper: the largest factor (above ``lower``).
        seed: an int for a repeatable draw.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: ``upper <= lower`` or ``lower < 0``.
    """
    _check_range(lower, upper)
    return adjust_saturation(image, _stateful(seed, "RandomSaturation")().uniform(lower, upper))


def random_hue(image: TensorLike, max_delta: float, seed: int | None = None) -> Tensor:
    """:func:`adjust_hue` by a delta drawn uniformly from ``[-max_delta, max_delta)``.

    Args:
        image: RGB ``(..., 3)``.
        max_delta: in ``[0, 0.5]``.
        seed: an int for a repeatable draw.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: ``max_delta`` outside ``[0, 0.5]``.
    """
    _check_delta(max_delta, 0.5)
    return adjust_hue(image, _stateful(seed, "RandomHue")().uniform(-max_delta, max_delta))


def random_crop(value: TensorLike, size: Any, seed: int | None = None, name: str | None = None) -> Tensor:
    """A block of shape ``size`` at a uniformly drawn offset.

    Args:
        value: any Tensor.
        size: the block's shape, one entry per dimension of ``value``.
        seed: an int for a repeatable draw.
        name: ignored.

    Returns:
        The block. Differentiable.

    Raises:
        ValueError: ``size`` of the wrong length.
        InvalidArgumentError: ``size`` larger than ``value``.
    """
    return _random_crop(value, size, _stateful(seed, "RandomCrop"))


def stateless_random_flip_left_right(image: TensorLike, seed: Any) -> Tensor:
    """:func:`random_flip_left_right` fixed by ``seed=(a, b)``: the same seed, the same flips.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        seed: two ints.

    Returns:
        The image.

    Raises:
        ValueError: a seed that is not two ints.
    """
    return _random_flip(image, 2, _stateless(seed), "stateless_random_flip_left_right")


def stateless_random_flip_up_down(image: TensorLike, seed: Any) -> Tensor:
    """:func:`random_flip_up_down` fixed by ``seed=(a, b)``.

    Args:
        image: ``(H, W, C)`` or ``(N, H, W, C)``.
        seed: two ints.

    Returns:
        The image.

    Raises:
        ValueError: a seed that is not two ints.
    """
    return _random_flip(image, 1, _stateless(seed), "stateless_random_flip_up_down")


def stateless_random_brightness(image: TensorLike, max_delta: float, seed: Any) -> Tensor:
    """:func:`random_brightness` fixed by ``seed=(a, b)``.

    Args:
        image: any image.
        max_delta: non-negative bound.
        seed: two ints.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: a negative ``max_delta``, a bad seed.
    """
    _check_delta(max_delta)
    return adjust_brightness(image, _stateless(seed)().uniform(-max_delta, max_delta))


def stateless_random_contrast(image: TensorLike, lower: float, upper: float, seed: Any) -> Tensor:
    """:func:`random_contrast` fixed by ``seed=(a, b)``.

    Args:
        image: at least 3-D.
        lower: the smallest factor.
        upper: the largest factor.
        seed: two ints.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: ``upper <= lower``, ``lower < 0``, a bad seed.
    """
    _check_range(lower, upper)
    return adjust_contrast(image, _stateless(seed)().uniform(lower, upper))


def stateless_random_saturation(image: TensorLike, lower: float, upper: float, seed: Any) -> Tensor:
    """:func:`random_saturation` fixed by ``seed=(a, b)``.

    Args:
        image: RGB ``(..., 3)``.
        lower: the smallest factor.
        upper: the largest factor.
        seed: two ints.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: ``upper <= lower``, ``lower < 0``, a bad seed.
    """
    _check_range(lower, upper)
    return adjust_saturation(image, _stateless(seed)().uniform(lower, upper))


def stateless_random_hue(image: TensorLike, max_delta: float, seed: Any) -> Tensor:
    """:func:`random_hue` fixed by ``seed=(a, b)``.

    Args:
        image: RGB ``(..., 3)``.
        max_delta: in ``[0, 0.5]``.
        seed: two ints.

    Returns:
        The image in its own dtype.

    Raises:
        ValueError: ``max_delta`` outside ``[0, 0.5]``, a bad seed.
    """
    _check_delta(max_delta, 0.5)
    return adjust_hue(image, _stateless(seed)().uniform(-max_delta, max_delta))


def stateless_random_crop(value: TensorLike, size: Any, seed: Any, name: str | None = None) -> Tensor:
    """:func:`random_crop` fixed by ``seed=(a, b)``.

    Args:
        value: any Tensor.
        size: the block's shape.
        seed: two ints.
        name: ignored.

    Returns:
        The block.

    Raises:
        ValueError, InvalidArgumentError: as :func:`random_crop`.
    """
    return _random_crop(value, size, _stateless(seed))


# --------------------------------------------------------------------------- measures and filters

def image_gradients(image: TensorLike) -> tuple[Tensor, Tensor]:
    """Forward differences ``(dy, dx)``, zero in the last row / column.

    Args:
        image: ``(N, H, W, C)``.

    Returns:
        ``(dy, dx)``, each the shape of ``image``. Differentiable.

    Raises:
        ValueError: an image that is not 4-D.
    """
    t = as_tensor(image)
    if t.ndim != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {tuple(t.shape)}.")
    dy = t[:, 1:] - t[:, :-1]
    dx = t[:, :, 1:] - t[:, :, :-1]
    dy = concat([dy, Tensor(np.zeros((t.shape[0], 1) + tuple(t.shape[2:]), t._value.dtype))], axis=1)
    dx = concat([dx, Tensor(np.zeros(tuple(t.shape[:2]) + (1, t.shape[3]), t._value.dtype))], axis=2)
    return dy, dx


def sobel_edges(image: TensorLike) -> Tensor:
    """Sobel responses ``[dy, dx]`` per channel, the image reflected at its border.

    Args:
        image: float ``(N, H, W, C)``.

    Returns:
        ``(N, H, W, C, 2)``. Differentiable (a depthwise convolution).

    Raises:
        ValueError: an image that is not 4-D.
    """
    t = as_tensor(image)
    if t.ndim != 4:
        raise ValueError(f"sobel_edges: image must be 4-D (N, H, W, C), got shape {tuple(t.shape)}.")
    n, h, w, c = t.shape
    rows = np.r_[1 if h > 1 else 0, np.arange(h), h - 2 if h > 1 else 0]      # REFLECT padding by one
    cols = np.r_[1 if w > 1 else 0, np.arange(w), w - 2 if w > 1 else 0]
    padded = gather(gather(t, rows, axis=1), cols, axis=2)
    ky = np.asarray([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=t._value.dtype)
    kernel = np.tile(np.stack([ky, ky.T], axis=-1)[:, :, None, :], (1, 1, c, 1))  # (3, 3, C, 2)
    out = depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID")
    return reshape(out, (n, h, w, c, 2))


def total_variation(images: TensorLike, name: str | None = None) -> Tensor:
    """Sum of absolute differences between neighbouring pixels (rows and columns).

    Args:
        images: ``(H, W, C)`` (a scalar result) or ``(N, H, W, C)`` (one per image).
        name: ignored.

    Returns:
        The total variation, the input's dtype. Differentiable.

    Raises:
        ValueError: images that are not 3-D/4-D.
    """
    t = as_tensor(images)
    if t.ndim not in (3, 4):
        raise ValueError("'images' must be either 3 or 4-dimensional.")
    axes = [-3, -2, -1]
    return (reduce_sum(abs(t[..., 1:, :, :] - t[..., :-1, :, :]), axis=axes)
            + reduce_sum(abs(t[..., :, 1:, :] - t[..., :, :-1, :]), axis=axes))


def _as_float_images(a: TensorLike, b: TensorLike, max_val: Any, op_name: str) -> tuple[Tensor, Tensor, Tensor]:
    ta, tb = as_tensor(a), as_tensor(b)
    if tuple(ta.shape) != tuple(tb.shape):
        raise ValueError(f"{op_name}: the two images must have the same shape, got {tuple(ta.shape)} and "
                         f"{tuple(tb.shape)}.")
    # float64 images are measured in float64 (the result is still float32): TensorFlow's float32 to rounding
    work = _dtypes.float64 if ta.dtype == _dtypes.float64 else _dtypes.float32
    peak = convert_image_dtype(Tensor(np.asarray(max_val, dtype=ta._value.dtype)), work)
    return convert_image_dtype(ta, work), convert_image_dtype(tb, work), peak


def _float32(t: Tensor) -> Tensor:
    return t if t.dtype == _dtypes.float32 else cast(t, _dtypes.float32)


def psnr(a: TensorLike, b: TensorLike, max_val: Any, name: str | None = None) -> Tensor:
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)`` per image.

    Args:
        a: ``(..., H, W, C)``.
        b: same shape and dtype as ``a``.
        max_val: the dynamic range (255 for uint8, 1.0 for float images in ``[0, 1]``).
        name: ignored.

    Returns:
        float32 ``(...)``. Differentiable for float images.

    Raises:
        ValueError: images of different shapes.
    """
    fa, fb, peak = _as_float_images(a, b, max_val, "psnr")
    mse = reduce_mean(square(fa - fb), axis=[-3, -2, -1])
    dt = mse._value.dtype
    return _float32(Tensor(np.asarray(20.0 / np.log(10.0), dt)) * log(peak)
                    - Tensor(np.asarray(10.0 / np.log(10.0), dt)) * log(mse))


def ssim(img1: TensorLike, img2: TensorLike, max_val: Any, filter_size: int = 11, filter_sigma: float = 1.5,
         k1: float = 0.01, k2: float = 0.03, return_index_map: bool = False) -> Tensor:
    """Structural similarity (Wang et al. 2004) with a Gaussian window, as TensorFlow computes it.

    Args:
        img1: ``(..., H, W, C)`` with ``H, W >= filter_size``.
        img2: same shape as ``img1``.
        max_val: the dynamic range.
        filter_size: the Gaussian window's side (default 11).
        filter_sigma: its width (default 1.5).
        k1: luminance constant (default 0.01).
        k2: contrast constant (default 0.03).
        return_index_map: return the local SSIM map (per pixel, channels averaged) instead of its mean.

    Returns:
        float32 ``(...)`` (or the map). Differentiable for float images.

    Raises:
        ValueError: images of different shapes or smaller than the window.
        InvalidArgumentError: images smaller than the filter.
    """
    fa, fb, peak = _as_float_images(img1, img2, max_val, "ssim")
    if fa.ndim < 3:
        raise ValueError(f"ssim: images must be at least 3-D, got shape {tuple(fa.shape)}.")
    lead, (h, w, c) = tuple(fa.shape[:-3]), tuple(fa.shape[-3:])
    if h < filter_size or w < filter_size:
        raise InvalidArgumentError(f"ssim: images ({h}x{w}) must be at least filter_size={filter_size} on each "
                                   f"side.")
    coords = np.arange(filter_size, dtype=np.float32) - np.float32(filter_size - 1) / 2
    g = np.square(coords) * np.float32(-0.5 / np.square(np.float32(filter_sigma)))
    g = (g[None, :] + g[:, None]).ravel()
    g = np.exp(g - g.max())
    kernel = np.tile((g / g.sum()).reshape(filter_size, filter_size, 1, 1).astype(fa._value.dtype), (1, 1, c, 1))

    def reducer(x: Tensor) -> Tensor:
        y = depthwise_conv2d(reshape(x, (-1, h, w, c)), kernel, [1, 1, 1, 1], "VALID")
        return reshape(y, lead + tuple(y.shape[1:]))

    c1 = square(Tensor(np.asarray(k1, fa._value.dtype)) * peak)
    c2 = square(Tensor(np.asarray(k2, fa._value.dtype)) * peak)
    mean0, mean1 = reducer(fa), reducer(fb)
    num0 = mean0 * mean1 * 2.0
    den0 = square(mean0) + square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(fa * fb) * 2.0
    den1 = reducer(square(fa) + square(fb))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    index_map = luminance * cs
    if return_index_map:
        return _float32(reduce_mean(index_map, axis=-1))
    return _float32(reduce_mean(reduce_mean(index_map, axis=[-3, -2]), axis=-1))


__getattr__ = _missing_attribute(__name__)  # a TensorFlow name not provided says so

# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
