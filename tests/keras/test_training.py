"""compile/fit/evaluate/predict behaviour users rely on: numbers, keys, formats, errors."""
import io
import re

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras.layers import Dense, Dropout, Input
from chainrule.keras.models import Model, Sequential


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def blobs(n=240, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centers = rng.normal(0, 3, size=(classes, features))
    x = centers[y] + rng.normal(size=(n, features))
    return x.astype("float32"), y


def small_model(classes=3, features=4, seed=1):
    keras.utils.set_random_seed(seed)
    return Sequential([Dense(8, activation="relu", input_shape=(features,)), Dense(classes, activation="softmax")])


def logits_model(classes=3, features=4, seed=1):
    keras.utils.set_random_seed(seed)
    return Sequential([Dense(8, activation="relu", input_shape=(features,)), Dense(classes)])


def test_custom_gradient_tape_loop_and_fit_give_identical_weights():
    x, y = blobs(64)
    a, b = logits_model(), logits_model()
    for w_a, w_b in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(w_a, w_b)
    a.compile(optimizer=keras.optimizers.Adam(0.01),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    a.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)

    optimizer = keras.optimizers.Adam(0.01)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for _epoch in range(2):
        for start in range(0, 64, 16):
            xb, yb = x[start:start + 16], y[start:start + 16]
            with tf.GradientTape() as tape:
                logits = b(xb, training=True)
                loss = loss_fn(yb, logits)
            grads = tape.gradient(loss, b.trainable_weights)
            optimizer.apply_gradients(zip(grads, b.trainable_weights))
    for w_a, w_b in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(w_a, w_b)


def test_fit_on_a_softmax_output_equals_a_custom_loop_on_its_logits():
    """compile fuses the output softmax with the loss (tf.keras 2's numbers); a custom loop does so explicitly."""
    x, y = blobs(64)
    a, b = small_model(), small_model()
    a.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    a.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    optimizer = keras.optimizers.Adam(0.01)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    hidden, head = b.layers
    for _epoch in range(2):
        for start in range(0, 64, 16):
            xb, yb = x[start:start + 16], y[start:start + 16]
            with tf.GradientTape() as tape:
                logits = tf.matmul(hidden(xb, training=True), head.kernel) + head.bias
                loss = loss_fn(yb, logits)
            grads = tape.gradient(loss, b.trainable_weights)
            optimizer.apply_gradients(zip(grads, b.trainable_weights))
    for w_a, w_b in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(w_a, w_b, rtol=1e-6, atol=1e-7)


def test_fit_learns_and_history_keys_follow_metric_spelling():
    x, y = blobs()
    model = small_model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=20, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]
    assert history.epoch == list(range(20))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["acc"][-1] > 0.9
    assert model.history is history


def test_evaluate_returns_loss_then_metrics_and_dict():
    x, y = blobs()
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 2 and all(isinstance(v, float) for v in result)
    probs = model.predict(x, verbose=0)
    expected_loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    assert result[0] == pytest.approx(expected_loss, rel=1e-4)
    assert result[1] == pytest.approx(np.mean(probs.argmax(1) == y))
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": result[0], "accuracy": result[1]}
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_validation_split_takes_the_last_fraction_before_shuffling():
    x = np.arange(100, dtype="float32").reshape(100, 1)
    y = np.zeros(100, dtype="float32")
    seen = []
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer="zeros")])
    model.compile(optimizer="sgd", loss="mse")
    original = model.train_step

    def spy(data):  # tf.keras 2's extension point: train_step(data), data = (x, y)
        seen.append(np.asarray(data[0]).ravel().copy())
        return original(data)

    model.train_step = spy
    model.fit(x, y, epochs=1, batch_size=10, validation_split=0.2, verbose=0)
    trained = np.sort(np.concatenate(seen))
    np.testing.assert_array_equal(trained, np.arange(80))


def test_pandas_dataframe_and_series_are_accepted():
    pd = pytest.importorskip("pandas")
    x, y = blobs()
    df = pd.DataFrame(x, columns=list("abcd"))
    s = pd.Series(y)
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(df, s, epochs=2, verbose=0)
    assert model.predict(df, verbose=0).shape == (240, 3)


def test_multi_output_history_keys_and_loss_weights():
    x = np.random.default_rng(0).normal(size=(32, 5)).astype("float32")
    inp = Input(shape=(5,), name="inp")
    h = Dense(4, activation="relu")(inp)
    main = Dense(1, activation="sigmoid", name="main_output")(h)
    aux = Dense(1, name="sum_output")(h)
    model = Model(inputs=[inp], outputs=[main, aux])
    model.compile(optimizer="adam", loss=["binary_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics={"main_output": ["accuracy"], "sum_output": ["mae"]})
    y_main = (x[:, 0] > 0).astype("float32")
    y_aux = x.sum(1, keepdims=True)
    history = model.fit(x, [y_main, y_aux], epochs=2, verbose=0, validation_data=(x, [y_main, y_aux]))
    assert list(history.history) == ["loss", "main_output_loss", "sum_output_loss", "main_output_accuracy",
                                     "sum_output_mae", "val_loss", "val_main_output_loss", "val_sum_output_loss",
                                     "val_main_output_accuracy", "val_sum_output_mae"]
    logs = model.evaluate(x, [y_main, y_aux], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["main_output_loss"] + 0.5 * logs["sum_output_loss"], rel=1e-5)
    preds = model.predict(x, verbose=0)
    assert isinstance(preds, list) and [p.shape for p in preds] == [(32, 1), (32, 1)]


def test_regularization_loss_is_added_to_the_training_loss():
    x, y = blobs(32)
    keras.utils.set_random_seed(3)
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,),
                              kernel_regularizer=keras.regularizers.l2(0.1))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    ce = -np.mean(np.log(probs[np.arange(32), y]))
    penalty = 0.1 * np.sum(model.layers[0].kernel.numpy() ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(ce + penalty, rel=1e-4)


def test_train_test_predict_on_batch():
    x, y = blobs(16)
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.test_on_batch(x, y)
    for _ in range(30):
        model.train_on_batch(x, y)
    after = model.test_on_batch(x, y)
    assert after[0] < before[0]
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0), rtol=1e-6)


def test_sample_weight_zero_ignores_samples():
    x, y = blobs(40)
    model = small_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    w = np.ones(40, "float32")
    w[20:] = 0
    full = model.evaluate(x[:20], y[:20], verbose=0)
    weighted = model.evaluate(x, y, sample_weight=w, verbose=0, batch_size=40)
    assert weighted == pytest.approx(full * 20 / 40, rel=1e-5)  # Keras divides by the batch size


def test_verbose_1_progress_line_in_a_pipe_is_one_line_per_epoch(capsys):
    x, y = blobs(64)
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=32)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(r"2/2 \[==============================\] - \d+s \d+(ms|us)/step - loss: \d\.\d{4} - "
                        r"accuracy: \d\.\d{4}", lines[1]), lines[1]
    assert "\b" not in out and "\r" not in out


def test_single_epoch_prints_no_epoch_header_and_verbose_2_format(capsys):
    x, y = blobs(64)
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=32)
    assert not capsys.readouterr().out.startswith("Epoch")
    model.evaluate(x, y, verbose=2)
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"2/2 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - \d+(ms|us|s)/epoch - "
                        r"\d+(ms|us|s)/step", line), line
    model.fit(x, y, epochs=2, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_progbar_redraws_in_place_on_a_terminal():
    stream = io.StringIO()
    stream.isatty = lambda: True
    bar = keras.utils.Progbar(3, stream=stream, interval=0)
    for i in range(1, 4):
        bar.update(i, [("loss", 0.5)])
    text = stream.getvalue()
    assert "\r" in text and text.endswith("\n")
    final = text.rstrip("\n").split("\r")[-1]
    assert re.fullmatch(r"3/3 \[==============================\] - 0s \d+(us|ms)/step - loss: 0\.5000 *", final), final
    assert "1/3 [=========>....................] - ETA: " in text


def test_tiny_metric_values_use_e_notation():
    from chainrule.keras.utils.progbar import format_value
    assert format_value(0.0001234) == " 1.2340e-04" and format_value(0.25) == " 0.2500"


def test_progbar_formats_zero_and_negative_values_as_tf_keras_2():
    # tf_keras's Progbar: 4 decimals only above 1e-3, so a zero count (a false-negatives metric that stays 0,
    # as in the keras.io imbalanced-classification example) reads 0.0000e+00; the verbose=2 line compares the
    # value itself, the verbose=1 bar its magnitude, so -0.5 differs between them
    lines = {}
    for verbose in (1, 2):
        stream = io.StringIO()
        bar = keras.utils.Progbar(1, verbose=verbose, stream=stream, interval=0)
        bar.update(1, [("fn", 0.0), ("delta", -0.5), ("loss", 0.25)], finalize=True)
        lines[verbose] = stream.getvalue()
    assert "fn: 0.0000e+00 - delta: -0.5000 - loss: 0.2500" in lines[1], lines[1]
    assert "fn: 0.0000e+00 - delta: -5.0000e-01 - loss: 0.2500" in lines[2], lines[2]


def test_fit_errors_are_clear():
    x, y = blobs(20)
    model = small_model()
    with pytest.raises(RuntimeError, match="must compile your model"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:10], verbose=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="validation_split must be in"):
        model.fit(x, y, validation_split=1.0, verbose=0)
    with pytest.raises(ValueError, match="epochs must be >= 0"):
        model.fit(x, y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match="strings or Python objects"):
        model.fit(np.array([["a"] * 4] * 20), y, verbose=0)


def test_learning_rate_scheduler_seed_figure():
    x, y = blobs(32)
    model = small_model()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="sparse_categorical_crossentropy")

    def scheduler(epoch, learning_rate):
        if epoch < 10:
            return learning_rate
        return learning_rate * tf.math.exp(-0.1)

    history = model.fit(x, y, epochs=15, callbacks=[keras.callbacks.LearningRateScheduler(scheduler)], verbose=0)
    assert round(model.optimizer.lr.numpy(), 5) == 0.00607
    assert history.history["lr"][0] == pytest.approx(0.01)


def test_early_stopping_stops_at_the_right_epoch_and_restores_best_weights():
    losses = iter([1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    snapshots = []

    class FakeVal(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(losses)
            snapshots.append(self.model.get_weights())

    x, y = blobs(32)
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=7, callbacks=[FakeVal(), stop], verbose=0)
    assert history.epoch == [0, 1, 2, 3]  # best at epoch 1, two epochs without improvement
    assert stop.stopped_epoch == 3
    for got, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(got, best)


def test_set_random_seed_makes_fit_repeat_bit_for_bit():
    x, y = blobs(64)
    results = []
    for _ in range(2):
        keras.utils.set_random_seed(7)
        model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dropout(0.3),
                            Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        h = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
        results.append((model.get_weights(), h.history["loss"]))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_array_equal(a, b)
    assert results[0][1] == results[1][1]


def test_functional_model_built_from_one_element_lists_trains():
    inp = Input(shape=(9,), name="input")
    model = Model(inputs=[inp], outputs=[Dense(1, name="output")(Dense(8, activation="relu")(inp))])
    model.compile(loss="mse", optimizer="rmsprop", metrics=["mae"])
    x = np.random.default_rng(0).random((50, 9))
    y = x.sum(1)
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (50, 1)  # one array, not a list of one


def test_a_subclassed_two_output_model_with_one_loss_fits_on_a_tuple_of_targets():
    # "Hands-On Machine Learning", ch. 10: WideAndDeepModel returns (main, aux), compiled with loss="mse" and
    # loss_weights=[0.9, 0.1], fitted on (y, y) before it was ever called
    class WideAndDeep(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(8, activation="relu")
            self.main_output = Dense(1)
            self.aux_output = Dense(1)

        def call(self, inputs):
            wide, deep = inputs
            hidden = self.hidden(deep)
            return self.main_output(keras.layers.concatenate([wide, hidden])), self.aux_output(hidden)

    rng = np.random.default_rng(0)
    a, b = rng.random((64, 5), dtype=np.float32), rng.random((64, 6), dtype=np.float32)
    y = rng.random(64).astype(np.float32)
    model = WideAndDeep()
    model.compile(loss="mse", loss_weights=[0.9, 0.1], optimizer="sgd")
    history = model.fit((a, b), (y, y), epochs=2, validation_data=((a, b), (y, y)), verbose=0)
    assert sorted(history.history) == ["loss", "output_1_loss", "output_2_loss", "val_loss", "val_output_1_loss",
                                       "val_output_2_loss"]  # tf.keras 2.21's keys for this program
    total, main, aux = model.evaluate((a, b), (y, y), verbose=0)
    assert total == pytest.approx(0.9 * main + 0.1 * aux, rel=1e-5)


def test_a_model_with_only_a_train_step_and_test_step_fits_without_being_called():
    # keras.io "Knowledge distillation": a Distiller keras.Model with train_step/test_step and no call
    student = Sequential([Input(shape=(4,)), Dense(3)])

    class Distiller(keras.Model):
        def __init__(self, student):
            super().__init__()
            self.student = student

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                logits = self.student(x)
                loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
            grads = tape.gradient(loss, self.student.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.student.trainable_variables))
            return {"student_loss": loss}

        def test_step(self, data):
            x, y = data
            return {"student_loss": tf.reduce_mean(
                keras.losses.sparse_categorical_crossentropy(y, self.student(x), from_logits=True))}

    rng = np.random.default_rng(0)
    x, y = rng.random((32, 4), dtype=np.float32), rng.integers(0, 3, 32)
    distiller = Distiller(student)
    distiller.compile(optimizer="sgd")
    before = student.get_weights()[0].copy()
    history = distiller.fit(x, y, epochs=2, verbose=0)
    assert list(history.history) == ["student_loss"] and len(history.history["student_loss"]) == 2
    assert not np.array_equal(before, student.get_weights()[0])
    assert isinstance(distiller.evaluate(x, y, verbose=0), float)
