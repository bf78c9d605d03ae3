"""chainrule's optimizers against trajectories recorded from real tf.keras 2 (and Keras 3).

The fixture ``fixtures/optimizer_trajectories.npz`` was made by
``fixtures/make_optimizer_trajectories.py`` with tensorflow-cpu / tf_keras (see
``fixtures/README.md`` for versions): fixed float32 variables ``w`` (3, 4) and
``b`` (4,), 20 fixed gradient pairs, and the variables after every step plus
the slots after the last step, per optimizer configuration. The float64
references in ``test_optimizers.py`` were written from the same reading of the
Keras formulas as chainrule's code; these numbers come from an independent
implementation, so a misread formula cannot be shared by code and test.

Keras 3's numbers are stored beside tf.keras 2's only where the two differ by
more than float32 rounding; where they agree, tf.keras 2's numbers stand for both.
"""
import json
import pathlib

import numpy as np
import pytest

import chainrule
from chainrule.keras import optimizers

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "optimizer_trajectories.npz"
# float32 rounding, not formulas: the largest use is 0.43 of this (Adam + clipnorm, 20 steps). tf.keras's own
# float32 Adam is itself 8.7e-7 away from a float64 evaluation of its formula, so 1e-6 / 1e-7 would fail on
# rounding alone (Adam cases use 3.8-4.3 times that), while every formula slip tried moves a trajectory by more.
RTOL, ATOL = 1e-5, 1e-6

with np.load(FIXTURE, allow_pickle=False) as _data:
    DATA = {key: _data[key] for key in _data.files}
CASES = {spec["name"]: spec for spec in json.loads(str(DATA["cases"]))}
PROVENANCE = json.loads(str(DATA["provenance"]))
STEPS = int(PROVENANCE["steps"])

# (reference, case) -> why chainrule is expected to disagree. Each is strict: when chainrule is changed to
# agree, the xfail fails and the entry must go.
_SGD_SLOTS = ("tf.keras 2's SGD builds an 'm' slot per variable even with momentum=0 (it stays at zeros), so its "
              "optimizer.variables hold w_momentum and b_momentum; chainrule follows Keras 3 and builds none. "
              "The trajectory agrees exactly.")
_EMA_INIT = ("Keras 3 uses momentum 0 on the first EMA step (avg_1 = var_1); chainrule follows tf.keras 2, which "
             "starts the average at the variable's initial value and blends on every step "
             "(avg_1 = m*var_0 + (1-m)*var_1). ")
KNOWN_SLOT_DIFFERENCES = {
    ("tf_keras", "sgd"): _SGD_SLOTS,
    ("tf_keras", "sgd_clipnorm"): _SGD_SLOTS,
    ("tf_keras", "sgd_clipvalue"): _SGD_SLOTS,
    ("tf_keras", "sgd_global_clipnorm"): _SGD_SLOTS,
    ("keras3", "sgd_ema"): _EMA_INIT + "The averages differ from Keras 3's by up to 2.3e-4 after 20 steps.",
    ("keras3", "adam_ema_overwrite"): _EMA_INIT + "The averages differ from Keras 3's by up to 3.3e-3.",
}
KNOWN_TRAJECTORY_DIFFERENCES = {
    ("keras3", "adam_ema_overwrite"): _EMA_INIT + "With ema_overwrite_frequency=5 the averages are copied into "
                                      "the variables, so the trajectory differs from Keras 3's from step 5 on.",
}


def _params(known):
    params = []
    for ref in ("tf_keras", "keras3"):
        for name in CASES:
            if f"{ref}/{name}/w" not in DATA:
                continue
            marks = [pytest.mark.xfail(strict=True, reason=known[ref, name])] if (ref, name) in known else []
            params.append(pytest.param(ref, name, id=f"{ref}-{name}", marks=marks))
    return params


def build_optimizer(spec):
    kwargs = dict(spec["kwargs"])
    if spec["schedule"] is not None:
        schedule = spec["schedule"]
        kwargs["learning_rate"] = getattr(optimizers.schedules, schedule["class"])(**schedule["config"])
    return getattr(optimizers, spec["optimizer"])(**kwargs)


def replay(spec):
    """Apply the fixture's gradients with chainrule: (w after each step, b after each step, optimizer)."""
    w = chainrule.Variable(DATA["w0"].copy(), name="w")
    b = chainrule.Variable(DATA["b0"].copy(), name="b")
    opt = build_optimizer(spec)
    traj_w, traj_b = [], []
    for gw, gb in zip(DATA["grads_w"], DATA["grads_b"]):
        opt.apply_gradients([(chainrule.constant(gw), w), (chainrule.constant(gb), b)])
        traj_w.append(w.numpy().copy())
        traj_b.append(b.numpy().copy())
    return np.stack(traj_w), np.stack(traj_b), opt


def chainrule_slots(opt):
    """Per-variable slots by name (``w_momentum`` ...), without iteration and learning_rate."""
    slots = {}
    for v in opt.variables:
        name = v.name[:-2] if v.name.endswith(":0") else v.name
        if name.startswith(("w_", "b_")):
            slots[name] = v.numpy()
    return slots


def test_fixture_inputs_and_provenance():
    assert DATA["w0"].dtype == DATA["grads_w"].dtype == np.float32
    assert DATA["grads_w"].shape == (STEPS, 3, 4) and DATA["grads_b"].shape == (STEPS, 4)
    assert PROVENANCE["tf_keras"].split(".")[:2] == PROVENANCE["tensorflow"].split(".")[:2]
    assert PROVENANCE["generator"] == "tests/keras/fixtures/make_optimizer_trajectories.py"
    for name in CASES:
        assert DATA[f"tf_keras/{name}/w"].shape == (STEPS, 3, 4)
        assert DATA[f"tf_keras/{name}/b"].shape == (STEPS, 4)


@pytest.mark.parametrize("ref, name", _params(KNOWN_TRAJECTORY_DIFFERENCES))
def test_trajectory_matches_reference(ref, name, update_kernels):
    traj_w, traj_b, opt = replay(CASES[name])
    assert traj_w.dtype == traj_b.dtype == np.float32
    for step in range(STEPS):
        for var, actual in (("w", traj_w), ("b", traj_b)):
            np.testing.assert_allclose(actual[step], DATA[f"{ref}/{name}/{var}"][step], rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name}: {var} after step {step + 1} vs {ref}")
    assert int(opt.iterations.numpy()) == STEPS


@pytest.mark.parametrize("ref, name", _params(KNOWN_SLOT_DIFFERENCES))
def test_final_slots_match_reference(ref, name, update_kernels):
    _, _, opt = replay(CASES[name])
    prefix = f"{ref}/{name}/slot/"
    expected = {key[len(prefix):]: DATA[key] for key in DATA if key.startswith(prefix)}
    actual = chainrule_slots(opt)
    assert sorted(actual) == sorted(expected), f"{name}: slot names differ from {ref}"
    for slot, value in expected.items():
        np.testing.assert_allclose(actual[slot], value, rtol=RTOL, atol=ATOL, err_msg=f"{name}: slot {slot}")


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_kernels_repeat_the_numpy_trajectory_bit_for_bit(name):
    """The compiled update kernels (numba, the ``fast`` extra) against the numpy formulas on every case."""
    pytest.importorskip("numba")
    from chainrule.ops import tier_up
    runs = []
    saved = chainrule.backend._compiled_kernels, chainrule.backend.compiled_kernels_after()
    try:
        for compiled in (False, True):
            chainrule.config.set_compiled_kernels(compiled, after=0)
            assert tier_up.compiled_kernels_in_use() == compiled
            traj_w, traj_b, opt = replay(CASES[name])
            runs.append([traj_w, traj_b] + [v.numpy() for v in opt.variables])
    finally:
        chainrule.config.set_compiled_kernels(saved[0], after=saved[1])
    for a, b in zip(*runs):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name


# Pairs of cases whose reference trajectories must differ by far more than the tolerance: each option the
# fixture exercises (clipping, epsilon, schedule, weight decay, ...) really changes the numbers, so a
# chainrule that ignored it would fail above.
DISTINCT = [
    ("sgd", "sgd_momentum"), ("sgd_momentum", "sgd_nesterov"), ("adagrad", "adagrad_eps"),
    ("rmsprop", "rmsprop_momentum"), ("rmsprop", "rmsprop_centered"),
    ("rmsprop_centered", "rmsprop_centered_momentum_eps"), ("adam", "adam_beta_2"), ("adam_beta_2", "adam_amsgrad"),
    ("adam", "adam_betas_eps"), ("adam", "adamw"), ("adam_amsgrad", "adamw_amsgrad"), ("adam", "nadam"),
    ("nadam", "nadam_betas_eps"),
    ("sgd", "sgd_clipnorm"), ("sgd", "sgd_clipvalue"), ("sgd", "sgd_global_clipnorm"),
    ("sgd_clipnorm", "sgd_global_clipnorm"), ("adam", "adam_clipnorm"),
    ("sgd_momentum", "sgd_exponential_decay"),
    ("adam", "adam_exponential_decay_staircase"),
    ("adamw", "adamw_exponential_decay"), ("sgd_momentum", "sgd_weight_decay"),
    ("rmsprop", "rmsprop_weight_decay"), ("adam", "adam_ema_overwrite"),
]


@pytest.mark.parametrize("a, b", DISTINCT, ids=[f"{a}-vs-{b}" for a, b in DISTINCT])
def test_fixture_cases_are_told_apart_at_the_tolerance(a, b):
    wa, wb = DATA[f"tf_keras/{a}/w"], DATA[f"tf_keras/{b}/w"]
    assert np.max(np.abs(wa - wb) - (ATOL + RTOL * np.abs(wb))) > 100 * ATOL


def test_every_case_is_checked_against_tf_keras():
    covered = {name for pair in DISTINCT for name in pair}
    assert covered == set(CASES) - {"sgd_ema"}   # sgd_ema differs only in its average slot
    assert not np.allclose(DATA["tf_keras/sgd_ema/slot/w_average"], DATA["tf_keras/sgd_ema/w"][-1])
