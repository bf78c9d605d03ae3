"""The Keras example "Timeseries classification from scratch" (keras.io, tf.keras 2), adapted for chainrule.

Source: keras-team/keras-io, examples/timeseries/timeseries_classification_from_scratch.py (hfawaz, last
modified 2020/08/21; the tf.keras 2 version). The code is here in order. Adaptations:

* the FordA files (``FordA_TRAIN.tsv``/``FordA_TEST.tsv``, downloaded from GitHub; not in the shared datasets)
  are replaced by ``guide_support.forda_stand_in``: files with the same layout (tab-separated, the label
  ``-1``/``1`` first, then 500 z-normalized readings a row) of made-up signals, 400 training and 200 test rows
  (the real files: 3601 and 1320), read by the example's own ``readucr`` (``np.loadtxt``);
* numpy's generator is seeded before the example's ``np.random.permutation`` shuffle, so both frameworks
  shuffle alike;
* the plots (matplotlib) and ``keras.utils.plot_model`` (pydot) are skipped: the first readings of one series
  of each class and the model's summary are printed instead;
* the model starts from ``seeded_weights``; ``fit`` runs 8 epochs instead of 500 with ``shuffle=False``
  and ``verbose=0`` (no progress bar), and the callbacks' patiences are scaled down with them (ReduceLROnPlateau 2 instead of 20,
  EarlyStopping 3 instead of 50) so that they can act; the history (to 4 decimals), the learning rate after
  training and the checkpoint file are printed;
* ``predict`` of the loaded checkpoint runs with ``verbose=0``; its test loss and accuracy (``evaluate``) are
  printed too, and the example's accuracy plot prints the history it plots.

Run with chainrule: ``python timeseries_classification.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import os

import numpy as np
from guide_support import forda_stand_in, framework, seeded_weights
from sklearn.metrics import accuracy_score

tf, keras = framework()
# (skipped: import matplotlib.pyplot as plt)

# %% Load the data: the FordA dataset


def readucr(filename):
    data = np.loadtxt(filename, delimiter="\t")
    y = data[:, 0]
    x = data[:, 1:]
    return x, y.astype(int)


root_url = ""  # adapted: local stand-ins for "https://raw.githubusercontent.com/hfawaz/cd-diagram/master/FordA/"
forda_stand_in(root_url + "FordA_TRAIN.tsv", rows=400, seed=0)
forda_stand_in(root_url + "FordA_TEST.tsv", rows=200, seed=1)

x_train, y_train = readucr(root_url + "FordA_TRAIN.tsv")
x_test, y_test = readucr(root_url + "FordA_TEST.tsv")

# %% Visualize the data
classes = np.unique(np.concatenate((y_train, y_test), axis=0))

# adapted: the plot of one series of each class, printed
for c in classes:
    c_x_train = x_train[y_train == c]
    print("class " + str(c), np.round(c_x_train[0][:5], 4))

# %% Standardizing the data
x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))

num_classes = len(np.unique(y_train))

np.random.seed(0)  # adapted: the same shuffle in both frameworks
idx = np.random.permutation(len(x_train))
x_train = x_train[idx]
y_train = y_train[idx]

y_train[y_train == -1] = 0
y_test[y_test == -1] = 0
print(x_train.shape, x_test.shape, num_classes, np.bincount(y_train), np.bincount(y_test))

# %% Build a model


def make_model(input_shape):
    input_layer = keras.layers.Input(input_shape)

    conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)

    conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)

    conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)

    gap = keras.layers.GlobalAveragePooling1D()(conv3)

    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)

    return keras.models.Model(inputs=input_layer, outputs=output_layer)


model = make_model(input_shape=x_train.shape[1:])
model.summary()  # adapted: for keras.utils.plot_model(model, show_shapes=True)

# %% Train the model
epochs = 8  # adapted: 500 in the example
batch_size = 32

callbacks = [
    keras.callbacks.ModelCheckpoint(
        "best_model.h5", save_best_only=True, monitor="val_loss"
    ),
    keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=0.5, patience=2, min_lr=0.0001  # adapted: patience 20
    ),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, verbose=1),  # adapted: patience 50
]
model.compile(
    optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
seeded_weights(model)  # adapted: the same start in both frameworks
history = model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    callbacks=callbacks,
    validation_split=0.2,
    shuffle=False,  # adapted: the same batches in both frameworks
    verbose=0,  # adapted: no progress bar
)
print({k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
print("learning rate:", round(float(keras.backend.get_value(model.optimizer.learning_rate)), 6))
print("checkpoint:", os.path.exists("best_model.h5"))

# %% Evaluate model on test data
model = keras.models.load_model("best_model.h5")

y_pred = model.predict(x_test, verbose=0).argmax(axis=1)  # adapted: no progress bar

print("Test accuracy", accuracy_score(y_pred, y_test))
print("Test loss and accuracy:", np.round(model.evaluate(x_test, y_test, verbose=0), 4))  # adapted: added

# %% Plot the model's training and validation loss
metric = "accuracy"
# adapted: the plot's two curves, printed
print(metric, np.round(history.history[metric], 4), np.round(history.history["val_" + metric], 4))
