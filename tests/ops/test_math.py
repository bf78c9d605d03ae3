"""Element-wise ops (chainrule/ops/math.py): by hand, as the seed uses them, and through the tape.

Gradient checks go through the public functions and operators so that the
GradientTape (and its broadcast undoing, ``sum_to``) is exercised. Inputs are
kept away from kinks (abs, max, min, clip) and singularities (log, sqrt, div).
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import chainrule
from chainrule import ops
from chainrule.ops import Add, Mul
from chainrule.testing import check_gradients

TOL = 1e-6


def signed(rng, shape, lo=0.5, hi=2.0):
    """Values with |v| in [lo, hi] and random signs (never near 0)."""
    return np.asarray(rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape), dtype=np.float64)


def positive(rng, shape, lo=0.5, hi=2.0):
    return np.asarray(rng.uniform(lo, hi, size=shape), dtype=np.float64)


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)
    return report


# ----------------------------------------------------------------------------- the seed, by hand

def test_seed_apple_example_mul_layers():
    apple, apple_cnt, tax = 100, 2, 1.1
    mul_apple_layer, mul_tax_layer = Mul(), Mul()

    apple_price = mul_apple_layer.forward(apple, apple_cnt)
    price = mul_tax_layer.forward(apple_price, tax)
    assert apple_price == 200
    assert price == pytest.approx(220)
    assert "{:.0f}".format(price) == "220"

    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_cnt = mul_apple_layer.backward(dapple_price)
    assert dapple_price == pytest.approx(1.1)
    assert dtax == 200
    assert dapple == pytest.approx(2.2)
    assert dapple_cnt == pytest.approx(110)
    assert "{:.1f}".format(dapple_cnt) == "110.0"


def test_seed_apple_orange_example_with_add_layer():
    apple, apple_cnt, orange, orange_cnt, tax = 100, 2, 150, 3, 1.1
    mul_apple_layer, mul_orange_layer, mul_tax_layer = Mul(), Mul(), Mul()
    add_apple_orange_layer = Add()

    apple_price = mul_apple_layer.forward(apple, apple_cnt)
    orange_price = mul_orange_layer.forward(orange, orange_cnt)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)
    assert all_price == 650
    assert price == pytest.approx(715)
    assert "{:.2f}".format(price) == "715.00"

    dall_price, dtax = mul_tax_layer.backward(1)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_cnt = mul_orange_layer.backward(dorange_price)
    dapple, dapple_cnt = mul_apple_layer.backward(dapple_price)
    assert dapple_cnt == pytest.approx(110)
    assert dapple == pytest.approx(2.2)
    assert dorange_cnt == pytest.approx(165)
    assert dorange == pytest.approx(3.3)
    assert dtax == 650
    assert "{:.2f}".format(dorange) == "3.30"


def test_seed_layer_names_are_the_same_classes():
    assert ops.MulLayer is Mul and ops.AddLayer is Add


def test_mul_backward_with_arrays_by_hand():
    m = Mul()
    out = m.forward(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(out, [3.0, 8.0])
    dx, dy = m.backward(np.array([10.0, 100.0]))
    np.testing.assert_array_equal(dx, [30.0, 400.0])
    np.testing.assert_array_equal(dy, [10.0, 200.0])


@pytest.mark.parametrize("op, inputs, out, dout, grads", [
    (ops.Sub, (5.0, 3.0), 2.0, 2.0, (2.0, -2.0)),
    (ops.Div, (6.0, 3.0), 2.0, 1.0, (1 / 3, -6.0 / 9.0)),
    (ops.Pow, (2.0, 3.0), 8.0, 1.0, (12.0, 8.0 * math.log(2.0))),
    (ops.Maximum, (np.array([1.0, 5.0, 2.0]), np.array([3.0, 4.0, 2.0])), [3.0, 5.0, 2.0],
     np.array([1.0, 1.0, 1.0]), ([0.0, 1.0, 1.0], [1.0, 0.0, 0.0])),   # tie -> x, as TensorFlow
    (ops.Minimum, (np.array([1.0, 5.0, 2.0]), np.array([3.0, 4.0, 2.0])), [1.0, 4.0, 2.0],
     np.array([1.0, 1.0, 1.0]), ([1.0, 0.0, 1.0], [0.0, 1.0, 0.0])),
])
def test_binary_ops_by_hand(op, inputs, out, dout, grads):
    o = op()
    np.testing.assert_allclose(o.forward(*inputs), out)
    got = o.backward(dout)
    assert len(got) == 2
    for g, expected in zip(got, grads):
        np.testing.assert_allclose(g, expected, rtol=1e-12)


@pytest.mark.parametrize("op, x, out, dout, grad", [
    (ops.Neg, np.array([1.0, -2.0]), [-1.0, 2.0], np.array([3.0, 4.0]), [-3.0, -4.0]),
    (ops.Square, np.array([3.0, -2.0]), [9.0, 4.0], np.array([1.0, 0.5]), [6.0, -2.0]),
    (ops.Sqrt, np.array([4.0, 9.0]), [2.0, 3.0], np.array([1.0, 6.0]), [0.25, 1.0]),
    (ops.Exp, np.array([0.0, 1.0]), [1.0, math.e], np.array([2.0, 1.0]), [2.0, math.e]),
    (ops.Log, np.array([math.e, 2.0]), [1.0, math.log(2.0)], np.array([1.0, 1.0]), [1 / math.e, 0.5]),
    (ops.Abs, np.array([-2.0, 0.0, 3.0]), [2.0, 0.0, 3.0], np.array([5.0, 5.0, 5.0]), [-5.0, 0.0, 5.0]),
])
def test_unary_ops_by_hand(op, x, out, dout, grad):
    o = op()
    np.testing.assert_allclose(o.forward(x), out, rtol=1e-12)
    np.testing.assert_allclose(o.backward(dout), grad, rtol=1e-12)


def test_where_by_hand_gives_no_gradient_to_condition():
    w = ops.Where()
    cond = np.array([True, False, True])
    np.testing.assert_array_equal(w.forward(cond, np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0, 30.0])),
                                  [1.0, 20.0, 3.0])
    dc, dx, dy = w.backward(np.array([1.0, 2.0, 3.0]))
    assert dc is None
    np.testing.assert_array_equal(dx, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(dy, [0.0, 2.0, 0.0])


def test_clip_gradient_passes_inside_range_including_the_bounds():
    c = ops.Clip(-1.0, 1.0)
    np.testing.assert_array_equal(c.forward(np.array([-2.0, -1.0, 0.5, 1.0, 3.0])), [-1.0, -1.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(c.backward(np.full(5, 2.0)), [0.0, 2.0, 2.0, 2.0, 0.0])


def test_floordiv_and_mod_follow_python_semantics_and_have_no_gradient():
    a = chainrule.constant([-7, 7, 7])
    b = chainrule.constant([3, 3, -3])
    np.testing.assert_array_equal((a // b).numpy(), [-3, 2, -3])
    np.testing.assert_array_equal((a % b).numpy(), [2, 1, -2])
    assert (a // b).dtype == chainrule.int32
    x = chainrule.constant([5.0, 7.5])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = x // 2.0
        z = x % 2.0
    assert tape.gradient([y, z], x) is None
    np.testing.assert_array_equal(y.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(z.numpy(), [1.0, 1.5])


# ----------------------------------------------------------------------------- gradients over broadcast shapes

SHAPES2 = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)
SEEDS = st.integers(0, 2**32 - 1)


def _kink_free_pair(rng, sa, sb):
    # |x| <= 1 and 1.5 <= |y| <= 2: x and y never tie, so max/min are smooth everywhere.
    return rng.uniform(-1.0, 1.0, size=sa), signed(rng, sb, 1.5, 2.0)


BINARY = {
    "add": (lambda a, b: chainrule.add(a, b), lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "operator+": (lambda a, b: a + b, lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "subtract": (lambda a, b: chainrule.subtract(a, b), lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "operator-": (lambda a, b: a - b, lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "multiply": (lambda a, b: chainrule.multiply(a, b), lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "operator*": (lambda a, b: a * b, lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "divide": (lambda a, b: chainrule.divide(a, b), lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "operator/": (lambda a, b: a / b, lambda r, sa, sb: (signed(r, sa), signed(r, sb))),
    "pow": (lambda a, b: chainrule.pow(a, b), lambda r, sa, sb: (positive(r, sa), signed(r, sb, 0.1, 2.0))),
    "operator**": (lambda a, b: a ** b, lambda r, sa, sb: (positive(r, sa), signed(r, sb, 0.1, 2.0))),
    "maximum": (lambda a, b: chainrule.maximum(a, b), _kink_free_pair),
    "minimum": (lambda a, b: chainrule.minimum(a, b), _kink_free_pair),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=25, deadline=None)
@given(shapes=SHAPES2, seed=SEEDS)
def test_binary_op_gradients_over_broadcast_shapes(name, shapes, seed):
    fn, make = BINARY[name]
    sa, sb = shapes.input_shapes
    a, b = make(np.random.default_rng(seed), sa, sb)
    assert_grads(fn, a, b)

    # The tape sums each gradient back to its input's shape and keeps the dtype.
    ta, tb = chainrule.constant(a), chainrule.constant(b)
    with chainrule.GradientTape() as tape:
        tape.watch([ta, tb])
        out = fn(ta, tb)
    assert out.shape == shapes.result_shape
    ga, gb = tape.gradient(out, [ta, tb])
    for g, s in ((ga, sa), (gb, sb)):
        assert g.dtype == chainrule.float64
        assert g.shape == s


@settings(max_examples=25, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, max_side=4), seed=SEEDS)
def test_where_gradients_over_broadcast_shapes(shapes, seed):
    rng = np.random.default_rng(seed)
    sc, sx, sy = shapes.input_shapes
    cond = rng.random(sc) < 0.5
    assert_grads(lambda x, y: chainrule.where(cond, x, y), signed(rng, sx), signed(rng, sy))


def test_pow_gradient_matches_closed_form_numbers():
    x = chainrule.constant([2.0, 3.0], dtype=chainrule.float64)
    y = chainrule.constant([3.0, 0.5], dtype=chainrule.float64)
    with chainrule.GradientTape() as tape:
        tape.watch([x, y])
        z = x ** y
    dx, dy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(dx.numpy(), [12.0, 0.5 / math.sqrt(3.0)])
    np.testing.assert_allclose(dy.numpy(), [8.0 * math.log(2.0), math.sqrt(3.0) * math.log(3.0)])


def test_pow_exponent_gradient_is_zero_where_base_is_not_positive():
    x = chainrule.constant([0.0, -2.0], dtype=chainrule.float64)
    y = chainrule.constant([2.0, 2.0], dtype=chainrule.float64)
    with chainrule.GradientTape() as tape:
        tape.watch(y)
        z = x ** y
    np.testing.assert_array_equal(tape.gradient(z, y).numpy(), [0.0, 0.0])


# ----------------------------------------------------------------------------- unary ops

UNARY = {
    "negative": (lambda a: chainrule.negative(a), signed),
    "operator-": (lambda a: -a, signed),
    "square": (lambda a: chainrule.square(a), signed),
    "sqrt": (lambda a: chainrule.sqrt(a), positive),
    "exp": (lambda a: chainrule.exp(a), signed),
    "log": (lambda a: chainrule.math.log(a), positive),
    "abs": (lambda a: chainrule.abs(a), signed),
    "operator abs": (lambda a: abs(a), signed),
    "clip_by_value": (lambda a: chainrule.clip_by_value(a, -1.0, 1.0),
                      lambda r, s: np.where(r.random(s) < 0.5, signed(r, s, 0.2, 0.8), signed(r, s, 1.2, 2.0))),
    "rsqrt": (lambda a: chainrule.math.rsqrt(a), positive),
    "pow by python int": (lambda a: a ** 3, signed),
}


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_gradients(name, shape, rng):
    fn, make = UNARY[name]
    assert_grads(fn, make(rng, shape))


def test_clip_gradient_is_zero_outside_and_one_inside():
    x = chainrule.constant([-3.0, -0.5, 0.5, 3.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.clip_by_value(x, -1.0, 1.0)
    np.testing.assert_array_equal(y.numpy(), [-1.0, -0.5, 0.5, 1.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 1.0, 1.0, 0.0])


def test_abs_gradient_is_zero_at_zero_like_tensorflow():
    x = chainrule.constant([-2.0, 0.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.abs(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [-1.0, 0.0, 1.0])


def test_maximum_against_python_number_broadcasts_and_routes_gradient():
    x = chainrule.constant([[-1.0, 2.0], [3.0, -4.0]])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = chainrule.maximum(x, 0.0)
    np.testing.assert_array_equal(y.numpy(), [[0.0, 2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [[0.0, 1.0], [1.0, 0.0]])
