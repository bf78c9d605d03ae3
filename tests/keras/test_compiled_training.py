"""fit/evaluate/predict run a compiled step (chainrule.function), bit-identical to the eager reference step;
compile's fused output head trains a softmax/sigmoid output through SoftmaxWithLoss on the logits;
tf.keras 2's extension points (train_step, compute_loss, metrics, add_loss, add_metric) work."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers


def _data(n=100, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, :classes].argmax(axis=1)).astype("int64")
    return x, y


def _mlp(bn=False, dropout=0.2):
    keras.utils.set_random_seed(7)
    inputs = keras.Input((6,))
    h = layers.Dense(16, activation="relu")(inputs)
    if bn:
        h = layers.BatchNormalization()(h)
    h = layers.Dropout(dropout)(h)
    outputs = layers.Dense(3, activation="softmax")(h)
    return keras.Model(inputs, outputs)


def _train(run_eagerly, build, compile_kwargs, **fit_kwargs):
    x, y = _data()
    model = build()
    model.compile(run_eagerly=run_eagerly, **compile_kwargs)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, **fit_kwargs)
    evaluation = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    return model, history.history, evaluation, model.predict(x, batch_size=32, verbose=0)


@pytest.mark.parametrize("case", ["adam+dropout", "bn+sgd-momentum", "rmsprop+weights+validation"])
def test_compiled_and_eager_steps_give_bit_identical_weights_and_logs(case):
    x, y = _data()
    if case == "adam+dropout":
        build, kwargs, fit_kwargs = _mlp, dict(optimizer="adam", loss="sparse_categorical_crossentropy",
                                              metrics=["accuracy"]), {}
    elif case == "bn+sgd-momentum":
        build, kwargs, fit_kwargs = (lambda: _mlp(bn=True)), dict(
            optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy",
            metrics=["sparse_top_k_categorical_accuracy"]), {}
    else:
        build, kwargs, fit_kwargs = _mlp, dict(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                                              weighted_metrics=["accuracy"]), dict(
            sample_weight=np.linspace(0.5, 1.5, len(x)).astype("float32"), validation_split=0.2)
    eager = _train(True, build, kwargs, **fit_kwargs)
    compiled = _train(False, build, kwargs, **fit_kwargs)
    for a, b in zip(eager[0].get_weights(), compiled[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert eager[1] == compiled[1] and eager[2] == compiled[2]
    np.testing.assert_array_equal(eager[3], compiled[3])
    function = compiled[0].train_function
    # one trace for the 16-sample batches (and one for a last, smaller batch); replayed, never dropped
    n_train = len(x) if "validation_split" not in fit_kwargs else 80
    assert function.trace_count == (1 if n_train % 16 == 0 else 2)
    assert all(t is not None for t in function._traces.values())


def test_run_eagerly_and_the_global_switch_turn_the_compiled_step_off():
    model = _mlp()
    model.compile("sgd", "sparse_categorical_crossentropy", run_eagerly=True)
    assert model.run_eagerly and model.make_train_function() is not None
    assert not hasattr(model.make_train_function(), "trace_count")
    model.run_eagerly = False
    assert hasattr(model.make_train_function(), "trace_count")
    tf.config.run_functions_eagerly(True)
    try:
        assert model.run_eagerly
    finally:
        tf.config.run_functions_eagerly(False)


# ----------------------------------------------------------------------------- the fused output head

def _records_of(model, x, y):
    with tf.GradientTape(persistent=True) as tape:
        y_pred = model(x, training=True)
        loss = model.compute_loss(x, y, y_pred)
    return tape, loss, y_pred


def test_a_softmax_output_trains_through_softmax_with_loss_on_its_logits():
    x, y = _data(n=8)
    model = _mlp(dropout=0.0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    tape, loss, y_pred = _records_of(model, x, y)
    ops = [type(r[0]).__name__ for r in tape._records]
    assert "SoftmaxWithLoss" in ops  # the seed's op, visible on the tape
    logits = model.layers[-1]._kept_logits[0]
    assert model.layers[-1]._kept_logits[1] is y_pred
    np.testing.assert_allclose(tape.gradient(loss, logits).numpy(),
                               (y_pred.numpy() - np.eye(3)[y]) / len(y), atol=1e-7)  # (y - t) / N
    # the same value as the public loss function computes on the logits
    expected = keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True).numpy().mean()
    assert float(loss) == pytest.approx(float(expected), rel=1e-6)


@pytest.mark.parametrize("loss, one_hot", [("sparse_categorical_crossentropy", False),
                                            ("categorical_crossentropy", True)])
def test_a_fused_softmax_head_computes_one_softmax_per_step(loss, one_hot):
    """The output layer's softmax (kept for the metrics) is handed to SoftmaxWithLoss, which then computes
    no second softmax; the weights are bit-identical to a loss that computes its own."""
    x, y = _data(n=8)
    labels = np.eye(3, dtype="float32")[y] if one_hot else y
    model = _mlp(dropout=0.0)
    model.compile("sgd", loss)
    tape, loss_value, y_pred = _records_of(model, x, labels)
    records = [r for r in tape._records if type(r[0]).__name__ == "SoftmaxWithLoss"]
    assert len(records) == 1 and records[0][0].given_probs
    assert np.shares_memory(records[0][0].y, y_pred.numpy())  # the layer's probabilities, not a new softmax
    logits = model.layers[-1]._kept_logits[0]
    grad = tape.gradient(loss_value, logits).numpy()
    np.testing.assert_array_equal(grad, (y_pred.numpy() - np.eye(3, dtype="float32")[y]) / np.float32(len(y)))
    # the same loss (to float32 rounding) and the same gradient as the op computing its own softmax
    from chainrule.ops import SoftmaxWithLoss
    own = SoftmaxWithLoss()
    expected = own.forward(logits.numpy(), labels)
    assert float(loss_value) == pytest.approx(float(expected), rel=1e-6)
    np.testing.assert_array_equal(own.backward()[0], grad)


@pytest.mark.parametrize("activation, loss, labels", [
    ("softmax", "sparse_categorical_crossentropy", np.array([1, 0])),
    ("softmax", "categorical_crossentropy", np.eye(2)[[1, 0]]),
    ("sigmoid", "binary_crossentropy", np.array([[1.0, 0.0], [0.0, 1.0]])),
])
def test_extreme_logits_give_the_logits_loss_as_tf_keras_does(activation, loss, labels):
    """tf.keras 2 computes these losses from the logits: finite and far above the clipped -log(1e-7) = 16.1."""
    model = keras.Sequential([layers.Dense(2, activation=activation, input_shape=(1,),
                                           kernel_initializer=keras.initializers.Constant([[1000.0, -1000.0]]))])
    model.compile("sgd", loss)
    x = np.array([[1.0], [1.0]], "float32")
    value = model.evaluate(x, labels, verbose=0)
    z = np.array([1000.0, -1000.0])
    if activation == "softmax":
        expected = np.mean([2000.0, 0.0]) if loss.startswith("sparse") else np.mean([2000.0, 0.0])
    else:
        t = labels
        expected = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-5)
    history = model.fit(x, labels, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("make, input_shape", [
    (lambda: layers.Conv1D(2, 1, activation="sigmoid"), (1, 1)),
    (lambda: layers.Conv2D(2, 1, activation="sigmoid"), (1, 1, 1)),
    (lambda: layers.Conv2DTranspose(2, 1, activation="sigmoid"), (1, 1, 1)),
    (lambda: layers.Conv3D(2, 1, activation="sigmoid"), (1, 1, 1, 1)),
    (lambda: layers.EinsumDense("ab,bc->ac", output_shape=2, activation="sigmoid"), (1,)),
])
def test_any_layer_ending_in_sigmoid_gives_the_logits_loss_as_tf_keras_does(make, input_shape):
    """tf.keras 2's sigmoid keeps its logits on the output tensor whichever layer applied it (a convolutional
    autoencoder's last Conv2D), so binary_crossentropy is computed from them: 500, not the clipped 7.69."""
    inputs = keras.Input(input_shape)
    layer = make()
    model = keras.Model(inputs, layer(inputs))
    model.compile("sgd", "binary_crossentropy")
    kernel = [w for w in layer.weights if "kernel" in w.name][0]
    kernel.assign(np.array([1000.0, -1000.0], "float32").reshape(kernel.shape))
    x = np.ones((2,) + input_shape, "float32")
    labels = np.array([[1.0, 0.0], [0.0, 1.0]], "float32").reshape((2,) + (1,) * (len(input_shape) - 1) + (2,))
    assert model.evaluate(x, labels, verbose=0) == pytest.approx(500.0, rel=1e-6)


def test_a_subclassed_model_computes_the_loss_from_its_softmax_logits_as_tf_keras_does():
    """Without a functional output layer to fuse, the loss still finds the logits on the softmax's output
    (``_keras_logits``): tensorflow 2.21 with tf_keras gives 1000.0 here, not the clipped 8.06."""
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.out = layers.Dense(2, activation="softmax",
                                    kernel_initializer=keras.initializers.Constant([[1000.0, -1000.0]]))

        def call(self, x):
            return self.out(x)

    model = Net()
    model.compile("sgd", "sparse_categorical_crossentropy")
    value = model.evaluate(np.ones((2, 1), "float32"), np.array([1, 0]), verbose=0)
    assert value == pytest.approx(1000.0, rel=1e-6)


def test_one_axis_shorter_labels_take_the_clipped_formula_as_tf_keras_squeeze_does():
    """tf.keras 2 squeezes a (N, 1) sigmoid output to 1-D labels' rank before the loss and the metrics, and the
    squeezed tensor has lost the logits: the clipped probabilities' formula applies (tensorflow 2.21 with tf_keras
    gives 15.33/15.42 per sample here in eager mode, where (N, 1) labels give 30.0)."""
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", kernel_initializer="ones", input_shape=(1,))])
    model.compile("sgd", "binary_crossentropy", metrics=["binary_crossentropy"])
    x = np.array([[30.0], [-30.0]], "float32")
    assert model.evaluate(x, np.array([[0.0], [1.0]]), verbose=0) == pytest.approx([30.0, 30.0], rel=1e-6)
    eps = np.float32(1e-7)
    clipped = [-np.log(np.float32(1) - (np.float32(1) - eps) + eps), -np.log(eps + eps)]
    assert model.evaluate(x, np.array([0.0, 1.0]), verbose=0) == pytest.approx([np.mean(clipped)] * 2, rel=1e-5)


# ----------------------------------------------------------------------------- tf.keras 2's extension points

def test_a_custom_train_step_with_its_own_metrics_property():
    """The Keras guide 'Customizing what happens in fit()', lower-level example."""
    loss_tracker = keras.metrics.Mean(name="loss")
    mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = keras.losses.mean_squared_error(y, y_pred)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            loss_tracker.update_state(loss)
            mae_metric.update_state(y, y_pred)
            return {"loss": loss_tracker.result(), "mae": mae_metric.result()}

        @property
        def metrics(self):
            return [loss_tracker, mae_metric]

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(32,))
    model = CustomModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam")
    x = np.random.default_rng(0).random((1000, 32)).astype("float32")
    y = np.random.default_rng(1).random((1000, 1)).astype("float32")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.train_function.trace_count == 2  # 32-sample batches and the last one of 8, replayed
    assert all(t is not None for t in model.train_function._traces.values())


def test_an_endpoint_layer_adds_the_loss_and_its_metric():
    """The Keras guide 'Training & evaluation with the built-in methods': compile() with no loss."""
    class LogisticEndpoint(layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
            self.accuracy_fn = keras.metrics.BinaryAccuracy()

        def call(self, targets, logits, sample_weights=None):
            loss = self.loss_fn(targets, logits, sample_weights)
            self.add_loss(loss)
            acc = self.accuracy_fn(targets, tf.nn.sigmoid(logits), sample_weights)
            self.add_metric(acc, name="accuracy")
            return tf.nn.softmax(logits)

    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    logits = layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")
    data = {"inputs": np.random.random((3, 3)).astype("float32"),
            "targets": np.random.random((3, 10)).astype("float32")}
    history = model.fit(data, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "binary_accuracy"]
    assert np.isfinite(history.history["loss"]).all()


def test_compile_without_a_loss_for_add_loss_and_an_add_metric_value():
    class ActivityRegularization(layers.Layer):
        def call(self, inputs):
            self.add_loss(tf.reduce_sum(inputs) * 0.1)
            self.add_metric(tf.reduce_mean(inputs), name="mean_activation")
            return inputs

    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    outputs = ActivityRegularization()(layers.Dense(2)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile("sgd")
    history = model.fit(np.ones((8, 4), "float32"), epochs=2, batch_size=4, verbose=0)
    assert list(history.history) == ["loss", "mean_activation"]
    assert history.history["loss"][1] < history.history["loss"][0]


def test_two_output_subclassed_model_with_a_loss_list_and_tuple_inputs():
    class TwoInTwoOut(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(1), layers.Dense(2, activation="softmax")

        def call(self, inputs):
            left, right = inputs
            return self.a(left), self.b(right)

    keras.utils.set_random_seed(0)
    model = TwoInTwoOut()
    model.compile("adam", loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]])
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(20, 3)).astype("float32"), rng.normal(size=(20, 4)).astype("float32")
    ya, yb = rng.normal(size=(20, 1)).astype("float32"), rng.integers(0, 2, 20)
    history = model.fit((xa, xb), (ya, yb), epochs=2, verbose=0)
    assert list(history.history) == ["loss", "output_1_loss", "output_2_loss", "output_1_mae",
                                      "output_2_accuracy"]


def test_callbacks_get_on_batch_end_and_dict_logs():
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(("batch", type(logs)))

        def on_epoch_begin(self, epoch, logs=None):
            seen.append(("epoch", type(logs)))

        def on_train_begin(self, logs=None):
            seen.append(("train", type(logs)))

    model = _mlp()
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = _data(n=32)
    model.fit(x, y, batch_size=16, verbose=0, callbacks=[Recorder()])
    assert seen == [("train", dict), ("epoch", dict), ("batch", dict), ("batch", dict)]


def test_masked_steps_count_neither_in_the_loss_nor_in_the_metrics():
    """An Embedding(mask_zero) model evaluated as tf_keras 2.21 does (numbers from it, same weights): the loss is
    the mean over the 5 real steps, not the 8 positions, and accuracy counts the real steps only."""
    inp = keras.Input((4,), dtype="int32")
    h = layers.Embedding(10, 3, mask_zero=True, embeddings_initializer=keras.initializers.Constant(
        np.linspace(-1, 1, 30).reshape(10, 3)))(inp)
    out = layers.Dense(2, activation="softmax", kernel_initializer=keras.initializers.Constant(
        [[0.5, -0.5], [1.0, 0.2], [-0.3, 0.7]]))(h)
    model = keras.Model(inp, out)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.array([[1, 2, 0, 0], [3, 4, 5, 0]]), np.array([[0, 1, 1, 1], [1, 0, 1, 0]])
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(0.7127367854118347, rel=1e-6) and accuracy == pytest.approx(0.6, rel=1e-6)
