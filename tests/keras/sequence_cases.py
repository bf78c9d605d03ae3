"""Small models shared by the tf.keras fixture script and chainrule's tests (sequence and attention layers,
issue 17).

Each case is ``build(keras, tf) -> Model`` plus the kinds of its inputs; ``keras`` and ``tf`` are
tf.keras and tensorflow in ``fixtures/make_sequence_fixtures.py`` and chainrule's in the tests, so both
frameworks build the same model from the same lines. Inputs (``make_inputs``) are seeded:
``padded`` sequences have zero steps that a ``Masking`` layer masks (sample 2 is masked entirely
where the case allows it), ``ids`` are token ids with 0 as padding.
"""
import numpy as np

B, T, D = 3, 5, 4
VOCAB = 12

CASES = {}


def case(*inputs, full_mask=True):
    """Register ``build`` under its name with its input kinds: ``(kind, shape)`` pairs (shape without batch)."""
    def register(build):
        CASES[build.__name__] = (build, inputs, full_mask)
        return build
    return register


def make_inputs(kinds, seed, full_mask=True):
    rng = np.random.default_rng(seed)
    out = []
    for kind, shape in kinds:
        if kind == "padded":
            x = rng.normal(size=(B,) + shape).astype("float32")
            x[0, :2] = 0.0           # masked at the start
            x[1, -1] = 0.0           # masked at the end
            if full_mask:
                x[2] = 0.0           # no real step at all
            else:
                x[2, 2] = 0.0        # masked in the middle
            out.append(x)
        elif kind == "float":
            out.append(rng.normal(size=(B,) + shape).astype("float32"))
        elif kind == "time_major":   # (T, B, D): the batch is axis 1
            out.append(rng.normal(size=shape).astype("float32"))
        elif kind == "state":
            out.append((rng.normal(size=(B,) + shape) * 0.5).astype("float32"))
        elif kind == "bool":         # an attention mask: at least one True per row
            m = rng.random((B,) + shape) < 0.6
            m[..., 0] = True
            out.append(m)
        elif kind == "ids":
            ids = rng.integers(1, VOCAB, size=(B,) + shape).astype("int32")
            ids[0, :2] = 0
            ids[1, -1] = 0
            out.append(ids)
        else:
            raise ValueError(kind)
    return out


PADDED = ("padded", (T, D))
FLOAT = ("float", (T, D))
IDS = ("ids", (T,))
RECURRENT = {"simple_rnn": lambda L, **kw: L.SimpleRNN(3, **kw), "lstm": lambda L, **kw: L.LSTM(3, **kw),
             "gru": lambda L, **kw: L.GRU(3, **kw),
             "gru_before": lambda L, **kw: L.GRU(3, reset_after=False, **kw)}


def _masked(keras, x):
    return keras.layers.Masking()(x)


# ----------------------------------------------------------------------------- the recurrent layers

def _recurrent_cases():
    for kind, make in RECURRENT.items():
        def sequences(keras, tf, make=make):
            x = keras.Input((T, D))
            y = make(keras.layers, return_sequences=True, go_backwards=True)(_masked(keras, x))
            return keras.Model(x, y)
        sequences.__name__ = f"{kind}_sequences_masked_backwards"
        case(PADDED)(sequences)

        def last_and_states(keras, tf, make=make):
            x = keras.Input((T, D))
            outs = make(keras.layers, return_state=True)(_masked(keras, x))
            return keras.Model(x, outs)
        last_and_states.__name__ = f"{kind}_last_output_and_states_masked"
        case(PADDED)(last_and_states)

        def initial_state(keras, tf, make=make, kind=kind):
            x = keras.Input((T, D))
            states = [keras.Input((3,)) for _ in range(2 if kind == "lstm" else 1)]
            y = make(keras.layers, return_sequences=True)(x, initial_state=states)
            return keras.Model([x] + states, y)
        initial_state.__name__ = f"{kind}_initial_state"
        case(FLOAT, *[("state", (3,))] * (2 if kind == "lstm" else 1))(initial_state)


_recurrent_cases()


@case(("time_major", (T, B, D)))
def lstm_time_major(keras, tf):
    x = keras.Input(batch_shape=(T, B, D))
    return keras.Model(x, keras.layers.LSTM(3, time_major=True, return_sequences=True)(x))


@case(PADDED)
def lstm_relu_hard_sigmoid_no_bias(keras, tf):
    x = keras.Input((T, D))
    layer = keras.layers.LSTM(3, activation="relu", recurrent_activation="hard_sigmoid", use_bias=False,
                              return_sequences=True)
    return keras.Model(x, layer(_masked(keras, x)))


@case(PADDED)
def gru_swish_step_by_step(keras, tf):
    """swish has no output-only derivative: the cell runs step by step through the tape."""
    x = keras.Input((T, D))
    return keras.Model(x, keras.layers.GRU(3, activation="swish", return_sequences=True)(_masked(keras, x)))


@case(PADDED)
def lstm_gelu_recurrent_activation_step_by_step(keras, tf):
    x = keras.Input((T, D))
    layer = keras.layers.LSTM(3, recurrent_activation="gelu", return_state=True, go_backwards=True)
    return keras.Model(x, layer(_masked(keras, x)))


@case(PADDED)
def lstm_recurrent_dropout_inference(keras, tf):
    """recurrent_dropout runs step by step (implementation 1); outside training no mask is drawn."""
    x = keras.Input((T, D))
    return keras.Model(x, keras.layers.LSTM(3, recurrent_dropout=0.3, dropout=0.2,
                                            return_sequences=True)(_masked(keras, x)))


@case(PADDED)
def stacked_cells_backwards(keras, tf):
    x = keras.Input((T, D))
    L = keras.layers
    layer = L.RNN([L.LSTMCell(4), L.GRUCell(3), L.SimpleRNNCell(2)], return_sequences=True, go_backwards=True)
    return keras.Model(x, layer(_masked(keras, x)))


@case(PADDED)
def stacked_cells_states(keras, tf):
    x = keras.Input((T, D))
    L = keras.layers
    outs = L.RNN([L.GRUCell(3, reset_after=False), L.LSTMCell(2)], return_state=True)(_masked(keras, x))
    return keras.Model(x, list(outs))   # [output, h of the GRU cell, h and c of the LSTM cell]


def minimal_cell(keras, tf):
    """The ``MinimalRNNCell`` of tf.keras's ``RNN`` docstring (with a tanh)."""
    class MinimalRNNCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                    name="recurrent_kernel")
            self.built = True

        def call(self, inputs, states):
            prev_output = states[0]
            h = tf.matmul(inputs, self.kernel)
            output = tf.tanh(h + tf.matmul(prev_output, self.recurrent_kernel))
            return output, [output]
    return MinimalRNNCell


@case(PADDED)
def rnn_user_cell_masked(keras, tf):
    x = keras.Input((T, D))
    cell = minimal_cell(keras, tf)(3)
    return keras.Model(x, keras.layers.RNN(cell, return_sequences=True)(_masked(keras, x)))


@case(PADDED, full_mask=False)
def rnn_user_cells_stacked_last(keras, tf):
    x = keras.Input((T, D))
    cls = minimal_cell(keras, tf)
    return keras.Model(x, keras.layers.RNN([cls(3), cls(2)], go_backwards=True)(_masked(keras, x)))


# ----------------------------------------------------------------------------- wrappers

def _bidirectional_cases():
    for mode in ("concat", "sum", "mul", "ave", None):
        def build(keras, tf, mode=mode):
            x = keras.Input((T, D))
            layer = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True), merge_mode=mode)
            return keras.Model(x, layer(_masked(keras, x)))
        build.__name__ = f"bidirectional_{mode}"
        case(PADDED)(build)


_bidirectional_cases()


@case(PADDED)
def bidirectional_last_gru(keras, tf):
    x = keras.Input((T, D))
    return keras.Model(x, keras.layers.Bidirectional(keras.layers.GRU(3))(_masked(keras, x)))


@case(PADDED)
def bidirectional_states(keras, tf):
    x = keras.Input((T, D))
    outs = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True), merge_mode="sum")(_masked(keras, x))
    return keras.Model(x, outs)


@case(PADDED)
def bidirectional_backward_layer(keras, tf):
    x = keras.Input((T, D))
    L = keras.layers
    layer = L.Bidirectional(L.GRU(3, return_sequences=True),
                            backward_layer=L.SimpleRNN(2, return_sequences=True, go_backwards=True))
    return keras.Model(x, layer(_masked(keras, x)))


@case(FLOAT, ("state", (3,)), ("state", (3,)), ("state", (3,)), ("state", (3,)))
def bidirectional_initial_state(keras, tf):
    x = keras.Input((T, D))
    states = [keras.Input((3,)) for _ in range(4)]
    y = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True))(x, initial_state=states)
    return keras.Model([x] + states, y)


@case(PADDED, full_mask=False)
def time_distributed_dense_masked_pool(keras, tf):
    x = keras.Input((T, D))
    y = keras.layers.TimeDistributed(keras.layers.Dense(2, activation="tanh"))(_masked(keras, x))
    return keras.Model(x, keras.layers.GlobalAveragePooling1D()(y))


# ----------------------------------------------------------------------------- embeddings, pooling, merging

@case(IDS)
def embedding_masked_average(keras, tf):
    x = keras.Input((T,), dtype="int32")
    h = keras.layers.Embedding(VOCAB, 4, mask_zero=True)(x)
    h = keras.layers.GlobalAveragePooling1D()(h)
    return keras.Model(x, keras.layers.Dense(2)(h))


@case(IDS)
def embedding_lstm_dense(keras, tf):
    x = keras.Input((T,), dtype="int32")
    h = keras.layers.Embedding(VOCAB, 4, mask_zero=True)(x)
    h = keras.layers.LSTM(3, return_sequences=True)(h)
    h = keras.layers.Dense(2, activation="relu")(h)
    h = keras.layers.GRU(2)(h)
    return keras.Model(x, h)


@case(IDS, FLOAT)
def merged_masks(keras, tf):
    ids, x = keras.Input((T,), dtype="int32"), keras.Input((T, D))
    e = keras.layers.Embedding(VOCAB, D, mask_zero=True)(ids)
    added = keras.layers.Add()([e, x])                              # one mask: kept
    joined = keras.layers.Concatenate()([e, x])                     # an unmasked input counts as all True
    y = keras.layers.LSTM(3, return_sequences=True)(added)
    z = keras.layers.SimpleRNN(2)(joined)
    return keras.Model([ids, x], [y, z])


@case(FLOAT)
def global_pooling_options(keras, tf):
    x = keras.Input((T, D))
    L = keras.layers
    a = L.GlobalMaxPooling1D(keepdims=True)(x)
    b = L.GlobalAveragePooling1D(data_format="channels_first")(x)
    c = L.GlobalMaxPooling1D(data_format="channels_first", keepdims=True)(x)
    return keras.Model(x, [a, b, c])


@case(("float", (D,)))
def repeat_vector_decoder(keras, tf):
    x = keras.Input((D,))
    h = keras.layers.RepeatVector(T)(x)
    h = keras.layers.LSTM(3, return_sequences=True)(h)
    return keras.Model(x, keras.layers.Dense(2, activation="softmax")(h))


# ----------------------------------------------------------------------------- normalization and attention

@case(PADDED, full_mask=False)
def layer_normalization_masked_lstm(keras, tf):
    x = keras.Input((T, D))
    L = keras.layers
    h = L.LayerNormalization()(_masked(keras, x))            # the mask passes through
    h = L.LayerNormalization(axis=[1, 2], center=False, epsilon=1e-5)(h)
    return keras.Model(x, L.LSTM(2, return_sequences=True)(h))


@case(IDS)
def mha_self_attention_masked(keras, tf):
    x = keras.Input((T,), dtype="int32")
    e = keras.layers.Embedding(VOCAB, 6, mask_zero=True)(x)
    y = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)(e, e)
    return keras.Model(x, keras.layers.GlobalAveragePooling1D()(y))


@case(FLOAT, ("float", (4, D)), ("bool", (T, 4)))
def mha_cross_attention_mask_and_scores(keras, tf):
    q, v, m = keras.Input((T, D)), keras.Input((4, D)), keras.Input((T, 4), dtype="bool")
    out, scores = keras.layers.MultiHeadAttention(2, 3, dropout=0.3)(q, v, attention_mask=m,
                                                                     return_attention_scores=True)
    return keras.Model([q, v, m], [out, scores])


@case(FLOAT, ("float", (4, D)), ("float", (4, 2)))
def mha_key_value_dim_output_shape_causal(keras, tf):
    q, v, k = keras.Input((T, D)), keras.Input((4, D)), keras.Input((4, 2))
    layer = keras.layers.MultiHeadAttention(3, 2, value_dim=4, output_shape=5, use_bias=False)
    return keras.Model([q, v, k], layer(q, v, key=k, use_causal_mask=True))


@case(("float", (3, 4, D)))
def mha_two_attention_axes(keras, tf):
    x = keras.Input((3, 4, D))
    return keras.Model(x, keras.layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))(x, x))


@case(IDS, IDS)
def dense_attention_layers_masked(keras, tf):
    a, b = keras.Input((T,), dtype="int32"), keras.Input((T,), dtype="int32")
    L = keras.layers
    emb = L.Embedding(VOCAB, D, mask_zero=True)
    q, v = emb(a), emb(b)
    dot, scores = L.Attention(use_scale=True)([q, v], return_attention_scores=True)
    causal = L.Attention(score_mode="concat", use_scale=True)([q, v], use_causal_mask=True)
    additive = L.AdditiveAttention()([q, v, L.Dense(D)(v)])
    plain = L.AdditiveAttention(use_scale=False)([q, v])
    return keras.Model([a, b], [dot, scores, causal, additive, plain])


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _flat(v)]
    return [value]


def mask_summary(model):
    """For each layer output of a functional model (outputs flattened: tf.keras nests the states of stacked
    cells, chainrule lists them flat): None, or the mask's shape (as a list)."""
    return {layer.name: [None if getattr(t, "_keras_mask", None) is None else list(t._keras_mask.shape)
                         for t in _flat(layer.output)] for layer in model.layers}
