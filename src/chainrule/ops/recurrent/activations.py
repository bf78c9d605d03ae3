"""The activations a recurrent op can apply in place, each with its derivative written from its OUTPUT.

BPTT keeps the activated gates of every step, not their pre-activations, so a
recurrent op can use an activation only if ``f'(x)`` is a function of
``y = f(x)`` (tanh: ``1 - y**2``; sigmoid: ``y * (1 - y)``; relu: ``y > 0``; ...).
Those are the ones listed here; a layer with another activation (gelu, swish)
must run its cell step by step through the tape instead.

``forward(x, out)`` writes ``f(x)`` into ``out`` (which may be ``x`` itself or a
strided view); ``derivative(y, out)`` writes ``f'(x)`` into ``out``. Formulas are
tf.keras 2's (``hard_sigmoid`` is ``clip(0.2 * x + 0.5, 0, 1)``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _tanh(x: np.ndarray, out: np.ndarray) -> None:
    np.tanh(x, out=out)


def _tanh_d(y: np.ndarray, out: np.ndarray) -> None:
    np.multiply(y, y, out=out)
    np.subtract(1, out, out=out)


def _sigmoid(x: np.ndarray, out: np.ndarray) -> None:
    # 1/(1+e^-x) = (1 + tanh(x/2)) / 2: one transcendental call and no overflow anywhere.
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    np.add(out, 0.5, out=out)


def _sigmoid_d(y: np.ndarray, out: np.ndarray) -> None:
    np.subtract(1, y, out=out)
    np.multiply(out, y, out=out)


def _hard_sigmoid(x: np.ndarray, out: np.ndarray) -> None:
    np.multiply(x, 0.2, out=out)
    np.add(out, 0.5, out=out)
    np.clip(out, 0, 1, out=out)


def _hard_sigmoid_d(y: np.ndarray, out: np.ndarray) -> None:
    np.multiply((y > 0) & (y < 1), 0.2, out=out)


def _relu(x: np.ndarray, out: np.ndarray) -> None:
    np.maximum(x, 0, out=out)


def _positive(y: np.ndarray, out: np.ndarray) -> None:
    np.greater(y, 0, out=out, casting="unsafe")


def _linear(x: np.ndarray, out: np.ndarray) -> None:
    if out is not x:
        np.copyto(out, x)


def _one(y: np.ndarray, out: np.ndarray) -> None:
    out.fill(1)


def _softsign(x: np.ndarray, out: np.ndarray) -> None:
    denominator = np.abs(x)
    denominator += 1
    np.divide(x, denominator, out=out)


def _softsign_d(y: np.ndarray, out: np.ndarray) -> None:
    np.abs(y, out=out)
    np.subtract(1, out, out=out)
    np.multiply(out, out, out=out)


def _elu(x: np.ndarray, out: np.ndarray) -> None:
    negative = x < 0
    tail = np.expm1(np.minimum(x, 0))
    _linear(x, out)
    np.copyto(out, tail, where=negative)


def _elu_d(y: np.ndarray, out: np.ndarray) -> None:
    np.add(y, 1, out=out)
    np.copyto(out, 1, where=y > 0)


def _selu(x: np.ndarray, out: np.ndarray) -> None:
    negative = x < 0
    tail = np.expm1(np.minimum(x, 0))
    tail *= _SELU_ALPHA
    _linear(x, out)
    np.copyto(out, tail, where=negative)
    np.multiply(out, _SELU_SCALE, out=out)


def _selu_d(y: np.ndarray, out: np.ndarray) -> None:
    np.add(y, _SELU_SCALE * _SELU_ALPHA, out=out)
    np.copyto(out, _SELU_SCALE, where=y > 0)


def _softplus(x: np.ndarray, out: np.ndarray) -> None:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|), which never overflows.
    tail = np.log1p(np.exp(-np.abs(x)))
    np.maximum(x, 0, out=out)
    out += tail


def _softplus_d(y: np.ndarray, out: np.ndarray) -> None:
    # sigmoid(x) = 1 - e^-y
    np.negative(y, out=out)
    np.expm1(out, out=out)
    np.negative(out, out=out)


def _exponential(x: np.ndarray, out: np.ndarray) -> None:
    np.exp(x, out=out)


def _exponential_d(y: np.ndarray, out: np.ndarray) -> None:
    np.copyto(out, y)


#: name -> (forward in place, derivative from the output)
ACTIVATIONS = {
    "tanh": (_tanh, _tanh_d),
    "sigmoid": (_sigmoid, _sigmoid_d),
    "hard_sigmoid": (_hard_sigmoid, _hard_sigmoid_d),
    "relu": (_relu, _positive),
    "linear": (_linear, _one),
    "softsign": (_softsign, _softsign_d),
    "elu": (_elu, _elu_d),
    "selu": (_selu, _selu_d),
    "softplus": (_softplus, _softplus_d),
    "exponential": (_exponential, _exponential_d),
}

#: The activation names the recurrent ops accept (``None`` means ``"linear"``).
RECURRENT_ACTIVATIONS = frozenset(ACTIVATIONS)


def resolve(name: Any, op_name: str, argument: str) -> Any:
    """``(forward, derivative)`` for ``name``; a ValueError naming the op and the choices otherwise."""
    key = "linear" if name is None else name
    if key not in ACTIVATIONS:
        raise ValueError(f"{op_name}: {argument}={name!r} is not supported by the recurrent ops; use one of "
                         f"{sorted(ACTIVATIONS)} (their derivative is computed from the activation's output), "
                         f"or run the cell step by step through the tape.")
    return ACTIVATIONS[key]
