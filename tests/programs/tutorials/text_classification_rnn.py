"""The TensorFlow tutorial "Text classification with an RNN" (tf.keras 2), adapted for chainrule.

Source: tensorflow/text, docs/tutorials/text_classification_rnn.ipynb (formerly tensorflow/docs,
site/en/tutorials/text/text_classification_rnn.ipynb). The code cells are here in order; bare expressions are
printed. Adaptations:

* ``tfds.load('imdb_reviews')`` (raw review text, not in the shared datasets) is replaced by
  ``guide_support.imdb_reviews_stand_in``: the first 1000 training and 640 test reviews of the shared IMDB
  rebuild, turned back into text from their word ranks (lowercase words without punctuation), each cut after
  its first 80 words, in a ``tf.data.Dataset.from_tensor_slices((texts, labels))``;
* the training pipeline is not shuffled (``.shuffle(BUFFER_SIZE)`` dropped) and each model starts from
  ``seeded_weights``, so both frameworks see the same batches from the same start;
* ``fit`` runs 3 epochs (the second model 2) instead of 10 with ``validation_steps=5`` instead of 30 (the
  stand-in's test split has 10 batches) and ``verbose=0``, as do ``evaluate`` and ``predict`` (no progress
  bars); the first model has no dropout, so its history, test scores and predictions are compared, to 6
  decimals (with ``Adam(1e-4)`` and so little data the loss moves only in the fourth decimal);
* the second model keeps its ``Dropout(0.5)``, whose masks come from each framework's own random numbers: its
  training results print as ``[varies]`` and its prediction before training is compared instead;
* the matplotlib plots are skipped.

Run with chainrule: ``CHAINRULE_DATA=... python text_classification_rnn.py``; the expected output was made
with ``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np

from guide_support import framework, imdb_reviews_stand_in, seeded_weights

tf, keras = framework()

np.set_printoptions(precision=6, suppress=True)


def rounded(history, digits=6):
    return {k: [round(float(v), digits) for v in vals] for k, vals in history.history.items()}


# (skipped: the plot_graphs helper, matplotlib)

# %% Setup input pipeline
# adapted: the shared IMDB reviews as text, for tfds.load('imdb_reviews', with_info=True, as_supervised=True)
(train_texts, train_labels), (test_texts, test_labels) = imdb_reviews_stand_in(1000, 640, max_words=80)
train_dataset = tf.data.Dataset.from_tensor_slices((train_texts, train_labels))
test_dataset = tf.data.Dataset.from_tensor_slices((test_texts, test_labels))

print(train_dataset.element_spec)

for example, label in train_dataset.take(1):
  print('text: ', example.numpy())
  print('label: ', label.numpy())

BUFFER_SIZE = 10000
BATCH_SIZE = 64

train_dataset = train_dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)  # adapted: not shuffled
test_dataset = test_dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)

for example, label in train_dataset.take(1):
  print('texts: ', example.numpy()[:3])
  print()
  print('labels: ', label.numpy()[:3])

# %% Create the text encoder
VOCAB_SIZE = 1000
encoder = tf.keras.layers.TextVectorization(
    max_tokens=VOCAB_SIZE)
encoder.adapt(train_dataset.map(lambda text, label: text))

vocab = np.array(encoder.get_vocabulary())
print(vocab[:20])

encoded_example = encoder(example)[:3].numpy()
print(encoded_example)

for n in range(3):
  print("Original: ", example[n].numpy())
  print("Round-trip: ", " ".join(vocab[encoded_example[n]]))
  print()

# %% Create the model
model = tf.keras.Sequential([
    encoder,
    tf.keras.layers.Embedding(
        input_dim=len(encoder.get_vocabulary()),
        output_dim=64,
        # Use masking to handle the variable sequence lengths
        mask_zero=True),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64)),
    tf.keras.layers.Dense(64, activation='relu'),
    tf.keras.layers.Dense(1)
])

print([layer.supports_masking for layer in model.layers])

# predict on a sample text without padding.

sample_text = ('The movie was cool. The animation and the graphics '
               'were out of this world. I would recommend this movie.')
model.predict(np.array([sample_text]), verbose=0)  # adapted: builds the model, for seeded_weights
seeded_weights(model)  # adapted: the same start in both frameworks
predictions = model.predict(np.array([sample_text]), verbose=0)  # adapted: verbose=0
print(predictions[0])

# predict on a sample text with padding

padding = "the " * 2000
predictions = model.predict(np.array([sample_text, padding]), verbose=0)  # adapted: verbose=0
print(predictions[0])

model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
              optimizer=tf.keras.optimizers.Adam(1e-4),
              metrics=['accuracy'])

# %% Train the model
history = model.fit(train_dataset, epochs=3,  # adapted: 3 epochs, 5 validation steps, quiet
                    validation_data=test_dataset,
                    validation_steps=5, verbose=0)
print(rounded(history))

test_loss, test_acc = model.evaluate(test_dataset, verbose=0)  # adapted: verbose=0

print('Test Loss:', round(test_loss, 6))  # adapted: to 6 decimals
print('Test Accuracy:', round(test_acc, 6))

# (skipped: the plots of accuracy and loss)

sample_text = ('The movie was cool. The animation and the graphics '
               'were out of this world. I would recommend this movie.')
predictions = model.predict(np.array([sample_text]), verbose=0)  # adapted: verbose=0
print(predictions)  # adapted: the cell computes predictions without showing them

# %% Stack two or more LSTM layers
model = tf.keras.Sequential([
    encoder,
    tf.keras.layers.Embedding(len(encoder.get_vocabulary()), 64, mask_zero=True),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(64,  return_sequences=True)),
    tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(32)),
    tf.keras.layers.Dense(64, activation='relu'),
    tf.keras.layers.Dropout(0.5),
    tf.keras.layers.Dense(1)
])

model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
              optimizer=tf.keras.optimizers.Adam(1e-4),
              metrics=['accuracy'])

model.predict(np.array([sample_text]), verbose=0)  # adapted: builds the model, for seeded_weights
seeded_weights(model, seed=1)  # adapted: the same start in both frameworks, checked before training
print(model.predict(np.array([sample_text]), verbose=0))

history = model.fit(train_dataset, epochs=2,  # adapted as above
                    validation_data=test_dataset,
                    validation_steps=5, verbose=0)
print(sorted(history.history))
print("[varies]", rounded(history, 4))

test_loss, test_acc = model.evaluate(test_dataset, verbose=0)  # adapted: verbose=0

print('[varies] Test Loss:', test_loss)
print('[varies] Test Accuracy:', test_acc)

# predict on a sample text without padding.

sample_text = ('The movie was not good. The animation and the graphics '
               'were terrible. I would not recommend this movie.')
predictions = model.predict(np.array([sample_text]), verbose=0)  # adapted: verbose=0
print("[varies]", predictions)

# (skipped: the plots of accuracy and loss)
