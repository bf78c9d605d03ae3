"""Ops that move or select elements (chainrule/ops/shape.py): Reshape, Transpose, GetItem, Concat,
Stack, BroadcastTo, Cast, Identity."""
import numpy as np
import pytest

import chainrule
from chainrule import ops
from chainrule.testing import check_gradients

TOL = 1e-6


def assert_grads(fn, *inputs, **kwargs):
    report = check_gradients(fn, *inputs, **kwargs)
    assert report.max_error < TOL, str(report)


@pytest.fixture
def x(rng):
    return rng.standard_normal((3, 4, 2))


# ----------------------------------------------------------------------------- Reshape / Transpose

@pytest.mark.parametrize("shape", [(4, 6), (-1,), (2, -1, 3), (24, 1)])
def test_reshape_gradient(x, shape):
    # Multiplying by a fixed ramp makes every output position matter differently.
    ramp = np.arange(24.0).reshape(chainrule.reshape(np.zeros(24), shape).shape)
    assert_grads(lambda a: chainrule.reshape(a, shape) * ramp, x)


def test_reshape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        chainrule.reshape(chainrule.ones((2, 3)), (4, 2))


def test_reshape_by_hand_restores_input_shape():
    r = ops.Reshape((3, 2))
    assert r.forward(np.arange(6.0)).shape == (3, 2)
    assert r.backward(np.ones((3, 2))).shape == (6,)


@pytest.mark.parametrize("perm", [None, (2, 0, 1), (1, 0, 2), (0, 1, 2)])
def test_transpose_gradient(x, perm):
    assert_grads(lambda a: chainrule.transpose(a, perm=perm), x)


def test_transpose_default_reverses_axes_and_backward_inverts_perm():
    t = ops.Transpose()
    assert t.forward(np.zeros((2, 3, 4))).shape == (4, 3, 2)
    assert t.backward(np.zeros((4, 3, 2))).shape == (2, 3, 4)
    t = ops.Transpose((2, 0, 1))
    v = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(t.backward(t.forward(v)), v)


# ----------------------------------------------------------------------------- GetItem

KEYS = {
    "slice": lambda a: a[1:, ::2],
    "negative step": lambda a: a[::-1, -1],
    "int": lambda a: a[1],
    "int, int": lambda a: a[2, 3],
    "ellipsis": lambda a: a[..., 1],
    "ellipsis newaxis": lambda a: a[..., 1, chainrule.newaxis],
    "newaxis first": lambda a: a[None, :, 0],
    "repeated int array": lambda a: a[[0, 0, 2, 0]],
    "repeated int tensor": lambda a: a[chainrule.constant([2, 2, 1])],
    "int arrays pairwise": lambda a: a[[0, 1, 0], [3, 3, 3]],
    "slice + int array": lambda a: a[1:, [0, 0, 3]],
    "boolean numpy mask": lambda a: a[np.array([True, False, True])],
    "boolean mask full": lambda a: a[np.arange(24).reshape(3, 4, 2) % 3 == 0],
    "boolean mask + slice": lambda a: a[np.array([True, False, True]), 1:],
    "boolean mask on axis 1": lambda a: a[:, np.array([True, False, True, True])],
    "boolean tensor mask": lambda a: a[chainrule.constant([False, True, True])],
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_getitem_gradient(x, name):
    assert_grads(KEYS[name], x)


def test_getitem_boolean_tensor_mask_from_comparison():
    a = np.array([[1.0, -1.0], [2.0, -3.0]])
    assert_grads(lambda t: t[t > 0] * 3.0, a)
    np.testing.assert_array_equal(chainrule.constant(a)[chainrule.constant(a) > 0].numpy(), [1.0, 2.0])


def test_getitem_repeated_indices_accumulate_by_hand():
    g = ops.GetItem(np.array([0, 0, 2, 0]))
    np.testing.assert_array_equal(g.forward(np.array([10.0, 20.0, 30.0])), [10.0, 10.0, 30.0, 10.0])
    np.testing.assert_array_equal(g.backward(np.array([1.0, 2.0, 3.0, 4.0])), [7.0, 0.0, 3.0])


def test_getitem_gradient_through_the_tape_with_repeats():
    x = chainrule.constant([1.0, 2.0, 3.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = x[[2, 2, 2, 0]]
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0, 0.0, 3.0])


def test_getitem_seed_value():
    t = chainrule.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    s = t[..., 1, chainrule.newaxis]
    assert s.shape == (2, 1)
    np.testing.assert_array_equal(s.numpy(), [[2.0], [5.0]])
    np.testing.assert_array_equal(t[:, 1:].numpy(), [[2.0, 3.0], [5.0, 6.0]])


# ----------------------------------------------------------------------------- Concat / Stack

@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_gradient(rng, axis):
    shapes = {0: [(1, 3), (2, 3), (3, 3)], 1: [(2, 1), (2, 4), (2, 2)], -1: [(2, 1), (2, 4), (2, 2)]}[axis]
    a, b, c = (rng.standard_normal(s) for s in shapes)
    assert_grads(lambda p, q, r: chainrule.concat([p, q * 2.0, r], axis=axis), a, b, c)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_gradient(rng, axis):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    assert_grads(lambda p, q: chainrule.stack([p, q * 3.0], axis=axis), a, b)


def test_concat_and_stack_by_hand():
    c = ops.Concat(axis=1)
    out = c.forward(np.ones((2, 1)), np.zeros((2, 3)))
    assert out.shape == (2, 4)
    da, db = c.backward(np.arange(8.0).reshape(2, 4))
    np.testing.assert_array_equal(da, [[0.0], [4.0]])
    np.testing.assert_array_equal(db, [[1.0, 2.0, 3.0], [5.0, 6.0, 7.0]])
    s = ops.Stack(axis=1)
    assert s.forward(np.zeros(3), np.ones(3)).shape == (3, 2)
    d0, d1 = s.backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(d0, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(d1, [1.0, 3.0, 5.0])


def test_concat_of_mixed_dtypes_is_rejected():
    with pytest.raises(chainrule.errors.InvalidArgumentError, match="float64"):
        chainrule.concat([chainrule.ones((1, 2)), chainrule.ones((1, 2), dtype=chainrule.float64)], axis=0)


# ----------------------------------------------------------------------------- BroadcastTo

@pytest.mark.parametrize("in_shape, out_shape", [((3, 1), (2, 3, 4)), ((), (2, 2)), ((4,), (3, 4)),
                                                 ((1, 1), (2, 3))])
def test_broadcast_to_gradient(rng, in_shape, out_shape):
    assert_grads(lambda a: chainrule.broadcast_to(a, out_shape), rng.standard_normal(in_shape))


def test_broadcast_to_gradient_sums_by_hand():
    x = chainrule.constant([[1.0], [2.0]])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.broadcast_to(x, (3, 2, 4))
    g = tape.gradient(y, x)
    assert g.shape == (2, 1)
    np.testing.assert_array_equal(g.numpy(), [[12.0], [12.0]])


# ----------------------------------------------------------------------------- Cast

def test_cast_float64_to_float32_gradient():
    # Dyadic inputs and a power-of-two eps are exact in float32, so the difference quotient is exact.
    values = np.arange(-4, 5) / 8.0
    assert_grads(lambda a: chainrule.cast(a, chainrule.float32), values, eps=2.0 ** -4)
    assert_grads(lambda a: chainrule.cast(chainrule.cast(a, chainrule.float32), chainrule.float64) * a,
                 values, eps=2.0 ** -4)


def test_cast_float32_to_float64_gradient_comes_back_float32():
    x = chainrule.constant([1.0, 2.0, 3.0])
    w = np.array([0.5, -1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.cast(x, chainrule.float64) * w
    assert y.dtype == chainrule.float64
    g = tape.gradient(y, x)
    assert g.dtype == chainrule.float32
    np.testing.assert_array_equal(g.numpy(), w.astype(np.float32))


def test_cast_float_to_int_truncates_and_the_int_path_carries_no_gradient():
    x = chainrule.constant([1.7, -1.7, 2.5])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.cast(x, chainrule.int32)
        z = chainrule.cast(y, chainrule.float32) * x
    np.testing.assert_array_equal(y.numpy(), [1, -1, 2])
    assert y.dtype == chainrule.int32
    np.testing.assert_array_equal(tape.gradient(z, x).numpy(), [1.0, -1.0, 2.0])


def test_cast_op_by_hand():
    c = ops.Cast(np.float32)
    out = c.forward(np.array([1.5, 2.5]))
    assert out.dtype == np.float32
    assert c.backward(np.ones(2, np.float32)).dtype == np.float64
    ci = ops.Cast(np.float32)
    ci.forward(np.array([1, 2]))
    assert ci.backward(np.ones(2, np.float32)) is None


def test_identity_copies_and_passes_gradient():
    i = ops.Identity()
    v = np.array([1.0, 2.0])
    out = i.forward(v)
    v[0] = 9.0
    np.testing.assert_array_equal(out, [1.0, 2.0])
    assert_grads(lambda a: chainrule.identity(a) * 2.0, np.array([0.5, -1.5]))
