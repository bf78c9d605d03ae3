"""``keras.layers.experimental``: tf.keras 2.x's older paths to the same layers (``experimental.preprocessing.X``)."""
from . import preprocessing  # noqa: F401
from ..einsum_dense import EinsumDense  # noqa: F401
