"""Dispatch of chainrule's public functions on symbolic values (the functional API's Keras tensors).

``chainrule.reduce_sum(x)`` where ``x`` comes from ``keras.Input`` cannot compute anything: there
is no value yet. As TensorFlow does (its ``add_dispatch_support``), each public function is wrapped
so that, when it fails on such an argument, a registered handler takes the call instead; Keras's
handler records the call as a layer of the functional graph (``TFOpLambda``). The normal path pays
only a type test of the first argument and a ``try``: the other arguments are inspected only after
a failure.

This module sits below ``tensor.py`` and imports nothing from chainrule; the Keras layer above
registers its symbolic type with :func:`register_symbolic_type`.
"""
from __future__ import annotations

import functools
import inspect

_symbolic_types: tuple = ()
_symbolic_type_set: frozenset = frozenset()
_handler = None


def register_symbolic_type(cls, handler) -> None:
    """Make ``handler(function, args, kwargs, api_name=None)`` run calls of wrapped functions that receive
    a ``cls``."""
    global _symbolic_types, _symbolic_type_set, _handler
    if cls not in _symbolic_types:
        _symbolic_types = _symbolic_types + (cls,)
        _symbolic_type_set = frozenset(_symbolic_types)
    _handler = handler


def is_symbolic(value) -> bool:
    """True for a registered symbolic value (a Keras tensor of the functional API)."""
    return bool(_symbolic_types) and isinstance(value, _symbolic_types)


def contains_symbolic(args, kwargs=None) -> bool:
    """Whether a symbolic value is among ``args``/``kwargs`` or inside their lists, tuples and dicts."""
    if not _symbolic_types:
        return False
    stack = [args, list((kwargs or {}).values())]
    while stack:
        item = stack.pop()
        if isinstance(item, _symbolic_types):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


def dispatch_symbolic(function):
    """``function`` wrapped so that a call on symbolic values goes to the registered handler.

    A symbolic first argument goes to the handler at once. Otherwise the function runs; only if it
    raises (TypeError, ValueError, AttributeError, which is what converting a symbolic value gives)
    and a symbolic value is among the arguments (``concat([a, b])``, ``1 - x``) does the handler
    take over. The wrapper keeps ``function``'s name, docstring and signature.
    """
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if args and type(args[0]) in _symbolic_type_set:  # the usual case, decided before a composite
            return _handler(wrapper, args, kwargs)        # function (reduce_std) dispatches its inner calls
        try:
            return function(*args, **kwargs)
        except (TypeError, ValueError, AttributeError):
            if _handler is not None and contains_symbolic(args, kwargs):
                return _handler(wrapper, args, kwargs)
            raise
    wrapper._dispatches_symbolic = True
    return wrapper


def symbolic_call(function, args, kwargs=None, api_name=None):
    """Hand ``function(*args, **kwargs)`` to the handler directly (a Keras tensor's ``+`` or ``[]``).

    ``api_name`` is TensorFlow's name for the call (``'__operators__.add'``), when the function's own
    name would not say it.
    """
    if _handler is None:
        raise TypeError(f"{function.__name__}: symbolic arguments need chainrule.keras to be imported.")
    return _handler(function, args, kwargs or {}, api_name=api_name)


def add_dispatch_support(namespace: dict) -> None:
    """Wrap, in place, every public function defined in the module whose ``globals()`` is ``namespace``.

    Called once at the end of each module of TensorFlow-named functions (``functions``, ``math``,
    ``nn``, ``linalg``), so every name they export, and every later import of it, is the wrapped one.
    Aliases (``mod = floormod``) stay one function.
    """
    module = namespace.get("__name__")
    wrapped = {}
    for name, value in list(namespace.items()):
        if (not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module
                and not getattr(value, "_dispatches_symbolic", False)):
            if id(value) not in wrapped:
                wrapped[id(value)] = dispatch_symbolic(value)
            namespace[name] = wrapped[id(value)]
