"""The TensorFlow tutorial "Image classification" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/images/classification.ipynb at 460419a63 (July 2024, the last
version written for tf.keras 2: later ones unpack Keras 3's ``flower_photos_extracted`` folder and name its
TFLite signature ``keras_tensor_15``). The code cells are here in order. Adaptations:

* the flower photos (``get_file`` of ``flower_photos.tgz``, 3670 photos) are replaced by the same folder tree of
  made-up JPEG files (``guide_support.flower_photos_stand_in``: five class folders, 32 photos each, a few photo
  sizes; 128 training photos are 4 full batches, so the batch that ``train_ds.shuffle(1000).take(1)`` picks has
  32 photos in either framework), and the sunflower photo of the last part by a made-up 592x592 one (``red_sunflower_stand_in``);
* ``PIL.Image.open`` of four photos (displayed in the notebook) prints their size and mode; the plots
  (matplotlib) are skipped: the labels of the first batch are printed instead of the 3x3 grid of photos and
  the shapes and value ranges of augmented photos instead of the grid of augmentations;
* ``image_dataset_from_directory`` shuffles the photos each epoch in a buffer (``seed=123`` seeds TensorFlow's
  own random numbers, which chainrule does not reproduce), the training set is shuffled again with
  ``shuffle(1000)``, and the second model has random augmentation layers and Dropout: what depends on the
  order or on those draws is printed as ``[varies]`` (the first batch, the training history, the final
  prediction). What does not is compared: which files go to the training and validation subsets (tf.keras's
  ``np.random.RandomState(seed)`` shuffle of the file list), the batch shapes and pixel ranges, the summaries,
  and each model's validation loss and accuracy before training and the prediction on the sunflower before
  training, from ``seeded_weights`` (numpy-drawn; added lines);
* ``fit`` runs 2 epochs instead of 10 and 15, with ``verbose=0``; ``predict`` with ``verbose=0``;
* the TensorFlow Lite part (``tf.lite.TFLiteConverter``, ``tf.lite.Interpreter``) is left out: chainrule has no
  TFLite converter or interpreter.

Run with chainrule: ``CHAINRULE_DATA=... python image_classification.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import os
import tempfile

from guide_support import flower_photos_stand_in, framework, red_sunflower_stand_in, seeded_weights

# %% Setup
import numpy as np
import PIL

tf, keras = framework()  # adapted: `import tensorflow as tf` / `from tensorflow import keras`
layers = keras.layers
Sequential = keras.models.Sequential


def varies(label, value):
    print("[varies]", label, value)


# %% Download and explore the dataset
import pathlib

# adapted: the archive's folder tree written locally, for get_file('flower_photos.tar', origin=..., extract=True)
data_dir = flower_photos_stand_in(tempfile.mkdtemp(), per_class=32)
data_dir = pathlib.Path(data_dir)

image_count = len(list(data_dir.glob('*/*.jpg')))
print(image_count)

roses = list(data_dir.glob('roses/*'))
roses.sort()  # adapted: glob's order is the file system's
print(PIL.Image.open(str(roses[0])).size, PIL.Image.open(str(roses[0])).mode)  # adapted: displayed in the notebook

print(PIL.Image.open(str(roses[1])).size)

tulips = list(data_dir.glob('tulips/*'))
tulips.sort()
print(PIL.Image.open(str(tulips[0])).size)

print(PIL.Image.open(str(tulips[1])).size)

# %% Load data using a Keras utility
batch_size = 32
img_height = 180
img_width = 180

train_ds = tf.keras.utils.image_dataset_from_directory(
  data_dir,
  validation_split=0.2,
  subset="training",
  seed=123,
  image_size=(img_height, img_width),
  batch_size=batch_size)

val_ds = tf.keras.utils.image_dataset_from_directory(
  data_dir,
  validation_split=0.2,
  subset="validation",
  seed=123,
  image_size=(img_height, img_width),
  batch_size=batch_size)

class_names = train_ds.class_names
print(class_names)
# added: which files went to each subset (the same np.random.RandomState(123) shuffle of the file list)
print(sorted(os.path.basename(p) for p in val_ds.file_paths)[:8])
print(np.bincount(np.concatenate([y.numpy() for _, y in val_ds]), minlength=5))
print(np.bincount(np.concatenate([y.numpy() for _, y in train_ds]), minlength=5))

# %% Visualize the data
# (skipped: the 3x3 grid of the first batch's photos; its labels instead)
for images, labels in train_ds.take(1):
  varies("first batch's labels", [class_names[labels[i]] for i in range(9)])

for image_batch, labels_batch in train_ds:
  print(image_batch.shape)
  print(labels_batch.shape)
  break

# %% Configure the dataset for performance
AUTOTUNE = tf.data.AUTOTUNE

train_ds = train_ds.cache().shuffle(1000).prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)

# %% Standardize the data
normalization_layer = layers.Rescaling(1./255)

normalized_ds = train_ds.map(lambda x, y: (normalization_layer(x), y))
image_batch, labels_batch = next(iter(normalized_ds))
first_image = image_batch[0]
# Notice the pixel values are now in `[0,1]`.
varies("min and max of the first image", (np.min(first_image), np.max(first_image)))  # adapted: shuffled
print(0.0 <= np.min(first_image) < np.max(first_image) <= 1.0)

# %% A basic Keras model
num_classes = len(class_names)

model = Sequential([
  layers.Rescaling(1./255, input_shape=(img_height, img_width, 3)),
  layers.Conv2D(16, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(32, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(64, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Flatten(),
  layers.Dense(128, activation='relu'),
  layers.Dense(num_classes)
])

model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])

model.summary()

seeded_weights(model)  # added: the same start in both frameworks, and its (order-free) validation scores
print(np.round(model.evaluate(val_ds, verbose=0), 4))

# %% Train the model
epochs=2  # adapted: 2 epochs, not 10
history = model.fit(
  train_ds,
  validation_data=val_ds,
  epochs=epochs,
  verbose=0  # adapted: no progress bars
)

# %% Visualize training results
acc = history.history['accuracy']
val_acc = history.history['val_accuracy']

loss = history.history['loss']
val_loss = history.history['val_loss']

epochs_range = range(epochs)

# (skipped: the plots of accuracy and loss; the history instead, which depends on the shuffled order)
varies("history", {k: [round(v, 4) for v in vals] for k, vals in history.history.items()})
print(len(acc), len(val_acc), len(loss), len(val_loss), list(epochs_range))

# %% Data augmentation
data_augmentation = keras.Sequential(
  [
    layers.RandomFlip("horizontal",
                      input_shape=(img_height,
                                  img_width,
                                  3)),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.1),
  ]
)

# (skipped: the 3x3 grid of augmentations of one photo; their shapes and ranges instead)
for images, _ in train_ds.take(1):
  for i in range(9):
    augmented_images = data_augmentation(images)
    if i == 0:
      print(augmented_images.shape, augmented_images.dtype)
    varies("augmented range", (float(np.min(augmented_images[0])), float(np.max(augmented_images[0]))))
    assert 0.0 <= np.min(augmented_images) and np.max(augmented_images) <= 255.0
# added: the layers pass photos through unchanged outside training
print(bool(np.all(data_augmentation(images, training=False).numpy() == images.numpy())))

# %% Dropout
model = Sequential([
  data_augmentation,
  layers.Rescaling(1./255),
  layers.Conv2D(16, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(32, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Conv2D(64, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  layers.Dropout(0.2),
  layers.Flatten(),
  layers.Dense(128, activation='relu'),
  layers.Dense(num_classes, name="outputs")
])

model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])

model.summary()

seeded_weights(model, seed=1)  # added, as for the first model
print(np.round(model.evaluate(val_ds, verbose=0), 4))

# added: the prediction of the last part, from the seeded weights (the trained ones depend on the order)
sunflower_path = red_sunflower_stand_in(os.path.join(tempfile.mkdtemp(), "Red_sunflower"))
before = model.predict(tf.expand_dims(tf.keras.utils.img_to_array(
    tf.keras.utils.load_img(sunflower_path, target_size=(img_height, img_width))), 0), verbose=0)
print(np.round(before, 4), class_names[np.argmax(before)])

epochs = 2  # adapted: 2 epochs, not 15
history = model.fit(
  train_ds,
  validation_data=val_ds,
  epochs=epochs,
  verbose=0  # adapted: no progress bars
)

# %% Visualize training results
acc = history.history['accuracy']
val_acc = history.history['val_accuracy']

loss = history.history['loss']
val_loss = history.history['val_loss']

epochs_range = range(epochs)

# (skipped: the plots)
varies("history", {k: [round(v, 4) for v in vals] for k, vals in history.history.items()})
print(sorted(history.history))

# %% Predict on new data
# adapted: the made-up photo written above, for get_file('Red_sunflower', origin=sunflower_url)

img = tf.keras.utils.load_img(
    sunflower_path, target_size=(img_height, img_width)
)
img_array = tf.keras.utils.img_to_array(img)
img_array = tf.expand_dims(img_array, 0) # Create a batch
print(type(img).__name__, img.size, img_array.shape, img_array.dtype)  # added
print(np.round(img_array.numpy().mean(axis=(0, 1, 2)), 4))  # added

predictions = model.predict(img_array, verbose=0)  # adapted: verbose=0
score = tf.nn.softmax(predictions[0])

varies("prediction",
    "This image most likely belongs to {} with a {:.2f} percent confidence."
    .format(class_names[np.argmax(score)], 100 * np.max(score))
)
print(score.shape, round(float(np.sum(score)), 4))

# %% Use TensorFlow Lite
# (left out: TFLiteConverter.from_keras_model, tf.lite.Interpreter and its signature runner)
