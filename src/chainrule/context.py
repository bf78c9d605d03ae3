"""Execution context with TensorFlow's names: ``executing_eagerly``, ``name_scope``, ``device``, ``init_scope``.

chainrule always executes eagerly; the one exception is the first call of a
``chainrule.function``, when the Python function runs once to be traced
(``executing_eagerly()`` is False then, as inside a ``tf.function``).
"""
from __future__ import annotations

import re

from . import _name_scope
from ._tape_stack import active_tapes, active_tracer, set_tracer


def executing_eagerly() -> bool:
    """True, except while a ``chainrule.function`` traces its Python function (False there, as in TensorFlow)."""
    return active_tracer() is None


def inside_function() -> bool:
    """True while a ``chainrule.function`` traces its Python function."""
    return active_tracer() is not None


class name_scope:  # noqa: N801 - TensorFlow's name
    """A context manager that prefixes the names of Variables created inside it: ``'outer/inner/w:0'``.

    ``with chainrule.name_scope("outer") as scope:`` gives ``scope == "outer/"``. Scopes nest;
    an empty name returns to the root; a name ending in ``/`` is used as the whole scope.
    Raises ``ValueError`` for a name that is not a string.
    """

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError(f"name_scope: name for name_scope must be a string, got {name!r}.")
        self._name = name
        self._saved = []

    @property
    def name(self) -> str:
        """The name given to the constructor."""
        return self._name

    def __enter__(self) -> str:
        old = _name_scope.current()
        name = self._name
        if not name:
            scope = ""
        elif name.endswith("/"):
            scope = name
        else:
            scope = old + name + "/"
        self._saved.append(old)
        _name_scope.set_current(scope)
        return scope

    def __exit__(self, *exc):
        _name_scope.set_current(self._saved.pop())
        return False


def get_current_name_scope() -> str:
    """The current name scope without its trailing slash (``"outer/inner"``), ``""`` at the root."""
    return _name_scope.current().rstrip("/")


_DEVICE = re.compile(r"^(/?(job:[^/]+/)?(replica:\d+/)?(task:\d+/)?(device:)?)?([A-Za-z_]+)(:\d+)?$")


class device:  # noqa: N801 - TensorFlow's name
    """``with chainrule.device('GPU:0'):`` is accepted and computes on the CPU, chainrule's only device.

    TensorFlow does the same with soft device placement when no GPU is present. A
    string that is not a device name (``'CPU:0'``, ``'/device:GPU:1'``, ``'/job:localhost/...'``)
    raises ``ValueError``.
    """

    def __init__(self, device_name):
        if device_name is not None and (not isinstance(device_name, str) or
                                        (device_name and not _DEVICE.match(device_name))):
            raise ValueError(f"device: {device_name!r} is not a device name such as 'CPU:0' or '/GPU:0'.")
        self.device_name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class init_scope:  # noqa: N801 - TensorFlow's name
    """Run the block outside any function trace and with gradient tapes paused (TensorFlow's ``init_scope``).

    Inside a ``chainrule.function`` being traced, what the block does happens once, at
    trace time, and is not replayed by later calls (as TensorFlow lifts it out of the
    graph); tensors it makes are constants of the trace.
    """

    def __enter__(self):
        self._tracer = active_tracer()
        tapes = active_tapes()
        self._tapes = list(tapes)
        tapes.clear()
        set_tracer(None)
        self._scope = _name_scope.current()
        return None

    def __exit__(self, *exc):
        set_tracer(self._tracer)
        active_tapes().extend(self._tapes)
        _name_scope.set_current(self._scope)
        return False
