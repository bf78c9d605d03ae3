"""TensorShape against TensorFlow 2.21's behaviour (values checked with tensorflow-cpu 2.21, noted inline)."""
import pickle

import pytest

import chainrule as tf


def test_partially_known_shape_prints_indexes_and_compares_like_tensorflow():
    s = tf.TensorShape([None, 3])
    assert repr(s) == "TensorShape([None, 3])" and str(s) == "(None, 3)"
    assert s == [None, 3] and s == (None, 3) and s != [None, 4]
    assert s.as_list() == [None, 3] and s.rank == 2 and s.ndims == 2 and len(s) == 2
    assert s[0] is None and s[1] == 3
    assert isinstance(s[0:1], tf.TensorShape) and s[0:1] == [None]
    assert s.num_elements() is None and not s.is_fully_defined()
    assert str(tf.TensorShape([7])) == "(7,)" and str(tf.TensorShape([])) == "()"


def test_unknown_rank():
    u = tf.TensorShape(None)
    assert repr(u) == "TensorShape(None)" and str(u) == "<unknown>"
    assert u.rank is None and u.ndims is None and u.num_elements() is None
    with pytest.raises(ValueError, match=r"as_list\(\) is not defined on an unknown TensorShape"):
        u.as_list()
    with pytest.raises(ValueError, match="Cannot take the length of shape with unknown rank"):
        len(u)
    assert u == tf.TensorShape(None) and not (u == [None])
    assert u.is_compatible_with([1, 2]) and u.concatenate([1]).rank is None
    assert bool(u) is False and bool(tf.TensorShape([])) is True   # TF: a scalar's shape is truthy


def test_compatibility_merge_and_concatenate():
    s = tf.TensorShape([None, 3])
    assert s.is_compatible_with([4, 3]) and not s.is_compatible_with([4, 2])
    assert not s.is_compatible_with([4, 3, 1])
    assert repr(s.merge_with([5, None])) == "TensorShape([5, 3])"
    with pytest.raises(ValueError, match=r"Shapes \(None, 3\) and \(5, 4\) are not compatible"):
        s.merge_with([5, 4])
    assert s.concatenate([7]) == [None, 3, 7] and tf.TensorShape([1, 2]) + [3] == [1, 2, 3]
    assert [3] + tf.TensorShape([1, 2]) == [3, 1, 2]
    assert s.concatenate(tf.TensorShape(None)).rank is None
    with pytest.raises(ValueError, match=r"Shapes \(None, 3\) and \[1, 2\] are incompatible"):
        s.assert_is_compatible_with([1, 2])
    with pytest.raises(ValueError, match=r"Shape \(2, 3\) must have rank 3"):
        tf.TensorShape([2, 3]).with_rank(3)
    assert s.most_specific_compatible_shape([4, 3]) == [None, 3]


def test_construction_from_ints_shapes_and_bad_values():
    assert tf.TensorShape(3) == [3] and tf.TensorShape(tf.TensorShape([1, 2])) == [1, 2]
    assert tf.TensorShape([2, 3]).num_elements() == 6
    with pytest.raises(TypeError, match="dimension must be an int or None"):
        tf.TensorShape([2.5])
    with pytest.raises(ValueError, match=">= 0"):
        tf.TensorShape([-2])
    assert hash(tf.TensorShape([1, 2])) == hash(tf.TensorShape([1, 2]))
    for shape in (tf.TensorShape([None, 3]), tf.TensorShape(None)):
        assert pickle.loads(pickle.dumps(shape)) == shape


def test_tensor_shape_is_a_tensorshape_tuple():
    t = tf.zeros([2, 3])
    assert isinstance(t.shape, tf.TensorShape) and t.shape == (2, 3) and t.shape == [2, 3]
    rows, cols = t.shape
    assert (rows, cols) == (2, 3)
