"""tf.debugging asserts: TensorFlow's error types and messages (printed by tensorflow-cpu 2.21), checked again
on every call of a traced function."""
import numpy as np
import pytest

import chainrule as tf

IAE = tf.errors.InvalidArgumentError
X = tf.constant([1., 2., 3.])


@pytest.mark.parametrize("fn, error, message", [
    (lambda: tf.debugging.assert_equal(X, tf.constant([1., 2., 4.])), IAE,
     "Condition x == y did not hold.\nIndices of first 1 different values:\n[[2]]\nCorresponding x values:\n[3.]\n"
     "Corresponding y values:\n[4.]\nFirst 3 elements of x:\n[1. 2. 3.]\nFirst 3 elements of y:\n[1. 2. 4.]"),
    (lambda: tf.debugging.assert_equal(X, tf.constant([1., 2., 4.]), message="custom"), IAE,
     "custom\nCondition x == y did not hold."),
    (lambda: tf.debugging.assert_equal(X, tf.constant([1., 2.])), IAE, "Incompatible shapes: [3] vs. [2] [Op:Equal]"),
    (lambda: tf.debugging.assert_less(tf.constant([1., 5.]), tf.constant([2., 3.])), IAE,
     "Condition x < y did not hold.\nIndices of first 1 different values:\n[[1]]"),
    (lambda: tf.debugging.assert_greater(tf.constant([1., 5.]), 2.), IAE,
     "Condition x > y did not hold.\nFirst 2 elements of x:\n[1. 5.]\nFirst 1 elements of y:\n[2.]"),
    (lambda: tf.assert_equal(1, 2), IAE,
     "Condition x == y did not hold.\nFirst 1 elements of x:\n[1]\nFirst 1 elements of y:\n[2]"),
    (lambda: tf.debugging.assert_none_equal(X, tf.constant([0., 2., 0.])), IAE, "Condition x != y did not hold."),
    (lambda: tf.debugging.assert_near(X, X + 1e-3), IAE, "x and y not equal to tolerance"),
    (lambda: tf.debugging.assert_rank(X, 2), ValueError, "must have rank 2.  Received rank 1, shape (3,)"),
    (lambda: tf.debugging.assert_rank_at_least(X, 2), ValueError, "must have rank at least 2.  Received rank 1"),
    (lambda: tf.debugging.assert_shapes([(X, ("N",)), (tf.zeros([2, 3]), ("N", "D"))]), ValueError,
     "Specified by tensor shape=(3,) dtype=float32 dimension 0.  Tensor shape=(2, 3) dtype=float32 dimension 0 "
     "must have size 3.  Received size 2, shape (2, 3)"),
    (lambda: tf.debugging.assert_shapes([(X, ("N", "D"))]), ValueError, "must have rank 2.  Received rank 1"),
    (lambda: tf.debugging.assert_all_finite(tf.constant([1., np.nan]), "bad values"), IAE,
     "bad values : Tensor had NaN values"),
    (lambda: tf.debugging.check_numerics(tf.constant([1., np.inf]), "found"), IAE, "found : Tensor had Inf values"),
    (lambda: tf.debugging.assert_positive(tf.constant([1., 0.])), IAE,
     "\nCondition x > 0 did not hold element-wise:\nx (shape=(2,) dtype=float32) = \n['1.0', '0.0']"),
    (lambda: tf.debugging.assert_non_negative(tf.constant([1., -1.])), IAE, "Condition x >= 0 did not hold"),
    (lambda: tf.debugging.assert_negative(tf.constant([-1., 2.])), IAE, "Condition x < 0 did not hold"),
    (lambda: tf.debugging.assert_type(X, tf.int32), TypeError, "tensor must be of type tf.int32; got tf.float32"),
    (lambda: tf.debugging.assert_integer(X), TypeError, 'Expected "x" to be integer type.'),
    (lambda: tf.debugging.assert_scalar(X), ValueError, "Expected scalar shape, saw shape: (3,)."),
    (lambda: tf.debugging.Assert(False, ["x is", X]), IAE, "Expected 'False' to be true. Summarized data: b'x is'\n"
                                                          "1.0, 2.0, 3.0"),
])
def test_failing_assertions_raise_tensorflows_errors(fn, error, message):
    with pytest.raises(error) as info:
        fn()
    assert message in str(info.value)


def test_passing_assertions_return_none_and_check_numerics_returns_its_input():
    assert tf.debugging.assert_equal(X, X) is None and tf.debugging.assert_near(X, X + 1e-7) is None
    assert tf.debugging.assert_rank(X, 1) is None and tf.debugging.Assert(True, ["ok"]) is None
    assert tf.debugging.assert_shapes([(X, ("N",)), (tf.zeros([3, 3]), ("N", "D")), (tf.zeros([5, 3]), (..., 3))]) \
        is None
    assert tf.debugging.check_numerics(X, "m").numpy().tolist() == [1.0, 2.0, 3.0]


def test_value_assertions_check_every_call_of_a_traced_function():
    @tf.function
    def safe_sqrt(x):
        tf.debugging.assert_non_negative(x)
        return tf.sqrt(x)

    assert safe_sqrt(tf.constant([4.0])).numpy().tolist() == [2.0]
    with pytest.raises(IAE, match="Condition x >= 0 did not hold"):
        safe_sqrt(tf.constant([-4.0]))     # replayed trace: checked again
    assert safe_sqrt.experimental_get_tracing_count() == 1
