"""``keras.backend`` (``K``): tf.keras 2's backend functions, as books and guides call them.

Each is a thin composition of chainrule functions with tf.keras 2's defaults (``axis=None``,
``keepdims=False``; booleans averaged as floats; ``sqrt`` of negatives is 0). On Keras tensors of
the functional API they record layers like any chainrule function (``K.std(x)`` becomes
``tf.math.reduce_std``). Session-level helpers: ``clear_session``, ``floatx``/``set_floatx``,
``epsilon``/``set_epsilon``, ``image_data_format``, ``learning_phase`` (always 0 outside ``fit``,
as in TensorFlow 2's eager mode).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dtypes
from .. import functions as F
from .. import linalg as _linalg
from .. import math as _math
from .. import nn as _nn
from .. import random as _random
from ..autodiff import stop_gradient  # noqa: F401
from .._missing import missing_attribute as _missing_attribute
from ..backend import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format  # noqa: F401
from ..tensor import Tensor, Variable, convert_to_tensor, to_array
from ..tensor import constant as _constant
from . import activations as _activations
from .layers.base import KerasTensor, reset_names

_uids: dict = {}


# ----------------------------------------------------------------------------- session

def clear_session() -> None:
    """Reset the automatic layer/model names (``dense``, ``dense_1`` ... start again) and :func:`get_uid`."""
    reset_names()
    _uids.clear()


def backend() -> str:
    """The name of the backend: ``'tensorflow'`` (chainrule follows TensorFlow's API)."""
    return "tensorflow"


def learning_phase() -> int:
    """0: TensorFlow 2 runs eagerly; layers learn the phase from their ``training`` argument."""
    return 0


def set_learning_phase(value) -> None:
    """Accepted for old programs (deprecated in tf.keras 2); pass ``training=`` to layers instead. Only 0 or 1."""
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: expected 0 or 1, got {value!r}.")


def get_uid(prefix: str = "") -> int:
    """1, 2, 3... for each call with the same ``prefix`` (reset by :func:`clear_session`)."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def reset_uids() -> None:
    """Restart every :func:`get_uid` count."""
    _uids.clear()


# ----------------------------------------------------------------------------- tensors and variables

def _floatx_or(dtype):
    return _dtypes.as_dtype(dtype).name if dtype is not None else floatx()


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A constant tensor (dtype ``floatx()`` by default; a scalar ``value`` fills ``shape``)."""
    return _constant(value, dtype=_floatx_or(dtype), shape=shape)


def variable(value, dtype=None, name=None, constraint=None) -> Variable:
    """A Variable holding ``value`` (dtype ``floatx()`` by default)."""
    return Variable(to_array(value, _floatx_or(dtype)), name=name, constraint=constraint)


def is_keras_tensor(x) -> bool:
    """True for a symbolic tensor of the functional API (``keras.Input`` and layer outputs on it)."""
    return isinstance(x, KerasTensor)


def is_tensor(x) -> bool:
    """True for a chainrule Tensor or a Keras tensor."""
    return isinstance(x, (Tensor, KerasTensor))


def get_value(x):
    """The value of a Variable or Tensor as numpy (a number stays a number)."""
    if isinstance(x, Tensor):
        return x.numpy()
    return np.asarray(x) if not np.isscalar(x) else x


def batch_get_value(tensors) -> list:
    """:func:`get_value` of each."""
    return [get_value(t) for t in tensors]


def set_value(x, value) -> None:
    """Assign ``value`` to the Variable ``x`` (e.g. ``K.set_value(model.optimizer.learning_rate, 1e-3)``)."""
    if not isinstance(x, Variable):
        raise TypeError(f"set_value: expected a Variable (e.g. model.optimizer.learning_rate), got "
                        f"{type(x).__name__}.")
    x.assign(np.asarray(value, dtype=x._value.dtype))


def batch_set_value(tuples) -> None:
    """:func:`set_value` for each ``(variable, value)`` pair."""
    for x, value in tuples:
        set_value(x, value)


def int_shape(x):
    """The static shape as a tuple of ints (``None`` where unknown, as the batch axis of a Keras tensor)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    if isinstance(x, Tensor):
        return tuple(int(d) for d in x.shape)
    return tuple(np.shape(x))


def ndim(x) -> int:
    """The number of axes."""
    return len(int_shape(x))


def dtype(x) -> str:
    """The dtype name (``'float32'``)."""
    return _dtypes.as_dtype(x.dtype).name


def count_params(x) -> int:
    """The number of scalars in ``x``."""
    return int(np.prod(int_shape(x)))


def shape(x):
    """The dynamic shape as an int32 tensor (``chainrule.shape``)."""
    return F.shape(x)


def cast(x, dtype):
    """``x`` cast to ``dtype``."""
    return F.cast(x, dtype)


def zeros(shape, dtype=None, name=None) -> Variable:
    """A Variable of zeros (tf.keras 2's K.zeros returns a variable)."""
    return Variable(np.zeros(tuple(shape), dtype=_floatx_or(dtype)), name=name)


def ones(shape, dtype=None, name=None) -> Variable:
    """A Variable of ones."""
    return Variable(np.ones(tuple(shape), dtype=_floatx_or(dtype)), name=name)


def eye(size, dtype=None, name=None) -> Variable:
    """A Variable holding the identity matrix (``size`` an int or ``(rows, cols)``)."""
    rows, cols = (size, size) if np.isscalar(size) else tuple(size)
    return Variable(np.eye(rows, cols, dtype=_floatx_or(dtype)), name=name)


def zeros_like(x, dtype=None, name=None):
    """Zeros of ``x``'s shape (and dtype, unless given)."""
    return F.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None, name=None):
    """Ones of ``x``'s shape (and dtype, unless given)."""
    return F.ones_like(x, dtype=dtype)


def arange(start, stop=None, step=1, dtype="int32"):
    """``chainrule.range`` with tf.keras 2's default dtype int32."""
    if stop is None:
        start, stop = 0, start
    return F.range(start, stop, step, dtype=dtype)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples of ``shape`` (from chainrule's seeded generator, or ``seed``)."""
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=_floatx_or(dtype), seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``."""
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=_floatx_or(dtype), seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn beyond two standard deviations."""
    return _random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=_floatx_or(dtype), seed=seed)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p``, else 0."""
    return F.cast(F.less(random_uniform(shape, seed=seed), p), _floatx_or(dtype))


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None) -> Variable:
    """A Variable of normal samples."""
    return Variable(random_normal(shape, mean, scale, dtype, seed), name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None) -> Variable:
    """A Variable of uniform samples."""
    return Variable(random_uniform(shape, low, high, dtype, seed), name=name)


# ----------------------------------------------------------------------------- math

def _float(x):
    """Booleans are averaged as floats (tf.keras 2)."""
    x = x if isinstance(x, (Tensor, KerasTensor)) else convert_to_tensor(x)
    return F.cast(x, floatx()) if x.dtype == _dtypes.bool else x


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Sum over ``axis`` (all axes by default)."""
    return F.reduce_sum(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``."""
    return F.reduce_prod(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (booleans count as 0.0/1.0)."""
    return F.reduce_mean(_float(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Variance over ``axis``."""
    return _math.reduce_variance(_float(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Standard deviation over ``axis`` (``chainrule.math.reduce_std``)."""
    return _math.reduce_std(_float(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Maximum over ``axis``."""
    return F.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Minimum over ``axis``."""
    return F.reduce_min(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Logical or over ``axis`` (non-zero is true)."""
    return F.reduce_any(F.cast(x, "bool"), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    """Logical and over ``axis``."""
    return F.reduce_all(F.cast(x, "bool"), axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    """Index of the largest value along ``axis`` (default last)."""
    return F.argmax(x, axis=axis)


def argmin(x, axis=-1):
    """Index of the smallest value along ``axis``."""
    return F.argmin(x, axis=axis)


def cumsum(x, axis=0):
    """Cumulative sum along ``axis``."""
    return F.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    """Cumulative product along ``axis``."""
    return _math.cumprod(x, axis=axis)


def square(x):
    """``x * x``."""
    return F.square(x)


def abs(x):  # noqa: A001 - Keras's name
    """``|x|``."""
    return F.abs(x)


def sqrt(x):
    """``sqrt(max(x, 0))``: negatives give 0, as tf.keras 2."""
    x = x if isinstance(x, (Tensor, KerasTensor)) else convert_to_tensor(x)
    return F.sqrt(F.maximum(x, 0.0))


def exp(x):
    """``e ** x``."""
    return F.exp(x)


def log(x):
    """Natural logarithm."""
    return F.log(x)


def pow(x, a):  # noqa: A001 - Keras's name
    """``x ** a``."""
    return F.pow(x, a)


def sign(x):
    """-1, 0 or 1."""
    return _math.sign(x)


def round(x):  # noqa: A001 - Keras's name
    """Round half to even."""
    return _math.round(x)


def clip(x, min_value, max_value):
    """``x`` clipped to ``[min_value, max_value]`` (None: no bound on that side; max < min means max = min)."""
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return F.clip_by_value(x, min_value, max_value)


def maximum(x, y):
    """Element-wise maximum."""
    return F.maximum(x, y)


def minimum(x, y):
    """Element-wise minimum."""
    return F.minimum(x, y)


def equal(x, y):
    """Element-wise ``x == y``."""
    return F.equal(x, y)


def not_equal(x, y):
    """Element-wise ``x != y``."""
    return F.not_equal(x, y)


def greater(x, y):
    """Element-wise ``x > y``."""
    return F.greater(x, y)


def greater_equal(x, y):
    """Element-wise ``x >= y``."""
    return F.greater_equal(x, y)


def less(x, y):
    """Element-wise ``x < y``."""
    return F.less(x, y)


def less_equal(x, y):
    """Element-wise ``x <= y``."""
    return F.less_equal(x, y)


def dot(x, y):
    """Matrix product; for more than 2 axes, the last axis of ``x`` with the second-to-last of ``y``
    (result ``x.shape[:-1] + y.shape[:-2] + y.shape[-1:]``, as tf.keras 2)."""
    if ndim(x) > 2 or ndim(y) > 2:
        return _linalg.tensordot(x, y, axes=[[ndim(x) - 1], [ndim(y) - 2]])
    return F.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Per-sample dot products: ``x[i] . y[i]`` along ``axes`` (default: last of x, second-to-last of y)."""
    if axes is None:
        axes = [ndim(x) - 1, ndim(y) - 2] if ndim(y) > 2 else [ndim(x) - 1, ndim(y) - 1]
    if isinstance(axes, int):
        axes = [axes, axes]
    ax, ay = (a % n for a, n in zip(axes, (ndim(x), ndim(y))))
    xs = "abcdefgh"[:ndim(x)]
    ys = "a" + "ijklmnop"[:ndim(y) - 1]
    ys = ys[:ay] + xs[ax] + ys[ay + 1:]
    out = xs.replace(xs[ax], "") + ys[1:].replace(xs[ax], "")
    result = _linalg.einsum(f"{xs},{ys}->{out}", x, y)
    return F.expand_dims(result, 1) if ndim(result) == 1 else result


def transpose(x):
    """Reverse the axes."""
    return F.transpose(x)


def permute_dimensions(x, pattern):
    """Reorder the axes: ``pattern`` such as ``(0, 2, 1)``."""
    return F.transpose(x, perm=list(pattern))


def reshape(x, shape):
    """``chainrule.reshape``."""
    return F.reshape(x, shape)


def concatenate(tensors, axis=-1):
    """Join ``tensors`` along ``axis`` (default last)."""
    return F.concat(list(tensors), axis=axis)


def stack(x, axis=0):
    """Stack a list of tensors along a new ``axis``."""
    return F.stack(list(x), axis=axis)


def expand_dims(x, axis=-1):
    """Insert an axis of size 1 at ``axis`` (default last)."""
    return F.expand_dims(x, axis)


def squeeze(x, axis):
    """Remove the size-1 axis ``axis``."""
    return F.squeeze(x, axis=[axis])


def flatten(x):
    """All values as one axis."""
    return F.reshape(x, [-1])


def batch_flatten(x):
    """``(N, ...)`` -> ``(N, prod(...))``."""
    return F.reshape(x, [-1, int(np.prod(int_shape(x)[1:]))])


def tile(x, n):
    """Repeat ``x`` ``n`` times along each axis (``n`` an int or one count per axis)."""
    return F.tile(x, [n] if isinstance(n, int) else list(n))


def repeat_elements(x, rep, axis):
    """Repeat each element ``rep`` times along ``axis``."""
    return F.repeat(x, rep, axis=axis)


def reverse(x, axes):
    """Reverse along ``axes`` (an int or a list)."""
    return F.reverse(x, [axes] if isinstance(axes, int) else list(axes))


def gather(reference, indices):
    """Rows of ``reference`` at ``indices``."""
    return F.gather(reference, indices)


def one_hot(indices, num_classes):
    """One-hot vectors of length ``num_classes`` (a new last axis)."""
    return F.one_hot(indices, num_classes)


def l2_normalize(x, axis=None):
    """``x / sqrt(max(sum(x**2, axis), epsilon))``."""
    return _math.l2_normalize(x, axis=axis)


def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` is true, else ``else_expression`` (callables are called)."""
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    return F.where(condition, then_value, else_value)


def in_train_phase(x, alt, training=None):
    """``x`` when ``training`` is true, else ``alt`` (callables are called)."""
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    """``x`` when ``training`` is false, else ``alt``."""
    return in_train_phase(alt, x, training=training)


def print_tensor(x, message="", summarize=3):
    """Print ``message`` and ``x``, return ``x``."""
    print(message, x.numpy() if isinstance(x, Tensor) else x)
    return x


# ----------------------------------------------------------------------------- neural-network functions

def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """``max(x, threshold)`` with slope ``alpha`` below it and a cap ``max_value`` (tf.keras 2's K.relu)."""
    if alpha == 0 and max_value is None and threshold == 0:
        return _nn.relu(x)
    x = x if isinstance(x, (Tensor, KerasTensor)) else convert_to_tensor(x, dtype=floatx())
    out = F.where(F.greater(x, threshold), x, F.zeros_like(x) if alpha == 0 else alpha * (x - threshold))
    return F.minimum(out, max_value) if max_value is not None else out


def elu(x, alpha=1.0):
    """``x`` if positive, else ``alpha * (exp(x) - 1)``."""
    out = _nn.elu(x)
    return out if alpha == 1 else F.where(F.greater(x, 0), out, alpha * out)


def softmax(x, axis=-1):
    """Softmax along ``axis`` (``keras.activations.softmax``: the output keeps ``x`` for the cross-entropies)."""
    return _activations.softmax(x, axis=axis)


def softplus(x):
    """``log(1 + exp(x))``."""
    return _nn.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return _nn.softsign(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))`` (``keras.activations.sigmoid``: the output keeps ``x`` for the cross-entropies)."""
    return _activations.sigmoid(x)


def hard_sigmoid(x):
    """``clip(0.2 * x + 0.5, 0, 1)``."""
    return F.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def tanh(x):
    """Hyperbolic tangent."""
    return F.tanh(x)


def bias_add(x, bias, data_format=None):
    """``x + bias`` over the channel axis (last by default)."""
    return _nn.bias_add(x, bias, data_format="NCHW" if data_format == "channels_first" else None)


def dropout(x, level, noise_shape=None, seed=None):
    """Zero a fraction ``level`` of ``x`` and scale the rest by ``1 / (1 - level)``."""
    return _nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy (no mean), ``output`` probabilities clipped to ``[eps, 1 - eps]``."""
    if from_logits:
        return _nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = epsilon()
    output = F.clip_by_value(output, eps, 1.0 - eps)
    return -(target * F.log(output + eps) + (1.0 - target) * F.log(1.0 - output + eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy over ``axis`` between one-hot ``target`` and ``output`` probabilities (or logits)."""
    if from_logits:
        return _nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / F.reduce_sum(output, axis=axis, keepdims=True)
    output = F.clip_by_value(output, epsilon(), 1.0 - epsilon())
    return -F.reduce_sum(target * F.log(output), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer ``target`` and ``output`` probabilities (or logits) over the last axis."""
    target = F.cast(target, "int64")
    if not from_logits:
        output = F.log(F.clip_by_value(output, epsilon(), 1.0 - epsilon()))
    return _nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


# ----------------------------------------------------------------------------- functions of a model's tensors

def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A callable computing ``outputs`` from ``inputs`` (Keras tensors of a functional model):
    ``f = K.function([model.input], [layer.output]); values = f([x])`` gives a list of numpy arrays."""
    from .models.model import Model  # façade: the models floor imports this module's package
    single = not isinstance(outputs, (list, tuple))
    model = Model(inputs=inputs, outputs=outputs, name=name)

    def run(values):
        out = model(values if isinstance(values, (list, tuple)) and len(values) > 1 else
                    values[0] if isinstance(values, (list, tuple)) else values, training=False)
        out = [o.numpy() for o in (out if isinstance(out, (list, tuple)) else [out])]
        return out[0] if single else out
    return run


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
