"""The TensorFlow tutorial "Custom training: walkthrough" (tensorflow.org, tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/customization/custom_training_walkthrough.ipynb, the Iris version
(commit e886baaf1, 2021-10-25, the last before the tutorial moved to the penguins data of TensorFlow
Datasets): ``tf.data.experimental.make_csv_dataset`` of the Iris CSV files, a Sequential model, the loss and
gradient functions with ``GradientTape``, SGD, the training loop with ``tf.keras.metrics.Mean`` and
``SparseCategoricalAccuracy``, the test accuracy with ``tf.keras.metrics.Accuracy`` and predictions. The code
cells are here in order. Adaptations:

* ``iris_training.csv`` and ``iris_test.csv`` (``tf.keras.utils.get_file`` downloads) are replaced by
  ``guide_support.iris_csv_stand_in``: files in their layout (the ``120,4,setosa,versicolor,virginica`` first
  line, four measurements and a class index a row) of the shared Iris flowers in a seeded order, read by the
  tutorial's own ``make_csv_dataset``; the shell cell ``!head -n5`` prints the lines from Python;
* the training ``make_csv_dataset`` gets ``shuffle=False``: its shuffle order comes from each framework's own
  random numbers, and every printed number after it depends on the batches;
* the model starts from ``seeded_weights`` (numpy-drawn), so both frameworks start alike;
* the cells that show a value by ending in an expression print its ``repr`` (what the notebook shows); the plots (matplotlib) are skipped and the
  loss and accuracy histories they plot are printed (rounded) instead;
* the TensorFlow version prints as ``[varies]``;
* the training loop keeps the tutorial's 201 epochs (120 flowers, 4 batches an epoch).

Run with chainrule: ``CHAINRULE_DATA=... python custom_training_walkthrough.py``; the expected output was made
with ``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import os

from guide_support import framework, iris_csv_stand_in, seeded_weights

tf, keras = framework()
# (skipped: import matplotlib.pyplot as plt)

print("[varies] TensorFlow version: {}".format(tf.__version__))  # adapted: [varies]
print("Eager execution: {}".format(tf.executing_eagerly()))

# %% Import and parse the training dataset
train_dataset_url = "https://storage.googleapis.com/download.tensorflow.org/data/iris_training.csv"

# adapted: local stand-ins for tf.keras.utils.get_file(fname=os.path.basename(train_dataset_url), origin=...)
train_dataset_fp, test_fp = iris_csv_stand_in(os.path.basename(train_dataset_url), "iris_test.csv")

print("Local copy of the dataset file: {}".format(train_dataset_fp))

# adapted: !head -n5 {train_dataset_fp}
with open(train_dataset_fp) as f:
    print("".join(f.readlines()[:5]), end="")

# column order in CSV file
column_names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']

feature_names = column_names[:-1]
label_name = column_names[-1]

print("Features: {}".format(feature_names))
print("Label: {}".format(label_name))

class_names = ['Iris setosa', 'Iris versicolor', 'Iris virginica']

# %% Create a tf.data.Dataset
batch_size = 32

train_dataset = tf.data.experimental.make_csv_dataset(
    train_dataset_fp,
    batch_size,
    column_names=column_names,
    label_name=label_name,
    num_epochs=1,
    shuffle=False)  # adapted: the same batches in both frameworks

features, labels = next(iter(train_dataset))

print(features)

# (skipped: the scatter plot of petal length against sepal length)
print(labels)


def pack_features_vector(features, labels):
  """Pack the features into a single array."""
  features = tf.stack(list(features.values()), axis=1)
  return features, labels


train_dataset = train_dataset.map(pack_features_vector)

features, labels = next(iter(train_dataset))

print(features[:5])

# %% Create a model using Keras
model = tf.keras.Sequential([
  tf.keras.layers.Dense(10, activation=tf.nn.relu, input_shape=(4,)),  # input shape required
  tf.keras.layers.Dense(10, activation=tf.nn.relu),
  tf.keras.layers.Dense(3)
])
seeded_weights(model)  # adapted: the same start in both frameworks

# %% Using the model
predictions = model(features)
print(repr(predictions[:5]))  # adapted: the cell's value, printed

print(repr(tf.nn.softmax(predictions[:5])))  # adapted: the cell's value, printed

print("Prediction: {}".format(tf.argmax(predictions, axis=1)))
print("    Labels: {}".format(labels))

# %% Train the model
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def loss(model, x, y, training):
  # training=training is needed only if there are layers with different
  # behavior during training versus inference (e.g. Dropout).
  y_ = model(x, training=training)

  return loss_object(y_true=y, y_pred=y_)


l = loss(model, features, labels, training=False)
print("Loss test: {}".format(l))


def grad(model, inputs, targets):
  with tf.GradientTape() as tape:
    loss_value = loss(model, inputs, targets, training=True)
  return loss_value, tape.gradient(loss_value, model.trainable_variables)


optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)

loss_value, grads = grad(model, features, labels)

print("Step: {}, Initial Loss: {}".format(optimizer.iterations.numpy(),
                                          loss_value.numpy()))

optimizer.apply_gradients(zip(grads, model.trainable_variables))

print("Step: {},         Loss: {}".format(optimizer.iterations.numpy(),
                                          loss(model, features, labels, training=True).numpy()))

# %% Training loop
## Note: Rerunning this cell uses the same model variables

# Keep results for plotting
train_loss_results = []
train_accuracy_results = []

num_epochs = 201

for epoch in range(num_epochs):
  epoch_loss_avg = tf.keras.metrics.Mean()
  epoch_accuracy = tf.keras.metrics.SparseCategoricalAccuracy()

  # Training loop - using batches of 32
  for x, y in train_dataset:
    # Optimize the model
    loss_value, grads = grad(model, x, y)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

    # Track progress
    epoch_loss_avg.update_state(loss_value)  # Add current batch loss
    # Compare predicted label to actual label
    # training=True is needed only if there are layers with different
    # behavior during training versus inference (e.g. Dropout).
    epoch_accuracy.update_state(y, model(x, training=True))

  # End epoch
  train_loss_results.append(epoch_loss_avg.result())
  train_accuracy_results.append(epoch_accuracy.result())

  if epoch % 50 == 0:
    print("Epoch {:03d}: Loss: {:.3f}, Accuracy: {:.3%}".format(epoch,
                                                                epoch_loss_avg.result(),
                                                                epoch_accuracy.result()))

# %% Visualize the loss function over time (adapted: the plot, printed)
print([round(float(v), 4) for v in train_loss_results[::20]])
print([round(float(v), 4) for v in train_accuracy_results[::20]])

# %% Evaluate the model's effectiveness
test_url = "https://storage.googleapis.com/download.tensorflow.org/data/iris_test.csv"

# adapted: test_fp is the stand-in written above, for tf.keras.utils.get_file(fname=os.path.basename(test_url), ...)
print(test_fp == os.path.basename(test_url))

test_dataset = tf.data.experimental.make_csv_dataset(
    test_fp,
    batch_size,
    column_names=column_names,
    label_name='species',
    num_epochs=1,
    shuffle=False)

test_dataset = test_dataset.map(pack_features_vector)

test_accuracy = tf.keras.metrics.Accuracy()

for (x, y) in test_dataset:
  # training=False is needed only if there are layers with different
  # behavior during training versus inference (e.g. Dropout).
  logits = model(x, training=False)
  prediction = tf.argmax(logits, axis=1, output_type=tf.int32)
  test_accuracy(prediction, y)

print("Test set accuracy: {:.3%}".format(test_accuracy.result()))

print(repr(tf.stack([y,prediction],axis=1)))  # adapted: the cell's value, printed

# %% Use the trained model to make predictions
predict_dataset = tf.convert_to_tensor([
    [5.1, 3.3, 1.7, 0.5,],
    [5.9, 3.0, 4.2, 1.5,],
    [6.9, 3.1, 5.4, 2.1]
])

# training=False is needed only if there are layers with different
# behavior during training versus inference (e.g. Dropout).
predictions = model(predict_dataset, training=False)

for i, logits in enumerate(predictions):
  class_idx = tf.argmax(logits).numpy()
  p = tf.nn.softmax(logits)[class_idx]
  name = class_names[class_idx]
  print("Example {} prediction: {} ({:4.1f}%)".format(i, name, 100*p))
