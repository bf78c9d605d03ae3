"""The Keras API: ``from chainrule import keras`` or ``from chainrule.keras.layers import Dense``."""
from . import activations, backend, initializers, layers, models, regularizers, utils  # noqa: F401
from .layers import Input  # noqa: F401
from .models import Model, Sequential  # noqa: F401
