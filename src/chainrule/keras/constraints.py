"""``chainrule.keras.constraints``: weight projections with tf.keras 2's names, defaults and formulas.

A constraint is called on a weight and returns the projected weight (a Tensor of the same
shape and dtype). Give one to a layer (``Dense(kernel_constraint=NonNeg())``) or to
``add_weight(constraint=...)``: it becomes the Variable's ``constraint``, and the optimizer
applies ``var.assign(var.constraint(var))`` after every update, as tf.keras does.

Norms are taken along ``axis`` (default 0: for a Dense kernel ``(n_in, units)``, the weights
into each unit). ``epsilon`` is ``chainrule.backend.epsilon()`` (1e-7).
"""
from __future__ import annotations

from .._missing import missing_attribute as _missing_attribute
import numpy as np

from ..backend import epsilon
from ..functions import cast, clip_by_value, gather, reduce_sum, reshape, sqrt, square
from ..tensor import as_tensor
from . import registry

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "RadialConstraint", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "radial_constraint", "get", "serialize", "deserialize"]


def _const(value, w) -> np.ndarray:
    # A 0-d array of w's dtype: a Python float operand would be rounded through float32.
    return np.asarray(value, dtype=w._value.dtype)


def _norms(w, axis):
    """``sqrt(sum(w ** 2, axis, keepdims=True))``."""
    return sqrt(reduce_sum(square(w), axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=True))


class Constraint(registry.ConfigObject):
    """Base class: ``__call__(w)`` returns the projected weight (here ``w`` itself); ``get_config``/``from_config``."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        """The constructor arguments as a JSON-able dict."""
        return {}


class MaxNorm(Constraint):
    """Rescale the weights whose norm along ``axis`` exceeds ``max_value`` (default 2) down to it.

    ``w * clip(norms, 0, max_value) / (epsilon + norms)``.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = as_tensor(w)
        norms = _norms(w, self.axis)
        desired = clip_by_value(norms, _const(0, w), _const(self.max_value, w))
        return w * (desired / (_const(epsilon(), w) + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zero the negative weights: ``w * (w >= 0)``."""

    def __call__(self, w):
        w = as_tensor(w)
        return w * cast(w >= _const(0, w), w.dtype)


class UnitNorm(Constraint):
    """Scale the weights to unit norm along ``axis``: ``w / (epsilon + norms)``."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = as_tensor(w)
        return w / (_const(epsilon(), w) + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep the norms along ``axis`` in ``[min_value, max_value]`` (defaults 0 and 1), moving by ``rate``.

    ``desired = rate * clip(norms, min_value, max_value) + (1 - rate) * norms``,
    ``w * desired / (epsilon + norms)``: ``rate=1`` enforces the bounds at once, a smaller rate
    moves the norms towards them at each update.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = as_tensor(w)
        norms = _norms(w, self.axis)
        clipped = clip_by_value(norms, _const(self.min_value, w), _const(self.max_value, w))
        desired = clipped * _const(self.rate, w) + norms * _const(1 - self.rate, w)
        return w * (desired / (_const(epsilon(), w) + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class RadialConstraint(Constraint):
    """Make a square ``(size, size, channels, kernels)`` Conv2D kernel constant on each square ring.

    tf.keras 2's rule, value for value: with ``start = size // 2``, the innermost ring (the
    centre for an odd size, the central 2x2 for an even one) takes the value at
    ``[start - 1, start - 1]``, and ring ``r >= 1`` the value at ``[start + r - 1] * 2`` (odd
    size) or ``[start + r] * 2`` (even size), for every channel and kernel. Rank other than 4, or
    a non-square kernel, raises ``ValueError``.
    """

    def __call__(self, w):
        w = as_tensor(w)
        if w.ndim != 4:
            raise ValueError(f"The weight tensor must have rank 4. Received weight tensor with shape: {w.shape}")
        height, width, channels, kernels = w.shape
        if height != width:
            raise ValueError(f"RadialConstraint needs a square kernel, got {height}x{width} (shape {w.shape}).")
        start = height // 2
        index = np.arange(height)
        if height % 2:
            distance = np.abs(index - start)
            ring_source = np.where(np.arange(start + 1) == 0, start - 1, start + np.arange(start + 1) - 1)
        else:
            distance = np.where(index >= start, index - start, start - 1 - index)
            ring_source = np.where(np.arange(start) == 0, start - 1, start + np.arange(start))
        rings = np.maximum(distance[:, None], distance[None, :])
        source = ring_source[rings] % height  # the (diagonal) entry each position copies
        flat = reshape(w, (height * width, channels * kernels))
        picked = gather(flat, (source * width + source).ravel(), axis=0)
        return reshape(picked, (height, width, channels, kernels))


# tf.keras's lowercase aliases (and its legacy spellings).
max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint

registry.register("constraints", Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm, RadialConstraint,
                  aliases={"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
                           "radial_constraint": RadialConstraint, "maxnorm": MaxNorm, "nonneg": NonNeg,
                           "unitnorm": UnitNorm})


def serialize(constraint):
    """``{'class_name': 'MaxNorm', 'config': {'max_value': 2, 'axis': 0}}`` (tf.keras 2's form); None -> None."""
    return registry.serialize(constraint, "constraint")


def deserialize(config, custom_objects=None):
    """A constraint from a name (``'non_neg'``, ``'MaxNorm'``...) or ``{'class_name', 'config'}``.

    An unknown name raises ``ValueError`` suggesting the closest valid one.
    """
    return registry.deserialize("constraints", config, custom_objects)


def get(identifier):
    """Resolve a constraint: ``None`` -> None, a name or dict -> :func:`deserialize`, a callable as is."""
    return registry.get("constraints", identifier)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
