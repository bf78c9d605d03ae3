"""keras.datasets.cifar10 / cifar100: tf.keras 2's shapes, dtypes, order and label modes, read from the binary
tarballs (never a pickle).

The real tarballs are not in the shared datasets folder, so these tests write small ones in the published
binary format (same member names, same record layout) and add their sha256 to the table of accepted
digests for the test; a tarball whose digest is not in the table is refused, as a wrong real file would be.
"""
import hashlib
import io
import tarfile

import numpy as np
import pytest

from chainrule import keras
from chainrule.keras.datasets import _files, cifar10, cifar100


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _records(labels, images):
    """Binary records: the label bytes then the 3072 pixel bytes (R, G, B planes), as published."""
    labels = np.asarray(labels, np.uint8).reshape(len(images), -1)
    return np.concatenate([labels, images.reshape(len(images), -1)], axis=1).tobytes()


def _accept(monkeypatch, key, path):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setitem(_files.FILE_DIGESTS, key, {"sha256": {digest}})


@pytest.fixture
def cifar10_files(tmp_path):
    rng = np.random.default_rng(0)
    batches = [(rng.integers(0, 10, 4), rng.integers(0, 256, (4, 3, 32, 32), dtype=np.uint8)) for _ in range(6)]
    members = {f"cifar-10-batches-bin/data_batch_{i + 1}.bin": _records(*batches[i]) for i in range(5)}
    members["cifar-10-batches-bin/test_batch.bin"] = _records(*batches[5])
    members["cifar-10-batches-bin/batches.meta.txt"] = b"airplane\nautomobile\n"
    folder = tmp_path / "data" / "cifar10"
    folder.mkdir(parents=True)
    return _tar(folder / "cifar-10-binary.tar.gz", members), batches


def test_cifar10_shapes_dtypes_and_order(cifar10_files, monkeypatch, cache_files):
    path, batches = cifar10_files
    _accept(monkeypatch, "cifar10/cifar-10-binary.tar.gz", path)
    monkeypatch.setenv("CHAINRULE_DATA", str(path.parent.parent))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (4, 32, 32, 3)
    assert y_train.shape == (20, 1) and y_test.shape == (4, 1)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}
    expected = np.concatenate([b[1] for b in batches[:5]]).transpose(0, 2, 3, 1)     # data_batch_1 .. 5, in order
    np.testing.assert_array_equal(x_train, expected)
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate([b[0] for b in batches[:5]]))
    np.testing.assert_array_equal(x_test, batches[5][1].transpose(0, 2, 3, 1))
    assert x_train[0, 0, 0, 1] == batches[0][1][0, 1, 0, 0]                         # the green plane is channel 1
    assert cache_files() == []
    keras.backend.set_image_data_format("channels_first")
    try:
        (x_cf, _), _ = cifar10.load_data()
    finally:
        keras.backend.set_image_data_format("channels_last")
    np.testing.assert_array_equal(x_cf, np.concatenate([b[1] for b in batches[:5]]))


def test_cifar10_from_the_cache_and_cache_dir(cifar10_files, monkeypatch, no_data, isolated, tmp_path):
    path, _ = cifar10_files
    _accept(monkeypatch, "cifar10/cifar-10-binary.tar.gz", path)
    isolated.mkdir(parents=True)
    (isolated / "cifar-10-binary.tar.gz").write_bytes(path.read_bytes())
    (x, _), _ = cifar10.load_data()
    assert x.shape == (20, 32, 32, 3)
    own = tmp_path / "own_cache"
    own.mkdir()
    (own / "cifar-10-binary.tar.gz").write_bytes(path.read_bytes())
    (isolated / "cifar-10-binary.tar.gz").unlink()
    (x, _), _ = cifar10.load_data(cache_dir=str(own))
    assert x.shape == (20, 32, 32, 3)


def test_a_tarball_with_another_digest_is_refused(cifar10_files, monkeypatch):
    path, _ = cifar10_files
    monkeypatch.setenv("CHAINRULE_DATA", str(path.parent.parent))
    with pytest.raises(ValueError, match=r"cifar-10-binary.tar.gz fails its checksum.*c4a38c50"):
        cifar10.load_data()


def test_a_truncated_batch_is_named(tmp_path, monkeypatch):
    members = {f"cifar-10-batches-bin/data_batch_{i}.bin": b"\x01" * 3073 for i in range(1, 6)}
    members["cifar-10-batches-bin/test_batch.bin"] = b"\x01" * 3000
    folder = tmp_path / "data" / "cifar10"
    folder.mkdir(parents=True)
    path = _tar(folder / "cifar-10-binary.tar.gz", members)
    _accept(monkeypatch, "cifar10/cifar-10-binary.tar.gz", path)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match=r"test_batch.bin: 3000 bytes is not a whole number of 3073-byte"):
        cifar10.load_data()


def test_no_file_and_no_network_says_where_to_put_it(no_data, isolated):
    with pytest.raises(FileNotFoundError) as e:
        cifar10.load_data()
    assert "$CHAINRULE_DATA/cifar10/" in str(e.value) and "cifar-10-binary.tar.gz" in str(e.value)


def test_download_is_verified_and_cached(cifar10_files, monkeypatch, no_data, isolated, tmp_path, cache_files):
    path, _ = cifar10_files
    _accept(monkeypatch, "cifar10/cifar-10-binary.tar.gz", path)
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "cifar-10-binary.tar.gz").write_bytes(path.read_bytes())
    monkeypatch.setattr(_files, "CIFAR_ORIGIN", origin.as_uri() + "/")
    (x, _), _ = cifar10.load_data()
    assert x.shape == (20, 32, 32, 3) and cache_files() == ["cifar-10-binary.tar.gz"]


def test_cifar100_fine_and_coarse_labels(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    coarse, fine = rng.integers(0, 20, 6), rng.integers(0, 100, 6)
    images = rng.integers(0, 256, (6, 3, 32, 32), dtype=np.uint8)
    members = {"cifar-100-binary/train.bin": _records(np.stack([coarse[:4], fine[:4]], 1), images[:4]),
               "cifar-100-binary/test.bin": _records(np.stack([coarse[4:], fine[4:]], 1), images[4:])}
    folder = tmp_path / "data" / "cifar100"
    folder.mkdir(parents=True)
    path = _tar(folder / "cifar-100-binary.tar.gz", members)
    _accept(monkeypatch, "cifar100/cifar-100-binary.tar.gz", path)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    (x, y), (xt, yt) = cifar100.load_data()
    assert x.shape == (4, 32, 32, 3) and xt.shape == (2, 32, 32, 3) and x.dtype == np.uint8
    assert y.dtype == np.int64 and y.shape == (4, 1)                                # tf.keras: from a list
    np.testing.assert_array_equal(y[:, 0], fine[:4])
    np.testing.assert_array_equal(yt[:, 0], fine[4:])
    (_, yc), (_, ytc) = cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(yc[:, 0], coarse[:4])
    np.testing.assert_array_equal(ytc[:, 0], coarse[4:])
    np.testing.assert_array_equal(x, images[:4].transpose(0, 2, 3, 1))
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="super")


def test_loading_never_unpickles(cifar10_files, monkeypatch):
    import _pickle
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("a CIFAR loader unpickled something")
    for module in (pickle, _pickle):
        for name in ("load", "loads", "Unpickler"):
            monkeypatch.setattr(module, name, refuse)
    path, _ = cifar10_files
    _accept(monkeypatch, "cifar10/cifar-10-binary.tar.gz", path)
    monkeypatch.setenv("CHAINRULE_DATA", str(path.parent.parent))
    (x, _), _ = cifar10.load_data()
    assert x.shape == (20, 32, 32, 3)
