"""Callbacks: hooks into the training loop (History and the progress bar are added automatically)."""
from __future__ import annotations

import numpy as np

from .utils.progbar import Progbar


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
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    # tf.keras 1 names, still called by some user code
    def on_batch_begin(self, batch, logs=None):
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)


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
    """Prints ``Epoch i/n`` (when n > 1) and a progress bar per epoch, for evaluate and predict too."""

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self._bar = None
        self._mode = "train"

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.steps = params.get("steps")

    def _new_bar(self, target):
        self._bar = Progbar(target, verbose=self.verbose, unit_name="step")

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self._bar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose:
            self._bar.update(self._bar._seen_so_far or self.params.get("steps") or 0,
                             list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if self.params.get("_mode") == "evaluate" and self.verbose:
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("_mode") == "evaluate" and self.verbose == 1:
            self._bar.update(batch + 1, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if self.params.get("_mode") == "evaluate" and self.verbose:
            self._bar.update(self._bar._seen_so_far or self.params.get("steps") or 0,
                             list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        if self.verbose:
            self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self._bar.update(batch + 1, finalize=False)

    def on_predict_end(self, logs=None):
        if self.verbose:
            self._bar.update(self._bar._seen_so_far or self.params.get("steps") or 0, finalize=True)


class CallbackList:
    """Calls every callback's hook in order; adds History and ProgbarLogger like tf.keras."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = list(callbacks or [])
        self.history = None
        if add_history:
            existing = [c for c in self.callbacks if isinstance(c, History)]
            self.history = existing[0] if existing else History()
            if not existing:
                self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.model = model
        self.params = params
        for c in self.callbacks:
            if model is not None:
                c.set_model(model)
            c.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def _call(self, hook, *args):
        for c in self.callbacks:
            getattr(c, hook)(*args)

    def on_train_begin(self, logs=None): self._call("on_train_begin", logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)
    def on_train_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs)
    def on_test_batch_begin(self, batch, logs=None): self._call("on_test_batch_begin", batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._call("on_test_batch_end", batch, logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs)
    def on_predict_batch_begin(self, batch, logs=None): self._call("on_predict_batch_begin", batch, logs)
    def on_predict_batch_end(self, batch, logs=None): self._call("on_predict_batch_end", batch, logs)

    def __iter__(self):
        return iter(self.callbacks)


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        for name, fn in dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                             on_train_begin=on_train_begin, on_train_end=on_train_end,
                             on_train_batch_begin=on_batch_begin, on_train_batch_end=on_batch_end,
                             **kwargs).items():
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _monitor_op(monitor: str, mode: str, owner: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}.")
    if mode == "max" or (mode == "auto" and monitor.endswith(("acc", "accuracy", "auc"))):
        return np.greater
    return np.less


def _get_monitor_value(logs, monitor, owner):
    value = (logs or {}).get(monitor)
    if value is None:
        import warnings
        warnings.warn(f"{owner} conditioned on metric `{monitor}` which is not available. Available metrics "
                      f"are: {','.join(logs or {})}", stacklevel=3)
    return value


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs.

    ``restore_best_weights=True`` puts back the weights of the best epoch when it stops.
    Defaults: ``monitor='val_loss', min_delta=0, patience=0, mode='auto'``.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = int(start_from_epoch)
        self.monitor_op = _monitor_op(monitor, mode, "EarlyStopping")
        self.min_delta = abs(min_delta) * (1 if self.monitor_op is np.greater else -1)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value, reference):
        return self.monitor_op(value - self.min_delta, reference)

    def on_epoch_end(self, epoch, logs=None):
        current = _get_monitor_value(logs, self.monitor, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)`` (or ``schedule(epoch)``).

    The rate used is logged as ``lr`` in the epoch's logs (and so in ``history``).
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(np.asarray(self.model.optimizer.lr))
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
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
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
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


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row: ``epoch`` then the log keys (``append=True`` continues a file)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, append
        self.keys = None
        self._file = None

    def on_train_begin(self, logs=None):
        import os
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._write_header = not exists
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        import csv
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys, delimiter=self.sep)
            if self._write_header:
                self._writer.writeheader()
        row = {"epoch": epoch}
        row.update({k: logs.get(k, "NA") for k in self.keys})
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
