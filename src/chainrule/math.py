"""``chainrule.math``: element-wise math and reductions with TensorFlow's names."""
from .functions import (abs, add, argmax, argmin, divide, equal, exp, floordiv, floormod, greater,  # noqa: F401
                        greater_equal, less, less_equal, log, logical_and, logical_not, logical_or,
                        maximum, minimum, multiply, negative, not_equal, pow, reduce_all, reduce_any,
                        reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum, rsqrt, sigmoid,
                        sqrt, square, subtract, tanh, truediv)
from .functions import add_n, cumsum, reduce_logsumexp, top_k  # noqa: F401
from .nn import softmax  # noqa: F401


def log_sigmoid(x, name=None):
    """``log(sigmoid(x))`` without overflow: ``-softplus(-x)``."""
    return minimum(x, 0.0) - log(1.0 + exp(-abs(x)))
