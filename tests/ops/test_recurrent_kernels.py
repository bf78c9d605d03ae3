"""The compiled (numba) LSTM and GRU steps against their cores' numpy passes: bit for bit, and when they run.

``ops.kernels.lstm_step_*`` and ``gru_step_*`` stand for the element-wise part of ``LSTMCore`` /
``GRUCore``'s ``step`` and ``step_backward`` with the default activations (tanh, sigmoid; the GRU with
``reset_after``). Each case runs a recurrent op forward and backward twice on the same inputs, numpy
then kernels, and compares every output and gradient bit for bit; then which calls take the kernels,
what they count toward the tier-up, and a Keras ``fit`` that tiers up after its first step.
"""
import numpy as np
import pytest

import chainrule
from chainrule import backend, ops
from chainrule.ops import tier_up
from chainrule.ops.recurrent import sequence

pytest.importorskip("numba")


pytestmark = pytest.mark.usefixtures("fresh_tier_up")  # tests/ops/conftest.py


KERNELS = {"lstm": ("lstm_step_forward", "lstm_step_backward"),
           "gru": ("gru_step_gates_in", "gru_step_candidate_in", "gru_step_state", "gru_step_backward")}
GATES = {"lstm": 4, "gru": 3}


@pytest.fixture
def calls(kernel_calls_of):
    """The calls of the recurrent kernels (tests/ops/conftest.py)."""
    return kernel_calls_of(KERNELS["lstm"] + KERNELS["gru"])


def _expected_calls(kind, steps):
    return {name: steps for name in KERNELS[kind]}


def _inputs(dtype, kind="lstm", batch=3, steps=7, features=4, units=5, seed=0):
    rng = np.random.default_rng(seed)
    g = GATES[kind]
    x = rng.normal(size=(batch, steps, features)).astype(dtype)
    states = [(rng.normal(size=(batch, units)) * 0.5).astype(dtype) for _ in range(2 if kind == "lstm" else 1)]
    kernel = rng.uniform(-0.9, 0.9, size=(features, g * units)).astype(dtype)
    recurrent = rng.uniform(-0.9, 0.9, size=(units, g * units)).astype(dtype)
    bias = rng.uniform(-0.5, 0.5, size=(g * units,) if kind == "lstm" else (2, g * units)).astype(dtype)
    return x, states, kernel, recurrent, bias


def _sequence_op(kind, **kwargs):
    return ops.LSTMSequence(**kwargs) if kind == "lstm" else ops.GRUSequence(**kwargs)


def _forward_backward(compiled, op_factory, dtype, mask=None, kind="lstm", **shape):
    backend.set_compiled_kernels(compiled, after=0)
    x, states, kernel, recurrent, bias = _inputs(dtype, kind, **shape)
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


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["sequences", "last", "backwards", "masked", "chunks"])
def test_the_sequence_op_gives_the_numpy_bits(case, dtype, kind, calls):
    kwargs = {"sequences": {}, "last": {"return_sequences": False}, "backwards": {"go_backwards": True},
              "masked": {"zero_output_for_mask": True}, "chunks": {}}[case]
    mask = None
    if case == "masked":
        mask = np.random.default_rng(3).random((3, 7)) < 0.6
        mask[0, 0] = False
        mask[:, 4] = False  # a step where every row is masked (skipped)
    saved = sequence.CHUNK_BYTES
    if case == "chunks":  # chunks of 2 steps: the step gradients go to slots 0 and 1 of StepColumns' buffers
        sequence.CHUNK_BYTES = 2 * 3 * 5 * GATES[kind] * np.dtype(dtype).itemsize
    try:
        plain = _forward_backward(False, lambda: _sequence_op(kind, **kwargs), dtype, mask, kind)
        assert calls == {}
        fast = _forward_backward(True, lambda: _sequence_op(kind, **kwargs), dtype, mask, kind)
    finally:
        sequence.CHUNK_BYTES = saved
    assert calls == _expected_calls(kind, 6 if case == "masked" else 7)
    _assert_same_bits(plain, fast)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_one_step_op_gives_the_numpy_bits(kind, calls):
    def one_step(compiled):
        backend.set_compiled_kernels(compiled, after=0)
        x, states, kernel, recurrent, bias = _inputs(np.float32, kind, steps=1)
        op = ops.LSTMStep() if kind == "lstm" else ops.GRUStep()
        outs = op.forward(x[:, 0], *states, kernel, recurrent, bias)
        outs = list(outs) if kind == "lstm" else [outs]
        rng = np.random.default_rng(2)
        grads = op.backward(*[rng.normal(size=o.shape).astype(np.float32) for o in outs])
        return outs + [g for g in grads if g is not None]

    plain = one_step(False)
    fast = one_step(True)
    assert calls == _expected_calls(kind, 1)
    _assert_same_bits(plain, fast)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_extreme_values_give_the_numpy_bits(kind, calls):
    """Saturated gates (weights x 50), so the derivatives hit 0 and tiny values, and signed zeros in dh."""
    def run(compiled):
        backend.set_compiled_kernels(compiled, after=0)
        x, states, kernel, recurrent, bias = _inputs(np.float32, kind, seed=4)
        op = _sequence_op(kind)
        outs = op.forward(x * 50, *states, kernel * 50, recurrent, bias)
        d = np.zeros(outs[0].shape, np.float32)
        d[0] = -0.0
        d[1] = 1e-30
        d[2] = 3e38
        with np.errstate(over="ignore", invalid="ignore"):
            grads = op.backward(d, *[None] * (len(outs) - 1))
        return [np.asarray(o) for o in outs] + [g for g in grads if g is not None]

    _assert_same_bits(run(False), run(True))
    assert calls == _expected_calls(kind, 7)


@pytest.mark.parametrize("kind, kwargs", [("lstm", {"activation": "relu"}),
                                          ("lstm", {"recurrent_activation": "hard_sigmoid"}),
                                          ("gru", {"activation": "relu"}),
                                          ("gru", {"recurrent_activation": "hard_sigmoid"}),
                                          ("gru", {"reset_after": False})])
def test_other_variants_stay_on_numpy(kind, kwargs, calls):
    if not kwargs.get("reset_after", True):
        backend.set_compiled_kernels(True, after=0)
        x, states, kernel, recurrent, bias = _inputs(np.float32, kind)
        op = ops.GRUSequence(reset_after=False)
        op.backward(*[np.ones_like(o) for o in op.forward(x, *states, kernel, recurrent, bias[0])])
    else:
        _forward_backward(True, lambda: _sequence_op(kind, **kwargs), np.float32, kind=kind)
    assert calls == {}


def test_the_switch_off_keeps_numpy(calls):
    for kind in ("lstm", "gru"):
        _forward_backward(False, lambda k=kind: _sequence_op(k), np.float32, kind=kind)
        backend.set_compiled_kernels(True, after=0)
        backend.set_fast_paths(False)
        try:
            x, states, kernel, recurrent, bias = _inputs(np.float32, kind)
            op = _sequence_op(kind)
            op.backward(*[np.ones_like(o) for o in op.forward(x, *states, kernel, recurrent, bias)])
        finally:
            backend.set_fast_paths(True)
    assert calls == {}


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_recurrent_op_counts_its_steps_toward_the_tier_up(kind, monkeypatch, calls):
    """Forward: steps x batch x units; backward three times that (what each saves, in element-updates)."""
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=10 ** 12)
    x, states, kernel, recurrent, bias = _inputs(np.float32, kind)  # batch 3, 7 steps, 5 units
    op = _sequence_op(kind)
    outs = op.forward(x, *states, kernel, recurrent, bias)
    assert tier_up._done == 7 * 3 * 5
    op.backward(*[np.ones_like(o) for o in outs])
    assert tier_up._done == 4 * 7 * 3 * 5
    assert calls == {}


def _imdb_like_fit(kind, after):
    """An Embedding + LSTM(8)/GRU(8) + Dense(1) model, 2 epochs of 4 steps (batch 8, 12 tokens), Adam."""
    backend.set_compiled_kernels(True, after=after)
    chainrule.keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, size=(32, 12))
    y = rng.integers(0, 2, size=32).astype(np.float32)
    layers = chainrule.keras.layers
    model = chainrule.keras.Sequential([layers.Embedding(50, 6), (layers.LSTM if kind == "lstm" else layers.GRU)(8),
                                        layers.Dense(1, activation="sigmoid")])
    model.compile(chainrule.keras.optimizers.Adam(0.01), "binary_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return model, history


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_fit_whose_cell_repays_the_load_tiers_up_after_its_first_step(kind, monkeypatch, calls):
    """The cell's work counts: the optimizer's alone (8 steps x ~800 weights) would not reach the threshold."""
    g = GATES[kind]
    cell = 6 * g * 8 + 8 * g * 8 + (g * 8 if kind == "lstm" else 2 * g * 8)
    weights = 50 * 6 + cell + 8 + 1  # each updated once a step
    cell_per_step = 4 * 12 * 8 * 8  # forward + 3 x backward, 12 steps of batch 8, 8 units
    monkeypatch.setattr(tier_up, "_done", 0)
    plain, plain_history = _imdb_like_fit(kind, after=10 ** 12)
    assert calls == {}
    assert tier_up._done == 8 * (weights + cell_per_step)  # all on numpy, all counted
    monkeypatch.setattr(tier_up, "_done", 0)
    fast, fast_history = _imdb_like_fit(kind, after=8 * (weights + cell_per_step))
    assert calls == _expected_calls(kind, 7 * 12)  # steps 2 to 8
    assert plain_history.history["loss"] == fast_history.history["loss"]
    for a, b in zip(plain.get_weights() + plain.optimizer.get_weights(),
                    fast.get_weights() + fast.optimizer.get_weights()):
        assert np.array_equal(a, b)


def test_a_masked_bidirectional_stack_trains_bit_identically(monkeypatch, calls):
    """Embedding(mask_zero) -> Bidirectional(LSTM, sequences) -> GRU: masks, go_backwards, stacked cells."""
    def train(after):
        monkeypatch.setattr(tier_up, "_kernels", None)
        monkeypatch.setattr(tier_up, "_done", 0)
        backend.set_compiled_kernels(True, after=after)
        chainrule.keras.utils.set_random_seed(1)
        rng = np.random.default_rng(1)
        x = rng.integers(1, 30, size=(24, 10))
        x[:, :3] = 0  # leading padding: masked steps
        x[0] = 0  # one all-padding row
        y = rng.integers(0, 2, size=24).astype(np.float32)
        layers = chainrule.keras.layers
        model = chainrule.keras.Sequential([
            layers.Embedding(30, 5, mask_zero=True),
            layers.Bidirectional(layers.LSTM(6, return_sequences=True)),
            layers.GRU(4),
            layers.Dense(1, activation="sigmoid")])
        model.compile("rmsprop", "binary_crossentropy")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.get_weights() + [np.asarray(model.predict(x, verbose=0))]

    plain = train(10 ** 12)
    assert calls == {}
    fast = train(0)
    assert calls["lstm_step_backward"] > 0 and calls["gru_step_backward"] > 0
    for a, b in zip(plain, fast):
        assert np.array_equal(a, b)
