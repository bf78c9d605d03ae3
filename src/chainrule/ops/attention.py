"""Attention: a softmax that honours a boolean mask, and scaled dot-product attention built on it.

Masked positions get ``-1e9`` added to their logits, as tf.keras does (the
``Softmax`` layer adds ``(1 - mask) * -1e9``; ``Attention`` subtracts
``1e9 * (1 - mask)``; 65504, float16's largest value, for float16). The
softmax of a row stays finite even when the whole row is masked (it then
spreads over the row, as in tf.keras), and since the added term is a
constant the backward pass is the plain softmax backward.
"""
from __future__ import annotations

from typing import Any

import math

import numpy as np

from .base import Op
from .nn import Dropout, softmax


def masked_logits(x: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """``x`` with a large negative number added where ``mask`` (broadcastable to x) is False."""
    if mask is None:
        return x
    mask = np.asarray(mask)
    try:
        np.broadcast_shapes(mask.shape, x.shape)
    except ValueError:
        raise ValueError(f"attention mask of shape {mask.shape} does not broadcast to the scores' shape "
                         f"{x.shape} (..., query steps, key steps).") from None
    large = 65504.0 if x.dtype == np.float16 else 1e9
    return x - x.dtype.type(large) * np.logical_not(mask).astype(x.dtype)


class MaskedSoftmax(Op):
    """``forward(x[, mask])``: softmax along ``axis`` with masked (False) positions pushed to ~0.

    ``mask`` is boolean, broadcastable to ``x``. Backward: ``y * (dout - sum(dout * y))``
    in a tuple with one entry per input (``None`` for the mask).
    """

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        x = np.asarray(x)
        self.has_mask = mask is not None
        self.out = softmax(masked_logits(x, mask), self.axis)
        return self.out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        y = self.out
        dx = y * (dout - np.sum(dout * y, axis=self.axis, keepdims=True))
        return (dx, None) if self.has_mask else (dx,)  # forward takes (x, mask=None): one entry per input


class ScaledDotProductAttention(Op):
    """``forward(query, key, value[, mask])`` -> ``softmax(scale * query @ key^T, mask) @ value``.

    Shapes: ``query (..., Tq, d)``, ``key (..., Tk, d)``, ``value (..., Tk, dv)``, leading
    axes broadcast; output ``(..., Tq, dv)``. ``mask`` (boolean, broadcastable to
    ``(..., Tq, Tk)``) marks the key positions each query may attend to. ``scale``
    defaults to ``1/sqrt(d)`` (MultiHeadAttention's; give ``1.0`` for the plain dot
    product of tf.keras ``Attention``). ``dropout`` drops attention weights in
    training (inverted dropout, ``seed``/``rng`` as :class:`~chainrule.ops.Dropout`).
    After forward, ``weights`` holds the attention weights before dropout.
    Backward returns ``(dquery, dkey, dvalue[, None])`` in the broadcast shapes
    (the tape sums them back to the inputs' shapes).
    """

    def __init__(self, scale: Any = None, dropout: float = 0.0, seed: Any = None, rng: Any = None) -> None:
        self.scale, self.dropout, self.seed = scale, dropout, seed
        self._rng = rng

    def forward(self, query: np.ndarray, key: np.ndarray, value: np.ndarray,
                mask: np.ndarray | None = None) -> np.ndarray:
        q, k, v = np.asarray(query), np.asarray(key), np.asarray(value)
        if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
            raise ValueError(f"ScaledDotProductAttention: query, key and value need at least 2 axes (steps, "
                             f"features); got shapes {q.shape}, {k.shape}, {v.shape}.")
        if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
            raise ValueError(f"ScaledDotProductAttention: query {q.shape} and key {k.shape} must share their last "
                             f"axis, and key and value {v.shape} their number of steps (axis -2).")
        self.has_mask = mask is not None
        self.factor = q.dtype.type(1.0 / math.sqrt(q.shape[-1]) if self.scale is None else self.scale)
        scores = np.matmul(q, np.swapaxes(k, -1, -2))
        scores *= self.factor
        self.weights = softmax(masked_logits(scores, mask), -1)
        self._drop = Dropout(self.dropout, seed=self.seed, rng=self._rng) if self.dropout else None
        used = self._drop.forward(self.weights) if self._drop else self.weights
        self.q, self.k, self.v, self.used = q, k, v, used
        return np.matmul(used, v)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        p = self.weights
        dv = np.matmul(np.swapaxes(self.used, -1, -2), dout) if self._needs(2) else None
        d_used = np.matmul(dout, np.swapaxes(self.v, -1, -2))
        dp = self._drop.backward(d_used) if self._drop else d_used
        ds = p * (dp - np.sum(dp * p, axis=-1, keepdims=True))
        ds *= self.factor
        dq = np.matmul(ds, self.k) if self._needs(0) else None
        dk = np.matmul(np.swapaxes(ds, -1, -2), self.q) if self._needs(1) else None
        return (dq, dk, dv, None) if self.has_mask else (dq, dk, dv)
