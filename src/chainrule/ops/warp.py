"""Geometric warps of images: TensorFlow's ``ImageProjectiveTransformV3``, the op behind tf.keras's
RandomRotation, RandomZoom and RandomTranslation.

For each output pixel ``(x, y)`` a transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` gives the
input point it reads::

    k = c0 * x + c1 * y + 1
    x_in = (a0 * x + a1 * y + a2) / k        y_in = (b0 * x + b1 * y + b2) / k

(``k == 0``: the fill value). Points outside the image are mapped back in by ``fill_mode``
(TensorFlow's rules, which follow scipy.ndimage):

* ``'reflect'``: ``(d c b a | a b c d | d c b a)``, reflecting about the edge of the last pixel;
* ``'wrap'``: ``(a b c d | a b c d | a b c d)``;
* ``'nearest'``: ``(a a a a | a b c d | d d d d)``;
* ``'constant'``: left as they are;

then read with ``'nearest'`` (round half away from zero) or ``'bilinear'`` interpolation, where
any pixel read outside the image is ``fill_value`` (so in 'constant' mode the border blends into
the fill value over one pixel, as in TensorFlow 2.21's kernel). Everything is computed in float32,
as TensorFlow does, so the numbers agree to float32 rounding.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def map_coordinates(coord: Any, length: int, fill_mode: str) -> Any:
    """Input coordinates (float32 array) brought inside ``[0, length - 1]`` by ``fill_mode`` (not 'constant').

    TensorFlow's ``MapCoordinate`` functors, vectorised; ``int(...)`` truncates toward zero as
    the C++ ``static_cast`` does.
    """
    c = coord.astype(np.float32, copy=True)
    last = np.float32(length - 1)
    if fill_mode == "constant":
        return c
    if length <= 1:
        return np.zeros_like(c)
    low, high = c < 0, c > last       # exclusive branches, decided on the coordinates as given
    if fill_mode == "reflect":
        sz2 = np.float32(2 * length)
        lc = c[low]
        lc = sz2 * np.trunc(-lc / sz2) + lc
        c[low] = np.where(lc < -length, lc + sz2, -lc - 1)
        hc = c[high]
        hc = hc - sz2 * np.trunc(hc / sz2)
        c[high] = np.where(hc >= length, sz2 - hc - 1, hc)
    elif fill_mode == "wrap":
        sz = np.float32(length - 1)
        c[low] = c[low] + length * (np.trunc(-c[low] / sz) + 1)
        c[high] = c[high] - length * np.trunc(c[high] / sz)
    np.clip(c, 0, last, out=c)
    return c


class ProjectiveTransform(Op):
    """Projective transform of a batch of images: ``forward(images, transforms)``.

    ``images`` ``(N, H, W, C)``; ``transforms`` ``(N, 8)`` or ``(1, 8)`` (one for all), each row
    mapping an output pixel to the input point it reads (see the module docstring).
    ``fill_mode`` one of 'reflect', 'wrap', 'constant', 'nearest'; ``interpolation`` 'nearest' or
    'bilinear'; ``fill_value`` for points outside (and bilinear neighbours outside);
    ``output_shape`` ``(H', W')``, default the input's. Output ``(N, H', W', C)``.

    Backward sends each output's gradient to the input pixels it read, with the interpolation
    weights (the exact adjoint of the forward map); the transforms get no gradient.
    """

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", fill_value: float = 0.0,
                 output_shape: Any = None) -> None:
        if fill_mode not in FILL_MODES:
            raise NotImplementedError(f"ProjectiveTransform: unknown fill_mode {fill_mode!r}; only 'reflect', "
                                      f"'wrap', 'constant' and 'nearest' are supported.")
        if interpolation not in INTERPOLATIONS:
            raise NotImplementedError(f"ProjectiveTransform: unknown interpolation {interpolation!r}; only "
                                      f"'nearest' and 'bilinear' are supported.")
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)
        self.output_shape = None if output_shape is None else tuple(int(s) for s in output_shape)

    def _sources(self, transforms: Any, n: Any, h: np.ndarray, w: np.ndarray, out_h: Any, out_w: Any) -> Any:
        """Input coordinates ``(x_in, y_in)`` of every output pixel, ``(N, H', W')`` float32, and where k == 0."""
        t = np.asarray(transforms, dtype=np.float32).reshape(-1, 8)
        if t.shape[0] not in (1, n):
            raise ValueError(f"ProjectiveTransform: transforms must have shape (8,), (1, 8) or ({n}, 8) for {n} "
                             f"images, got {np.shape(transforms)}.")
        t = t[:, :, None, None]
        ys = np.arange(out_h, dtype=np.float32)[None, :, None]
        xs = np.arange(out_w, dtype=np.float32)[None, None, :]
        k = t[:, 6] * xs + t[:, 7] * ys + np.float32(1)
        degenerate = k == 0
        k = np.where(degenerate, np.float32(1), k)
        x_in = (t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / k
        y_in = (t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / k
        shape = (n, out_h, out_w)
        return (np.broadcast_to(x_in, shape), np.broadcast_to(y_in, shape), np.broadcast_to(degenerate, shape))

    def forward(self, images: np.ndarray, transforms: np.ndarray) -> np.ndarray:
        x = np.asarray(images)
        if x.ndim != 4:
            raise ValueError(f"ProjectiveTransform: images must be (N, H, W, C), got shape {x.shape}.")
        n, h, w, c = x.shape
        out_h, out_w = self.output_shape or (h, w)
        x_in, y_in, degenerate = self._sources(transforms, n, h, w, out_h, out_w)
        xm = map_coordinates(x_in, w, self.fill_mode)
        ym = map_coordinates(y_in, h, self.fill_mode)
        batch = np.arange(n).reshape(n, 1, 1)
        outside = n * h * w          # the index of an extra row holding fill_value

        def integer(v: np.ndarray, length: Any) -> Any:
            # Far-away coordinates (constant mode) read the fill value anyway; clipping keeps the cast defined.
            return np.clip(v, -2, length + 1).astype(np.int64)

        def index(yi: Any, xi: Any) -> Any:
            ok = ~degenerate & (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
            return np.where(ok, (batch * h + yi) * w + xi, outside).ravel()

        if self.interpolation == "nearest":
            # std::round: halves away from zero.
            yi = integer(np.copysign(np.floor(np.abs(ym) + np.float32(0.5)), ym), h)
            xi = integer(np.copysign(np.floor(np.abs(xm) + np.float32(0.5)), xm), w)
            taps = [(index(yi, xi), None)]
        else:
            y0, x0 = np.floor(ym), np.floor(xm)
            wy1, wx1 = ym - y0, xm - x0                      # weights of the ceil neighbours
            wy0, wx0 = (y0 + 1) - ym, (x0 + 1) - xm          # weights of the floor neighbours
            y0, x0 = integer(y0, h), integer(x0, w)
            taps = [(index(y0, x0), wy0 * wx0), (index(y0, x0 + 1), wy0 * wx1),
                    (index(y0 + 1, x0), wy1 * wx0), (index(y0 + 1, x0 + 1), wy1 * wx1)]
        flat = np.concatenate([x.reshape(-1, c), np.full((1, c), self.fill_value, dtype=x.dtype)])
        work = np.result_type(x.dtype, np.float32)   # float32 as TensorFlow; float64 stays float64
        out: np.ndarray | None = None
        for idx, weight in taps:
            values = flat[idx].astype(work, copy=False)
            if weight is not None:
                values = values * weight.reshape(-1, 1).astype(work)
            out = values if out is None else out + values
        assert out is not None  # one tap at least
        keep = ~degenerate.ravel()
        out[~keep] = self.fill_value                   # k == 0: a point at infinity
        self.taps, self.keep, self.in_shape = taps, keep, x.shape
        return out.reshape(n, out_h, out_w, c).astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        n, h, w, c = self.in_shape
        g = np.asarray(dout).reshape(-1, c) * self.keep[:, None]
        flat = np.zeros((n * h * w + 1, c), dtype=g.dtype)
        for idx, weight in self.taps:
            np.add.at(flat, idx, g if weight is None else g * weight.reshape(-1, 1).astype(g.dtype))
        return flat[:-1].reshape(self.in_shape), None
