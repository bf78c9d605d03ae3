"""The TensorFlow guide "Introduction to modules, layers, and models", adapted for chainrule.

Source: tensorflow/docs, site/en/guide/intro_to_modules.ipynb (TF 2.21 docs). The code cells are here in
order; bare expressions are printed. Adaptations: random initial weights are set from a seeded numpy
generator (both frameworks then print the same numbers); the ``%load_ext``/``%tensorboard``/``!ls`` cells and
the profiler cell are skipped (notebook magics, a profiler); files are written to a temporary folder.
chainrule's checkpoint and SavedModel files have TensorFlow's names but their own content, so the directory
listings print only the names both write; Keras variables print without their name scopes (tf.keras 2 creates
them under the layers' scopes: ``the_model/flexible_dense/w:0``); the subclassed Keras model is saved to a
SavedModel directory rather than a ``.keras`` file (chainrule writes a model without ``get_config`` only to a
directory).

Run with chainrule: ``python intro_to_modules.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow python intro_to_modules.py`` (see ``make_expected.py``).
"""
import os
import tempfile
from datetime import datetime

import numpy as np

if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
    import tensorflow as tf
else:
    import chainrule as tf

os.chdir(tempfile.mkdtemp())
rng = np.random.RandomState(0)


def random_normal(shape):
  """Adapted: the guide uses tf.random.normal(shape); this draws the same numbers in both frameworks."""
  return tf.constant(rng.standard_normal(shape).astype(np.float32))


# %% Defining models and layers in TensorFlow
class SimpleModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.a_variable = tf.Variable(5.0, name="train_me")
    self.non_trainable_variable = tf.Variable(5.0, trainable=False, name="do_not_train_me")
  def __call__(self, x):
    return self.a_variable * x + self.non_trainable_variable

simple_module = SimpleModule(name="simple")

print(repr(simple_module(tf.constant(5.0))))

# All trainable variables
print("trainable variables:", simple_module.trainable_variables)
# Every variable
print("all variables:", simple_module.variables)


class Dense(tf.Module):
  def __init__(self, in_features, out_features, name=None):
    super().__init__(name=name)
    self.w = tf.Variable(
      random_normal([in_features, out_features]), name='w')
    self.b = tf.Variable(tf.zeros([out_features]), name='b')
  def __call__(self, x):
    y = tf.matmul(x, self.w) + self.b
    return tf.nn.relu(y)


class SequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)

    self.dense_1 = Dense(in_features=3, out_features=3)
    self.dense_2 = Dense(in_features=3, out_features=2)

  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

# You have made a model!
my_model = SequentialModule(name="the_model")

# Call it, with random results
print("Model results:", my_model(tf.constant([[2.0, 2.0, 2.0]])))

print("Submodules:", [m.name for m in my_model.submodules])   # adapted: TF prints object addresses

for var in my_model.variables:
  print(var, "\n")


# %% Waiting to create variables
class FlexibleDenseModule(tf.Module):
  # Note: No need for `in_features`
  def __init__(self, out_features, name=None):
    super().__init__(name=name)
    self.is_built = False
    self.out_features = out_features

  def __call__(self, x):
    # Create variables on first call.
    if not self.is_built:
      self.w = tf.Variable(
        random_normal([x.shape[-1], self.out_features]), name='w')
      self.b = tf.Variable(tf.zeros([self.out_features]), name='b')
      self.is_built = True

    y = tf.matmul(x, self.w) + self.b
    return tf.nn.relu(y)

# Used in a module
class MySequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)

    self.dense_1 = FlexibleDenseModule(out_features=3)
    self.dense_2 = FlexibleDenseModule(out_features=2)

  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

my_model = MySequentialModule(name="the_model")
print("Model results:", my_model(tf.constant([[2.0, 2.0, 2.0]])))


# %% Saving weights
chkp_path = "my_checkpoint"
checkpoint = tf.train.Checkpoint(model=my_model)
checkpoint.write(chkp_path)

print(sorted(name for name in os.listdir(".") if name.startswith("my_checkpoint")))  # adapted: !ls my_checkpoint*

print(tf.train.list_variables(chkp_path))

new_model = MySequentialModule()
new_checkpoint = tf.train.Checkpoint(model=new_model)
new_checkpoint.restore("my_checkpoint")

# Should be the same result as above
print(repr(new_model(tf.constant([[2.0, 2.0, 2.0]]))))


# %% Saving functions
class MySequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)

    self.dense_1 = Dense(in_features=3, out_features=3)
    self.dense_2 = Dense(in_features=3, out_features=2)

  @tf.function
  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

# You have made a model with a graph!
my_model = MySequentialModule(name="the_model")

print(my_model([[2.0, 2.0, 2.0]]))
print(my_model([[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]]))

# Set up logging.
stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
logdir = "logs/func/%s" % stamp
writer = tf.summary.create_file_writer(logdir)

# Create a new model to get a fresh trace
# Otherwise the summary will not see the graph.
new_model = MySequentialModule()

# Bracket the function call with
# tf.summary.trace_on() and tf.summary.trace_export().
tf.summary.trace_on(graph=True)
# (skipped: tf.profiler.experimental.start(logdir), the profiler)
# Call only one tf.function when tracing.
z = print(new_model(tf.constant([[2.0, 2.0, 2.0]])))
with writer.as_default():
  tf.summary.trace_export(
      name="my_func_trace",
      step=0)

tf.saved_model.save(my_model, "the_saved_model")

# Inspect the SavedModel in the directory (adapted: !ls; TensorFlow also writes saved_model.pb and
# fingerprint.pb, chainrule, which writes no graphs, its own JSON description)
print(sorted(name for name in os.listdir("the_saved_model") if name in ("assets", "variables")))

# The variables/ directory contains a checkpoint of the variables
print(sorted(os.listdir("the_saved_model/variables")))

new_model = tf.saved_model.load("the_saved_model")

print(isinstance(new_model, SequentialModule))

print(new_model([[2.0, 2.0, 2.0]]))  # adapted: the loaded model, called as the guide's text describes
print(my_model([[2.0, 2.0, 2.0]]))
print(my_model([[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]]))


# %% Keras layers
class MyDense(tf.keras.layers.Layer):
  # Adding **kwargs to support base Keras layer arguments
  def __init__(self, in_features, out_features, **kwargs):
    super().__init__(**kwargs)

    # This will soon move to the build step; see below
    self.w = tf.Variable(
      random_normal([in_features, out_features]), name='w')
    self.b = tf.Variable(tf.zeros([out_features]), name='b')
  def call(self, x):
    y = tf.matmul(x, self.w) + self.b
    return tf.nn.relu(y)

simple_layer = MyDense(name="simple", in_features=3, out_features=3)

print(repr(simple_layer([[2.0, 2.0, 2.0]])))


class FlexibleDense(tf.keras.layers.Layer):
  # Note the added `**kwargs`, as Keras supports many arguments
  def __init__(self, out_features, **kwargs):
    super().__init__(**kwargs)
    self.out_features = out_features

  def build(self, input_shape):  # Create the state of the layer (weights)
    self.w = tf.Variable(
      random_normal([input_shape[-1], self.out_features]), name='w')
    self.b = tf.Variable(tf.zeros([self.out_features]), name='b')

  def call(self, inputs):  # Defines the computation from inputs to outputs
    return tf.matmul(inputs, self.w) + self.b

# Create the instance of the layer
flexible_dense = FlexibleDense(out_features=3)

print(flexible_dense.variables)

# Call it, with predictably random results
print("Model results:", flexible_dense(tf.constant([[2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])))

print([(v.name.split("/")[-1], tuple(v.shape)) for v in flexible_dense.variables])  # adapted: see the header

try:
  print("Model results:", flexible_dense(tf.constant([[2.0, 2.0, 2.0, 2.0]])))
except tf.errors.InvalidArgumentError as e:
  # adapted: tf.keras wraps the op's message in several lines naming the layer; the op's line is compared
  print("Failed:", [line for line in str(e).splitlines() if "[Op:" in line][0])


# %% Keras models
class MySequentialModel(tf.keras.Model):
  def __init__(self, name=None, **kwargs):
    super().__init__(**kwargs)

    self.dense_1 = FlexibleDense(out_features=3)
    self.dense_2 = FlexibleDense(out_features=2)
  def call(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

# You have made a Keras model!
my_sequential_model = MySequentialModel(name="the_model")

# Call it on a tensor, with random results
print("Model results:", my_sequential_model(tf.constant([[2.0, 2.0, 2.0]])))

print([(v.name.split("/")[-1], tuple(v.shape)) for v in my_sequential_model.variables])  # adapted: see the header
print([v.numpy().round(4).tolist() for v in my_sequential_model.variables])

print([type(m).__name__ for m in my_sequential_model.submodules])  # adapted: TF prints object addresses

inputs = tf.keras.Input(shape=[3,])

x = FlexibleDense(3)(inputs)
x = FlexibleDense(2)(x)

my_functional_model = tf.keras.Model(inputs=inputs, outputs=x)

my_functional_model.summary()

print(repr(my_functional_model(tf.constant([[2.0, 2.0, 2.0]]))))

# adapted: a SavedModel directory instead of "exname_of_file.keras": chainrule writes a subclassed model without
# get_config to a directory (and reloads it when the class is defined in the program), not to a .keras file
my_sequential_model.save("exname_of_file")
reconstructed_model = tf.keras.models.load_model("exname_of_file")

print(repr(reconstructed_model(tf.constant([[2.0, 2.0, 2.0]]))))
