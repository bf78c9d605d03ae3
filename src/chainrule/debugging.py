"""``chainrule.debugging``: TensorFlow's run-time assertions (``tf.debugging.assert_equal`` ...).

Value checks raise ``InvalidArgumentError`` with TensorFlow's message
("Condition x == y did not hold." ...); each is an op, so inside a
``chainrule.function`` it checks the values of every call. Static checks on
ranks, shapes and dtypes raise ``ValueError``/``TypeError`` at once, as
TensorFlow does. Every assertion returns None (``check_numerics`` returns its
input).
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import numpy as np

from . import dtypes as _dtypes
from . import ops as _ops
from .errors import InvalidArgumentError
from .tensor import Tensor, apply_op, as_tensor, coerce_pair

_SUMMARIZE = 3


def _check(fn, *tensors):
    """Run ``fn`` on the tensors' arrays as an op (a replayed trace checks again); ``fn`` raises on failure."""
    def run(*arrays):
        fn(*arrays)
        return np.zeros((), dtype=np.bool_)
    apply_op(_ops.NoGradient(run), *tensors)


def _head(a, n) -> str:
    return str(np.asarray(a).ravel()[:n])


def _pair_message(symbol, x, y, fails, summarize, message):
    n = _SUMMARIZE if summarize is None else int(summarize)
    lines = [] if not message else [str(message)]
    lines.append(f"Condition x {symbol} y did not hold.")
    if x.shape == y.shape and x.ndim:
        index = np.argwhere(fails)[:n]
        lines += [f"Indices of first {len(index)} different values:", str(index),
                  "Corresponding x values:", str(x[tuple(index.T)]),
                  "Corresponding y values:", str(y[tuple(index.T)])]
    lines += [f"First {min(n, x.size)} elements of x:", _head(x, n),
              f"First {min(n, y.size)} elements of y:", _head(y, n)]
    return "\n".join(lines)


def _comparison(ufunc, symbol, op_name):
    def assertion(x, y, message=None, summarize=None, name=None):
        a, b = coerce_pair(x, y, op_name)

        def check(xa, ya):
            try:
                holds = ufunc(xa, ya)
            except ValueError:
                raise InvalidArgumentError(f"Incompatible shapes: {list(xa.shape)} vs. {list(ya.shape)} "
                                           f"[Op:{op_name}]") from None
            if not np.all(holds):
                raise InvalidArgumentError(_pair_message(symbol, xa, ya, ~holds, summarize, message))
        _check(check, a, b)
    assertion.__name__ = assertion.__qualname__ = {
        "==": "assert_equal", "!=": "assert_none_equal", "<": "assert_less", "<=": "assert_less_equal",
        ">": "assert_greater", ">=": "assert_greater_equal"}[symbol]
    assertion.__doc__ = (f"Raise ``InvalidArgumentError`` unless ``x {symbol} y`` holds for every element "
                         "(``x`` and ``y`` broadcast); ``message`` is put first in the error. Returns None.")
    return assertion


assert_equal = _comparison(np.equal, "==", "Equal")
assert_none_equal = _comparison(np.not_equal, "!=", "NotEqual")
assert_less = _comparison(np.less, "<", "Less")
assert_less_equal = _comparison(np.less_equal, "<=", "LessEqual")
assert_greater = _comparison(np.greater, ">", "Greater")
assert_greater_equal = _comparison(np.greater_equal, ">=", "GreaterEqual")


def _sign_check(test, symbol, fn_name):
    def assertion(x, message=None, summarize=None, name=None):
        t = as_tensor(x)

        def check(v):
            if not np.all(test(v)):
                shown = [str(e) for e in v.ravel()[:_SUMMARIZE if summarize is None else int(summarize)]]
                raise InvalidArgumentError(f"{message or ''}\nCondition x {symbol} 0 did not hold element-wise:\n"
                                           f"x (shape={t.shape} dtype={t.dtype.name}) = \n{shown}")
        _check(check, t)
    assertion.__name__ = assertion.__qualname__ = fn_name
    assertion.__doc__ = f"Raise ``InvalidArgumentError`` unless every element satisfies ``x {symbol} 0``."
    return assertion


assert_positive = _sign_check(lambda v: v > 0, ">", "assert_positive")
assert_non_negative = _sign_check(lambda v: v >= 0, ">=", "assert_non_negative")
assert_negative = _sign_check(lambda v: v < 0, "<", "assert_negative")
assert_non_positive = _sign_check(lambda v: v <= 0, "<=", "assert_non_positive")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raise ``InvalidArgumentError`` unless ``|x - y| <= atol + rtol * |y|`` everywhere.

    The tolerances default to ``10 * eps`` of the dtype (1.19e-06 for float32), as TensorFlow.
    """
    a, b = coerce_pair(x, y, "AssertNear")
    eps = np.finfo(a._value.dtype).eps if a._value.dtype.kind == "f" else 0
    rtol = 10 * eps if rtol is None else rtol
    atol = 10 * eps if atol is None else atol

    def check(xa, ya):
        if not np.all(np.abs(xa - ya) <= atol + rtol * np.abs(ya)):
            raise InvalidArgumentError(
                f"{message or ''}\nx and y not equal to tolerance rtol = {rtol}, atol = {atol}\n"
                f"x (shape={xa.shape} dtype={a.dtype.name}) = \n{_head(xa, 3)}\n"
                f"y (shape={ya.shape} dtype={b.dtype.name}) = \n{_head(ya, 3)}")
    _check(check, a, b)


def _finite_check(v, message):
    if v.dtype.kind != "f":
        return
    if np.isnan(v).any():
        raise InvalidArgumentError(f"{message} : Tensor had NaN values [Op:CheckNumerics]")
    if np.isinf(v).any():
        raise InvalidArgumentError(f"{message} : Tensor had Inf values [Op:CheckNumerics]")


def check_numerics(tensor, message, name=None):
    """``tensor`` itself, after raising ``InvalidArgumentError`` ("<message> : Tensor had NaN values") on NaN/inf."""
    t = as_tensor(tensor)
    _check(lambda v: _finite_check(v, message), t)
    return t


def assert_all_finite(t, msg, name=None, x=None, message=None):
    """``check_numerics`` under its other name: raise on NaN or inf, return the tensor."""
    return check_numerics(t if x is None else x, msg if message is None else message)


def assert_rank(x, rank, message=None, name=None):
    """Raise ``ValueError`` unless ``x`` has ``rank`` dimensions."""
    t = as_tensor(x)
    if t.ndim != int(rank):
        raise ValueError(f"{message or ''}Tensor {name or ''} must have rank {int(rank)}.  Received rank {t.ndim}, "
                         f"shape {t.shape}")


def assert_rank_at_least(x, rank, message=None, name=None):
    """Raise ``ValueError`` unless ``x`` has at least ``rank`` dimensions."""
    t = as_tensor(x)
    if t.ndim < int(rank):
        raise ValueError(f"{message or ''}Tensor {name or ''} must have rank at least {int(rank)}.  Received rank "
                         f"{t.ndim}, shape {t.shape}")


def assert_rank_in(x, ranks, message=None, name=None):
    """Raise ``ValueError`` unless the rank of ``x`` is one of ``ranks``."""
    t = as_tensor(x)
    if t.ndim not in [int(r) for r in ranks]:
        raise ValueError(f"{message or ''}Tensor {name or ''} must have rank in {tuple(ranks)}.  Received rank "
                         f"{t.ndim}, shape {t.shape}")


def assert_scalar(tensor, message=None, name=None):
    """Raise ``ValueError`` unless ``tensor`` is a scalar; returns it."""
    t = as_tensor(tensor)
    if t.ndim != 0:
        raise ValueError(f"{message or ''}Expected scalar shape, saw shape: {t.shape}.")
    return t


def assert_type(tensor, tf_type, message=None, name=None):
    """Raise ``TypeError`` unless ``tensor`` has dtype ``tf_type``."""
    want, got = _dtypes.as_dtype(tf_type), as_tensor(tensor).dtype
    if want != got:
        raise TypeError(f"{message or ''}tensor must be of type tf.{want.name}; got tf.{got.name}")


def assert_integer(x, message=None, name=None):
    """Raise ``TypeError`` unless ``x`` has an integer dtype."""
    t = as_tensor(x)
    if not t.dtype.is_integer:
        raise TypeError(f'{message or ""}Expected "x" to be integer type.  Found: tensor of dtype {t.dtype!r}')


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Check that tensors' shapes agree with symbolic dimensions: ``[(x, ('N', 'D')), (y, ('N',))]``.

    A letter must be the same size everywhere it appears; an int is an exact size;
    ``None`` or ``'.'`` matches anything; ``'...'`` or a leading ``'*'`` matches any number of
    leading axes. Raises ``ValueError`` naming the tensor, the dimension and the sizes.
    """
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    sizes = {}
    for x, spec in pairs:
        t = as_tensor(x)
        spec = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        shape = list(t.shape)
        if spec and spec[0] in ("...", "*"):
            spec = spec[1:]
            if len(shape) < len(spec):
                raise ValueError(f"{message or ''}Tensor  must have rank at least {len(spec)}.  Received rank "
                                 f"{len(shape)}, shape {t.shape}")
            shape = shape[len(shape) - len(spec):]
        elif len(shape) != len(spec):
            raise ValueError(f"{message or ''}Tensor  must have rank {len(spec)}.  Received rank {len(shape)}, "
                             f"shape {t.shape}")
        for axis, (dim, size) in enumerate(zip(spec, shape)):
            if dim is None or dim == ".":
                continue
            if isinstance(dim, (int, np.integer)):
                if size != int(dim):
                    raise ValueError(f"{message or ''}Tensor shape={t.shape} dtype={t.dtype.name} dimension {axis} "
                                     f"must have size {int(dim)}.  Received size {size}, shape {t.shape}")
                continue
            if dim in sizes:
                first, first_axis, first_size = sizes[dim]
                if size != first_size:
                    raise ValueError(f"{message or ''}Specified by tensor shape={first.shape} dtype="
                                     f"{first.dtype.name} dimension {first_axis}.  Tensor shape={t.shape} dtype="
                                     f"{t.dtype.name} dimension {axis} must have size {first_size}.  Received size "
                                     f"{size}, shape {t.shape}")
            else:
                sizes[dim] = (t, axis, size)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TensorFlow's name
    """Raise ``InvalidArgumentError`` ("Expected 'False' to be true. Summarized data: ...") when ``condition``
    is false."""
    cond = as_tensor(condition)
    items = list(data)

    def check(c, *arrays):
        if not bool(np.all(c)):
            it = iter(arrays)
            shown = []
            for item in items:
                if isinstance(item, Tensor):
                    shown.append(", ".join(str(v) for v in next(it).ravel()[:summarize or _SUMMARIZE]))
                else:
                    shown.append(repr(item.encode() if isinstance(item, str) else item))
            raise InvalidArgumentError("Expected 'False' to be true. Summarized data: " + "\n".join(shown))
    _check(check, cond, *[d for d in items if isinstance(d, Tensor)])


def is_numeric_tensor(tensor) -> bool:
    """True for a Tensor whose dtype is a number (not a string)."""
    return isinstance(tensor, Tensor) and tensor._value.dtype.kind in "biufc"


def enable_check_numerics(stack_height_limit=30, path_length_limit=50) -> None:
    """Accepted for compatibility; call ``check_numerics`` on the tensors to check."""


def disable_check_numerics() -> None:
    """Accepted for compatibility."""


def set_log_device_placement(enabled) -> None:
    """Accepted for compatibility: everything runs on the CPU."""

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
