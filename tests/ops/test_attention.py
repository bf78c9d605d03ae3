"""MaskedSoftmax and ScaledDotProductAttention (chainrule/ops/attention.py)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from chainrule import ops
from chainrule.tensor import Tensor, apply_op
from chainrule.testing import check_gradients


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def reference(q, k, v, mask=None, scale=None):
    scores = q @ np.swapaxes(k, -1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is not None:
        scores = scores - 1e9 * (1 - mask)       # tf.keras: scores -= 1e9 * cast(padding_mask)
    return softmax(scores) @ v


def test_masked_positions_get_no_weight():
    x = np.array([[1.0, 2.0, 3.0]])
    y = ops.MaskedSoftmax().forward(x, np.array([[True, False, True]]))
    np.testing.assert_allclose(y, [[math.exp(1) / (math.exp(1) + math.exp(3)), 0, math.exp(3) /
                                   (math.exp(1) + math.exp(3))]], rtol=1e-12)


def test_a_fully_masked_row_stays_finite_and_spreads_like_tf_keras():
    x = np.array([[0.5, -2.0, 3.0, 1.0]], dtype=np.float32)
    y = ops.MaskedSoftmax().forward(x, np.zeros((1, 4), bool))
    # In float32, x - 1e9 rounds to the same number for every entry: tf.keras gives a uniform row.
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y, 0.25, rtol=1e-6)
    out = ops.ScaledDotProductAttention().forward(np.ones((1, 2, 3), np.float32), np.ones((1, 4, 3), np.float32),
                                                  np.arange(8, dtype=np.float32).reshape(1, 4, 2),
                                                  np.array([[[True] * 4, [False] * 4]]))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[0, 1], [3.0, 4.0], rtol=1e-6)  # the mean of the values


@settings(max_examples=30, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), tq=st.integers(1, 4), tk=st.integers(1, 4),
       d=st.integers(1, 4), dv=st.integers(1, 3), masked=st.booleans(), scale=st.sampled_from([None, 1.0, 0.3]),
       seed=st.integers(0, 2**16))
def test_forward_and_gradients(batch, tq, tk, d, dv, masked, scale, seed):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(*batch, tq, d))
    k = rng.normal(size=(*batch, tk, d))
    v = rng.normal(size=(*batch, tk, dv))
    mask = None
    if masked:
        mask = rng.random((*batch, tq, tk)) < 0.7
        mask[..., 0] = True   # no fully masked row here: central differences cannot see through 1e9
    out = ops.ScaledDotProductAttention(scale=scale).forward(q, k, v, mask)
    np.testing.assert_allclose(out, reference(q, k, v, mask, scale), rtol=1e-10, atol=1e-12)
    extra = [Tensor(mask)] if masked else []
    report = check_gradients(lambda q, k, v: apply_op(ops.ScaledDotProductAttention(scale=scale), q, k, v, *extra),
                             q, k, v)
    assert report.max_error < 1e-6, str(report)


def test_mask_and_inputs_broadcast_over_heads(rng):
    q = rng.normal(size=(2, 3, 4, 5))      # (batch, heads, Tq, d)
    k = rng.normal(size=(2, 1, 6, 5))      # keys shared by the heads
    v = rng.normal(size=(2, 1, 6, 2))
    mask = rng.random((2, 1, 1, 6)) < 0.8  # a padding mask over key positions
    mask[..., 0] = True
    out = ops.ScaledDotProductAttention().forward(q, k, v, mask)
    assert out.shape == (2, 3, 4, 2)
    np.testing.assert_allclose(out, reference(q, k, v, mask), rtol=1e-10)
    report = check_gradients(lambda q, k, v: apply_op(ops.ScaledDotProductAttention(), q, k, v, Tensor(mask)),
                             q, k, v)
    assert report.max_error < 1e-6, str(report)


def test_masked_softmax_gradient(rng):
    mask = Tensor(rng.random((3, 5)) < 0.6)
    report = check_gradients(lambda x: apply_op(ops.MaskedSoftmax(), x, mask), rng.normal(size=(3, 5)))
    assert report.max_error < 1e-6, str(report)


def test_weights_are_kept_and_dropout_is_seeded(rng):
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 3))
    plain = ops.ScaledDotProductAttention()
    plain.forward(q, k, v)
    np.testing.assert_allclose(plain.weights.sum(axis=-1), 1.0)
    a = ops.ScaledDotProductAttention(dropout=0.5, seed=3)
    b = ops.ScaledDotProductAttention(dropout=0.5, seed=3)
    np.testing.assert_array_equal(a.forward(q, k, v), b.forward(q, k, v))
    assert not np.allclose(a.forward(q, k, v), plain.forward(q, k, v))
    report = check_gradients(lambda q, k, v: apply_op(ops.ScaledDotProductAttention(dropout=0.5, seed=3), q, k, v),
                             q, k, v)
    assert report.max_error < 1e-6, str(report)


@pytest.mark.parametrize("shapes, match", [
    (((2, 3, 4), (2, 5, 3), (2, 5, 2)), r"query \(2, 3, 4\) and key \(2, 5, 3\) must share their last axis"),
    (((3, 4), (5, 4), (6, 2)), r"key and value \(6, 2\) their number of steps"),
])
def test_shape_errors(shapes, match):
    with pytest.raises(ValueError, match=match):
        ops.ScaledDotProductAttention().forward(*(np.zeros(s) for s in shapes))


def test_mask_that_does_not_broadcast_is_named():
    with pytest.raises(ValueError, match=r"attention mask of shape \(3,\) does not broadcast to the scores' shape "
                                         r"\(2, 2\)"):
        ops.ScaledDotProductAttention().forward(np.zeros((2, 4)), np.zeros((2, 4)), np.zeros((2, 1)),
                                                np.ones(3, bool))
