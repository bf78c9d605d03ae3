"""The one table from a layer class to its ONNX converter (see :mod:`chainrule.onnx` for the contract)."""
from __future__ import annotations

from typing import Callable

Converter = Callable[..., list]

_CONVERTERS: dict[type, Converter] = {}


def register_converter(*layer_classes: type) -> Callable[[Converter], Converter]:
    """Decorator registering a converter for one or more layer classes.

    Args:
        *layer_classes: the layer classes the decorated function converts (subclasses without a
            converter of their own use it too).

    Returns:
        The decorator, which returns the function unchanged.

    Raises:
        TypeError: no class was given, or an argument is not a class.
    """
    if not layer_classes or not all(isinstance(c, type) for c in layer_classes):
        raise TypeError(f"register_converter takes one or more layer classes, got {layer_classes!r}.")

    def decorate(fn: Converter) -> Converter:
        for cls in layer_classes:
            _CONVERTERS[cls] = fn
        return fn

    return decorate


def converter_for(layer_class: type) -> Converter | None:
    """The converter registered for ``layer_class`` or its closest base class, or ``None``.

    Args:
        layer_class: a layer class.

    Returns:
        The converter function, or ``None`` when neither the class nor a base has one.
    """
    for klass in layer_class.__mro__:
        if klass in _CONVERTERS:
            return _CONVERTERS[klass]
    return None


def registered_layers() -> list[str]:
    """Names of the layer classes with a converter, sorted.

    Returns:
        The class names.
    """
    return sorted(cls.__name__ for cls in _CONVERTERS)
