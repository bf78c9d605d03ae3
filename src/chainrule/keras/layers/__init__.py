"""``keras.layers``: every built-in layer with tf.keras's names and defaults."""
from ..._missing import missing_attribute as _missing_attribute
from .base import KerasTensor, Layer, Node  # noqa: F401
from .input_spec import InputSpec  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Identity, Input, InputLayer, Reshape  # noqa: F401
from .normalization import BatchNormalization  # noqa: F401
from .activation import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU  # noqa: F401
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                      average, concatenate, dot, maximum, minimum, multiply, subtract)
from .preprocessing import Rescaling  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401
# Sequences (issue 17): embeddings, masks, recurrent layers and their wrappers, 1-D global pooling.
from .embedding import Embedding  # noqa: F401,E402
from .masking import Masking  # noqa: F401,E402
from .repeat_vector import RepeatVector  # noqa: F401,E402
from .permute import Permute  # noqa: F401,E402
from .rnn import (GRU, LSTM, RNN, AbstractRNNCell, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,  # noqa: F401,E402
                  StackedRNNCells, TimeDistributed, Wrapper)
from .rnn import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: F401,E402
from .pooling1d import (GlobalAveragePooling1D, GlobalAvgPool1D, GlobalMaxPool1D,  # noqa: F401,E402
                        GlobalMaxPooling1D)
# Attention and normalization over features (issue 17).
from .einsum_dense import EinsumDense  # noqa: F401,E402
from .layer_normalization import LayerNormalization  # noqa: F401,E402
from .group_normalization import GroupNormalization  # noqa: F401,E402
from .unit_normalization import UnitNormalization  # noqa: F401,E402
from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: F401,E402
# Text preprocessing (issue 17); keras.layers.experimental.preprocessing is tf.keras 2.x's older path to them.
from .text import (CategoryEncoding, HashedCrossing, Hashing, IntegerLookup, StringLookup, TextVectorization)  # noqa: F401,E402
# Convolution, pooling, reshaping and image preprocessing (issue 16).
from .convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose,  # noqa: F401,E402
                            Convolution1D, Convolution1DTranspose, Convolution2D, Convolution2DTranspose,
                            Convolution3D, Convolution3DTranspose, DepthwiseConv1D, DepthwiseConv2D,
                            SeparableConv1D, SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D,  # noqa: F401,E402
                      AvgPool3D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool2D, GlobalAvgPool3D,
                      GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D,
                      MaxPool2D, MaxPool3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D,  # noqa: F401,E402
                        UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from .regularization import (ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise,  # noqa: F401,E402
                             SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
from .image_preprocessing import (CenterCrop, RandomBrightness, RandomContrast, RandomCrop, RandomFlip,  # noqa: F401,E402
                                  RandomHeight, RandomRotation, RandomTranslation, RandomWidth, RandomZoom, Resizing)
# Functional-API op layers, graph losses, numeric preprocessing and Lambda (issue 13).
from .tf_op_layer import SlicingOpLambda, TFOpLambda  # noqa: F401,E402
from .graph_losses import AddLoss, AddMetric  # noqa: F401,E402
from .preprocessing_base import PreprocessingLayer  # noqa: F401,E402
from .numeric_preprocessing import Discretization, Normalization  # noqa: F401,E402
from .lambda_layer import Lambda  # noqa: F401,E402
from . import experimental  # noqa: F401,E402

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
