"""Image preprocessing and augmentation layers against tf.keras 2, and their training-only behaviour.

The fixtures (``fixtures/conv_layers_tf.{npz,json}``, made by ``make_conv_layer_fixtures.py`` with
tf.keras 2.21) hold Resizing / CenterCrop / inference-mode RandomCrop outputs, the projective
transforms of RandomRotation / RandomZoom / RandomTranslation for fixed angles, zooms and shifts
(tf_keras's own matrix helpers and ``ImageProjectiveTransformV3``) in every fill mode and
interpolation, ``adjust_contrast`` for fixed factors, and whether tf.keras augments on a direct
call, a model call and in ``predict``.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras, ops
from chainrule.keras import layers
from chainrule.keras.layers import image_preprocessing as ip
from chainrule.keras.models import Sequential
from chainrule.testing import check_gradients

FIXTURES = Path(__file__).parent / "fixtures"
META = json.loads((FIXTURES / "conv_layers_tf.json").read_text())
with np.load(FIXTURES / "conv_layers_tf.npz", allow_pickle=False) as _f:
    A = {k[len("image/"):]: _f[k] for k in _f.files if k.startswith("image/")}


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


@pytest.mark.parametrize("name, layer", [
    ("resizing_bilinear", lambda: layers.Resizing(5, 9)),
    ("resizing_bilinear_down", lambda: layers.Resizing(3, 4)),
    ("resizing_nearest", lambda: layers.Resizing(5, 9, interpolation="nearest")),
    ("resizing_nearest_down", lambda: layers.Resizing(3, 4, interpolation="nearest")),
    ("resizing_bilinear_crop", lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True)),
    ("resizing_nearest_crop", lambda: layers.Resizing(3, 5, interpolation="nearest", crop_to_aspect_ratio=True)),
    ("center_crop", lambda: layers.CenterCrop(5, 3)),
    ("center_crop_odd", lambda: layers.CenterCrop(3, 4)),
    ("center_crop_upsize", lambda: layers.CenterCrop(10, 4)),
    ("random_crop_inference", lambda: layers.RandomCrop(4, 5)),
])
def test_deterministic_image_layers_match_tf_keras(name, layer):
    out = layer()(A["x"], training=False).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, A[name], rtol=1e-5, atol=1e-3)   # pixel values 0..255
    single = layer()(A["x"][1], training=False).numpy()               # one image, no batch axis
    np.testing.assert_allclose(single, A[name][1], rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("kind", ["rotation", "zoom", "translation"])
@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_projective_transform_matches_tensorflow(kind, fill_mode, interpolation):
    op = ops.ProjectiveTransform(fill_mode, interpolation, fill_value=0.5)
    out = op.forward(A["small"], A[f"matrix_{kind}"])
    np.testing.assert_allclose(out, A[f"{kind}_{fill_mode}_{interpolation}"], rtol=1e-5, atol=2e-5)


def test_keras_matrix_helpers_match_tf_keras():
    np.testing.assert_allclose(ip.rotation_matrix([0.3, -1.1], 7, 9), A["matrix_rotation"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ip.zoom_matrix([[0.7, 0.7], [1.3, 0.8]], 7, 9), A["matrix_zoom"], rtol=1e-6)
    np.testing.assert_allclose(ip.translation_matrix([[2.5, -1.7], [-4.2, 3.0]]), A["matrix_translation"])


@pytest.mark.parametrize("factor", [1.4, 0.3])
def test_contrast_matches_tf_adjust_contrast(factor):
    out = ip.adjust_contrast(tf.constant(A["contrast_x"]), factor).numpy()
    np.testing.assert_allclose(out, A[f"contrast_{factor}"], rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("fill_mode", ["reflect", "constant"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_projective_transform_gradient_is_the_adjoint(fill_mode, interpolation):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 6, 2))
    transforms = ip.rotation_matrix([0.4, -0.9], 5, 6)
    op = ops.ProjectiveTransform(fill_mode, interpolation, 0.5)
    report = check_gradients(lambda t: _apply(op, t, transforms), x)
    assert report.max_error < 1e-6, str(report)


def _apply(op, t, transforms):
    from chainrule.tensor import apply_op
    return tf.reduce_sum(apply_op(op, t, tf.constant(transforms.astype(np.float64))) ** 2)


def test_resize_nearest_gradient_sums_into_sources():
    x = np.arange(12.0).reshape(1, 3, 4, 1)
    op = ops.ResizeNearest((5, 2))
    y = op.forward(x)
    dx = op.backward(np.ones_like(y))
    assert dx.sum() == y.size and dx.shape == x.shape
    report = check_gradients(lambda t: tf.reduce_sum(_resize_nearest(t) ** 2), x)
    assert report.max_error < 1e-8


def _resize_nearest(t):
    from chainrule.tensor import apply_op
    return apply_op(ops.ResizeNearest((5, 7)), t)


# ----------------------------------------------------------------------------- training-only behaviour

AUGMENTERS = [
    lambda: layers.RandomFlip(),
    lambda: layers.RandomRotation(0.2),
    lambda: layers.RandomZoom(0.3),
    lambda: layers.RandomTranslation(0.2, 0.2),
    lambda: layers.RandomContrast(0.5),
]


def test_tf_keras_augments_on_direct_and_model_calls_but_not_in_predict():
    assert META["image"] == {"direct_call_augments": True, "model_call_augments": True, "predict_augments": False}


@pytest.mark.parametrize("make", AUGMENTERS)
def test_random_layers_are_active_only_in_training(make):
    tf.random.set_seed(0)
    x = np.random.default_rng(1).uniform(0, 255, (4, 10, 12, 3)).astype("float32")
    layer = make()
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert not np.array_equal(layer(x, training=True).numpy(), x)
    assert not np.array_equal(layer(x).numpy(), x)                      # tf.keras 2: no flag = training
    model = Sequential([layers.Input(shape=(10, 12, 3)), make()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)        # predict: inference
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)
    assert not np.array_equal(model(x).numpy(), x)


def test_random_crop_crops_in_training_and_resizes_at_inference():
    tf.random.set_seed(0)
    x = A["x"]
    layer = layers.RandomCrop(4, 5)
    crops = {tuple(layer(x, training=True).numpy()[0, 0, 0]) for _ in range(20)}
    assert len(crops) > 1                                                # the offset changes
    out = layer(x, training=True).numpy()
    found = [(i, j) for i in range(5) for j in range(2) if np.array_equal(x[:, i:i + 4, j:j + 5], out)]
    assert len(found) == 1                                               # one window for the whole batch
    np.testing.assert_allclose(layer(x, training=False).numpy(), A["random_crop_inference"], rtol=1e-5, atol=1e-3)


def test_augmentation_follows_the_global_seed_and_the_layer_seed():
    x = np.random.default_rng(2).uniform(0, 1, (8, 9, 9, 1)).astype("float32")
    outs = []
    for _ in range(2):
        tf.random.set_seed(42)
        layer = layers.RandomRotation(0.25)
        outs.append((layer(x, training=True).numpy(), layer(x, training=True).numpy()))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    assert not np.array_equal(outs[0][0], outs[0][1])                    # a new draw per call
    a = layers.RandomZoom(0.3, seed=5)(x, training=True).numpy()
    tf.random.set_seed(99)
    b = layers.RandomZoom(0.3, seed=5)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)


def test_random_flip_flips_whole_images():
    tf.random.set_seed(3)
    x = np.random.default_rng(0).normal(size=(64, 4, 5, 2)).astype("float32")
    y = layers.RandomFlip("horizontal")(x, training=True).numpy()
    same = [np.array_equal(a, b) for a, b in zip(y, x)]
    flipped = [np.array_equal(a, b[:, ::-1]) for a, b in zip(y, x)]
    assert all(s or f for s, f in zip(same, flipped)) and 16 < sum(flipped) < 48
    v = layers.RandomFlip("vertical")(x, training=True).numpy()
    assert all(np.array_equal(a, b) or np.array_equal(a, b[::-1]) for a, b in zip(v, x))


def test_rotation_by_quarter_turn_with_nearest_is_rot90():
    x = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    layer = layers.RandomRotation((0.25, 0.25), interpolation="nearest")
    out = layer(x, training=True).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, np.rot90(x[0, :, :, 0]))        # counter-clockwise


def test_contrast_factor_range_and_clip():
    tf.random.set_seed(0)
    x = np.random.default_rng(0).uniform(0, 255, (3, 6, 6, 3)).astype("float32")
    out = layers.RandomContrast((0.5, 0.5))(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    ratio = (out - mean) / (x - mean)
    inside = (out > 0) & (out < 255)
    assert np.all((ratio[inside] > 0.5 - 1e-3) & (ratio[inside] < 1.5 + 1e-3))
    assert out.min() >= 0 and out.max() <= 255


def test_uint8_images_become_float32():
    x = np.random.default_rng(0).integers(0, 256, (2, 8, 6, 3), dtype=np.uint8)
    out = layers.Resizing(4, 3)(x)
    assert out.dtype == tf.float32 and out.shape == (2, 4, 3, 3)


# ----------------------------------------------------------------------------- configs, shapes, errors

@pytest.mark.parametrize("cls", ["Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation",
                                 "RandomZoom", "RandomTranslation", "RandomContrast"])
def test_configs_match_tf_keras(cls):
    for entry in META["config_only"][cls]:
        ours = getattr(layers, cls)(**entry["kwargs"]).get_config()
        ours = json.loads(json.dumps(ours, default=list))
        theirs = dict(entry["config"])
        ours.pop("name"), theirs.pop("name")
        assert ours == theirs
        clone = getattr(layers, cls).from_config(getattr(layers, cls)(**entry["kwargs"]).get_config())
        assert clone.get_config()["dtype"] == "float32"


def test_output_shapes():
    assert layers.Resizing(5, 9).compute_output_shape((None, 8, 6, 3)) == (None, 5, 9, 3)
    assert layers.CenterCrop(4, 3).compute_output_shape((8, 6, 3)) == (4, 3, 3)
    assert layers.RandomCrop(4, 3).compute_output_shape((None, 8, 6, 3)) == (None, 4, 3, 3)
    assert layers.RandomFlip().compute_output_shape((None, 8, 6, 3)) == (None, 8, 6, 3)
    model = Sequential([layers.Input(shape=(None, None, 3)), layers.Resizing(32, 32), layers.RandomFlip()])
    assert model.output_shape == (None, 32, 32, 3)


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.RandomFlip("diagonal"), ValueError, "unknown mode"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), NotImplementedError, "fill_mode"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), NotImplementedError, "interpolation"),
    (lambda: layers.RandomZoom(1.5), ValueError, "height_factor"),
    (lambda: layers.RandomTranslation(0.1, (0.3, -0.2)), ValueError, "width_factor"),
    (lambda: layers.RandomContrast(-0.1), ValueError, "factor"),
    (lambda: layers.Resizing(0, 4), ValueError, "height"),
    (lambda: layers.Resizing(4, 4, interpolation="area"), NotImplementedError, "area"),
])
def test_argument_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_grayscale_batch_without_channels_axis_is_explained():
    with pytest.raises(ValueError, match=r"RandomFlip 'random_flip'.*np.expand_dims\(x, -1\)"):
        layers.RandomFlip()(np.zeros((2, 3, 4, 5, 6), "float32"))


def test_augmentation_model_saves_and_loads(tmp_path):
    model = Sequential([layers.Input(shape=(12, 12, 1)), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                        layers.RandomZoom(0.1), layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
                        layers.RandomContrast(0.2), layers.RandomCrop(10, 10), layers.Resizing(8, 8),
                        layers.CenterCrop(6, 6), layers.Flatten(), layers.Dense(2)])
    x = np.random.default_rng(0).uniform(0, 1, (3, 12, 12, 1)).astype("float32")
    for suffix in (".keras", ".h5"):
        path = tmp_path / f"aug{suffix}"
        model.save(path)
        restored = keras.models.load_model(path)
        assert [layer.get_config() for layer in restored.layers] == [layer.get_config() for layer in model.layers]
        np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("make", AUGMENTERS + [lambda: layers.RandomCrop(6, 6)])
def test_traced_calls_draw_anew_each_time(make):
    """A chainrule.function replay must not repeat the first call's random draws (fit traces its step)."""
    tf.random.set_seed(0)
    layer = make()
    x = np.random.default_rng(1).uniform(0, 255, (8, 10, 12, 3)).astype("float32")
    traced = tf.function(lambda t: layer(t, training=True))
    outs = {traced(x).numpy().tobytes() for _ in range(4)}
    assert len(outs) == 4


# ----------------------------------------------------------------------------- RandomBrightness/Height/Width
# tf.keras 2's behaviour (checked against tf_keras 2.21): inference hands the input back, training adds one delta
# per image (brightness) or resizes one side by one random factor per call.

def test_random_brightness_adds_one_clipped_delta_per_image_in_training():
    x = np.tile(np.linspace(0, 255, 20, dtype=np.float32).reshape(1, 4, 5, 1), (3, 1, 1, 2))
    layer = keras.layers.RandomBrightness(0.2, seed=4)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    y = layer(x, training=True).numpy()
    for image, out in zip(x, y):
        inside = (out > 0) & (out < 255)
        deltas = np.unique(np.round(out[inside] - image[inside], 3))
        assert len(deltas) == 1 and abs(deltas[0]) <= 0.2 * 255
        np.testing.assert_allclose(out, np.clip(image + deltas[0], 0, 255), atol=2e-3)
    assert y.min() >= 0 and y.max() <= 255
    assert len({float(np.round(y[i, 1, 1, 0] - x[i, 1, 1, 0], 3)) for i in range(3)}) > 1  # per image
    unit = keras.layers.RandomBrightness((0.5, 0.5), value_range=(0, 1))(np.full((1, 2, 2, 3), 0.25, np.float32))
    np.testing.assert_allclose(unit.numpy(), 0.75)
    assert keras.layers.RandomBrightness(0.3).get_config()["factor"] == [-0.3, 0.3]


def test_random_height_and_width_resize_one_side_by_one_factor():
    x = np.random.default_rng(0).random((2, 10, 8, 3)).astype(np.float32)
    height = keras.layers.RandomHeight((0.2, 0.5), seed=1)
    assert height(x, training=False) is not None and height(x, training=False).shape == (2, 10, 8, 3)
    sizes = {height(x, training=True).shape for _ in range(8)}
    assert all(s[0] == 2 and s[2:] == (8, 3) and 12 <= s[1] <= 15 for s in sizes) and len(sizes) > 1
    width = keras.layers.RandomWidth(0.5, interpolation="nearest", seed=1)
    assert all(2 <= width(x, training=True).shape[2] <= 12 for _ in range(8))
    same = keras.layers.RandomWidth((0.0, 0.0))(x, training=True)
    np.testing.assert_array_equal(same.numpy(), x)
    ints = (x * 255).astype(np.uint8)
    assert keras.layers.RandomHeight(0.3)(ints, training=False).dtype == tf.uint8  # handed back as it came
    model = keras.Sequential([keras.layers.RandomHeight(0.2, input_shape=(10, 8, 3)), keras.layers.RandomWidth(0.2)])
    assert model.output_shape == (None, None, None, 3)


@pytest.mark.parametrize("make, message", [
    (lambda: keras.layers.RandomBrightness(1.5), r"in the range \[-1.0, 1.0\]. Got 1.5"),
    (lambda: keras.layers.RandomBrightness((0.1, 0.2, 0.3)), r"a list of two numbers\) in the range"),
    (lambda: keras.layers.RandomBrightness(0.1, value_range=5), r"`value_range` argument should be a list"),
    (lambda: keras.layers.RandomHeight((0.3, 0.1)), "upper bound lesser than the lower bound"),
    (lambda: keras.layers.RandomWidth(-1.5), "upper bound less than the lower bound"),
    (lambda: keras.layers.RandomHeight((-1.5, 0.1)), "must have values larger than -1"),
], ids=["brightness-range", "brightness-three", "value-range", "height-order", "width-order", "height-low"])
def test_random_size_and_brightness_arguments_are_checked_as_tf_keras(make, message):
    with pytest.raises(ValueError, match=message):
        make()
