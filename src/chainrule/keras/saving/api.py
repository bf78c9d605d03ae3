"""The public entry points: ``save_model``, ``load_model``, ``save_weights``, ``load_weights``,
``model_to_json``, ``model_from_json``. They pick the format (``.keras`` zip or tf.keras 2 ``.h5``)
by name when writing and by content when reading, and name the file in every error.
"""
from __future__ import annotations

from ..registry import CustomObjectScope
from ..safe_mode import SafeModeScope
from . import h5_format, keras_format
from .atomic import as_path
from .serialization import BACKEND, KERAS_VERSION, dumps, legacy_model_config, loads, model_from_entry
from .sniffing import load_errors, sniff


def _format_for(path: str, save_format, action="save"):
    lower = path.lower()
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5"):
            return "h5"
        if fmt == "keras":
            return "keras"
        if fmt in ("tf", "savedmodel"):
            raise ValueError("save_format='tf' (a TensorFlow SavedModel directory) is not supported by chainrule. "
                             "Use a '.keras' file (recommended) or a '.h5' file.")
        raise ValueError(f"Unknown save_format {save_format!r}: use 'keras' or 'h5'.")
    if lower.endswith(".weights.h5"):
        raise ValueError(f"Cannot {action} a whole model to {path!r}: '.weights.h5' files hold weights only. Use "
                         "model.save_weights(...) for them, or a '.keras'/'.h5' name for the whole model.")
    if lower.endswith(".keras"):
        return "keras"
    if lower.endswith((".h5", ".hdf5")):
        return "h5"
    raise ValueError(f"Invalid filepath extension for saving: {path!r}. Use '.keras' (the Keras 3 zip, "
                     "recommended) or '.h5' (the tf.keras 2 HDF5 file). tf.keras 2 would write a TensorFlow "
                     "SavedModel directory for other names; chainrule does not support SavedModel.")


def save_model(model, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
    """Save architecture, weights and compile state to ``filepath`` (``.keras`` zip or ``.h5``).

    ``include_optimizer=False`` leaves out the optimizer's state (slots,
    iteration count); the compile arguments are still saved. The file is
    written atomically: an existing file is replaced only once the new one
    is complete, and ``overwrite=False`` raises ``FileExistsError`` instead.
    """
    path = as_path(filepath)
    fmt = keras_format if _format_for(path, save_format) == "keras" else h5_format
    fmt.save_model(model, path, overwrite, include_optimizer)


def save_weights(model, filepath, overwrite=True, **kwargs):
    """Save the weights: ``.weights.h5`` in Keras 3's tree (with the optimizer state), ``.h5`` as tf.keras 2."""
    path = as_path(filepath)
    lower = path.lower()
    if lower.endswith(".weights.h5"):
        return keras_format.save_weights(model, path, overwrite)
    if lower.endswith((".h5", ".hdf5")):
        return h5_format.save_weights(model, path, overwrite)
    raise ValueError(f"Invalid filepath extension for save_weights: {path!r}. Use '.weights.h5' (Keras 3 "
                     "layout) or '.h5' (tf.keras 2 layout); TensorFlow checkpoint files are not supported.")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **kwargs):  # noqa: A002
    """Load a model saved by ``model.save`` (``.keras`` or ``.h5``, by content), never running code from it.

    Restores the architecture, the weights and (with ``compile=True``) the
    compile state, including the optimizer's slots and iteration count, so
    that training continues exactly where it stopped. Custom classes and
    functions come from ``custom_objects`` or ``register_keras_serializable``.
    ``safe_mode=False`` allows the one kind of code a file can hold, a ``Lambda`` layer's bytecode:
    only for files you trust.
    """
    path = as_path(filepath)
    fmt = keras_format if sniff(path) == "zip" else h5_format
    with CustomObjectScope(custom_objects), SafeModeScope(safe_mode), load_errors(path, "Cannot load the model from"):
        return fmt.load_model(path, custom_objects, compile)


def load_weights(model, filepath, by_name=False, skip_mismatch=False, **kwargs):
    """Load weights written by ``save_weights`` (either layout) or taken from a ``.keras``/``.h5`` model file.

    Layers are matched by position (``by_name=True``: by layer name). A layer
    whose weights do not fit raises ``ValueError`` naming it and both shapes
    (``skip_mismatch=True`` skips it with a warning). Nothing is changed
    unless every matched layer fits.
    """
    path = as_path(filepath)
    fmt = keras_format if sniff(path) == "zip" else h5_format
    with load_errors(path, "Cannot load weights from"):
        fmt.load_weights(model, path, by_name, skip_mismatch)


def model_to_json(model, **kwargs) -> str:
    """The architecture as tf.keras 2's JSON: ``{"class_name", "config", "keras_version", "backend"}``."""
    entry = legacy_model_config(model, "JSON")
    entry.update(keras_version=KERAS_VERSION, backend=BACKEND)
    return dumps(entry, **kwargs)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """A new (uncompiled, freshly initialized) model from :func:`model_to_json`'s output (``safe_mode``: as
    :func:`load_model`)."""
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"model_from_json expects a JSON string, got {type(json_string).__name__}.")
    entry = loads(json_string, "The model JSON")
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError("The model JSON should be an object with 'class_name' and 'config' (from model.to_json()).")
    with CustomObjectScope(custom_objects), SafeModeScope(safe_mode):
        return model_from_entry(entry, custom_objects)
