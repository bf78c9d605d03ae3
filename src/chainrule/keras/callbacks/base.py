"""The callback protocol: ``Callback`` (every ``on_*`` hook), and the ``monitor`` helpers that
EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share."""
from __future__ import annotations

import warnings

import numpy as np

from ..._suggest import did_you_mean


class Callback:
    """Base class: override any ``on_*`` hook. ``self.model`` and ``self.params`` are set by ``fit``."""

    def __init__(self):
        self.model = None
        self.params = {}
        self.validation_data = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)  # as tf.keras 2: the old name is what a user may override

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    # tf.keras 1 names, still overridden by much user code: on_train_batch_* call them
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


def _monitor_op(monitor: str, mode: str, owner: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}.")
    if mode == "max" or (mode == "auto" and monitor.endswith(("acc", "accuracy", "auc"))):
        return np.greater
    return np.less


def _closest_key_hint(monitor, logs) -> str:
    """``. Did you mean 'val_loss'?`` when a log key is close to the misspelled ``monitor``."""
    hint = did_you_mean(monitor, logs or {})
    return "." + hint if hint else ""


def _get_monitor_value(logs, monitor, owner):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(f"{owner} conditioned on metric `{monitor}` which is not available. Available metrics "
                      f"are: {','.join(logs or {})}{_closest_key_hint(monitor, logs)}", stacklevel=3)
    return value
