"""Adam (and the beta checks AdamW and Nadam share)."""
from __future__ import annotations

import math

import numpy as np

from .. import registry
from .base import Optimizer, _check_range


def _check_betas(cls_name, beta_1, beta_2):
    _check_range(cls_name, "beta_1", beta_1, 0.0, 1.0, high_inclusive=False)
    _check_range(cls_name, "beta_2", beta_2, 0.0, 1.0, high_inclusive=False)


class Adam(Optimizer):
    """Adam with Keras's "epsilon hat" form of the bias correction.

    With slots ``m`` (momentum) and ``v`` (velocity), both starting at 0,
    ``t = iterations + 1``::

        alpha = lr * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        m += (g - m) * (1 - beta_1)
        v += (g ** 2 - v) * (1 - beta_2)
        amsgrad: v_hat = max(v_hat, v); v = v_hat
        var -= m * alpha / (sqrt(v) + epsilon)

    Defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False``.

    Other arguments (``weight_decay``, ``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name="Adam",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        _check_betas(type(self).__name__, beta_1, beta_2)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def _slot_specs(self):
        specs = [("momentum", 0.0), ("velocity", 0.0)]
        if self.amsgrad:
            specs.append(("velocity_hat", 0.0))
        return specs

    def update_step(self, gradient, variable, learning_rate):
        var = variable._value
        dt = var.dtype.type
        slots = self._slots_of(variable)
        m, v = slots[0], slots[1]
        t = self._step() + 1
        alpha = dt(learning_rate * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t))
        a, b = self._scratch(var), self._scratch(var, 1)
        np.subtract(gradient, m, out=a)
        a *= dt(1.0 - self.beta_1)
        m += a
        np.square(gradient, out=a)
        a -= v
        a *= dt(1.0 - self.beta_2)
        v += a
        if self.amsgrad:
            v_hat = slots[2]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        np.sqrt(v, out=a)
        a += dt(self.epsilon)
        np.multiply(m, alpha, out=b)
        b /= a
        var -= b

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon, amsgrad=self.amsgrad)
        return config


registry.register("optimizers", Adam)
