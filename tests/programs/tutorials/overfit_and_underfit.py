"""The TensorFlow tutorial "Overfit and underfit" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/keras/overfit_and_underfit.ipynb (TF 2.21 docs). The code cells
are here in order; bare expressions are printed. Adaptations:

* the HIGGS file (``tf.keras.utils.get_file('HIGGS.csv.gz', ...)``, 2.6 GB, not in the shared datasets) is
  replaced by ``guide_support.higgs_stand_in``: a gzipped CSV of the same 29 columns (label first, ``%.18e``
  numbers) with 2500 made-up rows from a seeded numpy generator, read by the tutorial's own
  ``tf.data.experimental.CsvDataset``; ``N_VALIDATION`` is 500 and ``N_TRAIN`` 2000 (the tutorial: 1000 and
  10000), so ``STEPS_PER_EPOCH`` is 4, and ``compile_and_fit`` runs 5 epochs instead of up to 10000;
* ``tensorflow_docs`` (``pip install git+https://github.com/tensorflow/docs``) cannot be installed offline:
  ``tfdocs.modeling.EpochDots`` is a copy of that class (tensorflow/docs, tools/tensorflow_docs/modeling),
  which prints the epoch-0 report and a dot an epoch, except that a report of a model with ``Dropout``
  starts with ``[varies]``; ``tfdocs.plots.HistoryPlotter`` and the other plots are skipped: each group of
  histories prints its last losses instead, and the learning-rate curve prints every tenth value;
* the training pipeline is not shuffled (``.shuffle(BUFFER_SIZE)`` dropped) and every model starts from
  ``seeded_weights``, so the models without dropout train the same in both frameworks and their histories
  are compared (4 decimals); the ``Dropout`` models' masks come from each framework's own random numbers,
  so their results print as ``[varies]``;
* the TensorBoard notebook magics (``%load_ext``, ``%tensorboard``) are skipped; the ``TensorBoard``
  callback still writes its logs to the temporary folder, and the folders it wrote are listed (one per
  model, each with ``train`` and ``validation``);
* the regularization loss of the "More info" cell is printed; the TensorFlow version prints as ``[varies]``.

Run with chainrule: ``CHAINRULE_DATA=... python overfit_and_underfit.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import pathlib
import shutil
import tempfile
import types

import numpy as np
from guide_support import framework, higgs_stand_in, seeded_weights

tf, keras = framework()
layers, regularizers = keras.layers, keras.regularizers

print("[varies]", tf.__version__)  # adapted: [varies]


# adapted: tensorflow_docs is not installable offline; its EpochDots, copied (the [varies] mark added)
class EpochDots(tf.keras.callbacks.Callback):
  """A simple callback that prints a "." every epoch, with occasional reports.

  Args:
    report_every: How many epochs between full reports
    dot_every: How many epochs between dots.
  """

  def __init__(self, report_every=100, dot_every=1):
    self.report_every = report_every
    self.dot_every = dot_every

  def on_epoch_end(self, epoch, logs):
    if epoch % self.report_every == 0:
      print()
      varies = any(isinstance(layer, layers.Dropout) for layer in self.model.layers)  # adapted
      print('[varies] ' * varies + 'Epoch: {:d}, '.format(epoch), end='')
      for name, value in sorted(logs.items()):
        print('{}:{:0.4f}'.format(name, value), end=',  ')
      print()

    if epoch % self.dot_every == 0:
      print('.', end='', flush=True)


tfdocs = types.SimpleNamespace(modeling=types.SimpleNamespace(EpochDots=EpochDots))

# (skipped: IPython.display and matplotlib)

logdir = pathlib.Path(tempfile.mkdtemp())/"tensorboard_logs"
shutil.rmtree(logdir, ignore_errors=True)


def last(histories, *metrics):  # adapted: printed instead of the plots
  return {name: {m: round(float(h.history[m][-1]), 4) for m in metrics} for name, h in histories.items()}


# %% The Higgs dataset
# adapted: a stand-in file, for tf.keras.utils.get_file('HIGGS.csv.gz', 'http://mlphysics.ics.uci.edu/...')
gz = higgs_stand_in(pathlib.Path(tempfile.mkdtemp())/'HIGGS.csv.gz', rows=2500)

FEATURES = 28

ds = tf.data.experimental.CsvDataset(gz,[float(),]*(FEATURES+1), compression_type="GZIP")


def pack_row(*row):
  label = row[0]
  features = tf.stack(row[1:],1)
  return features, label


packed_ds = ds.batch(10000).map(pack_row).unbatch()

for features,label in packed_ds.batch(1000).take(1):
  print(features[0])
  # (skipped: plt.hist of the features)
  print(np.histogram(features.numpy().flatten(), bins=5)[0])

N_VALIDATION = int(5e2)  # adapted: 500 and 2000 rows, not 1e3 and 1e4
N_TRAIN = int(2e3)
BUFFER_SIZE = int(1e4)
BATCH_SIZE = 500
STEPS_PER_EPOCH = N_TRAIN//BATCH_SIZE

validate_ds = packed_ds.take(N_VALIDATION).cache()
train_ds = packed_ds.skip(N_VALIDATION).take(N_TRAIN).cache()

print(train_ds)

validate_ds = validate_ds.batch(BATCH_SIZE)
train_ds = train_ds.repeat().batch(BATCH_SIZE)  # adapted: not shuffled

# %% Demonstrate overfitting: training procedure
lr_schedule = tf.keras.optimizers.schedules.InverseTimeDecay(
  0.001,
  decay_steps=STEPS_PER_EPOCH*1000,
  decay_rate=1,
  staircase=False)


def get_optimizer():
  return tf.keras.optimizers.Adam(lr_schedule)


step = np.linspace(0,100000)
lr = lr_schedule(step)
# (skipped: the plot of lr against step/STEPS_PER_EPOCH)
print(lr[::10])


def get_callbacks(name):
  return [
    tfdocs.modeling.EpochDots(),
    tf.keras.callbacks.EarlyStopping(monitor='val_binary_crossentropy', patience=200),
    tf.keras.callbacks.TensorBoard(logdir/name),
  ]


def compile_and_fit(model, name, optimizer=None, max_epochs=5):  # adapted: 5 epochs, not up to 10000
  if optimizer is None:
    optimizer = get_optimizer()
  model.compile(optimizer=optimizer,
                loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                metrics=[
                  tf.keras.metrics.BinaryCrossentropy(
                      from_logits=True, name='binary_crossentropy'),
                  'accuracy'])

  model.summary()
  seeded_weights(model)  # adapted: the same start in both frameworks

  history = model.fit(
    train_ds.map(lambda x, y: (x, tf.expand_dims(y, axis=-1))),
    steps_per_epoch = STEPS_PER_EPOCH,
    epochs=max_epochs,
    validation_data=validate_ds.map(lambda x, y: (x, tf.expand_dims(y, axis=-1))),
    callbacks=get_callbacks(name),
    verbose=0)
  print()  # adapted: ends the line of dots
  return history


# %% Tiny model
tiny_model = tf.keras.Sequential([
    layers.Dense(16, activation='elu', input_shape=(FEATURES,)),
    layers.Dense(1)
])

size_histories = {}

size_histories['Tiny'] = compile_and_fit(tiny_model, 'sizes/Tiny')

# (skipped: tfdocs.plots.HistoryPlotter(metric = 'binary_crossentropy', smoothing_std=10) and its plot)
print(last(size_histories, 'binary_crossentropy', 'val_binary_crossentropy'))

# %% Small model
small_model = tf.keras.Sequential([
    # `input_shape` is only required here so that `.summary` works.
    layers.Dense(16, activation='elu', input_shape=(FEATURES,)),
    layers.Dense(16, activation='elu'),
    layers.Dense(1)
])

size_histories['Small'] = compile_and_fit(small_model, 'sizes/Small')

# %% Medium model
medium_model = tf.keras.Sequential([
    layers.Dense(64, activation='elu', input_shape=(FEATURES,)),
    layers.Dense(64, activation='elu'),
    layers.Dense(64, activation='elu'),
    layers.Dense(1)
])

size_histories['Medium']  = compile_and_fit(medium_model, "sizes/Medium")

# %% Large model
large_model = tf.keras.Sequential([
    layers.Dense(512, activation='elu', input_shape=(FEATURES,)),
    layers.Dense(512, activation='elu'),
    layers.Dense(512, activation='elu'),
    layers.Dense(512, activation='elu'),
    layers.Dense(1)
])

size_histories['large'] = compile_and_fit(large_model, "sizes/large")

# %% Plot the training and validation losses
# (skipped: plotter.plot(size_histories) on a log scale)
print(last(size_histories, 'binary_crossentropy', 'val_binary_crossentropy', 'accuracy', 'val_accuracy'))

# %% View in TensorBoard
# (skipped: %load_ext tensorboard, %tensorboard --logdir {logdir}/sizes; the folders it would show instead)
print(sorted(p.name for p in (logdir/'sizes').iterdir()))

# %% Strategies to prevent overfitting
shutil.rmtree(logdir/'regularizers/Tiny', ignore_errors=True)
shutil.copytree(logdir/'sizes/Tiny', logdir/'regularizers/Tiny')
print(sorted(p.name for p in (logdir/'regularizers/Tiny').iterdir()))  # adapted: what the callback wrote

regularizer_histories = {}
regularizer_histories['Tiny'] = size_histories['Tiny']

# %% Add weight regularization
l2_model = tf.keras.Sequential([
    layers.Dense(512, activation='elu',
                 kernel_regularizer=regularizers.l2(0.001),
                 input_shape=(FEATURES,)),
    layers.Dense(512, activation='elu',
                 kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(512, activation='elu',
                 kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(512, activation='elu',
                 kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(1)
])

regularizer_histories['l2'] = compile_and_fit(l2_model, "regularizers/l2")

# (skipped: plotter.plot(regularizer_histories))
print(last(regularizer_histories, 'binary_crossentropy', 'val_binary_crossentropy', 'loss'))

# %% More info
result = l2_model(features)
regularization_loss=tf.add_n(l2_model.losses)
print(round(float(regularization_loss), 4), result.shape)  # adapted: printed

# %% Add dropout
dropout_model = tf.keras.Sequential([
    layers.Dense(512, activation='elu', input_shape=(FEATURES,)),
    layers.Dropout(0.5),
    layers.Dense(512, activation='elu'),
    layers.Dropout(0.5),
    layers.Dense(512, activation='elu'),
    layers.Dropout(0.5),
    layers.Dense(512, activation='elu'),
    layers.Dropout(0.5),
    layers.Dense(1)
])

regularizer_histories['dropout'] = compile_and_fit(dropout_model, "regularizers/dropout")

# (skipped: plotter.plot(regularizer_histories))
print("[varies]", last({'dropout': regularizer_histories['dropout']}, 'binary_crossentropy', 'val_binary_crossentropy'))

# %% Combined L2 + dropout
combined_model = tf.keras.Sequential([
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                 activation='elu', input_shape=(FEATURES,)),
    layers.Dropout(0.5),
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                 activation='elu'),
    layers.Dropout(0.5),
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                 activation='elu'),
    layers.Dropout(0.5),
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001),
                 activation='elu'),
    layers.Dropout(0.5),
    layers.Dense(1)
])

regularizer_histories['combined'] = compile_and_fit(combined_model, "regularizers/combined")

# (skipped: plotter.plot(regularizer_histories))
print("[varies]", last({'combined': regularizer_histories['combined']}, 'binary_crossentropy',
                       'val_binary_crossentropy'))
print({name: len(h.history['loss']) for name, h in regularizer_histories.items()})

# %% View in TensorBoard
# (skipped: %tensorboard --logdir {logdir}/regularizers; the folders it would show instead)
print(sorted(p.name for p in (logdir/'regularizers').iterdir()))
