"""chainrule.keras.activations: tf.keras 2 formulas against numpy, gradients, look-up by name."""
import importlib
import math

import numpy as np
import pytest

import chainrule
from chainrule import ops
from chainrule.testing import check_gradients

activations = importlib.import_module("chainrule.keras.activations")

TOL = 1e-6
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


# ----------------------------------------------------------------------------- numpy references (float64)

def np_sigmoid(x):
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def np_softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def np_tf_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """tf.keras 2's backend.relu, step by step."""
    negative_part = np.maximum(threshold - x, 0)
    out = x * (x > threshold) if threshold != 0 else np.maximum(x, 0)
    if max_value is not None:
        out = np.clip(out, 0, max_value)
    return out - alpha * negative_part


REFERENCES = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": np_sigmoid,
    "tanh": np.tanh,
    "softmax": np_softmax,
    "log_softmax": lambda x: x - np.max(x, -1, keepdims=True) - np.log(
        np.sum(np.exp(x - np.max(x, -1, keepdims=True)), -1, keepdims=True)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": np_elu,
    "selu": lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "swish": lambda x: x * np_sigmoid(x),
    "silu": lambda x: x * np_sigmoid(x),
    "gelu": lambda x: 0.5 * x * _erfc(-x / math.sqrt(2)),
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "mish": lambda x: x * np.tanh(np.logaddexp(0.0, x)),
}


def sample(rng, dtype=np.float64):
    """Random values of several scales plus the extremes, shape (4, 16)."""
    x = np.concatenate([rng.normal(size=24), rng.normal(size=24) * 20,
                        [-1000.0, -500.0, -100.0, -30.0, -7.0, 7.0, 30.0, 100.0, 500.0, 1000.0],
                        rng.uniform(-3, 3, size=6)])
    return x.reshape(4, 16).astype(dtype)


# ----------------------------------------------------------------------------- values

@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_numpy_float64_without_overflow(name, rng):
    x = sample(rng)
    fn = activations.get(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = fn(chainrule.constant(x))
    assert isinstance(out, chainrule.Tensor)
    assert out.dtype == chainrule.float64 and out.shape == x.shape
    with np.errstate(over="ignore", under="ignore"):
        expected = REFERENCES[name](x)
    assert np.all(np.isfinite(out.numpy()))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-11, atol=1e-300)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_float32_keeps_dtype_and_matches(name, rng):
    x = sample(rng, np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = activations.get(name)(x)  # a numpy array is accepted too
    assert out.dtype == chainrule.float32
    expected = REFERENCES[name](x.astype(np.float64))
    np.testing.assert_allclose(out.numpy(), expected, rtol=2e-6, atol=1e-6)


def test_exponential(rng):
    x = rng.uniform(-20, 20, size=(3, 5))
    np.testing.assert_allclose(activations.exponential(x).numpy(), np.exp(x), rtol=1e-14)
    with np.errstate(over="ignore"):
        assert activations.exponential(np.array([1000.0])).numpy()[0] == np.inf  # as exp itself


def test_known_values():
    x = np.array([[-3.0, -1.0, 0.0, 1.0, 3.0]])
    np.testing.assert_allclose(activations.relu(x).numpy(), [[0, 0, 0, 1, 3]])
    np.testing.assert_allclose(activations.hard_sigmoid(x).numpy(), [[0.0, 0.3, 0.5, 0.7, 1.0]])
    np.testing.assert_allclose(activations.softsign(x).numpy(), [[-0.75, -0.5, 0.0, 0.5, 0.75]])
    np.testing.assert_allclose(activations.elu(x, alpha=2.0).numpy()[0, :2], 2 * np.expm1([-3.0, -1.0]))
    np.testing.assert_allclose(activations.gelu(np.array([[1.0]])).numpy(), [[0.8413447460685429]], rtol=1e-14)
    np.testing.assert_allclose(activations.softplus(np.array([[0.0]])).numpy(), [[math.log(2)]], rtol=1e-15)


@pytest.mark.parametrize("kwargs", [
    dict(alpha=0.1), dict(max_value=2.5), dict(threshold=0.7), dict(threshold=-0.4),
    dict(alpha=0.3, max_value=2.0), dict(alpha=0.2, threshold=0.5), dict(alpha=0.1, max_value=1.5, threshold=0.4),
    dict(max_value=6.0),
])
def test_relu_arguments_follow_tf_keras(kwargs, rng):
    x = rng.uniform(-4, 4, size=(5, 7))
    np.testing.assert_allclose(activations.relu(x, **kwargs).numpy(), np_tf_relu(x, **kwargs), rtol=1e-14)


def test_relu_negative_slope_is_keras3_alias_for_alpha(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(activations.relu(x, negative_slope=0.1).numpy(),
                                  activations.relu(x, alpha=0.1).numpy())


def test_leaky_relu_default_and_names(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(activations.leaky_relu(x).numpy(), np.where(x > 0, x, 0.2 * x))
    np.testing.assert_allclose(activations.leaky_relu(x, negative_slope=0.05).numpy(), np.where(x > 0, x, 0.05 * x))
    np.testing.assert_allclose(activations.leaky_relu(x, alpha=0.3).numpy(), np.where(x > 0, x, 0.3 * x))


def test_gelu_approximate(rng):
    x = sample(rng)
    with np.errstate(over="raise", invalid="raise"):
        out = activations.gelu(x, approximate=True).numpy()
    expected = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-300)


def test_silu_is_swish():
    assert activations.silu is activations.swish


def test_plain_relu_uses_the_fused_relu_op(monkeypatch, rng):
    calls = []
    original = ops.ReLU.forward

    def counting(self, x):
        calls.append(type(self))
        return original(self, x)

    monkeypatch.setattr(ops.ReLU, "forward", counting)
    activations.relu(rng.normal(size=(2, 3)))
    activations.get("relu")(rng.normal(size=(2, 3)))
    assert calls == [ops.ReLU, ops.ReLU]


def test_softmax_axes(rng):
    x = rng.normal(size=(2, 3, 4)) * 10
    np.testing.assert_allclose(activations.softmax(x, axis=1).numpy(), np_softmax(x, axis=1), rtol=1e-13)
    expected = np.exp(x - x.max(axis=(1, 2), keepdims=True))
    expected /= expected.sum(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(activations.softmax(x, axis=(1, 2)).numpy(), expected, rtol=1e-13)


def test_softmax_of_1d_tensor_raises_as_tf_keras_2():
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        activations.softmax(np.array([1.0, 2.0]))


def test_integer_input_is_rejected_with_a_hint():
    with pytest.raises(chainrule.errors.InvalidArgumentError, match="cast"):
        activations.softplus(np.array([[1, 2]]))


# ----------------------------------------------------------------------------- no hidden state on outputs

@pytest.mark.parametrize("name", ["softmax", "sigmoid", "relu"])
def test_outputs_are_plain_tensors(name, rng):
    """No hidden link from an output to its logits: a fused loss is decided visibly, by compile."""
    out = activations.get(name)(chainrule.constant(rng.normal(size=(2, 3))))
    assert type(out) is chainrule.Tensor and not hasattr(out, "__dict__")


# ----------------------------------------------------------------------------- gradients

def away_from_kinks(rng, shape=(3, 5), low=0.15, high=2.3):
    """Values with |x| in [low, high]: clear of the kinks at 0 and of hard_sigmoid's at +-2.5."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


@pytest.mark.parametrize("name", sorted(set(REFERENCES) | {"exponential"}))
def test_gradient_matches_central_differences(name, rng):
    report = check_gradients(activations.get(name), away_from_kinks(rng))
    assert report.max_error < TOL, str(report)


@pytest.mark.parametrize("fn", [
    lambda x: activations.relu(x, alpha=0.1, max_value=1.8, threshold=0.4),
    lambda x: activations.relu(x, threshold=-0.5),
    lambda x: activations.elu(x, alpha=0.5),
    lambda x: activations.leaky_relu(x, negative_slope=0.3),
    lambda x: activations.gelu(x, approximate=True),
    lambda x: activations.softmax(x, axis=0),
    lambda x: activations.softmax(x, axis=(0, 1)),
], ids=["relu_args", "relu_neg_threshold", "elu_alpha", "leaky_slope", "gelu_tanh", "softmax_axis0",
        "softmax_tuple_axis"])
def test_gradient_with_arguments(fn, rng):
    x = away_from_kinks(rng)
    x[np.abs(np.abs(x) - 0.4) < 0.05] += 0.1  # keep clear of the relu threshold
    x[np.abs(np.abs(x) - 1.8) < 0.05] += 0.1
    assert check_gradients(fn, x).max_error < TOL


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", [0.0, 0.0]), ("softplus", [0.0, 1.0]), ("gelu", [0.0, 1.0]), ("swish", [0.0, 1.0]),
    ("tanh", [0.0, 0.0]), ("elu", [0.0, 1.0]), ("mish", [0.0, 1.0]),
])
def test_gradient_is_finite_at_extremes(name, expected):
    x = chainrule.constant(np.array([-1000.0, 1000.0]))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with chainrule.GradientTape() as tape:
            tape.watch(x)
            y = activations.get(name)(x)
        g = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(g, expected, atol=1e-12)


# ----------------------------------------------------------------------------- get / serialize / deserialize

def test_get_none_string_callable():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("silu") is activations.swish

    def custom(x):
        return x

    assert activations.get(custom) is custom
    with pytest.raises(TypeError, match="Could not interpret activation function identifier"):
        activations.get(42)


@pytest.mark.parametrize("name", sorted(set(REFERENCES) - {"silu"} | {"exponential"}))
def test_serialize_round_trip(name):
    fn = activations.get(name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(activations.serialize(fn)) is fn
    assert activations.get(activations.serialize(fn)) is fn


def test_serialize_swish_and_silu_give_tf_keras_name():
    assert activations.serialize(activations.silu) == "swish"


def test_dict_forms_and_custom_objects(rng):
    assert activations.get({"class_name": "relu", "config": {}}) is activations.relu
    assert activations.deserialize({"class_name": "function", "config": "tanh",
                                    "module": "keras.activations", "registered_name": "function"}) \
        is activations.tanh
    bound = activations.get({"class_name": "elu", "config": {"alpha": 0.5}})
    x = -np.ones((1, 2))
    np.testing.assert_allclose(bound(x).numpy(), 0.5 * np.expm1(x))

    def my_act(x):
        return x * 2

    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    assert activations.serialize(my_act) == "my_act"


def test_misspelled_name_lists_valid_names_and_suggests_closest():
    with pytest.raises(ValueError) as info:
        activations.get("rleu")
    text = str(info.value)
    assert "Unknown activation function: 'rleu'" in text
    assert "Did you mean 'relu'?" in text
    for valid in ("softmax", "sigmoid", "tanh", "gelu"):
        assert valid in text


def test_misspelled_name_without_close_match_has_no_suggestion():
    with pytest.raises(ValueError, match="Unknown activation function: 'zzzzqqq'") as info:
        activations.deserialize("zzzzqqq")
    assert "Did you mean" not in str(info.value)


@pytest.mark.parametrize("name", sorted(set(REFERENCES) | {"exponential"}))
def test_every_function_has_a_docstring_with_its_formula(name):
    doc = activations.get(name).__doc__
    assert doc and "f(x) =" in doc
