"""``chainrule.saved_model`` (``tf.saved_model``): save a Module or Keras model to a directory and load it back.

chainrule writes TensorFlow's directory layout (``variables/``, ``assets/``) with its own files and no
``saved_model.pb``: chainrule loads the directory back, TensorFlow cannot (a warning says so once).
What comes back: a Keras model as ``keras.models.load_model`` gives it (config, weights, optimizer);
a ``tf.Module`` with its Variables, constant Tensors, plain attributes and the named functions it holds,
and its methods (``chainrule.function`` ones traced again when called) when its class is defined in the
loading program or registered.
Details: ``chainrule.keras.saving.savedmodel``.
"""
from ..keras.layers.base import Layer as _Layer
from ..keras.models.model import Model as _Model
from ..keras.saving import savedmodel as _savedmodel
from ..module import Module as _Module


def save(obj, export_dir, signatures=None, options=None) -> None:
    """Write ``obj`` (a ``chainrule.Module``, Keras layer or model) to the directory ``export_dir``.

    ``signatures`` and ``options`` are accepted for TensorFlow's signature; chainrule saves no graphs,
    so a loaded object's functions are its class's Python methods (see the module doc).
    """
    if isinstance(obj, _Model):
        return _savedmodel.save_model(obj, export_dir)
    if isinstance(obj, (_Module, _Layer)):
        return _savedmodel.save_module(obj, export_dir)
    raise ValueError(f"chainrule.saved_model.save: expected a chainrule.Module or a Keras model, got "
                     f"{type(obj).__name__}.")


def load(export_dir, tags=None, options=None):
    """The object saved in ``export_dir`` by :func:`save` or ``model.save(dir)`` (see the module doc)."""
    info = _savedmodel.read_info(export_dir)
    if info["kind"] == "keras":
        return _savedmodel.load_model(export_dir)
    return _savedmodel.load_module(export_dir)


def contains_saved_model(export_dir) -> bool:
    """Whether ``export_dir`` holds a directory saved by chainrule."""
    return _savedmodel.is_saved_model_dir(export_dir)
