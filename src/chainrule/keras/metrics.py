"""``chainrule.keras.metrics``: stateful tf.keras 2 metrics, the per-sample metric functions, name resolution.

A metric accumulates over batches and reports a running value::

    m = BinaryAccuracy()
    m.update_state([[1], [0]], [[0.9], [0.8]])   # 1 of 2 right
    m.update_state([[1], [1]], [[0.7], [0.6]])   # 2 of 2 right
    m.result()                                   # 0.75 (a float32 scalar Tensor)
    m.reset_state()

State lives in float32 Variables, as in tf.keras (``Mean``: ``total`` and
``count``), changed only through ``Variable.apply_update``; the per-sample
formulas are plain numpy, run as no-gradient ops on the input tensors. So a
metric updated inside ``chainrule.function`` (or ``fit``'s compiled step) is
recorded and replayed like everything else, and never touches a GradientTape.
``result()`` returns a float32 scalar Tensor.

:func:`get_metric` turns what a user writes in ``compile(metrics=[...])`` into a
Metric whose ``name`` is the history key: ``'acc'`` stays ``'acc'`` and resolves to
binary, sparse categorical or categorical accuracy as tf.keras 2 does; ``'mae'``
stays ``'mae'``; ``AUC()`` is ``'auc'``.
"""
from __future__ import annotations


from .._missing import missing_attribute as _missing_attribute
import numpy as np

from chainrule._tape_stack import paused_tapes
from chainrule.backend import epsilon, floatx
from chainrule.distribute import sync as _distribute_sync
from chainrule.functions import cast, reshape
from chainrule.ops import NoGradient
from chainrule.ops.updates import AddInPlace, MetricAccumulate
from chainrule.tensor import Tensor, Variable, apply_op, to_array

from . import losses as _losses
from . import registry
from .utils.naming import to_snake_case

__all__ = [
    "Metric", "Reduce", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError", "Hinge", "SquaredHinge",
    "CategoricalHinge", "KLDivergence", "Poisson", "CosineSimilarity", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "TruePositives", "FalsePositives",
    "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "binary_matches",
    "sparse_categorical_matches", "sparse_top_k_categorical_matches",
    "get", "get_metric", "serialize", "deserialize",
]

# The value Keras gives to predictions outside the top k (metrics_utils.NEG_INF).
_NEG_INF = -1e10


def _tensor(x) -> Tensor:
    """``x`` as a Tensor, without reading a Tensor's value."""
    return x if isinstance(x, Tensor) else Tensor(to_array(x))


def _formula(fn, *inputs, **kwargs) -> Tensor:
    """Run the numpy formula ``fn(*arrays, **kwargs)`` as one no-gradient op on ``inputs``."""
    return apply_op(NoGradient(fn, **kwargs), *[_tensor(x) for x in inputs])


def _align_labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """A 1-D ``y_true`` against ``(N, 1)`` predictions gets the trailing axis (and the reverse)."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.ndim and y_pred.shape[-1] == 1:
        return y_true[..., None]
    if y_pred.ndim == y_true.ndim - 1 and y_true.ndim and y_true.shape[-1] == 1:
        return y_true[..., 0]
    return y_true


def _float(x: np.ndarray) -> np.ndarray:
    return x.astype(floatx(), copy=False)


# ----------------------------------------------------------------------------- per-sample formulas (numpy)

def _binary_matches(yt, yp, threshold=0.5):
    yt = _align_labels(yt, yp)
    return _float(np.equal(yt, (yp > threshold).astype(yp.dtype if yp.dtype.kind == "f" else np.float32)))


def _sparse_matches(y_true: np.ndarray, y_pred: np.ndarray, name: str) -> np.ndarray:
    """tf.keras's ``sparse_categorical_matches`` on arrays; the result has ``y_true``'s shape."""
    org_shape = y_true.shape
    if y_pred.ndim == 0:
        raise ValueError(f"{name}: y_pred must have a class axis, got a scalar.")
    if y_true.ndim == y_pred.ndim:
        if y_true.shape[-1] != 1:
            raise ValueError(f"{name}: y_true has shape {y_true.shape}, the rank of y_pred {y_pred.shape}: the "
                             f"labels look one-hot. Use categorical accuracy for one-hot labels, or pass integer "
                             f"class indices of shape {y_pred.shape[:-1]}.")
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"{name}: labels of shape {org_shape} do not fit predictions of shape {y_pred.shape}.")
    pred = np.argmax(y_pred, axis=-1)
    return _float(np.equal(y_true, pred)).reshape(org_shape)


def _in_top_k(targets: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """``tf.math.in_top_k``: a target is in the top k when fewer than k classes score strictly higher."""
    c = y_pred.shape[-1]
    pred2 = y_pred.reshape(-1, c)
    t = targets.reshape(-1)
    if t.dtype.kind == "f":
        t = t.astype(np.int64)
    ok = (t >= 0) & (t < c)
    rows = np.arange(pred2.shape[0])
    target_score = pred2[rows, np.where(ok, t, 0)]
    higher = np.sum(pred2 > target_score[:, None], axis=-1)
    return ok & (higher < k) & np.isfinite(target_score)


def _sparse_top_k(y_true: np.ndarray, y_pred: np.ndarray, k: int, name: str) -> np.ndarray:
    org_shape = y_true.shape
    n_rows = int(np.prod(y_pred.shape[:-1], dtype=np.int64))
    if y_true.size != n_rows:
        raise ValueError(f"{name}: labels of shape {org_shape} do not fit predictions of shape {y_pred.shape}; "
                         f"give one class index per row.")
    matches = _float(_in_top_k(y_true, y_pred, int(k)))
    return matches.reshape(org_shape) if y_true.ndim > 1 else matches


def _accuracy(yt, yp):
    yt = _align_labels(yt, yp)
    return _float(np.equal(yt, yp.astype(yt.dtype, copy=False)))


def _binary_accuracy(yt, yp, threshold=0.5):
    return _float(np.mean(_binary_matches(yt, yp, threshold), axis=-1))


def _categorical_accuracy(yt, yp):
    return _sparse_matches(np.argmax(yt, axis=-1), yp, "categorical_accuracy")


def _sparse_categorical_accuracy(yt, yp):
    matches = _sparse_matches(yt, yp, "sparse_categorical_accuracy")
    return matches[..., 0] if matches.ndim > 1 and matches.shape[-1] == 1 else matches


def _cosine_similarity(yt, yp, axis=-1):
    yt, yp = yt.astype(np.float64), yp.astype(np.float64)
    yt = yt / np.sqrt(np.maximum(np.sum(yt * yt, axis=axis, keepdims=True), 1e-12))
    yp = yp / np.sqrt(np.maximum(np.sum(yp * yp, axis=axis, keepdims=True), 1e-12))
    return _float(np.sum(yt * yp, axis=axis))


# ----------------------------------------------------------------------------- per-sample functions

def binary_matches(y_true, y_pred, threshold=0.5):
    """Element-wise ``1.0`` where ``(y_pred > threshold) == y_true``, else ``0.0`` (float32 Tensor)."""
    return _formula(_binary_matches, y_true, y_pred, threshold=threshold)


def sparse_categorical_matches(y_true, y_pred):
    """``1.0`` where ``argmax(y_pred) == y_true`` (class indices ``(N,)`` or ``(N, 1)``); keeps ``y_true``'s shape."""
    return _formula(_sparse_matches, y_true, y_pred, name="sparse_categorical_matches")


def sparse_top_k_categorical_matches(y_true, y_pred, k=5):
    """``1.0`` where the integer label is among the ``k`` highest predictions (ties count as in)."""
    return _formula(_sparse_top_k, y_true, y_pred, k=k, name="sparse_top_k_categorical_matches")


def accuracy(y_true, y_pred):
    """Element-wise ``1.0`` where ``y_true == y_pred`` (exact equality), as tf.keras's ``accuracy``."""
    return _formula(_accuracy, y_true, y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per-sample mean over the last axis of ``(y_pred > threshold) == y_true``. ``(N, d)`` -> ``(N,)``."""
    return _formula(_binary_accuracy, y_true, y_pred, threshold=threshold)


def categorical_accuracy(y_true, y_pred):
    """Per-sample ``1.0`` where ``argmax(y_true) == argmax(y_pred)``. One-hot ``(N, C)`` -> ``(N,)``."""
    return _formula(_categorical_accuracy, y_true, y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """Per-sample ``1.0`` where ``argmax(y_pred) == y_true``.

    Labels ``(N,)`` or ``(N, 1)``, int or float; the result is ``(N,)``.
    """
    return _formula(_sparse_categorical_accuracy, y_true, y_pred)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per-sample ``1.0`` where the one-hot target's class is among the ``k`` highest predictions."""
    return _formula(lambda yt, yp: _sparse_top_k(np.argmax(yt, axis=-1), yp, k, "top_k_categorical_accuracy"),
                    y_true, y_pred)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per-sample ``1.0`` where the integer target is among the ``k`` highest predictions."""
    return _formula(_sparse_top_k, y_true, y_pred, k=k, name="sparse_top_k_categorical_accuracy")


# The loss functions, as tf.keras's metrics module re-exports them.
mean_squared_error = mse = MSE = _losses.mean_squared_error
mean_absolute_error = mae = MAE = _losses.mean_absolute_error
mean_absolute_percentage_error = mape = MAPE = _losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = msle = MSLE = _losses.mean_squared_logarithmic_error
log_cosh = logcosh = _losses.log_cosh
hinge = _losses.hinge
squared_hinge = _losses.squared_hinge
categorical_hinge = _losses.categorical_hinge
kl_divergence = kld = KLD = kullback_leibler_divergence = _losses.kl_divergence
poisson = _losses.poisson
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity ``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (positive, unlike the loss)."""
    return _formula(_cosine_similarity, y_true, y_pred, axis=axis)


# ----------------------------------------------------------------------------- Metric base

class Metric:
    """Base class of the stateful metrics.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)``,
    ``result()`` and ``reset_state()``. A user subclass written for tf.keras
    (state in ``self.add_weight(...)`` Variables, ``assign_add`` in
    ``update_state``) works unchanged: the default ``reset_state`` zeroes those
    Variables. ``metric(y_true, y_pred)`` updates, then returns ``result()``.
    """

    def __init__(self, name=None, dtype=None, **kwargs):
        self.name = name if name is not None else to_snake_case(type(self).__name__)
        self._dtype = str(getattr(dtype, "name", dtype)) if dtype is not None else floatx()
        self._variables = []
        # Created in the scope of a strategy with several replicas, the result read outside a replica
        # step counts every replica's batches (tf.keras's sync-on-read metric state).
        self._distribute_strategy = _distribute_sync.multi_replica_strategy()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "result" in cls.__dict__:
            cls.result = _distribute_sync.sync_on_read(cls.__dict__["result"])

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def variables(self) -> list:
        """The Variables created with :meth:`add_weight` (empty for the built-in metrics)."""
        return list(self._variables)

    weights = variables

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None, initializer=None, dtype=None):
        """A non-trainable state Variable (``initializer`` 'zeros', 'ones' or a callable ``(shape, dtype)``)."""
        dtype = str(getattr(dtype, "name", dtype)) if dtype is not None else self._dtype
        shape = tuple(shape or ())
        if initializer is None or initializer == "zeros":
            value = np.zeros(shape, dtype=dtype)
        elif initializer == "ones":
            value = np.ones(shape, dtype=dtype)
        elif callable(initializer):
            value = np.asarray(initializer(shape, dtype=dtype), dtype=dtype)
        else:
            raise ValueError(f"Metric {self.name!r}: add_weight initializer must be 'zeros', 'ones' or a callable, "
                             f"got {initializer!r}.")
        var = Variable(value, trainable=False, name=name, dtype=dtype)
        self._variables.append(var)
        return var

    def update_state(self, *args, **kwargs):
        """Accumulate statistics from one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self) -> Tensor:
        """The metric value from the accumulated statistics (a float32 scalar Tensor)."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self):
        """Forget every accumulated batch."""
        for v in self._variables:
            v.assign(np.zeros(v.shape, dtype=v._value.dtype))

    def reset_states(self):
        """Alias of :meth:`reset_state` (tf.keras 2's older name)."""
        return self.reset_state()

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        # kept so that `layer.add_metric(self.metric(y, p))` recognises this metric's result (as tf.keras)
        self._last_result = result = self.result()
        return result

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _divide_no_nan(total, count):
    return np.asarray(total / count if count else 0.0, dtype=total.dtype)


class Reduce(Metric):
    """Accumulates ``total = sum(values * weights)`` and (for a mean) ``count = sum(weights)`` in Variables."""

    _SUM, _MEAN = "sum", "weighted_mean"

    def __init__(self, reduction, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total", initializer="zeros")
        self.count = self.add_weight("count", initializer="zeros") if reduction != self._SUM else None

    def update_state(self, values, sample_weight=None):
        """Add ``values`` (any shape), optionally weighted by ``sample_weight`` (broadcast to ``values``)."""
        inputs = [_tensor(values)]
        if sample_weight is not None:
            inputs.append(_tensor(sample_weight))
        if self.count is not None:
            inputs.append(self.count)
        try:
            self.total.apply_update(MetricAccumulate(self.reduction, sample_weight is not None), *inputs)
        except ValueError as e:
            raise ValueError(f"Metric {self.name!r}: {e}") from None

    def result(self) -> Tensor:
        if self.count is None:
            return _formula(np.copy, self.total)
        return _formula(_divide_no_nan, self.total, self.count)


class Sum(Reduce):
    """The weighted sum of every value seen: ``Sum()([1, 3, 5, 7])`` -> 16."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(Reduce._SUM, name=name, dtype=dtype)


class Mean(Reduce):
    """The weighted mean of every value seen: ``Mean()([1, 3, 5, 7])`` -> 4."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(Reduce._MEAN, name=name, dtype=dtype)


def _as_metric_inputs(y_true, y_pred, dtype):
    """``(y_true, y_pred)`` as Tensors of the metric's dtype, a 1-D ``y_true`` shaped like ``(N, 1)`` predictions."""
    yp, yt = _tensor(y_pred), _tensor(y_true)
    if yp._value.dtype != dtype:
        yp = cast(yp, dtype)
    if yt._value.dtype != dtype and yt._value.dtype.kind in "biuf":
        yt = cast(yt, dtype)
    aligned = _align_labels(np.empty(yt.shape, dtype=bool), np.empty(yp.shape, dtype=bool)).shape
    if aligned != tuple(yt.shape):
        yt = reshape(yt, aligned)
    return yt, yp


class MeanMetricWrapper(Mean):
    """The running (weighted) mean of ``fn(y_true, y_pred, **kwargs)`` over every sample seen.

    ``y_true`` and ``y_pred`` are cast to the metric's dtype; a 1-D ``y_true`` against
    ``(N, 1)`` predictions gets a trailing axis.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        with paused_tapes():  # a metric is never differentiated (its fn may be a loss, built from ops)
            yt, yp = _as_metric_inputs(y_true, _losses.squeezed_away_logits(y_true, y_pred), np.dtype(self._dtype))
            matches = self._fn(yt, yp, **self._fn_kwargs)
            super().update_state(matches, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = self._fn
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if cls is MeanMetricWrapper:
            return cls(get(fn), **config)
        return cls(**config)


# ----------------------------------------------------------------------------- accuracy metrics

class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (element-wise)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the binary labels (element-wise)."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_matches, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` equals ``argmax(y_true)`` (one-hot labels)."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` equals the integer label (``(N,)`` or ``(N, 1)``, int or float)."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_matches, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the ``k`` highest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_matches, name=name, dtype=dtype, k=k)


# ----------------------------------------------------------------------------- regression and loss metrics

class MeanSquaredError(MeanMetricWrapper):
    """The mean over samples of ``mean(square(y_true - y_pred), axis=-1)``."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean over samples of ``mean(abs(y_true - y_pred), axis=-1)``."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The mean over samples of the mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The mean over samples of the mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """The mean over samples of ``mean(log(cosh(y_pred - y_true)), axis=-1)``."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """The mean hinge loss."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The mean squared hinge loss."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The mean categorical hinge loss."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    """The mean Kullback-Leibler divergence."""

    def __init__(self, name="kullback_leibler_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """The mean Poisson loss."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity along ``axis`` (positive: 1 means the same direction)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross-entropy."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical cross-entropy."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0,
                 axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean sparse categorical cross-entropy."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         axis=axis)


class RootMeanSquaredError(Mean):
    """``sqrt(mean(square(y_true - y_pred)))`` over every element seen (weighted)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        yt, yp = _as_metric_inputs(y_true, y_pred, np.dtype(self._dtype))
        super().update_state(_formula(lambda t, p: np.square(p - t), yt, yp), sample_weight=sample_weight)

    def result(self) -> Tensor:
        return _formula(lambda total, count: np.sqrt(_divide_no_nan(total, count)), self.total, self.count)


# ----------------------------------------------------------------------------- confusion-matrix metrics

def _check_thresholds(thresholds, name):
    values = list(np.atleast_1d(np.asarray(thresholds, dtype=np.float64)))
    for t in values:
        if not 0 <= t <= 1:
            raise ValueError(f"{name}: threshold values must be in [0, 1]. Received: {thresholds}")
    return values


def _filter_top_k(x: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest values of each row (the first ones on ties); the rest become NEG_INF."""
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, x, np.asarray(_NEG_INF, dtype=x.dtype))


def _confusion_counts(yt, yp, sw=None, thresholds=(0.5,), top_k=None, class_id=None, multi_label=False,
                      label_weights=None, from_logits=False, name="metric"):
    """Weighted ``[tp, fp, tn, fn]`` stacked, at each threshold; predictions are positive when ``> threshold``.

    Shape ``(4, T)``, or ``(4, T, L)`` with ``multi_label``. Predictions must lie in [0, 1]
    (``from_logits`` applies a sigmoid first).
    """
    yp = yp.astype(np.float32)
    if from_logits:
        e = np.exp(-np.abs(yp))
        yp = np.where(yp >= 0, 1 / (1 + e), e / (1 + e))
    yt = yt.astype(np.float32)
    if yp.size and (np.nanmin(yp) < 0 or np.nanmax(yp) > 1):
        raise ValueError(f"{name}: predictions must be in [0, 1] (got values from {float(np.nanmin(yp)):g} to "
                         f"{float(np.nanmax(yp)):g}); apply a sigmoid to logits first"
                         f"{' or pass from_logits=True' if name == 'AUC' else ''}.")
    yt = _align_labels(yt, yp)
    if yt.shape != yp.shape:
        try:
            yt = np.broadcast_to(yt, np.broadcast_shapes(yt.shape, yp.shape))
            yp = np.broadcast_to(yp, yt.shape)
        except ValueError:
            raise ValueError(f"{name}: y_true of shape {yt.shape} and y_pred of shape {yp.shape} are "
                             f"incompatible.") from None
    if sw is not None:
        if sw.ndim == yp.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        elif yp.ndim == sw.ndim + 1:
            sw = sw[..., None]
        try:
            sw = np.broadcast_to(sw, yp.shape)
        except ValueError:
            raise ValueError(f"{name}: sample_weight of shape {sw.shape} does not match predictions of shape "
                             f"{yp.shape}.") from None
    else:
        sw = np.ones(yp.shape)
    if top_k is not None:
        yp = _filter_top_k(yp, int(top_k))
    if class_id is not None:
        yt, yp, sw = yt[..., class_id], yp[..., class_id], sw[..., class_id]
    if label_weights is not None and not multi_label:
        sw = sw * np.asarray(label_weights, dtype=np.float64)
    thresholds = np.asarray(thresholds, dtype=np.float32)
    order = np.argsort(thresholds, kind="stable")
    sorted_t = thresholds[order]
    n_t = len(sorted_t)

    def counts(labels, preds, weights):
        # k(p) = number of thresholds strictly below p: p is predicted positive at thresholds[0:k].
        k = np.searchsorted(sorted_t, preds, side="left")
        pos = labels != 0
        hist_pos = np.bincount(k[pos], weights=weights[pos], minlength=n_t + 1)
        hist_neg = np.bincount(k[~pos], weights=weights[~pos], minlength=n_t + 1)
        tp = np.cumsum(hist_pos[::-1])[::-1][1:]
        fp = np.cumsum(hist_neg[::-1])[::-1][1:]
        fn = hist_pos.sum() - tp
        tn = hist_neg.sum() - fp
        inverse = np.empty_like(order)
        inverse[order] = np.arange(n_t)
        return np.stack([tp[inverse], fp[inverse], tn[inverse], fn[inverse]])

    sw = np.asarray(sw, dtype=np.float64)
    if multi_label:
        n_labels = yp.shape[-1] if yp.ndim else 1
        yp2, yt2, sw2 = (a.reshape(-1, n_labels) for a in (yp, yt, sw))
        return np.stack([counts(yt2[:, j], yp2[:, j], sw2[:, j]) for j in range(n_labels)], axis=-1)
    return counts(yt.reshape(-1), yp.reshape(-1), sw.reshape(-1))


def _div_no_nan(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast_shapes(a.shape, b.shape)), where=b != 0)


class _ConfusionCounts(Metric):
    """Accumulates ``true_positives``, ``false_positives``, ``true_negatives``, ``false_negatives`` Variables."""

    _FIELDS = ("true_positives", "false_positives", "true_negatives", "false_negatives")

    def _make_counts(self, shape):
        for field in self._FIELDS:
            setattr(self, field, self.add_weight(field, shape=shape, initializer="zeros"))

    def _accumulate(self, y_true, y_pred, sample_weight, **options):
        inputs = [y_true, y_pred] + ([] if sample_weight is None else [sample_weight])
        fn = _confusion_counts if sample_weight is not None else \
            (lambda yt, yp, **kw: _confusion_counts(yt, yp, None, **kw))
        counts = _formula(fn, *inputs, **options)
        if getattr(self, "true_positives", None) is None:  # AUC with multi_label learns the label count here
            self._make_counts(tuple(counts.shape[1:]))
        for i, field in enumerate(self._FIELDS):
            getattr(self, field).apply_update(AddInPlace(), counts[i])

    def _result(self, fn, *fields) -> Tensor:
        """``fn`` over the named count arrays, as a float32 Tensor."""
        return _formula(lambda *arrays: np.asarray(fn(*arrays), dtype=np.float32),
                        *[getattr(self, f) for f in fields])


class _ConfusionMatrixMetric(_ConfusionCounts):
    """Accumulates tp/fp/tn/fn at ``thresholds`` (default 0.5)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        if thresholds is not None:
            _check_thresholds(thresholds, type(self).__name__)
        default = 0.5 if top_k is None else _NEG_INF
        self.thresholds = list(np.atleast_1d(np.asarray(thresholds if thresholds is not None else default,
                                                        dtype=np.float64)))
        self._make_counts((len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(y_true, y_pred, sample_weight, thresholds=tuple(self.thresholds), top_k=self.top_k,
                         class_id=self.class_id, name=type(self).__name__)

    def _single(self, values):
        return values[0] if len(self.thresholds) == 1 else values

    def get_config(self) -> dict:
        config = {"thresholds": self.init_thresholds, "top_k": self.top_k, "class_id": self.class_id}
        config.update(super().get_config())
        return config


class Precision(_ConfusionMatrixMetric):
    """``tp / (tp + fp)`` with predictions counted positive above ``thresholds`` (default 0.5).

    ``top_k`` keeps only the k highest predictions of each row; ``class_id`` looks at one column.
    """

    def result(self) -> Tensor:
        return self._result(lambda tp, fp: self._single(_div_no_nan(tp, tp + fp)), "true_positives",
                            "false_positives")


class Recall(_ConfusionMatrixMetric):
    """``tp / (tp + fn)`` with predictions counted positive above ``thresholds`` (default 0.5)."""

    def result(self) -> Tensor:
        return self._result(lambda tp, fn: self._single(_div_no_nan(tp, tp + fn)), "true_positives",
                            "false_negatives")


class _CountMetric(_ConfusionMatrixMetric):
    _field = "true_positives"

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds, None, None, name=name, dtype=dtype)

    def result(self) -> Tensor:
        return self._result(self._single, self._field)

    def get_config(self) -> dict:
        return {"thresholds": self.init_thresholds, "name": self.name, "dtype": self.dtype}


class TruePositives(_CountMetric):
    """The weighted number of true positives (predictions above ``thresholds``, default 0.5)."""

    _field = "true_positives"


class FalsePositives(_CountMetric):
    """The weighted number of false positives."""

    _field = "false_positives"


class TrueNegatives(_CountMetric):
    """The weighted number of true negatives."""

    _field = "true_negatives"


class FalseNegatives(_CountMetric):
    """The weighted number of false negatives."""

    _field = "false_negatives"


class AUC(_ConfusionCounts):
    """Area under the ROC (or PR) curve, tf.keras 2's Riemann sum over ``num_thresholds`` thresholds.

    Thresholds are ``[-eps, 1/(n-1), ..., (n-2)/(n-1), 1+eps]`` (or ``sorted(thresholds)``
    between the two end points). ``summation_method='interpolation'`` (default) is the
    trapezoid rule for ROC and Davis & Goadrich's interpolation for PR; ``'minoring'`` and
    ``'majoring'`` use the lower and upper Riemann sums. ``multi_label=True`` computes one
    curve per column and averages the areas (weighted by ``label_weights``).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["ROC", "PR"]')
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             f'["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(_check_thresholds(thresholds, "AUC"))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._thresholds = np.array([0.0 - epsilon()] + list(inner) + [1.0 + epsilon()])
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        self._from_logits = bool(from_logits)
        super().__init__(name=name, dtype=dtype)
        self.true_positives = None
        if not self.multi_label:
            self._make_counts((self.num_thresholds,))
        elif num_labels is not None:
            self._make_counts((self.num_thresholds, int(num_labels)))

    @property
    def thresholds(self) -> list:
        """The thresholds, end points included."""
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(y_true, y_pred, sample_weight, thresholds=tuple(self._thresholds),
                         multi_label=self.multi_label, from_logits=self._from_logits, name="AUC",
                         label_weights=None if self.multi_label else self.label_weights)
        if self.multi_label and self.num_labels is None:
            self.num_labels = self.true_positives.shape[1]

    def _average(self, by_label):
        if not self.multi_label:
            return float(np.sum(by_label))
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(_div_no_nan(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = _div_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = (p[:n - 1] > 0) & (p[1:] > 0)
        safe_p_ratio = np.where(both_positive, _div_no_nan(p[:n - 1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(np.where(safe_p_ratio > 0, safe_p_ratio, 1.0))
        increments = _div_no_nan(prec_slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        if self.multi_label:
            return self._average(np.sum(increments, axis=0))
        return float(np.sum(increments))

    def _area(self, tp, fp, tn, fn):
        tp, fp, tn, fn = (a.astype(np.float64) for a in (tp, fp, tn, fn))
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _div_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _div_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        areas = (x[:-1] - x[1:]) * heights
        if self.multi_label:
            return self._average(np.sum(areas, axis=0))
        return float(np.sum(areas))

    def result(self) -> Tensor:
        if self.true_positives is None:  # multi_label, nothing seen yet
            return Tensor(np.float32(0.0))
        return self._result(self._area, *self._FIELDS)

    def get_config(self) -> dict:
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self._thresholds[1:-1]]
        config.update(super().get_config())
        return config


# ----------------------------------------------------------------------------- look-up by name

_CLASSES = (Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
            RootMeanSquaredError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError, Hinge,
            SquaredHinge, CategoricalHinge, KLDivergence, Poisson, CosineSimilarity, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, TruePositives, FalsePositives, TrueNegatives,
            FalseNegatives, Precision, Recall, AUC)
_FUNCTIONS = (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
              sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error,
              mean_absolute_percentage_error, mean_squared_logarithmic_error, log_cosh, hinge, squared_hinge,
              categorical_hinge, kl_divergence, poisson, cosine_similarity, binary_crossentropy,
              categorical_crossentropy, sparse_categorical_crossentropy)
registry.register("metrics", Metric, Reduce, MeanMetricWrapper, listed=False)
registry.register("metrics", *_CLASSES, *_FUNCTIONS, aliases={
    "mse": mse, "MSE": MSE, "mae": mae, "MAE": MAE, "mape": mape, "MAPE": MAPE, "msle": msle, "MSLE": MSLE,
    "logcosh": logcosh, "kld": kld, "KLD": KLD, "kullback_leibler_divergence": kullback_leibler_divergence,
    # Keras 3 also accepts a class's snake_case name ('auc', 'precision'); harmless to allow here.
    **{to_snake_case(cls.__name__): cls for cls in _CLASSES
       if to_snake_case(cls.__name__) not in {fn.__name__ for fn in _FUNCTIONS}}})
_CONVENIENCE = ("accuracy", "acc", "crossentropy", "ce")


def serialize(metric):
    """A metric as tf.keras 2 writes it: ``{'class_name': ..., 'config': ...}`` or a function's name."""
    return registry.serialize(metric, "metric")


def deserialize(config, custom_objects=None):
    """A metric from a name (a function name gives the function, a class name an instance) or a dict."""
    return registry.deserialize("metrics", config, custom_objects)


def get(identifier):
    """Resolve a metric as tf.keras 2's ``metrics.get``: names and dicts via :func:`deserialize`, callables as is."""
    return registry.get("metrics", identifier, allow_none=False)


def _loss_kind(loss):
    """'binary', 'sparse', 'categorical' or None for a loss given as name, function, class or instance."""
    if loss is None:
        return None
    kinds = {_losses.binary_crossentropy: "binary", _losses.sparse_categorical_crossentropy: "sparse",
             _losses.categorical_crossentropy: "categorical"}
    if isinstance(loss, str):
        try:
            loss = _losses.get(loss)
        except ValueError:
            return None
    if isinstance(loss, type) and issubclass(loss, _losses.Loss):
        loss = loss()
    if isinstance(loss, _losses.LossFunctionWrapper):
        loss = loss.fn
    if isinstance(loss, _losses.Loss):
        return None
    try:
        return kinds.get(loss)
    except TypeError:  # a list or dict of losses (several outputs): no single answer
        return None


def _resolve_kind(loss, output_shape, target_shape) -> str:
    """Which accuracy/cross-entropy ``'acc'`` means: 'binary', 'sparse' or 'categorical'."""
    if output_shape is not None and target_shape is not None and len(output_shape) and len(target_shape):
        # tf.keras 2.2+ (compile_utils._get_metric_object): decided by the shapes of y_true and y_pred.
        is_binary = output_shape[-1] == 1
        is_sparse = len(target_shape) < len(output_shape) or (target_shape[-1] == 1 and (output_shape[-1] or 0) > 1)
    else:
        # Before the targets are seen: the loss and the output shape (tf.keras 1 / Keras 2.2's rule).
        kind = _loss_kind(loss)
        is_binary = kind == "binary" or (output_shape is not None and len(output_shape) > 0
                                         and output_shape[-1] == 1)
        is_sparse = kind == "sparse"
    if is_binary:
        return "binary"
    return "sparse" if is_sparse else "categorical"


def _object_name(obj):
    name = getattr(obj, "name", None)
    if isinstance(name, str):
        return name
    name = getattr(obj, "__name__", None)
    if name is not None:
        return name
    return to_snake_case(type(obj).__name__)


def get_metric(identifier, loss=None, output_shape=None, target_shape=None):
    """The Metric for one entry of ``compile(metrics=[...])``, named as tf.keras 2 names it.

    * ``'accuracy'``/``'acc'`` (any case) -> :class:`BinaryAccuracy`, :class:`SparseCategoricalAccuracy`
      or :class:`CategoricalAccuracy`, named exactly as written (history key ``'acc'``).
      With ``output_shape`` and ``target_shape`` (the shapes of y_pred and y_true, ``None`` for
      the batch) the choice is tf.keras 2.11's: binary if the output's last dimension is 1,
      sparse if ``y_true`` has a lower rank or a last dimension of 1, else categorical. Without
      ``target_shape``: binary if the loss is binary cross-entropy or the output's last
      dimension is 1, sparse if the loss is sparse categorical cross-entropy, else categorical.
      ``'crossentropy'``/``'ce'`` choose the matching cross-entropy the same way.
    * another string -> a metric function wrapped in :class:`MeanMetricWrapper` named as written
      (``'mae'`` -> ``'mae'``), or a class instance with its own name (``'AUC'`` -> ``'auc'``).
    * a Metric instance as is; a Metric class instantiated; a function (or Loss instance)
      wrapped in :class:`MeanMetricWrapper` under its ``__name__`` (or ``name``).

    Misspelled names raise ``ValueError`` with the closest valid name.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str) and identifier.lower() in _CONVENIENCE:
        kind = _resolve_kind(loss, output_shape, target_shape)
        if identifier.lower() in ("accuracy", "acc"):
            cls = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
                   "categorical": CategoricalAccuracy}[kind]
        else:
            cls = {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
                   "categorical": CategoricalCrossentropy}[kind]
        return cls(name=identifier)
    obj = get(identifier)
    if isinstance(obj, Metric):
        return obj
    if isinstance(obj, type) and issubclass(obj, Metric):
        return obj()
    name = identifier if isinstance(identifier, str) else _object_name(obj)
    return MeanMetricWrapper(obj, name=name)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
