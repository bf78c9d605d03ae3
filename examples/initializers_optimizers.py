"""Seed 003, sections 3-4 ("가중치 초기화", "고속 옵티마이저"): initializers and optimizers side by side.

First the seed's He-initialized model (Dense(30, he_normal) on a 10x10 input, LeakyReLU(0.2),
Dense(1, he_normal), softmax) and its summary. Then one task, MNIST with a 784-100-100-100-10 ReLU
network and batch 128, trained

* with four kernel initializers (Glorot uniform, the Keras default; He normal, the seed's choice
  for ReLU; RandomNormal with stddev 1.0 and 0.01), SGD(0.01);
* with the seed's six optimizers and their hyper-parameters: SGD(0.001), SGD(0.001, momentum=0.9),
  SGD(0.001, momentum=0.9, nesterov=True), Adagrad(0.001), RMSprop(0.001, rho=0.9),
  Adam(0.001, beta_1=0.9, beta_2=0.999);

and the validation losses drawn in one picture (two panels).

    python examples/initializers_optimizers.py [--quick] [--out DIR]

``--quick`` uses 512 training images and 2 epochs (full: 60,000 images, 10 epochs; the test set is
the validation data). Writes ``initializers_optimizers.png``.
"""
import numpy as np

from _common import Timer, banner, parse_args, plt, savefig

import chainrule as tf  # noqa: F401  (the seed's import)
from chainrule.keras.datasets import mnist
from chainrule.keras.initializers import RandomNormal
from chainrule.keras.layers import Activation, Dense, Flatten, LeakyReLU
from chainrule.keras.models import Sequential
from chainrule.keras.optimizers import SGD, Adagrad, Adam, RMSprop
from chainrule.keras.utils import set_random_seed


def main():
    args = parse_args(__doc__.splitlines()[0])

    banner("3. Weight initialization: the seed's He-initialized model")
    model = Sequential([Dense(30, kernel_initializer='he_normal', input_shape=[10, 10]),
                        LeakyReLU(alpha=0.2),
                        Dense(1, kernel_initializer='he_normal'),
                        Activation('softmax')])
    model.summary()
    kernel = model.layers[0].get_weights()[0]
    print(f"he_normal kernel (fan_in 10): sample std {kernel.std():.3f}, expected sqrt(2 / fan_in) = "
          f"{np.sqrt(2 / 10):.3f}")

    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0
    n_epochs = 10
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:512], y_train[:512], x_test[:500], y_test[:500]
        n_epochs = 2

    def run(initializer, optimizer, label):
        set_random_seed(0)
        model = Sequential([Flatten(input_shape=(28, 28))]
                           + [Dense(100, activation='relu', kernel_initializer=initializer) for _ in range(3)]
                           + [Dense(10, activation='softmax', kernel_initializer=initializer)])
        model.compile(optimizer=optimizer, loss='sparse_categorical_crossentropy', metrics=['accuracy'])
        with Timer() as t:
            hist = model.fit(x_train, y_train, epochs=n_epochs, batch_size=128,
                             validation_data=(x_test, y_test), verbose=0)
        h = hist.history
        print(f"{label:<34} val_loss {h['val_loss'][-1]:.4f}  val_accuracy {h['val_accuracy'][-1]:.4f}"
              f"  ({t.seconds:.1f} s)")
        return h['val_loss']

    banner(f"3b. Initializers on MNIST (SGD 0.01, {n_epochs} epochs)")
    inits = {
        "glorot_uniform (Keras default)": "glorot_uniform",
        "he_normal": "he_normal",
        "RandomNormal(stddev=1.0)": RandomNormal(mean=0.0, stddev=1.0),
        "RandomNormal(stddev=0.01)": RandomNormal(mean=0.0, stddev=0.01),
    }
    init_curves = {label: run(init, SGD(learning_rate=0.01), label) for label, init in inits.items()}

    banner(f"4. Optimizers on MNIST (he_normal, {n_epochs} epochs)")
    optimizers = {
        "SGD(0.001)": lambda: SGD(learning_rate=0.001),
        "SGD(0.001, momentum=0.9)": lambda: SGD(learning_rate=0.001, momentum=0.9),
        "SGD(0.001, momentum=0.9, nesterov)": lambda: SGD(learning_rate=0.001, momentum=0.9, nesterov=True),
        "Adagrad(0.001)": lambda: Adagrad(learning_rate=0.001),
        "RMSprop(0.001, rho=0.9)": lambda: RMSprop(learning_rate=0.001, rho=0.9),
        "Adam(0.001, 0.9, 0.999)": lambda: Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    }
    opt_curves = {label: run("he_normal", make(), label) for label, make in optimizers.items()}

    epochs = range(1, n_epochs + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    for label, curve in init_curves.items():
        ax1.plot(epochs, curve, "-o", label=label)
    ax1.set_title("Initializers (SGD 0.01)")
    ax1.set_yscale("log")
    for label, curve in opt_curves.items():
        ax2.plot(epochs, curve, "-o", label=label)
    ax2.set_title("Optimizers (he_normal)")
    for ax in (ax1, ax2):
        ax.set_xlabel("Epochs"), ax.set_ylabel("Validation Loss"), ax.grid(True), ax.legend(fontsize=8)
    fig.suptitle("MNIST 784-100-100-100-10: validation loss")
    savefig(fig, args.out, "initializers_optimizers.png")

    best = min(opt_curves, key=lambda k: opt_curves[k][-1])
    print(f"best optimizer after {n_epochs} epochs: {best} (val_loss {opt_curves[best][-1]:.4f})")


if __name__ == "__main__":
    main()
