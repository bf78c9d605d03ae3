"""The rest of ``tf.math``'s element-wise functions: trigonometric, hyperbolic, exp/log family, special functions.

Each backward is the textbook derivative, written next to the forward; the
tape undoes broadcasting for the binary ones. Ops whose derivative is zero
almost everywhere (Sign) return zeros, as TensorFlow does; Floor, Ceil and
Round have no gradient at all in TensorFlow and are ``differentiable = False``.

``erf`` and ``erfc`` use the numpy series and continued fraction of ``ops.nn`` (the
ones GELU uses); ``lgamma`` uses ``scipy.special`` when scipy is installed (fast) and
Python's ``math`` module element by element otherwise (exact, slower).
``digamma`` and ``trigamma`` (the derivative of digamma) are computed here in
numpy by recurrence and the asymptotic series, accurate to about 1e-14.
"""
from __future__ import annotations

from typing import Any

import math

import numpy as np

from . import nn as _nn
from .base import Op

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _scipy_special() -> Any:
    try:
        import scipy.special as special
    except ImportError:  # pragma: no cover - scipy is in the test extra
        return None
    return special


def _elementwise_math(name: Any, x: np.ndarray) -> Any:
    """``math.<name>`` over an array, keeping its dtype (the fallback without scipy)."""
    fn = np.frompyfunc(getattr(math, name), 1, 1)
    return np.asarray(fn(x), dtype=np.float64).astype(x.dtype, copy=False)


def erf(x: np.ndarray) -> Any:
    """The Gauss error function of an array, in its dtype."""
    return _nn.erf(x).astype(x.dtype, copy=False)


def erfc(x: np.ndarray) -> Any:
    """``1 - erf(x)`` of an array, exact in the tail, in its dtype."""
    return _nn.erfc(x).astype(x.dtype, copy=False)


def lgamma(x: np.ndarray) -> Any:
    """``log|Gamma(x)|`` (``inf`` at the poles 0, -1, -2 ...)."""
    special = _scipy_special()
    if special is not None:
        return special.gammaln(x)
    with np.errstate(all="ignore"):
        out = np.where(_is_pole(x), np.inf, 0.0).astype(x.dtype)
        ok = ~_is_pole(x)
        out[ok] = _elementwise_math("lgamma", x[ok])
    return out


def _is_pole(x: np.ndarray) -> Any:
    return (x <= 0) & (x == np.floor(x))


def digamma(x: np.ndarray) -> Any:
    """``d/dx log Gamma(x)`` by the recurrence ``psi(x) = psi(x + 1) - 1/x`` up to x >= 8, then the series.

    Negative arguments use the reflection ``psi(x) = psi(1 - x) - pi / tan(pi x)``; poles give NaN.
    """
    x = np.asarray(x)
    work = x.astype(np.float64)
    with np.errstate(all="ignore"):
        reflect = work < 0.5
        reflection = np.where(reflect, np.pi / np.tan(np.pi * work), 0.0)
        y = np.where(reflect, 1.0 - work, work)
        acc = np.zeros_like(y)
        while True:
            small = y < 8.0
            if not small.any():
                break
            acc -= np.where(small, 1.0 / y, 0.0)
            y = np.where(small, y + 1.0, y)
        inv2 = 1.0 / (y * y)
        series = (np.log(y) - 0.5 / y
                  - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (
                      1 / 132 - inv2 * (691 / 32760 - inv2 / 12)))))))
        out = series + acc - reflection
        out = np.where(_is_pole(work), np.nan, out)
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


def trigamma(x: np.ndarray) -> Any:
    """``d/dx digamma(x)`` by ``psi1(x) = psi1(x + 1) + 1/x**2`` up to x >= 8, then the series.

    Negative arguments use ``psi1(x) = pi**2 / sin(pi x)**2 - psi1(1 - x)``.
    """
    x = np.asarray(x)
    work = x.astype(np.float64)
    with np.errstate(all="ignore"):
        reflect = work < 0.5
        y = np.where(reflect, 1.0 - work, work)
        acc = np.zeros_like(y)
        while True:
            small = y < 8.0
            if not small.any():
                break
            acc += np.where(small, 1.0 / (y * y), 0.0)
            y = np.where(small, y + 1.0, y)
        inv = 1.0 / y
        inv2 = inv * inv
        series = inv + 0.5 * inv2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (
            1 / 30 - inv2 * (5 / 66 - inv2 * (691 / 2730 - inv2 * 7 / 6))))))
        out = series + acc
        out = np.where(reflect, (np.pi / np.sin(np.pi * work)) ** 2 - out, out)
        out = np.where(_is_pole(work), np.inf, out)
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


# ----------------------------------------------------------------------------- trigonometric

class Sin(Op):
    """``sin(x)``. Backward: ``dout * cos(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.sin(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * np.cos(self.x)


class Cos(Op):
    """``cos(x)``. Backward: ``-dout * sin(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.cos(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return -dout * np.sin(self.x)


class Tan(Op):
    """``tan(x)``. Backward: ``dout * (1 + tan(x)**2)``; keeps the output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tan(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1 + self.out * self.out)


class Asin(Op):
    """``arcsin(x)`` on [-1, 1]. Backward: ``dout / sqrt(1 - x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.arcsin(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / np.sqrt(1 - self.x * self.x)


class Acos(Op):
    """``arccos(x)`` on [-1, 1]. Backward: ``-dout / sqrt(1 - x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.arccos(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return -dout / np.sqrt(1 - self.x * self.x)


class Atan(Op):
    """``arctan(x)``. Backward: ``dout / (1 + x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.arctan(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / (1 + self.x * self.x)


class Atan2(Op):
    """``atan2(y, x)``: the angle of the point (x, y), in (-pi, pi].

    Backward: ``(dout * x / (x**2 + y**2), -dout * y / (x**2 + y**2))`` for inputs ``(y, x)``.
    """

    def forward(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        self.y, self.x = y, x
        return np.arctan2(y, x)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        scale = dout / (self.x * self.x + self.y * self.y)
        return scale * self.x, -scale * self.y


# ----------------------------------------------------------------------------- hyperbolic

class Sinh(Op):
    """``sinh(x)``. Backward: ``dout * cosh(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.sinh(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * np.cosh(self.x)


class Cosh(Op):
    """``cosh(x)``. Backward: ``dout * sinh(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.cosh(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * np.sinh(self.x)


class Asinh(Op):
    """``arcsinh(x)``. Backward: ``dout / sqrt(x**2 + 1)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.arcsinh(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / np.sqrt(self.x * self.x + 1)


class Acosh(Op):
    """``arccosh(x)`` for x >= 1. Backward: ``dout / sqrt(x**2 - 1)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.arccosh(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / np.sqrt(self.x * self.x - 1)


class Atanh(Op):
    """``arctanh(x)`` on (-1, 1). Backward: ``dout / (1 - x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.arctanh(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / (1 - self.x * self.x)


# ----------------------------------------------------------------------------- exp / log family

class Log1p(Op):
    """``log(1 + x)``, exact for tiny x. Backward: ``dout / (1 + x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.log1p(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / (1 + self.x)


class Expm1(Op):
    """``exp(x) - 1``, exact for tiny x. Backward: ``dout * exp(x)``; keeps the output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.expm1(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (self.out + 1)


class Reciprocal(Op):
    """``1 / x``. Backward: ``-dout / x**2`` (as ``-dout * out**2``); keeps the output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.reciprocal(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return -dout * self.out * self.out


class Rsqrt(Op):
    """``1 / sqrt(x)``. Backward: ``-0.5 * dout * out**3``; keeps the output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 1 / np.sqrt(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return -0.5 * dout * self.out * self.out * self.out


class Softsign(Op):
    """``x / (1 + |x|)``. Backward: ``dout / (1 + |x|)**2``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.denominator = 1 + np.abs(x)
        return x / self.denominator

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout / (self.denominator * self.denominator)


class LogSigmoid(Op):
    """``log(sigmoid(x)) = -softplus(-x)``, finite for x = -1000. Backward: ``dout * sigmoid(-x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * _sigmoid(-self.x)


def _sigmoid(x: np.ndarray) -> Any:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# ----------------------------------------------------------------------------- special functions

class Erf(Op):
    """The error function. Backward: ``dout * 2/sqrt(pi) * exp(-x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return erf(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (_TWO_OVER_SQRT_PI * np.exp(-self.x * self.x))


class Erfc(Op):
    """``1 - erf(x)``, exact in the tail. Backward: ``-dout * 2/sqrt(pi) * exp(-x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return erfc(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return -dout * (_TWO_OVER_SQRT_PI * np.exp(-self.x * self.x))


class Lgamma(Op):
    """``log|Gamma(x)|``. Backward: ``dout * digamma(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return lgamma(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * digamma(self.x)


class Digamma(Op):
    """``digamma(x) = d/dx lgamma(x)``. Backward: ``dout * trigamma(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return digamma(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * trigamma(self.x)


# ----------------------------------------------------------------------------- rounding (no or zero gradient)

class Sign(Op):
    """``sign(x)`` (-1, 0 or 1). Backward: zeros, as TensorFlow (the derivative is 0 almost everywhere)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sign(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.zeros_like(dout)


class Floor(Op):
    """``floor(x)``; no gradient (TensorFlow registers none)."""

    differentiable = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.floor(x)


class Ceil(Op):
    """``ceil(x)``; no gradient."""

    differentiable = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.ceil(x)


class Round(Op):
    """Round half to even (banker's rounding: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2), as TensorFlow; no gradient."""

    differentiable = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.rint(x) if x.dtype.kind in "fc" else x.copy()


# ----------------------------------------------------------------------------- binary, safe at zero

class SquaredDifference(Op):
    """``(x - y)**2``. Backward: ``(2 (x - y) dout, -2 (x - y) dout)``."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.diff = x - y
        return self.diff * self.diff

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g = 2 * self.diff * dout
        return g, -g


class DivNoNan(Op):
    """``x / y``, 0 where ``y == 0``. Backward: ``dout / y`` and ``-dout * x / y**2``, both 0 where ``y == 0``."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.zero = y == 0
        self.x, self.safe_y = x, np.where(self.zero, 1, y).astype(y.dtype, copy=False)
        return np.where(self.zero, 0, x / self.safe_y).astype(np.result_type(x, y), copy=False)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx = np.where(self.zero, 0, dout / self.safe_y)
        dy = np.where(self.zero, 0, -dx * self.x / self.safe_y)
        return dx, dy


class MulNoNan(Op):
    """``x * y``, 0 where ``y == 0`` even if x is inf or NaN.

    Backward: ``mul_no_nan(dout, y)``, ``mul_no_nan(x, dout)``."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.x, self.y = x, y
        with np.errstate(invalid="ignore"):
            return np.where(y == 0, 0, x * y).astype(np.result_type(x, y), copy=False)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        with np.errstate(invalid="ignore"):
            dx = np.where(self.y == 0, 0, dout * self.y)
            dy = np.where(dout == 0, 0, self.x * dout)
        return dx, dy


class Xlogy(Op):
    """``x * log(y)``, 0 where ``x == 0`` (even at y = 0). Backward: ``log(y)`` and ``x / y``, both 0 where x == 0."""

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        self.x, self.y = x, y
        self.zero = x == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.zero, 0, x * np.log(y)).astype(np.result_type(x, y), copy=False)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = np.where(self.zero, 0, dout * np.log(self.y))
            dy = np.where(self.zero, 0, dout * self.x / self.y)
        return dx, dy
