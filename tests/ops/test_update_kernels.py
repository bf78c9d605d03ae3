"""The compiled (numba) optimizer-update kernels against the numpy formulas they replace: bit for bit.

Each op of ``chainrule.ops.updates`` that has a compiled kernel is run twice over the same random
steps (zeros, signed zeros, subnormal-scale and very large gradients, float32 and float64, with and
without flush-to-zero): once on its numpy formula, once on its kernel from the first step. Every
step's variable and slots must have the same bits. Then the switch itself: the kernels are really
called (in eager steps and in compiled replays of ``fit``), the tier-up happens when the work done
passes the threshold and not before, and anything a kernel does not take (float16, non-contiguous
arrays, a broadcast gradient, no numba, the switches off) stays on numpy.
"""
import contextlib
import os
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule import _fpenv, backend
from chainrule.ops import tier_up, updates

numba = pytest.importorskip("numba")
from chainrule.ops import kernels  # noqa: E402  (needs numba)

STEPS = 60
SHAPE = (37, 29)  # 1,073 elements: 2-D (the kernel gets a flat view) and no multiple of a vector width


pytestmark = pytest.mark.usefixtures("fresh_tier_up")  # tests/ops/conftest.py; kernel_calls too


# ----------------------------------------------------------------------------- the ops, one step each

def _iterations(t):
    return np.asarray(t, np.int64)


def _nadam(beta_1=0.9, **kw):
    product, step = updates.NadamProduct(beta_1), updates.NadamStep(beta_1, **kw)

    def run(var, g, lr, t, slots):
        u_product, m, v = slots
        product.forward(u_product, _iterations(t))
        return step.forward(var, g, lr, _iterations(t), u_product, m, v)
    return run


def _with_slots(op, n_slots, iterations=False):
    def run(var, g, lr, t, slots):
        if iterations:
            return op.forward(var, g, lr, _iterations(t), *slots)
        return op.forward(var, g, lr, *slots)
    return run


# (id, kernel, slot initial values, make the step: (var, g, lr, t, slots) -> var)
CASES = [
    ("sgd", "sgd", [], lambda: _with_slots(updates.SGDStep(), 0)),
    ("sgd-momentum", "sgd_momentum", [0.0], lambda: _with_slots(updates.SGDStep(0.9), 1)),
    ("sgd-nesterov", "sgd_nesterov", [0.0], lambda: _with_slots(updates.SGDStep(0.7, nesterov=True), 1)),
    ("adagrad", "adagrad", [0.1], lambda: _with_slots(updates.AdagradStep(1e-7), 1)),
    ("rmsprop", "rmsprop", [0.0], lambda: _with_slots(updates.RMSpropStep(), 1)),
    ("rmsprop-momentum", "rmsprop_momentum", [0.0, 0.0],
     lambda: _with_slots(updates.RMSpropStep(0.8, momentum=0.9, epsilon=1e-3), 2)),
    ("rmsprop-centered", "rmsprop_centered", [0.0, 0.0],
     lambda: _with_slots(updates.RMSpropStep(centered=True), 2)),
    ("rmsprop-centered-momentum", "rmsprop_centered_momentum", [0.0, 0.0, 0.0],
     lambda: _with_slots(updates.RMSpropStep(0.7, momentum=0.5, epsilon=1e-7, centered=True), 3)),
    ("adam", "adam", [0.0, 0.0], lambda: _with_slots(updates.AdamStep(), 2, iterations=True)),
    ("adam-betas-eps", "adam", [0.0, 0.0],
     lambda: _with_slots(updates.AdamStep(0.8, 0.95, 1e-3), 2, iterations=True)),
    ("adam-amsgrad", "adam_amsgrad", [0.0, 0.0, 0.0],
     lambda: _with_slots(updates.AdamStep(beta_2=0.5, amsgrad=True), 3, iterations=True)),
    ("adamax", "adamax", [0.0, 0.0], lambda: _with_slots(updates.AdamaxStep(), 2, iterations=True)),
    ("nadam", "nadam", [1.0, 0.0, 0.0], lambda: _nadam(0.9, beta_2=0.99)),
    ("weight-decay", "weight_decay", [], lambda: (lambda op: lambda var, g, lr, t, slots: op.forward(var, lr))(
        updates.WeightDecay(0.004))),
]


def _gradient(rng, dtype):
    """Normal numbers over six decades, zeros, negative zeros and subnormal-scale numbers, mixed anew each step;
    columns 1-3 always very large (``g * g`` near the top of the range) and column 0 past it (``g * g`` is inf,
    and the slots of that column turn inf and NaN: those must match too)."""
    tiny = float(np.finfo(dtype).tiny)
    g = rng.normal(size=SHAPE) * 10.0 ** rng.uniform(-3, 3, size=SHAPE)
    kind = rng.integers(0, 10, size=SHAPE)
    kind[:, :4] = 9
    g[kind == 0] = 0.0
    g[kind == 1] = -0.0
    g[kind == 2] = rng.normal(size=int((kind == 2).sum())) * tiny * 8  # normal and subnormal around the smallest
    g[:, 1:4] *= 1e15 if dtype == np.float32 else 1e150
    low, high = (20, 30) if dtype == np.float32 else (155, 300)
    g[:, 0] = rng.choice([-1.0, 1.0], size=SHAPE[0]) * 10.0 ** rng.uniform(low, high, size=SHAPE[0])
    return g.astype(dtype)


def _trajectory(case, dtype, compiled, flush=False):
    """The bits of the variable and every slot after each step (one row per step), and the final variable."""
    _, _, slot_values, make = case
    backend.set_compiled_kernels(compiled, after=0)
    rng = np.random.default_rng(11)
    var = (rng.normal(size=SHAPE) * 10.0 ** rng.uniform(-30 if dtype == np.float32 else -300, 3, size=SHAPE)
           ).astype(dtype)
    var[0] = 0.0
    slots = [np.asarray(v, dtype) if case[0] == "nadam" and k == 0 else np.full(SHAPE, v, dtype)
             for k, v in enumerate(slot_values)]
    step = make()
    uint = np.dtype(f"u{np.dtype(dtype).itemsize}")
    rows = []
    with _fpenv.flush_denormals() if flush else _nullcontext(), np.errstate(all="ignore"):
        for t in range(STEPS):
            lr = np.asarray(10.0 ** rng.uniform(-4, 0), dtype)
            result = step(var, _gradient(rng, dtype), lr, t, slots)
            assert result is var  # in place, as the numpy path
            rows.append(np.concatenate([a.reshape(-1).view(uint) for a in [var, *slots]]))
    return np.stack(rows), var


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("flush", [False, True], ids=["ieee", "flush-to-zero"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_compiled_kernel_gives_the_numpy_formula_bit_for_bit(case, dtype, flush, kernel_calls):
    if flush and not _fpenv.supported():
        pytest.skip("flush-to-zero needs x86-64 or AArch64 with glibc")
    numpy_bits, var = _trajectory(case, dtype, compiled=False, flush=flush)
    assert kernel_calls == {}
    compiled_bits, _ = _trajectory(case, dtype, compiled=True, flush=flush)
    assert kernel_calls == {case[1]: STEPS}
    assert np.isfinite(var[:, 4:]).all()  # outside column 0 (and 1-3) the numbers stay numbers to the end
    for t in range(STEPS):
        assert np.array_equal(numpy_bits[t], compiled_bits[t]), f"{case[0]}: bits differ after step {t + 1}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_random_steps_reach_every_kind_of_value(dtype):
    """The data above really has subnormals, zeros and overflowing squares, so the comparison covers them."""
    g = _gradient(np.random.default_rng(0), dtype)
    assert (g == 0).any() and np.signbit(g[g == 0]).any()
    assert ((g != 0) & (np.abs(g) < np.finfo(dtype).tiny)).any()
    with np.errstate(over="ignore"):
        assert np.isinf(g[:, 0] * g[:, 0]).all() and np.isfinite(g[:, 1:] * g[:, 1:]).all()
        assert (np.abs(g[:, 1:4]) ** 2 > np.finfo(dtype).max * 1e-6).any()


def test_nan_and_inf_gradients_propagate_as_in_numpy(kernel_calls):
    bits = []
    for compiled in (False, True):
        backend.set_compiled_kernels(compiled, after=0)
        var, m, v, v_hat = np.ones(8, np.float32), np.zeros(8, np.float32), np.zeros(8, np.float32), \
            np.zeros(8, np.float32)
        op = updates.AdamStep(amsgrad=True)
        g = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, 3e38], np.float32)
        with np.errstate(all="ignore"):
            for t in range(3):
                op.forward(var, g, np.asarray(0.1, np.float32), np.asarray(t), m, v, v_hat)
        bits.append(np.concatenate([a.view(np.uint32) for a in (var, m, v, v_hat)]))
    assert kernel_calls == {"adam_amsgrad": 3}
    np.testing.assert_array_equal(bits[0], bits[1])


def test_the_kernels_allocate_nothing_and_write_in_place():
    backend.set_compiled_kernels(True, after=0)
    var, g = np.ones(5000, np.float32), np.full(5000, 0.5, np.float32)
    m, v = np.zeros_like(var), np.zeros_like(var)
    workspace = {}
    op = updates.AdamStep(workspace=workspace)
    addresses = [a.__array_interface__["data"][0] for a in (var, m, v)]
    assert op.forward(var, g, np.asarray(0.1, np.float32), np.asarray(0), m, v) is var
    assert workspace == {}  # no scratch buffers: the loop keeps its temporaries in registers
    assert [a.__array_interface__["data"][0] for a in (var, m, v)] == addresses
    assert (m != 0).all() and (v != 0).all() and (var != 1).all()


# ----------------------------------------------------------------------------- through the optimizers and fit

def _mlp_run(epochs=2, **compile_kwargs):
    chainrule.keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(96, 20)).astype("float32")
    y = rng.integers(0, 4, size=96)
    model = chainrule.keras.Sequential([chainrule.keras.layers.Dense(16, activation="relu", input_shape=(20,)),
                                        chainrule.keras.layers.Dense(4, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", **compile_kwargs)
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
    return model


@pytest.mark.parametrize("optimizer, kernel", [
    (lambda: chainrule.keras.optimizers.Adam(0.01), "adam"),
    (lambda: chainrule.keras.optimizers.Adam(0.01, amsgrad=True), "adam_amsgrad"),
    (lambda: chainrule.keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True), "rmsprop_centered_momentum"),
    (lambda: chainrule.keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True), "sgd_nesterov"),
    (lambda: chainrule.keras.optimizers.AdamW(0.01), "adam"),
], ids=["adam", "amsgrad", "rmsprop-centered-momentum", "sgd-nesterov", "adamw"])
def test_fit_replays_use_the_kernel_and_train_bit_identically(optimizer, kernel, kernel_calls):
    backend.set_compiled_kernels(False)
    plain = _mlp_run(optimizer=optimizer())
    assert kernel_calls == {}
    backend.set_compiled_kernels(True, after=0)
    fast = _mlp_run(optimizer=optimizer())
    steps = 2 * 6
    assert fast.optimizer._flat is not None  # one kernel call per step over the flat buffer of all four weights
    assert kernel_calls[kernel] == steps  # every step, the traced one and the replays
    if isinstance(fast.optimizer, chainrule.keras.optimizers.AdamW):
        assert kernel_calls["weight_decay"] == 4 * steps  # the decay runs per variable (some may be excluded)
    for a, b in zip(plain.get_weights() + plain.optimizer.get_weights(),
                    fast.get_weights() + fast.optimizer.get_weights()):
        assert np.array_equal(a, b)


def test_the_tier_up_waits_for_the_threshold_then_switches_mid_training(monkeypatch, kernel_calls):
    """Outside a fit (nothing announced), the numpy path runs until the threshold, then the kernel."""
    backend.set_compiled_kernels(False)
    plain = _mlp_run(epochs=3, optimizer="adam")
    n_params = sum(w.size for w in plain.get_weights())  # 20*16 + 16 + 16*4 + 4 = 404 per step
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=7 * n_params)
    monkeypatch.setattr(tier_up, "planned_work", lambda n: contextlib.nullcontext(None))  # as a custom loop
    tiered = _mlp_run(epochs=3, optimizer="adam")
    assert kernel_calls == {"adam": 3 * 6 - 7}  # 7 steps of numpy work, then the kernel for the other 11
    assert tier_up._done == 7 * n_params
    for a, b in zip(plain.get_weights() + plain.optimizer.get_weights(),
                    tiered.get_weights() + tiered.optimizer.get_weights()):
        assert np.array_equal(a, b)


def test_the_switches_keep_numpy(kernel_calls):
    backend.set_compiled_kernels(False, after=0)
    assert not tier_up.compiled_kernels_in_use()
    _mlp_run(epochs=1, optimizer="adam")
    backend.set_compiled_kernels(True, after=0)
    backend.set_fast_paths(False)
    assert not backend.compiled_kernels_enabled() and not tier_up.compiled_kernels_in_use()
    _mlp_run(epochs=1, optimizer="adam")
    assert kernel_calls == {}
    backend.set_fast_paths(True)
    assert tier_up.compiled_kernels_in_use()
    assert chainrule.config.set_compiled_kernels is backend.set_compiled_kernels
    with pytest.raises(ValueError, match="after must be 0 or more"):
        chainrule.config.set_compiled_kernels(True, after=-1)


def test_arrays_a_kernel_does_not_take_stay_on_numpy(kernel_calls):
    backend.set_compiled_kernels(True, after=0)
    lr, it = np.asarray(0.01, np.float32), np.asarray(0)
    rng = np.random.default_rng(2)
    # float16; a non-contiguous variable (a transposed view); a gradient broadcast from one number
    var16 = rng.normal(size=(6, 5)).astype(np.float16)
    updates.AdamStep().forward(var16, np.ones_like(var16), lr, it, np.zeros_like(var16), np.zeros_like(var16))
    base = rng.normal(size=(5, 6)).astype(np.float32)
    results = []
    for compiled in (False, True):
        backend.set_compiled_kernels(compiled, after=0)
        var = base.copy().T
        m, v = np.zeros((6, 5), np.float32), np.zeros((6, 5), np.float32)
        updates.AdamStep().forward(var, np.full((6, 5), 0.5, np.float32), lr, it, m, v)
        w = base.copy()
        updates.SGDStep().forward(w, np.float32(0.5), lr)
        results.append((var, w))
    assert kernel_calls == {}
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_without_numba_the_updates_stay_on_numpy_silently(monkeypatch, recwarn):
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` now fails as if it were not installed
    monkeypatch.delitem(sys.modules, "chainrule.ops.kernels")
    monkeypatch.delattr(chainrule.ops, "kernels")
    monkeypatch.setattr(tier_up, "_kernels", None)
    backend.set_compiled_kernels(True, after=0)
    assert not tier_up.compiled_kernels_in_use()
    assert tier_up._kernels is False
    var = np.ones(4, np.float32)
    updates.SGDStep().forward(var, np.ones(4, np.float32), np.asarray(0.5, np.float32))
    np.testing.assert_array_equal(var, np.full(4, 0.5, np.float32))
    assert not [w for w in recwarn if "kernels" in str(w.message)]


def _fresh(code, **env):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


_SHORT_FIT = ("import sys, numpy as np, chainrule as tf\n"
              "from chainrule.ops import tier_up\n"
              "m = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(4,))])\n"
              "m.compile('adam', 'mse')\n"
              "m.fit(np.ones((64, 4), 'float32'), np.zeros((64, 3), 'float32'), batch_size=8, verbose=0)\n"
              "print('numba' in sys.modules, tf.config.compiled_kernels_after(), tier_up._done)\n")


def test_a_short_run_never_imports_numba():
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_COMPILED_KERNELS_AFTER"}
    out = subprocess.run([sys.executable, "-c", _SHORT_FIT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", str(backend.COMPILED_KERNELS_AFTER), str(8 * 15)]


def test_the_environment_variable_sets_the_threshold():
    assert _fresh(_SHORT_FIT, CHAINRULE_COMPILED_KERNELS_AFTER="0") == ["True", "0", "0"]
    assert _fresh(_SHORT_FIT, CHAINRULE_COMPILED_KERNELS_AFTER="1e9")[1] == "1000000000"
    assert _fresh(_SHORT_FIT, CHAINRULE_COMPILED_KERNELS_AFTER="45")[0] == "True"  # 8 steps x 15 after the first


@pytest.mark.parametrize("alias", ["m", "v"])
def test_a_gradient_that_is_a_slot_array_gives_numpy_numbers(alias, kernel_calls):
    """Each statement of a kernel reads its arrays again after the previous one wrote, as numpy's passes do."""
    bits = []
    for compiled in (False, True):
        backend.set_compiled_kernels(compiled, after=0)
        rng = np.random.default_rng(5)
        var, m, v = (rng.random(300).astype(np.float32) for _ in range(3))
        slots = {"m": m, "v": v}
        with np.errstate(invalid="ignore"):  # sqrt of a negative centered variance, in both paths
            for t in range(4):
                updates.AdamStep().forward(var, slots[alias], np.asarray(0.1, np.float32), np.asarray(t), m, v)
                updates.RMSpropStep(momentum=0.5, centered=True).forward(
                    var, slots[alias], np.asarray(0.1, np.float32), v, m, slots["m" if alias == "v" else "v"])
        bits.append(np.concatenate([a.view(np.uint32) for a in (var, m, v)]))
    assert kernel_calls == {"adam": 4, "rmsprop_centered_momentum": 4}
    np.testing.assert_array_equal(bits[0], bits[1])


def test_a_replayed_function_switches_to_the_kernel_when_the_threshold_passes(monkeypatch, kernel_calls):
    """A ``chainrule.function`` replay calls each recorded update's ``forward`` again, so it tiers up too."""
    def train(compiled):
        rng = np.random.default_rng(8)
        w = chainrule.Variable(rng.normal(size=(30, 10)).astype(np.float32))
        b = chainrule.Variable(np.zeros(10, np.float32))
        x = chainrule.constant(rng.normal(size=(8, 30)).astype(np.float32))
        opt = chainrule.keras.optimizers.RMSprop(0.01, momentum=0.9)
        traces = []

        @chainrule.function
        def step():
            traces.append(1)  # Python runs only while tracing
            with chainrule.GradientTape() as tape:
                loss = chainrule.reduce_sum(chainrule.square(chainrule.matmul(x, w) + b))
            opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))

        monkeypatch.setattr(tier_up, "_done", 0)
        backend.set_compiled_kernels(compiled, after=3 * 310)  # 310 weights: three steps on numpy first
        for _ in range(8):
            step()
        assert len(traces) == 1
        return [w.numpy(), b.numpy()] + opt.get_weights()

    results = [train(False), train(True)]
    assert kernel_calls == {"rmsprop_momentum": 5}
    for a, c in zip(*results):
        assert np.array_equal(a, c)


def _tiny_fit(epochs):
    """A Dense(3) on 4 inputs (15 weights) trained with Adam: 8 steps an epoch, one flat update a step."""
    chainrule.keras.utils.set_random_seed(0)
    model = chainrule.keras.Sequential([chainrule.keras.layers.Dense(3, input_shape=(4,))])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).random((64, 4), dtype=np.float32)
    return model, lambda: model.fit(x, x[:, :3], batch_size=8, epochs=epochs, verbose=0, shuffle=False)


def test_a_fit_that_repays_the_load_tiers_up_after_its_first_step(monkeypatch, kernel_calls):
    """The first step runs numpy and measures the fit's work per step; it times the steps repays the load."""
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=3 * 8 * 15)  # exactly this fit's work: 3 epochs of 8 steps
    _, fit = _tiny_fit(epochs=3)
    fit()
    assert kernel_calls == {"adam": 23}  # every step after the first
    assert tier_up._done == 15  # the first step's work, on numpy
    assert tier_up._plan is None  # the announcement ends with the fit


def test_a_fit_one_step_short_of_the_threshold_stays_on_numpy(monkeypatch, kernel_calls):
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=3 * 8 * 15 + 1)
    _, fit = _tiny_fit(epochs=3)
    fit()
    assert kernel_calls == {} and tier_up._done == 3 * 8 * 15


def test_a_threshold_crossed_inside_a_fit_waits_for_the_next_fit(monkeypatch, kernel_calls):
    """A fit too short to repay the load never switches in its middle; the next one starts on the kernels."""
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=20 * 15)  # more than one 16-step fit; crossed in the second
    model, fit = _tiny_fit(epochs=2)
    fit()
    fit()
    assert kernel_calls == {} and tier_up._done == 32 * 15
    fit()
    assert kernel_calls == {"adam": 16}


def test_once_loaded_the_kernels_serve_every_later_fit(monkeypatch, kernel_calls):
    """Numba's load is paid once per process: after it, even a fit far too short to repay it uses them."""
    monkeypatch.setattr(tier_up, "_done", 0)
    backend.set_compiled_kernels(True, after=10 ** 12)
    _, fit = _tiny_fit(epochs=1)
    fit()
    assert kernel_calls == {}
    assert tier_up._kernels_module() is kernels  # loaded, e.g. by a long fit before
    fit()
    assert kernel_calls == {"adam": 8}
    assert tier_up._done == 8 * 15  # only the first fit's numpy work


def test_fit_bit_identical_with_a_tier_up_after_its_first_step(monkeypatch):
    weights = []
    for after in (10 ** 12, 8 * 15):
        monkeypatch.setattr(tier_up, "_done", 0)
        backend.set_compiled_kernels(True, after=after)
        model, fit = _tiny_fit(epochs=2)
        fit()
        weights.append(model.get_weights() + model.optimizer.get_weights())
    for a, b in zip(*weights):
        assert np.array_equal(a, b)


def test_an_exception_inside_fit_ends_its_announcement(monkeypatch):
    class Stop(Exception):
        pass

    class Raise(chainrule.keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            assert tier_up._plan.steps == 2 * 8 and tier_up._plan.decided
            raise Stop

    model, _ = _tiny_fit(epochs=2)
    with pytest.raises(Stop):
        model.fit(np.ones((64, 4), np.float32), np.ones((64, 3), np.float32), batch_size=8, epochs=2, verbose=0,
                  callbacks=[Raise()])
    assert tier_up._plan is None
