"""Sequence models in files: a tf.keras 2 ``.h5`` read by chainrule, chainrule's ``.keras``/``.h5`` round trips,
configs, and ``summary()`` rows as tf.keras prints them.

``fixtures/sequence_model_tf_keras.h5`` and ``sequence_summaries.json`` come from
``fixtures/make_sequence_models.py`` (tensorflow 2.21 + tf_keras).
"""
import json
import os
import warnings
import re

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "examples")


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def _tf_keras_architecture():
    """The fixture model's architecture, built with chainrule (same lines as make_sequence_models.py)."""
    ids = keras.Input((12,), dtype="int32", name="ids")
    e = layers.Embedding(50, 8, mask_zero=True)(ids)
    x = layers.Bidirectional(layers.LSTM(6, return_sequences=True))(e)
    x = layers.GRU(5, return_sequences=True)(x)
    att = layers.MultiHeadAttention(2, 4)(x, x)
    x = layers.LayerNormalization()(layers.Add()([x, att]))
    x = layers.TimeDistributed(layers.Dense(4, activation="relu"))(x)
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(ids, layers.Dense(3, activation="softmax")(x), name="sequence_model")


def test_a_tf_keras_h5_model_loads_and_predicts_as_tf_keras():
    expected = np.load(os.path.join(HERE, "sequence_model_expected.npz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tf.keras 2's optimizer state is mapped onto chainrule's slots, not dropped
        model = keras.models.load_model(os.path.join(HERE, "sequence_model_tf_keras.h5"))
    assert model.optimizer.built and int(model.optimizer.iterations.numpy()) > 0
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["predictions"], rtol=1e-5, atol=1e-6)
    assert [w.name for w in model.weights] == list(expected["weight_names"])
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Embedding", "Bidirectional", "GRU", "MultiHeadAttention", "Add",
                     "LayerNormalization", "TimeDistributed", "GlobalAveragePooling1D", "Dense"]
    assert model.get_layer("embedding").mask_zero and model.layers[1].output._keras_mask is not None
    # The same weights into an architecture built in code (weights files are read layer by layer, in order).
    rebuilt = _tf_keras_architecture()
    rebuilt.load_weights(os.path.join(HERE, "sequence_model_tf_keras.h5"))
    np.testing.assert_allclose(rebuilt.predict(expected["x"], verbose=0), expected["predictions"], rtol=1e-5,
                               atol=1e-6)
    model.fit(expected["x"], np.array([0, 1, 2, 0, 1, 2, 0, 1]), epochs=1, verbose=0)  # and it still trains


@keras.utils.register_keras_serializable(package="tests")
class PeepholeFreeCell(layers.Layer):
    """A user cell (state_size, call(inputs, states)) that runs step by step inside RNN."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units), initializer="orthogonal")
        self.built = True

    def call(self, inputs, states):
        h = tf.tanh(tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent_kernel))
        return h, [h]

    def get_config(self):
        return dict(super().get_config(), units=self.units)


def _every_layer_model():
    L = layers
    ids = keras.Input((7,), dtype="int32")
    feats = keras.Input((7, 3))
    e = L.Embedding(30, 6, mask_zero=True)(ids)
    a = L.Bidirectional(L.GRU(4, return_sequences=True, reset_after=False), merge_mode="ave")(e)
    b = L.RNN([L.LSTMCell(4), L.SimpleRNNCell(4)], return_sequences=True, go_backwards=True)(e)
    c = L.RNN(PeepholeFreeCell(4), return_sequences=True)(L.Masking()(feats))
    d = L.Bidirectional(L.LSTM(2, return_sequences=True),
                        backward_layer=L.SimpleRNN(2, return_sequences=True, go_backwards=True))(feats)
    merged = L.Concatenate()([L.Add()([a, b, c]), d])
    att = L.MultiHeadAttention(2, 3, value_dim=2)(merged, merged, use_causal_mask=True)
    dense_att = L.Attention(use_scale=True)([merged, att])
    add_att = L.AdditiveAttention()([merged, dense_att])
    h = L.LayerNormalization(axis=[1, 2])(add_att)
    h = L.TimeDistributed(L.Dense(3))(h)
    seq = L.LSTM(3, return_sequences=True, dropout=0.2, recurrent_dropout=0.1)(h)
    pooled = L.Concatenate()([L.GlobalAveragePooling1D()(seq), L.GlobalMaxPooling1D()(seq)])
    rep = L.RepeatVector(2)(pooled)
    out = L.SimpleRNN(2, activation="relu")(rep)
    return keras.Model([ids, feats], out)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_models_with_every_sequence_layer_round_trip_through_files(tmp_path, suffix):
    model = _every_layer_model()
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 30, size=(4, 7))
    ids[0, :3] = 0
    feats = rng.normal(size=(4, 7, 3)).astype("float32")
    feats[1, -2:] = 0.0
    model.compile(optimizer="adam", loss="mse")
    model.fit([ids, feats], rng.normal(size=(4, 2)), epochs=1, verbose=0)
    before = model.predict([ids, feats], verbose=0)
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict([ids, feats], verbose=0), before, rtol=1e-6, atol=1e-6)
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    again = keras.Model.from_config(model.get_config())
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict([ids, feats], verbose=0), before, rtol=1e-6, atol=1e-6)


def _rows(lines):
    """A summary table as rows of column texts (wrapped cells joined), plus the three totals."""
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Layer (type)"))
    names = ["Output Shape", "Param #", "Connected to"]
    starts = [0] + [lines[header].index(n) for n in names if n in lines[header]]
    rows, block = [], []
    for line in lines[header + 2:]:
        if line.startswith("="):
            break
        if not line.strip():
            if block:
                rows.append(["".join(part).replace(" ", "") for part in zip(*block)])
            block = []
            continue
        bounds = starts + [len(line) + 1]
        block.append([line[bounds[i]:bounds[i + 1]] for i in range(len(starts))])
    totals = [int(re.sub(r"[,\s]", "", line.split(":")[1].split("(")[0])) for line in lines
              if line.startswith(("Total params", "Trainable params", "Non-trainable params"))]
    return rows, totals


def _example_models():
    """The four examples' models, built by the examples' own code where it is importable."""
    import importlib.util
    import sys
    sys.path.insert(0, EXAMPLES)
    try:
        spec = importlib.util.spec_from_file_location("imdb_transformer_example",
                                                      os.path.join(EXAMPLES, "imdb_transformer.py"))
        transformer = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(transformer)
    finally:
        sys.path.remove(EXAMPLES)
    L = layers
    models = {}
    keras.backend.clear_session()
    m = keras.Sequential([L.LSTM(128, input_shape=(7, 12)), L.RepeatVector(4), L.LSTM(128, return_sequences=True),
                          L.Dense(12, activation="softmax")])
    models["addition_rnn"] = m
    keras.backend.clear_session()
    m = keras.Sequential([L.Embedding(10000, 16, input_shape=(None,)), L.GlobalAveragePooling1D(),
                          L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")])
    models["imdb_text_classification"] = m
    keras.backend.clear_session()
    inputs = keras.Input(shape=(None,), dtype="int32")
    h = L.Bidirectional(L.LSTM(64, return_sequences=True))(L.Embedding(20000, 128)(inputs))
    h = L.Bidirectional(L.LSTM(64))(h)
    models["imdb_bidirectional_lstm"] = keras.Model(inputs, L.Dense(1, activation="sigmoid")(h))
    keras.backend.clear_session()
    inputs = L.Input(shape=(200,))
    h = transformer.TokenAndPositionEmbedding(200, 20000, 32)(inputs)
    h = transformer.TransformerBlock(32, 2, 32)(h)
    h = L.Dropout(0.1)(L.GlobalAveragePooling1D()(h))
    h = L.Dropout(0.1)(L.Dense(20, activation="relu")(h))
    models["imdb_transformer"] = keras.Model(inputs, L.Dense(2, activation="softmax")(h))
    keras.backend.clear_session()
    models["sequence_model"] = _tf_keras_architecture()
    return models


def test_summaries_list_the_layers_shapes_and_parameters_tf_keras_prints():
    with open(os.path.join(HERE, "sequence_summaries.json")) as f:
        reference = json.load(f)
    for name, model in _example_models().items():
        lines = []
        model.summary(print_fn=lines.append)
        got_rows, got_totals = _rows(lines)
        want_rows, want_totals = _rows(reference[name])
        assert got_rows == want_rows, name
        assert got_totals == want_totals, name
