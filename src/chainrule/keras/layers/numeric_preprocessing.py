"""Preprocessing layers for numeric features: ``Normalization`` and ``Discretization`` (tf.keras 2's).

Both learn their state from data with ``adapt`` (see ``preprocessing_base``) or take it in the
constructor, live inside the model (so a saved model takes raw features) and compute with ops, so
``fit``'s compiled step records them like any layer.
"""
from __future__ import annotations

import numbers

import numpy as np

from ... import ops as _ops
from ...backend import epsilon, floatx
from ...functions import cast, maximum, reshape, sqrt
from ...tensor import Tensor, Variable, apply_op, convert_to_tensor, to_array
from .. import registry
from .preprocessing_base import PreprocessingLayer


def _listify(value):
    """Constructor values as JSON (numpy arrays and Tensors become lists)."""
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class Normalization(PreprocessingLayer):
    """Shifts and scales inputs to mean 0 and variance 1: ``(x - mean) / sqrt(variance)``.

    Args:
        axis: the axis (or axes) with their own mean and variance; the others are reduced over.
            Default -1 (one mean per feature of ``(N, features)`` data); None: one scalar mean and variance.
        mean: the mean, given (a number or an array broadcastable to the kept axes); otherwise learnt by
            ``adapt(data)``.
        variance: the variance, given as ``mean`` is.
        invert: True computes the inverse, ``mean + x * sqrt(variance)`` (undoing a normalization).

    After ``adapt`` the layer holds three non-trainable weights, ``mean``, ``variance`` (one value per
    position of the kept axes) and ``count`` (int64); ``layer.mean`` and ``layer.variance`` are those,
    reshaped to broadcast against the inputs (``(1, features)``). The standard deviation is bounded
    below by ``keras.backend.epsilon()``. ``adapt`` reads data in batches of 32 and merges their
    moments in float32, as tf.keras 2 does, so the statistics agree with TensorFlow's.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, numbers.Integral):
            axis = (int(axis),)
        else:
            axis = tuple(int(a) for a in axis)
        self.axis = axis
        if isinstance(mean, Variable) or isinstance(variance, Variable):
            raise ValueError(f"Normalization {self.name!r} does not take a Variable for `mean` or `variance`; "
                             "pass numbers or arrays.")
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization {self.name!r}: when setting values directly, both `mean` and "
                             f"`variance` must be set. Got mean: {mean} and variance: {variance}.")
        self.input_mean = _listify(mean)
        self.input_variance = _listify(variance)
        self.invert = bool(invert)

    def build(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"Normalization {self.name!r} takes a single input, got the shapes {input_shape}; "
                             "pass one array (np.asarray the list first).")
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization {self.name!r}: all `axis` values must be in the range [-ndim, ndim). "
                             f"Found ndim: {ndim}, axis: {self.axis}.")
        self._keep_axis = sorted(a if a >= 0 else a + ndim for a in self.axis)
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(f"Normalization {self.name!r}: all `axis` values to be kept must have a known size. "
                                 f"Got axis: {self.axis}, input shape: {input_shape}, unknown at index {a}.")
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1 for a in range(ndim))
        stats_shape = tuple(input_shape[a] for a in self._keep_axis)
        dtype = self._np_dtype
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", stats_shape, initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight("variance", stats_shape, initializer="ones", trainable=False)
            self.count = self.add_weight("count", (), dtype="int64", initializer="zeros", trainable=False)
        else:
            mean = np.asarray(self.input_mean, dtype) * np.ones(stats_shape, dtype)
            variance = np.asarray(self.input_variance, dtype) * np.ones(stats_shape, dtype)
            self._fixed_mean = Tensor(mean.reshape(self._broadcast_shape))
            self._fixed_variance = Tensor(variance.reshape(self._broadcast_shape))
        self.built = True

    def _adapted_input_shape(self, batch_shape) -> tuple:
        """The sizes of the kept axes are part of the layer (its statistics have them); the others are unknown.
        (tf.keras 2 records them all unknown, so it cannot rebuild an adapted layer from its config.)"""
        ndim = len(batch_shape)
        keep = {a if a >= 0 else a + ndim for a in self.axis}
        return tuple(d if i in keep and i > 0 else None for i, d in enumerate(batch_shape))

    @property
    def mean(self) -> Tensor:
        """The mean, shaped to broadcast against the inputs (``(1, features)`` for the default axis)."""
        self._require_built("mean")
        if self.input_mean is not None:
            return self._fixed_mean
        return reshape(self.adapt_mean, self._broadcast_shape)

    @property
    def variance(self) -> Tensor:
        """The variance, shaped as :attr:`mean`."""
        self._require_built("variance")
        if self.input_mean is not None:
            return self._fixed_variance
        return reshape(self.adapt_variance, self._broadcast_shape)

    def _require_built(self, what):
        if not self.built:
            raise AttributeError(f"Normalization {self.name!r} has no {what} yet: call adapt(data) or build(shape) "
                                 "first (or pass mean= and variance=).")

    def update_state(self, data) -> None:
        """Merge the moments of one batch into the running ones (float32, tf.keras 2's formula)."""
        if self.input_mean is not None:
            raise ValueError(f"Cannot adapt Normalization {self.name!r}: it was created with a fixed mean and "
                             f"variance (mean={self.input_mean}, variance={self.input_variance}).")
        dtype = self._np_dtype
        data = np.asarray(data).astype(dtype, copy=False)
        if data.ndim != len(self._broadcast_shape) or any(
                data.shape[a] != self._broadcast_shape[a] for a in self._keep_axis):
            raise ValueError(f"Normalization {self.name!r} was built for inputs of shape {self._build_input_shape} "
                             f"(axis {self.axis}); adapt() got a batch of shape {data.shape}.")
        batch_mean = data.mean(axis=self._reduce_axis, dtype=dtype)
        batch_variance = np.square(data - batch_mean.reshape(self._broadcast_shape)).mean(
            axis=self._reduce_axis, dtype=dtype)
        batch_count = int(np.prod([data.shape[a] for a in self._reduce_axis])) if self._reduce_axis else 1
        old_mean, old_variance = self.adapt_mean._value, self.adapt_variance._value
        total_count = batch_count + int(self.count._value)
        batch_weight = dtype.type(batch_count) / dtype.type(total_count)
        existing_weight = dtype.type(1.0) - batch_weight
        total_mean = old_mean * existing_weight + batch_mean * batch_weight
        total_variance = ((old_variance + (old_mean - total_mean) ** 2) * existing_weight
                          + (batch_variance + (batch_mean - total_mean) ** 2) * batch_weight)
        self.adapt_mean.assign(total_mean.astype(dtype))
        self.adapt_variance.assign(total_variance.astype(dtype))
        self.count.assign(np.int64(total_count))

    def reset_state(self) -> None:
        """Back to mean 0, variance 1, count 0 (adapted layers only)."""
        if self.input_mean is not None or not self.built:
            return
        self.adapt_mean.assign(np.zeros_like(self.adapt_mean._value))
        self.adapt_variance.assign(np.ones_like(self.adapt_variance._value))
        self.count.assign(np.int64(0))

    def call(self, inputs):
        if not isinstance(inputs, Tensor):  # a nested list of numbers arrives as a list of scalar tensors
            inputs = convert_to_tensor(inputs)
        if inputs.dtype != self._dtype:
            inputs = cast(inputs, self._dtype)
        std = maximum(sqrt(self.variance), epsilon())
        if self.invert:
            return self.mean + inputs * std
        return (inputs - self.mean) / std

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        target = getattr(self, "_broadcast_shape", None)
        if target is None or len(target) != len(shape):
            return shape
        return tuple(t if d is None and t != 1 else d for d, t in zip(shape, target))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axis=list(self.axis), invert=self.invert, mean=self.input_mean, variance=self.input_variance)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("axis"), list):
            config["axis"] = tuple(config["axis"])
        return cls(**config)


_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def _summarize(values, eps):
    """tf.keras 2's quantile summary of one batch: every ``len/(1/eps)``-th sorted value, with its weight."""
    values = np.sort(values.reshape(-1).astype(np.float32))
    increment = int(np.float32(values.size) / np.float32(1.0 / eps))
    step = max(increment, 1)
    boundaries = values[increment::step]
    return np.stack([boundaries, np.full(boundaries.shape, np.float32(step))]).astype(np.float32)


def _compress(summary, eps):
    """Interpolate a summary down to about ``1/eps`` bins (tf.keras 2's ``_compress_summary_numpy``)."""
    if summary.shape[1] * eps < 1:
        return summary
    percents = eps + np.arange(0.0, 1.0, eps)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype(np.float32)


def _merge(summary, other, eps):
    merged = np.concatenate((summary, other), axis=1)
    merged = merged[:, np.argsort(merged[0], kind="stable")]
    return _compress(merged, eps)


class Discretization(PreprocessingLayer):
    """Buckets numbers into bins: ``bin_boundaries=[0., 1., 2.]`` maps x to 0 (x < 0), 1 (0 <= x < 1), 2, or 3.

    Args:
        bin_boundaries: the sorted boundaries; or
        num_bins: the number of bins whose boundaries ``adapt(data)`` puts at the data's quantiles
            (approximated to within ``epsilon``, as tf.keras 2 does).
        epsilon: the quantile precision of ``adapt`` (default 0.01).
        output_mode: ``'int'`` (the bin index, int64 by default), ``'one_hot'``, ``'multi_hot'`` or
            ``'count'`` (a float row of ``len(bin_boundaries) + 1`` per sample).
        sparse: accepted for compatibility; only ``False`` (dense outputs) is supported.

    An adapted layer's config records the boundaries it found, so a saved model buckets the same way.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, **kwargs):
        if "bins" in kwargs:  # tf.keras 2's deprecated spelling
            bins = kwargs.pop("bins")
            if isinstance(bins, int) and num_bins is None:
                num_bins = bins
            elif bin_boundaries is None:
                bin_boundaries = bins
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Discretization: output_mode must be one of {list(_OUTPUT_MODES)}, got {output_mode!r}.")
        dtype = kwargs.get("dtype")
        if dtype is None or (output_mode == "int" and not np.issubdtype(np.dtype(str(getattr(dtype, "name", dtype))),
                                                                          np.integer)):
            kwargs["dtype"] = "int64" if output_mode == "int" else floatx()
        super().__init__(**kwargs)
        if sparse:
            raise ValueError(f"Discretization {self.name!r}: sparse=True is not supported by chainrule; use the dense "
                             "output (sparse=False).")
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral)
                                     or num_bins < 0):
            raise ValueError(f"Discretization {self.name!r}: `num_bins` must be an integer >= 0, got {num_bins!r}.")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Discretization {self.name!r}: give `num_bins` or `bin_boundaries`, not both. You passed "
                             f"num_bins={num_bins} and bin_boundaries={bin_boundaries}.")
        bin_boundaries = _listify(bin_boundaries)
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else []
        self.num_bins = num_bins
        self.epsilon = float(epsilon)
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self._summary = np.zeros((2, 0), np.float32)

    def _convert_input(self, x):
        if isinstance(x, Tensor):
            return x
        return Tensor(to_array(x))  # numbers keep their type: bucketing compares values, it does not cast

    def update_state(self, data) -> None:
        """Merge one batch into the quantile summary."""
        if self.input_bin_boundaries is not None:
            raise ValueError(f"Cannot adapt Discretization {self.name!r}: it was created with bin_boundaries="
                             f"{self.input_bin_boundaries}; use num_bins instead.")
        if self.num_bins is None:
            raise ValueError(f"Discretization {self.name!r}: give num_bins to adapt it (the number of bins whose "
                             "boundaries adapt() computes).")
        batch = _summarize(np.asarray(data, dtype=np.float32), self.epsilon)
        self._summary = _merge(batch, self._summary, self.epsilon)

    def reset_state(self) -> None:
        """Forget the summary."""
        if self.input_bin_boundaries is None:
            self._summary = np.zeros((2, 0), np.float32)

    def finalize_state(self) -> None:
        """Boundaries at the quantiles ``1/num_bins, 2/num_bins ...`` of the data seen."""
        if self.input_bin_boundaries is not None:
            return
        self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[0, :-1].astype(np.float32).tolist()

    def call(self, inputs):
        if not isinstance(inputs, Tensor):  # a nested list of numbers arrives as a list of scalar tensors
            inputs = convert_to_tensor(inputs)
        boundaries = np.asarray(self.bin_boundaries, dtype=np.float64)
        depth = len(self.bin_boundaries) + 1
        mode, dtype = self.output_mode, np.dtype(self._dtype)

        def bucketize(values):
            indices = np.searchsorted(boundaries, values, side="right")
            if mode == "int":
                return indices.astype(dtype)
            if indices.ndim == 0:
                indices = indices.reshape(1)
            if mode == "one_hot" and indices.shape[-1] != 1:
                indices = indices[..., None]
            if indices.ndim > 2:
                raise ValueError(f"Discretization {self.name!r}: output_mode={mode!r} takes inputs of rank 2 at most, "
                                 f"got shape {values.shape}.")
            rows = indices.reshape(-1, indices.shape[-1]) if indices.ndim == 2 else indices.reshape(1, -1)
            out = np.zeros((rows.shape[0], depth), dtype=dtype)
            np.add.at(out, (np.arange(rows.shape[0])[:, None], rows), 1)  # a bincount per sample
            if mode != "count":
                out = np.minimum(out, 1)
            return out if indices.ndim == 2 else out[0]
        return apply_op(_ops.NoGradient(bucketize), inputs)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries or self.num_bins is None else self.num_bins
        if not shape:
            return (depth,)
        if self.output_mode == "one_hot" and shape[-1] != 1:
            return shape + (depth,)
        return shape[:-1] + (depth,)

    def get_config(self) -> dict:
        config = super().get_config()
        adapted = self.input_bin_boundaries is None and self.is_adapted
        config.update(bin_boundaries=self.bin_boundaries if adapted else self.input_bin_boundaries,
                      num_bins=None if adapted else self.num_bins, epsilon=self.epsilon,
                      output_mode=self.output_mode, sparse=self.sparse)
        return config


registry.register("layers", Normalization, Discretization)
