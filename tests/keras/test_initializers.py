"""chainrule.keras.initializers: tf.keras 2 formulas checked on large draws, seeding, dtypes, configs, names."""
import importlib
import json
import math
import random

import numpy as np
import pytest

import chainrule

initializers = importlib.import_module("chainrule.keras.initializers")

SHAPE = (1000, 600)            # fan_in 1000, fan_out 600: 600,000 draws, std known to ~0.1%
FAN_IN, FAN_OUT = SHAPE
TRUNC = 0.87962566103423978    # stddev of a standard normal truncated at +-2


@pytest.fixture
def restore_global_rng():
    """Tests that reseed the global Generator leave it as they found it."""
    state = chainrule.backend.get_rng_state()
    yield
    chainrule.backend.set_rng_state(state)


def draw(init, shape=SHAPE, dtype=None):
    out = init(shape) if dtype is None else init(shape, dtype=dtype)
    assert isinstance(out, chainrule.Tensor)
    assert tuple(out.shape) == tuple(shape)
    return out.numpy().astype(np.float64)


def assert_close(actual, expected, rel=0.02):
    assert abs(actual - expected) <= rel * abs(expected), f"{actual} is not within {rel:.0%} of {expected}"


# ----------------------------------------------------------------------------- fans

@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)), ((3, 3, 16, 32), (144, 288)), ((5, 4, 8), (20, 40)),
])
def test_compute_fans_follows_keras(shape, fans):
    assert initializers._compute_fans(shape) == fans


# ----------------------------------------------------------------------------- uniform variance scaling

@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("he_uniform", math.sqrt(6 / FAN_IN)),
    ("lecun_uniform", math.sqrt(3 / FAN_IN)),
])
def test_uniform_variance_scaling_bounds_and_std(name, limit):
    w = draw(initializers.get(name).__class__(seed=1))
    assert w.max() <= limit and w.min() >= -limit
    assert w.max() > 0.999 * limit and w.min() < -0.999 * limit   # the whole range is used
    assert_close(w.std(), limit / math.sqrt(3))
    assert abs(w.mean()) < 0.01 * limit


# ----------------------------------------------------------------------------- truncated normal variance scaling

@pytest.mark.parametrize("name, scale, n", [
    ("glorot_normal", 1.0, (FAN_IN + FAN_OUT) / 2),
    ("he_normal", 2.0, FAN_IN),
    ("lecun_normal", 1.0, FAN_IN),
])
def test_truncated_variance_scaling_std_and_truncation(name, scale, n):
    w = draw(initializers.get(name).__class__(seed=2))
    target = math.sqrt(scale / n)
    corrected = target / TRUNC
    assert_close(w.std(), target)                       # the correction restores the intended std
    assert np.abs(w).max() <= 2 * corrected * (1 + 1e-6)  # float32 rounding
    assert np.abs(w).max() > 0.99 * 2 * corrected       # truncated at 2 corrected stddevs, not earlier
    assert abs(w.mean()) < 0.01 * target


@pytest.mark.parametrize("mode, n", [("fan_in", FAN_IN), ("fan_out", FAN_OUT), ("fan_avg", (FAN_IN + FAN_OUT) / 2)])
def test_variance_scaling_modes(mode, n):
    w = draw(initializers.VarianceScaling(scale=3.0, mode=mode, distribution="truncated_normal", seed=3))
    assert_close(w.std(), math.sqrt(3.0 / n))


def test_variance_scaling_untruncated_normal():
    w = draw(initializers.VarianceScaling(scale=2.0, distribution="untruncated_normal", seed=4))
    target = math.sqrt(2.0 / FAN_IN)
    assert_close(w.std(), target)
    assert np.abs(w).max() > 3.5 * target   # not truncated


def test_variance_scaling_uniform_limit_and_conv_fans():
    shape = (3, 3, 64, 128)   # fan_in 576, fan_out 1152
    w = draw(initializers.VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform", seed=5), shape)
    limit = math.sqrt(3.0 / ((576 + 1152) / 2))
    assert w.max() <= limit and w.max() > 0.999 * limit
    assert_close(w.std(), limit / math.sqrt(3))


def test_variance_scaling_normal_means_truncated_normal():
    init = initializers.VarianceScaling(distribution="normal")
    assert init.distribution == "truncated_normal"
    assert initializers.VarianceScaling(distribution="Uniform").distribution == "uniform"


@pytest.mark.parametrize("kwargs, match", [
    (dict(scale=0.0), "scale"), (dict(scale=-1.0), "scale"), (dict(mode="fan_sum"), "mode"),
    (dict(distribution="cauchy"), "distribution"),
])
def test_variance_scaling_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initializers.VarianceScaling(**kwargs)


def test_presets_are_variance_scaling_with_keras_arguments():
    expected = {
        initializers.GlorotUniform: (1.0, "fan_avg", "uniform"),
        initializers.GlorotNormal: (1.0, "fan_avg", "truncated_normal"),
        initializers.HeNormal: (2.0, "fan_in", "truncated_normal"),
        initializers.HeUniform: (2.0, "fan_in", "uniform"),
        initializers.LecunNormal: (1.0, "fan_in", "truncated_normal"),
        initializers.LecunUniform: (1.0, "fan_in", "uniform"),
    }
    for cls, (scale, mode, distribution) in expected.items():
        init = cls()
        assert isinstance(init, initializers.VarianceScaling)
        assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
        assert init.get_config() == {"seed": None}


# ----------------------------------------------------------------------------- plain random initializers

def test_random_normal_defaults():
    w = draw(initializers.RandomNormal(seed=6))
    assert_close(w.std(), 0.05)
    assert abs(w.mean()) < 0.0005
    w = draw(initializers.RandomNormal(mean=1.0, stddev=0.5, seed=6))
    assert_close(w.std(), 0.5)
    assert_close(w.mean(), 1.0, rel=0.005)


def test_random_uniform_defaults():
    w = draw(initializers.RandomUniform(seed=7))
    assert w.min() >= -0.05 and w.max() <= 0.05
    assert w.min() < -0.0499 and w.max() > 0.0499
    assert_close(w.std(), 0.1 / math.sqrt(12))
    w = draw(initializers.RandomUniform(minval=2.0, maxval=3.0, seed=7))
    assert w.min() >= 2.0 and w.max() <= 3.0
    assert_close(w.mean(), 2.5, rel=0.005)


def test_random_uniform_integer_dtype():
    w = initializers.RandomUniform(minval=0, maxval=10, seed=1)((1000,), dtype="int32")
    assert w.dtype == chainrule.int32
    assert set(np.unique(w.numpy())) == set(range(10))


def test_truncated_normal_defaults():
    w = draw(initializers.TruncatedNormal(seed=8))
    assert np.abs(w).max() <= 0.1 * (1 + 1e-6)
    assert np.abs(w).max() > 0.099
    assert_close(w.std(), 0.05 * TRUNC)     # no correction: the std of the truncated draws
    w = draw(initializers.TruncatedNormal(mean=3.0, stddev=1.0, seed=8))
    assert w.min() >= 1.0 - 1e-6 and w.max() <= 5.0 + 1e-6


# ----------------------------------------------------------------------------- orthogonal, identity, constants

@pytest.mark.parametrize("shape", [(300, 200), (200, 300), (64, 64)])
def test_orthogonal_is_orthogonal(shape):
    w = initializers.Orthogonal(seed=9)(shape, dtype="float64").numpy()
    if shape[0] >= shape[1]:
        np.testing.assert_allclose(w.T @ w, np.eye(shape[1]), atol=1e-12)
    else:
        np.testing.assert_allclose(w @ w.T, np.eye(shape[0]), atol=1e-12)


def test_orthogonal_gain_and_nd_shape():
    w = initializers.Orthogonal(gain=2.0, seed=10)((50, 30)).numpy()
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(30), atol=1e-4)
    k = initializers.Orthogonal(seed=10)((3, 3, 16, 32)).numpy().reshape(-1, 32)
    np.testing.assert_allclose(k.T @ k, np.eye(32), atol=1e-5)


def test_orthogonal_needs_rank_two():
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((5,))


@pytest.mark.parametrize("shape", [(40, 30), (30, 40)])
def test_orthogonal_is_q_of_a_normal_matrix_with_sign_correction(shape):
    w = initializers.Orthogonal(seed=11)(shape, dtype="float64").numpy()
    a = np.random.default_rng(11).standard_normal((max(shape), min(shape)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    np.testing.assert_allclose(w, q if shape[0] >= shape[1] else q.T, atol=1e-14)


def test_identity():
    np.testing.assert_array_equal(initializers.Identity()((3, 3)).numpy(), np.eye(3))
    np.testing.assert_array_equal(initializers.Identity(gain=2.5)((2, 4)).numpy(), 2.5 * np.eye(2, 4))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_zeros_ones_constant():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()((4,)).numpy(), np.ones(4))
    np.testing.assert_array_equal(initializers.Constant(0.5)((2, 2)).numpy(), np.full((2, 2), 0.5))
    np.testing.assert_array_equal(initializers.Constant([1, 2, 3, 4])((2, 2)).numpy(), [[1, 2], [3, 4]])
    z = initializers.Zeros()((3,), dtype="int32")
    assert z.dtype == chainrule.int32
    assert initializers.Ones()((2,), dtype=chainrule.int64).dtype == chainrule.int64


# ----------------------------------------------------------------------------- dtypes

ALL_FLOAT_INITS = [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(0.3), initializers.RandomNormal(),
    initializers.RandomUniform(), initializers.TruncatedNormal(), initializers.VarianceScaling(),
    initializers.GlorotUniform(), initializers.GlorotNormal(), initializers.HeNormal(), initializers.HeUniform(),
    initializers.LecunNormal(), initializers.LecunUniform(), initializers.Orthogonal(), initializers.Identity(),
]


@pytest.mark.parametrize("init", ALL_FLOAT_INITS, ids=lambda i: type(i).__name__)
def test_dtype_default_float32_and_explicit_float64(init):
    assert init((4, 4)).dtype == chainrule.float32
    assert init((4, 4), dtype="float64").dtype == chainrule.float64
    assert init((4, 4), dtype=chainrule.float64).dtype == chainrule.float64
    assert init((4, 4), dtype=np.float16).dtype == chainrule.float16


def test_dtype_default_follows_floatx():
    chainrule.backend.set_floatx("float64")   # the conftest fixture restores float32
    assert initializers.GlorotUniform()((3, 3)).dtype == chainrule.float64


@pytest.mark.parametrize("init", [initializers.RandomNormal(), initializers.TruncatedNormal(),
                                  initializers.GlorotUniform(), initializers.Orthogonal(),
                                  initializers.Identity()], ids=lambda i: type(i).__name__)
def test_random_initializers_reject_integer_dtypes(init):
    with pytest.raises(ValueError, match="floating point"):
        init((3, 3), dtype="int32")


def test_draws_in_float64_then_casts():
    w32 = initializers.HeNormal(seed=12)((50, 40)).numpy()
    w64 = initializers.HeNormal(seed=12)((50, 40), dtype="float64").numpy()
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


def test_unknown_keyword_is_an_error():
    with pytest.raises(TypeError, match="Unknown keyword arguments"):
        initializers.Zeros()((2,), dtpe="float32")


def test_shape_may_be_a_list_or_tensorshape():
    assert tuple(initializers.Ones()([2, 3]).shape) == (2, 3)
    assert tuple(initializers.GlorotUniform()(chainrule.TensorShape((4, 5))).shape) == (4, 5)


# ----------------------------------------------------------------------------- seeding

SEEDABLE = [initializers.RandomNormal, initializers.RandomUniform, initializers.TruncatedNormal,
            initializers.VarianceScaling, initializers.GlorotUniform, initializers.GlorotNormal,
            initializers.HeNormal, initializers.HeUniform, initializers.LecunNormal, initializers.LecunUniform,
            initializers.Orthogonal]


@pytest.mark.parametrize("cls", SEEDABLE, ids=lambda c: c.__name__)
def test_seeded_initializer_repeats(cls):
    a = cls(seed=42)((20, 10)).numpy()
    np.testing.assert_array_equal(a, cls(seed=42)((20, 10)).numpy())
    init = cls(seed=42)
    np.testing.assert_array_equal(init((20, 10)).numpy(), init((20, 10)).numpy())
    assert not np.array_equal(a, cls(seed=43)((20, 10)).numpy())


@pytest.mark.parametrize("cls", SEEDABLE, ids=lambda c: c.__name__)
def test_unseeded_draws_differ_and_repeat_after_set_seed(cls, restore_global_rng):
    init = cls()
    assert not np.array_equal(init((20, 10)).numpy(), init((20, 10)).numpy())
    chainrule.random.set_seed(7)
    first = init((20, 10)).numpy()
    chainrule.random.set_seed(7)
    np.testing.assert_array_equal(first, cls()((20, 10)).numpy())
    chainrule.backend.set_seed(7)
    np.testing.assert_array_equal(first, init((20, 10)).numpy())


# ----------------------------------------------------------------------------- config and names

CONFIGURED = [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(value=2.5),
    initializers.RandomNormal(mean=0.1, stddev=0.2, seed=3), initializers.RandomUniform(-1.0, 2.0, seed=4),
    initializers.TruncatedNormal(stddev=0.3, seed=5),
    initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=6),
    initializers.GlorotUniform(seed=7), initializers.GlorotNormal(seed=8), initializers.HeNormal(seed=9),
    initializers.HeUniform(seed=10), initializers.LecunNormal(seed=11), initializers.LecunUniform(seed=12),
    initializers.Orthogonal(gain=1.5, seed=13), initializers.Identity(gain=0.5),
]


@pytest.mark.parametrize("init", CONFIGURED, ids=lambda i: type(i).__name__)
def test_config_round_trip_gives_same_values(init):
    config = init.get_config()
    json.dumps(config)   # JSON-able
    clone = type(init).from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone((6, 6)).numpy(), init((6, 6)).numpy())
    serialized = initializers.serialize(init)
    assert serialized == {"class_name": type(init).__name__, "config": config}
    again = initializers.deserialize(json.loads(json.dumps(serialized)))
    assert type(again) is type(init) and again.get_config() == config


def test_known_configs_match_tf_keras():
    assert initializers.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None}
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert initializers.Constant().get_config() == {"value": 0}
    assert initializers.Orthogonal().get_config() == {"gain": 1.0, "seed": None}
    assert initializers.Zeros().get_config() == {}
    assert initializers.serialize(initializers.get("glorot_uniform")) == {
        "class_name": "GlorotUniform", "config": {"seed": None}}


def test_from_config_drops_dtype():
    init = initializers.Zeros.from_config({"dtype": "float32"})
    assert isinstance(init, initializers.Zeros)


@pytest.mark.parametrize("name, cls", [
    ("zeros", "Zeros"), ("ones", "Ones"), ("constant", "Constant"), ("random_normal", "RandomNormal"),
    ("random_uniform", "RandomUniform"), ("truncated_normal", "TruncatedNormal"),
    ("glorot_uniform", "GlorotUniform"), ("glorot_normal", "GlorotNormal"), ("he_normal", "HeNormal"),
    ("he_uniform", "HeUniform"), ("lecun_normal", "LecunNormal"), ("lecun_uniform", "LecunUniform"),
    ("orthogonal", "Orthogonal"), ("identity", "Identity"), ("variance_scaling", "VarianceScaling"),
    ("GlorotUniform", "GlorotUniform"), ("HeNormal", "HeNormal"), ("Zeros", "Zeros"),
])
def test_get_by_name(name, cls):
    init = initializers.get(name)
    assert type(init).__name__ == cls
    assert getattr(initializers, name) is getattr(initializers, cls)   # lowercase names are class aliases


def test_get_other_identifiers():
    assert initializers.get(None) is None
    instance = initializers.HeNormal(seed=1)
    assert initializers.get(instance) is instance
    assert isinstance(initializers.get(initializers.Orthogonal), initializers.Orthogonal)
    from_dict = initializers.get({"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 2.0, "seed": 3}})
    assert from_dict.get_config() == {"mean": 1.0, "stddev": 2.0, "seed": 3}
    keras3 = initializers.get({"module": "keras.initializers", "class_name": "GlorotUniform",
                               "config": {"seed": 5}, "registered_name": None})
    assert isinstance(keras3, initializers.GlorotUniform) and keras3.seed == 5

    def my_init(shape, dtype=None):
        return chainrule.ones(shape, dtype=dtype or "float32")

    assert initializers.get(my_init) is my_init
    assert initializers.deserialize("my_init", custom_objects={"my_init": my_init}) is my_init
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(3.5)


def test_misspelled_name_suggests_closest():
    with pytest.raises(ValueError) as info:
        initializers.get("glorot_unifrom")
    text = str(info.value)
    assert "Unknown initializer: 'glorot_unifrom'" in text
    assert "Did you mean 'glorot_uniform'?" in text
    assert "he_normal" in text
    with pytest.raises(ValueError, match="Did you mean 'HeNormal'"):
        initializers.get({"class_name": "HeNormall", "config": {}})


# ----------------------------------------------------------------------------- Python's random, as tf.keras 2

def _python_draws(build):
    """How many 32-bit words ``build()`` takes from Python's ``random`` after ``random.seed(0)``."""
    random.seed(0)
    build()
    after = random.getrandbits(32)
    random.seed(0)
    for count in range(100):
        if random.getrandbits(32) == after:
            return count
    raise AssertionError("more than 100 draws")


@pytest.fixture
def python_seed_source():
    """Python's ``random`` as the source (an earlier ``keras.utils.set_random_seed`` replaces it); restored after."""
    before = initializers._seed_source
    initializers.set_seed_source(None)
    yield
    initializers.set_seed_source(before)


@pytest.mark.parametrize("cls", SEEDABLE, ids=lambda c: c.__name__)
def test_unseeded_initializer_takes_one_python_random_number_as_tf_keras_does(cls, python_seed_source):
    # tf.keras 2.21 seeds an unseeded initializer's stateless draws with random.randint(1, 10**9), once per
    # instance; a program that seeds random and uses it after building a model (keras.io's character-level
    # LSTM picks its seed sentences with random.randint) sees that stream
    init = cls()
    assert _python_draws(lambda: (init((4, 3)), init((4, 3)))) == 1
    assert _python_draws(lambda: cls(seed=1)((4, 3))) == 0
    keras = chainrule.keras
    keras.utils.set_random_seed(3)  # from then on the number comes from a random.Random(3) of its own
    assert _python_draws(lambda: cls()((4, 3))) == 0


@pytest.mark.parametrize("build, draws", [
    (lambda L: L.Dense(3).build((None, 4)), 1), (lambda L: L.LSTM(3).build((None, 2, 4)), 2),
    (lambda L: L.Conv2D(2, 3).build((None, 5, 5, 1)), 1), (lambda L: L.Embedding(5, 3).build((None, 2)), 1),
    (lambda L: L.BatchNormalization().build((None, 4)), 0),
    (lambda L: initializers.Constant(2.0)((2, 2)), 0), (lambda L: initializers.Identity()((2, 2)), 0),
], ids=["Dense", "LSTM", "Conv2D", "Embedding", "BatchNormalization", "Constant", "Identity"])
def test_layers_take_python_random_numbers_as_tf_keras_does(build, draws, python_seed_source):
    assert _python_draws(lambda: build(chainrule.keras.layers)) == draws  # counts measured on tf_keras 2.21
