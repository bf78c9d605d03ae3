"""The Keras example "Bidirectional LSTM on IMDB" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/nlp/bidirectional_lstm_imdb.py (fchollet, last modified 2020/05/03).
The code is here in order. Adaptations:

* ``keras.datasets.imdb.load_data`` reads the shared IMDB rebuild in ``$CHAINRULE_DATA/imdb`` in both
  frameworks (``guide_support.framework`` points tf.keras's download there); the model trains on the first
  2000 training sequences and validates on the first 500 validation sequences (the example: 25000 each), for
  1 epoch instead of 2: the two frameworks' float32 roundings agree to 1e-6 for the first 90 steps, then the
  loss spikes of the second epoch amplify them (about 3x a step) and the runs end 5 % apart;
* the model starts from ``seeded_weights`` (numpy-drawn) and ``fit`` runs with ``shuffle=False`` and
  ``verbose=0``; the model has no dropout, so the whole training is deterministic and its history and the
  trained model's predictions for two validation reviews are compared.

Run with chainrule: ``CHAINRULE_DATA=... python bidirectional_lstm_imdb.py``; the expected output was made
with ``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, seeded_weights

tf, keras = framework()
layers = keras.layers

max_features = 20000  # Only consider the top 20k words
maxlen = 200  # Only consider the first 200 words of each movie review

# %% Build the model
# Input for variable-length sequences of integers
inputs = keras.Input(shape=(None,), dtype="int32")
# Embed each integer in a 128-dimensional vector
x = layers.Embedding(max_features, 128)(inputs)
# Add 2 bidirectional LSTMs
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
# Add a classifier
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

# %% Load the IMDB movie review sentiment data
(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(
    num_words=max_features
)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
x_train, y_train, x_val, y_val = x_train[:2000], y_train[:2000], x_val[:500], y_val[:500]  # adapted: fewer
# Use pad_sequence to standardize sequence length:
# this will truncate sequences longer than 200 words and zero-pad sequences shorter than 200 words.
x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)
print(x_train.shape, x_train.dtype, x_train[0, -10:], y_train[:10])  # adapted: what the model trains on

# %% Train and evaluate the model
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
seeded_weights(model)  # adapted: the same start in both frameworks
print(np.round(model.predict(x_val[:2], verbose=0), 5))
history = model.fit(x_train, y_train, batch_size=32, epochs=1, validation_data=(x_val, y_val),
                    shuffle=False, verbose=0)  # adapted: 1 epoch, not shuffled, quiet
print({k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
print(np.round(model.predict(x_val[:2], verbose=0), 4))  # adapted: the trained model's predictions
