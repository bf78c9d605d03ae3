"""Inference forwards keep no backward state: ``apply_op`` sets ``op.needs_backward`` from the active tapes.

Outside a tape (or when no tape watches an input) nothing can run an op's ``backward``, so its forward
keeps no saved inputs, masks or caches; the output is the same array either way, and a tape gets the
gradients the op gives when used by hand.
"""
import numpy as np
import pytest

import chainrule as tf
from chainrule import ops
from chainrule.tensor import Tensor, apply_op


def _arrays(rng, shapes):
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


# name: (make the op, input shapes, what its forward keeps only for backward)
CASES = {
    "Affine": (ops.Affine, [(4, 3), (3, 2), (2,)], ("x", "W")),
    "ReLU": (ops.ReLU, [(4, 3)], ("positive",)),
    "Reshape": (lambda: ops.Reshape((3, 4)), [(4, 3)], ("in_shape",)),
    "MatMul": (ops.MatMul, [(4, 3), (3, 2)], ("A", "B")),
    "Maximum": (ops.Maximum, [(4, 3), (4, 3)], ("x_wins",)),
    "Minimum": (ops.Minimum, [(4, 3), (4, 3)], ("x_wins",)),
    "Clip": (lambda: ops.Clip(-0.5, 0.5), [(4, 3)], ("inside",)),
    "MaxPool": (lambda: ops.MaxPool(2), [(2, 4, 4, 3)], ("argmax",)),
    "Conv": (ops.Conv, [(2, 5, 5, 3), (3, 3, 3, 4), (4,)], ("col", "kernel")),
    "ConvTranspose": (ops.ConvTranspose, [(2, 3, 3, 4), (3, 3, 2, 4), (2,)], ("x", "kernel")),
    "DepthwiseConv": (ops.DepthwiseConv, [(2, 5, 5, 3), (3, 3, 3, 2), (6,)], ("view", "kernel")),
    "LayerNorm": (ops.LayerNorm, [(4, 3), (3,), (3,)], ("xhat", "inv_std")),
    "LSTMSequence": (ops.LSTMSequence, [(2, 5, 3), (2, 4), (2, 4), (3, 16), (4, 16), (16,)], ("core",)),
}


def _kept(op, names):
    return {n: getattr(op, n, None) is not None for n in names}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outside_a_tape_the_forward_keeps_nothing_for_backward(name, rng):
    make, shapes, kept = CASES[name]
    arrays = _arrays(rng, shapes)
    inference, recorded = make(), make()
    out = apply_op(inference, *[Tensor(a) for a in arrays])
    assert inference.needs_backward is False
    assert _kept(inference, kept) == {n: False for n in kept}

    inputs = [Tensor(a) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        taped = apply_op(recorded, *inputs)
    assert recorded.needs_backward is True
    assert _kept(recorded, kept) == {n: True for n in kept}
    for a, b in zip(tf.nest.flatten(out), tf.nest.flatten(taped)):  # the same output, bit for bit
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name", sorted(set(CASES) - {"LSTMSequence"}))
def test_a_tape_gets_the_gradients_of_the_op_used_by_hand(name, rng):
    make, shapes, _ = CASES[name]
    arrays = _arrays(rng, shapes)
    apply_op(make(), *[Tensor(a) for a in arrays])  # an inference call first changes nothing
    inputs = [Tensor(a) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = apply_op(make(), *inputs)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    grads = tape.gradient(out, inputs, output_gradients=tf.constant(dout))

    by_hand = make()  # needs_backward is True by default: everything is kept
    assert by_hand.needs_backward is True
    np.testing.assert_array_equal(by_hand.forward(*arrays), out.numpy())
    expected = by_hand.backward(dout)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for g, e in zip(grads, expected):
        np.testing.assert_array_equal(g.numpy(), e)


def test_only_the_tapes_that_watch_an_input_make_an_op_keep_its_state(rng):
    x = tf.constant(rng.standard_normal((3, 4)).astype(np.float32))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:  # watches nothing
            relu = ops.ReLU()
            y = apply_op(relu, x)
            unwatched = ops.ReLU()
            apply_op(unwatched, tf.constant([1.0, -1.0]))
    assert relu.needs_backward is True and relu.positive is not None
    assert unwatched.needs_backward is False and getattr(unwatched, "positive", None) is None
    assert inner.gradient(y, x) is None
    np.testing.assert_array_equal(outer.gradient(y, x).numpy(), (x.numpy() > 0).astype(np.float32))

    no_grad = ops.NoGradient(np.negative)  # no tape records an op without a gradient
    with tf.GradientTape() as tape:
        tape.watch(x)
        apply_op(no_grad, x)
    assert no_grad.needs_backward is False


def _w6_model():
    """The tf.function guide's SequentialModel (benchmark W6)."""

    class SequentialModel(tf.keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.flatten = tf.keras.layers.Flatten(input_shape=(28, 28))
            self.dense_1 = tf.keras.layers.Dense(128, activation="relu")
            self.dropout = tf.keras.layers.Dropout(0.2)
            self.dense_2 = tf.keras.layers.Dense(10)

        def call(self, x):
            x = self.flatten(x)
            x = self.dense_1(x)
            x = self.dropout(x)
            return self.dense_2(x)

    tf.keras.utils.set_random_seed(7)
    return SequentialModel()


def test_function_replays_are_bit_identical_to_eager_calls_and_keep_no_state(rng):
    model = _w6_model()
    compiled = tf.function(model)
    for _ in range(4):  # the trace, then replays on new values
        x = tf.constant(rng.random((6, 28, 28), dtype=np.float32))
        np.testing.assert_array_equal(compiled(x).numpy(), model(x).numpy())
    assert compiled.trace_count == 1
    (trace,) = compiled._traces.values()
    op_types = [type(step[1]).__name__ for step in trace.steps]
    assert op_types == ["Reshape", "Affine", "ReLU", "Affine"]
    for step in trace.steps:
        op = step[1]
        assert op.needs_backward is False
        assert not any(hasattr(op, a) for a in ("x", "W", "positive", "in_shape"))


def test_a_tape_after_inference_calls_gets_the_same_gradients(rng):
    model = _w6_model()
    x = tf.constant(rng.random((6, 28, 28), dtype=np.float32))
    labels = tf.constant(rng.integers(0, 10, 6))
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def gradients():
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(x, training=False))
        return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]

    model(x)
    first = gradients()
    compiled = tf.function(model)
    for _ in range(3):
        model(x)
        compiled(x)
    again = gradients()
    with tf.GradientTape() as tape:  # under a tape, the function runs eagerly and the tape sees its ops
        loss = loss_fn(labels, compiled(x))
    through_function = [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]
    assert len(first) == 4
    for a, b, c in zip(first, again, through_function):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    # and the numbers are the ops' textbook backward, written out in numpy
    W1, b1, W2, b2 = (v.numpy() for v in model.trainable_variables)
    h_pre = x.numpy().reshape(6, -1) @ W1 + b1
    h = np.maximum(h_pre, 0)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    dlogits = p.copy()
    dlogits[np.arange(6), labels.numpy()] -= 1
    dlogits /= 6
    dh = (dlogits @ W2.T) * (h_pre > 0)
    np.testing.assert_allclose(first[2], h.T @ dlogits, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(first[0], x.numpy().reshape(6, -1).T @ dh, rtol=1e-4, atol=1e-6)
