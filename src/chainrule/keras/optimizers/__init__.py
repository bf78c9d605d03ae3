"""``chainrule.keras.optimizers``: Keras optimizers with tf.keras names/defaults and Keras 3 update rules.

:class:`Optimizer` (``base.py``) does what every optimizer shares (gradient filtering and
casting, clipping, weight decay, EMA, state for saving); each optimizer is one module with
its slots and its textbook ``update_step`` (``opt.apply_gradients(zip(grads, variables))``).
Learning-rate schedules are in ``schedules``.
"""
from ..._missing import missing_attribute as _missing_attribute
from . import schedules  # noqa: F401
from .. import registry
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base import Optimizer
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "Adamax", "AdamW", "Nadam", "schedules",
           "get", "serialize", "deserialize"]


def serialize(optimizer) -> dict:
    """``{'class_name': 'Adam', 'config': optimizer.get_config()}``.

    Args:
        optimizer: an Optimizer.

    Returns:
        ``{'class_name': ..., 'config': ...}``.

    Raises:
        ValueError: ``optimizer`` is not an Optimizer.
    """
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"serialize expects an Optimizer, got {type(optimizer).__name__}.")
    return registry.serialize(optimizer, "optimizer")


def deserialize(config, custom_objects=None, use_legacy_optimizer=False):
    """Rebuild an optimizer from :func:`serialize`'s output (class names are matched case-insensitively).

    ``use_legacy_optimizer`` is accepted for signature compatibility with tf.keras 2 only.

    Args:
        config: the ``{'class_name', 'config'}`` dict (or a name).
        custom_objects: ``{name: class}`` for your own optimizers.
        use_legacy_optimizer: accepted and ignored.

    Returns:
        A new Optimizer.

    Raises:
        ValueError: an unknown class name.
    """
    return registry.deserialize("optimizers", config, custom_objects)


def get(identifier):
    """An optimizer from a name (``'adam'``, case-insensitive, Keras defaults), a config dict or an instance.

    ``None`` gives ``None``; an unknown name raises ``ValueError`` listing the valid names and the
    closest match.

    Args:
        identifier: a name, a config dict, an Optimizer or None.

    Returns:
        The optimizer (None for None).

    Raises:
        ValueError: an unknown name, listing the valid ones and the closest.
    """
    return registry.get("optimizers", identifier, accepts=lambda obj: isinstance(obj, Optimizer),
                        expected="a name such as 'adam', an Optimizer instance or a config dict")

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
