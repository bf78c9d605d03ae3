"""Reductions over axes: Sum, Mean, Max, Min (``axis`` None, int or tuple; ``keepdims``)."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..errors import InvalidArgumentError
from .base import Op


def _normalize_axis(axis: Any, ndim: Any, op_name: str = "Reduce", shape: Any = None) -> Any:
    """``axis`` (None, int or sequence) as a sorted tuple of non-negative axes; out-of-range axes raise."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    if not ndim:
        return tuple(0 for _ in axis)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < ndim:
            raise InvalidArgumentError(f"{op_name}: axis {a} is out of range for a tensor of rank {ndim} (shape "
                                       f"{shape}); valid axes are {-ndim} to {ndim - 1}.")
        out.append(a % ndim)
    return tuple(sorted(out))


def _expand(dout: np.ndarray, shape: Any, axes: Any, keepdims: Any) -> Any:
    """Reshape a reduced gradient so that it broadcasts against the input's shape."""
    if not keepdims:
        kept = [1 if i in axes else n for i, n in enumerate(shape)]
        dout = np.reshape(dout, kept)
    return dout


class Sum(Op):
    """Sum over ``axis``. Backward: ``dout`` spread back over the summed axes."""

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim, type(self).__name__, x.shape)
        return np.sum(x, axis=self.axes, keepdims=self.keepdims, dtype=x.dtype)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.broadcast_to(_expand(dout, self.shape, self.axes, self.keepdims), self.shape)


class Mean(Op):
    """Mean over ``axis``. Backward: ``dout / n`` spread back over the averaged axes."""

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim, type(self).__name__, x.shape)
        self.count = math.prod(x.shape[a] for a in self.axes)
        if x.dtype.kind in "iu":  # TensorFlow keeps integer means integer, truncated toward zero
            total = np.sum(x, axis=self.axes, keepdims=self.keepdims, dtype=np.int64)
            return (np.sign(total) * (np.abs(total) // max(self.count, 1))).astype(x.dtype)
        if x.dtype.type in (np.float32, np.float64):
            # np.mean's own arithmetic (a sum in the input's dtype, divided by the count as an intp), without
            # its Python wrapper, which costs more than the arithmetic on a batch's losses (and, for a count of
            # 0, warns from inside numpy, where ops/base.py's filter of IEEE warnings does not reach: 0/0 here
            # is TensorFlow's silent nan).
            summed: Any = np.add.reduce(x, axis=self.axes, keepdims=self.keepdims)  # type: ignore[call-overload]
            if type(summed) is np.ndarray:
                return np.true_divide(summed, np.intp(self.count), out=summed, casting="unsafe")
            return summed.dtype.type(summed / np.intp(self.count))
        return np.mean(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = _expand(dout, self.shape, self.axes, self.keepdims)
        return np.broadcast_to(dout / np.asarray(self.count, dtype=dout.dtype), self.shape)


class _Extremum(Op):
    """Shared by Max and Min: the gradient is split evenly among the tied winners."""

    _reduce: Callable[..., np.ndarray]  # np.max or np.min

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.x = x
        self.axes = _normalize_axis(self.axis, x.ndim, type(self).__name__, x.shape)
        self.out = type(self)._reduce(x, axis=self.axes, keepdims=True)
        return self.out if self.keepdims else np.squeeze(self.out, axis=self.axes)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        winners = self.x == self.out
        ties = np.sum(winners, axis=self.axes, keepdims=True).astype(dout.dtype)
        dout = _expand(dout, self.x.shape, self.axes, self.keepdims)
        return winners * (dout / ties)


class Max(_Extremum):
    """Maximum over ``axis``. Backward: ``dout`` to the maxima (shared evenly on ties)."""

    _reduce = staticmethod(np.max)


class Min(_Extremum):
    """Minimum over ``axis``. Backward: ``dout`` to the minima (shared evenly on ties)."""

    _reduce = staticmethod(np.min)


class Prod(Op):
    """Product over ``axis``. Backward: ``dout * prod / x`` (exact also where x has zeros)."""

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.x = x
        self.axes = _normalize_axis(self.axis, x.ndim, type(self).__name__, x.shape)
        return np.prod(x, axis=self.axes, keepdims=self.keepdims, dtype=x.dtype)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = _expand(dout, self.x.shape, self.axes, self.keepdims)
        # Product of all other elements, computed without division so zeros are exact.
        moved = np.moveaxis(self.x, self.axes, tuple(range(-len(self.axes), 0)))
        flat = moved.reshape(moved.shape[: moved.ndim - len(self.axes)] + (-1,))
        ones = np.ones_like(flat[..., :1])
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1), -1), -1)
        others = (left * right).reshape(moved.shape)
        others = np.moveaxis(others, tuple(range(-len(self.axes), 0)), self.axes)
        return dout * others
