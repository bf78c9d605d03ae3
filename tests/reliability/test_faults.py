"""Faults: a process killed mid-epoch resumes identically; divergence is stopped or survived; runs repeat."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np

from chainrule import keras

_SCRIPT = """
import os, sys
import numpy as np
from chainrule import keras
backup, out, kill_epoch, kill_batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
keras.utils.set_random_seed(42)
rng = np.random.default_rng(0)
x = rng.normal(size=(96, 5)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("float32")
model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(5,)), keras.layers.Dropout(0.3),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")

class Kill(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == kill_epoch and batch == kill_batch:
            os.kill(os.getpid(), 9)   # in the middle of an epoch, mid-training

model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup), Kill()])
np.savez(out, *model.get_weights())
"""


def _run(tmp_path, backup, out, kill_epoch=-1, kill_batch=-1):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(_SCRIPT), str(backup), str(out), str(kill_epoch),
                           str(kill_batch)], env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), capture_output=True,
                          text=True, timeout=120)


def test_kill_mid_epoch_then_rerun_ends_bit_identical(tmp_path):
    killed = _run(tmp_path, tmp_path / "backup", tmp_path / "resumed.npz", kill_epoch=2, kill_batch=3)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    resumed = _run(tmp_path, tmp_path / "backup", tmp_path / "resumed.npz")
    assert resumed.returncode == 0, resumed.stderr
    straight = _run(tmp_path, tmp_path / "other", tmp_path / "straight.npz")
    assert straight.returncode == 0, straight.stderr
    a, b = np.load(tmp_path / "resumed.npz"), np.load(tmp_path / "straight.npz")
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])


def _diverging_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e3), loss="mse")
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(64, 4)).astype("float32") * 10, rng.normal(size=64).astype("float32") * 10


def test_terminate_on_nan_stops_a_diverging_run_with_a_message(capsys):
    model, x, y = _diverging_model()
    history = model.fit(x, y, epochs=20, batch_size=8, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    out = capsys.readouterr().out
    assert "Invalid loss, terminating training" in out
    assert len(history.epoch) < 20


def test_without_terminate_on_nan_history_shows_nan_and_nothing_crashes():
    model, x, y = _diverging_model()
    with np.errstate(all="ignore"):
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
        preds = model.predict(x, verbose=0)
    assert len(history.history["loss"]) == 3
    assert not np.isfinite(history.history["loss"][-1])
    assert preds.shape == (64, 1)


def _fit_once(seed):
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 3, 64)
    model = keras.Sequential([keras.layers.Dense(12, activation="relu", input_shape=(6,)), keras.layers.Dropout(0.25),
                              keras.layers.BatchNormalization(), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0)
    return model.get_weights(), history.history


def test_same_seed_repeats_bit_for_bit_and_different_seeds_differ():
    (w1, h1), (w2, h2), (w3, h3) = _fit_once(3), _fit_once(3), _fit_once(4)
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert h1 == h2
    assert any(not np.array_equal(a, c) for a, c in zip(w1, w3)) and h1 != h3
