"""Adagrad."""
from __future__ import annotations

from typing import Any

from ...ops import updates as _updates
from .. import registry
from .base import LearningRate, Optimizer, _is_number


class Adagrad(Optimizer):
    """Adagrad: per-element rates that shrink with the sum of squared gradients.

    With the accumulator slot ``acc`` (starts at ``initial_accumulator_value``)::

        acc += g ** 2
        var -= lr * g / sqrt(acc + epsilon)

    Defaults: ``learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7``.

    Other arguments (``weight_decay``, ``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.001).
        initial_accumulator_value: the accumulator's starting value (default 0.1), >= 0.
        epsilon: a small constant for numerical stability (default 1e-7).
        name: the optimizer's name (default ``'Adagrad'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: a negative ``initial_accumulator_value``, or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, name: str = "Adagrad", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not _is_number(initial_accumulator_value) or initial_accumulator_value < 0:
            raise ValueError(f"`initial_accumulator_value` must be non-negative. Received: "
                             f"initial_accumulator_value={initial_accumulator_value!r}")
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("accumulator", self.initial_accumulator_value)]

    def update_step(self, gradient, variable, learning_rate):
        variable.apply_update(_updates.AdagradStep(self.epsilon, self._workspace), gradient, learning_rate,
                              *self._slots_of(variable))

    def get_config(self):
        config = super().get_config()
        config.update(initial_accumulator_value=self.initial_accumulator_value, epsilon=self.epsilon)
        return config


Optimizer._FLAT_UPDATE_STEPS.add(Adagrad.update_step)
registry.register("optimizers", Adagrad)
