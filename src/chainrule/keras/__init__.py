"""The Keras API: ``from chainrule import keras`` or ``from chainrule.keras.layers import Dense``."""
from .._missing import missing_attribute as _missing_attribute
from . import (activations, backend, callbacks, constraints, datasets, initializers, layers, losses,  # noqa: F401
               metrics, models, optimizers, preprocessing, regularizers, saving, utils, wrappers)
from .layers import Input  # noqa: F401
from .models import Model, Sequential  # noqa: F401
from .feature_space import FeatureSpace as _FeatureSpace

# tf.keras's keras.utils.FeatureSpace: the class is built of layers, which import keras.utils, so it lives a floor
# up (keras/feature_space.py) and is attached to keras.utils here, once everything below is imported
utils.FeatureSpace = _FeatureSpace

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
