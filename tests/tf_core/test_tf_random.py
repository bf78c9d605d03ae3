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


def test_log_uniform_candidate_sampler_as_tensorflow():
    """tf.random.log_uniform_candidate_sampler (the word2vec tutorial's negative sampling): TensorFlow 2.21's
    shapes, dtypes, expected counts (P(k) = log((k + 2) / (k + 1)) / log(range_max + 1), times num_sampled when
    no draw was rejected) and errors; a seed repeats the stream from run to run, each call continuing it."""
    true = tf.constant([[1, 2], [3, 4]], dtype="int64")
    s = tf.random.log_uniform_candidate_sampler(true_classes=true, num_true=2, num_sampled=3, unique=False,
                                                range_max=50, seed=7)
    assert type(s).__name__ == "LogUniformCandidateSampler" and s.sampled_candidates.dtype == tf.int64
    assert s.sampled_candidates.shape == (3,) and s.sampled_expected_count.shape == (3,)
    assert s.true_expected_count.dtype == tf.float32 and s.sampled_expected_count.dtype == tf.float32
    # TensorFlow printed [[0.30937165 0.21950266] [0.1702595 0.13911213]] (3 draws, none rejected: P * 3)
    np.testing.assert_allclose(s.true_expected_count.numpy(), [[0.30937165, 0.21950266],
                                                               [0.1702595, 0.13911213]], rtol=1e-6)
    k = s.sampled_candidates.numpy()
    np.testing.assert_allclose(s.sampled_expected_count.numpy(), 3 * np.log((k + 2) / (k + 1)) / np.log(51),
                               rtol=1e-6)
    u = tf.random.log_uniform_candidate_sampler(tf.constant([[0]], dtype="int64"), 1, 3, True, 3, seed=7)
    assert sorted(u.sampled_candidates.numpy().tolist()) == [0, 1, 2]  # unique: rejections until all 3 differ
    p0 = np.log(2) / np.log(4)
    tries = np.log1p(-float(u.true_expected_count.numpy()[0, 0])) / np.log1p(-p0)  # 1 - (1 - p) ** tries
    assert abs(tries - round(tries)) < 1e-3 and round(tries) > 3

    def draws(seed):
        return [tf.random.log_uniform_candidate_sampler(tf.constant([[3]], dtype="int64"), 1, 4, True, 9,
                                                         seed=seed).sampled_candidates.numpy().tolist()
                for _ in range(3)]
    tf.random.set_seed(None)
    first = draws(42)
    assert first[0] != first[1] or first[1] != first[2]  # each call continues the stream
    tf.random.set_seed(None)
    assert draws(42) == first  # set_seed starts the streams over
    counts = np.bincount(np.concatenate([tf.random.log_uniform_candidate_sampler(
        tf.constant([[0]], dtype="int64"), 1, 1, False, 9).sampled_candidates.numpy() for _ in range(4000)]),
        minlength=9) / 4000
    np.testing.assert_allclose(counts, np.log((np.arange(9) + 2) / (np.arange(9) + 1)) / np.log(10), atol=0.03)
    many = tf.random.log_uniform_candidate_sampler(tf.constant([[3]], dtype="int64"), 1, 6, False, 4, seed=1)
    np.testing.assert_allclose(many.true_expected_count.numpy(), [[0.8318813]], rtol=1e-6)  # TensorFlow's
    with pytest.raises(tf.errors.InvalidArgumentError, match="Sampler's range is too small"):
        tf.random.log_uniform_candidate_sampler(tf.constant([[3]], dtype="int64"), 1, 5, True, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="true_classes must be a matrix"):
        tf.random.log_uniform_candidate_sampler(tf.constant([3], dtype="int64"), 1, 2, True, 9)
    with pytest.raises(tf.errors.InvalidArgumentError, match="was expected to be a int64 tensor but is a int32"):
        tf.random.log_uniform_candidate_sampler(tf.constant([[3]]), 1, 2, True, 9)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have num_true columns, expected: 2 was: 1"):
        tf.random.log_uniform_candidate_sampler(tf.constant([[3, 1]], dtype="int64"), 1, 2, True, 9)


@pytest.mark.parametrize("draw", [
    lambda: tf.random.uniform([4], seed=1), lambda: tf.random.uniform([4], 0, 9, dtype=tf.int32, seed=1),
    lambda: tf.random.normal([4], seed=1), lambda: tf.random.truncated_normal([4], seed=1),
    lambda: tf.random.shuffle(tf.range(8), seed=1), lambda: tf.random.categorical(tf.zeros([1, 5]), 6, seed=1),
    lambda: tf.random.gamma([4], 2.0, seed=1), lambda: tf.random.poisson([4], 3.0, seed=1),
    lambda: tf.image.random_brightness(tf.zeros([2, 2, 1]), 0.5, seed=1),
], ids=["uniform", "uniform-int", "normal", "truncated", "shuffle", "categorical", "gamma", "poisson", "brightness"])
def test_a_seeded_op_continues_its_stream_and_set_seed_starts_it_over(draw):
    """TensorFlow: two calls of tf.random.uniform([4], seed=1) differ (the seeded kernel keeps its state), the
    same program repeats them, and tf.random.set_seed restarts every stream."""
    tf.random.set_seed(3)
    first, second = draw().numpy(), draw().numpy()
    tf.random.set_seed(3)
    np.testing.assert_array_equal(draw().numpy(), first)
    np.testing.assert_array_equal(draw().numpy(), second)
    calls = [draw().numpy() for _ in range(6)]
    assert any(not np.array_equal(c, calls[0]) for c in calls)  # the stream moves on (small draws may repeat)


def test_seeded_initializers_repeat_as_tensorflows_stateless_ones():
    for make in (lambda: tf.random_normal_initializer(seed=1), lambda: tf.random_uniform_initializer(seed=1),
                 lambda: tf.keras.initializers.TruncatedNormal(seed=1)):
        init = make()
        np.testing.assert_array_equal(init([3]).numpy(), init([3]).numpy())
        np.testing.assert_array_equal(make()([3]).numpy(), init([3]).numpy())


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
