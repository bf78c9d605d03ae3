"""The numpy optimizer updates work through large arrays in cache-sized blocks, with the whole-array numbers.

``chainrule.ops.updates._blocks`` runs an update's passes block by block once its arrays hold ``BLOCKED_FROM``
elements or more. Each test runs the same steps twice: with the fast paths on (in blocks) and
off (every pass over the whole arrays), and compares the bits of the variable and of every slot after each
step. The compiled kernels stay off, so both runs are numpy.
"""
import numpy as np
import pytest

from chainrule import backend
from chainrule.ops import updates

BLOCK = updates.BLOCK_ELEMENTS
SHAPE = (1031, 131)  # 135,061 elements: four whole blocks and a tail of 3,989
STEPS = 6


@pytest.fixture(autouse=True)
def _numpy_updates():
    saved = backend._compiled_kernels, backend.compiled_kernels_after(), backend.fast_paths_enabled()
    backend.set_compiled_kernels(False)
    yield
    backend.set_compiled_kernels(saved[0], after=saved[1])
    backend.set_fast_paths(saved[2])


def _nadam(beta_1=0.9, **kw):
    product, step = updates.NadamProduct(beta_1), updates.NadamStep(beta_1, **kw)

    def run(var, g, lr, t, slots):
        u_product, m, v = slots
        product.forward(u_product, np.asarray(t))
        return step.forward(var, g, lr, np.asarray(t), u_product, m, v)
    return run


def _with_slots(op, iterations=False):
    def run(var, g, lr, t, slots):
        return op.forward(var, g, lr, np.asarray(t), *slots) if iterations else op.forward(var, g, lr, *slots)
    return run


# (id, slot initial values, make the step: (var, g, lr, t, slots) -> var)
CASES = [
    ("sgd", [], lambda: _with_slots(updates.SGDStep())),
    ("sgd-momentum", [0.0], lambda: _with_slots(updates.SGDStep(0.9))),
    ("sgd-nesterov", [0.0], lambda: _with_slots(updates.SGDStep(0.7, nesterov=True))),
    ("adagrad", [0.1], lambda: _with_slots(updates.AdagradStep(1e-7))),
    ("rmsprop", [0.0], lambda: _with_slots(updates.RMSpropStep())),
    ("rmsprop-momentum", [0.0, 0.0], lambda: _with_slots(updates.RMSpropStep(0.8, momentum=0.9, epsilon=1e-3))),
    ("rmsprop-centered", [0.0, 0.0], lambda: _with_slots(updates.RMSpropStep(centered=True))),
    ("rmsprop-centered-momentum", [0.0, 0.0, 0.0],
     lambda: _with_slots(updates.RMSpropStep(0.7, momentum=0.5, centered=True))),
    ("adam", [0.0, 0.0], lambda: _with_slots(updates.AdamStep(), iterations=True)),
    ("adam-amsgrad", [0.0, 0.0, 0.0], lambda: _with_slots(updates.AdamStep(beta_2=0.5, amsgrad=True), True)),
    ("adamax", [0.0, 0.0], lambda: _with_slots(updates.AdamaxStep(), iterations=True)),
    ("nadam", [1.0, 0.0, 0.0], lambda: _nadam(0.9, beta_2=0.99)),
    ("weight-decay", [], lambda: (lambda op: lambda var, g, lr, t, slots: op.forward(var, lr))(
        updates.WeightDecay(0.004))),
]


def _gradient(rng, dtype):
    """Six decades of magnitudes, zeros of both signs, subnormals, and a column whose squares overflow."""
    g = rng.normal(size=SHAPE) * 10.0 ** rng.uniform(-3, 3, size=SHAPE)
    kind = rng.integers(0, 8, size=SHAPE)
    g[kind == 0] = 0.0
    g[kind == 1] = -0.0
    g[kind == 2] *= float(np.finfo(dtype).tiny)
    g[:, 0] = 1e30 if dtype == np.float32 else 1e300
    return g.astype(dtype)


def _trajectory(case, dtype, blocked):
    """The bits of the variable and the slots after each step, and the op's scratch shapes."""
    _, slot_values, make = case
    backend.set_fast_paths(blocked)
    rng = np.random.default_rng(3)
    var = rng.normal(size=SHAPE).astype(dtype)
    slots = [np.asarray(v, dtype) if case[0] == "nadam" and k == 0 else np.full(SHAPE, v, dtype)
             for k, v in enumerate(slot_values)]
    step = make()
    uint = np.dtype(f"u{np.dtype(dtype).itemsize}")
    rows = []
    with np.errstate(all="ignore"):
        for t in range(STEPS):
            lr = np.asarray(10.0 ** rng.uniform(-3, 0), dtype)
            assert step(var, _gradient(rng, dtype), lr, t, slots) is var
            rows.append(np.concatenate([a.reshape(-1).view(uint) for a in [var, *slots]]))
    return np.stack(rows)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_update_in_blocks_gives_the_whole_array_bits(case, dtype):
    whole = _trajectory(case, dtype, blocked=False)
    blocked = _trajectory(case, dtype, blocked=True)
    for t in range(STEPS):
        assert np.array_equal(whole[t], blocked[t]), f"{case[0]}: bits differ after step {t + 1}"


def test_large_arrays_go_in_blocks_small_or_unsuitable_ones_whole():
    big = np.zeros(SHAPE, np.float32)
    blocks = list(updates._blocks(big, np.ones(SHAPE, np.float32)))
    assert [b[0].shape for b in blocks] == [(BLOCK,)] * 4 + [(big.size - 4 * BLOCK,)]
    assert all(np.shares_memory(b[0], big) for b in blocks)  # views: the update writes into the variable
    small = np.zeros(updates.BLOCKED_FROM - 1, np.float32)
    assert len(list(updates._blocks(small, small.copy()))) == 1
    # A broadcast gradient, another dtype, a strided variable: whole arrays, as given.
    for arrays in [(big, np.broadcast_to(np.float32(1), SHAPE)), (big, np.ones(SHAPE, np.float64)),
                   (np.zeros((SHAPE[0], 2 * SHAPE[1]), np.float32)[:, ::2], np.ones(SHAPE, np.float32))]:
        (only,) = list(updates._blocks(*arrays))
        assert only[0] is arrays[0] and only[1] is arrays[1]
    backend.set_fast_paths(False)
    assert len(list(updates._blocks(big, np.ones(SHAPE, np.float32)))) == 1


def test_blocked_updates_keep_only_block_sized_scratch():
    workspace = {}
    op = updates.AdamStep(workspace=workspace)
    var, g, m, v = (np.full(SHAPE, 0.5, np.float32) for _ in range(4))
    op.forward(var, g, np.asarray(1e-3, np.float32), np.asarray(0), m, v)
    assert {key[0] for key in workspace} == {(BLOCK,), (var.size - 4 * BLOCK,)}


@pytest.mark.parametrize("offset", [1, BLOCK + 7])
def test_a_gradient_overlapping_the_variable_gives_the_whole_array_numbers(offset):
    """Whole-array numpy reads an input that overlaps its output before writing it; blocks would read values an
    earlier block already wrote. Such arrays run whole."""
    n = int(np.prod(SHAPE))
    results = []
    for blocked in (False, True):
        backend.set_fast_paths(blocked)
        buf = np.random.default_rng(1).normal(size=n + offset).astype(np.float32)
        var, g = buf[:n], buf[offset:]
        assert len(list(updates._blocks(var, g))) == 1
        updates.SGDStep().forward(var, g, np.asarray(0.5, np.float32))
        results.append(buf)
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("alias", ["m", "v"])
def test_a_gradient_that_is_a_slot_array_runs_in_blocks_with_the_whole_array_numbers(alias):
    """The same array as gradient and slot overlaps exactly: each block still reads what the pass before wrote."""
    bits = []
    for blocked in (False, True):
        backend.set_fast_paths(blocked)
        rng = np.random.default_rng(5)
        var, m, v = (rng.random(SHAPE).astype(np.float32) for _ in range(3))
        slots = {"m": m, "v": v}
        assert len(list(updates._blocks(var, slots[alias], m, v))) == (5 if blocked else 1)
        with np.errstate(invalid="ignore"):
            for t in range(3):
                updates.AdamStep().forward(var, slots[alias], np.asarray(0.1, np.float32), np.asarray(t), m, v)
                updates.RMSpropStep(momentum=0.5, centered=True).forward(
                    var, slots[alias], np.asarray(0.1, np.float32), v, m, slots["m" if alias == "v" else "v"])
        bits.append(np.concatenate([a.view(np.uint32).ravel() for a in (var, m, v)]))
    np.testing.assert_array_equal(bits[0], bits[1])
