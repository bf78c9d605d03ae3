"""keras.io "Sequence to sequence learning for performing number addition" (addition_rnn): an LSTM learns
to add two numbers given as digit strings.

The keras.io example unchanged apart from the imports: 50,000 random questions "535+61" (each
number up to 3 digits, the question reversed as in the example, one-hot characters), an LSTM(128)
encoder, ``RepeatVector(4)``, an LSTM(128) decoder with ``return_sequences=True`` and a softmax
``Dense`` on every step; Adam, categorical cross-entropy, batch 32, 30 epochs, 10 sample questions
after each epoch. Added here: the exact-match accuracy on the held-out 10% (every character of
the 4-character answer right), the figure issue 17 asks for (>= 0.95).

    python examples/addition_rnn.py [--quick] [--out DIR]

``--quick`` uses 4,000 questions and 2 epochs. Writes ``addition_rnn_accuracy.png``.
"""
import numpy as np

from _common import Timer, banner, parse_args, plt, savefig

import chainrule as tf  # noqa: F401  (the example's import)
from chainrule import keras
from chainrule.keras import layers

# Parameters for the model and dataset (keras.io's).
TRAINING_SIZE = 50000
DIGITS = 3
REVERSE = True
MAXLEN = DIGITS + 1 + DIGITS  # "123+456"


class CharacterTable:
    """Given a set of characters: encode them to a one-hot integer representation, decode the one-hot
    or integer representation to their character output, decode a vector of probabilities to their
    character output."""

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(C):
            x[i, self.char_indices[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[x] for x in x)


def generate_questions(size, rng):
    questions, expected, seen = [], [], set()
    while len(questions) < size:
        def f():
            return int("".join(rng.choice(list("0123456789")) for _ in range(rng.integers(1, DIGITS + 1))))
        a, b = f(), f()
        key = tuple(sorted((a, b)))  # skip questions already seen (x+Y == Y+x)
        if key in seen:
            continue
        seen.add(key)
        q = f"{a}+{b}"
        query = q + " " * (MAXLEN - len(q))
        ans = str(a + b)
        ans += " " * (DIGITS + 1 - len(ans))
        if REVERSE:
            query = query[::-1]
        questions.append(query)
        expected.append(ans)
    return questions, expected


def main():
    args = parse_args(__doc__.splitlines()[0])
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    size = 4000 if args.quick else TRAINING_SIZE
    epochs = 2 if args.quick else 30

    banner("Generate data")
    chars = "0123456789+ "
    ctable = CharacterTable(chars)
    questions, expected = generate_questions(size, rng)
    print("Total questions:", len(questions))

    banner("Vectorization")
    x = np.zeros((len(questions), MAXLEN, len(chars)), dtype=bool)
    y = np.zeros((len(questions), DIGITS + 1, len(chars)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, MAXLEN)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, DIGITS + 1)
    indices = np.arange(len(y))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    split_at = len(x) - len(x) // 10
    (x_train, x_val), (y_train, y_val) = (x[:split_at], x[split_at:]), (y[:split_at], y[split_at:])
    print("Training Data:", x_train.shape, y_train.shape)
    print("Validation Data:", x_val.shape, y_val.shape)

    banner("Build the model")
    num_layers = 1  # Try to add more LSTM layers!
    model = keras.Sequential()
    # "Encode" the input sequence using a LSTM, producing an output of size 128.
    model.add(layers.LSTM(128, input_shape=(MAXLEN, len(chars))))
    # As the decoder RNN's input, repeatedly provide with the last output of RNN for each time step.
    model.add(layers.RepeatVector(DIGITS + 1))
    for _ in range(num_layers):
        model.add(layers.LSTM(128, return_sequences=True))
    # Apply a dense layer to every temporal slice of an input.
    model.add(layers.Dense(len(chars), activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.summary()

    banner("Train the model")
    batch_size = 32
    val_acc, exact = [], []
    with Timer() as timer:
        for epoch in range(1, epochs + 1):
            print("\nIteration", epoch)
            history = model.fit(x_train, y_train, batch_size=batch_size, epochs=1, validation_data=(x_val, y_val),
                                verbose=2)
            val_acc.append(history.history["val_accuracy"][-1])
            # Select 10 samples from the validation set at random so we can visualize errors.
            for _ in range(10):
                ind = rng.integers(0, len(x_val))
                rowx, rowy = x_val[np.array([ind])], y_val[np.array([ind])]
                preds = np.argmax(model.predict(rowx, verbose=0), axis=-1)
                q = ctable.decode(rowx[0])
                correct = ctable.decode(rowy[0])
                guess = ctable.decode(preds[0], calc_argmax=False)
                print("Q", q[::-1] if REVERSE else q, end=" ")
                print("T", correct, end=" ")
                print("☑ " + guess if correct == guess else "☒ " + guess)
            predicted = model.predict(x_val, batch_size=512, verbose=0).argmax(axis=-1)
            exact.append(float(np.mean(np.all(predicted == y_val.argmax(axis=-1), axis=1))))
            print(f"exact-match accuracy after epoch {epoch}: {exact[-1]:.4f}")

    banner("Result")
    print(f"validation per-character accuracy: {val_acc[-1]:.4f}")
    print(f"validation exact-match accuracy: {exact[-1]:.4f} ({len(x_val):,} questions, {epochs} epochs, "
          f"{timer.seconds:.0f} s)")

    fig, ax = plt.subplots()
    ax.plot(range(1, epochs + 1), val_acc, "o-", label="per character (val_accuracy)")
    ax.plot(range(1, epochs + 1), exact, "s-", label="exact match (all 4 characters)")
    ax.axhline(0.95, color="gray", linestyle="--", linewidth=0.8)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_title("LSTM learns addition (keras.io addition_rnn)")
    ax.legend()
    ax.grid(True)
    savefig(fig, args.out, "addition_rnn_accuracy.png")


if __name__ == "__main__":
    main()
