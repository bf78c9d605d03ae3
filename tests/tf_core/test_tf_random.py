"""tf.random's draws and TensorFlow's own initializer objects (behaviour printed by tensorflow-cpu 2.21)."""
import numpy as np
import pytest

import chainrule as tf


def test_initializer_objects_shapes_dtypes_and_configs():
    init = tf.random_normal_initializer(mean=1.0, stddev=0.5, seed=3)
    assert type(init).__name__ == "RandomNormal" and init.get_config() == {"mean": 1.0, "stddev": 0.5, "seed": 3}
    v = init(shape=[2, 3])
    assert v.dtype == tf.float32 and v.shape == (2, 3)
    with pytest.raises(ValueError, match="Argument `dtype` is expected to be floating point"):
        init([2], dtype=tf.int32)
    np.testing.assert_array_equal(tf.random_normal_initializer(seed=1)([3]).numpy(),
                                  tf.random_normal_initializer(seed=1)([3]).numpy())   # TF: a seed repeats
    assert tf.random_uniform_initializer().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert tf.random_uniform_initializer(0, 5)([3], dtype=tf.int32).dtype == tf.int32
    u = tf.random_uniform_initializer(-1.0, 1.0)([1000]).numpy()
    assert u.min() >= -1.0 and u.max() < 1.0 and abs(u.mean()) < 0.1
    z = tf.zeros_initializer()([2], dtype=tf.int32)
    assert z.dtype == tf.int32 and z.numpy().tolist() == [0, 0] and tf.zeros_initializer().get_config() == {}
    assert tf.ones_initializer()([2]).numpy().tolist() == [1.0, 1.0]
    c = tf.constant_initializer([1, 2, 3, 4])([2, 2])
    assert c.dtype == tf.int32 and c.numpy().tolist() == [[1, 2], [3, 4]]                  # TF: the value's dtype
    assert tf.constant_initializer(5)([2]).numpy().tolist() == [5, 5]
    assert tf.constant_initializer(5)([2], dtype=tf.float32).dtype == tf.float32
    with pytest.raises(TypeError, match="has 3 elements, but got `shape` \\(2, 2\\) with 4 elements"):
        tf.constant_initializer([1, 2, 3])([2, 2])
    again = tf.random_normal_initializer.from_config({"mean": 0.0, "stddev": 1.0, "seed": None})
    assert again.get_config() == {"mean": 0.0, "stddev": 1.0, "seed": None}


def test_initializers_fill_variables_as_the_guides_do():
    tf.random.set_seed(0)
    w = tf.Variable(tf.random_normal_initializer(stddev=0.1)(shape=[784, 10]))
    assert w.shape == (784, 10) and 0.08 < float(tf.math.reduce_std(w)) < 0.12


def test_stateless_draws_depend_only_on_the_seed():
    a = tf.random.stateless_normal([2], seed=[1, 2])
    tf.random.normal([5])  # the global generator moves; stateless draws do not care
    assert a.numpy().tolist() == tf.random.stateless_normal([2], seed=[1, 2]).numpy().tolist()
    assert a.numpy().tolist() != tf.random.stateless_normal([2], seed=[1, 3]).numpy().tolist()
    i = tf.random.stateless_uniform([50], seed=[1, 2], minval=0, maxval=10, dtype=tf.int32)
    assert i.dtype == tf.int32 and 0 <= i.numpy().min() and i.numpy().max() < 10
    with pytest.raises(ValueError, match="must be both None or not None"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)
    t = tf.random.stateless_truncated_normal([1000], seed=[4, 5])
    assert np.abs(t.numpy()).max() <= 2.0


def test_categorical_gamma_poisson_shapes_dtypes_and_frequencies():
    tf.random.set_seed(1)
    draws = tf.random.categorical(tf.math.log([[0.2, 0.8], [1.0, 0.0]]), 4000)
    assert draws.dtype == tf.int64 and draws.shape == (2, 4000)
    assert abs(draws.numpy()[0].mean() - 0.8) < 0.03 and draws.numpy()[1].max() == 0   # log(0) = -inf: never drawn
    s = tf.random.stateless_categorical(tf.math.log([[0.5, 0.5]]), 5, seed=[1, 2])
    assert s.dtype == tf.int64 and s.numpy().tolist() == \
        tf.random.stateless_categorical(tf.math.log([[0.5, 0.5]]), 5, seed=[1, 2]).numpy().tolist()
    g = tf.random.gamma([2], alpha=[1., 2.])
    assert g.shape == (2, 2) and g.dtype == tf.float32
    p = tf.random.poisson([3], lam=[1., 2.])
    assert p.shape == (3, 2) and p.dtype == tf.float32
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random.uniform([2], dtype=tf.int32)


def test_stateless_draws_are_tensorflows_numbers():
    # Printed by tensorflow-cpu 2.21 (Philox4x32-10; see chainrule/_philox.py)
    np.testing.assert_array_equal(tf.random.stateless_uniform([3], seed=(1, 2)).numpy(),
                                  np.float32([0.8440604, 0.19204533, 0.9962232]))
    np.testing.assert_array_equal(tf.random.stateless_uniform([3], seed=(1, 2), minval=3, maxval=1000,
                                                              dtype=tf.int32).numpy(), [91, 698, 212])
    np.testing.assert_array_equal(tf.random.stateless_uniform([3], seed=(1, 2), minval=3, maxval=1000,
                                                              dtype=tf.int64).numpy(), [480, 688, 894])
    np.testing.assert_array_equal(
        tf.random.stateless_uniform([2], seed=(1, 2), minval=None, maxval=None, dtype=tf.int64).numpy(),
        [7464880146280614444, 1591045637757961278])
    np.testing.assert_allclose(tf.random.stateless_normal([4], seed=(1, 2)).numpy(),
                               [0.544110119342804, 0.20738030970096588, 0.0735643208026886, 0.04643455147743225],
                               rtol=3e-7)
    assert tf.random.split((1, 2), 2).numpy().tolist() == [[1105988140, 1738052849], [-335576002, 370444179]]
    assert tf.random.split((1, 2), 2).dtype == tf.int32  # the seed's dtype
    assert tf.random.fold_in((1, 2), 7).numpy().tolist() == [1105988140, 7]


def test_a_philox_generator_from_a_seed_gives_tensorflows_numbers_and_moves_its_counter_as_tensorflow():
    g = tf.random.Generator.from_seed(123, alg="philox")
    assert g.make_seeds(2).numpy().tolist() == [[5919633356954535739, -951714271365450276], [0, 0]]
    assert g.make_seeds(1).numpy().tolist() == [[-453839084984763860], [0]]
    np.testing.assert_array_equal(g.uniform([3]).numpy(), np.float32([0.43568718, 0.6541858, 0.9972402]))
    assert tf.random.Generator.from_seed(-3).uniform([2]).shape == (2,)  # a negative seed is accepted
