"""``chainrule.autograph``: TensorFlow's AutoGraph entry points, for programs that call them.

chainrule does not convert Python to graphs: ``chainrule.function`` traces the
Python function as written, and Python control flow on tensor values runs as
Python (such a signature runs eagerly; see :mod:`chainrule.function`). So
``to_code`` returns the function's own source, ``to_graph`` returns the
function itself, and ``experimental.do_not_convert`` is the identity.
"""
from __future__ import annotations

from ._missing import missing_attribute as _missing_attribute
import inspect
import textwrap
import types


def to_code(entity, recursive=True, experimental_optional_features=None) -> str:
    """The source code chainrule runs for ``entity``: its own Python source (nothing is converted).

    Raises ``ValueError`` when the source is not available (a built-in or a lambda typed at a prompt).
    """
    entity = getattr(entity, "python_function", entity)
    try:
        return textwrap.dedent(inspect.getsource(entity))
    except (OSError, TypeError) as e:
        raise ValueError(f"autograph.to_code: the source of {entity!r} is not available ({e}).") from None


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """``entity`` unchanged: chainrule runs (and traces) Python as written."""
    return getattr(entity, "python_function", entity)


def set_verbosity(level, alsologtostdout=False) -> None:
    """Accepted for compatibility: there is no conversion to log."""


def trace(*args) -> None:
    """Print the arguments (AutoGraph's trace prints while converting; chainrule prints at once)."""
    print(*args)


def _do_not_convert(func=None):
    """Decorator: ``func`` unchanged (chainrule never converts functions)."""
    if func is None:
        return lambda f: f
    return func


class _Feature:
    """AutoGraph's optional features (accepted, ignored)."""

    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


def _set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                      shape_invariants=None) -> None:
    """Accepted for compatibility: loops run as Python loops."""


experimental = types.SimpleNamespace(do_not_convert=_do_not_convert, Feature=_Feature,
                                     set_loop_options=_set_loop_options)

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
