"""Datasets where TensorFlow users already have them: ``~/.keras/datasets``, and one short error otherwise."""
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule.keras.datasets import _files, fashion_mnist, mnist


@pytest.fixture
def home(monkeypatch, tmp_path, no_data):
    """A temporary HOME with no KERAS_HOME and no CHAINRULE_HOME: the defaults ~/.keras and ~/.chainrule."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("CHAINRULE_HOME", raising=False)
    return home


def _subset_npz(path):
    (x, y), (tx, ty) = mnist.load_data(subset="bundled")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x_train=x, y_train=y, x_test=tx, y_test=ty)
    return path


def test_mnist_npz_in_tf_keras_cache_is_used_where_it_is(home, monkeypatch):
    served = _subset_npz(home / ".keras" / "datasets" / "mnist.npz")
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/mnist.npz",
                        {"sha256": {hashlib.sha256(served.read_bytes()).hexdigest()}})
    (x, y), (tx, ty) = mnist.load_data()
    assert x.shape == (5000, 28, 28) and tx.shape == (1000, 28, 28) and y[:5].tolist() == [5, 0, 4, 1, 9]
    assert not (home / ".chainrule").exists()         # read in place: nothing copied or downloaded
    assert sorted(os.listdir(home / ".keras" / "datasets")) == ["mnist.npz"]


def test_keras_home_variable_is_honoured(home, monkeypatch, tmp_path):
    served = _subset_npz(tmp_path / "elsewhere" / "datasets" / "mnist.npz")
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/mnist.npz",
                        {"sha256": {hashlib.sha256(served.read_bytes()).hexdigest()}})
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    (x, _), _ = mnist.load_data()
    assert x.shape == (5000, 28, 28)


def test_chainrule_cache_comes_before_tf_keras_cache(home, monkeypatch):
    ours = _subset_npz(home / ".chainrule" / "datasets" / "mnist.npz")
    theirs = home / ".keras" / "datasets" / "mnist.npz"
    theirs.parent.mkdir(parents=True)
    theirs.write_bytes(b"not an npz")                  # would fail if it were read
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/mnist.npz",
                        {"sha256": {hashlib.sha256(ours.read_bytes()).hexdigest()}})
    (x, _), _ = mnist.load_data()
    assert x.shape == (5000, 28, 28)


def test_fashion_mnist_looks_in_tf_keras_layout(home):
    with pytest.raises(FileNotFoundError) as e:
        fashion_mnist.load_data()
    assert str(home / ".keras" / "datasets" / "fashion-mnist" / "train-images-idx3-ubyte.gz") in str(e.value)


def test_missing_dataset_is_one_short_error_listing_where_it_looked(home):
    with pytest.raises(FileNotFoundError) as e:
        mnist.load_data()
    msg = str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__   # no chained traceback
    assert msg.startswith("mnist: no data file found. Looked for:\n")
    assert "  - $CHAINRULE_DATA/mnist/: " in msg and "CHAINRULE_DATA is not set" in msg
    assert f"  - {home / '.chainrule' / 'datasets' / 'mnist.npz'}  (chainrule's cache)" in msg
    assert f"  - {home / '.keras' / 'datasets' / 'mnist.npz'}  (tf.keras's cache)" in msg
    assert "the download failed" in msg
    assert "To get it: run once with network access" in msg and "copy mnist.npz into" in msg
    assert len(msg.splitlines()) <= 8
    assert not (home / ".chainrule").exists() and not (home / ".keras").exists()


def test_missing_dataset_prints_no_chained_traceback(tmp_path):
    code = ("from chainrule.keras.datasets import _files, mnist\n"
            f"_files.KERAS_ORIGIN = {(tmp_path / 'none').as_uri() + '/'!r}\n"
            "mnist.load_data()\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CHAINRULE_DATA", "CHAINRULE_HOME", "KERAS_HOME")}
    env["HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.count("Traceback") == 1
    assert "During handling" not in result.stderr and "direct cause" not in result.stderr
    assert result.stderr.rstrip().endswith("mnist.load_data(subset='bundled').")


@pytest.mark.slow
def test_quickstart_trains_from_tf_keras_cache_without_settings(shared_data, tmp_path):
    """A TensorFlow user's ~/.keras/datasets/mnist.npz (the full MNIST) trains the quickstart, nothing set."""
    (x, y), (tx, ty) = mnist.load_data()                   # from the shared folder
    keras_datasets = tmp_path / ".keras" / "datasets"
    keras_datasets.mkdir(parents=True)
    np.savez(keras_datasets / "mnist.npz", x_train=x, y_train=y, x_test=tx, y_test=ty)
    code = ("import chainrule as tf\n"
            "(x, y), (tx, ty) = tf.keras.datasets.mnist.load_data()\n"
            "print(x.shape, tx.shape)\n"
            "m = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)),"
            " tf.keras.layers.Dense(32, activation='relu'), tf.keras.layers.Dense(10, activation='softmax')])\n"
            "m.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
            "m.fit(x[:6000] / 255.0, y[:6000], epochs=1, verbose=0)\n"
            "print(round(m.evaluate(tx / 255.0, ty, verbose=0)[1], 2))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CHAINRULE_DATA", "CHAINRULE_HOME", "KERAS_HOME")}
    env["HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "(60000, 28, 28) (10000, 28, 28)" and float(lines[1]) > 0.85
    assert not (tmp_path / ".chainrule").exists()
