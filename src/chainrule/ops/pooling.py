"""Pooling: N-d max and average pooling, global pooling, and the book's Pooling.

Windows come from :mod:`chainrule.ops.windows`; each op loops over the
offsets inside the pooling window (``prod(pool_size)`` iterations), every
iteration a whole-array operation on the strided slab of that offset.

TensorFlow's rules, which these ops follow:

* ``'same'`` padding pads as for convolution (the extra one at the end); max
  pooling never picks a pad, average pooling divides by the number of real
  (non-pad) values in each window.
* The max-pooling gradient goes to the first maximum of each window in
  row-major window order (ties are not shared).
* Global max pooling is ``reduce_max`` over the spatial axes, whose gradient
  TensorFlow shares evenly among tied maxima; global average pooling is ``reduce_mean``.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import math

import numpy as np

from . import workspace
from .base import Op
from .reduction import Max, Mean
from .tier_up import KERNEL_DTYPES, kernels_for
from .windows import (check_data_format, check_output_shape, crop_spatial, normalize_tuple, offset_slices,
                      output_shape, pad_spatial, resolve_padding)

#: The most padded input a pooling op works through at a time, in whole samples (see ``_Pool._batch_blocks``):
#: for MNIST's 26x26x32 maps at batch 128, 1 MB blocks took max pooling from 2.8 to 1.9 ms (forward).
BLOCK_BYTES = 1 << 20


class _Pool(Op):
    """Shared by MaxPool and AvgPool: argument checks, padding and the window geometry.

    Pooling works on the data in its own layout: the spatial axes start at
    axis 1 (channels_last) or 2 (channels_first), and each window offset's slab
    is a strided slice of them, so no axis is ever moved.
    """

    def __init__(self, pool_size: int | Sequence[int], strides: int | Sequence[int] | None = None,
                 padding: str | int | Sequence[Any] = "valid", data_format: str = "channels_last") -> None:
        self.pool_size, self.strides, self.padding = pool_size, strides, padding
        self.data_format = check_data_format(data_format, type(self).__name__)

    def _prepare(self, x: np.ndarray) -> Any:
        """``x`` -> padded input; sets the geometry used by forward and backward."""
        name = self.name
        x = np.asarray(x)
        rank = x.ndim - 2
        if rank < 1:
            raise ValueError(f"{name}: the input must be (N, *spatial, C) with at least one spatial axis, "
                             f"got shape {x.shape}.")
        self.first = 1 if self.data_format == "channels_last" else 2
        spatial = x.shape[self.first:self.first + rank]
        pool = normalize_tuple(self.pool_size, rank, "pool_size", name)
        strides = pool if self.strides is None else normalize_tuple(self.strides, rank, "strides", name)
        ones = (1,) * rank
        pads = resolve_padding(self.padding, spatial, pool, strides, ones, name, allowed=("valid", "same"))
        xp = pad_spatial(x, pads, self._fill_value(x.dtype), self.first)
        out_sp = output_shape(xp.shape[self.first:self.first + rank], pool, strides, ones)
        check_output_shape(out_sp, spatial, pads, pool, ones, name)
        self.pool, self.strides_, self.pads, self.out_sp = pool, strides, pads, out_sp
        self.spatial_shape, self.padded_shape, self.itemsize = spatial, xp.shape, xp.dtype.itemsize
        # Windows that never overlap write disjoint slabs, so backward may assign instead of add.
        self.disjoint = all(s >= p for s, p in zip(strides, pool))
        return xp

    def _fill_value(self, dtype: Any) -> Any:
        """The value padded positions hold (0; max pooling overrides it so that pads never win)."""
        return 0

    def _batch_blocks(self) -> Iterator[slice]:
        """Slices of the batch axis, each a block of whole samples of at most ``BLOCK_BYTES`` of padded input.

        Every pass over the window offsets of one block reads data still in cache from the pass before
        (a whole batch of feature maps is MBs, beyond L2): the same arithmetic, in a cache-friendly order.
        """
        n = self.padded_shape[0]
        per_sample = max(1, math.prod(self.padded_shape[1:]) * self.itemsize)
        per_block = max(1, BLOCK_BYTES // per_sample)
        for start in range(0, max(n, 1), per_block):
            yield slice(start, min(start + per_block, n))

    def _slabs(self) -> Iterator[Any]:
        """``(index, slices)`` for each offset in the pooling window, row-major."""
        ones = (1,) * len(self.pool)
        for i, k in enumerate(np.ndindex(*self.pool)):
            yield i, offset_slices(k, self.out_sp, self.strides_, ones, self.first)

    def _zero_uncovered(self, dxp: Any) -> None:
        """Zero what the slabs will not write: everything, unless the windows tile the input (stride = pool).

        Tiling windows write every position in ``[0, out * pool)`` of each axis, so only the
        remainder past it needs zeros (for a 26x26 map pooled 2x2: nothing, one pass saved).
        """
        if not (self.disjoint and self.strides_ == self.pool):
            dxp.fill(0)
            return
        lead = (slice(None),) * self.first
        for axis, (o, p) in enumerate(zip(self.out_sp, self.pool)):
            if o * p < dxp.shape[self.first + axis]:
                dxp[lead + (slice(None),) * axis + (slice(o * p, None),)] = 0

    def _scatter(self, contribution: Any, dtype: Any) -> Any:
        """``dx`` from ``contribution(block, i, target)``, the gradient slab of window offset ``i`` for the
        samples ``block`` (a batch slice, see :meth:`_batch_blocks`); pads cut off.

        For disjoint windows ``contribution`` writes into ``target`` (the slab of
        ``dx``); otherwise it is called with ``None`` and returns the slab to add.
        """
        dxp = workspace.empty(self.padded_shape, dtype)
        self._zero_uncovered(dxp)
        for block in self._batch_blocks():
            dxb = dxp[block]
            for i, slices in self._slabs():
                if self.disjoint:
                    contribution(block, i, dxb[slices])
                else:
                    dxb[slices] += contribution(block, i, None)
        return np.ascontiguousarray(crop_spatial(dxp, self.pads, self.first))


class MaxPool(_Pool):
    """N-d max pooling (tf.keras ``MaxPooling{1,2,3}D``): ``forward(x)``.

    ``x``: ``(N, *spatial, C)`` or channels_first. ``pool_size``: an int or one per
    spatial axis; ``strides``: default ``pool_size``; ``padding``: 'valid' or
    'same' (pads are never the maximum) or, for the book's layer, explicit.
    Keeps the index of each window's first maximum (``argmax``, row-major in the
    window); backward sends ``dout`` there, as TensorFlow does.
    """

    def _fill_value(self, dtype: Any) -> Any:
        return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min

    def _compiled(self, *arrays: np.ndarray, work: int) -> Any:
        """The compiled kernels module (``ops.kernels``) for 2-D channels_last pooling of C-contiguous float32/
        float64 ``arrays`` with at most 256 window offsets, when the tier-up rule (``ops.tier_up``) says so;
        else None (numpy). ``work``, in element-updates: a compiled pass saves about a quarter of one per
        padded input value forward, half of one backward (MNIST convnet's 26x26x32 maps at batch 128:
        forward 2.0 -> 1.2 ms, backward 1.9 -> 0.6 ms)."""
        if len(self.pool) != 2 or self.first != 1 or math.prod(self.pool) > 256:
            return None
        if any(a.dtype not in KERNEL_DTYPES or not a.flags.c_contiguous for a in arrays):
            return None
        return kernels_for(work)

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = self._prepare(x)
        offsets = [slices for _, slices in self._slabs()]
        out = workspace.empty(xp[offsets[0]].shape, xp.dtype)
        backward = self.needs_backward
        kernels = self._compiled(xp, work=xp.size // 4)
        if kernels is not None:  # the passes below, one output at a time (ops/kernels.py); same bits
            argmax = workspace.empty(out.shape, np.uint8)
            kernels.max_pool2d_forward(xp, out, argmax, *self.pool, *self.strides_)
            if backward:
                self.argmax = argmax
            return out
        if backward:
            # argmax = how many offsets come before the first one holding the maximum, counted with
            # whole-array comparisons and adds (masked numpy writes are an order of magnitude slower).
            self.argmax = workspace.empty(out.shape, np.uint8 if len(offsets) <= 256 else np.int32)
            first_block = out[next(self._batch_blocks())].shape
            not_yet, differs = np.empty(first_block, bool), np.empty(first_block, bool)
        for block in self._batch_blocks():
            slabs = [xp[block][slices] for slices in offsets]
            top = out[block]
            np.copyto(top, slabs[0])
            for slab in slabs[1:]:
                np.maximum(top, slab, out=top)
            if not backward:
                continue
            argmax, n = self.argmax[block], top.shape[0]
            argmax.fill(0)
            not_yet[:n] = True
            for slab in slabs[:-1]:
                np.not_equal(slab, top, out=differs[:n])
                not_yet[:n] &= differs[:n]
                argmax += not_yet[:n]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dy = np.asarray(dout)
        if self.disjoint and dy.shape == self.argmax.shape:  # (at most 256 offsets: a uint8 argmax)
            kernels = self._compiled(dy, work=math.prod(self.padded_shape) // 2)
            if kernels is not None:  # the slab writes of _scatter, one output at a time; same bits
                dxp = workspace.empty(self.padded_shape, dy.dtype)
                self._zero_uncovered(dxp)
                kernels.max_pool2d_backward(dy, self.argmax, dxp, *self.pool, *self.strides_, dy.dtype.type(0),
                                            dy.dtype.type(1))
                return np.ascontiguousarray(crop_spatial(dxp, self.pads, self.first))
        winners = np.empty(self.argmax[next(self._batch_blocks())].shape, bool)

        def contribution(block: slice, i: Any, target: Any) -> Any:
            argmax = self.argmax[block]
            won = winners[:argmax.shape[0]]
            np.equal(argmax, i, out=won)
            if target is None:
                return dy[block] * won
            np.multiply(dy[block], won, out=target)

        return self._scatter(contribution, dy.dtype)


class AvgPool(_Pool):
    """N-d average pooling (tf.keras ``AveragePooling{1,2,3}D``): ``forward(x)``.

    Arguments as :class:`MaxPool`. With ``'same'`` padding each window's sum is
    divided by its number of real values (TensorFlow's rule), so border outputs
    average fewer values. Backward spreads ``dout / count`` over each window.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = self._prepare(x)
        total: np.ndarray | None = None
        for _, slices in self._slabs():
            total = xp[slices].copy() if total is None else np.add(total, xp[slices], out=total)
        assert total is not None  # a window has at least one position
        self.count = self._counts(total.dtype, total.ndim)
        total /= self.count
        return total

    def _counts(self, dtype: Any, ndim: Any) -> Any:
        """Real values per window: a number for unpadded pooling, else an array shaped to broadcast."""
        if not any(b or a for b, a in self.pads):
            return dtype.type(math.prod(self.pool))
        counts = np.ones((1,) * ndim, dtype=dtype)
        for axis, (p, s, (before, _), n, o) in enumerate(zip(self.pool, self.strides_, self.pads,
                                                               self.spatial_shape, self.out_sp)):
            start = np.arange(o) * s
            per_axis = np.minimum(start + p, before + n) - np.maximum(start, before)
            shape = [1] * ndim
            shape[self.first + axis] = o
            counts = counts * per_axis.reshape(shape).astype(dtype)
        return counts

    def backward(self, dout: np.ndarray) -> np.ndarray:
        share = np.asarray(dout) / self.count

        def contribution(block: slice, i: Any, target: Any) -> Any:
            part = share[block]
            if target is None:
                return part
            target[...] = part

        return self._scatter(contribution, share.dtype)


def _spatial_axes(ndim: Any, data_format: Any, op_name: Any) -> Any:
    if ndim < 3:
        raise ValueError(f"{op_name}: the input must be (N, *spatial, C) with at least one spatial axis.")
    return tuple(range(1, ndim - 1)) if data_format == "channels_last" else tuple(range(2, ndim))


class GlobalAvgPool(Mean):
    """Mean over the spatial axes (tf.keras ``GlobalAveragePooling{1,2,3}D``): ``(N, *spatial, C) -> (N, C)``.

    ``keepdims=True`` keeps the spatial axes with length 1. Backward: ``dout / count``
    on every position (the :class:`~chainrule.ops.Mean` op).
    """

    def __init__(self, data_format: str = "channels_last", keepdims: bool = False) -> None:
        super().__init__(axis=None, keepdims=keepdims)
        self.data_format = check_data_format(data_format, type(self).__name__)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axis = _spatial_axes(x.ndim, self.data_format, self.name)
        return super().forward(x)


class GlobalMaxPool(Max):
    """Maximum over the spatial axes (tf.keras ``GlobalMaxPooling{1,2,3}D``): ``(N, *spatial, C) -> (N, C)``.

    ``keepdims=True`` keeps the spatial axes with length 1. Backward is
    ``reduce_max``'s: ``dout`` to the maxima, shared evenly among ties, as TensorFlow does.
    """

    def __init__(self, data_format: str = "channels_last", keepdims: bool = False) -> None:
        super().__init__(axis=None, keepdims=keepdims)
        self.data_format = check_data_format(data_format, type(self).__name__)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.axis = _spatial_axes(x.ndim, self.data_format, self.name)
        return super().forward(x)


class Pooling(MaxPool):
    """The book's max-pooling layer (deep-learning-from-scratch ch. 7), NCHW: ``forward(x)`` / ``backward(dout)``.

    ``Pooling(pool_h, pool_w, stride=1, pad=0)``: windows ``pool_h x pool_w`` every
    ``stride`` (the book's default is 1; its SimpleConvNet passes ``stride=2``),
    output ``(H + 2 * pad - pool_h) // stride + 1``. Backward routes ``dout`` to each
    window's first maximum, like the book's ``np.argmax``. Padding: the book's
    im2col pads with zeros, so a window of negative values next to the border
    would return 0 there; here pads never win (as in TensorFlow and PyTorch).
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0) -> None:
        super().__init__(pool_size=(pool_h, pool_w), strides=stride, padding=pad, data_format="channels_first")
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def _prepare(self, x: np.ndarray) -> Any:
        if np.ndim(x) != 4:
            raise ValueError(f"Pooling: the input must be (N, C, H, W), got shape {np.shape(x)}.")
        return super()._prepare(x)
