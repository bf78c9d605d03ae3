"""chainrule.testing: the seed's numerical_gradient and check_gradients must themselves be trustworthy,
or every gradient test built on them proves nothing."""
import numpy as np
import pytest

import chainrule
from chainrule import ops
from chainrule.tensor import apply_op
from chainrule.testing import GradientReport, check_gradients, numerical_gradient

# ----------------------------------------------------------------------------- numerical_gradient

def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda a: np.sum(a ** 2), x), 2 * x, rtol=1e-8)
    np.testing.assert_allclose(numerical_gradient(lambda a: np.sum(np.sin(a)), x), np.cos(x), rtol=1e-6)


def test_numerical_gradient_restores_the_input_and_uses_eps():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(a):
        calls.append(a.copy())
        return float(np.prod(a))

    g = numerical_gradient(f, x, eps=0.5)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(g, [6.0, 3.0, 2.0])      # exact for a multilinear function
    assert len(calls) == 6
    np.testing.assert_array_equal(calls[0], [1.5, 2.0, 3.0])
    np.testing.assert_array_equal(calls[1], [0.5, 2.0, 3.0])


def test_numerical_gradient_perturbs_a_variable_in_place():
    v = chainrule.Variable([1.0, 2.0], dtype=chainrule.float64)
    g = numerical_gradient(lambda var: float(chainrule.reduce_sum(var * var)), v)
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-8)
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_numerical_gradient_rejects_integer_arrays():
    with pytest.raises(TypeError, match="float"):
        numerical_gradient(lambda a: 0.0, np.array([1, 2]))


# ----------------------------------------------------------------------------- check_gradients

class _WrongMul(ops.Mul):
    """Mul whose backward forgets a factor of 2 on y's gradient."""

    def backward(self, dout):
        dx, dy = super().backward(dout)
        return dx, None if dy is None else dy * 0.5


class _ForgetfulSum(ops.Sum):
    """Sum whose backward only passes the gradient to the first element."""

    def backward(self, dout):
        g = np.zeros(self.shape)
        g.flat[0] = 1.0
        return g * np.asarray(dout)


def test_check_gradients_passes_a_correct_op_and_reports_per_input():
    rng = np.random.default_rng(0)
    report = check_gradients(lambda a, b: a * b, rng.standard_normal((2, 3)), rng.standard_normal(3))
    assert isinstance(report, GradientReport)
    assert report.max_error < 1e-8
    assert report.names == ["input 0", "input 1"]
    assert report.analytic[1].shape == (3,) and report.numeric[1].shape == (3,)
    assert "input 1" in str(report)


def test_check_gradients_catches_a_wrong_backward():
    rng = np.random.default_rng(0)
    report = check_gradients(lambda a, b: apply_op(_WrongMul(), a, b),
                             rng.standard_normal(4), rng.standard_normal(4))
    assert report.errors[0] < 1e-8          # x's gradient is right
    assert report.errors[1] == pytest.approx(0.5, rel=1e-6)
    with pytest.raises(AssertionError, match="worst relative error"):
        check_gradients(lambda a, b: apply_op(_WrongMul(), a, b), np.ones(2), np.ones(2), tol=1e-6)


def test_check_gradients_catches_a_wrong_reduction_backward():
    report = check_gradients(lambda a: apply_op(_ForgetfulSum(), a), np.array([1.0, 2.0, 3.0]))
    assert report.max_error > 0.5


def test_check_gradients_checks_every_output_element_not_just_the_sum():
    # A Neg whose backward swaps the elements of dout gives the right answer for a seed of ones
    # (the gradient of the plain sum); the random projection of the output catches it.
    class _SwappedNeg(ops.Neg):
        def backward(self, dout):
            return -dout[::-1]

    report = check_gradients(lambda a: apply_op(_SwappedNeg(), a), np.array([1.0, 2.0]))
    assert report.max_error > 1e-3


def test_check_gradients_treats_unconnected_inputs_as_zero():
    report = check_gradients(lambda a, b: a * 2.0, np.array([1.0]), np.array([5.0]))
    assert report.max_error < 1e-8
    np.testing.assert_array_equal(report.analytic[1], [0.0])


def test_check_gradients_passes_integer_inputs_through_unchanged():
    seen = []

    def fn(x, labels):
        seen.append(labels.dtype)
        return chainrule.nn.sparse_softmax_cross_entropy_with_logits(labels, x)

    report = check_gradients(fn, np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([1, 0]))
    assert report.names == ["input 0"]
    assert report.max_error < 1e-6
    assert all(d.is_integer for d in seen)


def test_check_gradients_runs_in_float64():
    dtypes = []

    def fn(x):
        dtypes.append(x.dtype)
        return x * x

    check_gradients(fn, np.array([1.0, 2.0], dtype=np.float32))
    assert set(dtypes) == {chainrule.float64}


def test_check_gradients_checks_variables_read_by_fn():
    w = chainrule.Variable([[0.5, -1.0], [2.0, 0.25]], dtype=chainrule.float64, name="layer/kernel")
    report = check_gradients(lambda x: chainrule.matmul(x, w), np.array([[1.0, 2.0]]), variables=[w])
    assert report.names == ["input 0", "layer/kernel:0"]
    assert report.max_error < 1e-8
    np.testing.assert_array_equal(w.numpy(), [[0.5, -1.0], [2.0, 0.25]])   # restored after perturbing
    assert "layer/kernel:0" in str(report)


def test_check_gradients_catches_a_wrong_variable_gradient():
    w = chainrule.Variable([1.5, -0.5], dtype=chainrule.float64)
    report = check_gradients(lambda x: apply_op(_WrongMul(), x, w), np.array([2.0, 3.0]), variables=[w])
    assert report.errors[0] < 1e-8 and report.errors[1] == pytest.approx(0.5, rel=1e-6)


def test_check_gradients_projects_every_output_of_a_multi_output_fn():
    class _SwappedNeg(ops.Neg):
        def backward(self, dout):
            return -dout[::-1]

    good = check_gradients(lambda a: [a * 2.0, a * a], np.array([1.0, 2.0]))
    assert good.max_error < 1e-8
    bad = check_gradients(lambda a: [a * 2.0, apply_op(_SwappedNeg(), a)], np.array([1.0, 2.0]))
    assert bad.max_error > 1e-3


def test_check_gradients_refuses_float32_variables():
    w = chainrule.Variable([1.0], dtype=chainrule.float32)
    with pytest.raises(TypeError, match="float64"):
        check_gradients(lambda x: x * w, np.array([1.0]), variables=[w])
