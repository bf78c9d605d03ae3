"""SGD: gradient descent with optional (Nesterov) momentum."""
from __future__ import annotations

from typing import Any

from ...ops import updates as _updates
from .. import registry
from .base import LearningRate, Optimizer, _is_number


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    ``momentum == 0``: ``var -= lr * g``.
    Otherwise, with ``m`` the velocity slot (shape of ``var``, starts at 0)::

        m = momentum * m - lr * g
        var += m                              # nesterov=False
        var += momentum * m - lr * g          # nesterov=True

    Defaults: ``learning_rate=0.01, momentum=0.0, nesterov=False``.

    Other arguments (``weight_decay``, ``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.01).
        momentum: in [0, 1]; 0 is plain gradient descent.
        nesterov: use Nesterov momentum.
        name: the optimizer's name (default ``'SGD'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: ``momentum`` outside [0, 1], or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 name: str = "SGD", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not _is_number(momentum) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum = momentum
        self.nesterov = bool(nesterov)

    def _slot_specs(self):
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate):
        variable.apply_update(_updates.SGDStep(self.momentum, self.nesterov, self._workspace), gradient,
                              learning_rate, *self._slots_of(variable))

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum, nesterov=self.nesterov)
        return config


Optimizer._FLAT_UPDATE_STEPS.add(SGD.update_step)
registry.register("optimizers", SGD)
