"""``keras.models``: Model, Sequential, and loading/saving helpers."""
from ..._missing import missing_attribute as _missing_attribute
from .model import Model  # noqa: F401
from .sequential import Sequential  # noqa: F401

# The saving package is a floor above the models (it writes and reads them): these façades import it when called.


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model saved by ``model.save`` (``.keras`` or ``.h5``); never runs code from the file unless
    ``safe_mode=False`` (a ``Lambda`` layer's bytecode).

    Args:
        filepath: the ``.keras`` or ``.h5`` file.
        custom_objects: ``{name: class or function}`` for your own layers, losses ...
        compile: also restore the compile state (optimizer, loss, metrics) when the file has it.
        safe_mode: ``True`` (default) refuses a ``Lambda`` layer's stored bytecode; ``False`` runs it (only
            for files you trust).

    Returns:
        The model.

    Raises:
        ValueError: a file that is not a model file, a config naming an unknown class, or a ``Lambda``'s
            bytecode under ``safe_mode=True``.
        OSError: the file cannot be read.
    """
    from ..saving import load_model as _load  # façade: saving is a higher floor
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, save_format=None, include_optimizer=True, **kwargs):
    """Same as ``model.save(filepath)``.

    Args:
        model: the model.
        filepath: ``.keras`` (Keras 3 zip) or ``.h5`` (tf.keras 2 HDF5).
        overwrite: replace an existing file.
        save_format: ``'keras'`` or ``'h5'`` (default from the extension).
        include_optimizer: also save the optimizer's state.
        **kwargs: accepted for compatibility.
    """
    from ..saving import save_model as _save  # façade: saving is a higher floor
    _save(model, filepath, overwrite=overwrite, save_format=save_format, include_optimizer=include_optimizer)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """Rebuild an (uncompiled, freshly initialized) model from ``model.to_json()``.

    Args:
        json_string: the output of ``model.to_json()``.
        custom_objects: ``{name: class or function}`` for your own layers.
        safe_mode: as for :func:`load_model`.

    Returns:
        A new model (fresh weights, not compiled).
    """
    from ..saving import model_from_json as _from_json  # façade: saving is a higher floor
    return _from_json(json_string, custom_objects=custom_objects, safe_mode=safe_mode)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and fresh weights.

    Args:
        model: the model to copy.
        input_tensors: accepted for compatibility.
        clone_function: accepted for compatibility.

    Returns:
        A new model with the same architecture and fresh weights.
    """
    # The JSON never leaves this process, so a Lambda's bytecode is this program's own code.
    return model_from_json(model.to_json(), safe_mode=False)


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
