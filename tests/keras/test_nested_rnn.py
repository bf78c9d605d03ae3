"""``RNN(cell)`` with nested inputs, nested outputs and multi-dimensional states, as tf.keras 2 runs them
(keras.io's guide "Working with RNNs", section "RNNs with list/dict inputs, or nested inputs").

The numbers are checked against a numpy loop written here with the same weights; the structures, shapes and
history keys are the ones tf.keras 2.21 gives (``REF=1 TF_USE_LEGACY_KERAS=1`` runs of the guide's code in
/work/refenv-tf: ``['loss', 'rnn_1_accuracy', 'rnn_1_loss', 'rnn_accuracy', 'rnn_loss']``, a functional
output shape ``((None, 10), (None, 20, 30))``, ``[(o1, o2), s1, s2]`` with ``return_state``).
"""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers as L

B, T, I1, I2, I3, U1, U2, U3 = 3, 4, 5, 2, 3, 4, 2, 3


class NestedCell(L.Layer):
    """The guide's cell with its outputs fed back through the states (``tanh(state + input term)``), so masks
    and initial states change the outputs."""

    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1, self.unit_2, self.unit_3 = unit_1, unit_2, unit_3
        self.state_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        self.output_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        self.build_shapes = None
        super().__init__(**kwargs)

    def build(self, input_shapes):
        self.build_shapes = input_shapes
        i1, i2, i3 = input_shapes[0][1], input_shapes[1][1], input_shapes[1][2]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), initializer="uniform", name="kernel_1")
        self.kernel_2_3 = self.add_weight(shape=(i2, i3, self.unit_2, self.unit_3), initializer="uniform",
                                          name="kernel_2_3")

    def call(self, inputs, states):
        input_1, input_2 = tf.nest.flatten(inputs)
        s1, s2 = states
        state_1 = tf.tanh(s1 + tf.matmul(input_1, self.kernel_1))
        state_2_3 = tf.tanh(s2 + tf.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3))
        return (state_1 * 2.0, state_2_3), (state_1, state_2_3)

    def get_config(self):
        return {**super().get_config(), "unit_1": self.unit_1, "unit_2": self.unit_2, "unit_3": self.unit_3}


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=(B, T, I1)).astype("float32")
    x2 = rng.normal(size=(B, T, I2, I3)).astype("float32")
    k1 = (rng.normal(size=(I1, U1)) * 0.5).astype("float32")
    k23 = (rng.normal(size=(I2, I3, U2, U3)) * 0.5).astype("float32")
    return x1, x2, k1, k23


def _numpy_rnn(x1, x2, k1, k23, mask=None, go_backwards=False, return_sequences=False, s1=None, s2=None):
    """tf.keras 2's backend.rnn over NestedCell: a masked step keeps the states and repeats the previous output
    (zeros before the first real step)."""
    s1 = np.zeros((B, U1)) if s1 is None else s1
    s2 = np.zeros((B, U2, U3)) if s2 is None else s2
    prev = (np.zeros((B, U1)), np.zeros((B, U2, U3)))
    outs = []
    for t in (range(T - 1, -1, -1) if go_backwards else range(T)):
        n1 = np.tanh(s1 + x1[:, t] @ k1)
        n2 = np.tanh(s2 + np.einsum("bij,ijkl->bkl", x2[:, t], k23))
        o = (2 * n1, n2)
        if mask is not None:
            m = mask[:, t]
            o = (np.where(m[:, None], o[0], prev[0]), np.where(m[:, None, None], o[1], prev[1]))
            n1, n2 = np.where(m[:, None], n1, s1), np.where(m[:, None, None], n2, s2)
        s1, s2, prev = n1, n2, o
        outs.append(o)
    if return_sequences:
        return (np.stack([o[0] for o in outs], 1), np.stack([o[1] for o in outs], 1)), (s1, s2)
    return prev, (s1, s2)


def _layer(k1, k23, **kwargs):
    layer = L.RNN(NestedCell(U1, U2, U3), **kwargs)
    layer.build(((None, None, I1), (None, None, I2, I3)))
    layer.set_weights([k1, k23])
    return layer


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_nested_outputs_match_a_numpy_loop(return_sequences, go_backwards, masked):
    x1, x2, k1, k23 = _data()
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], bool) if masked else None
    layer = _layer(k1, k23, return_sequences=return_sequences, go_backwards=go_backwards)
    out = layer((x1, x2), mask=mask)
    want, _ = _numpy_rnn(x1, x2, k1, k23, mask, go_backwards, return_sequences)
    assert isinstance(out, tuple) and len(out) == 2
    steps = (T,) if return_sequences else ()
    assert tuple(out[0].shape) == (B, *steps, U1) and tuple(out[1].shape) == (B, *steps, U2, U3)
    np.testing.assert_allclose(out[0].numpy(), want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1].numpy(), want[1], rtol=1e-5, atol=1e-6)


def test_the_cell_builds_on_the_nesting_of_step_shapes():
    cell = NestedCell(U1, U2, U3)
    a, b = keras.Input((None, I1)), keras.Input((None, I2, I3))
    out = L.RNN(cell)((a, b))
    assert cell.build_shapes == ((None, I1), (None, I2, I3))
    assert isinstance(out, tuple) and [tuple(t.shape) for t in out] == [(None, U1), (None, U2, U3)]

    class DictCell(L.Layer):
        state_size = 3
        output_size = 3

        def build(self, shapes):
            self.shapes = shapes
            self.k = self.add_weight(shape=(shapes["a"][1] + shapes["b"][1], 3), initializer="ones", name="k")

        def call(self, inputs, states):
            h = tf.matmul(tf.concat([inputs["a"], inputs["b"]], -1), self.k) + states[0]
            return h, [h]
    x1 = _data()[0]
    cell = DictCell()
    out = L.RNN(cell)({"b": x1[..., :2], "a": x1})
    assert cell.shapes == {"b": (B, 2), "a": (B, I1)}
    np.testing.assert_allclose(out.numpy(), np.repeat((x1.sum(-1) + x1[..., :2].sum(-1)).sum(1)[:, None], 3, 1),
                               rtol=1e-5)


def test_return_state_initial_state_and_get_initial_state_with_multidimensional_states():
    x1, x2, k1, k23 = _data()
    layer = _layer(k1, k23, return_state=True)
    zeros = layer.get_initial_state((x1, x2))
    assert [tuple(s.shape) for s in zeros] == [(B, U1), (B, U2, U3)]
    assert not any(np.any(s.numpy()) for s in zeros)
    s0 = [np.full((B, U1), 0.1, "float32"), np.full((B, U2, U3), -0.2, "float32")]
    (o1, o2), s1, s2 = layer((x1, x2), initial_state=[tf.constant(s) for s in s0])
    (w1, w2), (ws1, ws2) = _numpy_rnn(x1, x2, k1, k23, s1=s0[0], s2=s0[1])
    for got, want in [(o1, w1), (o2, w2), (s1, ws1), (s2, ws2)]:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape(((None, 7, I1), (None, 7, I2, I3))) == [
        (None, U1), (None, U2, U3), (None, U1), (None, U2, U3)]
    a, b = keras.Input((None, I1)), keras.Input((None, I2, I3))
    ia, ib = keras.Input((U1,)), keras.Input((U2, U3))
    out = L.RNN(NestedCell(U1, U2, U3), return_sequences=True)((a, b), initial_state=[ia, ib])
    model = keras.Model([a, b, ia, ib], out)
    assert model.output_shape == ((None, None, U1), (None, None, U2, U3))
    model.layers[-1].set_weights([k1, k23])
    p = model.predict([x1, x2, *s0], verbose=0)
    (w1, w2), _ = _numpy_rnn(x1, x2, k1, k23, return_sequences=True, s1=s0[0], s2=s0[1])
    assert isinstance(p, tuple)
    np.testing.assert_allclose(p[0], w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p[1], w2, rtol=1e-5, atol=1e-6)


def test_a_stateful_layer_keeps_multidimensional_states():
    x1, x2, k1, k23 = _data()
    layer = L.RNN(NestedCell(U1, U2, U3), stateful=True)
    layer.build(((B, None, I1), (B, None, I2, I3)))
    layer.set_weights([k1, k23])
    assert [tuple(v.shape) for v in layer.states] == [(B, U1), (B, U2, U3)]
    layer((x1, x2))
    _, (s1, s2) = _numpy_rnn(x1, x2, k1, k23)
    np.testing.assert_allclose(layer.states[1].numpy(), s2, rtol=1e-5, atol=1e-6)
    (o1, _), _ = _numpy_rnn(x1, x2, k1, k23, s1=s1, s2=s2)
    np.testing.assert_allclose(layer((x1, x2))[0].numpy(), o1, rtol=1e-5, atol=1e-6)
    layer.reset_states()
    assert not any(np.any(v.numpy()) for v in layer.states)


def test_the_guides_model_fits_with_the_output_names_of_tf_keras():
    rng = np.random.default_rng(1)
    n, steps = 64, 6
    a, b = keras.Input((None, I1)), keras.Input((None, I2, I3))
    outputs = L.RNN(NestedCell(U1, U2, U3), name="seq")((a, b))
    model = keras.Model([a, b], outputs)
    assert model.output_names == ["seq", "seq_1"]
    assert model.output_shape == ((None, U1), (None, U2, U3))
    x = [rng.random((n, steps, I1)).astype("float32"), rng.random((n, steps, I2, I3)).astype("float32")]
    teacher = _layer(*_data(2)[2:])
    y = [t.numpy() for t in teacher(tuple(x))]
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert sorted(history.history) == ["loss", "seq_1_accuracy", "seq_1_loss", "seq_accuracy", "seq_loss"]
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < 0.5 * losses[0]


def test_a_cell_returning_other_structures_than_it_declares_is_named_in_the_error():
    x1, x2, k1, k23 = _data()

    class OneOutput(NestedCell):
        def call(self, inputs, states):
            out, new = super().call(inputs, states)
            return out[0], new

    class FlatState(NestedCell):
        def call(self, inputs, states):
            out, new = super().call(inputs, states)
            return out, (new[0], tf.reshape(new[1], (-1, U2 * U3)))

    with pytest.raises(ValueError, match=r"RNN layer 'odd'.*output_size"):
        L.RNN(OneOutput(U1, U2, U3), name="odd")((x1, x2))
    with pytest.raises(ValueError, match=r"RNN layer 'flat'.*states of shapes.*\(6,\).*\(2, 3\)"):
        L.RNN(FlatState(U1, U2, U3), name="flat")((x1, x2))


def test_gradients_flow_through_nested_steps():
    x1, x2, k1, k23 = _data()
    layer = _layer(k1, k23, return_sequences=True)
    with tf.GradientTape() as tape:
        o1, o2 = layer((x1, x2), mask=np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], bool))
        loss = tf.reduce_sum(o1 * o1) + tf.reduce_sum(o2)
    g1, g23 = tape.gradient(loss, [layer.cell.kernel_1, layer.cell.kernel_2_3])
    eps = 1e-3

    def numpy_loss(k1_, k23_):
        (w1, w2), _ = _numpy_rnn(x1.astype(float), x2.astype(float), k1_, k23_,
                                 np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], bool), return_sequences=True)
        return (w1 ** 2).sum() + w2.sum()
    for (i, j) in [(0, 0), (2, 3), (4, 1)]:
        d = np.zeros_like(k1, dtype=float)
        d[i, j] = eps
        numeric = (numpy_loss(k1 + d, k23) - numpy_loss(k1 - d, k23)) / (2 * eps)
        np.testing.assert_allclose(g1.numpy()[i, j], numeric, rtol=1e-3, atol=1e-4)
    d = np.zeros_like(k23, dtype=float)
    d[1, 2, 0, 1] = eps
    numeric = (numpy_loss(k1, k23 + d) - numpy_loss(k1, k23 - d)) / (2 * eps)
    np.testing.assert_allclose(g23.numpy()[1, 2, 0, 1], numeric, rtol=1e-3, atol=1e-4)


def test_a_model_over_a_registered_nested_cell_saves_and_loads(tmp_path):
    """tf.keras 2.21 writes the RNN's tuple input as a flat list and cannot load the file (its RNN takes the second
    input for an initial state); chainrule writes ``nested_inputs`` in the RNN's config to replay the call."""
    keras.utils.register_keras_serializable(package="test_nested_rnn")(NestedCell)
    x1, x2, k1, k23 = _data()
    a, b = keras.Input((None, I1)), keras.Input((None, I2, I3))
    ia, ib = keras.Input((U1,)), keras.Input((U2, U3))
    out = L.RNN(NestedCell(U1, U2, U3), return_sequences=True, return_state=True)((a, b), initial_state=[ia, ib])
    model = keras.Model([a, b, ia, ib], out)
    model.layers[-1].set_weights([k1, k23])
    s0 = [np.full((B, U1), 0.1, "float32"), np.full((B, U2, U3), -0.2, "float32")]
    want = model.predict([x1, x2, *s0], verbose=0)
    assert model.layers[-1].get_config()["nested_inputs"] == 2
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    got = loaded.predict([x1, x2, *s0], verbose=0)
    assert [g.shape for g in got] == [(B, T, U1), (B, T, U2, U3), (B, U1), (B, U2, U3)]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert isinstance(loaded.layers[-1].cell, NestedCell)


def test_one_multidimensional_state_alone_in_a_stack_and_time_major():
    class Grid(L.Layer):
        """One state of shape (2, 3) (``state_size = TensorShape([2, 3])`` is one state, not two)."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.state_size, self.output_size = tf.TensorShape([2, 3]), tf.TensorShape([6])

        def build(self, shape):
            self.k = self.add_weight(shape=(shape[-1], 6), initializer="ones", name="k")

        def call(self, x, states):
            s = states[0] + tf.reshape(tf.matmul(x, self.k), (-1, 2, 3))
            return tf.reshape(s, (-1, 6)), [s]
    x1 = _data()[0]
    total = np.repeat(x1.sum((1, 2))[:, None], 6, 1)
    out, state = L.RNN(Grid(), return_state=True)(x1)
    assert tuple(out.shape) == (B, 6) and tuple(state.shape) == (B, 2, 3)
    np.testing.assert_allclose(state.numpy().reshape(B, 6), total, rtol=1e-5)
    out, grid, gru = L.RNN([Grid(), L.GRUCell(3)], return_state=True)(x1)
    assert (tuple(grid.shape), tuple(gru.shape)) == ((B, 2, 3), (B, 3))
    np.testing.assert_allclose(grid.numpy().reshape(B, 6), total, rtol=1e-5)
    np.testing.assert_array_equal(out.numpy(), gru.numpy())

    _, x2, k1, k23 = _data()
    want = _layer(k1, k23, return_sequences=True)((x1, x2))
    got = _layer(k1, k23, return_sequences=True, time_major=True)((x1.transpose(1, 0, 2), x2.transpose(1, 0, 2, 3)))
    np.testing.assert_allclose(got[0].numpy().transpose(1, 0, 2), want[0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(got[1].numpy().transpose(1, 0, 2, 3), want[1].numpy(), rtol=1e-6)
