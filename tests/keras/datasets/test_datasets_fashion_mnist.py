"""keras.datasets.fashion_mnist: shapes, dtypes, class balance, data-folder and cache layouts."""
import os

import numpy as np
import pytest

from chainrule.keras.datasets import _files, fashion_mnist

IDX_GZ = [n + ".gz" for n in _files.IDX_NAMES]


def test_shapes_dtypes_and_class_counts(shared_data, cache_files):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert x_train.mean() / 255 == pytest.approx(0.2861, abs=1e-4)
    assert cache_files() == []


def test_cache_uses_tf_keras_layout(no_data, shared_data, isolated, cache_files):
    folder = isolated / "fashion-mnist"
    folder.mkdir(parents=True)
    for n in IDX_GZ:
        os.symlink(shared_data / "fashion_mnist" / n, folder / n)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and y_test.shape == (10000,)
    assert cache_files() == sorted(f"fashion-mnist/{n}" for n in IDX_GZ)


def test_mnist_files_are_not_accepted_as_fashion_mnist(shared_data, tmp_path, monkeypatch, cache_files):
    folder = tmp_path / "data" / "fashion_mnist"
    folder.mkdir(parents=True)
    for n in IDX_GZ:
        os.symlink(shared_data / "mnist" / n, folder / n)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz fails its checksum"):
        fashion_mnist.load_data()
    assert cache_files() == []


def test_no_file_and_no_network_names_both_layouts(no_data, isolated, cache_files):
    with pytest.raises(FileNotFoundError) as e:
        fashion_mnist.load_data()
    msg = str(e.value)
    assert "$CHAINRULE_DATA/fashion_mnist/" in msg
    assert str(isolated / "fashion-mnist" / "train-images-idx3-ubyte.gz") in msg
    assert cache_files() == []
