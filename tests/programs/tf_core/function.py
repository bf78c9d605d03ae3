"""The TensorFlow guide "Better performance with tf.function", adapted for chainrule.

Source: tensorflow/docs, site/en/guide/function.ipynb (TF 2.21 docs). The code cells are here in order;
bare expressions are printed. Adaptations: ``assert_raises`` prints the exception type (not a traceback,
whose frames differ); the Conv2D timing cell is skipped (convolution layers belong to another issue and the
timing varies); ``tf.random.uniform`` input of the while-loop cell is a fixed tensor. Cells that need what
chainrule's ``function`` does not have yet (concrete functions, graphs, TraceType, TensorArray,
py_function, retracing rules) are kept as ``# needs:`` comments.

Run with chainrule: ``python function.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow python function.py`` (see ``make_expected.py``).
"""
import contextlib
import os

if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
    import tensorflow as tf
else:
    import chainrule as tf


# Some helper code to demonstrate the kinds of errors you might encounter.
@contextlib.contextmanager
def assert_raises(error_class):
  try:
    yield
  except error_class as e:
    print('Caught expected exception \n  {}:'.format(error_class.__name__))
  except Exception as e:
    raise e
  else:
    raise Exception('Expected {} to be raised but no error was raised!'.format(
        error_class))


# %% Basics
@tf.function  # The decorator converts `add` into a `PolymorphicFunction`.
def add(a, b):
  return a + b

print(repr(add(tf.ones([2, 2]), tf.ones([2, 2]))))  #  [[2., 2.], [2., 2.]]

v = tf.Variable(1.0)
with tf.GradientTape() as tape:
  result = add(v, 1.0)
print(repr(tape.gradient(result, v)))

@tf.function
def dense_layer(x, w, b):
  return add(tf.matmul(x, w), b)

print(repr(dense_layer(tf.ones([3, 2]), tf.ones([2, 2]), tf.ones([2]))))

# (skipped: the Conv2D eager-vs-function timing cell; convolution layers are another issue's)


# %% Tracing
@tf.function
def double(a):
  print("Tracing with", a.dtype)   # adapted: the guide prints the symbolic tensor itself
  return a + a

print(double(tf.constant(1)))
print()
print(double(tf.constant(1.1)))
print()
print(double(tf.constant("a")))
print()

# This doesn't print 'Tracing with ...'
print(double(tf.constant("b")))

# needs: tf.function introspection (pretty_printed_concrete_signatures)
# print(double.pretty_printed_concrete_signatures())


# %% Controlling retracing
@tf.function(input_signature=(tf.TensorSpec(shape=[None], dtype=tf.int32),))
def next_collatz(x):
  print("Tracing with", x.dtype)   # adapted as above
  return tf.where(x % 2 == 0, x // 2, 3 * x + 1)

print(next_collatz(tf.constant([1, 2])))
# You specified a 1-D tensor in the input signature, so this should fail.
with assert_raises(TypeError):
  next_collatz(tf.constant([[1, 2], [3, 4]]))

# You specified an int32 dtype in the input signature, so this should fail.
with assert_raises(TypeError):
  next_collatz(tf.constant([1.0, 2.0]))

# needs: one trace per input_signature (chainrule traces once per concrete shape, so the guide's
# "Tracing with" lines for g below would print twice)
# @tf.function(input_signature=(tf.TensorSpec(shape=[None], dtype=tf.int32),))
# def g(x):
#   print('Tracing with', x)
#   return x
#
# # No retrace!
# print(g(tf.constant([1, 2, 3])))
# print(g(tf.constant([1, 2, 3, 4, 5])))
#
# @tf.function(reduce_retracing=True)
# def g(x):
#   print('Tracing with', x)
#   return x
#
# # Traces once...
# print(g(tf.constant([1, 2, 3])))
# print(g(tf.constant([1, 2, 3, 4, 5])))
# print(g(tf.constant([1, 2, 3, 4, 5, 6, 7])))
# print(g(tf.constant([1, 2, 3, 4, 5, 6, 7, 8, 9])))


def train_one_step():
  pass

@tf.function
def train(num_steps):
  print("Tracing with num_steps = ", num_steps)
  tf.print("Executing with num_steps = ", num_steps)
  for _ in tf.range(num_steps):
    train_one_step()

print("Retracing occurs for different Python arguments.")
train(num_steps=10)
train(num_steps=20)

print()
print("Traces are reused for Tensor arguments.")
# needs: one trace for Tensor arguments of any value (chainrule's trace of a Python loop over
# tf.range(num_steps) depends on the value, so it runs eagerly; the guide prints "Tracing with
# num_steps = Tensor(...)" once here)
# train(num_steps=tf.constant(10))
# train(num_steps=tf.constant(20))


def f():
  print('Tracing!')
  tf.print('Executing')

tf.function(f)()
tf.function(f)()

# needs: TraceType (tf.types.experimental.TraceType, __tf_tracing_type__) for custom classes
# (the get_mixed_flavor / FruitTraceType cells)


# %% Obtaining concrete functions
# needs: tf.function introspection (get_concrete_function, ConcreteFunction, function_type, .graph,
# inference_fn); the cells from "Obtaining concrete functions" to "Obtaining graphs" are skipped.


# %% AutoGraph transformations
@tf.function
def f(x):
  while tf.reduce_sum(x) > 1:
    tf.print(x)
    x = tf.tanh(x)
  return x

f(tf.constant([0.5, 0.25, 0.9, 0.75, 0.3]))   # adapted: the guide uses tf.random.uniform([5])

print(tf.autograph.to_code(f.python_function).splitlines()[0])


@tf.function
def fizzbuzz(n):
  for i in tf.range(1, n + 1):
    print('Tracing for loop')
    if i % 15 == 0:
      print('Tracing fizzbuzz branch')
      tf.print('fizzbuzz')
    elif i % 3 == 0:
      print('Tracing fizz branch')
      tf.print('fizz')
    elif i % 5 == 0:
      print('Tracing buzz branch')
      tf.print('buzz')
    else:
      print('Tracing default branch')
      tf.print(i)

# needs: AutoGraph (chainrule runs Python control flow as Python, so each iteration's "Tracing ..." line
# prints; TensorFlow prints each branch's line once, while tracing)
# fizzbuzz(tf.constant(5))
# fizzbuzz(tf.constant(20))

# needs: tf.function introspection (measure_graph_size: get_concrete_function(...).graph) and TensorArray
# (the dynamic_rnn cell)


# %% Limitations
@tf.function
def f(x):
  print("Traced with", x)
  tf.print("Executed with", x)

f(1)
f(1)
f(2)

# needs: tf.py_function (the py_plus / tf_wrapper cells)

external_list = []

@tf.function
def side_effect(x):
  print('Python side effect')
  external_list.append(x)

side_effect(1)
side_effect(1)
side_effect(1)
# The list append only happened once!
assert len(external_list) == 1


class Model(tf.Module):
  def __init__(self):
    self.v = tf.Variable(0)
    self.counter = 0

  @tf.function
  def __call__(self):
    if self.counter == 0:
      # A python side-effect
      self.counter += 1
      self.v.assign_add(1)

    return self.v

m = Model()
for n in range(3):
  print(m().numpy()) # prints 1, 2, 3


class Model(tf.Module):
  def __init__(self):
    self.v = tf.Variable(0)
    self.counter = 0

  @tf.function
  def __call__(self):
    if self.counter == 0:
      # Lifts ops out of function-building graphs
      with tf.init_scope():
        self.counter += 1
        self.v.assign_add(1)

    return self.v

m = Model()
for n in range(3):
  print(m().numpy()) # prints 1, 1, 1


@tf.function
def buggy_consume_next(iterator):
  tf.print("Value:", next(iterator))

iterator = iter([1, 2, 3])
# needs: tracing a Python iterator argument (chainrule's function would call next() once per call and
# print 1, 2, 3; TensorFlow traces once and prints 1, 1, 1)
# buggy_consume_next(iterator)
# buggy_consume_next(iterator)
# buggy_consume_next(iterator)


@tf.function
def good_consume_next(iterator):
  # This is ok, iterator is a tf.data.Iterator
  tf.print("Value:", next(iterator))

ds = tf.data.Dataset.from_tensor_slices([1, 2, 3])
iterator = iter(ds)
good_consume_next(iterator)
good_consume_next(iterator)
good_consume_next(iterator)

# needs: leaked symbolic tensors (chainrule's traced function returns real tensors, so the guide's
# leaky_function / captures_leaked_tensor cells do not raise)

@tf.function
def recursive_fn(n):
  if n > 0:
    print('tracing')
    return recursive_fn(n - 1)
  else:
    return 1

recursive_fn(5)  # Warning - multiple tracings


@tf.function
def buggy_add():
  return 1 + foo

@tf.function
def recommended_add(foo):
  return 1 + foo

foo = 1
print("Buggy:", buggy_add())
print("Correct:", recommended_add(foo))

print("Updating the value of `foo` to 100!")
foo = 100
# needs: captured Python globals frozen at trace time (chainrule's trace of buggy_add returns a Python
# constant, which it recomputes; TensorFlow keeps 2)
# print("Buggy:", buggy_add())  # Did not change!
print("Correct:", recommended_add(foo))


@tf.function
def variable_add():
  return 1 + foo

foo = tf.Variable(1)
print("Variable:", variable_add())

print("Updating the value of `foo` to 100!")
foo.assign(100)
print("Variable:", variable_add())


class SimpleModel(tf.Module):
  def __init__(self):
    # These values are *not* tf.Variables.
    self.bias = 0.
    self.weight = 2.

@tf.function
def evaluate(model, x):
  return model.weight * x + model.bias

simple_model = SimpleModel()
x = tf.constant(10.)
print(evaluate(simple_model, x))

print("Adding bias!")
simple_model.bias += 5.0
# needs: captured Python attributes frozen at trace time (TensorFlow prints 20.0 again here)
# print(evaluate(simple_model, x))  # Didn't change :(


class BetterModel:
  def __init__(self):
    self.bias = tf.Variable(0.)
    self.weight = tf.Variable(2.)

@tf.function
def evaluate(model, x):
  return model.weight * x + model.bias

better_model = BetterModel()
print(evaluate(better_model, x))

print("Adding bias!")
better_model.bias.assign_add(5.0)  # Note: instead of better_model.bias += 5
print(evaluate(better_model, x))  # This works!


# needs: variable creation rules inside tf.function (creating a tf.Variable on each call raises
# ValueError in TensorFlow; the f / Count cells)

opt1 = tf.keras.optimizers.Adam(learning_rate = 1e-2)
opt2 = tf.keras.optimizers.Adam(learning_rate = 1e-3)

@tf.function
def train_step(w, x, y, optimizer):
   with tf.GradientTape() as tape:
       L = tf.reduce_sum(tf.square(w*x - y))
   gradients = tape.gradient(L, [w])
   optimizer.apply_gradients(zip(gradients, [w]))

w = tf.Variable(2.)
x = tf.constant([-1.])
y = tf.constant([2.])

train_step(w, x, y, opt1)
print("Calling `train_step` with different optimizer...")
# needs: one optimizer per traced function (TensorFlow raises ValueError when a second optimizer would
# create its slot variables inside the same trace)
# with assert_raises(ValueError):
#   train_step(w, x, y, opt2)


class TrainStep(tf.Module):
  def __init__(self, optimizer):
    self.optimizer = optimizer

  @tf.function
  def __call__(self, w, x, y):
    with tf.GradientTape() as tape:
       L = tf.reduce_sum(tf.square(w*x - y))
    gradients = tape.gradient(L, [w])
    self.optimizer.apply_gradients(zip(gradients, [w]))


opt1 = tf.keras.optimizers.Adam(learning_rate = 1e-2)
opt2 = tf.keras.optimizers.Adam(learning_rate = 1e-3)

train_o1 = TrainStep(opt1)
train_o2 = TrainStep(opt2)

train_o1(w, x, y)
train_o2(w, x, y)

opt1 = tf.keras.optimizers.Adam(learning_rate = 1e-2)
opt2 = tf.keras.optimizers.Adam(learning_rate = 1e-3)

# Not a tf.function.
def train_step(w, x, y, optimizer):
   with tf.GradientTape() as tape:
       L = tf.reduce_sum(tf.square(w*x - y))
   gradients = tape.gradient(L, [w])
   optimizer.apply_gradients(zip(gradients, [w]))

w = tf.Variable(2.)
x = tf.constant([-1.])
y = tf.constant([2.])

# Make a new tf.function and ConcreteFunction for each optimizer.
train_step_1 = tf.function(train_step)
train_step_2 = tf.function(train_step)
for i in range(10):
  if i % 2 == 0:
    train_step_1(w, x, y, opt1)
  else:
    train_step_2(w, x, y, opt2)

print("w after the training steps:", w.numpy())   # added: the guide's last cell prints nothing
