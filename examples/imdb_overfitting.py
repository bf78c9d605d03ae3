"""Seed 003 ("과대적합, 과소적합을 막기 위한 방법들"): over-fitting on IMDB, and what reduces it.

The seed's IMDB sentiment task (``imdb.load_data(num_words=10000)``, multi-hot vectors of 10,000
words, a sigmoid output, RMSprop, binary cross-entropy, 20 epochs, batch 512, the test set as
validation data), trained with:

* model size: 16-16-1 (model_1), 7-7-1 (model_2), 1024-1024-1 (model_3);
* regularization: L2(0.001), L1(0.001), L1L2(l1=0.0001, l2=0.0001) on both hidden layers;
* Dropout(0.5) after both hidden layers;

and the validation losses overlaid as in the seed.

    python examples/imdb_overfitting.py [--quick] [--out DIR]

``--quick`` uses 512 training and 500 test reviews and 2 epochs.
Writes ``imdb_size_val_loss.png``, ``imdb_size3_val_loss.png``, ``imdb_size_train_loss.png``,
``imdb_regularizers_val_loss.png``, ``imdb_dropout_val_loss.png``.
"""
import numpy as np

from _common import Timer, banner, parse_args, plot_model_or_note, plt, savefig

import chainrule as tf  # noqa: F401  (the seed's import)
from chainrule.keras.datasets import imdb
from chainrule.keras.layers import Dense, Dropout
from chainrule.keras.models import Sequential
from chainrule.keras.regularizers import l1, l1_l2, l2
from chainrule.keras.utils import set_random_seed


def vectorize_seq(seqs, dim=10000):
    results = np.zeros((len(seqs), dim))
    for i, seq in enumerate(seqs):
        results[i, seq] = 1.
    return results


def main():
    args = parse_args(__doc__.splitlines()[0])
    set_random_seed(0)
    (train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10000)
    if args.quick:
        train_data, train_labels = train_data[:512], train_labels[:512]
        test_data, test_labels = test_data[:500], test_labels[:500]
    x_train = vectorize_seq(train_data)
    x_test = vectorize_seq(test_data)
    y_train = np.asarray(train_labels).astype('float32')
    y_test = np.asarray(test_labels).astype('float32')
    print(f"x_train {x_train.shape}, x_test {x_test.shape}")

    n_epochs = 2 if args.quick else 20
    epochs = range(1, n_epochs + 1)
    summary = {}

    def train(model, name):
        model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
        with Timer() as t:
            hist = model.fit(x_train, y_train, epochs=n_epochs, batch_size=512,
                             validation_data=(x_test, y_test), verbose=2)
        val = hist.history['val_loss']
        best = int(np.argmin(val))
        summary[name] = (best + 1, val[best], val[-1], hist.history['val_acc'][-1], t.seconds)
        print(f"{name}: lowest val_loss {val[best]:.4f} at epoch {best + 1}, last val_loss {val[-1]:.4f}, "
              f"last val_acc {hist.history['val_acc'][-1]:.4f} ({t.seconds:.0f} s)")
        return hist

    banner("1. Model size: model_1 (16 units) and model_2 (7 units)")
    model_1 = Sequential([Dense(16, activation='relu', input_shape=(10000, ), name='input'),
                          Dense(16, activation='relu', name='hidden'),
                          Dense(1, activation='sigmoid', name='output')])
    model_1.summary()
    model_2 = Sequential([Dense(7, activation='relu', input_shape=(10000, ), name='input2'),
                          Dense(7, activation='relu', name='hidden2'),
                          Dense(1, activation='sigmoid', name='output2')])
    model_2.summary()
    model_1_hist = train(model_1, "model_1 (16)")
    model_2_hist = train(model_2, "model_2 (7)")
    model_1_val_loss = model_1_hist.history['val_loss']
    model_2_val_loss = model_2_hist.history['val_loss']

    fig = plt.figure()
    plt.plot(epochs, model_1_val_loss, 'r+', label='Model_1')
    plt.plot(epochs, model_2_val_loss, 'bo', label='Model_2')
    plt.xlabel('Epochs')
    plt.ylabel('Validation Loss')
    plt.legend()
    plt.grid()
    savefig(fig, args.out, "imdb_size_val_loss.png")

    banner("2. Model size (2): model_3 (1024 units)")
    model_3 = Sequential([Dense(1024, activation='relu', input_shape=(10000, ), name='input3'),
                          Dense(1024, activation='relu', name='hidden3'),
                          Dense(1, activation='sigmoid', name='output3')])
    model_3.summary()
    model_3_hist = train(model_3, "model_3 (1024)")
    model_3_val_loss = model_3_hist.history['val_loss']

    # The seed draws all three with 'r+'; distinct markers here so the curves can be told apart.
    fig = plt.figure()
    plt.plot(epochs, model_1_val_loss, 'r+', label='Model_1')
    plt.plot(epochs, model_2_val_loss, 'bo', label='Model_2')
    plt.plot(epochs, model_3_val_loss, 'g^', label='Model_3')
    plt.xlabel('Epochs')
    plt.ylabel('Validation Loss')
    plt.legend()
    plt.grid()
    savefig(fig, args.out, "imdb_size3_val_loss.png")

    fig = plt.figure()
    plt.plot(epochs, model_1_hist.history['loss'], 'r+', label='Model_1')
    plt.plot(epochs, model_2_hist.history['loss'], 'bo', label='Model_2')
    plt.plot(epochs, model_3_hist.history['loss'], 'g^', label='Model_3')
    plt.xlabel('Epochs')
    plt.ylabel('Training Loss')
    plt.legend()
    plt.grid()
    savefig(fig, args.out, "imdb_size_train_loss.png")

    banner("3. L2, L1 and L1L2 regularization")
    l2_model = Sequential([Dense(16, kernel_regularizer=l2(0.001), activation='relu', input_shape=(10000, )),
                           Dense(16, kernel_regularizer=l2(0.001), activation='relu'),
                           Dense(1, activation='sigmoid')])
    l2_model.summary()
    plot_model_or_note(l2_model, args.out, "imdb_l2_model.png", show_shapes=True)
    l2_model_val_loss = train(l2_model, "l2_model").history['val_loss']

    l1_model = Sequential([Dense(16, kernel_regularizer=l1(0.001), activation='relu', input_shape=(10000, )),
                           Dense(16, kernel_regularizer=l1(0.001), activation='relu'),
                           Dense(1, activation='sigmoid')])
    l1_model_val_loss = train(l1_model, "l1_model").history['val_loss']

    l1_l2_model = Sequential([Dense(16, kernel_regularizer=l1_l2(l1=0.0001, l2=0.0001), activation='relu',
                                    input_shape=(10000, )),
                              Dense(16, kernel_regularizer=l1_l2(l1=0.0001, l2=0.0001), activation='relu'),
                              Dense(1, activation='sigmoid')])
    l1_l2_model_val_loss = train(l1_l2_model, "l1_l2_model").history['val_loss']

    fig = plt.figure()
    plt.plot(epochs, model_1_val_loss, 'r+', label='Model_1')
    plt.plot(epochs, l1_l2_model_val_loss, 'ko', label='Model_L1_L2-regularized')
    plt.plot(epochs, l1_model_val_loss, 'bo', label='Model_L1-regularized')
    plt.plot(epochs, l2_model_val_loss, 'g--', label='Model_L2-regularized')
    plt.xlabel('Epochs')
    plt.ylabel('Validation Loss')
    plt.legend()
    plt.grid()
    savefig(fig, args.out, "imdb_regularizers_val_loss.png")

    banner("4. Dropout(0.5)")
    dropout_model = Sequential([Dense(16, activation='relu', input_shape=(10000, )),
                                Dropout(0.5),
                                Dense(16, activation='relu'),
                                Dropout(0.5),
                                Dense(1, activation='sigmoid')])
    dropout_model.summary()
    dropout_model_val_loss = train(dropout_model, "dropout_model").history['val_loss']

    fig = plt.figure()
    plt.plot(epochs, model_1_val_loss, 'r+', label='Model_1')
    plt.plot(epochs, dropout_model_val_loss, 'co', label='Model_Dropout')
    plt.xlabel('Epochs')
    plt.ylabel('Validation Loss')
    plt.legend()
    plt.grid()
    savefig(fig, args.out, "imdb_dropout_val_loss.png")

    banner("Summary: validation loss per model")
    print(f"{'model':<16}{'best epoch':>11}{'best val_loss':>15}{'last val_loss':>15}{'last val_acc':>14}{'time':>8}")
    for name, (ep, best, last, acc, secs) in summary.items():
        print(f"{name:<16}{ep:>11}{best:>15.4f}{last:>15.4f}{acc:>14.4f}{secs:>7.0f}s")


if __name__ == "__main__":
    main()
