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
* a ``y_pred`` that comes from a ``softmax``/``sigmoid`` activation carries the
  pre-activation tensor as ``y_pred._keras_logits``; the loss then uses those
  logits and the fused ops ``SoftmaxWithLoss`` / ``SigmoidBinaryCrossEntropy``
  (finite for logits of +-1000, textbook gradient ``(softmax - onehot) / N``).
  ``from_logits=True`` uses the same fused ops.

Labels never get a gradient through the fused ops. A 1-D ``y_true`` against a
``(N, 1)`` ``y_pred`` is treated as ``(N, 1)``, as the tf.keras training loop does.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from chainrule import ops as _ops
from chainrule.backend import epsilon, floatx
from chainrule.functions import (abs as _abs, cast, clip_by_value, log as _log, maximum, reduce_max,
                                 reduce_mean, reduce_sum, reshape, sqrt as _sqrt, square, transpose,
                                 where)
from chainrule.tensor import Tensor, apply_op, as_tensor

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
    "get", "serialize", "deserialize", "compute_loss",
]


# ----------------------------------------------------------------------------- input handling

def _pred(y_pred, name) -> Tensor:
    """``y_pred`` as a float Tensor (Tensors and Variables pass through; ints become floatx)."""
    t = as_tensor(y_pred)
    kind = t._value.dtype.kind
    if kind in "SOU":
        raise ValueError(f"{name}: y_pred must be numeric, got a {t.dtype.name} tensor of shape {t.shape}.")
    if kind != "f":
        t = Tensor(t._value.astype(floatx()))
    return t


def _true(y_true, like: Tensor) -> Tensor:
    """``y_true`` as a Tensor of ``like``'s dtype (a float Tensor is cast differentiably, as tf.cast)."""
    dtype = like._value.dtype
    if isinstance(y_true, Tensor):
        if y_true._value.dtype == dtype:
            return y_true
        if y_true._value.dtype.kind == "f":
            return cast(y_true, dtype)
        return Tensor(y_true._value.astype(dtype))
    return Tensor(np.asarray(y_true, dtype=dtype))


def _plain(t: Tensor) -> Tensor:
    """The same values in a Tensor no tape knows about: labels of a fused op get no gradient."""
    return Tensor(t._value)


def _align_ranks(y_true: Tensor, y_pred: Tensor):
    """Match a 1-D ``y_true`` to a ``(N, 1)`` ``y_pred`` (and the reverse), as the tf.keras training loop does."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.ndim >= 1 and y_pred.shape[-1] == 1:
        y_true = reshape(y_true, tuple(y_true.shape) + (1,))
    elif y_pred.ndim == y_true.ndim - 1 and y_true.ndim >= 1 and y_true.shape[-1] == 1:
        y_true = reshape(y_true, tuple(y_true.shape)[:-1])
    return y_true


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


def _get_logits(y_pred: Tensor, from_logits: bool, fn_name: str):
    """tf.keras 2's ``_get_logits``: a softmax/sigmoid output is replaced by the logits it came from."""
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is not None:
        if from_logits:
            warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument was produced '
                          f'by a sigmoid or softmax activation and thus does not represent logits. Was this '
                          f'intended?"', stacklevel=3)
        return logits, True
    return y_pred, from_logits


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

def mean_squared_error(y_true, y_pred):
    """Mean squared error per sample: ``mean(square(y_true - y_pred), axis=-1)``.

    Shapes: ``y_true``, ``y_pred`` ``(N, d0, .. dn)`` -> ``(N, d0, .. dn-1)``.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "mean_squared_error")
    return reduce_mean(square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error per sample: ``mean(abs(y_true - y_pred), axis=-1)``."""
    y_pred, y_true = _prepare(y_true, y_pred, "mean_absolute_error")
    return reduce_mean(_abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)``."""
    y_pred, y_true = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    diff = _abs((y_true - y_pred) / maximum(_abs(y_true), epsilon()))
    return reduce_mean(diff, axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_pred, y_true = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    first_log = _log(maximum(y_pred, epsilon()) + 1.0)
    second_log = _log(maximum(y_true, epsilon()) + 1.0)
    return reduce_mean(square(first_log - second_log), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample: ``0.5 * e**2`` where ``|e| <= delta``, else ``delta * |e| - 0.5 * delta**2``.

    ``e = y_pred - y_true``; the mean is over the last axis.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "huber")
    delta = float(delta)
    error = y_pred - y_true
    abs_error = _abs(error)
    quadratic = square(error) * 0.5
    linear = abs_error * delta - 0.5 * delta * delta
    return reduce_mean(where(abs_error._value <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as ``x + softplus(-2x) - log(2)`` (no overflow)."""
    y_pred, y_true = _prepare(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return reduce_mean(x + _activations.softplus(x * -2.0) - math.log(2.0), axis=-1)


# ----------------------------------------------------------------------------- cross-entropies

def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over ``axis`` (default last): one value per sample.

    Probabilities: ``-(t * log(p + eps) + (1 - t) * log(1 - p + eps))`` with ``p`` clipped to
    ``[eps, 1 - eps]``. Logits (``from_logits=True`` or a sigmoid output's ``_keras_logits``):
    the fused ``SigmoidBinaryCrossEntropy``. ``label_smoothing`` moves labels towards 0.5:
    ``t * (1 - ls) + 0.5 * ls``. Shapes: ``(N, d)`` -> ``(N,)``.
    """
    y_pred, y_true = _prepare(y_true, y_pred, "binary_crossentropy")
    _check_binary_labels(y_true._value)
    axis = _normalize_axis(axis, max(y_pred.ndim, 1), "binary_crossentropy")
    if label_smoothing:
        ls = float(label_smoothing)
        y_true = y_true * (1.0 - ls) + 0.5 * ls
    logits, from_logits = _get_logits(y_pred, from_logits, "binary_crossentropy")
    if from_logits:
        shape = np.broadcast_shapes(tuple(y_true.shape), tuple(logits.shape))
        if tuple(logits.shape) != shape:
            logits = logits * np.ones(shape, dtype=logits._value.dtype)
        labels = Tensor(np.broadcast_to(y_true._value, shape))
        per_value = apply_op(_ops.SigmoidBinaryCrossEntropy(reduction="none"), logits, labels)
    else:
        eps = epsilon()
        p = clip_by_value(y_pred, eps, 1.0 - eps)
        per_value = -(y_true * _log(p + eps) + (1.0 - y_true) * _log(1.0 - p + eps))
    return reduce_mean(per_value, axis=axis)


def _check_binary_labels(v: np.ndarray) -> None:
    """Targets of a binary cross-entropy must lie in [0, 1] (two reductions over the labels, no copy)."""
    if not v.size or v.dtype.kind not in "iuf" or (v.min() >= 0 and v.max() <= 1):
        return
    bad = v[(v < 0) | (v > 1)].flat[0]
    integral = v.dtype.kind in "iu" or bool(np.all(v == np.round(v)))
    shown = f"{int(bad)}" if integral else f"{float(bad):g}"
    if integral and v.min() >= 0:
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


def _softmax_cross_entropy(logits: Tensor, labels: Tensor, axis: int) -> Tensor:
    """Per-sample ``-sum(labels * log_softmax(logits))`` along ``axis`` with the fused op."""
    logits = _move_axis_last(logits, axis)
    labels = _move_axis_last(labels, axis)
    return apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, _plain(labels))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy against one-hot (or probability) rows, one value per sample.

    Probabilities: each row is rescaled to sum 1, clipped to ``[eps, 1 - eps]``, then
    ``-sum(y_true * log(p), axis)``. Logits (``from_logits=True`` or a softmax output's
    ``_keras_logits``): the fused ``SoftmaxWithLoss``. ``label_smoothing``:
    ``y_true * (1 - ls) + ls / C``. Shapes: ``(N, C)`` -> ``(N,)``.

    Integer labels of shape ``(N,)`` or ``(N, 1)`` raise ``ValueError`` pointing to
    ``sparse_categorical_crossentropy`` or ``keras.utils.to_categorical``.
    """
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
    logits, from_logits = _get_logits(y_pred, from_logits, "categorical_crossentropy")
    if from_logits:
        return _softmax_cross_entropy(logits, y_true, axis)
    eps = epsilon()
    p = y_pred / reduce_sum(y_pred, axis=axis, keepdims=True)
    p = clip_by_value(p, eps, 1.0 - eps)
    return -reduce_sum(y_true * _log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    """Cross-entropy against integer class indices, one value per sample.

    ``y_true`` holds class indices (int or integral float) of shape ``(N,)`` or ``(N, 1)``
    (``(N, d0, ..)`` for ``y_pred`` ``(N, d0, .., C)``). Probabilities are clipped to
    ``[eps, 1 - eps]`` and their log goes through the fused ``SoftmaxWithLoss``, as
    tf.keras 2 does; logits (``from_logits=True`` or a softmax output's ``_keras_logits``)
    go in directly. ``ignore_class``: labels equal to it give a loss of 0.

    One-hot ``y_true`` (same shape as ``y_pred``) and out-of-range labels raise ``ValueError``.
    """
    name = "sparse_categorical_crossentropy"
    y_pred = _pred(y_pred, name)
    labels = np.asarray(y_true._value if isinstance(y_true, Tensor) else y_true)
    if y_pred.ndim < 1:
        raise ValueError(f"{name}: y_pred must have a class axis, got a scalar.")
    axis = _normalize_axis(axis, y_pred.ndim, name)
    n_classes = y_pred.shape[axis]
    pred_shape = tuple(y_pred.shape)
    if labels.shape == pred_shape and n_classes > 1:
        raise ValueError(
            f"{name}: y_true has shape {labels.shape}, the same as y_pred {pred_shape}: the labels look one-hot "
            f"(or like probability rows). Use categorical_crossentropy for one-hot labels, or pass integer class "
            f"indices of shape {pred_shape[:axis] + pred_shape[axis + 1:]}.")
    logits, from_logits = _get_logits(y_pred, from_logits, name)
    if not from_logits:
        eps = epsilon()
        logits = _log(clip_by_value(y_pred, eps, 1.0 - eps))
    logits = _move_axis_last(logits, axis)
    out_shape = tuple(logits.shape[:-1])
    if labels.size != int(np.prod(out_shape, dtype=np.int64)):
        raise ValueError(f"{name}: labels of shape {labels.shape} do not fit y_pred of shape {pred_shape}; give "
                         f"integer class indices of shape {out_shape} (or {out_shape + (1,)}).")
    labels = labels.reshape(out_shape)
    if labels.dtype.kind not in "iuf" and labels.dtype != bool:
        raise ValueError(f"{name}: labels must be integer class indices, got dtype {labels.dtype}.")
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    try:
        per_sample = apply_op(_ops.SoftmaxWithLoss(reduction="none"), logits, Tensor(labels))
    except ValueError as e:
        message = str(e).replace("SoftmaxWithLoss: ", "")
        raise ValueError(f"{name}: {message}") from None
    if valid is not None:
        per_sample = per_sample * valid.astype(per_sample._value.dtype)
    return per_sample


# ----------------------------------------------------------------------------- margin and other losses

def _maybe_convert_labels(y_true: Tensor) -> Tensor:
    """tf.keras's hinge labels: {0, 1} labels become {-1, 1}; other labels are used as given."""
    v = y_true._value
    if v.size and np.all((v == 0) | (v == 1)):
        return y_true * 2.0 - 1.0
    return y_true


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; labels in {0, 1} are mapped to {-1, 1}."""
    y_pred, y_true = _prepare(y_true, y_pred, "hinge")
    y_true = _maybe_convert_labels(y_true)
    return reduce_mean(maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; labels in {0, 1} become {-1, 1}."""
    y_pred, y_true = _prepare(y_true, y_pred, "squared_hinge")
    y_true = _maybe_convert_labels(y_true)
    return reduce_mean(square(maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)``, ``neg = max((1 - y_true) * y_pred)``."""
    y_pred, y_true = _prepare(y_true, y_pred, "categorical_hinge")
    pos = reduce_sum(y_true * y_pred, axis=-1)
    neg = reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence ``sum(t * log(t / p), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_pred, y_true = _prepare(y_true, y_pred, "kl_divergence")
    eps = epsilon()
    y_true = clip_by_value(y_true, eps, 1.0)
    y_pred = clip_by_value(y_pred, eps, 1.0)
    return reduce_sum(y_true * _log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Poisson loss ``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_pred, y_true = _prepare(y_true, y_pred, "poisson")
    return reduce_mean(y_pred - y_true * _log(y_pred + epsilon()), axis=-1)


def _l2_normalize(x: Tensor, axis) -> Tensor:
    return x / _sqrt(maximum(reduce_sum(square(x), axis=axis, keepdims=True), 1e-12))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``.

    Values lie in ``[-1, 1]``; -1 means the vectors point the same way (the loss is minimized).
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


def _sample_weight_array(sample_weight, dtype):
    if isinstance(sample_weight, Tensor):
        return np.asarray(sample_weight._value, dtype=dtype)
    return np.asarray(sample_weight, dtype=dtype)


def compute_weighted_loss(losses, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample ``losses`` and reduce them, as tf.keras's ``compute_weighted_loss``.

    ``sample_weight`` is squeezed or expanded by one trailing axis to match ``losses``,
    then broadcast. ``'sum_over_batch_size'``/``'auto'`` divide the weighted sum by the
    number of loss values (zero weights included), ``'sum'`` returns the sum, ``'none'``
    the weighted values.
    """
    Reduction.validate(reduction)
    losses = as_tensor(losses)
    if losses._value.dtype.kind != "f":
        losses = cast(losses, "float32")
    weighted = losses
    if sample_weight is not None:
        sw = _sample_weight_array(sample_weight, losses._value.dtype)
        if sw.ndim == losses.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        elif losses.ndim == sw.ndim + 1:
            sw = sw[..., None]
        try:
            np.broadcast_shapes(sw.shape, tuple(losses.shape))
        except ValueError:
            raise ValueError(f"sample_weight of shape {sw.shape} does not match the per-sample losses of shape "
                             f"{tuple(losses.shape)}; give one weight per sample.") from None
        weighted = losses * sw
    if reduction == Reduction.NONE:
        return weighted
    total = reduce_sum(weighted)
    if reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
        total = total / float(max(weighted.size, 1))
    return total


# ----------------------------------------------------------------------------- Loss classes

class Loss:
    """Base class of the loss objects: subclasses implement ``call(y_true, y_pred)`` -> per-sample losses.

    ``loss(y_true, y_pred, sample_weight=None)`` runs ``call`` and reduces the result with
    ``reduction`` (``'auto'``, the default, means ``'sum_over_batch_size'``).
    """

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        sample_weight = self._apply_mask(y_true, losses, sample_weight)
        return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    def _apply_mask(self, y_true, losses, sample_weight):
        return sample_weight

    def call(self, y_true, y_pred):
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
    """A Loss around a function ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses."""

    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors: ``mean(square(y_true - y_pred))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors: ``mean(abs(y_true - y_pred))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(abs((y_true - y_pred) / y_true))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean(square(log(y_pred + 1) - log(y_true + 1)))``."""

    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_logarithmic_error"):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond (default name ``'huber_loss'``)."""

    def __init__(self, delta=1.0, reduction=Reduction.AUTO, name="huber_loss"):
        super().__init__(huber, reduction=reduction, name=name, delta=delta)


class LogCosh(LossFunctionWrapper):
    """``mean(log(cosh(y_pred - y_true)))``."""

    def __init__(self, reduction=Reduction.AUTO, name="log_cosh"):
        super().__init__(log_cosh, reduction=reduction, name=name)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy between labels in {0, 1} and predicted probabilities (or logits)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=Reduction.AUTO,
                 name="binary_crossentropy"):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between one-hot labels ``(N, C)`` and predicted probabilities (or logits) ``(N, C)``."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=Reduction.AUTO,
                 name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between integer labels ``(N,)`` and predicted probabilities (or logits) ``(N, C)``.

    With ``ignore_class``, those labels are masked out and ``'sum_over_batch_size'``
    averages over the remaining ones, as tf.keras 2.11 does.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction=Reduction.AUTO,
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, ignore_class=ignore_class)

    def _apply_mask(self, y_true, losses, sample_weight):
        ignore = self._fn_kwargs.get("ignore_class")
        if ignore is None:
            return sample_weight
        labels = np.asarray(y_true._value if isinstance(y_true, Tensor) else y_true)
        mask = (labels.reshape(tuple(losses.shape)) != ignore).astype(np.float64)
        if self.reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
            valid = mask.sum()
            mask = mask * (mask.size / valid if valid else 0.0)
        if sample_weight is None:
            return mask
        sw = np.asarray(sample_weight, dtype=np.float64)
        if sw.ndim == mask.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        elif mask.ndim == sw.ndim + 1:
            sw = sw[..., None]
        return mask * sw


class Hinge(LossFunctionWrapper):
    """``mean(maximum(1 - y_true * y_pred, 0))`` with labels in {-1, 1} (or {0, 1}, converted)."""

    def __init__(self, reduction=Reduction.AUTO, name="hinge"):
        super().__init__(hinge, reduction=reduction, name=name)


class SquaredHinge(LossFunctionWrapper):
    """``mean(square(maximum(1 - y_true * y_pred, 0)))``."""

    def __init__(self, reduction=Reduction.AUTO, name="squared_hinge"):
        super().__init__(squared_hinge, reduction=reduction, name=name)


class CategoricalHinge(LossFunctionWrapper):
    """``maximum(neg - pos + 1, 0)`` over one-hot rows."""

    def __init__(self, reduction=Reduction.AUTO, name="categorical_hinge"):
        super().__init__(categorical_hinge, reduction=reduction, name=name)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``."""

    def __init__(self, reduction=Reduction.AUTO, name="kl_divergence"):
        super().__init__(kl_divergence, reduction=reduction, name=name)


class Poisson(LossFunctionWrapper):
    """``mean(y_pred - y_true * log(y_pred))``."""

    def __init__(self, reduction=Reduction.AUTO, name="poisson"):
        super().__init__(poisson, reduction=reduction, name=name)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis`` (default last)."""

    def __init__(self, axis=-1, reduction=Reduction.AUTO, name="cosine_similarity"):
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


def serialize(loss):
    """A loss as tf.keras 2 writes it: a function's name, or ``{'class_name': ..., 'config': ...}``."""
    return registry.serialize(loss, "loss")


def deserialize(name, custom_objects=None):
    """A loss from its serialized form: a name (function, alias or class name) or a dict.

    A class name gives an instance with the default arguments (``'BinaryCrossentropy'`` ->
    ``BinaryCrossentropy()``), a function name gives the function (``'mse'`` ->
    :func:`mean_squared_error`). Dicts are ``{'class_name': ..., 'config': {...}}``.
    """
    return registry.deserialize("losses", name, custom_objects)


def get(identifier):
    """Resolve a loss: ``None`` -> None, a name or dict -> :func:`deserialize`, a callable as is.

    Misspelled names raise ``ValueError`` listing the valid names and the closest one
    (``"Did you mean 'binary_crossentropy'?"``).
    """
    return registry.get("losses", identifier)


# ----------------------------------------------------------------------------- for the training loop

def _fused_batch_mean(loss_fn, y_true, y_pred):
    """The common training case as one fused op, or None to take the general path.

    A softmax (or sigmoid) output with sparse categorical (or binary)
    cross-entropy, no sample weights, no label smoothing: the batch mean is then
    ``SoftmaxWithLoss('mean')`` (``SigmoidBinaryCrossEntropy('mean')``) on the
    output's logits, the same value the general path computes in several ops.
    Anything unusual (one-hot labels given to the sparse loss, labels outside
    [0, 1] for the binary one, other shapes) returns None, so the general path
    raises its clear errors.
    """
    fn, kwargs = loss_fn, {}
    if isinstance(loss_fn, LossFunctionWrapper):
        if loss_fn.reduction not in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE):
            return None
        fn, kwargs = loss_fn.fn, loss_fn._fn_kwargs
    if fn not in (sparse_categorical_crossentropy, binary_crossentropy):
        return None
    if kwargs.get("label_smoothing") or kwargs.get("ignore_class") is not None or kwargs.get("axis", -1) != -1:
        return None
    logits = y_pred if kwargs.get("from_logits") else getattr(y_pred, "_keras_logits", None)
    if not isinstance(logits, Tensor) or logits.ndim != 2 or logits._value.dtype.kind != "f":
        return None
    labels = np.asarray(y_true._value if isinstance(y_true, Tensor) else y_true)
    n, classes = logits._value.shape
    if labels.ndim == 2 and labels.shape[1] == 1 and (fn is sparse_categorical_crossentropy or classes == 1):
        labels = labels[:, 0]
    if fn is sparse_categorical_crossentropy:
        if labels.shape != (n,) or labels.dtype.kind not in "iuf":
            return None
        try:
            return apply_op(_ops.SoftmaxWithLoss(reduction="mean"), logits, Tensor(labels))
        except ValueError as e:
            raise ValueError(f"sparse_categorical_crossentropy: {str(e).replace('SoftmaxWithLoss: ', '')}") from None
    if labels.shape == (n,) and classes == 1:
        labels = labels[:, None]
    if labels.shape != (n, classes) or labels.dtype.kind not in "iufb" or labels.size == 0:
        return None
    if labels.min() < 0 or labels.max() > 1:
        return None
    return apply_op(_ops.SigmoidBinaryCrossEntropy(reduction="mean"), logits,
                    Tensor(labels.astype(logits._value.dtype, copy=False)))


def compute_loss(loss_fn, y_true, y_pred, sample_weight=None):
    """The scalar training loss for one batch, as the tf.keras 2 training loop computes it.

    ``loss_fn`` is a Loss instance (called with its own reduction), a function
    ``fn(y_true, y_pred) -> per-sample losses`` (or a name/dict resolved by :func:`get`),
    weighted and reduced as ``sum(w * l) / number of values``. As in tf.keras, a 1-D
    ``y_true`` or ``sample_weight`` against a 2-D ``y_pred`` gets a trailing axis, and a
    float ``y_true`` is cast to ``y_pred``'s dtype.
    """
    if isinstance(loss_fn, (str, dict)):
        loss_fn = get(loss_fn)
    if isinstance(loss_fn, type) and issubclass(loss_fn, Loss):
        loss_fn = loss_fn()
    if sample_weight is None:
        fused = _fused_batch_mean(loss_fn, y_true, y_pred)
        if fused is not None:
            return fused
    y_pred_t = as_tensor(y_pred)
    if not isinstance(y_true, Tensor):
        arr = np.asarray(y_true)
        if arr.dtype.kind == "f" and y_pred_t._value.dtype.kind == "f":
            arr = arr.astype(y_pred_t._value.dtype, copy=False)
        y_true = Tensor(arr)
    if y_true.ndim == 1 and y_pred_t.ndim == 2:
        y_true = reshape(y_true, (-1, 1))
    if sample_weight is not None:
        sample_weight = _sample_weight_array(sample_weight, np.float32)
        if sample_weight.ndim == 1 and y_pred_t.ndim == 2:
            sample_weight = sample_weight[:, None]
    if isinstance(loss_fn, Loss):
        return loss_fn(y_true, y_pred, sample_weight=sample_weight)
    if not callable(loss_fn):
        raise ValueError(f"compute_loss: expected a loss function, a Loss instance or a name, got {loss_fn!r}.")
    return compute_weighted_loss(loss_fn(y_true, y_pred), sample_weight, reduction=Reduction.SUM_OVER_BATCH_SIZE)
