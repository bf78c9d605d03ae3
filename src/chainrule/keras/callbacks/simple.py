"""Small callbacks: ``CSVLogger``, ``LambdaCallback`` and ``TerminateOnNaN``."""
from __future__ import annotations
import csv
import os
from typing import Callable

import numpy as np

from .base import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row: ``epoch`` then the log keys (``append=True`` continues a file).

    Args:
        filename: the CSV file's path.
        separator: the field separator (default ``','``).
        append: continue an existing file (its header is kept) instead of overwriting it.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, append
        self.keys = None
        self._file = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._write_header = not exists
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
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


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    As tf.keras 2: the named arguments ``on_epoch_begin/end(epoch, logs)``, ``on_batch_begin/end(batch, logs)``
    (the training batches) and ``on_train_begin/end(logs)``; any other hook by its keyword too
    (``on_train_batch_end``, ``on_test_batch_begin``, ``on_predict_end``, ...). A function given as
    ``on_train_batch_end`` replaces the hook that calls ``on_batch_end``.

    Args:
        on_epoch_begin: ``f(epoch, logs)`` at the start of each epoch.
        on_epoch_end: ``f(epoch, logs)`` at the end of each epoch.
        on_batch_begin: ``f(batch, logs)`` before each training batch.
        on_batch_end: ``f(batch, logs)`` after each training batch.
        on_train_begin: ``f(logs)`` when ``fit`` starts.
        on_train_end: ``f(logs)`` when ``fit`` ends.
        **kwargs: any other hook by its name (``on_test_begin=...``).
    """

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_batch_begin: Callable | None = None, on_batch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        for name, fn in dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_batch_begin=on_batch_begin,
                             on_batch_end=on_batch_end, on_train_begin=on_train_begin,
                             on_train_end=on_train_end).items():
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
