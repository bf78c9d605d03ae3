"""model.save("dir") and chainrule.saved_model.save/load: chainrule's SavedModel-like directories round-trip
(config, weights, optimizer state; Modules with their values and, when their class is known, their methods)."""
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras.saving import savedmodel

pytestmark = pytest.mark.filterwarnings("ignore:chainrule saved")  # the tests that check the warning catch it


@pytest.fixture(autouse=True)
def _warn_every_time():
    savedmodel._warned = False


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 3)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")


def _trained(kind="sequential"):
    keras.utils.set_random_seed(1)
    if kind == "sequential":
        model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)), keras.layers.Dense(1)])
    else:
        inputs = keras.Input((3,))
        model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dense(4, activation="relu")(inputs)))
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    x, y = _data()
    model.fit(x, y, epochs=2, verbose=0)
    return model


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_a_model_saved_to_a_directory_comes_back_and_trains_on_identically(tmp_path, kind):
    model = _trained(kind)
    path = str(tmp_path / "my_model")
    with pytest.warns(UserWarning, match="TensorFlow and TF Serving cannot load or serve it"):
        model.save(path)
    assert sorted(os.listdir(path)) == ["assets", "keras_metadata.json", "saved_model.json", "variables"]
    assert sorted(os.listdir(os.path.join(path, "variables"))) == ["variables.data-00000-of-00001",
                                                                    "variables.index"]
    loaded = keras.models.load_model(path)
    x, y = _data()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 2
    assert [(la.name, type(la).__name__, la.output_shape) for la in loaded.layers] == \
        [(la.name, type(la).__name__, la.output_shape) for la in model.layers]
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_warning_comes_once_per_process(tmp_path):
    model = _trained()
    with pytest.warns(UserWarning):
        model.save(str(tmp_path / "a"))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.save(str(tmp_path / "b"))


def test_save_format_chooses_the_layout(tmp_path):
    model = _trained()
    model.save(str(tmp_path / "dir.h5"), save_format="tf")
    assert os.path.isdir(tmp_path / "dir.h5")
    model.save(str(tmp_path / "file_without_extension"), save_format="h5")
    assert os.path.isfile(tmp_path / "file_without_extension")
    model.save(str(tmp_path / "zip_without_extension"), save_format="keras")
    x, _ = _data()
    for name in ("dir.h5", "file_without_extension", "zip_without_extension"):
        np.testing.assert_array_equal(keras.models.load_model(str(tmp_path / name)).predict(x, verbose=0),
                                      model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="Unknown save_format"):
        model.save(str(tmp_path / "x"), save_format="onnx")


def test_without_the_optimizer_and_without_compiling(tmp_path):
    model = _trained()
    model.save(str(tmp_path / "m"), include_optimizer=False)
    loaded = keras.models.load_model(str(tmp_path / "m"))
    assert int(loaded.optimizer.iterations.numpy()) == 0
    uncompiled = keras.models.load_model(str(tmp_path / "m"), compile=False)
    assert uncompiled.optimizer is None
    x, _ = _data()
    np.testing.assert_array_equal(uncompiled.predict(x, verbose=0), model.predict(x, verbose=0))


def test_overwriting_replaces_the_directory_whole_and_a_failure_keeps_the_old_one(tmp_path, monkeypatch):
    model = _trained()
    path = str(tmp_path / "m")
    model.save(path)
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)
    before = open(os.path.join(path, "variables", "variables.index")).read()

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(savedmodel, "write_graph", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert open(os.path.join(path, "variables", "variables.index")).read() == before
    assert [n for n in os.listdir(tmp_path) if "chainrule-tmp" in n] == []


class NoConfig(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = tf.Variable(5.0)

    def call(self, x):
        return self.w * x


def test_a_subclassed_model_without_get_config(tmp_path):
    model = NoConfig()
    model(np.ones((1, 2), "float32"))
    model.w.assign(3.0)
    model.save(str(tmp_path / "sub"))
    with pytest.raises(ValueError, match="custom_objects"):
        keras.models.load_model(str(tmp_path / "sub"))
    loaded = keras.models.load_model(str(tmp_path / "sub"), custom_objects={"NoConfig": NoConfig})
    assert float(loaded.w.numpy()) == 3.0


def test_a_directory_that_is_not_chainrules_is_refused(tmp_path):
    (tmp_path / "tf_model").mkdir()
    (tmp_path / "tf_model" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match="TensorFlow SavedModel, whose graphs chainrule cannot run"):
        keras.models.load_model(str(tmp_path / "tf_model"))
    with pytest.raises(ValueError, match="not a directory saved by chainrule"):
        tf.saved_model.load(str(tmp_path))


@keras.saving.register_keras_serializable(package="test_savedmodel")
class Scaled(tf.Module):
    def __init__(self, factor, name=None):
        super().__init__(name=name)
        self.factor = factor
        self.w = tf.Variable([1.0, 2.0], name="w")
        self.parts = [tf.Variable(3.0, name="p0"), tf.Variable(4.0, trainable=False, name="p1")]

    @tf.function
    def __call__(self, x):
        return x * self.w * self.factor + self.parts[0]


class Unknown(tf.Module):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable([7.0, 8.0])

    def __call__(self, x):
        return x + self.v


def test_a_module_comes_back_with_its_values_and_its_methods_when_its_class_is_known(tmp_path):
    module = Scaled(2.0, name="scaled")
    module.w.assign([3.0, 4.0])
    x = tf.constant([1.0, 1.0])
    expected = module(x)
    tf.saved_model.save(module, str(tmp_path / "scaled"))
    assert tf.saved_model.contains_saved_model(str(tmp_path / "scaled"))
    loaded = tf.saved_model.load(str(tmp_path / "scaled"))
    assert isinstance(loaded, Scaled) and loaded.name == "scaled" and loaded.factor == 2.0
    np.testing.assert_array_equal(loaded(x), expected)
    np.testing.assert_array_equal(loaded.w.numpy(), [3.0, 4.0])
    assert [v.trainable for v in loaded.parts] == [True, False]
    assert len(loaded.trainable_variables) == 2


def test_a_module_whose_class_is_unknown_keeps_its_values_but_says_its_methods_are_missing(tmp_path):
    tf.saved_model.save(Unknown(), str(tmp_path / "u"))
    loaded = tf.saved_model.load(str(tmp_path / "u"))
    assert not isinstance(loaded, Unknown)
    np.testing.assert_array_equal(loaded.v.numpy(), [7.0, 8.0])
    with pytest.raises(TypeError, match="Unknown"):
        loaded(tf.constant([1.0, 1.0]))


@keras.saving.register_keras_serializable(package="test_savedmodel")
def shifted(x):
    return x + 1.0


@keras.saving.register_keras_serializable(package="test_savedmodel")
class Standardize(tf.Module):
    def __init__(self, x):
        self.mean = tf.math.reduce_mean(x, axis=0)
        self.std = tf.math.reduce_std(x, axis=0)


@keras.saving.register_keras_serializable(package="test_savedmodel")
class Export(tf.Module):
    """The TensorFlow Core quickstart's ExportModule: constants in a child Module and a function attribute."""

    def __init__(self, norm, extract, helper=None):
        self.norm = norm
        self.extract = extract
        self.helper = helper

    @tf.function(input_signature=[tf.TensorSpec(shape=[None, None], dtype=tf.float32)])
    def __call__(self, x):
        return (self.extract(x) - self.norm.mean) / self.norm.std


def test_a_module_keeps_its_constant_tensors_and_the_registered_functions_it_holds(tmp_path):
    data = tf.constant([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    module = Export(Standardize(data), shifted, helper=lambda x: x)
    expected = module(data).numpy()
    tf.saved_model.save(module, str(tmp_path / "export"))
    assert os.path.isfile(tmp_path / "export" / "constants.index")
    loaded = tf.saved_model.load(str(tmp_path / "export"))
    assert loaded.extract is shifted
    assert not hasattr(loaded, "helper")  # a lambda has no name to be found by: not saved
    assert loaded.norm.mean.dtype == tf.float32 and not isinstance(loaded.norm.mean, tf.Variable)
    np.testing.assert_array_equal(loaded.norm.std.numpy(), module.norm.std.numpy())
    np.testing.assert_array_equal(loaded(data).numpy(), expected)


def test_a_missing_constant_is_named(tmp_path):
    tf.saved_model.save(Standardize(tf.constant([[1.0], [2.0]])), str(tmp_path / "s"))
    for suffix in (".index", ".data-00000-of-00001"):
        os.remove(tmp_path / "s" / f"constants{suffix}")
    with pytest.raises(ValueError, match="constant '/mean' is missing"):
        tf.saved_model.load(str(tmp_path / "s"))


def test_saved_model_save_of_a_keras_model_loads_as_a_keras_model(tmp_path):
    model = _trained("functional")
    tf.saved_model.save(model, str(tmp_path / "k"))
    loaded = tf.saved_model.load(str(tmp_path / "k"))
    x, _ = _data()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="saved_model.load"):
        tf.saved_model.save(Unknown(), str(tmp_path / "mod"))
        keras.models.load_model(str(tmp_path / "mod"))
