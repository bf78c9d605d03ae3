"""The public entry points: ``save_model``, ``load_model``, ``save_weights``, ``load_weights``,
``model_to_json``, ``model_from_json``. They pick the format (``.keras`` zip, tf.keras 2 ``.h5``, or,
for other names, tf.keras 2's defaults: a SavedModel-like directory / checkpoint files, see
``savedmodel``) by name when writing and by content when reading, and name the file in every error.
"""
from __future__ import annotations

from ..registry import CustomObjectScope
from ..safe_mode import SafeModeScope
import os

from . import h5_format, keras_format, savedmodel, tensor_bundle
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
            return "tf"
        raise ValueError(f"Unknown save_format {save_format!r}: use 'keras', 'h5' or 'tf'.")
    if lower.endswith(".weights.h5"):
        raise ValueError(f"Cannot {action} a whole model to {path!r}: '.weights.h5' files hold weights only. Use "
                         "model.save_weights(...) for them, or a '.keras'/'.h5' name for the whole model.")
    if lower.endswith(".keras"):
        return "keras"
    if lower.endswith((".h5", ".hdf5")):
        return "h5"
    return "tf"  # tf.keras 2's default: a SavedModel(-like) directory


def save_model(model, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
    """Save architecture, weights and compile state to ``filepath``: ``.keras`` zip, ``.h5``, or for any other name
    (or ``save_format='tf'``) a SavedModel-like directory that chainrule loads back and TensorFlow cannot
    (a warning says so once).

    ``include_optimizer=False`` leaves out the optimizer's state (slots,
    iteration count); the compile arguments are still saved. The file is
    written atomically: an existing file is replaced only once the new one
    is complete, and ``overwrite=False`` raises ``FileExistsError`` instead.
    """
    path = as_path(filepath)
    kind = _format_for(path, save_format)
    if kind == "tf":  # a directory: chainrule's SavedModel-like layout (see savedmodel.py)
        return savedmodel.save_model(model, path, overwrite, include_optimizer)
    fmt = keras_format if kind == "keras" else h5_format
    fmt.save_model(model, path, overwrite, include_optimizer)


def save_weights(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Save the weights: ``.weights.h5`` in Keras 3's tree (with the optimizer state), ``.h5`` as tf.keras 2,
    any other name (or ``save_format='tf'``) in tf.keras 2's default checkpoint format: ``<name>.index`` and
    ``<name>.data-00000-of-00001``, chainrule's content (TensorFlow cannot read them)."""
    path = as_path(filepath)
    lower = path.lower()
    fmt = None if save_format is None else str(save_format).lower()
    if fmt not in (None, "h5", "hdf5", "tf", "keras"):
        raise ValueError(f"Unknown save_format {save_format!r} for save_weights: use 'h5' or 'tf'.")
    if fmt != "tf" and lower.endswith(".weights.h5"):
        return keras_format.save_weights(model, path, overwrite)
    if fmt is None and lower.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for save_weights: {path!r} names a whole-model '.keras' file. "
                         "Use '.weights.h5' (Keras 3 layout) or '.h5' (tf.keras 2 layout) for weights, or "
                         "model.save(...) for the whole model.")
    if fmt in ("h5", "hdf5") or (fmt is None and lower.endswith((".h5", ".hdf5"))):
        return h5_format.save_weights(model, path, overwrite)
    return savedmodel.save_weights(model, path, overwrite)


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
    if os.path.isdir(path):  # a directory saved by model.save("dir")
        with CustomObjectScope(custom_objects), SafeModeScope(safe_mode), \
                load_errors(path, "Cannot load the model from"):
            return savedmodel.load_model(path, custom_objects, compile)
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
    if tensor_bundle.exists(path) or savedmodel.is_saved_model_dir(path):  # the checkpoint format (or a directory)
        with load_errors(path, "Cannot load weights from"):
            return savedmodel.load_weights(model, path)
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
