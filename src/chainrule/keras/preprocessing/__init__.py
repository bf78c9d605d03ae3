"""``keras.preprocessing``: tf.keras 2's text and sequence helpers (``text.Tokenizer``, ``sequence.pad_sequences``)."""
from . import sequence, text  # noqa: F401
from ..utils.text_dataset import text_dataset_from_directory  # noqa: F401  (tf.keras 2.x's older path)
from ..utils.timeseries_dataset import timeseries_dataset_from_array  # noqa: F401  (tf.keras 2.x's older path)
