"""compile: weighted_metrics as tf.keras 2 computes and names them, and no keyword silently ignored."""
import numpy as np
import pytest

from chainrule import keras
from chainrule.keras.layers import Dense, Input
from chainrule.keras.models import Model, Sequential


def data(n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], "float32") + 0.3).astype("float32")
    w = np.where(np.arange(n) % 4 == 0, 3.0, 0.5).astype("float32")
    return x, y, w


def regressor(**compile_kwargs):
    keras.utils.set_random_seed(0)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", **compile_kwargs)
    return model


def test_weighted_metrics_use_sample_weights_and_plain_metrics_do_not():
    x, y, w = data()
    model = regressor(metrics=["mae"], weighted_metrics=["mae"])
    assert model.metrics_names == []  # as tf.keras 2: the compiled metrics are built on the first batch
    logs = model.evaluate(x, y, sample_weight=w, batch_size=40, verbose=0, return_dict=True)
    assert model.metrics_names == ["loss", "mae", "weighted_mae"]
    error = np.abs(model.predict(x, verbose=0).ravel() - y)
    assert list(logs) == ["loss", "mae", "weighted_mae"]
    assert logs["mae"] == pytest.approx(error.mean(), rel=1e-5)
    assert logs["weighted_mae"] == pytest.approx((w * error).sum() / w.sum(), rel=1e-5)
    assert logs["loss"] == pytest.approx((w * error ** 2).sum() / len(w), rel=1e-5)


def test_a_weighted_metric_keeps_its_name_when_it_is_free_and_fit_logs_val_keys():
    x, y, w = data()
    model = regressor(weighted_metrics=["mse", keras.metrics.MeanAbsoluteError(name="wmae")])
    history = model.fit(x, y, sample_weight=w, validation_data=(x, y, w), epochs=2, batch_size=8, verbose=0)
    assert list(history.history) == ["loss", "mse", "wmae", "val_loss", "val_mse", "val_wmae"]
    # Weighted MSE over the batch equals the loss's sum(w e^2) / sum(w), not the loss's / N.
    logs = model.evaluate(x, y, sample_weight=w, batch_size=40, verbose=0, return_dict=True)
    assert logs["mse"] == pytest.approx(logs["loss"] * len(w) / w.sum(), rel=1e-5)


def test_class_weight_reaches_the_weighted_metrics_only():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    keras.utils.set_random_seed(0)
    model = Sequential([Dense(2, activation="softmax", input_shape=(4,))])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
    history = model.fit(x, y, class_weight={0: 1.0, 1: 0.0}, epochs=1, batch_size=64, shuffle=False, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "weighted_accuracy"]
    keras.utils.set_random_seed(0)
    probe = Sequential([Dense(2, activation="softmax", input_shape=(4,))])
    right = probe.predict(x, verbose=0).argmax(axis=1) == y  # the weights fit used for its one batch
    assert history.history["accuracy"][0] == pytest.approx(right.mean(), rel=1e-6)
    assert history.history["weighted_accuracy"][0] == pytest.approx(right[y == 0].mean(), rel=1e-6)


def test_names_with_several_outputs():
    inp = Input((3,))
    model = Model(inp, [Dense(1, name="a")(inp), Dense(1, name="b")(inp)])
    model.compile("sgd", "mse", metrics=["mae"], weighted_metrics={"a": ["mae"], "b": ["mse"]})
    x, y, w = data()
    logs = model.evaluate(x, [y, y], sample_weight=w, batch_size=40, verbose=0, return_dict=True)
    assert model.metrics_names == ["loss", "a_loss", "b_loss", "a_mae", "a_weighted_mae", "b_mae", "b_mse"]
    assert list(logs) == model.metrics_names
    with pytest.raises(ValueError, match="two metrics with the same name: mae"):
        regressor(metrics=["mae", "mae"]).evaluate(x, y, verbose=0)


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_weighted_metrics_are_saved_with_the_compile_state(tmp_path, name):
    model = regressor(metrics=["mae"], weighted_metrics=["mae", "mse"])
    model.save(tmp_path / name)
    restored = keras.models.load_model(tmp_path / name)
    x, y, _ = data()
    restored.evaluate(x, y, verbose=0)
    assert restored.metrics_names == ["loss", "mae", "weighted_mae", "mse"]


def test_unknown_compile_keywords_are_refused_with_the_closest_name():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'metric'\. Did you mean 'metrics'\?"):
        regressor(metric=["mae"])
    with pytest.raises(TypeError, match=r"'weighted_metric'.*Did you mean 'weighted_metrics'\?"):
        regressor(weighted_metric=["mae"])
    with pytest.raises(ValueError, match="distribute"):
        regressor(distribute=object())
    model = regressor(run_eagerly=True, steps_per_execution=4, jit_compile=False, pss_evaluation_shards=0,
                      sample_weight_mode=None, experimental_run_tf_function=True, cloning=False, target_tensors=None)
    x, y, _ = data()
    model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss"]
