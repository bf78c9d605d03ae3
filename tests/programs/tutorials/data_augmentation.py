"""The TensorFlow tutorial "Data augmentation" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/images/data_augmentation.ipynb (TF 2.21 docs). The code cells are here
in order. Adaptations:

* TensorFlow Datasets is not installed and ``tf_flowers`` not in the shared datasets: ``tfds`` is
  ``guide_support.tfds_stand_in(tf)``, whose ``load('tf_flowers', split=[...], with_info=True,
  as_supervised=True)`` gives ``tf.data`` datasets of 120 made-up uint8 photos of a few sizes with int64 labels
  and a ``metadata`` with ``num_classes`` and ``int2str``;
* the plots (matplotlib) are skipped: ``visualize`` and the 3x3 grids print a summary of the images instead
  (shape, dtype, mean and a few pixel values; ``summary`` below);
* what depends on each framework's own random numbers is printed as ``[varies]``: the Keras random layers
  (``RandomFlip``, ``RandomRotation``), ``tf.random.uniform`` in ``random_invert_img``, and the training on the
  shuffled, augmented dataset (``fit`` runs 1 epoch instead of 5, ``verbose=0``); the model's scores on the
  validation set before training, from ``seeded_weights`` (numpy-drawn), are compared (added lines). The
  ``tf.image`` functions, the ``stateless_random_*`` ones with their explicit seeds included, are compared: they
  are deterministic in TensorFlow (chainrule draws their seeds' numbers as TensorFlow's Philox does);
* the datasets of the last part are shuffled (``shuffle(1000)``) and not iterated by the tutorial: one
  validation batch, ``augment`` of one photo with the seeds the Counter gives first, and the first seeds of a
  ``Generator.from_seed(123, alg='philox')`` are printed instead (added lines).

Run with chainrule: ``CHAINRULE_DATA=... python data_augmentation.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, seeded_weights, tfds_stand_in

tf, keras = framework()  # adapted: `import tensorflow as tf`
tfds = tfds_stand_in(tf)  # adapted: for `import tensorflow_datasets as tfds`
layers = keras.layers


def summary(label, images):
    """Shape, dtype, mean and four pixels of an image (or a batch), for the plots."""
    x = np.asarray(images.numpy() if hasattr(images, "numpy") else images)
    flat = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    picks = flat[[0, len(flat) // 3, len(flat) // 2, -1]]
    print(label, x.shape, x.dtype, np.round(np.float64(x.mean()), 4), np.round(picks.astype(np.float64), 4).tolist())


# %% Download a dataset
(train_ds, val_ds, test_ds), metadata = tfds.load(
    'tf_flowers',
    split=['train[:80%]', 'train[80%:90%]', 'train[90%:]'],
    with_info=True,
    as_supervised=True,
)

num_classes = metadata.features['label'].num_classes
print(num_classes)

get_label_name = metadata.features['label'].int2str

image, label = next(iter(train_ds))
summary(get_label_name(label), image)  # adapted: for plt.imshow(image) and plt.title(get_label_name(label))

# %% Resizing and rescaling
IMG_SIZE = 180

resize_and_rescale = tf.keras.Sequential([
  layers.Resizing(IMG_SIZE, IMG_SIZE),
  layers.Rescaling(1./255)
])

result = resize_and_rescale(image)
summary("resized", result)  # adapted: for plt.imshow(result)

print("Min and max pixel values:", result.numpy().min(), result.numpy().max())

# %% Data augmentation
data_augmentation = tf.keras.Sequential([
  layers.RandomFlip("horizontal_and_vertical"),
  layers.RandomRotation(0.2),
])

# Add the image to a batch.
image = tf.cast(tf.expand_dims(image, 0), tf.float32)

# (skipped: the 3x3 grid of augmentations; their shapes and means instead)
for i in range(9):
  augmented_image = data_augmentation(image)
  if i == 0:
    print(augmented_image.shape, augmented_image.dtype)
  print("[varies]", np.round(float(np.mean(augmented_image[0])), 4))

# %% Option 1: Make the preprocessing layers part of your model
model = tf.keras.Sequential([
  # Add the preprocessing layers you created earlier.
  resize_and_rescale,
  data_augmentation,
  layers.Conv2D(16, 3, padding='same', activation='relu'),
  layers.MaxPooling2D(),
  # Rest of your model.
])
print(model(image).shape)  # added

# %% Option 2: Apply the preprocessing layers to your dataset
aug_ds = train_ds.map(
  lambda x, y: (resize_and_rescale(x, training=True), y))
print(aug_ds.element_spec)  # added

# %% Apply the preprocessing layers to the datasets
batch_size = 32
AUTOTUNE = tf.data.AUTOTUNE

def prepare(ds, shuffle=False, augment=False):
  # Resize and rescale all datasets.
  ds = ds.map(lambda x, y: (resize_and_rescale(x), y),
              num_parallel_calls=AUTOTUNE)

  if shuffle:
    ds = ds.shuffle(1000)

  # Batch all datasets.
  ds = ds.batch(batch_size)

  # Use data augmentation only on the training set.
  if augment:
    ds = ds.map(lambda x, y: (data_augmentation(x, training=True), y),
                num_parallel_calls=AUTOTUNE)

  # Use buffered prefetching on all datasets.
  return ds.prefetch(buffer_size=AUTOTUNE)

train_ds = prepare(train_ds, shuffle=True, augment=True)
val_ds = prepare(val_ds)
test_ds = prepare(test_ds)

# %% Train a model
model = tf.keras.Sequential([
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

model.build((None, IMG_SIZE, IMG_SIZE, 3))  # added: the same start in both frameworks, and its scores
seeded_weights(model)
print(np.round(model.evaluate(val_ds, verbose=0), 4))

epochs=1  # adapted: 1 epoch, not 5
history = model.fit(
  train_ds,
  validation_data=val_ds,
  epochs=epochs,
  verbose=0  # adapted: no progress bars
)
print("[varies]", {k: [round(v, 4) for v in vals] for k, vals in history.history.items()})  # added

loss, acc = model.evaluate(test_ds, verbose=0)  # adapted: verbose=0
print("[varies]", "Accuracy", acc)  # adapted: trained on randomly augmented photos

# %% Custom data augmentation
def random_invert_img(x, p=0.5):
  if  tf.random.uniform([]) < p:
    x = (255-x)
  else:
    x  # noqa: B018 (the tutorial's code)
  return x

def random_invert(factor=0.5):
  return layers.Lambda(lambda x: random_invert_img(x, factor))

random_invert = random_invert()

# (skipped: the 3x3 grid; each image is the photo or its inverse)
for i in range(9):
  augmented_image = random_invert(image)
  mean = float(np.mean(augmented_image[0].numpy().astype("uint8")))
  print("[varies]", round(mean, 4))
  assert augmented_image.shape == image.shape
print(round(float(np.mean(image)), 4), round(float(np.mean(255 - image)), 4))  # added: the two possible means

class RandomInvert(layers.Layer):
  def __init__(self, factor=0.5, **kwargs):
    super().__init__(**kwargs)
    self.factor = factor

  def call(self, x):
    return random_invert_img(x)

print("[varies]", round(float(np.mean(RandomInvert()(image)[0])), 4))  # adapted: for plt.imshow

# %% Using tf.image
(train_ds, val_ds, test_ds), metadata = tfds.load(
    'tf_flowers',
    split=['train[:80%]', 'train[80%:90%]', 'train[90%:]'],
    with_info=True,
    as_supervised=True,
)

image, label = next(iter(train_ds))
summary(get_label_name(label), image)

def visualize(original, augmented):
  # adapted: the two images side by side -> their summaries
  summary('Original image', original)
  summary('Augmented image', augmented)

# %% Flip an image
flipped = tf.image.flip_left_right(image)
visualize(image, flipped)

# %% Grayscale an image
grayscaled = tf.image.rgb_to_grayscale(image)
visualize(image, tf.squeeze(grayscaled)[..., None])  # adapted: a channel axis for summary (was tf.squeeze only)
# (skipped: plt.colorbar())

# %% Saturate an image
saturated = tf.image.adjust_saturation(image, 3)
visualize(image, saturated)

# %% Change image brightness
bright = tf.image.adjust_brightness(image, 0.4)
visualize(image, bright)

# %% Center crop an image
cropped = tf.image.central_crop(image, central_fraction=0.5)
visualize(image, cropped)

# %% Rotate an image
rotated = tf.image.rot90(image)
visualize(image, rotated)

# %% Randomly change image brightness
for i in range(3):
  seed = (i, 0)  # tuple of size (2,)
  stateless_random_brightness = tf.image.stateless_random_brightness(
      image, max_delta=0.95, seed=seed)
  visualize(image, stateless_random_brightness)

# %% Randomly change image contrast
for i in range(3):
  seed = (i, 0)  # tuple of size (2,)
  stateless_random_contrast = tf.image.stateless_random_contrast(
      image, lower=0.1, upper=0.9, seed=seed)
  visualize(image, stateless_random_contrast)

# %% Randomly crop an image
for i in range(3):
  seed = (i, 0)  # tuple of size (2,)
  stateless_random_crop = tf.image.stateless_random_crop(
      image, size=[210, 300, 3], seed=seed)
  visualize(image, stateless_random_crop)

# %% Apply augmentation to a dataset
(train_datasets, val_ds, test_ds), metadata = tfds.load(
    'tf_flowers',
    split=['train[:80%]', 'train[80%:90%]', 'train[90%:]'],
    with_info=True,
    as_supervised=True,
)

def resize_and_rescale(image, label):
  image = tf.cast(image, tf.float32)
  image = tf.image.resize(image, [IMG_SIZE, IMG_SIZE])
  image = (image / 255.0)
  return image, label

def augment(image_label, seed):
  image, label = image_label
  image, label = resize_and_rescale(image, label)
  image = tf.image.resize_with_crop_or_pad(image, IMG_SIZE + 6, IMG_SIZE + 6)
  # Make a new seed.
  new_seed = tf.random.split(seed, num=1)[0, :]
  # Random crop back to the original size.
  image = tf.image.stateless_random_crop(
      image, size=[IMG_SIZE, IMG_SIZE, 3], seed=seed)
  # Random brightness.
  image = tf.image.stateless_random_brightness(
      image, max_delta=0.5, seed=new_seed)
  image = tf.clip_by_value(image, 0, 1)
  return image, label

# added: one photo through `augment` with the seeds the Counter below gives its first elements
for i in range(3):
  augmented, _ = augment((image, label), tf.constant([i, i], tf.int64))
  summary(f"augment seed ({i}, {i})", augmented)
print(tf.random.split(tf.constant([1, 2], tf.int64), num=1).numpy())  # added

# %% Option 1: Using tf.data.experimental.Counter
# Create a `Counter` object and `Dataset.zip` it together with the training set.
counter = tf.data.experimental.Counter()
train_ds = tf.data.Dataset.zip((train_datasets, (counter, counter)))

train_ds = (
    train_ds
    .shuffle(1000)
    .map(augment, num_parallel_calls=AUTOTUNE)
    .batch(batch_size)
    .prefetch(AUTOTUNE)
)

val_ds = (
    val_ds
    .map(resize_and_rescale, num_parallel_calls=AUTOTUNE)
    .batch(batch_size)
    .prefetch(AUTOTUNE)
)

test_ds = (
    test_ds
    .map(resize_and_rescale, num_parallel_calls=AUTOTUNE)
    .batch(batch_size)
    .prefetch(AUTOTUNE)
)
print(train_ds.element_spec)  # added
images, labels = next(iter(val_ds))  # added: the datasets are deterministic but for the shuffled training set
summary("validation batch", images)
print(labels.numpy())

# %% Option 2: Using tf.random.Generator
# Create a generator.
rng = tf.random.Generator.from_seed(123, alg='philox')

# Create a wrapper function for updating seeds.
def f(x, y):
  seed = rng.make_seeds(1)[:, 0]
  image, label = augment((x, y), seed)
  return image, label

train_ds = (
    train_datasets
    .shuffle(1000)
    .map(f, num_parallel_calls=AUTOTUNE)
    .batch(batch_size)
    .prefetch(AUTOTUNE)
)

val_ds = (
    val_ds
    .map(resize_and_rescale, num_parallel_calls=AUTOTUNE)
    .batch(batch_size)
    .prefetch(AUTOTUNE)
)

test_ds = (
    test_ds
    .map(resize_and_rescale, num_parallel_calls=AUTOTUNE)
    .batch(batch_size)
    .prefetch(AUTOTUNE)
)
images, labels = next(iter(train_ds))  # added: each photo gets a seed from the generator (in shuffled order)
print(images.shape, labels.shape, 0.0 <= float(np.min(images)) <= float(np.max(images)) <= 1.0)
# added: the seeds such a generator gives first (how many `rng` has given depends on the prefetching)
print(tf.random.Generator.from_seed(123, alg='philox').make_seeds(2).numpy())
