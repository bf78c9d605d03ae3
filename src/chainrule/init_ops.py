"""TensorFlow's own (non-Keras) initializer objects: ``tf.random_normal_initializer``, ``tf.zeros_initializer`` ...

An initializer is called with a shape (and optionally a dtype) and returns a
Tensor; it is how the core guides fill a ``tf.Variable``::

    w = tf.Variable(tf.random_normal_initializer(stddev=0.1)(shape=[784, 10]))

They mirror ``tensorflow.python.ops.init_ops_v2`` (classes ``RandomNormal``,
``RandomUniform``, ``Zeros``, ``Ones``, ``Constant`` with ``get_config`` /
``from_config``) and do not depend on ``chainrule.keras``. With a ``seed`` an
initializer repeats its values (TensorFlow's draw statelessly from ``(seed, 0)``); without one the global
seeded generator is used.
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dtypes
from . import random as _random
from .tensor import Tensor, to_array


class Initializer:
    """Base class: ``__call__(shape, dtype=None, **kwargs)`` returns a Tensor; ``get_config``/``from_config``."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.__call__")

    def get_config(self) -> dict:
        """The constructor arguments, as a dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """An initializer built from ``get_config()``'s dict."""
        config = dict(config)
        config.pop("dtype", None)  # TF 1.x configs carried a dtype
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _float_dtype(dtype):
    dt = _dtypes.as_dtype(_dtypes.float32 if dtype is None else dtype)
    if not dt.is_floating:
        raise ValueError(f"Argument `dtype` is expected to be floating point. Received: {dt!r}.")
    return dt


class Zeros(Initializer):
    """All zeros of any dtype (float32 by default)."""

    def __call__(self, shape, dtype=_dtypes.float32, **kwargs):
        return Tensor(np.zeros(_random._shape(shape), dtype=_dtypes.as_dtype(dtype).dtype))


class Ones(Initializer):
    """All ones of any dtype (float32 by default)."""

    def __call__(self, shape, dtype=_dtypes.float32, **kwargs):
        return Tensor(np.ones(_random._shape(shape), dtype=_dtypes.as_dtype(dtype).dtype))


class Constant(Initializer):
    """``value`` everywhere (a scalar), or ``value`` reshaped to the shape (a list with as many entries).

    Without ``dtype`` the value's own dtype is used (``constant_initializer(5)`` gives
    int32, as TensorFlow). A list with the wrong number of entries raises ``TypeError``.
    """

    def __init__(self, value=0, support_partition=False):
        self.value = value
        self.support_partition = support_partition

    def __call__(self, shape, dtype=None, **kwargs):
        dims = _random._shape(shape)
        arr = to_array(self.value, dtype)
        if arr.size == 1:
            return Tensor(np.full(dims, arr.reshape(()), dtype=arr.dtype))
        if arr.size != int(np.prod(dims)):
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {arr} (converted from "
                            f"{self.value}) has {arr.size} elements, but got `shape` {dims} with "
                            f"{int(np.prod(dims))} elements).")
        return Tensor(arr.reshape(dims).copy())

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal values with ``mean`` (0.0) and ``stddev`` (0.05); float dtypes only (``ValueError`` otherwise)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=_dtypes.float32, **kwargs):
        if self.seed is not None:  # TensorFlow's seeded initializers draw statelessly from (seed, 0): they repeat
            return _random.stateless_normal(shape, [self.seed, 0], self.mean, self.stddev, dtype=_float_dtype(dtype))
        return _random.normal(shape, self.mean, self.stddev, dtype=_float_dtype(dtype))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Uniform values in ``[minval, maxval)`` (default ``[-0.05, 0.05)``); integer dtypes allowed."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=_dtypes.float32, **kwargs):
        if self.seed is not None:
            return _random.stateless_uniform(shape, [self.seed, 0], self.minval, self.maxval, dtype=dtype)
        return _random.uniform(shape, self.minval, self.maxval, dtype=dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    """Normal values with ``mean`` and ``stddev``, redrawn beyond two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=_dtypes.float32, **kwargs):
        if self.seed is not None:
            return _random.stateless_truncated_normal(shape, [self.seed, 0], self.mean, self.stddev,
                                                      dtype=_float_dtype(dtype))
        return _random.truncated_normal(shape, self.mean, self.stddev, dtype=_float_dtype(dtype))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


# TensorFlow's top-level names for these classes.
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_normal_initializer = RandomNormal
random_uniform_initializer = RandomUniform
