"""``chainrule demo``: the seed's MNIST quickstart on the MNIST subset bundled in the package.

No data folder and no network are needed: 5,000 training and 1,000 test
images ship with chainrule. Prints the tf.keras progress bar and the test
accuracy, and writes the training curves to ``<out>/demo_curves.png`` (or says why it could not:
matplotlib missing, folder not writable).
"""
from __future__ import annotations

import os

from . import keras


def run(out_dir="examples/out", epochs=5, verbose=1, print_fn=print) -> dict:
    """Train Flatten -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax) with Adam; return the figures."""
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data(subset="bundled")
    x_train, x_test = x_train / 255.0, x_test / 255.0
    print_fn(f"MNIST subset bundled with chainrule: {len(x_train):,} training and {len(x_test):,} test images")

    model = keras.models.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.summary(print_fn=print_fn)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, validation_split=0.1, verbose=verbose)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=2 if verbose else 0)
    print_fn(f"\nTest accuracy: {test_acc:.4f}")

    path, reason = _plot(history.history, out_dir)
    if path:
        print_fn(f"Training curves written to {os.path.abspath(path)}")
    else:
        print_fn(f"Training curves not drawn: {reason}")
    return {"test_accuracy": test_acc, "test_loss": test_loss, "history": history.history, "plot": path,
            "plot_note": reason}


def _plot(history: dict, out_dir: str):
    """Draw the loss and accuracy curves into ``<out_dir>/demo_curves.png``: ``(path, None)`` or
    ``(None, why not)``."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None, ("matplotlib is not installed (pip install matplotlib, or pip install 'chainrule[demo]'; "
                      "make demo installs it).")
    try:
        return _draw(plt, history, out_dir), None
    except OSError as e:
        return None, f"cannot write to {os.path.abspath(out_dir)!r}: {e.strerror or e}. Pick another folder with --out."


def _draw(plt, history: dict, out_dir: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    epochs = range(1, len(history["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["loss"], "b-o", label="train_loss")
    ax1.plot(epochs, history["val_loss"], "r-o", label="val_loss")
    ax1.set_xlabel("epoch"), ax1.set_ylabel("loss"), ax1.legend(), ax1.grid(True)
    ax2.plot(epochs, history["accuracy"], "b-o", label="train_accuracy")
    ax2.plot(epochs, history["val_accuracy"], "r-o", label="val_accuracy")
    ax2.set_xlabel("epoch"), ax2.set_ylabel("accuracy"), ax2.legend(), ax2.grid(True)
    fig.suptitle("chainrule demo: MNIST quickstart (bundled subset)")
    fig.tight_layout()
    path = os.path.join(out_dir, "demo_curves.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
