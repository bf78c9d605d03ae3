"""chainrule functions and operators on Keras tensors become layers (TFOpLambda), as in tf.keras 2; layers take
several Keras tensors (``layer(targets, logits)``); ``model.add_loss`` / ``add_metric`` of Keras tensors.

Names, node layouts and numbers are those tf.keras 2.21 (tf_keras) gives for the same code; the fixture
``fixtures/tf_op_layers.h5`` was written by it (see fixtures/README.md)."""
import json
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def _ops_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    x = layers.Dense(3)(inputs)
    y = x + 1
    z = tf.reduce_sum(y, axis=1, keepdims=True) * 2.0
    w = tf.nn.relu(z) - x[:, :1]
    u = tf.concat([w, x], axis=1) / 3.0 @ tf.ones((4, 2))
    return keras.Model(inputs, u)


def _by_hand(model, x):
    h = model.layers[1](x).numpy()
    w = np.maximum((h + 1).sum(axis=1, keepdims=True) * 2, 0) - h[:, :1]
    return np.concatenate([w, h], axis=1) / 3 @ np.ones((4, 2), "float32")


def test_operators_and_functions_on_keras_tensors_are_layers_named_as_in_tf_keras():
    model = _ops_model()
    # the layer names and classes tf.keras 2.21 gives for the same code
    assert [(la.name, type(la).__name__) for la in model.layers[2:]] == [
        ("tf.__operators__.add", "TFOpLambda"), ("tf.math.reduce_sum", "TFOpLambda"),
        ("tf.math.multiply", "TFOpLambda"), ("tf.nn.relu", "TFOpLambda"),
        ("tf.__operators__.getitem", "SlicingOpLambda"), ("tf.math.subtract", "TFOpLambda"),
        ("tf.concat", "TFOpLambda"), ("tf.math.truediv", "TFOpLambda"), ("tf.linalg.matmul", "TFOpLambda")]
    assert model.output_shape == (None, 2)
    assert model.get_layer("tf.math.reduce_sum").output_shape == (None, 1)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(model(x), _by_hand(model, x), rtol=1e-5)
    np.testing.assert_allclose(model.predict(x, verbose=0), _by_hand(model, x), rtol=1e-5)


def test_the_node_layout_is_tf_keras_2s():
    config = _ops_model().get_config()
    nodes = {entry["name"]: entry["inbound_nodes"] for entry in config["layers"]}
    assert nodes["tf.__operators__.add"] == [["dense", 0, 0, {"y": 1}]]
    assert nodes["tf.math.reduce_sum"] == [["tf.__operators__.add", 0, 0, {"axis": 1, "keepdims": True}]]
    assert nodes["tf.math.subtract"] == [["tf.nn.relu", 0, 0, {"y": ["tf.__operators__.getitem", 0, 0]}]]
    assert nodes["tf.__operators__.getitem"] == [["dense", 0, 0, {"slice_spec": [
        {"start": None, "stop": None, "step": None}, {"start": None, "stop": 1, "step": None}]}]]
    assert nodes["tf.concat"] == [[["tf.math.subtract", 0, 0, {"axis": 1}], ["dense", 0, 0, {"axis": 1}]]]
    by_name = {entry["name"]: entry for entry in config["layers"]}
    assert by_name["tf.math.reduce_sum"]["config"]["function"] == "math.reduce_sum"


def test_constants_before_a_keras_tensor_are_recorded_as_tf_keras_does():
    inputs = keras.Input((4,))
    outputs = [1 - inputs, 2.0 / (inputs + 3), np.ones(4, "float32") * inputs, -inputs ** 2,
               tf.add(tf.constant([1.0, 2.0, 3.0, 4.0]), inputs)]
    model = keras.Model(inputs, outputs)
    entry = next(e for e in model.get_config()["layers"] if e["name"] == "tf.math.subtract")
    assert entry["inbound_nodes"] == [["_CONSTANT_VALUE", -1, 1, {"y": ["input_1", 0, 0]}]]
    x = np.arange(8, dtype="float32").reshape(2, 4)
    got = model(x)
    for g, e in zip(got, [1 - x, 2.0 / (x + 3), x, -x ** 2, x + [1, 2, 3, 4]]):
        np.testing.assert_allclose(g, e, rtol=1e-6)


@pytest.mark.parametrize("how", [".keras", ".h5", "json"])
def test_a_model_with_op_layers_round_trips(tmp_path, how):
    model = _ops_model()
    inputs = keras.Input((3,))
    model2 = keras.Model(inputs, [1 - inputs, tf.stack([inputs, inputs * 2.0], axis=1)[..., 1:]])
    x = np.random.default_rng(1).normal(size=(2, 4)).astype("float32")
    x2 = np.random.default_rng(2).normal(size=(2, 3)).astype("float32")
    for m, data in ((model, x), (model2, x2)):
        if how == "json":
            loaded = keras.models.model_from_json(m.to_json())
            loaded.set_weights(m.get_weights())
        else:
            path = str(tmp_path / f"m{how}")
            m.save(path)
            loaded = keras.models.load_model(path)
        for a, b in zip(_as_list(loaded(data)), _as_list(m(data))):
            np.testing.assert_allclose(a, b, rtol=1e-6)


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def test_a_composite_function_is_one_layer():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, tf.math.reduce_std(inputs, axis=1))
    assert [type(la).__name__ for la in model.layers] == ["InputLayer", "TFOpLambda"]
    assert model.layers[1].name == "tf.math.reduce_std"


def test_a_chainrule_tensor_on_the_left_of_a_keras_tensor_says_what_to_write():
    inputs = keras.Input((3,))
    with pytest.raises(TypeError, match="keras_tensor \\+ tensor"):
        tf.constant([1.0, 2.0, 3.0]) + inputs


def test_errors_of_normal_calls_are_unchanged():
    with pytest.raises(TypeError):
        tf.reduce_sum(object())
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])


def test_an_unknown_function_name_in_a_config_is_refused():
    with pytest.raises(ValueError, match="no function tf.os.system"):
        layers.TFOpLambda("os.system")
    with pytest.raises(ValueError, match="no function tf.__import__"):
        layers.TFOpLambda("__import__")


def test_a_layer_takes_several_keras_tensors_and_tensor_keywords():
    class Scale(layers.Layer):
        def call(self, x, factor, shift=None):
            return x * factor + shift

    a, b, c = keras.Input((3,)), keras.Input((3,)), keras.Input((3,))
    out = Scale(name="scale")(a, b, shift=c)
    model = keras.Model([a, b, c], out)
    data = [np.full((2, 3), v, "float32") for v in (2.0, 3.0, 1.0)]
    np.testing.assert_allclose(model(data), np.full((2, 3), 7.0))
    assert model.get_config()["layers"][-1]["inbound_nodes"] == [
        [["input_1", 0, 0, {"factor": ["input_2", 0, 0], "shift": ["input_3", 0, 0]}]]]
    loaded = keras.models.model_from_json(model.to_json(), custom_objects={"Scale": Scale})
    np.testing.assert_allclose(loaded(data), np.full((2, 3), 7.0))


def test_model_add_loss_and_add_metric_of_keras_tensors():
    """The 'Training & evaluation with the built-in methods' guide's pattern."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,))
    x1 = layers.Dense(8, activation="relu", name="dense_1")(inputs)
    outputs = layers.Dense(2, name="predictions")(x1)
    model = keras.Model(inputs, outputs)
    model.add_loss(tf.reduce_sum(x1) * 0.1)
    model.add_metric(keras.backend.std(x1), name="std_of_activation", aggregation="mean")
    assert [la.name for la in model.layers[-5:]] == ["tf.math.reduce_sum", "tf.math.multiply", "add_loss",
                                                      "tf.math.reduce_std", "add_metric"]
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    y = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
    model(x)
    h = model.get_layer("dense_1")(x).numpy()
    assert len(model.losses) == 1
    np.testing.assert_allclose(model.losses[0], h.sum() * 0.1, rtol=1e-5)
    model.compile(optimizer="sgd", loss="mse")
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "std_of_activation"]
    mse = np.mean((model.predict(x, verbose=0) - y) ** 2)
    np.testing.assert_allclose(logs["loss"], mse + h.sum() * 0.1, rtol=1e-5)
    np.testing.assert_allclose(logs["std_of_activation"], h.std(), rtol=1e-5)
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert list(history.history) == ["loss", "std_of_activation"]


def test_add_loss_of_a_keras_tensor_needs_a_functional_model():
    class Sub(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="functional model"):
        Sub().add_loss(tf.reduce_sum(keras.Input((2,))))


def test_a_tf_keras_2_model_with_op_layers_loads_and_computes_what_tensorflow_did():
    model = keras.models.load_model(os.path.join(FIXTURES, "tf_op_layers.h5"), compile=False)
    expected = np.load(os.path.join(FIXTURES, "tf_op_layers_expected.npz"))
    out0, out1 = model(expected["x"])
    np.testing.assert_allclose(out0, expected["out0"], rtol=1e-6)
    np.testing.assert_allclose(out1, expected["out1"], rtol=1e-6)
    np.testing.assert_allclose(model.losses[0], expected["added_loss"], rtol=1e-6)
    model.compile(optimizer="sgd", loss=["mse", None])
    logs = model.evaluate(expected["x"], expected["y"], verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], expected["loss"], rtol=1e-5)
    np.testing.assert_allclose(logs["std"], expected["std"], rtol=1e-5)


def test_the_config_of_a_keras_tensor_keyword_is_json():
    a, b = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([a, b], tf.add(a, b))
    json.dumps(model.get_config())
