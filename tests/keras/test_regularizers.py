"""chainrule.keras.regularizers: tf.keras 2 penalties, their tape gradients, configs and names."""
import importlib
import json

import numpy as np
import pytest

import chainrule
from chainrule.testing import check_gradients

regularizers = importlib.import_module("chainrule.keras.regularizers")

W = np.array([[1.0, -2.0, 0.5], [3.0, -4.0, -0.25]])
SUM_ABS = 10.75
SUM_SQ = 1 + 4 + 0.25 + 9 + 16 + 0.0625   # 30.3125


def f32(x):
    return float(np.float32(x))


# ----------------------------------------------------------------------------- penalties

def test_l1_penalty():
    p = regularizers.L1(0.1)(chainrule.constant(W, dtype="float32"))
    assert isinstance(p, chainrule.Tensor) and p.shape == () and p.dtype == chainrule.float32
    assert float(p) == pytest.approx(0.1 * SUM_ABS, rel=1e-6)


def test_l2_penalty():
    p = regularizers.L2(0.01)(chainrule.constant(W, dtype="float32"))
    assert p.shape == () and p.dtype == chainrule.float32
    assert float(p) == pytest.approx(0.01 * SUM_SQ, rel=1e-6)


def test_l1_l2_penalty_has_both_terms():
    p = regularizers.l1_l2(l1=0.1, l2=0.01)(W.astype(np.float32))
    assert float(p) == pytest.approx(0.1 * SUM_ABS + 0.01 * SUM_SQ, rel=1e-6)
    p = regularizers.l1_l2()(W.astype(np.float32))          # defaults 0.01 and 0.01
    assert float(p) == pytest.approx(0.01 * (SUM_ABS + SUM_SQ), rel=1e-6)


def test_defaults():
    assert float(regularizers.L1()(W)) == pytest.approx(0.01 * SUM_ABS, rel=1e-6)
    assert float(regularizers.L2()(W)) == pytest.approx(0.01 * SUM_SQ, rel=1e-6)
    zero = regularizers.L1L2()(W)          # L1L2 defaults to no penalty at all
    assert float(zero) == 0.0 and zero.shape == ()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_penalty_is_in_the_weight_dtype(dtype):
    w = chainrule.constant(W, dtype=dtype)
    for reg in (regularizers.L1(), regularizers.L2(), regularizers.L1L2(0.1, 0.2), regularizers.L1L2()):
        assert reg(w).dtype == chainrule.as_dtype(dtype)


def test_factors_are_stored_in_floatx_as_tf_keras():
    reg = regularizers.L2(0.01)
    assert reg.get_config() == {"l2": 0.009999999776482582}
    p = reg(chainrule.constant(W, dtype="float64"))
    assert float(p) == pytest.approx(f32(0.01) * SUM_SQ, rel=1e-15)


def test_l_is_the_old_argument_name():
    assert regularizers.L1(l=0.5).get_config() == {"l1": 0.5}
    assert regularizers.L2(l=0.25).get_config() == {"l2": 0.25}
    with pytest.raises(TypeError, match="not recognized"):
        regularizers.L1(l2=0.1)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1", np.float32(0.1)])
def test_invalid_penalty_numbers(bad):
    with pytest.raises(ValueError, match="not a valid regularization penalty number"):
        regularizers.L2(bad)


# ----------------------------------------------------------------------------- gradients on a tape

@pytest.mark.parametrize("l1, l2", [(0.1, 0.0), (0.0, 0.05), (0.1, 0.05)])
def test_gradient_on_tape(l1, l2):
    w = chainrule.Variable(W.astype(np.float32))
    reg = regularizers.L1L2(l1=l1, l2=l2)
    with chainrule.GradientTape() as tape:
        penalty = reg(w)
    g = tape.gradient(penalty, w)
    assert g is not None
    np.testing.assert_allclose(g.numpy(), l1 * np.sign(W) + 2 * l2 * W, rtol=1e-6)


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.l1_l2(0.1, 0.4),
                                 regularizers.OrthogonalRegularizer(0.5),
                                 regularizers.OrthogonalRegularizer(0.5, mode="columns")],
                         ids=["l1", "l2", "l1_l2", "orth_rows", "orth_columns"])
def test_gradient_matches_central_differences(reg, rng):
    w = rng.uniform(0.2, 2.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
    assert check_gradients(reg, w).max_error < 1e-6


# ----------------------------------------------------------------------------- orthogonal regularizer

def test_orthogonal_regularizer_values():
    # rows [1, 0] and [1, 1]: normalized dot product 1/sqrt(2), counted twice, one pair
    w = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert float(regularizers.OrthogonalRegularizer(0.1)(w)) == pytest.approx(
        f32(0.1) * 0.5 * 2 / np.sqrt(2), rel=1e-14)   # float64 weights: exact to float64
    # columns [1, 1] and [0, 1]: the same angle
    assert float(regularizers.OrthogonalRegularizer(0.1, mode="columns")(w)) == pytest.approx(
        f32(0.1) * 0.5 * 2 / np.sqrt(2), rel=1e-14)
    assert float(regularizers.OrthogonalRegularizer(1.0)(np.eye(3) * 5)) == 0.0
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


# ----------------------------------------------------------------------------- config and names

@pytest.mark.parametrize("reg", [regularizers.L1(0.5), regularizers.L2(0.25), regularizers.L1L2(0.125, 0.5),
                                 regularizers.OrthogonalRegularizer(0.5, mode="columns")],
                         ids=lambda r: type(r).__name__)
def test_config_round_trip(reg):
    config = reg.get_config()
    clone = type(reg).from_config(config)
    assert clone.get_config() == config
    assert float(clone(W)) == float(reg(W))
    serialized = regularizers.serialize(reg)
    assert serialized == {"class_name": type(reg).__name__, "config": config}
    again = regularizers.deserialize(json.loads(json.dumps(serialized)))
    assert type(again) is type(reg) and again.get_config() == config


def test_get_by_name():
    assert regularizers.get("l1").get_config() == {"l1": f32(0.01)}
    assert regularizers.get("l2").get_config() == {"l2": f32(0.01)}
    assert regularizers.get("l1_l2").get_config() == {"l1": f32(0.01), "l2": f32(0.01)}
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}
    assert isinstance(regularizers.get("L2"), regularizers.L2)
    assert isinstance(regularizers.get("orthogonal_regularizer"), regularizers.OrthogonalRegularizer)
    assert regularizers.l1 is regularizers.L1 and regularizers.l2 is regularizers.L2


def test_get_other_identifiers():
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.5)
    assert regularizers.get(reg) is reg
    assert regularizers.get({"class_name": "L1", "config": {"l1": 0.5}}).get_config() == {"l1": 0.5}

    def custom(x):
        return chainrule.reduce_sum(x) * 0.0

    assert regularizers.get(custom) is custom
    assert regularizers.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get(0.01)


def test_misspelled_name_suggests_closest():
    with pytest.raises(ValueError) as info:
        regularizers.get("l1l2")
    assert "Unknown regularizer: 'l1l2'" in str(info.value)
    assert "Did you mean 'l1_l2'?" in str(info.value)


def test_base_regularizer():
    base = regularizers.Regularizer()
    assert float(base(W)) == 0.0
    with pytest.raises(NotImplementedError):
        base.get_config()
