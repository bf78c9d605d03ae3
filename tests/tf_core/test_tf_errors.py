"""Shape and index errors raise tf.errors.InvalidArgumentError where TensorFlow does, with TensorFlow's
message first (as tensorflow-cpu 2.21 prints it, after its '{{function_node ...}}' prefix) and the shapes."""
import numpy as np
import pytest

import chainrule as tf

InvalidArgumentError = tf.errors.InvalidArgumentError

CASES = [
    ("reshape", lambda: tf.reshape(tf.zeros([3, 2, 5]), [7, -1]),
     r"Input to reshape is a tensor with 30 values, but the requested shape requires a multiple of 7 \[Op:Reshape\]"),
    ("reshape", lambda: tf.reshape(tf.zeros([3, 2, 5]), [4, 5]),
     r"Input to reshape is a tensor with 30 values, but the requested shape has 20 \[Op:Reshape\]"),
    ("reshape", lambda: tf.reshape(tf.zeros([3, 2, 5]), [-1, -1]),
     r"Only one input size may be -1, not both 0 and 1 \[Op:Reshape\]"),
    ("gather", lambda: tf.gather(tf.constant([0.0]), [1]), r"indices\[0\] = 1 is not in \[0, 1\) \[Op:GatherV2\]"),
    ("gather", lambda: tf.gather(tf.constant([0.0, 1.0]), [-1]),
     r"indices\[0\] = -1 is not in \[0, 2\) \[Op:GatherV2\]"),
    ("gather", lambda: tf.gather(tf.zeros([2, 3]), [5], axis=1), r"indices\[0\] = 5 is not in \[0, 3\)"),
    ("matmul", lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 2])),
     r"Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[4,2\] \[Op:MatMul\]"),
    ("batched matmul", lambda: tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 4])),
     r"In\[0\] and In\[1\] must have compatible batch dimensions: \[2,2,3\] vs. \[3,3,4\] \[Op:BatchMatMulV2\]"),
    ("matmul of a vector", lambda: tf.matmul(tf.zeros([3]), tf.zeros([3, 2])), r"In\[0\] ndims must be >= 2"),
    ("broadcast", lambda: tf.zeros([2, 3]) + tf.zeros([4]), r"Incompatible shapes: \(2, 3\) vs. \(4,\) \[Op:AddV2\]"),
    ("broadcast", lambda: tf.multiply(tf.zeros([3]), tf.zeros([4])), r"Incompatible shapes: .*\[Op:Mul\]"),
    ("broadcast_to", lambda: tf.broadcast_to(tf.zeros([3]), [2, 4]),
     r"Incompatible shapes: \[3\] vs. \[2, 4\] \[Op:BroadcastTo\]"),
    ("index", lambda: tf.constant([1, 2, 3])[5], r"slice index 5 of dimension 0 out of bounds. \[Op:StridedSlice\]"),
    ("index", lambda: tf.zeros([2, 3])[:, 4], r"slice index 4 of dimension 1 out of bounds."),
    ("tile", lambda: tf.tile(tf.zeros([2, 3]), [2]),
     r"Expected multiples argument to be a vector of length 2 but got length 1 \[Op:Tile\]"),
    ("expand_dims", lambda: tf.expand_dims(tf.zeros([3]), 3),
     r"Tried to expand dim index 3 for tensor with 1 dimensions. \[Op:ExpandDims\]"),
    ("split", lambda: tf.split(tf.zeros([5]), 2),
     r"Number of ways to split should evenly divide the split dimension, but got split_dim 0 \(size = 5\) and "
     r"num_split 2 \[Op:Split\]"),
    ("where", lambda: tf.where(tf.constant([True, False]), tf.zeros([3]), tf.zeros([3])),
     r"condition \[2\], then \[3\], and else \[3\] must be broadcastable \[Op:SelectV2\]"),
    ("slice", lambda: tf.slice(tf.zeros([3]), [2], [3]), r"Expected size\[0\] in \[0, 1\], but got 3 \[Op:Slice\]"),
    ("range", lambda: tf.range(3, 1), r"Requires start <= limit when delta > 0: 3/1 \[Op:Range\]"),
    ("fill", lambda: tf.fill([-1], 1), r"Dimension -1 must be >= 0 \[Op:Fill\]"),
    ("zeros", lambda: tf.zeros([-1]), r"Dimension -1 must be >= 0"),
    ("argmax", lambda: tf.argmax(tf.zeros([3]), axis=2),
     r"Expected dimension in the range \[-1, 1\), but got 2 \[Op:ArgMax\]"),
    ("one_hot of floats", lambda: tf.one_hot([1.5], 3), r"indices must be integers"),
    ("gather_nd", lambda: tf.gather_nd(tf.zeros([2, 2]), [[0, 3]]), r"does not index into param shape \[2, 2\]"),
    ("ensure_shape", lambda: tf.ensure_shape(tf.zeros([3]), [4]),
     r"Shape of tensor x \[3\] is not compatible with expected shape \[4\]"),
]


@pytest.mark.parametrize("what, fn, message", CASES, ids=[c[0] for c in CASES])
def test_shape_and_index_errors_are_invalid_argument_errors_with_tensorflow_messages(what, fn, message):
    with pytest.raises(InvalidArgumentError, match=message) as info:
        fn()
    assert type(info.value).__name__ == "InvalidArgumentError"   # what `print(type(e).__name__)` shows
    assert isinstance(info.value, ValueError)                     # code written for Python's ValueError still works


def test_out_of_bounds_indexing_is_also_an_index_error():
    with pytest.raises(IndexError):
        tf.constant([1, 2, 3])[5]
    with pytest.raises(IndexError):
        tf.gather(tf.constant([1, 2]), [2])


def test_the_guides_except_clause_catches_errors_raised_eagerly():
    # intro_to_graphs: `except tf.errors.InvalidArgumentError as e: print(f'{type(e).__name__}: {e}')`
    try:
        tf.gather(tf.constant([0.0]), [1])
    except tf.errors.InvalidArgumentError as e:
        text = f"{type(e).__name__}: {e}"
    assert text.startswith("InvalidArgumentError: indices[0] = 1 is not in [0, 1) [Op:GatherV2]")


def test_cast_of_strings_is_unimplemented_as_in_tensorflow():
    with pytest.raises(tf.errors.UnimplementedError, match=r"Cast string to float32 is not supported \[Op:Cast\]"):
        tf.cast(tf.constant("a"), tf.float32)


def test_error_classes_tensorflow_has():
    for name in ("OpError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError", "OutOfRangeError",
                 "UnimplementedError", "FailedPreconditionError", "ResourceExhaustedError", "InternalError",
                 "UnknownError", "DataLossError", "PermissionDeniedError", "AbortedError", "CancelledError",
                 "DeadlineExceededError", "UnavailableError", "UnauthenticatedError"):
        assert issubclass(getattr(tf.errors, name), tf.errors.OpError)
    assert issubclass(tf.errors.NotFoundError, FileNotFoundError)


def test_split_unstack_slice_reverse_roll_repeat_gather_nd_meshgrid_sequence_mask():
    x = tf.reshape(tf.range(12), [3, 4])
    a, b = tf.split(x, 2, axis=1)
    assert a.numpy().tolist() == [[0, 1], [4, 5], [8, 9]] and b.shape == (3, 2)
    assert [p.shape[1] for p in tf.split(x, [1, -1, 1], axis=1)] == [1, 2, 1]
    assert [r.numpy().tolist() for r in tf.unstack(x, axis=1)][0] == [0, 4, 8]
    assert tf.slice(x, [1, 1], [2, -1]).numpy().tolist() == [[5, 6, 7], [9, 10, 11]]
    assert tf.reverse(x, [0])[0].numpy().tolist() == [8, 9, 10, 11]
    assert tf.roll(tf.constant([0, 1, 2, 3, 4]), 2, 0).numpy().tolist() == [3, 4, 0, 1, 2]
    assert tf.repeat(tf.constant([1, 2]), 2).numpy().tolist() == [1, 1, 2, 2]
    assert tf.repeat(tf.constant([[1, 2], [3, 4]]), [1, 2], axis=0).numpy().tolist() == [[1, 2], [3, 4], [3, 4]]
    assert tf.gather_nd(x, [[0, 1], [2, 3]]).numpy().tolist() == [1, 11]
    assert tf.gather_nd(x, [[1]]).numpy().tolist() == [[4, 5, 6, 7]]
    gx, gy = tf.meshgrid(tf.constant([1, 2, 3]), tf.constant([4, 5]))
    np.testing.assert_array_equal(gx.numpy(), np.meshgrid([1, 2, 3], [4, 5])[0])
    np.testing.assert_array_equal(gy.numpy(), np.meshgrid([1, 2, 3], [4, 5])[1])
    gi = tf.meshgrid(tf.constant([1, 2, 3]), tf.constant([4, 5]), indexing="ij")[0]
    np.testing.assert_array_equal(gi.numpy(), np.meshgrid([1, 2, 3], [4, 5], indexing="ij")[0])
    assert tf.sequence_mask([1, 3], 4).numpy().tolist() == [[True, False, False, False], [True, True, True, False]]
    assert tf.is_tensor(x) and not tf.is_tensor(np.zeros(2)) and tf.is_tensor(tf.Variable(1.0))


@pytest.mark.parametrize("fn", [
    lambda a: tf.split(a, 2, axis=1)[1], lambda a: tf.unstack(a)[1], lambda a: tf.slice(a, [0, 1], [2, 2]),
    lambda a: tf.reverse(a, [1]), lambda a: tf.roll(a, 1, 1), lambda a: tf.repeat(a, 2, axis=0),
    lambda a: tf.gather_nd(a, [[0, 1], [0, 1], [1, 3]]), lambda a: tf.meshgrid(a[0], a[1])[0],
])
def test_the_new_shape_functions_are_differentiable(fn):
    from chainrule.testing import check_gradients
    report = check_gradients(fn, np.arange(8.0).reshape(2, 4) / 7 + 0.1)
    assert report.max_error < 1e-6, str(report)


def test_a_ragged_python_list_gives_tensorflows_value_error():
    with pytest.raises(ValueError, match=r"^Can't convert non-rectangular Python sequence to Tensor\."):
        tf.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]])
