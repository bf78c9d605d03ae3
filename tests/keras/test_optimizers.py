"""chainrule.keras.optimizers: Keras 3 update rules against float64 NumPy references, clipping,
schedules, look-up by name, state round trips."""
import math
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule import keras
from chainrule.keras import optimizers

RTOL, ATOL = 1e-6, 1e-7
STEPS = 5


# ----------------------------------------------------------------------------- float64 references

def _ref_sgd(w, g, s, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    s["m"] = momentum * s.get("m", 0.0) - lr * g
    return w + (momentum * s["m"] - lr * g if nesterov else s["m"])


def _ref_adagrad(w, g, s, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    s["acc"] = s.get("acc", initial_accumulator_value) + g ** 2
    return w - lr * g / np.sqrt(s["acc"] + epsilon)


def _ref_rmsprop(w, g, s, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g ** 2
    if centered:
        s["mg"] = rho * s.get("mg", 0.0) + (1 - rho) * g
        denom = s["v"] - s["mg"] ** 2 + epsilon
    else:
        denom = s["v"] + epsilon
    increment = lr * g / np.sqrt(denom)
    if momentum > 0:
        s["m"] = momentum * s.get("m", 0.0) + increment
        return w - s["m"]
    return w - increment


def _ref_adam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    # tf.keras 2 computes the bias correction in the variable's dtype (float32 here), from float32 betas
    f32 = np.float32
    alpha = float(f32(lr) * np.sqrt(f32(1) - f32(beta_2) ** f32(t)) / (f32(1) - f32(beta_1) ** f32(t)))
    s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
    s["v"] = s.get("v", 0.0) + (g ** 2 - s.get("v", 0.0)) * (1 - beta_2)
    v = s["v"]
    if amsgrad:
        s["vhat"] = np.maximum(s.get("vhat", 0.0), s["v"])
        v = s["vhat"]
    return w - s["m"] * alpha / (np.sqrt(v) + epsilon)


def _ref_nadam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
    u_t1 = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
    s["u_product"] = s.get("u_product", 1.0) * u_t          # advanced once per step, before the update
    s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
    s["v"] = s.get("v", 0.0) + (g ** 2 - s.get("v", 0.0)) * (1 - beta_2)
    m_hat = u_t1 * s["m"] / (1 - s["u_product"] * u_t1) + (1 - u_t) * g / (1 - s["u_product"])
    v_hat = s["v"] / (1 - beta_2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def _ref_adamax(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
    s["u"] = np.maximum(beta_2 * s.get("u", 0.0), np.abs(g))
    return w - lr * s["m"] / ((1 - beta_1 ** t) * (s["u"] + epsilon))


_REFS = {"SGD": _ref_sgd, "Adagrad": _ref_adagrad, "RMSprop": _ref_rmsprop, "Adam": _ref_adam,
         "AdamW": _ref_adam, "Nadam": _ref_nadam, "Adamax": _ref_adamax}


def reference_run(cls_name, hp, w0, grads):
    """The trajectory (w after each step) of the formulas in float64; decoupled weight decay first."""
    hp = dict(hp)
    lr = hp.pop("learning_rate")
    wd = hp.pop("weight_decay", 0.004 if cls_name == "AdamW" else None)
    w, state, out = w0.astype(np.float64), {}, []
    for t, g in enumerate(grads, start=1):
        if wd is not None:
            w = w - w * wd * lr
        w = _REFS[cls_name](w, g.astype(np.float64), state, t, lr, **hp)
        out.append(w)
    return out


def chainrule_run(opt, w0, grads):
    v = chainrule.Variable(w0, name="w")
    out = []
    for g in grads:
        opt.apply_gradients([(chainrule.constant(g), v)])
        assert v._value.dtype == np.float32
        out.append(v.numpy().astype(np.float64))
    return out


@pytest.fixture
def problem():
    """A float32 (2, 3) variable and 5 fixed float32 gradients of varying size (so AMSGrad's max matters)."""
    rng = np.random.default_rng(7)
    w0 = rng.normal(size=(2, 3)).astype(np.float32)
    scales = [1.0, 3.0, 0.2, 0.05, 1.5]
    grads = [(rng.normal(size=(2, 3)) * s).astype(np.float32) for s in scales]
    return w0, grads


CASES = [
    ("SGD", dict(learning_rate=0.1)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(learning_rate=0.1, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(learning_rate=0.1)),
    ("Adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.5, epsilon=0.1)),
    ("RMSprop", dict(learning_rate=0.05)),
    ("RMSprop", dict(learning_rate=0.05, epsilon=0.1)),
    ("RMSprop", dict(learning_rate=0.05, centered=True)),
    ("RMSprop", dict(learning_rate=0.05, momentum=0.8)),
    ("RMSprop", dict(learning_rate=0.05, rho=0.7, momentum=0.8, centered=True, epsilon=0.1)),
    ("Adam", dict(learning_rate=0.1)),
    ("Adam", dict(learning_rate=0.1, beta_1=0.7, beta_2=0.9, epsilon=0.1)),
    ("Adam", dict(learning_rate=0.1, beta_2=0.5, amsgrad=True)),
    ("Adam", dict(learning_rate=0.1, weight_decay=0.2)),
    ("AdamW", dict(learning_rate=0.1)),
    ("AdamW", dict(learning_rate=0.1, weight_decay=0.3, beta_2=0.5, amsgrad=True)),
    ("Nadam", dict(learning_rate=0.1)),
    ("Nadam", dict(learning_rate=0.1, beta_1=0.8, beta_2=0.9, epsilon=0.1)),
    ("Nadam", dict(learning_rate=0.1, weight_decay=0.2)),
    ("Adamax", dict(learning_rate=0.1)),
    ("Adamax", dict(learning_rate=0.1, beta_1=0.7, beta_2=0.5, epsilon=0.1)),
    ("Adamax", dict(learning_rate=0.1, weight_decay=0.2)),
]


@pytest.mark.parametrize("cls_name, hp", CASES, ids=[f"{c}-{'-'.join(f'{k}={v}' for k, v in h.items())}"
                                                     for c, h in CASES])
def test_update_rule_matches_float64_reference(problem, cls_name, hp, update_kernels):
    w0, grads = problem
    opt = getattr(optimizers, cls_name)(**hp)
    actual = chainrule_run(opt, w0, grads)
    expected = reference_run(cls_name, hp, w0, grads)
    for step, (a, e) in enumerate(zip(actual, expected), start=1):
        np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL, err_msg=f"{cls_name} {hp} step {step}")
    assert int(opt.iterations) == STEPS


@pytest.mark.parametrize("cls_name, a, b", [
    ("SGD", dict(learning_rate=0.1, momentum=0.9), dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("RMSprop", dict(learning_rate=0.05), dict(learning_rate=0.05, centered=True)),
    ("Adam", dict(learning_rate=0.1, beta_2=0.5), dict(learning_rate=0.1, beta_2=0.5, amsgrad=True)),
    ("Adam", dict(learning_rate=0.1, epsilon=0.1), dict(learning_rate=0.1, epsilon=0.1 + 1e-3)),
    ("Adagrad", dict(learning_rate=0.1, epsilon=0.1), dict(learning_rate=0.1, epsilon=0.1 + 1e-3)),
])
def test_references_tell_variants_apart(problem, cls_name, a, b):
    """The tolerance is tight enough that each option in CASES changes the trajectory measurably."""
    w0, grads = problem
    ra, rb = reference_run(cls_name, a, w0, grads)[-1], reference_run(cls_name, b, w0, grads)[-1]
    assert np.max(np.abs(ra - rb) / (np.abs(rb) + ATOL)) > 100 * RTOL


def test_adam_first_step_is_lr_times_sign_of_gradient():
    """Bias correction: after step 1, m * alpha / sqrt(v) = lr * g / |g|, so the update is lr * sign(g).

    Keras's epsilon is "epsilon hat", added to the uncorrected sqrt(v) = sqrt(1 - beta_2) * |g|: the exact
    first update is lr * g / (|g| + eps / sqrt(1 - beta_2)) (PyTorch's placement would give lr * g / (|g| + eps)).
    """
    w0 = np.array([1.0, -1.0, 0.5, 2.0, 0.0], np.float32)
    g = np.array([0.3, -2.0, 1.0, -5.0, 1e-2], np.float32)
    v = chainrule.Variable(w0)
    optimizers.Adam(learning_rate=0.01).apply_gradients([(g, v)])
    step = (w0 - v.numpy()).astype(np.float64)
    np.testing.assert_allclose(step[:4], 0.01 * np.sign(g[:4]), rtol=5e-5)
    exact = 0.01 * g / (np.abs(g) + 1e-7 / math.sqrt(1 - 0.999))
    np.testing.assert_allclose(step, exact, rtol=1e-5)


@pytest.mark.parametrize("dtype, expected", [
    ("float32", [-0.00099994847551, -0.000969340035226, -0.000240251451032]),
    ("float64", [-0.000999948466901, -0.000969340144904, -0.000240251480896]),
])
def test_adam_bias_correction_takes_float32_betas_as_tf_keras(dtype, expected):
    """tf.keras 2.21's Adam computes ``1 - beta_2**t`` from ``tf.cast(0.999, dtype)``, i.e. float32's
    0.99900001, in the variable's dtype: the first step is 6.4e-6 shorter than the float64 formula's (a
    bias the 20-step trajectory fixtures' rtol of 1e-5 does not see, but which moves a convnet's loss by
    3e-3 within one epoch). The expected values are what tf.keras 2.21 printed for these gradients."""
    v = chainrule.Variable(np.zeros(3, dtype))
    optimizers.Adam().apply_gradients([(np.array([0.0704181, 1e-4, 1e-6], dtype), v)])
    np.testing.assert_allclose(v.numpy(), expected, rtol=2e-7 if dtype == "float32" else 1e-10)


def test_sgd_momentum_zero_creates_no_slots_and_adam_creates_them_lazily():
    v = chainrule.Variable(np.ones(3, np.float32), name="w")
    sgd, adam = optimizers.SGD(), optimizers.Adam()
    assert [x.name for x in adam.variables] == ["iteration:0", "learning_rate:0"] and not adam.built
    sgd.apply_gradients([(np.ones(3, np.float32), v)])
    adam.apply_gradients([(np.ones(3, np.float32), v)])
    assert len(sgd.variables) == 2
    assert [x.name for x in adam.variables] == ["iteration:0", "learning_rate:0", "w_momentum:0", "w_velocity:0"]


def test_variables_order_is_per_variable_slots_as_in_keras():
    a = chainrule.Variable(np.ones((2, 2), np.float32), name="dense/kernel")
    b = chainrule.Variable(np.ones(2, np.float32), name="dense/bias")
    opt = optimizers.Adam()
    opt.apply_gradients(zip([np.ones((2, 2)), np.ones(2)], [a, b]))
    assert [x.name for x in opt.variables] == [
        "iteration:0", "learning_rate:0", "dense_kernel_momentum:0", "dense_kernel_velocity:0",
        "dense_bias_momentum:0", "dense_bias_velocity:0"]
    assert opt.variables[0].dtype == chainrule.int64 and opt.variables[1].dtype == chainrule.float32
    assert all(not x.trainable for x in opt.variables)
    assert [w.shape for w in opt.get_weights()] == [(), (), (2, 2), (2, 2), (2,), (2,)]


def test_updates_are_in_place_and_dtype_is_kept():
    v32 = chainrule.Variable(np.ones((3, 2), np.float32))
    v64 = chainrule.Variable(np.ones(4, np.float64))
    arr32, arr64 = v32._value, v64._value
    opt = optimizers.RMSprop(learning_rate=0.1, momentum=0.5, centered=True)
    for _ in range(2):
        opt.apply_gradients([(np.full((3, 2), 0.5, np.float64), v32),    # float64 grad: cast down, not up
                             (chainrule.constant(np.full(4, 0.5)), v64)])
    assert v32._value is arr32 and v64._value is arr64
    assert v32._value.dtype == np.float32 and v64._value.dtype == np.float64
    slot_dtypes = {w.dtype for w in opt.get_weights()[2:]}
    assert slot_dtypes == {np.dtype(np.float32), np.dtype(np.float64)}
    assert np.all(v32.numpy() < 1)


def test_gradient_with_wrong_shape_names_the_variable():
    v = chainrule.Variable(np.ones(3, np.float32), name="w")
    with pytest.raises(ValueError, match=r"'w:0'.*\(4,\).*\(3,\)"):
        optimizers.SGD().apply_gradients([(np.ones(4), v)])


# ----------------------------------------------------------------------------- clipping

def _sgd_step(opt, grads):
    """Apply one plain-SGD step (lr=1) from zero; returns -update = the processed gradients."""
    variables = [chainrule.Variable(np.zeros_like(g, dtype=np.float32)) for g in grads]
    opt.apply_gradients(zip([np.asarray(g, np.float32) for g in grads], variables))
    return [-v.numpy() for v in variables]


def test_clipnorm_clips_each_gradient_separately():
    big, small = np.array([3.0, 4.0]), np.array([0.3, 0.4])      # norms 5 and 0.5
    out = _sgd_step(optimizers.SGD(learning_rate=1.0, clipnorm=1.0), [big, small])
    np.testing.assert_allclose(out[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(out[1], small, rtol=1e-6)


def test_global_clipnorm_scales_all_gradients_together():
    a, b = np.array([3.0, 0.0]), np.array([0.0, 4.0])             # global norm 5
    out = _sgd_step(optimizers.SGD(learning_rate=1.0, global_clipnorm=2.5), [a, b])
    np.testing.assert_allclose(out[0], a / 2, rtol=1e-6)
    np.testing.assert_allclose(out[1], b / 2, rtol=1e-6)
    out = _sgd_step(optimizers.SGD(learning_rate=1.0, global_clipnorm=10.0), [a, b])
    np.testing.assert_allclose(out[0], a, rtol=1e-6)


def test_clipvalue_clips_elementwise():
    out = _sgd_step(optimizers.SGD(learning_rate=1.0, clipvalue=0.5), [np.array([-2.0, 0.25, 3.0])])
    np.testing.assert_allclose(out[0], [-0.5, 0.25, 0.5])


def test_clipping_leaves_the_callers_gradient_untouched():
    g = np.array([3.0, 4.0], np.float32)
    v = chainrule.Variable(np.zeros(2, np.float32))
    optimizers.SGD(learning_rate=1.0, clipvalue=1.0).apply_gradients([(g, v)])
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_only_one_clip_option():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="clipnorm"):
        optimizers.Adam(clipnorm=-1.0)


# ----------------------------------------------------------------------------- None gradients, iterations

def test_none_gradient_is_skipped_with_the_keras_warning():
    kernel = chainrule.Variable(np.ones(2, np.float32), name="dense/kernel")
    bias = chainrule.Variable(np.ones(2, np.float32), name="dense/bias")
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning) as record:
        opt.apply_gradients([(None, kernel), (np.ones(2), bias)])
    message = str(record[0].message)
    assert message.startswith("Gradients do not exist for variables ['dense/kernel:0'] when minimizing the loss.")
    assert "did you forget to provide a `loss` argument?" in message
    np.testing.assert_array_equal(kernel.numpy(), [1, 1])
    np.testing.assert_array_equal(bias.numpy(), [0.5, 0.5])
    assert int(opt.iterations) == 1


def test_all_gradients_none_is_an_error():
    v = chainrule.Variable(np.ones(2, np.float32), name="w")
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        optimizers.SGD().apply_gradients([(None, v)])


def test_iterations_is_int64_variable_counting_steps():
    v = chainrule.Variable(np.ones(2, np.float32))
    opt = optimizers.Adam()
    assert isinstance(opt.iterations, chainrule.Variable)
    assert opt.iterations.dtype == chainrule.int64 and not opt.iterations.trainable
    assert int(opt.iterations) == 0
    for i in range(1, 4):
        result = opt.apply_gradients(zip([np.ones(2)], [v]))
        assert int(result) == i == int(opt.iterations.numpy())


# ----------------------------------------------------------------------------- learning rate

def test_lr_alias_reads_and_assigns():
    opt = optimizers.SGD(learning_rate=0.01)
    assert round(opt.lr.numpy(), 5) == 0.01
    assert isinstance(opt.learning_rate, chainrule.Variable) and opt.learning_rate.dtype == chainrule.float32
    assert opt.learning_rate.name == "learning_rate:0" and not opt.learning_rate.trainable
    opt.lr = 0.005
    assert opt.learning_rate.numpy() == np.float32(0.005)
    opt.learning_rate = 0.5
    assert opt.lr.numpy() == np.float32(0.5)
    opt.learning_rate.assign(0.25)
    opt.lr.assign(opt.lr * chainrule.exp(chainrule.constant(0.0)))      # a LearningRateScheduler-style Tensor
    assert opt.lr.numpy() == np.float32(0.25)
    v = chainrule.Variable(np.zeros(1, np.float32))
    opt.apply_gradients([(np.ones(1), v)])
    assert v.numpy()[0] == np.float32(-0.25)                             # the step uses the assigned rate
    assert opt.get_config()["learning_rate"] == float(np.float32(0.25))


def test_learning_rate_must_be_a_number_or_schedule():
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="fast")


def test_legacy_lr_keyword_and_unknown_keywords():
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        opt = optimizers.Adam(lr=0.02)
    assert opt.learning_rate.numpy() == np.float32(0.02)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(bogus=1)


# ----------------------------------------------------------------------------- schedules

def test_schedules_import_forms():
    from chainrule.keras.optimizers.schedules import CosineDecay, ExponentialDecay, PiecewiseConstantDecay
    assert optimizers.schedules.ExponentialDecay is ExponentialDecay
    assert optimizers.schedules.PiecewiseConstantDecay is PiecewiseConstantDecay
    assert optimizers.schedules.CosineDecay is CosineDecay
    assert issubclass(ExponentialDecay, optimizers.schedules.LearningRateSchedule)


def test_schedules_import_in_a_fresh_interpreter():
    code = ("from chainrule.keras.optimizers.schedules import ExponentialDecay\n"
            "print(float(ExponentialDecay(0.1, 10, 0.5)(10)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == pytest.approx(0.05)


def test_exponential_decay_values():
    s = optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    st = optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    for step in [0, 1, 5, 10, 15, 37]:  # a 0-d float32 tensor, as in tf.keras: the formula rounded once
        assert s(step).dtype == chainrule.float32 and s(step).shape == ()
        assert s(step).numpy() == np.float32(0.1 * 0.5 ** (step / 10))
        assert st(step).numpy() == np.float32(0.1 * 0.5 ** (step // 10))
    with pytest.raises(ValueError, match="decay_steps"):
        optimizers.schedules.ExponentialDecay(0.1, 0, 0.5)


def test_a_schedule_called_on_an_array_of_steps_gives_the_rate_at_each():
    # tf.keras's overfit_and_underfit tutorial plots lr_schedule(np.linspace(0, 100000)); TensorFlow's formula
    # is elementwise, so the result is a float32 tensor of the steps' shape
    s = optimizers.schedules.InverseTimeDecay(0.001, decay_steps=20000, decay_rate=1)
    steps = np.linspace(0, 100000, num=5)
    out = s(steps)
    assert out.dtype == chainrule.float32 and out.shape == (5,)
    np.testing.assert_array_equal(out.numpy(), np.float32([s(float(k)).numpy() for k in steps]))
    np.testing.assert_allclose(out.numpy(), 0.001 / (1 + steps / 20000), rtol=1e-6)
    grid = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)(np.arange(6).reshape(2, 3))
    assert grid.shape == (2, 3) and grid.numpy()[1, 2] == np.float32(0.1 * 0.5 ** 0.5)


def test_piecewise_constant_decay_values():
    s = optimizers.schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    expected = {0: 1.0, 10: 1.0, 11: 0.5, 20: 0.5, 21: 0.1, 1000: 0.1}
    assert {k: s(k).numpy() for k in expected} == {k: np.float32(v) for k, v in expected.items()}
    with pytest.raises(ValueError, match="1 less than the length of values"):
        optimizers.schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5])


def test_cosine_decay_values():
    s = optimizers.schedules.CosineDecay(0.2, decay_steps=100, alpha=0.1)
    for step in [0, 1, 25, 50, 99, 100, 150]:
        c = 0.5 * (1 + math.cos(math.pi * min(step, 100) / 100))
        assert s(step).numpy() == np.float32(0.2 * ((1 - 0.1) * c + 0.1))
    w = optimizers.schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=5)
    assert [float(w(k)) for k in (0, 1, 5)] == pytest.approx([0.0, 0.2, 1.0])
    assert float(w(10)) == pytest.approx(0.5 * (1 + math.cos(math.pi * 5 / 10)))


def test_optimizer_with_schedule_uses_the_value_at_the_current_step():
    sched = optimizers.schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=sched)
    v = chainrule.Variable(np.zeros(1, np.float32))
    for step in range(4):
        lr = opt.learning_rate
        assert isinstance(lr, chainrule.Tensor) and lr.dtype == chainrule.float32
        assert float(lr.numpy()) == pytest.approx(0.5 ** step)
        before = v.numpy()[0]
        opt.apply_gradients([(np.ones(1), v)])
        assert before - v.numpy()[0] == pytest.approx(0.5 ** step)
    assert [x.name for x in opt.variables] == ["iteration:0"]
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.1
    config = opt.get_config()
    assert config["learning_rate"] == {"class_name": "ExponentialDecay", "config": sched.get_config()}
    clone = optimizers.SGD.from_config(config)
    assert isinstance(clone._learning_rate, optimizers.schedules.ExponentialDecay)
    assert clone._learning_rate.get_config() == sched.get_config()


def test_schedule_serialize_round_trip():
    for s in [optimizers.schedules.ExponentialDecay(0.1, 7, 0.9, staircase=True),
              optimizers.schedules.PiecewiseConstantDecay([3], [0.1, 0.01]),
              optimizers.schedules.CosineDecay(0.1, 50, alpha=0.2)]:
        back = optimizers.schedules.deserialize(optimizers.schedules.serialize(s))
        assert type(back) is type(s) and back.get_config() == s.get_config()
        assert [back(k) for k in range(0, 60, 7)] == [s(k) for k in range(0, 60, 7)]


# ----------------------------------------------------------------------------- minimize

def test_minimize_fits_the_seed_polynomial_regression_with_sgd():
    rng = np.random.default_rng(3)
    X = rng.normal(size=50).astype(np.float32)
    Y = (2.0 * X ** 2 - 1.0 * X + 0.5).astype(np.float32)
    a, b, c = (chainrule.Variable(np.float32(v)) for v in rng.normal(size=3))

    def loss_fn():
        pred_y = a * (X ** 2) + b * X + c
        return chainrule.reduce_mean((Y - pred_y) ** 2)

    optimizer = optimizers.SGD(learning_rate=0.05)
    first = float(loss_fn())
    for _ in range(300):
        optimizer.minimize(loss_fn, var_list=[a, b, c])
    assert float(loss_fn()) < 1e-3 * first
    assert int(optimizer.iterations) == 300
    assert a.dtype == chainrule.float32
    np.testing.assert_allclose([a.numpy(), b.numpy(), c.numpy()], [2.0, -1.0, 0.5], atol=0.02)


def test_minimize_seed_form_adam_on_scalar_variables():
    """The seed's code: tf.Variable(np.random.randn()) (a Python float: float32 scalars), Adam(0.04).minimize."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=50)
    Y = X ** 2 + X * rng.normal(size=50)
    a, b, c = (chainrule.Variable(rng.normal()) for _ in range(3))

    def compute_loss():
        pred_y = a * (np.array(X) ** 2) + b * np.array(X) + c
        return chainrule.reduce_mean((Y - pred_y) ** 2)

    optimizer = optimizers.Adam(learning_rate=0.04)
    first = float(compute_loss())
    for _ in range(200):
        optimizer.minimize(compute_loss, var_list=[a, b, c])
    assert float(compute_loss()) < first
    assert a.dtype == chainrule.float32 and a.shape == ()
    best = np.linalg.lstsq(np.stack([X ** 2, X, np.ones_like(X)], 1), Y, rcond=None)[0]
    np.testing.assert_allclose([a.numpy(), b.numpy(), c.numpy()], best, atol=0.05)


def test_minimize_with_tensor_loss_needs_a_tape():
    w = chainrule.Variable(np.array([1.0, 2.0], np.float32))
    opt = optimizers.SGD(learning_rate=0.25)
    with chainrule.GradientTape() as tape:
        loss = chainrule.reduce_sum(w * w)
    opt.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), [0.5, 1.0])
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(chainrule.reduce_sum(w * w), [w])


# ----------------------------------------------------------------------------- look-up by name

@pytest.mark.parametrize("name, cls, lr", [("sgd", "SGD", 0.01), ("adam", "Adam", 0.001),
                                            ("rmsprop", "RMSprop", 0.001), ("adagrad", "Adagrad", 0.001),
                                            ("adamw", "AdamW", 0.001), ("nadam", "Nadam", 0.001),
                                            ("adamax", "Adamax", 0.001),
                                            ("RMSprop", "RMSprop", 0.001), ("ADAM", "Adam", 0.001)])
def test_get_by_name_gives_keras_defaults(name, cls, lr):
    opt = optimizers.get(name)
    assert type(opt) is getattr(optimizers, cls)
    assert opt.learning_rate.numpy() == np.float32(lr)


def test_keras_default_hyper_parameters():
    names = [optimizers.get(n).name for n in ("sgd", "adam", "rmsprop", "adagrad", "adamw", "nadam")]
    assert names == ["SGD", "Adam", "RMSprop", "Adagrad", "AdamW", "Nadam"]          # tf.keras 2.11 names
    cfg = optimizers.Adam().get_config()
    assert (cfg["beta_1"], cfg["beta_2"], cfg["epsilon"], cfg["amsgrad"]) == (0.9, 0.999, 1e-7, False)
    assert optimizers.AdamW().weight_decay == 0.004
    cfg = optimizers.RMSprop().get_config()
    assert (cfg["rho"], cfg["momentum"], cfg["epsilon"], cfg["centered"]) == (0.9, 0.0, 1e-7, False)
    cfg = optimizers.Adagrad().get_config()
    assert (cfg["initial_accumulator_value"], cfg["epsilon"]) == (0.1, 1e-7)
    cfg = optimizers.SGD().get_config()
    assert (cfg["momentum"], cfg["nesterov"]) == (0.0, False)
    for key in ("name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue"):
        assert key in cfg
    cfg = optimizers.Adamax().get_config()
    assert (cfg["name"], cfg["beta_1"], cfg["beta_2"], cfg["epsilon"]) == ("Adamax", 0.9, 0.999, 1e-7)


def test_adamax_follows_tf_keras_step_by_step():
    # tf.keras 2.21 (tf_keras, TF_USE_LEGACY_KERAS=1): Adamax(learning_rate=0.01).apply_gradients on this variable
    tf_keras_steps = [[0.9900000095367432, -1.9900000095367432, 3.0, 0.49000000953674316],
                      [0.9884194731712341, -1.9863121509552002, 2.994736909866333, 0.48525843024253845],
                      [0.9866816997528076, -1.984352469444275, 2.9923975467681885, 0.48655733466148376]]
    grads = [[0.5, -1.0, 0.0, 2.0], [-0.3, 0.2, 1.5, 0.0], [0.1, 0.1, -0.4, -2.5]]
    steps = chainrule_run(optimizers.Adamax(learning_rate=0.01), np.array([1.0, -2.0, 3.0, 0.5], dtype=np.float32),
                          [np.array(g, dtype=np.float32) for g in grads])
    np.testing.assert_allclose(steps, tf_keras_steps, rtol=1e-6)


def test_get_passes_instances_and_configs_through():
    opt = optimizers.RMSprop(learning_rate=0.02)
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    again = optimizers.get(optimizers.serialize(opt))
    assert type(again) is optimizers.RMSprop and again.get_config() == opt.get_config()
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad", "adamw", "nadam"])
def test_serialize_round_trip(name):
    opt = optimizers.get(name)
    opt_cfg = dict(opt.get_config(), learning_rate=0.0123, clipnorm=2.0, name="mine")
    opt = type(opt).from_config(opt_cfg)
    data = optimizers.serialize(opt)
    assert data["class_name"] == type(opt).__name__
    back = optimizers.deserialize(data)
    assert type(back) is type(opt) and back.get_config() == opt.get_config()
    assert back.get_config()["clipnorm"] == 2.0 and back.name == "mine"


@pytest.mark.parametrize("bad, suggestion", [("adamm", "adam"), ("RMSpop", "rmsprop"), ("sgdd", "sgd")])
def test_misspelled_name_lists_valid_names_and_suggests(bad, suggestion):
    with pytest.raises(ValueError) as info:
        optimizers.get(bad)
    message = str(info.value)
    assert repr(bad) in message
    assert "'adagrad', 'adam', 'adamax', 'adamw', 'nadam', 'rmsprop', 'sgd'" in message
    assert message.endswith(f"Did you mean {suggestion!r}?")


# ----------------------------------------------------------------------------- state round trip

@pytest.mark.parametrize("name, kwargs", [("sgd", dict(momentum=0.9, nesterov=True)), ("adam", dict(amsgrad=True)),
                                          ("rmsprop", dict(momentum=0.5, centered=True)), ("adagrad", {}),
                                          ("adamw", {}), ("nadam", {})])
def test_restored_optimizer_continues_bit_identically(problem, name, kwargs, update_kernels):
    w0, grads = problem
    bias0 = np.array([0.1, -0.2], np.float32)
    opt = type(optimizers.get(name))(learning_rate=0.05, **kwargs)
    w, b = chainrule.Variable(w0, name="w"), chainrule.Variable(bias0, name="b")
    for g in grads[:2]:
        opt.apply_gradients(zip([g, g[0, :2]], [w, b]))
    saved_weights, saved_slots = opt.get_weights(), opt.get_slot_arrays()
    assert len(saved_slots) == len(saved_weights) - 2

    restored = optimizers.deserialize(optimizers.serialize(opt))
    w2, b2 = chainrule.Variable(w.numpy(), name="w"), chainrule.Variable(b.numpy(), name="b")
    restored.build([w2, b2])
    restored.set_weights(saved_weights)
    for original, copy in zip(opt.get_weights(), restored.get_weights()):
        assert original.dtype == copy.dtype and np.array_equal(original, copy)

    for g in grads[2:]:
        opt.apply_gradients(zip([g, g[1, :2]], [w, b]))
        restored.apply_gradients(zip([g, g[1, :2]], [w2, b2]))
    assert np.array_equal(w.numpy(), w2.numpy()) and np.array_equal(b.numpy(), b2.numpy())
    for x, y in zip(opt.get_weights(), restored.get_weights()):
        assert np.array_equal(x, y)
    assert int(restored.iterations) == 5


def test_slot_arrays_round_trip_and_store_layout():
    v = chainrule.Variable(np.ones(3, np.float32), name="w")
    opt = optimizers.Adam(learning_rate=0.1)
    opt.apply_gradients([(np.array([1.0, 2.0, 3.0]), v)])
    slots = opt.get_slot_arrays()
    assert len(slots) == 2 and slots[0].dtype == np.float32
    other = optimizers.Adam(learning_rate=0.1)
    other.build([v])
    other.set_slot_arrays(slots)
    assert all(np.array_equal(x, y) for x, y in zip(other.get_slot_arrays(), slots))
    assert int(other.iterations) == 0                       # set_slot_arrays leaves the counters alone
    store = {}
    opt.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2", "3"]
    third = optimizers.Adam()
    third.build([v])
    third.load_own_variables(store)
    assert int(third.iterations) == 1 and third.learning_rate.numpy() == np.float32(0.1)
    with pytest.raises(ValueError, match="not yet been built"):
        optimizers.Adam().set_weights(opt.get_weights())
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizers.Adam().load_own_variables(store)


# ----------------------------------------------------------------------------- extras: EMA, accumulation, scaling

def test_gradient_accumulation_applies_the_mean_every_n_calls():
    v = chainrule.Variable(np.zeros(2, np.float32))
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    opt.apply_gradients([(np.array([1.0, 2.0]), v)])
    np.testing.assert_array_equal(v.numpy(), [0, 0])
    opt.apply_gradients([(np.array([3.0, 4.0]), v)])
    np.testing.assert_array_equal(v.numpy(), [-2, -3])
    assert int(opt.iterations) == 1


def test_ema_keeps_a_moving_average_and_finalize_copies_it():
    v = chainrule.Variable(np.zeros(1, np.float32))
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    # tf.keras 2: the average starts at the variable's value (0) and blends from the first step
    opt.apply_gradients([(np.array([-1.0]), v)])   # v = 1, avg = 0.5 * 0 + 0.5 * 1
    opt.apply_gradients([(np.array([-1.0]), v)])   # v = 2, avg = 0.5 * 0.5 + 0.5 * 2
    assert v.numpy()[0] == 2.0
    opt.finalize_variable_values([v])
    assert v.numpy()[0] == 1.25


def test_loss_scale_factor_divides_gradients_and_exclusions_skip_weight_decay():
    v = chainrule.Variable(np.zeros(1, np.float32))
    optimizers.SGD(learning_rate=1.0, loss_scale_factor=4.0).apply_gradients([(np.array([8.0]), v)])
    assert v.numpy()[0] == -2.0
    kernel = chainrule.Variable(np.ones(1, np.float32), name="dense/kernel")
    bias = chainrule.Variable(np.ones(1, np.float32), name="dense/bias")
    opt = optimizers.SGD(learning_rate=0.5, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients(zip([np.zeros(1), np.zeros(1)], [kernel, bias]))
    assert kernel.numpy()[0] == np.float32(1 - 0.1 * 0.5) and bias.numpy()[0] == 1.0


# ----------------------------------------------------------------------------- custom optimizers

def test_keras3_style_custom_optimizer_gets_cast_gradients():
    """A subclass written as in the Keras 3 docs: build + add_variable_from_reference + update_step."""
    seen = []

    class MomentumSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, name="momentum_sgd", **kwargs)

        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.momentums = [self.add_variable_from_reference(v, "momentum") for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            seen.append((gradient.dtype, learning_rate.dtype, learning_rate.shape))
            m = self.momentums[self._get_variable_index(variable)]
            self.assign(m, m._value * 0.5 - gradient * learning_rate)
            self.assign_add(variable, m)

    v = chainrule.Variable(np.ones(2, np.float32), name="w")
    opt = MomentumSGD()
    for _ in range(2):
        opt.apply_gradients([(np.ones(2, np.float64), v)])
    assert seen == [(chainrule.float32, chainrule.float32, ())] * 2  # Tensors, as Keras 3 passes them
    np.testing.assert_allclose(v.numpy(), [1 - 0.1 - 0.15] * 2, rtol=1e-6)
    assert [x.name for x in opt.variables] == ["iteration:0", "learning_rate:0", "w_momentum:0"]


# ----------------------------------------------------------------------------- one kernel call for all variables

class _PerVariableAdam(optimizers.Adam):
    """The same Adam, updated one variable at a time (an overridden update_step keeps the flat group off)."""

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(gradient, variable, learning_rate)


def _three_variables():
    rng = np.random.default_rng(4)
    return [chainrule.Variable(rng.normal(size=s).astype(np.float32), name=n)
            for s, n in (((5, 3), "w"), ((3,), "b"), ((3, 2), "v"))]


def test_the_flat_group_updates_all_variables_at_once_with_identical_numbers(update_kernels):
    flat_vars, plain_vars = _three_variables(), _three_variables()
    flat, plain = optimizers.Adam(0.01, amsgrad=True), _PerVariableAdam(0.01, amsgrad=True)
    rng = np.random.default_rng(5)
    for _ in range(5):
        grads = [rng.normal(size=v.shape).astype(np.float32) for v in flat_vars]
        flat.apply_gradients(zip(grads, flat_vars))
        plain.apply_gradients(zip(grads, plain_vars))
    assert flat._flat is not None and plain._flat is None
    buffer = flat._flat.params._value
    assert all(np.shares_memory(v._value, buffer) for v in flat_vars)  # one buffer, one kernel call per step
    for a, b in zip(flat_vars + flat.variables, plain_vars + plain.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert [v.name for v in flat.variables] == [v.name for v in plain.variables]  # the saved layout is unchanged


def test_a_flat_group_of_large_variables_updates_each_on_its_views_without_joining_the_gradients(monkeypatch):
    """Joining large gradients costs a copy of each; such a group updates its variables one by one, in place in
    the same buffers, with the numbers of the per-variable optimizer."""
    from chainrule.keras.optimizers import base as optimizer_base
    from chainrule.ops import updates as update_ops

    def variables():
        rng = np.random.default_rng(7)
        return [chainrule.Variable(rng.normal(size=s).astype(np.float32), name=n)
                for s, n in (((400, 350), "w"), ((350,), "b"), ((350, 4), "v"))]  # 141,750 values in 3 variables
    joins = []
    original = update_ops.ConcatenateFlat.forward
    monkeypatch.setattr(update_ops.ConcatenateFlat, "forward", lambda self, *a: joins.append(1) or original(self, *a))
    large, plain = variables(), variables()
    flat, per_variable = optimizers.Adam(0.01), _PerVariableAdam(0.01)
    rng = np.random.default_rng(8)
    for _ in range(3):
        grads = [rng.normal(size=v.shape).astype(np.float32) for v in large]
        flat.apply_gradients(zip(grads, large))
        per_variable.apply_gradients(zip(grads, plain))
    assert flat._flat is not None and not flat._flat.join_gradients and joins == []
    assert all(np.shares_memory(v._value, flat._flat.params._value) for v in large)
    for a, b in zip(large + flat.variables, plain + per_variable.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # The rule's edge: two variables join below JOIN_GRADIENTS_BELOW values in all, and not from there on.
    edge = optimizer_base.JOIN_GRADIENTS_BELOW
    for total, joined in ((edge - 1, True), (edge, False)):
        pair = [chainrule.Variable(np.zeros(total - 1, np.float32)), chainrule.Variable(np.zeros(1, np.float32))]
        opt = optimizers.SGD(0.1)
        joins.clear()
        opt.apply_gradients(zip([np.ones(v.shape, np.float32) for v in pair], pair))
        assert opt._flat.join_gradients is joined and joins == ([1] if joined else [])
        assert pair[0].numpy()[0] == np.float32(-0.1)


def test_assigning_a_variable_in_the_flat_group_keeps_it_there():
    variables = _three_variables()
    opt = optimizers.SGD(0.1, momentum=0.9)
    opt.apply_gradients(zip([np.ones(v.shape, np.float32) for v in variables], variables))
    variables[0].assign(np.zeros((5, 3), np.float32))
    opt.set_weights(opt.get_weights())
    opt.apply_gradients(zip([np.ones(v.shape, np.float32) for v in variables], variables))
    assert np.shares_memory(variables[0]._value, opt._flat.params._value)
    # zeros, then one momentum step: m = 0.9 * (-0.1) - 0.1 = -0.19
    np.testing.assert_allclose(variables[0].numpy(), np.full((5, 3), -0.19, np.float32), rtol=1e-6)


def test_a_variable_kept_by_one_optimizer_is_updated_one_by_one_by_another():
    variables = _three_variables()
    first, second = optimizers.SGD(0.1), optimizers.SGD(0.1)
    first.apply_gradients(zip([np.ones(v.shape, np.float32) for v in variables], variables))
    second.apply_gradients(zip([np.ones(v.shape, np.float32) for v in variables], variables))
    assert first._flat is not None and second._flat is None
    first.apply_gradients(zip([np.ones(v.shape, np.float32) for v in variables], variables))
    before = _three_variables()
    np.testing.assert_allclose(variables[1].numpy(), before[1].numpy() - 0.3, rtol=1e-6)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_adamax_state_survives_saving_and_training_resumes_identically(tmp_path, suffix):
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adamax(0.05), loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    model.save(tmp_path / f"m{suffix}")
    restored = keras.models.load_model(tmp_path / f"m{suffix}")
    assert type(restored.optimizer) is optimizers.Adamax
    for a, b in zip(model.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    restored.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
