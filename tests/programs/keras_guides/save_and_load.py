"""The TensorFlow tutorial "Save and load models" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/keras/save_and_load.ipynb at commit dd0a65e96 (April 2023, the last
tf.keras 2 version: checkpoint files ``cp.ckpt``, SavedModel directories and ``.h5``). The code cells are here in
order; bare expressions are printed. Adaptations:

* MNIST comes from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``; the tutorial keeps 1000 images of each
  split too); the models start from ``seeded_weights`` and ``fit`` runs with ``verbose=0``;
* the models use ``Dropout(0.2)``, whose masks come from each framework's own random numbers, so accuracies
  after training print as ``[varies]``; what the tutorial shows with them, that a restored model scores what
  the saved one scored, is printed as a comparison made in each framework;
* ``!ls`` cells list from Python: the checkpoint files have TensorFlow's names in both frameworks; of a
  SavedModel directory only ``assets`` and ``variables`` are printed (TensorFlow adds ``saved_model.pb``,
  ``keras_metadata.pb`` and ``fingerprint.pb``; chainrule, which writes no graphs, its own JSON files).

Run with chainrule: ``CHAINRULE_DATA=... python save_and_load.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import math
import os

from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()

print("[varies]", tf.version.VERSION)

(train_images, train_labels), (test_images, test_labels) = load_mnist(1000, 1000)  # adapted: mnist.load_data()

train_labels = train_labels[:1000]
test_labels = test_labels[:1000]

train_images = train_images[:1000].reshape(-1, 28 * 28) / 255.0
test_images = test_images[:1000].reshape(-1, 28 * 28) / 255.0


# %% Define a model
# Define a simple sequential model
def create_model():
  model = tf.keras.Sequential([
    keras.layers.Dense(512, activation='relu', input_shape=(784,)),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10)
  ])

  model.compile(optimizer='adam',
                loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
  seeded_weights(model)  # adapted: the same start in both frameworks

  return model


# Create a basic model instance
model = create_model()

# Display the model's architecture
model.summary()

# %% Save checkpoints during training
checkpoint_path = "training_1/cp.ckpt"
checkpoint_dir = os.path.dirname(checkpoint_path)

# Create a callback that saves the model's weights
cp_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_path,
                                                 save_weights_only=True,
                                                 verbose=1)

# Train the model with the new callback
model.fit(train_images,
          train_labels,
          epochs=10,
          validation_data=(test_images, test_labels),
          callbacks=[cp_callback],  # Pass callback to training
          verbose=0)

# This may generate warnings related to saving the state of the optimizer.
# These warnings (and similar warnings throughout this notebook)
# are in place to discourage outdated usage, and can be ignored.

print(sorted(os.listdir(checkpoint_dir)))
trained_loss, trained_acc = model.evaluate(test_images, test_labels, verbose=0)
print("[varies] Trained model, accuracy: {:5.2f}%".format(100 * trained_acc))

# Create a basic model instance
model = create_model()

# Evaluate the model
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("Untrained model, accuracy: {:5.2f}%".format(100 * acc))

# Loads the weights
model.load_weights(checkpoint_path)

# Re-evaluate the model
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("[varies] Restored model, accuracy: {:5.2f}%".format(100 * acc))
print("Restored model scores the trained one's accuracy:", acc == trained_acc)

# Include the epoch in the file name (uses `str.format`)
checkpoint_path = "training_2/cp-{epoch:04d}.ckpt"
checkpoint_dir = os.path.dirname(checkpoint_path)

batch_size = 32

# Calculate the number of batches per epoch
n_batches = len(train_images) / batch_size
n_batches = math.ceil(n_batches)    # round up the number of batches to the nearest whole integer

# Create a callback that saves the model's weights every 5 epochs
cp_callback = tf.keras.callbacks.ModelCheckpoint(
    filepath=checkpoint_path,
    verbose=1,
    save_weights_only=True,
    save_freq=5*n_batches)

# Create a new model instance
model = create_model()

# Save the weights using the `checkpoint_path` format
model.save_weights(checkpoint_path.format(epoch=0))

# Train the model with the new callback
model.fit(train_images,
          train_labels,
          epochs=50,
          batch_size=batch_size,
          callbacks=[cp_callback],
          validation_data=(test_images, test_labels),
          verbose=0)

print(sorted(os.listdir(checkpoint_dir)))

latest = tf.train.latest_checkpoint(checkpoint_dir)
print(latest)

trained_loss, trained_acc = model.evaluate(test_images, test_labels, verbose=0)

# Create a new model instance
model = create_model()

# Load the previously saved weights
model.load_weights(latest)

# Re-evaluate the model
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("[varies] Restored model, accuracy: {:5.2f}%".format(100 * acc))
print("Restored model scores the trained one's accuracy:", acc == trained_acc)

# %% Manually save weights
# Save the weights
model.save_weights('./checkpoints/my_checkpoint')

# Create a new model instance
model = create_model()

# Restore the weights
model.load_weights('./checkpoints/my_checkpoint')

# Evaluate the model
loss, acc = model.evaluate(test_images, test_labels, verbose=0)
print("[varies] Restored model, accuracy: {:5.2f}%".format(100 * acc))
print("Restored model scores the trained one's accuracy:", acc == trained_acc)
print(sorted(os.listdir('./checkpoints')))

# %% Save the entire model: SavedModel format
# Create and train a new model instance.
model = create_model()
model.fit(train_images, train_labels, epochs=5, verbose=0)
trained_loss, trained_acc = model.evaluate(test_images, test_labels, verbose=0)

# Save the entire model as a SavedModel.
os.makedirs('saved_model', exist_ok=True)  # !mkdir -p saved_model
model.save('saved_model/my_model')

# my_model directory
print(sorted(os.listdir('saved_model')))

# Contains an assets folder, saved_model.pb, and variables folder.
print(sorted(n for n in os.listdir('saved_model/my_model') if n in ('assets', 'variables')))

new_model = tf.keras.models.load_model('saved_model/my_model')

# Check its architecture
new_model.summary()

# Evaluate the restored model
loss, acc = new_model.evaluate(test_images, test_labels, verbose=0)
print('[varies] Restored model, accuracy: {:5.2f}%'.format(100 * acc))
print("Restored model scores the trained one's accuracy:", acc == trained_acc)

print(new_model.predict(test_images, verbose=0).shape)

# %% HDF5 format
# Create and train a new model instance.
model = create_model()
model.fit(train_images, train_labels, epochs=5, verbose=0)
trained_loss, trained_acc = model.evaluate(test_images, test_labels, verbose=0)

# Save the entire model to a HDF5 file.
# The '.h5' extension indicates that the model should be saved to HDF5.
model.save('my_model.h5')

# Recreate the exact same model, including its weights and the optimizer
new_model = tf.keras.models.load_model('my_model.h5')

# Show the model architecture
new_model.summary()

loss, acc = new_model.evaluate(test_images, test_labels, verbose=0)
print('[varies] Restored model, accuracy: {:5.2f}%'.format(100 * acc))
print("Restored model scores the trained one's accuracy:", acc == trained_acc)
