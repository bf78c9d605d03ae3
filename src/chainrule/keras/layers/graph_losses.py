"""``model.add_loss(tensor)`` / ``model.add_metric(tensor, name=...)`` with Keras tensors of a functional model.

tf.keras 2 records such a call as one more layer of the graph, ``AddLoss`` or ``AddMetric``, that
adds the tensor's value to ``model.losses`` (or updates a ``Mean`` metric) each time the model runs.
"""
from __future__ import annotations

from .. import registry
from .base import Layer


class AddLoss(Layer):
    """Adds its input (a scalar loss) to the model's losses on every call and returns it.

    Args:
        unconditional: kept for tf.keras 2's config (every loss here belongs to the model).
        **kwargs: the base Layer's arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, unconditional=False, **kwargs):
        super().__init__(**kwargs)
        self.unconditional = bool(unconditional)

    def call(self, inputs):
        self.add_loss(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["unconditional"] = self.unconditional
        return config


class AddMetric(Layer):
    """Averages its input into the metric ``metric_name`` on every call and returns it.

    Args:
        aggregation: ``'mean'`` (or None, the same): the metric is the mean of the values seen.
        metric_name: the metric's name in the logs and History.
        **kwargs: the base Layer's arguments (``name``, ``dtype``, ...).

    Raises:
        ValueError: ``metric_name`` not given.
    """

    def __init__(self, aggregation=None, metric_name=None, **kwargs):
        super().__init__(**kwargs)
        if metric_name is None:
            raise ValueError("AddMetric: give metric_name, as model.add_metric(tensor, name='my_metric').")
        self.aggregation = aggregation
        self.metric_name = metric_name

    def call(self, inputs):
        self.add_metric(inputs, name=self.metric_name, aggregation=self.aggregation)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(aggregation=self.aggregation, metric_name=self.metric_name)
        return config


registry.register("layers", AddLoss, AddMetric)
