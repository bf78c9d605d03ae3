"""Saving and loading: ``.keras`` (Keras 3 zip) and ``.h5`` (tf.keras 2) files, weights, JSON, safety."""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import h5py
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import saving
from chainrule.keras.layers import (Activation, BatchNormalization, Concatenate, Dense, Dropout, Flatten, Input,
                                    Layer)
from chainrule.keras.models import Model, Sequential

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


# ----------------------------------------------------------------------------- models used throughout

@keras.saving.register_keras_serializable(package="chainrule_tests")
class Block(Layer):
    """A custom layer with sub-layers: Dense then BatchNormalization."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = Dense(units, activation="relu")
        self.norm = BatchNormalization()

    def call(self, x, training=None):
        return self.norm(self.dense(x), training=training)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="chainrule_tests")
class Net(Model):
    """A subclassed model: attributes, a list of custom blocks, dropout."""

    def __init__(self, hidden=8, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.enc = Dense(hidden, activation="relu")
        self.blocks = [Block(4), Block(4)]
        self.drop = Dropout(0.2)
        self.head = Dense(1)

    def call(self, x, training=None):
        h = self.enc(x)
        for block in self.blocks:
            h = block(h, training=training)
        return self.head(self.drop(h, training=training))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


class NoConfigNet(Model):
    """Subclassed without get_config: weights can be saved, the whole model cannot."""

    def __init__(self):
        super().__init__()
        self.d = Dense(2)

    def call(self, x):
        return self.d(x)


def sequential_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = Sequential([Dense(16, activation="relu", input_shape=(8,)), Dropout(0.2), BatchNormalization(),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def functional_model(seed=0):
    keras.utils.set_random_seed(seed)
    a = Input((4,), name="a")
    b = Input((2, 3), name="b")
    ha = Dense(6, activation="relu", name="ha")(a)
    hb = BatchNormalization(name="bn")(Flatten(name="flat")(b))
    h = Dropout(0.25, name="drop")(Activation("tanh", name="act")(Concatenate(name="cat")([ha, hb])))
    model = Model([a, b], [Dense(1, name="reg")(h), Dense(3, activation="softmax", name="cls")(h)], name="two_heads")
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]],
                  loss_weights=[1.0, 0.5])
    return model


def subclassed_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = Net()
    model.compile(optimizer=keras.optimizers.Nadam(0.01), loss="mse")
    return model


def data(kind, n=32):
    rng = np.random.default_rng(5)
    if kind == "sequential":
        x = rng.normal(size=(n, 8)).astype("float32")
        return x, (x.sum(axis=1) > 0).astype("float32")
    if kind == "functional":
        xa = rng.normal(size=(n, 4)).astype("float32")
        xb = rng.normal(size=(n, 2, 3)).astype("float32")
        return [xa, xb], [xa.sum(axis=1, keepdims=True), rng.integers(0, 3, size=(n,))]
    x = rng.normal(size=(n, 6)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


BUILDERS = {"sequential": sequential_model, "functional": functional_model, "subclassed": subclassed_model}


def trained(kind):
    model = BUILDERS[kind]()
    x, y = data(kind)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model, x, y


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for u, v in zip(wa, wb):
        np.testing.assert_array_equal(u, v)


def predictions(model, x):
    out = model.predict(x, verbose=0)
    return out if isinstance(out, list) else [out]


# ----------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("ext", [".keras", ".h5"])
@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_save_load_round_trip_predicts_and_keeps_training_identically(tmp_path, kind, ext):
    model, x, y = trained(kind)
    path = tmp_path / f"model{ext}"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    for p, q in zip(predictions(model, x), predictions(restored, x)):
        np.testing.assert_array_equal(p, q)
    assert int(restored.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 8
    assert type(restored.optimizer) is type(model.optimizer)
    assert restored.metrics_names == model.metrics_names or not restored.metrics_names
    for u, v in zip(model.optimizer.get_weights(), restored.optimizer.get_weights()):
        np.testing.assert_array_equal(u, v)

    # Continuing to train the restored model gives exactly what training on would have given.
    keras.utils.set_random_seed(7)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    keras.utils.set_random_seed(7)
    restored.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(model, restored)
    for u, v in zip(model.optimizer.get_weights(), restored.optimizer.get_weights()):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("ext", [".weights.h5", ".h5"])
@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_save_weights_load_weights_round_trip(tmp_path, kind, ext):
    model, x, _ = trained(kind)
    path = tmp_path / f"w{ext}"
    model.save_weights(path)
    fresh = BUILDERS[kind](seed=99)
    if kind == "subclassed":
        fresh(x[:1])  # a subclassed model creates its weights on its first call
    fresh.load_weights(path)
    assert_same_weights(model, fresh)
    for p, q in zip(predictions(model, x), predictions(fresh, x)):
        np.testing.assert_array_equal(p, q)


def test_weights_h5_keeps_optimizer_state_like_keras3(tmp_path):
    model, x, y = trained("sequential")
    model.save_weights(tmp_path / "w.weights.h5")
    fresh = sequential_model(seed=3)
    fresh.load_weights(tmp_path / "w.weights.h5")
    for u, v in zip(model.optimizer.get_weights(), fresh.optimizer.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_load_weights_into_unbuilt_subclassed_model_says_to_call_it_first(tmp_path):
    model, x, _ = trained("subclassed")
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match=r"not built.*Call the model on a batch of data first"):
        Net().load_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"Call the model on a batch of data first"):
        Net().load_weights(tmp_path / "w.h5")


def test_load_weights_from_whole_model_files(tmp_path):
    model, x, _ = trained("functional")
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    for name in ("m.keras", "m.h5"):
        fresh = functional_model(seed=11)
        fresh.load_weights(tmp_path / name)
        assert_same_weights(model, fresh)


@pytest.mark.parametrize("ext", [".weights.h5", ".h5"])
def test_load_weights_shape_mismatch_names_layer_and_shapes(tmp_path, ext):
    saved = Sequential([Dense(16, input_shape=(10,)), Dense(4)])
    saved.save_weights(tmp_path / f"w{ext}")
    keras.backend.clear_session()
    other = Sequential([Dense(16, input_shape=(10,)), Dense(8)])
    before = other.get_weights()
    with pytest.raises(ValueError) as err:
        other.load_weights(tmp_path / f"w{ext}")
    assert "Layer 'dense_1' expected weights of shapes [(16, 8), (8,)] but the file has [(16, 4), (4,)]" \
        in str(err.value)
    assert str(tmp_path / f"w{ext}") in str(err.value)
    for u, v in zip(before, other.get_weights()):  # nothing was half-loaded
        np.testing.assert_array_equal(u, v)
    with pytest.warns(UserWarning, match="dense_1"):
        other.load_weights(tmp_path / f"w{ext}", skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].get_weights()[0], saved.layers[0].get_weights()[0])


def test_load_weights_layer_count_mismatch(tmp_path):
    Sequential([Dense(3, input_shape=(2,)), Dense(2), Dense(1)]).save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"Layer count mismatch.*2 layers with weights.*3"):
        Sequential([Dense(3, input_shape=(2,)), Dense(1)]).load_weights(tmp_path / "w.h5")


def test_load_weights_by_name(tmp_path):
    a = Sequential([Dense(3, input_shape=(2,), name="first"), Dense(1, name="last")])
    a.save_weights(tmp_path / "w.h5")
    b = Sequential([Dense(3, input_shape=(2,), name="first"), Dense(5, name="middle"), Dense(1, name="other")])
    b.load_weights(tmp_path / "w.h5", by_name=True)
    for u, v in zip(a.layers[0].get_weights(), b.layers[0].get_weights()):
        np.testing.assert_array_equal(u, v)


# ----------------------------------------------------------------------------- configs and JSON

@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_config_round_trip(kind):
    model = BUILDERS[kind]()
    config = model.get_config()
    rebuilt = type(model).from_config(config)
    assert rebuilt.get_config() == config
    assert [la.name for la in rebuilt.layers] == [la.name for la in model.layers]
    rebuilt.set_weights(model.get_weights())
    x, _ = data(kind)
    for p, q in zip(predictions(model, x), predictions(rebuilt, x)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_to_json_model_from_json(kind):
    model, x, _ = trained(kind)
    text = model.to_json()
    spec = json.loads(text)
    assert set(spec) >= {"class_name", "config", "keras_version", "backend"}
    assert spec["class_name"] == {"sequential": "Sequential", "functional": "Functional",
                                  "subclassed": "chainrule_tests>Net"}[kind]
    clone = keras.models.model_from_json(text)
    assert clone.to_json() == text
    clone.set_weights(model.get_weights())
    for p, q in zip(predictions(model, x), predictions(clone, x)):
        np.testing.assert_array_equal(p, q)


def test_shared_layer_and_nested_model_configs(tmp_path):
    x1, x2 = Input((5,)), Input((5,))
    shared = Dense(3, name="shared")
    inner = Sequential([Dense(4, input_shape=(3,)), Dense(2)], name="inner")
    out = inner(keras.layers.Add()([shared(x1), shared(x2)]))
    model = Model([x1, x2], out)
    model.compile("sgd", "mse")
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    x = [np.ones((2, 5), "float32"), np.arange(10, dtype="float32").reshape(2, 5)]
    for name in ("m.keras", "m.h5"):
        restored = keras.models.load_model(tmp_path / name)
        np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_subclassed_model_without_get_config(tmp_path):
    model = NoConfigNet()
    model(np.ones((1, 3), "float32"))
    with pytest.raises(NotImplementedError, match=r"NoConfigNet.*nocfg\.keras.*get_config"):
        model.save(tmp_path / "nocfg.keras")
    assert not os.listdir(tmp_path)
    model.save_weights(tmp_path / "w.weights.h5")
    other = NoConfigNet()
    other(np.ones((1, 3), "float32"))
    other.load_weights(tmp_path / "w.weights.h5")
    assert_same_weights(model, other)


def test_unregistered_custom_layer_needs_custom_objects(tmp_path):
    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = Sequential([Dense(2, input_shape=(3,)), Scale(3.0)])
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
        with pytest.raises(ValueError, match=r"Unknown layer: 'Scale'.*custom_objects"):
            keras.models.load_model(tmp_path / name)
        restored = keras.models.load_model(tmp_path / name, custom_objects={"Scale": Scale})
        x = np.ones((2, 3), "float32")
        np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_include_optimizer_false_keeps_compile_but_not_state(tmp_path):
    model, x, y = trained("sequential")
    model.save(tmp_path / "m.keras", include_optimizer=False)
    restored = keras.models.load_model(tmp_path / "m.keras")
    assert int(restored.optimizer.iterations.numpy()) == 0
    restored = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert restored.optimizer is None


# ----------------------------------------------------------------------------- the files Keras writes

def test_keras_file_layout_matches_keras3(tmp_path):
    model, _, _ = trained("functional")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
        config = json.loads(zf.read("config.json"))
        meta = json.loads(zf.read("metadata.json"))
        weights = zf.read("model.weights.h5")
    assert set(meta) >= {"keras_version", "date_saved", "chainrule_version"}
    assert list(config)[:4] == ["module", "class_name", "config", "registered_name"]
    assert config["class_name"] == "Functional" and config["module"] == "keras.src.models.functional"
    assert set(config) >= {"build_config", "compile_config"}
    assert set(config["compile_config"]) >= {"optimizer", "loss", "metrics", "loss_weights"}
    assert set(config["compile_config"]["optimizer"]) == {"module", "class_name", "config", "registered_name"}
    assert config["compile_config"]["optimizer"]["class_name"] == "SGD"
    assert config["compile_config"]["loss"] == ["mse", "sparse_categorical_crossentropy"]
    first = config["config"]["layers"][0]
    assert first["module"] == "keras.layers" and first["class_name"] == "InputLayer"
    assert first["config"]["batch_shape"] == [None, 2, 3]
    with h5py.File(io.BytesIO(weights), "r") as f:
        assert f["vars"].attrs["name"] == "two_heads"
        assert f["layers/input_layer/vars"].attrs["name"] == "b"  # layers in tf.keras/Keras order
        assert f["layers/input_layer_1/vars"].attrs["name"] == "a"
        assert f["layers/dense/vars"].attrs["name"] == "ha"
        assert f["layers/dense/vars/0"].shape == (4, 6) and f["layers/dense/vars/1"].shape == (6,)
        assert [f[f"layers/batch_normalization/vars/{i}"].shape for i in range(4)] == [(6,)] * 4
        assert f["layers/dense_1/vars"].attrs["name"] == "reg"
        assert f["layers/dense_2/vars/0"].shape == (12, 3)
        assert len(f["layers/dropout/vars"]) == 0 and len(f["layers/concatenate/vars"]) == 0
        assert f["optimizer/vars/0"][()] == 8  # iteration, then learning rate, then the slots
        np.testing.assert_allclose(f["optimizer/vars/1"][()], 0.05)
        assert f["optimizer/vars/2"].shape == (4, 6)


def test_h5_file_layout_matches_tf_keras2(tmp_path):
    model, _, _ = trained("sequential")
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert set(f.attrs) >= {"backend", "keras_version", "model_config", "training_config"}
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential"
        assert [la["class_name"] for la in config["config"]["layers"]] == \
            ["InputLayer", "Dense", "Dropout", "BatchNormalization", "Dense"]
        training = json.loads(f.attrs["training_config"])
        assert training["loss"] == "binary_crossentropy" and training["metrics"] == ["accuracy"]
        assert training["optimizer_config"]["class_name"] == "Custom>Adam"  # tf.keras 2's (non-legacy) Adam
        group = f["model_weights"]
        assert [n.decode() for n in group.attrs["layer_names"]] == \
            ["dense", "dropout", "batch_normalization", "dense_1"]
        assert [n.decode() for n in group["dense"].attrs["weight_names"]] == ["dense/kernel:0", "dense/bias:0"]
        assert group["dense/dense/kernel:0"].shape == (8, 16)
        assert group["batch_normalization/batch_normalization/moving_variance:0"].shape == (16,)
        assert len(group["dropout"].attrs["weight_names"]) == 0
        names = [n.decode() for n in f["optimizer_weights"].attrs["weight_names"]]
        assert len(names) == 1 + 2 * 6
        assert names[:3] == ["iteration:0", "Adam/m/dense/kernel:0", "Adam/v/dense/kernel:0"]


def write_tf_keras2_sequential_h5(path, k1, b1, k2, b2, with_training_config=True):
    """A file laid out exactly as tf.keras 2.11's ``model.save('m.h5')`` writes it (hdf5_format.py)."""
    dense = {"trainable": True, "dtype": "float32", "use_bias": True,
             "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
             "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
             "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
             "bias_constraint": None}
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "dense_input"}},
        {"class_name": "Dense", "config": {"name": "dense", "batch_input_shape": [None, 8], "units": 16,
                                           "activation": "relu", **dense}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 1, "activation": "sigmoid", **dense}}]}}
    training_config = {
        "loss": "binary_crossentropy",
        "metrics": [[{"class_name": "MeanMetricWrapper",
                      "config": {"name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"}}]],
        "weighted_metrics": None, "loss_weights": None,
        "optimizer_config": {"class_name": "Custom>Adam", "config": {
            "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
            "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None, "jit_compile": True,
            "is_legacy_optimizer": False, "learning_rate": 0.0010000000474974513, "beta_1": 0.9,
            "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if with_training_config:
            f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [b"dense", b"dense_1"]
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.11.0"
        for name, (k, b) in (("dense", (k1, b1)), ("dense_1", (k2, b2))):
            layer = g.create_group(name)
            layer.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            layer.create_dataset(f"{name}/kernel:0", data=k)
            layer.create_dataset(f"{name}/bias:0", data=b)


def write_tf_keras2_functional_h5(path, weights):
    """tf.keras 2.11 functional model (two inputs, Dense/BN/Concatenate/Activation/Dropout/Flatten)."""
    def dense(name, units, activation):
        return {"name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
                "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                "bias_constraint": None}

    def entry(class_name, config, inbound):
        return {"class_name": class_name, "config": config, "name": config["name"],
                "inbound_nodes": [[[n, 0, 0, {}] for n in inbound]] if inbound else []}
    layers = [
        entry("InputLayer", {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False,
                             "name": "a"}, []),
        entry("InputLayer", {"batch_input_shape": [None, 2, 3], "dtype": "float32", "sparse": False,
                             "ragged": False, "name": "b"}, []),
        entry("Dense", dense("ha", 6, "relu"), ["a"]),
        entry("Flatten", {"name": "flat", "trainable": True, "dtype": "float32", "data_format": "channels_last"},
              ["b"]),
        entry("BatchNormalization", {
            "name": "bn", "trainable": True, "dtype": "float32", "axis": [1], "momentum": 0.99, "epsilon": 0.001,
            "center": True, "scale": True, "beta_initializer": {"class_name": "Zeros", "config": {}},
            "gamma_initializer": {"class_name": "Ones", "config": {}},
            "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
            "moving_variance_initializer": {"class_name": "Ones", "config": {}}, "beta_regularizer": None,
            "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}, ["flat"]),
        entry("Concatenate", {"name": "cat", "trainable": True, "dtype": "float32", "axis": -1}, ["ha", "bn"]),
        entry("Activation", {"name": "act", "trainable": True, "dtype": "float32", "activation": "tanh"}, ["cat"]),
        entry("Dropout", {"name": "drop", "trainable": True, "dtype": "float32", "rate": 0.25, "noise_shape": None,
                          "seed": None}, ["act"]),
        entry("Dense", dense("reg", 1, "linear"), ["drop"]),
        entry("Dense", dense("cls", 3, "softmax"), ["drop"]),
    ]
    config = {"class_name": "Functional", "config": {"name": "model", "layers": layers,
                                                     "input_layers": [["a", 0, 0], ["b", 0, 0]],
                                                     "output_layers": [["reg", 0, 0], ["cls", 0, 0]]}}
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        names = ["a", "b", "ha", "flat", "bn", "cat", "act", "drop", "reg", "cls"]
        g.attrs["layer_names"] = [n.encode() for n in names]
        for name in names:
            layer = g.create_group(name)
            arrays = weights.get(name, [])
            suffixes = (["gamma", "beta", "moving_mean", "moving_variance"] if name == "bn" else ["kernel", "bias"])
            wnames = [f"{name}/{s}:0" for s in suffixes[:len(arrays)]]
            layer.attrs["weight_names"] = [w.encode() for w in wnames]
            for wn, arr in zip(wnames, arrays):
                layer.create_dataset(wn, data=arr)


def test_hand_written_tf_keras2_h5_loads_with_its_weights(tmp_path):
    rng = np.random.default_rng(0)
    k1, b1 = rng.normal(size=(8, 16)).astype("float32"), rng.normal(size=(16,)).astype("float32")
    k2, b2 = rng.normal(size=(16, 1)).astype("float32"), rng.normal(size=(1,)).astype("float32")
    write_tf_keras2_sequential_h5(tmp_path / "tfk2.h5", k1, b1, k2, b2)
    model = keras.models.load_model(tmp_path / "tfk2.h5")
    assert [la.name for la in model.layers] == ["dense", "dense_1"]
    assert model.layers[0].activation.__name__ == "relu"
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), k1)
    np.testing.assert_array_equal(model.layers[1].bias.numpy(), b2)
    x = rng.normal(size=(5, 8)).astype("float32")
    expected = 1 / (1 + np.exp(-(np.maximum(x @ k1 + b1, 0) @ k2 + b2)))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.evaluate(x, (x[:, 0] > 0).astype("float32"), verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]
    assert type(model.optimizer).__name__ == "Adam"
    model.fit(x, (x[:, 0] > 0).astype("float32"), verbose=0, epochs=1)  # compiled and trainable


def test_hand_written_tf_keras2_functional_h5_and_weights_file(tmp_path):
    rng = np.random.default_rng(1)
    w = {"ha": [rng.normal(size=(4, 6)), rng.normal(size=(6,))],
         "bn": [rng.uniform(0.5, 1.5, 6), rng.normal(size=6), rng.normal(size=6), rng.uniform(0.5, 2, 6)],
         "reg": [rng.normal(size=(12, 1)), rng.normal(size=(1,))],
         "cls": [rng.normal(size=(12, 3)), rng.normal(size=(3,))]}
    w = {k: [np.asarray(a, "float32") for a in v] for k, v in w.items()}
    write_tf_keras2_functional_h5(tmp_path / "f.h5", w)
    model = keras.models.load_model(tmp_path / "f.h5")
    assert model.optimizer is None  # no training_config in the file
    xa, xb = rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(3, 2, 3)).astype("float32")
    ha = np.maximum(xa @ w["ha"][0] + w["ha"][1], 0)
    g, b, mean, var = w["bn"]
    hb = (xb.reshape(3, 6) - mean) / np.sqrt(var + 1e-3) * g + b
    h = np.tanh(np.concatenate([ha, hb], axis=1))
    logits = h @ w["cls"][0] + w["cls"][1]
    expected_cls = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    reg, cls = model.predict([xa, xb], verbose=0)
    np.testing.assert_allclose(reg, h @ w["reg"][0] + w["reg"][1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(cls, expected_cls, rtol=1e-5, atol=1e-6)
    # The same weights through load_weights into a model built in code.
    fresh = functional_model(seed=4)
    fresh.load_weights(tmp_path / "f.h5")
    np.testing.assert_array_equal(fresh.get_layer("bn").moving_variance.numpy(), w["bn"][3])


def test_real_keras3_file_loads(tmp_path):
    """A file written by Keras 3.15.1 itself (tests/keras/fixtures/make_keras3_fixture.py)."""
    expected = np.load(os.path.join(FIXTURES, "keras3_functional_expected.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, "keras3_functional.keras"))
    reg, cls = model.predict([expected["xa"], expected["xb"]], verbose=0)
    np.testing.assert_allclose(reg, expected["pred_reg"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls, expected["pred_cls"], rtol=1e-5, atol=1e-6)
    assert int(model.optimizer.iterations.numpy()) == int(expected["iterations"])
    model.evaluate([expected["xa"], expected["xb"]], [expected["pred_reg"], np.zeros(12)], verbose=0)
    assert model.metrics_names == ["loss", "reg_loss", "cls_loss", "reg_mae", "cls_accuracy"]
    # And it goes on training, then round-trips through our own writer.
    model.fit([expected["xa"], expected["xb"]], [expected["pred_reg"], np.zeros(12)], verbose=0)
    model.save(tmp_path / "again.keras")
    keras.models.load_model(tmp_path / "again.keras")


# ----------------------------------------------------------------------------- damaged and foreign files

def _saved(tmp_path, ext):
    keras.utils.set_random_seed(0)  # weights (~33 KB) dominate the file, so its middle is weight data
    model = Sequential([Dense(64, activation="relu", input_shape=(64,)), Dense(64), Dense(1)])
    model.compile("adam", "mse")
    path = tmp_path / f"good{ext}"
    model.save(path)
    return path, path.read_bytes()


@pytest.mark.parametrize("ext", [".keras", ".h5"])
@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "png", "text", "empty"])
def test_damaged_files_give_clear_errors(tmp_path, ext, damage):
    _, good = _saved(tmp_path, ext)
    bad = tmp_path / f"bad{ext}"
    if damage == "truncated":
        bad.write_bytes(good[:len(good) // 2])
    elif damage == "flipped":
        data = bytearray(good)
        mid = len(data) // 2
        for i in range(mid, mid + 16):
            data[i] ^= 0xFF
        bad.write_bytes(bytes(data))
    elif damage == "garbage":
        bad.write_bytes(np.random.default_rng(0).bytes(5000))
    elif damage == "png":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    elif damage == "text":
        bad.write_text('{"class_name": "Sequential"}')
    else:
        bad.write_bytes(b"")
    with pytest.raises(ValueError) as err:
        keras.models.load_model(bad)
    message = str(err.value)
    assert str(bad) in message
    expected = {"truncated": "corrupted or truncated", "flipped": "corrupted", "garbage": "neither a '.keras'",
                "png": "PNG image", "text": "JSON/text file", "empty": "empty"}[damage]
    assert expected in message
    with pytest.raises(ValueError, match="corrupted|neither|truncated"):
        Sequential([Dense(64, input_shape=(64,)), Dense(64), Dense(1)]).load_weights(bad)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        keras.models.load_model(tmp_path / "nope.keras")
    with pytest.raises(ValueError, match="not a directory saved by chainrule"):
        keras.models.load_model(tmp_path)


def test_unsupported_extensions_and_overwrite(tmp_path):
    model, _, _ = trained("sequential")
    with pytest.raises(ValueError, match="save_weights"):
        model.save(tmp_path / "model.weights.h5")
    model.save(tmp_path / "m.keras")
    before = (tmp_path / "m.keras").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    assert (tmp_path / "m.keras").read_bytes() == before
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "no" / "such" / "m.keras")


# ----------------------------------------------------------------------------- crafted files

def _rewrite_keras(src, dst, edit_config=None, extra_members=(), weights=None):
    with zipfile.ZipFile(src) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    if edit_config is not None:
        config = json.loads(members["config.json"])
        edit_config(config)
        members["config.json"] = json.dumps(config).encode()
    if weights is not None:
        members["model.weights.h5"] = weights
    with zipfile.ZipFile(dst, "w") as zf:
        for name, blob in list(members.items()) + list(extra_members):
            zf.writestr(name, blob)


def _first_dense(config):
    return config["config"]["layers"][1]


@pytest.mark.parametrize("edit, message", [
    (lambda c: _first_dense(c).update(class_name="os.system"), r"Unknown layer: 'os\.system'"),
    (lambda c: _first_dense(c).update(module="builtins", class_name="eval"), "module 'builtins'"),
    (lambda c: _first_dense(c).update(module="subprocess"), "module 'subprocess'"),
    (lambda c: c.update(module="os"), "module 'os'"),
    (lambda c: _first_dense(c).update(registered_name="os>system"), r"registered_name 'os>system'"),
    (lambda c: _first_dense(c).update(registered_name="chainrule_tests>Block"), "points to .*Block"),
    (lambda c: _first_dense(c).update(class_name="Adam"), "Unknown layer: 'Adam'"),
    (lambda c: _first_dense(c).update(class_name="__lambda__", config={"code": "YmFk"}), "lambda"),
    (lambda c: c["compile_config"]["optimizer"].update(module="builtins"), "module 'builtins'"),
    (lambda c: c["compile_config"].update(loss={"module": "posix", "class_name": "system", "config": {}}),
     "module 'posix'"),
])
def test_crafted_configs_are_refused(tmp_path, edit, message):
    model, _, _ = trained("sequential")
    model.save(tmp_path / "m.keras")
    _rewrite_keras(tmp_path / "m.keras", tmp_path / "evil.keras", edit_config=edit)
    with pytest.raises(ValueError, match=message) as err:
        keras.models.load_model(tmp_path / "evil.keras")
    assert "evil.keras" in str(err.value)


@pytest.mark.parametrize("member", ["../escape.txt", "/etc/evil", "assets/../../x", "C:\\evil"])
def test_zip_members_escaping_the_archive_are_refused(tmp_path, member):
    model, _, _ = trained("sequential")
    model.save(tmp_path / "m.keras")
    _rewrite_keras(tmp_path / "m.keras", tmp_path / "evil.keras", extra_members=[(member, b"x")])
    with pytest.raises(ValueError, match="absolute path or escapes the archive"):
        keras.models.load_model(tmp_path / "evil.keras")


def _weights_with(edit):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        edit(f)
    return buf.getvalue()


def test_string_or_external_datasets_are_refused(tmp_path):
    model = Sequential([Dense(2, input_shape=(3,))])
    model.save(tmp_path / "m.keras")

    def strings(f):
        g = f.create_group("layers/dense/vars")
        g.create_dataset("0", data=np.array([b"abc", b"def"]))
        g.create_dataset("1", data=np.zeros(2, "float32"))
        f.create_group("vars")
    _rewrite_keras(tmp_path / "m.keras", tmp_path / "s.keras", weights=_weights_with(strings))
    with pytest.raises(ValueError, match="not a numeric type"):
        keras.models.load_model(tmp_path / "s.keras")

    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(6, dtype="float32").tobytes())

    def external(f):
        g = f.create_group("layers/dense/vars")
        g.create_dataset("0", shape=(3, 2), dtype="float32", external=[(str(secret), 0, 24)])
        g.create_dataset("1", data=np.zeros(2, "float32"))
        f.create_group("vars")
    _rewrite_keras(tmp_path / "m.keras", tmp_path / "e.keras", weights=_weights_with(external))
    with pytest.raises(ValueError, match="outside the file"):
        keras.models.load_model(tmp_path / "e.keras")

    def soft_link(f):
        g = f.create_group("layers/dense/vars")
        f.create_dataset("elsewhere", data=np.zeros((3, 2), "float32"))
        g["0"] = h5py.SoftLink("/elsewhere")
        g.create_dataset("1", data=np.zeros(2, "float32"))
        f.create_group("vars")
    _rewrite_keras(tmp_path / "m.keras", tmp_path / "l.keras", weights=_weights_with(soft_link))
    with pytest.raises(ValueError, match="SoftLink"):
        keras.models.load_model(tmp_path / "l.keras")


def test_legacy_weight_names_cannot_point_outside_their_group(tmp_path):
    model = Sequential([Dense(2, input_shape=(3,))])
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "a") as f:
        f["dense"].attrs["weight_names"] = [b"/dense/dense/kernel:0", b"../dense/bias:0"]
    with pytest.raises(ValueError, match="not a plain relative name"):
        model.load_weights(tmp_path / "w.h5")


# ----------------------------------------------------------------------------- atomic writes

def _run(code, tmp_path):
    script = textwrap.dedent(code)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)


_SAVE_PRELUDE = """
    import os, signal, sys
    import numpy as np
    from chainrule import keras
    from chainrule.keras.layers import Dense
    keras.utils.set_random_seed(123)
    model = keras.Sequential([Dense(32, input_shape=(16,)), Dense(1)])
    model.compile("adam", "mse")
"""


@pytest.mark.parametrize("ext, where", [(".keras", "before_replace"), (".h5", "mid_write")])
def test_kill_during_save_leaves_the_old_file(tmp_path, ext, where):
    old = Sequential([Dense(32, input_shape=(16,)), Dense(1)])
    old.save(tmp_path / f"m{ext}")
    old_bytes = (tmp_path / f"m{ext}").read_bytes()
    if where == "before_replace":
        hook = "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)"
    else:
        hook = textwrap.dedent("""
            import h5py
            real = h5py.Group.create_dataset
            count = [0]
            def slow(self, *a, **k):
                count[0] += 1
                if count[0] == 3:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(self, *a, **k)
            h5py.Group.create_dataset = slow
        """)
    result = _run(_SAVE_PRELUDE + textwrap.indent(hook, "    ") + f"\n    model.save('m{ext}')\n", tmp_path)
    assert result.returncode == -signal.SIGKILL, result.stderr
    leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".chainrule-tmp")]
    assert leftovers, "the kill should have happened while a temporary file existed"
    assert (tmp_path / f"m{ext}").read_bytes() == old_bytes
    restored = keras.models.load_model(tmp_path / f"m{ext}")
    assert_same_weights(old, restored)
    old.save(tmp_path / f"m{ext}")  # the next successful save removes the dead process's temporary file
    assert sorted(os.listdir(tmp_path)) == [f"m{ext}"]


@pytest.mark.parametrize("ext, target", [(".keras", "zip"), (".h5", "h5"), (".weights.h5", "h5")])
def test_oserror_during_write_leaves_the_old_file(tmp_path, monkeypatch, ext, target):
    model, x, _ = trained("sequential")
    path = tmp_path / f"m{ext}"
    (model.save_weights if ext == ".weights.h5" else model.save)(path)
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    if target == "zip":
        monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    else:
        monkeypatch.setattr(h5py.Group, "create_dataset", disk_full)
    model.fit(x, (x[:, 0] > 0).astype("float32"), verbose=0)
    with pytest.raises(OSError, match=r"No space left on device.*previous file.*unchanged") as err:
        (model.save_weights if ext == ".weights.h5" else model.save)(path)
    assert err.value.errno == 28
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]


def test_json_helpers_and_registry_exports():
    assert saving.get_registered_name(Net) == "chainrule_tests>Net"
    assert saving.get_registered_object("chainrule_tests>Block") is Block
    with saving.custom_object_scope({"Temporary": Block}):
        assert saving.get_registered_object("Temporary") is Block
    assert saving.get_registered_object("Temporary") is None
