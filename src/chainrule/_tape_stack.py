"""Per-thread recording state: the active GradientTapes and the active function tracer.

It sits below ``tensor.py`` so that running an op can record itself without
the tensor layer importing the tape or function layers above it.
"""
from __future__ import annotations

from typing import Any
import threading

_local = threading.local()


def active_tapes() -> list:
    """The tapes recording in this thread, innermost last (a live list)."""
    tapes = getattr(_local, "tapes", None)
    if tapes is None:
        tapes = _local.tapes = []
    return tapes


def active_tracer() -> Any:
    """The ``chainrule.function`` tracer recording in this thread, or None."""
    return getattr(_local, "tracer", None)


def set_tracer(tracer: Any) -> None:
    _local.tracer = tracer


def note_side_effect(what: str) -> None:
    """Tell an active function trace that Python code did something a replay would not repeat."""
    tracer = getattr(_local, "tracer", None)
    if tracer is not None:
        tracer.invalidate(what)


def note_value_read(tensor: Any) -> None:
    """Tell an active trace that Python read a tensor's value (its result may steer Python code)."""
    tracer = getattr(_local, "tracer", None)
    if tracer is not None:
        tracer.value_read(tensor)


def note_update(variable: Any, update: Any, inputs: Any) -> None:
    """Tell an active trace that ``variable`` was changed by the state-update op ``update``."""
    tracer = getattr(_local, "tracer", None)
    if tracer is not None:
        tracer.record_update(variable, update, inputs)


class paused_tapes:
    """Context manager: no GradientTape records inside it (for bookkeeping such as metrics)."""

    __slots__ = ("_saved",)

    def __enter__(self) -> None:
        tapes = active_tapes()
        self._saved = tapes[:]
        tapes.clear()

    def __exit__(self, *exc: Any) -> Any:
        active_tapes()[:] = self._saved
        return False
