"""Layer and model behaviour users rely on: weights API, training flag, BatchNorm, configs, errors."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers
from chainrule.keras.layers import (ELU, Activation, Add, BatchNormalization, Concatenate, Dense, Dropout, Flatten,
                                    Input, LeakyReLU, Multiply, ReLU, Reshape, Softmax)
from chainrule.keras.models import Model, Sequential


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def test_both_import_styles_give_the_same_classes():
    assert keras.layers.Dense is Dense
    assert tf.keras.Sequential is Sequential and tf.keras.Model is Model and tf.keras.Input is Input


def test_automatic_names_are_unique_and_explicit_names_kept():
    assert [Dense(1).name, Dense(1).name, Dense(1, name="head").name, Dense(1).name] == \
        ["dense", "dense_1", "head", "dense_2"]
    assert Sequential().name == "sequential" and Sequential().name == "sequential_1"
    assert Input(shape=(3,))._keras_history[0].name == "input_1"
    assert BatchNormalization().name == "batch_normalization"


def test_dense_applies_to_last_axis_of_nd_input_and_matches_numpy():
    layer = Dense(4, activation="relu")
    x = np.random.default_rng(0).normal(size=(2, 3, 5)).astype("float32")
    y = layer(x)
    assert y.shape == (2, 3, 4) and y.dtype == tf.float32
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ kernel + bias, 0), rtol=1e-6)


def test_dense_casts_float64_input_to_float32():
    y = Dense(2)(np.ones((3, 4)))
    assert y.dtype == tf.float32


def test_dense_wrong_feature_count_names_layer_and_shapes():
    layer = Dense(3, name="hidden")
    layer(np.ones((2, 784), dtype="float32"))
    with pytest.raises(ValueError, match=r"Dense 'hidden': expected last axis 784, got input of shape \(32, 28, 28\)"):
        layer(np.ones((32, 28, 28), dtype="float32"))


def test_weights_order_and_set_weights_errors():
    model = Sequential([Dense(3, input_shape=(2,)), BatchNormalization(), Dense(1)])
    names = [w.name for w in model.weights]
    # tf.keras 2: all trainable weights first, then the non-trainable moving statistics.
    assert names == ["dense/kernel:0", "dense/bias:0", "batch_normalization/gamma:0",
                     "batch_normalization/beta:0", "dense_1/kernel:0", "dense_1/bias:0",
                     "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    weights = model.get_weights()
    with pytest.raises(ValueError, match="expected a list of 8 arrays"):
        model.set_weights(weights[:-1])
    bad = list(weights)
    bad[0] = np.zeros((5, 5))
    with pytest.raises(ValueError, match=r"has shape \(2, 3\), but the array given has shape \(5, 5\)"):
        model.set_weights(bad)
    new = [w + 1 for w in weights]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)


def test_get_weights_returns_copies():
    layer = Dense(2)
    layer(np.ones((1, 2)))
    w = layer.get_weights()
    w[0][...] = 123
    assert not np.any(layer.get_weights()[0] == 123)


def test_trainable_false_freezes_weights():
    model = Sequential([Dense(3, input_shape=(2,)), Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4


def test_count_params_unbuilt_layer_raises():
    with pytest.raises(ValueError, match="isn't built"):
        Dense(3).count_params()


def test_dropout_identity_at_inference_and_inverted_in_training():
    layer = Dropout(0.5)
    x = np.ones((200, 200), dtype="float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert abs((y == 0).mean() - 0.5) < 0.02


def test_training_flag_reaches_nested_dropout_through_model():
    model = Sequential([Dense(50, input_shape=(10,), kernel_initializer="ones"), Dropout(0.5)])
    x = np.ones((4, 10), dtype="float32")
    assert not np.any(model(x).numpy() == 0)
    assert np.any(model(x, training=True).numpy() == 0)


def test_batchnorm_training_uses_batch_stats_and_updates_moving_stats():
    bn = BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(64, 4)).astype("float32")
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), np.sqrt(x.var(0) / (x.var(0) + 1e-3)), rtol=1e-4)
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    np.testing.assert_allclose(mm, 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(mv, 0.9 + 0.1 * x.var(0), rtol=1e-5)


def test_batchnorm_inference_formula_with_moving_stats():
    bn = BatchNormalization(epsilon=1e-3)
    bn.build((None, 3))
    gamma, beta = np.array([1.5, 2.0, 0.5], "float32"), np.array([0.1, -0.2, 0.3], "float32")
    mean, var = np.array([1.0, -1.0, 0.5], "float32"), np.array([4.0, 0.25, 1.0], "float32")
    bn.set_weights([gamma, beta, mean, var])
    x = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(bn(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert bn.count_params() == 12 and len(bn.non_trainable_weights) == 2


def test_regularization_penalties_in_losses():
    from chainrule.keras.regularizers import l1, l2
    dense_l1 = Dense(3, kernel_regularizer=l1(0.01))
    dense_l2 = Dense(3, kernel_regularizer=l2(0.001))
    dense_l2(dense_l1(np.ones((2, 4), "float32")))
    (p1,), (p2,) = dense_l1.losses, dense_l2.losses
    np.testing.assert_allclose(float(p1), 0.01 * np.abs(dense_l1.kernel.numpy()).sum(), rtol=1e-6)
    np.testing.assert_allclose(float(p2), 0.001 * np.square(dense_l2.kernel.numpy()).sum(), rtol=1e-6)
    model = Sequential([Input(shape=(4,)), dense_l1, dense_l2])
    assert len(model.losses) == 2


def test_regularization_penalty_is_differentiable():
    from chainrule.keras.regularizers import l2
    layer = Dense(2, kernel_regularizer=l2(0.5))
    layer(np.ones((1, 3), "float32"))
    with tf.GradientTape() as tape:
        penalty = layer.losses[0]
    grad = tape.gradient(penalty, layer.kernel)
    np.testing.assert_allclose(grad.numpy(), 2 * 0.5 * layer.kernel.numpy(), rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: Dense(3, activation="relu", use_bias=False, name="d"),
    lambda: Activation("tanh"), lambda: Flatten(), lambda: Reshape((2, 3)), lambda: Dropout(0.3, seed=1),
    lambda: BatchNormalization(momentum=0.9), lambda: LeakyReLU(alpha=0.2), lambda: ReLU(max_value=6.0),
    lambda: ELU(alpha=0.5), lambda: Softmax(axis=-1), lambda: Concatenate(axis=1), lambda: Add(), lambda: Multiply(),
])
def test_get_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_layer_with_custom_init_without_get_config_cannot_serialize():
    class Scale(layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    with pytest.raises(NotImplementedError, match="must override `get_config"):
        Scale(2.0).get_config()


def test_leaky_relu_accepts_keras3_name():
    assert LeakyReLU(negative_slope=0.1).alpha == LeakyReLU(alpha=0.1).alpha and LeakyReLU().alpha == pytest.approx(0.3)


def test_activation_layer_numbers_are_kept_in_floatx_as_tf_keras_saves_them():
    # tf.keras 2 casts them with backend.cast_to_floatx: its configs (and to_json) hold the float32 numbers
    assert LeakyReLU().get_config()["alpha"] == 0.30000001192092896
    assert LeakyReLU(alpha=0.2).get_config()["alpha"] == 0.20000000298023224
    assert ELU(alpha=0.3).get_config()["alpha"] == 0.30000001192092896
    assert layers.ThresholdedReLU(theta=0.1).get_config()["theta"] == 0.10000000149011612
    assert ReLU(max_value=6.1, negative_slope=0.1).get_config()["max_value"] == 6.099999904632568
    assert '"alpha": 0.20000000298023224' in keras.Sequential([LeakyReLU(0.2, input_shape=(2,))]).to_json()
    x = np.array([[-1.0, 2.0]], "float32")
    np.testing.assert_array_equal(LeakyReLU(alpha=0.2)(x).numpy(), np.array([[-0.2, 2.0]], "float32"))
    keras.backend.set_floatx("float64")
    try:
        assert LeakyReLU(alpha=0.2).get_config()["alpha"] == 0.2
    finally:
        keras.backend.set_floatx("float32")


def test_concatenate_shape_error_names_layer():
    a, b = Input(shape=(3, 4)), Input(shape=(5, 4))
    with pytest.raises(ValueError, match="Concatenate 'concatenate'.*matching shapes"):
        Concatenate(axis=-1)([a, b])


def test_disconnected_graph_error():
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    out = Dense(1)(Concatenate()([a, b]))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(inputs=a, outputs=out)


def test_duplicate_layer_names_in_functional_model():
    inp = Input(shape=(3,))
    out = Dense(2, name="same")(Dense(3, name="same")(inp))
    with pytest.raises(ValueError, match="'same' is used 2 times"):
        Model(inp, out)


def test_duplicate_names_in_sequential():
    model = Sequential([Dense(2, name="d", input_shape=(3,))])
    with pytest.raises(ValueError, match="should have unique names"):
        model.add(Dense(2, name="d"))


def test_functional_model_shared_layer_and_dict_inputs():
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    shared = Dense(2, name="shared")
    model = Model(inputs={"a": a, "b": b}, outputs=Add()([shared(a), shared(b)]))
    xa, xb = np.ones((3, 4), "float32"), np.full((3, 4), 2.0, "float32")
    out = model({"a": xa, "b": xb}).numpy()
    kernel, bias = shared.get_weights()
    np.testing.assert_allclose(out, xa @ kernel + bias + xb @ kernel + bias, rtol=1e-6)
    assert len(model.weights) == 2


def test_functional_input_shape_checked():
    inp = Input(shape=(784,))
    model = Model(inp, Dense(2)(inp))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 784\), found shape=\(2, 28, 28\)"):
        model(np.zeros((2, 28, 28)))


def test_subclassed_model_tracks_layers_in_attributes_lists_and_dicts():
    class MyModel(Model):
        def __init__(self, units=30, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.dense_layer1 = Dense(300, activation=activation)
            self.blocks = [Dense(units, activation=activation), Dense(units)]
            self.heads = {"out": Dense(10, activation="softmax")}

        def call(self, inputs):
            x = self.dense_layer1(inputs)
            for block in self.blocks:
                x = block(x)
            return self.heads["out"](x)

    model = MyModel()
    assert model.name == "my_model"
    y = model(np.ones((2, 8), "float32"))
    assert y.shape == (2, 10)
    assert len(model.weights) == 8
    assert model.count_params() == 8 * 300 + 300 + 300 * 30 + 30 + 30 * 30 + 30 + 30 * 10 + 10


def test_input_repr_like_keras():
    assert repr(Input(shape=(28, 28), dtype=tf.float32)) == \
        "<KerasTensor: shape=(None, 28, 28) dtype=float32 (created by layer 'input_1')>"
    assert repr(Input(shape=(8,), dtype=tf.int32)) == \
        "<KerasTensor: shape=(None, 8) dtype=int32 (created by layer 'input_2')>"


def test_layer_weights_argument_and_build_on_symbolic_call():
    layer = Dense(2, weights=[np.ones((3, 2)), np.zeros(2)])
    out = layer(Input(shape=(3,)))
    assert out.shape == (None, 2)
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((3, 2)))


def test_unknown_layer_kwarg_is_an_error():
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        Dense(3, activaton="relu")


def test_softmax_mask_gives_masked_positions_zero_probability():
    # tf.keras 2.21 (tf_keras): [[0.11920291, 0.0, 0.88079703]]
    x = np.array([[1.0, 2.0, 3.0]], "float32")
    out = Softmax()(x, mask=np.array([[True, False, True]])).numpy()
    np.testing.assert_allclose(out, [[0.11920291, 0.0, 0.88079703]], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(Softmax()(x, mask=None).numpy(), Softmax()(x).numpy())


def test_merge_layers_insert_axes_after_the_batch_axis_for_lower_rank_inputs():
    # tf.keras 2: a (N, 4) input merged with (N, 3, 4) is read as (N, 1, 4).
    a = np.arange(24, dtype="float32").reshape(2, 3, 4)
    b = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(Add()([a, b]).numpy(), a + b[:, None, :])
    out = Add()([Input(shape=(3, 4)), Input(shape=(4,))])
    assert out.shape == (None, 3, 4)


def test_training_passed_positionally_reaches_call_as_training():
    # keras.io "Understanding masking & padding": model(x, y) on a functional model, whose call is
    # call(inputs, training=None, mask=None): the second positional argument is `training`, as in tf.keras.
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs * 2.0

    probe = Probe()
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(probe(x, True).numpy(), 2 * x)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, Probe()(inputs))
    del seen[1:]  # building the model ran the probe once on stand-ins
    np.testing.assert_array_equal(model(x, False).numpy(), 2 * x)
    assert seen == [True, False]
    with pytest.raises(TypeError, match="multiple values for argument 'training'"):
        probe(x, True, training=False)


def test_user_build_and_compute_output_shape_get_tensorshapes_and_a_model_build_runs():
    # "Hands-On Machine Learning", ch. 12: compute_output_shape calls batch_input_shape.as_list(), and a
    # subclassed Model's build(batch_input_shape) creates a layer from the input size, then super().build()
    class MyDense(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, batch_input_shape):
            assert isinstance(batch_input_shape, tf.TensorShape)
            self.kernel = self.add_weight(name="kernel", shape=[batch_input_shape[-1], self.units])
            super().build(batch_input_shape)

        def call(self, x):
            return x @ self.kernel

        def compute_output_shape(self, batch_input_shape):
            return tf.TensorShape(batch_input_shape.as_list()[:-1] + [self.units])

    model = keras.Sequential([MyDense(3, input_shape=[8]), MyDense(1)])
    assert model.output_shape == (None, 1)

    class Reconstructing(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(4)
            self.out = Dense(1)

        def build(self, batch_input_shape):
            self.reconstruct = Dense(batch_input_shape[-1])
            super().build(batch_input_shape)

        def call(self, inputs):
            z = self.hidden(inputs)
            self.add_loss(0.05 * tf.reduce_mean(tf.square(self.reconstruct(z) - inputs)))
            return self.out(z)

    x = np.random.default_rng(0).random((16, 5), dtype=np.float32)
    net = Reconstructing()
    net.compile(loss="mse", optimizer="sgd")
    net.fit(x, x[:, :1], epochs=1, verbose=0)
    assert net.reconstruct.kernel.shape == (4, 5)


def test_config_shapes_are_tuples_as_tf_keras_prints_them():
    # tf.keras 2: {'batch_input_shape': (None, 28, 28, 1), ...} and {'target_shape': (7, 7, 256)}; JSON makes lists
    assert layers.InputLayer(input_shape=(28, 28, 1)).get_config()["batch_input_shape"] == (None, 28, 28, 1)
    assert Dense(2, input_shape=(3,)).get_config()["batch_input_shape"] == (None, 3)
    assert Reshape((7, 7, 256)).get_config()["target_shape"] == (7, 7, 256)
    model = Sequential([layers.InputLayer(input_shape=(2,)), Reshape((1, 2))])
    assert '"batch_input_shape": [null, 2]' in model.to_json() and '"target_shape": [1, 2]' in model.to_json()
    clone = keras.models.model_from_json(model.to_json())
    assert clone.get_config() == model.get_config()
