"""The Keras example "Simple custom layer example: Antirectifier" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/keras_recipes/antirectifier.py (fchollet, last modified 2020/04/20; the
tf.keras 2 version, commit 2dd71c68). The code is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``, the first 3000 training and 500 test images (the example: 60000 and
  10000);
* the model starts from ``seeded_weights`` (numpy-drawn); before training it prints the keys and the
  initializer of an ``Antirectifier``'s config (the example's ``get_config``; tf_keras 2.21 adds Keras 3's
  ``module``/``registered_name`` keys to the serialized initializer, where chainrule writes tf.keras 2.11's
  form), the initializer of a layer made ``from_config``, its predictions for two test images and its test loss and accuracy
  (Dropout is off outside training, so these are compared);
* ``fit`` runs 2 epochs instead of 20, with ``verbose=0`` (no progress bar); the model keeps the example's
  ``Dropout(0.5)``, whose masks come from each framework's own random numbers, so the training history and the
  test results print as ``[varies]`` and the test accuracy is checked to be above 0.7.

Run with chainrule: ``CHAINRULE_DATA=... python antirectifier.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers


# %% The Antirectifier layer
class Antirectifier(layers.Layer):
    def __init__(self, initializer="he_normal", **kwargs):
        super(Antirectifier, self).__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        output_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(output_dim * 2, output_dim),
            initializer=self.initializer,
            name="kernel",
            trainable=True,
        )

    def call(self, inputs):
        inputs -= tf.reduce_mean(inputs, axis=-1, keepdims=True)
        pos = tf.nn.relu(inputs)
        neg = tf.nn.relu(-inputs)
        concatenated = tf.concat([pos, neg], axis=-1)
        mixed = tf.matmul(concatenated, self.kernel)
        return mixed

    def get_config(self):
        # Implement get_config to enable serialization. This is optional.
        base_config = super(Antirectifier, self).get_config()
        config = {"initializer": keras.initializers.serialize(self.initializer)}
        return dict(list(base_config.items()) + list(config.items()))


# %% Let's test-drive it on MNIST
# Training parameters
batch_size = 128
num_classes = 10
epochs = 2  # adapted: 20 in the example

# The data, split between train and test sets
(x_train, y_train), (x_test, y_test) = load_mnist(3000, 500)  # adapted: local MNIST, fewer images

x_train = x_train.reshape(-1, 784)
x_test = x_test.reshape(-1, 784)
x_train = x_train.astype("float32")
x_test = x_test.astype("float32")
x_train /= 255
x_test /= 255
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

# Build the model
model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256),
        Antirectifier(),
        layers.Dense(256),
        Antirectifier(),
        layers.Dropout(0.5),
        layers.Dense(10),
    ]
)

# Compile the model
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)

# adapted: the layer's config, and the same start in both frameworks, checked before training
config = model.layers[1].get_config()
print(sorted(config), config["initializer"]["class_name"], config["initializer"]["config"])
print(type(Antirectifier.from_config(config).initializer).__name__)
seeded_weights(model)
print(np.round(model.predict(x_test[:2], verbose=0), 4))
print(np.round(model.evaluate(x_test, y_test, verbose=0), 4))

# Train the model
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.15,
                    verbose=0)  # adapted: no progress bar
print(sorted(history.history))
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

# Test the model
score = model.evaluate(x_test, y_test, verbose=0)  # adapted: quiet, printed
print("[varies]", score)
print("Test accuracy above 0.7:", score[1] > 0.7)  # adapted: the result both frameworks reach
