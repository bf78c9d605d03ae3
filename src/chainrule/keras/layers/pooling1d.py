"""Global pooling over the steps of a sequence: ``GlobalAveragePooling1D``, ``GlobalMaxPooling1D`` (tf.keras 2)."""
from __future__ import annotations

from typing import Any

from ...functions import cast, expand_dims, reduce_max, reduce_mean, reduce_sum
from .. import registry
from .base import Layer

_FORMATS = ("channels_last", "channels_first")


class _GlobalPooling1D(Layer):
    def __init__(self, data_format: str | None = "channels_last", keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        data_format = "channels_last" if data_format is None else str(data_format).lower()
        if data_format not in _FORMATS:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the `data_format` argument must be one of "
                             f"'channels_first', 'channels_last'. Received: {data_format!r}")
        self.data_format = data_format
        self.keepdims = bool(keepdims)

    @property
    def _steps_axis(self):
        return 1 if self.data_format == "channels_last" else 2

    def build(self, input_shape: Any) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected an input of rank 3 (batch, steps, "
                             f"features), got shape {tuple(input_shape)}.")
        self.built = True

    def compute_output_shape(self, input_shape):
        batch, a, b = tuple(input_shape)
        if self.data_format == "channels_first":
            return (batch, a, 1) if self.keepdims else (batch, a)
        return (batch, 1, b) if self.keepdims else (batch, b)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling1D(_GlobalPooling1D):
    """The mean over the steps: ``(batch, steps, features)`` -> ``(batch, features)``.

    ``keepdims=True`` keeps the steps axis (size 1); ``data_format='channels_first'`` reads
    ``(batch, features, steps)``. With a mask ``(batch, steps)`` (from ``Embedding(mask_zero=True)``)
    only the real steps count: the sum over them divided by their number, as tf.keras 2 computes it
    (a sample with no real step gives NaN there, 0 / 0, as in tf.keras).

    Args:
        data_format: ``'channels_last'`` (``(batch, steps, features)``) or ``'channels_first'``.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def __init__(self, data_format: str | None = "channels_last", **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        axis = self._steps_axis
        if mask is None:
            return reduce_mean(inputs, axis=axis, keepdims=self.keepdims)
        weights = expand_dims(cast(mask, inputs.dtype), 2 if self.data_format == "channels_last" else 1)
        return (reduce_sum(inputs * weights, axis=axis, keepdims=self.keepdims)
                / reduce_sum(weights, axis=axis, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling1D):
    """The maximum over the steps: ``(batch, steps, features)`` -> ``(batch, features)``.

    As in tf.keras 2 it does not support masking: a mask from upstream is dropped and padded steps
    take part in the maximum. ``keepdims`` and ``data_format`` as for ``GlobalAveragePooling1D``.

    Args:
        data_format: ``'channels_last'`` (``(batch, steps, features)``) or ``'channels_first'``.
        keepdims: keep the pooled spatial axes with size 1.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    def call(self, inputs: Any) -> Any:
        return reduce_max(inputs, axis=self._steps_axis, keepdims=self.keepdims)


GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D

registry.register("layers", GlobalAveragePooling1D, GlobalMaxPooling1D,
                  aliases={"GlobalAvgPool1D": GlobalAveragePooling1D, "GlobalMaxPool1D": GlobalMaxPooling1D})
