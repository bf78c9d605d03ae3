"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from typing import Any

from ...ops import updates as _updates
from .. import registry
from .adam import _check_betas
from .base import LearningRate, Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma and Ba 2015, section 7), tf.keras 2.11+'s and Keras 3's update.

    With slots ``m`` (momentum) and ``u`` (norm), both starting at 0, ``t = iterations + 1``::

        m += (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        var -= lr * m / ((1 - beta_1 ** t) * (u + epsilon))

    Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``. Other arguments
    (``weight_decay``, ``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.001).
        beta_1: the decay of the first-moment average (default 0.9), in [0, 1).
        beta_2: the decay of the infinity norm (default 0.999), in [0, 1).
        epsilon: a small constant for numerical stability (default 1e-7).
        name: the optimizer's name (default ``'Adamax'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: a beta outside [0, 1), or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "Adamax", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        _check_betas("Adamax", beta_1, beta_2)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("momentum", 0.0), ("norm", 0.0)]

    def update_step(self, gradient, variable, learning_rate):
        variable.apply_update(_updates.AdamaxStep(self.beta_1, self.beta_2, self.epsilon, self._workspace),
                              gradient, learning_rate, self.iterations, *self._slots_of(variable))

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config


Optimizer._FLAT_UPDATE_STEPS.add(Adamax.update_step)
registry.register("optimizers", Adamax)
