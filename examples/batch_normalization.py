"""Seed 003, section 5 ("배치 정규화"): BatchNormalization between Dense and its activation.

The seed's block, Dense(32, he_normal) on a 784 input -> BatchNormalization -> Activation('relu'),
with its summary (25,248 parameters, 64 of them non-trainable: the moving mean and variance).
Then that block, followed by Dense(10, softmax), trained on MNIST with and without the
BatchNormalization layer (SGD 0.01, batch 128), and the validation curves compared.

    python examples/batch_normalization.py [--quick] [--out DIR]

``--quick``: 1,024 training images, 2 epochs (full: 60,000 images, 10 epochs).
Writes ``batch_normalization.png``.
"""
import numpy as np

from _common import Timer, banner, parse_args, plot_model_or_note, plt, savefig

from chainrule.keras.datasets import mnist
from chainrule.keras.layers import Activation, BatchNormalization, Dense
from chainrule.keras.models import Sequential
from chainrule.keras.optimizers import SGD
from chainrule.keras.utils import set_random_seed


def block(with_bn: bool):
    model = Sequential()
    model.add(Dense(32, input_shape=(28 * 28, ), kernel_initializer='he_normal'))
    if with_bn:
        model.add(BatchNormalization())
    model.add(Activation('relu'))
    return model


def main():
    args = parse_args(__doc__.splitlines()[0])
    set_random_seed(0)

    banner("The seed's model")
    model = block(with_bn=True)
    model.summary()
    plot_model_or_note(model, args.out, "batch_normalization_model.png", show_shapes=True)

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train.reshape(-1, 784) / 255.0
    x_test = x_test.reshape(-1, 784) / 255.0
    n_epochs = 10
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:1024], y_train[:1024], x_test[:500], y_test[:500]
        n_epochs = 2

    histories = {}
    for with_bn in (False, True):
        set_random_seed(0)
        model = block(with_bn)
        model.add(Dense(10, activation='softmax'))
        model.compile(optimizer=SGD(learning_rate=0.01), loss='sparse_categorical_crossentropy',
                      metrics=['accuracy'])
        label = "with BatchNormalization" if with_bn else "without BatchNormalization"
        banner(f"MNIST, {label}, {n_epochs} epochs")
        with Timer() as t:
            hist = model.fit(x_train, y_train, epochs=n_epochs, batch_size=128,
                             validation_data=(x_test, y_test), verbose=2)
        histories[label] = hist.history
        if with_bn:
            bn = model.layers[1]
            moving_mean, moving_var = bn.get_weights()[2:]
            print(f"BatchNormalization moving_mean: mean {np.mean(moving_mean):.3f}, "
                  f"moving_variance: mean {np.mean(moving_var):.3f} (non-trainable, updated while training)")
        print(f"{label}: val_loss {hist.history['val_loss'][-1]:.4f}, "
              f"val_accuracy {hist.history['val_accuracy'][-1]:.4f} ({t.seconds:.1f} s)")

    epochs = range(1, n_epochs + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for label, h in histories.items():
        ax1.plot(epochs, h["val_loss"], "-o", label=label)
        ax2.plot(epochs, h["val_accuracy"], "-o", label=label)
    ax1.set_title("Validation loss"), ax2.set_title("Validation accuracy")
    for ax in (ax1, ax2):
        ax.set_xlabel("Epochs"), ax.grid(True), ax.legend()
    fig.suptitle("Dense(32, he_normal) [-> BatchNormalization] -> relu -> Dense(10), SGD 0.01")
    savefig(fig, args.out, "batch_normalization.png")


if __name__ == "__main__":
    main()
