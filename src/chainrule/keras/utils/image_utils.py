"""``keras.utils.load_img`` / ``img_to_array`` / ``array_to_img`` / ``save_img``, as in tf.keras 2.

Images are read and written with Pillow, an optional dependency (``pip install pillow``, or
``pip install 'chainrule[images]'``); without it these functions raise an ``ImportError`` that says
so. Arrays are ``(height, width, channels)`` (``channels_last``) unless ``data_format`` (default
``keras.backend.image_data_format()``) says ``'channels_first'``.
"""
from __future__ import annotations

import io
import os
import pathlib
import warnings

import numpy as np

from ... import backend as _backend

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "pil_module", "check_interpolation"]

#: Pillow's resampling filters by tf.keras's names (``load_img(..., interpolation=...)``).
PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
#: ``tf.image.resize``'s methods, which tf.keras's Resizing / UpSampling2D / image_dataset_from_directory
#: accept; chainrule computes 'bilinear' and 'nearest'.
TF_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def check_interpolation(value, owner, supported=("nearest", "bilinear")) -> str:
    """``value`` lower-cased; ``NotImplementedError`` otherwise (tf.keras raises that type for unknown names too)."""
    name = str(value).lower()
    if name in supported:
        return name
    if name in TF_INTERPOLATIONS:
        raise NotImplementedError(f"{owner}: interpolation={value!r} is not implemented in chainrule; use one of "
                                  f"{', '.join(map(repr, supported))}.")
    raise NotImplementedError(f"{owner}: value not recognized for `interpolation`: {value!r}; supported values "
                              f"are {', '.join(map(repr, supported))}.")


def pil_module(what: str = "this function"):
    """``PIL.Image``, or an ``ImportError`` that names the function and ``pip install pillow``."""
    try:
        from PIL import Image  # an optional dependency: imported only when an image function is called
    except ImportError:
        raise ImportError(f"{what} needs Pillow to read and write image files, and it is not installed. Install it "
                          f"with `pip install pillow` (or `pip install 'chainrule[images]'`).") from None
    return Image


def _resampling(image_module, interpolation):
    if interpolation not in PIL_INTERPOLATIONS:
        raise ValueError(f"Invalid interpolation method {interpolation!r} specified. Supported methods are "
                         f"{', '.join(PIL_INTERPOLATIONS)}.")
    filters = getattr(image_module, "Resampling", image_module)
    return getattr(filters, interpolation.upper())


def _data_format(data_format):
    value = _backend.image_data_format() if data_format is None else data_format
    if value not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid data_format: {value!r}; use 'channels_last' or 'channels_first'.")
    return value


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Load an image file as a PIL Image (tf.keras 2's ``load_img``).

    Args:
        path: a path (str, bytes or ``pathlib.Path``) or an ``io.BytesIO``.
        grayscale: deprecated; ``color_mode='grayscale'``.
        color_mode: 'rgb' (default), 'rgba' or 'grayscale' (8-bit, or kept at 16/32 bits if the file is).
        target_size: ``(height, width)`` to resize to, or None to keep the file's size.
        interpolation: Pillow's filter for the resize: 'nearest' (default), 'bilinear', 'bicubic',
            'hamming', 'box' or 'lanczos'.
        keep_aspect_ratio: resize the largest centred crop with the target's aspect ratio.

    Raises ``ImportError`` without Pillow, ``TypeError`` for another kind of ``path``,
    ``ValueError`` for an unknown ``color_mode`` or ``interpolation``.
    """
    image_module = pil_module("keras.utils.load_img")
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"', stacklevel=2)
        color_mode = "grayscale"
    if isinstance(path, io.BytesIO):
        img = image_module.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str, os.PathLike)):
        with open(os.fspath(path), "rb") as f:
            img = image_module.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            resample = _resampling(image_module, interpolation)
            if keep_aspect_ratio:
                width, height = img.size
                target_width, target_height = width_height
                crop_height = min(height, (width * target_height) // target_width)
                crop_width = min(width, (height * target_width) // target_height)
                top, left = (height - crop_height) // 2, (width - crop_width) // 2
                img = img.resize(width_height, resample, box=[left, top, left + crop_width, top + crop_height])
            else:
                img = img.resize(width_height, resample)
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL Image (or anything ``np.asarray`` takes) as a 3-D float array ``(height, width, channels)``.

    A 2-D (grayscale) image gets a channels axis of size 1. ``dtype`` defaults to ``floatx()``
    ('float32'); ``data_format='channels_first'`` gives ``(channels, height, width)``.
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or _backend.floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape) if data_format == "channels_first" else x.reshape(x.shape + (1,))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array ``(height, width, channels)`` as a PIL Image (1 channel: 'L', 3: 'RGB', 4: 'RGBA').

    ``scale=True`` (default) maps the array's own minimum..maximum to 0..255; otherwise the
    values are taken as 0..255 already. A 1-channel image with values above 255 becomes a 32-bit
    ('I') image.
    """
    image_module = pil_module("keras.utils.array_to_img")
    data_format = _data_format(data_format)
    x = np.array(x, dtype=dtype or _backend.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image_module.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image_module.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save a 3-D array as an image file (format from ``file_format`` or the file name's extension).

    ``scale`` as in :func:`array_to_img`; extra keywords go to Pillow's ``Image.save`` (e.g. ``quality``).
    An RGBA array saved as JPEG is converted to RGB, with a warning.
    """
    img = array_to_img(x, data_format=_data_format(data_format), scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
