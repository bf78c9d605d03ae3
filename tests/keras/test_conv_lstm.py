"""ConvLSTM1D/2D/3D against tf.keras 2: outputs, weight gradients and a short fit from
fixtures/conv_lstm.npz (made by fixtures/make_conv_lstm.py under tensorflow-cpu 2.21 with tf_keras), plus
names, shapes, statefulness, masks and errors as tf.keras gives them."""
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "conv_lstm.npz")
CASES = {  # the cases of make_conv_lstm.py
    "2d_same_seq": ("ConvLSTM2D", (4, 3), dict(padding="same", return_sequences=True)),
    "2d_valid_stride": ("ConvLSTM2D", (3, (2, 3)), dict(strides=2)),
    "2d_first": ("ConvLSTM2D", (2, 3), dict(data_format="channels_first")),
    "2d_state_back_dil": ("ConvLSTM2D", (2, 3), dict(padding="same", dilation_rate=2, go_backwards=True,
                                                     return_state=True)),
    "2d_sigmoid_nobias": ("ConvLSTM2D", (3, 2), dict(recurrent_activation="sigmoid", activation="relu",
                                                     use_bias=False, unit_forget_bias=False)),
    "1d": ("ConvLSTM1D", (3, 3), dict(padding="same", return_sequences=True)),
    "3d": ("ConvLSTM3D", (2, 2), dict(return_sequences=True)),
}


def _stored(prefix):
    i, out = 0, []
    while f"{prefix}{i}" in FIXTURE:
        out.append(FIXTURE[f"{prefix}{i}"])
        i += 1
    return out


@pytest.mark.parametrize("name", CASES)
def test_outputs_and_weight_gradients_match_tf_keras(name):
    cls, args, kwargs = CASES[name]
    layer = getattr(keras.layers, cls)(*args, **kwargs)
    x = FIXTURE[f"{name}/x"]
    layer(x)
    layer.set_weights(_stored(f"{name}/w"))
    with tf.GradientTape() as tape:
        ys = layer(x)
        ys = ys if isinstance(ys, list) else [ys]
        loss = tf.add_n([tf.reduce_sum(y * ct) for y, ct in zip(ys, _stored(f"{name}/ct"))])
    expected = _stored(f"{name}/y")
    assert [tuple(y.shape) for y in ys] == [e.shape for e in expected]
    for y, e in zip(ys, expected):
        np.testing.assert_allclose(y.numpy(), e, rtol=2e-5, atol=2e-6)
    for g, e in zip(tape.gradient(loss, layer.trainable_weights), _stored(f"{name}/g")):
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-4, atol=1e-5)


def test_a_fit_follows_tf_keras():
    model = keras.Sequential([keras.layers.ConvLSTM2D(4, 3, padding="same", input_shape=(4, 6, 6, 2)),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.set_weights(_stored("fit/w"))
    model.compile(keras.optimizers.SGD(0.01), "mse")
    history = model.fit(FIXTURE["fit/x"], FIXTURE["fit/y"], batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], FIXTURE["fit/loss"], rtol=1e-5)
    for w, e in zip(model.get_weights(), _stored("fit/final")):
        np.testing.assert_allclose(w, e, rtol=1e-4, atol=1e-6)


def test_names_shapes_and_config_are_tf_keras():
    keras.backend.clear_session()
    model = keras.Sequential([keras.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True,
                                                      input_shape=(None, 8, 8, 2)),
                              keras.layers.ConvLSTM2D(3, (2, 2))])
    assert [w.name for w in model.weights] == [
        "conv_lstm2d/kernel:0", "conv_lstm2d/recurrent_kernel:0", "conv_lstm2d/bias:0",
        "conv_lstm2d_1/kernel:0", "conv_lstm2d_1/recurrent_kernel:0", "conv_lstm2d_1/bias:0"]
    assert [tuple(w.shape) for w in model.weights] == [(3, 3, 2, 16), (3, 3, 4, 16), (16,), (2, 2, 4, 12),
                                                      (2, 2, 3, 12), (12,)]
    assert model.output_shape == (None, 7, 7, 3) and model.layers[0].output_shape == (None, None, 8, 8, 4)
    np.testing.assert_array_equal(model.layers[0].cell.bias.numpy(), [0] * 4 + [1] * 4 + [0] * 8)  # forget gate
    layer = model.layers[0]
    assert (layer.filters, layer.kernel_size, layer.recurrent_activation.__name__) == (4, (3, 3), "hard_sigmoid")
    assert layer.cell.state_size == (4, 4)
    config = layer.get_config()
    assert list(config)[:10] == ["name", "trainable", "dtype", "batch_input_shape", "return_sequences",
                                 "return_state", "go_backwards", "stateful", "unroll", "time_major"]
    assert list(config)[10:] == ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                                 "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                                 "recurrent_initializer", "bias_initializer", "unit_forget_bias",
                                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                                 "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                                 "bias_constraint", "dropout", "recurrent_dropout"]
    clone = keras.layers.ConvLSTM2D.from_config(config)
    assert clone.get_config() == config


def test_a_saved_model_loads_back(tmp_path):
    model = keras.Sequential([keras.layers.ConvLSTM2D(2, 3, padding="same", input_shape=(3, 5, 5, 1)),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)])
    x = np.random.default_rng(0).random((2, 3, 5, 5, 1)).astype("float32")
    for path in (tmp_path / "m.keras", tmp_path / "m.h5"):
        model.save(path)
        np.testing.assert_array_equal(keras.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0))


def test_stateful_layer_carries_its_maps_and_resets():
    rng = np.random.default_rng(1)
    a, b = rng.random((2, 2, 4, 4, 1)).astype("float32"), rng.random((2, 2, 4, 4, 1)).astype("float32")
    stateful = keras.layers.ConvLSTM2D(2, 3, padding="same", stateful=True, batch_input_shape=(2, 2, 4, 4, 1))
    whole = keras.layers.ConvLSTM2D(2, 3, padding="same")
    stateful(a)
    whole(np.concatenate([a, b], axis=1))
    whole.set_weights(stateful.get_weights())
    stateful.reset_states()
    stateful(a)
    np.testing.assert_allclose(stateful(b).numpy(), whole(np.concatenate([a, b], axis=1)).numpy(), rtol=1e-6)
    assert [tuple(s.shape) for s in stateful.states] == [(2, 4, 4, 2), (2, 4, 4, 2)]
    stateful.reset_states()
    assert not any(np.any(s.numpy()) for s in stateful.states)


def test_a_per_step_mask_keeps_the_last_unmasked_maps():
    rng = np.random.default_rng(2)
    x = rng.random((2, 4, 3, 3, 1)).astype("float32")
    layer = keras.layers.ConvLSTM2D(2, 3, padding="same")
    mask = np.array([[True] * 4, [True, True, False, False]])
    masked = layer(x, mask=tf.constant(mask)).numpy()
    np.testing.assert_allclose(masked[1], layer(x[1:, :2]).numpy()[0], rtol=1e-6)
    np.testing.assert_allclose(masked[0], layer(x[:1]).numpy()[0], rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"unroll": True}, TypeError, "Unrolling is not possible with convolutional RNNs"),
    ({"padding": "causal"}, ValueError, "padding"),
    ({"filters": 0}, ValueError, "filters"),
])
def test_bad_arguments_raise_as_tf_keras(kwargs, error, message):
    args = dict(filters=2, kernel_size=3)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        keras.layers.ConvLSTM2D(**args)


def test_wrong_input_rank_names_the_layer_and_the_shape():
    with pytest.raises(ValueError, match=r"expected ndim=5, found ndim=4.*\(2, 3, 5, 5\)"):
        keras.layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 5, 5), "float32"))
