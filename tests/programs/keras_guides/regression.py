"""The TensorFlow tutorial "Basic regression: Predict fuel efficiency" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/keras/regression.ipynb (TF 2.21 docs). The code cells are here in
order; bare expressions are printed. Adaptations:

* the Auto MPG file is read from ``$CHAINRULE_DATA/auto_mpg/auto-mpg.data`` (the UCI file the tutorial
  downloads, byte-identical);
* the plots (matplotlib, seaborn) are skipped and the ``%%time`` cells are not timed;
* every model starts from ``seeded_weights`` (numpy-drawn) and ``fit`` runs with ``shuffle=False``, so both
  frameworks train the same way; losses and predictions print to 4 decimals (3 in the tables);
* the DNN is saved to the SavedModel directory ``dnn_model`` instead of ``dnn_model.keras``: tf.keras 2.21
  rebuilds an adapted Normalization from a ``.keras`` file for inputs of shape (None, None) and fails
  ("All `axis` values to be kept must have known shape"); its SavedModel directory works (chainrule
  reloads both).

Run with chainrule: ``CHAINRULE_DATA=... python regression.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import os

import numpy as np
import pandas as pd
from guide_support import framework, seeded_weights

np.set_printoptions(precision=3, suppress=True)

tf, keras = framework()
layers = keras.layers

print("[varies]", tf.__version__)

# %% The Auto MPG dataset
url = os.path.join(os.environ["CHAINRULE_DATA"], "auto_mpg", "auto-mpg.data")  # adapted: the UCI file, local
column_names = ['MPG', 'Cylinders', 'Displacement', 'Horsepower', 'Weight',
                'Acceleration', 'Model Year', 'Origin']

raw_dataset = pd.read_csv(url, names=column_names,
                          na_values='?', comment='\t',
                          sep=' ', skipinitialspace=True)

dataset = raw_dataset.copy()
print(dataset.tail())

print(dataset.isna().sum())

dataset = dataset.dropna()

dataset['Origin'] = dataset['Origin'].map({1: 'USA', 2: 'Europe', 3: 'Japan'})

dataset = pd.get_dummies(dataset, columns=['Origin'], prefix='', prefix_sep='', dtype=float)
print(dataset.tail())

train_dataset = dataset.sample(frac=0.8, random_state=0)
test_dataset = dataset.drop(train_dataset.index)

# (skipped: sns.pairplot(...))

print(train_dataset.describe().transpose())

train_features = train_dataset.copy()
test_features = test_dataset.copy()

train_labels = train_features.pop('MPG')
test_labels = test_features.pop('MPG')

# %% Normalization
print(train_dataset.describe().transpose()[['mean', 'std']])

normalizer = tf.keras.layers.Normalization(axis=-1)

normalizer.adapt(np.array(train_features))

print(normalizer.mean.numpy())

first = np.array(train_features[:1])

with np.printoptions(precision=2, suppress=True):
  print('First example:', first)
  print()
  print('Normalized:', normalizer(first).numpy())

# %% Linear regression with one variable
horsepower = np.array(train_features['Horsepower'])

horsepower_normalizer = layers.Normalization(input_shape=[1,], axis=None)
horsepower_normalizer.adapt(horsepower)

horsepower_model = tf.keras.Sequential([
    horsepower_normalizer,
    layers.Dense(units=1)
])

horsepower_model.summary()
seeded_weights(horsepower_model)  # adapted: the same start in both frameworks

print(horsepower_model.predict(horsepower[:10], verbose=0))

horsepower_model.compile(
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
    loss='mean_absolute_error')

history = horsepower_model.fit(
    train_features['Horsepower'],
    train_labels,
    epochs=100,
    # Suppress logging.
    verbose=0,
    # Calculate validation results on 20% of the training data.
    validation_split = 0.2,
    shuffle=False)

hist = pd.DataFrame(history.history)
hist['epoch'] = history.epoch
print(hist.tail().round(4))

# (skipped: plot_loss(history))

test_results = {}

test_results['horsepower_model'] = horsepower_model.evaluate(
    test_features['Horsepower'],
    test_labels, verbose=0)

x = tf.linspace(0.0, 250, 251)
y = horsepower_model.predict(x, verbose=0)
print(np.round(y[::50, 0], 4))

# (skipped: plot_horsepower(x, y))

# %% Linear regression with multiple inputs
linear_model = tf.keras.Sequential([
    normalizer,
    layers.Dense(units=1)
])
linear_model.predict(train_features[:10], verbose=0)
seeded_weights(linear_model)  # adapted: after the first predict has built the model
print(linear_model.predict(train_features[:10], verbose=0))

print(linear_model.layers[1].kernel.numpy())

linear_model.compile(
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
    loss='mean_absolute_error')

history = linear_model.fit(
    train_features,
    train_labels,
    epochs=100,
    # Suppress logging.
    verbose=0,
    # Calculate validation results on 20% of the training data.
    validation_split = 0.2,
    shuffle=False)

print([round(history.history[k][-1], 4) for k in ('loss', 'val_loss')])

test_results['linear_model'] = linear_model.evaluate(
    test_features, test_labels, verbose=0)


# %% Regression with a deep neural network (DNN)
def build_and_compile_model(norm):
  model = keras.Sequential([
      norm,
      layers.Dense(64, activation='relu'),
      layers.Dense(64, activation='relu'),
      layers.Dense(1)
  ])

  model.compile(loss='mean_absolute_error',
                optimizer=tf.keras.optimizers.Adam(0.001))
  return model


dnn_horsepower_model = build_and_compile_model(horsepower_normalizer)

dnn_horsepower_model.summary()
seeded_weights(dnn_horsepower_model)

history = dnn_horsepower_model.fit(
    train_features['Horsepower'],
    train_labels,
    validation_split=0.2,
    verbose=0, epochs=100, shuffle=False)

print([round(history.history[k][-1], 4) for k in ('loss', 'val_loss')])

x = tf.linspace(0.0, 250, 251)
y = dnn_horsepower_model.predict(x, verbose=0)
print(np.round(y[::50, 0], 3))

test_results['dnn_horsepower_model'] = dnn_horsepower_model.evaluate(
    test_features['Horsepower'], test_labels,
    verbose=0)

dnn_model = build_and_compile_model(normalizer)
dnn_model.summary()
seeded_weights(dnn_model)

history = dnn_model.fit(
    train_features,
    train_labels,
    validation_split=0.2,
    verbose=0, epochs=100, shuffle=False)

print([round(history.history[k][-1], 4) for k in ('loss', 'val_loss')])

test_results['dnn_model'] = dnn_model.evaluate(test_features, test_labels, verbose=0)

# %% Performance
print(pd.DataFrame(test_results, index=['Mean absolute error [MPG]']).T.round(3))

test_predictions = dnn_model.predict(test_features, verbose=0).flatten()
print(np.round(test_predictions[:5], 3))

# (skipped: the scatter plot and the error histogram)
error = test_predictions - test_labels
print(round(float(np.mean(np.abs(error))), 3))

dnn_model.save('dnn_model')  # adapted: tf.keras 2.21 cannot reload this model from 'dnn_model.keras' (see header)

reloaded = tf.keras.models.load_model('dnn_model')

test_results['reloaded'] = reloaded.evaluate(
    test_features, test_labels, verbose=0)

print(pd.DataFrame(test_results, index=['Mean absolute error [MPG]']).T.round(3))
