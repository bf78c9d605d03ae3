"""``chainrule.nn``: activations and fused losses with TensorFlow's names and signatures."""
from __future__ import annotations

from typing import Any

from ._missing import missing_attribute as _missing_attribute
from . import _dispatch
from . import ops as _ops
from . import random as _random
from .functions import _float_unary, sigmoid, tanh  # noqa: F401 - re-exported names
from .functions import log_softmax, softmax, transpose  # noqa: F401 - softmax and log_softmax are re-exported
from .functions import add_n, clip_by_value, reduce_mean, reduce_sum, reshape, rsqrt, square, squeeze, where
from .functions import concat, gather, maximum, sqrt
from .functions import TopKV2, top_k as _top_k
from . import math as _math
from .distribute import context as _distribute_context
from .errors import InvalidArgumentError
from .tensor import AxisLike, Tensor, TensorLike, apply_op, as_tensor, to_array
from ._nn_conv import (atrous_conv2d, atrous_conv2d_transpose, avg_pool, avg_pool1d, avg_pool2d,  # noqa: F401
                       avg_pool3d, conv1d, conv1d_transpose, conv2d, conv2d_transpose, conv3d, conv3d_transpose,
                       conv_transpose, convolution, depth_to_space, depthwise_conv2d, local_response_normalization,
                       lrn, max_pool, max_pool1d, max_pool2d, max_pool3d, pool, separable_conv2d, space_to_depth)

_SQRT_2_OVER_PI = (2.0 / 3.141592653589793) ** 0.5


def relu(features: TensorLike, name: str | None = None) -> Tensor:
    """``max(features, 0)``."""
    return _float_unary(_ops.ReLU(), features, "Relu")


def leaky_relu(features: TensorLike, alpha: TensorLike = 0.2, name: str | None = None) -> Tensor:
    """``features`` where positive, else ``alpha * features`` (alpha default 0.2)."""
    return _float_unary(_ops.LeakyReLU(alpha), features, "LeakyRelu")


def elu(features: TensorLike, name: str | None = None) -> Tensor:
    """``features`` where positive, else ``exp(features) - 1``."""
    return _float_unary(_ops.ELU(1.0), features, "Elu")


def _labels(labels: Any, dtype: Any = None) -> Any:
    # Labels never get a gradient: they enter the fused op as a plain tensor.
    return labels if isinstance(labels, Tensor) and dtype is None else Tensor(to_array(labels, dtype))


def sparse_softmax_cross_entropy_with_logits(labels: TensorLike = None, logits: TensorLike = None,
                                             name: str | None = None) -> Tensor:
    """Per-sample cross-entropy of ``softmax(logits)`` against integer ``labels``.

    ``labels`` shape ``(N,)`` ints in ``[0, C)``; ``logits`` ``(N, C)``; result ``(N,)``.
    """
    logits = as_tensor(logits)
    return apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, _labels(labels))


def softmax_cross_entropy_with_logits(labels: TensorLike = None, logits: TensorLike = None, axis: AxisLike = -1,
                                      name: str | None = None) -> Tensor:
    """Per-sample cross-entropy of ``softmax(logits)`` against probability rows ``labels`` (same shape)."""
    logits = as_tensor(logits)
    labels = _labels(labels, logits._value.dtype)
    if axis not in (-1, logits.ndim - 1):
        perm = [i for i in range(logits.ndim) if i != axis % logits.ndim] + [axis % logits.ndim]
        logits, labels = transpose(logits, perm), transpose(labels, perm)
    return apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, labels)


def sigmoid_cross_entropy_with_logits(labels: TensorLike = None, logits: TensorLike = None,
                                      name: str | None = None) -> Tensor:
    """Element-wise binary cross-entropy of ``sigmoid(logits)`` against ``labels`` (same shape)."""
    logits = as_tensor(logits)
    return apply_op(_ops.SigmoidBinaryCrossEntropy(reduction="none"), logits,
                    _labels(labels, logits._value.dtype))


def dropout(x: TensorLike, rate: Any, noise_shape: Any = None, seed: int | None = None,
            name: str | None = None) -> Tensor:
    """Inverted dropout: zero with probability ``rate``, scale the kept values by ``1/(1-rate)``.

    With a ``seed`` the masks repeat from run to run, each call continuing the last (TensorFlow's seeded
    ``RandomUniform`` kernel; ``chainrule.random.set_seed`` starts it over); without one they come from the
    global generator."""
    rng = None if seed is None else _random._rng(seed, "RandomUniform")
    return _float_unary(_ops.Dropout(rate, noise_shape=noise_shape, rng=rng), x, "Dropout")


# ----------------------------------------------------------------------------- more of tf.nn
# Compositions of ops (exact, so differentiable) and tf.math's functions under their tf.nn names.

def softplus(features: TensorLike, name: str | None = None) -> Tensor:
    """``log(exp(features) + 1)`` computed without overflow (``chainrule.math.softplus``)."""
    return _math.softplus(features)


def softsign(features: TensorLike, name: str | None = None) -> Tensor:
    """``features / (abs(features) + 1)``."""
    return _math.softsign(features)


def relu6(features: TensorLike, name: str | None = None) -> Tensor:
    """``min(max(features, 0), 6)``."""
    return clip_by_value(_float_checked(features, "Relu6"), 0, 6)


def selu(features: TensorLike, name: str | None = None) -> Tensor:
    """``scale * (features if > 0 else alpha * (exp(features) - 1))`` with Klambauer et al.'s constants."""
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    x = _float_checked(features, "Selu")
    return scale * where(x > 0, x, alpha * elu(x))


def silu(features: TensorLike, beta: float = 1.0, name: str | None = None) -> Tensor:
    """``features * sigmoid(beta * features)`` (also called swish)."""
    x = _float_checked(features, "Silu")
    return x * sigmoid(x * beta if beta != 1.0 else x)


swish = silu


def gelu(features: TensorLike, approximate: bool = False, name: str | None = None) -> Tensor:
    """``x * P(X <= x)`` for a standard normal X: ``0.5 x (1 + erf(x / sqrt(2)))``, or the tanh approximation."""
    x = _float_checked(features, "Gelu")
    if approximate:
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
    return apply_op(_ops.GELU(), x)


def _float_checked(x: Any, op_name: Any) -> Any:
    t = as_tensor(x)
    if t._value.dtype.kind not in "fc":
        raise InvalidArgumentError(f"{op_name}: expected a floating-point tensor, got {t.dtype.name} of shape "
                                   f"{t.shape}; cast it first, e.g. chainrule.cast(x, chainrule.float32).")
    return t


def l2_normalize(x: TensorLike, axis: AxisLike = None, epsilon: float = 1e-12, name: str | None = None,
                 dim: Any = None) -> Tensor:
    """``x / sqrt(max(sum(x**2, axis), epsilon))`` (``chainrule.math.l2_normalize``)."""
    return _math.l2_normalize(x, axis=axis, epsilon=epsilon, dim=dim)


def embedding_lookup(params: Any, ids: TensorLike, max_norm: float | None = None, name: str | None = None) -> Tensor:
    """The rows of ``params`` at ``ids``: shape ``ids.shape + params.shape[1:]``, as ``tf.nn.embedding_lookup``.

    ``params`` is a Tensor (or Variable), or a list of them split along the first axis (concatenated,
    TensorFlow 2's "div" layout). A 2-D table runs the :class:`chainrule.ops.Embedding` op (its backward
    scatters the rows' gradients into the table without a one-hot); other ranks run ``gather``.
    ``max_norm``: rows whose L2 norm exceeds it are scaled down to it (``clip_by_norm`` of each looked-up row).

    Raises ``InvalidArgumentError`` for float ids or an id outside ``[0, rows)``.
    """
    if isinstance(params, (list, tuple)):
        params = params[0] if len(params) == 1 else concat(list(params), axis=0)
    table, idx = as_tensor(params), as_tensor(ids)
    if idx._value.dtype.kind not in "iu":
        raise InvalidArgumentError(f"embedding_lookup: ids must be integers, got {idx.dtype.name} values; cast them "
                                   "first: chainrule.cast(ids, chainrule.int32).")
    out = apply_op(_ops.Embedding(), table, idx) if table.ndim == 2 else gather(table, idx)
    if max_norm is not None:
        axes = list(range(idx.ndim, out.ndim))
        norm = sqrt(reduce_sum(square(out), axis=axes, keepdims=True))
        out = out * (max_norm / maximum(norm, max_norm))  # clip_by_norm's formula
    return out


def l2_loss(t: TensorLike, name: str | None = None) -> Tensor:
    """``sum(t ** 2) / 2`` (no square root), a scalar."""
    return reduce_sum(square(t)) / 2.0


def moments(x: TensorLike, axes: Any, shift: Any = None, keepdims: bool = False,
            name: str | None = None) -> tuple[Tensor, Tensor]:
    """``(mean, variance)`` of ``x`` over ``axes`` (population variance)."""
    x = as_tensor(x)
    mean = reduce_mean(x, axis=axes, keepdims=True)
    variance = reduce_mean(square(x - mean), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = squeeze(mean, axis=axes)
    return mean, variance


def batch_normalization(x: TensorLike, mean: TensorLike, variance: TensorLike, offset: TensorLike, scale: TensorLike,
                        variance_epsilon: Any, name: str | None = None) -> Tensor:
    """``scale * (x - mean) / sqrt(variance + variance_epsilon) + offset`` (offset/scale may be None)."""
    inv = rsqrt(variance + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    out = x * inv + ((offset - mean * inv) if offset is not None else -mean * inv)
    return out


def bias_add(value: TensorLike, bias: Any, data_format: Any = None, name: str | None = None) -> Tensor:
    """``value + bias`` with ``bias`` (1-D) added along the last axis (``'NC...'``: the second axis)."""
    value, bias = as_tensor(value), as_tensor(bias)
    if bias.ndim != 1:
        raise ValueError(f"bias_add: bias must be 1-D, got shape {bias.shape}.")
    if data_format is not None and data_format.startswith("NC"):
        bias = reshape(bias, [-1] + [1] * (value.ndim - 2))
    return value + bias


def compute_average_loss(per_example_loss: Any, sample_weight: Any = None, global_batch_size: Any = None) -> Tensor:
    """The sum of the (weighted) per-example losses divided by ``global_batch_size``.

    ``global_batch_size`` defaults to this replica's number of examples times the number of
    replicas in sync (1 outside a strategy), so that summing the replicas' gradients, as
    ``apply_gradients`` does in ``strategy.run``, gives the gradient of the global batch's mean.
    """
    loss = as_tensor(per_example_loss)
    if sample_weight is not None:
        loss = loss * sample_weight
    if global_batch_size is None:
        global_batch_size = (loss.shape[0] if loss.ndim else 1) * _distribute_context.num_replicas_in_sync()
    return reduce_sum(loss) / float(global_batch_size or 1)


def scale_regularization_loss(regularization_loss: Any) -> Tensor:
    """The regularization loss (a tensor, or a list summed) divided by the number of replicas in sync.

    Every replica adds it to its loss and ``strategy.run``'s ``apply_gradients`` sums the
    replicas' gradients, so each contributes its share; with one replica it is unchanged.
    """
    loss = add_n(regularization_loss) if isinstance(regularization_loss, (list, tuple)) else regularization_loss
    replicas = _distribute_context.num_replicas_in_sync()
    return loss if replicas == 1 else as_tensor(loss) / float(replicas)


def in_top_k(targets: TensorLike, predictions: TensorLike, k: TensorLike, name: str | None = None) -> Tensor:
    """``chainrule.math.in_top_k``."""
    return _math.in_top_k(targets, predictions, k)


def top_k(input: TensorLike, k: TensorLike = 1, sorted: bool = True,  # noqa: A002
          name: str | None = None) -> TopKV2:
    """``chainrule.math.top_k``."""
    return _top_k(input, k, sorted)


def zero_fraction(value: TensorLike, name: str | None = None) -> Tensor:
    """``chainrule.math.zero_fraction``."""
    return _math.zero_fraction(value)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so

# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
