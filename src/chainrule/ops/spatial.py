"""Ops on the spatial axes of images and sequences: zero padding, cropping, nearest and bilinear resizing.

All take ``(N, *spatial, C)`` (``channels_last``, the default) or
``(N, C, *spatial)`` (``channels_first``) and work on the spatial axes in
place, with no transposes.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .base import Op
from .windows import check_data_format, normalize_tuple, resolve_padding


def _spatial_axes(x: np.ndarray, data_format: Any, op_name: Any, rank: Any = None) -> Any:
    """Spatial axes of ``x`` for ``data_format``; ``ValueError`` if ``x`` has none (or not ``rank`` of them)."""
    n_spatial = x.ndim - 2
    if n_spatial < 1 or (rank is not None and n_spatial != rank):
        want = "at least one spatial axis" if rank is None else f"{rank} spatial axes"
        raise ValueError(f"{op_name}: the input must be (N, *spatial, C) ({data_format}) with {want}, "
                         f"got shape {x.shape}.")
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + n_spatial))


def _full_index(ndim: Any, axes: Any, slices: Any) -> Any:
    index = [slice(None)] * ndim
    for axis, s in zip(axes, slices):
        index[axis] = s
    return tuple(index)


def _widths(x: np.ndarray, axes: Any, pairs: Any) -> Any:
    width = [(0, 0)] * x.ndim
    for axis, pair in zip(axes, pairs):
        width[axis] = pair
    return width


class ZeroPad(Op):
    """Zeros around the spatial axes (tf.keras ``ZeroPadding{1,2,3}D``): ``forward(x)``.

    ``padding``: an int (every side), one int per spatial axis (both sides) or
    one ``(before, after)`` pair per axis. Backward crops ``dout``.
    """

    def __init__(self, padding: int | Sequence[Any] = 1, data_format: str = "channels_last") -> None:
        self.padding = padding
        self.data_format = check_data_format(data_format, type(self).__name__)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axes = _spatial_axes(x, self.data_format, self.name)
        spatial = tuple(x.shape[a] for a in self.axes)
        self.pairs = resolve_padding(self.padding, spatial, (1,) * len(spatial), (1,) * len(spatial),
                                     (1,) * len(spatial), self.name, allowed=())
        return np.pad(x, _widths(x, self.axes, self.pairs))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = np.asarray(dout)
        return dout[_full_index(dout.ndim, self.axes,
                                [slice(b, dout.shape[a] - e) for a, (b, e) in zip(self.axes, self.pairs)])]


class Crop(Op):
    """Cut values off the spatial axes (tf.keras ``Cropping{1,2,3}D``): ``forward(x)`` returns a view.

    ``cropping``: an int, one int per axis or one ``(before, after)`` pair per
    axis. Raises ``ValueError`` when nothing would be left. Backward pads ``dout`` with zeros.
    """

    returns_view = True

    def __init__(self, cropping: int = 1, data_format: str = "channels_last") -> None:
        self.cropping = cropping
        self.data_format = check_data_format(data_format, type(self).__name__)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axes = _spatial_axes(x, self.data_format, self.name)
        spatial = tuple(x.shape[a] for a in self.axes)
        self.pairs = resolve_padding(self.cropping, spatial, (1,) * len(spatial), (1,) * len(spatial),
                                     (1,) * len(spatial), self.name, allowed=())
        if any(b + e >= n for n, (b, e) in zip(spatial, self.pairs)):
            raise ValueError(f"{self.name}: cropping {self.pairs} leaves nothing of the spatial shape {spatial} "
                             f"(input shape {x.shape}); each axis must keep at least one value.")
        return x[_full_index(x.ndim, self.axes, [slice(b, n - e) for n, (b, e) in zip(spatial, self.pairs)])]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = np.asarray(dout)
        return np.pad(dout, _widths(dout, self.axes, self.pairs))


class UpSampleNearest(Op):
    """Repeat every value ``size`` times along each spatial axis (tf.keras ``UpSampling{1,2,3}D``, 'nearest').

    ``size``: an int or one per spatial axis. ``(N, H, W, C)`` -> ``(N, H*sh, W*sw, C)``.
    (TensorFlow's half-pixel nearest-neighbour resize is exactly this for
    integer factors.) Backward sums ``dout`` over each ``sh x sw`` block.
    """

    def __init__(self, size: int = 2, data_format: str = "channels_last") -> None:
        self.size = size
        self.data_format = check_data_format(data_format, type(self).__name__)

    def _split_shape(self, shape: Any) -> Any:
        """``shape`` with each spatial axis ``n`` followed by its factor: ``(..., n, f, ...)``."""
        out = []
        for axis, n in enumerate(shape):
            out.append(n)
            if axis in self.axes:
                out.append(self.factors[self.axes.index(axis)])
        return out

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axes = _spatial_axes(x, self.data_format, self.name)
        self.factors = normalize_tuple(self.size, len(self.axes), "size", self.name)
        self.in_shape = x.shape
        expanded = self._split_shape(x.shape)
        index: list[slice | None] = []
        for axis in range(x.ndim):
            index.append(slice(None))
            if axis in self.axes:
                index.append(None)
        repeated = np.broadcast_to(x[tuple(index)], expanded)
        out_shape = tuple(n * self.factors[self.axes.index(a)] if a in self.axes else n for a, n in enumerate(x.shape))
        return repeated.reshape(out_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        split = np.asarray(dout).reshape(self._split_shape(self.in_shape))
        factor_axes = tuple(a + i + 1 for i, a in enumerate(self.axes))
        return split.sum(axis=factor_axes)


def bilinear_weights(in_size: int, out_size: int) -> Any:
    """TensorFlow's half-pixel bilinear sampling of one axis: ``(lower, upper, lerp)``, one entry per output.

    Source coordinate ``(o + 0.5) * in/out - 0.5`` (float32, as TensorFlow
    computes it), ``lower = max(floor, 0)``, ``upper = min(ceil, in - 1)``,
    ``lerp = coordinate - floor``; the output is ``x[lower] + (x[upper] - x[lower]) * lerp``.
    """
    scale = np.float32(in_size) / np.float32(out_size)
    coord = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(coord)
    lower = np.maximum(floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(coord).astype(np.int64), in_size - 1)
    return lower, upper, coord - floor


def _add_rows(target: Any, index: Any, values: np.ndarray, axis: Any) -> None:
    """``target[index[i]] += values[i]`` along ``axis`` for a non-decreasing ``index`` (segment sums)."""
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    sums = np.add.reduceat(values, starts, axis=axis)
    where = [slice(None)] * target.ndim
    where[axis] = index[starts]
    target[tuple(where)] += sums


class ResizeBilinear(Op):
    """Bilinear resize of the spatial axes to ``size``, as ``tf.image.resize(..., 'bilinear')``: ``forward(x)``.

    TensorFlow 2's rule: half-pixel centres, no antialiasing (see
    :func:`bilinear_weights`); tf.keras ``UpSampling2D(interpolation='bilinear')``
    is this op with ``size = (H * sh, W * sw)``. The axes are interpolated one at a
    time (the last spatial axis first, like TensorFlow's kernel). Backward
    sends each output's gradient to its two source values per axis, weighted
    ``1 - lerp`` and ``lerp``.
    """

    def __init__(self, size: Any, data_format: str = "channels_last") -> None:
        self.size = tuple(int(s) for s in size)
        self.data_format = check_data_format(data_format, type(self).__name__)
        if any(s < 1 for s in self.size):
            raise ValueError(f"ResizeBilinear: size must be positive, got {size!r}.")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axes = _spatial_axes(x, self.data_format, self.name, rank=len(self.size))
        self.in_shape = x.shape
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        out = x.astype(dtype, copy=False)
        self.plan = []
        for axis, n_out in reversed(list(zip(self.axes, self.size))):
            lower, upper, lerp = bilinear_weights(x.shape[axis], n_out)
            shape = [1] * x.ndim
            shape[axis] = n_out
            lerp = lerp.astype(dtype).reshape(shape)
            low = np.take(out, lower, axis=axis)
            out = low + (np.take(out, upper, axis=axis) - low) * lerp
            self.plan.append((axis, lower, upper, lerp))
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        grad = np.asarray(dout)
        shape = list(grad.shape)
        for axis, lower, upper, lerp in reversed(self.plan):
            shape[axis] = self.in_shape[axis]
            dx = np.zeros(shape, dtype=grad.dtype)
            _add_rows(dx, lower, grad * (1 - lerp), axis)
            _add_rows(dx, upper, grad * lerp, axis)
            grad = dx
        return grad


def nearest_indices(in_size: int, out_size: int) -> Any:
    """TensorFlow 2's half-pixel nearest-neighbour source index of each output position along one axis.

    ``min(floor((o + 0.5) * in / out), in - 1)`` computed in float32, as ``tf.image.resize(...,
    'nearest')`` does (``half_pixel_centers=True``); non-decreasing in ``o``.
    """
    scale = np.float32(in_size) / np.float32(out_size)
    coord = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale
    return np.minimum(np.floor(coord).astype(np.int64), in_size - 1)


class ResizeNearest(Op):
    """Nearest-neighbour resize of the spatial axes to ``size``, as ``tf.image.resize(..., 'nearest')``.

    Any sizes, up or down (:class:`UpSampleNearest` is the integer-factor case). Each output takes
    the value at :func:`nearest_indices` along every axis. Backward adds each output's gradient
    back to its source position (a segment sum per axis).
    """

    def __init__(self, size: Any, data_format: str = "channels_last") -> None:
        self.size = tuple(int(s) for s in size)
        self.data_format = check_data_format(data_format, type(self).__name__)
        if any(s < 1 for s in self.size):
            raise ValueError(f"ResizeNearest: size must be positive, got {size!r}.")

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axes = _spatial_axes(x, self.data_format, self.name, rank=len(self.size))
        self.in_shape = x.shape
        self.plan = []
        out = x
        for axis, n_out in zip(self.axes, self.size):
            index = nearest_indices(x.shape[axis], n_out)
            out = np.take(out, index, axis=axis)
            self.plan.append((axis, index))
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        grad = np.asarray(dout)
        shape = list(grad.shape)
        for axis, index in reversed(self.plan):
            shape[axis] = self.in_shape[axis]
            dx = np.zeros(shape, dtype=grad.dtype)
            _add_rows(dx, index, grad, axis)
            grad = dx
        return grad
