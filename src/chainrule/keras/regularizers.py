"""``chainrule.keras.regularizers``: weight penalties with tf.keras 2 names, defaults and formulas.

A regularizer is called on a weight and returns a scalar Tensor in the
weight's dtype, built from chainrule ops (``reduce_sum``, ``abs``,
``square``), so it is recorded on an active GradientTape and its gradient
(``l1 * sign(w) + 2 * l2 * w``) reaches the weight.

As in tf.keras 2 the factors are stored cast to ``floatx()`` (float32), so
``L2(0.01).get_config()`` is ``{'l2': 0.009999999776482582}``, the number
tf.keras writes into saved configs.
"""
from __future__ import annotations

from .._missing import missing_attribute as _missing_attribute
import math

import numpy as np

from chainrule import backend as _backend
from chainrule.functions import abs as _abs
from chainrule.functions import matmul, maximum, reduce_sum, sqrt, square, transpose
from chainrule.tensor import Tensor, as_tensor
from . import registry

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize"]


def _check_penalty_number(x):
    if not isinstance(x, (float, int)) or isinstance(x, bool):
        raise ValueError(f"Value: {x} is not a valid regularization penalty number, expected an int or float value")
    if math.isinf(x) or math.isnan(x):
        raise ValueError(f"Value: {x} is not a valid regularization penalty number, an infinite number or NaN "
                         f"are not valid values")


def _cast_to_floatx(x):
    return np.asarray(x, dtype=_backend.floatx())[()]


def _zero_like(x: Tensor) -> Tensor:
    return Tensor(np.zeros((), dtype=x._value.dtype))


class Regularizer(registry.ConfigObject):
    """Base class: ``__call__(x)`` returns a scalar penalty Tensor (0 here); ``get_config``/``from_config``."""

    def __call__(self, x):
        return _zero_like(as_tensor(x))

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")


def _factor(value, default, kwargs=None):
    """A penalty factor cast to floatx: None means ``default``; ``l`` in ``kwargs`` is keras 2.0's name for it."""
    kwargs = dict(kwargs or {})
    value = kwargs.pop("l", value)
    if kwargs:
        raise TypeError(f"Argument(s) not recognized: {kwargs}")
    value = default if value is None else value
    _check_penalty_number(value)
    return _cast_to_floatx(value)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``; both factors default to 0.0 (``l1_l2()`` uses 0.01)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _factor(l1, 0.0), _factor(l2, 0.0)

    def __call__(self, x):
        x = as_tensor(x)
        penalty = None
        if self.l1:
            penalty = reduce_sum(_abs(x)) * self.l1
        if self.l2:
            term = reduce_sum(square(x)) * self.l2
            penalty = term if penalty is None else penalty + term
        return _zero_like(x) if penalty is None else penalty

    def get_config(self) -> dict:
        return {"l1": float(self.l1), "l2": float(self.l2)}


class L1(Regularizer):
    """``l1 * sum(|x|)`` (``l1`` default 0.01). Its gradient is ``l1 * sign(x)``."""

    def __init__(self, l1=0.01, **kwargs):
        self.l1 = _factor(l1, 0.01, kwargs)

    def __call__(self, x):
        return reduce_sum(_abs(as_tensor(x))) * self.l1

    def get_config(self) -> dict:
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """``l2 * sum(x ** 2)`` (``l2`` default 0.01). Its gradient is ``2 * l2 * x``."""

    def __init__(self, l2=0.01, **kwargs):
        self.l2 = _factor(l2, 0.01, kwargs)

    def __call__(self, x):
        return reduce_sum(square(as_tensor(x))) * self.l2

    def get_config(self) -> dict:
        return {"l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode='rows'``) or columns of a 2-D weight towards orthogonality.

    With ``v_i`` the L2-normalized rows (or columns) and ``n`` their number:
    ``factor * 0.5 * sum_{i != j} |v_i . v_j| / (n * (n - 1) / 2)``.
    """

    def __init__(self, factor=0.01, mode="rows"):
        _check_penalty_number(factor)
        if mode not in {"rows", "columns"}:
            raise ValueError(f"Invalid value for argument `mode`. Expected one of {{'rows', 'columns'}}. "
                             f"Received: mode={mode}")
        self.factor = _cast_to_floatx(factor)
        self.mode = mode

    def __call__(self, x):
        x = as_tensor(x)
        if x.ndim != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape="
                             f"{tuple(x.shape)}")
        axis = 1 if self.mode == "rows" else 0
        dtype = x._value.dtype
        # tf.math.l2_normalize: x / sqrt(max(sum(x ** 2), 1e-12))
        v = x / sqrt(maximum(reduce_sum(square(x), axis=axis, keepdims=True), np.asarray(1e-12, dtype)))
        product = matmul(v, transpose(v)) if self.mode == "rows" else matmul(transpose(v), v)
        size = x.shape[1 - axis]
        off_diagonal = product * (1.0 - np.eye(size, dtype=dtype))
        num_pairs = size * (size - 1.0) / 2.0
        # (a 0-d array, not a Python float, which the engine would round through float32)
        return reduce_sum(_abs(off_diagonal)) * np.asarray(float(self.factor) * 0.5 / num_pairs, dtype)

    def get_config(self) -> dict:
        return {"factor": float(self.factor), "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01):
    """An :class:`L1L2` regularizer with both factors 0.01 by default."""
    return L1L2(l1=l1, l2=l2)


# tf.keras's deserialization aliases: 'l1' and 'l2' are the classes themselves.
l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

registry.register("regularizers", Regularizer, L1, L2, L1L2, OrthogonalRegularizer,
                  aliases={"l1": L1, "l2": L2, "l1_l2": l1_l2, "orthogonal_regularizer": OrthogonalRegularizer},
                  factories=(l1_l2,))


def serialize(regularizer):
    """``{'class_name': 'L2', 'config': {'l2': 0.009999999776482582}}`` (tf.keras 2's form); None -> None."""
    return registry.serialize(regularizer, "regularizer")


def deserialize(config, custom_objects=None):
    """A regularizer from a name (``'l1'``, ``'l2'``, ``'l1_l2'``, ``'L1L2'`` ...) or ``{'class_name', 'config'}``.

    ``'l1_l2'`` gives ``L1L2(l1=0.01, l2=0.01)``; class names give the class's defaults.
    An unknown name raises ``ValueError`` suggesting the closest valid one.
    """
    return registry.deserialize("regularizers", config, custom_objects)


def get(identifier):
    """Resolve a regularizer: ``None`` -> None, a name or dict -> :func:`deserialize`, a callable as is."""
    return registry.get("regularizers", identifier)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
