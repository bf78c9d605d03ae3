"""The seeds' training programs, run end to end on the real data (slow; run in CI).

Each test follows the seed's model, hyper-parameters and steps, and checks the
figure the issue asks for. Data comes from CHAINRULE_DATA (../shared/datasets).
"""
import os
import re

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras.layers import Dense, Flatten, Dropout, Input
from chainrule.keras.models import Model, Sequential

pytestmark = pytest.mark.slow

DATA = os.environ.get("CHAINRULE_DATA")
needs_data = pytest.mark.skipif(not DATA, reason="CHAINRULE_DATA is not set (CI sets it to ../shared/datasets)")


@needs_data
def test_mnist_quickstart_reaches_97_percent():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"), Dropout(0.2),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=5, verbose=0)
    assert list(history.history) == ["loss", "accuracy"]
    assert history.history["loss"][0] > history.history["loss"][-1]
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc >= 0.97


@needs_data
def test_iris_sequential_reaches_93_percent():
    import pandas as pd
    keras.utils.set_random_seed(42)
    df = pd.read_csv(os.path.join(DATA, "iris", "iris.data"), header=None)
    X = df.drop(4, axis=1)
    y = df[4].map({"Iris-setosa": 0, "Iris-versicolor": 1, "Iris-virginica": 2})
    order = np.random.default_rng(42).permutation(len(df))  # the seed uses sklearn's train_test_split
    train, test = order[:120], order[120:]
    X_train, X_test, y_train, y_test = X.iloc[train], X.iloc[test], y.iloc[train], y.iloc[test]
    model = Sequential()
    model.add(Dense(200, input_dim=4, activation="relu"))
    model.add(Dense(100, activation="relu"))
    model.add(Dense(3, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    results = model.fit(X_train, y_train, epochs=50, validation_data=(X_test, y_test), verbose=0)
    assert set(results.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    test_loss, test_acc = model.evaluate(X_test, y_test, verbose=0)
    assert test_acc >= 0.93


def test_xor_from_fixed_weights_learns_xor():
    X4 = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    Y4 = np.array([[0], [1], [1], [0]])
    model = Sequential([Dense(units=2, activation="sigmoid", input_shape=(2,)),
                        Dense(units=1, activation="sigmoid")])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    # A start from which plain SGD separates XOR (from a random start it converges only sometimes).
    model.set_weights([np.array([[3.0, 6.0], [3.0, 6.0]]), np.array([-4.5, -2.0]),
                       np.array([[-7.0], [7.0]]), np.array([-3.0])])
    history = model.fit(X4, Y4, epochs=2000, batch_size=1, verbose=0)
    pred = model.predict(X4, verbose=0).ravel()
    assert np.all((pred > 0.5) == (Y4.ravel() == 1)), pred
    assert history.history["loss"][-1] < history.history["loss"][0]


@needs_data
def test_fashion_mnist_functional_rmsprop_then_sgd():
    from chainrule.keras.optimizers import RMSprop, SGD
    keras.utils.set_random_seed(111)
    (x_full, y_full), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    order = np.random.default_rng(111).permutation(len(x_full))  # the seed: train_test_split(test_size=0.3)
    val, train = order[:18000], order[18000:]
    x_train, y_train, x_val, y_val = x_full[train], y_full[train], x_full[val], y_full[val]
    x_train, x_val, x_test = (a.reshape(-1, 28 * 28) / 255.0 for a in (x_train, x_val, x_test))
    inp = Input(shape=(784,), name="input")
    h = inp
    for i, units in enumerate((256, 128, 64, 32), 1):
        h = Dense(units, activation="relu", name=f"hidden{i}")(h)
    model = Model(inputs=[inp], outputs=[Dense(10, activation="softmax", name="output")(h)])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=RMSprop(learning_rate=0.01), metrics=["acc"])
    history = model.fit(x_train, y_train, epochs=10, batch_size=128, validation_data=(x_val, y_val), verbose=0)
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]
    model.compile(loss="sparse_categorical_crossentropy", optimizer=SGD(learning_rate=0.01), metrics=["acc"])
    model.fit(x_train, y_train, epochs=10, batch_size=128, validation_data=(x_val, y_val), verbose=0)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc >= 0.84


@needs_data
def test_auto_mpg_regression_with_early_stopping():
    import pandas as pd
    from chainrule.keras.optimizers import RMSprop
    keras.utils.set_random_seed(0)
    dataset_path = keras.utils.get_file(
        "auto-mpg.data", "http://archive.ics.uci.edu/ml/machine-learning-databases/auto-mpg/auto-mpg.data")
    column_names = ["MPG", "Cylinders", "Displacement", "Horsepower", "Weight", "Acceleration", "Model Year",
                    "Origin"]
    dataset = pd.read_csv(dataset_path, names=column_names, na_values="?", comment="\t", sep=" ",
                          skipinitialspace=True).dropna()
    origin = dataset.pop("Origin")
    dataset["USA"] = (origin == 1) * 1.0
    dataset["Europe"] = (origin == 2) * 1.0
    dataset["Japan"] = (origin == 3) * 1.0
    train_dataset = dataset.sample(frac=0.8, random_state=0)
    test_dataset = dataset.drop(train_dataset.index)
    train_stats = train_dataset.describe()
    train_stats.pop("MPG")
    train_stats = train_stats.transpose()
    train_labels, test_labels = train_dataset.pop("MPG"), test_dataset.pop("MPG")

    def normalization(x):
        return (x - train_stats["mean"]) / train_stats["std"]

    normed_train_data, normed_test_data = normalization(train_dataset), normalization(test_dataset)
    inp = Input(shape=len(train_dataset.keys()), name="input")
    h = Dense(64, activation="relu", name="dense1")(inp)
    h = Dense(64, activation="relu", name="dense2")(h)
    model = Model(inputs=[inp], outputs=[Dense(1, name="output")(h)])
    model.compile(loss="mse", optimizer=RMSprop(0.001), metrics=["mae", "mse"])
    early_stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
    history = model.fit(normed_train_data, train_labels, epochs=1000, validation_split=0.2, verbose=0,
                        callbacks=[early_stop])
    assert len(history.epoch) < 1000  # early stopping stopped it
    assert list(history.history) == ["loss", "mae", "mse", "val_loss", "val_mae", "val_mse"]
    loss, mae, mse = model.evaluate(normed_test_data, test_labels, verbose=0)
    assert mae <= 2.5
    assert loss == pytest.approx(mse, rel=1e-5)


def test_gradient_tape_linear_regression_finds_the_slope():
    np.random.seed(0)
    learning_rate, training_steps = 0.01, 1000
    X = np.random.randn(50)
    Y = 2 * X + np.random.randn(50)
    W = tf.Variable(np.random.randn(), name="weight")
    b = tf.Variable(np.random.randn(), name="bias")

    def linear_regression(x):
        return W * x + b

    def mean_square(y_pred, y_true):
        return tf.reduce_mean(tf.square(y_pred - y_true))

    optimizer = tf.optimizers.SGD(learning_rate)
    for step in range(1, training_steps + 1):  # noqa: B007 (the last step is printed below)
        with tf.GradientTape() as tape:
            loss = mean_square(linear_regression(X), Y)
        gradients = tape.gradient(loss, [W, b])
        optimizer.apply_gradients(zip(gradients, [W, b]))
    slope = np.polyfit(X, Y, 1)[0]
    assert abs(W.numpy() - slope) < 0.2
    assert W.dtype == tf.float32
    # The seed prints Tensors and Variables straight through str.format.
    line = "step: {:4d}\tloss:{:.4f}\tW: {:.4f}\tb: {:.4f}".format(
        step, mean_square(linear_regression(X), Y), W.numpy(), b.numpy())
    assert re.fullmatch(r"step: 1000\tloss:\d\.\d{4}\tW: \d\.\d{4}\tb: -?\d\.\d{4}", line), line
