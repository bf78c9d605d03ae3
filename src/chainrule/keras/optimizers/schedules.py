"""``keras.optimizers.schedules``: learning-rate schedules, ``schedule(step) -> float32 Tensor`` of step's shape.

Pass a schedule as any optimizer's ``learning_rate``; ``step`` is the optimizer's
``iterations`` before the update (0 on the first step). Formulas and defaults are tf.keras 2's
(``CosineDecay``'s warmup is Keras 3's). Each built-in formula is plain Python on the step
number (``_rate``), run as a no-gradient op on the step tensor so that a compiled training
step re-evaluates it at every replay. As TensorFlow's ops, the built-in formulas apply elementwise: a
schedule called on an array of steps (``lr_schedule(np.linspace(0, 100000))``, to plot it) returns the
rate at each step.
"""
from __future__ import annotations

from ..._missing import missing_attribute as _missing_attribute
import bisect
import math
from typing import Sequence

import numpy as np

from ... import backend as _backend
from ...ops import NoGradient
from ...tensor import Tensor, apply_op, to_array
from .. import registry

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "serialize", "deserialize"]


class LearningRateSchedule(registry.ConfigObject):
    """Base class of learning-rate schedules: ``schedule(step) -> float``.

    Subclasses implement ``__call__(step)`` (``step`` is the optimizer's
    ``iterations`` before the update: 0 on the first step) and
    ``get_config()``. Pass an instance as any optimizer's ``learning_rate``.
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`get_config()` in order to be serializable.")


class _BuiltinSchedule(LearningRateSchedule):
    """A schedule whose formula is ``_rate(step: float) -> float``; calling it gives a float32 Tensor of the
    step's shape (0-d for the optimizer's step number), ``_rate`` of each step."""

    def _rate(self, step: float) -> float:
        raise NotImplementedError

    def _rate_array(self, step):
        step = np.asarray(step)
        if step.ndim == 0:  # the optimizer's step, every update
            return np.asarray(self._rate(float(step)), dtype=_backend.floatx())
        rates = [self._rate(float(s)) for s in step.reshape(-1)]
        return np.asarray(rates, dtype=_backend.floatx()).reshape(step.shape)

    def __call__(self, step):
        step = step if isinstance(step, Tensor) else Tensor(to_array(step))
        return apply_op(NoGradient(self._rate_array), step)


def _check_decay_steps(decay_steps, arg="decay_steps"):
    if decay_steps <= 0:
        raise ValueError(f"Argument `{arg}` must be > 0. Received: {arg}={decay_steps}")


class _RateDecay(_BuiltinSchedule):
    """The arguments of ExponentialDecay and InverseTimeDecay; ``name`` defaults to the class name."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str | None = None) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = type(self).__name__ if name is None else name

    def _progress(self, step) -> float:
        """``step / decay_steps``, floored with ``staircase``."""
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``, so
    the rate drops in steps every ``decay_steps`` updates.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps over which the rate falls by one ``decay_rate`` factor (> 0).
        decay_rate: the decay factor.
        staircase: decay in steps (``floor(step / decay_steps)``) rather than continuously.
        name: the schedule's name (default the class name).

    Raises:
        ValueError: ``decay_steps`` is not > 0.
    """

    def _rate(self, step: float) -> float:
        return float(self.initial_learning_rate) * float(self.decay_rate) ** self._progress(step)


class PiecewiseConstantDecay(_BuiltinSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``,
    ``values[-1]`` after ``boundaries[-1]``. ``len(values) == len(boundaries) + 1``.

    Args:
        boundaries: the step numbers where the rate changes, strictly increasing.
        values: the rates, one more than ``boundaries``.
        name: the schedule's name.

    Raises:
        ValueError: ``values`` is not one longer than ``boundaries``, or the boundaries do not increase.
    """

    def __init__(self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant") -> None:
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                             f"{len(values)}.")
        if any(a >= b for a, b in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must be strictly increasing, got {boundaries}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def _rate(self, step: float) -> float:
        # number of boundaries strictly below `step` = index of the interval holding it
        return float(self.values[bisect.bisect_left(self.boundaries, step)])

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(_BuiltinSchedule):
    """``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``.

    With ``cycle=True`` ``decay_steps`` is stretched to the first multiple of
    itself that is at least ``step`` (1 x at step 0).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the steps to reach ``end_learning_rate`` (> 0).
        end_learning_rate: the final rate (default 0.0001).
        power: the polynomial's power (default 1.0: linear).
        cycle: restart the decay after ``decay_steps`` (stretched, see above).
        name: the schedule's name.

    Raises:
        ValueError: ``decay_steps`` is not > 0.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay") -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def _rate(self, step: float) -> float:
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        init, end = float(self.initial_learning_rate), float(self.end_learning_rate)
        return (init - end) * (1.0 - p) ** float(self.power) + end

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (``floor`` of the ratio with ``staircase``).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps over which the rate falls by one ``decay_rate`` factor (> 0).
        decay_rate: the decay factor.
        staircase: decay in steps (``floor(step / decay_steps)``) rather than continuously.
        name: the schedule's name (default the class name).

    Raises:
        ValueError: ``decay_steps`` is not > 0.
    """

    def _rate(self, step: float) -> float:
        return float(self.initial_learning_rate) / (1.0 + float(self.decay_rate) * self._progress(step))


class CosineDecay(_BuiltinSchedule):
    """Cosine decay with optional linear warmup (Keras 3).

    Without ``warmup_target``: with ``s = min(step, decay_steps)``,
    ``lr = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)``.
    With ``warmup_target``: for ``step < warmup_steps`` the rate rises
    linearly from ``initial_learning_rate`` to ``warmup_target``, then decays
    from ``warmup_target`` as above over ``decay_steps`` steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the steps of the decay (> 0).
        alpha: the final rate as a fraction of the rate decayed from (default 0.0).
        name: the schedule's name.
        warmup_target: the rate the warmup reaches (None: no warmup).
        warmup_steps: the steps of the warmup.

    Raises:
        ValueError: ``decay_steps`` is not > 0.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_from):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / float(self.decay_steps)))
        return decay_from * ((1.0 - float(self.alpha)) * cosine + float(self.alpha))

    def _rate(self, step: float) -> float:
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(min(step, float(self.decay_steps)), initial)
        target, warmup = float(self.warmup_target), float(self.warmup_steps)
        step = min(step, float(self.decay_steps) + warmup)
        if step < warmup:
            return (target - initial) * (step / warmup) + initial
        return self._decay(step - warmup, target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


registry.register("schedules", LearningRateSchedule, listed=False)
registry.register("schedules", ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay)


def serialize(schedule) -> dict:
    """``{'class_name': 'ExponentialDecay', 'config': {...}}`` for a schedule (tf.keras 2 layout).

    Args:
        schedule: a LearningRateSchedule.

    Returns:
        ``{'class_name': ..., 'config': ...}``.
    """
    return registry.serialize(schedule, "learning rate schedule")


def deserialize(config, custom_objects=None):
    """Rebuild a schedule from :func:`serialize`'s output (``custom_objects`` for user classes).

    Args:
        config: the ``{'class_name', 'config'}`` dict.
        custom_objects: ``{name: class}`` for your own schedules.

    Returns:
        A new schedule.

    Raises:
        ValueError: an unknown class name.
    """
    return registry.deserialize("schedules", config, custom_objects)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
