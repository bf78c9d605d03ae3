"""LayerNorm (chainrule/ops/normalization.py): tf.keras LayerNormalization's numbers and gradients."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from chainrule import ops
from chainrule.tensor import apply_op
from chainrule.testing import check_gradients


def reference(x, axes, gamma=None, beta=None, epsilon=1e-3):
    """tf.nn.moments + tf.nn.batch_normalization over ``axes``, as LayerNormalization.call does."""
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    inv = 1 / np.sqrt(variance + epsilon)
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    out = x * inv - mean * inv
    return out + beta.reshape(shape) if beta is not None else out


def test_defaults_are_tf_keras():
    op = ops.LayerNorm()
    assert (op.axis, op.epsilon, op.center, op.scale) == (-1, 1e-3, True, True)


def test_known_numbers_on_the_last_axis():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]])
    out = ops.LayerNorm().forward(x, np.ones(3), np.zeros(3))
    std = np.sqrt(2 / 3 + 1e-3)
    np.testing.assert_allclose(out, [[-1 / std, 0, 1 / std], [0, 0, 0]], rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data(), center=st.booleans(),
       scale=st.booleans(), seed=st.integers(0, 2**16))
def test_forward_and_gradients_over_shapes_and_axes(shape, data, center, scale, seed):
    ndim = len(shape)
    axes = data.draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda a: a % ndim))
    axis = axes[0] if len(axes) == 1 and data.draw(st.booleans()) else tuple(axes)
    normalized = tuple(sorted(a % ndim for a in axes))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * 3 + 1
    param_shape = tuple(shape[a] for a in normalized)
    # Groups of 1 or 2 values normalize to constants (0, or +-1 up to epsilon): their gradients are ~epsilon
    # and central differences cannot resolve them.
    assume(np.prod(param_shape) >= 3)
    params = ([rng.uniform(0.5, 1.5, size=param_shape)] if scale else []) + \
             ([rng.normal(size=param_shape)] if center else [])
    op = ops.LayerNorm(axis=axis, center=center, scale=scale)
    out = op.forward(x, *params)
    gamma = params[0] if scale else None
    beta = params[-1] if center else None
    np.testing.assert_allclose(out, reference(x, normalized, gamma, beta), rtol=1e-10, atol=1e-10)
    report = check_gradients(lambda *a: apply_op(ops.LayerNorm(axis=axis, center=center, scale=scale), *a),
                             x, *params)
    assert report.max_error < 1e-5, str(report)  # small groups have tiny (~1e-4) gradients: 1e-6 is noise


def test_float32_stays_float32_and_constant_rows_stay_finite():
    x = np.full((2, 5), 7.0, dtype=np.float32)
    op = ops.LayerNorm()
    out = op.forward(x, np.ones(5, np.float32), np.zeros(5, np.float32))
    assert out.dtype == np.float32 and np.all(out == 0)
    dx, _, _ = op.backward(np.ones_like(x))
    assert dx.dtype == np.float32 and np.isfinite(dx).all()


@pytest.mark.parametrize("kwargs, args, match", [
    ({}, (np.zeros((2, 3)), np.ones(4), np.zeros(3)), r"gamma has shape \(4,\); for axis -1 it must be \(3,\)"),
    ({"axis": 2}, (np.zeros((2, 3)), np.ones(3), np.zeros(3)), r"axis 2 is out of range for an input of shape"),
    ({"center": False}, (np.zeros((2, 3)), np.ones(3), np.zeros(3)), r"expected \(x, gamma\) for scale=True"),
])
def test_errors(kwargs, args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ops.LayerNorm(**kwargs).forward(*args)
