"""MatMul (chainrule/ops/linalg.py): values, batched broadcasting, transpose flags, gradients, errors."""
import numpy as np
import pytest

import chainrule
from chainrule import ops
from chainrule.testing import check_gradients

TOL = 1e-6


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)


def test_matmul_by_hand():
    m = ops.MatMul()
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[5.0, 6.0], [7.0, 8.0]])
    np.testing.assert_array_equal(m.forward(a, b), [[19.0, 22.0], [43.0, 50.0]])
    da, db = m.backward(np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_array_equal(da, [[5.0, 7.0], [6.0, 8.0]])     # dout @ b.T
    np.testing.assert_array_equal(db, [[1.0, 3.0], [2.0, 4.0]])     # a.T @ dout


@pytest.mark.parametrize("ta, tb", [(False, True), (True, False), (True, True)])
def test_matmul_transpose_flags_by_hand(ta, tb):
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[5.0, 6.0], [7.0, 8.0]])
    A = a.T if ta else a
    B = b.T if tb else b
    m = ops.MatMul(transpose_a=ta, transpose_b=tb)
    np.testing.assert_array_equal(m.forward(a, b), A @ B)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    da, db = m.backward(dout)
    dA, dB = dout @ B.T, A.T @ dout
    np.testing.assert_array_equal(da, dA.T if ta else dA)
    np.testing.assert_array_equal(db, dB.T if tb else dB)


def test_seed_t_matmul_transpose_t():
    t = chainrule.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = t @ chainrule.transpose(t)
    assert out.dtype == chainrule.float32
    np.testing.assert_array_equal(out.numpy(), [[14.0, 32.0], [32.0, 77.0]])


def test_seed_neuron2_matmul_transpose_b():
    x = chainrule.constant([[1.0, 2.0, 3.0]])
    w = chainrule.constant([[0.5, -1.0, 2.0]])
    np.testing.assert_allclose(chainrule.matmul(x, w, transpose_b=True).numpy(), [[4.5]])


@pytest.mark.parametrize("sa, sb, ta, tb", [
    ((3, 4), (4, 2), False, False),
    ((2, 3, 4), (4, 5), False, False),          # batched a, shared b
    ((4, 5), (2, 5, 3), False, False),          # shared a, batched b
    ((2, 1, 3, 4), (1, 3, 4, 2), False, False),  # batch axes broadcast both ways
    ((2, 4, 3), (2, 5, 4), True, True),
    ((4, 3), (2, 4, 5), True, False),
    ((2, 3, 4), (5, 4), False, True),
])
def test_matmul_gradients(rng, sa, sb, ta, tb):
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    assert_grads(lambda p, q: chainrule.matmul(p, q, transpose_a=ta, transpose_b=tb), a, b)


def test_matmul_broadcast_gradient_shapes_are_the_input_shapes():
    a = chainrule.constant(np.ones((2, 3, 4)))
    b = chainrule.constant(np.ones((4, 5)))
    with chainrule.GradientTape() as tape:
        tape.watch([a, b])
        y = a @ b
    assert y.shape == (2, 3, 5)
    ga, gb = tape.gradient(y, [a, b])
    assert ga.shape == (2, 3, 4) and gb.shape == (4, 5)
    np.testing.assert_array_equal(gb.numpy(), np.full((4, 5), 6.0))   # summed over the batch of 2 x 3 rows


def test_matmul_rejects_vectors_with_a_helpful_message():
    with pytest.raises(ValueError, match=r"rank >= 2.*\(3,\)"):
        chainrule.matmul(chainrule.ones((3,)), chainrule.ones((3, 2)))


def test_matmul_inner_dimension_mismatch_names_the_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4, 5\)"):
        chainrule.matmul(chainrule.ones((2, 3)), chainrule.ones((4, 5)))


def test_matmul_of_int32_stays_int32():
    out = chainrule.constant([[1, 2]]) @ chainrule.constant([[3], [4]])
    assert out.dtype == chainrule.int32
    assert out.numpy()[0, 0] == 11
