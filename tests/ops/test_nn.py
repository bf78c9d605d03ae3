"""Neural-network primitives (chainrule/ops/nn.py): activations, Affine, the fused losses, Dropout,
BatchNorm. By hand as the seed uses them, and through the tape (gradient checks in float64)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes

import chainrule
from chainrule import ops
from chainrule.ops import Affine, ReLU, Sigmoid, SoftmaxWithLoss
from chainrule.tensor import apply_op
from chainrule.testing import check_gradients

TOL = 1e-6


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < TOL, str(report)


def signed(rng, shape, lo=0.5, hi=2.0):
    return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def ref_log_softmax(x):
    """Reference log-softmax, written independently of chainrule (logsumexp with a max shift)."""
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


# ----------------------------------------------------------------------------- ReLU (the seed's example)

def test_seed_relu_forward_mask_and_backward():
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    relu = ReLU()
    np.testing.assert_array_equal(relu.forward(x), [[1.0, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(relu.mask, [[False, True], [True, False]])
    dx = np.array([[-0.1, 3.0], [1.3, -1.8]])
    before = dx.copy()
    np.testing.assert_array_equal(relu.backward(dx), [[-0.1, 0.0], [0.0, -1.8]])
    np.testing.assert_array_equal(dx, before)   # unlike the seed, dout is not written into
    np.testing.assert_array_equal(x, [[1.0, -0.5], [-2.0, 3.0]])


def test_relu_does_not_modify_its_input():
    x = np.array([-1.0, 2.0])
    ReLU().forward(x)
    np.testing.assert_array_equal(x, [-1.0, 2.0])


# ----------------------------------------------------------------------------- Sigmoid

def test_sigmoid_forward_and_backward_is_dout_y_1_minus_y():
    s = Sigmoid()
    y = s.forward(np.array([0.0, math.log(3.0), -math.log(3.0)]))
    np.testing.assert_allclose(y, [0.5, 0.75, 0.25], rtol=1e-12)
    np.testing.assert_allclose(s.out, y)
    # y(1-y) = 0.25, 0.1875, 0.1875
    np.testing.assert_allclose(s.backward(np.array([2.0, 4.0, -1.0])), [0.5, 0.75, -0.1875], rtol=1e-12)


def test_sigmoid_does_not_overflow_at_plus_minus_1000():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = Sigmoid().forward(np.array([-1000.0, 1000.0], dtype=np.float32))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [0.0, 1.0])


# ----------------------------------------------------------------------------- small activations by hand

@pytest.mark.parametrize("op, x, out, grad", [
    (ops.LeakyReLU(), [-1.0, 2.0], [-0.2, 2.0], [0.2, 1.0]),
    (ops.LeakyReLU(0.1), [-3.0, 0.5], [-0.3, 0.5], [0.1, 1.0]),
    (ops.ELU(), [-1.0, 2.0], [math.exp(-1) - 1, 2.0], [math.exp(-1), 1.0]),
    (ops.Tanh(), [0.0, 0.5], [0.0, math.tanh(0.5)], [1.0, 1 - math.tanh(0.5) ** 2]),
    (ops.Step(), [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]),
])
def test_activation_ops_by_hand(op, x, out, grad):
    np.testing.assert_allclose(op.forward(np.array(x)), out, rtol=1e-12)
    np.testing.assert_allclose(op.backward(np.ones(len(x))), grad, rtol=1e-12)


def test_step_of_integers_gives_int32_and_its_gradient_is_zero_not_none():
    assert ops.Step().forward(np.array([-2, 3])).dtype == np.int32
    x = chainrule.constant([-1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = apply_op(ops.Step(), x)
    np.testing.assert_array_equal(y.numpy(), [0.0, 1.0])
    g = tape.gradient(y, x)
    assert g is not None
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0])


def test_softmax_and_log_softmax_by_hand():
    s = ops.Softmax()
    y = s.forward(np.array([[0.0, math.log(3.0)]]))
    np.testing.assert_allclose(y, [[0.25, 0.75]])
    # y * (dout - sum(dout * y)) with dout = [1, 0]: [0.25 * 0.75, 0.75 * -0.25]
    np.testing.assert_allclose(s.backward(np.array([[1.0, 0.0]])), [[0.1875, -0.1875]])
    ls = ops.LogSoftmax()
    np.testing.assert_allclose(ls.forward(np.array([[0.0, math.log(3.0)]])), [[math.log(0.25), math.log(0.75)]])
    np.testing.assert_allclose(ls.backward(np.array([[1.0, 0.0]])), [[0.75, -0.75]])


# ----------------------------------------------------------------------------- Affine

def test_affine_forward_and_backward_by_hand():
    a = Affine()
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
    b = np.array([0.5, -0.5, 0.0])
    np.testing.assert_allclose(a.forward(x, W, b), [[5.5, 1.5, 0.0]])
    dx, dW, db = a.backward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(dx, [[-2.0, 5.5]])
    np.testing.assert_allclose(dW, [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    np.testing.assert_allclose(db, [1.0, 2.0, 3.0])
    assert a.dW is dW and a.db is db   # kept on the op, as the seed reads them


def test_affine_nd_input_shapes_and_values(rng):
    x, W, b = rng.standard_normal((4, 3, 5)), rng.standard_normal((5, 2)), rng.standard_normal(2)
    a = Affine()
    out = a.forward(x, W, b)
    assert out.shape == (4, 3, 2)
    np.testing.assert_allclose(out, np.einsum("abi,ij->abj", x, W) + b)
    dout = rng.standard_normal((4, 3, 2))
    dx, dW, db = a.backward(dout)
    assert (dx.shape, dW.shape, db.shape) == ((4, 3, 5), (5, 2), (2,))
    np.testing.assert_allclose(dx, np.einsum("abj,ij->abi", dout, W))
    np.testing.assert_allclose(dW, np.einsum("abi,abj->ij", x, dout))
    np.testing.assert_allclose(db, dout.sum(axis=(0, 1)))


def test_affine_feature_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"Affine.*\(2, 4\).*\(3, 5\)"):
        Affine().forward(np.ones((2, 4)), np.ones((3, 5)), np.zeros(5))


@pytest.mark.parametrize("x_shape", [(4, 5), (4, 3, 5), (5,)])
def test_affine_gradients(rng, x_shape):
    assert_grads(lambda x, W, b: apply_op(Affine(), x, W, b),
                 rng.standard_normal(x_shape), rng.standard_normal((5, 2)), rng.standard_normal(2))


def test_affine_gradient_with_a_row_bias(rng):
    assert_grads(lambda x, W, b: apply_op(Affine(), x, W, b),
                 rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal((1, 3)))


# ----------------------------------------------------------------------------- SoftmaxWithLoss

LOGITS = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [-2.0, 0.5, 4.0], [0.3, -0.7, 0.1]])
LABELS = np.array([2, 0, 1, 1])
ONE_HOT = np.eye(3)[LABELS]


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_with_loss_tiny_known_numbers():
    op = SoftmaxWithLoss()
    assert op.forward(np.array([[0.0, 0.0]]), np.array([0])) == pytest.approx(math.log(2.0))
    op = SoftmaxWithLoss()
    assert op.forward(np.array([[0.0, math.log(3.0)]]), np.array([1])) == pytest.approx(math.log(4.0 / 3.0))
    dx, dt = op.backward()
    np.testing.assert_allclose(dx, [[0.25, -0.25]])
    assert dt is None


@pytest.mark.parametrize("labels", [LABELS, ONE_HOT, LABELS[:, None]], ids=["int", "one-hot", "int (N, 1)"])
def test_softmax_with_loss_mean_equals_numpy_cross_entropy(labels):
    op = SoftmaxWithLoss()
    loss = op.forward(LOGITS, labels)
    expected = -np.mean(ref_log_softmax(LOGITS)[np.arange(4), LABELS])
    assert loss == pytest.approx(expected, rel=1e-12)
    dx, dt = op.backward(1)
    assert dt is None
    np.testing.assert_allclose(dx, (_softmax(LOGITS) - ONE_HOT) / 4, rtol=1e-12, atol=1e-15)


def test_softmax_with_loss_seed_style_backward_default_dout():
    op = SoftmaxWithLoss()
    op.forward(LOGITS, LABELS)
    np.testing.assert_allclose(op.backward()[0], (_softmax(LOGITS) - ONE_HOT) / 4)


def test_softmax_with_loss_reduction_none_and_sum():
    per_sample = -ref_log_softmax(LOGITS)[np.arange(4), LABELS]
    op = SoftmaxWithLoss(reduction="none")
    np.testing.assert_allclose(op.forward(LOGITS, LABELS), per_sample, rtol=1e-12)
    dout = np.array([1.0, 2.0, 0.0, -1.0])
    np.testing.assert_allclose(op.backward(dout)[0], (_softmax(LOGITS) - ONE_HOT) * dout[:, None], atol=1e-15)
    op = SoftmaxWithLoss(reduction="sum")
    assert op.forward(LOGITS, ONE_HOT) == pytest.approx(per_sample.sum(), rel=1e-12)
    np.testing.assert_allclose(op.backward(2.0)[0], 2.0 * (_softmax(LOGITS) - ONE_HOT), atol=1e-15)


def test_softmax_with_loss_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        SoftmaxWithLoss(reduction="avg")


def test_softmax_with_loss_float32_stays_float32():
    op = SoftmaxWithLoss()
    loss = op.forward(LOGITS.astype(np.float32), LABELS)
    assert np.asarray(loss).dtype == np.float32
    assert op.backward()[0].dtype == np.float32


def test_softmax_with_loss_is_finite_for_logits_of_1000():
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    op = SoftmaxWithLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = op.forward(logits, np.array([1, 1]))
        dx, _ = op.backward()
    assert loss == pytest.approx(1000.0)      # per sample: 2000 and 0
    np.testing.assert_allclose(dx, [[0.5, -0.5], [0.0, 0.0]])
    assert np.all(np.isfinite(dx))


@pytest.mark.parametrize("one_hot", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_with_loss_given_probs_matches_its_own_softmax(rng, one_hot, dtype):
    """A caller's softmax(logits) is reused: the same gradient bit for bit, the same loss to rounding,
    and no exp of the logits."""
    logits = rng.normal(scale=4.0, size=(6, 2, 5)).astype(dtype)
    labels = np.eye(5, dtype=dtype)[rng.integers(0, 5, (6, 2))] if one_hot else rng.integers(0, 5, (6, 2))
    own, reusing = SoftmaxWithLoss(), SoftmaxWithLoss()
    expected = own.forward(logits, labels)
    probs = ops.nn.softmax(logits)
    got = reusing.forward(logits, labels, probs)
    assert got.dtype == dtype and got == pytest.approx(expected, rel=4 * float(np.finfo(dtype).eps))
    dx, dt, dp = reusing.backward()
    assert dt is None and dp is None
    np.testing.assert_array_equal(dx, own.backward()[0])
    np.testing.assert_array_equal(probs, ops.nn.softmax(logits))  # the caller's probabilities are not written


def test_softmax_with_loss_given_probs_is_finite_for_logits_of_1000():
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    op = SoftmaxWithLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = op.forward(logits, np.array([1, 1]), ops.nn.softmax(logits))
        dx, _, _ = op.backward()
    assert loss == pytest.approx(1000.0)
    np.testing.assert_allclose(dx, [[0.5, -0.5], [0.0, 0.0]])


def test_softmax_with_loss_given_probs_of_another_shape_raise():
    with pytest.raises(ValueError, match=r"probs of shape \(4, 2\).*logits of shape \(4, 3\)"):
        SoftmaxWithLoss().forward(LOGITS, LABELS, np.full((4, 2), 0.5))


def test_softmax_with_loss_given_probs_through_the_tape_gives_probs_no_gradient():
    x = chainrule.constant(LOGITS)
    probs = chainrule.constant(ops.nn.softmax(LOGITS))
    with chainrule.GradientTape() as tape:
        tape.watch([x, probs])
        loss = apply_op(SoftmaxWithLoss(), x, chainrule.constant(LABELS), probs)
    dx, dp = tape.gradient(loss, [x, probs])
    np.testing.assert_allclose(dx.numpy(), (_softmax(LOGITS) - ONE_HOT) / 4, atol=1e-15)
    assert dp is None


@pytest.mark.parametrize("bad", [3, -1, 7])
def test_softmax_with_loss_out_of_range_label_raises(bad):
    with pytest.raises(ValueError, match=rf"label {bad}\b.*\b3 classes"):
        SoftmaxWithLoss().forward(LOGITS, np.array([0, bad, 1, 2]))


def test_softmax_with_loss_labels_of_the_wrong_shape_raise():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4, 3\)"):
        SoftmaxWithLoss().forward(LOGITS, np.array([0, 1, 2]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_with_loss_gradients_integer_labels(rng, reduction):
    labels = np.array([0, 2, 1, 2, 2])
    assert_grads(lambda x, t: apply_op(SoftmaxWithLoss(reduction), x, t), signed(rng, (5, 3)), labels)


def test_softmax_with_loss_gradients_one_hot_labels_nd_logits(rng):
    t = chainrule.constant(np.eye(4)[rng.integers(0, 4, size=(2, 3))])
    assert_grads(lambda x: apply_op(SoftmaxWithLoss(), x, t), signed(rng, (2, 3, 4)))


def test_softmax_with_loss_through_the_tape_is_y_minus_t_over_n():
    x = chainrule.constant(LOGITS)
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        loss = apply_op(SoftmaxWithLoss(), x, chainrule.constant(LABELS))
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), (_softmax(LOGITS) - ONE_HOT) / 4, atol=1e-15)


# ----------------------------------------------------------------------------- SigmoidBinaryCrossEntropy

def test_sigmoid_bce_by_hand():
    op = ops.SigmoidBinaryCrossEntropy()
    assert op.forward(np.array([0.0, 0.0]), np.array([1.0, 0.0])) == pytest.approx(math.log(2.0))
    dx, dt = op.backward()
    np.testing.assert_allclose(dx, [-0.25, 0.25])
    np.testing.assert_allclose(dt, [0.0, 0.0])  # -x / size: the labels are differentiable, as in TensorFlow
    op = ops.SigmoidBinaryCrossEntropy(reduction="none")
    x = np.array([2.0, -1.0, 0.5])
    t = np.array([1.0, 0.0, 0.3])
    p = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(op.forward(x, t), -(t * np.log(p) + (1 - t) * np.log(1 - p)), rtol=1e-12)
    op = ops.SigmoidBinaryCrossEntropy(reduction="sum")
    assert op.forward(x, t) == pytest.approx(np.sum(-(t * np.log(p) + (1 - t) * np.log(1 - p))))
    np.testing.assert_allclose(op.backward(1.0)[0], p - t)


def test_sigmoid_bce_is_finite_at_1000():
    op = ops.SigmoidBinaryCrossEntropy(reduction="none")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = op.forward(np.array([-1000.0, -1000.0, 1000.0, 1000.0]), np.array([0.0, 1.0, 1.0, 0.0]))
        dx, _ = op.backward(np.ones(4))
    np.testing.assert_allclose(loss, [0.0, 1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(dx, [0.0, -1.0, 0.0, 1.0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_sigmoid_bce_gradients(rng, reduction):
    t = chainrule.constant(rng.uniform(0, 1, size=(3, 4)))
    assert_grads(lambda x: apply_op(ops.SigmoidBinaryCrossEntropy(reduction), x, t), signed(rng, (3, 4)))
    x = chainrule.constant(signed(rng, (3, 4)))
    assert_grads(lambda labels: apply_op(ops.SigmoidBinaryCrossEntropy(reduction), x, labels),
                 rng.uniform(0, 1, size=(3, 4)))


# ----------------------------------------------------------------------------- Dropout

def test_dropout_by_hand_mask_scaling_and_backward():
    d = ops.Dropout(0.5, seed=7)
    x = np.ones((50, 40))
    out = d.forward(x)
    assert set(np.unique(out)) == {0.0, 2.0}
    np.testing.assert_array_equal(d.backward(np.full((50, 40), 3.0)), 3.0 * out)
    again = ops.Dropout(0.5, seed=7).forward(x)
    np.testing.assert_array_equal(out, again)
    other = ops.Dropout(0.5, seed=8).forward(x)
    assert not np.array_equal(out, other)


def test_dropout_rate_zero_is_identity_and_rate_one_is_rejected():
    x = np.array([1.0, 2.0])
    d = ops.Dropout(0.0)
    np.testing.assert_array_equal(d.forward(x), x)
    np.testing.assert_array_equal(d.backward(np.array([3.0, 4.0])), [3.0, 4.0])
    with pytest.raises(ValueError, match="rate"):
        ops.Dropout(1.0)


def test_dropout_gradient(rng):
    # a fresh op with a seed draws the same mask every call (the check evaluates it many times); tf.nn.dropout's
    # seed continues its stream instead, as TensorFlow's
    assert_grads(lambda a: apply_op(ops.Dropout(0.4, seed=3), a), signed(rng, (6, 5)))


def reference_dropout(x, rate, rng, noise_shape=None):
    """Dropout's formula with the mask drawn through rng.random (as before ops.nn.keep_mask)."""
    shape = x.shape if noise_shape is None else tuple(n if s is None else s for n, s in zip(x.shape, noise_shape))
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    keep = rng.random(shape, dtype=np.float32 if dtype != np.float64 else np.float64) >= rate
    mask = keep.astype(dtype) * dtype.type(1.0 / (1.0 - rate))
    return x * mask, mask


BIT_GENERATORS = [np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.SFC64]


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS, ids=lambda b: b.__name__)
@pytest.mark.parametrize("shape", [(512, 256), (513, 255), (4, 3)])  # (4, 3): too few for the raw words
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.7, np.float64(0.7), np.float32(0.3), 1e-9, 1 - 2.0**-23])
def test_dropout_is_bit_identical_to_the_reference_and_leaves_the_generator_as_it(bit_generator, shape, rate):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    for pending_half in (False, True):  # a float32 draw of odd size leaves half a PCG64 output pending
        mine, theirs = np.random.Generator(bit_generator(5)), np.random.Generator(bit_generator(5))
        if pending_half:
            mine.random(1, dtype=np.float32), theirs.random(1, dtype=np.float32)
        op = ops.Dropout(rate, rng=mine)
        out = op.forward(x)
        expected, mask = reference_dropout(x, rate, theirs)
        assert out.dtype == expected.dtype and op.mask.dtype == mask.dtype
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(op.mask, mask)
        np.testing.assert_array_equal(mine.random(7, dtype=np.float32), theirs.random(7, dtype=np.float32))
        assert mine.random() == theirs.random()


@pytest.mark.parametrize("rate", [0.2, 0.7, np.float64(0.7), np.float32(0.7), 0.1, 1e-9, 0.5 - 2.0**-30,
                                  1 - 2.0**-23])
def test_dropout_raw_word_threshold_agrees_with_the_float_comparison_at_its_edge(rate):
    from chainrule.ops.nn import _lowest_kept_word
    lowest = int(_lowest_kept_word(rate))
    words = np.array([w for w in range(lowest - 257, lowest + 258) if 0 <= w < 2**32], dtype=np.uint32)
    uniforms = np.ldexp((words >> 8).astype(np.float32), -24)  # numpy's float32 uniform of a 32-bit word
    np.testing.assert_array_equal(words >= lowest, uniforms >= rate)
    assert (uniforms >= rate).any() and not (uniforms >= rate).all()


@pytest.mark.parametrize("above", [False, True])
def test_dropout_keeps_a_draw_equal_to_the_rate_and_drops_one_just_below(above):
    x = np.ones((512, 256), np.float32)
    word = np.random.PCG64(5).random_raw(x.size // 2).view(np.uint32)[1234]
    rate = float(np.ldexp(np.float32(word >> 8), -24))  # draw 1234's own value (exact in float32)
    if above:
        rate = float(np.nextafter(np.float32(rate), np.float32(1)))
    out = ops.Dropout(rate, rng=np.random.Generator(np.random.PCG64(5))).forward(x)
    expected, _ = reference_dropout(x, rate, np.random.Generator(np.random.PCG64(5)))
    assert (out.reshape(-1)[1234] == 0) == above
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
@pytest.mark.parametrize("shape, noise_shape", [((400, 300), None), ((400, 300), (None, 1)), ((400, 300), (1, 300)),
                                                ((2, 20000, 8), (None, None, 1)), ((20, 30), None)])
def test_dropout_dtypes_and_noise_shapes_match_the_reference(dtype, shape, noise_shape):
    x = (np.random.default_rng(2).standard_normal(shape) * 4).astype(dtype)
    op = ops.Dropout(0.3, noise_shape=noise_shape, rng=np.random.default_rng(9))
    out = op.forward(x)
    expected, mask = reference_dropout(x, 0.3, np.random.default_rng(9), noise_shape)
    assert out.dtype == expected.dtype and out.shape == x.shape
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(op.mask, mask)
    dout = np.random.default_rng(3).standard_normal(x.shape).astype(out.dtype)
    np.testing.assert_array_equal(op.backward(dout), dout * mask)


def test_dropout_mask_statistics_and_backward_is_the_same_multiplier():
    x = np.random.default_rng(4).standard_normal((1024, 512)).astype(np.float32)
    op = ops.Dropout(0.2, rng=np.random.default_rng(0))
    out = op.forward(x)
    mask = op.mask.copy()
    assert set(np.unique(mask)) == {np.float32(0), np.float32(1.25)}
    assert abs(np.mean(mask == 0) - 0.2) < 0.003  # 524,288 draws: 5 standard deviations is 0.0028
    np.testing.assert_array_equal(out, x * mask)
    dout = np.random.default_rng(5).standard_normal(x.shape).astype(np.float32)
    np.testing.assert_array_equal(op.backward(dout), dout * mask)
    np.testing.assert_array_equal(op.backward(np.float32(2)), 2 * mask)  # a scalar gradient, numpy's rules
    assert not np.array_equal(op.forward(x), out)  # a new mask each call


@pytest.mark.parametrize("shape", [(3, 4096, 5), (8191,), (8192,), (1, 1, 8193)])
@pytest.mark.parametrize("drawn", [np.float32, np.float64])
def test_keep_mask_is_rng_random_compared_with_the_rate(shape, drawn):
    from chainrule.ops.nn import keep_mask
    for pending_half in (False, True):
        mine, theirs = np.random.default_rng(11), np.random.default_rng(11)
        if pending_half:
            mine.random(3, dtype=np.float32), theirs.random(3, dtype=np.float32)
        keep = keep_mask(mine, shape, 0.35, drawn)
        assert keep.dtype == bool and keep.shape == shape
        np.testing.assert_array_equal(keep, theirs.random(shape, dtype=drawn) >= 0.35)
        np.testing.assert_array_equal(mine.random(5, dtype=np.float32), theirs.random(5, dtype=np.float32))


def test_alpha_dropout_draws_the_same_mask_as_rng_random():
    x = np.random.default_rng(6).standard_normal((300, 200)).astype(np.float32)
    out = ops.AlphaDropout(0.1, rng=np.random.default_rng(2)).forward(x)
    rate, alpha_p = 0.1, ops.noise.SELU_ALPHA_P
    keep = np.random.default_rng(2).random(x.shape, dtype=np.float32) >= rate
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    offset = np.where(keep, np.float32(b), np.float32(a * alpha_p + b))
    expected = x * (keep.astype(np.float32) * np.float32(a)) + offset
    np.testing.assert_array_equal(out, expected.astype(np.float32))


# ----------------------------------------------------------------------------- BatchNorm

def test_batchnorm_normalizes_per_channel(rng):
    x = rng.normal(3.0, 2.0, size=(64, 3))
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 4.0])
    bn = ops.BatchNorm(axis=-1, epsilon=1e-3)
    out = bn.forward(x, gamma, beta)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    var = x.var(axis=0)
    np.testing.assert_allclose(out.std(axis=0), gamma * np.sqrt(var / (var + 1e-3)), rtol=1e-10)
    np.testing.assert_allclose(bn.mean.ravel(), x.mean(axis=0))
    np.testing.assert_allclose(bn.var.ravel(), var)
    dx, dgamma, dbeta = bn.backward(np.ones_like(x))
    assert dgamma.shape == (3,) and dbeta.shape == (3,)
    np.testing.assert_allclose(dbeta, [64.0, 64.0, 64.0])
    np.testing.assert_allclose(dx, 0.0, atol=1e-12)   # a constant shift of the output does not depend on x


def test_batchnorm_axis_1_on_4d_normalizes_channels(rng):
    x = rng.normal(1.0, 3.0, size=(2, 3, 4, 5))
    out = ops.BatchNorm(axis=1, epsilon=0.0).forward(x, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1.0, rtol=1e-10)


@pytest.mark.parametrize("shape, axis", [((5, 3), -1), ((2, 3, 2, 2), 1), ((4, 2, 3), -1)])
def test_batchnorm_gradients(rng, shape, axis):
    c = shape[axis]
    assert_grads(lambda x, g, b: apply_op(ops.BatchNorm(axis=axis), x, g, b),
                 signed(rng, shape), signed(rng, (c,)), signed(rng, (c,)))


# ----------------------------------------------------------------------------- activations through the tape

ACTIVATIONS = {
    "relu": lambda a: chainrule.nn.relu(a),
    "leaky_relu": lambda a: chainrule.nn.leaky_relu(a),
    "leaky_relu 0.05": lambda a: chainrule.nn.leaky_relu(a, alpha=0.05),
    "elu": lambda a: chainrule.nn.elu(a),
    "sigmoid": lambda a: chainrule.nn.sigmoid(a),
    "chainrule.sigmoid": lambda a: chainrule.sigmoid(a),
    "tanh": lambda a: chainrule.nn.tanh(a),
    "softmax": lambda a: chainrule.nn.softmax(a),
    "softmax axis 0": lambda a: chainrule.nn.softmax(a, axis=0),
    "math.softmax": lambda a: chainrule.math.softmax(a),
    "log_softmax": lambda a: chainrule.nn.log_softmax(a),
    "log_softmax axis 1": lambda a: chainrule.nn.log_softmax(a, axis=1),
    "step": lambda a: apply_op(ops.Step(), a),
    "sparse_softmax_cross_entropy_with_logits":
        lambda a: chainrule.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0, 3, 1], [2, 2, 0]], logits=a),
    "softmax_cross_entropy_with_logits":
        lambda a: chainrule.nn.softmax_cross_entropy_with_logits(
            labels=np.full((2, 3, 4), 0.25) * np.arange(1, 5) / 2.5, logits=a),
    "sigmoid_cross_entropy_with_logits":
        lambda a: chainrule.nn.sigmoid_cross_entropy_with_logits(labels=np.linspace(0, 1, 24).reshape(2, 3, 4),
                                                                 logits=a),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(rng, name):
    assert_grads(ACTIVATIONS[name], signed(rng, (2, 3, 4)))


# ----------------------------------------------------------------------------- Softplus and GELU (and their numerics)

@pytest.mark.parametrize("z", [-6.0, -2.5, -2.0, -1.0, -1e-3, 0.0, 0.3, 1.5, 1.999, 2.0, 2.7, 5.0, 10.0, 27.0])
def test_erfc_and_ndtr_match_the_standard_library(z):
    assert ops.nn.erfc(np.array([z]))[0] == pytest.approx(math.erfc(z), rel=1e-13, abs=1e-300)
    assert ops.nn.ndtr(np.array([z]))[0] == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2.0)), rel=1e-13)


def test_softplus_and_gelu_by_hand():
    x = np.array([-2.0, 0.0, 1.5])
    softplus = ops.Softplus()
    np.testing.assert_allclose(softplus.forward(x), np.log1p(np.exp(x)), rtol=1e-14)
    np.testing.assert_allclose(softplus.backward(np.array([1.0, 2.0, -1.0])),
                               [1 / (1 + math.exp(2.0)), 1.0, -1 / (1 + math.exp(-1.5))], rtol=1e-14)
    gelu = ops.GELU()
    phi = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    np.testing.assert_allclose(gelu.forward(x), x * phi, rtol=1e-13)
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(gelu.backward(np.array([1.0, 1.0, 3.0])), [1.0, 1.0, 3.0] * (phi + x * pdf),
                               rtol=1e-13)


def test_softplus_and_gelu_are_finite_at_plus_minus_1000_and_keep_float32():
    x = np.array([-1000.0, 1000.0], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        sp = ops.Softplus().forward(x)
        ge = ops.GELU().forward(x)
    assert sp.dtype == ge.dtype == np.float32
    np.testing.assert_array_equal(sp, [0.0, 1000.0])
    np.testing.assert_array_equal(ge, [-0.0, 1000.0])


@pytest.mark.parametrize("op", [ops.Softplus, ops.GELU], ids=["Softplus", "GELU"])
@settings(max_examples=20, deadline=None)
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=4), seed=st.integers(0, 2**32 - 1))
def test_softplus_and_gelu_gradients_over_shapes(op, shape, seed):
    x = signed(np.random.default_rng(seed), shape, 0.05, 3.0)
    assert_grads(lambda a: apply_op(op(), a), x)


# ----------------------------------------------------------------------------- PReLU

def test_prelu_by_hand_forward_and_both_gradients():
    x = np.array([[-2.0, 0.0, 3.0], [-1.0, 4.0, -0.5]])
    alpha = np.array([0.1, 0.2, 0.3])
    op = ops.PReLU()
    np.testing.assert_allclose(op.forward(x, alpha), [[-0.2, 0.0, 3.0], [-0.1, 4.0, -0.15]], rtol=1e-12)
    dx, dalpha = op.backward(np.full((2, 3), 2.0))
    np.testing.assert_allclose(dx, [[0.2, 0.0, 2.0], [0.2, 2.0, 0.6]], rtol=1e-12)  # 0 at x == 0, as TF's
    np.testing.assert_allclose(dalpha, [[-4.0, 0.0, 0.0], [-2.0, 0.0, -1.0]], rtol=1e-12)  # the tape sums it


def test_prelu_keeps_float32():
    out = ops.PReLU().forward(np.array([-1.0, 2.0], dtype=np.float32), np.array([0.25], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [-0.25, 2.0])


@settings(max_examples=20, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4), seed=st.integers(0, 2**32 - 1),
       shared=st.integers(0, 15))
def test_prelu_gradients_over_shapes_with_shared_axes(shape, seed, shared):
    rng = np.random.default_rng(seed)
    x = signed(rng, shape, 0.05, 3.0)
    alpha_shape = tuple(1 if shared >> i & 1 else d for i, d in enumerate(shape))  # a broadcast slope
    alpha = rng.uniform(-0.5, 0.8, size=alpha_shape)
    assert_grads(lambda a, s: apply_op(ops.PReLU(), a, s), x, alpha)


def test_batch_norm_statistics_of_a_large_batch_are_float32_roundings_of_the_exact_ones():
    # 86,528 values per channel: numpy's float32 running sum over the batch and spatial axes drifted ~1e-5
    # relative (TensorFlow's tree reduction ~2e-6); the float64 accumulation is within one float32 rounding
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((128, 26, 26, 4)) * 3 + 5).astype(np.float32)
    op = ops.BatchNorm(axis=-1, statistics=True)
    _, mean, var = op.forward(x, np.ones(4, np.float32), np.zeros(4, np.float32))
    exact = x.astype(np.float64)
    np.testing.assert_allclose(mean, exact.mean(axis=(0, 1, 2)), rtol=1.2e-7)
    np.testing.assert_allclose(var, exact.var(axis=(0, 1, 2)), rtol=5e-7)
    dout = rng.standard_normal(x.shape).astype(np.float32)
    _, _, dbeta = op.backward(dout)
    np.testing.assert_allclose(dbeta, dout.astype(np.float64).sum(axis=(0, 1, 2)), rtol=1e-6, atol=1e-3)
