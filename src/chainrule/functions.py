"""Thin TensorFlow-named functions over the ops: ``reduce_mean``, ``matmul``, ``clip_by_value`` ...

Each takes Tensors, numpy arrays or Python numbers, converts them with
TensorFlow's rules, runs one op through :func:`chainrule.tensor.apply_op` (so
it is recorded on active tapes) and returns a Tensor.
"""
from __future__ import annotations

from typing import Any, Sequence

import builtins

import numpy as np

from . import _integers
from . import _dispatch
from . import dtypes as _dtypes
from . import ops as _ops
from .dtypes import DTypeLike
from .errors import InvalidArgumentError, UnimplementedError
from .tensor import AxisLike, Tensor, TensorLike, _true_divide, apply_op, as_tensor, binary, coerce_pair, to_array
from .tensor_shape import TensorShape

# ----------------------------------------------------------------------------- helpers


def _float_unary(op: Any, x: Any, op_name: Any) -> Any:
    t = as_tensor(x)
    if t._value.dtype.kind not in "fc":
        raise InvalidArgumentError(f"{op_name}: expected a floating-point tensor, got {t.dtype.name} of shape "
                                   f"{t.shape}; cast it first, e.g. chainrule.cast(x, chainrule.float32).")
    return apply_op(op, t)


def _numeric_unary(op: Any, x: Any, op_name: Any) -> Any:
    t = as_tensor(x)
    if t._value.dtype.kind in "SO":
        raise InvalidArgumentError(f"{op_name}: cannot compute on a string tensor.")
    return apply_op(op, t)


def _as_shape(shape: Any, op_name: str = "Reshape", what: str = "shape", attr: str = "Tshape",
              error: Any = InvalidArgumentError) -> tuple:
    """A shape argument as a tuple of ints (None -> -1); floats are refused, as TensorFlow does."""
    return tuple(-1 if s is None else s for s in _integers.integers(shape, what, op_name, attr, error))


def _axis(axis: Any, op_name: str = "Sum") -> Any:
    """An axis argument: None, an int or a tuple of ints (a float raises TensorFlow's TypeError)."""
    if axis is None:
        return None
    if isinstance(axis, Tensor) and axis._value.ndim == 0:
        return _integers.integer(axis, "axis", op_name)
    if isinstance(axis, (list, tuple, np.ndarray, Tensor)):
        return _integers.integers(axis, "axis", op_name, "Tidx", TypeError)
    return _integers.integer(axis, "axis", op_name)


# ----------------------------------------------------------------------------- arithmetic

def add(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x + y`` with broadcasting."""
    return binary(_ops.Add, x, y, "AddV2")


def subtract(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x - y`` with broadcasting."""
    return binary(_ops.Sub, x, y, "Sub")


def multiply(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x * y`` with broadcasting."""
    return binary(_ops.Mul, x, y, "Mul")


def divide(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x / y`` (integer inputs give floats, as in TensorFlow)."""
    return _true_divide(x, y)


truediv = divide


def floordiv(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x // y`` (no gradient)."""
    return binary(_ops.FloorDiv, x, y, "FloorDiv")


def floormod(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x % y`` with the sign of ``y`` (no gradient)."""
    return binary(_ops.Mod, x, y, "FloorMod")


mod = floormod


def negative(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``-x``."""
    return _numeric_unary(_ops.Neg(), x, "Neg")


def pow(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 - TensorFlow's name
    """Element-wise ``x ** y``."""
    return binary(_ops.Pow, x, y, "Pow")


def square(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``x ** 2``."""
    return _numeric_unary(_ops.Square(), x, "Square")


def sqrt(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise square root (float tensors)."""
    return _float_unary(_ops.Sqrt(), x, "Sqrt")


def rsqrt(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``1 / sqrt(x)`` (float tensors)."""
    return _float_unary(_ops.Rsqrt(), x, "Rsqrt")


def exp(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise ``e ** x`` (float tensors)."""
    return _float_unary(_ops.Exp(), x, "Exp")


def log(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise natural logarithm (float tensors)."""
    return _float_unary(_ops.Log(), x, "Log")


def abs(x: TensorLike, name: str | None = None) -> Tensor:  # noqa: A001 - TensorFlow's name
    """Element-wise absolute value."""
    return _numeric_unary(_ops.Abs(), x, "Abs")


def maximum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise maximum; the gradient goes to ``x`` on ties."""
    return binary(_ops.Maximum, x, y, "Maximum")


def minimum(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise minimum; the gradient goes to ``x`` on ties."""
    return binary(_ops.Minimum, x, y, "Minimum")


def sigmoid(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise logistic function ``1 / (1 + exp(-x))`` (never overflows)."""
    return _float_unary(_ops.Sigmoid(), x, "Sigmoid")


def tanh(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise hyperbolic tangent."""
    return _float_unary(_ops.Tanh(), x, "Tanh")


def where(condition: TensorLike, x: TensorLike = None, y: TensorLike = None, name: str | None = None) -> Tensor:
    """``x`` where ``condition`` is true, else ``y`` (all three broadcast).

    With only ``condition``, returns the int64 coordinates of the true entries, shape ``(n, rank)``.
    """
    cond = as_tensor(condition)
    if x is None and y is None:
        return apply_op(_ops.NoGradient(lambda c: np.argwhere(c).astype(np.int64)), cond)
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither.")
    x, y = coerce_pair(x, y, "SelectV2")
    if cond._value.dtype != bool:  # TensorFlow never reads numbers as truth values here
        raise InvalidArgumentError(f"cannot compute SelectV2 as input #0(zero-based) was expected to be a bool tensor "
                                   f"but is a {cond.dtype.name} tensor [Op:SelectV2]; compare first, e.g. "
                                   "chainrule.where(c > 0, x, y), or cast with chainrule.cast(c, chainrule.bool).")
    try:
        return apply_op(_ops.Where(), cond, x, y)
    except ValueError:
        raise InvalidArgumentError(f"condition {list(cond.shape)}, then {list(x.shape)}, and else {list(y.shape)} "
                                   "must be broadcastable [Op:SelectV2]") from None


def clip_by_value(t: TensorLike, clip_value_min: TensorLike, clip_value_max: TensorLike,
                  name: str | None = None) -> Tensor:
    """Clip values into ``[clip_value_min, clip_value_max]``; the gradient passes inside the range."""
    t = as_tensor(t)
    lo = to_array(clip_value_min, t._value.dtype)
    hi = to_array(clip_value_max, t._value.dtype)
    return apply_op(_ops.Clip(lo, hi), t)


def matmul(a: TensorLike, b: TensorLike, transpose_a: bool = False, transpose_b: bool = False,
           name: str | None = None) -> Tensor:
    """Matrix product ``op(a) @ op(b)``, batched over leading axes (rank >= 2)."""
    return binary(_ops.MatMul, a, b, "MatMul", transpose_a=transpose_a, transpose_b=transpose_b)


# ----------------------------------------------------------------------------- reductions

def reduce_sum(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """Sum over ``axis`` (all axes when None)."""
    return _numeric_unary(_ops.Sum(_axis(axis, "Sum"), keepdims), input_tensor, "Sum")


def reduce_mean(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
                name: str | None = None) -> Tensor:
    """Mean over ``axis`` (all axes when None); integer tensors give truncated integer means."""
    return _numeric_unary(_ops.Mean(_axis(axis), keepdims), input_tensor, "Mean")


def reduce_max(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """Maximum over ``axis``; the gradient is shared among tied maxima."""
    return _numeric_unary(_ops.Max(_axis(axis), keepdims), input_tensor, "Max")


def reduce_min(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """Minimum over ``axis``; the gradient is shared among tied minima."""
    return _numeric_unary(_ops.Min(_axis(axis), keepdims), input_tensor, "Min")


def reduce_prod(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
                name: str | None = None) -> Tensor:
    """Product over ``axis``."""
    return _numeric_unary(_ops.Prod(_axis(axis), keepdims), input_tensor, "Prod")


def reduce_any(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """Logical OR over ``axis`` (no gradient)."""
    return apply_op(_ops.NoGradient(np.any, axis=_axis(axis), keepdims=keepdims), as_tensor(input_tensor))


def reduce_all(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """Logical AND over ``axis`` (no gradient)."""
    return apply_op(_ops.NoGradient(np.all, axis=_axis(axis), keepdims=keepdims), as_tensor(input_tensor))


# ----------------------------------------------------------------------------- shapes

def reshape(tensor: TensorLike, shape: Any, name: str | None = None) -> Tensor:
    """Reshape; one dimension may be -1. A shape of floats raises ``InvalidArgumentError`` (as TensorFlow)."""
    return apply_op(_ops.Reshape(_as_shape(shape)), as_tensor(tensor))


def transpose(a: TensorLike, perm: TensorLike = None, conjugate: bool = False, name: str | None = None) -> Tensor:
    """Permute the axes by ``perm`` (reverse them by default)."""
    if perm is not None:
        perm = _integers.integers(perm, "perm", "Transpose", "Tperm")
    return apply_op(_ops.Transpose(perm), as_tensor(a))


def _same_dtype(values: Any, op_name: Any) -> Any:
    values = list(values)
    if not values:
        raise ValueError(f"{op_name}: expected a non-empty list of tensors.")
    first = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = first._value.dtype if first is not None else to_array(values[0]).dtype
    out = []
    for i, v in enumerate(values):
        if isinstance(v, Tensor):
            # by DType: strings of different lengths (numpy's S3 and S5) are one dtype, 'string', as in TensorFlow
            if v._value.dtype != dtype and v.dtype != _dtypes.as_dtype(dtype):
                raise InvalidArgumentError(
                    f"{op_name}: all inputs must have one dtype; input #{i} is {v.dtype.name}, expected "
                    f"{_dtypes.as_dtype(dtype).name}. Cast it first.")
            out.append(v)
        else:
            out.append(Tensor(to_array(v, dtype)))
    return out


def concat(values: TensorLike, axis: AxisLike, name: str | None = None) -> Tensor:
    """Join tensors along an existing ``axis``."""
    ts = _same_dtype(values, "ConcatV2")
    return apply_op(_ops.Concat(_integers.integer(axis, "axis", "ConcatV2")), *ts)


def stack(values: TensorLike, axis: AxisLike = 0, name: str | None = None) -> Tensor:
    """Stack same-shaped tensors along a new ``axis``."""
    ts = _same_dtype(values, "Pack")
    return apply_op(_ops.Stack(int(axis)), *ts)


def broadcast_to(input: TensorLike, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Broadcast ``input`` to ``shape``."""
    return apply_op(_ops.BroadcastTo(_as_shape(shape, "BroadcastTo", "shape", "Tidx")), as_tensor(input))


def cast(x: TensorLike, dtype: DTypeLike, name: str | None = None) -> Tensor:
    """Convert ``x`` to ``dtype``; differentiable between float types."""
    t = as_tensor(x)
    target = _dtypes.as_dtype(dtype)
    if t._value.dtype == target.dtype and not t._is_variable:
        return t
    if target is _dtypes.string or t._value.dtype.kind in "SO":
        raise UnimplementedError(f"Cast {t.dtype.name} to {target.name} is not supported [Op:Cast]; use "
                                 "chainrule.strings.to_number or chainrule.strings.as_string.")
    return apply_op(_ops.Cast(target.dtype), t)


def identity(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """A copy of ``input`` (differentiable)."""
    return apply_op(_ops.Identity(), as_tensor(input))


def squeeze(input: TensorLike, axis: AxisLike = None, name: str | None = None) -> Tensor:  # noqa: A002
    """Remove axes of size 1 (all of them, or those in ``axis``)."""
    t = as_tensor(input)
    shape = t._value.shape
    axes = builtins.range(len(shape)) if axis is None else [a % len(shape) for a in np.atleast_1d(_axis(axis))]
    for a in axes:
        if axis is not None and shape[a] != 1:
            raise InvalidArgumentError(f"squeeze: cannot squeeze axis {a} of size {shape[a]} (shape {shape}).")
    new = tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1))
    return reshape(t, new)


def expand_dims(input: TensorLike, axis: AxisLike, name: str | None = None) -> Tensor:  # noqa: A002
    """Insert an axis of size 1 at ``axis``."""
    t = as_tensor(input)
    shape = list(t._value.shape)
    axis = _integers.integer(axis, "axis", "ExpandDims")
    if not -len(shape) - 1 <= axis <= len(shape):
        raise InvalidArgumentError(f"Tried to expand dim index {axis} for tensor with {len(shape)} dimensions. "
                                   f"[Op:ExpandDims] (valid axes for shape {tuple(shape)}: {-len(shape) - 1} to "
                                   f"{len(shape)})")
    shape.insert(axis if axis >= 0 else len(shape) + 1 + axis, 1)
    return reshape(t, shape)


# ----------------------------------------------------------------------------- no-gradient helpers

def rank(input: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    """The number of dimensions as an int32 scalar tensor."""
    return Tensor(np.asarray(np.ndim(as_tensor(input)._value), dtype=np.int32))


def shape(input: TensorLike, out_type: Any = _dtypes.int32, name: str | None = None) -> Tensor:  # noqa: A002
    """The shape as a 1-D int32 tensor."""
    return Tensor(np.asarray(as_tensor(input)._value.shape, dtype=_dtypes.as_dtype(out_type).dtype))


def size(input: TensorLike, out_type: Any = _dtypes.int32, name: str | None = None) -> Tensor:  # noqa: A002
    """The number of elements as a scalar tensor."""
    return Tensor(np.asarray(as_tensor(input)._value.size, dtype=_dtypes.as_dtype(out_type).dtype))


def _dims(shape: Any, op_name: str = "Fill", error: Any = InvalidArgumentError) -> tuple:
    """``shape`` as a tuple of sizes; a negative size or a float raises TensorFlow's error."""
    dims = _as_shape(shape, op_name, "shape", "index_type", error)
    for d in dims:
        if d < 0:
            raise InvalidArgumentError(f"Dimension {d} must be >= 0 [Op:{op_name}] (shape {list(dims)})")
    return dims


def zeros(shape: Any, dtype: DTypeLike = _dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of zeros of ``shape`` (float32 by default); a negative size raises ``InvalidArgumentError``."""
    return Tensor(np.zeros(_dims(shape, error=TypeError), dtype=_dtypes.as_dtype(dtype).dtype))


def ones(shape: Any, dtype: DTypeLike = _dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of ones of ``shape`` (float32 by default); a negative size raises ``InvalidArgumentError``."""
    return Tensor(np.ones(_dims(shape, error=TypeError), dtype=_dtypes.as_dtype(dtype).dtype))


def zeros_like(input: TensorLike, dtype: DTypeLike | None = None, name: str | None = None) -> Tensor:  # noqa: A002
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    v = as_tensor(input)._value
    return Tensor(np.zeros(v.shape, dtype=v.dtype if dtype is None else _dtypes.as_dtype(dtype).dtype))


def ones_like(input: TensorLike, dtype: DTypeLike | None = None, name: str | None = None) -> Tensor:  # noqa: A002
    """Ones with the shape (and dtype, unless given) of ``input``."""
    v = as_tensor(input)._value
    return Tensor(np.ones(v.shape, dtype=v.dtype if dtype is None else _dtypes.as_dtype(dtype).dtype))


def fill(dims: Any, value: TensorLike, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value`` (its dtype: ints give int32, floats float32).

    A negative size raises ``InvalidArgumentError``.
    """
    shape = _dims(dims)
    if isinstance(value, Tensor):  # an op, so a traced function fills with the value of each call
        return apply_op(_ops.NoGradient(lambda v: np.full(shape, v, dtype=v.dtype)), value)
    v = to_array(value)
    return Tensor(np.full(shape, v, dtype=v.dtype))


def _arg_axis(t: Any, axis: Any, op_name: Any) -> int:
    axis = 0 if axis is None else _integers.integer(axis, "axis", op_name)
    if not -t.ndim <= axis < max(t.ndim, 1):
        raise InvalidArgumentError(f"Expected dimension in the range [{-t.ndim}, {t.ndim}), but got {axis} "
                                   f"[Op:{op_name}] (shape {t.shape})")
    return axis


def argmax(input: TensorLike, axis: AxisLike = None, output_type: Any = _dtypes.int64,
           name: str | None = None) -> Tensor:
    """Index of the largest value along ``axis`` (default 0), int64; a bad axis raises ``InvalidArgumentError``."""
    dtype = _dtypes.as_dtype(output_type).dtype
    t = as_tensor(input)
    ax = _arg_axis(t, axis, "ArgMax")
    return apply_op(_ops.NoGradient(lambda v: np.argmax(v, axis=ax).astype(dtype)), t)


def argmin(input: TensorLike, axis: AxisLike = None, output_type: Any = _dtypes.int64,
           name: str | None = None) -> Tensor:
    """Index of the smallest value along ``axis`` (default 0), int64; a bad axis raises ``InvalidArgumentError``."""
    dtype = _dtypes.as_dtype(output_type).dtype
    t = as_tensor(input)
    ax = _arg_axis(t, axis, "ArgMin")
    return apply_op(_ops.NoGradient(lambda v: np.argmin(v, axis=ax).astype(dtype)), t)


def _comparison(ufunc: Any, op_name: Any) -> Any:
    def compare(x: TensorLike, y: TensorLike, name: str | None = None) -> Tensor:
        a, b = coerce_pair(x, y, op_name)
        return apply_op(_ops.NoGradient(ufunc), a, b)
    compare.__name__ = ufunc.__name__
    compare.__doc__ = f"Element-wise ``{ufunc.__name__}`` as a bool tensor (no gradient)."
    return compare


equal = _comparison(np.equal, "Equal")
not_equal = _comparison(np.not_equal, "NotEqual")
greater = _comparison(np.greater, "Greater")
greater_equal = _comparison(np.greater_equal, "GreaterEqual")
less = _comparison(np.less, "Less")
less_equal = _comparison(np.less_equal, "LessEqual")
logical_and = _comparison(np.logical_and, "LogicalAnd")
logical_or = _comparison(np.logical_or, "LogicalOr")


def logical_not(x: TensorLike, name: str | None = None) -> Tensor:
    """Element-wise NOT of a bool tensor."""
    return apply_op(_ops.NoGradient(np.logical_not), as_tensor(x))


def one_hot(indices: TensorLike, depth: TensorLike, on_value: TensorLike = None, off_value: TensorLike = None,
            axis: AxisLike = -1, dtype: DTypeLike | None = None, name: str | None = None) -> Tensor:
    """One-hot rows: shape ``indices.shape + (depth,)``; out-of-range indices give all-off rows.

    ``depth`` must be a non-negative integer (``TypeError`` for 2.5, ``InvalidArgumentError`` for -1).
    As TensorFlow, a numpy array of floats is converted to int64 (truncating); float Python numbers and a
    float Tensor raise ``InvalidArgumentError``.
    """
    if isinstance(indices, np.ndarray) and indices.dtype.kind == "f":
        indices = indices.astype(np.int64)
    depth = _integers.integer(depth, "depth", "OneHot")
    if depth < 0:
        raise InvalidArgumentError(f"depth must be non-negative, got: {depth} [Op:OneHot]")
    idx_tensor = as_tensor(indices)
    if idx_tensor._value.dtype.kind not in "iu":
        raise InvalidArgumentError(f"OneHot: indices must be integers (uint8, int8, int32 or int64), got "
                                   f"{idx_tensor.dtype.name}; cast them first.")
    dt = _dtypes.as_dtype(dtype).dtype if dtype is not None else np.float32
    on = np.asarray(1 if on_value is None else to_array(on_value), dtype=dt)
    off = np.asarray(0 if off_value is None else to_array(off_value), dtype=dt)

    def encode(idx: np.ndarray) -> np.ndarray:
        hot = idx.astype(np.int64)[..., None] == np.arange(depth)
        out = np.where(hot, on, off)
        return np.moveaxis(out, -1, axis) if axis != -1 else out
    return apply_op(_ops.NoGradient(encode), idx_tensor)


# ----------------------------------------------------------------------------- more of TensorFlow's namespace

def tile(input: TensorLike, multiples: TensorLike, name: str | None = None) -> Tensor:  # noqa: A002
    """Repeat ``input`` ``multiples[i]`` times along each axis i."""
    return apply_op(_ops.Tile(_as_shape(multiples, "Tile", "multiples", "Tmultiples")), as_tensor(input))


def gather(params: TensorLike, indices: TensorLike, axis: AxisLike = None, batch_dims: int = 0,
           name: str | None = None) -> Tensor:
    """Slices of ``params`` along ``axis`` (default 0) at integer ``indices``; differentiable in ``params``.

    Float indices raise ``InvalidArgumentError`` (TensorFlow never truncates them).
    """
    axis = 0 if axis is None else _integers.integers(axis, "axis", "GatherV2", "Taxis")[0]
    idx = as_tensor(indices)
    if idx._value.dtype.kind not in "iu":
        raise InvalidArgumentError(f"Value for attr 'Tindices' of {idx.dtype.name} is not in the list of allowed "
                                   f"values: int16, int32, int64 [Op:GatherV2]: indices must be integers, got "
                                   f"{idx.dtype.name} values; cast them first: chainrule.cast(i, chainrule.int32).")
    return apply_op(_ops.Gather(axis), as_tensor(params), idx)


def boolean_mask(tensor: TensorLike, mask: TensorLike, axis: AxisLike = None, name: str | None = None) -> Tensor:
    """The entries of ``tensor`` where the bool ``mask`` (matching its leading axes) is true."""
    t, m = as_tensor(tensor), np.asarray(as_tensor(mask)._value, dtype=bool)
    axis = 0 if axis is None else int(axis)
    if t._value.shape[axis:axis + m.ndim] != m.shape:
        raise InvalidArgumentError(f"boolean_mask: mask of shape {m.shape} does not match the tensor's shape "
                                   f"{t.shape} at axis {axis}.")
    return t[(slice(None),) * axis + (m,)]


def sort(values: TensorLike, axis: AxisLike = -1, direction: str = "ASCENDING", name: str | None = None) -> Tensor:
    """Sorted copy along ``axis`` ('ASCENDING' or 'DESCENDING'); differentiable."""
    t = as_tensor(values)
    return apply_op(_ops.TakeAlongAxis(axis), t, argsort(t, axis, direction))


def argsort(values: TensorLike, axis: AxisLike = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> Tensor:
    """Indices (int32) that sort ``values`` along ``axis``."""
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"argsort: direction must be 'ASCENDING' or 'DESCENDING', got {direction!r}.")

    def order(v: np.ndarray) -> np.ndarray:
        idx = np.argsort(-v if direction == "DESCENDING" else v, axis=axis, kind="stable")
        return idx.astype(np.int32)
    return apply_op(_ops.NoGradient(order), as_tensor(values))


class TopKV2(tuple):
    """``(values, indices)`` of ``math.top_k``, also readable as ``.values`` / ``.indices``."""

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]


def top_k(input: TensorLike, k: TensorLike = 1, sorted: bool = True, name: str | None = None) -> TopKV2:  # noqa: A002
    """The ``k`` largest entries along the last axis and their indices (values are differentiable).

    ``k`` must be an integer from 0 to the size of the last axis (``InvalidArgumentError`` otherwise).
    """
    t = as_tensor(input)
    k = _integers.integer(k, "k", "TopKV2")
    if k < 0:
        raise InvalidArgumentError(f"Need k >= 0, got {k} [Op:TopKV2]")
    columns = t._value.shape[-1] if t.ndim else 0
    if t.ndim == 0 or columns < k:
        raise InvalidArgumentError(f"input must have at least k columns. Had {columns}, needed {k} [Op:TopKV2] "
                                   f"(input shape {t.shape})")
    idx = apply_op(_ops.NoGradient(lambda v: np.argsort(-v, axis=-1, kind="stable")[..., :k].astype(np.int32)), t)
    return TopKV2((apply_op(_ops.TakeAlongAxis(-1), t, idx), idx))


def unique(x: TensorLike, out_idx: DTypeLike = _dtypes.int32, name: str | None = None) -> TopKV2:
    """``(y, idx)``: the unique values in order of first appearance, and each entry's position in ``y``."""
    v = np.asarray(as_tensor(x)._value)
    if v.ndim != 1:
        raise InvalidArgumentError(f"unique: expected a 1-D tensor, got shape {v.shape}.")
    _, first, inverse = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    y = v[np.sort(first)]
    return TopKV2((Tensor(y), Tensor(rank[inverse].astype(_dtypes.as_dtype(out_idx).dtype))))


def cumsum(x: TensorLike, axis: AxisLike = 0, exclusive: bool = False, reverse: bool = False,
           name: str | None = None) -> Tensor:
    """Cumulative sum along ``axis``; differentiable."""
    return _numeric_unary(_ops.CumSum(_integers.integer(axis, "axis", "Cumsum"), exclusive, reverse), x, "Cumsum")


def range(start: TensorLike, limit: TensorLike = None, delta: TensorLike = 1, dtype: DTypeLike | None = None,
          name: str = "range") -> Tensor:
    """``[start, limit)`` in steps of ``delta`` (int32 for ints, float32 for floats, like TensorFlow)."""
    if limit is None:
        start, limit = 0, start
    values = [start, limit, delta]
    is_float = any(isinstance(v, float) or (isinstance(v, Tensor) and v.dtype.is_floating) for v in values)
    target = _dtypes.as_dtype(dtype).dtype if dtype is not None else (np.float32 if is_float else np.int32)
    start, limit, delta = [np.asarray(to_array(v)).item() for v in values]
    if delta == 0:
        raise InvalidArgumentError(f"Requires delta != 0: {delta} [Op:Range]")
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        relation = "start <= limit when delta > 0" if delta > 0 else "start >= limit when delta < 0"
        raise InvalidArgumentError(f"Requires {relation}: {start}/{limit} [Op:Range]")
    return Tensor(np.arange(start, limit, delta).astype(target))


def linspace(start: TensorLike, stop: Any, num: TensorLike, name: str | None = None, axis: AxisLike = 0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (float32 for Python floats)."""
    s = to_array(start)
    dtype = s.dtype if s.dtype.kind == "f" else np.float32
    num = _integers.integer(num, "num", "LinSpace")
    return Tensor(np.linspace(s, to_array(stop), num, axis=axis).astype(dtype))


def eye(num_rows: Any, num_columns: Any = None, batch_shape: Any = None, dtype: DTypeLike = _dtypes.float32,
        name: str | None = None) -> Tensor:
    """An identity matrix (optionally batched); sizes must be integers (``TypeError`` otherwise, as TensorFlow)."""
    rows = _integers.integer(num_rows, "num_rows", "eye")
    columns = None if num_columns is None else _integers.integer(num_columns, "num_columns", "eye")
    m = np.eye(rows, columns, dtype=_dtypes.as_dtype(dtype).dtype)
    if batch_shape is not None:
        m = np.broadcast_to(m, _dims(batch_shape, "eye", TypeError) + m.shape).copy()
    return Tensor(m)


def add_n(inputs: Sequence[TensorLike], name: str | None = None) -> Tensor:
    """The element-wise sum of a list of tensors."""
    total: Any = None
    for x in inputs:
        total = x if total is None else add(total, x)
    return total


def reduce_logsumexp(input_tensor: TensorLike, axis: AxisLike = None, keepdims: bool = False,
                     name: str | None = None) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis`` (all axes when None), computed without overflow.

    The maximum is subtracted first (and held constant for the gradient, which is the
    softmax); an all ``-inf`` slice gives ``-inf`` and a ``+inf`` entry gives ``+inf``, as TensorFlow.
    """
    t = as_tensor(input_tensor)
    axis = _axis(axis)
    # The shift is held constant (a no-gradient op): the gradient is the softmax, as TensorFlow's.
    m = apply_op(_ops.NoGradient(_finite_or_zero), reduce_max(t, axis=axis, keepdims=True))
    out = log(reduce_sum(exp(t - m), axis=axis, keepdims=True)) + m
    return out if keepdims else squeeze(out, axis=axis)


def _finite_or_zero(v: Any) -> Any:
    return np.where(np.isfinite(v), v, np.zeros((), dtype=v.dtype))


# ----------------------------------------------------------------------------- splitting, slicing, reordering

def split(value: TensorLike, num_or_size_splits: Any, axis: AxisLike = 0, num: int | None = None,
          name: str = "split") -> list[Tensor]:
    """Split ``value`` along ``axis`` into ``num_or_size_splits`` equal parts, or parts of the given sizes.

    Sizes may contain one -1 (the rest). Returns a list of tensors; differentiable. Raises
    ``InvalidArgumentError`` when the parts do not divide (or add up to) the axis' size.
    """
    t = as_tensor(value)
    axis = _integers.integer(axis, "axis", "Split") % max(t.ndim, 1)
    n = t._value.shape[axis]
    if isinstance(num_or_size_splits, Tensor):
        num_or_size_splits = num_or_size_splits._value.tolist()
    if isinstance(num_or_size_splits, (float, np.floating)):
        raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits argument to split. Argument "
                         f"provided: {num_or_size_splits}. Pass an int (the number of equal parts) or a list of "
                         "int sizes.")
    if isinstance(num_or_size_splits, (int, np.integer)):
        parts = int(num_or_size_splits)
        if parts <= 0 or n % parts:
            raise InvalidArgumentError(f"Number of ways to split should evenly divide the split dimension, but got "
                                       f"split_dim {axis} (size = {n}) and num_split {parts} [Op:Split]")
        sizes = [n // parts] * parts
    else:
        sizes = list(_integers.integers(num_or_size_splits, "num_or_size_splits", "SplitV", "Tlen"))
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise InvalidArgumentError(f"Determined shape must either match input shape along split_dim exactly if "
                                       f"fully specified, or be less than the size of the input along split_dim if "
                                       f"not fully specified.  Got: {sum(sizes)} (sizes {sizes}, dimension {axis} "
                                       f"has size {n}) [Op:SplitV]")
    out, start = [], 0
    for size in sizes:
        out.append(t[(slice(None),) * axis + (slice(start, start + size),)])
        start += size
    return out


def unstack(value: TensorLike, num: int | None = None, axis: AxisLike = 0, name: str = "unstack") -> list[Tensor]:
    """The slices of ``value`` along ``axis`` as a list of tensors of rank one less; differentiable."""
    t = as_tensor(value)
    if t.ndim == 0:
        raise ValueError("unstack: cannot unstack a scalar tensor.")
    axis = int(axis)
    if not -t.ndim <= axis < t.ndim:
        raise ValueError(f"unstack: axis = {axis} not in [{-t.ndim}, {t.ndim}) for shape {t.shape}.")
    axis %= t.ndim
    return [t[(slice(None),) * axis + (i,)] for i in builtins.range(t._value.shape[axis])]


def slice_(input_: TensorLike, begin: Any, size: Any, name: str | None = None) -> Tensor:
    """The block of ``input_`` starting at ``begin`` with ``size`` entries per axis (-1: to the end).

    Raises ``InvalidArgumentError`` when the block does not fit in the input; differentiable.
    """
    t = as_tensor(input_)
    begin, size = _as_shape(begin, "Slice", "begin", "Index"), _as_shape(size, "Slice", "size", "Index")
    key = []
    for axis, (b, s, n) in enumerate(zip(begin, size, t._value.shape)):
        s = n - b if s == -1 else s
        if b < 0 or b > n or s < 0 or b + s > n:
            raise InvalidArgumentError(f"Expected size[{axis}] in [0, {n - b}], but got {s} [Op:Slice] (begin "
                                       f"{list(begin)}, size {list(size)}, input shape {t.shape})")
        key.append(builtins.slice(b, b + s))
    return t[tuple(key)]


slice_.__name__ = slice_.__qualname__ = "slice"  # tf.slice; not named so here, to keep Python's slice usable


def reverse(tensor: TensorLike, axis: AxisLike, name: str | None = None) -> Tensor:
    """``tensor`` with the order of entries along each axis in ``axis`` reversed; differentiable."""
    t = as_tensor(tensor)
    axes = {a % t.ndim for a in _integers.integers(axis, "axis", "ReverseV2", "Tidx")}
    return t[tuple(builtins.slice(None, None, -1) if i in axes else builtins.slice(None)
                   for i in builtins.range(t.ndim))]


def roll(input: TensorLike, shift: Any, axis: AxisLike, name: str | None = None) -> Tensor:  # noqa: A002
    """Shift entries along ``axis`` by ``shift`` (wrapping around); several axes/shifts may be given."""
    t = as_tensor(input)
    shifts = np.asarray(_integers.integers(shift, "shift", "Roll", "Tshift"))
    axes = np.asarray(_integers.integers(axis, "axis", "Roll", "Taxis"))
    for s, a in np.broadcast(shifts, axes):
        a = int(a) % t.ndim
        n = t._value.shape[a]
        s = int(s) % n if n else 0
        if s:
            pre = (builtins.slice(None),) * a
            t = concat([t[pre + (builtins.slice(n - s, None),)], t[pre + (builtins.slice(None, n - s),)]], axis=a)
    return t


def repeat(input: TensorLike, repeats: Any, axis: AxisLike = None, name: str | None = None) -> Tensor:  # noqa: A002
    """Repeat each entry ``repeats`` times along ``axis`` (the flattened input when None); differentiable."""
    t = as_tensor(input)
    reps = as_tensor(repeats)._value
    if reps.dtype.kind not in "iub":
        raise TypeError(f"Argument `tensor` (name: repeats) must be of type integer. Received `tensor` = {repeats!r} "
                        f"of dtype: {as_tensor(repeats).dtype.name}. Pass integers.")
    if axis is None:
        t, axis = reshape(t, [-1]), 0
    axis = int(axis) % t.ndim
    index = np.repeat(np.arange(t._value.shape[axis]), reps)
    return gather(t, index, axis=axis)


def gather_nd(params: TensorLike, indices: TensorLike, batch_dims: int = 0, name: str | None = None) -> Tensor:
    """Slices of ``params`` at the index tuples along ``indices``' last axis (see ``ops.GatherNd``); differentiable.

    Only ``batch_dims=0`` is supported.
    """
    if batch_dims:
        raise NotImplementedError("gather_nd: batch_dims > 0 is not supported in chainrule.")
    return apply_op(_ops.GatherNd(), as_tensor(params), as_tensor(indices))


def meshgrid(*args: TensorLike, **kwargs: Any) -> list[Tensor]:
    """Coordinate grids from 1-D tensors, ``indexing='xy'`` (default, as numpy) or ``'ij'``; differentiable."""
    indexing = kwargs.pop("indexing", "xy")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}.")
    ts = [reshape(as_tensor(a), [-1]) for a in args]
    shape = [int(t._value.shape[0]) for t in ts]
    if indexing == "xy" and len(ts) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(ts):
        axis = i
        if indexing == "xy" and len(ts) >= 2 and i < 2:
            axis = 1 - i
        view = [1] * len(ts)
        view[axis] = -1
        out.append(broadcast_to(reshape(t, view), shape))
    return out


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: DTypeLike = _dtypes.bool, name: str | None = None) -> Tensor:
    """``mask[..., j] = j < lengths[...]``: shape ``lengths.shape + (maxlen,)`` (maxlen default: max(lengths))."""
    target = _dtypes.as_dtype(dtype).dtype

    def mask(v: np.ndarray) -> np.ndarray:
        n = int(v.max()) if maxlen is None and v.size else int(maxlen or 0)
        return (np.arange(n) < v[..., None]).astype(target)
    return apply_op(_ops.NoGradient(mask), as_tensor(lengths))


def ensure_shape(x: TensorLike, shape: Any, name: str | None = None) -> Tensor:
    """``x`` unchanged if its shape is compatible with ``shape`` (None for any size), else ``InvalidArgumentError``."""
    t = as_tensor(x)
    expected = TensorShape(shape)
    if not expected.is_compatible_with(t.shape):
        raise InvalidArgumentError(f"Shape of tensor x {list(t.shape)} is not compatible with expected shape "
                                   f"{expected.as_list()}. [Op:EnsureShape]")
    return t


def is_tensor(x: TensorLike) -> bool:
    """True for a chainrule Tensor or Variable (also a SparseTensor or RaggedTensor), False otherwise."""
    return isinstance(x, Tensor) or getattr(x, "_is_chainrule_composite", False)


# ----------------------------------------------------------------------------- softmax (tf.nn and tf.math)

def softmax(logits: TensorLike, axis: AxisLike = None, name: str | None = None) -> Tensor:
    """Softmax along ``axis`` (default last), computed from shifted logits."""
    return _float_unary(_ops.Softmax(-1 if axis is None else axis), logits, "Softmax")


def log_softmax(logits: TensorLike, axis: AxisLike = None, name: str | None = None) -> Tensor:
    """Log-softmax along ``axis`` (default last), finite for logits of +-1000."""
    return _float_unary(_ops.LogSoftmax(-1 if axis is None else axis), logits, "LogSoftmax")


# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
