"""``keras.layers``: every built-in layer with tf.keras's names and defaults."""
from .base import KerasTensor, Layer, Node  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape  # noqa: F401
from .normalization import BatchNormalization  # noqa: F401
from .activation import ELU, LeakyReLU, ReLU, Softmax  # noqa: F401
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                      average, concatenate, multiply, subtract)
from .preprocessing import Rescaling  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401
from .tf_op_layer import SlicingOpLambda, TFOpLambda  # noqa: F401
from .graph_losses import AddLoss, AddMetric  # noqa: F401
from .preprocessing_base import PreprocessingLayer  # noqa: F401
from .numeric_preprocessing import Discretization, Normalization  # noqa: F401
from .lambda_layer import Lambda  # noqa: F401
from . import experimental  # noqa: F401
