"""Embedding (chainrule/ops/embedding.py): gather forward, scatter-add backward, with and without scipy."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from chainrule import errors, ops
from chainrule.ops import embedding
from chainrule.tensor import Tensor, apply_op
from chainrule.testing import check_gradients


@pytest.fixture(params=["scipy", "numpy"])
def backend(request, monkeypatch):
    """Run a test with the sparse-product scatter-add and with the np.add.at fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(embedding, "_scipy_sparse", lambda: None)
    elif embedding._scipy_sparse() is None:
        pytest.skip("scipy is not installed")
    return request.param


def test_forward_picks_rows_and_backward_adds_repeated_ids(backend):
    table = np.arange(12.0).reshape(4, 3)
    ids = np.array([[1, 3], [1, 0]])
    op = ops.Embedding()
    out = op.forward(table, ids)
    np.testing.assert_array_equal(out, [[[3, 4, 5], [9, 10, 11]], [[3, 4, 5], [0, 1, 2]]])
    dout = np.arange(12.0).reshape(2, 2, 3)
    dtable, dids = op.backward(dout)
    assert dids is None
    # id 1 appears twice: its row gets both gradients; id 2 never appears: zeros.
    np.testing.assert_array_equal(dtable, [[9, 10, 11], [6, 8, 10], [0, 0, 0], [3, 4, 5]])


@settings(max_examples=25, deadline=None)
@given(vocab=st.integers(1, 9), dim=st.integers(1, 4), shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       seed=st.integers(0, 2**16), use_scipy=st.booleans())
def test_scatter_add_matches_add_at_for_any_id_shape(vocab, dim, shape, seed, use_scipy):
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(vocab, dim)).astype(np.float32)
    ids = rng.integers(0, vocab, size=shape)
    dout = rng.normal(size=tuple(shape) + (dim,)).astype(np.float32)
    saved = embedding._scipy_sparse
    if not use_scipy:
        embedding._scipy_sparse = lambda: None
    try:
        op = ops.Embedding()
        assert op.forward(table, ids).shape == tuple(shape) + (dim,)
        dtable, _ = op.backward(dout)
    finally:
        embedding._scipy_sparse = saved
    want = np.zeros((vocab, dim), np.float64)
    np.add.at(want, ids.reshape(-1), dout.reshape(-1, dim))
    assert dtable.dtype == np.float32 and dtable.shape == (vocab, dim)
    np.testing.assert_allclose(dtable, want, rtol=1e-5, atol=1e-5)


def test_gradient_check_through_the_tape(backend, rng):
    ids = Tensor(rng.integers(0, 6, size=(3, 5)))
    report = check_gradients(lambda table: apply_op(ops.Embedding(), table, ids), rng.normal(size=(6, 4)))
    assert report.max_error < 1e-7, str(report)


def test_float_ids_are_truncated_like_tf_keras_casts_them():
    out = ops.Embedding().forward(np.eye(3), np.array([0.0, 2.7, 1.2]))
    np.testing.assert_array_equal(out, np.eye(3)[[0, 2, 1]])


@pytest.mark.parametrize("ids, match", [  # TensorFlow: "indices[0,1] = 5 is not in [0, 5) [Op:ResourceGather]"
    ([[0, 5], [1, 2]], (r"^indices\[0,1\] = 5 is not in \[0, 5\) \[Op:ResourceGather\]: an Embedding table of 5 rows "
                        r"takes the ids 0 to 4")),
    ([3, -1], r"^indices\[1\] = -1 is not in \[0, 5\)"),
    ([[1, 7], [-2, 9]], r"^indices\[0,1\] = 7 is not in \[0, 5\)"),  # the first one in order, not the extreme
])
def test_out_of_range_ids_are_named(ids, match):
    with pytest.raises(errors.InvalidArgumentError, match=match) as info:
        ops.Embedding().forward(np.zeros((5, 2)), np.array(ids))
    assert isinstance(info.value, ValueError)  # code that catches ValueError still does


def test_string_ids_and_a_flat_table_are_refused():
    with pytest.raises(TypeError, match="ids must be integers"):
        ops.Embedding().forward(np.zeros((5, 2)), np.array(["a"]))
    with pytest.raises(ValueError, match=r"table must have shape \(vocabulary, dim\)"):
        ops.Embedding().forward(np.zeros(5), np.array([1]))
