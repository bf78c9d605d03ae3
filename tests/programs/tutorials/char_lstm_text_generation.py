"""The Keras example "Character-level text generation with LSTM" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/generative/lstm_character_level_text_generation.py (fchollet, last
modified 2020/04/30; the tf.keras 2 version). The code is here in order. Adaptations:

* the Nietzsche download (``keras.utils.get_file("nietzsche.txt", ...)``, 600 KB, not in the shared datasets)
  is replaced by ``guide_support.shakespeare_stand_in``: 4 KB of made-up verse written to ``nietzsche.txt``
  from a seeded numpy generator and a fixed word list (about 1300 sequences of 40 characters);
* Python's and numpy's global generators are seeded (``random.seed(0)``, ``np.random.seed(0)``), so the seed
  sentences (``random.randint``) and the draws of ``sample`` (``np.random.multinomial``) are the same in both
  frameworks: the generated texts are compared;
* the model starts from ``seeded_weights`` (numpy-drawn); ``fit`` runs with ``shuffle=False`` and
  ``verbose=0``, its history printed instead of the progress bar: the model has no dropout, so the training is
  deterministic and compared;
* the loop runs 2 epochs instead of 40 and generates 60 characters for each diversity instead of 400.

Run with chainrule: ``CHAINRULE_DATA=... python char_lstm_text_generation.py``; the expected output was made
with ``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
from guide_support import framework, seeded_weights, shakespeare_stand_in  # adapted: chainrule or TensorFlow

tf, keras = framework()
layers = keras.layers

import numpy as np  # noqa: E402  (the example's imports, after the framework's)
import random  # noqa: E402
import io  # noqa: E402

random.seed(0)  # adapted: the same seed sentences in both frameworks
np.random.seed(0)  # adapted: the same draws in sample()

# %% Prepare the data
path = shakespeare_stand_in("nietzsche.txt", speeches=60)  # adapted: a local stand-in, for keras.utils.get_file
with io.open(path, encoding="utf-8") as f:
    text = f.read().lower()
text = text.replace("\n", " ")  # We remove newlines chars for nicer display
print("Corpus length:", len(text))

chars = sorted(list(set(text)))
print("Total chars:", len(chars))
char_indices = dict((c, i) for i, c in enumerate(chars))
indices_char = dict((i, c) for i, c in enumerate(chars))

# cut the text in semi-redundant sequences of maxlen characters
maxlen = 40
step = 3
sentences = []
next_chars = []
for i in range(0, len(text) - maxlen, step):
    sentences.append(text[i : i + maxlen])
    next_chars.append(text[i + maxlen])
print("Number of sequences:", len(sentences))

x = np.zeros((len(sentences), maxlen, len(chars)), dtype=np.bool)
y = np.zeros((len(sentences), len(chars)), dtype=np.bool)
for i, sentence in enumerate(sentences):
    for t, char in enumerate(sentence):
        x[i, t, char_indices[char]] = 1
    y[i, char_indices[next_chars[i]]] = 1


# %% Build the model: a single LSTM layer
model = keras.Sequential(
    [
        keras.Input(shape=(maxlen, len(chars))),
        layers.LSTM(128),
        layers.Dense(len(chars), activation="softmax"),
    ]
)
optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
model.compile(loss="categorical_crossentropy", optimizer=optimizer)
seeded_weights(model)  # adapted: the same start in both frameworks
model.summary()  # adapted: shows the model both frameworks built


# %% Prepare the text sampling function
def sample(preds, temperature=1.0):
    # helper function to sample an index from a probability array
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


# %% Train the model
epochs = 2  # adapted: 40 in the example
batch_size = 128

for epoch in range(epochs):
    history = model.fit(x, y, batch_size=batch_size, epochs=1,
                        shuffle=False, verbose=0)  # adapted: the same batches, no progress bar
    print({k: [round(float(v), 6) for v in vals] for k, vals in history.history.items()})  # adapted
    print()
    print("Generating text after epoch: %d" % epoch)

    start_index = random.randint(0, len(text) - maxlen - 1)
    for diversity in [0.2, 0.5, 1.0, 1.2]:
        print("...Diversity:", diversity)

        generated = ""
        sentence = text[start_index : start_index + maxlen]
        print('...Generating with seed: "' + sentence + '"')

        for i in range(60):  # adapted: 400 in the example
            x_pred = np.zeros((1, maxlen, len(chars)))
            for t, char in enumerate(sentence):
                x_pred[0, t, char_indices[char]] = 1.0
            preds = model.predict(x_pred, verbose=0)[0]
            next_index = sample(preds, diversity)
            next_char = indices_char[next_index]
            sentence = sentence[1:] + next_char
            generated += next_char

        print("...Generated: ", generated)
        print()
