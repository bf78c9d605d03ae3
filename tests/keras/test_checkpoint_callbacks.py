"""ModelCheckpoint and BackupAndRestore: file names, save-best logic, messages, resuming after a kill."""
import inspect
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import chainrule as tf
from chainrule import backend, keras
from chainrule.keras.saving import savedmodel
from chainrule.keras.callbacks import BackupAndRestore, ModelCheckpoint
from chainrule.keras.layers import Dense, Dropout
from chainrule.keras.models import Sequential
from chainrule.keras.trainers import Trainer


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()


def small_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dropout(0.3), Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def regression_data(n=48):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5, 3.0], "float32"))[:, None]


def run_epochs(cb, model, logs_per_epoch):
    """Drive the callback as fit does, with chosen logs."""
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        cb.on_epoch_begin(epoch)
        cb.on_epoch_end(epoch, logs)
    cb.on_train_end()


# ----------------------------------------------------------------------------- ModelCheckpoint

def test_save_best_only_writes_only_on_improvement_with_keras_messages(tmp_path, capsys):
    model = small_model()
    pattern = str(tmp_path / "model-{epoch:02d}-{val_loss:.2f}.keras")
    cb = ModelCheckpoint(pattern, monitor="val_loss", save_best_only=True, verbose=1)
    run_epochs(cb, model, [{"loss": 1.0, "val_loss": 0.52345}, {"loss": 0.9, "val_loss": 0.6},
                           {"loss": 0.8, "val_loss": 0.41}])
    assert sorted(os.listdir(tmp_path)) == ["model-01-0.52.keras", "model-03-0.41.keras"]
    out = capsys.readouterr().out
    assert (f"\nEpoch 1: val_loss improved from inf to 0.52345, saving model to "
            f"{tmp_path / 'model-01-0.52.keras'}\n") in out
    assert "\nEpoch 2: val_loss did not improve from 0.52345\n" in out
    assert "Epoch 3: val_loss improved from 0.52345 to 0.41000, saving model to" in out
    assert cb.best == 0.41
    restored = keras.models.load_model(tmp_path / "model-03-0.41.keras")
    for u, v in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_mode_auto_maximizes_accuracy_and_initial_threshold(tmp_path):
    model = small_model()
    cb = ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_accuracy", save_best_only=True,
                         initial_value_threshold=0.7)
    assert cb.monitor_op is np.greater
    run_epochs(cb, model, [{"val_accuracy": 0.6}])
    assert not os.listdir(tmp_path)  # below the threshold
    run_epochs(cb, model, [{"val_accuracy": 0.8}])
    assert os.listdir(tmp_path) == ["best.keras"]
    assert ModelCheckpoint(str(tmp_path / "x.keras"), monitor="val_loss", mode="max").monitor_op is np.greater


def test_missing_monitor_warns_and_skips(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_loss", save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available, skipping"):
        run_epochs(cb, small_model(), [{"loss": 1.0}])
    assert not os.listdir(tmp_path)


def test_checkpoint_every_epoch_in_fit_and_weights_only(tmp_path, capsys):
    model = small_model()
    x, y = regression_data()
    sub = tmp_path / "ckpt"  # created on demand, as tf.keras does
    cb = ModelCheckpoint(str(sub / "w-{epoch:02d}.weights.h5"), save_weights_only=True, verbose=1)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[cb], validation_split=0.25)
    assert sorted(os.listdir(sub)) == ["w-01.weights.h5", "w-02.weights.h5", "w-03.weights.h5"]
    assert "Epoch 3: saving model to" in capsys.readouterr().out
    other = small_model(seed=5)
    other.load_weights(sub / "w-03.weights.h5")
    for u, v in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_save_freq_in_batches(tmp_path):
    model = small_model()
    x, y = regression_data(48)
    cb = ModelCheckpoint(str(tmp_path / "m-{epoch}-{batch}.h5"), save_freq=2)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])  # 3 batches per epoch
    assert sorted(os.listdir(tmp_path)) == ["m-1-2.h5", "m-2-1.h5", "m-2-3.h5"]


def test_checkpoint_files_and_directories_as_tf_keras_2_writes_them(tmp_path):
    """The 'Save and load models' tutorial: cp-{epoch:04d}.ckpt weights, then latest_checkpoint + load_weights."""
    model = small_model()
    x, y = regression_data(32)
    folder = tmp_path / "training_2"
    cb = ModelCheckpoint(str(folder / "cp-{epoch:04d}.ckpt"), save_weights_only=True)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    assert sorted(os.listdir(folder)) == ["checkpoint", "cp-0001.ckpt.data-00000-of-00001", "cp-0001.ckpt.index",
                                          "cp-0002.ckpt.data-00000-of-00001", "cp-0002.ckpt.index"]
    latest = tf.train.latest_checkpoint(str(folder))
    assert latest == str(folder / "cp-0002.ckpt")
    fresh = small_model()
    fresh.load_weights(latest)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    cb = ModelCheckpoint(str(tmp_path / "saved_model_dir"))
    savedmodel._warned = False  # the warning comes once per process
    with pytest.warns(UserWarning, match="TensorFlow and TF Serving cannot"):
        model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    np.testing.assert_array_equal(keras.models.load_model(tmp_path / "saved_model_dir").predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_filepath_errors():
    with pytest.raises(ValueError, match="save_weights_only=True"):
        ModelCheckpoint("weights-{epoch}.weights.h5")
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint("m.keras", save_freq="batch")
    cb = ModelCheckpoint("m-{val_acc}.keras")
    cb.set_model(small_model())
    with pytest.raises(KeyError, match='Failed to format this callback filepath: "m-{val_acc}.keras"'):
        cb.on_epoch_end(0, {"loss": 1.0})


# ----------------------------------------------------------------------------- BackupAndRestore

def test_backup_written_each_epoch_and_deleted_at_the_end(tmp_path):
    model = small_model()
    x, y = regression_data()
    backup_dir = tmp_path / "backup"
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(sorted(os.listdir(backup_dir)))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[BackupAndRestore(backup_dir), Spy()])
    assert seen == [["latest.weights.h5"], ["latest.weights.h5"]]
    assert not backup_dir.exists()
    keep = tmp_path / "keep"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(keep, delete_checkpoint=False)])
    assert os.listdir(keep) == ["latest.weights.h5"]


def test_restore_brings_back_weights_optimizer_epoch_and_rng(tmp_path):
    model = small_model()
    x, y = regression_data()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    cb = BackupAndRestore(tmp_path)
    cb.set_model(model)
    cb.on_epoch_end(4)
    state = backend.get_rng_state()
    expected_weights, expected_opt = model.get_weights(), model.optimizer.get_weights()
    backend.rng().normal(size=10)  # move the RNG on

    other = small_model(seed=9)
    other(x[:1])
    cb2 = BackupAndRestore(tmp_path)
    cb2.set_model(other)
    cb2.on_train_begin()
    assert other._initial_epoch_override == 5
    for u, v in zip(expected_weights, other.get_weights()):
        np.testing.assert_array_equal(u, v)
    for u, v in zip(expected_opt, other.optimizer.get_weights()):
        np.testing.assert_array_equal(u, v)
    assert backend.get_rng_state() == state
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(tmp_path, save_freq=10)


def _has_trainer_hook() -> bool:
    return "_initial_epoch_override" in inspect.getsource(Trainer.fit)


_TRAIN_SCRIPT = """
    import os, signal, sys
    import numpy as np
    from chainrule import keras
    from chainrule.keras.layers import Dense, Dropout

    backup_dir, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    keras.utils.set_random_seed(42)
    model = keras.Sequential([Dense(16, activation="relu", input_shape=(4,)), Dropout(0.3), Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    class Kill(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    # shuffle=True and Dropout: resuming is exact only if the RNG state comes back too.
    model.fit(x, y, epochs=6, batch_size=16, shuffle=True, verbose=0,
              callbacks=[keras.callbacks.BackupAndRestore(backup_dir), Kill()])
    np.savez(out, *model.get_weights())
"""


@pytest.mark.xfail(condition=not _has_trainer_hook(), strict=True, reason="needs trainer initial-epoch hook")
def test_killed_training_resumes_bit_identical(tmp_path):
    script = textwrap.dedent(_TRAIN_SCRIPT)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")

    def run(backup, out, kill_at):
        return subprocess.run([sys.executable, "-c", script, str(backup), str(out), str(kill_at)],
                              env=env, capture_output=True, text=True, timeout=120)

    killed = run(tmp_path / "backup", tmp_path / "resumed.npz", 2)  # SIGKILL at the end of epoch 3
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert os.listdir(tmp_path / "backup") == ["latest.weights.h5"]
    resumed = run(tmp_path / "backup", tmp_path / "resumed.npz", -1)
    assert resumed.returncode == 0, resumed.stderr
    assert not (tmp_path / "backup").exists()  # deleted after the successful end
    straight = run(tmp_path / "fresh_backup", tmp_path / "straight.npz", -1)
    assert straight.returncode == 0, straight.stderr
    a, b = np.load(tmp_path / "resumed.npz"), np.load(tmp_path / "straight.npz")
    assert len(a.files) == len(b.files) == 4
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])
