"""``keras.layers.experimental.preprocessing``: where tf.keras 2.x first put its preprocessing layers.

The same classes as ``keras.layers`` (``experimental.preprocessing.TextVectorization is
layers.TextVectorization``), so code written for TF 2.3-2.5 runs unchanged.
"""
from ..preprocessing import Rescaling  # noqa: F401
from ..text import (CategoryEncoding, Hashing, IntegerLookup, PreprocessingLayer, StringLookup,  # noqa: F401
                    TextVectorization)
from ..image_preprocessing import (CenterCrop, RandomContrast, RandomCrop, RandomFlip, RandomRotation,  # noqa: F401
                                   RandomTranslation, RandomZoom, Resizing)
