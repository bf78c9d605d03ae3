"""The TensorFlow tutorial "Load CSV data" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/load_data/csv.ipynb (TF 2.21 docs). The code cells of its abalone,
Titanic and low-level (``tf.io.decode_csv``, ``CsvDataset``, ``TextLineDataset``) parts are here in order.
Adaptations:

* the abalone and Titanic CSVs (downloads; not in the shared datasets) are replaced by seeded stand-ins with
  the same columns (``guide_support.abalone_stand_in``: 1000 rows instead of 3320; ``titanic_stand_in``: 627
  rows, as the real file), written to the working folder; ``pd.read_csv`` and ``tf.keras.utils.get_file``
  are given their paths;
* pandas 3 reads text columns as its ``str`` dtype, which the tutorial's ``dtype == object`` test (written for
  pandas 1 and 2) does not recognize: ``future.infer_string`` is turned off so text columns are ``object``;
* each ``StringLookup``'s vocabulary is ``np.unique(...).tolist()``, not the numpy array: with the array,
  ``titanic_model.save('test.keras')`` fails in tf_keras 2.21, whose ``StringLookup.save_assets`` tests
  ``if self.input_vocabulary:`` (ambiguous truth value), and the tutorial's earlier ``save('test')`` (a
  SavedModel) fails there too (``'class' is not a valid parameter name``); chainrule saves either way;
* notebook cells that display a value print it; ``plot_model`` is skipped;
* the models start from ``seeded_weights`` (the Sequential abalone models are built for 7 features first);
  the array ``fit`` calls run with ``shuffle=False`` and ``verbose=0`` (the abalone fits 5 epochs instead of
  10, the Titanic one 10), their histories printed to 4 decimals;
* the shuffled ``titanic_batches`` fit and the batch of the shuffled ``make_csv_dataset``: each framework's
  own random order, so those lines print as ``[varies]`` (a batch's values as one list a line, never wrapped),
  with what does not depend on the order (the history's length and that the loss is finite; the batch's keys,
  dtypes and shapes);
* the Metro traffic (gzip) and fonts parts (downloads of 400 files, ``%%time`` cells, plots) are left out.

Run with chainrule: ``python load_csv.py``; the expected output was made with ``CHAINRULE_REFERENCE=tensorflow``
(see ``make_expected.py``).
"""
import os

from guide_support import abalone_stand_in, framework, seeded_weights, titanic_stand_in

tf, keras = framework()

# %% Setup
import pandas as pd  # noqa: E402
import numpy as np  # noqa: E402

# Make numpy values easier to read.
np.set_printoptions(precision=3, suppress=True)


pd.set_option("future.infer_string", False)  # adapted: text columns as object, as in pandas 1 and 2

# import tensorflow as tf  (framework() above)
layers = keras.layers  # from tensorflow.keras import layers

# %% In memory data
abalone_train = pd.read_csv(
    abalone_stand_in("abalone_train.csv"),  # adapted: a stand-in for the download
    names=["Length", "Diameter", "Height", "Whole weight", "Shucked weight",
           "Viscera weight", "Shell weight", "Age"])

print(abalone_train.head())

abalone_features = abalone_train.copy()
abalone_labels = abalone_features.pop('Age')

abalone_features = np.array(abalone_features)
print(abalone_features)

abalone_model = tf.keras.Sequential([
  layers.Dense(64, activation='relu'),
  layers.Dense(1)
])

abalone_model.compile(loss = tf.keras.losses.MeanSquaredError(),
                      optimizer = tf.keras.optimizers.Adam())

abalone_model.build((None, 7))  # adapted: built, to start from seeded weights
seeded_weights(abalone_model)
history = abalone_model.fit(abalone_features, abalone_labels, epochs=5,  # adapted: 5 epochs, not shuffled, quiet
                            shuffle=False, verbose=0)
print({k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

# %% Basic preprocessing
normalize = layers.Normalization()

normalize.adapt(abalone_features)
print("mean:", normalize.mean.numpy())  # added
print("variance:", normalize.variance.numpy())  # added

norm_abalone_model = tf.keras.Sequential([
  normalize,
  layers.Dense(64, activation='relu'),
  layers.Dense(1)
])

norm_abalone_model.compile(loss = tf.keras.losses.MeanSquaredError(),
                           optimizer = tf.keras.optimizers.Adam())

norm_abalone_model.build((None, 7))  # adapted: built, to start from seeded weights
seeded_weights(norm_abalone_model)
history = norm_abalone_model.fit(abalone_features, abalone_labels, epochs=5,  # adapted: 5 epochs, not shuffled,
                                 shuffle=False, verbose=0)  # quiet
print({k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

# %% Mixed data types
titanic = pd.read_csv(titanic_stand_in("train.csv"))  # adapted: a stand-in for the download
print(titanic.head())

titanic_features = titanic.copy()
titanic_labels = titanic_features.pop('survived')

# Create a symbolic input
input = tf.keras.Input(shape=(), dtype=tf.float32)

# Perform a calculation using the input
result = 2*input + 1

# the result doesn't have a value
print(result.shape, result.dtype)  # adapted: the notebook shows the KerasTensor

calc = tf.keras.Model(inputs=input, outputs=result)

print(calc(np.array([1])).numpy())
print(calc(np.array([2])).numpy())

inputs = {}

for name, column in titanic_features.items():
  dtype = column.dtype
  if dtype == object:  # noqa: E721 (the tutorial's test)
    dtype = tf.string
  else:
    dtype = tf.float32

  inputs[name] = tf.keras.Input(shape=(1,), name=name, dtype=dtype)

for name, input in inputs.items():  # adapted: the notebook shows the dict of KerasTensors
  print(name, input.shape, input.dtype)

numeric_inputs = {name:input for name,input in inputs.items()
                  if input.dtype==tf.float32}

x = layers.Concatenate()(list(numeric_inputs.values()))
norm = layers.Normalization()
norm.adapt(np.array(titanic[numeric_inputs.keys()]))
all_numeric_inputs = norm(x)

print(all_numeric_inputs.shape, all_numeric_inputs.dtype)  # adapted: the notebook shows the KerasTensor

preprocessed_inputs = [all_numeric_inputs]

for name, input in inputs.items():
  if input.dtype == tf.float32:
    continue

  lookup = layers.StringLookup(vocabulary=np.unique(titanic_features[name]).tolist())  # adapted: a list
  one_hot = layers.CategoryEncoding(num_tokens=lookup.vocabulary_size())

  x = lookup(input)
  x = one_hot(x)
  preprocessed_inputs.append(x)

preprocessed_inputs_cat = layers.Concatenate()(preprocessed_inputs)

titanic_preprocessing = tf.keras.Model(inputs, preprocessed_inputs_cat)

# tf.keras.utils.plot_model(model = titanic_preprocessing , rankdir="LR", dpi=72, show_shapes=True)  (skipped)

titanic_features_dict = {name: np.array(value)
                         for name, value in titanic_features.items()}

features_dict = {name:values[:1] for name, values in titanic_features_dict.items()}
print(titanic_preprocessing(features_dict))


def titanic_model(preprocessing_head, inputs):
  body = tf.keras.Sequential([
    layers.Dense(64, activation='relu'),
    layers.Dense(1)
  ])

  preprocessed_inputs = preprocessing_head(inputs)
  result = body(preprocessed_inputs)
  model = tf.keras.Model(inputs, result)

  model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                optimizer=tf.keras.optimizers.Adam())
  return model


titanic_model = titanic_model(titanic_preprocessing, inputs)
seeded_weights(titanic_model)  # added

history = titanic_model.fit(x=titanic_features_dict, y=titanic_labels, epochs=10,  # adapted: not shuffled, quiet
                            shuffle=False, verbose=0)
print({k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

titanic_model.save('test.keras')
reloaded = tf.keras.models.load_model('test.keras')

features_dict = {name:values[:1] for name, values in titanic_features_dict.items()}

before = titanic_model(features_dict)
after = reloaded(features_dict)
assert (before-after)<1e-3
print(before)
print(after)

# %% Using tf.data
import itertools  # noqa: E402


def slices(features):
  for i in itertools.count():
    # For each feature take index `i`
    example = {name:values[i] for name, values in features.items()}
    yield example


for example in slices(titanic_features_dict):
  for name, value in example.items():
    print(f"{name:19s}: {value}")
  break

features_ds = tf.data.Dataset.from_tensor_slices(titanic_features_dict)

for example in features_ds:
  for name, value in example.items():
    print(f"{name:19s}: {value}")
  break

titanic_ds = tf.data.Dataset.from_tensor_slices((titanic_features_dict, titanic_labels))

titanic_batches = titanic_ds.shuffle(len(titanic_labels)).batch(32)

history = titanic_model.fit(titanic_batches, epochs=5, verbose=0)  # adapted: quiet, the history printed
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
print(len(history.history["loss"]), all(np.isfinite(history.history["loss"])))

# %% From a single file
titanic_file_path = os.path.abspath("train.csv")  # adapted: the stand-in written above instead of
# tf.keras.utils.get_file("train.csv", "https://storage.googleapis.com/tf-datasets/titanic/train.csv")

titanic_csv_ds = tf.data.experimental.make_csv_dataset(
    titanic_file_path,
    batch_size=5, # Artificially small to make examples easier to show.
    label_name='survived',
    num_epochs=1,
    ignore_errors=True,)

for batch, label in titanic_csv_ds.take(1):
  for key, value in batch.items():
    print(f"[varies] {key:20s}: {value.numpy().tolist()}")  # adapted: a shuffled batch, on one line
    print(f"{key:20s}: {value.dtype.name} {value.shape}")  # added
  print()
  print(f"[varies] {'label':20s}: {label.numpy().tolist()}")
  print(f"{'label':20s}: {label.dtype.name} {label.shape}")  # added

# %% Lower level functions
import pathlib  # noqa: E402

text = pathlib.Path(titanic_file_path).read_text()
lines = text.split('\n')[1:-1]

all_strings = [str()]*10
print(all_strings)

features = tf.io.decode_csv(lines, record_defaults=all_strings)

for f in features:
  print(f"type: {f.dtype.name}, shape: {f.shape}")

print(lines[0])

titanic_types = [int(), str(), float(), int(), int(), float(), str(), str(), str(), str()]
print(titanic_types)

features = tf.io.decode_csv(lines, record_defaults=titanic_types)

for f in features:
  print(f"type: {f.dtype.name}, shape: {f.shape}")

simple_titanic = tf.data.experimental.CsvDataset(titanic_file_path, record_defaults=titanic_types, header=True)

for example in simple_titanic.take(1):
  print([e.numpy() for e in example])


def decode_titanic_line(line):
  return tf.io.decode_csv(line, titanic_types)


manual_titanic = (
    # Load the lines of text
    tf.data.TextLineDataset(titanic_file_path)
    # Skip the header row.
    .skip(1)
    # Decode the line.
    .map(decode_titanic_line)
)

for example in manual_titanic.take(1):
  print([e.numpy() for e in example])
