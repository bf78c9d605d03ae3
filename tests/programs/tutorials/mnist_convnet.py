"""The Keras example "Simple MNIST convnet" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/vision/mnist_convnet.py (fchollet, last modified 2020/04/21). The code
is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``, the first 6000 training and 1000 test images (the example: 60000 and
  10000);
* the model starts from ``seeded_weights`` (numpy-drawn), and before training it prints its predictions for two
  test images and its test loss and accuracy (Dropout is off outside training, so these are compared);
* ``fit`` runs 3 epochs instead of 15, with ``verbose=0`` (no progress bar);
* the model keeps the example's ``Dropout(0.5)``, whose masks come from each framework's own random numbers:
  the training results print as ``[varies]``, and the test accuracy is checked to be above 0.9.

Run with chainrule: ``CHAINRULE_DATA=... python mnist_convnet.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers

# %% Prepare the data
# Model / data parameters
num_classes = 10
input_shape = (28, 28, 1)

# Load the data and split it between train and test sets
(x_train, y_train), (x_test, y_test) = load_mnist(6000, 1000)  # adapted: local MNIST, fewer images

# Scale images to the [0, 1] range
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
# Make sure images have shape (28, 28, 1)
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")


# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

# %% Build the model
model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)

model.summary()

# %% Train the model
batch_size = 128
epochs = 3  # adapted: 15 in the example

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
seeded_weights(model)  # adapted: the same start in both frameworks, checked before training
print(np.round(model.predict(x_test[:2], verbose=0), 4))
print(np.round(model.evaluate(x_test, y_test, verbose=0), 4))

history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                    verbose=0)  # adapted: no progress bar
print(sorted(history.history))
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

# %% Evaluate the trained model
score = model.evaluate(x_test, y_test, verbose=0)
print("[varies] Test loss:", score[0])
print("[varies] Test accuracy:", score[1])
print("Test accuracy above 0.9:", score[1] > 0.9)  # adapted: the result both frameworks reach
