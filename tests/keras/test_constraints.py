"""Weight constraints: tf.keras 2's formulas, applied by the optimizer after each update, saved in configs."""
import math

import numpy as np
import pytest

import chainrule
from chainrule import keras
from chainrule.keras import constraints
from chainrule.keras.layers import BatchNormalization, Dense, Input, Layer
from chainrule.keras.models import Model, Sequential

W = np.array([[3.0, 0.1], [4.0, 0.2]])  # column norms (axis 0): 5 and sqrt(0.05) = 0.2236068


def values(constraint, w=W, dtype="float64"):
    return constraint(chainrule.constant(np.asarray(w, dtype=dtype))).numpy()


def test_formulas_against_hand_computed_numbers():
    np.testing.assert_allclose(values(constraints.MaxNorm(2)), [[1.2, 0.1], [1.6, 0.2]], rtol=1e-6)
    np.testing.assert_allclose(values(constraints.UnitNorm()), [[0.6, 0.4472136], [0.8, 0.8944272]], rtol=1e-6)
    np.testing.assert_allclose(values(constraints.MinMaxNorm(0.5, 1.0)), [[0.6, 0.2236068], [0.8, 0.4472136]],
                               rtol=1e-6)
    # rate 0.5: desired norms 0.5 * 1 + 0.5 * 5 = 3 and 0.5 * 0.5 + 0.5 * 0.2236068 = 0.3618034
    np.testing.assert_allclose(values(constraints.MinMaxNorm(0.5, 1.0, rate=0.5)),
                               [[1.8, 0.1618034], [2.4, 0.3236068]], rtol=1e-6)
    row_scale = [[2 / math.hypot(3, 0.1)], [2 / math.hypot(4, 0.2)]]
    np.testing.assert_allclose(values(constraints.MaxNorm(2, axis=1)), W * row_scale, rtol=1e-6)
    np.testing.assert_array_equal(values(constraints.NonNeg(), [[-1.0, 2.0], [0.0, -0.5]]), [[0, 2], [0, 0]])
    assert values(constraints.NonNeg(), W, "float32").dtype == np.float32
    np.testing.assert_array_equal(values(constraints.Constraint()), W)


def test_max_norm_over_several_axes_like_a_conv_kernel():
    w = np.arange(1.0, 25.0).reshape(2, 3, 2, 2)
    norms = np.sqrt((w ** 2).sum(axis=(0, 1, 2), keepdims=True))
    expected = w * np.clip(norms, 0, 1.5) / (1e-7 + norms)
    np.testing.assert_allclose(values(constraints.MaxNorm(1.5, axis=[0, 1, 2]), w), expected, rtol=1e-12)


def test_radial_constraint_follows_tf_keras():
    k4 = np.arange(16.0).reshape(4, 4, 1, 1)
    out = values(constraints.RadialConstraint(), k4)[..., 0, 0]
    ring = np.full((4, 4), k4[3, 3, 0, 0])          # tf.keras: outer ring from [3, 3], inner 2x2 from [1, 1]
    ring[1:3, 1:3] = k4[1, 1, 0, 0]
    np.testing.assert_array_equal(out, ring)
    k3 = np.arange(9.0).reshape(3, 3, 1, 1)
    out = values(constraints.RadialConstraint(), k3)[..., 0, 0]
    expected = np.full((3, 3), k3[1, 1, 0, 0])     # tf.keras: the centre from [0, 0], the ring from [1, 1]
    expected[1, 1] = k3[0, 0, 0, 0]
    np.testing.assert_array_equal(out, expected)
    rng = np.random.default_rng(0)
    for width in (3, 4, 5, 6):  # tf-keras's own test: constant border, ceil(width / 2) distinct values
        value = values(constraints.RadialConstraint(), rng.normal(size=(width, width, 2, 3)))
        assert np.all(value[:, 0, 0, 0] == value[-1, 0, 0, 0])
        assert len(set(value[..., 1, 2].ravel())) == math.ceil(width / 2)
    with pytest.raises(ValueError, match="must have rank 4"):
        values(constraints.RadialConstraint(), W)


def test_names_aliases_and_configs():
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert isinstance(constraints.get("MaxNorm"), constraints.MaxNorm)
    for alias, cls in [("max_norm", "MaxNorm"), ("unit_norm", "UnitNorm"), ("min_max_norm", "MinMaxNorm"),
                       ("radial_constraint", "RadialConstraint"), ("non_neg", "NonNeg")]:
        assert getattr(constraints, alias) is getattr(constraints, cls)
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    config = constraints.serialize(constraints.MinMaxNorm(0.1, 2.0, rate=0.3, axis=1))
    assert config == {"class_name": "MinMaxNorm", "config": {"min_value": 0.1, "max_value": 2.0, "rate": 0.3,
                                                             "axis": 1}}
    assert constraints.deserialize(config).get_config() == config["config"]
    assert constraints.get(None) is None and constraints.serialize(None) is None
    with pytest.raises(ValueError, match=r"Unknown constraint: 'nonneg_'.*Did you mean 'nonneg'\?"):
        constraints.get("nonneg_")


def test_add_weight_and_layers_set_the_variable_constraint():
    class Owner(Layer):
        def build(self, input_shape):
            self.free = self.add_weight("free", (2,))
            self.kept = self.add_weight("kept", (2,), constraint="non_neg")

    owner = Owner()
    owner.build((None, 2))
    assert owner.free.constraint is None and isinstance(owner.kept.constraint, constraints.NonNeg)
    dense = Dense(3, kernel_constraint=constraints.MaxNorm(1.0), bias_constraint="non_neg")
    dense.build((None, 4))
    assert isinstance(dense.kernel.constraint, constraints.MaxNorm) and dense.kernel.constraint.max_value == 1.0
    assert isinstance(dense.bias.constraint, constraints.NonNeg)
    norm = BatchNormalization(beta_constraint="non_neg", gamma_constraint=constraints.UnitNorm())
    norm.build((None, 4))
    assert isinstance(norm.beta.constraint, constraints.NonNeg)
    assert isinstance(norm.gamma.constraint, constraints.UnitNorm)
    assert norm.moving_mean.constraint is None


def test_the_optimizer_projects_after_the_update():
    var = chainrule.Variable([0.5, -0.2, 1.0], constraint=constraints.NonNeg())
    opt = keras.optimizers.SGD(learning_rate=1.0)
    opt.apply_gradients([(chainrule.constant([1.0, -1.0, 0.25]), var)])
    np.testing.assert_allclose(var.numpy(), [0.0, 0.8, 0.75])  # 0.5 - 1.0 = -0.5 -> 0 after the step


def _negative_target_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(256, 4)).astype("float32")
    return x, (x @ np.array([[-0.9], [0.5], [-0.4], [1.0]], dtype="float32")).ravel()


def _fitted(kernel_constraint):
    keras.utils.set_random_seed(0)
    model = Sequential([Dense(1, input_shape=(4,), kernel_constraint=kernel_constraint)])
    model.compile(keras.optimizers.Adam(0.05), "mse")
    x, y = _negative_target_data()
    model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    return model


def test_a_non_negative_kernel_stays_non_negative_through_fit():
    free = _fitted(None).layers[0].kernel.numpy()
    assert free.min() < -0.5  # without the constraint training drives entries well below 0
    kept = _fitted(constraints.NonNeg()).layers[0].kernel.numpy()
    assert kept.min() >= 0.0
    np.testing.assert_allclose(kept[[1, 3], 0], [0.5, 1.0], atol=0.1)  # the free directions are still learned


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_constraints_survive_save_and_load(tmp_path, name):
    inp = Input((4,))
    hidden = Dense(3, kernel_constraint=constraints.MaxNorm(1.5, axis=0), bias_constraint="non_neg")(inp)
    out = BatchNormalization(gamma_constraint=constraints.MinMaxNorm(0.1, 2.0, rate=0.5))(hidden)
    model = Model(inp, out)
    model.compile("sgd", "mse")
    model.save(tmp_path / name)
    restored = keras.models.load_model(tmp_path / name)
    dense, norm = restored.layers[1], restored.layers[2]
    assert isinstance(dense.kernel.constraint, constraints.MaxNorm)
    assert dense.kernel.constraint.get_config() == {"max_value": 1.5, "axis": 0}
    assert isinstance(dense.bias.constraint, constraints.NonNeg)
    assert norm.gamma.constraint.get_config() == {"min_value": 0.1, "max_value": 2.0, "rate": 0.5, "axis": 0}
    assert restored.get_config() == model.get_config()
