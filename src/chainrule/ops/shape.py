"""Ops that move or select elements: Reshape, Transpose, GetItem, Concat, Stack, BroadcastTo, Cast."""
from __future__ import annotations

import numpy as np

from .base import Op


class Reshape(Op):
    """Reshape to ``shape`` (one entry may be -1). Backward: reshape ``dout`` back."""

    returns_view = True

    def __init__(self, shape):
        self.shape = tuple(int(s) for s in shape)

    def forward(self, x):
        x = np.asarray(x)
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(f"Reshape: cannot reshape a tensor of shape {x.shape} ({x.size} values) "
                             f"into shape {self.shape}; the number of values must stay the same.") from None

    def backward(self, dout):
        return np.reshape(dout, self.in_shape)


class Transpose(Op):
    """Permute axes by ``perm`` (default: reverse them). Backward: the inverse permutation."""

    returns_view = True

    def __init__(self, perm=None):
        self.perm = None if perm is None else tuple(int(p) for p in perm)

    def forward(self, x):
        x = np.asarray(x)
        self.ndim = x.ndim
        return np.transpose(x, self.perm)

    def backward(self, dout):
        perm = self.perm if self.perm is not None else tuple(reversed(range(self.ndim)))
        return np.transpose(dout, np.argsort(perm))


def _has_advanced_index(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (np.ndarray, list)) for k in parts)


class GetItem(Op):
    """``x[key]`` for slices, ``...``, ``newaxis``, integer arrays and boolean masks.

    Backward: a zero array of ``x``'s shape with ``dout`` added at ``key``
    (``np.add.at`` when integer arrays may repeat an index).
    """

    returns_view = True

    def __init__(self, key):
        self.key = key

    def forward(self, x):
        x = np.asarray(x)
        self.in_shape, self.in_dtype = x.shape, x.dtype
        return x[self.key]

    def backward(self, dout):
        dx = np.zeros(self.in_shape, dtype=dout.dtype)
        if _has_advanced_index(self.key):
            np.add.at(dx, self.key, dout)
        else:
            dx[self.key] = dout
        return dx


class Concat(Op):
    """Join inputs along ``axis``. Backward: split ``dout`` back into the inputs' sizes."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        xs = [np.asarray(x) for x in xs]
        self.sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, dout):
        return tuple(np.split(dout, np.cumsum(self.sizes)[:-1], axis=self.axis))


class Stack(Op):
    """Stack same-shaped inputs along a new ``axis``. Backward: take each slice back."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        self.n = len(xs)
        return np.stack(xs, axis=self.axis)

    def backward(self, dout):
        return tuple(np.take(dout, i, axis=self.axis) for i in range(self.n))


class BroadcastTo(Op):
    """Broadcast to ``shape``. Backward: ``dout`` itself; the tape sums it back to the input shape."""

    returns_view = True

    def __init__(self, shape):
        self.shape = tuple(int(s) for s in shape)

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, dout):
        return dout


class Cast(Op):
    """Convert to ``dtype`` (a numpy dtype). Backward: ``dout`` cast back to the input's dtype."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        x = np.asarray(x)
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, dout):
        if self.in_dtype.kind not in "fc":
            return None
        return dout.astype(self.in_dtype)


class Identity(Op):
    """``x`` unchanged (a copy, so later in-place updates of a Variable do not leak into it)."""

    def forward(self, x):
        return np.array(x, copy=True)

    def backward(self, dout):
        return dout
