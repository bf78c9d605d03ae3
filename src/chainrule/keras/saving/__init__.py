"""Saving and loading models: ``.keras`` (Keras 3 zip), legacy ``.h5`` (tf.keras 2), JSON.

One job per module: the public entry points (``api``), the ``.keras`` archive
(``keras_format``), the legacy ``.h5`` file (``h5_format``), safe HDF5 access (``hdf5``),
configs and their JSON (``serialization``), atomic file writing (``atomic``), recognizing a
file (``sniffing``) and ``BackupAndRestore``'s files (``backup``). File layouts are exactly
Keras's, so files interchange.

Safety: loading never runs code from a file. There is no pickle and no ``eval``; the
``module`` in a config is never imported (a system module such as ``builtins`` or ``os`` is
refused), classes resolve only through :mod:`chainrule.keras.registry` (built-in names,
``register_keras_serializable``, ``custom_objects``); weights are read only from numeric,
in-file HDF5 datasets. Every write is atomic: a crash leaves the previous file intact.

Example::

    model.save("model.keras")
    restored = keras.models.load_model("model.keras")
    model.save_weights("model.weights.h5"); model.load_weights("model.weights.h5")
"""
from ..._missing import missing_attribute as _missing_attribute
from ..registry import (CustomObjectScope, custom_object_scope, get_registered_name,  # noqa: F401
                        get_registered_object, register_keras_serializable)
from .api import load_model, load_weights, model_from_json, model_to_json, save_model, save_weights  # noqa: F401
from ..safe_mode import enable_unsafe_deserialization  # noqa: F401

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json", "model_from_json",
           "register_keras_serializable", "get_registered_name", "get_registered_object",
           "custom_object_scope", "CustomObjectScope", "enable_unsafe_deserialization"]

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
