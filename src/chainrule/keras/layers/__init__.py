"""``keras.layers``: every built-in layer with tf.keras's names and defaults."""
from ..._missing import missing_attribute as _missing_attribute
from .base import KerasTensor, Layer, Node  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape  # noqa: F401
from .normalization import BatchNormalization  # noqa: F401
from .activation import ELU, LeakyReLU, ReLU, Softmax  # noqa: F401
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                      average, concatenate, multiply, subtract)
from .preprocessing import Rescaling  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
