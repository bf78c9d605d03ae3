"""Seed 001 ("Tensorflow 숫자인식 실습해보기"): the TensorFlow 2 beginner quickstart on MNIST.

Flatten(28, 28) -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax), Adam, sparse categorical
cross-entropy, 5 epochs, then ``evaluate(verbose=2)``. The seed reaches 0.9776 test accuracy.

    python examples/mnist_quickstart.py [--quick] [--out DIR]

``--quick`` trains 1 epoch on the first 3,000 images and tests on 1,000.
Data: MNIST from ``$CHAINRULE_DATA`` (``tf.keras.datasets.mnist.load_data``).
Writes ``mnist_quickstart_curves.png``.
"""
from _common import parse_args, plt, savefig

import chainrule as tf


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.keras.utils.set_random_seed(0)

    mnist = tf.keras.datasets.mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    epochs = 5
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]
        epochs = 1
    x_train, x_test = x_train / 255.0, x_test / 255.0

    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=epochs)
    result = model.evaluate(x_test, y_test, verbose=2)
    print(result)
    print(f"test accuracy: {result[1]:.4f}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ep = range(1, epochs + 1)
    ax1.plot(ep, history.history["loss"], "b-o")
    ax1.set_title("loss"), ax1.set_xlabel("epoch"), ax1.grid(True)
    ax2.plot(ep, history.history["accuracy"], "b-o")
    ax2.set_title("accuracy"), ax2.set_xlabel("epoch"), ax2.grid(True)
    fig.suptitle(f"MNIST quickstart: test accuracy {result[1]:.4f}")
    savefig(fig, args.out, "mnist_quickstart_curves.png")


if __name__ == "__main__":
    main()
