"""``keras.layers``: every built-in layer with tf.keras's names and defaults."""
from .base import KerasTensor, Layer, Node  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape  # noqa: F401
from .normalization import BatchNormalization  # noqa: F401
from .activation import ELU, LeakyReLU, ReLU, Softmax  # noqa: F401
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,  # noqa: F401
                      average, concatenate, multiply, subtract)
from .preprocessing import Rescaling  # noqa: F401
from .serialization import deserialize, serialize  # noqa: F401
from .convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose,  # noqa: F401
                            Convolution1D, Convolution1DTranspose, Convolution2D, Convolution2DTranspose,
                            Convolution3D, Convolution3DTranspose, DepthwiseConv1D, DepthwiseConv2D,
                            SeparableConv1D, SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D,  # noqa: F401
                      AvgPool3D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool2D, GlobalAvgPool3D,
                      GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D,
                      MaxPool2D, MaxPool3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D,  # noqa: F401
                        UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from .regularization import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D  # noqa: F401
from .image_preprocessing import (CenterCrop, RandomContrast, RandomCrop, RandomFlip,  # noqa: F401
                                  RandomRotation, RandomTranslation, RandomZoom, Resizing)
