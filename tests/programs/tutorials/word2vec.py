"""The TensorFlow tutorial "word2vec" (tf.keras 2), adapted for chainrule.

Source: tensorflow/text, docs/tutorials/word2vec.ipynb (formerly tensorflow/docs,
site/en/tutorials/text/word2vec.ipynb). The code cells are here in order; bare expressions are printed.
Adaptations:

* the Shakespeare download (``tf.keras.utils.get_file('shakespeare.txt', ...)``, not in the shared datasets)
  is replaced by ``guide_support.shakespeare_stand_in`` (13 KB of generated verse in the file's layout, 606
  non-empty lines); tqdm (not installed) is not used: ``generate_training_data`` iterates over the sequences
  directly; the TensorBoard notebook magics, the TensorBoard callback and the Colab download are skipped;
* Python's ``random`` module, which ``skipgrams`` draws from (its subsampling by the sampling table, and the
  shuffle of the pairs when no ``seed`` is given), is seeded with ``random.seed(SEED)`` first, so the positive
  skip-grams are the same in both frameworks;
* ``tf.random.log_uniform_candidate_sampler`` draws with each framework's own generator (TensorFlow's Philox
  stream for ``seed=42``, the same in every run, each call continuing it): the negative samples, the
  expected counts and everything trained on them print as ``[varies]``, with what does not depend on the
  draws (shapes, that each positive context comes first and is labelled 1, the range of the samples);
* the sampling table keeps few of the stand-in's words (its vocabulary is 105 words, all of them frequent), so
  ``generate_training_data`` makes 245 examples: ``BATCH_SIZE`` is 64 instead of 1024;
* the model starts from ``seeded_weights`` (built first by a call on two examples), and its dot products for the
  first three targets and their positive contexts are printed before training;
* ``fit`` runs 2 epochs instead of 20, quietly (``verbose=0``); the history prints as ``[varies]`` (its keys
  are compared); the embedding weights are summarised (shape, finiteness) instead of written to
  ``vectors.tsv`` only, whose line count is printed.

Run with chainrule: ``CHAINRULE_DATA=... python word2vec.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import io
import random
import re
import string

import numpy as np

from guide_support import framework, seeded_weights, shakespeare_stand_in

tf, keras = framework()
layers = tf.keras.layers  # for: from tensorflow.keras import layers

# (skipped: %load_ext tensorboard)

SEED = 42
AUTOTUNE = tf.data.AUTOTUNE
random.seed(SEED)  # adapted: skipgrams draws from Python's random module

# %% Vectorize an example sentence
sentence = "The wide road shimmered in the hot sun"
tokens = list(sentence.lower().split())
print(len(tokens))

vocab, index = {}, 1  # start indexing from 1
vocab['<pad>'] = 0  # add a padding token
for token in tokens:
  if token not in vocab:
    vocab[token] = index
    index += 1
vocab_size = len(vocab)
print(vocab)

inverse_vocab = {index: token for token, index in vocab.items()}
print(inverse_vocab)

example_sequence = [vocab[word] for word in tokens]
print(example_sequence)

# %% Generate skip-grams from one sentence
window_size = 2
positive_skip_grams, _ = tf.keras.preprocessing.sequence.skipgrams(
      example_sequence,
      vocabulary_size=vocab_size,
      window_size=window_size,
      negative_samples=0)
print(len(positive_skip_grams))

for target, context in positive_skip_grams[:5]:
  print(f"({target}, {context}): ({inverse_vocab[target]}, {inverse_vocab[context]})")

# %% Negative sampling for one skip-gram
# Get target and context words for one positive skip-gram.
target_word, context_word = positive_skip_grams[0]

# Set the number of negative samples per positive context.
num_ns = 4

context_class = tf.reshape(tf.constant(context_word, dtype="int64"), (1, 1))
negative_sampling_candidates, _, _ = tf.random.log_uniform_candidate_sampler(
    true_classes=context_class,  # class that should be sampled as 'positive'
    num_true=1,  # each positive skip-gram has 1 positive context class
    num_sampled=num_ns,  # number of negative context words to sample
    unique=True,  # all the negative samples should be unique
    range_max=vocab_size,  # pick index of the samples from [0, vocab_size]
    seed=SEED,  # seed for reproducibility
    name="negative_sampling"  # name of this operation
)
print("[varies]", negative_sampling_candidates)
print("[varies]", [inverse_vocab[index.numpy()] for index in negative_sampling_candidates])
candidates = negative_sampling_candidates.numpy()  # adapted: what does not depend on the draws
print(negative_sampling_candidates.shape, negative_sampling_candidates.dtype, len(set(candidates.tolist())),
      bool(((candidates >= 0) & (candidates < vocab_size)).all()))

# %% Construct one training example
# Reduce a dimension so you can use concatenation (in the next step).
squeezed_context_class = tf.squeeze(context_class, 1)

# Concatenate a positive context word with negative sampled words.
context = tf.concat([squeezed_context_class, negative_sampling_candidates], 0)

# Label the first context word as `1` (positive) followed by `num_ns` `0`s (negative).
label = tf.constant([1] + [0]*num_ns, dtype="int64")
target = target_word

print(f"target_index    : {target}")
print(f"target_word     : {inverse_vocab[target_word]}")
print(f"[varies] context_indices : {context}")
print(f"[varies] context_words   : {[inverse_vocab[c.numpy()] for c in context]}")
print(f"label           : {label}")

print("target  :", target)
print("[varies] context :", context)
print("label   :", label)
print(context.shape, context.dtype, context[0].numpy() == context_word)  # adapted: what does not depend on the draws

# %% Skip-gram sampling table
sampling_table = tf.keras.preprocessing.sequence.make_sampling_table(size=10)
print(sampling_table)


# %% Generate training data
# Generates skip-gram pairs with negative sampling for a list of sequences
# (int-encoded sentences) based on window size, number of negative samples
# and vocabulary size.
def generate_training_data(sequences, window_size, num_ns, vocab_size, seed):
  # Elements of each training example are appended to these lists.
  targets, contexts, labels = [], [], []

  # Build the sampling table for `vocab_size` tokens.
  sampling_table = tf.keras.preprocessing.sequence.make_sampling_table(vocab_size)

  # Iterate over all sequences (sentences) in the dataset.
  for sequence in sequences:  # adapted: tqdm.tqdm(sequences) (tqdm is not installed)

    # Generate positive skip-gram pairs for a sequence (sentence).
    positive_skip_grams, _ = tf.keras.preprocessing.sequence.skipgrams(
          sequence,
          vocabulary_size=vocab_size,
          sampling_table=sampling_table,
          window_size=window_size,
          negative_samples=0)

    # Iterate over each positive skip-gram pair to produce training examples
    # with a positive context word and negative samples.
    for target_word, context_word in positive_skip_grams:
      context_class = tf.expand_dims(
          tf.constant([context_word], dtype="int64"), 1)
      negative_sampling_candidates, _, _ = tf.random.log_uniform_candidate_sampler(
          true_classes=context_class,
          num_true=1,
          num_sampled=num_ns,
          unique=True,
          range_max=vocab_size,
          seed=seed,
          name="negative_sampling")

      # Build context and label vectors (for one target word)
      context = tf.concat([tf.squeeze(context_class,1), negative_sampling_candidates], 0)
      label = tf.constant([1] + [0]*num_ns, dtype="int64")

      # Append each element from the training example to global lists.
      targets.append(target_word)
      contexts.append(context)
      labels.append(label)

  return targets, contexts, labels


# %% Download text corpus
path_to_file = shakespeare_stand_in('shakespeare.txt')  # adapted: a local stand-in, for tf.keras.utils.get_file

with open(path_to_file) as f:
  lines = f.read().splitlines()
for line in lines[:20]:
  print(line)

text_ds = tf.data.TextLineDataset(path_to_file).filter(lambda x: tf.cast(tf.strings.length(x), bool))


# %% Vectorize sentences from the corpus
# Now, create a custom standardization function to lowercase the text and
# remove punctuation.
def custom_standardization(input_data):
  lowercase = tf.strings.lower(input_data)
  return tf.strings.regex_replace(lowercase,
                                  '[%s]' % re.escape(string.punctuation), '')


# Define the vocabulary size and the number of words in a sequence.
vocab_size = 4096
sequence_length = 10

# Use the `TextVectorization` layer to normalize, split, and map strings to
# integers. Set the `output_sequence_length` length to pad all samples to the
# same length.
vectorize_layer = layers.TextVectorization(
    standardize=custom_standardization,
    max_tokens=vocab_size,
    output_mode='int',
    output_sequence_length=sequence_length)

vectorize_layer.adapt(text_ds.batch(1024))

# Save the created vocabulary for reference.
inverse_vocab = vectorize_layer.get_vocabulary()
print(inverse_vocab[:20])

# Vectorize the data in text_ds.
text_vector_ds = text_ds.batch(1024).prefetch(AUTOTUNE).map(vectorize_layer).unbatch()

# %% Obtain sequences from the dataset
sequences = list(text_vector_ds.as_numpy_iterator())
print(len(sequences))

for seq in sequences[:5]:
  print(f"{seq} => {[inverse_vocab[i] for i in seq]}")

# %% Generate training examples from sequences
targets, contexts, labels = generate_training_data(
    sequences=sequences,
    window_size=2,
    num_ns=4,
    vocab_size=vocab_size,
    seed=SEED)

targets = np.array(targets)
contexts = np.array(contexts)
labels = np.array(labels)

print('\n')
print(f"targets.shape: {targets.shape}")
print(f"contexts.shape: {contexts.shape}")
print(f"labels.shape: {labels.shape}")
# adapted: what does not depend on the negative samples
print(targets[:10], contexts[:10, 0], labels[:2], contexts.dtype, labels.dtype)
print("[varies]", contexts[:3, 1:].tolist())
print(int(contexts.min()) >= 0, int(contexts.max()) < vocab_size)

# %% Configure the dataset for performance
BATCH_SIZE = 64  # adapted: 64 for 1024 (the stand-in gives 245 examples)
BUFFER_SIZE = 10000
dataset = tf.data.Dataset.from_tensor_slices(((targets, contexts), labels))
dataset = dataset.shuffle(BUFFER_SIZE).batch(BATCH_SIZE, drop_remainder=True)
print(dataset)

dataset = dataset.cache().prefetch(buffer_size=AUTOTUNE)
print(dataset)


# %% Subclassed word2vec model
class Word2Vec(tf.keras.Model):
  def __init__(self, vocab_size, embedding_dim):
    super(Word2Vec, self).__init__()
    self.target_embedding = layers.Embedding(vocab_size,
                                      embedding_dim,
                                      name="w2v_embedding")
    self.context_embedding = layers.Embedding(vocab_size,
                                       embedding_dim)

  def call(self, pair):
    target, context = pair
    # target: (batch, dummy?)  # The dummy axis doesn't exist in TF2.7+
    # context: (batch, context)
    if len(target.shape) == 2:
      target = tf.squeeze(target, axis=1)
    # target: (batch,)
    word_emb = self.target_embedding(target)
    # word_emb: (batch, embed)
    context_emb = self.context_embedding(context)
    # context_emb: (batch, context, embed)
    dots = tf.einsum('be,bce->bc', word_emb, context_emb)
    # dots: (batch, context)
    return dots


# %% Define loss function and compile model
embedding_dim = 128
word2vec = Word2Vec(vocab_size, embedding_dim)
word2vec((targets[:2], contexts[:2]))  # adapted: builds the model, for seeded_weights
seeded_weights(word2vec)  # adapted: the same start in both frameworks
print(word2vec((targets[:3], contexts[:3, :1])).numpy())  # adapted: the dot products with the positive contexts
word2vec.compile(optimizer='adam',
                 loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True),
                 metrics=['accuracy'])

# (skipped: the TensorBoard callback)

history = word2vec.fit(dataset, epochs=2, verbose=0)  # adapted: 2 epochs for 20, quiet, no TensorBoard callback
print(sorted(history.history))  # adapted: the history, trained on each framework's negative samples
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})

# (skipped: %tensorboard --logdir logs)

# %% Embedding lookup and analysis
weights = word2vec.get_layer('w2v_embedding').get_weights()[0]
vocab = vectorize_layer.get_vocabulary()
print(weights.shape, weights.dtype, bool(np.isfinite(weights).all()), len(vocab))  # adapted: a summary

out_v = io.open('vectors.tsv', 'w', encoding='utf-8')
out_m = io.open('metadata.tsv', 'w', encoding='utf-8')

for index, word in enumerate(vocab):
  if index == 0:
    continue  # skip 0, it's padding.
  vec = weights[index]
  out_v.write('\t'.join([str(x) for x in vec]) + "\n")
  out_m.write(word + "\n")
out_v.close()
out_m.close()
print(len(open('vectors.tsv').read().splitlines()), open('metadata.tsv').read().splitlines()[:10])  # adapted

# (skipped: the Colab download of vectors.tsv and metadata.tsv)
