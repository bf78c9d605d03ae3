"""Neural-network primitives: activations (with softplus and GELU and their erfc/normal-CDF numerics), the
fused Affine / loss / BatchNorm ops, Dropout.

The fused ops exist because they are faster and numerically safer, not as
shortcuts: each backward is the textbook formula (``(y - t) / N`` for softmax
with cross-entropy) and the tests check each one against numerical gradients.
"""
from __future__ import annotations

from typing import Any

import math

import numpy as np

from .. import backend
from ..errors import InvalidArgumentError
from . import workspace
from .base import Op

_SQRT_PI = math.sqrt(math.pi)


def sigmoid(x: np.ndarray) -> Any:
    """Logistic function without overflow: ``1/(1+e^-x)`` for x >= 0, ``e^x/(1+e^x)`` otherwise."""
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype if x.dtype.kind == "f" else np.float64,
                                                              copy=False)


def max_keepdims(x: Any, axis: int = -1) -> np.ndarray:
    """``np.max(x, axis=axis, keepdims=True)``, quicker over the short last axis of many rows (logits).

    numpy reduces a short contiguous axis row by row (about 40-70 ns a row for 10 classes); the maximum
    of the transposed copy runs along contiguous rows instead, and is quicker from a single row up
    (1.0 vs 1.8 us for one row, 1.7 vs 7.0 us for 100). A maximum does not depend on the order of its
    operands, so the values are the same.
    """
    x = np.asarray(x)
    if x.ndim == 2 and axis in (-1, 1) and x.shape[1] <= 32:
        return np.ascontiguousarray(x.T).max(axis=0)[:, None]
    return np.max(x, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int = -1) -> Any:
    """``x - logsumexp(x)`` along ``axis``, shifted by the maximum so it never overflows."""
    shifted = x - max_keepdims(x, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the maximum so it never overflows."""
    e = np.exp(x - max_keepdims(x, axis))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


class ReLU(Op):
    """``max(x, 0)``. Backward: ``dout`` where x > 0, zero elsewhere.

    The seed keeps ``mask`` (where x <= 0) and writes zeros into ``dout``; here
    backward multiplies by the kept ``positive`` mask instead (one pass, and it
    never writes into ``dout``, which another op may still need). ``mask`` is
    still there to read, as in the seed.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        # Workspace buffers: feature maps of convnets are tens of MB per step (see ops.workspace).
        x = np.asarray(x)
        if self.needs_backward:
            self.positive = np.greater(x, 0, out=workspace.empty(x.shape, bool))
        dtype = x.dtype if x.dtype.kind == "f" else np.result_type(x, 0)
        return np.maximum(x, 0, out=workspace.empty(x.shape, dtype))

    @property
    def mask(self) -> Any:
        """Where ``x <= 0`` (the seed's name)."""
        return ~self.positive

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = np.asarray(dout)
        return np.multiply(dout, self.positive, out=workspace.empty(dout.shape, dout.dtype))


class LeakyReLU(Op):
    """``x`` if x > 0 else ``alpha * x`` (``alpha`` default 0.2, as ``tf.nn.leaky_relu``)."""

    def __init__(self, alpha: float = 0.2) -> None:
        self.alpha = alpha

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.positive = x > 0
        return np.where(self.positive, x, self.alpha * x).astype(np.result_type(x), copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.positive, dout, self.alpha * dout).astype(np.result_type(dout), copy=False)


class PReLU(Op):
    """Parametric ReLU, ``forward(x, alpha)``: ``x`` if x > 0 else ``alpha * x``, with a learned ``alpha``.

    ``alpha`` broadcasts against ``x`` (a Keras layer's has the shape of one sample, with 1 on shared
    axes). Backward: ``dx = dout`` where x > 0, ``alpha * dout`` elsewhere (0 at x == 0, as TensorFlow's
    ``relu(x) - alpha * relu(-x)``); ``dalpha = dout * min(x, 0)`` (the tape sums it down to alpha's shape).
    """

    def forward(self, x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        x, alpha = np.asarray(x), np.asarray(alpha)
        dtype = np.result_type(x, alpha)
        self.positive = x > 0
        self.negative_part = np.minimum(x, 0).astype(dtype, copy=False)
        self.alpha = alpha
        return np.where(self.positive, x, alpha * self.negative_part).astype(dtype, copy=False)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        dx = np.where(self.positive, dout, np.where(self.negative_part < 0, self.alpha * dout, 0)) \
            if self._needs(0) else None
        dalpha = dout * self.negative_part if self._needs(1) else None
        return dx, dalpha


class ELU(Op):
    """``x`` if x > 0 else ``alpha * (exp(x) - 1)``. Backward: ``dout * (out + alpha)`` for x <= 0."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.positive = x > 0
        self.out = np.where(self.positive, x, self.alpha * np.expm1(np.minimum(x, 0))).astype(
            np.result_type(x), copy=False)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.positive, dout, dout * (self.out + self.alpha)).astype(
            np.result_type(dout), copy=False)


def _erf_series(x: np.ndarray, tol: Any) -> Any:
    """``erf(x)`` for ``0 <= x < 2`` (float64): ``2/sqrt(pi) * exp(-x^2) * sum_n (2 x^2)^n x / (1*3*...*(2n+1))``.

    All terms are positive, so there is no cancellation; ``tol`` (relative) sets the number of terms.
    """
    if not x.size:
        return x.copy()
    two_x2 = 2.0 * x * x
    # Terms needed for the largest x: stop once (2 x^2)^n / (2n+1)!! < tol (the sum is >= x).
    ratio, ratio_max, n_terms = 1.0, 2.0 * float(x.max()) ** 2, 0
    while ratio > tol and n_terms < 40:
        n_terms += 1
        ratio *= ratio_max / (2 * n_terms + 1)
    term = x.copy()
    total = x.copy()
    for n in range(1, n_terms + 1):
        np.multiply(term, two_x2, out=term)
        term *= 1.0 / (2 * n + 1)
        total += term
    total *= np.exp(-0.5 * two_x2)
    return (2.0 / _SQRT_PI) * total


def _erfc_fraction(x: np.ndarray) -> Any:
    """``erfc(x)`` for ``x >= 2`` (float64) by the continued fraction
    ``exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))``: no overflow, no cancellation."""
    if not x.size:
        return x.copy()
    f = x.copy()
    for k in range(60 if float(x.min()) < 3.0 else 30, 0, -1):
        np.divide(0.5 * k, f, out=f)
        f += x
    return np.exp(-x * x) / (_SQRT_PI * f)


def erfc(z: np.ndarray, tol: float = 1e-17) -> Any:
    """Complementary error function of a float array (float64), accurate to ~1e-13 relative, never overflowing.

    ``|z| < 2``: ``1 - erf`` with erf by its series; ``|z| >= 2``: the continued fraction; negative
    arguments use ``erfc(-z) = 2 - erfc(z)``. ``tol`` 1e-9 is plenty for a float32 result.
    """
    z = np.asarray(z, dtype=np.float64)
    a = np.abs(z)
    out = np.empty_like(a)
    small = a < 2.0
    out[small] = 1.0 - _erf_series(a[small], tol)
    out[~small] = _erfc_fraction(a[~small])
    return np.where(z < 0, 2.0 - out, out)


def erf(z: np.ndarray, tol: float = 1e-17) -> Any:
    """The Gauss error function of a float array (float64): the series for ``|z| < 2`` (exact near 0),
    ``1 - erfc`` beyond; odd in ``z``."""
    z = np.asarray(z, dtype=np.float64)
    a = np.abs(z)
    out = np.empty_like(a)
    small = a < 2.0
    out[small] = _erf_series(a[small], tol)
    out[~small] = 1.0 - _erfc_fraction(a[~small])
    return np.copysign(out, z)


def ndtr(x: np.ndarray, tol: float = 1e-17) -> Any:
    """The standard normal CDF ``Phi(x) = erfc(-x / sqrt(2)) / 2`` (accurate in both tails)."""
    return 0.5 * erfc(-np.asarray(x, dtype=np.float64) / math.sqrt(2.0), tol)


class Softplus(Op):
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))`` (no overflow). Backward: ``dout * sigmoid(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return (np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * sigmoid(self.x)


class GELU(Op):
    """Exact GELU ``x * Phi(x)`` with ``Phi`` the standard normal CDF.

    Backward: ``dout * (Phi(x) + x * exp(-x^2 / 2) / sqrt(2 pi))``. Computed in float64, returned in x's dtype.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.cdf = ndtr(x, 1e-17 if x.dtype == np.float64 else 1e-9)
        return (np.asarray(x, dtype=np.float64) * self.cdf).astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = np.asarray(self.x, dtype=np.float64)
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        return (dout * (self.cdf + x * pdf)).astype(np.result_type(dout), copy=False)


class Sigmoid(Op):
    """``1 / (1 + exp(-x))`` (overflow-free). Keeps ``out``; backward ``dout * out * (1 - out)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.out * (1 - self.out)


class Tanh(Op):
    """``tanh(x)``. Keeps ``out``; backward ``dout * (1 - out**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1 - self.out * self.out)


class Step(Op):
    """The perceptron's step function ``1 if x > 0 else 0``; its gradient is 0 everywhere."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = np.asarray(x)
        return (self.x > 0).astype(self.x.dtype if self.x.dtype.kind == "f" else np.int32)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.zeros_like(self.x, dtype=dout.dtype)


class Softmax(Op):
    """Softmax along ``axis`` (default last). Backward: ``y * (dout - sum(dout * y))``."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = softmax(x, self.axis)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        y = self.out
        return y * (dout - np.sum(dout * y, axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    """``x - logsumexp(x)`` along ``axis``. Backward: ``dout - softmax(x) * sum(dout)``."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = log_softmax(x, self.axis)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout - np.exp(self.out) * np.sum(dout, axis=self.axis, keepdims=True)


class Affine(Op):
    """The fully connected layer ``x @ W + b`` over the last axis of N-D input.

    Shapes: ``x (..., n_in)``, ``W (n_in, n_out)``, ``b (n_out,)`` -> ``(..., n_out)``.
    Backward returns ``(dx, dW, db)``: ``dout @ W.T``, ``x.T @ dout``, ``sum(dout)``
    over every axis but the last. Like the seed's Affine, the last ``dW`` and ``db``
    are also kept on the op.
    """

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.shape[-1] != W.shape[0]:
            raise ValueError(f"Affine: input has {x.shape[-1]} features (shape {x.shape}) but W has shape "
                             f"{W.shape}; the last axis of x must equal W.shape[0].")
        if self.needs_backward:
            self.x, self.W, self.b_shape = x, W, np.shape(b)
        out = workspace.matmul(x, W)  # MBs at a batch of thousands: a pooled buffer, no page faults per step
        out += b
        return out

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        n_in = self.W.shape[0]
        dx = workspace.matmul(dout, self.W.T) if self._needs(0) else None
        self.dW = self.db = None
        if self._needs(1):
            x2 = self.x.reshape(-1, n_in)
            dout2 = dout.reshape(-1, dout.shape[-1])
            # One sample: the outer product, as a k=1 GEMM through np.dot (each entry one product, so the
            # same numbers as np.outer, in half its time; np.matmul of a (n, 1) by (1, m) falls off BLAS).
            self.dW = np.dot(x2.T, dout2) if len(x2) == 1 else x2.T @ dout2
        if self._needs(2):
            self.db = np.add.reduce(dout.reshape(-1, dout.shape[-1]), axis=0)  # ndarray.sum, warning from here
            if self.db.shape != self.b_shape:  # a (1, n_out) row bias, or a scalar one
                self.db = self.db.reshape(self.b_shape) if len(self.b_shape) > 1 else self.db.sum()
        return dx, self.dW, self.db


def _labels_to_indices(labels: np.ndarray, n_classes: Any, op_name: Any) -> Any:
    t = np.asarray(labels)
    if t.dtype.kind == "f":
        if not np.all(t == np.floor(t)):
            raise ValueError(f"{op_name}: integer class labels expected, got non-integer values such as "
                             f"{t.ravel()[np.argmax(t.ravel() != np.floor(t.ravel()))]}.")
    t = t.astype(np.intp, copy=False)
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        bad = t.min() if t.min() < 0 else t.max()
        shown = " ".join(str(v) for v in t.ravel()[:10]) + (" ..." if t.size > 10 else "")
        raise InvalidArgumentError(f"{op_name}: Received a label value of {bad} which is outside the valid range of "
                                   f"[0, {n_classes}). Label values: {shown}. The label {bad} is out of range for "
                                   f"{n_classes} classes (valid: 0 to {n_classes - 1}); check the labels or the size "
                                   "of the last layer.")
    return t


class SoftmaxWithLoss(Op):
    """Softmax then cross-entropy, fused: ``forward(logits, labels)`` -> loss.

    ``logits`` has shape ``(..., C)``. ``labels`` are either integer class indices
    of shape ``(...)`` (or ``(..., 1)``) or one-hot/probability rows of shape
    ``(..., C)``. ``reduction='mean'`` (default) returns the batch mean as the
    seed does, ``'sum'`` the total, ``'none'`` one value per sample.
    Backward: ``((y - t) / N, None)`` with ``y = softmax(logits)``; labels get no gradient.
    Stable for logits of +-1000 (log-softmax computed from shifted logits).

    ``forward(logits, labels, probs)``: a caller that already holds ``softmax(logits)``, computed
    by :func:`softmax` (a fused output head, whose layer computed it for the metrics), passes it so
    the step computes one softmax, not two. The log-normalizer then comes from the largest
    probability, ``1 / sum(exp(shifted))`` (the shifted maximum is 0), which is at least ``1 / C``,
    so its log stays finite for any logits; ``probs`` gets no gradient.
    """

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"SoftmaxWithLoss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}.")
        self.reduction = reduction

    def forward(self, logits: np.ndarray, labels: np.ndarray, probs: np.ndarray | None = None) -> np.ndarray:
        x = np.asarray(logits)
        n_classes = x.shape[-1]
        self.shape = x.shape
        self.given_probs = probs is not None
        x2 = x.reshape(-1, n_classes)
        n = x2.shape[0]
        shifted = x2 - max_keepdims(x2)
        if probs is None:
            e = np.exp(shifted)
            s = e.sum(axis=1, keepdims=True)
            log_s = np.log(s)
            e /= s
        else:
            if np.shape(probs) != x.shape:
                raise ValueError(f"SoftmaxWithLoss: probs of shape {np.shape(probs)} are not the softmax of "
                                 f"logits of shape {x.shape}; pass probs of the logits' shape, or none.")
            e = np.asarray(probs).reshape(-1, n_classes)
            log_s = -np.log(max_keepdims(e))
        self.y = e
        t = np.asarray(labels)
        if t.shape == x.shape and not (n_classes == 1 and t.dtype.kind in "iu"):
            self.t = t.reshape(-1, n_classes).astype(x.dtype, copy=False)
            self.sparse = False
            per_sample = -np.sum(self.t * (shifted - log_s), axis=1)
        else:
            if t.shape == x.shape[:-1] + (1,):
                t = t[..., 0]
            if t.shape != x.shape[:-1]:
                raise ValueError(f"SoftmaxWithLoss: labels of shape {t.shape} do not fit logits of shape "
                                 f"{x.shape}; give class indices of shape {x.shape[:-1]} or one-hot rows of "
                                 f"shape {x.shape}.")
            self.t = _labels_to_indices(t, n_classes, "SoftmaxWithLoss").reshape(-1)
            self.sparse = True
            rows = np.arange(n)
            per_sample = log_s[:, 0] - shifted[rows, self.t]
        self.n = n
        per_sample = per_sample.astype(x.dtype, copy=False)
        if self.reduction == "none":
            return per_sample.reshape(x.shape[:-1])
        total = per_sample.sum(dtype=x.dtype)
        return total / x.dtype.type(n) if self.reduction == "mean" else total

    def backward(self, dout: np.ndarray | float = 1) -> tuple[np.ndarray | None, ...]:
        dx = self.y.copy()
        if self.sparse:
            dx[np.arange(self.n), self.t] -= 1
        else:
            dx -= self.t
        if self.reduction == "none":
            dx *= np.reshape(dout, (-1, 1))
        elif self.reduction == "mean":
            dx *= np.asarray(dout, dtype=dx.dtype) / dx.dtype.type(self.n)
        else:
            dx *= np.asarray(dout, dtype=dx.dtype)
        return (dx.reshape(self.shape), None, None) if self.given_probs else (dx.reshape(self.shape), None)


class SigmoidBinaryCrossEntropy(Op):
    """Sigmoid then binary cross-entropy, fused: ``forward(logits, labels)`` -> loss.

    Element-wise loss ``max(x, 0) - x * t + log(1 + exp(-|x|))`` (never overflows).
    ``reduction='mean'`` averages over every element, ``'sum'`` adds them,
    ``'none'`` returns the element-wise values. Backward: ``((sigmoid(x) - t) / size, -x / size)``: the
    labels get a gradient too, as in TensorFlow (a model whose labels are computed trains through them).
    """

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"SigmoidBinaryCrossEntropy: reduction must be 'mean', 'sum' or 'none', "
                             f"got {reduction!r}.")
        self.reduction = reduction

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
        x = np.asarray(logits)
        t = np.asarray(labels)
        if t.shape != x.shape:
            squeezed = tuple(d for d in t.shape if d != 1) == tuple(d for d in x.shape if d != 1)
            try:
                t = t.reshape(x.shape) if squeezed else np.broadcast_to(t, x.shape)
            except ValueError:
                raise ValueError(f"SigmoidBinaryCrossEntropy: labels of shape {t.shape} do not fit logits "
                                 f"of shape {x.shape}; they must have the same shape (up to axes of size 1).") from None
        self.x, self.t, self.t_shape = x, t.astype(x.dtype, copy=False), np.shape(labels)
        loss = np.maximum(x, 0) - x * self.t + np.log1p(np.exp(-np.abs(x)))
        if self.reduction == "none":
            return loss
        total = loss.sum(dtype=x.dtype)
        return total / x.dtype.type(max(x.size, 1)) if self.reduction == "mean" else total

    def backward(self, dout: np.ndarray | float = 1) -> tuple[np.ndarray | None, ...]:
        dx = sigmoid(self.x) - self.t
        if self.reduction == "mean":
            scale = np.asarray(dout, dtype=dx.dtype) / dx.dtype.type(max(dx.size, 1))
        else:
            scale = np.asarray(dout, dtype=dx.dtype)
        dx *= scale
        dt = -self.x * scale
        if dt.shape != self.t_shape and dt.size == int(np.prod(self.t_shape)):
            dt = dt.reshape(self.t_shape)  # labels (N,) against logits (N, 1); the tape undoes broadcasts
        return dx, dt


def generator(rng: Any, seed: Any) -> np.random.Generator:
    """The Generator a random op draws from: ``rng`` if given, else a new one seeded with ``seed``, else
    the global seeded backend Generator (``chainrule.random.set_seed``)."""
    if rng is not None:
        return rng
    return np.random.default_rng(seed) if seed is not None else backend.rng()


def noise_shape_of(shape: tuple[int, ...], noise_shape: Any) -> tuple[int, ...]:
    """``noise_shape`` with its None entries replaced by the input's sizes (None: the input's shape)."""
    if noise_shape is None:
        return tuple(shape)
    return tuple(shape[i] if s is None else int(s) for i, s in enumerate(noise_shape))


#: From this many values on, :func:`keep_mask` reads PCG64's raw words (below, setting that up costs more than
#: it saves: a few us).
RAW_WORDS_FROM = 1 << 13


def keep_mask(rng: np.random.Generator, shape: tuple[int, ...], rate: Any, drawn: Any = np.float32) -> np.ndarray:
    """Dropout's keep mask: ``rng.random(shape, dtype=drawn) >= rate``, a bool array of ``shape``.

    A float32 draw of ``RAW_WORDS_FROM`` values or more from a PCG64 Generator (numpy's default) skips
    making the floats, with the same mask and the Generator left where ``random`` leaves it: numpy's
    float32 uniform is ``(w >> 8) * 2**-24`` of a 32-bit word ``w``, and PCG64 hands out each 64-bit output
    as two words, low half first (the high half waits in its state, ``has_uint32``, for the next call). So
    ``u >= rate`` is ``w >= k << 8``, ``k`` the first multiple of ``2**-24`` that is ``>= rate`` as numpy
    compares, and the words are the raw outputs (``random_raw``, half the cost of ``random``) viewed as
    uint32. A half output pending before, or left pending after, is drawn by ``rng.random`` itself, one
    value. Any other draw calls ``rng.random``.
    """
    n = math.prod(shape)
    bits = getattr(rng, "bit_generator", None) if n >= RAW_WORDS_FROM else None
    if not (type(bits) is np.random.PCG64 and np.dtype(drawn) == np.float32
            and (lowest := _lowest_kept_word(rate)) is not None):
        return rng.random(shape, dtype=drawn) >= rate
    keep = np.empty(n, dtype=bool)
    first = 1 if bits.state["has_uint32"] else 0
    if first:
        np.greater_equal(rng.random(1, dtype=np.float32), rate, out=keep[:1])
    pairs = (n - first) // 2
    np.greater_equal(bits.random_raw(pairs).view(np.uint32), lowest, out=keep[first:first + 2 * pairs])
    if first + 2 * pairs < n:
        np.greater_equal(rng.random(1, dtype=np.float32), rate, out=keep[n - 1:])
    return keep.reshape(shape)


def _lowest_kept_word(rate: Any) -> np.uint32 | None:
    """The smallest 32-bit word whose float32 uniform, ``(w >> 8) * 2**-24``, is ``>= rate`` as numpy compares
    a float32 array with ``rate`` (None if every draw is dropped)."""
    first = max(math.ceil(float(rate) * 2.0**24) - 2, 0)  # float32(rate) is within half a step of rate
    steps = np.arange(first, first + 5)
    kept = np.ldexp(steps.astype(np.float32), -24) >= rate
    if kept[0] or not kept[-1] or int(steps[kept.argmax()]) >= 2**24:
        return None
    return np.uint32(int(steps[kept.argmax()]) << 8)


class Dropout(Op):
    """Inverted dropout: zero each value with probability ``rate``, scale the rest by ``1/(1-rate)``.

    ``noise_shape`` broadcasts one mask over axes of size 1. The mask comes
    from ``rng`` (a ``numpy.random.Generator``; default: a new one seeded with
    ``seed``, or the global seeded backend Generator when ``seed`` is None):
    a value is kept where its uniform draw (float32; float64 for float64 input) is ``>= rate``
    (:func:`keep_mask`). Backward: ``dout * mask``.
    """

    returns_view = True  # rate 0 returns the input itself

    def __init__(self, rate: Any, noise_shape: Any = None, seed: Any = None, rng: Any = None) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}.")
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed
        self._rng = rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if self.rate == 0:
            self.mask = None
            return x
        rng = generator(self._rng, self.seed)
        shape = noise_shape_of(x.shape, self.noise_shape)
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        keep = keep_mask(rng, shape, self.rate, np.float32 if dtype != np.float64 else np.float64)
        # MBs each at a batch of thousands: pooled buffers (ops.workspace), no page faults per step.
        self.mask = workspace.multiply(keep, dtype.type(1.0 / (1.0 - self.rate)))
        return workspace.multiply(x, self.mask)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout if self.mask is None else workspace.multiply(np.asarray(dout), self.mask)


def _accurate_sum(a: np.ndarray, axes: tuple) -> np.ndarray:
    """``a.sum(axes, keepdims=True)`` accumulated in float64 and rounded once to ``a``'s dtype.

    numpy adds along non-contiguous axes (a batch norm's batch and spatial axes) one row after another, so a
    float32 sum of 86,528 values per channel (a batch of 128 26x26 maps) drifts by ~1e-5 relative; TensorFlow's
    tree reduction by ~2e-6. Accumulating in float64 costs ~20 % of the reduction and stays within one rounding
    of the exact sum, so the statistics agree with TensorFlow's to its own rounding."""
    if a.dtype.itemsize >= 8:
        return np.sum(a, axis=axes, keepdims=True)
    return np.sum(a, axis=axes, keepdims=True, dtype=np.float64).astype(a.dtype)


def _accurate_mean(a: np.ndarray, axes: tuple) -> np.ndarray:
    """``a.mean(axes, keepdims=True)`` accumulated in float64 (see :func:`_accurate_sum`)."""
    if a.dtype.itemsize >= 8:
        return a.mean(axis=axes, keepdims=True)
    return a.mean(axis=axes, keepdims=True, dtype=np.float64).astype(a.dtype)


class BatchNorm(Op):
    """Training-mode batch normalization, fused: ``forward(x, gamma, beta)``.

    Normalizes over every axis except ``axis`` (an int, or a tuple of kept axes) with the batch mean and (biased)
    variance: ``xhat = (x - mean) / sqrt(var + epsilon)``, ``out = gamma * xhat + beta``.
    ``gamma`` and ``beta`` have shape ``(C,)`` with ``C = x.shape[axis]``.
    With ``statistics=True`` it has two more outputs, the batch ``mean`` and
    ``var`` (shape ``(C,)``), from which a layer updates its moving statistics
    (they take no gradient, as in TensorFlow's FusedBatchNorm).
    Backward (N values per channel): ``dbeta = sum(dout)``, ``dgamma = sum(dout * xhat)``,
    ``dx = gamma / sqrt(var + eps) / N * (N * dout - dbeta - xhat * dgamma)``.
    """

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, statistics: bool = False) -> None:
        self.axis, self.epsilon, self.statistics = axis, epsilon, statistics

    def forward(self, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
        x = np.asarray(x)
        kept = {a % x.ndim for a in (self.axis if isinstance(self.axis, (tuple, list)) else (self.axis,))}
        self.axes = tuple(i for i in range(x.ndim) if i not in kept)
        self.param_shape = [x.shape[i] if i in kept else 1 for i in range(x.ndim)]
        self.gamma_shape = np.shape(gamma)
        self.n = int(np.prod([x.shape[i] for i in self.axes], dtype=np.int64))
        self.mean = _accurate_mean(x, self.axes)
        centered = x - self.mean
        self.var = _accurate_mean(centered * centered, self.axes)
        self.inv_std = 1.0 / np.sqrt(self.var + x.dtype.type(self.epsilon))
        self.xhat = centered * self.inv_std
        self.gamma = np.reshape(gamma, self.param_shape)
        out = self.xhat * self.gamma + np.reshape(beta, self.param_shape)
        if self.statistics:
            return out, self.mean.reshape(self.gamma_shape), self.var.reshape(self.gamma_shape)
        return out

    def backward(self, dout: np.ndarray, dmean: np.ndarray | None = None,
                 dvar: np.ndarray | None = None) -> tuple[np.ndarray | None, ...]:
        dbeta = _accurate_sum(dout, self.axes)
        dgamma = _accurate_sum(dout * self.xhat, self.axes)
        n = dout.dtype.type(self.n)
        dx = (self.gamma * self.inv_std / n) * (n * dout - dbeta - self.xhat * dgamma)
        return dx, dgamma.reshape(self.gamma_shape), dbeta.reshape(self.gamma_shape)
