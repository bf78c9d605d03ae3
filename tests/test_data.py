"""chainrule.data.Dataset semantics: order, shuffling, batching, repeat, map/filter, fit integration."""
import numpy as np
import pytest

import chainrule as tf
from chainrule.data import Dataset


def test_from_tensor_slices_tuple_dict_and_batching():
    x, y = np.arange(10), np.arange(10) * 10
    batches = list(Dataset.from_tensor_slices((x, y)).batch(4).as_numpy_iterator())
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b[1].tolist() for b in batches][2] == [80, 90]
    assert len(list(Dataset.from_tensor_slices((x, y)).batch(4, drop_remainder=True))) == 2
    d = next(iter(Dataset.from_tensor_slices({"a": x, "b": y}).batch(3)))
    assert set(d) == {"a", "b"} and isinstance(d["a"], tf.Tensor)


def test_iteration_yields_tensors_and_seed_loop_works():
    x = np.random.default_rng(0).random((100, 3)).astype("float32")
    y = np.arange(100)
    train = Dataset.from_tensor_slices((x, y)).repeat().shuffle(50).batch(8).prefetch(1)
    steps = 0
    for step, (bx, _by) in enumerate(train.take(30), 1):
        assert isinstance(bx, tf.Tensor) and bx.shape == (8, 3)
        steps = step
    assert steps == 30


def test_shuffle_with_seed_repeats_and_reshuffles_each_iteration():
    ds = Dataset.range(20).shuffle(20, seed=3)
    first, second = list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())
    assert sorted(first) == list(range(20)) and first != list(range(20))
    assert first != second  # reshuffle_each_iteration=True
    again = Dataset.range(20).shuffle(20, seed=3)
    assert list(again.as_numpy_iterator()) == first  # same seed, same sequence of orders
    fixed = Dataset.range(20).shuffle(20, seed=3, reshuffle_each_iteration=False)
    assert list(fixed.as_numpy_iterator()) == list(fixed.as_numpy_iterator())


def test_small_buffer_shuffle_is_local():
    order = list(Dataset.range(100).shuffle(5, seed=1).as_numpy_iterator())
    assert sorted(order) == list(range(100))
    # With a buffer of 5, element i cannot come out before position i - 4.
    assert all(pos >= value - 4 for pos, value in enumerate(order))


def test_repeat_take_skip_cardinality():
    ds = Dataset.range(5)
    assert list(ds.repeat(2).as_numpy_iterator()) == [0, 1, 2, 3, 4] * 2
    assert list(ds.skip(2).take(2).as_numpy_iterator()) == [2, 3]
    assert int(ds.cardinality()) == 5 and int(ds.repeat().cardinality()) == -1
    assert int(ds.batch(2).cardinality()) == 3 and int(ds.batch(2, drop_remainder=True).cardinality()) == 2
    assert int(ds.filter(lambda v: v > 1).cardinality()) == -2


def test_map_filter_zip():
    ds = Dataset.range(6).map(lambda v: v * 2).filter(lambda v: v % 4 == 0)
    assert list(ds.as_numpy_iterator()) == [0, 4, 8]
    pairs = Dataset.zip((Dataset.range(3), Dataset.range(10, 13)))
    assert [tuple(map(int, p)) for p in pairs.as_numpy_iterator()] == [(0, 10), (1, 11), (2, 12)]
    tup = Dataset.from_tensor_slices((np.arange(3), np.arange(3))).map(lambda a, b: a + b)
    assert list(tup.as_numpy_iterator()) == [0, 2, 4]


def test_prefetch_propagates_errors():
    def bad(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        list(Dataset.range(3).map(bad).prefetch(2))


def test_repeat_of_a_large_array_does_not_copy_it():
    import tracemalloc
    x = np.zeros((20000, 100), dtype="float32")  # 8 MB
    ds = Dataset.from_tensor_slices(x).repeat(5).batch(1000)
    tracemalloc.start()
    for _ in ds.as_numpy_iterator():
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000  # batches are views/gathers of 400 KB, never a copy of the 8 MB array


def test_fit_evaluate_predict_accept_batched_datasets():
    from chainrule import keras
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    ds = Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16)
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    loss, acc = model.evaluate(Dataset.from_tensor_slices((x, y)).batch(16), verbose=0)
    assert acc > 0.9
    assert model.predict(Dataset.from_tensor_slices(x).batch(10), verbose=0).shape == (64, 1)


def test_zip_takes_nested_structures_of_datasets_as_tf_data():
    # The data augmentation tutorial: Dataset.zip((train_ds, (counter, counter))) gives (x, (i, i))
    zipped = Dataset.zip((Dataset.range(3), (tf.data.experimental.Counter(), tf.data.experimental.Counter())))
    assert [(int(a), (int(b), int(c))) for a, (b, c) in zipped] == [(0, (0, 0)), (1, (1, 1)), (2, (2, 2))]
    assert isinstance(zipped.element_spec[1], tuple) and len(zipped.element_spec[1]) == 2
    keyed = Dataset.zip({"x": Dataset.range(2), "y": (Dataset.range(2), Dataset.range(5))})
    assert [{k: (v if k == "x" else tuple(v)) for k, v in e.items()} for e in keyed.as_numpy_iterator()] == \
        [{"x": 0, "y": (0, 0)}, {"x": 1, "y": (1, 1)}]


def test_from_tensor_slices_of_pandas_text_gives_bytes_as_tensorflow():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"thal": pd.Series(["fixed", "normal"], dtype=object), "n": [1, 2]})
    first = next(iter(Dataset.from_tensor_slices(dict(frame))))
    assert repr(first["thal"]) == "<chainrule.Tensor: shape=(), dtype=string, numpy=b'fixed'>"
    assert first["n"].dtype == tf.int64
