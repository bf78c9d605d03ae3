"""Per-thread recording state: the active GradientTapes and the active function tracer.

It sits below ``tensor.py`` so that running an op can record itself without
the tensor layer importing the tape or function layers above it.
"""
from __future__ import annotations

from typing import Any
import threading

class _State(threading.local):
    """This thread's recording state: the active tapes (innermost last) and the active tracer."""

    def __init__(self) -> None:
        self.tapes: list = []
        self.tracer: Any = None


#: Per-thread; ``apply_op`` reads ``state.tapes`` and ``state.tracer`` directly (the functions below are the API).
state = _State()


def active_tapes() -> list:
    """The tapes recording in this thread, innermost last (a live list)."""
    return state.tapes


def active_tracer() -> Any:
    """The ``chainrule.function`` tracer recording in this thread, or None."""
    return state.tracer


def set_tracer(tracer: Any) -> None:
    state.tracer = tracer


def note_side_effect(what: str) -> None:
    """Tell an active function trace that Python code did something a replay would not repeat."""
    tracer = state.tracer
    if tracer is not None:
        tracer.invalidate(what)


def note_value_read(tensor: Any) -> None:
    """Tell an active trace that Python read a tensor's value (its result may steer Python code)."""
    tracer = state.tracer
    if tracer is not None:
        tracer.value_read(tensor)


def note_update(variable: Any, update: Any, inputs: Any) -> None:
    """Tell an active trace that ``variable`` was changed by the state-update op ``update``."""
    tracer = state.tracer
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
