"""``chainrule.math``: element-wise math and reductions with TensorFlow's names."""
from .functions import (abs, add, argmax, argmin, divide, equal, exp, floordiv, floormod, greater,  # noqa: F401
                        greater_equal, less, less_equal, log, logical_and, logical_not, logical_or,
                        maximum, minimum, multiply, negative, not_equal, pow, reduce_all, reduce_any,
                        reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum, rsqrt, sigmoid,
                        sqrt, square, subtract, tanh, truediv)
from .nn import softmax  # noqa: F401
