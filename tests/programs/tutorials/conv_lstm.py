"""The keras.io example "Next-Frame Video Prediction with Convolutional LSTMs" (tf.keras 2), adapted for chainrule.

Source: keras-team/keras-io, examples/vision/conv_lstm.py (2021/06/05). The code cells are here in order.
Adaptations:

* Moving MNIST (a download) is replaced by ``guide_support.moving_mnist_stand_in``: the same file layout,
  10 sequences of 6 frames of 12x12 (one shrunk MNIST digit moving and bouncing) instead of 10,000 of 20
  frames of 64x64; "1000 of the 10000" becomes all 10;
* ``np.random.seed(0)`` first, so the split and the example choices are the same in both frameworks;
* the model starts from ``seeded_weights``; ``fit`` runs 1 epoch instead of 20, ``shuffle=False``,
  ``verbose=0``, and prints the history (4 decimals);
* the prediction cells keep their loops with half of each sequence given and half predicted (3 and 3 frames
  instead of 10 and 10); the plots, GIFs and widgets are replaced by printed means of the frames.

Run with chainrule: ``CHAINRULE_DATA=... python conv_lstm.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
from guide_support import framework, moving_mnist_stand_in, seeded_weights

tf, keras = framework()
layers = keras.layers
np.random.seed(0)  # adapted: the split and the example choices are numpy's

# %% Dataset Construction
# adapted: a local stand-in for keras.utils.get_file("moving_mnist.npy", ".../mnist_test_seq.npy")
fpath = moving_mnist_stand_in("moving_mnist.npy")
dataset = np.load(fpath)

# Swap the axes representing the number of frames and number of data samples.
dataset = np.swapaxes(dataset, 0, 1)
# We'll pick out 1000 of the 10000 total examples and use those.
dataset = dataset[:1000, ...]
# Add a channel dimension since the images are grayscale.
dataset = np.expand_dims(dataset, axis=-1)

# Split into train and validation sets using indexing to optimize memory.
indexes = np.arange(dataset.shape[0])
np.random.shuffle(indexes)
train_index = indexes[: int(0.9 * dataset.shape[0])]
val_index = indexes[int(0.9 * dataset.shape[0]):]
train_dataset = dataset[train_index]
val_dataset = dataset[val_index]

# Normalize the data to the 0-1 range.
train_dataset = train_dataset / 255
val_dataset = val_dataset / 255


# We'll define a helper function to shift the frames, where
# `x` is frames 0 to n - 1, and `y` is frames 1 to n.
def create_shifted_frames(data):
    x = data[:, 0: data.shape[1] - 1, :, :]
    y = data[:, 1: data.shape[1], :, :]
    return x, y


# Apply the processing function to the datasets.
x_train, y_train = create_shifted_frames(train_dataset)
x_val, y_val = create_shifted_frames(val_dataset)

# Inspect the dataset.
print("Training Dataset Shapes: " + str(x_train.shape) + ", " + str(y_train.shape))
print("Validation Dataset Shapes: " + str(x_val.shape) + ", " + str(y_val.shape))

# %% Data Visualization (adapted: the frame means instead of the figure)
data_choice = np.random.choice(range(len(train_dataset)), size=1)[0]
print([round(float(np.squeeze(train_dataset[data_choice][idx]).mean()), 4) for idx in range(6)])
print(f"Displaying frames for example {data_choice}.")

# %% Model Construction
# Construct the input layer with no definite frame size.
inp = layers.Input(shape=(None, *x_train.shape[2:]))

# We will construct 3 `ConvLSTM2D` layers with batch normalization,
# followed by a `Conv3D` layer for the spatiotemporal outputs.
x = layers.ConvLSTM2D(
    filters=64,
    kernel_size=(5, 5),
    padding="same",
    return_sequences=True,
    activation="relu",
)(inp)
x = layers.BatchNormalization()(x)
x = layers.ConvLSTM2D(
    filters=64,
    kernel_size=(3, 3),
    padding="same",
    return_sequences=True,
    activation="relu",
)(x)
x = layers.BatchNormalization()(x)
x = layers.ConvLSTM2D(
    filters=64,
    kernel_size=(1, 1),
    padding="same",
    return_sequences=True,
    activation="relu",
)(x)
x = layers.Conv3D(
    filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same"
)(x)

# Next, we will build the complete model and compile it.
model = keras.models.Model(inp, x)
model.compile(
    loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam(),
)
model.summary()  # adapted: printed to compare the layers and their shapes
seeded_weights(model, 0)  # adapted: the same start in both frameworks

# %% Model Training
# Define some callbacks to improve training.
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5)

# Define modifiable training hyperparameters.
epochs = 1  # adapted: 20
batch_size = 5

# Fit the model to the training data.
history = model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    validation_data=(x_val, y_val),
    callbacks=[early_stopping, reduce_lr],
    shuffle=False,  # adapted
    verbose=0,  # adapted
)
print({k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

# %% Frame Prediction Visualizations
# Select a random example from the validation dataset.
example = val_dataset[np.random.choice(range(len(val_dataset)), size=1)[0]]

# Pick the first/last ten frames from the example. (adapted: three and three)
frames = example[:3, ...]
original_frames = example[3:, ...]

# Predict a new set of 10 frames. (adapted: 3)
for _ in range(3):
    # Extract the model's prediction and post-process it.
    new_prediction = model.predict(np.expand_dims(frames, axis=0), verbose=0)
    new_prediction = np.squeeze(new_prediction, axis=0)
    predicted_frame = np.expand_dims(new_prediction[-1, ...], axis=0)

    # Extend the set of prediction frames.
    frames = np.concatenate((frames, predicted_frame), axis=0)

new_frames = frames[3:, ...]
print("original", [round(float(f.mean()), 4) for f in original_frames])  # adapted: instead of the figure
print("predicted", [round(float(f.mean()), 4) for f in new_frames])

# %% Predicted Videos (adapted: the frame means instead of the GIFs)
examples = val_dataset[np.random.choice(range(len(val_dataset)), size=5)]
for example in examples:
    frames = example[:3, ...]
    original_frames = example[3:, ...]
    new_predictions = np.zeros(shape=(3, *frames[0].shape))
    for i in range(3):
        frames = example[: 3 + i + 1, ...]
        new_prediction = model.predict(np.expand_dims(frames, axis=0), verbose=0)
        new_prediction = np.squeeze(new_prediction, axis=0)
        predicted_frame = np.expand_dims(new_prediction[-1, ...], axis=0)
        new_predictions[i] = predicted_frame
    print(" Truth\tPrediction", round(float(original_frames.mean()), 4), round(float(new_predictions.mean()), 4))
