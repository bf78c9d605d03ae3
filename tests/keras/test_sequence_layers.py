"""Sequence, attention and text layers: configs, shapes and masking support as tf.keras 2 reports them, and the
behaviour users rely on (stateful RNNs, initial states, dropout, masks through models, errors).

``fixtures/sequence_layer_configs.json`` comes from ``fixtures/make_layer_configs.py`` (tf.keras 2.21);
its nested configs are compared without Keras 3's ``module``/``registered_name`` keys.
"""
import json
import os

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers as L

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "sequence_layer_configs.json")) as _f:
    REFERENCE = json.load(_f)

BUILD = {
    "Embedding": lambda: L.Embedding(10, 4, name="e"),
    "Embedding_options": lambda: L.Embedding(10, 4, mask_zero=True, input_length=5, name="e"),
    "Masking": lambda: L.Masking(mask_value=-1.0, name="m"),
    "SimpleRNN": lambda: L.SimpleRNN(4, name="r"),
    "LSTM": lambda: L.LSTM(4, return_sequences=True, name="r"),
    "LSTM_state": lambda: L.LSTM(4, return_state=True, go_backwards=True, name="r"),
    "GRU": lambda: L.GRU(4, name="r"),
    "GRU_before": lambda: L.GRU(4, reset_after=False, recurrent_dropout=0.1, name="r"),
    "GRU_time_major": lambda: L.GRU(4, time_major=True, return_sequences=True, name="r"),
    "SimpleRNNCell": lambda: L.SimpleRNNCell(4, name="c"),
    "LSTMCell": lambda: L.LSTMCell(4, name="c"),
    "GRUCell": lambda: L.GRUCell(4, name="c"),
    "StackedRNNCells": lambda: L.StackedRNNCells([L.LSTMCell(4, name="a"), L.GRUCell(3, name="b")], name="s"),
    "RNN_stacked_state": lambda: L.RNN([L.LSTMCell(4, name="a"), L.GRUCell(3, name="b")], return_state=True,
                                       name="rnn"),
    "Bidirectional": lambda: L.Bidirectional(L.LSTM(4, name="r"), name="b"),
    "Bidirectional_none_state": lambda: L.Bidirectional(L.GRU(4, return_sequences=True, return_state=True, name="r"),
                                                        merge_mode=None, name="b"),
    "TimeDistributed": lambda: L.TimeDistributed(L.Dense(2, name="d"), name="t"),
    "LayerNormalization": lambda: L.LayerNormalization(name="n"),
    "LayerNormalization_axes": lambda: L.LayerNormalization(axis=[1, 2], center=False, epsilon=1e-5, name="n"),
    "MultiHeadAttention": lambda: L.MultiHeadAttention(2, 3, name="a"),
    "MultiHeadAttention_options": lambda: L.MultiHeadAttention(4, 2, value_dim=3, dropout=0.1, use_bias=False,
                                                               output_shape=7, attention_axes=2, name="a"),
    "Attention": lambda: L.Attention(name="a"),
    "Attention_concat": lambda: L.Attention(use_scale=True, score_mode="concat", dropout=0.2, name="a"),
    "AdditiveAttention": lambda: L.AdditiveAttention(use_scale=False, name="a"),
    "GlobalAveragePooling1D": lambda: L.GlobalAveragePooling1D(name="p"),
    "GlobalMaxPooling1D_keepdims": lambda: L.GlobalMaxPooling1D(keepdims=True, data_format="channels_first",
                                                                name="p"),
    "RepeatVector": lambda: L.RepeatVector(3, name="r"),
    "EinsumDense": lambda: L.EinsumDense("abc,cd->abd", output_shape=(None, 6), bias_axes="d", name="e"),
    "TextVectorization": lambda: L.TextVectorization(max_tokens=10, ngrams=2, output_sequence_length=6, name="t"),
    "StringLookup": lambda: L.StringLookup(num_oov_indices=2, mask_token="", name="s"),
    "IntegerLookup": lambda: L.IntegerLookup(max_tokens=7, output_mode="multi_hot", name="i"),
    "CategoryEncoding": lambda: L.CategoryEncoding(4, output_mode="count", name="c"),
    "Hashing": lambda: L.Hashing(8, salt=5, mask_value="", name="h"),
}
SHAPES = {"Embedding": (None, 5), "Embedding_options": (None, 5), "RepeatVector": (None, 4),
          "GRU_time_major": (5, None, 3)}


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def _plain(value):
    """JSON types, the way tf.keras's configs were written to the fixture."""
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_configs_shapes_and_masking_support_match_tf_keras(name):
    layer = BUILD[name]()
    want = REFERENCE[name]
    assert type(layer).__name__ == want["class_name"]
    assert _plain(layer.get_config()) == want["config"]
    assert layer.supports_masking == want["supports_masking"]
    if "output_shape" in want:
        shape = layer.compute_output_shape(SHAPES.get(name, (None, 5, 3)))
        got = [list(s) for s in shape] if isinstance(shape, list) else list(shape)
        assert got == want["output_shape"]
    again = type(layer).from_config(layer.get_config())
    assert _plain(again.get_config()) == want["config"]


def _seq(batch=4, steps=6, features=3, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")


def test_stateful_lstm_continues_from_the_last_states_and_resets():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([L.LSTM(5, stateful=True, return_sequences=True, batch_input_shape=(4, None, 3))])
    x = _seq()
    whole = model(x).numpy()
    model.reset_states()
    halves = np.concatenate([model(x[:, :3]).numpy(), model(x[:, 3:]).numpy()], axis=1)
    np.testing.assert_allclose(halves, whole, rtol=1e-5, atol=1e-6)
    layer = model.layers[0]
    assert all(np.any(v.numpy()) for v in layer.states)
    layer.reset_states()
    assert not any(np.any(v.numpy()) for v in layer.states)
    np.testing.assert_allclose(model(x[:, :3]).numpy(), whole[:, :3], rtol=1e-5, atol=1e-6)
    layer.reset_states([np.ones((4, 5)), np.zeros((4, 5))])
    np.testing.assert_array_equal(layer.states[0].numpy(), 1.0)
    with pytest.raises(ValueError, match="State 0 is incompatible with layer"):
        layer.reset_states([np.ones((3, 5)), np.zeros((4, 5))])
    assert len(layer.weights) == 3  # the states are not weights (tf.keras 2)
    with pytest.raises(ValueError, match="needs to know its batch size"):
        L.GRU(2, stateful=True)(keras.Input((6, 3)))  # no batch size known
    with pytest.raises(AttributeError, match="Layer must be stateful"):
        L.GRU(2).reset_states()


def test_initial_states_eager_and_in_the_functional_api():
    x = _seq()
    h0, c0 = np.ones((4, 5), "float32") * 0.3, np.zeros((4, 5), "float32")
    layer = L.LSTM(5, return_state=True)
    out, h, c = layer(x, initial_state=[h0, c0])
    assert out.shape == (4, 5) and np.allclose(out.numpy(), h.numpy())
    inputs, hs, cs = keras.Input((6, 3)), keras.Input((5,)), keras.Input((5,))
    y = layer(inputs, initial_state=[hs, cs])[0]
    model = keras.Model([inputs, hs, cs], y)
    node = model.get_config()["layers"][-1]["inbound_nodes"][-1]
    assert [ref[0] for ref in node] == ["input_1", "input_2", "input_3"]  # tf.keras 2: one list input
    np.testing.assert_allclose(model([x, h0, c0]).numpy(), out.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="has 2 states but was passed 1 initial states"):
        layer(x, initial_state=[h0])


def test_time_major_unroll_and_go_backwards_agree_with_the_plain_layer():
    x = _seq()
    layer = L.GRU(4, return_sequences=True)
    plain = layer(x).numpy()
    weights = layer.get_weights()
    for other, inputs, fix in [(L.GRU(4, return_sequences=True, time_major=True), x.transpose(1, 0, 2),
                                lambda y: y.transpose(1, 0, 2)),
                               (L.GRU(4, return_sequences=True, unroll=True), x, lambda y: y),
                               (L.GRU(4, return_sequences=True, go_backwards=True), x[:, ::-1], lambda y: y)]:
        other(inputs)
        other.set_weights(weights)
        np.testing.assert_allclose(fix(other(inputs).numpy()), plain, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [lambda: L.LSTM(4, dropout=0.5, return_sequences=True),
                                  lambda: L.GRU(4, recurrent_dropout=0.5, return_sequences=True),
                                  lambda: L.SimpleRNN(4, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)],
                         ids=["lstm_dropout", "gru_recurrent_dropout", "simple_rnn_both"])
def test_dropout_only_in_training_and_gradients_flow(make):
    keras.utils.set_random_seed(1)
    layer = make()
    x = tf.constant(_seq())
    inference = layer(x, training=False).numpy()
    np.testing.assert_array_equal(layer(x).numpy(), inference)
    with tf.GradientTape() as tape:
        training = layer(x, training=True)
        loss = tf.reduce_sum(training * training)
    assert not np.allclose(training.numpy(), inference)
    grads = tape.gradient(loss, layer.trainable_weights)
    assert all(g is not None and np.isfinite(g.numpy()).all() and np.any(g.numpy()) for g in grads)


def test_masks_flow_through_sequential_and_functional_models_as_in_tf_keras():
    ids = np.array([[3, 4, 0, 0], [5, 0, 0, 0]])
    emb = L.Embedding(8, 3, mask_zero=True)
    masked = emb(ids)
    np.testing.assert_array_equal(masked._keras_mask.numpy(), ids != 0)
    dense = L.Dense(2)(masked)                                 # Dense passes the mask on
    np.testing.assert_array_equal(dense._keras_mask.numpy(), ids != 0)
    assert getattr(L.Flatten()(masked), "_keras_mask", None) is None   # Flatten does not support masking
    model = keras.Sequential([L.Embedding(8, 3, mask_zero=True), L.LSTM(2, return_sequences=True), L.Dense(1)])
    out = model(ids)
    np.testing.assert_array_equal(out._keras_mask.numpy(), ids != 0)
    np.testing.assert_array_equal(model.compute_mask(ids).numpy(), ids != 0)
    # An explicit mask argument wins over the inputs' own, and the masked steps carry the state.
    x = _seq(2, 4, 3)
    lstm = L.LSTM(2)
    explicit = lstm(x, mask=np.array([[True, True, False, False], [True, False, False, False]])).numpy()
    np.testing.assert_allclose(explicit[0], lstm(x[:1, :2]).numpy()[0], rtol=1e-6)
    np.testing.assert_allclose(explicit[1], lstm(x[1:, :1]).numpy()[0], rtol=1e-6)
    masking = L.Masking()(np.array([[[1.0], [0.0]], [[0.0], [2.0]]], "float32"))
    np.testing.assert_array_equal(masking._keras_mask.numpy(), [[True, False], [False, True]])


def test_global_average_pooling_counts_only_the_real_steps():
    x = np.arange(12, dtype="float32").reshape(2, 3, 2)
    mask = np.array([[True, True, False], [True, False, False]])
    out = L.GlobalAveragePooling1D()(x, mask=mask).numpy()
    np.testing.assert_allclose(out, [[1.0, 2.0], [6.0, 7.0]])
    keep = L.GlobalAveragePooling1D(keepdims=True, data_format="channels_first")(x).numpy()
    np.testing.assert_allclose(keep, x.mean(axis=2, keepdims=True))
    with pytest.raises(TypeError, match="does not support masking"):  # tf.keras 2: call() got an unexpected
        L.GlobalMaxPooling1D()(x, mask=mask)                         # keyword argument 'mask'



def test_softmax_layer_honours_a_mask():
    out = L.Softmax()(np.array([[1.0, 2.0, 3.0]], "float32"), mask=np.array([[True, False, True]])).numpy()
    np.testing.assert_allclose(out, [[np.exp(1) / (np.exp(1) + np.exp(3)), 0.0, np.exp(3) / (np.exp(1) + np.exp(3))]],
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("build, args, error, match", [
    (lambda: L.LSTM(3), lambda: np.ones((2, 4), "float32"), ValueError, r"expected ndim=3, found ndim=2"),
    (lambda: L.Bidirectional(L.LSTM(3), merge_mode="max"), None, ValueError, r"Invalid merge mode"),
    (lambda: L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3)), None, ValueError,
     r"should have different `go_backwards` value"),
    (lambda: L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3, go_backwards=True, return_sequences=True)),
     None, ValueError, r'same value for attribute "return_sequences"'),
    (lambda: L.TimeDistributed(L.Dense(2)), lambda: np.ones((2, 4), "float32"), ValueError, r"at least 3 dimensions"),
    (lambda: L.Embedding(5, 2), lambda: np.array([[1, 5]]), tf.errors.InvalidArgumentError,
     r"indices\[0,1\] = 5 is not in \[0, 5\)"),
    (lambda: L.Embedding(0, 2), None, ValueError, r"should be positive"),
    (lambda: L.LSTM(0), None, ValueError, r"expected a positive integer, got 0"),
    (lambda: L.RNN(object()), None, ValueError, r"should have a `call` method"),
    (lambda: L.MultiHeadAttention(0, 2), None, ValueError, r"`num_heads` must be a positive integer"),
    (lambda: L.LayerNormalization(axis=3), lambda: np.ones((2, 3), "float32"), ValueError, r"invalid value for `axis`"),
    (lambda: L.GlobalAveragePooling1D(data_format="channels_middle"), None, ValueError, r"must be one of"),
    (lambda: L.Attention(), lambda: np.ones((2, 3, 4), "float32"), ValueError, r"must be called on a list of inputs"),
    (lambda: L.RepeatVector(2), lambda: np.ones((2, 3, 4), "float32"), ValueError, r"expected ndim=2, found ndim=3"),
])
def test_misuse_raises_clear_errors(build, args, error, match):
    with pytest.raises(error, match=match):
        layer = build()
        if args is not None:
            layer(args())


def test_rnn_with_a_user_cell_trains_and_stacked_cells_keep_nested_states():
    class Minimal(L.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
            self.built = True

        def call(self, inputs, states):
            h = tf.tanh(tf.matmul(inputs, self.kernel) + states[0])
            return h, [h]

    model = keras.Sequential([L.RNN(Minimal(4), input_shape=(6, 3)), L.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(_seq(16), np.ones((16, 1)), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    out, h1, (h2, c2) = L.RNN([L.GRUCell(3), L.LSTMCell(2)], return_state=True)(_seq())
    assert (out.shape, h1.shape, h2.shape, c2.shape) == ((4, 2), (4, 3), (4, 2), (4, 2))
    np.testing.assert_array_equal(out.numpy(), h2.numpy())


def _recorded_ops(layer, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        layer(x, training=True)
    return [type(record[0]).__name__ for record in tape._records]


def test_which_layers_run_a_sequence_as_one_op():
    x = tf.constant(_seq())

    class Tweaked(L.LSTMCell):
        def call(self, inputs, states, training=None):
            return super().call(inputs * 2.0, states, training)

    assert _recorded_ops(L.LSTM(3), x).count("LSTMSequence") == 1
    assert _recorded_ops(L.RNN([L.GRUCell(3), L.SimpleRNNCell(2)]), x)[:2] == ["GRUSequence", "SimpleRNNSequence"]
    assert _recorded_ops(L.LSTM(3, activation="relu"), x).count("LSTMSequence") == 1
    step_by_step = [_recorded_ops(L.LSTM(3, recurrent_dropout=0.2), x), _recorded_ops(L.GRU(3, activation="gelu"), x),
                    _recorded_ops(L.RNN(Tweaked(3)), x)]
    for ops in step_by_step:
        assert not any(name.endswith("Sequence") for name in ops)
    assert _recorded_ops(L.RNN(Tweaked(3)), x).count("LSTMStep") == 6  # one step op per timestep
