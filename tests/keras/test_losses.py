"""chainrule.keras.losses: tf.keras 2 formulas, documented numbers, fused paths, reductions, errors, look-up."""
import importlib
import warnings

import numpy as np
import pytest

import chainrule
from chainrule.autodiff import GradientTape
from chainrule.tensor import Tensor
from chainrule.testing import check_gradients

losses = importlib.import_module("chainrule.keras.losses")
activations = importlib.import_module("chainrule.keras.activations")
keras = chainrule.keras

EPS = 1e-7


def value(t):
    return np.asarray(t.numpy() if isinstance(t, Tensor) else t, dtype=np.float64)


# ----------------------------------------------------------------------------- numpy references (float64)

def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def ref_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p + EPS) + (1 - t) * np.log(1 - p + EPS)), axis=-1)


def ref_bce_logits(t, z):
    return np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))), axis=-1)


def ref_cce(t, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=-1)


def ref_huber(t, p, delta=1.0):
    e = p - t
    return np.mean(np.where(np.abs(e) <= delta, 0.5 * e ** 2, delta * np.abs(e) - 0.5 * delta ** 2), axis=-1)


def ref_hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def ref_cosine(t, p):
    tn = t / np.sqrt(np.maximum(np.sum(t * t, -1, keepdims=True), 1e-12))
    pn = p / np.sqrt(np.maximum(np.sum(p * p, -1, keepdims=True), 1e-12))
    return -np.sum(tn * pn, axis=-1)


REFERENCES = {
    "mean_squared_error": lambda t, p: np.mean((t - p) ** 2, -1),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(t - p), -1),
    "mean_absolute_percentage_error": lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1),
    "mean_squared_logarithmic_error": lambda t, p: np.mean(
        (np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, -1),
    "huber": ref_huber,
    "log_cosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    "binary_crossentropy": ref_bce,
    "categorical_crossentropy": ref_cce,
    "hinge": lambda t, p: np.mean(np.maximum(1 - ref_hinge_labels(t) * p, 0), -1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(1 - ref_hinge_labels(t) * p, 0) ** 2, -1),
    "categorical_hinge": lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0),
    "kl_divergence": lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), -1),
    "cosine_similarity": ref_cosine,
}


@pytest.fixture
def batch(rng):
    """Fixed (4, 3) targets and predictions: probabilities rows, binary and one-hot targets."""
    logits = rng.normal(size=(4, 3))
    return {
        "probs": np_softmax(logits),
        "binary": (rng.random((4, 3)) > 0.5).astype(np.float64),
        "onehot": np.eye(3)[[0, 2, 1, 2]],
        "real": rng.uniform(0.2, 2.0, size=(4, 3)),
        "real_pred": rng.uniform(0.1, 2.5, size=(4, 3)),
        "signed": rng.choice([-1.0, 1.0], size=(4, 3)),
        "scores": rng.normal(size=(4, 3)),
    }


CASES = {
    "mean_squared_error": ("real", "real_pred"),
    "mean_absolute_error": ("real", "real_pred"),
    "mean_absolute_percentage_error": ("real", "real_pred"),
    "mean_squared_logarithmic_error": ("real", "real_pred"),
    "huber": ("real", "real_pred"),
    "log_cosh": ("real", "real_pred"),
    "binary_crossentropy": ("binary", "probs"),
    "categorical_crossentropy": ("onehot", "probs"),
    "hinge": ("signed", "scores"),
    "squared_hinge": ("binary", "scores"),
    "categorical_hinge": ("onehot", "scores"),
    "kl_divergence": ("probs", "probs"),
    "poisson": ("real", "real_pred"),
    "cosine_similarity": ("real", "scores"),
}


# ----------------------------------------------------------------------------- formulas against numpy

@pytest.mark.parametrize("name", sorted(CASES))
def test_function_matches_numpy_reference(name, batch):
    t_key, p_key = CASES[name]
    y_true, y_pred = batch[t_key], batch[p_key]
    if name == "kl_divergence":
        y_true = np.roll(y_pred, 1, axis=0)
    fn = getattr(losses, name)
    out = fn(y_true.astype(np.float32), Tensor(y_pred.astype(np.float32)))
    assert isinstance(out, Tensor) and out.shape == (4,) and out.dtype == chainrule.float32
    np.testing.assert_allclose(value(out), REFERENCES[name](y_true, y_pred), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_gradient_wrt_y_pred(name, batch):
    t_key, p_key = CASES[name]
    y_true, y_pred = batch[t_key], batch[p_key]
    if name == "kl_divergence":
        y_true = np.roll(y_pred, 1, axis=0)
    if name == "huber":
        y_pred = y_true + np.array([0.3, -2.0, 1.7])  # away from the |e| == delta kink
    fn = getattr(losses, name)
    check_gradients(lambda p: fn(y_true, p), y_pred, tol=1e-5)


@pytest.mark.parametrize("alias, target", [
    ("mse", "mean_squared_error"), ("MSE", "mean_squared_error"), ("mae", "mean_absolute_error"),
    ("MAE", "mean_absolute_error"), ("mape", "mean_absolute_percentage_error"),
    ("msle", "mean_squared_logarithmic_error"), ("kld", "kl_divergence"), ("KLD", "kl_divergence"),
    ("kullback_leibler_divergence", "kl_divergence"), ("logcosh", "log_cosh")])
def test_aliases_are_the_same_functions(alias, target):
    assert getattr(losses, alias) is getattr(losses, target)


# ----------------------------------------------------------------------------- tf.keras's documented numbers

Y2 = [[0.0, 1.0], [0.0, 0.0]]
P2 = [[0.6, 0.4], [0.4, 0.6]]
Y3 = [[0, 1, 0], [0, 0, 1]]
P3 = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]


@pytest.mark.parametrize("loss, y_true, y_pred, expected", [
    (losses.BinaryCrossentropy(), Y2, P2, 0.815),
    (losses.CategoricalCrossentropy(), Y3, P3, 1.177),
    (losses.SparseCategoricalCrossentropy(), [1, 2], P3, 1.177),
    (losses.MeanSquaredError(), Y2, [[1.0, 1.0], [1.0, 0.0]], 0.5),
    (losses.MeanAbsoluteError(), Y2, [[1.0, 1.0], [1.0, 0.0]], 0.5),
    (losses.MeanAbsolutePercentageError(), [[2.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [1.0, 0.0]], 50.0),
    (losses.MeanSquaredLogarithmicError(), Y2, [[1.0, 1.0], [1.0, 0.0]], 0.240),
    (losses.Huber(), Y2, P2, 0.155),
    (losses.LogCosh(), Y2, [[1.0, 1.0], [0.0, 0.0]], 0.108),
    (losses.KLDivergence(), Y2, P2, 0.458),
    (losses.Poisson(), Y2, [[1.0, 1.0], [0.0, 0.0]], 0.5),
    (losses.Hinge(), Y2, P2, 1.3),
    (losses.SquaredHinge(), Y2, P2, 1.86),
    (losses.CategoricalHinge(), Y2, P2, 1.4),
    (losses.CosineSimilarity(), [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]], 0.0),
])
def test_documented_values(loss, y_true, y_pred, expected):
    out = loss(y_true, y_pred)
    assert out.shape == () and out.dtype == chainrule.float32
    assert value(out) == pytest.approx(expected, abs=1e-3)


def test_binary_crossentropy_doc_weights_and_reductions():
    # Per-sample: -(log 0.4 + log 0.4)/2 = 0.91629, -(log 0.6 + log 0.4)/2 = 0.71355.
    assert value(losses.BinaryCrossentropy()(Y2, P2, sample_weight=[1, 0])) == pytest.approx(0.458, abs=1e-3)
    assert value(losses.BinaryCrossentropy(reduction="sum")(Y2, P2)) == pytest.approx(1.630, abs=1e-3)
    none = losses.BinaryCrossentropy(reduction="none")(Y2, P2)
    np.testing.assert_allclose(value(none), [0.91629, 0.71355], atol=1e-4)


def test_categorical_crossentropy_doc_reductions():
    # -log(0.95) = 0.051293, -log(0.1) = 2.302585
    cce = losses.CategoricalCrossentropy
    assert value(cce()(Y3, P3, sample_weight=[0.3, 0.7])) == pytest.approx(0.814, abs=1e-3)
    assert value(cce(reduction="sum")(Y3, P3)) == pytest.approx(2.354, abs=1e-3)
    np.testing.assert_allclose(value(cce(reduction="none")(Y3, P3)), [0.0513, 2.3026], atol=1e-4)


def test_sum_over_batch_size_divides_by_every_sample_including_zero_weights():
    y_true = np.zeros((4, 1), np.float32)
    y_pred = np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)  # squared errors 1, 4, 9, 16
    w = [1.0, 0.0, 2.0, 0.5]
    mse = losses.MeanSquaredError
    assert value(mse()(y_true, y_pred, sample_weight=w)) == pytest.approx((1 + 0 + 18 + 8) / 4)
    assert value(mse(reduction="sum_over_batch_size")(y_true, y_pred)) == pytest.approx(30 / 4)
    assert value(mse(reduction="sum")(y_true, y_pred, sample_weight=w)) == pytest.approx(27.0)
    np.testing.assert_allclose(value(mse(reduction="none")(y_true, y_pred, sample_weight=w)), [1, 0, 18, 8])
    # a scalar weight scales, a (N, 1) weight is squeezed to (N,)
    assert value(mse()(y_true, y_pred, sample_weight=2.0)) == pytest.approx(15.0)
    assert value(mse()(y_true, y_pred, sample_weight=np.array(w)[:, None])) == pytest.approx(27 / 4)


def test_weighted_loss_divides_by_the_number_of_weighted_values():
    # a scalar loss against per-sample weights broadcasts, as tf.multiply does: (2 + 4 + 6) / 3
    out = losses.compute_weighted_loss(Tensor(np.float32(2.0)), sample_weight=[1.0, 2.0, 3.0])
    assert value(out) == pytest.approx(4.0)
    # per-timestep losses (N, T) with per-sample weights (N,): weights get a trailing axis
    per = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    assert value(losses.compute_weighted_loss(per, sample_weight=[1.0, 0.0])) == pytest.approx(3.0 / 4)


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        losses.MeanSquaredError(reduction="mean")


def test_label_smoothing():
    ls = 0.2
    # categorical: [0, 1, 0] -> [0.2/3, 0.8 + 0.2/3, 0.2/3]
    t = np.array(Y3, np.float64) * (1 - ls) + ls / 3
    expected = ref_cce(t, np.array(P3))
    out = losses.categorical_crossentropy(Y3, P3, label_smoothing=ls)
    np.testing.assert_allclose(value(out), expected, rtol=1e-5)
    # binary: t * 0.8 + 0.1
    tb = np.array(Y2) * (1 - ls) + 0.5 * ls
    out = losses.binary_crossentropy(Y2, P2, label_smoothing=ls)
    np.testing.assert_allclose(value(out), ref_bce(tb, np.array(P2)), rtol=1e-5)


def test_probability_clipping_and_renormalization_as_tf_keras_2():
    # binary: p = 0 is clipped to 1e-7 and tf.keras adds epsilon inside the log: -log(2e-7)
    assert value(losses.binary_crossentropy([[1.0]], [[0.0]]))[0] == pytest.approx(15.4249, abs=1e-3)
    # categorical: rows are rescaled to sum 1 first ([1, 1, 2] -> [.25, .25, .5]), then clipped
    assert value(losses.categorical_crossentropy([[0, 0, 1]], [[1.0, 1.0, 2.0]]))[0] == pytest.approx(np.log(2))
    assert value(losses.categorical_crossentropy([[0, 1, 0]], [[0.5, 0.0, 0.5]]))[0] == pytest.approx(
        16.1181, abs=1e-3)
    # sparse: log of the clipped probabilities through log-softmax: -log(1e-7 / (1 + 1e-7))
    assert value(losses.sparse_categorical_crossentropy([1], [[0.5, 0.0, 0.5]]))[0] == pytest.approx(
        16.1181, abs=1e-3)


def test_one_dim_labels_against_n_by_1_predictions_are_per_sample():
    y_true = np.array([0.0, 1.0, 1.0])
    y_pred = np.array([[0.2], [0.9], [0.4]], np.float32)
    out = losses.binary_crossentropy(y_true, y_pred)
    assert out.shape == (3,)
    np.testing.assert_allclose(value(out), -np.log(np.array([0.8, 0.9, 0.4]) + EPS), rtol=1e-5)
    assert losses.mean_squared_error(y_true, y_pred).shape == (3,)


def test_categorical_crossentropy_along_another_axis():
    rng = np.random.default_rng(3)
    p = np_softmax(rng.normal(size=(2, 3, 4)), axis=1)
    t = np.eye(3)[[[0, 1, 2, 0], [2, 2, 1, 0]]].transpose(0, 2, 1)  # one-hot along axis 1
    out = losses.categorical_crossentropy(t, p.astype(np.float32), axis=1)
    assert out.shape == (2, 4)
    expected = -np.sum(t * np.log(np.clip(p / p.sum(1, keepdims=True), EPS, 1 - EPS)), axis=1)
    np.testing.assert_allclose(value(out), expected, rtol=1e-5)
    z = rng.normal(size=(2, 3, 4))
    out = losses.categorical_crossentropy(t, z, from_logits=True, axis=1)
    np.testing.assert_allclose(value(out), -np.sum(t * np_log_softmax(z, axis=1), axis=1), rtol=1e-6)


# ----------------------------------------------------------------------------- cross-entropy label forms

@pytest.mark.parametrize("labels", [
    np.array([1, 2]), np.array([[1], [2]]), np.array([1.0, 2.0]), np.array([[1.0], [2.0]], np.float32)])
def test_sparse_labels_shapes_and_dtypes(labels):
    out = losses.sparse_categorical_crossentropy(labels, P3)
    assert out.shape == (2,)
    # clipped probabilities go through log-softmax: -log(clip(p)_t / sum(clip(p)))
    pc = np.clip(np.array(P3), EPS, 1 - EPS)
    expected = -np.log(pc[[0, 1], [1, 2]] / pc.sum(-1))
    np.testing.assert_allclose(value(out), expected, rtol=1e-5)


def test_sparse_crossentropy_higher_rank():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(2, 5, 3))
    labels = rng.integers(0, 3, size=(2, 5))
    out = losses.sparse_categorical_crossentropy(labels, z, from_logits=True)
    assert out.shape == (2, 5)
    expected = -np.take_along_axis(np_log_softmax(z), labels[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(value(out), expected, rtol=1e-6)


def test_sparse_ignore_class_masks_and_averages_over_valid_labels():
    z = np.array([[2.0, 0.0, 1.0], [0.5, 0.5, 3.0], [1.0, 1.0, 1.0]])
    labels = np.array([0, -1, 2])
    per = -np_log_softmax(z)[[0, 2], [0, 2]]
    out = losses.sparse_categorical_crossentropy(labels, z, from_logits=True, ignore_class=-1)
    np.testing.assert_allclose(value(out), [per[0], 0.0, per[1]], rtol=1e-6)
    scce = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    assert value(scce(labels, z)) == pytest.approx(per.mean(), rel=1e-6)


def test_binary_crossentropy_from_logits_and_multi_column():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(5, 4)) * 3
    t = (rng.random((5, 4)) > 0.5).astype(np.float64)
    out = losses.binary_crossentropy(t, z, from_logits=True)
    np.testing.assert_allclose(value(out), ref_bce_logits(t, z), rtol=1e-6)


# ----------------------------------------------------------------------------- fused softmax / sigmoid path

def test_probabilities_use_the_clipped_formula_and_logits_the_fused_op():
    rng = np.random.default_rng(11)
    z = rng.normal(size=(6, 4)).astype(np.float32) * 2
    onehot = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2, 0]]
    probs = activations.softmax(Tensor(z))
    expected = ref_cce(onehot, np_softmax(z.astype(np.float64)))
    # on moderate logits both paths agree; the one on logits is the fused op
    np.testing.assert_allclose(value(losses.categorical_crossentropy(onehot, probs)), expected, atol=1e-5)
    np.testing.assert_allclose(value(losses.categorical_crossentropy(onehot, z, from_logits=True)), expected,
                               atol=1e-5)
    np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(onehot.argmax(-1), z,
                                                                            from_logits=True)), expected, atol=1e-5)


def test_fused_sigmoid_on_logits_equals_the_formula_on_moderate_logits():
    rng = np.random.default_rng(12)
    z = rng.normal(size=(6, 2)).astype(np.float32) * 2
    t = (rng.random((6, 2)) > 0.5).astype(np.float32)
    expected = ref_bce(t.astype(np.float64), 1 / (1 + np.exp(-z.astype(np.float64))))
    np.testing.assert_allclose(value(losses.binary_crossentropy(t, activations.sigmoid(Tensor(z)))), expected,
                               atol=1e-5)
    np.testing.assert_allclose(value(losses.binary_crossentropy(t, z, from_logits=True)),
                               ref_bce_logits(t.astype(np.float64), z.astype(np.float64)), rtol=1e-5)


@pytest.mark.parametrize("kind", ["categorical", "sparse", "binary"])
def test_fused_path_finite_for_huge_logits(kind):
    z = Tensor(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 500.0]], np.float32))
    onehot = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
    with GradientTape() as tape:
        tape.watch(z)
        if kind == "categorical":
            loss = losses.CategoricalCrossentropy(from_logits=True)(onehot, z)
            expected = (2000.0 + 2000.0) / 2  # logsumexp - z_t for each row
        elif kind == "sparse":
            loss = losses.SparseCategoricalCrossentropy(from_logits=True)([1, 0], z)
            expected = 2000.0
        else:
            loss = losses.BinaryCrossentropy(from_logits=True)(onehot, z)
            # softplus(z) - z*t: row 1: 1000 + 1000 + log 2 ; row 2: 1000 + 1000 + 500 (each /3), mean over rows
            expected = ((1000 + 1000 + np.log(2)) / 3 + (1000 + 1000 + 500) / 3) / 2
    grad = tape.gradient(loss, z)
    assert np.isfinite(value(loss)) and value(loss) == pytest.approx(expected, rel=1e-5)
    assert np.all(np.isfinite(value(grad)))


def test_fused_sparse_gradient_is_softmax_minus_onehot_over_n():
    rng = np.random.default_rng(21)
    z_np = rng.normal(size=(5, 4)).astype(np.float32)
    labels = np.array([0, 3, 2, 2, 1])
    z = Tensor(z_np)
    with GradientTape() as tape:
        tape.watch(z)
        loss = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z)
    grad = value(tape.gradient(loss, z))
    expected = (np_softmax(z_np.astype(np.float64)) - np.eye(4)[labels]) / 5
    np.testing.assert_allclose(grad, expected, atol=1e-6)


def test_fused_categorical_and_binary_gradients_match_numerical():
    rng = np.random.default_rng(22)
    z = rng.normal(size=(3, 4))
    onehot = np.eye(4)[[1, 0, 3]]
    check_gradients(lambda x: losses.categorical_crossentropy(onehot, activations.softmax(x)), z, tol=1e-6)
    check_gradients(lambda x: losses.binary_crossentropy(onehot, activations.sigmoid(x)), z, tol=1e-6)
    check_gradients(lambda x: losses.categorical_crossentropy(onehot, x, from_logits=True), z, tol=1e-6)
    check_gradients(lambda x: losses.binary_crossentropy(onehot, x, from_logits=True), z, tol=1e-6)
    check_gradients(lambda x: losses.categorical_crossentropy(onehot, x, from_logits=True, label_smoothing=0.1),
                    z, tol=1e-6)


def test_labels_get_no_gradient_through_fused_op():
    z = Tensor(np.array([[0.5, -0.5, 1.0]], np.float32))
    y = Tensor(np.array([[0.0, 1.0, 0.0]], np.float32))
    with GradientTape() as tape:
        tape.watch([z, y])
        loss = losses.categorical_crossentropy(y, z, from_logits=True)
    gz, gy = tape.gradient(loss, [z, y])
    assert gy is None and gz is not None


# ----------------------------------------------------------------------------- user-facing errors

def test_sparse_crossentropy_with_one_hot_labels_raises():
    with pytest.raises(ValueError) as info:
        losses.sparse_categorical_crossentropy(Y3, P3)
    message = str(info.value)
    assert "one-hot" in message and "(2, 3)" in message
    assert "use categorical_crossentropy for one-hot labels, or pass integer class indices" in message.lower()
    with pytest.raises(ValueError, match="one-hot"):
        losses.SparseCategoricalCrossentropy()(Y3, P3)


@pytest.mark.parametrize("labels", [[1, 2], [[1], [2]]])
def test_categorical_crossentropy_with_integer_labels_raises(labels):
    with pytest.raises(ValueError) as info:
        losses.CategoricalCrossentropy()(labels, P3)
    message = str(info.value)
    assert "sparse_categorical_crossentropy" in message and "to_categorical" in message
    assert "(2, 3)" in message


def test_sparse_label_out_of_range_names_label_and_class_count():
    with pytest.raises(ValueError) as info:
        losses.sparse_categorical_crossentropy([1, 5], P3)
    message = str(info.value)
    assert message.startswith("sparse_categorical_crossentropy") and "5" in message and "3 classes" in message
    with pytest.raises(ValueError, match="-1"):
        losses.sparse_categorical_crossentropy([-1, 0], P3, from_logits=True)


def test_incompatible_shapes_raise_with_the_loss_name():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(2, 3\).*\(2, 4\)"):
        losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 4)))


# ----------------------------------------------------------------------------- classes, configs, look-up

@pytest.mark.parametrize("cls, name", [
    (losses.MeanSquaredError, "mean_squared_error"), (losses.MeanAbsoluteError, "mean_absolute_error"),
    (losses.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    (losses.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"), (losses.Huber, "huber_loss"),
    (losses.LogCosh, "log_cosh"), (losses.BinaryCrossentropy, "binary_crossentropy"),
    (losses.CategoricalCrossentropy, "categorical_crossentropy"),
    (losses.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"), (losses.Hinge, "hinge"),
    (losses.SquaredHinge, "squared_hinge"), (losses.CategoricalHinge, "categorical_hinge"),
    (losses.KLDivergence, "kl_divergence"), (losses.Poisson, "poisson"),
    (losses.CosineSimilarity, "cosine_similarity")])
def test_default_names_and_config_round_trip(cls, name):
    loss = cls()
    assert loss.name == name and loss.reduction == "auto"
    config = loss.get_config()
    assert config["name"] == name and config["reduction"] == "auto"
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == config


def test_binary_crossentropy_config_is_tf_keras_2s():
    config = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1).get_config()
    assert config == {"reduction": "auto", "name": "binary_crossentropy", "from_logits": True,
                      "label_smoothing": 0.1, "axis": -1}


@pytest.mark.parametrize("identifier, expected", [
    ("mse", losses.mean_squared_error), ("mae", losses.mean_absolute_error),
    ("binary_crossentropy", losses.binary_crossentropy),
    ("categorical_crossentropy", losses.categorical_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("kld", losses.kl_divergence), ("huber", losses.huber)])
def test_get_function_names(identifier, expected):
    assert losses.get(identifier) is expected


def test_get_class_names_instances_dicts_and_callables():
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("SparseCategoricalCrossentropy"), losses.SparseCategoricalCrossentropy)
    inst = losses.Huber(delta=2.0)
    assert losses.get(inst) is inst
    fn = lambda y_true, y_pred: y_pred  # noqa: E731
    assert losses.get(fn) is fn
    assert losses.get(None) is None
    restored = losses.get(losses.serialize(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)))
    assert isinstance(restored, losses.CategoricalCrossentropy)
    assert restored.get_config()["from_logits"] is True and restored.get_config()["label_smoothing"] == 0.2
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert losses.deserialize("mean_squared_error") is losses.mean_squared_error


def test_misspelled_name_suggests_the_closest():
    with pytest.raises(ValueError) as info:
        losses.get("binary_crossentropyy")
    message = str(info.value)
    assert "Did you mean 'binary_crossentropy'?" in message and "categorical_crossentropy" in message
    with pytest.raises(ValueError, match="Did you mean 'sparse_categorical_crossentropy'"):
        losses.get("sparse_categorical_crossentropi")


def test_custom_loss_subclass():
    class Scaled(losses.Loss):
        def call(self, y_true, y_pred):
            return losses.mean_squared_error(y_true, y_pred) * 2.0

    out = Scaled()(Y2, [[1.0, 1.0], [1.0, 0.0]])
    assert value(out) == pytest.approx(1.0)


def test_no_warnings_on_ordinary_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.CategoricalCrossentropy()(Y3, activations.softmax(Tensor(np.ones((2, 3), np.float32))))
        losses.BinaryCrossentropy(from_logits=True)(Y2, P2)


# ----------------------------------------------------------------------------- the logits a sigmoid/softmax keeps
# Expected values: tensorflow-cpu 2.21 with tf_keras, the same calls in eager mode.

def test_a_sigmoid_output_is_scored_from_its_logits_as_tf_keras_does():
    z = Tensor(np.array([[20.0], [-20.0], [0.3]], np.float32))
    y = Tensor(np.array([[0.0], [1.0], [1.0]], np.float32))
    p = activations.sigmoid(z)
    np.testing.assert_allclose(value(losses.binary_crossentropy(y, p)), [20.0, 20.0, 0.55435526], rtol=1e-6)
    assert value(losses.BinaryCrossentropy()(y, p)) == pytest.approx(13.518118858337402, rel=1e-6)
    m = keras.metrics.BinaryCrossentropy()
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(13.518118858337402, rel=1e-6)
    dense = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="ones")
    np.testing.assert_allclose(value(losses.binary_crossentropy(Tensor(np.array([[0.0], [1.0]], np.float32)),
                                                                dense(np.array([[30.0], [-30.0]], np.float32)))),
                               [30.0, 30.0])
    # tf.nn.sigmoid keeps nothing: the clipped formula
    np.testing.assert_allclose(value(losses.binary_crossentropy(y, chainrule.nn.sigmoid(z))),
                               [15.333239, 15.424949, 0.5543551], rtol=1e-6)


def test_a_softmax_output_is_scored_from_its_logits_as_tf_keras_does():
    z = Tensor(np.array([[30.0, -30.0, 0.0], [1.0, 2.0, 3.0]], np.float32))
    p = activations.softmax(z)
    onehot = Tensor(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], np.float32))
    np.testing.assert_allclose(value(losses.categorical_crossentropy(onehot, p)), [60.0, 0.40760595], rtol=1e-6)
    np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(np.array([1, 2]), p)),
                               [60.0, 0.40760595], rtol=1e-6)
    assert value(losses.CategoricalCrossentropy()(onehot, p)) == pytest.approx(30.20380210876465, rel=1e-6)
    np.testing.assert_allclose(value(losses.categorical_crossentropy(onehot, keras.layers.Activation("softmax")(z))),
                               [60.0, 0.40760595], rtol=1e-6)


def test_the_logits_carry_the_gradient():
    x = chainrule.Variable(np.array([[20.0], [-20.0], [0.3]], np.float32))
    y = np.array([[0.0], [1.0], [1.0]], np.float32)
    with GradientTape() as tape:
        loss = losses.BinaryCrossentropy()(y, activations.sigmoid(x))
    np.testing.assert_allclose(tape.gradient(loss, x).numpy().ravel(), [1 / 3, -1 / 3, -0.1418525], rtol=1e-5)


def test_from_logits_on_a_sigmoid_output_warns_and_still_uses_its_logits():
    z = Tensor(np.array([[20.0], [-20.0]], np.float32))
    with pytest.warns(UserWarning, match=r"`binary_crossentropy` received `from_logits=True`, but the `output` "
                                         r"argument was produced by a Sigmoid activation"):
        out = losses.binary_crossentropy(np.array([[0.0], [1.0]], np.float32), activations.sigmoid(z),
                                         from_logits=True)
    np.testing.assert_allclose(value(out), [20.0, 20.0])


def test_a_squeezable_sigmoid_output_against_one_axis_shorter_labels_takes_the_clipped_formula():
    """tf.keras 2's Loss squeezes (N, 1) predictions to (N,) labels first, which drops the logits."""
    p = activations.sigmoid(Tensor(np.array([[20.0], [-20.0], [0.3]], np.float32)))
    labels = Tensor(np.array([0.0, 1.0, 1.0], np.float32))
    assert value(losses.BinaryCrossentropy()(labels, p)) == pytest.approx(10.437514305114746, rel=1e-6)
