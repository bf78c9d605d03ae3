"""Nadam: Adam with Nesterov momentum."""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import backend as _backend
from ...ops import updates as _updates
from .. import registry
from .adam import _check_betas
from .base import LearningRate, Optimizer


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat 2015), Keras 3's form.

    ``u_product`` (one scalar Variable, starts at 1) is advanced once per step
    before the variables are updated. With ``t = iterations + 1``::

        u_t   = beta_1 * (1 - 0.5 * 0.96 ** t)
        u_t1  = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product = u_product * u_t                        # once per step
        m += (g - m) * (1 - beta_1)
        v += (g ** 2 - v) * (1 - beta_2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2 ** t)
        var -= lr * m_hat / (sqrt(v_hat) + epsilon)

    Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``.

    Other arguments (``weight_decay``, ``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.001).
        beta_1: the decay of the first-moment average (default 0.9), in [0, 1).
        beta_2: the decay of the second-moment average (default 0.999), in [0, 1).
        epsilon: a small constant for numerical stability (default 1e-7).
        name: the optimizer's name (default ``'Nadam'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: a beta outside [0, 1), or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "Nadam", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        _check_betas("Nadam", beta_1, beta_2)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._u_product = None

    def _slot_specs(self):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def build(self, var_list):
        var_list = list(var_list)
        super().build(var_list)
        if self._u_product is None:
            dtype = var_list[0]._value.dtype if var_list else np.dtype(_backend.floatx())
            self._u_product = self.add_variable((), initializer=1.0, dtype=dtype, name="u_product")

    def _update_all(self, grads, variables, lr):
        self._u_product.apply_update(_updates.NadamProduct(self.beta_1), self.iterations)
        super()._update_all(grads, variables, lr)

    def update_step(self, gradient, variable, learning_rate):
        variable.apply_update(_updates.NadamStep(self.beta_1, self.beta_2, self.epsilon, self._workspace), gradient,
                              learning_rate, self.iterations, self._u_product, *self._slots_of(variable))

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config


Optimizer._FLAT_UPDATE_STEPS.add(Nadam.update_step)
registry.register("optimizers", Nadam)
