"""RMSprop."""
from __future__ import annotations

import numpy as np

from .. import registry
from .base import Optimizer, _check_range, _is_number


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
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, name="RMSprop",
                 **kwargs):
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
        var = variable._value
        dt = var.dtype.type
        slots = self._slots_of(variable)
        v = slots[0]
        rho, one_minus_rho = dt(self.rho), dt(1.0 - self.rho)
        denom, inc = self._scratch(var), self._scratch(var, 1)
        v *= rho
        np.square(gradient, out=denom)
        denom *= one_minus_rho
        v += denom
        if self.centered:
            mg = slots[-1]
            mg *= rho
            np.multiply(gradient, one_minus_rho, out=denom)
            mg += denom
            np.square(mg, out=denom)
            np.subtract(v, denom, out=denom)
            denom += dt(self.epsilon)
        else:
            np.add(v, dt(self.epsilon), out=denom)
        np.sqrt(denom, out=denom)
        np.multiply(gradient, dt(learning_rate), out=inc)
        inc /= denom
        if self.momentum > 0:
            m = slots[1]
            m *= dt(self.momentum)
            m += inc
            var -= m
        else:
            var -= inc

    def get_config(self):
        config = super().get_config()
        config.update(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon, centered=self.centered)
        return config


registry.register("optimizers", RMSprop)
