"""Recurrent ops (chainrule/ops/recurrent): tf.keras's math and weight layouts, masks, go_backwards, BPTT.

Three independent references: a numpy loop written from tf.keras's cells and
``backend.rnn`` (below), PyTorch's outputs and autograd gradients with the
weights mapped (``fixtures/recurrent_torch.npz``), and central differences
through the GradientTape (float64).
"""
import contextlib
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from chainrule import ops
from chainrule.ops.recurrent import sequence
from chainrule.tensor import Tensor, apply_op
from chainrule.testing import check_gradients

TOL = 1e-6
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "recurrent_torch.npz")
KINDS = ("rnn", "lstm", "gru", "gru_before")
GATES = {"rnn": 1, "lstm": 4, "gru": 3, "gru_before": 3}


# ----------------------------------------------------------------------------- the numpy reference

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "relu": lambda x: np.maximum(x, 0),
    "linear": lambda x: x,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "exponential": np.exp,
}


def reference(kind, x, states, kernel, recurrent, bias, mask=None, go_backwards=False, zero_output=False,
              activation="tanh", recurrent_activation="sigmoid"):
    """tf.keras's ``backend.rnn`` loop around the cells' ``call``, in batch-major rows: (outputs, states)."""
    act, rec = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
    batch, steps, _ = x.shape
    u = recurrent.shape[0]
    h = states[0]
    c = states[1] if kind == "lstm" else None
    previous = np.zeros_like(h)
    outputs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        xt = x[:, t]
        new_c = None
        if kind == "rnn":
            new_h = act(xt @ kernel + h @ recurrent + bias)
        elif kind == "lstm":
            z = xt @ kernel + h @ recurrent + bias
            i, f, g, o = rec(z[:, :u]), rec(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
            new_c = f * c + i * g
            new_h = o * act(new_c)
        elif kind == "gru":  # reset_after=True
            mx, mh = xt @ kernel + bias[0], h @ recurrent + bias[1]
            z, r = rec(mx[:, :u] + mh[:, :u]), rec(mx[:, u:2 * u] + mh[:, u:2 * u])
            hh = act(mx[:, 2 * u:] + r * mh[:, 2 * u:])
            new_h = z * h + (1 - z) * hh
        else:  # gru, reset_after=False
            mx, mh = xt @ kernel + bias, h @ recurrent[:, :2 * u]
            z, r = rec(mx[:, :u] + mh[:, :u]), rec(mx[:, u:2 * u] + mh[:, u:2 * u])
            hh = act(mx[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
            new_h = z * h + (1 - z) * hh
        m = np.ones((batch, 1), bool) if mask is None else mask[:, t:t + 1]
        out = np.where(m, new_h, 0 if zero_output else previous)
        h = np.where(m, new_h, h)
        if c is not None:
            c = np.where(m, new_c, c)
        outputs.append(out)
        previous = out
    return np.stack(outputs, axis=1), ([h, c] if kind == "lstm" else [h])


# ----------------------------------------------------------------------------- helpers

def make_op(kind, **kwargs):
    if kind == "rnn":
        kwargs.pop("recurrent_activation", None)
        return ops.SimpleRNNSequence(**kwargs)
    if kind == "lstm":
        return ops.LSTMSequence(**kwargs)
    return ops.GRUSequence(reset_after=kind == "gru", **kwargs)


def make_inputs(kind, rng, batch, steps, features, units, scale=0.7):
    g = GATES[kind]
    x = rng.normal(size=(batch, steps, features))
    states = [rng.normal(size=(batch, units)) * 0.5 for _ in range(2 if kind == "lstm" else 1)]
    kernel = rng.uniform(-scale, scale, size=(features, g * units))
    recurrent = rng.uniform(-scale, scale, size=(units, g * units))
    bias = rng.uniform(-0.5, 0.5, size=(2, g * units) if kind == "gru" else (g * units,))
    return x, states, kernel, recurrent, bias


def random_mask(rng, batch, steps):
    mask = rng.random((batch, steps)) < 0.6
    mask[0, 0] = False  # a sample that starts with a masked step
    return mask


@contextlib.contextmanager
def steps_per_chunk(k, batch, width, itemsize=8):
    """Force chunks of k steps (the default would put these tiny sequences in one chunk)."""
    saved = sequence.CHUNK_BYTES
    sequence.CHUNK_BYTES = k * batch * width * itemsize
    try:
        yield
    finally:
        sequence.CHUNK_BYTES = saved


def run(op, x, states, kernel, recurrent, bias, mask=None):
    args = [x, *states, kernel, recurrent, bias] + ([mask] if mask is not None else [])
    outputs, *finals = op.forward(*args)
    return outputs, finals


def joined(outputs):
    """Several output Tensors as one flat Tensor (check_gradients checks one output)."""
    return chainrule.concat([chainrule.reshape(o, (-1,)) for o in outputs], axis=0)


SHAPES = dict(batch=st.integers(1, 3), steps=st.integers(1, 5), features=st.integers(1, 3), units=st.integers(1, 3))


# ----------------------------------------------------------------------------- forward values

@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=30, deadline=None)
@given(**SHAPES, masked=st.booleans(), go_backwards=st.booleans(), zero_output=st.booleans(),
       chunk=st.sampled_from([1, 2, None]), seed=st.integers(0, 2**16))
def test_forward_matches_the_tf_keras_loop(kind, batch, steps, features, units, masked, go_backwards, zero_output,
                                           chunk, seed):
    rng = np.random.default_rng(seed)
    x, states, kernel, recurrent, bias = make_inputs(kind, rng, batch, steps, features, units)
    mask = random_mask(rng, batch, steps) if masked else None
    op = make_op(kind, go_backwards=go_backwards, zero_output_for_mask=zero_output)
    with steps_per_chunk(chunk or 10**6, batch, GATES[kind] * units):
        outputs, finals = run(op, x, states, kernel, recurrent, bias, mask)
    want_outputs, want_finals = reference(kind, x, states, kernel, recurrent, bias, mask, go_backwards, zero_output)
    np.testing.assert_allclose(outputs, want_outputs, rtol=1e-12, atol=1e-12)
    for got, want in zip(finals, want_finals):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ops.RECURRENT_ACTIVATIONS))
def test_every_supported_activation_matches_its_formula(name, rng):
    x, states, kernel, recurrent, bias = make_inputs("lstm", rng, 2, 4, 3, 2, scale=0.3)
    if name == "exponential":  # exp(c) feeding exp gates explodes within a few steps otherwise
        x, recurrent = x * 0.3, recurrent * 0.1
    mask = random_mask(rng, 2, 4)
    op = ops.LSTMSequence(activation=name, recurrent_activation=name)
    outputs, finals = run(op, x, states, kernel, recurrent, bias * 0.2, mask)
    want, want_finals = reference("lstm", x, states, kernel, recurrent, bias * 0.2, mask, activation=name,
                                  recurrent_activation=name)
    assert np.isfinite(want).all()
    np.testing.assert_allclose(outputs, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(finals[1], want_finals[1], rtol=1e-10, atol=1e-12)
    x, states, kernel, recurrent, bias = make_inputs("rnn", rng, 2, 4, 3, 2, scale=0.3)
    outputs, _ = run(ops.SimpleRNNSequence(activation=name), x, states, kernel, recurrent, bias)
    want, _ = reference("rnn", x, states, kernel, recurrent, bias, activation=name)
    np.testing.assert_allclose(outputs, want, rtol=1e-10, atol=1e-12)


def test_default_activations_are_tf_keras_2s():
    lstm, gru, rnn = ops.LSTMSequence(), ops.GRUSequence(), ops.SimpleRNNSequence()
    assert (lstm.activation, lstm.recurrent_activation) == ("tanh", "sigmoid")
    assert (gru.activation, gru.recurrent_activation, gru.reset_after) == ("tanh", "sigmoid", True)
    assert rnn.activation == "tanh"
    assert not lstm.go_backwards and not lstm.zero_output_for_mask


def test_masked_steps_carry_states_and_outputs_exactly(rng):
    """Sample 0: steps 0-1 masked (outputs 0, state still h0), step 2 real, step 3 masked (output repeated)."""
    x, states, kernel, recurrent, bias = make_inputs("gru", rng, 2, 4, 3, 2)
    mask = np.array([[False, False, True, False], [True, True, True, True]])
    outputs, (h,) = run(ops.GRUSequence(), x, states, kernel, recurrent, bias, mask)
    np.testing.assert_array_equal(outputs[0, :2], 0.0)
    np.testing.assert_array_equal(outputs[0, 3], outputs[0, 2])
    np.testing.assert_array_equal(h[0], outputs[0, 2])
    # The first real step starts from the initial state, not from the zero outputs.
    alone, _ = run(ops.GRUSequence(), x[:1, 2:3], [states[0][:1]], kernel, recurrent, bias)
    np.testing.assert_allclose(outputs[0, 2], alone[0, 0], rtol=1e-12)
    zeros, (h_zero,) = run(ops.GRUSequence(zero_output_for_mask=True), x, states, kernel, recurrent, bias, mask)
    np.testing.assert_array_equal(zeros[0, 3], 0.0)
    np.testing.assert_array_equal(h_zero, h)
    # A step masked for the whole batch copies every state.
    mask[:, 1] = False
    outputs, (h,) = run(ops.GRUSequence(), x, states, kernel, recurrent, bias, mask)
    np.testing.assert_array_equal(outputs[1, 1], outputs[1, 0])


def test_go_backwards_returns_outputs_in_processing_order(rng):
    x, states, kernel, recurrent, bias = make_inputs("lstm", rng, 2, 5, 3, 4)
    backwards, _ = run(ops.LSTMSequence(go_backwards=True), x, states, kernel, recurrent, bias)
    forwards, _ = run(ops.LSTMSequence(), x[:, ::-1], states, kernel, recurrent, bias)
    np.testing.assert_allclose(backwards, forwards, rtol=1e-12)


def test_step_ops_are_one_step_of_the_sequence_ops(rng):
    for kind, step in (("rnn", ops.SimpleRNNStep()), ("lstm", ops.LSTMStep()), ("gru", ops.GRUStep()),
                       ("gru_before", ops.GRUStep(reset_after=False))):
        x, states, kernel, recurrent, bias = make_inputs(kind, rng, 3, 1, 2, 4)
        out = step.forward(x[:, 0], *states, kernel, recurrent, bias)
        _, finals = run(make_op(kind), x, states, kernel, recurrent, bias)
        if kind == "lstm":
            h, c = out
            assert h.shape == c.shape == (3, 4)
            np.testing.assert_allclose(h, finals[0], rtol=1e-12)
            np.testing.assert_allclose(c, finals[1], rtol=1e-12)
        else:
            assert out.shape == (3, 4)
            np.testing.assert_allclose(out, finals[0], rtol=1e-12)


# ----------------------------------------------------------------------------- PyTorch references

def _torch_cases():
    data = np.load(FIXTURES)
    names = sorted({k.split("/")[0] for k in data.files})
    return {n: {k.split("/")[1]: data[k] for k in data.files if k.startswith(n + "/")} for n in names}


TORCH = _torch_cases()


@pytest.mark.parametrize("name", sorted(TORCH))
def test_outputs_and_gradients_match_pytorch(name):
    case = TORCH[name]
    kind = name.split("_")[0]
    masked, go_backwards, zero_output = (bool(f) for f in case["flags"])
    states = [case["h0"]] + ([case["c0"]] if kind == "lstm" else [])
    op = make_op(kind, go_backwards=go_backwards, zero_output_for_mask=zero_output)
    args = [case["x"], *states, case["kernel"], case["recurrent_kernel"], case["bias"]]
    outputs, *finals = op.forward(*args, *([case["mask"]] if masked else []))
    np.testing.assert_allclose(outputs, case["outputs"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(finals[0], case["h_final"], rtol=1e-10, atol=1e-12)
    douts = [case["w_out"], case["w_h"]]
    names = ["dx", "dh0", "dkernel", "drecurrent_kernel", "dbias"]
    if kind == "lstm":
        np.testing.assert_allclose(finals[1], case["c_final"], rtol=1e-10, atol=1e-12)
        douts.append(case["w_c"])
        names.insert(2, "dc0")
    grads = op.backward(*douts)
    assert len(grads) == len(args) + masked
    for key, got in zip(names, grads):
        np.testing.assert_allclose(got, case[key], rtol=1e-9, atol=1e-11, err_msg=key)


# ----------------------------------------------------------------------------- gradients (float64, central differences)

def assert_grads(fn, *inputs):
    """Relative error below TOL; a gradient that has all but vanished (|g| < 1e-3, e.g. an initial state
    seen only through a last output) is held to the same absolute error as one of size 1e-3."""
    report = check_gradients(fn, *inputs)
    for a, n in zip(report.analytic, report.numeric):
        scale = max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0), 1e-3)
        assert np.abs(a - n).max(initial=0.0) < TOL * scale, str(report)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=12, deadline=None)
@given(**SHAPES, masked=st.booleans(), go_backwards=st.booleans(), zero_output=st.booleans(),
       sequences=st.booleans(), chunk=st.sampled_from([1, 2, None]), seed=st.integers(0, 2**16))
def test_sequence_gradients(kind, batch, steps, features, units, masked, go_backwards, zero_output, sequences,
                            chunk, seed):
    rng = np.random.default_rng(seed)
    x, states, kernel, recurrent, bias = make_inputs(kind, rng, batch, steps, features, units)
    extra = [Tensor(random_mask(rng, batch, steps))] if masked else []

    def fn(*arrays):
        op = make_op(kind, go_backwards=go_backwards, zero_output_for_mask=zero_output, return_sequences=sequences)
        return joined(apply_op(op, *arrays, *extra))

    with steps_per_chunk(chunk or 10**6, batch, GATES[kind] * units):
        assert_grads(fn, x, *states, kernel, recurrent, bias)


@pytest.mark.parametrize("name", sorted(ops.RECURRENT_ACTIVATIONS))
def test_gradients_with_every_supported_activation(name, rng):
    scale = 0.3 if name == "exponential" else 0.7
    x, states, kernel, recurrent, bias = make_inputs("lstm", rng, 2, 3, 2, 2, scale=scale)
    if name == "exponential":
        x, recurrent = x * 0.3, recurrent * 0.1
    mask = Tensor(random_mask(rng, 2, 3))
    assert_grads(lambda *a: joined(apply_op(ops.LSTMSequence(activation=name, recurrent_activation=name), *a,
                                            mask)),
                 x, *[s * 0.2 for s in states], kernel, recurrent, bias * 0.2)
    x, states, kernel, recurrent, bias = make_inputs("gru_before", rng, 2, 3, 2, 2, scale=scale)
    assert_grads(lambda *a: joined(apply_op(ops.GRUSequence(activation=name, recurrent_activation=name,
                                                            reset_after=False), *a)),
                 x, *states, kernel, recurrent, bias)


@pytest.mark.parametrize("kind", KINDS)
def test_step_op_gradients(kind, rng):
    step = {"rnn": ops.SimpleRNNStep, "lstm": ops.LSTMStep, "gru": ops.GRUStep,
            "gru_before": lambda: ops.GRUStep(reset_after=False)}[kind]
    x, states, kernel, recurrent, bias = make_inputs(kind, rng, 3, 1, 2, 3)
    def fn(*a):
        out = apply_op(step(), *a)
        return joined(out) if isinstance(out, tuple) else out

    assert_grads(fn, x[:, 0], *states, kernel, recurrent, bias)


def test_gradients_of_some_outputs_only(rng):
    """Outputs nobody uses get no gradient (None) from the tape; the others still flow back."""
    x, (h0, c0), kernel, recurrent, bias = make_inputs("lstm", rng, 2, 4, 3, 2)
    mask = Tensor(random_mask(rng, 2, 4))

    def fn(x, h0, c0, kernel, recurrent, bias):
        outputs, h, c = apply_op(ops.LSTMSequence(), x, h0, c0, kernel, recurrent, bias, mask)
        return chainrule.reduce_sum(outputs[:, -1] * 2.0) + chainrule.reduce_sum(c * c) + h[0, 1]

    assert_grads(fn, x, h0, c0, kernel, recurrent, bias)
    assert_grads(lambda *a: chainrule.reduce_sum(apply_op(ops.GRUSequence(), *a)[1] ** 2), x, h0,
                 *make_inputs("gru", rng, 2, 4, 3, 2)[2:])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("masked, zero_output, go_backwards", [(False, False, False), (True, False, True),
                                                               (True, True, False)])
def test_last_output_is_the_last_step_of_the_sequence(kind, masked, zero_output, go_backwards, rng):
    x, states, kernel, recurrent, bias = make_inputs(kind, rng, 3, 5, 2, 4)
    mask = random_mask(rng, 3, 5) if masked else None
    if masked:
        mask[1] = False  # a sample with no real step: its last output is zeros, its state the initial one
    options = dict(go_backwards=go_backwards, zero_output_for_mask=zero_output)
    full, finals = run(make_op(kind, **options), x, states, kernel, recurrent, bias, mask)
    last, last_finals = run(make_op(kind, return_sequences=False, **options), x, states, kernel, recurrent, bias,
                            mask)
    assert last.shape == (3, 4)
    np.testing.assert_array_equal(last, full[:, -1])
    for a, b in zip(finals, last_finals):
        np.testing.assert_array_equal(a, b)
    if masked:
        np.testing.assert_array_equal(last[1], 0.0)
        np.testing.assert_array_equal(last_finals[0][1], states[0][1])


def test_backward_can_run_twice_for_a_persistent_tape(rng):
    x, states, kernel, recurrent, bias = make_inputs("gru", rng, 2, 5, 3, 2)
    variables = [chainrule.Variable(a) for a in (x, *states, kernel, recurrent, bias)]
    with chainrule.GradientTape(persistent=True) as tape:
        outputs, h = apply_op(ops.GRUSequence(), *variables)
        loss = chainrule.reduce_sum(outputs * outputs) + chainrule.reduce_sum(h)
    first = [g.numpy() for g in tape.gradient(loss, variables)]
    second = [g.numpy() for g in tape.gradient(loss, variables)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_only_the_requested_gradients_are_computed(rng):
    x, states, kernel, recurrent, bias = make_inputs("lstm", rng, 2, 3, 2, 2)
    op = ops.LSTMSequence()
    douts = [np.ones_like(a) for a in op.forward(x, *states, kernel, recurrent, bias)]
    op.needs_input_grad = (False, False, False, True, False, False)
    grads = op.backward(*douts)
    assert [g is None for g in grads] == [True, True, True, False, True, True]
    full = ops.LSTMSequence()
    full.forward(x, *states, kernel, recurrent, bias)
    np.testing.assert_allclose(grads[3], full.backward(*douts)[3], rtol=1e-12)


# ----------------------------------------------------------------------------- long sequences, dtypes, buffers

@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_ten_thousand_steps_run_backward_without_recursion(kind, rng):
    x, states, kernel, recurrent, bias = make_inputs(kind, rng, 2, 10_000, 3, 4)
    variables = [chainrule.Variable(a.astype(np.float32)) for a in (x, *states, kernel, recurrent, bias)]
    with chainrule.GradientTape() as tape:
        loss = chainrule.reduce_sum(apply_op(make_op(kind), *variables)[-1])
    grads = tape.gradient(loss, variables)
    assert grads[0].shape == (2, 10_000, 3)
    for g in grads:
        assert g.dtype == chainrule.float32 and np.isfinite(g.numpy()).all()
    # Only the final state is in the loss: the last step gets a gradient, the sequence reaches back.
    assert np.abs(grads[0].numpy()[:, -1]).sum() > 0


def test_float32_stays_float32(rng):
    x, states, kernel, recurrent, bias = (a.astype(np.float32) if isinstance(a, np.ndarray) else
                                          [s.astype(np.float32) for s in a]
                                          for a in make_inputs("lstm", rng, 2, 3, 2, 2))
    op = ops.LSTMSequence()
    outs = op.forward(x, *states, kernel, recurrent, bias)
    assert all(o.dtype == np.float32 for o in outs)
    assert all(g.dtype == np.float32 for g in op.backward(*[np.ones_like(o) for o in outs]))
    want, _ = reference("lstm", *(a.astype(np.float64) for a in (x,)), [s.astype(np.float64) for s in states],
                        kernel.astype(np.float64), recurrent.astype(np.float64), bias.astype(np.float64))
    np.testing.assert_allclose(outs[0], want, rtol=1e-5, atol=1e-6)


def test_reused_buffers_never_change_an_output_still_in_use(rng):
    x, states, kernel, recurrent, bias = (a.astype(np.float32) if isinstance(a, np.ndarray) else
                                          [s.astype(np.float32) for s in a]
                                          for a in make_inputs("lstm", rng, 64, 200, 64, 64, scale=0.1))
    first = ops.LSTMSequence().forward(x, *states, kernel, recurrent, bias)[0]   # several MB: pooled buffers
    kept = first.copy()
    for _ in range(3):  # the op objects die at once: their internal buffers are free for the next one
        ops.LSTMSequence().forward(x[::-1].copy(), *states, kernel, recurrent, bias)
    np.testing.assert_array_equal(first, kept)


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("build, args, match", [
    (lambda: ops.LSTMSequence(), lambda r: (r.normal(size=(2, 3, 4)), np.zeros((2, 5)), np.zeros((2, 5)),
                                            np.zeros((4, 16)), np.zeros((5, 20)), np.zeros(20)),
     r"LSTMSequence: kernel has shape \(4, 16\); for 4 input features and 5 units it must be \(4, 20\)"),
    (lambda: ops.GRUSequence(), lambda r: (r.normal(size=(2, 3, 4)), np.zeros((2, 5)), np.zeros((4, 15)),
                                           np.zeros((5, 15)), np.zeros(15)),
     r"GRUSequence: bias has shape \(15,\); it must be \(2, 15\)"),
    (lambda: ops.GRUSequence(reset_after=False), lambda r: (r.normal(size=(2, 3, 4)), np.zeros((2, 5)),
                                                            np.zeros((4, 15)), np.zeros((5, 15)), np.zeros((2, 15))),
     r"GRUSequence: bias has shape \(2, 15\); it must be \(15,\)"),
    (lambda: ops.SimpleRNNSequence(), lambda r: (r.normal(size=(2, 3)), np.zeros((2, 5)), np.zeros((3, 5)),
                                                 np.zeros((5, 5)), np.zeros(5)),
     r"x must have shape \(batch, timesteps, features\), got shape \(2, 3\)"),
    (lambda: ops.SimpleRNNSequence(), lambda r: (r.normal(size=(2, 0, 3)), np.zeros((2, 5)), np.zeros((3, 5)),
                                                 np.zeros((5, 5)), np.zeros(5)), r"0 timesteps"),
    (lambda: ops.SimpleRNNSequence(), lambda r: (r.normal(size=(2, 4, 3)), np.zeros((2, 5)), np.zeros((3, 5)),
                                                 np.zeros((5, 5)), np.zeros(5), np.ones((4, 2), bool)),
     r"mask has shape \(4, 2\); it must be \(batch, timesteps\) = \(2, 4\)"),
    (lambda: ops.SimpleRNNSequence(), lambda r: (r.normal(size=(2, 4, 3)), np.zeros((3, 5)), np.zeros((3, 5)),
                                                 np.zeros((5, 5)), np.zeros(5)),
     r"state h has shape \(3, 5\); it must be \(batch, units\) = \(2, 5\)"),
    (lambda: ops.LSTMSequence(), lambda r: (r.normal(size=(2, 4, 3)), np.zeros((2, 5)), np.zeros((3, 20)),
                                            np.zeros((5, 20)), np.zeros(20)), r"takes \(x, h, c, kernel"),
])
def test_errors_name_the_op_the_shapes_and_the_fix(build, args, match, rng):
    with pytest.raises((ValueError, TypeError), match=match):
        build().forward(*args(rng))


def test_unsupported_activation_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"LSTMSequence: activation='gelu' is not supported .*'hard_sigmoid'"):
        ops.LSTMSequence(activation="gelu")
    with pytest.raises(ValueError, match=r"GRUStep: recurrent_activation='swish'"):
        ops.GRUStep(recurrent_activation="swish")
