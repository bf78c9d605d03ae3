"""Callbacks that change the learning rate: ``LearningRateScheduler`` and ``ReduceLROnPlateau``."""
from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from ...tensor import Tensor
from .base import Callback, _get_monitor_value, _monitor_op


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)`` (or ``schedule(epoch)``).

    The rate used is logged as ``lr`` in the epoch's logs (and so in ``history``).

    Args:
        schedule: ``schedule(epoch, lr) -> new lr`` (or ``schedule(epoch)``); ``epoch`` counts from 0.
        verbose: 1 prints the rate set at each epoch.

    Raises:
        ValueError: (during ``fit``) the schedule returns something that is not a finite number.
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(np.asarray(self.model.optimizer.lr))
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not (isinstance(lr, numbers.Real) or (
                isinstance(lr, (np.ndarray, Tensor)) and lr.size == 1 and np.asarray(lr).dtype.kind in "iuf")):
            raise ValueError(f'The output of the "schedule" function should be float. Got: {lr} (epoch {epoch}). '
                             "LearningRateScheduler's schedule(epoch, lr) must return the learning rate as a "
                             "number.")
        lr = float(np.asarray(lr))
        if not np.isfinite(lr):
            raise ValueError(f"LearningRateScheduler: the schedule returned {lr} at epoch {epoch}; it must return "
                             "a finite float.")
        self.model.optimizer.lr = lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = float(np.asarray(self.model.optimizer.lr))


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the log key watched (default ``'val_loss'``).
        factor: the rate is multiplied by it (< 1; default 0.1).
        patience: epochs without improvement before the rate is reduced (default 10).
        verbose: 1 prints a line when the rate changes.
        mode: ``'auto'`` (max for a name holding ``'acc'``, min otherwise), ``'min'`` or ``'max'``.
        min_delta: the smallest change that counts as an improvement (default 1e-4).
        cooldown: epochs to wait after a reduction before watching again.
        min_lr: the rate never goes below it.
        **kwargs: accepted and ignored (tf.keras 2's legacy arguments such as ``epsilon``).

    Raises:
        ValueError: ``factor >= 1`` or an unknown ``mode``.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0, got {factor}.")
        self.monitor, self.factor, self.patience, self.verbose = monitor, float(factor), int(patience), verbose
        self.min_delta, self.cooldown, self.min_lr = float(min_delta), int(cooldown), float(min_lr)
        self.monitor_op = _monitor_op(monitor, mode, "ReduceLROnPlateau")

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.cooldown_counter = 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def _better(self, current):
        if self.monitor_op is np.greater:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["lr"] = float(np.asarray(self.model.optimizer.lr))
        current = _get_monitor_value(logs, self.monitor, "Learning rate reduction")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(np.asarray(self.model.optimizer.lr))
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.lr = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
