"""``keras.layers.InputSpec`` as custom layers use it (``self.input_spec`` checked at every call, eager and
symbolic, with tf.keras 2's messages) and ``keras.layers.AbstractRNNCell`` run by ``RNN``."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers


class Doubler(layers.Layer):
    def __init__(self, spec=None, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = spec

    def call(self, inputs):
        return tf.nest.map_structure(lambda x: x * 2, inputs)


class LastAxisFixedInBuild(layers.Layer):
    """tf.keras 2's pattern: ``min_ndim`` from __init__, the last axis' size pinned in build."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = layers.InputSpec(min_ndim=2)

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], 2))
        self.input_spec = layers.InputSpec(min_ndim=2, axes={-1: input_shape[-1]})
        self.built = True

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def test_input_spec_fields_repr_and_config():
    spec = layers.InputSpec(dtype="float32", ndim=3, axes={-1: 4})
    assert repr(spec) == "InputSpec(dtype=float32, ndim=3, axes={-1: 4})"
    assert spec.get_config() == {"dtype": "float32", "shape": None, "ndim": 3, "max_ndim": None, "min_ndim": None,
                                 "axes": {-1: 4}}
    assert repr(layers.InputSpec.from_config(spec.get_config())) == repr(spec)
    shaped = layers.InputSpec(shape=(None, 3))
    assert shaped.ndim == 2 and shaped.shape == (None, 3)
    with pytest.raises(TypeError, match="must be a dict with integer keys"):
        layers.InputSpec(axes={"last": 3})
    with pytest.raises(ValueError, match="Axis 3 is greater than the maximum allowed value: 1"):
        layers.InputSpec(ndim=2, axes={3: 1})


@pytest.mark.parametrize("spec, bad, message", [
    (layers.InputSpec(ndim=2), (2, 3, 1), 'Input 0 of layer "doubler" is incompatible with the layer: expected '
                                           'ndim=2, found ndim=3. Full shape received: (2, 3, 1)'),
    (layers.InputSpec(min_ndim=3), (2, 3), "expected min_ndim=3, found ndim=2. Full shape received: (2, 3)"),
    (layers.InputSpec(max_ndim=2), (2, 3, 1), "expected max_ndim=2, found ndim=3"),
    (layers.InputSpec(axes={-1: 4}), (2, 3), "expected axis -1 of input shape to have value 4, but received "
                                             "input with shape (2, 3)"),
    (layers.InputSpec(shape=(None, 4)), (2, 3), "expected shape=(None, 4), found shape=(2, 3)"),
    (layers.InputSpec(dtype="int32"), (2, 3), "expected dtype=int32, found dtype=float32"),
])
def test_a_call_that_breaks_the_spec_is_refused_eagerly_and_symbolically(spec, bad, message):
    layer = Doubler(spec)
    with pytest.raises(ValueError) as eager:
        layer(np.ones(bad, dtype="float32"))
    assert message in str(eager.value)
    with pytest.raises(ValueError, match="incompatible with the layer"):
        Doubler(spec)(keras.Input(bad[1:]))


def test_unknown_symbolic_sizes_pass_and_good_inputs_run():
    layer = Doubler(layers.InputSpec(ndim=3, axes={1: 5, 2: 4}))
    assert layer(keras.Input((None, 4))).shape == (None, None, 4)
    np.testing.assert_array_equal(Doubler(layers.InputSpec(ndim=3, axes={1: 5}))(np.ones((2, 5, 4))).numpy(),
                                  np.full((2, 5, 4), 2.0))


def test_a_spec_set_in_build_checks_the_later_calls():
    layer = LastAxisFixedInBuild()
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layer(np.ones(3, dtype="float32"))
    assert layer(np.ones((2, 3), dtype="float32")).shape == (2, 2)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((2, 5), dtype="float32"))
    model = keras.Sequential([keras.Input((3,)), LastAxisFixedInBuild()])
    assert model.predict(np.ones((4, 3), dtype="float32"), verbose=0).shape == (4, 2)


def test_one_spec_per_input_counts_and_names_the_inputs():
    layer = Doubler([layers.InputSpec(ndim=2, name="a"), layers.InputSpec(ndim=3, name="b")])
    with pytest.raises(ValueError, match='Layer "doubler" expects 2 input\\(s\\), but it received 1 input tensors'):
        layer([np.ones((2, 3))])
    with pytest.raises(ValueError, match='Input 1 of layer "doubler" .* expected ndim=3, found ndim=2'):
        layer([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        layer({"a": np.ones((2, 3))})
    out = layer({"b": np.ones((2, 3, 1)), "a": np.ones((2, 3))})
    assert out["b"].shape == (2, 3, 1)


# ----------------------------------------------------------------------------- AbstractRNNCell

class MinimalRNNCell(layers.AbstractRNNCell):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        output = tf.tanh(tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent_kernel))
        return output, [output]


def test_rnn_runs_an_abstract_rnn_cell_subclass_step_by_step():
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype("float32")
    rnn = layers.RNN(MinimalRNNCell(5), return_sequences=True)
    out = rnn(x).numpy()
    kernel, recurrent = (w.numpy() for w in rnn.weights)
    h = np.zeros((2, 5), dtype="float32")
    for t in range(4):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent)
        np.testing.assert_allclose(out[:, t], h, rtol=1e-5, atol=1e-6)
    assert rnn.cell.output_size == 5  # the state's size when the subclass does not say
    zeros = rnn.cell.get_initial_state(batch_size=2, dtype="float32")
    assert zeros.shape == (2, 5) and not np.any(zeros.numpy())


def test_abstract_rnn_cell_without_its_methods_says_what_to_define():
    cell = layers.AbstractRNNCell()
    with pytest.raises(NotImplementedError, match="must define the state_size property"):
        _ = cell.state_size
    with pytest.raises(NotImplementedError, match="must define call\\(inputs, states\\)"):
        cell.call(np.ones((1, 2)), [np.ones((1, 2))])
