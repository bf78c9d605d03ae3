"""``keras.models``: Model, Sequential, and loading/saving helpers."""
from .model import Model  # noqa: F401
from .sequential import Sequential  # noqa: F401
