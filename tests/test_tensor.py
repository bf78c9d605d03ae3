"""Tensor and Variable (chainrule/tensor.py): TensorFlow's dtype rules, printing, operators, Variables.

Expected strings are TensorFlow's own output with ``tf.`` replaced by ``chainrule.``.
"""
import numpy as np
import pytest

import chainrule
from chainrule.errors import InvalidArgumentError


# ----------------------------------------------------------------------------- dtype inference

@pytest.mark.parametrize("value, dtype", [
    (2, "int32"),
    (2.0, "float32"),
    (True, "bool"),
    ([2, 3], "int32"),
    ([[2, 3], [6, 7]], "int32"),
    ([1, 2.5], "float32"),
    ([True, False], "bool"),
    (np.float64(1.5), "float64"),
    (np.array([1.0, 2.0]), "float64"),
    (np.array([1.0, 2.0], dtype=np.float32), "float32"),
    (np.array([1, 2], dtype=np.int64), "int64"),
    (np.int32(3), "int32"),
    ([2 ** 40], "int64"),
    (["Hello"], "string"),
    ("Hello", "string"),
    (b"bytes", "string"),
])
def test_constant_dtype_inference(value, dtype):
    t = chainrule.constant(value)
    assert t.dtype == getattr(chainrule, dtype)
    assert t.dtype.name == dtype


def test_string_tensor_prints_like_tensorflow():
    d = chainrule.constant(["Hello"])
    assert str(d) == "chainrule.Tensor([b'Hello'], shape=(1,), dtype=string)"
    assert chainrule.rank(d).numpy() == 1


def test_constant_with_dtype_and_shape():
    t = chainrule.constant([1, 2], dtype=chainrule.float64)
    assert t.dtype == chainrule.float64
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    assert chainrule.constant(3, dtype="float32").dtype == chainrule.float32
    filled = chainrule.constant(7.0, shape=(2, 3))
    assert filled.shape == (2, 3) and filled.dtype == chainrule.float32
    np.testing.assert_array_equal(filled.numpy(), np.full((2, 3), 7.0))
    zeros = chainrule.constant(0, chainrule.int32, (2, 2))
    assert str(zeros) == "chainrule.Tensor(\n[[0 0]\n [0 0]], shape=(2, 2), dtype=int32)"
    reshaped = chainrule.constant([1, 2, 3, 4, 5, 6], shape=[2, 3])
    np.testing.assert_array_equal(reshaped.numpy(), [[1, 2, 3], [4, 5, 6]])


def test_constant_with_a_wrong_number_of_values_raises():
    with pytest.raises(TypeError, match=r"6 values for shape \(2, 3\), got 4"):
        chainrule.constant([1, 2, 3, 4], shape=(2, 3))


def test_lossy_constant_conversion_raises_type_error():
    with pytest.raises(TypeError, match=r"2\.5.*int32"):
        chainrule.constant(2.5, dtype=chainrule.int32)
    assert chainrule.constant(2.0, dtype=chainrule.int32).numpy() == 2   # an integral float is fine


def test_convert_to_tensor():
    c_square = np.square(5, dtype=np.float32)
    c = chainrule.convert_to_tensor(c_square)
    assert str(c) == "chainrule.Tensor(25.0, shape=(), dtype=float32)"
    t = chainrule.constant([1.0])
    assert chainrule.convert_to_tensor(t) is t
    with pytest.raises(ValueError, match="float64"):
        chainrule.convert_to_tensor(t, dtype=chainrule.float64)


# ----------------------------------------------------------------------------- printing

def test_str_of_scalar_vector_and_matrix_like_tensorflow():
    a = chainrule.constant(2)
    b = chainrule.constant([2, 3])
    c = chainrule.constant([[2, 3], [6, 7]])
    assert str(a) == "chainrule.Tensor(2, shape=(), dtype=int32)"
    assert str(b) == "chainrule.Tensor([2 3], shape=(2,), dtype=int32)"
    assert str(c) == "chainrule.Tensor(\n[[2 3]\n [6 7]], shape=(2, 2), dtype=int32)"
    assert str(chainrule.rank(a)) == "chainrule.Tensor(0, shape=(), dtype=int32)"
    assert str(chainrule.rank(c)) == "chainrule.Tensor(2, shape=(), dtype=int32)"


def test_print_uses_str(capsys):
    print(chainrule.constant(2))
    print(chainrule.add(chainrule.constant(2), chainrule.constant(3)))
    assert capsys.readouterr().out == ("chainrule.Tensor(2, shape=(), dtype=int32)\n"
                                       "chainrule.Tensor(5, shape=(), dtype=int32)\n")


def test_repr_like_tensorflow():
    t = chainrule.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert repr(t[..., 1, chainrule.newaxis]) == (
        "<chainrule.Tensor: shape=(2, 1), dtype=float32, numpy=\n"
        "array([[2.],\n"
        "       [5.]], dtype=float32)>")
    assert repr(t + 10) == (
        "<chainrule.Tensor: shape=(2, 3), dtype=float32, numpy=\n"
        "array([[11., 12., 13.],\n"
        "       [14., 15., 16.]], dtype=float32)>")
    assert repr(chainrule.square(t)) == (
        "<chainrule.Tensor: shape=(2, 3), dtype=float32, numpy=\n"
        "array([[ 1.,  4.,  9.],\n"
        "       [16., 25., 36.]], dtype=float32)>")
    assert repr(t @ chainrule.transpose(t)) == (
        "<chainrule.Tensor: shape=(2, 2), dtype=float32, numpy=\n"
        "array([[14., 32.],\n"
        "       [32., 77.]], dtype=float32)>")
    assert repr(chainrule.constant(2.0)) == "<chainrule.Tensor: shape=(), dtype=float32, numpy=2.0>"
    assert repr(chainrule.constant([1, 2])) == ("<chainrule.Tensor: shape=(2,), dtype=int32, "
                                                "numpy=array([1, 2], dtype=int32)>")


def test_shape_and_dtype_print_like_tensorflow():
    t = chainrule.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert isinstance(t.shape, tuple)
    assert t.shape == (2, 3)
    assert str(t.shape) == "(2, 3)"
    assert repr(t.dtype) == "<dtype: 'float32'>"
    assert str(t.dtype) == "<dtype: 'float32'>"
    assert t.shape.as_list() == [2, 3]
    assert t.ndim == 2


def test_format_of_scalars():
    assert format(chainrule.constant(3.14159), ".4f") == "3.1416"
    assert "{:4d}".format(chainrule.constant(7)) == "   7"
    assert "loss:{:.4f}".format(chainrule.reduce_mean(chainrule.constant([1.0, 2.0]))) == "loss:1.5000"


# ----------------------------------------------------------------------------- numpy interop and protocol

def test_numpy_conversion():
    t = chainrule.constant([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(np.array(t), [[1.0, 2.0], [3.0, 4.0]])
    assert np.array(t).dtype == np.float32
    c = chainrule.add(chainrule.constant(2), chainrule.constant(3)).numpy()
    assert type(c) is np.int32 and c == 5
    assert float(chainrule.constant(2.5)) == 2.5
    assert int(chainrule.constant(4)) == 4


def test_len_iteration_and_bool():
    t = chainrule.constant([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and all(isinstance(r, chainrule.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[2].numpy(), [5, 6])
    with pytest.raises(TypeError):
        len(chainrule.constant(1))
    with pytest.raises(TypeError):
        iter(chainrule.constant(1)).__next__()
    assert bool(chainrule.constant(True))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(chainrule.constant([True, False]))


# ----------------------------------------------------------------------------- operators

def test_all_arithmetic_operators():
    a = chainrule.constant([[7.0, -3.0]])
    b = chainrule.constant([[2.0, 2.0]])
    cases = {
        "+": (a + b, [[9.0, -1.0]]), "-": (a - b, [[5.0, -5.0]]), "*": (a * b, [[14.0, -6.0]]),
        "/": (a / b, [[3.5, -1.5]]), "//": (a // b, [[3.0, -2.0]]), "%": (a % b, [[1.0, 1.0]]),
        "**": (a ** b, [[49.0, 9.0]]), "@": (a @ chainrule.transpose(b), [[8.0]]),
        "unary -": (-a, [[-7.0, 3.0]]), "abs": (abs(a), [[7.0, 3.0]]), "unary +": (+a, [[7.0, -3.0]]),
    }
    for name, (got, expected) in cases.items():
        assert isinstance(got, chainrule.Tensor), name
        assert got.dtype == chainrule.float32, name
        np.testing.assert_array_equal(got.numpy(), expected, err_msg=name)


def test_operators_with_python_numbers_on_either_side():
    t = chainrule.constant([1.0, 2.0])
    np.testing.assert_array_equal((10 - t).numpy(), [9.0, 8.0])
    np.testing.assert_array_equal((2 / t).numpy(), [2.0, 1.0])
    np.testing.assert_array_equal((2 ** t).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal((t ** 2).numpy(), [1.0, 4.0])
    assert (10 - t).dtype == chainrule.float32


def test_comparisons_return_bool_tensors():
    a = chainrule.constant([1, 2, 3])
    b = chainrule.constant([3, 2, 1])
    for got, expected in [(a < b, [True, False, False]), (a <= b, [True, True, False]),
                          (a > b, [False, False, True]), (a >= b, [False, True, True]),
                          (a == b, [False, True, False]), (a != b, [True, False, True]),
                          (a > 1, [False, True, True])]:
        assert isinstance(got, chainrule.Tensor)
        assert got.dtype == chainrule.bool
        np.testing.assert_array_equal(got.numpy(), expected)
    np.testing.assert_array_equal(((a > 1) & (b > 1)).numpy(), [False, True, False])
    np.testing.assert_array_equal((~(a > 1)).numpy(), [True, False, False])


@pytest.mark.parametrize("op, expected", [
    (lambda n, t: n + t, [[3.0, 4.0], [5.0, 6.0]]),
    (lambda n, t: n - t, [[1.0, 0.0], [-1.0, -2.0]]),
    (lambda n, t: n * t, [[2.0, 4.0], [6.0, 8.0]]),
    (lambda n, t: n / t, [[2.0, 1.0], [2 / 3, 0.5]]),
    (lambda n, t: n @ t, [[8.0, 12.0], [8.0, 12.0]]),
    (lambda n, t: n ** t, [[2.0, 4.0], [8.0, 16.0]]),
    (lambda n, t: t + n, [[3.0, 4.0], [5.0, 6.0]]),
    (lambda n, t: t @ n, [[6.0, 6.0], [14.0, 14.0]]),
], ids=["np+t", "np-t", "np*t", "np/t", "np@t", "np**t", "t+np", "t@np"])
def test_numpy_array_on_either_side_gives_a_tensor_of_the_tensor_dtype(op, expected):
    n = np.full((2, 2), 2.0)                       # float64
    t = chainrule.constant([[1.0, 2.0], [3.0, 4.0]])  # float32
    got = op(n, t)
    assert isinstance(got, chainrule.Tensor)
    assert got.dtype == chainrule.float32
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


def test_numpy_array_times_tensor_stays_on_the_tape():
    x = chainrule.constant([1.0, 2.0, 3.0])
    a = np.array([3.0, 4.0, 5.0])
    with chainrule.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y1 = a * x
        y2 = a - x
        y3 = np.array([[1.0, 1.0, 2.0]]) @ chainrule.reshape(x, (3, 1))
    np.testing.assert_array_equal(tape.gradient(y1, x).numpy(), [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(tape.gradient(y2, x).numpy(), [-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(tape.gradient(y3, x).numpy(), [1.0, 1.0, 2.0])


def test_numpy_scalar_times_tensor_is_a_tensor_on_the_tape():
    x = chainrule.constant([1.0, 2.0])
    with chainrule.GradientTape() as tape:
        tape.watch(x)
        y = np.float64(3.0) * x
    assert isinstance(y, chainrule.Tensor) and y.dtype == chainrule.float32
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 3.0])


def test_python_list_matmul_variable_as_in_the_seed():
    weights = chainrule.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="weights")
    biases = chainrule.Variable(chainrule.zeros(2, dtype=chainrule.float32), name="biases")
    x = [[1.0, 2.0, 3.0]]
    with chainrule.GradientTape(persistent=True) as tape:
        y = x @ weights + biases
        loss = chainrule.reduce_mean(y ** 2)
    np.testing.assert_array_equal(y.numpy(), [[16.0, 22.0]])
    dl_dw, dl_db = tape.gradient(loss, [weights, biases])
    assert weights.shape == (3, 2) and dl_dw.shape == (3, 2)
    np.testing.assert_allclose(dl_db.numpy(), [16.0, 22.0])                  # d mean(y^2)/dy = y
    np.testing.assert_allclose(dl_dw.numpy(), np.outer([1.0, 2.0, 3.0], [16.0, 22.0]))


def test_int32_true_division_gives_float64_like_tensorflow():
    q = chainrule.constant([3, 4]) / chainrule.constant([2, 8])
    assert q.dtype == chainrule.float64
    np.testing.assert_array_equal(q.numpy(), [1.5, 0.5])
    assert (chainrule.constant([3]) / 2).dtype == chainrule.float64
    assert chainrule.divide(chainrule.constant([1], dtype=chainrule.int16), 2).dtype == chainrule.float32


def test_mixing_float64_and_float32_tensors_raises_invalid_argument():
    t = chainrule.constant(30.0, dtype=chainrule.float64)
    t2 = chainrule.constant(4.0)
    with pytest.raises(InvalidArgumentError) as info:
        t + t2
    msg = str(info.value)
    assert "AddV2" in msg and "float64" in msg and "float32" in msg
    assert isinstance(info.value, ValueError)
    assert str(t2 + chainrule.cast(t, chainrule.float32)) == "chainrule.Tensor(34.0, shape=(), dtype=float32)"


@pytest.mark.parametrize("op, name", [(lambda a, b: a * b, "Mul"), (lambda a, b: a - b, "Sub"),
                                      (lambda a, b: a @ b, "MatMul"), (lambda a, b: a / b, "RealDiv")])
def test_mixed_dtype_error_names_the_op(op, name):
    with pytest.raises(InvalidArgumentError, match=name):
        op(chainrule.ones((1, 1), dtype=chainrule.float64), chainrule.ones((1, 1)))


def test_int_and_float_tensors_do_not_mix():
    with pytest.raises(InvalidArgumentError, match=r"int32.*float32|float32.*int32"):
        chainrule.constant([1]) + chainrule.constant([1.0])


def test_python_numbers_and_numpy_float64_adopt_the_tensor_dtype():
    v = chainrule.Variable([1.0, 2.0])
    r = v * np.array([0.5, 0.25])
    assert r.dtype == chainrule.float32
    np.testing.assert_array_equal(r.numpy(), [0.5, 0.5])
    assert (chainrule.constant([1, 2]) + 3).dtype == chainrule.int32
    assert (chainrule.constant([1.0], dtype=chainrule.float64) * 2).dtype == chainrule.float64
    assert (np.float64(2.0) * chainrule.constant(1.0)).dtype == chainrule.float32


def test_python_float_with_float64_dtype_is_exact():
    assert chainrule.constant(0.1, dtype=chainrule.float64).numpy() == 0.1
    assert chainrule.Variable(0.1, dtype=chainrule.float64).numpy() == 0.1


def test_python_float_operand_of_a_float64_tensor_is_exact():
    x = chainrule.constant([1.0], dtype=chainrule.float64)
    assert (x + 0.1).numpy()[0] == 1.0 + 0.1
    assert (x * [0.1]).numpy()[0] == 0.1


def test_cast_and_rank():
    t = chainrule.constant(30.0, dtype=chainrule.float64)
    c = chainrule.cast(t, chainrule.float32)
    assert c.dtype == chainrule.float32 and float(c) == 30.0
    assert chainrule.cast(chainrule.constant([1.9, -1.9]), chainrule.int32).numpy().tolist() == [1, -1]
    assert chainrule.cast(chainrule.constant([0, 2]), chainrule.bool).numpy().tolist() == [False, True]
    assert chainrule.rank(chainrule.ones((2, 3, 4))).numpy() == 3
    assert chainrule.rank(chainrule.ones((2, 3, 4))).dtype == chainrule.int32


def test_seed_tensor_values():
    t = chainrule.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(t[..., 1, chainrule.newaxis].numpy(), [[2.0], [5.0]])
    np.testing.assert_array_equal((t + 10).numpy(), [[11.0, 12.0, 13.0], [14.0, 15.0, 16.0]])
    np.testing.assert_array_equal(chainrule.square(t).numpy(), [[1.0, 4.0, 9.0], [16.0, 25.0, 36.0]])
    np.testing.assert_array_equal((t @ chainrule.transpose(t)).numpy(), [[14.0, 32.0], [32.0, 77.0]])
    a, b = chainrule.constant(2), chainrule.constant(3)
    assert str(chainrule.subtract(a, b)) == str(a - b) == "chainrule.Tensor(-1, shape=(), dtype=int32)"
    assert str(chainrule.multiply(a, b)) == str(a * b) == "chainrule.Tensor(6, shape=(), dtype=int32)"


# ----------------------------------------------------------------------------- Variable

def test_variable_repr_like_tensorflow():
    assert repr(chainrule.Variable(20.0)) == "<chainrule.Variable 'Variable:0' shape=() dtype=float32, numpy=20.0>"
    assert str(chainrule.Variable(20.0)) == "<chainrule.Variable 'Variable:0' shape=() dtype=float32, numpy=20.0>"
    v = chainrule.Variable([[1.0], [2.0]], name="w")
    assert repr(v) == ("<chainrule.Variable 'w:0' shape=(2, 1) dtype=float32, numpy=\n"
                       "array([[1.],\n"
                       "       [2.]], dtype=float32)>")


def test_variable_name_dtype_and_trainable():
    w = chainrule.Variable(np.random.randn(), name="weight")
    assert w.name == "weight:0"
    assert w.dtype == chainrule.float32          # a Python float, as np.random.randn() returns
    assert w.trainable
    assert chainrule.Variable(1.0, trainable=False).trainable is False
    assert chainrule.Variable(np.zeros(2)).dtype == chainrule.float64
    assert chainrule.Variable([1, 2], dtype=chainrule.float32).dtype == chainrule.float32
    assert chainrule.Variable(lambda: [1.0, 2.0]).shape == (2,)


def test_variable_assign_family_updates_values_and_returns_the_variable():
    v = chainrule.Variable([1.0, 2.0])
    assert v.assign([5.0, 6.0]) is v
    np.testing.assert_array_equal(v.numpy(), [5.0, 6.0])
    assert v.assign_add([1.0, 1.0]) is v
    np.testing.assert_array_equal(v.numpy(), [6.0, 7.0])
    assert v.assign_sub(np.array([0.5, 0.5])) is v
    np.testing.assert_array_equal(v.numpy(), [5.5, 6.5])
    assert v.dtype == chainrule.float32
    s = chainrule.Variable(3.0)
    s.assign_sub(0.5 * chainrule.constant(2.0))
    assert float(s) == 2.0


def test_variable_assign_with_wrong_shape_raises_naming_the_variable_and_shapes():
    v = chainrule.Variable([1.0, 2.0, 3.0], name="w")
    with pytest.raises(ValueError, match=r"'w:0'.*\(3,\).*\(2,\)"):
        v.assign([1.0, 2.0])
    m = chainrule.Variable(np.zeros((2, 2)), name="m")
    with pytest.raises(ValueError, match=r"'m:0'.*\(2, 2\).*\(3,\)"):
        m.assign_add([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0, 3.0])


def test_variable_assign_of_lower_rank_value_raises_like_tensorflow():
    m = chainrule.Variable(np.zeros((2, 2)), name="m")
    with pytest.raises(ValueError, match=r"'m:0'.*\(2, 2\).*\(2,\)"):
        m.assign([5.0, 6.0])


def test_variable_numpy_is_a_copy():
    v = chainrule.Variable([1.0, 2.0])
    n = v.numpy()
    v.assign([9.0, 9.0])
    np.testing.assert_array_equal(n, [1.0, 2.0])
    n[0] = 100.0
    np.testing.assert_array_equal(v.numpy(), [9.0, 9.0])


def test_variable_does_not_alias_its_initial_value():
    init = np.array([1.0, 2.0])
    v = chainrule.Variable(init)
    init[0] = 50.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("derive", [
    lambda v: chainrule.reshape(v, (4,)),
    lambda v: v[0],
    lambda v: v[:, 1:],
    lambda v: v[...],
    lambda v: chainrule.transpose(v),
    lambda v: chainrule.expand_dims(v, 0),
    lambda v: chainrule.broadcast_to(v, (2, 2, 2)),
    lambda v: chainrule.identity(v),
    lambda v: v.value(),
    lambda v: chainrule.convert_to_tensor(v),
    lambda v: chainrule.stop_gradient(v),
    lambda v: chainrule.cast(v, chainrule.float32),
    lambda v: chainrule.constant(v),
    lambda v: list(v)[1],
], ids=["reshape", "v[0]", "slice", "ellipsis", "transpose", "expand_dims", "broadcast_to", "identity",
        "value", "convert_to_tensor", "stop_gradient", "cast same dtype", "constant", "iteration"])
def test_tensors_derived_from_a_variable_are_snapshots(derive):
    v = chainrule.Variable([[1.0, 2.0], [3.0, 4.0]])
    t = derive(v)
    before = np.array(t.numpy(), copy=True)
    v.assign([[10.0, 20.0], [30.0, 40.0]])
    v.assign_add([[1.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(t.numpy(), before)


def test_dropout_rate_zero_of_a_variable_is_a_snapshot():
    v = chainrule.Variable([1.0, 2.0])
    t = chainrule.nn.dropout(v, 0.0)
    v.assign([5.0, 5.0])
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


def test_variable_in_arithmetic_is_a_tensor():
    v = chainrule.Variable([1.0, 2.0])
    r = v * 2
    assert type(r) is chainrule.Tensor
    np.testing.assert_array_equal(r.numpy(), [2.0, 4.0])
    assert isinstance(v, chainrule.Tensor)


def test_set_shape_checks_compatibility_like_tensorflow_eager():
    x = chainrule.constant(np.zeros((4, 3, 2), np.float32))
    x.set_shape([None, 3, None])
    x.set_shape(None)
    assert x.shape == (4, 3, 2)
    with pytest.raises(ValueError, match=r"Tensor's shape \(4, 3, 2\) is not compatible with supplied shape "
                                         r"\(4, 2, 2\)"):
        x.set_shape([4, 2, 2])


def test_device_names_the_cpu_as_tensorflow_does():
    # TensorFlow's "Customization basics" tutorial: x.device.endswith('GPU:0')
    x = chainrule.random.uniform([3, 3])
    assert x.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert chainrule.Variable(1.0).device == x.device and not x.device.endswith("GPU:0")


def test_a_variable_slice_assigns_into_the_variable_as_in_tensorflow():
    # "Deep Learning with Python", chapter 3: v[0, 0].assign(3.)
    v = chainrule.Variable(np.ones((3, 1), np.float32))
    assert v[0, 0].assign(3.0) is v
    np.testing.assert_array_equal(v.numpy().ravel(), [3, 1, 1])
    v[1:].assign([[5.0], [6.0]])
    np.testing.assert_array_equal(v.numpy().ravel(), [3, 5, 6])
    v[:, 0].assign(0.0)  # a scalar broadcasts over the slice
    np.testing.assert_array_equal(v.numpy().ravel(), [0, 0, 0])
    with chainrule.GradientTape() as tape:  # the slice is still an ordinary differentiable read
        y = chainrule.reduce_sum(v[1:] * 2.0)
    np.testing.assert_array_equal(tape.gradient(y, v).numpy().ravel(), [0, 2, 2])
    with pytest.raises(ValueError, match=r"dtype float32 for Tensor with dtype float64.*slice of variable"):
        v[0].assign(chainrule.constant([1.0], dtype=chainrule.float64))
    with pytest.raises(ValueError, match=r"the slice has shape \(2, 1\) and the value has shape \(3,\)"):
        v[:2].assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v.numpy().ravel(), [0, 0, 0])  # refused assignments changed nothing
    with pytest.raises(AttributeError):
        chainrule.constant([1.0])[0].assign(2.0)  # a plain Tensor's slice has no assign, as in TensorFlow


def test_a_variable_slice_assignment_is_replayed_by_function():
    v = chainrule.Variable(np.zeros(3, np.float32))

    @chainrule.function
    def put(i, value):
        v[i].assign(value)
        return v[i]

    assert float(put(1, chainrule.constant(7.0))) == 7.0
    assert float(put(1, chainrule.constant(8.0))) == 8.0  # a replay of the same trace
    np.testing.assert_array_equal(v.numpy(), [0, 8, 0])
