"""``keras.layers.experimental.preprocessing``: the tf.keras 2.x path of the preprocessing layers.

Every name tf.keras 2.21 lists here that ``chainrule.keras.layers`` provides is the same class
(``experimental.preprocessing.Normalization is layers.Normalization``), looked up when asked for, so
layers added to ``keras.layers`` later appear here too; the others raise ``AttributeError``.
"""
import sys

from ...._missing import missing_attribute as _missing_attribute

# tf.keras 2.21's names in keras.layers.experimental.preprocessing.
TF_NAMES = ("CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup",
            "Normalization", "PreprocessingLayer", "RandomContrast", "RandomCrop", "RandomFlip", "RandomHeight",
            "RandomRotation", "RandomTranslation", "RandomWidth", "RandomZoom", "Rescaling", "Resizing",
            "StringLookup", "TextVectorization")


def _layers():
    return sys.modules["chainrule.keras.layers"]  # the package that imports this module


_missing = _missing_attribute(__name__)


def __getattr__(name):
    if name in TF_NAMES and hasattr(_layers(), name):
        return getattr(_layers(), name)
    return _missing(name)  # a TensorFlow/Keras name not provided says so


def __dir__():
    return [name for name in TF_NAMES if hasattr(_layers(), name)]
