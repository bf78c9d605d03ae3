"""The registry of user classes that configs may name (``register_keras_serializable``)."""
from __future__ import annotations

_REGISTRY: dict = {}


def register_keras_serializable(package="Custom", name=None):
    """Class decorator: make a custom layer/model loadable by name ``package>Name`` (and plain ``Name``)."""
    def decorator(cls):
        key = f"{package}>{name or cls.__name__}"
        _REGISTRY[key] = cls
        _REGISTRY.setdefault(name or cls.__name__, cls)
        cls._registered_name = key
        return cls
    return decorator


def registered_objects() -> dict:
    return dict(_REGISTRY)


def registered_name(cls) -> str:
    return cls.__dict__.get("_registered_name", cls.__name__)
