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


def test_the_other_backend_helpers():
    assert K.backend() == "tensorflow" and K.is_tensor(K.constant(1.0)) and not K.is_tensor(1.0)
    K.set_learning_phase(1)
    with pytest.raises(ValueError):
        K.set_learning_phase(2)
    v, w = K.variable([1.0, 2.0]), K.variable(0.0)
    K.batch_set_value([(v, [3.0, 4.0]), (w, 5.0)])
    assert [np.asarray(a).tolist() for a in K.batch_get_value([v, w])] == [[3.0, 4.0], 5.0]
    keras.utils.set_random_seed(0)
    u = K.get_value(K.random_uniform((1000,), 2.0, 3.0))
    assert u.min() >= 2.0 and u.max() < 3.0 and u.dtype == np.float32
    t = K.get_value(K.truncated_normal((1000,), stddev=1.0))
    assert np.abs(t).max() <= 2.0
    b = K.get_value(K.random_bernoulli((1000,), p=0.3))
    assert set(np.unique(b)) <= {0.0, 1.0} and 0.2 < b.mean() < 0.4
    assert K.int_shape(K.random_normal_variable((2, 3), 0.0, 1.0)) == (2, 3)
    assert K.int_shape(K.random_uniform_variable((4,), 0.0, 1.0)) == (4,)
    np.testing.assert_array_equal(K.zeros_like(X), np.zeros_like(X))
    np.testing.assert_array_equal(K.gather(K.constant(X), [1, 0]), X[[1, 0]])
    np.testing.assert_array_equal(K.reverse(K.constant(X), 1), X[:, ::-1])
    np.testing.assert_allclose(K.bias_add(K.constant(X), K.constant([1.0, 2.0, 3.0])), X + [1.0, 2.0, 3.0])
    assert K.in_train_phase(lambda: 1, lambda: 2, training=True) == 1
    assert K.in_test_phase(1, 2, training=True) == 2
    np.testing.assert_array_equal(K.dropout(K.constant(X), 0.0), X)
    np.testing.assert_array_equal(K.print_tensor(K.constant(X), "x:"), X)
    with tf.GradientTape() as tape:
        x = K.variable(2.0)
        y = K.stop_gradient(x * x) + x
    assert float(tape.gradient(y, x)) == 1.0
