"""Long runs do not grow memory (slow; run in CI)."""
import gc
import resource

import numpy as np
import pytest

import chainrule as tf
from chainrule import keras

pytestmark = pytest.mark.slow


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2 ** 20


def test_fifty_epochs_of_a_small_model_keep_memory_flat():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 20)).astype("float32")
    y = rng.integers(0, 4, 512)
    model = keras.Sequential([keras.layers.Dense(32, activation="relu", input_shape=(20,)), keras.layers.Dropout(0.2),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    gc.collect()
    before = _rss_mb()
    model.fit(x, y, epochs=50, batch_size=32, verbose=0, validation_split=0.1)
    gc.collect()
    after = _rss_mb()
    assert after <= before * 1.05, f"RSS grew from {before:.1f} MB to {after:.1f} MB"


def test_hundred_thousand_tape_steps_keep_memory_flat():
    w = tf.Variable(np.zeros((8, 1), "float32"))
    x = tf.constant(np.ones((4, 8), "float32"))

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
        w.assign_sub(0.01 * tape.gradient(loss, w))

    for _ in range(5_000):
        step()
    gc.collect()
    before = _rss_mb()
    for _ in range(100_000):
        step()
    gc.collect()
    after = _rss_mb()
    assert after <= before * 1.05, f"RSS grew from {before:.1f} MB to {after:.1f} MB"
    assert abs(float(w.numpy().sum()) - 1.0) < 0.05  # and it learned x @ w = 1
