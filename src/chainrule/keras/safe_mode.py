"""Safe mode for loading: whether a file may bring Python code (a ``Lambda`` layer's bytecode) into the process.

On by default: ``load_model``/``model_from_json`` refuse such code with an error that says how to opt in.
``load_model(path, safe_mode=False)`` opts in for one load (a ``SafeModeScope``), and
``enable_unsafe_deserialization()`` for the whole process, as Keras 3's function of that name.
"""
from __future__ import annotations

import threading

_local = threading.local()
_unsafe_everywhere = False


def in_safe_mode() -> bool:
    """True unless :func:`enable_unsafe_deserialization` was called or the innermost :class:`SafeModeScope`
    allows code."""
    if _unsafe_everywhere:
        return False
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else True


class SafeModeScope:
    """``with SafeModeScope(False):`` allows Python code from a file inside the block (``None`` keeps the mode)."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
        stack.append(in_safe_mode() if self.safe_mode is None else bool(self.safe_mode))
        return self

    def __exit__(self, *exc):
        _local.stack.pop()
        return False


def enable_unsafe_deserialization() -> None:
    """Allow every later load in this process to run Python code stored in files (Lambda bytecode)."""
    global _unsafe_everywhere
    _unsafe_everywhere = True
