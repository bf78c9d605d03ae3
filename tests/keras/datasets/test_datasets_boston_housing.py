"""keras.datasets.boston_housing: tf.keras's seed-113 split, file checks and download caching."""
import hashlib
import shutil

import numpy as np
import pytest

from chainrule.keras.datasets import _files, boston_housing


def test_shapes_dtypes_and_keras_split(shared_data, cache_files):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (404, 13) and y_train.shape == (404,)
    assert x_test.shape == (102, 13) and y_test.shape == (102,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("float64")}
    # the figures tf.keras gives for the default split (seed 113)
    np.testing.assert_allclose(y_train[:10], [15.2, 42.3, 50.0, 21.1, 17.7, 18.5, 11.3, 15.6, 15.6, 14.4])
    np.testing.assert_allclose(x_train[0], [1.23247, 0.0, 8.14, 0.0, 0.538, 6.142, 91.7, 3.9769, 4.0, 307.0, 21.0,
                                            396.9, 18.72])
    assert cache_files() == []


def test_split_is_keras_permutation_of_all_rows_and_deterministic(shared_data):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    (x2, y2), (tx2, ty2) = boston_housing.load_data(seed=113)
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_array_equal(ty2, y_test)
    table = np.loadtxt(shared_data / "boston_housing" / "boston_housing.csv", delimiter=",", skiprows=1)
    order = np.random.RandomState(113).permutation(506)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), table[order, :13])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), table[order, 13])
    assert table[:, 13].mean() == pytest.approx(22.5328, abs=1e-4)


def test_seed_and_test_split(shared_data):
    (x_a, _), _ = boston_housing.load_data(seed=1)
    (x_b, _), _ = boston_housing.load_data()
    assert not np.array_equal(x_a, x_b)
    (x, _), (tx, _) = boston_housing.load_data(test_split=0.1)
    assert len(x) == int(506 * 0.9) == 455 and len(tx) == 51
    (x, _), (tx, _) = boston_housing.load_data(test_split=0)
    assert len(x) == 506 and len(tx) == 0
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_corrupted_csv_fails_checksum_and_nothing_is_cached(shared_data, tmp_path, monkeypatch, cache_files):
    folder = tmp_path / "data" / "boston_housing"
    folder.mkdir(parents=True)
    raw = bytearray((shared_data / "boston_housing" / "boston_housing.csv").read_bytes())
    i = raw.index(b"396.9")
    raw[i:i + 5] = b"999.9"                              # still a valid CSV, but not the published data
    (folder / "boston_housing.csv").write_bytes(bytes(raw))
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="boston_housing.csv fails its checksum") as e:
        boston_housing.load_data()
    assert "79ac716620024011b03c0c44d2bf99069b8173649181926d9109c25475a3804c" in str(e.value)
    assert cache_files() == []


def _keras_style_npz(shared, path):
    table = np.loadtxt(shared / "boston_housing" / "boston_housing.csv", delimiter=",", skiprows=1)
    np.savez(path, x=table[:, :13], y=table[:, 13])
    return path


def test_download_is_verified_cached_and_reused_offline(no_data, shared_data, origin, isolated, cache_files,
                                                        monkeypatch):
    served = _keras_style_npz(shared_data, origin / "boston_housing.npz")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        boston_housing.load_data()                         # not Keras's sha256: refused, not cached
    assert cache_files() == []
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/boston_housing.npz",
                        {"sha256": {hashlib.sha256(served.read_bytes()).hexdigest()}})
    (x_train, y_train), _ = boston_housing.load_data()
    assert cache_files() == ["boston_housing.npz"]
    served.unlink()
    (x2, y2), _ = boston_housing.load_data()
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_allclose(y2[:3], [15.2, 42.3, 50.0])


def test_keras_npz_in_data_folder_must_be_keras_file(shared_data, tmp_path, monkeypatch):
    folder = tmp_path / "data" / "boston_housing"
    folder.mkdir(parents=True)
    _keras_style_npz(shared_data, folder / "boston_housing.npz")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="boston_housing.npz fails its checksum"):
        boston_housing.load_data()
    shutil.copy(shared_data / "boston_housing" / "boston_housing.csv", folder)
    (x, _), _ = boston_housing.load_data()               # the CSV comes first
    assert x.shape == (404, 13)
