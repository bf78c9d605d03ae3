"""``chainrule.nn``: activations and losses with TensorFlow's names, against numpy references.

The references here are written directly from the mathematical definitions
(naive formulas on moderate values), not from chainrule's stable rewrites.
"""
import math
import warnings

import numpy as np
import pytest

import chainrule
from chainrule.errors import InvalidArgumentError

X = np.array([[-3.0, -0.5, 0.0, 0.25, 2.0], [1.5, -1.25, 4.0, -2.0, 0.75]], dtype=np.float32)
EXTREME = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]], dtype=np.float32)


def naive_softmax(x, axis=-1):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def no_numeric_warnings():
    """Raise on overflow, invalid and divide-by-zero (underflow to 0 is the correct answer at -1000)."""
    return np.errstate(over="raise", invalid="raise", divide="raise")


@pytest.mark.parametrize("fn, ref", [
    (chainrule.nn.relu, lambda x: np.maximum(x, 0)),
    (chainrule.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    (lambda x: chainrule.nn.leaky_relu(x, alpha=0.01), lambda x: np.where(x > 0, x, 0.01 * x)),
    (chainrule.nn.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    (chainrule.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (chainrule.nn.tanh, np.tanh),
    (chainrule.nn.softmax, naive_softmax),
    (lambda x: chainrule.nn.softmax(x, axis=0), lambda x: naive_softmax(x, axis=0)),
    (chainrule.nn.log_softmax, lambda x: np.log(naive_softmax(x))),
], ids=["relu", "leaky_relu", "leaky_relu(0.01)", "elu", "sigmoid", "tanh", "softmax", "softmax(axis=0)",
        "log_softmax"])
def test_activation_matches_numpy_reference(fn, ref):
    got = fn(chainrule.constant(X))
    assert got.dtype == chainrule.float32
    assert got.shape == X.shape
    np.testing.assert_allclose(got.numpy(), ref(X.astype(np.float64)), rtol=1e-6, atol=1e-7)


def test_leaky_relu_default_alpha_is_0_2():
    np.testing.assert_allclose(chainrule.nn.leaky_relu(chainrule.constant([-10.0])).numpy(), [-2.0])


def test_activation_accepts_lists_and_numpy():
    np.testing.assert_array_equal(chainrule.nn.relu([-1.0, 2.0]).numpy(), [0.0, 2.0])
    assert chainrule.nn.relu(np.array([-1.0, 2.0])).dtype == chainrule.float64


def test_activation_of_integer_tensor_is_rejected():
    with pytest.raises(InvalidArgumentError, match="int32"):
        chainrule.nn.relu(chainrule.constant([1, -2]))


def test_sigmoid_at_plus_minus_1000_without_warnings():
    with no_numeric_warnings(), warnings.catch_warnings():
        warnings.simplefilter("error")
        y = chainrule.nn.sigmoid(chainrule.constant(EXTREME))
        y64 = chainrule.sigmoid(chainrule.constant(EXTREME.astype(np.float64)))
    np.testing.assert_array_equal(y.numpy(), [[0.0, 0.5, 1.0], [1.0, 1.0, 0.0]])
    np.testing.assert_array_equal(y64.numpy(), [[0.0, 0.5, 1.0], [1.0, 1.0, 0.0]])


def test_softmax_and_log_softmax_are_finite_at_plus_minus_1000():
    with no_numeric_warnings(), warnings.catch_warnings():
        warnings.simplefilter("error")
        p = chainrule.nn.softmax(chainrule.constant(EXTREME)).numpy()
        lp = chainrule.nn.log_softmax(chainrule.constant(EXTREME)).numpy()
    np.testing.assert_allclose(p, [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    assert np.all(np.isfinite(lp))
    np.testing.assert_allclose(lp, [[-2000.0, -1000.0, 0.0], [-math.log(2), -math.log(2), -2000.0 - math.log(2)]],
                               rtol=1e-6)


def test_sparse_softmax_cross_entropy_with_logits_against_reference():
    labels = np.array([4, 0])
    got = chainrule.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=X)
    ref = -np.log(naive_softmax(X.astype(np.float64)))[np.arange(2), labels]
    assert got.shape == (2,)
    assert got.dtype == chainrule.float32
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6)
    # positional arguments: (labels, logits), as in TensorFlow
    np.testing.assert_allclose(chainrule.nn.sparse_softmax_cross_entropy_with_logits(
        chainrule.constant(labels), chainrule.constant(X)).numpy(), ref, rtol=1e-6)


def test_sparse_softmax_cross_entropy_out_of_range_label():
    with pytest.raises(ValueError, match=r"label 5 .*5 classes"):
        chainrule.nn.sparse_softmax_cross_entropy_with_logits(labels=[5, 0], logits=X)


def test_softmax_cross_entropy_with_logits_against_reference():
    labels = np.array([[0.1, 0.2, 0.3, 0.4, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0]])
    got = chainrule.nn.softmax_cross_entropy_with_logits(labels=labels, logits=X)
    ref = -np.sum(labels * np.log(naive_softmax(X.astype(np.float64))), axis=-1)
    assert got.shape == (2,)
    assert got.dtype == chainrule.float32
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6)


def test_softmax_cross_entropy_with_logits_honours_axis():
    labels = np.array([[0.1, 0.2, 0.3, 0.4, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0]])
    got = chainrule.nn.softmax_cross_entropy_with_logits(labels=labels.T, logits=X.T, axis=0)
    ref = -np.sum(labels * np.log(naive_softmax(X.astype(np.float64))), axis=-1)
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-6)


def test_cross_entropies_are_finite_at_plus_minus_1000():
    with no_numeric_warnings():
        sparse = chainrule.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 2], logits=EXTREME).numpy()
        dense = chainrule.nn.softmax_cross_entropy_with_logits(labels=np.eye(3)[[0, 2]], logits=EXTREME).numpy()
    np.testing.assert_allclose(sparse, [2000.0, 2000.0 + math.log(2)], rtol=1e-6)
    np.testing.assert_allclose(dense, sparse, rtol=1e-6)


def test_sigmoid_cross_entropy_with_logits_against_the_formula():
    labels = np.array([[0.0, 1.0, 0.5, 0.2, 1.0], [1.0, 0.0, 0.0, 0.7, 0.3]])
    got = chainrule.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=X)
    x = X.astype(np.float64)
    p = 1 / (1 + np.exp(-x))
    ref = -(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    assert got.shape == X.shape and got.dtype == chainrule.float32
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_sigmoid_cross_entropy_with_logits_is_finite_at_plus_minus_1000():
    logits = np.array([-1000.0, -1000.0, 1000.0, 1000.0], dtype=np.float32)
    with no_numeric_warnings(), warnings.catch_warnings():
        warnings.simplefilter("error")
        got = chainrule.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0, 1.0, 0.0], logits=logits)
    np.testing.assert_allclose(got.numpy(), [0.0, 1000.0, 0.0, 1000.0])
    x = chainrule.constant(logits)
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        loss = chainrule.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0, 1.0, 0.0], logits=x)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [0.0, -1.0, 0.0, 1.0])


def test_dropout_rate_scaling_and_seed():
    x = chainrule.ones((400, 500))
    y = chainrule.nn.dropout(x, rate=0.3, seed=11)
    v = y.numpy()
    assert y.dtype == chainrule.float32 and y.shape == (400, 500)
    zero_fraction = np.mean(v == 0)
    assert abs(zero_fraction - 0.3) < 0.01          # 200,000 draws: sd of the fraction is 0.001
    np.testing.assert_allclose(np.unique(v[v != 0]), [1 / 0.7], rtol=1e-6)
    # TensorFlow's seeded kernel: a second call continues the stream, set_seed starts it over
    second = chainrule.nn.dropout(x, rate=0.3, seed=11).numpy()
    assert not np.array_equal(second, v)
    chainrule.random.set_seed(7)
    first = chainrule.nn.dropout(x, rate=0.3, seed=11).numpy()
    chainrule.random.set_seed(7)
    np.testing.assert_array_equal(chainrule.nn.dropout(x, rate=0.3, seed=11).numpy(), first)


def test_dropout_keeps_expected_value():
    x = chainrule.constant(np.full((300, 300), 2.0))
    assert abs(float(chainrule.reduce_mean(chainrule.nn.dropout(x, 0.5, seed=0))) - 2.0) < 0.05


def test_dropout_without_seed_follows_the_global_seed():
    x = chainrule.ones((20, 20))
    chainrule.random.set_seed(5)
    a = chainrule.nn.dropout(x, 0.5).numpy()
    chainrule.random.set_seed(5)
    b = chainrule.nn.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)


def test_embedding_lookup_gathers_rows_and_scatters_their_gradient():
    params = chainrule.Variable(np.arange(12.0, dtype=np.float32).reshape(4, 3))
    with chainrule.GradientTape() as tape:
        rows = chainrule.nn.embedding_lookup(params, [[0, 2], [2, 3]])
        total = chainrule.reduce_sum(rows)
    assert rows.shape == (2, 2, 3)
    np.testing.assert_array_equal(rows.numpy()[1, 0], [6, 7, 8])
    np.testing.assert_array_equal(tape.gradient(total, params).numpy()[:, 0], [1, 0, 2, 1])  # id 2 twice
    clipped = chainrule.nn.embedding_lookup(params, [3, 0], max_norm=3.0).numpy()  # only a longer row is scaled
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=-1), [3.0, np.linalg.norm([0, 1, 2])], rtol=1e-6)
    np.testing.assert_array_equal(chainrule.nn.embedding_lookup([params[:2], params[2:]], [3]).numpy(), [[9, 10, 11]])
    assert chainrule.nn.embedding_lookup(chainrule.zeros((2, 2, 5)), [1, 1, 0]).shape == (3, 2, 5)
    with pytest.raises(chainrule.errors.InvalidArgumentError, match="ids must be integers"):
        chainrule.nn.embedding_lookup(params, [0.0])
    with pytest.raises(chainrule.errors.InvalidArgumentError, match=r"is not in \[0, 4\)"):
        chainrule.nn.embedding_lookup(params, [4])
