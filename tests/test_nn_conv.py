"""tf.nn's functional convolutions and pooling against TensorFlow 2.21, their gradients and their errors.

Values: ``fixtures/tf_nn_image.json`` (see ``fixtures/README.md``). Gradients: float64 central
differences (``chainrule.testing.check_gradients``); every gradient is an op's backward.
"""
import numpy as np
import pytest

import chainrule as tf
from chainrule.errors import InvalidArgumentError
from chainrule.testing import check_gradients

from tf_fixture_cases import cases, check_case


@pytest.mark.parametrize("case", cases("nn"), ids=lambda c: c["name"])
def test_matches_tensorflow(case):
    check_case(case)


def test_numpy_filter_takes_the_input_dtype():
    # Hands-On ML ch. 14: float64 images (load_sample_image / 255) with a float32 filter array.
    images = np.ones((1, 5, 5, 3))
    filters = np.ones((3, 3, 3, 1), dtype=np.float32)
    out = tf.nn.conv2d(images, filters, strides=1, padding="SAME")
    assert out.dtype == tf.float64 and out.shape == (1, 5, 5, 1)
    assert float(out[0, 2, 2, 0]) == 27.0


def test_nchw_matches_nhwc(rng):
    x = rng.standard_normal((2, 6, 5, 3)).astype("float32")
    w = rng.standard_normal((3, 3, 3, 4)).astype("float32")
    nhwc = tf.nn.conv2d(x, w, 2, "SAME").numpy()
    nchw = tf.nn.conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 2, 2], "SAME", data_format="NCHW").numpy()
    np.testing.assert_allclose(nchw.transpose(0, 2, 3, 1), nhwc, rtol=1e-5, atol=1e-5)
    pooled = tf.nn.max_pool(x.transpose(0, 3, 1, 2), 2, 2, "VALID", data_format="NCHW").numpy()
    np.testing.assert_array_equal(pooled.transpose(0, 2, 3, 1), tf.nn.max_pool2d(x, 2, 2, "VALID").numpy())


@pytest.mark.parametrize("fn", [
    lambda x, w: tf.nn.conv2d(x, w, 2, "SAME"),
    lambda x, w: tf.nn.conv2d(x, w, 1, [[0, 0], [1, 0], [2, 1], [0, 0]], dilations=[1, 2]),
    lambda x, w: tf.nn.conv2d_transpose(x[:, :, :, :2], w[:, :, :, :2], [2, 10, 8, 3], 2),
    lambda x, w: tf.nn.depthwise_conv2d(x, tf.reshape(w[..., 0, :], (3, 3, 3, 1)), [1, 2, 1, 1], "VALID"),
    lambda x, w: tf.nn.max_pool(x * w[0, 0, 0, 0], 3, 2, "SAME"),
    lambda x, w: tf.nn.avg_pool(x * w[0, 0, 0, 0], [1, 2, 3, 1], [1, 1, 2, 1], "SAME"),
    lambda x, w: tf.nn.max_pool(x * w[0, 0, 0, 0], (1, 1, 1, 3), (1, 1, 1, 3), "VALID"),
], ids=["conv2d", "conv2d_explicit", "conv2d_transpose", "depthwise", "max_pool", "avg_pool", "depth_pool"])
def test_gradients(fn, rng):
    x = rng.standard_normal((2, 5, 4, 3))
    w = rng.standard_normal((3, 3, 3, 3))
    check_gradients(fn, x, w, tol=1e-6)


def test_conv1d_and_separable_gradients(rng):
    check_gradients(lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"), rng.standard_normal((2, 7, 3)),
                    rng.standard_normal((3, 3, 2)), tol=1e-6)
    check_gradients(lambda x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "SAME"),
                    rng.standard_normal((1, 4, 4, 2)), rng.standard_normal((2, 2, 2, 2)),
                    rng.standard_normal((1, 1, 4, 3)), tol=1e-6)


def test_errors():
    x = np.zeros((1, 5, 5, 3), "float32")
    w = np.zeros((3, 3, 3, 2), "float32")
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv2d(x, w, 1, "FULL")
    with pytest.raises(ValueError, match="strides"):
        tf.nn.conv2d(x, w, [1, 1, 1], "SAME")
    with pytest.raises(InvalidArgumentError, match="batch and channel"):
        tf.nn.conv2d(x, w, [2, 1, 1, 1], "SAME")
    with pytest.raises(InvalidArgumentError, match="depth"):
        tf.nn.conv2d(x, np.zeros((3, 3, 2, 2), "float32"), 1, "SAME")
    with pytest.raises(ValueError, match="4-D"):
        tf.nn.conv2d(x[0], w, 1, "SAME")
    with pytest.raises(InvalidArgumentError, match="cast"):
        tf.nn.conv2d(tf.constant(x), tf.constant(w, dtype=tf.float64), 1, "SAME")
    with pytest.raises(InvalidArgumentError):
        tf.nn.conv2d_transpose(x, np.zeros((3, 3, 2, 3), "float32"), [1, 4, 10, 2], 2)
    with pytest.raises(InvalidArgumentError, match="depth"):
        tf.nn.max_pool(x, (1, 2, 2, 3), (1, 1, 1, 3), "VALID")
    with pytest.raises(InvalidArgumentError, match="dividing the depth"):
        tf.nn.max_pool(x, (1, 1, 1, 2), (1, 1, 1, 2), "VALID")
    with pytest.raises(ValueError, match="pooling_type"):
        tf.nn.pool(x, [2, 2], "MIN")
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.max_pool2d(x, 2, 2, "VALID", data_format="NWC")


@pytest.mark.parametrize("fn", [
    lambda x: tf.nn.space_to_depth(x, 2),
    lambda x: tf.nn.depth_to_space(tf.concat([x] * 4, axis=-1), 2),
    lambda x: tf.nn.local_response_normalization(x, depth_radius=1, bias=0.5, alpha=0.3, beta=0.75),
    lambda x: tf.nn.atrous_conv2d(x, tf.ones((2, 2, 3, 2), dtype=tf.float64) * x[0, 0, 0, 0], 2, "SAME"),
], ids=["space_to_depth", "depth_to_space", "lrn", "atrous"])
def test_more_gradients(fn, rng):
    check_gradients(fn, rng.standard_normal((2, 4, 6, 3)), tol=1e-6)


def test_space_to_depth_round_trip_and_errors(rng):
    x = rng.standard_normal((2, 4, 6, 3)).astype("float32")
    np.testing.assert_array_equal(tf.nn.depth_to_space(tf.nn.space_to_depth(x, 2), 2).numpy(), x)
    with pytest.raises(InvalidArgumentError, match="divisible"):
        tf.nn.space_to_depth(x, 3)
    with pytest.raises(InvalidArgumentError, match="at least minimum 2"):
        tf.nn.depth_to_space(x, 1)
    with pytest.raises(ValueError, match="NHWC"):
        tf.nn.space_to_depth(x, 2, data_format="NCHW")
    with pytest.raises(InvalidArgumentError, match="4-D float"):
        tf.nn.lrn(x[0])
    with pytest.raises(ValueError, match="rate"):
        tf.nn.atrous_conv2d(x, np.ones((2, 2, 3, 1), "float32"), 0, "SAME")
