"""tf.keras 2 files both ways: optimizer state mapped between tf.keras 2's layout and chainrule's (Keras 3's).

The fixtures in ``fixtures/tf_keras2/`` were made by tf.keras 2.21 (see the README there): for each
optimizer, a small trained model saved as ``.h5`` (and ``.keras`` for some), and in ``expected.npz`` its
predictions, the optimizer variables tf.keras holds after reloading it, and the weights after one more
training step taken by tf.keras from the reloaded file.
"""
import json
import os
import warnings
import zipfile

import h5py
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras.saving import keras_format, tf2_optimizer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "tf_keras2")
EXPECTED = np.load(os.path.join(FIXTURES, "expected.npz"))
X, Y = EXPECTED["x"], EXPECTED["y"]
H5 = ["adam.h5", "adamw_amsgrad.h5", "nadam.h5", "sgd.h5", "sgd_momentum.h5", "rmsprop_centered.h5", "adagrad.h5",
      "sgd_ema.h5", "legacy_adam.h5"]
KERAS = ["adam.keras", "sgd_momentum.keras", "rmsprop_centered.keras"]


def load(name, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no "Skipping the optimizer state" warning
        return keras.models.load_model(os.path.join(FIXTURES, name), **kwargs)


def tf_optimizer_values(name):
    names = json.loads(str(EXPECTED[f"{name}/optimizer_names"]))
    return names, [EXPECTED[f"{name}/optimizer/{i}"] for i in range(len(names))]


def layer_weights(model):
    return [w for layer in model.layers for w in layer.get_weights()]


@pytest.mark.parametrize("name", H5 + KERAS)
def test_tf_keras_file_loads_with_its_optimizer_state(name):
    model = load(name)
    np.testing.assert_allclose(model.predict(X, verbose=0), EXPECTED[f"{name}/predictions"], atol=1e-6)
    tf_names, tf_values = tf_optimizer_values(name)
    iteration = next(v for n, v in zip(tf_names, tf_values) if n.split("/")[-1].split(":")[0] in ("iteration", "iter"))
    assert int(model.optimizer.iterations.numpy()) == int(iteration) == 8
    # chainrule's slots, written back in tf.keras 2's layout, are the values tf.keras holds after loading the file.
    names, values = tf2_optimizer.weights(model.optimizer, model.trainable_weights)
    if name == "legacy_adam.h5":  # the legacy optimizer's file: Adam/iter, every m, every v (Adam/hidden/kernel/m)
        with h5py.File(os.path.join(FIXTURES, name)) as f:
            group = f["optimizer_weights"]
            theirs = {"/".join([n.split(":")[0].split("/")[-1]] + n.split("/")[1:-1]): group[n][()]
                      for n in _attr_names(group) if n.split(":")[0].split("/")[-1] in ("m", "v")}
        ours = {n.split(":")[0].split("/", 1)[1]: v for n, v in zip(names[1:], values[1:])}
        assert sorted(theirs) == sorted(ours) and len(ours) == 2 * len(model.trainable_weights)
        for key in theirs:
            np.testing.assert_array_equal(ours[key], theirs[key], err_msg=key)
        return
    assert len(values) == len(tf_values) and [np.shape(v) for v in values] == [np.shape(v) for v in tf_values]
    if name == "sgd.h5":
        return  # tf.keras 2 keeps the last step in `m` but never reads it without momentum; chainrule keeps no slot
    for tf_name, ours, theirs in zip(tf_names, values, tf_values):
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{name}: {tf_name}")


@pytest.mark.parametrize("name", ["adam.h5", "adam.keras", "adamw_amsgrad.h5", "sgd.h5", "sgd_momentum.h5",
                                  "sgd_momentum.keras", "rmsprop_centered.h5", "rmsprop_centered.keras",
                                  "adagrad.h5", "legacy_adam.h5"])
def test_training_continues_where_tf_keras_left_off(name):
    model = load(name)
    model.fit(X, Y, epochs=1, batch_size=64, shuffle=False, verbose=0)
    for i, w in enumerate(layer_weights(model)):
        np.testing.assert_allclose(w, EXPECTED[f"{name}/after_step/{i}"], atol=1e-6, err_msg=f"{name} weight {i}")
    if name != "sgd.h5":   # the state matters: a fresh optimizer state takes another step
        fresh = load(name, compile=False)
        fresh.compile(optimizer=type(model.optimizer).from_config(model.optimizer.get_config()),
                      loss="binary_crossentropy")
        fresh.fit(X, Y, epochs=1, batch_size=64, shuffle=False, verbose=0)
        assert max(float(np.abs(a - EXPECTED[f"{name}/after_step/{i}"]).max())
                   for i, a in enumerate(layer_weights(fresh))) > 1e-4


def test_nadam_product_is_recomputed_from_the_iteration():
    # tf.keras 2 does not save Nadam's running product (it restarts it at 1 after loading); chainrule recomputes
    # it, so a loaded run continues as an uninterrupted one.
    model = load("nadam.h5")
    u = 1.0
    for t in range(1, 9):
        u *= 0.9 * (1 - 0.5 * 0.96 ** t)
    assert float(model.optimizer._u_product.numpy()) == pytest.approx(u, rel=1e-6)


def test_tf_keras_keras_file_metrics_groups_are_not_refused():
    with zipfile.ZipFile(os.path.join(FIXTURES, "adam.keras")) as zf:
        metadata = json.loads(zf.read("metadata.json"))
        with h5py.File(__import__("io").BytesIO(zf.read("model.weights.h5"))) as f:
            assert "metrics" in f                           # what a tf.keras 2 .keras file holds
    assert keras_format.follows_tf_keras_2(metadata) and metadata["keras_version"].startswith("2.")
    model = load("adam.keras")
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    loss, accuracy = model.evaluate(X, Y, verbose=0)
    assert 0 <= accuracy <= 1 and np.isfinite(loss)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_weights(os.path.join(FIXTURES, "adam.keras"))   # the weights alone load too, state included


def _chainrule_twin(optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(6, activation="relu", input_shape=(4,), name="hidden"),
                              keras.layers.BatchNormalization(name="norm"),
                              keras.layers.Dense(1, activation="sigmoid", name="output")], name="small")
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    return model


def _attr_names(group):
    return [n.decode() if isinstance(n, bytes) else str(n) for n in group.attrs["weight_names"]]


@pytest.mark.parametrize("name, make", [
    ("adam.h5", lambda: keras.optimizers.Adam(0.01)),
    ("adamw_amsgrad.h5", lambda: keras.optimizers.AdamW(0.01, amsgrad=True)),
    ("nadam.h5", lambda: keras.optimizers.Nadam(0.01)),
    ("sgd.h5", lambda: keras.optimizers.SGD(0.1)),
    ("sgd_momentum.h5", lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
    ("rmsprop_centered.h5", lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True)),
    ("adagrad.h5", lambda: keras.optimizers.Adagrad(0.1)),
    ("sgd_ema.h5", lambda: keras.optimizers.SGD(0.1, momentum=0.9, use_ema=True)),
])
def test_chainrule_h5_is_laid_out_as_tf_keras_2_writes_it(name, make, tmp_path):
    model = _chainrule_twin(make())
    path = tmp_path / name
    model.save(str(path))
    with h5py.File(os.path.join(FIXTURES, name)) as theirs, h5py.File(path) as ours:
        assert _attr_names(ours["optimizer_weights"]) == _attr_names(theirs["optimizer_weights"])
        for n in _attr_names(theirs["optimizer_weights"]):
            assert ours["optimizer_weights"][n].shape == theirs["optimizer_weights"][n].shape
            assert ours["optimizer_weights"][n].dtype == theirs["optimizer_weights"][n].dtype
        tf_training = json.loads(theirs.attrs["training_config"])
        cr_training = json.loads(ours.attrs["training_config"])
        assert set(cr_training) == set(tf_training)
        assert cr_training["optimizer_config"]["class_name"] == tf_training["optimizer_config"]["class_name"]
        assert set(cr_training["optimizer_config"]["config"]) == set(tf_training["optimizer_config"]["config"])
        tf_model = json.loads(theirs.attrs["model_config"])
        cr_model = json.loads(ours.attrs["model_config"])
        assert cr_model["class_name"] == tf_model["class_name"] and set(cr_model["config"]) == set(tf_model["config"])
        for tf_layer, cr_layer in zip(tf_model["config"]["layers"], cr_model["config"]["layers"]):
            assert tf_layer["class_name"] == cr_layer["class_name"]
            # `optional` is tf.keras 2.21's addition to InputLayer, which tf.keras 2.11 would refuse.
            assert set(tf_layer["config"]) - {"optional"} == set(cr_layer["config"])
        assert _attr_names_layers(ours) == _attr_names_layers(theirs)
    again = keras.models.load_model(str(path))        # and chainrule reads its own file back, state included
    for a, b in zip(model.optimizer.get_weights(), again.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def _attr_names_layers(f):
    group = f["model_weights"]
    return {n.decode() if isinstance(n, bytes) else str(n): _attr_names(group[n.decode() if isinstance(n, bytes)
                                                                            else str(n)])
            for n in group.attrs["layer_names"]}


def test_optimizers_without_a_tf_keras_2_twin_keep_chainrule_layout(tmp_path):
    class Halving(keras.optimizers.SGD):
        pass

    model = _chainrule_twin(keras.optimizers.SGD(0.1, momentum=0.9))
    assert tf2_optimizer.supports(model.optimizer) and not tf2_optimizer.supports(None)
    model.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5") as f:
        assert _attr_names(f["optimizer_weights"])[0] == "iteration:0"


def test_old_chainrule_h5_layout_still_loads(tmp_path):
    # chainrule's .h5 files written before this change kept Keras 3's layout (iteration, learning_rate, slots).
    model = _chainrule_twin(keras.optimizers.Adam(0.01))
    path = tmp_path / "old.h5"
    model.save(str(path))
    with h5py.File(path, "r+") as f:
        del f["optimizer_weights"]
        group = f.create_group("optimizer_weights")
        names = [f"Adam/{v.name}" for v in model.optimizer.variables]
        group.attrs["weight_names"] = [n.encode() for n in names]
        for n, value in zip(names, model.optimizer.get_weights()):
            group[n] = value
    again = load(str(path))
    for a, b in zip(model.optimizer.get_weights(), again.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_files_say_which_keras_format_they_follow(tmp_path):
    model = _chainrule_twin("adam")
    model.save(str(tmp_path / "m.keras"))
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        metadata = json.loads(zf.read("metadata.json"))
    assert metadata["keras_format"] == "keras-3" and metadata["keras_version"].startswith("3.")
    assert metadata["tensorflow_api"] == "2.11.0" and not keras_format.follows_tf_keras_2(metadata)
    # chainrule's earlier files said keras_version 2.11.0 but followed Keras 3: still read as Keras 3.
    assert not keras_format.follows_tf_keras_2({"keras_version": "2.11.0", "chainrule_version": "0.1.0"})
    again = keras.models.load_model(str(tmp_path / "m.keras"))
    for a, b in zip(model.optimizer.get_weights(), again.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)
