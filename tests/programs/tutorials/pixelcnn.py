"""The Keras example "PixelCNN" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/generative/pixelcnn.py (ADMoreau, last modified 2020/05/23; the tf.keras 2
version, whose sampling loop draws with ``tf.math.ceil(probs - tf.random.uniform(probs.shape))``: the first
version's ``tfp.distributions.Bernoulli`` is gone from it, so TensorFlow Probability is not needed). The code is
here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``: the first 100 training and 44 test images (the example: 60000 and
  10000), so the training set has two batches (128 images and 1, 129 in all) and the validation split 15;
* the model starts from ``seeded_weights`` (numpy-drawn) and its output on two images is printed before
  training; ``fit`` runs 1 epoch instead of 50, with ``shuffle=False`` and ``verbose=0``, its history printed:
  the model has no dropout, so the training is deterministic and compared;
* tqdm (not installed) is dropped from the sampling loop, ``predict`` runs with ``verbose=0``, and only the
  first 3 pixels of the first row are sampled (the example: all 784); the first probabilities (an empty image)
  are compared, the draws are each framework's own random numbers: the sampled pixels print as ``[varies]``,
  with the facts both frameworks share (0 or 1 values, shape);
* the generated images are saved with ``keras.preprocessing.image.save_img`` as in the example; IPython's
  ``display`` is replaced by printing each file's image size and mode read back with Pillow.

Run with chainrule: ``CHAINRULE_DATA=... python pixelcnn.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers

# %% Getting the Data
# Model / data parameters
num_classes = 10
input_shape = (28, 28, 1)
n_residual_blocks = 5
# The data, split between train and test sets
(x, _), (y, _) = load_mnist(100, 44)  # adapted: local MNIST, fewer images
# Concatenate all of the images together
data = np.concatenate((x, y), axis=0)
# Round all pixel values less than 33% of the max 256 value to 0
# anything above this value gets rounded up to 1 so that all values are either
# 0 or 1
data = np.where(data < (0.33 * 256), 0, 1)
data = data.astype(np.float32)
print(data.shape, data.dtype, data.mean().round(4))


# %% Create two classes for the requisite Layers for the model
# The first layer is the PixelCNN layer. This layer simply
# builds on the 2D convolutional layer, but includes masking.
class PixelConvLayer(layers.Layer):
    def __init__(self, mask_type, **kwargs):
        super(PixelConvLayer, self).__init__()
        self.mask_type = mask_type
        self.conv = layers.Conv2D(**kwargs)

    def build(self, input_shape):
        # Build the conv2d layer to initialize kernel variables
        self.conv.build(input_shape)
        # Use the initialized kernel to create the mask
        kernel_shape = self.conv.kernel.get_shape()
        self.mask = np.zeros(shape=kernel_shape)
        self.mask[: kernel_shape[0] // 2, ...] = 1.0
        self.mask[kernel_shape[0] // 2, : kernel_shape[1] // 2, ...] = 1.0
        if self.mask_type == "B":
            self.mask[kernel_shape[0] // 2, kernel_shape[1] // 2, ...] = 1.0

    def call(self, inputs):
        self.conv.kernel.assign(self.conv.kernel * self.mask)
        return self.conv(inputs)


# Next, we build our residual block layer.
# This is just a normal residual block, but based on the PixelConvLayer.
class ResidualBlock(keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super(ResidualBlock, self).__init__(**kwargs)
        self.conv1 = keras.layers.Conv2D(
            filters=filters, kernel_size=1, activation="relu"
        )
        self.pixel_conv = PixelConvLayer(
            mask_type="B",
            filters=filters // 2,
            kernel_size=3,
            activation="relu",
            padding="same",
        )
        self.conv2 = keras.layers.Conv2D(
            filters=filters, kernel_size=1, activation="relu"
        )

    def call(self, inputs):
        x = self.conv1(inputs)
        x = self.pixel_conv(x)
        x = self.conv2(x)
        return keras.layers.add([inputs, x])


# %% Build the model based on the original paper
inputs = keras.Input(shape=input_shape)
x = PixelConvLayer(
    mask_type="A", filters=128, kernel_size=7, activation="relu", padding="same"
)(inputs)

for _ in range(n_residual_blocks):
    x = ResidualBlock(filters=128)(x)

for _ in range(2):
    x = PixelConvLayer(
        mask_type="B",
        filters=128,
        kernel_size=1,
        strides=1,
        activation="relu",
        padding="valid",
    )(x)

out = keras.layers.Conv2D(
    filters=1, kernel_size=1, strides=1, activation="sigmoid", padding="valid"
)(x)

pixel_cnn = keras.Model(inputs, out)
adam = keras.optimizers.Adam(learning_rate=0.0005)
pixel_cnn.compile(optimizer=adam, loss="binary_crossentropy")

pixel_cnn.summary()
seeded_weights(pixel_cnn)  # adapted: the same start in both frameworks, checked before training
print([int(layer.mask.sum()) for layer in pixel_cnn.layers if isinstance(layer, PixelConvLayer)])
before = pixel_cnn.predict(data[:2], verbose=0)
print(before.shape, np.round([before.mean(), before.min(), before.max(), before[1, 14, 10:16, 0].sum()], 5))
history = pixel_cnn.fit(
    x=data, y=data, batch_size=128, epochs=1, validation_split=0.1, verbose=0,
    shuffle=False,  # adapted: 1 epoch, quiet, the same batches in both frameworks
)
print({k: [round(float(v), 6) for v in vals] for k, vals in history.history.items()})
kernel = pixel_cnn.layers[1].conv.kernel.numpy()
print("masked kernel entries stay zero:", bool((kernel[3, 3:] == 0).all() and (kernel[4:] == 0).all()))

# %% Demonstration
# Create an empty array of pixels.
batch = 4
pixels = np.zeros(shape=(batch,) + (pixel_cnn.input_shape)[1:])
batch, rows, cols, channels = pixels.shape
print(pixels.shape)

# Iterate over the pixels because generation has to be done sequentially pixel by pixel.
for row in range(1):  # adapted: no tqdm, the first row only (the example: range(rows))
    for col in range(3):  # adapted: 3 pixels (the example: range(cols))
        for channel in range(channels):
            # Feed the whole array and retrieving the pixel value probabilities for the next
            # pixel.
            probs = pixel_cnn.predict(pixels, verbose=0)[:, row, col, channel]  # adapted: quiet
            if col == 0:  # adapted: the empty image's probabilities are the same in both frameworks
                print("probabilities of the first pixel:", np.round(probs, 5))
            # Use the probabilities to pick pixel values and append the values to the image
            # frame.
            pixels[:, row, col, channel] = tf.math.ceil(
                probs - tf.random.uniform(probs.shape)
            )
print("[varies] sampled:", pixels[:, 0, :3, 0].tolist())
print("sampled values are 0 or 1:", bool(np.isin(pixels, [0.0, 1.0]).all()))


def deprocess_image(x):
    # Stack the single channeled black and white image to rgb values.
    x = np.stack((x, x, x), 2)
    # Undo preprocessing
    x *= 255.0
    # Convert to uint8 and clip to the valid range [0, 255]
    x = np.clip(x, 0, 255).astype("uint8")
    return x


# Iterate over the generated images and plot them with matplotlib.
for i, pic in enumerate(pixels):
    keras.preprocessing.image.save_img(
        "generated_image_{}.png".format(i), deprocess_image(np.squeeze(pic, -1))
    )

from PIL import Image  # noqa: E402  (adapted: instead of IPython.display's Image and display)

for i in range(4):
    with Image.open("generated_image_{}.png".format(i)) as image:
        print("generated_image_{}.png".format(i), image.size, image.mode)
