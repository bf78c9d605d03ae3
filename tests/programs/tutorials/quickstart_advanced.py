"""The TensorFlow tutorial "TensorFlow 2 quickstart for experts" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/quickstart/advanced.ipynb (TF 2.21 docs). The code cells are here in
order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``tf.keras.datasets.mnist.load_data()``, the first 1000 training and 500 test images (the tutorial: 60000 and
  10000);
* the training pipeline is not shuffled (``.shuffle(10000)`` dropped: each framework shuffles with its own
  random numbers), and the model, built on one batch, starts from ``seeded_weights``, so both frameworks take
  the same Adam steps from the same start; its logits for two test images are printed before training;
* 3 epochs instead of 5; the model has no dropout, so the per-epoch losses and accuracies the tutorial prints
  (2 decimals) are compared, and the last epoch's metrics are printed again to 4 decimals;
* the TensorFlow version prints as ``[varies]``.

Run with chainrule: ``CHAINRULE_DATA=... python quickstart_advanced.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()

# %%
print("[varies] TensorFlow version:", tf.__version__)  # adapted: [varies]

Dense, Flatten, Conv2D = keras.layers.Dense, keras.layers.Flatten, keras.layers.Conv2D
Model = keras.Model

# %%
(x_train, y_train), (x_test, y_test) = load_mnist(1000, 500)  # adapted: local MNIST, fewer images
x_train, x_test = x_train / 255.0, x_test / 255.0

# Add a channels dimension
x_train = x_train[..., tf.newaxis].astype("float32")
x_test = x_test[..., tf.newaxis].astype("float32")
print(x_train.shape, x_train.dtype, x_test.shape)

# %%
train_ds = tf.data.Dataset.from_tensor_slices(
    (x_train, y_train)).batch(32)  # adapted: not shuffled

test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)
print(train_ds.element_spec)


# %%
class MyModel(Model):
  def __init__(self):
    super().__init__()
    self.conv1 = Conv2D(32, 3, activation='relu')
    self.flatten = Flatten()
    self.d1 = Dense(128, activation='relu')
    self.d2 = Dense(10)

  def call(self, x):
    x = self.conv1(x)
    x = self.flatten(x)
    x = self.d1(x)
    return self.d2(x)


# Create an instance of the model
model = MyModel()
model(x_train[:1])  # adapted: built on one image, then the same start in both frameworks
seeded_weights(model)
print(np.round(model(x_test[:2]).numpy(), 4))

# %%
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

optimizer = tf.keras.optimizers.Adam()

# %%
train_loss = tf.keras.metrics.Mean(name='train_loss')
train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')

test_loss = tf.keras.metrics.Mean(name='test_loss')
test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='test_accuracy')


# %%
@tf.function
def train_step(images, labels):
  with tf.GradientTape() as tape:
    # training=True is only needed if there are layers with different
    # behavior during training versus inference (e.g. Dropout).
    predictions = model(images, training=True)
    loss = loss_object(labels, predictions)
  gradients = tape.gradient(loss, model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, model.trainable_variables))

  train_loss(loss)
  train_accuracy(labels, predictions)


# %%
@tf.function
def test_step(images, labels):
  # training=False is only needed if there are layers with different
  # behavior during training versus inference (e.g. Dropout).
  predictions = model(images, training=False)
  t_loss = loss_object(labels, predictions)

  test_loss(t_loss)
  test_accuracy(labels, predictions)


# %%
EPOCHS = 3  # adapted: 3 epochs, not 5

for epoch in range(EPOCHS):
  # Reset the metrics at the start of the next epoch
  train_loss.reset_state()
  train_accuracy.reset_state()
  test_loss.reset_state()
  test_accuracy.reset_state()

  for images, labels in train_ds:
    train_step(images, labels)

  for test_images, test_labels in test_ds:
    test_step(test_images, test_labels)

  print(
    f'Epoch {epoch + 1}, '
    f'Loss: {train_loss.result():0.2f}, '
    f'Accuracy: {train_accuracy.result() * 100:0.2f}, '
    f'Test Loss: {test_loss.result():0.2f}, '
    f'Test Accuracy: {test_accuracy.result() * 100:0.2f}'
  )

# adapted: the last epoch's metrics to 4 decimals, and the steps taken
print({m.name: round(float(m.result()), 4) for m in (train_loss, train_accuracy, test_loss, test_accuracy)})
print(int(optimizer.iterations.numpy()))
