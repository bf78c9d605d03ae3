"""The two callbacks ``fit`` adds by itself: ``History`` (the per-epoch logs) and ``ProgbarLogger``."""
from __future__ import annotations

from typing import Any

from ..utils.progbar import Progbar
from .base import Callback


class History(Callback):
    """Records each epoch's logs: ``history.history['loss']`` is a list with one value per epoch."""

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` (when n > 1) and a progress bar per epoch, for evaluate and predict too.

    ``count_mode`` and ``stateful_metrics`` are accepted for signature compatibility only: the bar
    counts steps, and every logged value is already an epoch-so-far value.

    Args:
        count_mode: accepted for tf.keras compatibility (the bar counts steps).
        stateful_metrics: accepted for tf.keras compatibility.
    """

    def __init__(self, count_mode: str = "steps", stateful_metrics: Any = None) -> None:
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self._bar = None

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    def _new_bar(self, target):
        self._bar = Progbar(target, verbose=self.verbose, unit_name="step")

    def _finish(self, logs=None):
        self._bar.update(self._bar._seen_so_far or self.params.get("steps") or 0, list((logs or {}).items()),
                         finalize=True)

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self._bar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose:
            self._finish(logs)

    def on_test_begin(self, logs=None):
        if self.params.get("_mode") == "evaluate" and self.verbose:
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("_mode") == "evaluate" and self.verbose == 1:
            self._bar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if self.params.get("_mode") == "evaluate" and self.verbose:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        if self.verbose:
            self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self._bar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        if self.verbose:
            self._finish()
