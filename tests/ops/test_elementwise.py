"""The rest of tf.math's element-wise ops (chainrule/ops/elementwise.py): values against numpy/scipy,
TensorFlow's gradient conventions, and float64 gradient checks through the tape over hypothesis shapes.

Reference values marked "TF" were printed by tensorflow-cpu 2.21.
"""
import math

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import chainrule as tf
from chainrule import ops
from chainrule.ops import elementwise
from chainrule.testing import check_gradients

TOL = 1e-6
SEEDS = st.integers(0, 2 ** 16)
SHAPES = array_shapes(min_dims=0, max_dims=3, max_side=4)


def assert_grads(fn, *inputs, tol=TOL):
    report = check_gradients(fn, *inputs)
    assert report.max_error < tol, str(report)


# (function, numpy reference, sampler of a valid domain away from singularities)
def _uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, size=shape)


def _signed(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


UNARY = [
    (tf.math.sin, np.sin, _uniform(-3, 3)),
    (tf.math.cos, np.cos, _uniform(-3, 3)),
    (tf.math.tan, np.tan, _uniform(-1.2, 1.2)),
    (tf.math.asin, np.arcsin, _uniform(-0.9, 0.9)),
    (tf.math.acos, np.arccos, _uniform(-0.9, 0.9)),
    (tf.math.atan, np.arctan, _uniform(-3, 3)),
    (tf.math.sinh, np.sinh, _uniform(-3, 3)),
    (tf.math.cosh, np.cosh, _uniform(-3, 3)),
    (tf.math.asinh, np.arcsinh, _uniform(-3, 3)),
    (tf.math.acosh, np.arccosh, _uniform(1.2, 4)),
    (tf.math.atanh, np.arctanh, _uniform(-0.9, 0.9)),
    (tf.math.log1p, np.log1p, _uniform(-0.5, 3)),
    (tf.math.expm1, np.expm1, _uniform(-3, 3)),
    (tf.math.reciprocal, np.reciprocal, _signed(0.5, 2)),
    (tf.math.rsqrt, lambda x: 1 / np.sqrt(x), _uniform(0.5, 3)),
    (tf.math.softplus, lambda x: np.log1p(np.exp(x)), _uniform(-5, 5)),
    (tf.math.softsign, lambda x: x / (1 + np.abs(x)), _signed(0.2, 3)),
    (tf.math.log_sigmoid, lambda x: -np.log1p(np.exp(-x)), _uniform(-5, 5)),
    (tf.math.erf, scipy.special.erf, _uniform(-2, 2)),
    (tf.math.erfc, scipy.special.erfc, _uniform(-2, 2)),
    (tf.math.lgamma, scipy.special.gammaln, _uniform(0.3, 6)),
    (tf.math.digamma, scipy.special.digamma, _uniform(0.3, 6)),
]
IDS = [f.__name__ for f, _, _ in UNARY]


@pytest.mark.parametrize("fn, ref, sample", UNARY, ids=IDS)
def test_unary_values_match_numpy_in_float32_and_float64(fn, ref, sample):
    x = sample(np.random.default_rng(0), (3, 4))
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 2e-6)):
        got = fn(tf.constant(x.astype(dtype)))
        assert got.dtype == tf.as_dtype(dtype) and got.shape == (3, 4)
        np.testing.assert_allclose(got.numpy(), ref(x).astype(dtype), rtol=rtol,
                                   atol=1e-6 if dtype == np.float32 else 1e-13)


@pytest.mark.parametrize("fn, ref, sample", UNARY, ids=IDS)
@settings(max_examples=8, deadline=None)
@given(shape=SHAPES, seed=SEEDS)
def test_unary_gradients_match_central_differences(fn, ref, sample, shape, seed):
    assert_grads(fn, sample(np.random.default_rng(seed), shape))


@pytest.mark.parametrize("fn", [tf.math.sin, tf.math.erf, tf.math.floor, tf.math.lgamma, tf.math.is_nan])
def test_float_only_functions_refuse_integers_as_tensorflow(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="floating-point"):
        fn(tf.constant([1, 2]))


def test_digamma_and_trigamma_helpers_match_scipy_including_negative_arguments():
    x = np.concatenate([np.linspace(-4.7, -0.3, 23), np.linspace(0.05, 30, 50)])
    np.testing.assert_allclose(elementwise.digamma(x), scipy.special.digamma(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(elementwise.trigamma(x), scipy.special.polygamma(1, x), rtol=1e-11)
    assert np.isnan(elementwise.digamma(np.array([0.0, -2.0]))).all()


def test_softplus_and_log_sigmoid_stay_finite_at_extremes():
    x = tf.constant([-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(tf.math.softplus(x).numpy(), [0.0, math.log(2), 1000.0])
    np.testing.assert_allclose(tf.math.log_sigmoid(x).numpy(), [-1000.0, -math.log(2), 0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.log_sigmoid(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.0, 0.5, 0.0])


def test_round_is_bankers_rounding_and_ints_pass_through():
    x = tf.constant([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.0])
    np.testing.assert_array_equal(tf.round(x).numpy(), [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 0.0])  # TF
    r = tf.round(tf.constant([1, 2]))
    assert r.dtype == tf.int32 and r.numpy().tolist() == [1, 2]
    assert tf.math.rint is tf.math.round


def test_rounding_gradients_follow_tensorflow_none_for_floor_ceil_round_zeros_for_sign():
    x = tf.constant([-1.5, 0.3, 2.0])
    for fn, expected in ((tf.floor, None), (tf.math.ceil, None), (tf.round, None), (tf.sign, [0.0, 0.0, 0.0])):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        g = tape.gradient(y, x)
        assert (g is None) if expected is None else g.numpy().tolist() == expected, fn.__name__
    assert tf.sign(tf.constant([-3, 0, 2])).numpy().tolist() == [-1, 0, 1]


BINARY = [
    (tf.math.atan2, np.arctan2, _signed(0.5, 2), _signed(0.5, 2)),
    (tf.math.squared_difference, lambda x, y: (x - y) ** 2, _signed(0.5, 2), _signed(0.5, 2)),
    (tf.math.divide_no_nan, np.divide, _signed(0.5, 2), _signed(0.5, 2)),
    (tf.math.multiply_no_nan, np.multiply, _signed(0.5, 2), _signed(0.5, 2)),
    (tf.math.xlogy, lambda x, y: x * np.log(y), _signed(0.5, 2), _uniform(0.5, 2)),
]


@pytest.mark.parametrize("fn, ref, sx, sy", BINARY, ids=[b[0].__name__ for b in BINARY])
@settings(max_examples=10, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3), seed=SEEDS)
def test_binary_values_and_gradients_with_broadcasting(fn, ref, sx, sy, shapes, seed):
    rng = np.random.default_rng(seed)
    x, y = sx(rng, shapes.input_shapes[0]), sy(rng, shapes.input_shapes[1])
    np.testing.assert_allclose(fn(tf.constant(x), tf.constant(y)).numpy(), ref(x, y), rtol=1e-12)
    assert_grads(fn, x, y)


def test_no_nan_functions_at_zero_match_tensorflow():
    # TF: divide_no_nan([1, 2], [0, 4]) = [0, 0.5]; multiply_no_nan([inf, 2], [0, 3]) = [0, 6];
    # xlogy([0, 2], [0, 3]) = [0, 2.1972246]; reciprocal_no_nan([0, 2]) = [0, 0.5]
    np.testing.assert_allclose(tf.math.divide_no_nan(tf.constant([1., 2.]), tf.constant([0., 4.])).numpy(), [0, .5])
    np.testing.assert_allclose(tf.math.multiply_no_nan(tf.constant([np.inf, 2.]), tf.constant([0., 3.])).numpy(),
                               [0, 6])
    np.testing.assert_allclose(tf.math.xlogy(tf.constant([0., 2.]), tf.constant([0., 3.])).numpy(),
                               [0, 2.1972246], rtol=1e-6)
    np.testing.assert_allclose(tf.math.reciprocal_no_nan(tf.constant([0., 2.])).numpy(), [0, 0.5])
    x, y = tf.constant([1.0, 2.0]), tf.constant([0.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.math.divide_no_nan(x, y)
    dx, dy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(dx.numpy(), [0.0, 0.25])
    np.testing.assert_allclose(dy.numpy(), [0.0, -2.0 / 16])
    assert tf.math.squared_difference(tf.constant([1, 5]), tf.constant([3, 1])).numpy().tolist() == [4, 16]


def test_by_hand_forward_backward_like_the_seed_layers():
    sin = ops.Sin()
    np.testing.assert_allclose(sin.forward(np.array([0.0, np.pi / 2])), [0.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(sin.backward(np.array([2.0, 2.0])), [2.0, 0.0], atol=1e-15)
    atan2 = ops.Atan2()
    np.testing.assert_allclose(atan2.forward(np.array([1.0]), np.array([-1.0])), [3 * np.pi / 4])
    dy, dx = atan2.backward(np.array([1.0]))
    np.testing.assert_allclose([dy[0], dx[0]], [-0.5, -0.5])
