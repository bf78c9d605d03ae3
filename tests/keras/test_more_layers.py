"""PReLU, ThresholdedReLU, Dot, GroupNormalization, UnitNormalization, Permute, Identity, ActivityRegularization
and the noise layers (AlphaDropout, GaussianNoise, GaussianDropout) against real tf.keras 2, and the noise
layers' training behaviour.

``fixtures/more_layers_tf.json`` was written by tf.keras 2.21 (tf_keras) with ``fixtures/make_more_layers.py``:
per case the arguments, ``get_config()``, ``compute_output_shape``, weight names and shapes, the inference
output for seeded inputs and weights, the ``losses``, and float64 gradients of ``sum(output * dy)``.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers
from chainrule.ops.noise import SELU_ALPHA_P

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {c["key"]: c for c in json.loads((FIXTURES / "more_layers_tf.json").read_text())["cases"]}


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def _plain(value):
    """tf_keras 2.21 adds 'module'/'registered_name' to nested objects; chainrule writes tf.keras 2.11's form."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("module", "registered_name", "name")}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# Keys chainrule's config keeps beyond tf.keras 2's (whose AlphaDropout forgets its noise_shape on reload).
EXTRA_KEYS = {"AlphaDropout": {"noise_shape"}}


def _build(case, dtype="float32"):
    layer = getattr(layers, case["class_name"])(dtype=dtype, **case["kwargs"])
    xs = [np.asarray(x, dtype=dtype) for x in case["inputs"]]
    arg = xs if len(xs) > 1 else xs[0]
    layer(arg)
    layer.set_weights([np.asarray(w, dtype=dtype) for w in case["weight_values"]])
    return layer, xs, arg


@pytest.mark.parametrize("key", sorted(CASES))
def test_config_weights_and_shapes_match_tf_keras(key):
    case = CASES[key]
    layer, xs, _ = _build(case)
    ours = _plain(json.loads(json.dumps(layer.get_config(), default=list)))
    assert {k: v for k, v in ours.items() if k not in EXTRA_KEYS.get(case["class_name"], ())} == \
        _plain(case["config"])
    short = [(w.name.split("/", 1)[1], list(w.shape), w.trainable) for w in layer.weights]
    assert short == [(w["name"].split("/", 1)[1], w["shape"], w["trainable"]) for w in case["weights"]]
    assert layer.supports_masking == case["supports_masking"]
    none_batch = [(None,) + x.shape[1:] for x in xs]
    shape = layer.compute_output_shape(none_batch if len(xs) > 1 else none_batch[0])
    assert list(shape) == case["output_shape"]


@pytest.mark.parametrize("key", sorted(CASES))
def test_inference_output_and_losses_match_tf_keras(key):
    case = CASES[key]
    layer, _, arg = _build(case)
    out = layer(arg, training=False)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), np.asarray(case["output"]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose([float(v) for v in layer.losses], case["losses"], rtol=1e-5)


@pytest.mark.parametrize("key", sorted(k for k, c in CASES.items() if c["grads"][0] is not None))
def test_float64_gradients_match_tf_keras(key):
    case = CASES[key]
    layer, xs, _ = _build(case, dtype="float64")
    inputs = [tf.Variable(x) for x in xs]
    with tf.GradientTape() as tape:
        out = layer(inputs if len(inputs) > 1 else inputs[0], training=False)
        loss = tf.reduce_sum(out * np.asarray(case["dy"]))
    grads = tape.gradient(loss, inputs + layer.trainable_weights)
    assert len(grads) == len(case["grads"])
    for ours, theirs in zip(grads, case["grads"]):
        np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- training behaviour

def test_alpha_dropout_in_training_is_tf_keras_formula_and_keeps_selu_statistics():
    rate = 0.2
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P ** 2)) ** -0.5
    b = -a * SELU_ALPHA_P * rate
    x = np.random.default_rng(0).standard_normal((400, 50)).astype("float32")
    out = layers.AlphaDropout(rate, seed=3)(x, training=True).numpy()
    kept = np.isclose(out, a * x + b, atol=1e-6)
    assert np.all(kept | np.isclose(out, a * SELU_ALPHA_P + b))
    assert abs(1 - kept.mean() - rate) < 0.01
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    np.testing.assert_array_equal(layers.AlphaDropout(rate)(x).numpy(), x)  # a direct call is inference


def test_mc_alpha_dropout_subclass_forces_training_as_in_the_book():
    class MCAlphaDropout(layers.AlphaDropout):
        def call(self, inputs):
            return super().call(inputs, training=True)

    x = np.ones((4, 10), dtype="float32")
    model = keras.Sequential([keras.Input((10,)), MCAlphaDropout(0.5)])
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    assert not np.array_equal(first, second) and not np.array_equal(first, x)


@pytest.mark.parametrize("make", [lambda: layers.AlphaDropout(0.3), lambda: layers.GaussianNoise(1.0),
                                  lambda: layers.GaussianDropout(0.4)],
                         ids=["AlphaDropout", "GaussianNoise", "GaussianDropout"])
def test_fit_redraws_the_noise_at_every_step_and_evaluate_has_none(make):
    tf.random.set_seed(0)
    model = keras.Sequential([keras.Input((6,)), make(), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    x, y = np.ones((8, 6), dtype="float32"), np.zeros((8, 1), dtype="float32")
    losses = [model.train_on_batch(x, y) for _ in range(4)]
    assert len(set(losses)) == 4, losses  # the compiled step replays, drawing new noise each time
    evaluated = [model.evaluate(x, y, verbose=0) for _ in range(2)]
    assert evaluated[0] == evaluated[1] == pytest.approx(36.0)


def test_gaussian_layers_noise_statistics_in_training():
    x = np.full((500, 40), 2.0, dtype="float32")
    noisy = layers.GaussianNoise(0.5, seed=1)(x, training=True).numpy()
    assert abs(noisy.mean() - 2.0) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    dropped = layers.GaussianDropout(0.2, seed=1)(x, training=True).numpy()
    assert abs(dropped.mean() - 2.0) < 0.03 and abs(dropped.std() - 2.0 * 0.5) < 0.03  # sqrt(.2/.8) = .5


def test_seeded_noise_layers_repeat_from_construction():
    x = np.zeros((3, 4), dtype="float32")
    draws = [layers.GaussianNoise(1.0, seed=7)(x, training=True).numpy() for _ in range(2)]
    np.testing.assert_array_equal(*draws)


# ----------------------------------------------------------------------------- errors users meet

@pytest.mark.parametrize("make, message", [
    (lambda: layers.AlphaDropout(1.0), "rate must be a number in"),
    (lambda: layers.GaussianDropout(-0.1), "rate must be a number in"),
    (lambda: layers.GaussianNoise(-1.0), "stddev must be a number >= 0"),
    (lambda: layers.ThresholdedReLU(-1.0), "theta must be >= 0"),
    (lambda: layers.Permute((1, 3)), "must be consecutive and start from 1"),
    (lambda: layers.Dot([1, 2, 3]), "should contain two elements"),
    (lambda: layers.GroupNormalization(0), "groups must be a positive int or -1"),
])
def test_bad_constructor_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_build_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match="number of groups \\(8\\) cannot be more than the number of channels \\(4\\)"):
        layers.GroupNormalization(8)(np.ones((2, 4), dtype="float32"))
    with pytest.raises(ValueError, match="must be a multiple of the number of groups \\(3\\)"):
        layers.GroupNormalization(3)(np.ones((2, 4), dtype="float32"))
    with pytest.raises(ValueError, match="axis values 4 \\(at axis 1\\) != 3 \\(at axis 1\\)"):
        layers.Dot(1)([np.ones((2, 4)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layers.Permute((2, 1))(np.ones((2, 4)))
    with pytest.raises(ValueError, match="shared_axes \\[3\\] must name axes 1 .. 2"):
        layers.PReLU(shared_axes=3)(np.ones((2, 4, 5)))
    with pytest.raises(ValueError, match="AlphaDropout 'alpha_dropout': noise_shape \\(2, 2\\) does not fit"):
        layers.AlphaDropout(0.5, noise_shape=(2, 2))(np.ones((2, 3)), training=True)
    with pytest.raises(ValueError, match="alpha's shape \\(None, 4\\) has an unknown size"):
        layers.PReLU()(keras.Input((None, 4)))


def test_prelu_with_shared_axes_learns_one_slope_per_channel_on_images():
    tf.random.set_seed(0)
    model = keras.Sequential([keras.Input((4, 4, 3)), layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25),
                                                                   shared_axes=[1, 2]),
                              layers.GlobalAveragePooling2D(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).standard_normal((16, 4, 4, 3)).astype("float32")
    model.fit(x, x.sum(axis=(1, 2, 3))[:, None], epochs=2, verbose=0)
    alpha = model.layers[0].alpha.numpy()
    assert alpha.shape == (1, 1, 3) and not np.allclose(alpha, 0.25)


def test_dot_cosine_similarity_of_parallel_vectors_is_one_and_layers_save(tmp_path):
    a = keras.Input((3,))
    b = keras.Input((3,))
    model = keras.Model([a, b], layers.Dot(axes=1, normalize=True)([a, b]))
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], dtype="float32")
    np.testing.assert_allclose(model.predict([x, 5 * x], verbose=0), [[1.0], [0.0]], atol=1e-6)
    model.save(tmp_path / "dot.keras")
    restored = keras.models.load_model(tmp_path / "dot.keras")
    np.testing.assert_allclose(restored.predict([x, 5 * x], verbose=0), [[1.0], [0.0]], atol=1e-6)


def test_functional_forms_maximum_minimum_and_dot():
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], [layers.maximum([a, b]), layers.minimum([a, b]), layers.dot([a, b], axes=1)])
    x, y = np.array([[1.0, -2.0, 3.0]], dtype="float32"), np.array([[0.0, 5.0, -1.0]], dtype="float32")
    high, low, product = model.predict([x, y], verbose=0)
    np.testing.assert_array_equal(high, [[1.0, 5.0, 3.0]])
    np.testing.assert_array_equal(low, [[0.0, -2.0, -1.0]])
    np.testing.assert_allclose(product, [[-13.0]])
    assert [type(layer).__name__ for layer in model.layers[2:]] == ["Maximum", "Minimum", "Dot"]
