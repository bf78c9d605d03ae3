"""Whatever ``save`` writes, ``load`` reads: odd layer names and long file names round-trip in every format."""
import os

import numpy as np
import pytest

from chainrule import keras
from chainrule.keras import layers


def _model(name):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(3, activation="relu", input_shape=(4,), name=name), layers.Dense(2)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 4), np.float32), np.ones((4, 2), np.float32), verbose=0)
    return model


@pytest.mark.parametrize("name", ["../up", "..", "up/..", "a//b", "trailing/"])
@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_a_layer_name_that_can_be_created_round_trips(tmp_path, name, suffix):
    model = _model(name)
    path = tmp_path / f"model{suffix}"
    model.save(str(path))
    loaded = keras.models.load_model(str(path))
    assert loaded.layers[0].name == name
    for a, b in zip(model.get_weights() + model.optimizer.get_weights(),
                    loaded.get_weights() + loaded.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)
    weights = tmp_path / "legacy.h5"
    model.save_weights(str(weights))
    fresh = _model(name)
    fresh.layers[0].set_weights([np.zeros((4, 3), np.float32), np.zeros(3, np.float32)])
    fresh.load_weights(str(weights))
    np.testing.assert_array_equal(fresh.layers[0].get_weights()[0], model.layers[0].get_weights()[0])


def test_an_empty_name_is_kept_as_tf_keras_keeps_it_and_h5_refuses_it_before_writing(tmp_path):
    # TensorFlow's custom-layers tutorial: class ResnetIdentityBlock(tf.keras.Model): super().__init__(name='')
    model = keras.Sequential([layers.Dense(3, input_shape=(4,), name=""), layers.Dense(2)], name="")
    assert model.name == "" and model.layers[0].name == ""
    x = np.random.default_rng(0).random((2, 4), dtype=np.float32)
    for path in (tmp_path / "m.keras", tmp_path / "m"):  # .keras and the SavedModel-layout directory
        model.save(str(path))
        loaded = keras.models.load_model(str(path))
        assert loaded.name == "" and loaded.layers[0].name == ""
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    model.save_weights(str(tmp_path / "w.weights.h5"))
    for save, path in ((model.save, tmp_path / "m.h5"), (model.save_weights, tmp_path / "w.h5")):
        with pytest.raises(ValueError) as e:
            save(str(path))
        message = str(e.value)
        assert str(path) in message and "layer 0" in message and "(Dense) is named ''" in message
        assert "Give the layer a name, or save in the .keras format" in message
        assert not path.exists() and sorted(os.listdir(tmp_path)) == ["m", "m.keras", "w.weights.h5"]


def _name_max(folder) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return 255


@pytest.mark.parametrize("stem, suffix", [("m" * 240, ".keras"), ("w" * 239, ".weights.h5"), ("é" * 124, ".h5")],
                         ids=["ascii-keras", "ascii-weights", "utf8-h5"])
def test_a_file_name_at_the_length_limit_saves_and_loads(tmp_path, stem, suffix):
    name = stem + suffix
    limit = _name_max(tmp_path)
    assert len(os.fsencode(name)) <= limit < len(os.fsencode(name)) + 40  # valid, but no room for a long prefix
    model = _model("dense_long")
    path = tmp_path / name
    if suffix == ".weights.h5":
        model.save_weights(str(path))
        model.load_weights(str(path))
    else:
        model.save(str(path))
        model.save(str(path))  # overwrites through a temporary name, which must fit too
        keras.models.load_model(str(path))
    assert os.listdir(tmp_path) == [name]
