"""Callbacks: hooks into the training loop (History and the progress bar are added automatically)."""
from __future__ import annotations

import numbers

import numpy as np

from .. import nest
from ..tensor import Tensor
from .utils.progbar import Progbar
from .._suggest import did_you_mean


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
        self.callbacks = nest.flatten(list(callbacks or []))  # nested lists are flattened, as in tf.keras
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


def _closest_key_hint(monitor, logs) -> str:
    """``. Did you mean 'val_loss'?`` when a log key is close to the misspelled ``monitor``."""
    hint = did_you_mean(monitor, logs or {})
    return "." + hint if hint else ""


def _get_monitor_value(logs, monitor, owner):
    value = (logs or {}).get(monitor)
    if value is None:
        import warnings
        warnings.warn(f"{owner} conditioned on metric `{monitor}` which is not available. Available metrics "
                      f"are: {','.join(logs or {})}{_closest_key_hint(monitor, logs)}", stacklevel=3)
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


# ----------------------------------------------------------------------------- checkpoints

def _checkpoint_extension_error(filepath, weights_only):
    if weights_only:
        return ValueError(f"ModelCheckpoint: with save_weights_only=True the filepath must end in '.weights.h5' "
                          f"(Keras 3 layout) or '.h5' (tf.keras 2 layout), got {filepath!r}. chainrule cannot "
                          "write TensorFlow checkpoints ('.ckpt').")
    return ValueError(f"ModelCheckpoint: the filepath must end in '.keras' (recommended) or '.h5', got "
                      f"{filepath!r}. chainrule cannot write TensorFlow SavedModel directories; use "
                      "save_weights_only=True with a '.weights.h5' name to keep only the weights.")


class ModelCheckpoint(Callback):
    """Save the model (or its weights) during training, as tf.keras 2.11 does.

    ``filepath`` may hold ``{epoch:02d}`` (1-based), ``{batch}`` and any log key
    such as ``{val_loss:.2f}``. With ``save_best_only`` the file is written only
    when ``monitor`` improves on the best value so far (``mode='auto'`` means
    max for names containing ``'acc'``, min otherwise; ``initial_value_threshold``
    sets the starting best). ``save_freq='epoch'`` saves after every epoch, an
    integer after that many batches. Every write is atomic.

    Example::

        cb = ModelCheckpoint("ckpt/model-{epoch:02d}-{val_loss:.2f}.keras", save_best_only=True, verbose=1)
        model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[cb])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", options=None, initial_value_threshold=None, **kwargs):
        import os
        import warnings
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.period = int(kwargs.pop("period", 1))
        kwargs.pop("load_weights_on_restart", None)
        if kwargs:
            raise TypeError(f"ModelCheckpoint: unexpected keyword argument(s) {sorted(kwargs)}.")
        lower = self.filepath.lower()
        allowed = (".weights.h5", ".h5", ".hdf5") if save_weights_only else (".keras", ".h5", ".hdf5")
        if not lower.endswith(allowed) or (not save_weights_only and lower.endswith(".weights.h5")):
            raise _checkpoint_extension_error(self.filepath, save_weights_only)
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq <= 0):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' or a positive "
                             "integer (a number of batches).")
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ModelCheckpoint mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        if mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure"))):
            self.monitor_op, default = np.greater, -np.inf
        else:
            self.monitor_op, default = np.less, np.inf
        self.best = default if initial_value_threshold is None else float(initial_value_threshold)
        self.epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = -1
        self._current_epoch = 0

    def on_train_begin(self, logs=None):
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = -1

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch" and self.epochs_since_last_save >= self.period:
            self.epochs_since_last_save = 0
            self._save_model(epoch, None, logs)

    def _get_file_path(self, epoch, batch, logs) -> str:
        logs = dict(logs or {})
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from e

    def _write(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _save_model(self, epoch, batch, logs):
        import os
        import warnings
        logs = {k: (float(v) if isinstance(v, (np.floating, np.integer)) else v) for k, v in (logs or {}).items()}
        filepath = self._get_file_path(epoch, batch, logs)
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                                    f"an existing directory: {filepath}")
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            self._write(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available, skipping."
                          f"{_closest_key_hint(self.monitor, logs)}", stacklevel=3)
            return
        if self.monitor_op(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {filepath}")
            self.best = current
            self._write(filepath)
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")


class BackupAndRestore(Callback):
    """Survive an interrupted ``fit``: back up the training state each epoch and resume from it.

    At every epoch end the weights, the optimizer state (slots, iteration
    count), the epoch number and the random-number state are written
    atomically to ``backup_dir/latest.weights.h5``. When ``fit`` starts and a
    backup exists, all of it is restored and training resumes with the next
    epoch, so the result is bit for bit that of an uninterrupted run. After
    ``fit`` completes the backup is deleted (``delete_checkpoint=True``).

    Example::

        model.fit(x, y, epochs=50, callbacks=[BackupAndRestore("/tmp/backup")])
    """

    FILENAME = "latest.weights.h5"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True, save_before_preemption=False):
        import os
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: save_freq={save_freq!r} is not supported; chainrule backs up at "
                             "the end of each epoch (save_freq='epoch'), since resuming in the middle of an epoch "
                             "would need the trainer to skip batches.")
        if save_before_preemption:
            raise ValueError("BackupAndRestore: save_before_preemption is a TPU/cluster feature chainrule does not "
                             "have.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._backup_path = os.path.join(self.backup_dir, self.FILENAME)

    def on_train_begin(self, logs=None):
        import os
        import random
        from .. import backend as _backend
        from .saving import read_training_backup
        self.model._initial_epoch_override = None
        if not os.path.exists(self._backup_path):
            return
        if not self.model.built or not self.model.weights:
            raise ValueError(f"BackupAndRestore: a backup exists in {self.backup_dir!r} but model "
                             f"{self.model.name!r} has not created its weights yet, so it cannot be restored. Build "
                             "it first (call it on a batch of data or model.build(input_shape)) before fit.")
        metadata = read_training_backup(self.model, self._backup_path)
        epoch = metadata.get("epoch")
        if not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"BackupAndRestore: the backup {self._backup_path!r} holds an invalid epoch {epoch!r}.")
        try:
            if metadata.get("rng_state") is not None:
                _backend.set_rng_state(metadata["rng_state"])
            if metadata.get("numpy_state") is not None:
                name, key, pos, has_gauss, cached = metadata["numpy_state"]
                np.random.set_state((str(name), np.asarray(key, dtype=np.uint32), int(pos), int(has_gauss),
                                     float(cached)))
            if metadata.get("python_state") is not None:
                version, state, gauss = metadata["python_state"]
                random.setstate((int(version), tuple(int(v) for v in state), gauss))
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(f"BackupAndRestore: the random-number state in {self._backup_path!r} is invalid "
                             f"({e}).") from e
        self.model._initial_epoch_override = epoch + 1

    def on_epoch_end(self, epoch, logs=None):
        import os
        import random
        from .. import backend as _backend
        from .saving import write_training_backup
        os.makedirs(self.backup_dir, exist_ok=True)
        name, key, pos, has_gauss, cached = np.random.get_state()
        version, state, gauss = random.getstate()
        metadata = {"epoch": int(epoch), "rng_state": _backend.get_rng_state(),
                    "numpy_state": [name, np.asarray(key).tolist(), int(pos), int(has_gauss), float(cached)],
                    "python_state": [version, list(state), gauss]}
        write_training_backup(self.model, self._backup_path, metadata)

    def on_train_end(self, logs=None):
        import os
        self.model._initial_epoch_override = None
        if not self.delete_checkpoint:
            return
        try:
            os.remove(self._backup_path)
        except FileNotFoundError:
            pass
        try:
            os.rmdir(self.backup_dir)  # only if empty: never delete the user's other files
        except OSError:
            pass


from .tensorboard_callback import TensorBoard  # noqa: E402,F401
