"""GradientTape and stop_gradient (chainrule/autodiff.py): what is recorded, how gradients come back,
in which structure and dtype, and that nothing outlives a step."""
import gc
import tracemalloc

import numpy as np
import pytest

import chainrule
from chainrule import _tape_stack, ops
from chainrule.autodiff import sum_to
from chainrule.tensor import apply_op


def vec(values, dtype=chainrule.float32):
    return chainrule.constant(values, dtype=dtype)


# ----------------------------------------------------------------------------- the seed's examples

def test_seed_square_of_a_variable():
    x = chainrule.Variable(3.0)
    with chainrule.GradientTape() as tape:
        y = x ** 2
    dy_dx = tape.gradient(y, x)
    assert dy_dx.numpy() == 6.0
    assert dy_dx.shape == () and dy_dx.dtype == chainrule.float32


def test_seed_second_gradient_call_on_a_non_persistent_tape_raises():
    x = chainrule.Variable(3.0)
    with chainrule.GradientTape() as tape:
        y = x ** 2
    tape.gradient(y, x)
    x2 = chainrule.Variable(4)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set "
                                           "of gradients"):
        tape.gradient(y, x2)


def test_seed_stop_gradient():
    x = chainrule.Variable(2.0)
    y = chainrule.Variable(3.0)
    with chainrule.GradientTape() as tape:
        y_sq = y ** 2
        z = x ** 2 + chainrule.stop_gradient(y_sq)
    grad = tape.gradient(z, {"x": x, "y": y})
    assert set(grad) == {"x", "y"}
    assert str(grad["x"]) == "chainrule.Tensor(4.0, shape=(), dtype=float32)"
    assert grad["y"] is None
    assert float(z) == 13.0


def test_stop_gradient_value_and_input_types():
    s = chainrule.stop_gradient([1.0, 2.0])
    assert isinstance(s, chainrule.Tensor) and s.dtype == chainrule.float32
    x = vec([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = x * chainrule.stop_gradient(x * 3.0)
    np.testing.assert_array_equal(y.numpy(), [3.0, 12.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 6.0])   # only the left factor


# ----------------------------------------------------------------------------- graph shapes

def test_reused_node_accumulates():
    a = chainrule.Variable([1.5, -2.0, 0.25])
    with chainrule.GradientTape() as tape:
        z = a * a + a
    np.testing.assert_allclose(tape.gradient(z, a).numpy(), [4.0, -3.0, 1.5])   # 2a + 1


def test_diamond_graph():
    x = vec([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        b = x * 3.0          # top of the diamond
        c = chainrule.exp(b)  # left
        d = b * b            # right
        e = c + d            # bottom
    b_ = 3.0 * np.array([1.0, 2.0])
    expected = 3.0 * (np.exp(b_) + 2 * b_)
    np.testing.assert_allclose(tape.gradient(e, x).numpy(), expected, rtol=1e-6)


def test_same_tensor_on_both_sides_of_an_op():
    x = vec([2.0, -3.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = x + x
        z = x * x
        w = y * z        # 2x^3
    np.testing.assert_array_equal(tape.gradient(w, x).numpy(), [24.0, 54.0])


def test_long_chain_of_100000_ops_has_no_recursion_limit():
    x = chainrule.Variable([1.0])
    with chainrule.GradientTape() as tape:
        y = x
        for _ in range(100_000):
            y = y + 1.0
    assert float(y[0]) == 100_001.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1.0])


# ----------------------------------------------------------------------------- sources and targets

@pytest.fixture
def xyz():
    x, y, z = chainrule.Variable([1.0]), chainrule.Variable([2.0]), chainrule.Variable([3.0])
    return x, y, z


def _target(x, y, z):
    return x * y + z * 5.0


def test_single_source_gives_a_single_tensor(xyz):
    x, y, z = xyz
    with chainrule.GradientTape() as tape:
        t = _target(x, y, z)
    g = tape.gradient(t, x)
    assert isinstance(g, chainrule.Tensor)
    np.testing.assert_array_equal(g.numpy(), [2.0])


@pytest.mark.parametrize("container", [list, tuple])
def test_list_and_tuple_sources_keep_their_type_and_order(xyz, container):
    x, y, z = xyz
    with chainrule.GradientTape() as tape:
        t = _target(x, y, z)
    g = tape.gradient(t, container([z, x, y]))
    assert type(g) is container and len(g) == 3
    assert [float(v[0]) for v in g] == [5.0, 2.0, 1.0]


def test_dict_and_nested_sources(xyz):
    x, y, z = xyz
    with chainrule.GradientTape() as tape:
        t = _target(x, y, z)
    g = tape.gradient(t, {"b": y, "a": [x, {"c": z}]})
    assert list(g) == ["b", "a"]
    assert float(g["b"][0]) == 1.0
    assert float(g["a"][0][0]) == 2.0
    assert float(g["a"][1]["c"][0]) == 5.0


def test_unconnected_source_gives_none_or_zeros(xyz):
    x, y, z = xyz
    lonely = chainrule.Variable([[7.0, 8.0]])
    with chainrule.GradientTape(persistent=True) as tape:
        t = x * y
    assert tape.gradient(t, [x, lonely])[1] is None
    assert tape.gradient(t, z) is None
    g = tape.gradient(t, [x, lonely], unconnected_gradients="zero")
    assert g[1].shape == (1, 2) and g[1].dtype == chainrule.float32
    np.testing.assert_array_equal(g[1].numpy(), [[0.0, 0.0]])
    np.testing.assert_array_equal(g[0].numpy(), [2.0])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(t, x, unconnected_gradients="zeros")


def test_sources_must_be_tensors():
    x = chainrule.Variable([1.0])
    with chainrule.GradientTape() as tape:
        t = x * 2.0
    with pytest.raises(ValueError, match="sources"):
        tape.gradient(t, [x, 3.0])


def test_non_scalar_target_is_differentiated_as_its_sum():
    x = vec([1.0, 2.0, 3.0])
    with chainrule.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = chainrule.reshape(x, (3, 1)) * vec([[1.0, 10.0]])   # shape (3, 2)
        s = chainrule.reduce_sum(y)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [11.0, 11.0, 11.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), tape.gradient(s, x).numpy())


def test_list_of_targets_adds_their_gradients():
    x = vec([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        a = x * 2.0
        b = x * x
    np.testing.assert_array_equal(tape.gradient([a, b], x).numpy(), [4.0, 6.0])


def test_output_gradients_seed_the_backward_pass():
    x = vec([1.0, 2.0, 3.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=vec([1.0, 0.0, -2.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 0.0, -12.0])


def test_gradient_of_a_source_with_respect_to_itself():
    x = vec([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
    np.testing.assert_array_equal(tape.gradient(x, x).numpy(), [1.0, 1.0])


def test_intermediate_tensor_as_a_source():
    x = vec([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        h = x * 3.0
        y = h * h
    gh, gx = tape.gradient(y, [h, x])
    np.testing.assert_array_equal(gh.numpy(), [6.0, 12.0])     # 2h
    np.testing.assert_array_equal(gx.numpy(), [18.0, 36.0])    # 18x


def test_integer_target_has_no_gradient():
    x = chainrule.Variable([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        y = chainrule.cast(x, chainrule.int32)
    assert tape.gradient(y, x) is None


# ----------------------------------------------------------------------------- persistence

def test_non_persistent_tape_holds_no_records_after_gradient():
    x = chainrule.Variable([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        y = chainrule.reduce_sum(x * x)
    assert len(tape._records) == 2
    tape.gradient(y, x)
    assert tape._records == []
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set "
                                           "of gradients"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = chainrule.Variable([1.0, 2.0])
    with chainrule.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(tape.gradient(z, x).numpy(), [3.0, 12.0])
    np.testing.assert_array_equal(tape.gradient(z, x).numpy(), [3.0, 12.0])   # backward did not mutate state
    assert len(tape._records) == 2


def test_a_used_non_persistent_tape_cannot_be_entered_again():
    x = chainrule.Variable([1.0])
    tape = chainrule.GradientTape()
    with tape:
        y = x * 2.0
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="used"):
        with tape:
            pass


# ----------------------------------------------------------------------------- what is watched

def test_watch_a_constant():
    c = chainrule.constant([3.0])
    with chainrule.GradientTape() as tape:
        tape.watch(c)
        z = c * c
    np.testing.assert_array_equal(tape.gradient(z, c).numpy(), [6.0])


def test_unwatched_constant_gets_none():
    c = chainrule.constant([3.0])
    with chainrule.GradientTape() as tape:
        z = c * c
    assert tape.gradient(z, c) is None
    assert tape._records == []


def test_watch_a_list_of_tensors_and_bad_inputs():
    a, b = vec([1.0]), vec([2.0])
    with chainrule.GradientTape() as tape:
        tape.watch([a, (b,)])
        z = a * b
        with pytest.raises(ValueError, match="Tensor"):
            tape.watch(3.0)
        with pytest.warns(UserWarning, match="floating"):
            tape.watch(chainrule.constant([1]))
    ga, gb = tape.gradient(z, [a, b])
    assert float(ga[0]) == 2.0 and float(gb[0]) == 1.0


def test_watch_accessed_variables_false_ignores_variables_unless_watched():
    v = chainrule.Variable([2.0])
    w = chainrule.Variable([3.0])
    with chainrule.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(w)
        z = v * w
    assert [t is w for t in tape.watched_variables()] == [True]
    gv, gw = tape.gradient(z, [v, w])
    assert gv is None
    np.testing.assert_array_equal(gw.numpy(), [2.0])


def test_non_trainable_variables_are_not_watched():
    frozen = chainrule.Variable([2.0], trainable=False)
    free = chainrule.Variable([3.0])
    with chainrule.GradientTape() as tape:
        z = frozen * free
    assert [t is free for t in tape.watched_variables()] == [True]
    gf, gfree = tape.gradient(z, [frozen, free])
    assert gf is None
    np.testing.assert_array_equal(gfree.numpy(), [2.0])


def test_nested_independent_tapes():
    x = chainrule.Variable([2.0])
    y = chainrule.Variable([5.0])
    with chainrule.GradientTape() as outer:
        a = x * x
        with chainrule.GradientTape() as inner:
            b = y * y * y
        c = a * 4.0
    assert _tape_stack.active_tapes() == []
    # the inner tape saw only what ran inside it; the outer saw everything
    gb = inner.gradient(b, [x, y])
    assert gb[0] is None
    np.testing.assert_array_equal(gb[1].numpy(), [75.0])
    gc_ = outer.gradient([c, b], [x, y])
    np.testing.assert_array_equal(gc_[0].numpy(), [16.0])
    np.testing.assert_array_equal(gc_[1].numpy(), [75.0])


def test_inner_tape_does_not_see_ops_run_before_it_opened():
    x = chainrule.Variable([2.0])
    with chainrule.GradientTape() as outer:
        a = x * 3.0
        with chainrule.GradientTape() as inner:
            b = a * a
    assert inner.gradient(b, x) is None
    np.testing.assert_array_equal(outer.gradient(b, x).numpy(), [36.0])


def test_ops_outside_any_tape_record_nothing():
    v = chainrule.Variable([1.0, 2.0])
    assert _tape_stack.active_tapes() == []
    y = v * v + 1.0
    assert _tape_stack.active_tapes() == []
    np.testing.assert_array_equal(y.numpy(), [2.0, 5.0])
    with chainrule.GradientTape() as tape:
        assert _tape_stack.active_tapes() == [tape]
    assert tape.gradient(y, v) is None
    assert tape._records == []


def test_the_tape_is_popped_when_the_block_raises():
    with pytest.raises(ZeroDivisionError):
        with chainrule.GradientTape():
            _ = 1 / 0
    assert _tape_stack.active_tapes() == []


def test_stop_recording_pauses_the_tape():
    x = chainrule.Variable([2.0])
    with chainrule.GradientTape() as tape:
        a = x * x
        with tape.stop_recording():
            b = x * 10.0
        c = a + b
    np.testing.assert_array_equal(tape.gradient(c, x).numpy(), [4.0])


# Gradients use the values read in the forward pass, even if a Variable changes before the backward pass.
def test_persistent_tape_gradient_uses_values_read_in_the_forward_pass():
    w = chainrule.Variable([2.0])
    x = chainrule.Variable([3.0])
    with chainrule.GradientTape(persistent=True) as tape:
        y = w * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0])
    w.assign([100.0])            # e.g. an optimizer step between two gradient calls (GAN-style)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0])


def test_assign_inside_the_tape_does_not_change_the_recorded_forward_values():
    w = chainrule.Variable([2.0])
    with chainrule.GradientTape() as tape:
        y = chainrule.square(w)
        w.assign_add([1.0])
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [4.0])


# ----------------------------------------------------------------------------- sum_to (broadcast undoing)

@pytest.mark.parametrize("grad_shape, shape", [
    ((2, 3, 4), (3, 1)), ((2, 3, 4), (4,)), ((2, 3, 4), ()), ((2, 3, 4), (1, 1, 4)), ((2, 3), (2, 3)),
    ((5, 1, 3), (1, 1, 3)),
])
def test_sum_to_sums_broadcast_axes(grad_shape, shape):
    g = np.arange(np.prod(grad_shape), dtype=np.float64).reshape(grad_shape)
    got = sum_to(g, shape)
    assert got.shape == shape
    # reference: the gradient of sum(broadcast_to(x, grad_shape) * g) with respect to x, by brute force
    expected = np.zeros(shape)
    for idx in np.ndindex(*grad_shape):
        src = tuple(0 if n == 1 else i for i, n in zip(idx[len(grad_shape) - len(shape):], shape))
        expected[src] += g[idx]
    np.testing.assert_array_equal(got, expected)


def test_sum_to_sums_the_broadcast_axes_only():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(sum_to(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(sum_to(g, (4,)), g.sum(axis=(0, 1)))


# ----------------------------------------------------------------------------- the op contract, enforced by the tape

class _ShapeOne(ops.Op):
    """A broken custom op: its backward returns shape (1,) whatever the input's shape."""

    def forward(self, x):
        return x * 2.0

    def backward(self, dout):
        return np.array([dout.sum()])


class _TwoInputsOneGradient(ops.Op):
    def forward(self, x, y):
        return x * y

    def backward(self, dout):
        return dout  # should be a pair


def test_the_tape_refuses_a_gradient_of_the_wrong_shape_naming_the_op_and_both_shapes():
    x = chainrule.Variable([1.0, 2.0, 3.0])
    with chainrule.GradientTape() as tape:
        y = apply_op(_ShapeOne(), x)
    with pytest.raises(ValueError) as e:
        tape.gradient(y, x)  # before: silently broadcast to [12, 12, 12]
    assert "_ShapeOne.backward" in str(e.value) and "(1,)" in str(e.value) and "(3,)" in str(e.value)


def test_the_tape_refuses_a_multi_input_backward_that_is_not_one_entry_per_input():
    x, y = chainrule.Variable([1.0, 2.0]), chainrule.Variable([3.0, 4.0])
    with chainrule.GradientTape() as tape:
        z = apply_op(_TwoInputsOneGradient(), x, y)
    with pytest.raises(ValueError, match=r"_TwoInputsOneGradient.backward.*2 inputs.*single ndarray"):
        tape.gradient(z, [x, y])


def test_a_variadic_op_called_with_one_input_returns_a_tuple():
    assert ops.Concat.returns_tuple() and ops.Stack.returns_tuple()
    assert not ops.ReLU.returns_tuple() and ops.Mul.returns_tuple()
    x = chainrule.Variable([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        y = chainrule.concat([x], axis=0) * 3.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 3.0])


# ----------------------------------------------------------------------------- gradient dtypes

def _pos(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def _sgn(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# name: (function of tensors, [value makers]) -- every differentiable op at least once
CATALOG = {
    "Add": (lambda a, b: a + b, [(_sgn, (2, 3)), (_sgn, (3,))]),
    "Sub": (lambda a, b: a - b, [(_sgn, (2, 3)), (_sgn, (2, 1))]),
    "Mul": (lambda a, b: a * b, [(_sgn, (2, 3)), (_sgn, (3,))]),
    "Div": (lambda a, b: a / b, [(_sgn, (2, 3)), (_sgn, (3,))]),
    "Neg": (lambda a: -a, [(_sgn, (4,))]),
    "Pow": (lambda a, b: a ** b, [(_pos, (2, 3)), (_sgn, (3,))]),
    "Square": (lambda a: chainrule.square(a), [(_sgn, (4,))]),
    "Sqrt": (lambda a: chainrule.sqrt(a), [(_pos, (4,))]),
    "Exp": (lambda a: chainrule.exp(a), [(_sgn, (4,))]),
    "Log": (lambda a: chainrule.math.log(a), [(_pos, (4,))]),
    "Abs": (lambda a: chainrule.abs(a), [(_sgn, (4,))]),
    "Maximum": (lambda a, b: chainrule.maximum(a, b * 3.0), [(_sgn, (2, 3)), (_sgn, (3,))]),
    "Minimum": (lambda a, b: chainrule.minimum(a, b * 3.0), [(_sgn, (2, 3)), (_sgn, (3,))]),
    "Where": (lambda a, b: chainrule.where(np.array([True, False, True]), a, b), [(_sgn, (2, 3)), (_sgn, (3,))]),
    "Clip": (lambda a: chainrule.clip_by_value(a, -1.0, 1.0), [(_sgn, (5,))]),
    "Sum": (lambda a: chainrule.reduce_sum(a, axis=0), [(_sgn, (2, 3))]),
    "Mean": (lambda a: chainrule.reduce_mean(a, axis=1), [(_sgn, (2, 3))]),
    "Max": (lambda a: chainrule.reduce_max(a, axis=1), [(_sgn, (2, 3))]),
    "Min": (lambda a: chainrule.reduce_min(a), [(_sgn, (2, 3))]),
    "Prod": (lambda a: chainrule.reduce_prod(a, axis=1), [(_sgn, (2, 3))]),
    "MatMul": (lambda a, b: chainrule.matmul(a, b, transpose_b=True), [(_sgn, (2, 2, 3)), (_sgn, (4, 3))]),
    "Reshape": (lambda a: chainrule.reshape(a, (3, 2)), [(_sgn, (2, 3))]),
    "Transpose": (lambda a: chainrule.transpose(a), [(_sgn, (2, 3))]),
    "GetItem": (lambda a: a[[0, 0, 1], 1:], [(_sgn, (2, 3))]),
    "Concat": (lambda a, b: chainrule.concat([a, b], axis=0), [(_sgn, (2, 3)), (_sgn, (1, 3))]),
    "Stack": (lambda a, b: chainrule.stack([a, b], axis=1), [(_sgn, (2, 3)), (_sgn, (2, 3))]),
    "BroadcastTo": (lambda a: chainrule.broadcast_to(a, (4, 2, 3)), [(_sgn, (2, 1))]),
    "Cast": (lambda a: chainrule.cast(chainrule.cast(a, chainrule.float16), a.dtype), [(_sgn, (3,))]),
    "LeakyReLU": (lambda a: chainrule.nn.leaky_relu(a), [(_sgn, (2, 3))]),
    "ELU": (lambda a: chainrule.nn.elu(a), [(_sgn, (2, 3))]),
    "ReLU": (lambda a: chainrule.nn.relu(a), [(_sgn, (2, 3))]),
    "Sigmoid": (lambda a: chainrule.nn.sigmoid(a), [(_sgn, (2, 3))]),
    "Tanh": (lambda a: chainrule.tanh(a), [(_sgn, (2, 3))]),
    "Softmax": (lambda a: chainrule.nn.softmax(a), [(_sgn, (2, 3))]),
    "LogSoftmax": (lambda a: chainrule.nn.log_softmax(a), [(_sgn, (2, 3))]),
    "Step": (lambda a: apply_op(ops.Step(), a), [(_sgn, (2, 3))]),
    "Affine": (lambda x, W, b: apply_op(ops.Affine(), x, W, b), [(_sgn, (2, 4, 3)), (_sgn, (3, 2)), (_sgn, (2,))]),
    "SoftmaxWithLoss": (lambda a: apply_op(ops.SoftmaxWithLoss(), a, chainrule.constant([0, 2])),
                        [(_sgn, (2, 3))]),
    "SoftmaxWithLoss none": (lambda a: chainrule.nn.sparse_softmax_cross_entropy_with_logits([0, 2], a),
                             [(_sgn, (2, 3))]),
    "SigmoidBinaryCrossEntropy": (lambda a: chainrule.nn.sigmoid_cross_entropy_with_logits(
        labels=np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]]), logits=a), [(_sgn, (2, 3))]),
    "Dropout": (lambda a: chainrule.nn.dropout(a, 0.5, seed=1), [(_sgn, (4, 3))]),
    "BatchNorm": (lambda x, g, b: apply_op(ops.BatchNorm(axis=1), x, g, b),
                  [(_sgn, (2, 3, 2, 2)), (_sgn, (3,)), (_sgn, (3,))]),
    "Identity": (lambda a: chainrule.identity(a), [(_sgn, (3,))]),
}


def _grads(name, dtype, seed_kind):
    fn, makers = CATALOG[name]
    rng = np.random.default_rng(7)
    inputs = [chainrule.constant(make(rng, shape), dtype=dtype) for make, shape in makers]
    with chainrule.GradientTape() as tape:
        tape.watch(inputs)
        out = fn(*inputs)
        if seed_kind == "python float":
            out = chainrule.reduce_sum(out)   # output_gradients must match the target's structure
    shape = tuple(out.shape)
    seed = {"none": None,
            "float64 array": np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape).astype(np.float64),
            "python float": 0.75}[seed_kind]
    return inputs, tape.gradient(out, inputs, output_gradients=seed)


@pytest.mark.parametrize("seed_kind", ["none", "float64 array", "python float"])
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_float32_gradients_stay_float32_whatever_the_seed(name, seed_kind):
    inputs32, grads32 = _grads(name, chainrule.float32, seed_kind)
    inputs64, grads64 = _grads(name, chainrule.float64, seed_kind)
    for x, g32, g64 in zip(inputs32, grads32, grads64):
        assert g32 is not None and g64 is not None
        assert g32.dtype == chainrule.float32, f"{name}: gradient dtype {g32.dtype.name}"
        assert g64.dtype == chainrule.float64
        assert g32.shape == x.shape
        if name != "Dropout":   # the float32 and float64 masks are different draws from the same seed
            np.testing.assert_allclose(g32.numpy(), g64.numpy(), rtol=2e-3, atol=2e-3)


def test_python_float_seed_for_a_scalar_target_keeps_float32():
    x = vec([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        loss = chainrule.reduce_mean(x * x)
    g = tape.gradient(loss, x, output_gradients=2.0)
    assert g.dtype == chainrule.float32
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


def test_variable_gradients_have_the_variable_dtype():
    w32 = chainrule.Variable(np.ones((2, 2), np.float32))
    w64 = chainrule.Variable(np.ones((2, 2), np.float64))
    x64 = np.arange(4.0).reshape(2, 2)
    with chainrule.GradientTape() as tape:
        loss = chainrule.reduce_sum(x64 @ w32) + chainrule.cast(chainrule.reduce_sum(w64 * x64), chainrule.float32)
    g32, g64 = tape.gradient(loss, [w32, w64])
    assert g32.dtype == chainrule.float32 and g64.dtype == chainrule.float64
    np.testing.assert_array_equal(g32.numpy(), [[2.0, 2.0], [4.0, 4.0]])
    np.testing.assert_array_equal(g64.numpy(), x64)


# ----------------------------------------------------------------------------- 0-d gradients

def test_scalar_gradient_through_add_has_shape_scalar():
    x, y = chainrule.Variable(2.0), chainrule.Variable(3.0)
    with chainrule.GradientTape() as tape:
        z = x + y
    g = tape.gradient(z, x)
    assert g.shape == ()
    assert str(g) == "chainrule.Tensor(1.0, shape=(), dtype=float32)"


def test_scalar_gradient_of_reused_node_has_shape_scalar():
    a = chainrule.Variable(1.5)
    with chainrule.GradientTape() as tape:
        z = a * a + a
    g = tape.gradient(z, a)
    assert g.shape == ()
    assert float(g) == 4.0


def test_scalar_gradient_of_watched_constant_has_shape_scalar():
    c = chainrule.constant(3.0)
    with chainrule.GradientTape() as tape:
        tape.watch(c)
        z = c * c
    assert tape.gradient(z, c).shape == ()


# ----------------------------------------------------------------------------- training loops

def test_seed_linear_regression_with_assign_sub_finds_the_least_squares_line():
    rng = np.random.default_rng(0)
    X = rng.standard_normal(50)
    Y = 2 * X + rng.standard_normal(50)
    W = chainrule.Variable(float(rng.standard_normal()), name="weight")
    b = chainrule.Variable(float(rng.standard_normal()), name="bias")
    learning_rate = 0.01

    def linear_regression(x):
        return W * x + b

    def mean_square(y_pred, y_true):
        return chainrule.reduce_mean(chainrule.square(y_pred - y_true))

    for _ in range(1000):
        with chainrule.GradientTape() as tape:
            loss = mean_square(linear_regression(X), Y)
        dW, db = tape.gradient(loss, [W, b])
        W.assign_sub(learning_rate * dW)
        b.assign_sub(learning_rate * db)

    slope, intercept = np.polyfit(X, Y, 1)
    assert W.dtype == chainrule.float32
    assert float(W) == pytest.approx(slope, abs=1e-3)
    assert float(b) == pytest.approx(intercept, abs=1e-3)
    final = float(mean_square(linear_regression(X), Y))
    assert final == pytest.approx(np.mean((slope * X + intercept - Y) ** 2), rel=1e-4)


def test_no_memory_growth_over_10000_training_steps():
    W = chainrule.Variable(0.0)
    b = chainrule.Variable(0.0)
    X = np.linspace(-1, 1, 8).astype(np.float32)
    Y = (3 * X + 0.5).astype(np.float32)

    def step():
        with chainrule.GradientTape() as tape:
            loss = chainrule.reduce_mean(chainrule.square(W * X + b - Y))
        gw, gb = tape.gradient(loss, [W, b])
        W.assign_sub(0.1 * gw)
        b.assign_sub(0.1 * gb)

    tracemalloc.start()
    try:
        for _ in range(1_000):
            step()
        gc.collect()
        after_1000 = tracemalloc.get_traced_memory()[0]
        for _ in range(9_000):
            step()
        gc.collect()
        after_10000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_10000 <= after_1000 + 1_000_000, (after_1000, after_10000)
    assert float(W) == pytest.approx(3.0, abs=1e-3) and float(b) == pytest.approx(0.5, abs=1e-3)
    assert _tape_stack.active_tapes() == []


def test_gradients_are_freed_without_the_cycle_collector():
    """No reference cycle outlives a step (DESIGN.md): gradients go as soon as the caller drops them."""
    import gc
    import weakref
    w = chainrule.Variable(np.ones((50, 50), np.float32))
    gc.disable()
    try:
        with chainrule.GradientTape() as tape:
            loss = chainrule.reduce_sum(w * w)
        grads = tape.gradient(loss, {"w": [w]})
        ref = weakref.ref(grads["w"][0])
        del grads, tape, loss
        assert ref() is None
    finally:
        gc.enable()


# -- nested tapes: a gradient differentiated again is refused clearly, never a silent None


def test_a_second_derivative_raises_a_clear_error_instead_of_none():
    x = chainrule.Variable(3.0)
    with chainrule.GradientTape() as outer:
        with chainrule.GradientTape() as inner:
            y = x * x * x
        dy_dx = inner.gradient(y, x)
    assert float(dy_dx) == 27.0  # the first derivative is still right
    with pytest.raises(NotImplementedError, match="second-order derivative"):
        outer.gradient(dy_dx, x)


def test_a_gradient_penalty_through_a_layer_raises_the_same_error():
    w = chainrule.Variable(np.array([[0.5], [-1.0]], dtype=np.float32))
    x = chainrule.constant(np.array([[1.0, 2.0]], dtype=np.float32))
    with chainrule.GradientTape() as outer:
        with chainrule.GradientTape() as inner:
            inner.watch(x)
            out = chainrule.matmul(x, w)
        g = inner.gradient(out, x)
        penalty = chainrule.reduce_sum(g * g)
    with pytest.raises(NotImplementedError, match="inner GradientTape"):
        outer.gradient(penalty, w)


def test_an_outer_tape_that_does_not_use_the_inner_gradient_is_unaffected():
    x = chainrule.Variable(3.0)
    with chainrule.GradientTape() as outer:
        with chainrule.GradientTape() as inner:
            y = x * x
        g = inner.gradient(y, x)
        z = x * 2.0 + 0.0 * chainrule.stop_gradient(g)
    assert float(outer.gradient(z, x)) == 2.0


def test_a_persistent_tape_can_take_gradients_inside_its_own_context():
    x = chainrule.Variable(3.0)
    with chainrule.GradientTape(persistent=True) as tape:
        y = x * x
        first = tape.gradient(y, x)
        second = tape.gradient(y, x)
    assert float(first) == float(second) == 6.0


def test_custom_gradient_runs_the_users_gradient_as_one_op():
    # "Hands-On Machine Learning", ch. 12: a softplus whose gradient stays finite where exp overflows
    @chainrule.custom_gradient
    def better_softplus(z):
        exp = chainrule.exp(z)

        def gradients(upstream):
            return upstream / (1 + 1 / exp)
        return chainrule.math.log(exp + 1), gradients

    x = chainrule.Variable([100.0, 0.0])
    with np.errstate(over="ignore"), chainrule.GradientTape() as tape:
        z = better_softplus(x)
    assert len(tape._records) == 1  # the function's own exp/log ops were not recorded
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), [1.0, 0.5])

    @chainrule.custom_gradient
    def clipped_product(a, b):
        return a * b, lambda up: (chainrule.clip_by_value(up, -1.0, 1.0), None)

    a, b = chainrule.Variable([3.0]), chainrule.Variable([2.0])
    with chainrule.GradientTape() as tape:
        out = clipped_product(a, b) * 5.0
    ga, gb = tape.gradient(out, [a, b])
    np.testing.assert_array_equal(ga.numpy(), [1.0])
    assert gb is None
    replayed = chainrule.function(lambda v: clipped_product(v, b) * 5.0)
    for _ in range(2):  # traced, then replayed: the op and its user gradient both come back
        with chainrule.GradientTape() as tape:
            out = replayed(a)
        np.testing.assert_array_equal(tape.gradient(out, a).numpy(), [1.0])

    @chainrule.custom_gradient
    def wrong(a, b):
        return a * b, lambda up: up
    with chainrule.GradientTape() as tape:
        out = wrong(a, b)
    with pytest.raises(TypeError, match="returned 1 gradients for 2 inputs"):
        tape.gradient(out, [a, b])
