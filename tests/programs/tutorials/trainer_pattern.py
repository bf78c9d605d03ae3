"""The Keras example "Trainer pattern" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/keras_recipes/trainer_pattern.py (nkovela1, last modified 2022/09/26;
the tf.keras 2 version, commit 3aca0563, whose ``train_step`` calls ``compiled_loss``/``compiled_metrics``).
The code is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``, the first 3000 training and 500 test images (the example: 60000 and
  10000);
* each trainer is built by one call and its model started from ``seeded_weights`` (numpy-drawn); before
  training the program prints the trainer's predictions for two test images and its test loss and accuracy
  (Dropout is off outside training, so these are compared);
* ``fit`` runs 2 epochs instead of 5, with ``verbose=0`` (no progress bar); the models keep the example's
  Dropout layers, whose masks come from each framework's own random numbers, so the histories print as
  ``[varies]`` and the last validation accuracy is checked to be above 0.5 (SGD reaches about 0.65, Adam 0.89).

Run with chainrule: ``CHAINRULE_DATA=... python trainer_pattern.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()

# Load MNIST dataset and standardize the data
(x_train, y_train), (x_test, y_test) = load_mnist(3000, 500)  # adapted: local MNIST, fewer images
x_train, x_test = x_train / 255.0, x_test / 255.0


# %% Define the custom training step
class MyTrainer(keras.Model):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=True)  # Forward pass
            # Compute loss value
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)

        # Compute gradients
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)

        # Update weights
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))

        # Update metrics configured in `compile()`
        self.compiled_metrics.update_state(y, y_pred)

        # Return a dict mapping metric names to current value.
        return {m.name: m.result() for m in self.metrics}

    def call(self, x):
        # Equivalent to `call()` of the wrapped keras.Model
        x = self.model(x)
        return x


# %% Define multiple models to share the custom training step
# A model defined using Sequential API
model_a = keras.models.Sequential(
    [
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ]
)

# A model defined using Functional API
func_input = keras.Input(shape=(28, 28, 1))
x = keras.layers.Flatten(input_shape=(28, 28))(func_input)
x = keras.layers.Dense(512, activation="relu")(x)
x = keras.layers.Dropout(0.4)(x)
func_output = keras.layers.Dense(10, activation="softmax")(x)

model_b = keras.Model(func_input, func_output)

# %% Create Trainer class objects from the models
trainer_1 = MyTrainer(model_a)
trainer_2 = MyTrainer(model_b)


def report(trainer, history):
    """adapted: what the progress bars show, printed (the training itself varies with Dropout's masks)."""
    print(sorted(history.history))
    print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
    print("val_accuracy above 0.5:", history.history["val_accuracy"][-1] > 0.5)


# %% Compile and fit the models to the MNIST dataset
trainer_1.compile(
    keras.optimizers.SGD(), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
trainer_1(x_test[:2])  # adapted: built by one call, then the same start in both frameworks, checked
seeded_weights(trainer_1)
print(len(trainer_1.trainable_variables), np.round(trainer_1.predict(x_test[:2], verbose=0), 4))
print(np.round(trainer_1.evaluate(x_test, y_test, verbose=0), 4), trainer_1.metrics_names)
history = trainer_1.fit(
    x_train, y_train, epochs=2, batch_size=64, validation_data=(x_test, y_test), verbose=0
)  # adapted: 2 epochs, quiet
report(trainer_1, history)

trainer_2.compile(
    keras.optimizers.Adam(),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
trainer_2(x_test[:2])  # adapted: as above
seeded_weights(trainer_2, seed=1)
print(len(trainer_2.trainable_variables), np.round(trainer_2.predict(x_test[:2], verbose=0), 4))
print(np.round(trainer_2.evaluate(x_test, y_test, verbose=0), 4), trainer_2.metrics_names)
history = trainer_2.fit(
    x_train, y_train, epochs=2, batch_size=64, validation_data=(x_test, y_test), verbose=0
)  # adapted: as above
report(trainer_2, history)
