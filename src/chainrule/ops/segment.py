"""Reductions over segments (``tf.math.segment_sum`` ...) and the running product (``tf.math.cumprod``).

A segment reduction groups the rows of ``data`` by an integer ``segment_ids``
array (``segment_ids.shape == data.shape[:k]``) and reduces each group:
``out[s] = reduce(data[i] for i where segment_ids[i] == s)``, output shape
``(num_segments,) + data.shape[k:]``. Rows whose id is negative are dropped
(TensorFlow's unsorted_segment_* do the same). An empty segment gives 0 for
sum and mean; for max and min, 0 in the sorted ``segment_*`` functions and the
dtype's lowest (max) or highest (min) value in the ``unsorted_segment_*`` ones,
as TensorFlow (``empty_value``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from .base import Op

_REDUCTIONS = ("sum", "mean", "max", "min")


def _identity(reduction: Any, dtype: Any) -> Any:
    if reduction in ("sum", "mean"):
        return 0
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return info.min if reduction == "max" else info.max


class SegmentReduction(Op):
    """``out[s] = reduce(data[segment_ids == s])`` for s in ``range(num_segments)``; ``reduction`` in sum/mean/max/min.

    ``forward(data, segment_ids)``. Backward: ``dout[segment_ids]`` (sum), divided by
    the segment's size (mean), or sent to the rows equal to the segment's max/min,
    shared evenly among ties (as TensorFlow); the ids get no gradient.
    """

    def __init__(self, num_segments: Any, reduction: str = "sum", op_name: str = "UnsortedSegmentSum",
                 empty_value: Any = None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"SegmentReduction: reduction must be one of {_REDUCTIONS}, got {reduction!r}.")
        self.num_segments, self.reduction, self.op_name = int(num_segments), reduction, op_name
        self.empty_value = empty_value

    def forward(self, data: np.ndarray, segment_ids: np.ndarray) -> np.ndarray:
        data, ids = np.asarray(data), np.asarray(segment_ids)
        if data.shape[:ids.ndim] != ids.shape:
            raise InvalidArgumentError(f"{self.op_name}: segment_ids.shape = {list(ids.shape)} does not match the "
                                       f"leading dimensions of data.shape = {list(data.shape)} [Op:{self.op_name}]")
        if ids.size and ids.max() >= self.num_segments:
            raise InvalidArgumentError(f"{self.op_name}: segment_ids[{int(np.argmax(ids.ravel()))}] = {ids.max()} is "
                                       f"out of range [0, {self.num_segments}) [Op:{self.op_name}]")
        rows = data.reshape((ids.size,) + data.shape[ids.ndim:])
        flat_ids = ids.reshape(-1).astype(np.intp)
        keep = flat_ids >= 0
        if not keep.all():
            rows, flat_ids = rows[keep], flat_ids[keep]
        self.data_shape, self.ids, self.keep = data.shape, flat_ids, keep
        out_shape = (self.num_segments,) + data.shape[ids.ndim:]
        empty = _identity(self.reduction, data.dtype) if self.empty_value is None else self.empty_value
        out = np.full(out_shape, empty, dtype=data.dtype)
        # Sort once, then reduce each run of equal ids with one ufunc.reduceat call.
        order = np.argsort(flat_ids, kind="stable")
        sorted_ids = flat_ids[order]
        if sorted_ids.size:
            starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
            ufunc = {"sum": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum}[self.reduction]
            out[sorted_ids[starts]] = ufunc.reduceat(rows[order], starts, axis=0)
        self.counts = np.bincount(flat_ids, minlength=self.num_segments)
        if self.reduction == "mean":
            shape = (-1,) + (1,) * (out.ndim - 1)
            out = (out / np.maximum(self.counts, 1).reshape(shape)).astype(data.dtype, copy=False)
        if self.reduction in ("max", "min"):
            self.rows, self.out = rows, out
        return out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        picked = dout[self.ids]
        if self.reduction == "mean":
            picked = picked / self.counts[self.ids].reshape((-1,) + (1,) * (picked.ndim - 1)).astype(dout.dtype)
        elif self.reduction in ("max", "min"):
            winners = (self.rows == self.out[self.ids]).astype(dout.dtype)
            ties = np.zeros_like(self.out, dtype=dout.dtype)
            np.add.at(ties, self.ids, winners)
            picked = picked * winners / ties[self.ids]
        if not self.keep.all():
            full = np.zeros((self.keep.size,) + picked.shape[1:], dtype=dout.dtype)
            full[self.keep] = picked
            picked = full
        return picked.reshape(self.data_shape), None


class CumProd(Op):
    """Cumulative product along ``axis`` (``exclusive``/``reverse`` as TensorFlow).

    Backward: ``d x_i = sum_{j >= i} dout_j * prod_{k <= j, k != i} x_k`` (forward
    direction), built by a recurrence along the axis (one numpy step per position).
    It is exact where x has zeros, where TensorFlow's ``reverse_cumsum(dout * out) / x``
    divides by 0.
    """

    def __init__(self, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> None:
        self.axis, self.exclusive, self.reverse = int(axis), bool(exclusive), bool(reverse)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.x = x
        self.axis_ = self.axis % x.ndim if x.ndim else 0
        moved = self._to_front(x)
        out = np.cumprod(moved, axis=0, dtype=x.dtype)
        if self.exclusive:
            out = np.concatenate([np.ones_like(moved[:1]), out[:-1]], axis=0)
        return self._from_front(out)

    def _to_front(self, a: np.ndarray) -> Any:
        a = np.moveaxis(a, self.axis_, 0)
        return a[::-1] if self.reverse else a

    def _from_front(self, a: np.ndarray) -> Any:
        a = a[::-1] if self.reverse else a
        return np.moveaxis(a, 0, self.axis_)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x, g = self._to_front(self.x), self._to_front(dout)
        n = x.shape[0]
        # grad_i = (prod_{k < i} x_k) * R_i with R_i = sum_{j >= i} g_j prod_{i < k <= j} x_k (inclusive scan);
        # exclusive: out_j = prod_{k < j} x_k, so grad_i = (prod_{k < i} x_k) * sum_{j > i} g_j prod_{i < k < j} x_k.
        before = np.concatenate([np.ones_like(x[:1]), np.cumprod(x, axis=0)[:-1]], axis=0)
        tail = np.empty_like(g)
        running = np.zeros_like(g[0])
        for i in range(n - 1, -1, -1):
            if self.exclusive:
                tail[i] = running
                running = g[i] + x[i] * running
            else:
                running = g[i] + (x[i + 1] * running if i + 1 < n else 0)
                tail[i] = running
        return self._from_front(before * tail)
