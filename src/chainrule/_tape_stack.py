"""The stack of active GradientTapes, per thread.

It sits below ``tensor.py`` so that running an op can record itself on the
active tapes without the tensor layer importing the tape layer above it.
"""
import threading

_local = threading.local()


def active_tapes() -> list:
    """The tapes recording in this thread, innermost last (a live list)."""
    tapes = getattr(_local, "tapes", None)
    if tapes is None:
        tapes = _local.tapes = []
    return tapes
