"""Layer normalization (tf.keras ``LayerNormalization``): normalize each sample over its feature axes.

Batch normalization (``nn.BatchNorm``) normalizes each feature over the batch;
layer normalization normalizes each sample over ``axis`` (the last axis by
default), with the same formulas::

    mean, var = mean(x), mean((x - mean)**2)         over `axis`, per sample
    xhat = (x - mean) / sqrt(var + epsilon)
    out = gamma * xhat + beta

Backward, with n values per normalized group and ``g = dout * gamma``::

    dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + epsilon)
    dgamma = sum(dout * xhat),  dbeta = sum(dout)     over every other axis
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op


class LayerNorm(Op):
    """``forward(x, [gamma], [beta])``: layer normalization over ``axis`` (an int or a tuple of ints).

    Defaults are tf.keras's: ``axis=-1``, ``epsilon=1e-3``, ``center=True`` (add
    ``beta``), ``scale=True`` (multiply by ``gamma``). The op takes ``gamma`` only
    if ``scale`` and ``beta`` only if ``center``, in that order; both have the
    shape of the normalized axes (``(C,)`` for the last axis of ``(..., C)``).
    Backward returns ``dx`` and one gradient per parameter given.
    """

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True) -> None:
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon, self.center, self.scale = epsilon, bool(center), bool(scale)

    def forward(self, x: np.ndarray, *params: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        expected = int(self.scale) + int(self.center)
        if len(params) != expected:
            names = [n for n, used in (("gamma", self.scale), ("beta", self.center)) if used]
            raise TypeError(f"LayerNorm: expected (x{''.join(', ' + n for n in names)}) for scale={self.scale}, "
                            f"center={self.center}; got {1 + len(params)} arrays.")
        requested = self.axis if isinstance(self.axis, tuple) else (self.axis,)
        if x.ndim == 0 or not requested or any(not -x.ndim <= a < x.ndim for a in requested):
            raise ValueError(f"LayerNorm: axis {self.axis} is out of range for an input of shape {x.shape}.")
        axes = tuple(sorted({a % x.ndim for a in requested}))
        self.axes = axes
        self.param_shape = tuple(x.shape[a] for a in axes)
        broadcast = [1] * x.ndim
        for a in axes:
            broadcast[a] = x.shape[a]
        self.broadcast = tuple(broadcast)
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = np.mean(centered * centered, axis=axes, keepdims=True)
        self.inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.epsilon))
        self.xhat = centered * self.inv_std
        out = self.xhat
        remaining = list(params)
        self.gamma = None
        if self.scale:
            self.gamma = self._param(remaining.pop(0), "gamma")
            out = out * self.gamma
        if self.center:
            out = out + self._param(remaining.pop(0), "beta")
        if not self.needs_backward:  # nothing reads the normalized values again: the output may be them
            self.xhat = self.inv_std = self.gamma = None
            return out
        return out if out is not self.xhat else out.copy()

    def _param(self, p: np.ndarray, name: Any) -> Any:
        p = np.asarray(p)
        if p.size != int(np.prod(self.param_shape)) or p.shape not in (self.param_shape, self.broadcast):
            raise ValueError(f"LayerNorm: {name} has shape {p.shape}; for axis {self.axis} it must be "
                             f"{self.param_shape}.")
        return p.reshape(self.broadcast)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dout = np.asarray(dout)
        others = tuple(i for i in range(dout.ndim) if i not in self.axes)
        g = dout if self.gamma is None else dout * self.gamma
        mean_g = g.mean(axis=self.axes, keepdims=True)
        mean_gx = (g * self.xhat).mean(axis=self.axes, keepdims=True)
        dx = (g - mean_g - self.xhat * mean_gx) * self.inv_std if self._needs(0) else None
        grads = [dx]
        if self.scale:
            grads.append(np.sum(dout * self.xhat, axis=others).reshape(self.param_shape))
        if self.center:
            grads.append(np.sum(dout, axis=others).reshape(self.param_shape))
        return tuple(grads)
