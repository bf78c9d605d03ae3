"""``keras.preprocessing``: tf.keras 2's text and sequence helpers (``text.Tokenizer``, ``sequence.pad_sequences``)."""
from . import sequence, text  # noqa: F401
