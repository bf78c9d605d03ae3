"""The TensorFlow tutorial "Intro to Autoencoders" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/generative/autoencoder.ipynb (TF 2.21 docs). The code cells are here
in order; bare expressions are printed. Adaptations:

* Fashion-MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``fashion_mnist.load_data()``: the first 3000 training and 500 test images for the basic autoencoder, the
  first 1000 and 200 for the denoising one (the tutorial: 60000 and 10000);
* the noise added for denoising is drawn by numpy (seeded) and made a Tensor with ``tf.constant``, instead of
  ``tf.random.normal`` (each framework's own random numbers);
* the ECG5000 download (``ecg.csv``, not in the shared datasets) is replaced by ``guide_support.ecg_stand_in``:
  a CSV of the same shape (4998 rows of 140 readings and the 0/1 label, no header) of made-up seeded beats,
  read with pandas as in the tutorial;
* each model is built by one call on two test samples and started from ``seeded_weights`` (numpy-drawn), and
  ``fit`` runs with ``shuffle=False`` and ``verbose=0`` (its history printed to 4 decimals): 3 epochs instead
  of 10 for the basic autoencoder, 2 instead of 10 for the denoising one, the tutorial's 20 for the anomaly
  detector; none has dropout, so the trainings are deterministic and compared;
* the plots (matplotlib) are skipped: a few rounded numbers of what they show are printed instead.

Run with chainrule: ``CHAINRULE_DATA=... python autoencoder.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Import TensorFlow and other libraries
# (skipped: import matplotlib.pyplot as plt)
import numpy as np
import pandas as pd
from guide_support import ecg_stand_in, framework, load_mnist, seeded_weights
from sklearn.metrics import accuracy_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

tf, keras = framework()
layers, losses = keras.layers, keras.losses
Model = keras.models.Model


def rounded(history):
  return {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()}


# %% Load the dataset
(x_train, _), (x_test, _) = load_mnist(3000, 500, name="fashion_mnist")  # adapted: local, fewer images

x_train = x_train.astype('float32') / 255.
x_test = x_test.astype('float32') / 255.

print (x_train.shape)
print (x_test.shape)


# %% First example: Basic autoencoder
class Autoencoder(Model):
  def __init__(self, latent_dim, shape):
    super(Autoencoder, self).__init__()
    self.latent_dim = latent_dim
    self.shape = shape
    self.encoder = tf.keras.Sequential([
      layers.Flatten(),
      layers.Dense(latent_dim, activation='relu'),
    ])
    self.decoder = tf.keras.Sequential([
      layers.Dense(tf.math.reduce_prod(shape).numpy(), activation='sigmoid'),
      layers.Reshape(shape)
    ])

  def call(self, x):
    encoded = self.encoder(x)
    decoded = self.decoder(encoded)
    return decoded


shape = x_test.shape[1:]
latent_dim = 64
autoencoder = Autoencoder(latent_dim, shape)

autoencoder.compile(optimizer='adam', loss=losses.MeanSquaredError())

autoencoder(x_test[:2])  # adapted: built by one call, then the same start in both frameworks
seeded_weights(autoencoder)
print(np.round(autoencoder.predict(x_test[:2], verbose=0)[:, 10, 10:15], 4))

history = autoencoder.fit(x_train, x_train,  # adapted: the history kept and printed
                epochs=3,  # adapted: 3 epochs, not shuffled, quiet
                shuffle=False,
                validation_data=(x_test, x_test), verbose=0)
print(rounded(history))

encoded_imgs = autoencoder.encoder(x_test).numpy()
decoded_imgs = autoencoder.decoder(encoded_imgs).numpy()

# (skipped: the plot of 10 originals and reconstructions; their shapes and mean pixels instead)
n = 10
print(encoded_imgs.shape, decoded_imgs.shape)
print(np.round(decoded_imgs[:n].mean(axis=(1, 2)), 4))

# %% Second example: Image denoising
(x_train, _), (x_test, _) = load_mnist(1000, 200, name="fashion_mnist")  # adapted: local, fewer images

x_train = x_train.astype('float32') / 255.
x_test = x_test.astype('float32') / 255.

x_train = x_train[..., tf.newaxis]
x_test = x_test[..., tf.newaxis]

print(x_train.shape)

noise_factor = 0.2
rng = np.random.RandomState(0)  # adapted: numpy's draws in both frameworks, for tf.random.normal(shape=...)
x_train_noisy = x_train + noise_factor * tf.constant(rng.standard_normal(x_train.shape), tf.float32)
x_test_noisy = x_test + noise_factor * tf.constant(rng.standard_normal(x_test.shape), tf.float32)

x_train_noisy = tf.clip_by_value(x_train_noisy, clip_value_min=0., clip_value_max=1.)
x_test_noisy = tf.clip_by_value(x_test_noisy, clip_value_min=0., clip_value_max=1.)

# (skipped: the plot of 10 noisy images; their shape and mean pixels instead)
n = 10
print(tf.squeeze(x_test_noisy[0]).shape, np.round(np.mean(x_test_noisy[:n], axis=(1, 2, 3)), 4))


# %% Define a convolutional autoencoder
class Denoise(Model):
  def __init__(self):
    super(Denoise, self).__init__()
    self.encoder = tf.keras.Sequential([
      layers.Input(shape=(28, 28, 1)),
      layers.Conv2D(16, (3, 3), activation='relu', padding='same', strides=2),
      layers.Conv2D(8, (3, 3), activation='relu', padding='same', strides=2)])

    self.decoder = tf.keras.Sequential([
      layers.Conv2DTranspose(8, kernel_size=3, strides=2, activation='relu', padding='same'),
      layers.Conv2DTranspose(16, kernel_size=3, strides=2, activation='relu', padding='same'),
      layers.Conv2D(1, kernel_size=(3, 3), activation='sigmoid', padding='same')])

  def call(self, x):
    encoded = self.encoder(x)
    decoded = self.decoder(encoded)
    return decoded

autoencoder = Denoise()

autoencoder.compile(optimizer='adam', loss=losses.MeanSquaredError())

autoencoder(x_test_noisy[:2])  # adapted: built by one call, then the same start in both frameworks
seeded_weights(autoencoder)
print(np.round(autoencoder.predict(x_test_noisy[:2], verbose=0)[:, 10, 10:15, 0], 4))

history = autoencoder.fit(x_train_noisy, x_train,  # adapted: the history kept and printed
                epochs=2,  # adapted: 2 epochs, not shuffled, quiet
                shuffle=False,
                validation_data=(x_test_noisy, x_test), verbose=0)
print(rounded(history))

autoencoder.encoder.summary()

autoencoder.decoder.summary()

encoded_imgs = autoencoder.encoder(x_test_noisy).numpy()
decoded_imgs = autoencoder.decoder(encoded_imgs).numpy()

# (skipped: the plot of 10 noisy images and their reconstructions; the reconstructions' mean pixels instead)
n = 10
print(encoded_imgs.shape, tf.squeeze(decoded_imgs[0]).shape)
print(np.round(decoded_imgs[:n].mean(axis=(1, 2, 3)), 4))

# %% Third example: Anomaly detection
# Download the dataset
# adapted: a stand-in of the same shape, for 'http://storage.googleapis.com/download.tensorflow.org/data/ecg.csv'
dataframe = pd.read_csv(ecg_stand_in('ecg.csv'), header=None)
raw_data = dataframe.values
print(dataframe.head())

# The last element contains the labels
labels = raw_data[:, -1]

# The other data points are the electrocadriogram data
data = raw_data[:, 0:-1]

train_data, test_data, train_labels, test_labels = train_test_split(
    data, labels, test_size=0.2, random_state=21
)

min_val = tf.reduce_min(train_data)
max_val = tf.reduce_max(train_data)

train_data = (train_data - min_val) / (max_val - min_val)
test_data = (test_data - min_val) / (max_val - min_val)

train_data = tf.cast(train_data, tf.float32)
test_data = tf.cast(test_data, tf.float32)

train_labels = train_labels.astype(bool)
test_labels = test_labels.astype(bool)

normal_train_data = train_data[train_labels]
normal_test_data = test_data[test_labels]

anomalous_train_data = train_data[~train_labels]
anomalous_test_data = test_data[~test_labels]

# (skipped: the plots of a normal and an anomalous ECG; the shapes and first readings instead)
print(normal_train_data.shape, normal_test_data.shape, anomalous_train_data.shape, anomalous_test_data.shape)
print(np.round(normal_train_data[0][:5], 4), np.round(anomalous_train_data[0][:5], 4))


# %% Build the model
class AnomalyDetector(Model):
  def __init__(self):
    super(AnomalyDetector, self).__init__()
    self.encoder = tf.keras.Sequential([
      layers.Dense(32, activation="relu"),
      layers.Dense(16, activation="relu"),
      layers.Dense(8, activation="relu")])

    self.decoder = tf.keras.Sequential([
      layers.Dense(16, activation="relu"),
      layers.Dense(32, activation="relu"),
      layers.Dense(140, activation="sigmoid")])

  def call(self, x):
    encoded = self.encoder(x)
    decoded = self.decoder(encoded)
    return decoded

autoencoder = AnomalyDetector()

autoencoder.compile(optimizer='adam', loss='mae')

autoencoder(test_data[:2])  # adapted: built by one call, then the same start in both frameworks
seeded_weights(autoencoder)

history = autoencoder.fit(normal_train_data, normal_train_data,
          epochs=20,
          batch_size=512,
          validation_data=(test_data, test_data),
          shuffle=False, verbose=0)  # adapted: not shuffled, quiet

# (skipped: the plot of the training and validation losses; the history instead)
print(rounded(history))

encoded_data = autoencoder.encoder(normal_test_data).numpy()
decoded_data = autoencoder.decoder(encoded_data).numpy()

# (skipped: the plot of a normal test ECG, its reconstruction and the error; the mean error instead)
print(round(float(np.mean(np.abs(decoded_data[0] - normal_test_data[0]))), 4))

encoded_data = autoencoder.encoder(anomalous_test_data).numpy()
decoded_data = autoencoder.decoder(encoded_data).numpy()

# (skipped: the same plot for an anomalous test ECG)
print(round(float(np.mean(np.abs(decoded_data[0] - anomalous_test_data[0]))), 4))

# %% Detect anomalies
reconstructions = autoencoder.predict(normal_train_data, verbose=0)  # adapted: verbose=0 (timings)
train_loss = tf.keras.losses.mae(reconstructions, normal_train_data)

# (skipped: the histogram of the training losses; its shape and range instead)
print(train_loss.shape, round(float(np.min(train_loss)), 4), round(float(np.max(train_loss)), 4))

threshold = np.mean(train_loss) + np.std(train_loss)
print("Threshold: ", threshold)

reconstructions = autoencoder.predict(anomalous_test_data, verbose=0)  # adapted: verbose=0 (timings)
test_loss = tf.keras.losses.mae(reconstructions, anomalous_test_data)

# (skipped: the histogram of the anomalous test losses; how many are above the threshold instead)
print(test_loss.shape, int(np.sum(test_loss > threshold)))


def predict(model, data, threshold):
  reconstructions = model(data)
  loss = tf.keras.losses.mae(reconstructions, data)
  return tf.math.less(loss, threshold)

def print_stats(predictions, labels):
  print("Accuracy = {}".format(accuracy_score(labels, predictions)))
  print("Precision = {}".format(precision_score(labels, predictions)))
  print("Recall = {}".format(recall_score(labels, predictions)))

preds = predict(autoencoder, test_data, threshold)
print_stats(preds, test_labels)
