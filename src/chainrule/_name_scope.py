"""The current name scope (per thread), below ``tensor.py`` so that a new Variable can prefix its name.

``chainrule.name_scope("outer")`` sets it to ``"outer/"``; a Variable named
``"w"`` created inside is named ``"outer/w:0"``, as in TensorFlow 2.
"""
import threading

_local = threading.local()


def current() -> str:
    """The current scope with its trailing slash (``"outer/inner/"``), or ``""`` at the root."""
    return getattr(_local, "scope", "")


def set_current(scope: str) -> None:
    _local.scope = scope


def scoped(name: str) -> str:
    """``name`` under the current scope: ``"outer/" + name``."""
    return current() + name
