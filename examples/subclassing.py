"""Seed 003 ("서브클래싱", "@tf.function 속도 향상"): subclassed Keras models.

1. The seed's ``MyModel(Model)`` (Dense 300 -> 100 -> ``units`` -> 10 softmax, layers created in
   ``__init__``, wired in ``call``), trained briefly on flattened MNIST with ``fit``/``evaluate``/
   ``predict`` (what the seed says subclassing gives you), and its weights saved and restored with
   ``save_weights``/``load_weights`` (the seed: a subclassed model saves its parameters only).
2. The seed's speed comparison: ``SequentialModel(tf.keras.Model)`` called eagerly and through
   ``tf.function``, timed with ``timeit`` (the seed: eager 70.3 s, graph 35.5 s for 10,000 calls).

    python examples/subclassing.py [--quick] [--out DIR]

``--quick``: 1,500 training images, 1 epoch, 200 timed calls (full: 60,000 images, 5 epochs,
10,000 calls). Writes ``subclassing_curves.png`` and ``subclassing_timing.png``.
"""
import os
import timeit

import numpy as np

from _common import banner, parse_args, plt, savefig

import chainrule as tf
from chainrule.keras.datasets import mnist
from chainrule.keras.layers import Dense
from chainrule.keras.models import Model


class MyModel(Model):
    def __init__(self, units=30, activation='relu', **kwargs):
        super(MyModel, self).__init__(**kwargs)
        self.dense_layer1 = Dense(300, activation=activation)
        self.dense_layer2 = Dense(100, activation=activation)
        self.dense_layer3 = Dense(units, activation=activation)
        self.output_layer = Dense(10, activation='softmax')

    def call(self, inputs):
        x = self.dense_layer1(inputs)
        x = self.dense_layer2(x)
        x = self.dense_layer3(x)
        x = self.output_layer(x)
        return x


class SequentialModel(tf.keras.Model):
    def __init__(self, **kwargs):
        super(SequentialModel, self).__init__(**kwargs)
        self.flatten = tf.keras.layers.Flatten(input_shape=(28, 28))
        self.dense_1 = tf.keras.layers.Dense(128, activation='relu')
        self.dropout = tf.keras.layers.Dropout(0.2)
        self.dense_2 = tf.keras.layers.Dense(10)

    def call(self, x):
        x = self.flatten(x)
        x = self.dense_1(x)
        x = self.dropout(x)
        x = self.dense_2(x)
        return x


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.keras.utils.set_random_seed(0)

    banner("1. MyModel(Model)")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, x_test = x_train.reshape(-1, 784) / 255.0, x_test.reshape(-1, 784) / 255.0
    epochs = 5
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:1500], y_train[:1500], x_test[:500], y_test[:500]
        epochs = 1
    model = MyModel(units=30, name="my_model")
    model(x_train[:1])     # a subclassed model is built by calling it once
    model.summary()
    model.compile(loss='sparse_categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=2)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    pred = model.predict(x_test[:5], verbose=0)
    print(f"MyModel test accuracy: {acc:.4f}; predictions for 5 test images: {np.argmax(pred, axis=1)} "
          f"(labels {y_test[:5]})")

    path = os.path.join(args.out, "my_model.weights.h5")
    try:
        model.save_weights(path)
        restored = MyModel(units=30)
        restored(x_train[:1])
        restored.load_weights(path)
        same = np.allclose(restored.predict(x_test[:100], verbose=0), model.predict(x_test[:100], verbose=0))
        print(f"save_weights/load_weights round trip ({path}): same predictions = {same}")
    except Exception as exc:
        print(f"NOTE: save_weights/load_weights does not work yet in chainrule: {type(exc).__name__}: {exc}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ep = range(1, epochs + 1)
    ax1.plot(ep, history.history["loss"], "b-o", label="train_loss")
    ax1.plot(ep, history.history["val_loss"], "r-o", label="val_loss")
    ax2.plot(ep, history.history["accuracy"], "b-o", label="train_accuracy")
    ax2.plot(ep, history.history["val_accuracy"], "r-o", label="val_accuracy")
    for ax in (ax1, ax2):
        ax.set_xlabel("epoch"), ax.grid(True), ax.legend()
    fig.suptitle("MyModel (subclassed), SGD")
    savefig(fig, args.out, "subclassing_curves.png")

    banner("2. Eager model vs tf.function")
    number = 200 if args.quick else 10000
    input_data = tf.random.uniform([60, 28, 28])
    eager_model = SequentialModel()
    graph_model = tf.function(eager_model)
    eager_time = timeit.timeit(lambda: eager_model(input_data), number=number)
    graph_time = timeit.timeit(lambda: graph_model(input_data), number=number)
    print("Eager time:", eager_time)
    print("Graph time:", graph_time)
    print(f"{number} calls: eager {eager_time:.2f} s, tf.function {graph_time:.2f} s "
          f"(ratio {eager_time / graph_time:.2f})")

    fig = plt.figure()
    plt.bar(["eager", "tf.function"], [eager_time, graph_time], color=["tab:blue", "tab:orange"])
    plt.ylabel(f"seconds for {number} calls")
    plt.title("SequentialModel on a (60, 28, 28) batch")
    savefig(fig, args.out, "subclassing_timing.png")


if __name__ == "__main__":
    main()
