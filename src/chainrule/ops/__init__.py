"""The primitives: one class per op, ``forward`` and ``backward`` side by side.

Usable by hand, as in the seed::

    from chainrule.ops import Mul
    apple_price = Mul().forward(100, 2)

``time_layers`` adds the by-hand sequence objects of "Deep Learning from
Scratch 2" (``TimeEmbedding``, ``TimeLSTM``, ``TimeAffine``, ``TimeSoftmaxWithLoss`` ...)
on top of the recurrent ops.
"""
from .base import CustomGradient, GradientResult, NoGradient, Op
from .math import (Abs, Add, Clip, Div, Exp, FloorDiv, Log, Maximum, Minimum, Mod, Mul, Neg, Pow,
                   Sqrt, Square, Sub, Where)
from .reduction import Max, Mean, Min, Prod, Sum
from .shape import (BroadcastTo, Cast, Concat, CumSum, Gather, GetItem, Identity, Reshape, Stack, TakeAlongAxis, Tile,
                    Transpose)
from .linalg import MatMul
from .sparse import SparseAffine
from . import updates  # noqa: F401  (state updates: chainrule.ops.updates.AdamStep ...)
from .nn import (ELU, GELU, Affine, BatchNorm, Dropout, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid,
                 SigmoidBinaryCrossEntropy, Softmax, SoftmaxWithLoss, Softplus, Step, Tanh)
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .windows import col2im, conv_output_length, deconv_output_length, im2col
from .conv import Conv, Convolution, ConvTranspose, DepthwiseConv
from .pooling import AvgPool, GlobalAvgPool, GlobalMaxPool, MaxPool, Pooling
from .spatial import Crop, ResizeBilinear, ResizeNearest, UpSampleNearest, ZeroPad
from .warp import ProjectiveTransform
from .embedding import Embedding
from .normalization import LayerNorm
from .attention import MaskedSoftmax, ScaledDotProductAttention
from .recurrent import (RECURRENT_ACTIVATIONS, GRUSequence, GRUStep, LSTMSequence, LSTMStep, SimpleRNNSequence,
                        SimpleRNNStep)
from .time_layers import LSTM, RNN, TimeAffine, TimeEmbedding, TimeLSTM, TimeRNN, TimeSoftmaxWithLoss

# The seed's names for the same objects.
MulLayer, AddLayer = Mul, Add

__all__ = [name for name in dir() if not name.startswith("_")]

# tf.math's element-wise functions, segment reductions and running products, linear algebra.
from .elementwise import (Acos, Acosh, Asin, Asinh, Atan, Atan2, Atanh, Ceil, Cos, Cosh, Digamma,  # noqa: E402
                          DivNoNan, Erf, Erfc, Expm1, Floor, Lgamma, Log1p, LogSigmoid, MulNoNan, Reciprocal,
                          Round, Rsqrt, Sign, Sin, Sinh, Softsign, SquaredDifference, Tan, Xlogy)
from .segment import CumProd, SegmentReduction  # noqa: E402
from .shape import GatherNd  # noqa: E402
from .linalg import (BandPart, Cholesky, Det, Eigh, Einsum, Inv, MatrixDiag, MatrixDiagPart, Qr,  # noqa: E402
                     Slogdet, Solve, Svd)

__all__ = [name for name in dir() if not name.startswith("_")]
