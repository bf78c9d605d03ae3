"""More of tf.nn: values printed by tensorflow-cpu 2.21 for x = [-2, -0.5, 0, 0.5, 7], and gradient checks."""
import numpy as np
import pytest

import chainrule as tf
from chainrule.testing import check_gradients

X = tf.constant([-2.0, -0.5, 0.0, 0.5, 7.0])
TF_VALUES = {
    "softplus": [0.126928, 0.474077, 0.6931472, 0.974077, 7.0009117],
    "softsign": [-0.6666667, -0.33333334, 0.0, 0.33333334, 0.875],
    "relu6": [0.0, 0.0, 0.0, 0.5, 6.0],
    "selu": [-1.5201665, -0.69175816, 0.0, 0.5253505, 7.354907],
    "silu": [-0.23840584, -0.18877034, 0.0, 0.31122968, 6.993623],
    "swish": [-0.23840584, -0.18877034, 0.0, 0.31122968, 6.993623],
    "gelu": [-0.04550026, -0.15426877, 0.0, 0.34573123, 7.0],
}


@pytest.mark.parametrize("name", sorted(TF_VALUES))
def test_activation_values_match_tensorflow(name):
    np.testing.assert_allclose(getattr(tf.nn, name)(X).numpy(), TF_VALUES[name], rtol=1e-6, atol=1e-7)


def test_other_nn_functions_match_tensorflow():
    np.testing.assert_allclose(tf.nn.gelu(X, approximate=True).numpy(),
                               [-0.04540223, -0.154286, 0.0, 0.345714, 7.0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.constant([[3., 4.]]), axis=1).numpy(), [[0.6, 0.8]])
    assert float(tf.nn.l2_loss(tf.constant([1., 2.]))) == 2.5
    mean, var = tf.nn.moments(tf.constant([[1., 2.], [3., 5.]]), axes=[0])
    assert mean.numpy().tolist() == [2.0, 3.5] and var.numpy().tolist() == [1.0, 2.25]
    assert tf.nn.bias_add(tf.zeros([2, 3]), tf.constant([1., 2., 3.])).numpy().tolist() == [[1, 2, 3]] * 2
    out = tf.nn.batch_normalization(tf.constant([1., 3.]), 2.0, 1.0, 0.5, 2.0, 0.0)
    assert out.numpy().tolist() == [-1.5, 2.5]


@pytest.mark.parametrize("fn", [tf.nn.softplus, tf.nn.softsign, tf.nn.selu, tf.nn.silu, tf.nn.gelu,
                                lambda x: tf.nn.gelu(x, approximate=True), tf.nn.relu6, tf.nn.l2_loss,
                                lambda x: tf.nn.moments(x, axes=[0])[1]])
def test_gradients(fn):
    x = np.array([-2.1, -0.45, 0.3, 0.55, 5.2])
    report = check_gradients(fn, x)
    assert report.max_error < 1e-6, str(report)
