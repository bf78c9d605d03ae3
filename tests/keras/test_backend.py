"""keras.backend (K) functions return what tf.keras 2's do (fixtures/backend_expected.npz, made with tf_keras 2.21
from the same calls in backend_cases.py), and act on Keras tensors of the functional API."""
import json
import os

import numpy as np
import pytest
from backend_cases import X, cases

import chainrule as tf
from chainrule import keras

K = keras.backend
EXPECTED = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "backend_expected.npz"))
OTHERS = json.loads(str(EXPECTED["__others__"]))
VALUES = cases(K)


@pytest.mark.parametrize("name", sorted(VALUES))
def test_backend_function_matches_tf_keras(name):
    got = VALUES[name]
    if name in OTHERS:
        want = OTHERS[name]
        assert (list(got) if isinstance(got, tuple) else got) == want
        return
    want = EXPECTED[name]
    got = np.asarray(got)
    assert got.shape == want.shape, f"{name}: shape {got.shape}, tf.keras {want.shape}"
    if name in ("argmax", "argmin_axis0", "shape", "arange", "one_hot"):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got.astype("float64"), want.astype("float64"), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def test_every_case_has_a_tf_keras_value():
    assert set(VALUES) == set(OTHERS) | (set(EXPECTED.files) - {"__others__"})


def test_set_epsilon_and_floatx_and_image_data_format():
    try:
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
        K.set_floatx("float64")
        assert K.constant(1.0).dtype == tf.float64
        K.set_image_data_format("channels_first")
        assert K.image_data_format() == "channels_first"
        with pytest.raises(ValueError):
            K.set_image_data_format("nchw")
    finally:
        K.set_epsilon(1e-7)
        K.set_floatx("float32")
        K.set_image_data_format("channels_last")


def test_set_value_of_the_learning_rate():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    K.set_value(model.optimizer.learning_rate, 0.01)
    assert np.isclose(K.get_value(model.optimizer.lr), 0.01)
    with pytest.raises(TypeError, match="Variable"):
        K.set_value(tf.constant(1.0), 2.0)


def test_clear_session_restarts_names_and_uids():
    K.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    assert K.get_uid("x") == 1 and K.get_uid("x") == 2
    K.clear_session()
    assert keras.layers.Dense(1).name == "dense" and K.get_uid("x") == 1


def test_backend_functions_on_keras_tensors_build_a_model():
    inputs = keras.Input((3,))
    out = K.concatenate([K.square(inputs), K.mean(inputs, axis=1, keepdims=True)])
    model = keras.Model(inputs, out)
    assert K.int_shape(out) == (None, 4) and K.is_keras_tensor(out)
    np.testing.assert_allclose(model(X), np.concatenate([X ** 2, X.mean(axis=1, keepdims=True)], axis=1),
                               rtol=1e-6)


def test_k_function_gives_an_intermediate_output():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(2, name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    get_hidden = K.function([model.input], [model.get_layer("hidden").output])
    (values,) = get_hidden([X])
    np.testing.assert_allclose(values, model.get_layer("hidden")(X).numpy(), rtol=1e-6)
