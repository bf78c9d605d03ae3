"""Callbacks that write training state to files: ``ModelCheckpoint`` and ``BackupAndRestore``."""
from __future__ import annotations
import os
import random
import warnings

import numpy as np

from ... import backend as _backend
from ..saving.backup import read_training_backup, write_training_backup
from .base import Callback, _closest_key_hint


_FILE_EXTENSIONS = (".keras", ".h5", ".hdf5")  # a file; other names are checkpoint prefixes or directories


class ModelCheckpoint(Callback):
    """Save the model (or its weights) during training, as tf.keras 2.11 does.

    ``filepath`` may hold ``{epoch:02d}`` (1-based), ``{batch}`` and any log key
    such as ``{val_loss:.2f}``. It names what ``model.save``/``save_weights`` write: ``.keras``/``.h5``
    files, or for other names tf.keras 2's defaults (checkpoint files such as ``cp-0005.ckpt.index``
    with ``save_weights_only``, else a SavedModel-like directory; chainrule's content, see
    ``keras.saving``). With ``save_best_only`` the file is written only
    when ``monitor`` improves on the best value so far (``mode='auto'`` means
    max for names containing ``'acc'``, min otherwise; ``initial_value_threshold``
    sets the starting best). ``save_freq='epoch'`` saves after every epoch, an
    integer after that many batches. Every write is atomic.

    Example::

        cb = ModelCheckpoint("ckpt/model-{epoch:02d}-{val_loss:.2f}.keras", save_best_only=True, verbose=1)
        model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[cb])

    Args:
        filepath: where to save (``.keras`` or ``.h5``; ``.weights.h5`` with ``save_weights_only``), with
            optional ``{epoch:02d}``-style fields.
        monitor: the log key watched by ``save_best_only`` (default ``'val_loss'``).
        verbose: 1 prints a line for each save.
        save_best_only: save only when ``monitor`` improves.
        save_weights_only: save the weights (``model.save_weights``) instead of the whole model.
        mode: ``'auto'`` (max for a name holding ``'acc'``, min otherwise), ``'min'`` or ``'max'``.
        save_freq: ``'epoch'`` or a number of batches.
        options: accepted for tf.keras compatibility.
        initial_value_threshold: the best value to beat at the start (None: none).
        **kwargs: tf.keras 2's legacy ``period`` and ``load_weights_on_restart``.

    Raises:
        ValueError: a file extension that does not fit ``save_weights_only``, an unknown ``mode``, or a bad
            ``save_freq``.
        TypeError: an unknown keyword argument.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", options=None, initial_value_threshold=None, **kwargs):
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
        if not save_weights_only and self.filepath.lower().endswith(".weights.h5"):
            raise ValueError(f"ModelCheckpoint: {self.filepath!r} names a weights file ('.weights.h5'): pass "
                             "save_weights_only=True, or use a '.keras' name to save the whole model.")
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
        logs = {k: (float(v) if isinstance(v, (np.floating, np.integer)) else v) for k, v in (logs or {}).items()}
        filepath = self._get_file_path(epoch, batch, logs)
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(filepath) and filepath.lower().endswith(_FILE_EXTENSIONS):
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

    Args:
        backup_dir: the folder that holds the backup (created when needed).
        save_freq: ``'epoch'`` (the only one supported).
        delete_checkpoint: delete the backup when ``fit`` completes.
        save_before_preemption: not supported (a TPU/cluster feature).

    Raises:
        ValueError: an empty ``backup_dir``, another ``save_freq``, or ``save_before_preemption``.
    """

    FILENAME = "latest.weights.h5"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True, save_before_preemption=False):
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
        self.model._initial_epoch_override = None
        if not os.path.exists(self._backup_path):
            return
        if not self.model.built or not self.model.weights:
            raise ValueError(f"BackupAndRestore: a backup exists in {self.backup_dir!r} but model "
                             f"{self.model.name!r} has not created its weights yet, so it cannot be restored. Build "
                             "it first (call it on a batch of data or model.build(input_shape)) before fit.")
        metadata = read_training_backup(self.model, self._backup_path, check=self._random_states)
        self._set_random_states(self._random_states(metadata))
        epoch = metadata["epoch"]
        self.model._initial_epoch_override = epoch + 1

    def _random_states(self, metadata):
        """The epoch and random-number states of a backup's metadata, checked (``ValueError``) but not applied."""
        epoch = metadata.get("epoch")
        if not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"BackupAndRestore: the backup {self._backup_path!r} holds an invalid epoch {epoch!r}.")
        states = {}
        try:
            if metadata.get("rng_state") is not None:
                states["rng"] = metadata["rng_state"]
            if metadata.get("numpy_state") is not None:
                name, key, pos, has_gauss, cached = metadata["numpy_state"]
                states["numpy"] = (str(name), np.asarray(key, dtype=np.uint32), int(pos), int(has_gauss),
                                   float(cached))
            if metadata.get("python_state") is not None:
                version, state, gauss = metadata["python_state"]
                states["python"] = (int(version), tuple(int(v) for v in state), gauss)
            before = self._current_random_states()
            try:
                self._set_random_states(states)  # the only full check of a state is setting it
            finally:
                self._set_random_states(before)
        except (TypeError, ValueError, KeyError) as e:
            raise ValueError(f"BackupAndRestore: the random-number state in {self._backup_path!r} is invalid "
                             f"({e}).") from e
        return states

    @staticmethod
    def _current_random_states():
        return {"rng": _backend.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}

    @staticmethod
    def _set_random_states(states):
        if "rng" in states:
            _backend.set_rng_state(states["rng"])
        if "numpy" in states:
            np.random.set_state(states["numpy"])
        if "python" in states:
            random.setstate(states["python"])

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        name, key, pos, has_gauss, cached = np.random.get_state()
        version, state, gauss = random.getstate()
        metadata = {"epoch": int(epoch), "rng_state": _backend.get_rng_state(),
                    "numpy_state": [name, np.asarray(key).tolist(), int(pos), int(has_gauss), float(cached)],
                    "python_state": [version, list(state), gauss]}
        write_training_backup(self.model, self._backup_path, metadata)

    def on_train_end(self, logs=None):
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
