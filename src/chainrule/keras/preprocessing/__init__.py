"""``keras.preprocessing``: tf.keras 2's text, sequence and image helpers (``text.Tokenizer``,
``sequence.pad_sequences``, ``image.array_to_img``) and the older paths of the dataset builders."""
from . import image, sequence, text  # noqa: F401
from ..utils.image_dataset import image_dataset_from_directory  # noqa: F401  (tf.keras 2.x's older path)
from ..utils.text_dataset import text_dataset_from_directory  # noqa: F401  (tf.keras 2.x's older path)
from ..utils.timeseries_dataset import timeseries_dataset_from_array  # noqa: F401  (tf.keras 2.x's older path)
