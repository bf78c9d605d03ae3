"""chainrule: a readable deep-learning framework with TensorFlow's names.

``import chainrule as tf`` gives tensors, eager ops, ``GradientTape``,
``Variable`` and (in ``chainrule.keras``) the Keras API. Every gradient is a
local ``forward``/``backward`` pair in :mod:`chainrule.ops`.
"""
from ._missing import missing_attribute as _missing_attribute
from . import backend, dtypes, errors, ops  # noqa: F401
from .dtypes import (DType, as_dtype, bool, complex64, complex128, double, float16, float32,  # noqa: F401,A004
                     float64, half, int8, int16, int32, int64, string, uint8, uint16, uint32, uint64)
from .tensor import Tensor, TensorShape, Variable, constant, convert_to_tensor  # noqa: F401
from .autodiff import GradientTape, custom_gradient, stop_gradient  # noqa: F401
from .functions import (abs, add, argmax, argmin, broadcast_to, cast, clip_by_value, concat, divide,  # noqa: F401
                        equal, exp, expand_dims, fill, floordiv, greater, greater_equal, identity, less,
                        less_equal, log, logical_and, logical_not, logical_or, matmul, maximum, minimum,
                        multiply, negative, not_equal, one_hot, ones, ones_like, pow, rank, reduce_all,
                        reduce_any, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum, reshape,
                        shape, sigmoid, size, sqrt, square, squeeze, stack, subtract, tanh, transpose,
                        truediv, where, zeros, zeros_like, tile, gather, boolean_mask, sort, argsort, unique,
                        cumsum, range, linspace, eye, add_n, reduce_logsumexp, floormod, mod)
from . import data, linalg, math, nest, nn, random, testing  # noqa: F401
# The tf.math and tf.linalg names TensorFlow also exposes at the top level.
from .math import (acos, acosh, asin, asinh, atan, atan2, atanh, cos, cosh, floor, round, scalar_mul,  # noqa: F401,E501,A004
                   sign, sin, sinh, tan)
from .linalg import einsum, norm, tensordot  # noqa: F401
from .functions import (ensure_shape, gather_nd, is_tensor, meshgrid, repeat, reverse, roll,  # noqa: F401
                        sequence_mask, split, unstack)
from .functions import slice_ as slice  # noqa: F401,A004
from .init_ops import (constant_initializer, ones_initializer, random_normal_initializer,  # noqa: F401
                       random_uniform_initializer, zeros_initializer)
from .function import function  # noqa: F401
from .tensor_spec import TensorSpec  # noqa: F401
from . import distribute  # noqa: F401  (tf.distribute: data-parallel training over MPI)
from . import config  # noqa: F401
# The rest of TensorFlow's core namespace.
from . import (autograph, compat, debugging, experimental, image, io, ragged, sparse, strings,  # noqa: F401
               summary, version)
from .context import (device, executing_eagerly, get_current_name_scope, init_scope,  # noqa: F401
                      inside_function, name_scope)
from .printing import print  # noqa: F401,A004
from .debugging import Assert, assert_equal, assert_greater, assert_less, assert_rank  # noqa: F401
from .ragged import RaggedTensor  # noqa: F401
from .module import Module  # noqa: F401
from .sparse import SparseTensor, SparseTensorSpec  # noqa: F401


class UnconnectedGradients:
    """``GradientTape.gradient(..., unconnected_gradients=...)``: ``NONE`` (None) or ``ZERO`` (zeros)."""

    NONE = "none"
    ZERO = "zero"


newaxis = None
__version__ = version.VERSION  # the TensorFlow API chainrule follows; chainrule's own: version.CHAINRULE_VERSION

# tf.keras and the TF-level aliases of Keras modules (tf.optimizers.SGD, tf.losses...).
from . import keras  # noqa: E402
from .keras import initializers, losses, metrics, optimizers  # noqa: E402,F401
from . import saved_model, train  # noqa: E402,F401 - tf.train and tf.saved_model know Keras objects

_missing = _missing_attribute(__name__)


def __getattr__(name: str):
    """``chainrule.onnx`` on first use (it is not imported with chainrule: the onnx package is optional); any
    other missing name explains itself (see ``chainrule._missing``).

    Args:
        name: the attribute asked for.

    Returns:
        The ``chainrule.onnx`` module.

    Raises:
        AttributeError: a name chainrule does not provide.
    """
    if name == "onnx":
        import importlib  # chainrule.onnx sits above the whole package: loaded when first asked for
        return importlib.import_module(".onnx", __name__)
    return _missing(name)
