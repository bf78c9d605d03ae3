"""tf.math at the function level: TensorFlow's values and dtypes (printed by tensorflow-cpu 2.21, noted
inline), the top-level aliases TensorFlow has, gradients of the composed functions, traced replays."""
import numpy as np
import pytest

import chainrule as tf
from chainrule.testing import check_gradients

# The tf.math names TensorFlow 2.21 also exposes at the top level (checked against dir(tf)).
TOP_LEVEL = ["abs", "acos", "acosh", "add", "add_n", "argmax", "argmin", "asin", "asinh", "atan", "atan2", "atanh",
             "cos", "cosh", "cumsum", "divide", "equal", "exp", "floor", "greater", "greater_equal", "less",
             "less_equal", "logical_and", "logical_not", "logical_or", "maximum", "minimum", "multiply", "negative",
             "not_equal", "pow", "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean",
             "reduce_min", "reduce_prod", "reduce_sum", "round", "scalar_mul", "sigmoid", "sign", "sin", "sinh",
             "sqrt", "square", "subtract", "tan", "tanh", "truediv"]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_alias_is_the_math_function(name):
    assert getattr(tf, name) is getattr(tf.math, name)


def test_linalg_names_at_top_level():
    assert tf.einsum is tf.linalg.einsum and tf.tensordot is tf.linalg.tensordot and tf.norm is tf.linalg.norm


def test_counting_functions_match_tensorflow():
    b = tf.math.bincount(tf.constant([1, 1, 3]))
    assert b.dtype == tf.int32 and b.numpy().tolist() == [0, 2, 0, 1]                                     # TF
    w = tf.math.bincount(tf.constant([1, 1, 3]), minlength=6, weights=[1., 2., 3.])
    assert w.dtype == tf.float32 and w.numpy().tolist() == [0, 3, 0, 3, 0, 0]                             # TF
    assert tf.math.bincount(tf.constant([1, 5]), maxlength=3).numpy().tolist() == [0, 1, 0]
    assert tf.math.bincount(tf.constant([[1, 1], [0, 2]]), axis=-1).numpy().tolist() == [[0, 2, 0], [1, 0, 1]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
        tf.math.bincount(tf.constant([-1, 2]))
    cm = tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])
    assert cm.dtype == tf.int32 and cm.numpy().tolist() == [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0],
                                                            [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]]            # TF
    assert tf.math.confusion_matrix([0, 1], [1, 1], num_classes=3, weights=[2., 5.], dtype=tf.float32
                                    ).numpy().tolist() == [[0, 2, 0], [0, 5, 0], [0, 0, 0]]
    c = tf.math.count_nonzero([[0, 1], [2, 0]])
    assert c.dtype == tf.int64 and int(c) == 2                                                            # TF
    assert tf.math.count_nonzero([[0., 1], [2, 0]], axis=1).numpy().tolist() == [1, 1]                    # TF
    assert tf.math.in_top_k(tf.constant([1, 2]), tf.constant([[0.1, 0.9, 0.0], [0.3, 0.3, 0.4]]), 1
                            ).numpy().tolist() == [True, True]                                           # TF
    assert tf.math.in_top_k([0], [[0.5, 0.5, 0.1]], 1).numpy().tolist() == [True]   # ties at the boundary count
    assert float(tf.math.zero_fraction(tf.constant([0., 2.]))) == 0.5                                     # TF


def test_reductions_and_compositions_match_tensorflow():
    x = tf.constant([[1., 2.], [3., 5.]])
    np.testing.assert_allclose(float(tf.math.reduce_std(x)), 1.47902, rtol=1e-5)                         # TF
    assert tf.math.reduce_variance(x, axis=0).numpy().tolist() == [1.0, 2.25]                             # TF
    with pytest.raises(TypeError, match="Input must be either real or complex"):
        tf.math.reduce_variance(tf.constant([1, 2]))                                                      # TF
    assert float(tf.math.reduce_logsumexp(tf.constant([-np.inf, -np.inf]))) == -np.inf                    # TF
    assert float(tf.math.reduce_logsumexp(tf.constant([np.inf, 1.]))) == np.inf                           # TF
    np.testing.assert_allclose(tf.reduce_logsumexp(tf.constant([[1000., 1000.]]), axis=1).numpy(),
                               [1000 + np.log(2)])
    assert float(tf.math.polyval([1., 2., 3.], tf.constant(2.))) == 11.0                                  # TF
    np.testing.assert_allclose(tf.math.l2_normalize(tf.constant([3., 4.])).numpy(), [0.6, 0.8])           # TF
    assert tf.math.reduce_euclidean_norm(tf.constant([[3., 4.]]), axis=1).numpy().tolist() == [5.0]       # TF
    assert tf.math.is_nan(tf.constant([np.nan, 1.])).numpy().tolist() == [True, False]
    assert tf.math.is_inf(tf.constant([np.inf, 1.])).numpy().tolist() == [True, False]
    assert tf.math.is_finite(tf.constant([np.inf, 1.])).numpy().tolist() == [False, True]
    assert bool(tf.math.logical_xor(True, False))
    assert float(tf.math.xdivy(0., 0.)) == 0.0                                                            # TF
    assert tf.math.invert_permutation([2, 0, 1]).numpy().tolist() == [1, 2, 0]
    assert bool(tf.math.is_non_decreasing([1, 1, 2])) and not bool(tf.math.is_strictly_increasing([1, 1, 2]))


@pytest.mark.parametrize("fn", [
    lambda x: tf.math.reduce_variance(x, axis=1), lambda x: tf.math.reduce_std(x), tf.math.reduce_logsumexp,
    lambda x: tf.math.l2_normalize(x, axis=0), lambda x: tf.math.polyval([x[0, 0], 2.0, x[1, 1]], x),
    lambda x: tf.math.reduce_euclidean_norm(x, axis=0), lambda x: tf.math.xdivy(x, x * x + 1.0),
    lambda x: tf.math.scalar_mul(3.0, x),
], ids=["variance", "std", "logsumexp", "l2_normalize", "polyval", "euclidean_norm", "xdivy", "scalar_mul"])
def test_composed_functions_are_differentiable(fn):
    x = np.array([[0.7, -1.3, 2.1], [1.6, 0.4, -0.9]])
    report = check_gradients(fn, x)
    assert report.max_error < 1e-6, str(report)


def test_value_dependent_functions_replay_correctly_in_a_traced_function():
    @tf.function
    def stats(x, labels, preds):
        return (tf.math.bincount(x, minlength=4), tf.math.count_nonzero(x),
                tf.math.confusion_matrix(labels, preds, num_classes=3), tf.math.cumprod(tf.cast(x, tf.float32)))

    first = stats(tf.constant([1, 1, 3]), tf.constant([0, 1]), tf.constant([1, 1]))
    second = stats(tf.constant([0, 2, 2]), tf.constant([2, 2]), tf.constant([0, 2]))   # replayed, new values
    assert first[0].numpy().tolist() == [0, 2, 0, 1] and second[0].numpy().tolist() == [1, 0, 2, 0]
    assert int(second[1]) == 2 and second[2].numpy().tolist() == [[0, 0, 0], [0, 0, 0], [1, 0, 1]]
    assert second[3].numpy().tolist() == [0, 0, 0]
    assert stats.experimental_get_tracing_count() == 1
