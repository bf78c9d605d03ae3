"""Callbacks: hook order, History, CSVLogger, ReduceLROnPlateau, LambdaCallback, TerminateOnNaN, Generator."""
import csv

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras


def data(n=48):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x.sum(1) > 0).astype("float32")


def model(lr=0.05):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                          keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_hooks_run_in_keras_order_with_model_and_params():
    calls = []

    class Record(keras.callbacks.Callback):
        def __getattribute__(self, name):
            if name.startswith("on_") and name not in ("on_batch_begin", "on_batch_end"):
                calls.append(name)
            return object.__getattribute__(self, name)

    x, y = data(32)
    m = model()
    rec = Record()
    m.fit(x, y, epochs=2, batch_size=16, validation_data=(x, y), verbose=0, callbacks=[rec])
    assert rec.model is m and rec.params == {"verbose": 0, "epochs": 2, "steps": 2}
    validation = ["on_test_begin"] + ["on_test_batch_begin", "on_test_batch_end"] * 2 + ["on_test_end"]  # tf.keras
    expected_epoch = ["on_epoch_begin", "on_train_batch_begin", "on_train_batch_end", "on_train_batch_begin",
                      "on_train_batch_end"] + validation + ["on_epoch_end"]
    assert calls == ["on_train_begin"] + expected_epoch * 2 + ["on_train_end"]
    calls.clear()
    m.evaluate(x, y, batch_size=16, verbose=0, callbacks=[rec])
    assert calls == ["on_test_begin"] + ["on_test_batch_begin", "on_test_batch_end"] * 2 + ["on_test_end"]
    calls.clear()
    m.predict(x, batch_size=32, verbose=0, callbacks=[rec])
    assert calls == ["on_predict_begin", "on_predict_batch_begin", "on_predict_batch_end", "on_predict_end"]


def test_stop_training_from_a_callback():
    class StopAfterTwo(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = data()
    history = model().fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert history.epoch == [0, 1]


def test_csv_logger_writes_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    x, y = data()
    m = model()
    h = m.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.CSVLogger(str(path))])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1"] and set(rows[0]) == {"epoch", "accuracy", "loss"}
    assert float(rows[1]["loss"]) == pytest.approx(h.history["loss"][1])
    m.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.CSVLogger(str(path), append=True)])
    lines = open(path).read().splitlines()
    assert len(lines) == 4 and lines[0].startswith("epoch")  # one header, three rows


def test_reduce_lr_on_plateau_cuts_the_rate_after_patience():
    x, y = data()
    m = model(lr=0.1)
    values = iter([1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99])

    class FakeVal(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(values)

    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.02)
    history = m.fit(x, y, epochs=7, verbose=0, callbacks=[FakeVal(), cb])
    # best at epoch 1; epochs 2 and 3 do not improve -> halved at epoch 3; again at epoch 5; floor 0.02
    assert history.history["lr"] == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025])
    assert float(m.optimizer.lr.numpy()) == pytest.approx(0.025)


def test_lambda_callback_and_history_object():
    seen = []
    x, y = data()
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, round(logs["loss"], 6))))
    h = model().fit(x, y, epochs=3, verbose=0, callbacks=[cb])
    assert [e for e, _ in seen] == [0, 1, 2]
    assert [loss for _, loss in seen] == [round(v, 6) for v in h.history["loss"]]
    assert isinstance(h, keras.callbacks.History) and h.epoch == [0, 1, 2]


def test_lambda_callback_takes_every_hook_by_keyword():
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(("train", b)),
                                        on_test_batch_begin=lambda b, logs: seen.append(("test", b)),
                                        on_predict_end=lambda logs: seen.append(("predict_end",)),
                                        on_batch_begin=lambda b, logs: seen.append(("batch_begin", b)))
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    m.compile("sgd", "mse")
    x, y = np.ones((4, 2)), np.ones((4, 1))
    m.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[cb])
    m.evaluate(x, y, batch_size=2, verbose=0, callbacks=[cb])
    m.predict(x, verbose=0, callbacks=[cb])
    # tf.keras 2.21 (tf_keras) records exactly this for the same calls
    assert seen == [("batch_begin", 0), ("train", 0), ("batch_begin", 1), ("train", 1), ("test", 0), ("test", 1),
                    ("predict_end",)]


def test_random_generator_is_independent_of_the_global_seed():
    a = tf.random.Generator.from_seed(7).normal([3])
    tf.random.set_seed(1)
    tf.random.uniform([5])
    b = tf.random.Generator.from_seed(7).normal([3])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    u = tf.random.Generator.from_seed(1).uniform([1000], 0, 10, dtype=tf.int32).numpy()
    assert u.dtype == np.int32 and u.min() >= 0 and u.max() < 10
