"""``chainrule.nn``: activations and fused losses with TensorFlow's names and signatures."""
from __future__ import annotations

from . import ops as _ops
from .functions import _float_unary, sigmoid, tanh  # noqa: F401 - re-exported names
from .functions import transpose
from .tensor import Tensor, apply_op, as_tensor, to_array


def relu(features, name=None):
    """``max(features, 0)``."""
    return _float_unary(_ops.ReLU(), features, "Relu")


def leaky_relu(features, alpha=0.2, name=None):
    """``features`` where positive, else ``alpha * features`` (alpha default 0.2)."""
    return _float_unary(_ops.LeakyReLU(alpha), features, "LeakyRelu")


def elu(features, name=None):
    """``features`` where positive, else ``exp(features) - 1``."""
    return _float_unary(_ops.ELU(1.0), features, "Elu")


def softmax(logits, axis=None, name=None):
    """Softmax along ``axis`` (default last), computed from shifted logits."""
    return _float_unary(_ops.Softmax(-1 if axis is None else axis), logits, "Softmax")


def log_softmax(logits, axis=None, name=None):
    """Log-softmax along ``axis`` (default last), finite for logits of +-1000."""
    return _float_unary(_ops.LogSoftmax(-1 if axis is None else axis), logits, "LogSoftmax")


def _labels(labels, dtype=None):
    # Labels never get a gradient: they enter the fused op as a plain tensor.
    return labels if isinstance(labels, Tensor) and dtype is None else Tensor(to_array(labels, dtype))


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Per-sample cross-entropy of ``softmax(logits)`` against integer ``labels``.

    ``labels`` shape ``(N,)`` ints in ``[0, C)``; ``logits`` ``(N, C)``; result ``(N,)``.
    """
    logits = as_tensor(logits)
    return apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, _labels(labels))


def softmax_cross_entropy_with_logits(labels=None, logits=None, axis=-1, name=None):
    """Per-sample cross-entropy of ``softmax(logits)`` against probability rows ``labels`` (same shape)."""
    logits = as_tensor(logits)
    labels = _labels(labels, logits._value.dtype)
    if axis not in (-1, logits.ndim - 1):
        perm = [i for i in range(logits.ndim) if i != axis % logits.ndim] + [axis % logits.ndim]
        logits, labels = transpose(logits, perm), transpose(labels, perm)
    return apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, labels)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Element-wise binary cross-entropy of ``sigmoid(logits)`` against ``labels`` (same shape)."""
    logits = as_tensor(logits)
    return apply_op(_ops.SigmoidBinaryCrossEntropy(reduction="none"), logits,
                    _labels(labels, logits._value.dtype))


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Inverted dropout: zero with probability ``rate``, scale the kept values by ``1/(1-rate)``."""
    return _float_unary(_ops.Dropout(rate, noise_shape=noise_shape, seed=seed), x, "Dropout")
