"""Convolution, pooling, reshaping and spatial-dropout layers against real tf.keras 2.

``fixtures/conv_layers_tf.{npz,json}`` were written by tf.keras 2.21 (tf_keras) with
``fixtures/make_conv_layer_fixtures.py``: for each case the layer's arguments, its ``get_config()``,
``compute_output_shape``, parameter count and weight names, and (float64, seeded weights) its output
and the gradients of the input and every weight for a random upstream gradient. Here the same
layer is built in chainrule, given the same weights (tf.keras's layouts, unchanged), and must agree.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers
from chainrule.keras.models import Model, Sequential

FIXTURES = Path(__file__).parent / "fixtures"
META = json.loads((FIXTURES / "conv_layers_tf.json").read_text())
CASES = {c["name"]: c for c in META["layers"]}
with np.load(FIXTURES / "conv_layers_tf.npz", allow_pickle=False) as _f:
    ARRAYS = {k: _f[k] for k in _f.files}


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def _strip_new_keys(value):
    """tf_keras 2.21 adds 'module'/'registered_name' to nested objects; chainrule writes tf.keras 2.11's form."""
    if isinstance(value, dict):
        return {k: _strip_new_keys(v) for k, v in value.items() if k not in ("module", "registered_name")}
    return value


def _config_subset(config):
    """The config without the automatic name (numbering differs between the fixture run and the tests)."""
    plain = json.loads(json.dumps(config, default=list))
    return {k: _strip_new_keys(v) for k, v in plain.items() if k != "name"}


def _run(case):
    cls = getattr(layers, case["class"])
    layer = cls(dtype=case["dtype"], **case["kwargs"])
    x = tf.Variable(ARRAYS[f"{case['name']}/x"])
    layer.build(tuple(x.shape))
    n_weights = len(case["weights"])
    layer.set_weights([ARRAYS[f"{case['name']}/w{i}"] for i in range(n_weights)])
    with tf.GradientTape() as tape:
        y = layer(x, training=False)
    grads = tape.gradient(y, [x] + layer.trainable_weights,
                          output_gradients=tf.constant(ARRAYS[f"{case['name']}/dy"]))
    return layer, y, grads


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_and_gradients_match_tf_keras(name):
    case = CASES[name]
    layer, y, grads = _run(case)
    tol = 1e-10 if case["dtype"] == "float64" else 2e-5
    np.testing.assert_allclose(y.numpy(), ARRAYS[f"{name}/y"], rtol=tol, atol=tol)
    np.testing.assert_allclose(grads[0].numpy(), ARRAYS[f"{name}/dx"], rtol=tol, atol=tol)
    for i, g in enumerate(grads[1:]):
        np.testing.assert_allclose(g.numpy(), ARRAYS[f"{name}/dw{i}"], rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_shapes_and_weights_match_tf_keras(name):
    case = CASES[name]
    layer = getattr(layers, case["class"])(**case["kwargs"])
    assert _config_subset(layer.get_config()) == _config_subset(case["config"])
    in_shape = (None,) + tuple(ARRAYS[f"{name}/x"].shape[1:])
    assert list(layer.compute_output_shape(in_shape)) == case["output_shape"]
    layer.build(in_shape)
    assert layer.count_params() == case["count_params"]
    assert [[w.name.split("/")[-1], list(w.shape)] for w in layer.weights] == case["weights"]
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


@pytest.mark.parametrize("cls", sorted(META["config_only"]))
def test_config_only_layers_match_tf_keras(cls):
    for entry in META["config_only"][cls]:
        if not hasattr(layers, cls):
            pytest.skip(f"{cls} is an image layer (tests/keras/test_image_layers.py)")
        ours = _config_subset(getattr(layers, cls)(**entry["kwargs"]).get_config())
        theirs = _config_subset(entry["config"])
        if cls.startswith("SpatialDropout") and cls != "SpatialDropout1D":
            assert ours.pop("data_format") == entry["kwargs"].get("data_format", "channels_last")
        assert ours == theirs


def test_aliases_are_the_same_classes_and_resolve_by_name():
    pairs = [("Convolution2D", "Conv2D"), ("Convolution1DTranspose", "Conv1DTranspose"),
             ("SeparableConvolution2D", "SeparableConv2D"), ("MaxPool2D", "MaxPooling2D"),
             ("AvgPool2D", "AveragePooling2D"), ("AvgPool3D", "AveragePooling3D"),
             ("GlobalAvgPool2D", "GlobalAveragePooling2D"), ("GlobalMaxPool3D", "GlobalMaxPooling3D")]
    for alias, name in pairs:
        assert getattr(layers, alias) is getattr(layers, name)
        layer = layers.deserialize({"class_name": alias, "config": {"name": "x", **(
            {"filters": 2, "kernel_size": 3} if "Conv" in name else {})}})
        assert type(layer) is getattr(layers, name)


def test_global_pooling_1d_names_resolve_to_the_sequence_layers():
    # the 1-D global poolings live with the sequence layers (they take masks); one class per name
    for name, cls in (("GlobalAveragePooling1D", layers.GlobalAveragePooling1D),
                      ("GlobalMaxPooling1D", layers.GlobalMaxPooling1D),
                      ("GlobalAvgPool1D", layers.GlobalAveragePooling1D),
                      ("GlobalMaxPool1D", layers.GlobalMaxPooling1D)):
        assert type(layers.deserialize({"class_name": name, "config": {}})) is cls


def test_automatic_names_are_tf_keras_names():
    made = [layers.Conv2D(1, 1), layers.Conv2DTranspose(1, 1), layers.DepthwiseConv2D(1),
            layers.SeparableConv1D(1, 1), layers.MaxPool2D(), layers.GlobalAvgPool2D(), layers.ZeroPadding2D(),
            layers.UpSampling3D(), layers.SpatialDropout2D(0.1), layers.Conv2D(1, 1)]
    assert [m.name for m in made] == ["conv2d", "conv2d_transpose", "depthwise_conv2d", "separable_conv1d",
                                      "max_pooling2d", "global_average_pooling2d", "zero_padding2d",
                                      "up_sampling3d", "spatial_dropout2d", "conv2d_1"]


def test_image_data_format_is_the_default_of_2d_layers():
    assert keras.backend.image_data_format() == "channels_last"
    keras.backend.set_image_data_format("channels_first")
    try:
        assert layers.Conv2D(2, 3).data_format == "channels_first"
        assert layers.MaxPooling2D().data_format == "channels_first"
        assert layers.Conv1D(2, 3).data_format == "channels_last"   # tf.keras's Conv1D default is explicit
        y = layers.Conv2D(2, 3)(np.zeros((1, 3, 5, 6), "float32"))
        assert y.shape == (1, 2, 3, 4)
    finally:
        keras.backend.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="channels_last"):
        keras.backend.set_image_data_format("NHWC")


# ----------------------------------------------------------------------------- errors users meet

def test_conv2d_on_rank3_input_names_layer_rank_and_fix():
    model = Sequential([layers.Conv2D(8, 3, name="first_conv")])
    with pytest.raises(ValueError) as e:
        model.predict(np.zeros((4, 28, 28), "float32"), verbose=0)
    msg = str(e.value)
    assert "Conv2D 'first_conv'" in msg and "rank 4" in msg and "(None, 28, 28)" in msg
    assert "np.expand_dims(x, -1)" in msg and "Input(shape=(28, 28, 1))" in msg
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d'.*rank 4.*\(None, 28, 28\).*Reshape\(\(28, 28, 1\)\)"):
        layers.Conv2D(8, 3)(layers.Input(shape=(28, 28)))


def test_channels_first_hint_puts_the_axis_first():
    with pytest.raises(ValueError, match=r"np.expand_dims\(x, 1\).*Input\(shape=\(1, 28, 28\)\)"):
        layers.Conv2D(8, 3, data_format="channels_first")(np.zeros((2, 28, 28), "float32"))


def test_wrong_rank_for_pooling_padding_and_transposes():
    for layer, shape in [(layers.MaxPooling2D(), (2, 8, 8)), (layers.Conv2DTranspose(2, 3), (2, 8, 8, 1, 1)),
                         (layers.ZeroPadding2D(), (2, 8)), (layers.GlobalAveragePooling2D(), (2, 8, 3)),
                         (layers.DepthwiseConv2D(3), (2, 5, 5)), (layers.Conv1D(2, 3), (5, 3))]:
        with pytest.raises(ValueError, match=f"{type(layer).__name__} '{layer.name}': expected input of"):
            layer(np.zeros(shape, "float32"))


def test_built_layer_refuses_other_channel_counts():
    layer = layers.Conv2D(4, 3)
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"axis -1 of the input shape to have value 3"):
        layer(np.zeros((1, 5, 5, 2), "float32"))


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "strides > 1"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "causal padding is only supported"),
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(5, 3, groups=2), "divisible by the number of groups"),
    (lambda: layers.Conv2D(4, (3, 3, 3)), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(4, 3, data_format="NHWC"), "data_format"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "greater than output padding"),
    (lambda: layers.MaxPooling2D(pool_size=0), "pool_size"),
    (lambda: layers.ZeroPadding2D(padding=(1, 2, 3)), "padding"),
])
def test_bad_arguments_raise_value_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_unimplemented_tf_interpolation_says_so():
    with pytest.raises(NotImplementedError, match="bicubic.*not implemented in chainrule"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(NotImplementedError, match="not recognized for `interpolation`"):   # tf.keras's type too
        layers.UpSampling2D(interpolation="cubic")


def test_downsampling_to_nothing_and_cropping_everything_are_named():
    with pytest.raises(ValueError, match=r"Conv2D 'conv2d'.*<= 0"):
        layers.Conv2D(2, 5)(layers.Input(shape=(3, 3, 1)))
    with pytest.raises(ValueError, match=r"Cropping2D 'cropping2d'.*leaves nothing"):
        layers.Cropping2D(2)(np.zeros((1, 4, 6, 1), "float32"))
    with pytest.raises(ValueError, match=r"MaxPooling2D 'max_pooling2d'.*does not fit"):
        layers.MaxPooling2D(4)(layers.Input(shape=(3, 8, 1)))


def test_conv_accepts_extra_leading_batch_axes_like_tf_keras():
    layer = layers.Conv1D(3, 2)
    x = np.random.default_rng(0).normal(size=(2, 4, 6, 5)).astype("float32")
    y = layer(x)
    assert y.shape == (2, 4, 5, 3)
    np.testing.assert_allclose(y.numpy()[1], layer(x[1]).numpy(), rtol=1e-6)


def test_unknown_spatial_size_gives_none_and_predict_works_per_size():
    inp = layers.Input(shape=(None, None, 3))
    out = layers.GlobalMaxPooling2D()(layers.MaxPooling2D()(layers.Conv2D(4, 3, padding="same")(inp)))
    model = Model(inp, out)
    assert model.layers[1].output_shape == (None, None, None, 4)
    assert model.predict(np.ones((2, 9, 7, 3), "float32"), verbose=0).shape == (2, 4)
    assert model.predict(np.ones((1, 4, 4, 3), "float32"), verbose=0).shape == (1, 4)


# ----------------------------------------------------------------------------- SpatialDropout

@pytest.mark.parametrize("cls, shape, axes", [(layers.SpatialDropout1D, (64, 5, 40), (1,)),
                                               (layers.SpatialDropout2D, (64, 3, 4, 40), (1, 2)),
                                               (layers.SpatialDropout3D, (32, 2, 3, 2, 40), (1, 2, 3))])
def test_spatial_dropout_drops_whole_channels_only_in_training(cls, shape, axes):
    tf.random.set_seed(3)
    layer = cls(0.5)
    x = np.ones(shape, "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)                  # no training flag: inference
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    spread = y.max(axis=axes) - y.min(axis=axes)                         # constant over the spatial axes
    assert np.all(spread == 0)
    assert 0.35 < (y == 0).mean() < 0.65


def test_spatial_dropout_channels_first_and_global_seed():
    x = np.ones((16, 30, 3, 3), "float32")
    tf.random.set_seed(7)
    a = layers.SpatialDropout2D(0.4, data_format="channels_first")(x, training=True).numpy()
    tf.random.set_seed(7)
    b = layers.SpatialDropout2D(0.4, data_format="channels_first")(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert np.all(a.max(axis=(2, 3)) == a.min(axis=(2, 3)))
    restored = layers.SpatialDropout2D.from_config(layers.SpatialDropout2D(0.4, data_format="channels_first")
                                                   .get_config())
    assert restored.data_format == "channels_first"


# ----------------------------------------------------------------------------- files and summary

EXPECTED = np.load(FIXTURES / "convnet_small_expected.npz", allow_pickle=False)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("fname, x, y", [("convnet_small.h5", "x_small", "y_small"),
                                         ("convnet_small.keras", "x_small", "y_small"),
                                         ("convnet_1d.h5", "x_1d", "y_1d")])
def test_models_saved_by_tf_keras_load_and_predict_the_same(fname, x, y):
    model = keras.models.load_model(FIXTURES / fname)
    np.testing.assert_allclose(model.predict(EXPECTED[x], verbose=0), EXPECTED[y], rtol=1e-5, atol=1e-6)


def _every_layer_model():
    inp = layers.Input(shape=(12, 10, 3))
    t = layers.Conv2D(4, 3, padding="same", activation="relu", kernel_regularizer="l2")(inp)
    t = layers.SeparableConv2D(4, 3, depth_multiplier=2, padding="same")(t)
    t = layers.DepthwiseConv2D(3, padding="same", data_format="channels_last")(t)
    t = layers.SpatialDropout2D(0.2)(t)
    t = layers.MaxPool2D()(t)
    t = layers.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1)(t)
    t = layers.ZeroPadding2D(((1, 0), (0, 2)))(t)
    t = layers.Cropping2D(((0, 1), (1, 1)))(t)
    t = layers.UpSampling2D(interpolation="bilinear")(t)
    t = layers.AvgPool2D(3, strides=2, padding="same")(t)
    t = layers.Conv2D(4, 2, groups=2, data_format="channels_first")(t)
    a = layers.GlobalMaxPool2D()(t)
    v = layers.Reshape((2, 3, 4, 2))(layers.Conv2D(48, 1)(layers.GlobalAvgPool2D(keepdims=True)(t)))
    v = layers.Conv3D(2, 2, padding="same")(layers.ZeroPadding3D(1)(v))
    v = layers.Conv3DTranspose(2, 2, strides=(1, 2, 1))(layers.Cropping3D(((1, 1), (0, 1), (1, 0)))(v))
    v = layers.GlobalAveragePooling3D()(layers.MaxPooling3D(1)(layers.UpSampling3D((1, 1, 2))(v)))
    s = layers.Reshape((6, 4))(layers.Dense(24)(a))
    s = layers.Conv1D(3, 2, padding="causal", dilation_rate=2)(s)
    s = layers.SeparableConv1D(3, 2, padding="same")(layers.DepthwiseConv1D(2, padding="same")(s))
    s = layers.Conv1DTranspose(2, 2, strides=2)(layers.ZeroPadding1D(1)(layers.Cropping1D((1, 0))(s)))
    s = layers.UpSampling1D()(layers.SpatialDropout1D(0.1)(s))
    s = layers.Flatten()(layers.AvgPool1D()(layers.MaxPool1D(1)(s)))
    out = layers.Dense(3, activation="softmax")(layers.Concatenate()([a, v, s]))
    return Model(inp, out)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_every_layer_round_trips_through_keras_and_h5_files(tmp_path, suffix):
    tf.random.set_seed(0)
    model = _every_layer_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(1).normal(size=(4, 12, 10, 3)).astype("float32")
    model.fit(x, np.array([0, 1, 2, 1]), epochs=1, verbose=0)
    path = tmp_path / f"model{suffix}"
    model.save(path)
    restored = keras.models.load_model(path)
    assert [type(layer) for layer in restored.layers] == [type(layer) for layer in model.layers]
    assert [layer.get_config() for layer in restored.layers] == [layer.get_config() for layer in model.layers]
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_conv3d_transpose_refuses_dilation_that_tf_keras_ignores():
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.Conv3DTranspose(2, 2, dilation_rate=2)
    assert "dilation_rate" not in layers.Conv3DTranspose(2, 2).get_config()


def test_one_channel_images_give_the_direct_convolution():
    """The grayscale first layer takes im2col's per-offset path; checked against the definition."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 9, 8, 1))
    layer = layers.Conv2D(4, (3, 2), dtype="float64")
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    expected = np.zeros((3, 7, 7, 4))
    for i in range(7):
        for j in range(7):
            expected[:, i, j] = np.einsum("nhw,hwo->no", x[:, i:i + 3, j:j + 2, 0], kernel[:, :, 0]) + bias
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_a_subclass_can_override_convolution_op(data_format):
    # keras.io "Customizing the convolution operation of a Conv2D layer": a standardized kernel
    class Standardized(keras.layers.Conv2D):
        def convolution_op(self, inputs, kernel):
            mean, var = tf.nn.moments(kernel, axes=[0, 1, 2], keepdims=True)
            return super().convolution_op(inputs, (kernel - mean) / tf.sqrt(var + 1e-10))

    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 6, 6) if data_format == "channels_first" else (2, 6, 6, 3), dtype=np.float32)
    custom = Standardized(4, 3, data_format=data_format, bias_initializer="ones")
    plain = keras.layers.Conv2D(4, 3, data_format=data_format, bias_initializer="ones")
    custom(x), plain(x)
    kernel = custom.kernel.numpy()
    standardized = (kernel - kernel.mean(axis=(0, 1, 2))) / np.sqrt(kernel.var(axis=(0, 1, 2)) + 1e-10)
    plain.set_weights([standardized, custom.bias.numpy()])
    np.testing.assert_allclose(custom(x).numpy(), plain(x).numpy(), rtol=1e-4, atol=1e-5)
    with tf.GradientTape() as tape:  # the override is differentiated through as ordinary ops
        loss = tf.reduce_sum(custom(x) ** 2)
    assert all(g is not None for g in tape.gradient(loss, custom.trainable_variables))
