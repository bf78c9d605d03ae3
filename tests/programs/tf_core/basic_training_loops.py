"""The TensorFlow guide "Basic training loops", adapted for chainrule.

Source: tensorflow/docs, site/en/guide/basic_training_loops.ipynb (TF 2.21 docs). The code cells are here in
order. Adaptations: the noise comes from a seeded numpy generator instead of ``tf.random.normal`` (so both
frameworks fit the same data and print the same losses); the matplotlib plots are skipped; the last
``fit`` runs with ``verbose=0`` and ``shuffle=False`` and prints its losses and the trained variables.

Run with chainrule: ``python basic_training_loops.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow python basic_training_loops.py`` (see ``make_expected.py``).
"""
import os

import numpy as np

if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
    import tensorflow as tf
else:
    import chainrule as tf

# %% Data
# The actual line
TRUE_W = 3.0
TRUE_B = 2.0

NUM_EXAMPLES = 201

# A vector of random x values
x = tf.linspace(-2, 2, NUM_EXAMPLES)
x = tf.cast(x, tf.float32)

def f(x):
  return x * TRUE_W + TRUE_B

# Generate some noise
noise = tf.constant(np.random.RandomState(0).standard_normal(NUM_EXAMPLES).astype(np.float32))  # adapted

# Calculate y
y = f(x) + noise

# (skipped: plt.plot(x, y, '.'); plt.show())


# %% Define the model
class MyModel(tf.Module):
  def __init__(self, **kwargs):
    super().__init__(**kwargs)
    # Initialize the weights to `5.0` and the bias to `0.0`
    # In practice, these should be randomly initialized
    self.w = tf.Variable(5.0)
    self.b = tf.Variable(0.0)

  def __call__(self, x):
    return self.w * x + self.b

model = MyModel()

# List the variables tf.modules's built-in variable aggregation.
print("Variables:", model.variables)

# Verify the model works
assert model(3.0).numpy() == 15.0


# %% Define a loss function
# This computes a single loss value for an entire batch
def loss(target_y, predicted_y):
  return tf.reduce_mean(tf.square(target_y - predicted_y))

# (skipped: the plot of data, ground truth and predictions)
print("Current loss: %1.6f" % loss(y, model(x)).numpy())


# %% Define a training loop
# Given a callable model, inputs, outputs, and a learning rate...
def train(model, x, y, learning_rate):

  with tf.GradientTape() as t:
    # Trainable variables are automatically tracked by GradientTape
    current_loss = loss(y, model(x))

  # Use GradientTape to calculate the gradients with respect to W and b
  dw, db = t.gradient(current_loss, [model.w, model.b])

  # Subtract the gradient scaled by the learning rate
  model.w.assign_sub(learning_rate * dw)
  model.b.assign_sub(learning_rate * db)

model = MyModel()

# Collect the history of W-values and b-values to plot later
weights = []
biases = []
epochs = range(10)

# Define a training loop
def report(model, loss):
  return f"W = {model.w.numpy():1.2f}, b = {model.b.numpy():1.2f}, loss={loss:2.5f}"


def training_loop(model, x, y):

  for epoch in epochs:
    # Update the model with the single giant batch
    train(model, x, y, learning_rate=0.1)

    # Track this before I update
    weights.append(model.w.numpy())
    biases.append(model.b.numpy())
    current_loss = loss(y, model(x))

    print(f"Epoch {epoch:2d}:")
    print("    ", report(model, current_loss))

current_loss = loss(y, model(x))

print(f"Starting:")
print("    ", report(model, current_loss))

training_loop(model, x, y)

# (skipped: the plots of the weights and of the fitted line)
print("Current loss: %1.6f" % loss(model(x), y).numpy())


# %% The same solution, but with Keras
class MyModelKeras(tf.keras.Model):
  def __init__(self, **kwargs):
    super().__init__(**kwargs)
    # Initialize the weights to `5.0` and the bias to `0.0`
    # In practice, these should be randomly initialized
    self.w = tf.Variable(5.0)
    self.b = tf.Variable(0.0)

  def call(self, x):
    return self.w * x + self.b

keras_model = MyModelKeras()

# Reuse the training loop with a Keras model
training_loop(keras_model, x, y)

# You can also save a checkpoint using Keras's built-in support
keras_model.save_weights("my_checkpoint")

keras_model = MyModelKeras()

# compile sets the training parameters
keras_model.compile(
    # By default, fit() uses tf.function().  You can
    # turn that off for debugging, but it is on now.
    run_eagerly=False,

    # Using a built-in optimizer, configuring as an object
    optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),

    # Keras comes with built-in MSE error
    # However, you could use the loss function
    # defined above
    loss=tf.keras.losses.mean_squared_error,
)

print(x.shape[0])
history = keras_model.fit(x, y, epochs=10, batch_size=1000, verbose=0, shuffle=False)  # adapted: no progress bar
print([round(v, 5) for v in history.history["loss"]])
print(keras_model.w.numpy(), keras_model.b.numpy())
