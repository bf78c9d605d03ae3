"""keras.datasets.mnist: tf.keras's shapes/dtypes/order, file verification, cache and download rules."""
import gzip
import hashlib
import os
import shutil

import numpy as np
import pytest

from chainrule.keras.datasets import _files, mnist

IDX_GZ = [n + ".gz" for n in _files.IDX_NAMES]


@pytest.fixture(scope="module")
def full(module_env):
    return mnist.load_data()


def test_shapes_dtypes_and_order_match_tf_keras(full, cache_files):
    (x_train, y_train), (x_test, y_test) = full
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]          # Keras's mnist.npz keeps the original order
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test, minlength=10).sum() == 10000 and y_test.max() == 9 and y_test.min() == 0
    assert x_train.mean() / 255 == pytest.approx(0.1307, abs=1e-4)
    assert x_train.flags.writeable
    assert cache_files() == []                                # read from CHAINRULE_DATA, nothing cached


def test_bundled_subset_without_data_folder_or_network(no_data, full, cache_files):
    (x_train, y_train), (x_test, y_test) = mnist.load_data(subset="bundled")
    assert x_train.shape == (5000, 28, 28) and y_train.shape == (5000,)
    assert x_test.shape == (1000, 28, 28) and y_test.shape == (1000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}
    (fx, fy), (tx, ty) = full
    np.testing.assert_array_equal(x_train, fx[:5000])
    np.testing.assert_array_equal(y_train, fy[:5000])
    np.testing.assert_array_equal(x_test, tx[:1000])
    np.testing.assert_array_equal(y_test, ty[:1000])
    assert cache_files() == []


def test_unknown_subset_is_refused():
    with pytest.raises(ValueError, match="subset"):
        mnist.load_data(subset="tiny")


def _copy_mnist(shared, tmp_path):
    """A CHAINRULE_DATA folder whose mnist/ holds symlinks to the real files; returns (root, mnist folder)."""
    root = tmp_path / "data"
    folder = root / "mnist"
    folder.mkdir(parents=True)
    for n in IDX_GZ:
        os.symlink(shared / "mnist" / n, folder / n)
    return root, folder


def _replace_labels(folder, shared, transform):
    """Rewrite train-labels with ``transform(content_bytes) -> bytes`` as a valid gzip file."""
    target = folder / "train-labels-idx1-ubyte.gz"
    content = gzip.decompress((shared / "mnist" / "train-labels-idx1-ubyte.gz").read_bytes())
    target.unlink()
    target.write_bytes(gzip.compress(transform(content)))


def test_corrupted_copy_fails_checksum_and_nothing_is_cached(shared_data, tmp_path, monkeypatch, cache_files):
    root, folder = _copy_mnist(shared_data, tmp_path)
    # flip one label (5 -> 3): still a valid IDX file, but not MNIST's content
    _replace_labels(folder, shared_data, lambda c: c[:8] + bytes([3]) + c[9:])
    monkeypatch.setenv("CHAINRULE_DATA", str(root))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz fails its checksum") as e:
        mnist.load_data()
    assert isinstance(e.value, _files.ChecksumError)
    assert cache_files() == []


def test_flipped_bytes_in_gzip_are_reported_with_the_file_name(shared_data, tmp_path, monkeypatch, cache_files):
    root, folder = _copy_mnist(shared_data, tmp_path)
    target = folder / "train-labels-idx1-ubyte.gz"
    raw = bytearray((shared_data / "mnist" / "train-labels-idx1-ubyte.gz").read_bytes())
    for i in range(100, 110):
        raw[i] ^= 0xFF
    target.unlink()
    target.write_bytes(bytes(raw))
    monkeypatch.setenv("CHAINRULE_DATA", str(root))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz"):
        mnist.load_data()
    assert cache_files() == []


@pytest.mark.parametrize("transform, message", [
    (lambda c: c[:-100], "truncated: the header announces 60000 labels \\(60000 bytes of data\\) but only 59900"),
    (lambda c: c[:5], "truncated: 5 bytes is too short"),
    (lambda c: b"\x00\x00\x08\x04" + c[4:], "bad IDX magic number 2052 \\(expected 2049"),
    (lambda c: c + b"\x00", "1 unexpected bytes"),
    (lambda c: c[:8] + bytes([17]) + c[9:], "label values must be 0..9, found 17"),
])
def test_idx_structure_is_validated(shared_data, tmp_path, monkeypatch, transform, message):
    root, folder = _copy_mnist(shared_data, tmp_path)
    _replace_labels(folder, shared_data, transform)
    monkeypatch.setenv("CHAINRULE_DATA", str(root))
    with pytest.raises(ValueError, match=message) as e:
        mnist.load_data()
    assert "train-labels-idx1-ubyte.gz" in str(e.value)


def test_parse_idx_checks_image_magic_and_size():
    header = (2051).to_bytes(4, "big") + (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    ok = _files.parse_idx(header + bytes(2 * 28 * 28), "f", "images")
    assert ok.shape == (2, 28, 28) and ok.dtype == np.uint8
    with pytest.raises(ValueError, match="bad IDX magic number 2049 \\(expected 2051"):
        _files.parse_idx((2049).to_bytes(4, "big") + header[4:] + bytes(2 * 784), "f", "images")
    with pytest.raises(ValueError, match="images are 28x27"):
        _files.parse_idx(header[:12] + (27).to_bytes(4, "big") + bytes(2 * 28 * 27), "f", "images")
    with pytest.raises(ValueError, match="truncated"):
        _files.parse_idx(header + bytes(100), "f", "images")


def test_partial_data_folder_names_the_missing_files(shared_data, tmp_path, monkeypatch):
    root, folder = _copy_mnist(shared_data, tmp_path)
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    monkeypatch.setenv("CHAINRULE_DATA", str(root))
    with pytest.raises(FileNotFoundError, match="missing t10k-images-idx3-ubyte.gz"):
        mnist.load_data()


def test_no_file_and_no_network_says_what_to_place_where(no_data, isolated, cache_files):
    with pytest.raises(FileNotFoundError) as e:
        mnist.load_data()
    msg = str(e.value)
    assert "download failed" in msg and "URL fetch failure" in msg
    assert "$CHAINRULE_DATA/mnist/" in msg and "train-images-idx3-ubyte.gz" in msg
    assert "CHAINRULE_DATA is not set" in msg and "fashion_mnist/" in msg
    assert str(isolated / "mnist.npz") in msg
    assert "subset='bundled'" in msg
    assert not isolated.exists()


def _subset_npz(path):
    (x, y), (tx, ty) = mnist.load_data(subset="bundled")
    np.savez_compressed(path, x_train=x, y_train=y, x_test=tx, y_test=ty)
    return path


def test_corrupted_download_fails_checksum_and_is_never_cached(no_data, origin, isolated, cache_files, capsys):
    _subset_npz(origin / "mnist.npz")                    # not Keras's file: its sha256 differs
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected") as e:
        mnist.load_data()
    assert "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1" in str(e.value)
    assert cache_files() == []                            # no mnist.npz and no leftover temporary file
    assert not isolated.exists()                          # not even an empty cache folder
    assert "Downloading data from file://" in capsys.readouterr().out


def test_verified_download_is_cached_atomically_then_used_offline(no_data, origin, isolated, cache_files,
                                                                  monkeypatch):
    served = _subset_npz(origin / "mnist.npz")
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/mnist.npz", {"sha256": {digest}})
    (x, _), _ = mnist.load_data()
    assert x.shape == (5000, 28, 28)
    assert cache_files() == ["mnist.npz"]
    assert (isolated / "mnist.npz").read_bytes() == served.read_bytes()
    served.unlink()                                       # the origin is gone: the cache answers
    (x2, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x, x2)


def test_converted_mnist_npz_in_cache_is_accepted_by_content(no_data, isolated, full, cache_files):
    (x, y), (tx, ty) = full
    isolated.mkdir(parents=True)
    np.savez(isolated / "mnist.npz", x_train=x, y_train=y, x_test=tx, y_test=ty)
    (x2, y2), (tx2, ty2) = mnist.load_data()
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(tx2, tx)


def test_corrupted_cache_file_is_refused_when_no_fresh_copy_can_be_fetched(no_data, isolated, full):
    (x, y), (tx, ty) = full
    isolated.mkdir(parents=True)
    y = y.copy()
    y[0] = 3
    np.savez(isolated / "mnist.npz", x_train=x[:10], y_train=y[:10], x_test=tx[:10], y_test=ty[:10])
    with pytest.raises(ValueError, match="expected uint8 \\(60000, 28, 28\\)"):
        mnist.load_data()
    np.savez(isolated / "mnist.npz", x_train=x, y_train=y, x_test=tx, y_test=ty)
    with pytest.raises(ValueError, match="fails its checksum.*y_train.*\n.*fresh copy failed too"):
        mnist.load_data()


def test_object_arrays_are_never_unpickled_from_mnist_npz(no_data, isolated):
    isolated.mkdir(parents=True)
    obj = np.empty(2, dtype=object)
    obj[:] = [[1], [2]]
    np.savez(isolated / "mnist.npz", x_train=obj, y_train=obj, x_test=obj, y_test=obj)
    with pytest.raises(ValueError, match="mnist.npz: cannot be read without unpickling"):
        mnist.load_data()


def test_absolute_path_bypasses_data_folder(shared_data, tmp_path):
    target = tmp_path / "elsewhere" / "my_mnist.npz"
    target.parent.mkdir()
    shutil.copy(mnist.__file__.replace("mnist.py", os.path.join("data", "mnist_subset.npz")), target)
    with pytest.raises(ValueError, match="my_mnist.npz"):
        mnist.load_data(path=str(target))                  # the subset is not the full MNIST
