"""``chainrule.keras.losses``: tf.keras 2 loss functions and Loss classes, with the same formulas and names.

Two forms, as in tf.keras:

* **functions** ``fn(y_true, y_pred) -> Tensor`` give one value per sample
  (most average over the last axis): ``mean_squared_error([[0, 1]], [[1, 1]])``
  is ``[0.5]``. They are built from chainrule ops, so they are differentiable on
  a GradientTape with respect to ``y_pred``.
* **classes** ``Loss(reduction='auto', name=...)`` are called as
  ``loss(y_true, y_pred, sample_weight=None)`` and reduce the per-sample values:
  ``'auto'``/``'sum_over_batch_size'`` -> ``sum(w * l) / number of values``,
  ``'sum'`` -> ``sum(w * l)``, ``'none'`` -> ``w * l``.

Cross-entropies follow tf.keras 2 exactly:

* probabilities (``from_logits=False``) are clipped to ``[epsilon, 1 - epsilon]``
  (``epsilon = 1e-7``); categorical cross-entropy first rescales each row to sum 1;
* ``from_logits=True`` uses the fused ops ``SoftmaxWithLoss`` /
  ``SigmoidBinaryCrossEntropy`` (finite for logits of +-1000, textbook gradient
  ``(softmax - onehot) / N``). A plain call on probabilities computes the formula
  on the probabilities, as written. (tf.keras 2 silently takes the logits of any
  softmax/sigmoid output instead; in chainrule that choice is made visibly by
  ``compile``, for a model whose output layer ends in the matching activation:
  see ``keras.trainers.compile_utils``.)

Every function is built from ops on its input tensors (values are never read in
Python), so a loss inside ``chainrule.function`` or ``fit``'s compiled step is
recorded and replayed.

Labels never get a gradient through the fused ops. A 1-D ``y_true`` against a
``(N, 1)`` ``y_pred`` is treated as ``(N, 1)``, as the tf.keras training loop does.
"""
from __future__ import annotations

from .._missing import missing_attribute as _missing_attribute
import math
import warnings
from typing import Any, Callable

import numpy as np

from chainrule import ops as _ops
from chainrule.backend import epsilon, floatx
from chainrule.functions import (abs as _abs, broadcast_to, cast, clip_by_value, identity, log as _log, maximum,
                                 not_equal, reduce_max, reduce_mean, reduce_sum, reshape, sqrt as _sqrt, square,
                                 transpose, where, zeros_like)
from chainrule.tensor import Tensor, TensorLike, apply_op, as_tensor

from . import activations as _activations
from . import registry

__all__ = [
    "Reduction", "Loss", "LossFunctionWrapper",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "Huber", "LogCosh", "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson", "CosineSimilarity",
    "mean_squared_error", "mse", "MSE", "mean_absolute_error", "mae", "MAE",
    "mean_absolute_percentage_error", "mape", "MAPE", "mean_squared_logarithmic_error", "msle", "MSLE",
    "huber", "log_cosh", "logcosh", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
    "kld", "KLD", "kullback_leibler_divergence", "poisson", "cosine_similarity",
    "get", "serialize", "deserialize", "compute_weighted_loss",
]


# ----------------------------------------------------------------------------- input handling

def _pred(y_pred, name) -> Tensor:
    """``y_pred`` as a float Tensor (Tensors and Variables pass through; ints become floatx)."""
    t = as_tensor(y_pred)
    kind = t._value.dtype.kind
    if kind in "SOU":
        raise ValueError(f"{name}: y_pred must be numeric, got a {t.dtype.name} tensor of shape {t.shape}.")
    return t if kind == "f" else cast(t, floatx())


def _true(y_true, like: Tensor) -> Tensor:
    """``y_true`` as a Tensor of ``like``'s dtype (cast with an op, as tf.cast)."""
    dtype = like._value.dtype
    if isinstance(y_true, Tensor):
        return y_true if y_true._value.dtype == dtype else cast(y_true, dtype)
    return Tensor(np.asarray(y_true, dtype=dtype))


def _check(check, t: Tensor) -> None:
    """Run a value check on ``t`` as a no-gradient op (so a compiled step repeats it on every batch)."""
    apply_op(_ops.NoGradient(check), t)


def _align_ranks(y_true: Tensor, y_pred: Tensor):
    """Match a 1-D ``y_true`` to a ``(N, 1)`` ``y_pred`` (and the reverse), as the tf.keras training loop does."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.ndim >= 1 and y_pred.shape[-1] == 1:
        y_true = reshape(y_true, tuple(y_true.shape) + (1,))
    elif y_pred.ndim == y_true.ndim - 1 and y_true.ndim >= 1 and y_true.shape[-1] == 1:
        y_true = reshape(y_true, tuple(y_true.shape)[:-1])
    return y_true


def _logits_of(y_pred, from_logits: bool, activation: str, name: str) -> tuple:
    """``(y_pred, from_logits)`` as tf.keras 2's cross-entropies take them: an output of
    ``keras.activations.sigmoid``/``softmax`` carries the values it was computed from (``_keras_logits``), and the
    loss uses those, as logits, instead of the probabilities (warning, as TensorFlow does, when the caller also
    said ``from_logits=True``)."""
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is None:
        return y_pred, from_logits
    if from_logits:
        warnings.warn(f'"`{name}` received `from_logits=True`, but the `output` argument was produced by a '
                      f"{activation} activation and thus does not represent logits. Was this intended?",
                      stacklevel=3)
    return logits, True


def squeezed_away_logits(y_true, y_pred):
    """``y_pred`` as tf.keras 2's loss and metric wrappers (and ``fit``'s losses) hand it to their function.

    They squeeze a ``(..., 1)`` y_pred to the rank of a y_true one axis shorter (1-D labels against a
    ``Dense(1, activation='sigmoid')`` output) before calling it, and the squeezed tensor no longer carries the
    activation's logits: the loss then takes the probabilities' clipped formula, which differs from the logits'
    only where a probability is within ~1e-7 of 0 or 1. Here the values keep y_pred's shape (the functions align
    the labels instead); only the logits are left behind, through an ``identity``. Anything else is returned as is.
    """
    if (getattr(y_pred, "_keras_logits", None) is not None and y_pred.ndim >= 1 and y_pred.shape[-1] == 1
            and np.ndim(y_true) == y_pred.ndim - 1):
        return identity(y_pred)
    return y_pred


def _prepare(y_true, y_pred, name):
    """Convert, cast ``y_true`` to ``y_pred``'s dtype, align ranks and check the shapes broadcast."""
    y_pred = _pred(y_pred, name)
    y_true = _align_ranks(_true(y_true, y_pred), y_pred)
    try:
        np.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
    except ValueError:
        raise ValueError(f"{name}: y_true of shape {tuple(y_true.shape)} and y_pred of shape "
                         f"{tuple(y_pred.shape)} are incompatible; they must have the same shape (or "
                         f"broadcast to one).") from None
    return y_pred, y_true


def _normalize_axis(axis, ndim, name):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{name}: `axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for y_pred of rank {ndim}.")
    return int(axis) % ndim


def _move_axis_last(t: Tensor, axis: int) -> Tensor:
    if axis == t.ndim - 1:
        return t
    perm = [i for i in range(t.ndim) if i != axis] + [axis]
    return transpose(t, perm)


# ----------------------------------------------------------------------------- regression losses

def mean_squared_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """Mean squared error per sample: ``mean(square(y_true - y_pred), axis=-1)``.

    Shapes: ``y_true``, ``y_pred`` ``(N, d0, .. dn)`` -> ``(N, d0, .. dn-1)``.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "mean_squared_error")
    return reduce_mean(square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """Mean absolute error per sample: ``mean(abs(y_true - y_pred), axis=-1)``.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "mean_absolute_error")
    return reduce_mean(_abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """``100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)``.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    diff = _abs((y_true - y_pred) / maximum(_abs(y_true), epsilon()))
    return reduce_mean(diff, axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    first_log = _log(maximum(y_pred, epsilon()) + 1.0)
    second_log = _log(maximum(y_true, epsilon()) + 1.0)
    return reduce_mean(square(first_log - second_log), axis=-1)


def huber(y_true: TensorLike, y_pred: TensorLike, delta: float = 1.0) -> Tensor:
    """Huber loss per sample: ``0.5 * e**2`` where ``|e| <= delta``, else ``delta * |e| - 0.5 * delta**2``.

    ``e = y_pred - y_true``; the mean is over the last axis.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).
        delta: where the loss turns from quadratic to linear (default 1.0).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "huber")
    delta = float(delta)
    error = y_pred - y_true
    abs_error = _abs(error)
    quadratic = square(error) * 0.5
    linear = abs_error * delta - 0.5 * delta * delta
    return reduce_mean(where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as ``x + softplus(-2x) - log(2)`` (no overflow).

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return reduce_mean(x + _activations.softplus(x * -2.0) - math.log(2.0), axis=-1)


# ----------------------------------------------------------------------------- cross-entropies

def binary_crossentropy(y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> Tensor:
    """Binary cross-entropy, averaged over ``axis`` (default last): one value per sample.

    Probabilities: ``-(t * log(p + eps) + (1 - t) * log(1 - p + eps))`` with ``p`` clipped to
    ``[eps, 1 - eps]``. Logits (``from_logits=True``): the fused ``SigmoidBinaryCrossEntropy``. An output of
    ``keras.activations.sigmoid`` (a layer's ``activation='sigmoid'``) is computed from the values it was made
    from, as logits, as in tf.keras 2.
    ``label_smoothing`` moves labels towards 0.5: ``t * (1 - ls) + 0.5 * ls``. Shapes: ``(N, d)`` -> ``(N,)``.

    Args:
        y_true: labels in [0, 1] (0/1 or probabilities), shape ``(N, d)``.
        y_pred: predicted probabilities (or logits with ``from_logits=True``), the same shape.
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; moves the labels towards 0.5.
        axis: the axis averaged over (default the last).

    Returns:
        The per-sample losses, ``y_pred``'s shape without ``axis``.

    Raises:
        ValueError: labels outside [0, 1] (naming one and the fix), shapes that do not broadcast, or an
            ``axis`` out of range.
    """
    y_pred, from_logits = _logits_of(y_pred, from_logits, "Sigmoid", "binary_crossentropy")
    y_pred, y_true = _prepare(y_true, y_pred, "binary_crossentropy")
    _check(_check_binary_labels, y_true)
    axis = _normalize_axis(axis, max(y_pred.ndim, 1), "binary_crossentropy")
    if label_smoothing:
        ls = float(label_smoothing)
        y_true = y_true * (1.0 - ls) + 0.5 * ls
    if from_logits:
        shape = np.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
        logits = y_pred if tuple(y_pred.shape) == shape else broadcast_to(y_pred, shape)
        labels = y_true if tuple(y_true.shape) == shape else broadcast_to(y_true, shape)
        per_value = apply_op(_ops.SigmoidBinaryCrossEntropy(reduction="none"), logits, labels)
    else:
        eps = epsilon()
        p = clip_by_value(y_pred, eps, 1.0 - eps)
        per_value = -(y_true * _log(p + eps) + (1.0 - y_true) * _log(1.0 - p + eps))
    return reduce_mean(per_value, axis=axis)


def _check_binary_labels(v: np.ndarray) -> np.ndarray:
    """Integer targets of a binary cross-entropy must be 0 or 1: class ids such as 2 are the usual mistake.

    Non-integral targets outside [0, 1] are computed with the formula, as TensorFlow does (the Keras guide's
    endpoint layer passes its arguments in the other order and trains on such values).
    """
    if not v.size or v.dtype.kind not in "iuf" or (v.min() >= 0 and v.max() <= 1):
        return v
    integral = v.dtype.kind in "iu" or bool(np.all(v == np.round(v)))
    if not integral:
        return v
    bad = v[(v < 0) | (v > 1)].flat[0]
    shown = f"{int(bad)}"
    if v.min() >= 0:
        k = int(v.max()) + 1
        fix = (f"for {k} classes use a Dense({k}, activation='softmax') output with "
               "sparse_categorical_crossentropy")
    else:
        fix = "binary targets must be 0/1 labels or probabilities; rescale them, or use a regression loss such as 'mse'"
    raise ValueError(f"binary_crossentropy: y_true holds values outside [0, 1] (e.g. {shown}); {fix}.")


def _looks_sparse(true_shape, pred_shape) -> bool:
    """Integer class labels ``(N,)``/``(N, 1)`` against ``(N, C)`` predictions with ``C > 1``."""
    if len(pred_shape) < 1 or pred_shape[-1] <= 1:
        return False
    return tuple(true_shape) in (tuple(pred_shape[:-1]), tuple(pred_shape[:-1]) + (1,))


def _known_softmax(logits: Tensor, axis: int) -> tuple:
    """``(probs,)`` when a fused output head computed ``softmax(logits)`` over the last axis already (its
    layer's output, kept for the metrics; see ``trainers.compile_utils.OutputHead``), else ``()``:
    ``SoftmaxWithLoss`` then reuses it instead of computing a second softmax in the same step."""
    probs = getattr(logits, "_keras_softmax", None)
    if probs is None or axis != logits.ndim - 1:
        return ()
    if probs._value.shape != logits._value.shape or probs._value.dtype != logits._value.dtype:
        return ()
    return (probs,)


def _softmax_cross_entropy(logits: Tensor, labels: Tensor, axis: int) -> Tensor:
    """Per-sample ``-sum(labels * log_softmax(logits))`` along ``axis`` with the fused op."""
    known = _known_softmax(logits, axis)
    logits = _move_axis_last(logits, axis)
    labels = _move_axis_last(labels, axis)
    return apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, labels, *known)


def categorical_crossentropy(y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Categorical cross-entropy against one-hot (or probability) rows, one value per sample.

    Probabilities: each row is rescaled to sum 1, clipped to ``[eps, 1 - eps]``, then
    ``-sum(y_true * log(p), axis)``. Logits (``from_logits=True``): the fused ``SoftmaxWithLoss``. ``label_smoothing``:
    ``y_true * (1 - ls) + ls / C``. Shapes: ``(N, C)`` -> ``(N,)``. An output of ``keras.activations.softmax``
    is computed from the values it was made from, as logits, as in tf.keras 2.

    Integer labels of shape ``(N,)`` or ``(N, 1)`` raise ``ValueError`` pointing to
    ``sparse_categorical_crossentropy`` or ``keras.utils.to_categorical``.

    Args:
        y_true: one-hot (or probability) rows, the shape of ``y_pred``.
        y_pred: predicted probabilities (or logits with ``from_logits=True``), shape ``(N, C)``.
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; mixes the labels with the uniform distribution.
        axis: the class axis (default the last).

    Returns:
        The per-sample losses ``(N,)``.

    Raises:
        ValueError: integer labels (pointing to the sparse loss), or shapes that differ.
    """
    y_pred, from_logits = _logits_of(y_pred, from_logits, "Softmax", "categorical_crossentropy")
    y_pred = _pred(y_pred, "categorical_crossentropy")
    true_shape = tuple(np.shape(y_true))
    if _looks_sparse(true_shape, tuple(y_pred.shape)):
        raise ValueError(
            f"categorical_crossentropy: y_true has shape {true_shape} but y_pred has shape "
            f"{tuple(y_pred.shape)}: the labels look like integer class indices, while categorical_crossentropy "
            f"expects one-hot rows of shape {tuple(y_pred.shape)}. Use sparse_categorical_crossentropy for "
            f"integer labels, or one-hot encode them with keras.utils.to_categorical(y, "
            f"num_classes={y_pred.shape[-1]}).")
    y_true = _true(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"categorical_crossentropy: Shapes {tuple(y_true.shape)} and {tuple(y_pred.shape)} are "
                         f"incompatible; y_true must be one-hot rows with the shape of y_pred.")
    axis = _normalize_axis(axis, y_pred.ndim, "categorical_crossentropy")
    if label_smoothing:
        ls = float(label_smoothing)
        y_true = y_true * (1.0 - ls) + ls / y_true.shape[-1]
    if from_logits:
        return _softmax_cross_entropy(y_pred, y_true, axis)
    eps = epsilon()
    p = y_pred / reduce_sum(y_pred, axis=axis, keepdims=True)
    p = clip_by_value(p, eps, 1.0 - eps)
    return -reduce_sum(y_true * _log(p), axis=axis)


def sparse_categorical_crossentropy(y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False, axis: int = -1,
                                    ignore_class: int | None = None) -> Tensor:
    """Cross-entropy against integer class indices, one value per sample.

    ``y_true`` holds class indices (int or integral float) of shape ``(N,)`` or ``(N, 1)``
    (``(N, d0, ..)`` for ``y_pred`` ``(N, d0, .., C)``). Probabilities are clipped to
    ``[eps, 1 - eps]`` and their log goes through the fused ``SoftmaxWithLoss``, as
    tf.keras 2 does; logits (``from_logits=True``), or those an output of ``keras.activations.softmax`` was made
    from, go in directly. ``ignore_class``: labels equal to it
    give a loss of 0.

    One-hot ``y_true`` (same shape as ``y_pred``) raises ``ValueError``; an out-of-range label raises
    ``InvalidArgumentError`` (a ``ValueError``) naming it and the number of classes, as TensorFlow.

    Args:
        y_true: integer class indices, shape ``(N,)`` or ``(N, 1)``.
        y_pred: predicted probabilities (or logits with ``from_logits=True``), shape ``(N, C)``.
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        axis: the class axis (default the last).
        ignore_class: a label value whose samples get a loss of 0 (None: none).

    Returns:
        The per-sample losses ``(N,)``.

    Raises:
        ValueError: one-hot labels, labels that do not fit ``y_pred``, or non-integer labels.
        InvalidArgumentError: a label outside ``[0, C)``.
    """
    name = "sparse_categorical_crossentropy"
    y_pred, from_logits = _logits_of(y_pred, from_logits, "Softmax", name)
    y_pred = _pred(y_pred, name)
    labels = as_tensor(y_true)
    if y_pred.ndim < 1:
        raise ValueError(f"{name}: y_pred must have a class axis, got a scalar.")
    axis = _normalize_axis(axis, y_pred.ndim, name)
    n_classes = y_pred.shape[axis]
    pred_shape = tuple(y_pred.shape)
    if tuple(labels.shape) == pred_shape and n_classes > 1:
        raise ValueError(
            f"{name}: y_true has shape {tuple(labels.shape)}, the same as y_pred {pred_shape}: the labels look "
            f"one-hot (or like probability rows). Use categorical_crossentropy for one-hot labels, or pass integer "
            f"class indices of shape {pred_shape[:axis] + pred_shape[axis + 1:]}.")
    logits = y_pred
    known = _known_softmax(y_pred, axis) if from_logits else ()
    if not from_logits:
        eps = epsilon()
        logits = _log(clip_by_value(y_pred, eps, 1.0 - eps))
    logits = _move_axis_last(logits, axis)
    out_shape = tuple(logits.shape[:-1])
    if labels._value.size != int(np.prod(out_shape, dtype=np.int64)):
        raise ValueError(f"{name}: labels of shape {tuple(labels.shape)} do not fit y_pred of shape {pred_shape}; "
                         f"give integer class indices of shape {out_shape} (or {out_shape + (1,)}).")
    if tuple(labels.shape) != out_shape:
        labels = reshape(labels, out_shape)
    if labels._value.dtype.kind not in "iuf" and labels._value.dtype != bool:
        raise ValueError(f"{name}: labels must be integer class indices, got dtype {labels.dtype.name}.")
    valid = None
    if ignore_class is not None:
        valid = not_equal(labels, ignore_class)
        labels = where(valid, labels, zeros_like(labels))
    try:
        per_sample = apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, labels, *known)
    except ValueError as e:  # an out-of-range label stays an InvalidArgumentError, as TensorFlow's
        message = str(e).replace("SoftmaxWithLoss: ", "")
        raise type(e)(f"{name}: {message}") from None
    if valid is not None:
        per_sample = per_sample * cast(valid, per_sample._value.dtype)
    return per_sample


# ----------------------------------------------------------------------------- margin and other losses

def _binary_to_signs(v: np.ndarray) -> np.ndarray:
    return v * 2 - 1 if v.size and np.all((v == 0) | (v == 1)) else v


def _maybe_convert_labels(y_true: Tensor) -> Tensor:
    """tf.keras's hinge labels: {0, 1} labels become {-1, 1}; other labels are used as given (no gradient)."""
    return apply_op(_ops.NoGradient(_binary_to_signs), y_true)


def hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; labels in {0, 1} are mapped to {-1, 1}.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "hinge")
    y_true = _maybe_convert_labels(y_true)
    return reduce_mean(maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; labels in {0, 1} become {-1, 1}.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "squared_hinge")
    y_true = _maybe_convert_labels(y_true)
    return reduce_mean(square(maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)``, ``neg = max((1 - y_true) * y_pred)``.

    Args:
        y_true: one-hot targets ``(N, C)``.
        y_pred: predictions ``(N, C)``.

    Returns:
        The per-sample losses ``(N,)``.

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "categorical_hinge")
    pos = reduce_sum(y_true * y_pred, axis=-1)
    neg = reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """Kullback-Leibler divergence ``sum(t * log(t / p), axis=-1)`` with both clipped to ``[eps, 1]``.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "kl_divergence")
    eps = epsilon()
    y_true = clip_by_value(y_true, eps, 1.0)
    y_pred = clip_by_value(y_pred, eps, 1.0)
    return reduce_sum(y_true * _log(y_true / y_pred), axis=-1)


def poisson(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """Poisson loss ``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``.

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).

    Returns:
        A float Tensor of per-sample losses, shape ``(N, d0, .., dn-1)`` (the last axis reduced).

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "poisson")
    return reduce_mean(y_pred - y_true * _log(y_pred + epsilon()), axis=-1)


def _l2_normalize(x: Tensor, axis) -> Tensor:
    return x / _sqrt(maximum(reduce_sum(square(x), axis=axis, keepdims=True), 1e-12))


def cosine_similarity(y_true: TensorLike, y_pred: TensorLike, axis: int = -1) -> Tensor:
    """Negative cosine similarity ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``.

    Values lie in ``[-1, 1]``; -1 means the vectors point the same way (the loss is minimized).

    Args:
        y_true: the targets, shape ``(N, d0, .., dn)`` (a 1-D ``(N,)`` is matched to ``(N, 1)`` predictions).
        y_pred: the predictions, the same shape (or one ``y_true`` broadcasts to).
        axis: the axis of the vectors (default the last).

    Returns:
        The per-sample values in [-1, 1], ``y_pred``'s shape without ``axis``.

    Raises:
        ValueError: ``y_pred`` is not numeric, or the shapes do not broadcast.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "cosine_similarity")
    return -reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


# tf.keras 2's aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy


# ----------------------------------------------------------------------------- reductions

class Reduction:
    """tf.keras's ``losses.Reduction`` names: ``AUTO``, ``NONE``, ``SUM``, ``SUM_OVER_BATCH_SIZE``."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def _aligned_weights(sample_weight, losses: Tensor) -> Tensor:
    """``sample_weight`` as a Tensor of the losses' dtype, squeezed or expanded by one axis to match them."""
    sw = sample_weight if isinstance(sample_weight, Tensor) else Tensor(np.asarray(sample_weight))
    if sw._value.dtype != losses._value.dtype:
        sw = cast(sw, losses._value.dtype)
    shape = tuple(sw.shape)
    if len(shape) == losses.ndim + 1 and shape[-1] == 1:
        sw = reshape(sw, shape[:-1])
    elif losses.ndim == len(shape) + 1:
        sw = reshape(sw, shape + (1,))
    try:
        np.broadcast_shapes(tuple(sw.shape), tuple(losses.shape))
    except ValueError:
        raise ValueError(f"sample_weight of shape {tuple(sw.shape)} does not match the per-sample losses of shape "
                         f"{tuple(losses.shape)}; give one weight per sample.") from None
    return sw


def compute_weighted_loss(losses: TensorLike, sample_weight: TensorLike | None = None,
                          reduction: str = "sum_over_batch_size") -> Tensor:
    """Weight per-sample ``losses`` and reduce them, as tf.keras's ``compute_weighted_loss``.

    ``sample_weight`` is squeezed or expanded by one trailing axis to match ``losses``,
    then broadcast. ``'sum_over_batch_size'``/``'auto'`` divide the weighted sum by the
    number of loss values (zero weights included), ``'sum'`` returns the sum, ``'none'``
    the weighted values.

    Args:
        losses: the per-sample losses.
        sample_weight: one weight per sample (or per value), or None.
        reduction: ``'sum_over_batch_size'`` (default), ``'auto'``, ``'sum'`` or ``'none'``.

    Returns:
        A scalar Tensor, or the weighted values with ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``, or weights that do not match the losses.
    """
    Reduction.validate(reduction)
    losses = as_tensor(losses)
    if losses._value.dtype.kind != "f":
        losses = cast(losses, "float32")
    weighted = losses if sample_weight is None else losses * _aligned_weights(sample_weight, losses)
    if reduction == Reduction.NONE:
        return weighted
    if reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
        return reduce_mean(weighted) if weighted.size else reduce_sum(weighted)
    return reduce_sum(weighted)


# ----------------------------------------------------------------------------- Loss classes

class Loss:
    """Base class of the loss objects: subclasses implement ``call(y_true, y_pred)`` -> per-sample losses.

    ``loss(y_true, y_pred, sample_weight=None)`` runs ``call`` and reduces the result with
    ``reduction`` (``'auto'``, the default, means ``'sum_over_batch_size'``).

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name.

    Raises:
        ValueError: an unknown ``reduction``.
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str | None = None) -> None:
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike | None = None) -> Tensor:
        losses = self.call(y_true, y_pred)
        sample_weight = self._apply_mask(y_true, losses, sample_weight)
        mask = getattr(y_pred, "_keras_mask", None)
        if mask is not None:  # a masked prediction (a sequence): masked steps count for nothing (tf.keras 2)
            sample_weight = self._apply_valid_mask(losses, sample_weight, mask)
        return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    def _apply_valid_mask(self, losses, sample_weight, mask):
        """tf.keras 2's ``apply_valid_mask``: the mask becomes a weight, and a mean divides by the steps kept."""
        mask = cast(mask, losses._value.dtype)
        if tuple(mask.shape) != tuple(losses.shape):
            mask = reshape(mask, tuple(losses.shape))
        if self.reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
            mask = apply_op(_ops.NoGradient(_rescale_mask), mask)
        return mask if sample_weight is None else mask * _aligned_weights(sample_weight, mask)

    def _apply_mask(self, y_true, losses, sample_weight):
        return sample_weight

    def call(self, y_true: TensorLike, y_pred: TensorLike) -> Tensor:
        """The per-sample losses; subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A Loss around a function ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses.
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name.
        **kwargs: passed to ``fn`` on every call (and saved in the config).
    """

    def __init__(self, fn: Callable[..., Tensor], reduction: str = Reduction.AUTO, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: TensorLike, y_pred: TensorLike) -> Tensor:
        return self.fn(y_true, squeezed_away_logits(y_true, y_pred), **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors: ``mean(square(y_true - y_pred))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'mean_squared_error'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors: ``mean(abs(y_true - y_pred))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'mean_absolute_error'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(abs((y_true - y_pred) / y_true))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'mean_absolute_percentage_error'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_absolute_percentage_error") -> None:
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean(square(log(y_pred + 1) - log(y_true + 1)))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'mean_squared_logarithmic_error'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_squared_logarithmic_error") -> None:
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond (default name ``'huber_loss'``).

    Args:
        delta: where the loss turns from quadratic to linear (default 1.0).
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'huber_loss'``).
    """

    def __init__(self, delta: float = 1.0, reduction: str = Reduction.AUTO, name: str = "huber_loss") -> None:
        super().__init__(huber, reduction=reduction, name=name, delta=delta)


class LogCosh(LossFunctionWrapper):
    """``mean(log(cosh(y_pred - y_true)))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'log_cosh'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "log_cosh") -> None:
        super().__init__(log_cosh, reduction=reduction, name=name)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy between labels in {0, 1} and predicted probabilities (or logits).

    Args:
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: in [0, 1]; moves the labels towards 0.5.
        axis: the axis averaged over (default the last).
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'binary_crossentropy'``).
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = Reduction.AUTO, name: str = "binary_crossentropy") -> None:
        super().__init__(binary_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between one-hot labels ``(N, C)`` and predicted probabilities (or logits) ``(N, C)``.

    Args:
        from_logits: whether predictions are logits rather than probabilities.
        label_smoothing: in [0, 1]; mixes the labels with the uniform distribution.
        axis: the class axis (default the last).
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'categorical_crossentropy'``).
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = Reduction.AUTO, name: str = "categorical_crossentropy") -> None:
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between integer labels ``(N,)`` and predicted probabilities (or logits) ``(N, C)``.

    With ``ignore_class``, those labels are masked out and ``'sum_over_batch_size'``
    averages over the remaining ones, as tf.keras 2.11 does.

    Args:
        from_logits: whether predictions are logits rather than probabilities.
        ignore_class: a label value whose samples count for nothing (None: none).
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'sparse_categorical_crossentropy'``).
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None, reduction: str = Reduction.AUTO,
                 name: str = "sparse_categorical_crossentropy") -> None:
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, ignore_class=ignore_class)

    def _apply_mask(self, y_true, losses, sample_weight):
        ignore = self._fn_kwargs.get("ignore_class")
        if ignore is None:
            return sample_weight
        labels = as_tensor(y_true)
        if tuple(labels.shape) != tuple(losses.shape):
            labels = reshape(labels, tuple(losses.shape))
        mask = cast(not_equal(labels, ignore), losses._value.dtype)
        if self.reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
            # averaged over the labels kept, as tf.keras 2.11: scale the mask by size / number kept
            mask = apply_op(_ops.NoGradient(_rescale_mask), mask)
        return mask if sample_weight is None else mask * _aligned_weights(sample_weight, mask)


def _rescale_mask(mask: np.ndarray) -> np.ndarray:
    kept = mask.sum()
    return mask * (mask.dtype.type(mask.size / kept) if kept else mask.dtype.type(0))


class Hinge(LossFunctionWrapper):
    """``mean(maximum(1 - y_true * y_pred, 0))`` with labels in {-1, 1} (or {0, 1}, converted).

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'hinge'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "hinge") -> None:
        super().__init__(hinge, reduction=reduction, name=name)


class SquaredHinge(LossFunctionWrapper):
    """``mean(square(maximum(1 - y_true * y_pred, 0)))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'squared_hinge'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "squared_hinge") -> None:
        super().__init__(squared_hinge, reduction=reduction, name=name)


class CategoricalHinge(LossFunctionWrapper):
    """``maximum(neg - pos + 1, 0)`` over one-hot rows.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'categorical_hinge'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "categorical_hinge") -> None:
        super().__init__(categorical_hinge, reduction=reduction, name=name)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'kl_divergence'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "kl_divergence") -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name)


class Poisson(LossFunctionWrapper):
    """``mean(y_pred - y_true * log(y_pred))``.

    Args:
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'poisson'``).
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "poisson") -> None:
        super().__init__(poisson, reduction=reduction, name=name)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis`` (default last).

    Args:
        axis: the axis of the vectors (default the last).
        reduction: how ``__call__`` combines the per-sample losses: ``'auto'`` (default) or
            ``'sum_over_batch_size'`` (the mean over all values), ``'sum'`` or ``'none'``.
        name: the loss's name (default ``'cosine_similarity'``).
    """

    def __init__(self, axis: int = -1, reduction: str = Reduction.AUTO, name: str = "cosine_similarity") -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


# ----------------------------------------------------------------------------- look-up by name

registry.register("losses", Loss, LossFunctionWrapper, listed=False)
registry.register("losses", MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
                  MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy, CategoricalCrossentropy,
                  SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
                  CosineSimilarity, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
                  mean_squared_logarithmic_error, huber, log_cosh, binary_crossentropy, categorical_crossentropy,
                  sparse_categorical_crossentropy, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
                  cosine_similarity,
                  aliases={"mse": mse, "MSE": MSE, "mae": mae, "MAE": MAE, "mape": mape, "MAPE": MAPE, "msle": msle,
                           "MSLE": MSLE, "huber_loss": huber, "logcosh": logcosh, "bce": bce, "BCE": BCE, "kld": kld,
                           "KLD": KLD, "kullback_leibler_divergence": kl_divergence})


def serialize(loss: Any) -> Any:
    """A loss as tf.keras 2 writes it: a function's name, or ``{'class_name': ..., 'config': ...}``.

    Args:
        loss: a loss function or Loss object.

    Returns:
        The function's name, or ``{'class_name': ..., 'config': ...}``.
    """
    return registry.serialize(loss, "loss")


def deserialize(name: Any, custom_objects: dict | None = None) -> Any:
    """A loss from its serialized form: a name (function, alias or class name) or a dict.

    A class name gives an instance with the default arguments (``'BinaryCrossentropy'`` ->
    ``BinaryCrossentropy()``), a function name gives the function (``'mse'`` ->
    :func:`mean_squared_error`). Dicts are ``{'class_name': ..., 'config': {...}}``.

    Args:
        name: a loss name or a ``{'class_name', 'config'}`` dict.
        custom_objects: ``{name: class or function}`` for your own losses.

    Returns:
        The loss function or Loss object.

    Raises:
        ValueError: an unknown name (listing the valid ones and the closest).
    """
    return registry.deserialize("losses", name, custom_objects)


def get(identifier: Any) -> Any:
    """Resolve a loss: ``None`` -> None, a name or dict -> :func:`deserialize`, a callable as is.

    Misspelled names raise ``ValueError`` listing the valid names and the closest one
    (``"Did you mean 'binary_crossentropy'?"``).

    Args:
        identifier: None, a name, a config dict, a Loss object or a callable.

    Returns:
        The loss (None for None).

    Raises:
        ValueError: an unknown name, listing the valid names and the closest one.
    """
    return registry.get("losses", identifier)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
