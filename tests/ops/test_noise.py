"""Training-time noise ops (chainrule/ops/noise.py): AlphaDropout, GaussianNoise, GaussianDropout. The
noise's statistics, tf.keras 2's AlphaDropout formula, the backward against the kept draw, and float64
gradient checks (a seeded op draws the same noise at every call, so the finite differences see one function)."""
import numpy as np
import pytest

from chainrule import ops
from chainrule.ops.noise import SELU_ALPHA_P
from chainrule.tensor import apply_op
from chainrule.testing import check_gradients


def assert_grads(fn, *inputs):
    report = check_gradients(fn, *inputs)
    assert report.max_error < 1e-6, str(report)


def test_alpha_dropout_values_are_the_affine_kept_or_saturated_input():
    rate = 0.2
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P ** 2)) ** -0.5
    b = -a * SELU_ALPHA_P * rate
    assert SELU_ALPHA_P == pytest.approx(-1.7580993408473766, rel=1e-15)
    x = np.random.default_rng(0).standard_normal((200, 50))
    op = ops.AlphaDropout(rate, seed=4)
    out = op.forward(x)
    kept = np.isclose(out, a * x + b)
    dropped = np.isclose(out, a * SELU_ALPHA_P + b)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - rate) < 0.02
    np.testing.assert_allclose(op.backward(np.ones_like(x)), np.where(kept, a, 0.0))
    # the point of the correction: a standard normal input keeps mean 0 and variance 1
    assert abs(out.mean()) < 0.05 and abs(out.var() - 1) < 0.05


def test_alpha_dropout_noise_shape_shares_the_mask_and_float32_stays():
    x = np.ones((4, 6), dtype=np.float32)
    out = ops.AlphaDropout(0.5, noise_shape=(None, 1), seed=1).forward(x)
    assert out.dtype == np.float32
    assert all(len(set(row)) == 1 for row in out)
    with pytest.raises(ValueError, match="rate"):
        ops.AlphaDropout(1.0)


def test_gaussian_noise_adds_noise_of_stddev_and_passes_the_gradient():
    x = np.full((400, 100), 3.0, dtype=np.float32)
    op = ops.GaussianNoise(0.5, seed=2)
    out = op.forward(x)
    assert out.dtype == np.float32
    assert abs(out.mean() - 3.0) < 0.01 and abs(out.std() - 0.5) < 0.01
    np.testing.assert_array_equal(op.backward(np.full_like(x, 2.0)), np.full_like(x, 2.0))


def test_gaussian_dropout_multiplies_by_noise_of_mean_one_and_backward_uses_it():
    rate = 0.3
    x = np.full((400, 100), 2.0)
    op = ops.GaussianDropout(rate, seed=5)
    out = op.forward(x)
    assert abs(out.mean() - 2.0) < 0.02
    assert abs(out.std() - 2.0 * np.sqrt(rate / (1 - rate))) < 0.02
    np.testing.assert_allclose(op.backward(np.ones_like(x)), out / 2.0)
    with pytest.raises(ValueError, match="rate"):
        ops.GaussianDropout(-0.1)


def test_unseeded_noise_differs_from_call_to_call():
    x = np.zeros((3, 4))
    for make in (lambda: ops.AlphaDropout(0.5), lambda: ops.GaussianNoise(1.0), lambda: ops.GaussianDropout(0.5)):
        assert not np.array_equal(make().forward(x + 1), make().forward(x + 1))


@pytest.mark.parametrize("make", [lambda: ops.AlphaDropout(0.3, seed=3), lambda: ops.GaussianNoise(0.7, seed=3),
                                  lambda: ops.GaussianDropout(0.4, seed=3)],
                         ids=["AlphaDropout", "GaussianNoise", "GaussianDropout"])
def test_noise_gradients(make):
    x = np.random.default_rng(1).uniform(-2, 2, (5, 4))
    assert_grads(lambda a: apply_op(make(), a), x)
