"""Segment reductions and cumprod (chainrule/ops/segment.py): TensorFlow's values (printed by tensorflow-cpu
2.21, noted inline) and float64 gradient checks over hypothesis shapes."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule as tf
from chainrule import ops
from chainrule.testing import check_gradients

SEEDS = st.integers(0, 2 ** 16)


def test_sorted_segments_match_tensorflow_including_empty_segments():
    data, ids = tf.constant([1., 2., 3.]), tf.constant([0, 0, 2])
    assert tf.math.segment_sum(data, ids).numpy().tolist() == [3, 0, 3]         # TF
    assert tf.math.segment_mean(data, ids).numpy().tolist() == [1.5, 0, 3]      # TF
    assert tf.math.segment_max(data, ids).numpy().tolist() == [2, 0, 3]         # TF: empty -> 0
    assert tf.math.segment_min(data, ids).numpy().tolist() == [1, 0, 3]
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids are not increasing"):
        tf.math.segment_sum(data, tf.constant([1, 0, 2]))


def test_unsorted_segments_match_tensorflow():
    data, ids = tf.constant([1., 2., 3.]), tf.constant([2, 0, 2])
    assert tf.math.unsorted_segment_sum(data, ids, 4).numpy().tolist() == [2, 0, 4, 0]        # TF
    assert tf.math.unsorted_segment_mean(data, ids, 4).numpy().tolist() == [2, 0, 2, 0]       # TF
    lowest = np.finfo(np.float32).min
    assert tf.math.unsorted_segment_max(data, ids, 4).numpy().tolist() == [2, lowest, 3, lowest]  # TF
    rows = tf.math.unsorted_segment_sum(tf.constant([[1, 2], [3, 4], [5, 6]]), tf.constant([1, -1, 1]), 2)
    assert rows.numpy().tolist() == [[0, 0], [6, 8]] and rows.dtype == tf.int32    # a negative id is dropped
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.math.unsorted_segment_sum(data, tf.constant([0, 5, 1]), 3)


@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min"])
@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, extra=st.integers(0, 4), cols=st.integers(1, 3), segments=st.integers(1, 4))
def test_segment_gradients_match_central_differences(reduction, seed, extra, cols, segments):
    rng = np.random.default_rng(seed)
    rows = segments + extra
    data = rng.permutation(rows * cols).reshape(rows, cols) / (rows * cols) + rng.uniform(0, 1e-3)  # no ties
    # every segment non-empty (an empty max is the dtype's lowest value), some rows dropped (id -1)
    ids = rng.permutation(np.concatenate([np.arange(segments), rng.integers(-1, segments, size=extra)]))
    fn = getattr(tf.math, f"unsorted_segment_{reduction}")
    report = check_gradients(lambda d: fn(d, tf.constant(ids), segments), data)
    assert report.max_error < 1e-6, str(report)


def test_segment_max_shares_the_gradient_among_ties_as_tensorflow():
    data = tf.constant([3.0, 3.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch(data)
        y = tf.math.segment_max(data, tf.constant([0, 0, 0]))
    assert tape.gradient(y, data).numpy().tolist() == [0.5, 0.5, 0.0]


def test_cumprod_matches_tensorflow():
    x = tf.constant([1., 2., 3., 4.])
    assert tf.math.cumprod(x).numpy().tolist() == [1, 2, 6, 24]
    assert tf.math.cumprod(x, exclusive=True).numpy().tolist() == [1, 1, 2, 6]           # TF
    assert tf.math.cumprod(x, reverse=True).numpy().tolist() == [24, 24, 12, 4]          # TF
    assert tf.math.cumprod(x, exclusive=True, reverse=True).numpy().tolist() == [24, 12, 4, 1]
    ints = tf.math.cumprod(tf.constant([1, 2, 3]))
    assert ints.dtype == tf.int32 and ints.numpy().tolist() == [1, 2, 6]


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@settings(max_examples=8, deadline=None)
@given(seed=SEEDS, n=st.integers(1, 6), axis=st.integers(0, 1), with_zero=st.booleans())
def test_cumprod_gradients_are_exact_also_at_zeros(exclusive, reverse, seed, n, axis, with_zero):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, size=(n, 3)) * rng.choice([-1, 1], size=(n, 3))
    if with_zero:
        x[rng.integers(n), rng.integers(3)] = 0.0   # TensorFlow's formula divides by this zero
    report = check_gradients(lambda a: tf.math.cumprod(a, axis=axis, exclusive=exclusive, reverse=reverse), x)
    assert report.max_error < 1e-6, str(report)


def test_segment_reduction_by_hand():
    op = ops.SegmentReduction(2, "sum")
    np.testing.assert_array_equal(op.forward(np.array([1.0, 2.0, 4.0]), np.array([1, 0, 1])), [2.0, 5.0])
    d, dids = op.backward(np.array([10.0, 20.0]))
    assert dids is None and d.tolist() == [20.0, 10.0, 20.0]
