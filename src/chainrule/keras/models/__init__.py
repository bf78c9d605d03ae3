"""``keras.models``: Model, Sequential, and loading/saving helpers."""
from ..._missing import missing_attribute as _missing_attribute
from .model import Model  # noqa: F401
from .sequential import Sequential  # noqa: F401

# The saving package is a floor above the models (it writes and reads them): these façades import it when called.


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model saved by ``model.save``; never runs code from the file unless ``safe_mode=False``
    (a ``Lambda`` layer's bytecode)."""
    from ..saving import load_model as _load  # façade: saving is a higher floor
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
    """Same as ``model.save(filepath)``."""
    from ..saving import save_model as _save  # façade: saving is a higher floor
    _save(model, filepath, overwrite=overwrite, save_format=save_format, include_optimizer=include_optimizer)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """Rebuild an (uncompiled, freshly initialized) model from ``model.to_json()``."""
    from ..saving import model_from_json as _from_json  # façade: saving is a higher floor
    return _from_json(json_string, custom_objects=custom_objects, safe_mode=safe_mode)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and fresh weights."""
    # The JSON never leaves this process, so a Lambda's bytecode is this program's own code.
    return model_from_json(model.to_json(), safe_mode=False)


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
