"""Misuse corpus, tensor level: dtypes, shapes, Variables and GradientTape used wrongly.

Every test makes one mistake a user really makes and checks the error: its type, and
that the message names the op or object, the offending shapes/dtypes/values, and what
to do (DESIGN.md, "Conventions"). A message may state the fix as an instruction
("cast one first") or as the rule that was broken ("must match", "expected 3").

Tests marked ``xfail(strict=True, reason="NEEDS: ...")`` assert the behaviour we want
and chainrule does not have yet; the reason says what the error should say.
"""
import re

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.errors import InvalidArgumentError


def assert_mentions(excinfo, *patterns):
    """Every regex in ``patterns`` occurs in the exception message."""
    text = str(excinfo.value)
    missing = [p for p in patterns if not re.search(p, text)]
    assert not missing, f"the message lacks {missing}:\n{text}"


# ----------------------------------------------------------------------------- dtypes

def test_adding_float64_to_float32_names_both_dtypes_and_the_op():
    a = tf.constant(np.ones(3))          # numpy float64 stays float64, as in TF
    b = tf.constant([1.0, 2.0, 3.0])     # Python floats give float32
    with pytest.raises(InvalidArgumentError) as e:
        a + b
    assert_mentions(e, r"AddV2", r"float64", r"float32", r"cast")


def test_multiplying_int32_by_float32_names_both_dtypes_and_the_op():
    with pytest.raises(InvalidArgumentError) as e:
        tf.constant([1, 2]) * tf.constant([1.0, 2.0])
    assert_mentions(e, r"\bMul\b", r"int32", r"float32", r"cast")


def test_invalid_argument_error_is_also_a_value_error():
    # Code written against plain Python catches ValueError; TF's error must still be caught.
    with pytest.raises(ValueError):
        tf.constant(np.ones(2)) - tf.constant([1.0, 2.0])


def test_sqrt_of_an_integer_tensor_asks_for_a_cast():
    with pytest.raises(InvalidArgumentError) as e:
        tf.sqrt(tf.constant([4, 9]))
    assert_mentions(e, r"Sqrt", r"int32", r"\(2,\)", r"cast")


def test_arithmetic_on_string_tensors_names_the_op_and_the_string_dtype():
    with pytest.raises(InvalidArgumentError) as e:  # `+` concatenates strings, as in TensorFlow; `*` does not
        tf.constant(["a", "b"]) * tf.constant(["c", "d"])
    assert_mentions(e, r"Mul", r"string", r"\(2,\)")


def test_casting_a_string_tensor_to_float_names_both_dtypes():
    with pytest.raises(tf.errors.UnimplementedError) as e:  # TF: "Cast string to float is not supported"
        tf.cast(tf.constant(["1.5"]), tf.float32)
    assert_mentions(e, r"Cast", r"string", r"float32")


# ----------------------------------------------------------------------------- shapes

def test_matmul_of_incompatible_shapes_names_both_shapes():
    with pytest.raises(ValueError) as e:
        tf.matmul(tf.ones((2, 3)), tf.ones((4, 5)))
    assert_mentions(e, r"MatMul", r"\(2, 3\)", r"\(4, 5\)", r"3 != 4|do not match")


def test_matmul_operator_with_a_forgotten_transpose_names_both_shapes():
    with pytest.raises(ValueError) as e:
        tf.ones((2, 3)) @ tf.ones((2, 3))
    assert_mentions(e, r"MatMul", r"\(2, 3\) @ \(2, 3\)", r"do not match")


def test_matmul_with_a_vector_says_to_reshape_it():
    with pytest.raises(ValueError) as e:
        tf.matmul(tf.ones(3), tf.ones((3, 2)))
    assert_mentions(e, r"MatMul", r"\(3,\)", r"\(3, 2\)", r"rank >= 2", r"reshape")


def test_elementwise_op_on_shapes_that_do_not_broadcast_names_op_and_shapes():
    with pytest.raises(InvalidArgumentError) as e:
        tf.ones((2, 3)) * tf.ones((2, 4))
    assert_mentions(e, r"\bMul\b", r"\(2, 3\)", r"\(2, 4\)", r"broadcast")


def test_reshape_to_an_impossible_shape_names_both_shapes_and_sizes():
    with pytest.raises(ValueError) as e:
        tf.reshape(tf.ones((2, 3)), (4, 2))
    assert_mentions(e, r"Reshape", r"\(2, 3\)", r"\(4, 2\)", r"\b6\b", r"must stay the same")


def test_reshape_with_two_unknown_dimensions_says_only_one_may_be_minus_one():
    with pytest.raises(ValueError) as e:
        tf.reshape(tf.ones((2, 3)), (-1, -1))
    assert_mentions(e, r"Reshape", r"\(-1, -1\)", r"only one")


def test_concat_of_mismatched_shapes_names_op_and_shapes():
    with pytest.raises(ValueError) as e:
        tf.concat([tf.ones((2, 3)), tf.ones((3, 3))], axis=1)
    assert_mentions(e, r"ConcatV2|concat", r"\(2, 3\)", r"\(3, 3\)", r"must match")


def test_stack_of_different_shapes_names_op_and_shapes():
    with pytest.raises(ValueError) as e:
        tf.stack([tf.ones((2, 3)), tf.ones((3, 3))])
    assert_mentions(e, r"Pack|stack", r"\(2, 3\)", r"\(3, 3\)", r"same shape")


def test_reducing_over_an_axis_that_does_not_exist_is_an_error():
    with pytest.raises(InvalidArgumentError) as e:
        tf.reduce_sum(tf.ones((2, 3)), axis=2)
    assert_mentions(e, r"Sum", r"axis 2", r"\(2, 3\)", r"-2")


def test_transpose_with_a_bad_perm_names_perm_and_shape():
    with pytest.raises(ValueError) as e:
        tf.transpose(tf.ones((2, 3)), perm=[0, 2])
    assert_mentions(e, r"Transpose", r"\[0, 2\]", r"\(2, 3\)", r"permutation")


def test_constant_with_a_shape_that_does_not_fit_the_values():
    with pytest.raises(TypeError) as e:
        tf.constant([1, 2, 3], shape=(2, 2))
    assert_mentions(e, r"constant", r"\(2, 2\)", r"expected 4 values", r"got 3")


# ----------------------------------------------------------------------------- Variables

def test_variable_assign_of_a_wrong_shape_names_variable_and_both_shapes():
    w = tf.Variable(np.zeros((2, 3), np.float32), name="w")
    with pytest.raises(ValueError) as e:
        w.assign(np.zeros((3, 2), np.float32))
    assert_mentions(e, r"'w:0'", r"\(2, 3\)", r"\(3, 2\)", r"must match")


def test_variable_assign_add_of_a_wrong_shape_names_variable_and_both_shapes():
    w = tf.Variable(np.zeros(4, np.float32), name="bias")
    with pytest.raises(ValueError) as e:
        w.assign_add(np.ones(5, np.float32))
    assert_mentions(e, r"assign_add", r"'bias:0'", r"\(4,\)", r"\(5,\)", r"must match")


def test_assigning_fractions_to_an_integer_variable_names_the_variable():
    v = tf.Variable(np.zeros(2, np.int32), name="steps")
    with pytest.raises(TypeError) as e:
        v.assign([0.5, 1.5])
    assert_mentions(e, r"'steps:0'", r"int32", r"0\.5", r"[Rr]ound or cast")


def test_variable_without_initial_value():
    with pytest.raises(ValueError) as e:
        tf.Variable()
    assert_mentions(e, r"Variable", r"initial_value", r"must be given")


# ----------------------------------------------------------------------------- GradientTape

def test_second_gradient_call_on_a_non_persistent_tape_raises_tensorflows_error():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match=re.escape(
            "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)")):
        tape.gradient(y, x)


def test_jacobian_on_a_non_persistent_tape_asks_for_persistent():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x
    with pytest.raises(RuntimeError) as e:
        tape.jacobian(y, x)
    assert_mentions(e, r"jacobian", r"persistent=True")


def test_watching_a_numpy_array_says_to_convert_it():
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError) as e:
            tape.watch(np.ones(3))
    assert_mentions(e, r"watch", r"ndarray", r"chainrule\.constant")


def test_gradient_with_respect_to_a_numpy_array_names_the_type():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError) as e:
        tape.gradient(y, np.ones(1))
    assert_mentions(e, r"GradientTape\.gradient", r"ndarray", r"must be Tensors or Variables")


# Non-differentiable ops: TensorFlow returns None for the gradient, and so does chainrule
# (DESIGN.md, "The tape"). The clear error comes later, from apply_gradients (below).

def test_gradient_through_argmax_is_none_as_in_tensorflow():
    x = tf.Variable([1.0, 3.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.cast(tf.argmax(x), tf.float32)
    assert tape.gradient(y, x) is None


def test_gradient_through_a_cast_to_int_is_none_as_in_tensorflow():
    x = tf.Variable([1.5, 2.5])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.cast(tf.cast(x, tf.int32), tf.float32))
    assert tape.gradient(y, x) is None


def test_gradient_through_a_comparison_is_none_as_in_tensorflow():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.cast(x > 1.5, tf.float32))
    assert tape.gradient(y, x) is None


def _none_gradients():
    a = tf.Variable([1.0], name="slope")
    b = tf.Variable([2.0], name="offset")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.cast(tf.argmax(tf.concat([a, b], axis=0)), tf.float32))
    grads = tape.gradient(loss, [a, b])
    assert grads == [None, None]
    return grads, [a, b]


def test_apply_gradients_with_only_none_gradients_names_the_variables():
    grads, variables = _none_gradients()
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(0.1).apply_gradients(zip(grads, variables))
    assert_mentions(e, r"No gradients provided", r"slope:0", r"offset:0")


def test_apply_gradients_with_only_none_gradients_says_why():
    grads, variables = _none_gradients()
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(0.1).apply_gradients(zip(grads, variables))
    assert_mentions(e, r"slope:0", r"offset:0", r"differentiable|does not depend")


def test_apply_gradients_with_a_wrong_gradient_shape_names_variable_and_shapes():
    w = tf.Variable(np.zeros(2, np.float32), name="w")
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(0.1).apply_gradients([(np.ones(3, np.float32), w)])
    assert_mentions(e, r"SGD", r"'w:0'", r"\(3,\)", r"\(2,\)", r"must match")


def test_apply_gradients_given_gradients_without_variables_shows_the_zip_idiom():
    with pytest.raises(ValueError) as e:
        keras.optimizers.SGD(0.1).apply_gradients([np.ones(2, np.float32)])
    assert_mentions(e, r"apply_gradients", r"\(gradient, variable\) pairs", r"zip\(grads")


# ----------------------------------------------------------------------------- where TensorFlow raises, we raise
# Each case was checked with tensorflow-cpu 2.21 + tf_keras: the same exception type, and the key words of
# TensorFlow's message (chainrule adds what to do). Before, each of these cast or truncated silently.

_F64 = np.ones(3)  # numpy float64


def _variable(dtype="float32"):
    return tf.Variable(np.zeros(3, dtype), name="w")


STRICT = [
    # Variables: a Tensor of another dtype is not cast implicitly (numpy arrays and Python numbers are).
    ("assign-float64", lambda: _variable().assign(tf.constant(_F64)), ValueError,
     [r"Tensor conversion requested dtype float32 for Tensor with dtype float64", r"'w:0'", r"chainrule\.cast"]),
    ("assign_add-float64", lambda: _variable().assign_add(tf.constant(_F64)), ValueError,
     [r"requested dtype float32 for Tensor with dtype float64", r"assign_add"]),
    ("assign_sub-int32", lambda: _variable().assign_sub(tf.constant([1, 2, 3])), ValueError,
     [r"requested dtype float32 for Tensor with dtype int32", r"assign_sub"]),
    ("assign-int64-into-int32", lambda: _variable("int32").assign(tf.constant(np.arange(3))), ValueError,
     [r"requested dtype int32 for Tensor with dtype int64"]),
    ("Variable-dtype", lambda: tf.Variable(tf.constant(_F64), dtype="float32"), ValueError,
     [r"initial_value: Tensor conversion requested dtype float32 for Tensor with dtype float64"]),
    ("constant-dtype", lambda: tf.constant(tf.constant(_F64), dtype="float32"), TypeError,
     [r"Expected tensor .* with dtype float32, but got dtype float64"]),
    # Integer arguments are never truncated.
    ("Dataset.batch-2.5", lambda: tf.data.Dataset.range(5).batch(2.5), TypeError,
     [r"Cannot convert 2\.5 to EagerTensor of dtype int64", r"batch_size", r"such as 2"]),
    ("Dataset.batch-2.0", lambda: tf.data.Dataset.range(5).batch(2.0), TypeError, [r"Cannot convert 2\.0"]),
    ("Dataset.shuffle", lambda: tf.data.Dataset.range(5).shuffle(10.5), TypeError, [r"buffer_size"]),
    ("Dataset.take", lambda: tf.data.Dataset.range(5).take(1.5), TypeError, [r"Dataset\.take", r"count"]),
    ("Dataset.repeat", lambda: tf.data.Dataset.range(5).repeat(1.5), TypeError, [r"Dataset\.repeat"]),
    ("Dataset.range", lambda: tf.data.Dataset.range(2.5), TypeError, [r"Cannot convert 2\.5", r"int64"]),
    ("one_hot-negative", lambda: tf.one_hot([0, 1], depth=-1), InvalidArgumentError,
     [r"depth must be non-negative, got: -1", r"OneHot"]),
    ("one_hot-float", lambda: tf.one_hot([0, 1], depth=2.5), TypeError, [r"Cannot convert 2\.5", r"depth"]),
    ("zeros", lambda: tf.zeros([2.5]), TypeError, [r"Cannot convert \[2\.5\] to EagerTensor of dtype int32"]),
    ("fill", lambda: tf.fill([2.5], 1.0), InvalidArgumentError, [r"Value for attr 'index_type' of float"]),
    ("reshape", lambda: tf.reshape(tf.ones((2, 3)), [3.0, 2]), InvalidArgumentError,
     [r"Value for attr 'Tshape' of float is not in the list of allowed values: int32, int64", r"Reshape"]),
    ("tile", lambda: tf.tile(tf.ones((2, 3)), [1.5, 1]), InvalidArgumentError, [r"'Tmultiples' of float"]),
    ("broadcast_to", lambda: tf.broadcast_to(tf.ones(3), [2.5, 3]), InvalidArgumentError, [r"BroadcastTo"]),
    ("expand_dims", lambda: tf.expand_dims(tf.ones(3), 0.5), TypeError, [r"Cannot convert 0\.5", r"axis"]),
    ("reduce_sum-axis", lambda: tf.reduce_sum(tf.ones((2, 3)), axis=1.0), TypeError, [r"Cannot convert 1\.0"]),
    ("argmax-axis", lambda: tf.argmax(tf.ones((2, 3)), axis=1.5), TypeError, [r"ArgMax", r"axis"]),
    ("concat-axis", lambda: tf.concat([tf.ones(3), tf.ones(3)], axis=0.5), TypeError, [r"ConcatV2"]),
    ("gather-float-indices", lambda: tf.gather(tf.ones((2, 3)), [0.5]), InvalidArgumentError,
     [r"Value for attr 'Tindices' of float32", r"GatherV2", r"cast"]),
    ("cumsum-axis", lambda: tf.math.cumsum(tf.ones((2, 3)), axis=0.5), TypeError, [r"Cumsum"]),
    ("split-float", lambda: tf.split(tf.ones((2, 4)), 2.0, axis=1), ValueError,
     [r"Rank-0 tensors are not supported as the num_or_size_splits argument"]),
    ("eye", lambda: tf.eye(2.5), TypeError, [r"num_rows"]),
    ("top_k-float", lambda: tf.math.top_k(tf.ones((2, 3)), k=1.5), TypeError, [r"Cannot convert 1\.5", r"\bk\b"]),
    ("top_k-negative", lambda: tf.math.top_k(tf.ones((2, 3)), k=-1), InvalidArgumentError, [r"Need k >= 0, got -1"]),
    ("top_k-too-many", lambda: tf.math.top_k(tf.ones((2, 3)), k=5), InvalidArgumentError,
     [r"input must have at least k columns. Had 3, needed 5"]),
    ("slice", lambda: tf.slice(tf.ones((2, 3)), [0.5, 0], [1, 1]), InvalidArgumentError, [r"'Index' of float"]),
    ("bincount", lambda: tf.math.bincount(tf.constant([1, 2]), minlength=2.5), TypeError, [r"minlength"]),
    ("random.uniform-shape", lambda: tf.random.uniform([2.5]), InvalidArgumentError, [r"Value for attr 'T' of float"]),
    ("random.uniform-int-maxval", lambda: tf.random.uniform([2], maxval=2.5, dtype="int32"), TypeError,
     [r"maxval"]),
    ("band_part", lambda: tf.linalg.band_part(tf.ones((2, 2)), 0.5, 1), TypeError, [r"dtype int64", r"num_lower"]),
    ("roll", lambda: tf.roll(tf.ones((2, 3)), 0.5, 0), InvalidArgumentError, [r"'Tshift' of float"]),
    ("transpose-perm", lambda: tf.transpose(tf.ones((2, 3)), [1.0, 0.0]), InvalidArgumentError, [r"'Tperm'"]),
    ("reverse-axis", lambda: tf.reverse(tf.ones((2, 3)), [0.5]), InvalidArgumentError, [r"ReverseV2"]),
    ("repeat-float", lambda: tf.repeat(tf.ones(3), 1.5), TypeError, [r"must be of type integer"]),
    ("substr", lambda: tf.strings.substr("abc", 0.5, 1), InvalidArgumentError, [r"Substr"]),
    ("where-float-condition", lambda: tf.where(tf.ones(3), tf.ones(3), tf.zeros(3)), InvalidArgumentError,
     [r"expected to be a bool tensor but is a float32 tensor", r"SelectV2"]),
    # Labels out of range and batched systems that do not fit.
    ("sparse-ce-label", lambda: keras.losses.SparseCategoricalCrossentropy()(np.array([0, 5]),
                                                                              np.full((2, 3), 1 / 3, np.float32)),
     InvalidArgumentError, [r"Received a label value of 5 which is outside the valid range of \[0, 3\)",
                            r"3 classes"]),
    ("sparse-ce-logits-negative", lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
        np.array([0, -1]), np.zeros((2, 3), np.float32)), InvalidArgumentError, [r"label value of -1"]),
    ("solve-batch", lambda: tf.linalg.solve(tf.ones((2, 3, 3)), tf.ones((5, 3, 1))), InvalidArgumentError,
     [r"compatible batch dimensions: \[2, 3, 3\] vs\. \[5, 3, 1\]", r"MatrixSolve"]),
    ("triangular_solve-batch", lambda: tf.linalg.triangular_solve(tf.ones((2, 3, 3)), tf.ones((5, 3, 1))),
     InvalidArgumentError, [r"MatrixTriangularSolve", r"\[2, 3, 3\] vs\. \[5, 3, 1\]"]),
    ("lstsq-batch", lambda: tf.linalg.lstsq(tf.ones((2, 3, 3)), tf.ones((5, 3, 1))), InvalidArgumentError,
     [r"MatrixSolveLs", r"batch dimensions"]),
]


@pytest.mark.parametrize("call, error, patterns", [case[1:] for case in STRICT], ids=[case[0] for case in STRICT])
def test_where_tensorflow_raises_chainrule_raises(call, error, patterns):
    with pytest.raises(error) as e:
        call()
    assert_mentions(e, *patterns)


def test_numpy_values_convert_as_in_tensorflow_but_a_tensor_of_another_dtype_does_not():
    v = _variable()
    v.assign(_F64)  # a numpy float64 array is converted, as in TensorFlow
    v.assign_add(np.arange(3))
    assert v.numpy().tolist() == [1.0, 2.0, 3.0] and v.dtype == tf.float32
    assert tf.zeros(np.int64(2)).shape == (2,) and tf.reshape(tf.ones(6), tf.constant([2, 3])).shape == (2, 3)
    assert tf.data.Dataset.range(5).batch(np.int64(2)).cardinality() == 3
    with pytest.raises(ValueError):
        v.assign(tf.constant(_F64))
    assert v.numpy().tolist() == [1.0, 2.0, 3.0]
