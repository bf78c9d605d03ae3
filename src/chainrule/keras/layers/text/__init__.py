"""Text preprocessing layers: ``TextVectorization``, ``StringLookup``, ``IntegerLookup``, ``CategoryEncoding``,
``Hashing``, ``HashedCrossing`` (and their ``PreprocessingLayer`` base with ``adapt``)."""
from .preprocessing_layer import PreprocessingLayer
from .category_encoding import CategoryEncoding
from .index_lookup import IntegerLookup, StringLookup
from .hashing import Hashing
from .hashed_crossing import HashedCrossing
from .text_vectorization import TextVectorization

__all__ = ["PreprocessingLayer", "CategoryEncoding", "IntegerLookup", "StringLookup", "Hashing", "HashedCrossing",
           "TextVectorization"]
