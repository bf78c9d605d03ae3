"""Progbar: tf.keras 2's progress line, e.g.

``1875/1875 [==============================] - 3s 1ms/step - loss: 0.2925 - accuracy: 0.9155``

On a terminal the bar is redrawn in place (backspaces and a carriage return, as tf.keras 2); in a
Jupyter notebook it is rewritten with a carriage return alone, which the notebook applies to the
line in place (a saved notebook keeps one line, not a stream of backspaces); written to a file or
pipe, only the final line of each run is printed, so logs stay readable.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np


def _in_notebook(stream) -> bool:
    """True when ``stream`` is a Jupyter kernel's output (ipykernel's OutStream, or stdout under a kernel)."""
    if type(stream).__module__.split(".")[0] == "ipykernel":
        return True
    return "ipykernel" in sys.modules and stream is sys.stdout and not _isatty(stream)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def display_mode(stream) -> str | None:
    """How the bar is redrawn on ``stream``: ``"terminal"``, ``"notebook"`` or ``None`` (final lines only).

    Args:
        stream: the text stream the bar writes to.

    Returns:
        ``"notebook"`` for a Jupyter kernel's output, ``"terminal"`` for a tty (or PyCharm's console),
        ``None`` for a file or pipe.
    """
    if _in_notebook(stream):
        return "notebook"
    if _isatty(stream) or "PYCHARM_HOSTED" in os.environ:
        return "terminal"
    return None


def format_time(seconds: float, unit_name: str) -> str:
    """``' 3s/step'``, ``' 12ms/step'`` or ``' 450us/step'``."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def format_value(value, signed: bool = False) -> str:
    """A metric's number as tf.keras 2's Progbar writes it: ``' 0.2500'`` (4 decimals) when its magnitude is
    above 1e-3, else ``' 1.2340e-04'``, so zero is ``' 0.0000e+00'``. ``signed=True`` (the ``verbose=2`` line)
    compares the value itself with 1e-3, as tf.keras does there: a negative value is in e-notation too."""
    v = float(np.mean(value))
    return f" {v:.4f}" if (v if signed else abs(v)) > 1e-3 else f" {v:.4e}"


class Progbar:
    """A progress bar of ``target`` steps (None: unknown). ``verbose`` 1: bar; 2: one line at the end.

    ``update(current, values=[(name, value), ...], finalize=None)`` shows the
    values as given (the training loop passes running means).
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step",
                 stream=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = stream if stream is not None else sys.stdout
        self._mode = display_mode(self.stream)
        self._dynamic = self._mode is not None
        self._values: dict = {}
        self._total_width = 0
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None

    def _step_time(self, current, now) -> float:
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per = (now - self._time_after_first_step) / (current - 1)
        else:
            per = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per

    def update(self, current, values=None, finalize=None):
        """Move the bar to step ``current`` and show ``values`` (a list of (name, value))."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            self._values[k] = v
        self._seen_so_far = current
        now = time.time()
        per_step = self._step_time(current, now)
        if self.verbose == 1:
            if not finalize and (now - self._last_update < self.interval or not self._dynamic):
                return
            self._last_update = now
            if self.target is not None:
                digits = int(np.log10(self.target)) + 1 if self.target > 0 else 1
                bar = f"{current:{digits}d}/{self.target} ["
                prog_width = int(self.width * (current / self.target if self.target else 1))
                if prog_width > 0:
                    bar += "=" * (prog_width - 1) + (">" if current < self.target else "=")
                bar += "." * (self.width - prog_width) + "]"
            else:
                bar = f"{current:7d}/Unknown"
            if self.target is not None and not finalize:
                eta = per_step * (self.target - current)
                if eta > 3600:
                    eta_text = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
                elif eta > 60:
                    eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
                else:
                    eta_text = f"{int(eta)}s"
                info = f" - ETA: {eta_text}"
            else:
                info = f" - {now - self._start:.0f}s" + format_time(per_step, self.unit_name)
            line = bar + info + self._metrics_text()
            prev = self._total_width
            self._total_width = len(line)
            pad = " " * max(prev - len(line), 0)
            if self._mode == "terminal":
                prefix = "\b" * prev + "\r"
            else:  # a notebook applies the carriage return itself; backspaces would pile up in the saved file
                prefix = "\r" if self._mode == "notebook" else ""
            self.stream.write(prefix + line + pad + ("\n" if finalize else ""))
            self.stream.flush()
        elif self.verbose == 2 and finalize:
            digits = int(np.log10(self.target)) + 1 if self.target else 1
            count = f"{current:{digits}d}/{self.target}" if self.target else f"{current}"
            elapsed = now - self._start
            steps = max(current, 1)
            line = (f"{count} - {elapsed:.0f}s" + self._metrics_text(signed=True) + " -"
                    + format_time(elapsed, "epoch") + " -" + format_time(elapsed / steps, self.unit_name))
            self.stream.write(line + "\n")
            self.stream.flush()

    def _metrics_text(self, signed: bool = False) -> str:
        # formatted only when a line is written: most steps write nothing
        return "".join(f" - {k}:{format_value(v, signed)}" for k, v in self._values.items())

    def add(self, n, values=None):
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)
