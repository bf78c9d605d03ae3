"""TensorFlow-named wrappers (chainrule/functions.py): values, dtypes, shapes and conversions.

Their gradients are checked per op in tests/ops/; here each wrapper is pinned
against the numbers TensorFlow gives.
"""
import numpy as np
import pytest

import chainrule
from chainrule.errors import InvalidArgumentError


def test_add_subtract_multiply_on_int32_like_the_seed():
    a, b = chainrule.constant(2), chainrule.constant(3)
    for fn, expected in [(chainrule.add, 5), (chainrule.subtract, -1), (chainrule.multiply, 6)]:
        r = fn(a, b)
        assert r.dtype == chainrule.int32 and r.numpy() == expected
    assert chainrule.add(2, 3).dtype == chainrule.int32
    assert chainrule.add(2.0, 3).dtype == chainrule.float32


def test_divide_truediv_floordiv_floormod():
    assert chainrule.divide(7, 2).numpy() == 3.5
    assert chainrule.truediv(7, 2).dtype == chainrule.float64
    assert chainrule.floordiv(-7, 2).numpy() == -4
    assert chainrule.math.floormod(-7, 3).numpy() == 2


def test_math_namespace_exposes_the_same_functions():
    assert chainrule.math.reduce_mean is chainrule.reduce_mean
    assert chainrule.math.log is chainrule.log
    assert chainrule.math.softmax is chainrule.nn.softmax
    np.testing.assert_allclose(chainrule.math.rsqrt(chainrule.constant([4.0, 16.0])).numpy(), [0.5, 0.25])


def test_unary_math_values():
    x = chainrule.constant([1.0, 4.0])
    np.testing.assert_allclose(chainrule.sqrt(x).numpy(), [1.0, 2.0])
    np.testing.assert_allclose(chainrule.exp(chainrule.constant([0.0])).numpy(), [1.0])
    np.testing.assert_allclose(chainrule.log(x).numpy(), [0.0, np.log(4.0)], rtol=1e-6)
    np.testing.assert_array_equal(chainrule.negative(chainrule.constant([1, -2])).numpy(), [-1, 2])
    np.testing.assert_array_equal(chainrule.square(chainrule.constant([3])).numpy(), [9])
    assert chainrule.square(chainrule.constant([3])).dtype == chainrule.int32
    np.testing.assert_array_equal(chainrule.pow(chainrule.constant([2, 3]), 2).numpy(), [4, 9])


def test_float_only_functions_reject_integers():
    with pytest.raises(InvalidArgumentError, match="Sqrt.*int32"):
        chainrule.sqrt(chainrule.constant([4]))
    with pytest.raises(InvalidArgumentError, match="Exp"):
        chainrule.exp(chainrule.constant([1]))


def test_seed_logistic_regression_helpers():
    pred = chainrule.constant([[0.7, 0.2, 0.1], [0.0, 0.5, 0.5]])
    clipped = chainrule.clip_by_value(pred, 1e-9, 1.0)
    assert clipped.numpy()[1, 0] == np.float32(1e-9)
    true_y = chainrule.one_hot([0, 2], depth=3)
    assert true_y.dtype == chainrule.float32
    np.testing.assert_array_equal(true_y.numpy(), [[1, 0, 0], [0, 0, 1]])
    ce = chainrule.reduce_mean(-chainrule.reduce_sum(true_y * chainrule.math.log(clipped), 1))
    assert float(ce) == pytest.approx((-np.log(0.7) - np.log(0.5)) / 2, rel=1e-6)
    correct = chainrule.equal(chainrule.argmax(pred, 1), chainrule.cast(chainrule.constant([0, 2]), chainrule.int64))
    np.testing.assert_array_equal(correct.numpy(), [True, False])
    assert float(chainrule.reduce_mean(chainrule.cast(correct, chainrule.float32))) == 0.5


def test_one_hot_options():
    oh = chainrule.one_hot(chainrule.constant([1, 5, -1]), depth=3, on_value=2.0, off_value=-1.0)
    np.testing.assert_array_equal(oh.numpy(), [[-1, 2, -1], [-1, -1, -1], [-1, -1, -1]])
    assert chainrule.one_hot([0, 1], 2, axis=0).shape == (2, 2)
    assert chainrule.one_hot([[0, 1]], 4).shape == (1, 2, 4)
    assert chainrule.one_hot([0], 2, dtype=chainrule.int32).dtype == chainrule.int32


def test_argmax_argmin_default_axis_and_dtype():
    x = chainrule.constant([[1, 9, 3], [7, 2, 8]])
    am = chainrule.argmax(x)
    assert am.dtype == chainrule.int64
    np.testing.assert_array_equal(am.numpy(), [1, 0, 1])
    np.testing.assert_array_equal(chainrule.argmax(x, 1).numpy(), [1, 2])
    np.testing.assert_array_equal(chainrule.argmin(x, axis=1).numpy(), [0, 1])


def test_comparison_and_logical_functions():
    a = chainrule.constant([1, 2, 3])
    np.testing.assert_array_equal(chainrule.greater(a, 2).numpy(), [False, False, True])
    np.testing.assert_array_equal(chainrule.less_equal(a, 2).numpy(), [True, True, False])
    np.testing.assert_array_equal(chainrule.not_equal(a, 2).numpy(), [True, False, True])
    np.testing.assert_array_equal(chainrule.greater_equal(a, 2).numpy(), [False, True, True])
    np.testing.assert_array_equal(chainrule.less(a, 2).numpy(), [True, False, False])
    t, f = chainrule.constant([True, True]), chainrule.constant([True, False])
    np.testing.assert_array_equal(chainrule.logical_and(t, f).numpy(), [True, False])
    np.testing.assert_array_equal(chainrule.logical_or(f, f).numpy(), [True, False])
    np.testing.assert_array_equal(chainrule.logical_not(f).numpy(), [False, True])
    assert bool(chainrule.reduce_all(t)) and not bool(chainrule.reduce_all(f))
    np.testing.assert_array_equal(chainrule.reduce_any(chainrule.constant([[False, True], [False, False]]),
                                                       axis=1).numpy(), [True, False])


def test_where_with_one_argument_gives_coordinates():
    idx = chainrule.where(chainrule.constant([[True, False], [False, True]]))
    assert idx.dtype == chainrule.int64
    np.testing.assert_array_equal(idx.numpy(), [[0, 0], [1, 1]])
    with pytest.raises(ValueError):
        chainrule.where(chainrule.constant([True]), x=chainrule.constant([1.0]))


def test_where_with_three_arguments_broadcasts():
    r = chainrule.where(chainrule.constant([True, False]), chainrule.constant([[1.0, 2.0]]), 0.0)
    assert r.shape == (1, 2)
    np.testing.assert_array_equal(r.numpy(), [[1.0, 0.0]])


def test_shape_functions():
    x = chainrule.zeros((2, 3, 1))
    assert x.dtype == chainrule.float32
    assert chainrule.shape(x).numpy().tolist() == [2, 3, 1] and chainrule.shape(x).dtype == chainrule.int32
    assert chainrule.size(x).numpy() == 6
    assert chainrule.squeeze(x).shape == (2, 3)
    assert chainrule.squeeze(chainrule.zeros((1, 2, 1)), axis=0).shape == (2, 1)
    with pytest.raises(InvalidArgumentError, match="size 3"):
        chainrule.squeeze(x, axis=1)
    assert chainrule.expand_dims(x, 0).shape == (1, 2, 3, 1)
    assert chainrule.expand_dims(x, -1).shape == (2, 3, 1, 1)
    assert chainrule.reshape(x, [-1]).shape == (6,)
    assert chainrule.reshape(x, chainrule.constant([3, 2])).shape == (3, 2)
    assert chainrule.transpose(chainrule.zeros((2, 3, 4)), perm=[1, 0, 2]).shape == (3, 2, 4)


def test_concat_and_stack_values():
    a = chainrule.constant([[1, 2]])
    b = chainrule.constant([[3, 4]])
    np.testing.assert_array_equal(chainrule.concat([a, b], 0).numpy(), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(chainrule.concat([a, b], axis=-1).numpy(), [[1, 2, 3, 4]])
    np.testing.assert_array_equal(chainrule.stack([a, b]).numpy(), [[[1, 2]], [[3, 4]]])
    np.testing.assert_array_equal(chainrule.stack([[1.0, 2.0], chainrule.constant([3.0, 4.0])], axis=1).numpy(),
                                  [[1.0, 3.0], [2.0, 4.0]])
    with pytest.raises(ValueError, match="non-empty"):
        chainrule.concat([], 0)


def test_constructors():
    assert chainrule.ones((2,), dtype=chainrule.int32).numpy().tolist() == [1, 1]
    assert chainrule.zeros(3).shape == (3,)
    z = chainrule.zeros_like(chainrule.constant([[1, 2]]))
    assert z.dtype == chainrule.int32 and z.shape == (1, 2)
    o = chainrule.ones_like(chainrule.constant([1.0]), dtype=chainrule.float64)
    assert o.dtype == chainrule.float64
    f = chainrule.fill([2, 2], 9)
    assert f.dtype == chainrule.int32 and f.numpy().tolist() == [[9, 9], [9, 9]]
    assert chainrule.fill((1,), 0.5).dtype == chainrule.float32


def test_broadcast_to_and_identity_values():
    np.testing.assert_array_equal(chainrule.broadcast_to([1, 2], (2, 2)).numpy(), [[1, 2], [1, 2]])
    x = chainrule.constant([1.0])
    i = chainrule.identity(x)
    assert i is not x and i.numpy().tolist() == [1.0]


def test_cast_rules():
    t = chainrule.constant([1.5])
    assert chainrule.cast(t, chainrule.float32) is t      # no-op for a same-dtype Tensor
    assert chainrule.cast(t, "float64").dtype == chainrule.float64
    with pytest.raises(chainrule.errors.UnimplementedError, match="string"):  # as TensorFlow
        chainrule.cast(chainrule.constant(["a"]), chainrule.float32)


def test_dtype_objects():
    assert chainrule.float32 == "float32" and chainrule.float32 == np.float32
    assert chainrule.as_dtype(np.float64) is chainrule.float64
    assert chainrule.double is chainrule.float64
    assert np.zeros(2, dtype=chainrule.float32).dtype == np.float32
    assert chainrule.float32.is_floating and chainrule.int32.is_integer
    with pytest.raises(TypeError):
        chainrule.as_dtype("not-a-dtype")
