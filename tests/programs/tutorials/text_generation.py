"""The TensorFlow tutorial "Text generation with an RNN" (tf.keras 2), adapted for chainrule.

Source: tensorflow/text, docs/tutorials/text_generation.ipynb (formerly tensorflow/docs,
site/en/tutorials/text/text_generation.ipynb). The code cells are here in order; bare expressions are printed.
Adaptations:

* the Shakespeare download (``tf.keras.utils.get_file('shakespeare.txt', ...)``, 1.1 MB, not in the shared
  datasets) is replaced by ``guide_support.shakespeare_stand_in``: 13 KB in the file's layout (speaker lines,
  verse, blank lines) generated from a seeded numpy generator and a fixed word list, so ``seq_length=100``
  gives 134 sequences, two batches of 64;
* the model is smaller (``embedding_dim`` 16 instead of 256, ``rnn_units`` 64 instead of 1024), the training
  pipeline is not shuffled (``.shuffle(BUFFER_SIZE)`` dropped), and each model starts from ``seeded_weights``
  (built first by a call on the example batch), so both frameworks compute the same logits, loss and training
  history; ``fit`` runs 2 epochs instead of 20 (``EPOCHS``), quietly, its history printed to 6 decimals; the
  custom loop runs 2 epochs instead of 10;
* ``tf.random.categorical`` draws each framework's own random numbers: the sampled indices and the generated
  texts print as ``[varies]``, with what does not depend on the draws (shapes, lengths, that ``[UNK]`` is never
  generated); the prediction mask the ``OneStep`` model builds from a ``tf.SparseTensor`` is printed; the run
  times print as ``[varies]``; the generation loops make 200 characters instead of 1000;
* the one-step generator is saved with ``tf.saved_model.save``; loading it back with ``tf.saved_model.load``
  and generating from it is kept as a ``# needs:`` comment (chainrule saves no traced graph).

Run with chainrule: ``CHAINRULE_DATA=... python text_generation.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
from guide_support import framework, seeded_weights, shakespeare_stand_in

tf, keras = framework()

import numpy as np  # noqa: F401  (the tutorial imports it)
import os
import time

# %% Download the Shakespeare dataset
path_to_file = shakespeare_stand_in('shakespeare.txt')  # adapted: a local stand-in, for tf.keras.utils.get_file

# %% Read the data
# Read, then decode for py2 compat.
text = open(path_to_file, 'rb').read().decode(encoding='utf-8')
# length of text is the number of characters in it
print(f'Length of text: {len(text)} characters')

# Take a look at the first 250 characters in text
print(text[:250])

# The unique characters in the file
vocab = sorted(set(text))
print(f'{len(vocab)} unique characters')

# %% Vectorize the text
example_texts = ['abcdefg', 'xyz']

chars = tf.strings.unicode_split(example_texts, input_encoding='UTF-8')
print(chars)

ids_from_chars = tf.keras.layers.StringLookup(
    vocabulary=list(vocab), mask_token=None)

ids = ids_from_chars(chars)
print(ids)

chars_from_ids = tf.keras.layers.StringLookup(
    vocabulary=ids_from_chars.get_vocabulary(), invert=True, mask_token=None)

chars = chars_from_ids(ids)
print(chars)

print(tf.strings.reduce_join(chars, axis=-1).numpy())


def text_from_ids(ids):
  return tf.strings.reduce_join(chars_from_ids(ids), axis=-1)


# %% Create training examples and targets
all_ids = ids_from_chars(tf.strings.unicode_split(text, 'UTF-8'))
print(all_ids)

ids_dataset = tf.data.Dataset.from_tensor_slices(all_ids)

for ids in ids_dataset.take(10):
    print(chars_from_ids(ids).numpy().decode('utf-8'))

seq_length = 100

sequences = ids_dataset.batch(seq_length+1, drop_remainder=True)

for seq in sequences.take(1):
  print(chars_from_ids(seq))

for seq in sequences.take(5):
  print(text_from_ids(seq).numpy())


def split_input_target(sequence):
    input_text = sequence[:-1]
    target_text = sequence[1:]
    return input_text, target_text


print(split_input_target(list("Tensorflow")))

dataset = sequences.map(split_input_target)

for input_example, target_example in dataset.take(1):
    print("Input :", text_from_ids(input_example).numpy())
    print("Target:", text_from_ids(target_example).numpy())

# %% Create training batches
# Batch size
BATCH_SIZE = 64

# Buffer size to shuffle the dataset
# (TF data is designed to work with possibly infinite sequences,
# so it doesn't attempt to shuffle the entire sequence in memory. Instead,
# it maintains a buffer in which it shuffles elements).
BUFFER_SIZE = 10000

dataset = (
    dataset
    .batch(BATCH_SIZE, drop_remainder=True)  # adapted: not shuffled
    .prefetch(tf.data.experimental.AUTOTUNE))

print(dataset)

# %% Build The Model
# Length of the vocabulary in StringLookup Layer
vocab_size = len(ids_from_chars.get_vocabulary())

# The embedding dimension
embedding_dim = 16  # adapted: 16 for 256

# Number of RNN units
rnn_units = 64  # adapted: 64 for 1024


class MyModel(tf.keras.Model):
  def __init__(self, vocab_size, embedding_dim, rnn_units):
    super().__init__(self)
    self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
    self.gru = tf.keras.layers.GRU(rnn_units,
                                   return_sequences=True,
                                   return_state=True)
    self.dense = tf.keras.layers.Dense(vocab_size)

  def call(self, inputs, states=None, return_state=False, training=False):
    x = inputs
    x = self.embedding(x, training=training)
    if states is None:
      states = self.gru.get_initial_state(x)
    x, states = self.gru(x, initial_state=states, training=training)
    x = self.dense(x, training=training)

    if return_state:
      return x, states
    else:
      return x


model = MyModel(
    vocab_size=vocab_size,
    embedding_dim=embedding_dim,
    rnn_units=rnn_units)

# %% Try the model
for input_example_batch, target_example_batch in dataset.take(1):
    model(input_example_batch)  # adapted: builds the model, for seeded_weights
    seeded_weights(model)  # adapted: the same start in both frameworks
    example_batch_predictions = model(input_example_batch)
    print(example_batch_predictions.shape, "# (batch_size, sequence_length, vocab_size)")

model.summary()

sampled_indices = tf.random.categorical(example_batch_predictions[0], num_samples=1)
sampled_indices = tf.squeeze(sampled_indices, axis=-1).numpy()

print("[varies]", sampled_indices.tolist())  # adapted: on one line
print(sampled_indices.shape, sampled_indices.dtype)  # adapted: what does not depend on the draws

print("Input:\n", text_from_ids(input_example_batch[0]).numpy())
print()
print("Next Char Predictions:")  # adapted: the drawn characters on one line
print("[varies]", text_from_ids(sampled_indices).numpy())

# %% Train the model
loss = tf.losses.SparseCategoricalCrossentropy(from_logits=True)

example_batch_mean_loss = loss(target_example_batch, example_batch_predictions)
print("Prediction shape: ", example_batch_predictions.shape, " # (batch_size, sequence_length, vocab_size)")
print("Mean loss:        ", example_batch_mean_loss)

print(tf.exp(example_batch_mean_loss).numpy())

model.compile(optimizer='adam', loss=loss)

# Directory where the checkpoints will be saved
checkpoint_dir = './training_checkpoints'
# Name of the checkpoint files
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt_{epoch}")

checkpoint_callback = tf.keras.callbacks.ModelCheckpoint(
    filepath=checkpoint_prefix,
    save_weights_only=True)

EPOCHS = 2  # adapted: 2 for 20

history = model.fit(dataset, epochs=EPOCHS, callbacks=[checkpoint_callback], verbose=0)  # adapted: quiet
print({k: [round(float(v), 6) for v in vals] for k, vals in history.history.items()})  # adapted: printed


# %% Generate text
class OneStep(tf.keras.Model):
  def __init__(self, model, chars_from_ids, ids_from_chars, temperature=1.0):
    super().__init__()
    self.temperature = temperature
    self.model = model
    self.chars_from_ids = chars_from_ids
    self.ids_from_chars = ids_from_chars

    # Create a mask to prevent "[UNK]" from being generated.
    skip_ids = self.ids_from_chars(['[UNK]'])[:, None]
    sparse_mask = tf.SparseTensor(
        # Put a -inf at each bad index.
        values=[-float('inf')]*len(skip_ids),
        indices=skip_ids,
        # Match the shape to the vocabulary
        dense_shape=[len(ids_from_chars.get_vocabulary())])
    self.prediction_mask = tf.sparse.to_dense(sparse_mask)

  @tf.function
  def generate_one_step(self, inputs, states=None):
    # Convert strings to token IDs.
    input_chars = tf.strings.unicode_split(inputs, 'UTF-8')
    input_ids = self.ids_from_chars(input_chars).to_tensor()

    # Run the model.
    # predicted_logits.shape is [batch, char, next_char_logits]
    predicted_logits, states = self.model(inputs=input_ids, states=states,
                                          return_state=True)
    # Only use the last prediction.
    predicted_logits = predicted_logits[:, -1, :]
    predicted_logits = predicted_logits/self.temperature
    # Apply the prediction mask: prevent "[UNK]" from being generated.
    predicted_logits = predicted_logits + self.prediction_mask

    # Sample the output logits to generate token IDs.
    predicted_ids = tf.random.categorical(predicted_logits, num_samples=1)
    predicted_ids = tf.squeeze(predicted_ids, axis=-1)

    # Convert from token ids to characters
    predicted_chars = self.chars_from_ids(predicted_ids)

    # Return the characters and model state.
    return predicted_chars, states


one_step_model = OneStep(model, chars_from_ids, ids_from_chars)
print(one_step_model.prediction_mask)  # adapted: the mask built from the SparseTensor

start = time.time()
states = None
next_char = tf.constant(['ROMEO:'])
result = [next_char]

for n in range(200):  # adapted: 200 for 1000
  next_char, states = one_step_model.generate_one_step(next_char, states=states)
  result.append(next_char)

result = tf.strings.join(result)
end = time.time()
print("[varies]", result[0].numpy().decode('utf-8').replace('\n', ' '), '\n\n' + '_'*80)  # adapted: one line
print('\n[varies] Run time:', end - start)
generated = result[0].numpy().decode('utf-8')  # adapted: what does not depend on the draws
print(result.shape, len(generated), generated.startswith('ROMEO:'), '[UNK]' in generated, states.shape)

start = time.time()
states = None
next_char = tf.constant(['ROMEO:', 'ROMEO:', 'ROMEO:', 'ROMEO:', 'ROMEO:'])
result = [next_char]

for n in range(200):  # adapted: 200 for 1000
  next_char, states = one_step_model.generate_one_step(next_char, states=states)
  result.append(next_char)

result = tf.strings.join(result)
end = time.time()
for row in result.numpy():  # adapted: one line per text, for print(result, ...)
  print("[varies]", row)
print('\n' + '_'*80)
print('\n[varies] Run time:', end - start)
print(result.shape, [len(t.decode('utf-8')) for t in result.numpy()], states.shape)  # adapted: as above

# %% Export the generator
tf.saved_model.save(one_step_model, 'one_step')
# needs: SavedModel's traced functions (TensorFlow restores the object and its traced generate_one_step from the
# saved graph; chainrule saves no graph and rebuilds a Keras model from its class, which OneStep cannot be without
# its constructor arguments)
# one_step_reloaded = tf.saved_model.load('one_step')
#
# states = None
# next_char = tf.constant(['ROMEO:'])
# result = [next_char]
#
# for n in range(100):
#   next_char, states = one_step_reloaded.generate_one_step(next_char, states=states)
#   result.append(next_char)
#
# print(tf.strings.join(result)[0].numpy().decode("utf-8"))


# %% Advanced: Customized Training
class CustomTraining(MyModel):
  @tf.function
  def train_step(self, inputs):
      inputs, labels = inputs
      with tf.GradientTape() as tape:
          predictions = self(inputs, training=True)
          loss = self.loss(labels, predictions)
      grads = tape.gradient(loss, model.trainable_variables)
      self.optimizer.apply_gradients(zip(grads, model.trainable_variables))

      return {'loss': loss}


model = CustomTraining(
    vocab_size=len(ids_from_chars.get_vocabulary()),
    embedding_dim=embedding_dim,
    rnn_units=rnn_units)

model(input_example_batch)  # adapted: builds the model, for seeded_weights
seeded_weights(model, seed=1)  # adapted: the same start in both frameworks

model.compile(optimizer = tf.keras.optimizers.Adam(),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))

history = model.fit(dataset, epochs=1, verbose=0)  # adapted: quiet, the history printed
print({k: [round(float(v), 6) for v in vals] for k, vals in history.history.items()})

EPOCHS = 2  # adapted: 2 for 10

mean = tf.metrics.Mean()

for epoch in range(EPOCHS):
    start = time.time()

    mean.reset_states()
    for (batch_n, (inp, target)) in enumerate(dataset):
        logs = model.train_step([inp, target])
        mean.update_state(logs['loss'])

        if batch_n % 50 == 0:
            template = f"Epoch {epoch+1} Batch {batch_n} Loss {logs['loss']:.4f}"
            print(template)

    # saving (checkpoint) the model every 5 epochs
    if (epoch + 1) % 5 == 0:
        model.save_weights(checkpoint_prefix.format(epoch=epoch))

    print()
    print(f'Epoch {epoch+1} Loss: {mean.result().numpy():.4f}')
    print(f'[varies] Time taken for 1 epoch {time.time() - start:.2f} sec')
    print("_"*80)

model.save_weights(checkpoint_prefix.format(epoch=epoch))
print(sorted(os.listdir(checkpoint_dir)))  # adapted: the checkpoint files written
