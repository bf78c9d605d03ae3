"""The Keras API: ``from chainrule import keras`` or ``from chainrule.keras.layers import Dense``."""
from . import (activations, backend, callbacks, constraints, datasets, initializers, layers, losses,  # noqa: F401
               metrics, models, optimizers, preprocessing, regularizers, saving, utils)
from .layers import Input  # noqa: F401
from .models import Model, Sequential  # noqa: F401
