"""The compiled (numba) LSTM step against LSTMCore's numpy passes: bit for bit, and when it runs.

``ops.kernels.lstm_step_forward`` / ``lstm_step_backward`` stand for the element-wise part of
``LSTMCore.step`` / ``step_backward`` with the default activations (tanh, sigmoid). Each case runs an
LSTM op forward and backward twice on the same inputs, numpy then kernels, and compares every output
and gradient bit for bit; then which calls take the kernels, what they count toward the tier-up, and a
Keras ``fit`` that tiers up after its first step.
"""
import numpy as np
import pytest

import chainrule
from chainrule import backend, ops
from chainrule.ops import tier_up
from chainrule.ops.recurrent import sequence

numba = pytest.importorskip("numba")
from chainrule.ops import kernels  # noqa: E402  (needs numba)


@pytest.fixture(autouse=True)
def _restore_switches(monkeypatch):
    saved = backend._compiled_kernels, backend.compiled_kernels_after()
    monkeypatch.setattr(tier_up, "_kernels", None)  # as in a fresh process: nothing loaded yet
    yield
    backend.set_compiled_kernels(saved[0], after=saved[1])


@pytest.fixture
def lstm_calls(monkeypatch):
    """Counts the calls of the two LSTM kernels while the test runs."""
    calls = {}
    for name in ("lstm_step_forward", "lstm_step_backward"):
        kernel = getattr(kernels, name)

        def counted(*args, _name=name, _kernel=kernel):
            calls[_name] = calls.get(_name, 0) + 1
            return _kernel(*args)
        monkeypatch.setattr(kernels, name, counted)
    return calls


def _inputs(dtype, batch=3, steps=7, features=4, units=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features)).astype(dtype)
    states = [(rng.normal(size=(batch, units)) * 0.5).astype(dtype) for _ in range(2)]
    kernel = rng.uniform(-0.9, 0.9, size=(features, 4 * units)).astype(dtype)
    recurrent = rng.uniform(-0.9, 0.9, size=(units, 4 * units)).astype(dtype)
    bias = rng.uniform(-0.5, 0.5, size=4 * units).astype(dtype)
    return x, states, kernel, recurrent, bias


def _forward_backward(compiled, op_factory, dtype, mask=None, **shape):
    backend.set_compiled_kernels(compiled, after=0)
    x, states, kernel, recurrent, bias = _inputs(dtype, **shape)
    op = op_factory()
    args = [x, *states, kernel, recurrent, bias] + ([mask] if mask is not None else [])
    outs = op.forward(*args)
    rng = np.random.default_rng(1)
    douts = [rng.normal(size=o.shape).astype(dtype) for o in outs]
    grads = op.backward(*douts)
    return [np.asarray(o) for o in outs] + [g for g in grads if g is not None]


def _assert_same_bits(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert u.dtype == v.dtype and u.shape == v.shape
        assert np.array_equal(np.ascontiguousarray(u).view(np.uint8), np.ascontiguousarray(v).view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["sequences", "last", "backwards", "masked", "chunks"])
def test_the_sequence_op_gives_the_numpy_bits(case, dtype, lstm_calls):
    kwargs = {"sequences": {}, "last": {"return_sequences": False}, "backwards": {"go_backwards": True},
              "masked": {"zero_output_for_mask": True}, "chunks": {}}[case]
    mask = None
    if case == "masked":
        mask = np.random.default_rng(3).random((3, 7)) < 0.6
        mask[0, 0] = False
        mask[:, 4] = False  # a step where every row is masked (skipped)
    saved = sequence.CHUNK_BYTES
    if case == "chunks":  # chunks of 2 steps: the step gradients go to slots 0 and 1 of StepColumns' buffer
        sequence.CHUNK_BYTES = 2 * 3 * 20 * np.dtype(dtype).itemsize
    try:
        plain = _forward_backward(False, lambda: ops.LSTMSequence(**kwargs), dtype, mask)
        assert lstm_calls == {}
        fast = _forward_backward(True, lambda: ops.LSTMSequence(**kwargs), dtype, mask)
    finally:
        sequence.CHUNK_BYTES = saved
    steps_run = 6 if case == "masked" else 7
    assert lstm_calls == {"lstm_step_forward": steps_run, "lstm_step_backward": steps_run}
    _assert_same_bits(plain, fast)


def test_the_one_step_op_gives_the_numpy_bits(lstm_calls):
    def one_step(compiled):
        backend.set_compiled_kernels(compiled, after=0)
        x, states, kernel, recurrent, bias = _inputs(np.float32, steps=1)
        op = ops.LSTMStep()
        h, c = op.forward(x[:, 0], *states, kernel, recurrent, bias)
        rng = np.random.default_rng(2)
        grads = op.backward(rng.normal(size=h.shape).astype(np.float32), rng.normal(size=c.shape).astype(np.float32))
        return [h, c] + [g for g in grads if g is not None]

    plain = one_step(False)
    fast = one_step(True)
    assert lstm_calls == {"lstm_step_forward": 1, "lstm_step_backward": 1}
    _assert_same_bits(plain, fast)


def test_extreme_values_give_the_numpy_bits(lstm_calls):
    """Saturated gates (weights x 50), so the derivatives hit 0 and tiny values, and signed zeros in dh."""
    def run(compiled):
        backend.set_compiled_kernels(compiled, after=0)
        x, states, kernel, recurrent, bias = _inputs(np.float32, seed=4)
        op = ops.LSTMSequence()
        outs = op.forward(x * 50, *states, kernel * 50, recurrent, bias)
        d = np.zeros(outs[0].shape, np.float32)
        d[0] = -0.0
        d[1] = 1e-30
        d[2] = 3e38
        with np.errstate(over="ignore", invalid="ignore"):
            grads = op.backward(d, None, None)
        return [np.asarray(o) for o in outs] + [g for g in grads if g is not None]

    _assert_same_bits(run(False), run(True))
    assert lstm_calls["lstm_step_backward"] == 7


@pytest.mark.parametrize("kwargs", [{"activation": "relu"}, {"recurrent_activation": "hard_sigmoid"}])
def test_other_activations_stay_on_numpy(kwargs, lstm_calls):
    backend.set_compiled_kernels(True, after=0)
    _forward_backward(True, lambda: ops.LSTMSequence(**kwargs), np.float32)
    assert lstm_calls == {}


def test_the_switch_off_keeps_numpy(lstm_calls):
    _forward_backward(False, ops.LSTMSequence, np.float32)
    backend.set_compiled_kernels(True, after=0)
    backend.set_fast_paths(False)
    try:
        x, states, kernel, recurrent, bias = _inputs(np.float32)
        op = ops.LSTMSequence()
        op.backward(*[np.ones_like(o) for o in op.forward(x, *states, kernel, recurrent, bias)])
    finally:
        backend.set_fast_paths(True)
    assert lstm_calls == {}


def test_an_lstm_counts_its_steps_toward_the_tier_up(monkeypatch, lstm_calls):
    """Forward: steps x batch x units; backward three times that (what each saves, in element-updates)."""
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=10 ** 12)
    x, states, kernel, recurrent, bias = _inputs(np.float32)  # batch 3, 7 steps, 5 units
    op = ops.LSTMSequence()
    outs = op.forward(x, *states, kernel, recurrent, bias)
    assert tier_up._done == 7 * 3 * 5
    op.backward(*[np.ones_like(o) for o in outs])
    assert tier_up._done == 4 * 7 * 3 * 5
    assert lstm_calls == {}


def _imdb_like_fit(after):
    """An Embedding + LSTM(8) + Dense(1) model, 2 epochs of 4 steps (batch 8, 12 tokens), Adam."""
    backend.set_compiled_kernels(True, after=after)
    chainrule.keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, size=(32, 12))
    y = rng.integers(0, 2, size=32).astype(np.float32)
    model = chainrule.keras.Sequential([chainrule.keras.layers.Embedding(50, 6),
                                        chainrule.keras.layers.LSTM(8),
                                        chainrule.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(chainrule.keras.optimizers.Adam(0.01), "binary_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return model, history


def test_a_fit_whose_lstm_repays_the_load_tiers_up_after_its_first_step(monkeypatch, lstm_calls):
    """The LSTM's work counts: the optimizer's alone (8 steps x 789 weights) would not reach the threshold."""
    weights = 50 * 6 + 6 * 32 + 8 * 32 + 32 + 8 + 1  # 789, each updated once a step
    lstm_per_step = 4 * 12 * 8 * 8  # forward + 3 x backward, 12 steps of batch 8, 8 units
    monkeypatch.setattr(tier_up, "_done", 0)
    plain, plain_history = _imdb_like_fit(after=10 ** 12)
    assert lstm_calls == {}
    assert tier_up._done == 8 * (weights + lstm_per_step)  # all on numpy, all counted
    monkeypatch.setattr(tier_up, "_done", 0)
    fast, fast_history = _imdb_like_fit(after=8 * (weights + lstm_per_step))
    assert lstm_calls == {"lstm_step_forward": 7 * 12, "lstm_step_backward": 7 * 12}  # steps 2 to 8
    assert plain_history.history["loss"] == fast_history.history["loss"]
    for a, b in zip(plain.get_weights() + plain.optimizer.get_weights(),
                    fast.get_weights() + fast.optimizer.get_weights()):
        assert np.array_equal(a, b)
