"""``keras.backend``: session-level helpers (names, floatx, epsilon, random seed)."""
from ..backend import epsilon, floatx, image_data_format, set_floatx, set_image_data_format  # noqa: F401
from .layers.base import reset_names


def clear_session() -> None:
    """Reset the automatic layer/model names (``dense``, ``dense_1`` ... start again)."""
    reset_names()
