"""The Keras example "Image classification from scratch" (keras.io, tf.keras 2), adapted for chainrule.

Source: keras-team/keras-io, examples/vision/image_classification_from_scratch.py (fchollet, last modified
2020/04/28, the tf.keras 2 version: ``subset="both"``, ``jit_compile=True``, ``save_at_{epoch}.keras``). The code is
here in order. Adaptations:

* the Kaggle cats-vs-dogs archive (``curl`` + ``unzip`` of ``kagglecatsanddogs_5340.zip``, 25000 photos) is
  replaced by the same ``PetImages`` folder of made-up JPEG photos (``guide_support.pet_images_stand_in``: 24 cats
  and 24 dogs, 50 to 80 pixels a side) with three files the example's "JFIF" filter deletes (an empty one, a PNG
  and a truncated JPEG);
* ``image_size`` is (64, 64) instead of (180, 180), and the model is the example's ``make_model``;
* the plots (matplotlib) are skipped: the first batch's labels and the augmented images' shapes and ranges are
  printed instead, and ``keras.utils.plot_model`` (pydot) is left out;
* ``image_dataset_from_directory`` shuffles with each framework's own random numbers, the training set is
  augmented (RandomFlip, RandomRotation) and the model has a Dropout layer: what depends on those draws is printed
  as ``[varies]`` (the first batch, the training history, the prediction after training). What does not is
  compared: which files go to each subset, the batch shapes, the summary, and the validation loss and accuracy
  and the prediction on ``Cat/6779.jpg`` from ``seeded_weights`` (numpy-drawn) before training (added lines);
* ``fit`` runs 2 epochs instead of 25, with ``verbose=0``; ``predict`` with ``verbose=0``;
* the last line formats ``float(score[0])``: the example's ``score`` is a shape (1,) array, which ``format`` rejects
  ("unsupported format string passed to numpy.ndarray.__format__", under TensorFlow too).

Run with chainrule: ``CHAINRULE_DATA=... python image_classification_from_scratch.py``; the expected output was
made with ``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, pet_images_stand_in, seeded_weights

# %% Setup
tf, keras = framework()  # adapted: `import tensorflow as tf` / `from tensorflow import keras`
layers = keras.layers  # adapted: `from tensorflow.keras import layers`


def varies(label, value):
    print("[varies]", label, value)


# %% Load the data: the Cats vs Dogs dataset
pet_images_stand_in(".")  # adapted: the archive's folder written locally, for curl -O ... and unzip -q ...
print(sorted(__import__("os").listdir("PetImages")))  # adapted: `ls PetImages`

# %% Filter out corrupted images
import os

num_skipped = 0
for folder_name in ("Cat", "Dog"):
    folder_path = os.path.join("PetImages", folder_name)
    for fname in os.listdir(folder_path):
        fpath = os.path.join(folder_path, fname)
        try:
            fobj = open(fpath, "rb")
            is_jfif = tf.compat.as_bytes("JFIF") in fobj.peek(10)
        finally:
            fobj.close()

        if not is_jfif:
            num_skipped += 1
            # Delete corrupted image
            os.remove(fpath)

print("Deleted %d images" % num_skipped)

# %% Generate a `Dataset`
image_size = (64, 64)  # adapted: (180, 180) in the example
batch_size = 128

train_ds, val_ds = tf.keras.preprocessing.image_dataset_from_directory(
    "PetImages",
    validation_split=0.2,
    subset="both",
    seed=1337,
    image_size=image_size,
    batch_size=batch_size,
)
print(train_ds.class_names, sorted(os.path.basename(p) for p in val_ds.file_paths))  # added

# %% Visualize the data
# (skipped: the 3x3 grid of the first batch's photos; their shapes and labels instead)
for images, labels in train_ds.take(1):
    for i in range(9):
        if i == 0:
            print(images[i].numpy().astype("uint8").shape, images.shape, labels.shape)
        varies("label", int(labels[i]))

# %% Using image data augmentation
data_augmentation = keras.Sequential(
    [
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
    ]
)

# (skipped: the 3x3 grid of augmentations of the first image; their shapes and ranges instead)
for images, _ in train_ds.take(1):
    for i in range(9):
        augmented_images = data_augmentation(images)
        if i == 0:
            print(augmented_images[0].numpy().astype("uint8").shape)
        varies("augmented range", (float(np.min(augmented_images[0])), float(np.max(augmented_images[0]))))
# added: outside training the layers pass the photos through
print(bool(np.all(data_augmentation(images, training=False).numpy() == images.numpy())))

# %% Configure the dataset for performance
train_ds = train_ds.prefetch(buffer_size=32)
val_ds = val_ds.prefetch(buffer_size=32)


# %% Build a model
def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)

    # Entry block
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.Conv2D(64, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    for size in [128, 256, 512, 728]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    x = layers.SeparableConv2D(1024, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        activation = "sigmoid"
        units = 1
    else:
        activation = "softmax"
        units = num_classes

    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, outputs)


model = make_model(input_shape=image_size + (3,), num_classes=2)
model.summary()  # adapted: keras.utils.plot_model(model, show_shapes=True) draws with pydot

# Apply `data_augmentation` to the training images.
train_ds = train_ds.map(
    lambda img, label: (data_augmentation(img), label),
    num_parallel_calls=tf.data.AUTOTUNE,
)
# Prefetching samples in GPU memory helps maximize GPU utilization.
train_ds = train_ds.prefetch(tf.data.AUTOTUNE)

# %% Train the model
epochs = 2  # adapted: 25 in the example

callbacks = [
    keras.callbacks.ModelCheckpoint("save_at_{epoch}.keras"),
]
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss="binary_crossentropy",
    metrics=["accuracy"],
    jit_compile=True,  # Enable XLA compilation for faster execution
)
seeded_weights(model)  # added: the same start in both frameworks, its validation scores and one prediction
print(model.evaluate(val_ds, verbose=0))
cat = keras.preprocessing.image.img_to_array(keras.preprocessing.image.load_img("PetImages/Cat/6779.jpg",
                                                                                target_size=image_size))
print(model.predict(cat[None], verbose=0))

history = model.fit(
    train_ds,
    epochs=epochs,
    callbacks=callbacks,
    validation_data=val_ds,
    verbose=0,  # adapted: no progress bars
)
varies("history", {k: [round(v, 4) for v in vals] for k, vals in history.history.items()})  # added
print(sorted(history.history), sorted(f for f in os.listdir(".") if f.endswith(".keras")))  # added

# %% Run inference on new data
img = keras.preprocessing.image.load_img(
    "PetImages/Cat/6779.jpg", target_size=image_size
)
img_array = keras.preprocessing.image.img_to_array(img)
img_array = tf.expand_dims(img_array, 0)  # Create batch axis

predictions = model.predict(img_array, verbose=0)  # adapted: verbose=0
score = predictions[0]
score = float(score[0])  # adapted: a shape (1,) array has no format spec ("unsupported format string")
varies("", f"This image is {100 * (1 - score):.2f}% cat and {100 * score:.2f}% dog.")  # adapted: [varies]
print(predictions.shape, 0.0 <= score <= 1.0)  # added
