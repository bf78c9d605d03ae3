"""The Keras example "Convolutional autoencoder for image denoising" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/vision/autoencoder.py (Santiago L. Valdarrama, last modified 2021/03/01;
the version with ``Conv2DTranspose`` in the decoder). The code is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of ``mnist.load_data()``, the
  first 1000 training and 200 test images (the example: 60000 and 10000);
* numpy's global generator, which draws the noise and the displayed images, is seeded (``np.random.seed(0)``)
  so both frameworks see the same noisy images;
* ``display`` draws its 10 indices as in the example but prints them and the two images' mean pixels instead
  of plotting (matplotlib);
* the model starts from ``seeded_weights`` (numpy-drawn); both ``fit`` calls run 2 epochs instead of 50 and
  100, with ``shuffle=False`` and ``verbose=0``, and their histories are printed: the model has
  no dropout, so the training is deterministic and compared (all digits, within the test's rtol: the float32
  rounding differences of the two frameworks grow over the 16 Adam steps until the predictions after the second
  fit are 1.3e-5 apart, while the same training in float64 agrees to 1e-15); ``predict`` runs with
  ``verbose=0``.

Run with chainrule: ``CHAINRULE_DATA=... python denoising_autoencoder.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers
Model = keras.models.Model
# (skipped: import matplotlib.pyplot as plt)

np.random.seed(0)  # adapted: the same noise in both frameworks and in every run


def floats(history):
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def preprocess(array):
    """
    Normalizes the supplied array and reshapes it into the appropriate format.
    """

    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), 28, 28, 1))
    return array


def noise(array):
    """
    Adds random noise to each image in the supplied array.
    """

    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(
        loc=0.0, scale=1.0, size=array.shape
    )

    return np.clip(noisy_array, 0.0, 1.0)


def display(array1, array2):
    """
    Displays ten random images from each one of the supplied arrays.
    """

    n = 10

    indices = np.random.randint(len(array1), size=n)
    images1 = array1[indices, :]
    images2 = array2[indices, :]

    # adapted: the indices and the images' mean pixels printed instead of the 2 x 10 plot
    print(indices)
    print(images1.mean(axis=(1, 2, 3)))
    print(images2.mean(axis=(1, 2, 3)))


# %% Prepare the data
# Since we only need images from the dataset to encode and decode, we
# won't use the labels.
(train_data, _), (test_data, _) = load_mnist(1000, 200)  # adapted: local MNIST, fewer images

# Normalize and reshape the data
train_data = preprocess(train_data)
test_data = preprocess(test_data)

# Create a copy of the data with added noise
noisy_train_data = noise(train_data)
noisy_test_data = noise(test_data)

# Display the train data and a version of it with added noise
display(train_data, noisy_train_data)

# %% Build the autoencoder
input = layers.Input(shape=(28, 28, 1))

# Encoder
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)

# Decoder
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

# Autoencoder
autoencoder = Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()

seeded_weights(autoencoder)  # adapted: the same start in both frameworks, checked before training
print(np.round(autoencoder.predict(test_data[:2], verbose=0)[:, 10, 10:15, 0], 4))

# %% Train on the clean images
history = autoencoder.fit(  # adapted: the history kept and printed
    x=train_data,
    y=train_data,
    epochs=2,  # adapted: 50 in the example
    batch_size=128,
    shuffle=False,  # adapted: not shuffled, quiet
    validation_data=(test_data, test_data),
    verbose=0,
)
print(floats(history))

predictions = autoencoder.predict(test_data, verbose=0)  # adapted: verbose=0 (timings)
display(test_data, predictions)

# %% Train to denoise
history = autoencoder.fit(  # adapted: the history kept and printed
    x=noisy_train_data,
    y=train_data,
    epochs=2,  # adapted: 100 in the example
    batch_size=128,
    shuffle=False,  # adapted: not shuffled, quiet
    validation_data=(noisy_test_data, test_data),
    verbose=0,
)
print(floats(history))

predictions = autoencoder.predict(noisy_test_data, verbose=0)  # adapted: verbose=0 (timings)
display(noisy_test_data, predictions)
