"""``keras.layers``: every built-in layer with tf.keras's names and defaults."""
from ..._missing import missing_attribute as _missing_attribute
from .base import KerasTensor, Layer, Node  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape  # noqa: F401
from .normalization import BatchNormalization  # noqa: F401
from .activation import ELU, LeakyReLU, ReLU, Softmax  # noqa: F401
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                      average, concatenate, multiply, subtract)
from .preprocessing import Rescaling  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401
# Sequences (issue 17): embeddings, masks, recurrent layers and their wrappers, 1-D global pooling.
from .embedding import Embedding  # noqa: F401,E402
from .masking import Masking  # noqa: F401,E402
from .repeat_vector import RepeatVector  # noqa: F401,E402
from .rnn import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,  # noqa: F401,E402
                  StackedRNNCells, TimeDistributed, Wrapper)
from .pooling1d import (GlobalAveragePooling1D, GlobalAvgPool1D, GlobalMaxPool1D,  # noqa: F401,E402
                        GlobalMaxPooling1D)
# Attention and normalization over features (issue 17).
from .einsum_dense import EinsumDense  # noqa: F401,E402
from .layer_normalization import LayerNormalization  # noqa: F401,E402
from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: F401,E402
# Text preprocessing (issue 17); keras.layers.experimental.preprocessing is tf.keras 2.x's older path to them.
from .text import (CategoryEncoding, Hashing, IntegerLookup, StringLookup, TextVectorization)  # noqa: F401,E402
from . import experimental  # noqa: F401,E402

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
