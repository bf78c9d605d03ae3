"""The TensorFlow tutorial "Basic text classification" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/keras/text_classification.ipynb, the tf.keras 2 version (commit
a0901ae6c, August 2023: the model ends in ``Dense(1)`` logits with ``BinaryAccuracy(threshold=0.0)``; the
Keras 3 rewrite of 2024 moved the sigmoid into the model). The code cells are here in order; bare expressions
are printed. Adaptations:

* the ``aclImdb_v1.tar.gz`` download (``tf.keras.utils.get_file(..., untar=True)``) is replaced by
  ``guide_support.aclimdb_stand_in``, which writes the archive's folder tree (``aclImdb/train/pos/<id>_<rating>
  .txt`` ...) into the working folder from the shared IMDB reviews: 400 training reviews (and 20 in
  ``train/unsup``, which the tutorial deletes) and 200 test reviews instead of 25000, 50000 and 25000; the
  folder listings print sorted, and the sample file is the stand-in's ``pos/0_8.txt`` (the archive's
  ``pos/1181_9.txt`` is not in it);
* ``text_dataset_from_directory`` shuffles the files with numpy (the same split in both frameworks) but the
  elements with each framework's own random numbers: the reviews of the first batch print as ``[varies]``,
  and the vectorized review is the sample file's instead of the first batch's first one;
* the model starts from ``seeded_weights``; its ``Dropout`` masks are each framework's own random numbers, so
  before training its logits for the sample review and its test loss and accuracy are printed and compared
  (Dropout is off outside training), and the results after training print as ``[varies]``, together with a
  check that the export model (raw strings in, sigmoid out) scores the accuracy the model scored;
* ``fit``, ``evaluate`` and ``predict`` run with ``verbose=0`` (no progress bars); the plots are skipped; the
  TensorFlow version prints as ``[varies]``.

Run with chainrule: ``CHAINRULE_DATA=... python text_classification.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %%
import os
import re
import shutil
import string

import numpy as np
from guide_support import aclimdb_stand_in, framework, seeded_weights

tf, keras = framework()
layers, losses = keras.layers, keras.losses
# (skipped: matplotlib)

np.set_printoptions(precision=6, suppress=True)

print("[varies]", tf.__version__)  # adapted: [varies]

# %% Download and explore the IMDB dataset
url = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"

# adapted: the archive's tree written into '.', for tf.keras.utils.get_file("aclImdb_v1", url, untar=True,
# cache_dir='.', cache_subdir=''), and the path get_file returns
aclimdb_stand_in('.')
dataset = os.path.join('.', 'aclImdb_v1')

dataset_dir = os.path.join(os.path.dirname(dataset), 'aclImdb')

print(sorted(os.listdir(dataset_dir)))  # adapted: sorted

train_dir = os.path.join(dataset_dir, 'train')
print(sorted(os.listdir(train_dir)))  # adapted: sorted

sample_file = os.path.join(train_dir, 'pos/0_8.txt')  # adapted: a file of the stand-in
with open(sample_file) as f:
  print(f.read())

# %% Load the dataset
remove_dir = os.path.join(train_dir, 'unsup')
shutil.rmtree(remove_dir)

batch_size = 32
seed = 42

raw_train_ds = tf.keras.utils.text_dataset_from_directory(
    'aclImdb/train',
    batch_size=batch_size,
    validation_split=0.2,
    subset='training',
    seed=seed)

for text_batch, label_batch in raw_train_ds.take(1):
  for i in range(3):
    print("[varies] Review", text_batch.numpy()[i])  # adapted: [varies] (each framework's shuffle)
    print("[varies] Label", label_batch.numpy()[i])

print("Label 0 corresponds to", raw_train_ds.class_names[0])
print("Label 1 corresponds to", raw_train_ds.class_names[1])

raw_val_ds = tf.keras.utils.text_dataset_from_directory(
    'aclImdb/train',
    batch_size=batch_size,
    validation_split=0.2,
    subset='validation',
    seed=seed)

raw_test_ds = tf.keras.utils.text_dataset_from_directory(
    'aclImdb/test',
    batch_size=batch_size)


# %% Prepare the dataset for training
def custom_standardization(input_data):
  lowercase = tf.strings.lower(input_data)
  stripped_html = tf.strings.regex_replace(lowercase, '<br />', ' ')
  return tf.strings.regex_replace(stripped_html,
                                  '[%s]' % re.escape(string.punctuation),
                                  '')


max_features = 10000
sequence_length = 250

vectorize_layer = layers.TextVectorization(
    standardize=custom_standardization,
    max_tokens=max_features,
    output_mode='int',
    output_sequence_length=sequence_length)

# Make a text-only dataset (without labels), then call adapt
train_text = raw_train_ds.map(lambda x, y: x)
vectorize_layer.adapt(train_text)


def vectorize_text(text, label):
  text = tf.expand_dims(text, -1)
  return vectorize_layer(text), label


# retrieve a batch (of 32 reviews and labels) from the dataset
text_batch, label_batch = next(iter(raw_train_ds))
first_review, first_label = text_batch[0], label_batch[0]
print("[varies] Review", first_review)  # adapted: [varies] (each framework's shuffle)
print("[varies] Label", raw_train_ds.class_names[first_label])
# adapted: the sample file's review, for the first review of the batch
with open(sample_file, 'rb') as f:
  sample_review = tf.constant(f.read())
print("Vectorized review", vectorize_text(sample_review, 1))

print("1287 ---> ",vectorize_layer.get_vocabulary()[1287])
print(" 313 ---> ",vectorize_layer.get_vocabulary()[313])
print('Vocabulary size: {}'.format(len(vectorize_layer.get_vocabulary())))

train_ds = raw_train_ds.map(vectorize_text)
val_ds = raw_val_ds.map(vectorize_text)
test_ds = raw_test_ds.map(vectorize_text)

# %% Configure the dataset for performance
AUTOTUNE = tf.data.AUTOTUNE

train_ds = train_ds.cache().prefetch(buffer_size=AUTOTUNE)
val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
test_ds = test_ds.cache().prefetch(buffer_size=AUTOTUNE)

# %% Create the model
embedding_dim = 16

model = tf.keras.Sequential([
  layers.Embedding(max_features, embedding_dim),
  layers.Dropout(0.2),
  layers.GlobalAveragePooling1D(),
  layers.Dropout(0.2),
  layers.Dense(1)])

model.summary()

# %% Loss function and optimizer
model.compile(loss=losses.BinaryCrossentropy(from_logits=True),
              optimizer='adam',
              metrics=tf.metrics.BinaryAccuracy(threshold=0.0))

# adapted: the same start in both frameworks, and what it scores before training (no dropout at inference)
seeded_weights(model)
print(model.predict(vectorize_layer(tf.expand_dims(sample_review, -1)), verbose=0))
print(np.round(model.evaluate(test_ds, verbose=0), 6))

# %% Train the model
epochs = 10
history = model.fit(
    train_ds,
    validation_data=val_ds,
    epochs=epochs,
    verbose=0)  # adapted: quiet

# %% Evaluate the model
loss, accuracy = model.evaluate(test_ds, verbose=0)  # adapted: quiet

print("[varies] Loss: ", loss)  # adapted: [varies] (dropout)
print("[varies] Accuracy: ", accuracy)
test_accuracy = accuracy  # adapted: kept for the check below

# %% Create a plot of accuracy and loss over time
history_dict = history.history
print(history_dict.keys())

acc = history_dict['binary_accuracy']
val_acc = history_dict['val_binary_accuracy']
loss = history_dict['loss']
val_loss = history_dict['val_loss']

epochs = range(1, len(acc) + 1)

# (skipped: the two plots of loss and accuracy; their numbers instead)
print(epochs)
print("[varies]", {k: [round(v, 4) for v in vals] for k, vals in history_dict.items()})

# %% Export the model
export_model = tf.keras.Sequential([
  vectorize_layer,
  model,
  layers.Activation('sigmoid')
])

export_model.compile(
    loss=losses.BinaryCrossentropy(from_logits=False), optimizer="adam", metrics=['accuracy']
)

# Test it with `raw_test_ds`, which yields raw strings
loss, accuracy = export_model.evaluate(raw_test_ds, verbose=0)  # adapted: quiet
print("[varies]", accuracy)  # adapted: [varies] (dropout), and the check that it is the model's accuracy
print(abs(accuracy - test_accuracy) < 1e-6)

# %% Inference on new data
examples = [
  "The movie was great!",
  "The movie was okay.",
  "The movie was terrible..."
]

predictions = export_model.predict(examples, verbose=0)  # adapted: quiet; [varies] (dropout), shape compared
print("[varies]", predictions.ravel())
print(predictions.shape, predictions.dtype, bool(np.all((predictions > 0) & (predictions < 1))))
