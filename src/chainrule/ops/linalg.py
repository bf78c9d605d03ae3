"""Matrix multiplication, batched over leading axes (numpy ``matmul`` semantics, rank >= 2)."""
from __future__ import annotations

import numpy as np

from .base import Op


def _t(a):
    return np.swapaxes(a, -1, -2)


class MatMul(Op):
    """``op(a) @ op(b)`` where ``op`` transposes the last two axes when asked.

    Shapes: ``(..., n, k) @ (..., k, m) -> (..., n, m)``; leading axes broadcast.
    Backward with ``A = op(a)``, ``B = op(b)``: ``dA = dout @ B.T``, ``dB = A.T @ dout``,
    transposed back where the input was transposed.
    """

    def __init__(self, transpose_a=False, transpose_b=False):
        self.transpose_a, self.transpose_b = transpose_a, transpose_b

    def forward(self, a, b):
        a, b = np.asarray(a), np.asarray(b)
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(f"MatMul: both inputs need rank >= 2, got shapes {a.shape} and {b.shape}; "
                             "reshape vectors to (1, n) or (n, 1), or use multiply for element-wise products.")
        A = _t(a) if self.transpose_a else a
        B = _t(b) if self.transpose_b else b
        if A.shape[-1] != B.shape[-2]:
            raise ValueError(f"MatMul: inner dimensions do not match: {A.shape} @ {B.shape} "
                             f"({A.shape[-1]} != {B.shape[-2]}).")
        self.A, self.B = A, B
        return A @ B

    def backward(self, dout):
        da = db = None
        if self._needs(0):
            dA = dout @ _t(self.B)
            da = _t(dA) if self.transpose_a else dA
        if self._needs(1):
            dB = _t(self.A) @ dout
            db = _t(dB) if self.transpose_b else dB
        return da, db
