"""chainrule: a readable deep-learning framework with TensorFlow's names.

``import chainrule as tf`` gives tensors, eager ops, ``GradientTape``,
``Variable`` and (in ``chainrule.keras``) the Keras API. Every gradient is a
local ``forward``/``backward`` pair in :mod:`chainrule.ops`.
"""
from . import backend, dtypes, errors, ops  # noqa: F401
from .dtypes import (DType, as_dtype, bool, complex64, complex128, double, float16, float32,  # noqa: F401,A004
                     float64, half, int8, int16, int32, int64, string, uint8, uint16, uint32, uint64)
from .tensor import Tensor, TensorShape, Variable, constant, convert_to_tensor  # noqa: F401
from .autodiff import GradientTape, stop_gradient  # noqa: F401
from .functions import (abs, add, argmax, argmin, broadcast_to, cast, clip_by_value, concat, divide,  # noqa: F401
                        equal, exp, expand_dims, fill, floordiv, greater, greater_equal, identity, less,
                        less_equal, log, logical_and, logical_not, logical_or, matmul, maximum, minimum,
                        multiply, negative, not_equal, one_hot, ones, ones_like, pow, rank, reduce_all,
                        reduce_any, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum, reshape,
                        shape, sigmoid, size, sqrt, square, squeeze, stack, subtract, tanh, transpose,
                        truediv, where, zeros, zeros_like, tile, gather, boolean_mask, sort, argsort, unique,
                        cumsum, range, linspace, eye, add_n, reduce_logsumexp, norm, floormod, mod)
from . import data, math, nest, nn, random, strings, testing  # noqa: F401
from .function import function  # noqa: F401
from .tensor_spec import TensorSpec  # noqa: F401
from . import config  # noqa: F401

newaxis = None
from ._version import __version__  # noqa: E402,F401

# tf.keras and the TF-level aliases of Keras modules (tf.optimizers.SGD, tf.losses...).
from . import keras  # noqa: E402
from .keras import losses, optimizers  # noqa: E402,F401
