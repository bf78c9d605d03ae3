"""The TensorFlow guide "Quickstart for the TensorFlow Core APIs", adapted for chainrule.

Source: tensorflow/docs, site/en/guide/core/quickstart_core.ipynb (TF 2.21 docs). The code cells are here in
order; bare expressions are printed. Adaptations:

* the Auto MPG file comes from ``tf.keras.utils.get_file('auto-mpg.data', url)`` instead of ``pd.read_csv(url)``
  (chainrule finds it in ``$CHAINRULE_DATA``; ``make_expected.py`` links it into TensorFlow's cache), the UCI
  file the guide downloads, byte-identical;
* the split's shuffle is a seeded numpy permutation taken with ``tf.gather`` instead of
  ``tf.random.shuffle(dataset_tf, seed=22)``, and the model's first weights are seeded numpy numbers instead
  of ``tf.random.uniform`` (the frameworks' random streams differ), so both frameworks fit the same rows from
  the same start;
* the ``tf.data`` pipelines are not shuffled (``.shuffle(buffer_size=...)`` dropped), so the batches, and
  with them the 500 plain gradient-descent steps and the printed losses, are the same in both frameworks;
* the matplotlib plot is skipped; the SavedModel is written to a temporary folder as in the guide.

Run with chainrule: ``CHAINRULE_DATA=... python quickstart_core.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import os

import numpy as np

if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
    import tensorflow as tf
else:
    import chainrule as tf

# %% Setup
import pandas as pd
print("[varies] TensorFlow version:", tf.__version__)
# Set a random seed for reproducible results
tf.random.set_seed(22)

# %% Load and preprocess the dataset
url = 'http://archive.ics.uci.edu/ml/machine-learning-databases/auto-mpg/auto-mpg.data'
url = tf.keras.utils.get_file('auto-mpg.data', url)  # adapted: the UCI file, found locally
column_names = ['MPG', 'Cylinders', 'Displacement', 'Horsepower', 'Weight',
                'Acceleration', 'Model Year', 'Origin']

dataset = pd.read_csv(url, names=column_names, na_values='?', comment='\t',
                          sep=' ', skipinitialspace=True)

dataset = dataset.dropna()
dataset_tf = tf.convert_to_tensor(dataset, dtype=tf.float32)
print(dataset.tail())

# adapted: a seeded numpy permutation instead of tf.random.shuffle(dataset_tf, seed=22)
dataset_shuffled = tf.gather(dataset_tf, np.random.RandomState(22).permutation(dataset_tf.shape[0]))
train_data, test_data = dataset_shuffled[100:], dataset_shuffled[:100]
x_train, y_train = train_data[:, 1:], train_data[:, 0]
x_test, y_test = test_data[:, 1:], test_data[:, 0]


def onehot_origin(x):
  origin = tf.cast(x[:, -1], tf.int32)
  # Use `origin - 1` to account for 1-indexed feature
  origin_oh = tf.one_hot(origin - 1, 3)
  x_ohe = tf.concat([x[:, :-1], origin_oh], axis = 1)
  return x_ohe

x_train_ohe, x_test_ohe = onehot_origin(x_train), onehot_origin(x_test)
print(x_train_ohe.numpy())


class Normalize(tf.Module):
  def __init__(self, x):
    # Initialize the mean and standard deviation for normalization
    self.mean = tf.math.reduce_mean(x, axis=0)
    self.std = tf.math.reduce_std(x, axis=0)

  def norm(self, x):
    # Normalize the input
    return (x - self.mean)/self.std

  def unnorm(self, x):
    # Unnormalize the input
    return (x * self.std) + self.mean

norm_x = Normalize(x_train_ohe)
norm_y = Normalize(y_train)
x_train_norm, y_train_norm = norm_x.norm(x_train_ohe), norm_y.norm(y_train)
x_test_norm, y_test_norm = norm_x.norm(x_test_ohe), norm_y.norm(y_test)

# %% Build a machine learning model
rng = np.random.RandomState(22)  # adapted: the first weights for both frameworks


class LinearRegression(tf.Module):

  def __init__(self):
    self.built = False

  @tf.function
  def __call__(self, x):
    # Initialize the model parameters on the first call
    if not self.built:
      # Randomly generate the weight vector and bias term
      rand_w = tf.constant(rng.uniform(size=[x.shape[-1], 1]).astype(np.float32))  # adapted: tf.random.uniform
      rand_b = tf.constant(rng.uniform(size=[]).astype(np.float32))  # adapted: tf.random.uniform
      self.w = tf.Variable(rand_w)
      self.b = tf.Variable(rand_b)
      self.built = True
    y = tf.add(tf.matmul(x, self.w), self.b)
    return tf.squeeze(y, axis=1)

lin_reg = LinearRegression()
prediction = lin_reg(x_train_norm[:1])
prediction_unnorm = norm_y.unnorm(prediction)
print(prediction_unnorm.numpy())

# %% Define a loss function
def mse_loss(y_pred, y):
  return tf.reduce_mean(tf.square(y_pred - y))

# %% Train and evaluate your model
batch_size = 64
train_dataset = tf.data.Dataset.from_tensor_slices((x_train_norm, y_train_norm))
train_dataset = train_dataset.batch(batch_size)  # adapted: not shuffled
test_dataset = tf.data.Dataset.from_tensor_slices((x_test_norm, y_test_norm))
test_dataset = test_dataset.batch(batch_size)  # adapted: not shuffled

# Set training parameters
epochs = 100
learning_rate = 0.01
train_losses, test_losses = [], []

# Format training loop
for epoch in range(epochs):
  batch_losses_train, batch_losses_test = [], []

  # Iterate through the training data
  for x_batch, y_batch in train_dataset:
    with tf.GradientTape() as tape:
      y_pred_batch = lin_reg(x_batch)
      batch_loss = mse_loss(y_pred_batch, y_batch)
    # Update parameters with respect to the gradient calculations
    grads = tape.gradient(batch_loss, lin_reg.variables)
    for g,v in zip(grads, lin_reg.variables):
      v.assign_sub(learning_rate * g)
    # Keep track of batch-level training performance
    batch_losses_train.append(batch_loss)

  # Iterate through the testing data
  for x_batch, y_batch in test_dataset:
    y_pred_batch = lin_reg(x_batch)
    batch_loss = mse_loss(y_pred_batch, y_batch)
    # Keep track of batch-level testing performance
    batch_losses_test.append(batch_loss)

  # Keep track of epoch-level model performance
  train_loss = tf.reduce_mean(batch_losses_train)
  test_loss = tf.reduce_mean(batch_losses_test)
  train_losses.append(train_loss)
  test_losses.append(test_loss)
  if epoch % 10 == 0:
    print(f'Mean squared error for step {epoch}: {train_loss.numpy():0.3f}')

# Output final losses
print(f"\nFinal train loss: {train_loss:0.3f}")
print(f"Final test loss: {test_loss:0.3f}")

# (skipped: the plot of train_losses and test_losses)

# %% Save and load the model
class ExportModule(tf.Module):
  def __init__(self, model, extract_features, norm_x, norm_y):
    # Initialize pre and postprocessing functions
    self.model = model
    self.extract_features = extract_features
    self.norm_x = norm_x
    self.norm_y = norm_y

  @tf.function(input_signature=[tf.TensorSpec(shape=[None, None], dtype=tf.float32)])
  def __call__(self, x):
    # Run the ExportModule for new data points
    x = self.extract_features(x)
    x = self.norm_x.norm(x)
    y = self.model(x)
    y = self.norm_y.unnorm(y)
    return y

lin_reg_export = ExportModule(model=lin_reg,
                              extract_features=onehot_origin,
                              norm_x=norm_x,
                              norm_y=norm_y)

import tempfile
import os

models = tempfile.mkdtemp()
save_path = os.path.join(models, 'lin_reg_export')
tf.saved_model.save(lin_reg_export, save_path)

lin_reg_loaded = tf.saved_model.load(save_path)
test_preds = lin_reg_loaded(x_test)
print(test_preds[:10].numpy())
