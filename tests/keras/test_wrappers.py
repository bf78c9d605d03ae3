"""keras.wrappers: KerasClassifier / KerasRegressor as scikit-learn estimators (scikeras's shape)."""
import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from chainrule import keras  # noqa: E402
from chainrule.keras.wrappers import KerasClassifier, KerasRegressor  # noqa: E402


class Named:
    """A model-building function with a stable repr (the check ids must not hold a memory address)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, meta):
        return self.fn(meta)

    def __repr__(self):
        return self.fn.__name__


def classifier_model(meta):
    """One hidden layer; a sigmoid unit for two classes, a softmax over n_classes_ otherwise."""
    n = meta["n_classes_"]
    model = keras.Sequential([keras.Input(shape=(meta["n_features_in_"],)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1 if n <= 2 else n, activation="sigmoid" if n <= 2 else "softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy" if n <= 2 else
                  "sparse_categorical_crossentropy")
    return model


def regressor_model(meta):
    model = keras.Sequential([keras.Input(shape=(meta["n_features_in_"],)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(meta["n_outputs_"])])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


# Checks that do not hold for a network trained by mini-batch gradient descent, with the reason.
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data":
        "mini-batch training: a sample weighted 2 is not the same as the sample repeated (batches and the number "
        "of steps per epoch differ), so the fitted weights differ",
    "check_regressor_multioutput":
        "predictions keep the model's float32 (the check wants float64 multi-output predictions)",
}
# scikit-learn itself skips check_array_api_input unless SCIPY_ARRAY_API=1 (the wrappers take numpy arrays).


@parametrize_with_checks(
    [KerasClassifier(Named(classifier_model), epochs=30, verbose=0, random_state=0),
     KerasRegressor(Named(regressor_model), epochs=30, verbose=0, random_state=0)],
    expected_failed_checks=lambda est: {k: v for k, v in EXPECTED_FAILURES.items()
                                        if isinstance(est, KerasRegressor) or k != "check_regressor_multioutput"})
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


# ----------------------------------------------------------------------------- the usual scikit-learn workflows

def build_iris(hidden=16, meta=None):
    return keras.Sequential([keras.Input(shape=(meta["n_features_in_"],)),
                             keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X.astype("float32"), y


def iris_classifier(**kwargs):
    params = dict(model__hidden=16, epochs=40, optimizer="adam", optimizer__learning_rate=0.02, verbose=0,
                  random_state=0)
    params.update(kwargs)
    return KerasClassifier(build_iris, **params)


def test_pipeline_and_cross_val_score(iris):
    X, y = iris
    pipe = Pipeline([("scale", StandardScaler()), ("net", iris_classifier())])
    scores = cross_val_score(pipe, X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and scores.min() > 0.85


def test_grid_search_over_routed_parameters(iris):
    X, y = iris
    pipe = Pipeline([("scale", StandardScaler()), ("net", iris_classifier(epochs=20))])
    grid = GridSearchCV(pipe, {"net__model__hidden": [2, 32], "net__optimizer__learning_rate": [0.001, 0.03]},
                        cv=KFold(3, shuffle=True, random_state=0))
    grid.fit(X, y)
    assert grid.best_params_ == {"net__model__hidden": 32, "net__optimizer__learning_rate": 0.03}
    assert grid.best_score_ > 0.9
    net = grid.best_estimator_.named_steps["net"]
    assert net.model_.layers[0].units == 32 and float(net.model_.optimizer.learning_rate.numpy()) == \
        pytest.approx(0.03)
    assert grid.predict_proba(X[:4]).shape == (4, 3)


def test_get_params_set_params_and_clone_keep_routed_parameters():
    clf = iris_classifier(fit__validation_split=0.2, compile__metrics=["accuracy"])
    params = clf.get_params()
    assert params["model__hidden"] == 16 and params["optimizer__learning_rate"] == 0.02
    assert params["fit__validation_split"] == 0.2 and params["epochs"] == 40
    clf.set_params(model__hidden=8, predict__batch_size=64, epochs=3)
    copy = clone(clf)
    assert copy is not clf and copy.get_params()["model__hidden"] == 8 and copy.epochs == 3
    assert copy.get_params()["predict__batch_size"] == 64 and copy.model is clf.model
    with pytest.raises(ValueError, match="Invalid parameter 'hiden'"):
        clf.set_params(hiden=3)


def test_routed_fit_and_compile_parameters_reach_keras(iris):
    X, y = iris
    clf = iris_classifier(epochs=2, fit__validation_split=0.25, compile__metrics=["accuracy"]).fit(X, y)
    assert sorted(clf.history_) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(clf.history_["loss"]) == 2


def test_string_labels_probabilities_and_score(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = iris_classifier().fit(StandardScaler().fit_transform(X), names)
    assert clf.classes_.tolist() == ["setosa", "versicolor", "virginica"] and clf.n_classes_ == 3
    proba = clf.predict_proba(StandardScaler().fit_transform(X))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert set(clf.predict(StandardScaler().fit_transform(X)[:10])) <= set(clf.classes_)
    assert clf.score(StandardScaler().fit_transform(X), names) > 0.9


def test_binary_sigmoid_output_gives_two_probability_columns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype("float32")
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")

    def build(meta):
        return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])

    clf = KerasClassifier(build, epochs=30, optimizer="adam", optimizer__learning_rate=0.05, verbose=0,
                          random_state=0).fit(X, y)
    assert clf.model_.loss == "binary_crossentropy"             # the wrapper's default for one output
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba[:, 1], clf.model_.predict(X, verbose=0)[:, 0], rtol=1e-6)
    assert clf.score(X, y) > 0.9


def test_categorical_crossentropy_gets_one_hot_targets(iris):
    X, y = iris
    clf = iris_classifier(loss="categorical_crossentropy").fit(StandardScaler().fit_transform(X), y)
    assert clf.score(StandardScaler().fit_transform(X), y) > 0.9


def test_a_model_instance_is_cloned_with_fresh_weights(iris):
    X, y = iris
    template = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(16, activation="relu"),
                                 keras.layers.Dense(3, activation="softmax")])
    before = [w.copy() for w in template.get_weights()]
    clf = KerasClassifier(template, epochs=30, optimizer="adam", optimizer__learning_rate=0.02, verbose=0,
                          random_state=0).fit(StandardScaler().fit_transform(X), y)
    assert clf.model_ is not template
    for a, b in zip(before, template.get_weights()):
        np.testing.assert_array_equal(a, b)                      # the template is never trained
    assert clf.score(StandardScaler().fit_transform(X), y) > 0.9


def test_random_state_repeats_and_warm_start_continues(iris):
    X, y = iris
    a = iris_classifier(epochs=3).fit(X, y).predict_proba(X)
    b = iris_classifier(epochs=3).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    warm = iris_classifier(epochs=1, warm_start=True).fit(X, y)
    first = warm.model_
    warm.fit(X, y)
    assert warm.model_ is first
    partial = iris_classifier()
    partial.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    partial.partial_fit(X[50:], y[50:])
    assert partial.n_classes_ == 3 and len(partial.history_["loss"]) == 1


def test_regressor_in_pipeline_and_grid_search():
    X, y = make_regression(n_samples=200, n_features=5, noise=0.1, random_state=0)
    y = (y / y.std()).astype("float32")

    def build(units=8, meta=None):
        return keras.Sequential([keras.Input(shape=(meta["n_features_in_"],)), keras.layers.Dense(units),
                                 keras.layers.Dense(1)])

    reg = KerasRegressor(build, epochs=40, optimizer="adam", optimizer__learning_rate=0.02, verbose=0,
                         random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("net", reg)])
    assert cross_val_score(pipe, X, y, cv=3).min() > 0.95
    grid = GridSearchCV(pipe, {"net__model__units": [4, 16]}, cv=3).fit(X, y)
    assert grid.predict(X[:3]).shape == (3,) and grid.best_estimator_.named_steps["net"].model_.loss == \
        "mean_squared_error"


def test_fitted_wrapper_pickles_with_its_model(iris):
    X, y = iris
    clf = iris_classifier(epochs=5).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), rtol=1e-6)
    assert again.get_params()["model__hidden"] == 16


def test_errors_name_the_problem(iris):
    X, y = iris
    with pytest.raises(ValueError, match="give `model`, a function that returns a keras Model"):
        KerasClassifier(verbose=0).fit(X, y)
    with pytest.raises(ValueError, match=r"takes no argument\(s\) \['hidden_units'\] \(given as model__hidden_units\)"):
        KerasClassifier(build_iris, model__hidden_units=3, verbose=0).fit(X, y)
    with pytest.raises(TypeError, match="returned int, not a keras Model"):
        KerasClassifier(lambda meta: 3, verbose=0).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type: 'continuous'"):
        iris_classifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"for 3 classes use a Dense\(3, activation='softmax'\) output"):
        KerasClassifier(lambda meta: keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)]),
                        verbose=0).fit(X, y)


def test_tf_keras_build_fn_name_and_namespace():
    assert keras.wrappers.KerasClassifier is KerasClassifier
    assert "KerasRegressor" in dir(keras.wrappers)
    with pytest.raises(AttributeError, match="tf.keras.wrappers.KerasFoo"):
        keras.wrappers.KerasFoo  # noqa: B018
    clf = KerasClassifier(build_fn=build_iris, model__hidden=4, verbose=0)
    assert clf.get_params()["build_fn"] is build_iris


def test_tf_keras_2s_module_path_gives_the_same_wrappers():
    # "Hands-On Machine Learning", ch. 10: keras.wrappers.scikit_learn.KerasRegressor(build_model)
    assert keras.wrappers.scikit_learn.KerasRegressor is KerasRegressor
    assert keras.wrappers.scikit_learn.KerasClassifier is KerasClassifier
