"""Adam (and the beta checks AdamW and Nadam share)."""
from __future__ import annotations

from typing import Any

from ...ops import updates as _updates
from .. import registry
from .base import LearningRate, Optimizer, _check_range


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

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.001).
        beta_1: the decay of the first-moment average (default 0.9), in [0, 1).
        beta_2: the decay of the second-moment average (default 0.999), in [0, 1).
        epsilon: a small constant for numerical stability (default 1e-7).
        amsgrad: use the AMSGrad variant (the running maximum of ``v``).
        name: the optimizer's name (default ``'Adam'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: a beta outside [0, 1), or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str = "Adam", **kwargs: Any) -> None:
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
        variable.apply_update(_updates.AdamStep(self.beta_1, self.beta_2, self.epsilon, self.amsgrad, self._workspace),
                              gradient, learning_rate, self.iterations, *self._slots_of(variable))

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon, amsgrad=self.amsgrad)
        return config


Optimizer._FLAT_UPDATE_STEPS.add(Adam.update_step)
registry.register("optimizers", Adam)
