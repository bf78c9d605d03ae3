"""tf.data in full for in-memory data and local files. Expected values and reprs are what tensorflow-cpu 2.21
printed for the same pipelines (TensorFlow prints `tf.int64` where chainrule prints `chainrule.int64`)."""
import collections
import sys

import numpy as np
import pytest

import chainrule as tf

D = tf.data.Dataset


def lists(ds):
    return [v.tolist() if isinstance(v, np.ndarray) else v for v in ds.as_numpy_iterator()]


def test_reprs_and_element_specs_as_tensorflow():
    ds = D.from_tensor_slices([8, 3, 0, 8, 2, 1])
    assert repr(ds) == "<_TensorSliceDataset element_spec=TensorSpec(shape=(), dtype=chainrule.int32, name=None)>"
    assert int(ds.reduce(0, lambda s, v: s + v)) == 22
    assert repr(D.from_tensor_slices(np.zeros((4, 10), np.float32)).element_spec) == \
        "TensorSpec(shape=(10,), dtype=chainrule.float32, name=None)"
    d2 = D.from_tensor_slices((np.zeros(4, np.float32), np.zeros((4, 100), np.int32)))
    assert [s.shape for s in d2.element_spec] == [(), (100,)]
    z = D.zip((D.range(3), d2))
    assert repr(z).startswith("<_ZipDataset element_spec=(TensorSpec(shape=(), dtype=chainrule.int64")
    assert repr(D.range(5).batch(2)) == \
        "<_BatchDataset element_spec=TensorSpec(shape=(None,), dtype=chainrule.int64, name=None)>"
    assert D.range(5).batch(2, drop_remainder=True).element_spec.shape == (2,)
    assert repr(D.range(5).map(lambda x: (x, x * 2)).element_spec) == \
        "(TensorSpec(shape=(), dtype=chainrule.int64, name=None), TensorSpec(shape=(), dtype=chainrule.int64, " \
        "name=None))"
    assert D.from_tensors([1, 2]).element_spec.shape == (2,)
    assert D.from_tensors({"a": 1.0}).element_spec["a"].dtype == tf.float32
    names = [repr(d).split(" ")[0] for d in (D.range(5).shuffle(3), D.range(5).repeat(), D.range(5).take(2),
                                             D.range(5).skip(2), D.range(5).filter(lambda x: x > 1),
                                             D.range(5).prefetch(1), D.range(5).cache())]
    assert names == ["<_ShuffleDataset", "<_RepeatDataset", "<_TakeDataset", "<_SkipDataset", "<_FilterDataset",
                     "<_PrefetchDataset", "<CacheDataset"]
    # a batch dimension that varies upstream stays None through map
    assert D.range(3).batch(2).map(lambda x: x * 2).element_spec.shape == [None]
    assert D.from_tensor_slices(np.zeros((4, 3))).batch(2).map(lambda x: tf.reduce_sum(x, axis=1)).element_spec \
        .shape == [None]
    assert D.range(3).map(lambda x: tf.strings.as_string(x)).element_spec.dtype == tf.string


def test_element_spec_does_not_disturb_a_seeded_shuffle():
    a = D.range(10).shuffle(10, seed=4).map(lambda x: x + 1)
    b = D.range(10).shuffle(10, seed=4).map(lambda x: x + 1)
    _ = a.element_spec, repr(a)
    assert lists(a) == lists(b)


def test_padded_batch_as_the_data_guide():
    ds = D.range(100).map(lambda x: tf.fill([tf.cast(x, tf.int32)], x)).padded_batch(4, padded_shapes=(None,))
    batches = [b.numpy().tolist() for b in ds.take(2)]
    assert batches == [[[0, 0, 0], [1, 0, 0], [2, 2, 0], [3, 3, 3]],
                       [[4, 4, 4, 4, 0, 0, 0], [5, 5, 5, 5, 5, 0, 0], [6, 6, 6, 6, 6, 6, 0],
                        [7, 7, 7, 7, 7, 7, 7]]]                                                         # TF
    assert ds.element_spec.shape == [None, None]                                                       # TF
    fixed = D.range(6).batch(4).padded_batch(2, padded_shapes=[5], padding_values=tf.constant(-1, tf.int64))
    assert lists(fixed) == [[[0, 1, 2, 3, -1], [4, 5, -1, -1, -1]]]                                    # TF
    assert fixed.element_spec.shape == [None, 5]                                                       # TF
    pairs = D.from_tensor_slices(([1, 2], [[1, 0], [2, 3]])).map(lambda a, b: (a, b[:a])).padded_batch(2)
    assert [p.tolist() for p in next(pairs.as_numpy_iterator())] == [[1, 2], [[1, 0], [2, 3]]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with different shapes"):
        lists(D.range(3).map(lambda x: tf.fill([tf.cast(x, tf.int32)], x)).batch(3))


def test_unbatch_window_flat_map_interleave():
    assert lists(D.range(1, 6).batch(2).unbatch()) == [1, 2, 3, 4, 5]
    assert D.range(6).batch(2).unbatch().element_spec.shape == []
    assert lists(D.range(10).window(3, shift=2, drop_remainder=True).flat_map(lambda w: w.batch(3))) == \
        [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6, 7, 8]]                                                  # TF
    windows = list(D.range(7).window(3).take(2))
    assert [lists(w) for w in windows] == [[0, 1, 2], [3, 4, 5]]                                       # TF
    assert repr(D.range(7).window(3).element_spec).startswith("DatasetSpec(TensorSpec(shape=(), ")
    assert lists(D.range(7).window(3, shift=1, stride=2).flat_map(lambda w: w.batch(3, drop_remainder=True))) == \
        [[0, 2, 4], [1, 3, 5], [2, 4, 6]]                                                             # TF
    a, b = next(iter(D.zip((D.range(4), D.range(4))).window(2)))
    assert lists(a) == [0, 1] and lists(b) == [0, 1]                                                   # TF
    assert lists(D.range(1, 4).flat_map(lambda x: D.from_tensors(x).repeat(x))) == [1, 2, 2, 3, 3, 3]  # TF
    assert lists(D.range(1, 6).interleave(lambda x: D.from_tensors(x).repeat(6), cycle_length=2,
                                          block_length=4)) == \
        [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5]    # TF
    assert lists(D.range(1, 4).interleave(lambda x: D.range(x), cycle_length=2)) == [0, 0, 1, 0, 1, 2]  # TF
    assert int(D.range(10).window(3).cardinality()) == 4                                               # TF
    assert int(D.range(3).flat_map(lambda x: D.range(x)).cardinality()) == -2                         # TF


def test_enumerate_shard_concatenate_scan_rebatch_apply_take_while_unique():
    assert lists(D.range(5).enumerate(start=10)) == [(10, 0), (11, 1), (12, 2), (13, 3), (14, 4)]       # TF
    assert lists(D.range(10).shard(3, 1)) == [1, 4, 7] and int(D.range(10).shard(3, 1).cardinality()) == 3
    assert lists(D.range(3).concatenate(D.range(5, 7))) == [0, 1, 2, 5, 6]                              # TF
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        D.range(3).concatenate(D.from_tensor_slices([1.0]))
    assert lists(D.range(5).scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * 10))) == [0, 0, 10, 30, 60]
    assert lists(D.range(8).batch(3).rebatch(2)) == [[0, 1], [2, 3], [4, 5], [6, 7]]                    # TF
    assert lists(D.range(8).batch(4).rebatch([1, 3])) == [[0], [1, 2, 3], [4], [5, 6, 7]]               # TF
    assert lists(D.range(5).apply(lambda d: d.map(lambda x: x + 1))) == [1, 2, 3, 4, 5]
    assert lists(D.range(10).take_while(lambda x: x < 3)) == [0, 1, 2]
    assert lists(D.from_tensor_slices([1, 2, 1]).unique()) == [1, 2]
    assert int(D.from_tensors(3).get_single_element()) == 3
    assert int(D.range(10).repeat(2).cardinality()) == 20 and int(D.range(10).take(-1).cardinality()) == 10


def test_reduce_passes_the_element_whole_and_map_unpacks_tuples():
    ds = D.from_tensor_slices((np.array([1, 0, 1, 1]), np.arange(4)))

    def count(counts, batch):
        _, labels = batch                    # the data guide's reduce_func takes the element as one argument
        counts["class_1"] += tf.reduce_sum(tf.cast(labels > 1, tf.int32))
        return counts

    assert int(ds.batch(2).reduce({"class_1": 0}, count)["class_1"]) == 2
    assert lists(ds.map(lambda a, b: a + b)) == [1, 1, 3, 4]
    assert lists(D.range(3).map(lambda x: {"v": x, "w": tf.cast(x, tf.float32)}).batch(2))[1]["v"].tolist() == [2]


def test_options():
    o = tf.data.Options()
    o.deterministic = False
    o.threading.private_threadpool_size = 4
    d = D.range(3).with_options(o)
    assert d.options().deterministic is False and d.options().threading.private_threadpool_size == 4   # TF
    assert D.range(3).options().deterministic is None and d.map(lambda x: x).options().deterministic is False
    o.experimental_deterministic = True
    assert o.deterministic is True
    with pytest.raises(AttributeError, match="Cannot set the property not_an_option on Options."):      # TF
        o.not_an_option = 1


def test_dicts_strings_and_numpy_iteration():
    assert lists(D.from_tensor_slices({"a": [1, 2], "b": [3., 4.]})) == [{"a": 1, "b": 3.0}, {"a": 2, "b": 4.0}]
    assert lists(D.from_tensor_slices(["a", "bc"])) == [b"a", b"bc"]                                   # TF
    element = next(iter(D.from_tensor_slices([1, 2])))
    assert isinstance(element, tf.Tensor) and element.dtype == tf.int32


def test_from_generator_with_types_shapes_and_signatures():
    def count(stop):
        i = 0
        while i < stop:
            yield i
            i += 1

    g = D.from_generator(count, args=[25], output_types=tf.int32, output_shapes=())
    assert repr(g) == "<_FlatMapDataset element_spec=TensorSpec(shape=(), dtype=chainrule.int32, name=None)>"
    assert int(g.cardinality()) == -2                                                                  # TF
    assert [b.numpy().tolist() for b in g.repeat().batch(10).take(3)][2] == [20, 21, 22, 23, 24, 0, 1, 2, 3, 4]
    g2 = D.from_generator(lambda: iter([(1, [1.0, 2.0])]),
                          output_signature=(tf.TensorSpec((), tf.int32), tf.TensorSpec((None,), tf.float32)))
    assert [s.shape for s in g2.element_spec] == [(), [None]]
    (a, b), = lists(g2)
    assert a == 1 and b.dtype == np.float32
    assert repr(D.from_generator(lambda: iter([1, 2]), output_types=tf.int64).element_spec) == \
        "TensorSpec(shape=<unknown>, dtype=chainrule.int64, name=None)"                                # TF
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"`generator` yielded an element of shape \(2,\) where an element of shape \(3,\)"):
        lists(D.from_generator(lambda: iter([[1, 2]]), output_signature=tf.TensorSpec((3,), tf.int32)))
    with pytest.raises(TypeError, match="did not match the expected structure"):
        lists(D.from_generator(lambda: iter([1]), output_signature=(tf.TensorSpec((), tf.int32),) * 2))
    calls = []
    plain = D.from_generator(lambda: (calls.append(1) or iter([1, 2])), output_types=tf.int32)
    _ = plain.element_spec, lists(plain), lists(plain)
    assert len(calls) == 2          # one call per pass; the spec came from the types


def test_text_lines_and_list_files(tmp_path):
    (tmp_path / "f1.txt").write_bytes(b"a\nbb\r\nccc")
    (tmp_path / "f2.txt").write_bytes(b"x1\nx2\n")
    paths = [str(tmp_path / "f1.txt"), str(tmp_path / "f2.txt")]
    tl = tf.data.TextLineDataset(paths)
    assert repr(tl) == "<TextLineDatasetV2 element_spec=TensorSpec(shape=(), dtype=chainrule.string, name=None)>"
    assert lists(tl) == [b"a", b"bb", b"ccc", b"x1", b"x2"]                                            # TF
    files = D.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert lists(files) == [p.encode() for p in paths]
    shuffled = D.list_files(str(tmp_path / "*.txt"), seed=1)
    assert sorted(lists(shuffled)) == [p.encode() for p in paths]
    lines = D.from_tensor_slices(paths).interleave(tf.data.TextLineDataset, cycle_length=2)
    assert lists(lines) == [b"a", b"x1", b"bb", b"x2", b"ccc"]
    nothing = D.list_files(str(tmp_path / "*.nothing"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        lists(nothing)


def test_csv_datasets(tmp_path):
    path = tmp_path / "missing.csv"
    path.write_text("1,2,3,4\n,2,3,4\n1,,3,4\n1,2,,4\n1,2,3,\n,,,\n")
    ds = tf.data.experimental.CsvDataset(str(path), [999, 999, 999, 999]).map(lambda *items: tf.stack(items))
    assert lists(ds) == [[1, 2, 3, 4], [999, 2, 3, 4], [1, 999, 3, 4], [1, 2, 999, 4], [1, 2, 3, 999],
                         [999, 999, 999, 999]]                                                          # the data guide
    picked = tf.data.experimental.CsvDataset(str(path), [999, 999], select_cols=[1, 3])
    assert lists(picked.map(lambda *items: tf.stack(items)))[:2] == [[2, 4], [2, 4]]
    table = tmp_path / "t.csv"
    table.write_text("survived,sex,age,fare\n0,male,22,7.25\n1,female,38,71.28\n1,female,26,7.92\n")
    batches = tf.data.experimental.make_csv_dataset(str(table), batch_size=2, label_name="survived",
                                                    shuffle=False, num_epochs=1)
    features, label = next(iter(batches))
    assert isinstance(features, collections.OrderedDict) and list(features) == ["sex", "age", "fare"]
    assert label.dtype == tf.int32 and label.numpy().tolist() == [0, 1]
    assert features["age"].dtype == tf.int32 and features["fare"].dtype == tf.float32
    assert features["sex"].numpy().tolist() == [b"male", b"female"]


def test_constants_cardinality_and_iterators():
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE == -1                                     # TF
    assert (tf.data.INFINITE_CARDINALITY, tf.data.UNKNOWN_CARDINALITY) == (-1, -2)
    assert int(tf.data.experimental.cardinality(D.range(4))) == 4 and len(D.range(3)) == 3
    with pytest.raises(TypeError, match="infinite"):
        len(D.range(3).repeat())
    it = iter(D.range(3))
    assert int(next(it)) == 0 and int(it.get_next()) == 1 and type(it).__name__ == "OwnedIterator"     # TF
    assert it.element_spec.dtype == tf.int64
    next(it)
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    assert lists(tf.data.experimental.Counter().take(3)) == [0, 1, 2]
    assert lists(D.counter(5, 2).take(2)) == [5, 7]
    chosen = D.choose_from_datasets([D.from_tensors("a").repeat(), D.from_tensors("b").repeat()],
                                    D.from_tensor_slices(np.array([0, 1, 1, 0], dtype=np.int64)))
    assert lists(chosen) == [b"a", b"b", b"b", b"a"]
    sampled = lists(D.sample_from_datasets([D.range(0, 100), D.range(100, 200)], [0.5, 0.5], seed=1).take(50))
    assert 10 < sum(v < 100 for v in sampled) < 40


def test_an_iterator_advanced_inside_a_traced_function_gives_the_next_element_each_call(capsys):
    @tf.function
    def good_consume_next(iterator):
        tf.print("Value:", next(iterator), output_stream=sys.stdout)

    iterator = iter(D.from_tensor_slices([1, 2, 3]))
    for _ in range(3):
        good_consume_next(iterator)
    assert capsys.readouterr().out.splitlines() == ["Value: 1", "Value: 2", "Value: 3"]                  # TF
