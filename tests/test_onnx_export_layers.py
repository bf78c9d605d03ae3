"""ONNX export of the convolutional, pooling, image, sequence and attention layers, and of the example models:
each exported file runs in onnxruntime and predicts what chainrule predicts (float32 tolerance)."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import chainrule as tf  # noqa: E402
import chainrule.onnx  # noqa: E402
from chainrule import keras  # noqa: E402
from chainrule.keras import layers  # noqa: E402
from chainrule.keras.layers import Input  # noqa: E402
from chainrule.keras.models import Model, Sequential  # noqa: E402

RNG = np.random.default_rng(0)


def _run(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, feeds)))


def assert_same_predictions(model, feeds, tmp_path, atol=2e-5, rtol=1e-4):
    path = chainrule.onnx.export(model, tmp_path / "model.onnx")
    got = _run(path, feeds)
    want = model.predict(feeds if len(feeds) > 1 else feeds[0], verbose=0)
    want = want if isinstance(want, list) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, atol=atol, rtol=rtol)
    return got


def _normal(*shape):
    return RNG.normal(size=shape).astype("float32")


def _one_layer(layer, shape, batch=3, name="one_layer"):
    keras.utils.set_random_seed(7)
    model = Sequential([Input(shape=shape, name="x"), layer], name=name)
    return model, [_normal(batch, *shape)]


# ----------------------------------------------------------------------------- convolutions

CONVOLUTIONS = {
    "conv1d_valid": (lambda: layers.Conv1D(4, 3), (9, 2)),
    "conv1d_same_stride": (lambda: layers.Conv1D(4, 4, strides=3, padding="same", activation="relu"), (10, 2)),
    "conv1d_causal_dilated": (lambda: layers.Conv1D(3, 3, padding="causal", dilation_rate=2), (9, 2)),
    "conv1d_groups": (lambda: layers.Conv1D(4, 2, groups=2, use_bias=False), (7, 4)),
    "conv1d_channels_first": (lambda: layers.Conv1D(3, 3, padding="same", data_format="channels_first"), (2, 8)),
    "conv2d_valid": (lambda: layers.Conv2D(4, (3, 2), activation="tanh"), (7, 6, 3)),
    "conv2d_same_stride2": (lambda: layers.Conv2D(5, 3, strides=2, padding="same"), (7, 8, 3)),
    "conv2d_same_even_kernel": (lambda: layers.Conv2D(2, 4, strides=(2, 3), padding="same"), (9, 10, 2)),
    "conv2d_dilated_same": (lambda: layers.Conv2D(3, 3, dilation_rate=(2, 1), padding="same"), (8, 7, 2)),
    "conv2d_groups": (lambda: layers.Conv2D(6, 3, groups=3), (6, 6, 3)),
    "conv2d_channels_first": (lambda: layers.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first"),
                              (3, 7, 8)),
    "conv2d_softmax": (lambda: layers.Conv2D(4, 1, activation="softmax"), (3, 3, 2)),
    "conv3d": (lambda: layers.Conv3D(3, 2, strides=(1, 2, 1), padding="same"), (4, 5, 4, 2)),
    "conv3d_channels_first": (lambda: layers.Conv3D(2, 3, data_format="channels_first"), (2, 4, 5, 4)),
    "conv1d_transpose_valid": (lambda: layers.Conv1DTranspose(3, 3, strides=2), (5, 2)),
    "conv1d_transpose_small_kernel": (lambda: layers.Conv1DTranspose(3, 2, strides=3), (4, 2)),
    "conv1d_transpose_same": (lambda: layers.Conv1DTranspose(2, 4, strides=2, padding="same"), (5, 3)),
    "conv1d_transpose_output_padding": (lambda: layers.Conv1DTranspose(2, 3, strides=3, output_padding=2), (4, 2)),
    "conv2d_transpose_same": (lambda: layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
                              (4, 5, 3)),
    "conv2d_transpose_same_small_kernel": (lambda: layers.Conv2DTranspose(2, (1, 2), strides=(2, 3),
                                                                          padding="same"), (3, 4, 2)),
    "conv2d_transpose_same_output_padding": (lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same",
                                                                            output_padding=(1, 0)), (4, 3, 2)),
    "conv2d_transpose_dilated": (lambda: layers.Conv2DTranspose(2, 3, dilation_rate=2), (4, 4, 2)),
    "conv2d_transpose_dilated_same": (lambda: layers.Conv2DTranspose(2, (3, 2), dilation_rate=(2, 3),
                                                                     padding="same"), (4, 5, 2)),
    "conv2d_transpose_channels_first": (lambda: layers.Conv2DTranspose(2, 3, strides=2,
                                                                       data_format="channels_first"), (3, 4, 4)),
    "conv3d_transpose": (lambda: layers.Conv3DTranspose(2, 2, strides=2, padding="same"), (2, 3, 2, 3)),
    "depthwise_conv2d": (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", strides=2), (7, 6, 3)),
    "depthwise_conv2d_channels_first": (lambda: layers.DepthwiseConv2D(2, data_format="channels_first",
                                                                       activation="relu"), (3, 5, 5)),
    "depthwise_conv1d": (lambda: layers.DepthwiseConv1D(3, depth_multiplier=3, dilation_rate=2), (9, 2)),
    "separable_conv2d": (lambda: layers.SeparableConv2D(5, 3, depth_multiplier=2, padding="same",
                                                        activation="relu"), (6, 7, 3)),
    "separable_conv1d_causal": (lambda: layers.SeparableConv1D(4, 3, padding="causal", use_bias=False), (8, 3)),
}


@pytest.mark.parametrize("case", sorted(CONVOLUTIONS))
def test_convolutions(case, tmp_path):
    make, shape = CONVOLUTIONS[case]
    assert_same_predictions(*_one_layer(make(), shape), tmp_path)


def test_convolution_with_unknown_spatial_sizes_runs_at_any_size(tmp_path):
    keras.utils.set_random_seed(8)
    x = Input(shape=(None, None, 2), name="x")
    h = layers.Conv2D(3, 3, strides=2, padding="same")(x)
    h = layers.MaxPooling2D(2, padding="same")(h)
    h = layers.Conv2DTranspose(2, 3, strides=2, padding="same")(h)
    resized = layers.Flatten()(layers.Resizing(4, 3)(x))
    model = Model(x, [layers.Conv1D(2, 3, padding="causal")(layers.Reshape((-1, 2))(h)), resized], name="any_size")
    path = chainrule.onnx.export(model, tmp_path / "m.onnx")
    for size in [(7, 9), (8, 8), (5, 6)]:
        feed = _normal(2, *size, 2)
        for got, want in zip(_run(path, [feed]), model.predict(feed, verbose=0)):
            np.testing.assert_allclose(got, want, atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize("make", [lambda: layers.Conv1DTranspose(2, 2, strides=3),
                                  lambda: layers.Conv1DTranspose(2, 5, strides=2, padding="same"),
                                  lambda: layers.Conv1DTranspose(2, 3, strides=2, padding="same", output_padding=1),
                                  lambda: layers.Conv1DTranspose(2, 4, strides=3, output_padding=2)],
                         ids=["valid_small_kernel", "same", "same_output_padding", "valid_output_padding"])
def test_transposed_convolution_pads_do_not_depend_on_the_length(make, tmp_path):
    keras.utils.set_random_seed(7)
    model = Sequential([Input(shape=(None, 3)), make()])
    path = chainrule.onnx.export(model, tmp_path / "m.onnx")
    for steps in (1, 4, 7):
        feed = _normal(2, steps, 3)
        np.testing.assert_allclose(_run(path, [feed])[0], model.predict(feed, verbose=0), atol=2e-5, rtol=1e-4)


# ----------------------------------------------------------------------------- pooling, padding, resizing

SPATIAL = {
    "max_pool1d": (lambda: layers.MaxPooling1D(3, strides=2, padding="same"), (8, 2)),
    "max_pool2d": (lambda: layers.MaxPooling2D(), (6, 7, 2)),
    "max_pool2d_same": (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (7, 6, 2)),
    "max_pool2d_channels_first": (lambda: layers.MaxPooling2D(2, data_format="channels_first"), (2, 6, 5)),
    "max_pool3d": (lambda: layers.MaxPooling3D(2, padding="same"), (3, 5, 4, 2)),
    "avg_pool1d_same": (lambda: layers.AveragePooling1D(4, strides=3, padding="same"), (10, 2)),
    "avg_pool2d": (lambda: layers.AveragePooling2D((2, 3)), (6, 7, 2)),
    "avg_pool2d_same": (lambda: layers.AveragePooling2D(3, strides=2, padding="same"), (7, 8, 2)),
    "avg_pool3d_same": (lambda: layers.AveragePooling3D(2, strides=(1, 2, 2), padding="same"), (3, 5, 5, 2)),
    "global_avg2d": (lambda: layers.GlobalAveragePooling2D(), (4, 5, 3)),
    "global_max2d_keepdims": (lambda: layers.GlobalMaxPooling2D(keepdims=True), (4, 5, 3)),
    "global_avg3d_channels_first": (lambda: layers.GlobalAveragePooling3D(data_format="channels_first"),
                                    (2, 3, 4, 3)),
    "global_max3d": (lambda: layers.GlobalMaxPooling3D(), (2, 3, 4, 3)),
    "global_avg1d_keepdims": (lambda: layers.GlobalAveragePooling1D(keepdims=True), (5, 3)),
    "global_max1d_channels_first": (lambda: layers.GlobalMaxPooling1D(data_format="channels_first"), (5, 3)),
    "zero_padding1d": (lambda: layers.ZeroPadding1D((1, 2)), (4, 2)),
    "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 0), (2, 3))), (3, 4, 2)),
    "zero_padding2d_channels_first": (lambda: layers.ZeroPadding2D(1, data_format="channels_first"), (2, 3, 4)),
    "zero_padding3d": (lambda: layers.ZeroPadding3D((1, 0, 2)), (2, 3, 2, 2)),
    "cropping1d": (lambda: layers.Cropping1D((1, 2)), (6, 2)),
    "cropping2d": (lambda: layers.Cropping2D(((1, 0), (2, 1))), (5, 6, 2)),
    "cropping2d_channels_first": (lambda: layers.Cropping2D(1, data_format="channels_first"), (2, 5, 4)),
    "cropping3d": (lambda: layers.Cropping3D(((0, 1), (1, 1), (2, 0))), (3, 4, 5, 2)),
    "up_sampling1d": (lambda: layers.UpSampling1D(3), (4, 2)),
    "up_sampling2d": (lambda: layers.UpSampling2D((2, 3)), (3, 4, 2)),
    "up_sampling2d_bilinear": (lambda: layers.UpSampling2D(2, interpolation="bilinear"), (3, 4, 2)),
    "up_sampling2d_channels_first": (lambda: layers.UpSampling2D(2, data_format="channels_first"), (2, 3, 3)),
    "up_sampling3d": (lambda: layers.UpSampling3D((1, 2, 2)), (2, 3, 2, 2)),
    "spatial_dropout2d": (lambda: layers.SpatialDropout2D(0.5), (3, 4, 2)),
    "spatial_dropout1d": (lambda: layers.SpatialDropout1D(0.5), (3, 4)),
    "resizing_bilinear_down": (lambda: layers.Resizing(5, 3), (9, 7, 2)),
    "resizing_bilinear_up": (lambda: layers.Resizing(8, 11), (5, 4, 2)),
    "resizing_nearest": (lambda: layers.Resizing(7, 5, interpolation="nearest"), (4, 9, 2)),
    "center_crop": (lambda: layers.CenterCrop(3, 4), (6, 7, 2)),
    "random_flip": (lambda: layers.RandomFlip(), (5, 5, 2)),
    "random_rotation": (lambda: layers.RandomRotation(0.2), (5, 5, 2)),
    "random_zoom": (lambda: layers.RandomZoom(0.1), (5, 5, 2)),
    "random_translation": (lambda: layers.RandomTranslation(0.1, 0.1), (5, 5, 2)),
    "random_contrast": (lambda: layers.RandomContrast(0.3), (5, 5, 2)),
    "random_crop_same_size": (lambda: layers.RandomCrop(5, 5), (5, 5, 2)),
    "random_crop_resizes_at_inference": (lambda: layers.RandomCrop(4, 3), (6, 7, 2)),
    "center_crop_of_a_smaller_image": (lambda: layers.CenterCrop(8, 5), (6, 7, 2)),
    "resizing_crop_to_aspect_ratio": (lambda: layers.Resizing(4, 6, crop_to_aspect_ratio=True), (9, 7, 2)),
    "resizing_crop_to_aspect_ratio_nearest": (lambda: layers.Resizing(5, 3, interpolation="nearest",
                                                                      crop_to_aspect_ratio=True), (8, 9, 2)),
}


@pytest.mark.parametrize("case", sorted(SPATIAL))
def test_pooling_padding_resizing_and_image_layers(case, tmp_path):
    make, shape = SPATIAL[case]
    assert_same_predictions(*_one_layer(make(), shape), tmp_path)


def test_image_layers_cast_integer_pixels(tmp_path):
    x = Input(shape=(6, 6, 1), dtype="uint8", name="pixels")
    model = Model(x, layers.CenterCrop(4, 4)(layers.RandomFlip()(x)), name="uint8_images")
    feed = RNG.integers(0, 255, size=(2, 6, 6, 1)).astype("uint8")
    np.testing.assert_allclose(_run(chainrule.onnx.export(model, tmp_path / "m.onnx"), [feed])[0],
                               model.predict(feed, verbose=0))


# ----------------------------------------------------------------------------- sequences

def _ids(batch, steps, vocab, zeros_at_end=0):
    ids = RNG.integers(1, vocab, size=(batch, steps)).astype("int32")
    if zeros_at_end:
        ids[:, steps - zeros_at_end:] = 0
    return ids


RECURRENT = {
    "simple_rnn": lambda: layers.SimpleRNN(5),
    "simple_rnn_relu_sequences": lambda: layers.SimpleRNN(4, activation="relu", return_sequences=True),
    "lstm": lambda: layers.LSTM(6),
    "lstm_sequences_backwards": lambda: layers.LSTM(4, return_sequences=True, go_backwards=True),
    "lstm_state": lambda: layers.LSTM(3, return_state=True),
    "lstm_no_bias_hard_sigmoid": lambda: layers.LSTM(4, use_bias=False, recurrent_activation="hard_sigmoid"),
    "lstm_unit_forget_bias_off": lambda: layers.LSTM(4, unit_forget_bias=False, bias_initializer="random_normal"),
    "simple_rnn_linear": lambda: layers.SimpleRNN(3, activation=None),
    "gru_hard_sigmoid_linear": lambda: layers.GRU(3, recurrent_activation="hard_sigmoid", activation="linear"),
    "lstm_relu_softsign": lambda: layers.LSTM(3, activation="relu", recurrent_activation="softsign"),
    "gru_selu_in_a_scan": lambda: layers.GRU(3, activation="selu", return_sequences=True, go_backwards=True),
    "lstm_gelu_state_in_a_scan": lambda: layers.LSTM(3, recurrent_activation="gelu", return_state=True),
    "gru_reset_after": lambda: layers.GRU(5, bias_initializer="random_normal"),
    "gru_no_bias": lambda: layers.GRU(3, use_bias=False, return_sequences=True),
    "gru_no_bias_reset_before": lambda: layers.GRU(3, use_bias=False, reset_after=False),
    "bidirectional_concat_state": lambda: layers.Bidirectional(layers.GRU(2, return_state=True,
                                                                          return_sequences=True)),
    "gru_reset_before": lambda: layers.GRU(5, reset_after=False, bias_initializer="random_normal",
                                          return_sequences=True),
    "gru_backwards_state": lambda: layers.GRU(4, go_backwards=True, return_state=True, return_sequences=True),
    "bidirectional_concat": lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
    "bidirectional_sum": lambda: layers.Bidirectional(layers.GRU(3), merge_mode="sum"),
    "bidirectional_mul": lambda: layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode="mul"),
    "bidirectional_ave": lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="ave"),
    "bidirectional_none_state": lambda: layers.Bidirectional(layers.LSTM(2, return_state=True), merge_mode=None),
    "bidirectional_backward_layer": lambda: layers.Bidirectional(
        layers.LSTM(3, return_sequences=True), backward_layer=layers.GRU(3, return_sequences=True,
                                                                         go_backwards=True)),
    "rnn_of_lstm_cell": lambda: layers.RNN(layers.LSTMCell(3), return_sequences=True),
    "rnn_of_stacked_cells_backwards_state": lambda: layers.RNN(
        layers.StackedRNNCells([layers.LSTMCell(3), layers.GRUCell(2), layers.SimpleRNNCell(2)]),
        go_backwards=True, return_sequences=True, return_state=True),
    "rnn_of_stacked_cells_selu": lambda: layers.RNN(
        layers.StackedRNNCells([layers.SimpleRNNCell(3, activation="selu"), layers.GRUCell(2)])),
    "bidirectional_rnn_of_gru_cell": lambda: layers.Bidirectional(layers.RNN(layers.GRUCell(2),
                                                                             return_sequences=True)),
    "time_distributed_dense": lambda: layers.TimeDistributed(layers.Dense(4, activation="softmax")),
}


def _randomize(model):
    """Non-trivial recurrent biases (zeros by default) so the gate order is checked too."""
    for w in model.weights:
        if "bias" in w.name:
            w.assign(RNG.normal(scale=0.5, size=w.shape).astype("float32"))


@pytest.mark.parametrize("case", sorted(RECURRENT))
def test_recurrent_layers(case, tmp_path):
    keras.utils.set_random_seed(9)
    x = Input(shape=(6, 3), name="x")
    out = RECURRENT[case]()(x)
    model = Model(x, out, name="recurrent")
    _randomize(model)
    assert_same_predictions(model, [_normal(4, 6, 3)], tmp_path)


def test_recurrent_layer_with_initial_states_and_unknown_steps(tmp_path):
    keras.utils.set_random_seed(10)
    x, h, c = Input(shape=(None, 3), name="x"), Input(shape=(4,), name="h"), Input(shape=(4,), name="c")
    seq = layers.LSTM(4, return_sequences=True)(x, initial_state=[h, c])
    gru = layers.GRU(4)(seq, initial_state=h)
    model = Model([x, h, c], layers.Add()([gru, layers.SimpleRNN(4)(x, initial_state=[c])]), name="states")
    _randomize(model)
    for steps in (2, 7):
        assert_same_predictions(model, [_normal(3, steps, 3), _normal(3, 4), _normal(3, 4)], tmp_path)


def test_embedding_repeat_vector_and_time_major_shapes(tmp_path):
    keras.utils.set_random_seed(11)
    ids = Input(shape=(5,), dtype="int32", name="ids")
    e = layers.Embedding(20, 4)(ids)
    last = layers.LSTM(3)(e)
    rep = layers.RepeatVector(4)(last)
    model = Model(ids, layers.TimeDistributed(layers.Dense(2))(layers.SimpleRNN(3, return_sequences=True)(rep)),
                  name="embedding")
    assert_same_predictions(model, [_ids(3, 5, 20)], tmp_path)


def test_embedding_of_float_ids_truncates_like_the_layer(tmp_path):
    model, _ = _one_layer(layers.Embedding(10, 3), (4,))
    feed = RNG.uniform(0, 9.99, size=(2, 4)).astype("float32")
    assert_same_predictions(model, [feed], tmp_path)


def test_masks_from_embedding_and_masking_reach_global_average_pooling(tmp_path):
    keras.utils.set_random_seed(12)
    ids = Input(shape=(6,), dtype="int32", name="ids")
    pooled = layers.GlobalAveragePooling1D()(layers.Dropout(0.3)(layers.Dense(4)(layers.Embedding(9, 4,
                                                                                                   mask_zero=True)(ids))))
    model = Model(ids, layers.Dense(1, activation="sigmoid")(pooled), name="masked_pool")
    feed = _ids(4, 6, 9)
    feed[0, 2:] = 0
    feed[1, :3] = 0        # padding in front: the mask is applied wherever it is
    feed[2, 1::2] = 0
    assert_same_predictions(model, [feed], tmp_path)

    x = Input(shape=(5, 3), name="x")
    model = Model(x, layers.GlobalAveragePooling1D()(layers.Masking(mask_value=0.0)(x)), name="masking")
    feed = _normal(3, 5, 3)
    feed[0, 3:] = 0.0
    feed[1, 0] = 0.0
    assert_same_predictions(model, [feed], tmp_path)
    model = Sequential([Input(shape=(5, 3)), layers.Masking(mask_value=0.0)], name="masking_alone")
    assert_same_predictions(model, [feed], tmp_path)


MASKED_RECURRENT = {
    "lstm": lambda: layers.LSTM(3),
    "lstm_sequences_state": lambda: layers.LSTM(3, return_sequences=True, return_state=True),
    "lstm_backwards_sequences": lambda: layers.LSTM(3, go_backwards=True, return_sequences=True),
    "gru_reset_after": lambda: layers.GRU(3, return_sequences=True, bias_initializer="random_normal"),
    "gru_reset_before_backwards": lambda: layers.GRU(3, reset_after=False, go_backwards=True),
    "simple_rnn_zero_output": lambda: layers.SimpleRNN(3, return_sequences=True, zero_output_for_mask=True),
    "lstm_selu": lambda: layers.LSTM(2, activation="selu", return_sequences=True),
    "bidirectional_sequences": lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
    "bidirectional_last_state": lambda: layers.Bidirectional(layers.GRU(2, return_state=True), merge_mode="sum"),
    "gru_no_bias_in_a_scan": lambda: layers.GRU(3, use_bias=False, reset_after=False, return_sequences=True),
    "rnn_of_stacked_cells_backwards": lambda: layers.RNN(layers.StackedRNNCells([layers.GRUCell(3),
                                                                                layers.LSTMCell(2)]),
                                                         go_backwards=True, return_sequences=True),
}


@pytest.mark.parametrize("case", sorted(MASKED_RECURRENT))
def test_recurrent_layers_apply_masks_wherever_the_padding_is(case, tmp_path):
    """Keras skips masked steps (states carried, output repeated or zero) wherever they are: a Scan of the cell."""
    keras.utils.set_random_seed(22)
    ids = Input(shape=(6,), dtype="int32", name="ids")
    out = MASKED_RECURRENT[case]()(layers.Embedding(9, 4, mask_zero=True)(ids))
    model = Model(ids, out, name="masked_rnn")
    _randomize(model)
    feed = _ids(5, 6, 9)
    feed[0, 4:] = 0        # padding at the end
    feed[1, :2] = 0        # in front (pad_sequences' default)
    feed[2, 1::2] = 0      # anywhere
    feed[3, :] = 0         # no real step at all
    assert_same_predictions(model, [feed], tmp_path)


def test_masked_recurrent_layers_with_initial_states_and_a_mask_downstream(tmp_path):
    keras.utils.set_random_seed(23)
    ids, h = Input(shape=(None,), dtype="int32", name="ids"), Input(shape=(3,), name="h")
    seq = layers.GRU(3, return_sequences=True)(layers.Embedding(9, 4, mask_zero=True)(ids), initial_state=h)
    pooled = layers.GlobalAveragePooling1D()(layers.LSTM(3, return_sequences=True)(seq))   # the mask passes on
    model = Model([ids, h], pooled, name="masked_states")
    _randomize(model)
    feed = _ids(3, 5, 9)
    feed[0, 3:] = 0
    feed[1, 0] = 0
    assert_same_predictions(model, [feed, _normal(3, 3)], tmp_path)


def test_layer_that_would_apply_a_mask_it_cannot_is_refused(tmp_path):
    ids = Input(shape=(6,), dtype="int32")
    inner = Model(x := Input(shape=(6, 4)), layers.Dense(2)(x), name="inner")
    model = Model(ids, inner(layers.Embedding(9, 4, mask_zero=True)(ids)))
    with pytest.raises(chainrule.onnx.ExportError, match="layer 'inner' \\(Model\\) applies the mask of its "
                                                         "input.*mask_zero=False"):
        chainrule.onnx.export(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_time_distributed_dense_passes_a_mask_on(tmp_path):
    keras.utils.set_random_seed(13)
    ids = Input(shape=(5,), dtype="int32")
    h = layers.TimeDistributed(layers.Dense(3))(layers.Embedding(7, 4, mask_zero=True)(ids))
    model = Model(ids, layers.GlobalAveragePooling1D()(h), name="td_mask")
    feed = _ids(3, 5, 7)
    feed[:, 3:] = 0
    assert_same_predictions(model, [feed], tmp_path)


# ----------------------------------------------------------------------------- attention and normalization

NORMALIZATION = {
    "layer_norm": (lambda: layers.LayerNormalization(), (4, 6)),
    "layer_norm_two_axes": (lambda: layers.LayerNormalization(axis=[1, 2], epsilon=1e-6), (4, 6)),
    "layer_norm_middle_axis": (lambda: layers.LayerNormalization(axis=1, center=False), (4, 6)),
    "layer_norm_no_scale": (lambda: layers.LayerNormalization(scale=False), (3, 4, 5)),
    "einsum_dense": (lambda: layers.EinsumDense("abc,cd->abd", output_shape=(None, 5), bias_axes="d",
                                                activation="relu"), (4, 6)),
    "einsum_dense_heads": (lambda: layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de"),
                           (4, 6)),
}


@pytest.mark.parametrize("case", sorted(NORMALIZATION))
def test_layer_normalization_and_einsum_dense(case, tmp_path):
    make, shape = NORMALIZATION[case]
    model, feeds = _one_layer(make(), shape)
    _randomize(model)
    for w in model.weights:
        if "gamma" in w.name:
            w.assign(RNG.uniform(0.5, 1.5, size=w.shape).astype("float32"))
    assert_same_predictions(model, feeds, tmp_path)


def test_layer_normalization_before_opset_17_is_decomposed(tmp_path):
    model, feeds = _one_layer(layers.LayerNormalization(), (4, 6))
    proto = chainrule.onnx.to_model_proto(model, opset=13)
    assert "LayerNormalization" not in {n.op_type for n in proto.graph.node}
    path = tmp_path / "m13.onnx"
    path.write_bytes(proto.SerializeToString())
    np.testing.assert_allclose(_run(path, feeds)[0], model.predict(feeds[0], verbose=0), atol=2e-5)


def test_multi_head_attention_self_and_cross(tmp_path):
    keras.utils.set_random_seed(14)
    q, v = Input(shape=(4, 6), name="q"), Input(shape=(5, 3), name="v")
    self_att = layers.MultiHeadAttention(num_heads=2, key_dim=3)(q, q)
    cross, scores = layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=7)(
        q, v, return_attention_scores=True)
    key = Input(shape=(5, 2), name="k")
    keyed = layers.MultiHeadAttention(num_heads=1, key_dim=4, use_bias=False)(q, v, key)
    model = Model([q, v, key], [self_att, cross, scores, keyed], name="mha")
    _randomize(model)
    assert_same_predictions(model, [_normal(3, 4, 6), _normal(3, 5, 3), _normal(3, 5, 2)], tmp_path)


def test_multi_head_attention_masks(tmp_path):
    keras.utils.set_random_seed(15)
    ids = Input(shape=(5,), dtype="int32", name="ids")
    m = Input(shape=(5, 5), name="m")
    e = layers.Embedding(8, 4, mask_zero=True)(ids)
    auto = layers.MultiHeadAttention(num_heads=2, key_dim=2)(e, e)              # query and value masks
    causal = layers.MultiHeadAttention(num_heads=2, key_dim=2)(auto, auto, use_causal_mask=True)
    explicit = layers.MultiHeadAttention(num_heads=1, key_dim=3)(causal, causal, attention_mask=m)
    model = Model([ids, m], layers.GlobalAveragePooling1D()(explicit), name="mha_masks")
    feed = _ids(3, 5, 8)
    feed[0, 3:] = 0
    feed[1, 0] = 0
    mask = (RNG.uniform(size=(3, 5, 5)) > 0.3).astype("float32")
    assert_same_predictions(model, [feed, mask], tmp_path, atol=5e-5)


def test_multi_head_attention_over_two_axes(tmp_path):
    keras.utils.set_random_seed(16)
    x = Input(shape=(3, 4, 5), name="x")
    model = Model(x, layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2))(x, x), name="axes")
    assert_same_predictions(model, [_normal(2, 3, 4, 5)], tmp_path)


# ----------------------------------------------------------------------------- refusals

def test_refusals_name_the_layer_and_the_reason(tmp_path):
    def refused(model, pattern):
        with pytest.raises(chainrule.onnx.ExportError, match=pattern):
            chainrule.onnx.export(model, tmp_path / "r.onnx")

    x = Input(shape=(4, 3), batch_size=2)
    refused(Model(x, layers.LSTM(2, stateful=True, name="st")(x)), "recurrent layer 'st' is stateful")
    refused(Model(x, layers.GRU(2, activation=lambda v: v * 2, name="custom")(x)),
            "layer 'custom' uses the activation .*which has no ONNX form")
    any_size = Input(shape=(None, None, 2))
    for layer in [layers.Resizing(3, 4, crop_to_aspect_ratio=True, name="rz"), layers.CenterCrop(3, 4, name="cc"),
                  layers.RandomCrop(3, 4, name="rc")]:
        refused(Model(any_size, layer(any_size)),
                f"'{layer.name}' \\({type(layer).__name__}\\) crops or resizes images of unknown size")
    seq = Input(shape=(None, 3))
    refused(Model(seq, layers.MultiHeadAttention(1, 2, name="cm")(seq, seq, use_causal_mask=True)),
            "'cm' uses use_causal_mask=True with an unknown number of steps")
    refused(Model(seq, layers.Attention(name="at")([seq, seq], use_causal_mask=True)),
            "Attention layer 'at' uses a causal mask with an unknown number of steps")
    five = Input(shape=(2, 3, 4, 2))
    refused(Model(five, layers.Conv2D(2, 2, name="c5")(five)), "'c5' \\(Conv2D\\) is called on inputs of rank 5")

    class MinimalCell(layers.Layer):
        state_size = 2

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (input_shape[-1], 2))

        def call(self, inputs, states):
            h = tf.matmul(inputs, self.kernel) + states[0]
            return h, [h]

    refused(Model(seq, layers.RNN(MinimalCell(name="minimal"), name="custom_rnn")(seq)),
            "recurrent layer 'custom_rnn' runs the cell 'minimal' \\(MinimalCell\\)")
    a, b = Input(shape=(3, 4)), Input(shape=(3, 4))
    refused(Model([a, b], layers.TimeDistributed(layers.Add(), name="tda")([a, b])),
            "TimeDistributed layer 'tda' has several inputs or outputs")
    flat = Input(shape=(5, 5))
    refused(Model(flat, layers.RandomFlip(name="rf")(flat)), "'rf' \\(RandomFlip\\) is exported for batches of images")
    ids = Input(shape=(4,), dtype="int32")
    e = layers.Embedding(5, 3, mask_zero=True)
    joined = layers.Concatenate(axis=1)([e(ids), e(ids)])      # its mask is the two masks joined: not exported
    refused(Model(ids, layers.GlobalAveragePooling1D(name="gap")(joined)),
            "layer 'gap' \\(GlobalAveragePooling1D\\) reads a mask that the export cannot compute")



def test_a_masking_block_without_input_shape_inside_a_sequential_exports(tmp_path):
    # Called on the outer model's Input, the inner Sequential builds a graph of its own, so its mask exports
    block = Sequential([layers.Masking(name="msk"), layers.GlobalAveragePooling1D()], name="block")
    model = Sequential([Input(shape=(4, 3)), block])
    x = _normal(2, 4, 3)
    x[0, 2:] = 0.0
    assert_same_predictions(model, [x], tmp_path)


def test_explicit_mask_argument_is_refused(tmp_path):
    x, m = Input(shape=(4, 3)), Input(shape=(4,), dtype="bool")
    model = Model([x, m], layers.LSTM(2, name="l")(x, mask=m))
    with pytest.raises(chainrule.onnx.ExportError, match="layer 'l' is called with an explicit mask= argument"):
        chainrule.onnx.export(model, tmp_path / "m.onnx")


# ----------------------------------------------------------------------------- the example models

def _example_models():
    """The architectures of examples/*.py (each script's model, built here with its hyper-parameters).

    Built inside the test, not at import: layers made at collection time would take default names
    (``rescaling``...) that other test modules in the same worker expect to get."""
    keras.utils.set_random_seed(17)
    out = {}
    out["mnist_convnet"] = (keras.Sequential([
        keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)), layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)), layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")]), lambda n: RNG.uniform(0, 1, (n, 28, 28, 1)).astype("float32"))
    augmentation = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.02),
                                     layers.RandomZoom(0.1), layers.RandomTranslation(0.05, 0.05)],
                                    name="data_augmentation")
    out["fashion_mnist_augmentation"] = (keras.Sequential([
        keras.Input(shape=(28, 28, 1)), augmentation, layers.Rescaling(1.0 / 255),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(), layers.Flatten(),
        layers.Dense(128, activation="relu"), layers.Dropout(0.5), layers.Dense(10, activation="softmax")],
        name="fashion_cnn"), lambda n: RNG.uniform(0, 255, (n, 28, 28, 1)).astype("float32"))
    text = keras.Sequential()
    text.add(layers.Embedding(10000, 16, input_shape=(None,)))
    text.add(layers.GlobalAveragePooling1D())
    text.add(layers.Dense(16, activation="relu"))
    text.add(layers.Dense(1, activation="sigmoid"))
    out["imdb_text_classification"] = (text, lambda n: _ids(n, 256, 10000, zeros_at_end=40).astype("float32"))
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(20000, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    out["imdb_bidirectional_lstm"] = (keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x)),
                                      lambda n: _ids(n, 30, 20000))
    addition = keras.Sequential()
    addition.add(layers.LSTM(128, input_shape=(7, 12)))
    addition.add(layers.RepeatVector(4))
    addition.add(layers.LSTM(128, return_sequences=True))
    addition.add(layers.Dense(12, activation="softmax"))
    out["addition_rnn"] = (addition, lambda n: np.eye(12, dtype="float32")[RNG.integers(0, 12, (n, 7))])
    return out


EXAMPLES = ["addition_rnn", "fashion_mnist_augmentation", "imdb_bidirectional_lstm", "imdb_text_classification",
            "mnist_convnet"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_models_predict_the_same_in_onnxruntime(name, tmp_path):
    model, data = _example_models()[name]
    _randomize(model)
    assert_same_predictions(model, [data(4)], tmp_path, atol=5e-5)


def _load_transformer_example(monkeypatch):
    import importlib.util
    import pathlib
    examples = pathlib.Path(__file__).resolve().parent.parent / "examples"
    monkeypatch.syspath_prepend(str(examples))
    spec = importlib.util.spec_from_file_location("imdb_transformer_example", examples / "imdb_transformer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_transformer_example_exports_with_converters_registered_for_its_custom_layers(tmp_path, monkeypatch):
    """examples/imdb_transformer.py's TokenAndPositionEmbedding and TransformerBlock are subclassed layers
    (Python code in call()), which no generic converter can read; register_converter gives them one, built
    from the converters of the layers they hold."""
    example = _load_transformer_example(monkeypatch)
    keras.utils.set_random_seed(18)
    maxlen, vocab_size, embed_dim, num_heads, ff_dim = 200, 20000, 32, 2, 32
    inputs = layers.Input(shape=(maxlen,))
    x = example.TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(inputs)
    x = example.TransformerBlock(embed_dim, num_heads, ff_dim)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    model = keras.Model(inputs=inputs, outputs=layers.Dense(2, activation="softmax")(x))
    feed = _ids(3, maxlen, vocab_size).astype("float32")

    with pytest.raises(chainrule.onnx.ExportError, match="no converter for layer .*TokenAndPositionEmbedding"):
        chainrule.onnx.export(model, tmp_path / "t.onnx")

    @chainrule.onnx.register_converter(example.TokenAndPositionEmbedding)
    def convert_token_and_position(ctx, layer, inputs, node):
        steps = node.input_tensors[0].shape[1]
        (tokens,) = ctx.convert_sublayer(layer.token_emb, inputs, [((None, steps), "float32")],
                                         [((None, steps, embed_dim), "float32")])
        length = ctx.op("Squeeze", [ctx.op("Slice", [ctx.op("Shape", [inputs[0]]), ctx.ints([-1]), ctx.ints([2])])])
        positions = ctx.op("Range", [ctx.constant(np.int64(0), "zero"), length, ctx.constant(np.int64(1), "one")])
        (embedded,) = ctx.convert_sublayer(layer.pos_emb, [positions], [((steps,), "int64")],
                                           [((steps, embed_dim), "float32")])
        return [ctx.op("Add", [tokens, embedded], name=layer.name)]

    @chainrule.onnx.register_converter(example.TransformerBlock)
    def convert_transformer_block(ctx, layer, inputs, node):
        spec = (tuple(node.input_tensors[0].shape), "float32")

        def sub(inner, *xs):
            return ctx.convert_sublayer(inner, list(xs), [spec] * len(xs), [spec])[0]
        x = inputs[0]
        out1 = sub(layer.layernorm1, ctx.op("Add", [x, sub(layer.att, x, x)]))   # dropout: the identity
        return [sub(layer.layernorm2, ctx.op("Add", [out1, sub(layer.ffn, out1)]))]

    assert_same_predictions(model, [feed], tmp_path, atol=5e-5)


DENSE_ATTENTION = {
    "dot": lambda: layers.Attention(),
    "dot_scaled": lambda: layers.Attention(use_scale=True),
    "concat": lambda: layers.Attention(score_mode="concat", use_scale=True),
    "additive": lambda: layers.AdditiveAttention(),
    "additive_unscaled": lambda: layers.AdditiveAttention(use_scale=False),
}


@pytest.mark.parametrize("case", sorted(DENSE_ATTENTION))
def test_dense_attention_layers_with_masks_keys_and_scores(case, tmp_path):
    keras.utils.set_random_seed(19)
    q_ids, v_ids = Input(shape=(4,), dtype="int32", name="q"), Input(shape=(5,), dtype="int32", name="v")
    embed = layers.Embedding(9, 3, mask_zero=True)
    q, v = embed(q_ids), embed(v_ids)
    key = layers.Dense(3)(v)
    plain, scores = DENSE_ATTENTION[case]()([q, v], return_attention_scores=True)
    keyed = DENSE_ATTENTION[case]()([q, v, key])
    same = Input(shape=(4, 3), name="s")
    causal = DENSE_ATTENTION[case]()([same, same], use_causal_mask=True)
    model = Model([q_ids, v_ids, same], [plain, scores, keyed, causal], name="dense_attention")
    for w in model.weights:
        if "scale" in w.name or "concat_score_weight" in w.name:
            w.assign(RNG.uniform(0.5, 1.5, size=w.shape).astype("float32"))
    qf, vf = _ids(3, 4, 9), _ids(3, 5, 9)
    qf[0, 3:] = 0
    vf[1, 2:] = 0
    vf[2, 0] = 0
    assert_same_predictions(model, [qf, vf, _normal(3, 4, 3)], tmp_path)


def test_recurrent_layer_in_time_major_layout(tmp_path):
    keras.utils.set_random_seed(20)
    x = Input(shape=(2, 3), name="x")             # time-major: (steps, batch, features)
    model = Model(x, [layers.LSTM(4, time_major=True, return_sequences=True)(x),
                      layers.GRU(2, time_major=True, go_backwards=True, return_sequences=True)(x)], name="tm")
    feed = _normal(5, 2, 3)
    got = _run(chainrule.onnx.export(model, tmp_path / "tm.onnx"), [feed])
    for g, w in zip(got, model(feed)):
        np.testing.assert_allclose(g, w.numpy(), atol=2e-5, rtol=1e-4)


def test_masks_through_merges_concatenation_and_cross_attention(tmp_path):
    keras.utils.set_random_seed(21)
    a, b = Input(shape=(5,), dtype="int32", name="a"), Input(shape=(5,), dtype="int32", name="b")
    ea, eb = layers.Embedding(9, 4, mask_zero=True)(a), layers.Embedding(9, 4, mask_zero=True)(b)
    dense = layers.Dense(4)(layers.Dense(4)(ea))                       # no mask of its own: keeps a's
    added = layers.GlobalAveragePooling1D()(layers.Add()([ea, eb]))    # a's and b's masks and-ed
    joined = layers.GlobalAveragePooling1D()(layers.Concatenate()([ea, eb, dense]))
    cross = layers.GlobalAveragePooling1D()(layers.MultiHeadAttention(2, 2)(ea, eb))   # keeps the query's mask
    model = Model([a, b], [added, joined, cross], name="mask_merges")
    fa, fb = _ids(4, 5, 9), _ids(4, 5, 9)
    fa[0, 3:] = 0
    fb[0, 1:3] = 0
    fa[1, 0] = 0
    fb[2, 4] = 0
    assert_same_predictions(model, [fa, fb], tmp_path)


# ----------------------------------------------------------------------------- functional-API ops

def test_functional_api_ops_on_keras_tensors(tmp_path):
    keras.utils.set_random_seed(24)
    x, y = Input(shape=(3, 4), name="x"), Input(shape=(1, 4), name="y")
    h = layers.Dense(4)(x)
    outs = [h + y, x - 1.5, 2.0 * x, x / (tf.abs(y) + 1.0), -x, tf.abs(x) ** 0.5, 1.0 - x, tf.maximum(x, 0.2),
            tf.minimum(h, y), tf.reduce_mean(x, axis=1), tf.reduce_sum(x, axis=[1, 2], keepdims=True),
            tf.reduce_max(x, keepdims=True), tf.math.reduce_min(x, axis=-1), tf.reshape(x, (-1, 12)),
            tf.transpose(x, (0, 2, 1)),
            tf.concat([x, h, 3.0 * x], axis=-1), tf.nn.relu(x), tf.matmul(x, h, transpose_b=True),
            tf.matmul(x, h, transpose_a=True), tf.expand_dims(y, 1),
            tf.squeeze(y, 1), tf.squeeze(tf.expand_dims(y, -1)), tf.math.sqrt(tf.abs(x)), tf.exp(x),
            tf.math.log(tf.abs(x) + 1.0),
            tf.tanh(x), tf.sigmoid(x), tf.square(x), tf.math.rsqrt(tf.abs(x) + 1.0), tf.nn.softmax(x, axis=1),
            tf.nn.softmax(x), tf.cast(tf.cast(x * 3.0, "int32"), "float32"),
            x[:, 1:], x[..., 0], x[:, None, ::2, 1], x[:, ::-1, -2:], x[:, -1]]
    model = Model([x, y], outs, name="ops")
    assert_same_predictions(model, [_normal(3, 3, 4), _normal(3, 1, 4)], tmp_path)


def test_residual_transformer_written_with_operators(tmp_path):
    keras.utils.set_random_seed(25)
    x = Input(shape=(5, 8), name="x")
    attended = layers.MultiHeadAttention(2, 4)(x, x)
    h = layers.LayerNormalization()(x + attended)
    h = layers.LayerNormalization()(h + layers.Dense(8)(layers.Dense(16, activation="gelu")(h)))
    model = Model(x, tf.reduce_mean(h, axis=1), name="functional_transformer")
    assert_same_predictions(model, [_normal(3, 5, 8)], tmp_path)


def test_unexported_functional_op_is_refused(tmp_path):
    x = Input(shape=(3,))
    model = Model(x, tf.math.cumsum(x, axis=1))
    with pytest.raises(chainrule.onnx.ExportError, match="applies tf.math.cumsum, which has no ONNX converter"):
        chainrule.onnx.export(model, tmp_path / "m.onnx")
    x, i = Input(shape=(3, 4)), Input(shape=(), dtype="int32")
    for out, pattern in [(x[:, i[0]], "indexes with a Keras tensor"), (x[:, [0, 2]], "indexes with \\[0, 2\\]"),
                         (tf.reshape(x, (None, 12)), "needs a shape of known non-zero ints")]:
        with pytest.raises(chainrule.onnx.ExportError, match=pattern):
            chainrule.onnx.export(Model([x, i], out), tmp_path / "m.onnx")


@pytest.mark.parametrize("make", [lambda: layers.Normalization(), lambda: layers.Normalization(axis=None),
                                  lambda: layers.Normalization(invert=True),
                                  lambda: layers.Normalization(mean=[1.0, 2.0, 0.0, -1.0], variance=[4, 1, 0, 2])],
                         ids=["adapted", "scalar", "invert", "given"])
def test_normalization_layer(make, tmp_path):
    layer = make()
    data = _normal(20, 4) * 3.0 + 1.0
    if layer.input_mean is None:
        layer.adapt(data)
    model = Sequential([Input(shape=(4,), dtype="float64"), layer], name="normalization")
    assert_same_predictions(model, [data[:5].astype("float64")], tmp_path)


def test_loss_and_metric_branches_are_left_out(tmp_path):
    keras.utils.set_random_seed(26)
    x = Input(shape=(3,), name="x")
    h = layers.Dense(2)(x)
    model = Model(x, layers.Dense(1)(h), name="with_losses")
    model.add_loss(tf.reduce_mean(tf.math.cumsum(h, axis=1)))      # cumsum has no converter: never reached
    model.add_metric(tf.reduce_sum(h), name="total")
    assert_same_predictions(model, [_normal(4, 3)], tmp_path)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization(mode, tmp_path):
    shape = (1,) if mode == "one_hot" else (3,)
    layer = layers.Discretization(bin_boundaries=[-1.0, 0.0, 0.5, 2.0], output_mode=mode)
    model = Sequential([Input(shape=shape), layer], name="discretization")
    feed = RNG.choice([-2.0, -1.0, -0.3, 0.0, 0.5, 0.7, 2.0, 3.0], size=(6,) + shape).astype("float32")
    assert_same_predictions(model, [feed], tmp_path)


@pytest.mark.parametrize("mode, shape", [("one_hot", ()), ("one_hot", (1,)), ("multi_hot", (4,)), ("count", (4,))])
def test_category_encoding(mode, shape, tmp_path):
    model = Sequential([Input(shape=shape, dtype="int32"), layers.CategoryEncoding(5, output_mode=mode)],
                       name="category_encoding")
    assert_same_predictions(model, [RNG.integers(0, 5, size=(6,) + shape).astype("int32")], tmp_path)


def test_category_encoding_refusals(tmp_path):
    x, w = Input(shape=(4,), dtype="int32"), Input(shape=(4,))
    with pytest.raises(chainrule.onnx.ExportError, match="'ce' \\(CategoryEncoding\\) is called with count_weights"):
        chainrule.onnx.export(Model([x, w], layers.CategoryEncoding(5, output_mode="count", name="ce")(
            x, count_weights=w)), tmp_path / "m.onnx")
    with pytest.raises(chainrule.onnx.ExportError, match="takes inputs of rank 2 at most, got shape \\(None, 2, 3\\)"):
        chainrule.onnx.export(Sequential([Input(shape=(2, 3), dtype="int32"),
                                          layers.CategoryEncoding(5, output_mode="count")]), tmp_path / "m.onnx")


@pytest.mark.parametrize("opset", [13, 17, 18, 20])
def test_mixed_model_at_several_opsets(opset, tmp_path):
    keras.utils.set_random_seed(27)
    img, ids = Input(shape=(8, 8, 2), name="img"), Input(shape=(6,), dtype="int32", name="ids")
    h = layers.MaxPooling2D()(layers.Conv2D(3, 3, padding="same")(img))
    h = layers.GlobalAveragePooling2D(keepdims=True)(layers.UpSampling2D()(h))
    seq = layers.Embedding(9, 4, mask_zero=True)(ids)
    seq = layers.LayerNormalization()(seq + layers.MultiHeadAttention(2, 2)(seq, seq))
    seq = layers.Bidirectional(layers.LSTM(3))(seq)
    gru = layers.GRU(2, return_sequences=True)(layers.Embedding(9, 3)(ids))
    out = layers.Concatenate()([layers.Flatten()(h), seq, tf.reduce_max(layers.Dense(2)(gru), axis=1)])
    model = Model([img, ids], layers.Dense(2, activation="softmax")(out), name="mixed")
    _randomize(model)
    feeds = [_normal(3, 8, 8, 2), _ids(3, 6, 9, zeros_at_end=2)]
    proto = chainrule.onnx.to_model_proto(model, opset=opset)
    path = tmp_path / f"mixed{opset}.onnx"
    path.write_bytes(proto.SerializeToString())
    np.testing.assert_allclose(_run(path, feeds)[0], model.predict(feeds, verbose=0), atol=2e-5, rtol=1e-4)


def test_time_distributed_convolutions_into_an_lstm(tmp_path):
    keras.utils.set_random_seed(28)
    frames = Input(shape=(4, 6, 6, 2), name="frames")
    h = layers.TimeDistributed(layers.Conv2D(3, 3, padding="same", activation="relu"))(frames)
    h = layers.TimeDistributed(layers.Flatten())(layers.TimeDistributed(layers.MaxPooling2D())(h))
    model = Model(frames, layers.LSTM(2)(h), name="video")
    assert_same_predictions(model, [_normal(3, 4, 6, 6, 2)], tmp_path)


def test_masking_layer_feeding_an_lstm(tmp_path):
    """The usual float-sequence padding: Masking(0.0) before a recurrent layer."""
    keras.utils.set_random_seed(29)
    model = Sequential([Input(shape=(6, 3)), layers.Masking(mask_value=0.0), layers.LSTM(4, return_sequences=True),
                        layers.GlobalAveragePooling1D()], name="masking_lstm")
    feed = _normal(4, 6, 3)
    feed[0, 4:] = 0.0
    feed[1, :2] = 0.0
    feed[2, 3] = 0.0
    assert_same_predictions(model, [feed], tmp_path)


def test_custom_layer_converter_calls_multi_head_attention_with_a_mask(tmp_path):
    """A registered converter may call a held MultiHeadAttention with an attention_mask value."""
    keras.utils.set_random_seed(30)

    class MaskedSelfAttention(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.att = layers.MultiHeadAttention(num_heads=2, key_dim=2)

        def call(self, x, mask_matrix):
            return self.att(x, x, attention_mask=mask_matrix)

    @chainrule.onnx.register_converter(MaskedSelfAttention)
    def convert(ctx, layer, inputs, node):
        spec = (tuple(node.input_tensors[0].shape), "float32")
        return ctx.convert_sublayer(layer.att, [inputs[0], inputs[0]], [spec, spec], [spec],
                                    call_kwargs={"attention_mask": inputs[1]})

    x, m = Input(shape=(4, 6), name="x"), Input(shape=(4, 4), name="m")
    model = Model([x, m], MaskedSelfAttention()(x, m), name="custom_masked")
    mask = (RNG.uniform(size=(3, 4, 4)) > 0.4).astype("float32")
    assert_same_predictions(model, [_normal(3, 4, 6), mask], tmp_path)


def test_masked_recurrent_layer_in_time_major_layout(tmp_path):
    keras.utils.set_random_seed(31)
    ids = Input(shape=(3,), dtype="int32", name="ids")            # time-major: (steps, batch)
    model = Model(ids, layers.LSTM(2, time_major=True, return_sequences=True)(layers.Embedding(7, 3, mask_zero=True)(
        ids)), name="tm_masked")
    feed = _ids(5, 3, 7)
    feed[3:, 0] = 0
    feed[0, 1] = 0
    got = _run(chainrule.onnx.export(model, tmp_path / "tm.onnx"), [feed])[0]
    np.testing.assert_allclose(got, model(feed).numpy(), atol=2e-5, rtol=1e-4)


# ----------------------------------------------------------------------------- PReLU, Dot, GroupNormalization ...

MORE_LAYERS = {
    "prelu": (lambda: layers.PReLU(), (4, 6)),
    "prelu_shared": (lambda: layers.PReLU(shared_axes=[1, 2]), (3, 4, 2)),
    "thresholded_relu": (lambda: layers.ThresholdedReLU(theta=0.3), (4, 6)),
    "permute": (lambda: layers.Permute((3, 1, 2)), (3, 4, 2)),
    "identity": (lambda: layers.Identity(), (4, 6)),
    "alpha_dropout": (lambda: layers.AlphaDropout(0.3), (4, 6)),
    "gaussian_noise": (lambda: layers.GaussianNoise(0.3), (4, 6)),
    "gaussian_dropout": (lambda: layers.GaussianDropout(0.3), (4, 6)),
    "activity_regularization": (lambda: layers.ActivityRegularization(l1=0.1), (4, 6)),
    "unit_norm": (lambda: layers.UnitNormalization(), (4, 6)),
    "unit_norm_two_axes": (lambda: layers.UnitNormalization(axis=[1, 2]), (4, 6)),
    "group_norm": (lambda: layers.GroupNormalization(groups=3), (4, 6)),
    "group_norm_rank2": (lambda: layers.GroupNormalization(groups=2, center=False), (6,)),
    "group_norm_channels_first": (lambda: layers.GroupNormalization(groups=-1, axis=1, epsilon=0.01), (4, 3, 2)),
}


@pytest.mark.parametrize("case", sorted(MORE_LAYERS))
def test_prelu_noise_permute_and_group_and_unit_normalization(case, tmp_path):
    make, shape = MORE_LAYERS[case]
    model, feeds = _one_layer(make(), shape)
    for w in model.weights:  # PReLU's slopes start at 0, gamma and beta at 1 and 0: make each one count
        w.assign(RNG.uniform(-1.0, 1.0, size=w.shape).astype("float32"))
    assert_same_predictions(model, feeds, tmp_path)


@pytest.mark.parametrize("axes, normalize, shapes", [(1, False, [(4,), (4,)]), (2, True, [(3, 4), (5, 4)]),
                                                     ([1, 2], False, [(4, 3), (5, 4)]), (1, False, [(3,), (3, 2)])])
def test_dot(axes, normalize, shapes, tmp_path):
    a, b = Input(shape=shapes[0], name="a"), Input(shape=shapes[1], name="b")
    model = Model([a, b], layers.Dot(axes=axes, normalize=normalize)([a, b]))
    assert_same_predictions(model, [_normal(3, *shapes[0]), _normal(3, *shapes[1])], tmp_path)
