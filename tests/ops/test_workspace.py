"""The pool of large buffers (chainrule/ops/workspace.py): reuse only what nothing refers to any more."""
import gc

import numpy as np

from chainrule.ops import workspace

BIG = (512, 1024)   # 2 MB of float32: pooled


def test_small_requests_are_plain_arrays():
    a = workspace.empty((10, 10), np.float64)
    assert a.shape == (10, 10) and a.base is None


def test_a_buffer_is_reused_only_after_every_array_and_view_of_it_is_gone():
    a = workspace.empty(BIG, np.float32)
    a[...] = 1.0
    view = a[3:]
    address = a.__array_interface__["data"][0]
    del a
    b = workspace.empty(BIG, np.float32)         # the view keeps the first buffer busy
    assert b.__array_interface__["data"][0] != address
    np.testing.assert_array_equal(view, 1.0)
    del view, b
    gc.collect()
    before = workspace.pooled_bytes()
    c = workspace.empty(BIG, np.float32)          # a free buffer of the right size: no new memory
    assert workspace.pooled_bytes() == before
    assert c.__array_interface__["data"][0] == address or before >= 2 * c.nbytes
    assert c.shape == BIG and c.dtype == np.float32 and c.flags.c_contiguous


def test_a_much_larger_free_buffer_is_not_used_for_a_small_request():
    big = workspace.empty((4096, 1024), np.float32)   # 16 MB
    del big
    small = workspace.empty(BIG, np.float32)          # 2 MB: does not pin the 16 MB buffer
    assert small.base.nbytes < 4 * small.nbytes


def test_large_affine_and_dropout_outputs_are_pooled_and_never_overwritten_while_held():
    from chainrule.ops import Affine, Dropout
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4096, 64), dtype=np.float32)
    W = rng.standard_normal((64, 128), dtype=np.float32)
    b = np.ones(128, np.float32)
    affine, dropout = Affine(), Dropout(0.5, rng=np.random.default_rng(1))
    h = affine.forward(x, W, b)
    d = dropout.forward(h)
    assert h.base is not None and d.base is not None         # 2 MB each: workspace arrays
    kept_h, kept_d = h.copy(), d.copy()
    h2 = affine.forward(2 * x, W, b)
    d2 = dropout.forward(h2)
    np.testing.assert_array_equal(h, kept_h)                 # held: the next call wrote elsewhere
    np.testing.assert_array_equal(d, kept_d)
    np.testing.assert_allclose(h2, (2 * x) @ W + b, rtol=1e-5, atol=1e-5)
    dx, dW, db = affine.backward(np.ones_like(h2))
    np.testing.assert_allclose(dx, np.ones_like(h2) @ W.T, rtol=1e-5)
    del h, d, h2, d2, dx
    gc.collect()
    before = workspace.pooled_bytes()
    for _ in range(3):                                       # nothing held: the same buffers serve every call
        out = dropout.forward(affine.forward(x, W, b))
        dropout.backward(out)
        del out
    assert workspace.pooled_bytes() == before


def test_a_large_batch_fit_reaches_a_steady_pool():
    from chainrule import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6 * 2048, 32), dtype=np.float32), rng.integers(0, 4, 6 * 2048)
    sizes = []

    class Pool(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            sizes.append(workspace.pooled_bytes())
    model.fit(x, y, batch_size=2048, epochs=2, verbose=0, callbacks=[Pool()])
    # Each step's activations (2 MB) are freed by the next step: no step needs new buffers after the first two.
    assert len(set(sizes[2:])) == 1, sizes


def test_matmul_and_multiply_pool_only_large_results_of_one_dtype():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2048, 64), dtype=np.float32), rng.standard_normal((64, 256), dtype=np.float32)
    big = workspace.matmul(a, b)                                  # 2 MB: pooled
    assert big.base is not None
    np.testing.assert_array_equal(big, a @ b)
    small = workspace.matmul(a[:8], b)                            # 8 KB: numpy's own array
    assert small.base is None
    np.testing.assert_array_equal(small, a[:8] @ b)
    mixed = workspace.matmul(a.astype(np.float64), b)             # two dtypes: numpy's promotion, as a @ b
    assert mixed.dtype == np.float64 and mixed.base is None
    assert workspace.multiply(big, big).base is not None
    np.testing.assert_array_equal(workspace.multiply(big, big), big * big)
    keep = big > 0                                                # a bool mask times a float32 scalar: pooled
    scaled = workspace.multiply(keep, np.float32(1.25))
    assert scaled.base is not None and scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, keep.astype(np.float32) * np.float32(1.25))
    assert workspace.multiply(keep[:8], np.float32(1.25)).base is None
    row = workspace.multiply(big, big[:1])                        # broadcasting: plain a * b
    assert row.base is None
    np.testing.assert_array_equal(row, big * big[:1])
