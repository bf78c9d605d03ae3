"""``chainrule.keras.activations``: activation functions with tf.keras 2 names, defaults and formulas.

Every function takes a Tensor (or anything convertible: a numpy array, a
list) and returns a Tensor computed with chainrule ops, so it is recorded on
an active GradientTape.

Look-ups by name follow tf.keras: ``get(None)`` is ``linear``, ``get('relu')``
is :func:`relu`, a callable is returned as is, and ``serialize(relu)`` is
``'relu'``.
"""
from __future__ import annotations

from .._missing import missing_attribute as _missing_attribute
import math

import numpy as np

from chainrule import nn as _nn
from chainrule import ops as _ops
from chainrule.errors import InvalidArgumentError
from chainrule.functions import cast, clip_by_value, exp as _exp, reduce_max, reduce_sum
from chainrule.tensor import Tensor, apply_op, as_tensor
from . import registry

__all__ = ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "elu",
           "selu", "softplus", "softsign", "swish", "silu", "gelu", "hard_sigmoid", "exponential", "mish",
           "get", "serialize", "deserialize"]

# SELU's constants (Klambauer et al., 2017), the values tf.keras uses.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _const(value, t: Tensor) -> np.ndarray:
    # The engine converts a Python float operand through float32 before casting it to the
    # tensor's dtype (0.1 -> 0.10000000149 in float64); a 0-d array of that dtype stays exact.
    return np.asarray(value, dtype=t._value.dtype)


def _float_tensor(x, name):
    t = as_tensor(x)
    if t._value.dtype.kind != "f":
        raise InvalidArgumentError(f"activations.{name}: expected a floating-point tensor, got {t.dtype.name} of "
                                   f"shape {t.shape}; cast it first, e.g. chainrule.cast(x, chainrule.float32).")
    return t


# ----------------------------------------------------------------------------- the activations

def linear(x):
    """Linear (identity) activation: ``f(x) = x``, returned unchanged."""
    return x if isinstance(x, Tensor) else as_tensor(x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0, negative_slope=None):
    """Rectified linear unit, tf.keras 2's ``relu(x, alpha=0.0, max_value=None, threshold=0.0)``.

    With the defaults, ``f(x) = max(x, 0)`` (the fused ``ReLU`` op). Otherwise
    ``f(x) = min(x, max_value)`` for ``x > threshold`` (``x >= threshold`` and 0 below
    when threshold is 0) and ``alpha * (x - threshold)`` below it; ``max_value``
    caps the positive part only. ``negative_slope`` is Keras 3's name for ``alpha``.
    """
    if negative_slope is not None:
        alpha = negative_slope
    x = _float_tensor(x, "relu")
    if alpha == 0 and max_value is None and threshold == 0:
        return apply_op(_ops.ReLU(), x)  # nn.relu's op, on a float tensor already checked
    if alpha != 0 and max_value is None and threshold == 0:
        return _nn.leaky_relu(x, alpha=alpha)
    dtype = x._value.dtype
    if alpha != 0:
        negative_part = _nn.relu(_const(threshold, x) - x) if threshold != 0 else _nn.relu(-x)
    if threshold != 0:
        out = x * cast(x > _const(threshold, x), dtype)  # x where x > threshold, else 0
    else:
        out = _nn.relu(x)
    if max_value is not None:
        out = clip_by_value(out, _const(0, x), _const(max_value, x))
    if alpha != 0:
        out = out - negative_part * _const(alpha, x)
    return out


def relu6(x):
    """ReLU capped at 6: ``f(x) = min(max(x, 0), 6)``."""
    return clip_by_value(relu(x), 0, 6)


def sigmoid(x):
    """Logistic sigmoid ``f(x) = 1 / (1 + exp(-x))``, computed without overflow.

    As in tf.keras 2, the output keeps ``x`` as ``_keras_logits``: a cross-entropy loss given this output
    computes from ``x`` (exact where the probabilities saturate to 0 or 1) instead of the clipped probabilities.
    """
    x = _float_tensor(x, "sigmoid")
    out = apply_op(_ops.Sigmoid(), x)
    out._keras_logits = x
    return out


def tanh(x):
    """Hyperbolic tangent ``f(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))``."""
    return apply_op(_ops.Tanh(), _float_tensor(x, "tanh"))


def softmax(x, axis=-1):
    """Softmax ``f(x) = exp(x) / sum(exp(x), axis)``, shifted by the maximum so it never overflows.

    ``axis`` is an int or a tuple of ints. As in tf.keras 2, a 1-D input raises
    ``ValueError``, and the output keeps ``x`` as ``_keras_logits`` for the cross-entropy losses (see
    :func:`sigmoid`).
    """
    x = _float_tensor(x, "softmax")
    if x.ndim <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    if isinstance(axis, (int, np.integer)):
        out = apply_op(_ops.Softmax(int(axis)), x)
    else:
        axis = tuple(int(a) for a in axis)
        e = _exp(x - reduce_max(x, axis=axis, keepdims=True))
        out = e / reduce_sum(e, axis=axis, keepdims=True)
    out._keras_logits = x
    return out


def log_softmax(x, axis=-1):
    """Log-softmax ``f(x) = x - log(sum(exp(x), axis))``, finite for logits of +-1000."""
    return _nn.log_softmax(_float_tensor(x, "log_softmax"), axis=axis)


def leaky_relu(x, negative_slope=0.2, alpha=None):
    """Leaky ReLU: ``f(x) = x`` for ``x > 0``, ``negative_slope * x`` otherwise (``alpha`` is an alias)."""
    if alpha is not None:
        negative_slope = alpha
    return _nn.leaky_relu(_float_tensor(x, "leaky_relu"), alpha=negative_slope)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``f(x) = x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    return apply_op(_ops.ELU(alpha), _float_tensor(x, "elu"))


def selu(x):
    """Scaled ELU: ``f(x) = scale * x`` for ``x > 0``, ``scale * alpha * (exp(x) - 1)`` otherwise.

    ``alpha = 1.67326324`` and ``scale = 1.05070098`` (Klambauer et al., 2017).
    Use with the ``lecun_normal`` initializer.
    """
    x = _float_tensor(x, "selu")
    return apply_op(_ops.ELU(_SELU_ALPHA), x) * _const(_SELU_SCALE, x)


def softplus(x):
    """Softplus ``f(x) = log(exp(x) + 1)``, computed as ``max(x, 0) + log1p(exp(-|x|))`` (no overflow)."""
    return apply_op(_ops.Softplus(), _float_tensor(x, "softplus"))


def softsign(x):
    """Softsign ``f(x) = x / (|x| + 1)``."""
    x = _float_tensor(x, "softsign")
    return x / (abs(x) + 1)


def swish(x):
    """Swish (SiLU) ``f(x) = x * sigmoid(x)`` (Ramachandran et al., 2017)."""
    x = _float_tensor(x, "swish")
    return x * apply_op(_ops.Sigmoid(), x)


silu = swish  # Keras 3's name for the same function


def gelu(x, approximate=False):
    """Gaussian error linear unit (Hendrycks & Gimpel, 2016).

    Exact (default): ``f(x) = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))``.
    ``approximate=True``: ``f(x) = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))``.
    """
    x = _float_tensor(x, "gelu")
    if approximate:
        inner = (x + x * x * x * _const(0.044715, x)) * _const(math.sqrt(2.0 / math.pi), x)
        return x * _const(0.5, x) * (apply_op(_ops.Tanh(), inner) + 1)
    return apply_op(_ops.GELU(), x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid of tf.keras 2: ``f(x) = clip(0.2 * x + 0.5, 0, 1)``.

    That is 0 for ``x < -2.5``, 1 for ``x > 2.5``, ``0.2 * x + 0.5`` in between.
    """
    x = _float_tensor(x, "hard_sigmoid")
    return clip_by_value(x * _const(0.2, x) + _const(0.5, x), 0, 1)


def exponential(x):
    """Exponential ``f(x) = exp(x)``."""
    return _exp(_float_tensor(x, "exponential"))


def mish(x):
    """Mish ``f(x) = x * tanh(softplus(x))`` (Misra, 2019)."""
    x = _float_tensor(x, "mish")
    return x * apply_op(_ops.Tanh(), softplus(x))


# ----------------------------------------------------------------------------- look-up by name
# The activation layers (ReLU, LeakyReLU, ELU, Softmax) register under their class names in
# keras/layers/activation.py: 'LeakyReLU' gives LeakyReLU(), as in tf.keras 2.

registry.register("activations", linear, relu, relu6, sigmoid, tanh, softmax, log_softmax, leaky_relu, elu, selu,
                  softplus, softsign, swish, gelu, hard_sigmoid, exponential, mish, aliases={"silu": swish})


def serialize(activation):
    """The name of an activation function (``serialize(relu) == 'relu'``), as tf.keras 2 writes it in configs.

    ``None`` is ``'linear'``; an object with ``get_config`` (an activation layer) gives
    ``{'class_name': ..., 'config': ...}``; a registered function its ``'package>name'``.
    """
    return registry.serialize(linear if activation is None else activation, "activation")


def deserialize(name, custom_objects=None):
    """The activation function for a serialized form: a name (``'relu'``) or a dict.

    Dicts are tf.keras 2's ``{'class_name': 'relu', 'config': {...}}`` (a non-empty config
    binds keyword arguments, or builds an activation layer such as ``LeakyReLU``) or Keras 3's
    ``{'class_name': 'function', 'config': 'relu'}``. Custom names resolve as for every kind
    (``custom_objects``, ``custom_object_scope``, ``register_keras_serializable``). An unknown
    name raises ``ValueError`` with the closest valid name.
    """
    return registry.deserialize("activations", name, custom_objects)


def get(identifier):
    """Resolve an activation: ``None`` -> :func:`linear`, a name or dict -> :func:`deserialize`, a callable as is.

    Anything else raises ``TypeError``.
    """
    return registry.get("activations", identifier, default=linear)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
