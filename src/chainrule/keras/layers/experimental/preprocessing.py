"""``keras.layers.experimental.preprocessing``: the tf.keras 2.x path of the preprocessing layers.

Every name tf.keras 2.21 lists here that ``chainrule.keras.layers`` provides is the same class
(``experimental.preprocessing.Normalization is layers.Normalization``), looked up when asked for, so
layers added to ``keras.layers`` later appear here too; the others raise ``AttributeError``.
"""
import sys

# tf.keras 2.21's names in keras.layers.experimental.preprocessing.
TF_NAMES = ("CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup",
            "Normalization", "PreprocessingLayer", "RandomContrast", "RandomCrop", "RandomFlip", "RandomHeight",
            "RandomRotation", "RandomTranslation", "RandomWidth", "RandomZoom", "Rescaling", "Resizing",
            "StringLookup", "TextVectorization")


def _layers():
    return sys.modules["chainrule.keras.layers"]  # the package that imports this module


def __getattr__(name):
    if name in TF_NAMES and hasattr(_layers(), name):
        return getattr(_layers(), name)
    raise AttributeError(f"module 'keras.layers.experimental.preprocessing' has no attribute {name!r}"
                         + (" (chainrule does not provide this layer yet)" if name in TF_NAMES else ""))


def __dir__():
    return [name for name in TF_NAMES if hasattr(_layers(), name)]
