"""Linear algebra beyond matmul (chainrule/ops/linalg.py, chainrule/linalg.py): values against numpy,
TensorFlow's conventions and errors (printed by tensorflow-cpu 2.21, noted inline), float64 gradient checks."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule as tf
from chainrule.testing import check_gradients

SEEDS = st.integers(0, 2 ** 16)
M = tf.constant([[1., -2.], [3., 4.]])


def well_conditioned(rng, batch, n):
    # strictly diagonally dominant by at least 1 in every row: a + n*I was not always (hypothesis found seed 43,
    # n=2, whose solve gradients reached 380 and missed the 1e-6 check by rounding)
    a = rng.normal(size=batch + (n, n))
    return a + (np.abs(a).sum(axis=-1, keepdims=True) + 1.0) * np.eye(n)


def spd(rng, batch, n):
    a = rng.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def assert_grads(fn, *inputs, tol=1e-6):
    report = check_gradients(fn, *inputs)
    assert report.max_error < tol, str(report)


@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 4), batch=st.sampled_from([(), (2,), (2, 1)]))
def test_inv_det_slogdet_values_and_gradients(seed, n, batch):
    a = well_conditioned(np.random.default_rng(seed), batch, n)
    np.testing.assert_allclose(tf.linalg.inv(a).numpy(), np.linalg.inv(a), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tf.linalg.det(a).numpy(), np.linalg.det(a), rtol=1e-10)
    sign, logabs = tf.linalg.slogdet(a)
    np.testing.assert_allclose(sign.numpy() * np.exp(logabs.numpy()), np.linalg.det(a), rtol=1e-10)
    assert_grads(tf.linalg.inv, a)
    assert_grads(tf.linalg.det, a)
    assert_grads(lambda x: tf.linalg.slogdet(x).log_abs_determinant, a)


@pytest.mark.parametrize("adjoint", [False, True])
@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 4), k=st.integers(1, 3))
def test_solve_values_and_gradients(adjoint, seed, n, k):
    rng = np.random.default_rng(seed)
    a, b = well_conditioned(rng, (2,), n), rng.normal(size=(2, n, k))
    expected = np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)
    np.testing.assert_allclose(tf.linalg.solve(a, b, adjoint=adjoint).numpy(), expected, rtol=1e-10, atol=1e-12)
    assert_grads(lambda x, y: tf.linalg.solve(x, y, adjoint=adjoint), a, b)


@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 4))
def test_cholesky_values_and_gradient_of_the_symmetric_input(seed, n):
    a = spd(np.random.default_rng(seed), (2,), n)
    np.testing.assert_allclose(tf.linalg.cholesky(a).numpy(), np.linalg.cholesky(a), rtol=1e-10)
    # The factor reads one triangle; differentiate through a symmetric input as TF's formula assumes.
    assert_grads(lambda x: tf.linalg.cholesky((x + tf.linalg.matrix_transpose(x)) / 2.0), a)
    assert_grads(lambda x: tf.linalg.logdet((x + tf.linalg.matrix_transpose(x)) / 2.0), a)


def test_cholesky_gradient_matches_tensorflow():
    x = tf.Variable([[4., 2.], [2., 3.]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.linalg.cholesky(x) * tf.constant([[1., 0.], [2., 3.]]))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [[0.26516503, -0.03033008],
                                                             [-0.03033008, 1.0606601]], rtol=1e-6)  # TF


def test_singular_and_indefinite_inputs_raise_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Input is not invertible. \[Op:MatrixInverse\]"):
        tf.linalg.inv(tf.constant([[1., 2.], [2., 4.]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not successful"):
        tf.linalg.cholesky(tf.constant([[1., 2.], [2., 1.]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="floating-point"):
        tf.linalg.det(tf.constant([[1, 2], [3, 4]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="square"):
        tf.linalg.inv(tf.ones((2, 3)))


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]), ("i,i->", [(4,), (4,)]), ("i,j->ij", [(2,), (3,)]),
    ("ij,ij->i", [(2, 3), (2, 3)]), ("ijk->k", [(2, 3, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ab,b->a", [(3, 2), (2,)]), ("iij->ij", [(2, 2, 3)]), ("ij,k->ik", [(2, 3), (4,)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_values_and_gradients(equation, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    np.testing.assert_allclose(tf.einsum(equation, *arrays).numpy(), np.einsum(equation, *arrays), rtol=1e-12)
    assert_grads(lambda *xs: tf.einsum(equation, *xs), *arrays)


def test_einsum_values_tensorflow_prints():
    assert float(tf.einsum("ii", tf.constant([[1., 2.], [3., 4.]]))) == 5.0                 # TF
    assert float(tf.einsum("ij->", M)) == 6.0                                                # TF
    assert tf.einsum("...ij,...jk->...ik", tf.ones((2, 2, 3)), tf.ones((3, 4))).shape == (2, 2, 4)  # TF
    with pytest.raises(ValueError, match="einsum"):
        tf.einsum("ij,jk->ik", tf.ones((2, 3)))  # TF: ValueError, one operand for two subscripts


@pytest.mark.parametrize("equation, shapes, match", [  # TensorFlow 2.21's InvalidArgumentError texts
    ("ij,jk->ik", [(2, 3), (4, 5)], r"^Expected dimension 3 at axis 0 of the input shaped \[4,5\] but got dimension 4 "
                                    r"\[Op:Einsum\]: the label 'j' of 'ij,jk->ik' is 3 in input 0 and 4 in input 1"),
    ("ij,jk", [(2, 3), (3, 5, 1)], r"^Expected input 1 to have rank 2 but got: 3 \[Op:Einsum\]"),
])
def test_einsum_shape_mismatch_is_tensorflows_invalid_argument_error(equation, shapes, match):
    with pytest.raises(tf.errors.InvalidArgumentError, match=match) as info:
        tf.einsum(equation, *[tf.ones(s) for s in shapes])
    assert isinstance(info.value, ValueError)  # code that catches ValueError still does


@pytest.mark.parametrize("axes, shapes", [(1, [(2, 3), (3, 4)]), (2, [(2, 3, 4), (3, 4, 5)]), (0, [(2,), (3,)]),
                                          ([[0, 2], [1, 0]], [(4, 3, 2), (2, 4)]), ([1, 0], [(2, 3), (3, 5)])])
def test_tensordot_matches_numpy_and_is_differentiable(axes, shapes):
    rng = np.random.default_rng(1)
    a, b = (rng.normal(size=s) for s in shapes)
    np.testing.assert_allclose(tf.tensordot(a, b, axes).numpy(), np.tensordot(a, b, axes), rtol=1e-12)
    assert_grads(lambda x, y: tf.tensordot(x, y, axes), a, b)
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not match"):
        tf.tensordot(tf.ones((2, 3)), tf.ones((4, 2)), 1)


NORMS = [  # (ord, axis, TF's value for M = [[1, -2], [3, 4]])
    ("euclidean", None, 5.477226), ("euclidean", 0, [3.1622777, 4.472136]), ("euclidean", [0, 1], 5.477226),
    ("fro", [0, 1], 5.477226), (1, None, 10.0), (1, 0, [4., 6.]), (1, [0, 1], 6.0), (2, None, 5.477226),
    (2, [0, 1], 5.1166735), (np.inf, None, 4.0), (np.inf, 0, [3., 4.]), (np.inf, [0, 1], 7.0),
    (3, None, 4.641589), (3, 0, [3.0365891, 4.1601677]), (0.5, None, 37.77657), (0.5, 0, [7.4641023, 11.656855]),
]


@pytest.mark.parametrize("ord_, axis, expected", NORMS)
def test_norm_values_match_tensorflow(ord_, axis, expected):
    np.testing.assert_allclose(tf.norm(M, ord=ord_, axis=axis).numpy(), expected, rtol=1e-6)


def test_norm_rejects_what_tensorflow_rejects_and_keeps_dims():
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got fro"):
        tf.norm(M, ord="fro")
    with pytest.raises(ValueError, match="'ord' must be a supported matrix norm"):
        tf.norm(M, ord=3, axis=[0, 1])
    assert tf.norm(M, axis=1, keepdims=True).shape == (2, 1)
    assert tf.norm(M, axis=[0, 1], keepdims=True).shape == (1, 1)


@pytest.mark.parametrize("ord_, axis", [("euclidean", None), (1, 1), (3, 0), (np.inf, None), ("fro", [0, 1]),
                                        (1, [0, 1]), (np.inf, [1, 0])])
def test_norm_gradients(ord_, axis):
    x = np.array([[1.3, -2.1, 0.7], [3.2, 0.4, -1.1]])
    assert_grads(lambda a: tf.norm(a, ord=ord_, axis=axis), x)


def test_svd_qr_eigh_follow_tensorflow_conventions():
    s, u, v = tf.linalg.svd(M)
    np.testing.assert_allclose(s.numpy(), [5.1166735, 1.9543954], rtol=1e-6)                 # TF
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ v.numpy().T, M.numpy(), atol=1e-5)  # v, not v^T
    q, r = tf.linalg.qr(M)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), M.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.abs(r.numpy()), [[3.1622777, 3.1622777], [0, 3.1622777]], rtol=1e-6)  # TF
    w, vecs = tf.linalg.eigh(tf.constant([[2., 1.], [1., 2.]]))
    np.testing.assert_allclose(w.numpy(), [1., 3.], rtol=1e-6)
    assert int(tf.linalg.matrix_rank(tf.constant([[1., 2.], [2., 4.]]))) == 1


def test_diagonals_bands_traces_matvec_and_global_norm():
    np.testing.assert_array_equal(tf.linalg.band_part(tf.ones((3, 3)), 1, 0).numpy(),
                                  [[1, 0, 0], [1, 1, 0], [0, 1, 1]])                                  # TF
    assert tf.linalg.trace(tf.ones((2, 3, 3))).numpy().tolist() == [3.0, 3.0]                       # TF
    assert tf.linalg.matvec(M, tf.constant([1., 1.])).numpy().tolist() == [-1.0, 7.0]               # TF
    assert float(tf.linalg.global_norm([tf.constant([3.]), tf.constant([4.])])) == 5.0              # TF
    d = tf.linalg.diag(tf.constant([[1., 2.], [3., 4.]]))
    assert d.shape == (2, 2, 2) and d.numpy()[1].tolist() == [[3, 0], [0, 4]]
    assert tf.linalg.diag_part(d).numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.linalg.set_diag(tf.ones((2, 2)), tf.constant([5., 6.])).numpy().tolist() == [[5, 1], [1, 6]]
    x = np.random.default_rng(2).normal(size=(2, 3, 3))
    for fn in (tf.linalg.diag_part, tf.linalg.trace, lambda a: tf.linalg.band_part(a, 0, 1),
               lambda a: tf.linalg.diag(a[..., 0]), tf.linalg.adjoint,
               lambda a: tf.linalg.matvec(a, a[:, 0]), lambda a: tf.linalg.cross(a[..., 0], a[..., 1])):
        assert_grads(fn, x)
    np.testing.assert_allclose(tf.linalg.cross(tf.constant([1., 0., 0.]), tf.constant([0., 1., 0.])).numpy(),
                               [0, 0, 1])


def test_triangular_and_cholesky_solve():
    rng = np.random.default_rng(3)
    a, b = spd(rng, (), 3), rng.normal(size=(3, 2))
    chol = tf.linalg.cholesky(a)
    np.testing.assert_allclose(tf.linalg.cholesky_solve(chol, b).numpy(), np.linalg.solve(a, b), rtol=1e-9)
    low = np.tril(a)
    np.testing.assert_allclose(tf.linalg.triangular_solve(a, b).numpy(), np.linalg.solve(low, b), rtol=1e-9)
