"""The Keras example "Image segmentation with a U-Net-like architecture" (keras.io, tf.keras 2), adapted for
chainrule.

Source: keras-team/keras-io, examples/vision/oxford_pets_image_segmentation.py (fchollet, last modified
2020/04/20, the tf.keras 2 version: ``keras.utils.Sequence`` and ``tensorflow.keras.preprocessing.image``). The
code is here in order. Adaptations:

* the Oxford-IIIT pets archives (``curl`` + ``tar`` of ``images.tar.gz`` and ``annotations.tar.gz``, 7390 photos)
  are replaced by the same folders of made-up JPEG photos and PNG trimaps (``guide_support.oxford_pets_stand_in``:
  16 photos of 4 breeds, 40 to 64 pixels a side, with a ``.mat`` and a ``._`` file the listing filters out);
* ``img_size`` is (32, 32) instead of (160, 160), ``batch_size`` 8 instead of 32 and ``val_samples`` 8 instead of
  1000, so that the training set is one batch: ``fit`` shuffles a ``Sequence``'s batches with each framework's own
  random numbers (tf.keras: Python's ``random.shuffle``), and one batch has only one order, so the training is
  compared (BatchNormalization in training mode, no Dropout);
* the model starts from ``seeded_weights`` (numpy-drawn); ``fit`` runs 3 epochs instead of 15, with ``verbose=0``
  (the history is printed), ``predict`` with ``verbose=0``;
* ``IPython.display`` of the photos and masks prints the image's size, mode and pixel range instead; the saved
  checkpoint is listed and its size not printed.

Run with chainrule: ``CHAINRULE_DATA=... python image_segmentation.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
from guide_support import framework, oxford_pets_stand_in, seeded_weights

tf, keras = framework()  # adapted: `from tensorflow import keras` in the cells below
load_img = keras.preprocessing.image.load_img  # adapted: `from tensorflow.keras.preprocessing.image import load_img`


def display(img):  # adapted: IPython.display.display of an image
    print(type(img).__name__, img.size, img.mode, img.getextrema())


# %% Download the data
oxford_pets_stand_in(".")  # adapted: the archives' folders written locally, for curl -O ... and tar -xf ...

# %% Prepare paths of input images and target segmentation masks
import os

input_dir = "images/"
target_dir = "annotations/trimaps/"
img_size = (32, 32)  # adapted: (160, 160) in the example
num_classes = 3
batch_size = 8  # adapted: 32 in the example

input_img_paths = sorted(
    [
        os.path.join(input_dir, fname)
        for fname in os.listdir(input_dir)
        if fname.endswith(".jpg")
    ]
)
target_img_paths = sorted(
    [
        os.path.join(target_dir, fname)
        for fname in os.listdir(target_dir)
        if fname.endswith(".png") and not fname.startswith(".")
    ]
)

print("Number of samples:", len(input_img_paths))

for input_path, target_path in zip(input_img_paths[:10], target_img_paths[:10]):
    print(input_path, "|", target_path)

# %% What does one input image and corresponding segmentation mask look like?
from PIL import Image as PILImage, ImageOps  # adapted: `from IPython.display import Image, display`

# Display input image #7
display(PILImage.open(input_img_paths[9]))  # adapted: display(Image(filename=input_img_paths[9]))

# Display auto-contrast version of corresponding target (per-pixel categories)
img = ImageOps.autocontrast(load_img(target_img_paths[9]))
display(img)

# %% Prepare `Sequence` class to load & vectorize batches of data
import numpy as np


class OxfordPets(keras.utils.Sequence):
    """Helper to iterate over the data (as Numpy arrays)."""

    def __init__(self, batch_size, img_size, input_img_paths, target_img_paths):
        self.batch_size = batch_size
        self.img_size = img_size
        self.input_img_paths = input_img_paths
        self.target_img_paths = target_img_paths

    def __len__(self):
        return len(self.target_img_paths) // self.batch_size

    def __getitem__(self, idx):
        """Returns tuple (input, target) correspond to batch #idx."""
        i = idx * self.batch_size
        batch_input_img_paths = self.input_img_paths[i : i + self.batch_size]
        batch_target_img_paths = self.target_img_paths[i : i + self.batch_size]
        x = np.zeros((self.batch_size,) + self.img_size + (3,), dtype="float32")
        for j, path in enumerate(batch_input_img_paths):
            img = load_img(path, target_size=self.img_size)
            x[j] = img
        y = np.zeros((self.batch_size,) + self.img_size + (1,), dtype="uint8")
        for j, path in enumerate(batch_target_img_paths):
            img = load_img(path, target_size=self.img_size, color_mode="grayscale")
            y[j] = np.expand_dims(img, 2)
            # Ground truth labels are 1, 2, 3. Subtract one to make them 0, 1, 2:
            y[j] -= 1
        return x, y


# %% Prepare U-Net Xception-style model
layers = keras.layers  # adapted: `from tensorflow.keras import layers`


def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (3,))

    ### [First half of the network: downsampling inputs] ###

    # Entry block
    x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    # Blocks 1, 2, 3 are identical apart from the feature depth.
    for filters in [64, 128, 256]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    ### [Second half of the network: upsampling inputs] ###

    for filters in [256, 128, 64, 32]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.UpSampling2D(2)(x)

        # Project residual
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    # Add a per-pixel classification layer
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)

    # Define the model
    model = keras.Model(inputs, outputs)
    return model


# Free up RAM in case the model definition cells were run multiple times
keras.backend.clear_session()

# Build model
model = get_model(img_size, num_classes)
model.summary()
seeded_weights(model)  # added: the same start in both frameworks

# %% Set aside a validation split
import random

# Split our img paths into a training and a validation set
val_samples = 8  # adapted: 1000 in the example
random.Random(1337).shuffle(input_img_paths)
random.Random(1337).shuffle(target_img_paths)
train_input_img_paths = input_img_paths[:-val_samples]
train_target_img_paths = target_img_paths[:-val_samples]
val_input_img_paths = input_img_paths[-val_samples:]
val_target_img_paths = target_img_paths[-val_samples:]

# Instantiate data Sequences for each split
train_gen = OxfordPets(
    batch_size, img_size, train_input_img_paths, train_target_img_paths
)
val_gen = OxfordPets(batch_size, img_size, val_input_img_paths, val_target_img_paths)
# added: what the Sequences give
print(val_input_img_paths)
x, y = train_gen[0]
print(len(train_gen), len(val_gen), x.shape, x.dtype, y.shape, y.dtype)
print(np.round(x.mean(axis=(0, 1, 2)), 4), np.bincount(y.ravel(), minlength=3))

# %% Train the model
# Configure the model for training.
# We use the "sparse" version of categorical_crossentropy
# because our target data is integers.
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")

callbacks = [
    keras.callbacks.ModelCheckpoint("oxford_segmentation.h5", save_best_only=True)
]

# Train the model, doing validation at the end of each epoch.
epochs = 3  # adapted: 15 in the example
history = model.fit(train_gen, epochs=epochs, validation_data=val_gen, callbacks=callbacks,
                    verbose=0)  # adapted: no progress bar; the history printed
print({k: [round(v, 4) for v in vals] for k, vals in history.history.items()})
print(sorted(f for f in os.listdir(".") if f.endswith(".h5")))  # added

# %% Visualize predictions
# Generate predictions for all images in the validation set

val_gen = OxfordPets(batch_size, img_size, val_input_img_paths, val_target_img_paths)
val_preds = model.predict(val_gen, verbose=0)  # adapted: verbose=0
print(val_preds.shape, np.round(val_preds.mean(axis=(0, 1, 2)), 4))  # added


def display_mask(i):
    """Quick utility to display a model's prediction."""
    mask = np.argmax(val_preds[i], axis=-1)
    mask = np.expand_dims(mask, axis=-1)
    img = ImageOps.autocontrast(keras.preprocessing.image.array_to_img(mask))
    display(img)


# Display results for validation image #10
i = 5  # adapted: 10 in the example, which has 1000 validation images

# Display input image
display(PILImage.open(val_input_img_paths[i]))  # adapted: display(Image(filename=val_input_img_paths[i]))

# Display ground-truth target mask
img = ImageOps.autocontrast(load_img(val_target_img_paths[i]))
display(img)

# Display mask predicted by our model
display_mask(i)  # Note that the model only sees inputs at 150x150.
