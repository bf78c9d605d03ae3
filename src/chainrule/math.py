"""``chainrule.math``: TensorFlow's ``tf.math`` namespace.

Every differentiable function runs one op from :mod:`chainrule.ops` (or is
composed of such ops where that is exact, as ``reduce_variance``), so it is
recorded on GradientTapes and replayed by ``chainrule.function``. Functions
that TensorFlow only defines for floating-point tensors (``sin``, ``floor``,
``erf`` ...) raise ``InvalidArgumentError`` for integer input, as TensorFlow does.
The top-level names TensorFlow also has (``tf.sin``, ``tf.round`` ...) are the same objects.
"""
from __future__ import annotations

from typing import Any

from ._missing import missing_attribute as _missing_attribute
import numpy as np

from . import _integers
from . import _dispatch
from . import dtypes as _dtypes
from . import ops as _ops
from .dtypes import DTypeLike
from .errors import InvalidArgumentError
from .functions import (_axis, _float_unary, _numeric_unary, abs, add, add_n, argmax, argmin,  # noqa: F401
                        cumsum, divide, equal, exp, floordiv, floormod, greater, greater_equal, less, less_equal,
                        log, logical_and, logical_not, logical_or, maximum, minimum, multiply, negative,
                        not_equal, pow, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean,
                        reduce_min, reduce_prod, reduce_sum, rsqrt, sigmoid, sqrt, square, subtract, tanh, top_k,
                        truediv, where)
from .functions import mod  # noqa: F401
from .functions import log_softmax, softmax  # noqa: F401
from ._tape_stack import note_value_read
from .tensor import AxisLike, Tensor, TensorLike, apply_op, as_tensor, binary, coerce_pair

# ----------------------------------------------------------------------------- element-wise, one input


def _unary(op_cls: Any, op_name: Any, doc: Any) -> Any:
    def fn(x: TensorLike, name: str | None = None) -> Tensor:
        return _float_unary(op_cls(), x, op_name)
    fn.__name__ = fn.__qualname__ = op_name[0].lower() + "".join(
        "_" + c.lower() if c.isupper() else c for c in op_name[1:])
    fn.__doc__ = doc + ("\n\n``x``: a float tensor (any shape); the result has its shape and dtype. Raises "
                        "``InvalidArgumentError`` for integer tensors.")
    return fn


sin = _unary(_ops.Sin, "Sin", "Element-wise sine.")
cos = _unary(_ops.Cos, "Cos", "Element-wise cosine.")
tan = _unary(_ops.Tan, "Tan", "Element-wise tangent.")
asin = _unary(_ops.Asin, "Asin", "Element-wise arcsine (NaN outside [-1, 1]).")
acos = _unary(_ops.Acos, "Acos", "Element-wise arccosine (NaN outside [-1, 1]).")
atan = _unary(_ops.Atan, "Atan", "Element-wise arctangent.")
sinh = _unary(_ops.Sinh, "Sinh", "Element-wise hyperbolic sine.")
cosh = _unary(_ops.Cosh, "Cosh", "Element-wise hyperbolic cosine.")
asinh = _unary(_ops.Asinh, "Asinh", "Element-wise inverse hyperbolic sine.")
acosh = _unary(_ops.Acosh, "Acosh", "Element-wise inverse hyperbolic cosine (NaN below 1).")
atanh = _unary(_ops.Atanh, "Atanh", "Element-wise inverse hyperbolic tangent (+-inf at +-1).")
log1p = _unary(_ops.Log1p, "Log1p", "Element-wise ``log(1 + x)``, accurate for tiny x.")
expm1 = _unary(_ops.Expm1, "Expm1", "Element-wise ``exp(x) - 1``, accurate for tiny x.")
erf = _unary(_ops.Erf, "Erf", "Element-wise Gauss error function.")
erfc = _unary(_ops.Erfc, "Erfc", "Element-wise complementary error function ``1 - erf(x)``.")
reciprocal = _unary(_ops.Reciprocal, "Reciprocal", "Element-wise ``1 / x`` (inf at 0).")
softplus = _unary(_ops.Softplus, "Softplus", "Element-wise ``log(exp(x) + 1)``, computed without overflow.")
softsign = _unary(_ops.Softsign, "Softsign", "Element-wise ``x / (abs(x) + 1)``.")
log_sigmoid = _unary(_ops.LogSigmoid, "LogSigmoid", "Element-wise ``log(sigmoid(x))``, finite for x = -1000.")
lgamma = _unary(_ops.Lgamma, "Lgamma", "Element-wise ``log(abs(Gamma(x)))`` (inf at 0, -1, -2 ...).")
digamma = _unary(_ops.Digamma, "Digamma", "Element-wise derivative of ``lgamma`` (the psi function).")
floor = _unary(_ops.Floor, "Floor", "Element-wise floor (no gradient, as TensorFlow).")
ceil = _unary(_ops.Ceil, "Ceil", "Element-wise ceiling (no gradient, as TensorFlow).")


def round(x: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 - TensorFlow's name
    """Round half to even (banker's rounding, as TensorFlow): ``[0.5, 1.5, 2.5] -> [0., 2., 2.]``.

    Integer tensors are returned unchanged. No gradient (TensorFlow registers none).
    """
    return _numeric_unary(_ops.Round(), x, "Round")


rint = round


def sign(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise -1, 0 or 1 in ``x``'s dtype (ints too). The gradient is zeros, as TensorFlow."""
    return _numeric_unary(_ops.Sign(), x, "Sign")


# ----------------------------------------------------------------------------- element-wise, two inputs

def atan2(y: TensorLike, x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise angle of the point ``(x, y)`` in (-pi, pi]; ``y`` and ``x`` broadcast (float tensors)."""
    y, x = coerce_pair(y, x, "Atan2")
    _require_float(y, "Atan2")
    return binary(_ops.Atan2, y, x, "Atan2")


def squared_difference(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``(x - y) ** 2`` with broadcasting (ints too)."""
    return binary(_ops.SquaredDifference, x, y, "SquaredDifference")


def divide_no_nan(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x / y``, 0 where ``y == 0`` (float tensors); the gradient is 0 there too."""
    x, y = coerce_pair(x, y, "DivNoNan")
    _require_float(x, "DivNoNan")
    return binary(_ops.DivNoNan, x, y, "DivNoNan")


def reciprocal_no_nan(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``1 / x``, 0 where ``x == 0``."""
    x = as_tensor(x)
    return divide_no_nan(Tensor(np.ones((), dtype=x._value.dtype)), x)


def multiply_no_nan(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x * y``, 0 where ``y == 0`` even if ``x`` is inf or NaN (float tensors)."""
    x, y = coerce_pair(x, y, "MulNoNan")
    _require_float(x, "MulNoNan")
    return binary(_ops.MulNoNan, x, y, "MulNoNan")


def xlogy(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x * log(y)``, 0 where ``x == 0`` (even at ``y == 0``); float tensors."""
    x, y = coerce_pair(x, y, "Xlogy")
    _require_float(x, "Xlogy")
    return binary(_ops.Xlogy, x, y, "Xlogy")


def xdivy(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x / y``, 0 where ``x == 0`` (even at ``y == 0``); composed of ``where`` and ``divide``."""
    x, y = coerce_pair(x, y, "Xdivy")
    zero = equal(x, 0)
    safe_y = where(zero, Tensor(np.ones((), dtype=y._value.dtype)), y)
    return where(zero, Tensor(np.zeros((), dtype=x._value.dtype)), divide(x, safe_y))


def scalar_mul(scalar: Any, x: TensorLike, name: str | None = None) -> Tensor:
    """``scalar * x`` for a scalar (a number or 0-d tensor); raises ``ValueError`` for a non-scalar."""
    if np.ndim(as_tensor(scalar)._value) != 0:
        raise ValueError(f"scalar_mul: the scalar must be 0-d, got shape {as_tensor(scalar).shape}.")
    return multiply(x, scalar) if isinstance(x, Tensor) else multiply(scalar, x)


def logical_xor(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise exclusive OR of two bool tensors."""
    a, b = coerce_pair(x, y, "LogicalXor")
    return apply_op(_ops.NoGradient(np.logical_xor), a, b)


def _require_float(t: Any, op_name: Any) -> None:
    if t._value.dtype.kind not in "fc":
        raise InvalidArgumentError(f"{op_name}: expected a floating-point tensor, got {t.dtype.name} of shape "
                                   f"{t.shape}; cast it first, e.g. chainrule.cast(x, chainrule.float32).")


# ----------------------------------------------------------------------------- tests on values (no gradient)

def _predicate(ufunc: Any, op_name: Any, doc: Any) -> Any:
    def fn(x: TensorLike, name: str | None = None) -> Tensor:
        t = as_tensor(x)
        _require_float(t, op_name)
        return apply_op(_ops.NoGradient(ufunc), t)
    fn.__name__ = fn.__qualname__ = {"IsNan": "is_nan", "IsInf": "is_inf", "IsFinite": "is_finite"}[op_name]
    fn.__doc__ = doc + " A bool tensor of ``x``'s shape; ``x`` must be a float tensor."
    return fn


is_nan = _predicate(np.isnan, "IsNan", "Element-wise test for NaN.")
is_inf = _predicate(np.isinf, "IsInf", "Element-wise test for +-inf.")
is_finite = _predicate(np.isfinite, "IsFinite", "Element-wise test for finite values (not NaN, not inf).")


def _no_gradient(fn: Any, *tensors: Any) -> Any:
    """``fn`` on the arrays of ``tensors`` as a no-gradient op (so a traced function recomputes it)."""
    return apply_op(_ops.NoGradient(fn), *[as_tensor(t) for t in tensors])


def is_non_decreasing(x: TensorLike, name: str | None = None) -> Tensor:
    """True (a bool scalar) when ``x``, flattened, never decreases."""
    return _no_gradient(lambda v: np.all(v.ravel()[1:] >= v.ravel()[:-1]), x)


def is_strictly_increasing(x: TensorLike, name: str | None = None) -> Tensor:
    """True (a bool scalar) when ``x``, flattened, always increases."""
    return _no_gradient(lambda v: np.all(v.ravel()[1:] > v.ravel()[:-1]), x)


def zero_fraction(value: TensorLike, name: str | None = None) -> Tensor:
    """The fraction of zeros in ``value`` as a float32 scalar."""
    return _no_gradient(lambda v: np.asarray(np.mean(v == 0) if v.size else np.nan, dtype=np.float32), value)


# ----------------------------------------------------------------------------- reductions and scans

def reduce_variance(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
                    name: str | None = None) -> Tensor:
    """The (population) variance over ``axis`` (all axes when None): ``mean((x - mean(x))**2)``.

    Float tensors only (``TypeError`` otherwise, as TensorFlow); composed of ``reduce_mean`` and ``square``.
    """
    t = as_tensor(input_tensor)
    if t._value.dtype.kind not in "fc":
        raise TypeError(f"Input must be either real or complex. Received integer type {t.dtype!r}.")
    axis = _axis(axis)
    centered = t - reduce_mean(t, axis=axis, keepdims=True)
    return reduce_mean(square(centered), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """The (population) standard deviation over ``axis``: ``sqrt(reduce_variance(...))``; float tensors."""
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
                          name: str | None = None) -> Tensor:
    """``sqrt(sum(x**2))`` over ``axis`` (all axes when None)."""
    t = as_tensor(input_tensor)
    if t._value.dtype.kind not in "fc":  # TensorFlow keeps the integer dtype (truncated)
        return _no_gradient(lambda v: np.sqrt(np.sum(np.square(v.astype(np.float64)), axis=_axis(axis),
                                                     keepdims=keepdims)).astype(v.dtype), t)
    return sqrt(reduce_sum(square(t), axis=_axis(axis), keepdims=keepdims))


def cumprod(x: TensorLike, axis: AxisLike = 0, exclusive: bool = False, reverse: bool = False,
            name: str | None = None) -> Tensor:
    """Cumulative product along ``axis``; ``exclusive`` starts from 1, ``reverse`` runs from the end.

    ``cumprod([a, b, c]) = [a, a*b, a*b*c]``, ``exclusive=True``: ``[1, a, a*b]``,
    ``reverse=True``: ``[a*b*c, b*c, c]``. Differentiable (exactly, also at zeros).
    """
    t = as_tensor(x)
    if t._value.ndim == 0:
        raise InvalidArgumentError("Cumprod: the input must be at least 1-D, got a scalar [Op:Cumprod]")
    return _numeric_unary(_ops.CumProd(_integers.integer(axis, "axis", "Cumprod"), exclusive, reverse), t, "Cumprod")


# ----------------------------------------------------------------------------- segments

def _segment_ids(segment_ids: Any) -> Any:
    ids = as_tensor(segment_ids)
    if ids._value.dtype.kind not in "iu":
        raise InvalidArgumentError(f"segment_ids must be an integer tensor, got {ids.dtype.name}.")
    return ids


def _sorted_segment(reduction: Any, op_name: Any) -> Any:
    def fn(data: TensorLike, segment_ids: TensorLike, name: str | None = None) -> Tensor:
        ids = _segment_ids(segment_ids)
        note_value_read(ids)  # the number of segments comes from the values: a trace cannot replay it
        v = ids._value
        if v.ndim != 1:
            raise InvalidArgumentError(f"{op_name}: segment_ids should be a vector, got shape {list(v.shape)} "
                                       f"[Op:{op_name}]")
        if v.size and (np.any(v[1:] < v[:-1]) or v[0] < 0):
            raise InvalidArgumentError(f"segment ids are not increasing [Op:{op_name}]")
        num = int(v[-1]) + 1 if v.size else 0
        return _numeric_unary_pair(_ops.SegmentReduction(num, reduction, op_name, empty_value=0), data, ids,
                                   op_name)
    fn.__name__ = fn.__qualname__ = f"segment_{reduction}"
    fn.__doc__ = (f"The {reduction} of each segment of ``data``'s rows.\n\n``segment_ids``: a sorted 1-D int "
                  f"tensor of length ``data.shape[0]``; the output has ``segment_ids[-1] + 1`` rows (an empty "
                  f"segment gives 0). "
                  "Raises ``InvalidArgumentError`` when the ids are not sorted. Differentiable in ``data``.")
    return fn


def _unsorted_segment(reduction: Any, op_name: Any) -> Any:
    def fn(data: TensorLike, segment_ids: TensorLike, num_segments: Any, name: str | None = None) -> Tensor:
        ids = _segment_ids(segment_ids)
        num = _integers.integers(num_segments, "num_segments", op_name, "Tnumsegments")[0]
        return _numeric_unary_pair(_ops.SegmentReduction(num, reduction, op_name), data, ids, op_name)
    fn.__name__ = fn.__qualname__ = f"unsorted_segment_{reduction}"
    fn.__doc__ = (f"The {reduction} of the entries of ``data`` with each segment id, in any order.\n\n"
                  "``segment_ids``: an int tensor whose shape is a prefix of ``data.shape`` (negative ids are "
                  "dropped); the output shape is ``(num_segments,) + data.shape[segment_ids.ndim:]``. Ids >= "
                  "``num_segments`` raise ``InvalidArgumentError``. An empty segment gives 0 for sum and mean, the "
                  "dtype's lowest value for max and highest for min. Differentiable in ``data``.")
    return fn


def _numeric_unary_pair(op: Any, data: Any, ids: Any, op_name: Any) -> Any:
    t = as_tensor(data)
    if t._value.dtype.kind in "SO":
        raise InvalidArgumentError(f"{op_name}: cannot compute on a string tensor.")
    return apply_op(op, t, ids)


segment_sum = _sorted_segment("sum", "SegmentSum")
segment_mean = _sorted_segment("mean", "SegmentMean")
segment_max = _sorted_segment("max", "SegmentMax")
segment_min = _sorted_segment("min", "SegmentMin")
unsorted_segment_sum = _unsorted_segment("sum", "UnsortedSegmentSum")
unsorted_segment_mean = _unsorted_segment("mean", "UnsortedSegmentMean")
unsorted_segment_max = _unsorted_segment("max", "UnsortedSegmentMax")
unsorted_segment_min = _unsorted_segment("min", "UnsortedSegmentMin")


# ----------------------------------------------------------------------------- counting (no gradient)

def bincount(arr: TensorLike, weights: TensorLike = None, minlength: Any = None, maxlength: Any = None,
             dtype: DTypeLike = _dtypes.int32, name: str | None = None, axis: AxisLike = None,
             binary_output: bool = False) -> Tensor:
    """How often each value ``0 .. max(arr)`` occurs in the non-negative int tensor ``arr``.

    The length is ``max(arr) + 1``, at least ``minlength`` and at most ``maxlength``
    (values beyond it are ignored). With ``weights`` (``arr``'s shape) the counts are
    sums of weights in the weights' dtype. ``binary_output=True`` gives 1 where a value
    occurs. ``axis=-1`` counts each row of a 2-D ``arr`` separately. Negative values raise
    ``InvalidArgumentError``.
    """
    arr = as_tensor(arr)
    if arr._value.dtype.kind not in "iu":
        raise InvalidArgumentError(f"bincount: arr must be an integer tensor, got {arr.dtype.name}.")
    if axis not in (None, 0, -1) and axis != arr.ndim - 1:
        raise ValueError(f"bincount: axis must be None, 0 or -1, got {axis!r}.")
    inputs = [arr] if weights is None else [arr, as_tensor(weights)]
    default_dtype = _dtypes.as_dtype(dtype).dtype
    min_length = None if minlength is None else _integers.integer(minlength, "minlength", "Bincount")
    max_length = None if maxlength is None else _integers.integer(maxlength, "maxlength", "Bincount")

    def count_all(values: np.ndarray, w: Any = None) -> np.ndarray:
        if values.size and values.min() < 0:
            raise InvalidArgumentError(f"bincount: arr must be non-negative, got a minimum of {values.min()} "
                                       "[Op:Bincount]")
        length = int(values.max()) + 1 if values.size else 0
        if min_length is not None:
            length = max(length, min_length)
        if max_length is not None:
            length = min(length, max_length)

        def count(v: np.ndarray, wv: Any) -> np.ndarray:
            keep = v < length
            c = np.bincount(v[keep], weights=None if wv is None else wv[keep], minlength=length)[:length]
            return (c > 0) if binary_output else c

        if axis is None or (axis == 0 and values.ndim == 1):
            out = count(values.ravel(), None if w is None else w.ravel())
        else:
            rows = values.reshape(-1, values.shape[-1])
            wr = None if w is None else w.reshape(rows.shape)
            out = np.stack([count(r, None if wr is None else wr[i]) for i, r in enumerate(rows)]) \
                if len(rows) else np.zeros((0, length))
            out = out.reshape(values.shape[:-1] + (length,))
        return np.asarray(out).astype(default_dtype if w is None else w.dtype)
    return _no_gradient(count_all, *inputs)


def confusion_matrix(labels: TensorLike, predictions: TensorLike, num_classes: Any = None, weights: TensorLike = None,
                     dtype: DTypeLike = _dtypes.int32, name: str | None = None) -> Tensor:
    """The ``[num_classes, num_classes]`` matrix counting (label, prediction) pairs: rows are labels.

    ``num_classes`` defaults to ``max(max(labels), max(predictions)) + 1``; ``weights``
    (one per pair) are summed instead of 1s. Negative or too large values raise
    ``InvalidArgumentError``.
    """
    inputs = [labels, predictions] + ([] if weights is None else [weights])
    out_dtype = _dtypes.as_dtype(dtype).dtype
    if num_classes is not None:
        num_classes = _integers.integer(num_classes, "num_classes", "confusion_matrix")

    def matrix(lab: Any, pred: Any, w: Any = None) -> np.ndarray:
        lab, pred = lab.ravel().astype(np.int64), pred.ravel().astype(np.int64)
        if lab.shape != pred.shape:
            raise InvalidArgumentError(f"confusion_matrix: labels and predictions must have the same number of "
                                       f"values, got {lab.size} and {pred.size}.")
        n = int(max(lab.max(initial=-1), pred.max(initial=-1)) + 1) if num_classes is None else num_classes
        for what, v in (("labels", lab), ("predictions", pred)):
            if v.size and (v.min() < 0 or v.max() >= n):
                raise InvalidArgumentError(f"confusion_matrix: `{what}` out of bound: values must be in [0, {n}), "
                                           f"got {v.min()} to {v.max()}.")
        counts = np.bincount(lab * n + pred, weights=None if w is None else w.ravel(), minlength=n * n)
        return counts[:n * n].reshape(n, n).astype(out_dtype)
    return _no_gradient(matrix, *inputs)


def count_nonzero(input: TensorLike, axis: AxisLike = None, keepdims: Any = None, dtype: DTypeLike = _dtypes.int64,
                  name: str | None = None) -> Tensor:
    """The number of non-zero entries over ``axis`` (all when None), as int64 (strings: non-empty)."""
    out_dtype = _dtypes.as_dtype(dtype).dtype

    def count(v: np.ndarray) -> np.ndarray:
        nonzero = (v != b"") if v.dtype.kind in "SO" else (v != 0)
        return np.asarray(np.sum(nonzero, axis=_axis(axis), keepdims=bool(keepdims)), dtype=out_dtype)
    return _no_gradient(count, input)


def in_top_k(targets: TensorLike, predictions: TensorLike, k: TensorLike, name: str | None = None) -> Tensor:
    """Whether each ``targets[i]`` is among the ``k`` highest of ``predictions[i]`` (bool ``[batch]``).

    ``predictions``: float ``[batch, classes]``; ``targets``: int ``[batch]``. Ties at the
    boundary count as in (fewer than ``k`` classes score strictly higher); a non-finite
    prediction for the target gives False, as TensorFlow.
    """
    k = _integers.integer(k, "k", "InTopKV2")

    def in_top(t: np.ndarray, p: Any) -> np.ndarray:
        t = t.astype(np.intp)
        if p.ndim != 2 or t.shape != p.shape[:1]:
            raise InvalidArgumentError(f"in_top_k: predictions must be [batch, classes] and targets [batch], got "
                                       f"{list(p.shape)} and {list(t.shape)} [Op:InTopKV2]")
        valid = (t >= 0) & (t < p.shape[1])
        score = p[np.arange(len(t)), np.where(valid, t, 0)]
        higher = np.sum(p > score[:, None], axis=1)
        return valid & np.isfinite(score) & (higher < k)
    return _no_gradient(in_top, targets, predictions)


# ----------------------------------------------------------------------------- compositions

def polyval(coeffs: Any, x: TensorLike, name: str | None = None) -> Tensor:
    """The polynomial ``coeffs[0] * x**(n-1) + ... + coeffs[n-1]`` by Horner's rule (differentiable in both).

    ``coeffs`` is a list of tensors or numbers broadcasting with ``x``; an empty list gives zeros like ``x``.
    """
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"polyval: coeffs must be a list of tensors or numbers, got {type(coeffs).__name__}.")
    x = as_tensor(x)
    if not coeffs:
        return Tensor(np.zeros_like(x._value))
    result = as_tensor(coeffs[0]) if isinstance(coeffs[0], Tensor) else Tensor(np.asarray(coeffs[0],
                                                                                            dtype=x._value.dtype))
    for c in coeffs[1:]:
        result = result * x + c
    return result


def l2_normalize(x: TensorLike, axis: AxisLike = None, epsilon: float = 1e-12, name: str | None = None,
                 dim: Any = None) -> Tensor:
    """``x / sqrt(max(sum(x**2, axis), epsilon))`` along ``axis`` (all axes when None); differentiable."""
    axis = dim if axis is None else axis
    t = as_tensor(x)
    square_sum = reduce_sum(square(t), axis=_axis(axis), keepdims=True)
    return t * rsqrt(maximum(square_sum, Tensor(np.asarray(epsilon, dtype=t._value.dtype))))


def invert_permutation(x: TensorLike, name: str | None = None) -> Tensor:
    """The inverse of the permutation ``x`` (a 1-D int tensor): ``y[x[i]] = i``."""
    def invert(v: np.ndarray) -> np.ndarray:
        if v.ndim != 1 or sorted(v.tolist()) != list(range(len(v))):
            raise InvalidArgumentError(f"invert_permutation: {v.tolist()} is not a permutation of 0..{len(v) - 1}.")
        out = np.empty_like(v)
        out[v] = np.arange(len(v), dtype=v.dtype)
        return out
    return _no_gradient(invert, x)


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
