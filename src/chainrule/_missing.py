"""A missing public name explains itself: the module-level ``__getattr__`` of chainrule's public packages.

``chainrule.config.experimental.foo`` or ``chainrule.keras.layers.Conv3D``, when chainrule does not provide
the name, raise an ``AttributeError`` saying which TensorFlow/Keras name that would be, that chainrule does
not provide it yet, where the support table is, and the closest provided name when there is one. It is
still an ``AttributeError``, so ``hasattr`` answers ``False`` and ``getattr(module, name, default)`` gives
the default. Private and dunder names (``__path__``, ``_pytest...``) get Python's own short message: tools
probe for them all the time.
"""
from __future__ import annotations

import sys
from typing import Callable, NoReturn

from ._suggest import did_you_mean

SUPPORT_TABLE = "docs/support.md"


def tensorflow_name(module_name: str, name: str) -> str:
    """The TensorFlow spelling of ``module_name.name``: ``chainrule.keras.layers.X`` -> ``tf.keras.layers.X``.

    Args:
        module_name: a chainrule module's ``__name__`` (``"chainrule"`` or ``"chainrule.<...>"``).
        name: the attribute asked for.

    Returns:
        The dotted name a TensorFlow program would have written.
    """
    rest = module_name[len("chainrule"):] if module_name.startswith("chainrule") else "." + module_name
    return f"tf{rest}.{name}"


def missing_attribute(module_name: str) -> Callable[[str], NoReturn]:
    """The ``__getattr__`` for the module ``module_name``: raises the explaining ``AttributeError``.

    Python calls a module's ``__getattr__`` only for names the module does not have, so what chainrule
    provides is never affected. Use as ``__getattr__ = missing_attribute(__name__)`` at the end of a module.

    Args:
        module_name: the module's ``__name__``.

    Returns:
        A function ``__getattr__(name)`` that always raises.
    """
    def __getattr__(name: str) -> NoReturn:
        if name.startswith("_"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        module = sys.modules.get(module_name)
        provided = [n for n in vars(module) if not n.startswith("_")] if module is not None else []
        raise AttributeError(
            f"module {module_name!r} has no attribute {name!r}.{did_you_mean(name, provided)} If "
            f"{tensorflow_name(module_name, name)} is a TensorFlow/Keras name, chainrule does not provide it "
            f"yet: {SUPPORT_TABLE} lists every TensorFlow/Keras name and whether chainrule provides it.",
            name=name)

    return __getattr__
