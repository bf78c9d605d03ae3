"""The Keras example "Timeseries anomaly detection using an Autoencoder" (keras.io, tf.keras 2), adapted for
chainrule.

Source: keras-team/keras-io, examples/timeseries/timeseries_anomaly_detection.py (pavithrasv, last modified
2020/05/31; the tf.keras 2 version: ``from tensorflow import keras``). The code is here in order. Adaptations:

* the two Numenta Anomaly Benchmark files read by ``pd.read_csv`` from GitHub (``art_daily_small_noise.csv``,
  ``art_daily_jumpsup.csv``; not in the shared datasets) are replaced by local files with the same
  ``timestamp,value`` layout written by ``guide_support.nab_daily_stand_in`` (made-up daily readings, the second
  with a jump up on its fourth day), 4 and 5 days long instead of 14; the example's own ``pd.read_csv(...,
  parse_dates=True, index_col="timestamp")`` reads them;
* the plots (matplotlib) are skipped: what they show is printed instead (the data's range, the histograms'
  extremes, the reconstruction of the first sequence);
* the model starts from ``seeded_weights``, and before training it prints its reconstruction of the first
  sequence and its training loss (Dropout is off outside training, so these are compared);
* ``fit`` runs 20 epochs instead of 50, with ``verbose=0`` (no progress bar); ``predict`` runs with
  ``verbose=0``;
* the model keeps the example's two ``Dropout(rate=0.2)`` layers, whose masks come from each framework's own
  random numbers: the training results, the threshold and the anomalies print as ``[varies]``, and what both
  frameworks find is checked instead (the samples holding the jump are anomalies, and the anomalous readings
  are the jump's and the one after it, which the example's slice ``anomalies[data_idx - TIME_STEPS + 1 :
  data_idx]`` leaves out of the check).

Run with chainrule: ``python timeseries_anomaly_detection.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
import pandas as pd
from guide_support import framework, nab_daily_stand_in, seeded_weights

tf, keras = framework()
layers = keras.layers
# (skipped: from matplotlib import pyplot as plt)

# %% Load the data
master_url_root = ""  # adapted: local stand-ins for "https://raw.githubusercontent.com/numenta/NAB/master/data/"

df_small_noise_url_suffix = "art_daily_small_noise.csv"  # adapted: "artificialNoAnomaly/" dropped
df_small_noise_url = master_url_root + df_small_noise_url_suffix
nab_daily_stand_in(df_small_noise_url, days=4, seed=0)  # adapted
df_small_noise = pd.read_csv(
    df_small_noise_url, parse_dates=True, index_col="timestamp"
)

df_daily_jumpsup_url_suffix = "art_daily_jumpsup.csv"  # adapted: "artificialWithAnomaly/" dropped
df_daily_jumpsup_url = master_url_root + df_daily_jumpsup_url_suffix
nab_daily_stand_in(df_daily_jumpsup_url, days=5, jump_day=3, seed=1)  # adapted
df_daily_jumpsup = pd.read_csv(
    df_daily_jumpsup_url, parse_dates=True, index_col="timestamp"
)

# %% Quick look at the data
print(df_small_noise.head())

print(df_daily_jumpsup.head())

# %% Visualize the data (adapted: the two plots, printed)
print(df_small_noise.describe().round(4))
print(df_daily_jumpsup.describe().round(4))

# %% Prepare training data

# Normalize and save the mean and std we get,
# for normalizing test data.
training_mean = df_small_noise.mean()
training_std = df_small_noise.std()
df_training_value = (df_small_noise - training_mean) / training_std
print("Number of training samples:", len(df_training_value))

# %% Create sequences
TIME_STEPS = 288


# Generated training sequences for use in the model.
def create_sequences(values, time_steps=TIME_STEPS):
    output = []
    for i in range(len(values) - time_steps + 1):
        output.append(values[i : (i + time_steps)])
    return np.stack(output)


x_train = create_sequences(df_training_value.values)
print("Training input shape: ", x_train.shape)

# %% Build a model
model = keras.Sequential(
    [
        layers.Input(shape=(x_train.shape[1], x_train.shape[2])),
        layers.Conv1D(
            filters=32, kernel_size=7, padding="same", strides=2, activation="relu"
        ),
        layers.Dropout(rate=0.2),
        layers.Conv1D(
            filters=16, kernel_size=7, padding="same", strides=2, activation="relu"
        ),
        layers.Conv1DTranspose(
            filters=16, kernel_size=7, padding="same", strides=2, activation="relu"
        ),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(
            filters=32, kernel_size=7, padding="same", strides=2, activation="relu"
        ),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
model.summary()

# adapted: the same start in both frameworks, checked before training
seeded_weights(model)
print(np.round(model.predict(x_train[:1], verbose=0)[0, :6, 0], 4))
print(round(model.evaluate(x_train, x_train, verbose=0), 4))

# %% Train the model
history = model.fit(
    x_train,
    x_train,
    epochs=20,  # adapted: 50 in the example
    batch_size=128,
    validation_split=0.1,
    callbacks=[
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, mode="min")
    ],
    verbose=0,  # adapted: no progress bar
)

# adapted: the plot of the training and validation loss, printed
print(sorted(history.history))
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
print("Validation loss below 0.1:", history.history["val_loss"][-1] < 0.1)

# %% Detecting anomalies
# Get train MAE loss.
x_train_pred = model.predict(x_train, verbose=0)  # adapted: verbose=0
train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)

# adapted: the histogram of the train MAE loss, printed
print(train_mae_loss.shape)

# Get reconstruction loss threshold.
threshold = np.max(train_mae_loss)
print("[varies] Reconstruction error threshold: ", threshold)
print("Reconstruction error threshold below 0.5:", threshold < 0.5)  # adapted: what both frameworks reach

# %% Compare recontruction
# Checking how the first sequence is learnt (adapted: the plot, printed)
print(x_train[0].shape, x_train_pred[0].shape)
print("[varies]", np.round(x_train_pred[0, :6, 0], 2))

# %% Prepare test data
df_test_value = (df_daily_jumpsup - training_mean) / training_std
# adapted: the plot of the normalized test data, printed
print(df_test_value.describe().round(4))

# Create sequences from test values.
x_test = create_sequences(df_test_value.values)
print("Test input shape: ", x_test.shape)

# Get test MAE loss.
x_test_pred = model.predict(x_test, verbose=0)  # adapted: verbose=0
test_mae_loss = np.mean(np.abs(x_test_pred - x_test), axis=1)
test_mae_loss = test_mae_loss.reshape((-1))

# adapted: the histogram of the test MAE loss, printed
print(test_mae_loss.shape)

# Detect all the samples which are anomalies.
anomalies = test_mae_loss > threshold
print("[varies] Number of anomaly samples: ", np.sum(anomalies))
print("[varies] Indices of anomaly samples: ", np.where(anomalies)[0].tolist())  # adapted: on one line
jump = np.arange(3 * 288 + 108, 3 * 288 + 156)  # adapted: the readings the stand-in raised
holds_jump = [i <= jump[-1] and i + TIME_STEPS - 1 >= jump[0] for i in np.where(anomalies)[0]]
print("Every sample holding the jump is an anomaly:", np.all(anomalies[jump[-1] - TIME_STEPS + 1:jump[-1] + 1]))
print("At least 90 % of the anomaly samples hold the jump:", np.mean(holds_jump) >= 0.9)

# %% Plot anomalies
# data i is an anomaly if samples [(i - timesteps + 1) to (i)] are anomalies
anomalous_data_indices = []
for data_idx in range(TIME_STEPS - 1, len(df_test_value) - TIME_STEPS + 1):
    if np.all(anomalies[data_idx - TIME_STEPS + 1 : data_idx]):
        anomalous_data_indices.append(data_idx)

df_subset = df_daily_jumpsup.iloc[anomalous_data_indices]
# adapted: the plot of the anomalies over the test data, printed
print("[varies]", df_subset.index.min(), df_subset.index.max(), len(df_subset))
print("The jump's readings are anomalous:", set(jump) <= set(anomalous_data_indices))
print("Anomalous readings outside the jump:", sorted(set(anomalous_data_indices) - set(jump)))
