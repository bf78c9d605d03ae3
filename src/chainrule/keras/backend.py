"""``keras.backend``: session-level helpers (names, floatx, epsilon, random seed)."""
from .._missing import missing_attribute as _missing_attribute
from ..backend import epsilon, floatx, image_data_format, set_floatx, set_image_data_format  # noqa: F401
from .layers.base import reset_names


def clear_session() -> None:
    """Reset the automatic layer/model names (``dense``, ``dense_1`` ... start again)."""
    reset_names()

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
