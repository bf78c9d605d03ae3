"""The rest of TensorFlow's namespace against numpy, with gradient checks where differentiable."""
import numpy as np
import pytest

import chainrule as tf
from chainrule.testing import check_gradients

RNG = np.random.default_rng(0)


def test_seed_tensor_basics_print_like_tensorflow(capsys):
    a = tf.constant(2)
    print(tf.rank(a))
    print(a)
    b = tf.constant([2, 3])
    print(tf.rank(b))
    print(b)
    d = tf.constant(["Hello"])
    print(d)
    t = tf.constant([[1., 2., 3.], [4., 5., 6.]])
    print(t.shape)
    print(t.dtype)
    assert capsys.readouterr().out.splitlines() == [
        "chainrule.Tensor(0, shape=(), dtype=int32)", "chainrule.Tensor(2, shape=(), dtype=int32)",
        "chainrule.Tensor(1, shape=(), dtype=int32)", "chainrule.Tensor([2 3], shape=(2,), dtype=int32)",
        "chainrule.Tensor([b'Hello'], shape=(1,), dtype=string)", "(2, 3)", "<dtype: 'float32'>"]
    np.testing.assert_array_equal((t @ tf.transpose(t)).numpy(), [[14, 32], [32, 77]])
    assert repr(t[..., 1, tf.newaxis]) == ("<chainrule.Tensor: shape=(2, 1), dtype=float32, numpy=\n"
                                           "array([[2.],\n       [5.]], dtype=float32)>")


def test_shape_helpers():
    t = tf.zeros((2, 1, 3))
    assert tf.squeeze(t).shape == (2, 3) and tf.squeeze(t, axis=1).shape == (2, 3)
    assert tf.expand_dims(tf.zeros((2, 3)), -1).shape == (2, 3, 1)
    assert tf.shape(t).numpy().tolist() == [2, 1, 3] and int(tf.size(t)) == 6
    assert tf.fill([2, 2], 7).numpy().tolist() == [[7, 7], [7, 7]]
    assert tf.ones_like(tf.constant([1, 2])).dtype == tf.int32


def test_comparisons_logic_and_argmax():
    x, y = tf.constant([1, 5, 3]), tf.constant([2, 5, 1])
    assert tf.equal(x, y).numpy().tolist() == [False, True, False]
    assert tf.not_equal(x, y).numpy().tolist() == [True, False, True]
    assert tf.greater(x, y).numpy().tolist() == [False, False, True]
    assert tf.greater_equal(x, y).numpy().tolist() == [False, True, True]
    assert tf.less(x, y).numpy().tolist() == [True, False, False]
    assert tf.less_equal(x, y).numpy().tolist() == [True, True, False]
    p = tf.constant([True, False])
    q = tf.constant([True, True])
    assert tf.logical_and(p, q).numpy().tolist() == [True, False]
    assert tf.logical_or(p, q).numpy().tolist() == [True, True]
    assert tf.logical_not(p).numpy().tolist() == [False, True]
    m = tf.constant([[1., 9., 3.], [7., 2., 8.]])
    assert tf.argmax(m, 1).numpy().tolist() == [1, 2] and tf.argmax(m, 1).dtype == tf.int64
    assert tf.argmin(m).numpy().tolist() == [0, 1, 0]


def test_one_hot_and_reductions():
    np.testing.assert_array_equal(tf.one_hot([0, 2, 5], depth=3).numpy(), [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    x = RNG.random((3, 4)).astype("float32")
    np.testing.assert_allclose(tf.reduce_prod(x, axis=1).numpy(), x.prod(1), rtol=1e-6)
    assert check_gradients(lambda a: tf.reduce_prod(a, axis=0), RNG.random((3, 4)) + 0.5).max_error < 1e-6


@pytest.mark.parametrize("fn, ref", [
    (lambda a: tf.tile(a, [2, 3]), lambda a: np.tile(a, (2, 3))),
    (lambda a: tf.gather(a, [2, 0, 2]), lambda a: a[[2, 0, 2]]),
    (lambda a: tf.gather(a, [[0, 3], [1, 1]], axis=1), lambda a: np.take(a, [[0, 3], [1, 1]], axis=1)),
    (lambda a: tf.sort(a), lambda a: np.sort(a, axis=-1)),
    (lambda a: tf.sort(a, direction="DESCENDING"), lambda a: -np.sort(-a, axis=-1)),
    (lambda a: tf.math.top_k(a, 2).values, lambda a: -np.sort(-a, axis=-1)[:, :2]),
    (lambda a: tf.cumsum(a, axis=1), lambda a: np.cumsum(a, axis=1)),
    (lambda a: tf.cumsum(a, axis=1, exclusive=True), lambda a: np.cumsum(a, axis=1) - a),
    (lambda a: tf.cumsum(a, axis=0, reverse=True), lambda a: np.flip(np.cumsum(np.flip(a, 0), 0), 0)),
    (lambda a: tf.boolean_mask(a, np.array([True, False, True])), lambda a: a[[0, 2]]),
    (lambda a: tf.reduce_logsumexp(a, axis=1), lambda a: np.log(np.exp(a).sum(1))),
    (lambda a: tf.norm(a), lambda a: np.sqrt((a ** 2).sum())),
])
def test_differentiable_functions_match_numpy_and_pass_gradient_check(fn, ref):
    a = RNG.random((3, 4))
    np.testing.assert_allclose(fn(tf.constant(a)).numpy(), ref(a), rtol=1e-12)
    assert check_gradients(fn, a).max_error < 1e-6


def test_argsort_unique_range_linspace_eye():
    t = tf.constant([3., 1., 2.])
    assert tf.argsort(t).numpy().tolist() == [1, 2, 0] and tf.argsort(t).dtype == tf.int32
    y, idx = tf.unique(tf.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    assert y.numpy().tolist() == [1, 2, 4, 7, 8] and idx.numpy().tolist() == [0, 0, 1, 2, 2, 2, 3, 4, 4]
    assert tf.range(5).numpy().tolist() == [0, 1, 2, 3, 4] and tf.range(5).dtype == tf.int32
    assert tf.range(1., 2., 0.5).numpy().tolist() == [1.0, 1.5] and tf.range(1., 2., 0.5).dtype == tf.float32
    np.testing.assert_allclose(tf.linspace(0., 1., 5).numpy(), [0, .25, .5, .75, 1])
    assert tf.eye(2, 3).numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tf.math.top_k(tf.constant([[1., 5., 3.]]), k=2).indices.numpy().tolist() == [[1, 2]]


def test_random_functions_follow_set_seed():
    tf.random.set_seed(111)
    a = [tf.random.uniform([3]).numpy(), tf.random.normal([2, 2]).numpy(), tf.random.truncated_normal([100]).numpy()]
    tf.random.set_seed(111)
    b = [tf.random.uniform([3]).numpy(), tf.random.normal([2, 2]).numpy(), tf.random.truncated_normal([100]).numpy()]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert np.all(np.abs(a[2]) <= 2) and a[0].dtype == np.float32
    u = tf.random.uniform([10000], 2, 4).numpy()
    assert 2 <= u.min() and u.max() < 4 and abs(u.mean() - 3) < 0.05


def test_optimizers_and_losses_aliases():
    assert tf.optimizers.SGD is tf.keras.optimizers.SGD
    assert tf.losses.MeanSquaredError is tf.keras.losses.MeanSquaredError
    assert isinstance(tf.__version__, str)
