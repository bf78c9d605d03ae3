"""Reductions (chainrule/ops/reduction.py): Sum, Mean, Max, Min, Prod over axes, with keepdims."""
import numpy as np
import pytest

import chainrule
from chainrule import ops
from chainrule.testing import check_gradients

TOL = 1e-6
X234 = np.arange(24, dtype=np.float64).reshape(2, 3, 4)

AXES = [None, 0, 1, -1, (0, 2), [1, 2], (0, 1, 2)]


def distinct(rng, shape):
    """Values with no ties and no zeros (Max/Min/Prod are smooth there)."""
    n = int(np.prod(shape))
    v = rng.permutation(n).astype(np.float64) / n + 0.5
    return (v * rng.choice([-1.0, 1.0], size=n)).reshape(shape)


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)


# ----------------------------------------------------------------------------- values

@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("fn, ref", [
    (chainrule.reduce_sum, np.sum), (chainrule.reduce_mean, np.mean), (chainrule.reduce_max, np.max),
    (chainrule.reduce_min, np.min), (chainrule.reduce_prod, np.prod),
])
def test_reduction_values_and_shapes_match_numpy(fn, ref, axis, keepdims):
    x = X234 / 10.0 + 0.5
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = ref(x, axis=np_axis, keepdims=keepdims)
    got = fn(chainrule.constant(x), axis=axis, keepdims=keepdims)
    assert got.shape == expected.shape
    assert got.dtype == chainrule.float64
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


def test_reduce_sum_of_int32_values():
    s = chainrule.reduce_sum(chainrule.constant([[1, 2], [3, 4]]), axis=0)
    np.testing.assert_array_equal(s.numpy(), [4, 6])
    assert chainrule.reduce_prod(chainrule.constant([2, 3, 4])).numpy() == 24


def test_reduce_max_and_mean_of_int32_stay_int32():
    assert chainrule.reduce_max(chainrule.constant([1, 5, 2])).dtype == chainrule.int32
    assert chainrule.reduce_min(chainrule.constant([1, 5, 2])).dtype == chainrule.int32
    assert chainrule.reduce_mean(chainrule.constant([1, 5, 2])).dtype == chainrule.int32


@pytest.mark.parametrize("fn", [chainrule.reduce_sum, chainrule.reduce_prod], ids=["sum", "prod"])
def test_reduce_sum_and_prod_of_int32_stay_int32(fn):
    assert fn(chainrule.constant([[1, 2], [3, 4]]), axis=0).dtype == chainrule.int32


def test_reduce_mean_of_int32_is_an_integer_mean_like_tensorflow():
    m = chainrule.reduce_mean(chainrule.constant([1, 2]))
    assert m.dtype == chainrule.int32
    assert m.numpy() == 1


def test_reduce_mean_of_negative_int32_truncates_toward_zero_like_tensorflow():
    assert chainrule.reduce_mean(chainrule.constant([-1, -2])).numpy() == -1


def test_reduce_with_a_tensor_axis():
    got = chainrule.reduce_sum(chainrule.constant(X234), axis=chainrule.constant([0, 2]))
    np.testing.assert_array_equal(got.numpy(), X234.sum(axis=(0, 2)))


# ----------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("fn", [chainrule.reduce_sum, chainrule.reduce_mean, chainrule.reduce_max,
                                chainrule.reduce_min, chainrule.reduce_prod],
                         ids=["sum", "mean", "max", "min", "prod"])
def test_reduction_gradients(fn, axis, keepdims, rng):
    assert_grads(lambda a: fn(a, axis=axis, keepdims=keepdims), distinct(rng, (2, 3, 4)))


def test_sum_and_mean_gradients_by_hand():
    x = chainrule.constant(X234)
    with chainrule.GradientTape(persistent=True) as tape:
        tape.watch(x)
        s = chainrule.reduce_sum(x, axis=1)
        m = chainrule.reduce_mean(x, axis=(0, 2))
    np.testing.assert_array_equal(tape.gradient(s, x).numpy(), np.ones((2, 3, 4)))
    np.testing.assert_allclose(tape.gradient(m, x).numpy(), np.full((2, 3, 4), 1 / 8))
    seed = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(tape.gradient(m, x, output_gradients=seed).numpy(),
                               np.broadcast_to(seed[None, :, None] / 8, (2, 3, 4)))


def test_max_gradient_is_shared_evenly_among_ties():
    x = chainrule.constant([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0]])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.reduce_max(x, axis=1)
    np.testing.assert_array_equal(y.numpy(), [3.0, 5.0])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [[0, 0.5, 0.5, 0], [0.25, 0.25, 0.25, 0.25]])


def test_min_gradient_goes_to_the_minimum_only():
    x = chainrule.constant([[4.0, -1.0, 2.0]])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.reduce_min(x)
    assert float(y) == -1.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [[0.0, 1.0, 0.0]])


@pytest.mark.parametrize("x, axis, expected", [
    ([2.0, 0.0, 3.0], None, [0.0, 6.0, 0.0]),               # one zero: only it gets a gradient
    ([0.0, 0.0, 3.0], None, [0.0, 0.0, 0.0]),               # two zeros: everything is zero
    ([[0.0, 0.0, 3.0], [1.0, 2.0, 3.0]], 1, [[0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]),
    ([[2.0, 4.0], [0.5, 0.0]], 0, [[0.5, 0.0], [2.0, 4.0]]),
])
def test_prod_gradient_is_exact_with_zeros(x, axis, expected):
    t = chainrule.constant(x)
    with chainrule.GradientTape() as tape:
        tape.watch(t)
        y = chainrule.reduce_prod(t, axis=axis)
    np.testing.assert_array_equal(tape.gradient(y, t).numpy(), expected)


def test_reduction_ops_by_hand():
    s = ops.Sum(axis=0)
    np.testing.assert_array_equal(s.forward(np.array([[1.0, 2.0], [3.0, 4.0]])), [4.0, 6.0])
    np.testing.assert_array_equal(s.backward(np.array([1.0, 2.0])), [[1.0, 2.0], [1.0, 2.0]])
    m = ops.Mean(axis=1, keepdims=True)
    np.testing.assert_array_equal(m.forward(np.array([[1.0, 3.0], [5.0, 7.0]])), [[2.0], [6.0]])
    np.testing.assert_array_equal(m.backward(np.array([[2.0], [4.0]])), [[1.0, 1.0], [2.0, 2.0]])
    p = ops.Prod(axis=-1)
    np.testing.assert_array_equal(p.forward(np.array([[2.0, 3.0, 4.0]])), [24.0])
    np.testing.assert_array_equal(p.backward(np.array([1.0])), [[12.0, 8.0, 6.0]])
