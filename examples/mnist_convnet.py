"""keras.io's "Simple MNIST convnet" (examples/vision/mnist_convnet), run with `import chainrule as tf`.

Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten ->
Dropout(0.5) -> Dense(10, softmax); categorical cross-entropy, Adam, batch 128, 15 epochs,
validation_split 0.1. The example reaches about 99 % test accuracy.

    python examples/mnist_convnet.py [--quick] [--out DIR]

``--quick`` trains 1 epoch on the first 2,000 images and tests on 500.
Data: MNIST from ``$CHAINRULE_DATA`` (``keras.datasets.mnist.load_data``).
Writes ``mnist_convnet_curves.png`` (loss and accuracy per epoch) and ``mnist_convnet_filters.png``
(the 32 first-layer filters).
"""
import numpy as np
from _common import Timer, parse_args, plt, savefig

from chainrule import keras
from chainrule.keras import layers


def main():
    args = parse_args(__doc__.splitlines()[0])
    keras.utils.set_random_seed(0)

    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)

    # Load the data and split it between train and test sets
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    epochs = 15
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:500], y_test[:500]
        epochs = 1

    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.summary()

    batch_size = 128
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    with Timer() as timer:
        history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                            verbose=2 if not args.quick else 1)

    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    print(f"test accuracy: {score[1]:.4f} after {epochs} epochs ({timer.seconds:.0f} s of training, "
          f"{timer.seconds / epochs:.1f} s per epoch)")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ep = range(1, epochs + 1)
    ax1.plot(ep, history.history["loss"], "b-o", label="training")
    ax1.plot(ep, history.history["val_loss"], "r-o", label="validation")
    ax1.set_title("loss"), ax1.set_xlabel("epoch"), ax1.grid(True), ax1.legend()
    ax2.plot(ep, history.history["accuracy"], "b-o", label="training")
    ax2.plot(ep, history.history["val_accuracy"], "r-o", label="validation")
    ax2.set_title("accuracy"), ax2.set_xlabel("epoch"), ax2.grid(True), ax2.legend()
    fig.suptitle(f"MNIST convnet: test accuracy {score[1]:.4f}")
    savefig(fig, args.out, "mnist_convnet_curves.png")

    kernel = model.layers[0].get_weights()[0]            # (3, 3, 1, 32): tf.keras's layout
    fig, axes = plt.subplots(4, 8, figsize=(8, 4.4))
    for i, ax in enumerate(axes.ravel()):
        ax.imshow(kernel[:, :, 0, i], cmap="gray")
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("first Conv2D layer: the 32 learned 3x3 filters")
    savefig(fig, args.out, "mnist_convnet_filters.png")


if __name__ == "__main__":
    main()
