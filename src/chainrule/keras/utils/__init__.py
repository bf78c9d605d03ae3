"""``keras.utils``: data helpers, seeding, plotting and printing utilities."""
from ..._missing import missing_attribute as _missing_attribute
import random as _random

import numpy as _np

from ... import backend as _backend
from .. import initializers as _initializers
from ..registry import (CustomObjectScope, custom_object_scope, get_registered_name,  # noqa: F401
                        get_registered_object, register_keras_serializable)
from .data_utils import get_file, validate_file  # noqa: F401
from ..data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401
from .progbar import Progbar  # noqa: F401
from .vis_utils import model_to_dot, plot_model  # noqa: F401
from .sequence import Sequence  # noqa: F401
from .sequence_utils import normalize, pad_sequences, split_dataset  # noqa: F401
from .text_dataset import text_dataset_from_directory  # noqa: F401
from .timeseries_dataset import timeseries_dataset_from_array  # noqa: F401
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401
from .image_dataset import image_dataset_from_directory  # noqa: F401


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, numpy's legacy global RNG and chainrule's Generator, so runs repeat; unseeded
    initializers take their first-call number (see ``keras.initializers``) from a ``random.Random(seed)`` of
    their own from then on, as tf.keras 2's do."""
    _random.seed(seed)
    _np.random.seed(seed)
    _backend.set_seed(seed)
    _initializers.set_seed_source(_random.Random(seed))


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer labels: shape ``y.shape + (num_classes,)`` (trailing 1 axis dropped)."""
    y = _np.array(y, dtype="int64")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.ravel()
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in [0, {num_classes}), got values from {y.min()} to "
                         f"{y.max()}.")
    out = _np.zeros((y.size, num_classes), dtype=dtype)
    out[_np.arange(y.size), y] = 1
    return out.reshape(shape + (num_classes,))

# keras.utils.FeatureSpace is built of layers, a floor above this package: chainrule.keras attaches it here
__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
