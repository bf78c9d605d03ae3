"""Keras layers are tf.Modules: Variable attributes are weights (in tf.keras 2's order), ``submodules``,
``name_scope``; a Sequential may hold one layer instance twice.

The expected names and orders are what tf.keras 2.21 (tf_keras) prints for the same classes."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers


class _Mixed(layers.Layer):
    """Variables assigned as attributes, one add_weight, a non-trainable Variable and a sub-layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.b = tf.Variable(tf.zeros([2]), name="b")
        self.w = tf.Variable(tf.ones([3, 2]), name="w")
        self.k = self.add_weight("k", shape=(2,))
        self.n = tf.Variable(2.0, trainable=False, name="n")
        self.d = layers.Dense(2)

    def call(self, x):
        return self.d(x @ self.w + self.b + self.k)


def _short(variables):
    return [v.name.split("/")[-1] for v in variables]


def test_a_layer_is_a_module_and_its_variable_attributes_are_weights_in_tf_keras_order():
    layer = _Mixed()
    layer(np.ones((1, 3), "float32"))
    assert isinstance(layer, tf.Module)
    # tf.keras 2: own weights in the order they were assigned or created, then the sub-layers'
    assert _short(layer.trainable_variables) == ["b:0", "w:0", "k:0", "kernel:0", "bias:0"]
    assert _short(layer.non_trainable_variables) == ["n:0"]
    assert _short(layer.variables) == ["b:0", "w:0", "k:0", "kernel:0", "bias:0", "n:0"]
    assert layer.submodules == (layer.d,)
    assert layer.count_params() == 2 + 6 + 2 + (2 * 2 + 2) + 1  # b, w, k, the Dense, n


def test_a_frozen_layer_reports_its_attribute_variables_as_non_trainable():
    layer = _Mixed()
    layer(np.ones((1, 3), "float32"))
    layer.trainable = False
    assert layer.trainable_variables == []
    assert _short(layer.non_trainable_variables) == ["b:0", "w:0", "k:0", "n:0", "kernel:0", "bias:0"]


def test_variables_in_list_and_dict_attributes_and_in_a_module_attribute_are_tracked():
    class Holder(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([1.0, 2.0], name="held")

    class L(layers.Layer):
        def __init__(self):
            super().__init__()
            self.pair = [tf.Variable(1.0, name="p0"), tf.Variable(2.0, name="p1")]
            self.table = {"z": tf.Variable(3.0, name="z"), "a": tf.Variable(4.0, name="a")}
            self.holder = Holder()

    layer = L()
    assert _short(layer.trainable_variables) == ["p0:0", "p1:0", "a:0", "z:0", "held:0"]  # dict keys sorted
    assert layer.holder in layer.submodules


def test_the_same_variable_assigned_twice_is_one_weight():
    class L(layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(1.0)
            self.alias = self.w

    assert len(L().weights) == 1


def test_a_keras_model_holding_variable_attributes_trains_with_fit():
    """The 'Basic training loops' guide's Keras model: fit used to run at a constant loss."""
    class MyModelKeras(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = tf.Variable(5.0)
            self.b = tf.Variable(0.0)

        def call(self, x):
            return self.w * x + self.b

    x = np.linspace(-2, 2, 201).astype("float32")
    y = x * 3 + 2
    model = MyModelKeras()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=keras.losses.mean_squared_error)
    history = model.fit(x, y, epochs=10, batch_size=1000, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] / 5
    # the first epoch's step, by hand: d/dw mean((w x + b - y)^2) at w=5, b=0
    grad_w = np.mean(2 * (5 * x - y) * x)
    grad_b = np.mean(2 * (5 * x - y))
    model2 = MyModelKeras()
    model2.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    model2.fit(x, y, epochs=1, batch_size=1000, verbose=0, shuffle=False)
    np.testing.assert_allclose(model2.w.numpy(), 5 - 0.1 * grad_w, rtol=1e-5)
    np.testing.assert_allclose(model2.b.numpy(), -0.1 * grad_b, rtol=1e-5, atol=1e-6)
    model.summary(print_fn=lambda line: None)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 2" in lines


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_variable_attributes_are_saved_and_loaded(tmp_path, suffix):
    class Affine(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = tf.Variable(tf.ones([3, 2]), name="w")
            self.steps = tf.Variable(0, trainable=False, name="steps")

        def call(self, x):
            return x @ self.w

        def get_config(self):
            return {"name": self.name}

    model = Affine()
    model(np.ones((1, 3), "float32"))
    model.w.assign(np.arange(6, dtype="float32").reshape(3, 2))
    model.steps.assign(7)
    path = str(tmp_path / f"m{suffix}")
    other = Affine()
    other(np.ones((1, 3), "float32"))
    if suffix == ".weights.h5":
        model.save_weights(path)
        other.load_weights(path)
    else:
        model.save(path)
        other = keras.models.load_model(path, custom_objects={"Affine": Affine})
    np.testing.assert_array_equal(other.w.numpy(), model.w.numpy())
    assert int(other.steps.numpy()) == 7


def test_name_scope_is_a_context_manager_and_called_gives_the_scope():
    layer = layers.Dense(3, name="dd")
    assert layer.name_scope() == "dd/"  # tf.keras 2's layer.name_scope() method
    with layer.name_scope:
        v = tf.Variable(1.0, name="v")
    assert v.name == "dd/v:0"


def test_a_layer_name_is_read_only_as_in_tf_keras():
    layer = layers.Dense(3, name="first")
    with pytest.raises(AttributeError):
        layer.name = "second"
    layer._name = "renamed"  # the common tf.keras 2 idiom still works
    assert layer.name == "renamed"


def test_a_sequential_can_hold_the_same_layer_twice(tmp_path):
    shared = layers.Dense(4, name="shared")
    model = keras.Sequential([keras.Input((4,)), shared, shared])
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(model(x), shared(shared(x)), rtol=1e-6)
    assert model.layers == [shared]
    assert len(model.weights) == 2
    lines = []
    model.summary(print_fn=lines.append)
    assert sum("shared (Dense)" in line for line in lines) == 1
    assert "Total params: 20" in lines
    for suffix in (".keras", ".h5"):
        path = str(tmp_path / f"twice{suffix}")
        model.save(path)
        loaded = keras.models.load_model(path)
        assert len(loaded.layers) == 1 and len(loaded.weights) == 2
        np.testing.assert_allclose(loaded(x), model(x), rtol=1e-6)
    deferred = keras.Sequential([shared, shared])  # built on the first call
    np.testing.assert_allclose(deferred(x), shared(shared(x)), rtol=1e-6)
    deferred.pop()
    assert deferred.layers == [shared] and len(deferred.weights) == 2


def test_two_different_layers_with_one_name_are_still_refused_in_a_sequential():
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(2, name="x", input_shape=(3,)), layers.Dense(2, name="x")])


class _Block(layers.Layer):
    """Sub-layers made in __init__ and in build, and a Sequential of its own (keras.io's TransformerBlock)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=1, key_dim=2, name="att")
        self.ffn = keras.Sequential([layers.Dense(2, name="ffn_dense")])
        self.norm = layers.LayerNormalization(name="norm")

    def build(self, input_shape):
        self.v = self.add_weight(name="v", shape=(1,))
        self.late = layers.Dense(2, name="late")

    def call(self, x):
        return self.late(self.norm(x + self.ffn(self.att(x, x))) * self.v)


class _Net(keras.Model):
    def __init__(self):
        super().__init__(name="net")
        self.first = layers.Dense(2, name="first")
        self.block = _Block(name="block")

    def call(self, x):
        return self.block(self.first(x))


def test_sub_layers_built_by_a_layers_first_call_are_named_inside_its_scope():
    # tf.keras 2.21 (tf_keras) names them so; a Sequential's own layers keep their names (it builds them in a
    # graph of its own), and model.build() calls the model outside its scope
    inputs = keras.Input((3, 2))
    block = _Block(name="block")
    model = keras.Model(inputs, block(inputs))
    assert [w.name for w in model.weights] == [
        "block/v:0", "block/att/query/kernel:0", "block/att/query/bias:0", "block/att/key/kernel:0",
        "block/att/key/bias:0", "block/att/value/kernel:0", "block/att/value/bias:0",
        "block/att/attention_output/kernel:0", "block/att/attention_output/bias:0", "ffn_dense/kernel:0",
        "ffn_dense/bias:0", "block/norm/gamma:0", "block/norm/beta:0", "block/late/kernel:0", "block/late/bias:0"]
    net = _Net()
    net(np.ones((1, 3, 2), "float32"))
    names = [w.name for w in net.weights]
    assert names[:3] == ["net/first/kernel:0", "net/first/bias:0", "net/block/v:0"]
    assert "net/block/att/query/kernel:0" in names and "net/block/late/bias:0" in names
    built = _Net()
    built.build((None, 3, 2))
    assert [w.name for w in built.weights][:3] == ["first/kernel:0", "first/bias:0", "block/v:0"]
