"""The primitives: one class per op, ``forward`` and ``backward`` side by side.

Usable by hand, as in the seed::

    from chainrule.ops import Mul
    apple_price = Mul().forward(100, 2)
"""
from .base import NoGradient, Op
from .math import (Abs, Add, Clip, Div, Exp, FloorDiv, Log, Maximum, Minimum, Mod, Mul, Neg, Pow,
                   Sqrt, Square, Sub, Where)
from .reduction import Max, Mean, Min, Prod, Sum
from .shape import (BroadcastTo, Cast, Concat, CumSum, Gather, GetItem, Identity, Reshape, Stack, TakeAlongAxis, Tile,
                    Transpose)
from .linalg import MatMul
from .sparse import SparseAffine
from .nn import (ELU, GELU, Affine, BatchNorm, Dropout, LeakyReLU, LogSoftmax, ReLU, Sigmoid,
                 SigmoidBinaryCrossEntropy, Softmax, SoftmaxWithLoss, Softplus, Step, Tanh)

# The seed's names for the same objects.
MulLayer, AddLayer = Mul, Add

__all__ = [name for name in dir() if not name.startswith("_")]
