"""The sparse-rows path: same numbers as the dense path, used only where it applies."""
import numpy as np
import pytest

import chainrule as tf
from chainrule import keras, sparse
from chainrule.ops import Affine, SparseAffine
from chainrule.tensor import apply_op

sp = pytest.importorskip("scipy.sparse")


def multi_hot(n, m=3000, density=0.01, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n, m)) < density).astype("float32"), rng.integers(0, 2, n).astype("float32")


def test_to_csr_equals_scipy_and_keeps_values():
    x = np.random.default_rng(0).normal(size=(50, 40)) * (np.random.default_rng(1).random((50, 40)) < 0.1)
    a, b = sparse.to_csr(x.astype("float32"), rows_per_chunk=7), sp.csr_matrix(x.astype("float32"))
    assert (a != b).nnz == 0 and a.dtype == np.float32
    np.testing.assert_array_equal(a.toarray(), x.astype("float32"))


def test_sparse_affine_matches_affine_forward_and_gradients():
    rng = np.random.default_rng(0)
    x = (rng.random((16, 200)) < 0.05) * rng.normal(size=(16, 200))
    W = tf.Variable(rng.normal(size=(200, 5)), dtype=tf.float64)
    b = tf.Variable(rng.normal(size=5), dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        ys = apply_op(SparseAffine(), sparse.SparseTensor(sp.csr_matrix(x)), W, b)
        yd = apply_op(Affine(), tf.constant(x), W, b)
        ls, ld = tf.reduce_sum(tf.square(ys)), tf.reduce_sum(tf.square(yd))
    np.testing.assert_allclose(ys.numpy(), yd.numpy(), rtol=1e-12)
    for gs, gd in zip(tape.gradient(ls, [W, b]), tape.gradient(ld, [W, b])):
        np.testing.assert_allclose(gs.numpy(), gd.numpy(), rtol=1e-12)


def _train(x, y, force_dense, monkeypatch):
    monkeypatch.setattr(sparse, "MIN_ELEMENTS", 10_000)
    if force_dense:
        monkeypatch.setattr(sparse, "MAX_DENSITY", 0.0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(x.shape[1],)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=64, epochs=3, verbose=0, validation_split=0.2)
    return model, history.history


def test_fit_on_multi_hot_rows_takes_the_sparse_path_and_matches_dense(monkeypatch):
    x, y = multi_hot(400)
    calls = []
    original = SparseAffine.forward
    monkeypatch.setattr(SparseAffine, "forward", lambda self, *a: calls.append(1) or original(self, *a))
    sparse_model, hs = _train(x, y, False, monkeypatch)
    assert calls, "the sparse path was not used"
    calls.clear()
    dense_model, hd = _train(x, y, True, monkeypatch)
    assert not calls
    for key in hs:
        np.testing.assert_allclose(hs[key], hd[key], rtol=1e-5)
    np.testing.assert_allclose(sparse_model.predict(x, verbose=0), dense_model.predict(x, verbose=0), atol=1e-6)
    for a, b in zip(sparse_model.get_weights(), dense_model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_models_whose_input_feeds_other_layers_stay_dense(monkeypatch):
    monkeypatch.setattr(sparse, "MIN_ELEMENTS", 10_000)
    x, y = multi_hot(200)
    calls = []
    original = SparseAffine.forward
    monkeypatch.setattr(SparseAffine, "forward", lambda self, *a: calls.append(1) or original(self, *a))
    model = keras.Sequential([keras.layers.Dropout(0.1, input_shape=(x.shape[1],)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    assert not calls and not model._sparse_input_ok()


def test_worth_sparse_rules(monkeypatch):
    x, _ = multi_hot(300)
    assert x.size < sparse.MIN_ELEMENTS and not sparse.worth_sparse(x)  # too small to bother
    monkeypatch.setattr(sparse, "MIN_ELEMENTS", 1000)
    assert sparse.worth_sparse(x) and not sparse.worth_sparse(np.ones_like(x))
    monkeypatch.setattr(sparse, "_scipy_sparse", lambda: None)
    assert not sparse.worth_sparse(x)  # without scipy everything stays dense


def test_fit_and_predict_take_a_scipy_sparse_matrix_directly():
    sp = pytest.importorskip("scipy.sparse")
    x, y = multi_hot(200)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(x.shape[1],)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    weights = model.get_weights()
    model.fit(sp.csr_matrix(x), y, epochs=1, batch_size=50, shuffle=False, verbose=0)
    from_sparse = model.predict(sp.coo_matrix(x), verbose=0)
    model.set_weights(weights)
    model.fit(x, y, epochs=1, batch_size=50, shuffle=False, verbose=0)
    np.testing.assert_allclose(from_sparse, model.predict(x, verbose=0), atol=1e-6)


def test_dense_data_never_imports_scipy():
    code = ("import sys, numpy as np, chainrule as tf\n"
            "x = np.random.default_rng(0).random((1200, 1000), dtype=np.float32)\n"
            "m = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(1000,))])\n"
            "m.compile('sgd', 'mse'); m.fit(x, x[:, 0], epochs=1, batch_size=600, verbose=0)\n"
            "print('scipy' in sys.modules)")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"  # the density sample says dense before scipy would be imported
