"""``chainrule.experimental.numpy``: TensorFlow's NumPy API (``tnp``), the basics.

The functions return chainrule Tensors (TensorFlow's ``tnp.ndarray`` is its
Tensor too). The arithmetic, reductions, ``matmul``/``dot``, element-wise math,
reshaping and joining functions below run chainrule ops, so they are
differentiable on a GradientTape. Any other NumPy function (``tnp.argsort``,
``tnp.unique`` ...) is NumPy's, applied to the arrays and wrapped back into
Tensors: correct values, no gradient.

``experimental_enable_numpy_behavior()`` gives Tensors NumPy's methods
(``t.T``, ``t.reshape``, ``t.astype``, ``t.ravel``, ``t.sum`` ...), as in TensorFlow.
"""
from __future__ import annotations

import numpy as _np

from .. import functions as _f
from ..linalg import tensordot
from .. import math as _math
from .. import random as _random_mod
from ..tensor import Tensor, as_tensor

ndarray = Tensor
bool_ = _np.bool_
float16, float32, float64 = _np.float16, _np.float32, _np.float64
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8 = _np.uint8
pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, None


def asarray(a, dtype=None) -> Tensor:
    """``a`` as a Tensor (Tensors pass through; NumPy's dtype rules: Python floats are float64)."""
    if isinstance(a, Tensor) and dtype is None:
        return a
    return Tensor(_np.asarray(a._value if isinstance(a, Tensor) else a, dtype=dtype))


def array(a, dtype=None, copy=True, ndmin=0) -> Tensor:
    """A new Tensor from ``a`` (NumPy's dtype rules)."""
    return Tensor(_np.array(a._value if isinstance(a, Tensor) else a, dtype=dtype, copy=copy, ndmin=ndmin))


def zeros(shape, dtype=float) -> Tensor:
    return Tensor(_np.zeros(shape, dtype=dtype))


def ones(shape, dtype=float) -> Tensor:
    return Tensor(_np.ones(shape, dtype=dtype))


def full(shape, fill_value, dtype=None) -> Tensor:
    return Tensor(_np.full(shape, fill_value, dtype=dtype))


def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    return Tensor(_np.arange(start, stop, step, dtype=dtype) if stop is not None else _np.arange(start, dtype=dtype))


def linspace(start, stop, num=50, endpoint=True, dtype=float) -> Tensor:
    return Tensor(_np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype))


def eye(N, M=None, k=0, dtype=float) -> Tensor:  # noqa: N803 - NumPy's names
    return Tensor(_np.eye(N, M, k, dtype=dtype))


def _pair(x, y):
    """Operands with NumPy's promotion (TensorFlow's NumPy mode promotes; chainrule's ops need one dtype)."""
    xa = x._value if isinstance(x, Tensor) else _np.asarray(x)
    ya = y._value if isinstance(y, Tensor) else _np.asarray(y)
    # Python numbers are "weak" (NumPy 2): float32 + 1 stays float32.
    dtype = _np.result_type(x if isinstance(x, (int, float)) else xa, y if isinstance(y, (int, float)) else ya)
    return _to_dtype(x, xa, dtype), _to_dtype(y, ya, dtype)


def _to_dtype(value, array, dtype):
    if not isinstance(value, Tensor):
        return Tensor(_np.asarray(array, dtype=dtype))
    return value if array.dtype == dtype else _f.cast(value, dtype)


def add(x1, x2):
    return _f.add(*_pair(x1, x2))


def subtract(x1, x2):
    return _f.subtract(*_pair(x1, x2))


def multiply(x1, x2):
    return _f.multiply(*_pair(x1, x2))


def divide(x1, x2):
    a, b = _pair(x1, x2)
    if a._value.dtype.kind in "iub":
        a, b = _f.cast(a, _np.float64), _f.cast(b, _np.float64)
    return _f.divide(a, b)


true_divide = divide


def power(x1, x2):
    return _f.pow(*_pair(x1, x2))


def maximum(x1, x2):
    return _f.maximum(*_pair(x1, x2))


def minimum(x1, x2):
    return _f.minimum(*_pair(x1, x2))


def matmul(x1, x2):
    a, b = _pair(x1, x2)
    if a.ndim == 1 or b.ndim == 1:
        return dot(a, b)
    return _f.matmul(a, b)


def dot(a, b):
    """NumPy's ``dot``: inner product of vectors, matrix product, or a sum over the last/second-to-last axes."""
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return _f.multiply(a, b)
    return tensordot(a, b, [[a.ndim - 1], [b.ndim - 2 if b.ndim >= 2 else 0]])


def _reduction(fn):
    def reduce(a, axis=None, keepdims=False, dtype=None):
        t = as_tensor(a) if not isinstance(a, Tensor) else a
        if dtype is not None:
            t = _f.cast(t, dtype)
        return fn(t, axis=axis, keepdims=keepdims)
    reduce.__name__ = fn.__name__
    return reduce


sum = _reduction(_f.reduce_sum)  # noqa: A001 - NumPy's names
mean = _reduction(_f.reduce_mean)
prod = _reduction(_f.reduce_prod)
amax = max = _reduction(_f.reduce_max)  # noqa: A001
amin = min = _reduction(_f.reduce_min)  # noqa: A001
std = _reduction(_math.reduce_std)
var = _reduction(_math.reduce_variance)
exp, log, sqrt, square, tanh = _f.exp, _f.log, _f.sqrt, _f.square, _f.tanh
abs = absolute = _f.abs  # noqa: A001
sin, cos, tan, arcsin, arccos, arctan = _math.sin, _math.cos, _math.tan, _math.asin, _math.acos, _math.atan
sinh, cosh, log1p, expm1, sign, floor, ceil = _math.sinh, _math.cosh, _math.log1p, _math.expm1, _math.sign, \
    _math.floor, _math.ceil
negative = _f.negative


def reshape(a, newshape, order="C"):
    return _f.reshape(a, newshape)


def transpose(a, axes=None):
    return _f.transpose(a, axes)


def concatenate(arys, axis=0):
    return _f.concat(list(arys), axis)


def stack(arrays, axis=0):
    return _f.stack(list(arrays), axis)


def where(condition, x=None, y=None):
    if x is None and y is None:
        return tuple(Tensor(i) for i in _np.nonzero(as_tensor(condition)._value))
    a, b = _pair(x, y)
    return _f.where(condition, a, b)


def clip(a, a_min, a_max):
    return _f.clip_by_value(a, a_min, a_max)


def expand_dims(a, axis):
    return _f.expand_dims(a, axis)


def squeeze(a, axis=None):
    return _f.squeeze(a, axis)


def ravel(a):
    return _f.reshape(a, [-1])


def _wrap(result):
    if isinstance(result, _np.ndarray) or _np.isscalar(result):
        return Tensor(_np.asarray(result))
    if isinstance(result, tuple):
        return tuple(_wrap(r) for r in result)
    if isinstance(result, list):
        return [_wrap(r) for r in result]
    return result


def _unwrap(value):
    if isinstance(value, Tensor):
        return value._value
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    return value


class _RandomModule:
    """``tnp.random``: ``seed``, ``rand``, ``randn``, ``randint``, ``uniform``, ``standard_normal`` (the global
    generator)."""

    @staticmethod
    def seed(s):
        _random_mod.set_seed(s)

    @staticmethod
    def rand(*shape):
        return Tensor(_random_mod._rng(None).random(shape))

    @staticmethod
    def randn(*shape):
        return Tensor(_random_mod._rng(None).standard_normal(shape))

    @staticmethod
    def standard_normal(size=None):
        return Tensor(_np.asarray(_random_mod._rng(None).standard_normal(size)))

    @staticmethod
    def uniform(low=0.0, high=1.0, size=None):
        return Tensor(_np.asarray(_random_mod._rng(None).uniform(low, high, size)))

    @staticmethod
    def randint(low, high=None, size=None, dtype=_np.int64):
        return Tensor(_np.asarray(_random_mod._rng(None).integers(low, high, size)).astype(dtype))


random = _RandomModule()


def __getattr__(name):
    """Any other NumPy function: applied to the arrays, results wrapped as Tensors (no gradient)."""
    fn = getattr(_np, name, None)
    if fn is None or not callable(fn):
        raise AttributeError(f"chainrule.experimental.numpy has no attribute {name!r}.")

    def wrapped(*args, **kwargs):
        return _wrap(fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))
    wrapped.__name__ = name
    wrapped.__doc__ = f"NumPy's ``{name}`` on the tensors' values, wrapped as Tensors (no gradient)."
    return wrapped


for _name, _fn in list(globals().items()):
    if callable(_fn) and not _name.startswith("_") and getattr(_fn, "__module__", None) == __name__ and \
            not isinstance(_fn, type) and not _fn.__doc__:
        _fn.__doc__ = (f"NumPy's ``{_name}`` on Tensors, with NumPy's dtype rules; runs chainrule ops, so it is "
                       "differentiable.")
del _name, _fn


def experimental_enable_numpy_behavior(prefer_float32=False, dtype_conversion_mode="legacy") -> None:
    """Give Tensors NumPy's methods and attributes: ``T``, ``reshape``, ``astype``, ``ravel``, ``transpose``,
    ``sum``, ``mean``, ``max``, ``min``, ``prod``, ``std``, ``var``, ``clip``, ``squeeze``, ``flatten``, ``tolist``.
    """
    methods = {
        "T": property(lambda self: _f.transpose(self)),
        "reshape": lambda self, *shape, order="C": _f.reshape(
            self, shape[0] if len(shape) == 1 and isinstance(shape[0], (list, tuple)) else shape),
        "astype": lambda self, dtype: _f.cast(self, dtype),
        "ravel": lambda self: _f.reshape(self, [-1]),
        "flatten": lambda self: _f.reshape(self, [-1]),
        "transpose": lambda self, *axes: _f.transpose(self, axes[0] if len(axes) == 1 else (axes or None)),
        "sum": lambda self, axis=None, keepdims=False: _f.reduce_sum(self, axis, keepdims),
        "mean": lambda self, axis=None, keepdims=False: _f.reduce_mean(self, axis, keepdims),
        "max": lambda self, axis=None, keepdims=False: _f.reduce_max(self, axis, keepdims),
        "min": lambda self, axis=None, keepdims=False: _f.reduce_min(self, axis, keepdims),
        "prod": lambda self, axis=None, keepdims=False: _f.reduce_prod(self, axis, keepdims),
        "std": lambda self, axis=None, keepdims=False: _math.reduce_std(self, axis, keepdims),
        "var": lambda self, axis=None, keepdims=False: _math.reduce_variance(self, axis, keepdims),
        "clip": lambda self, a_min, a_max: _f.clip_by_value(self, a_min, a_max),
        "squeeze": lambda self, axis=None: _f.squeeze(self, axis),
        "tolist": lambda self: self.numpy().tolist() if self.ndim else self.numpy().item(),
    }
    for name, method in methods.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, method)

