"""Misuse corpus, files: saving what cannot be saved, loading what is not a model.

Each test checks the exception type and that the message names the file (or model),
what is wrong with it, and what to do. Nothing loaded is executed (DESIGN.md), so a
bad file must always end in a clear error, never in a crash deep inside h5py/zipfile.
"""
import json
import os
import re
import zipfile

import h5py
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import layers


def assert_mentions(excinfo, *patterns):
    """Every regex in ``patterns`` occurs in the exception message."""
    text = str(excinfo.value)
    missing = [p for p in patterns if not re.search(p, text)]
    assert not missing, f"the message lacks {missing}:\n{text}"


def mlp(units=8, n_in=4, name="mlp"):
    model = keras.Sequential([layers.Dense(units, activation="relu", input_shape=(n_in,)), layers.Dense(3)],
                             name=name)
    model.compile("adam", "mse")
    return model


@pytest.fixture
def saved(tmp_path):
    """Paths of a model saved as .keras and .h5 and of its weights as .weights.h5."""
    model = mlp(name="source")
    paths = {"keras": tmp_path / "model.keras", "h5": tmp_path / "model.h5",
             "weights": tmp_path / "model.weights.h5"}
    model.save(str(paths["keras"]))
    model.save(str(paths["h5"]))
    model.save_weights(str(paths["weights"]))
    return paths


class Subclassed(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x)


# ----------------------------------------------------------------------------- saving

@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_saving_a_subclassed_model_without_get_config(tmp_path, suffix):
    model = Subclassed(name="custom")
    model(np.ones((1, 4), np.float32))
    with pytest.raises(NotImplementedError) as e:
        model.save(str(tmp_path / f"custom{suffix}"))
    assert_mentions(e, r"'custom'", r"Subclassed", re.escape(f"custom{suffix}"), r"implement `get_config\(\)`",
                    r"save_weights")
    assert not os.path.exists(tmp_path / f"custom{suffix}")   # no half-written file left behind


def test_saving_a_model_with_a_custom_layer_without_get_config(tmp_path):
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    inputs = layers.Input(shape=(3,))
    model = keras.Model(inputs, Scale()(inputs), name="scaler")
    with pytest.raises(NotImplementedError) as e:
        model.save(str(tmp_path / "scaler.keras"))
    assert_mentions(e, r"'scaler'", r"Layer Scale", r"override\s+`get_config\(\)`", r"super\(\)\.get_config\(\)")


def test_saving_with_an_unknown_extension_writes_a_directory_and_says_tensorflow_cannot_read_it(tmp_path):
    from chainrule.keras.saving import savedmodel
    savedmodel._warned = False  # the warning comes once per process
    with pytest.warns(UserWarning, match=r"model\.pkl.*TensorFlow and TF Serving cannot load or serve it.*'\.keras'"):
        mlp().save(str(tmp_path / "model.pkl"))  # tf.keras 2 writes a SavedModel directory for such names too
    assert (tmp_path / "model.pkl").is_dir()
    assert keras.models.load_model(str(tmp_path / "model.pkl")).count_params() == mlp().count_params()


def test_saving_a_whole_model_to_a_weights_file_name(tmp_path):
    with pytest.raises(ValueError) as e:
        mlp().save(str(tmp_path / "model.weights.h5"))
    assert_mentions(e, r"model\.weights\.h5", r"weights only", r"save_weights")


def test_save_weights_to_a_keras_file_name(tmp_path):
    with pytest.raises(ValueError) as e:
        mlp().save_weights(str(tmp_path / "weights.keras"))
    assert_mentions(e, r"save_weights", r"weights\.keras", r"'\.weights\.h5'")


def test_saving_into_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        mlp().save(str(tmp_path / "no" / "such" / "m.keras"))
    assert_mentions(e, r"m\.keras", r"does not exist", r"os\.makedirs")


def test_saving_over_an_existing_file_with_overwrite_false(saved):
    with pytest.raises(FileExistsError) as e:
        mlp().save(str(saved["keras"]), overwrite=False)
    assert_mentions(e, r"model\.keras", r"overwrite=False", r"overwrite=True")


def test_saving_with_an_unknown_save_format(tmp_path):
    with pytest.raises(ValueError) as e:
        mlp().save(str(tmp_path / "export"), save_format="onnx")
    assert_mentions(e, r"save_format", r"'onnx'", r"'keras'", r"'h5'", r"'tf'")


# ----------------------------------------------------------------------------- loading models

def test_loading_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        keras.models.load_model(str(tmp_path / "missing.keras"))
    assert_mentions(e, r"missing\.keras", r"No file or directory found")


@pytest.mark.parametrize("kind", ["keras", "h5"])
def test_loading_a_truncated_model_file(saved, kind):
    path = saved[kind]
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, re.escape(path.name), r"corrupted or truncated")


def test_loading_a_model_file_with_flipped_bytes(saved):
    path = saved["keras"]
    data = bytearray(path.read_bytes())
    for i in range(200, len(data) - 200, 97):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"model\.keras", r"corrupted")


def test_loading_weights_whose_values_were_damaged(tmp_path):
    # A bit flip inside the kernel's data (file structure intact): the checksum catches it.
    model = keras.Sequential([layers.Dense(8, input_shape=(4,))])
    kernel = np.arange(32, dtype=np.float32).reshape(4, 8) + 0.5
    model.layers[0].set_weights([kernel, np.zeros(8, np.float32)])
    path = tmp_path / "w.weights.h5"
    model.save_weights(str(path))
    data = bytearray(path.read_bytes())
    at = data.find(kernel.tobytes())
    assert at > 0
    data[at + 20] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError) as e:
        model.load_weights(str(path))
    assert_mentions(e, r"w\.weights\.h5", r"layers/dense\w*/vars", r"corrupted", r"checksum")


@pytest.mark.parametrize("content, detail", [
    (b"hello, this is not a model\n", r"text file"),
    (b"", r"empty"),
    (b"\xff\x81\x00\x9cbinary junk", r"first bytes"),
], ids=["text", "empty", "binary"])
def test_loading_a_file_that_is_not_a_model(tmp_path, content, detail):
    path = tmp_path / "notes.keras"
    path.write_bytes(content)
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"notes\.keras", r"neither a '\.keras' zip archive nor an HDF5", detail)


def test_loading_a_numpy_archive_as_a_model(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, a=np.ones(3))
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"arrays\.npz", r"no 'config\.json'", r"not a Keras '\.keras' file", r"a\.npy")


def test_loading_a_zip_with_an_invalid_config(tmp_path):
    path = tmp_path / "broken.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", '{"class_name": "Sequential", "config": ')
        z.writestr("metadata.json", "{}")
        z.writestr("model.weights.h5", b"")
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"broken\.keras", r"JSON|corrupted")


def test_loading_a_directory(tmp_path):
    folder = tmp_path / "saved_model"
    folder.mkdir()
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(folder))
    assert_mentions(e, r"saved_model", r"not a directory saved by chainrule")
    (folder / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(folder))
    assert_mentions(e, r"TensorFlow SavedModel", r"chainrule cannot run", r"'\.keras' or '\.h5'")


def test_loading_a_weights_file_as_a_model(saved):
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(saved["weights"]))
    assert_mentions(e, r"model\.weights\.h5", r"only weights", r"model\.load_weights\(path\)")


def test_loading_a_model_with_a_custom_layer_without_custom_objects(tmp_path):
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2.0

    inputs = layers.Input(shape=(3,))
    path = tmp_path / "doubler.keras"
    keras.Model(inputs, Doubler()(inputs)).save(str(path))
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"doubler\.keras", r"Unknown layer: 'Doubler'", r"custom_objects")


def test_model_from_json_with_a_misspelled_class(tmp_path):
    with pytest.raises(ValueError) as e:
        keras.models.model_from_json('{"class_name": "Sequentail", "config": {}}')
    assert_mentions(e, r"'Sequentail'", r"custom_objects", r"Did you mean 'Sequential'\?")


def test_model_from_json_with_text_that_is_not_json():
    with pytest.raises(ValueError) as e:
        keras.models.model_from_json("Sequential(Dense(3))")
    assert_mentions(e, r"model JSON", r"not valid JSON")


# ----------------------------------------------------------------------------- loading weights

@pytest.mark.parametrize("kind", ["weights", "keras"])
def test_load_weights_into_a_different_architecture(saved, kind):
    model = mlp(units=16, name="wider")
    with pytest.raises(ValueError) as e:
        model.load_weights(str(saved[kind]))
    assert_mentions(e, r"into model 'wider'", r"\[\(4, 16\), \(16,\)\]", r"the file has \[\(4, 8\), \(8,\)\]",
                    r"same architecture", r"skip_mismatch=True")


def test_load_weights_into_a_model_with_another_input_size(saved):
    with pytest.raises(ValueError) as e:
        mlp(n_in=5, name="wide_input").load_weights(str(saved["weights"]))
    assert_mentions(e, r"'wide_input'", r"\(5, 8\)", r"\(4, 8\)", r"same architecture")


def test_load_weights_into_a_model_with_fewer_layers(saved):
    model = keras.Sequential([layers.Dense(8, input_shape=(4,))], name="short")
    with pytest.raises(ValueError) as e:
        model.load_weights(str(saved["weights"]))
    assert_mentions(e, r"'short'", r"no layer of the model takes", r"same architecture")


def test_load_weights_into_an_unbuilt_model(saved):
    model = keras.Sequential([layers.Dense(8), layers.Dense(3)], name="lazy")
    with pytest.raises(ValueError) as e:
        model.load_weights(str(saved["weights"]))
    assert_mentions(e, r"'lazy'", r"not built", r"model\(x\[:1\]\)|model\.build\(")


def test_load_weights_from_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        mlp().load_weights(str(tmp_path / "missing.weights.h5"))
    assert_mentions(e, r"missing\.weights\.h5")


def test_load_weights_from_a_text_file(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_text("w1 = 0.5\n")
    with pytest.raises(ValueError) as e:
        mlp().load_weights(str(path))
    assert_mentions(e, r"weights\.h5", r"neither a '\.keras' zip archive nor an HDF5", r"text file")


# ----------------------------------------------------------------------------- configs inside files

def _rewrite_keras_config(path, edit):
    """Apply ``edit`` to the config.json of the .keras archive at ``path`` (other members kept)."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("kind", ["keras", "h5", "json"])
def test_a_config_nested_thousands_of_levels_deep(saved, kind):
    if kind == "json":
        with pytest.raises(ValueError) as e:
            keras.models.model_from_json('{"class_name": "Sequential", "config": {"layers": ' + "[" * 5000 +
                                         "]" * 5000 + "}}")
        assert_mentions(e, r"model JSON", r"nested more than 100 levels", r"MAX_JSON_DEPTH")
        return
    path = saved[kind]
    deep = "[" * 5000 + "]" * 5000
    if kind == "keras":
        with zipfile.ZipFile(path) as zf:
            members = {name: zf.read(name) for name in zf.namelist()}
        members["config.json"] = members["config.json"].decode().replace('"layers": [', f'"junk": {deep}, "layers": [')
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    else:
        with h5py.File(path, "r+") as f:
            f.attrs["model_config"] = f.attrs["model_config"].replace('"layers": [', f'"junk": {deep}, "layers": [')
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, re.escape(path.name), r"(config\.json|model_config) is nested more than 100 levels")


@pytest.mark.parametrize("key, value, named", [
    ("dtype", {"module": "keras", "class_name": "NopePolicy", "config": {"name": "float32"}, "registered_name": None},
     r"Unknown dtype policy 'NopePolicy'"),
    ("kernel_constraint", "max_nrom", r"Unknown constraint: 'max_nrom'"),
    ("kernel_regularizer", {"class_name": "L3", "config": {}}, r"Unknown regularizer: 'L3'"),
    ("bias_initializer", {"module": "keras.initializers", "class_name": "Zeroes", "config": {},
                          "registered_name": None}, r"Unknown initializer: 'Zeroes'"),
], ids=["dtype-policy", "constraint", "regularizer", "initializer"])
def test_an_unknown_name_in_a_loaded_layer_config(saved, key, value, named):
    path = saved["keras"]
    _rewrite_keras_config(path, lambda c: c["config"]["layers"][1]["config"].__setitem__(key, value))
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"model\.keras", named)


def test_an_unknown_keyword_in_a_loaded_input_layer_config(saved):
    path = saved["keras"]
    _rewrite_keras_config(path, lambda c: c["config"]["layers"][0]["config"].__setitem__("batch_sise", 8))
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"model\.keras", r"InputLayer", r"Unrecognized keyword arguments: \['batch_sise'\]")


def test_loss_weights_that_are_not_numbers_in_a_loaded_compile_config(saved):
    path = saved["keras"]
    _rewrite_keras_config(path, lambda c: c["compile_config"].__setitem__("loss_weights", "mse"))
    with pytest.raises(ValueError) as e:
        keras.models.load_model(str(path))
    assert_mentions(e, r"model\.keras", r"loss_weights should hold numbers", r"'mse'")
