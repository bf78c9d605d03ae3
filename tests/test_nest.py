"""``chainrule.nest``: tf.nest's rules for lists, tuples, namedtuples and dicts."""
import collections

import numpy as np
import pytest

from chainrule import nest

Point = collections.namedtuple("Point", "x y")


def test_flatten_visits_dicts_in_sorted_key_order_like_tf_nest():
    assert nest.flatten({"b": [1, 2], "a": 3}) == [3, 1, 2]
    assert nest.flatten({"b": 1, "a": 2}) == nest.flatten({"a": 2, "b": 1})
    assert nest.flatten({"b": [1, 2], "a": 3}, sort_dicts=False) == [1, 2, 3]


def test_leaves_are_everything_but_lists_tuples_and_dicts():
    arr = np.zeros(3)
    assert nest.flatten(arr)[0] is arr
    assert nest.flatten("text") == ["text"]
    assert nest.flatten(None) == [None]
    assert nest.flatten([]) == [] and nest.flatten({}) == []
    assert nest.is_nested([1]) and nest.is_nested(Point(1, 2)) and not nest.is_nested(arr)


def test_pack_sequence_as_keeps_types_and_the_dict_key_order():
    structure = {"b": (0, [0, Point(0, 0)]), "a": 0}
    packed = nest.pack_sequence_as(structure, [1, 2, 3, 4, 5])
    assert packed == {"b": (2, [3, Point(4, 5)]), "a": 1}
    assert list(packed) == ["b", "a"] and type(packed["b"][1][1]) is Point
    assert nest.pack_sequence_as(7, ["leaf"]) == "leaf"
    with pytest.raises(ValueError, match="3 leaves but 2 values"):
        nest.pack_sequence_as([0, [0, 0]], [1, 2])


def test_map_structure_over_one_or_several_structures():
    assert nest.map_structure(lambda v: v * 10, (1, [2, {"k": 3}])) == (10, [20, {"k": 30}])
    assert nest.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert nest.map_structure(str, 5) == "5"
    with pytest.raises(ValueError, match="same nesting"):
        nest.map_structure(lambda a, b: a, [1, 2], [1])


def test_deep_nesting_needs_no_recursion():
    deep = 0
    for _ in range(20000):
        deep = [deep]
    assert nest.flatten(deep) == [0]
    assert nest.flatten(nest.map_structure(lambda v: v + 1, deep)) == [1]
