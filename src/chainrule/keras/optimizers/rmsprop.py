"""RMSprop."""
from __future__ import annotations

from typing import Any

from ...ops import updates as _updates
from .. import registry
from .base import LearningRate, Optimizer, _check_range, _is_number


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running RMS of recent gradients.

    With slots ``v`` (velocity), ``mg`` (average gradient, ``centered``) and
    ``m`` (momentum, when ``momentum > 0``), all starting at 0::

        v = rho * v + (1 - rho) * g ** 2
        centered:  mg = rho * mg + (1 - rho) * g;  denom = v - mg ** 2 + epsilon
        otherwise: denom = v + epsilon
        increment = lr * g / sqrt(denom)
        momentum > 0: m = momentum * m + increment;  var -= m
        otherwise:    var -= increment

    Defaults: ``learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False``.

    Other arguments (``weight_decay``, ``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.001).
        rho: the decay of the squared-gradient average (default 0.9).
        momentum: >= 0; 0 (default) uses no momentum slot.
        epsilon: a small constant for numerical stability (default 1e-7).
        centered: divide by the centered variance (the ``mg`` slot) instead of the raw average.
        name: the optimizer's name (default ``'RMSprop'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: a negative ``momentum``, or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str = "RMSprop", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        _check_range("RMSprop", "rho", rho, 0.0, 1.0)
        if not _is_number(momentum) or momentum < 0:
            raise ValueError(f"RMSprop: `momentum` must be a float >= 0. Received: momentum={momentum!r}")
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = bool(centered)

    def _slot_specs(self):
        specs = [("velocity", 0.0)]
        if self.momentum > 0:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("average_gradient", 0.0))
        return specs

    def update_step(self, gradient, variable, learning_rate):
        variable.apply_update(_updates.RMSpropStep(self.rho, self.momentum, self.epsilon, self.centered,
                                                   self._workspace),
                              gradient, learning_rate, *self._slots_of(variable))

    def get_config(self):
        config = super().get_config()
        config.update(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon, centered=self.centered)
        return config


Optimizer._FLAT_UPDATE_STEPS.add(RMSprop.update_step)
registry.register("optimizers", RMSprop)
