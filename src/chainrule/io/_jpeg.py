"""JPEG pixels as TensorFlow's ``decode_jpeg``/``decode_image`` give them, from Pillow.

TensorFlow decodes with libjpeg-turbo using the fast integer inverse DCT (``dct_method=""`` means
``INTEGER_FAST``) and "fancy" (triangle-filter) chroma upsampling; Pillow's default is the slow accurate DCT,
so its pixels differ from TensorFlow's by up to 3 levels. Pillow's draft decoding (``decoderconfig = (1, 1)``)
uses the fast DCT but replicates chroma samples and converts colours in the same pass, so here the file is
decoded in draft mode to YCbCr, the chroma planes are taken back at their stored resolution (every 2nd sample),
upsampled with libjpeg-turbo's fancy filters (``jdsample.c``: ``h2v1`` and ``h2v2``) and converted to RGB with
its fixed-point tables (``jdcolor.c``). The result equals TensorFlow's bit for bit. Files this does not cover
(CMYK, Adobe RGB, other subsamplings) give None, and the caller decodes them with Pillow's defaults.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_FIX = {k: int(v * 65536 + 0.5) for k, v in (("r_cr", 1.40200), ("b_cb", 1.77200), ("g_cb", 0.34414),
                                             ("g_cr", 0.71414))}


def _fancy_h2(plane: np.ndarray, width: int) -> np.ndarray:
    """Each row doubled in width: ``(3 * this + neighbour + 1 or 2) >> 2`` (libjpeg-turbo's ``h2v1``)."""
    p = np.pad(plane, ((0, 0), (1, 1)), mode="edge")
    out = np.empty((plane.shape[0], 2 * plane.shape[1]), np.int32)
    out[:, 0::2] = (3 * plane + p[:, :-2] + 1) >> 2
    out[:, 1::2] = (3 * plane + p[:, 2:] + 2) >> 2
    return out[:, :width]


def _fancy_h2v2(plane: np.ndarray, height: int, width: int) -> np.ndarray:
    """Doubled both ways by the triangle filter on column sums (libjpeg-turbo's ``h2v2``)."""
    p = np.pad(plane, 1, mode="edge")
    out = np.empty((2 * plane.shape[0], 2 * plane.shape[1]), np.int32)
    for dy, neighbour in ((0, p[:-2, 1:-1]), (1, p[2:, 1:-1])):
        colsum = 3 * plane + neighbour
        c = np.pad(colsum, ((0, 0), (1, 1)), mode="edge")
        out[dy::2, 0::2] = (3 * colsum + c[:, :-2] + 8) >> 4
        out[dy::2, 1::2] = (3 * colsum + c[:, 2:] + 7) >> 4
    return out[:height, :width]


def _rgb(y: np.ndarray, cb: np.ndarray, cr: np.ndarray) -> np.ndarray:
    cb, cr, half = cb - 128, cr - 128, 1 << 15
    r = y + ((_FIX["r_cr"] * cr + half) >> 16)
    g = y + ((-_FIX["g_cb"] * cb - _FIX["g_cr"] * cr + half) >> 16)
    b = y + ((_FIX["b_cb"] * cb + half) >> 16)
    return np.clip(np.stack([r, g, b], axis=-1), 0, 255).astype(np.uint8)


def tensorflow_pixels(img: Any, channels: int | None) -> np.ndarray | None:
    """``(H, W, channels)`` uint8 of an opened, not yet loaded Pillow JPEG as TensorFlow decodes it (``channels``
    1 or 3, None/0 for the file's own), or None when the file is not one this covers (see the module doc)."""
    if getattr(img, "format", None) != "JPEG" or channels not in (None, 0, 1, 3) or img.mode not in ("L", "RGB"):
        return None
    if img.mode == "RGB" and img.info.get("adobe_transform", 1) == 0:
        return None  # stored as RGB: no colour conversion to reproduce
    layers = getattr(img, "layer", None)
    step_h = step_v = 1
    if img.mode == "RGB":
        if not layers or len(layers) != 3:
            return None
        h_max, v_max = max(h for _, h, _, _ in layers), max(v for _, _, v, _ in layers)
        ratios = {(h_max // h, v_max // v) for _, h, v, _ in layers[1:]}
        if layers[0][1:3] != (h_max, v_max) or len(ratios) != 1:
            return None
        step_h, step_v = ratios.pop()
        if (step_h, step_v) not in ((1, 1), (2, 1), (2, 2)):
            return None
        img.draft("YCbCr", None)
    img.decoderconfig = (1, 1)  # Pillow's draft flag: libjpeg's fast integer DCT
    img.load()
    if img.mode not in ("L", "YCbCr"):
        return None
    pixels = np.asarray(img).astype(np.int32)
    if pixels.ndim == 2:
        grey = pixels.astype(np.uint8)[..., None]
        return np.repeat(grey, 3, axis=-1) if channels == 3 else grey
    y = pixels[..., 0]
    if channels == 1:
        return y.astype(np.uint8)[..., None]
    height, width = y.shape
    chroma = []
    for k in (1, 2):
        plane = pixels[::step_v, ::step_h, k]
        if (step_h, step_v) == (2, 2):
            plane = _fancy_h2v2(plane, height, width)
        elif step_h == 2:
            plane = _fancy_h2(plane, width)
        chroma.append(plane)
    return _rgb(y, *chroma)


def decoded_pixels(open_image: Any, channels: int | None) -> np.ndarray:
    """``(H, W, C)`` uint8 of an image file as TensorFlow's ``decode_image`` gives it: a JPEG this module covers
    through :func:`tensorflow_pixels`, anything else through Pillow, converted to ``channels`` (1 grey, 3 RGB,
    4 RGBA; None/0 keeps the file's L/RGB/RGBA, other modes become RGB). ``open_image()`` opens the file afresh
    with Pillow (it is read once more when the JPEG path does not apply); Pillow's errors propagate."""
    with open_image() as img:
        arr = tensorflow_pixels(img, channels)
    if arr is None:
        with open_image() as img:
            mode = {1: "L", 3: "RGB", 4: "RGBA"}.get(int(channels or 0))
            if mode is None:
                mode = img.mode if img.mode in ("L", "RGB", "RGBA") else "RGB"
            arr = np.asarray(img.convert(mode), dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr
