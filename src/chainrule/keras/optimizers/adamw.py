"""AdamW: Adam with decoupled weight decay."""
from __future__ import annotations

from typing import Any

from .. import registry
from .adam import Adam
from .base import LearningRate


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter).

    Before each Adam step (see :class:`Adam`): ``var -= var * weight_decay * lr``.

    Defaults: ``learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
    amsgrad=False``.

    Other arguments (``clipnorm``, ``use_ema``...) are those of :class:`Optimizer`.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a zero-argument callable (default 0.001).
        weight_decay: the decoupled decay rate (default 0.004).
        beta_1: the decay of the first-moment average (default 0.9), in [0, 1).
        beta_2: the decay of the second-moment average (default 0.999), in [0, 1).
        epsilon: a small constant for numerical stability (default 1e-7).
        amsgrad: use the AMSGrad variant.
        name: the optimizer's name (default ``'AdamW'``).
        **kwargs: the arguments every optimizer takes (``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``use_ema`` ...; see ``Optimizer``).

    Raises:
        ValueError: ``weight_decay`` is None, a beta outside [0, 1), or an invalid common argument.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, name: str = "AdamW",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, name=name, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


registry.register("optimizers", AdamW)
