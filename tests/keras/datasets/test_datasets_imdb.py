"""keras.datasets.imdb: tf.keras 2.11's algorithm, the pickle-free file, and the Keras-file hash gate."""
import hashlib
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from chainrule.keras.datasets import _files, imdb


def keras_reference(x_train, labels_train, x_test, labels_test, num_words=None, skip_top=0, maxlen=None, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """tf.keras 2.11's imdb.load_data body after np.load, on object arrays of lists (pure Python)."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    elif index_from:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    else:
        x_train, x_test = [list(x) for x in x_train], [list(x) for x in x_test]
    if maxlen:
        def remove_long_seq(seq, label):
            kept = [(x, y) for x, y in zip(seq, label) if len(x) < maxlen]
            return [x for x, _ in kept], [y for _, y in kept]
        x_train, labels_train = remove_long_seq(x_train, labels_train)
        x_test, labels_test = remove_long_seq(x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError("no sequence was kept")
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if (skip_top <= w < num_words) else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


def _object_array(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


def _synthetic(rng, n, vocab=40):
    seqs = [rng.integers(1, vocab, size=int(rng.integers(1, 15))).tolist() for _ in range(n)]
    return _object_array(seqs), rng.integers(0, 2, size=n).astype(np.int64)


def _flat(x):
    lengths = np.array([len(s) for s in x], dtype=np.int64)
    tokens = np.array([w for s in x for w in s], dtype=np.int64)
    return tokens, lengths


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 20},
    {"num_words": 30, "skip_top": 5},
    {"maxlen": 8},
    {"maxlen": 8, "num_words": 25, "seed": 7},
    {"start_char": None},
    {"start_char": None, "index_from": 0, "num_words": 15},
    {"oov_char": None, "num_words": 20, "skip_top": 6},
    {"index_from": 0},
    {"start_char": 9, "oov_char": 4, "index_from": 10, "skip_top": 11, "num_words": 40},
])
def test_preprocess_matches_tf_keras_algorithm(kwargs):
    rng = np.random.default_rng(0)
    x_train, y_train = _synthetic(rng, 57)
    x_test, y_test = _synthetic(rng, 43)
    (ex, ey), (etx, ety) = keras_reference(x_train, y_train, x_test, y_test, **kwargs)
    (gx, gy), (gtx, gty) = imdb._preprocess((*_flat(x_train), y_train), (*_flat(x_test), y_test), **kwargs)
    assert gx.dtype == object and gx.ndim == 1 and gtx.ndim == 1
    assert list(gx) == ex and list(gtx) == etx
    assert all(type(w) is int for s in gx for w in s)
    np.testing.assert_array_equal(gy, ey)
    np.testing.assert_array_equal(gty, ety)
    assert gy.dtype == np.int64


def test_maxlen_too_small_raises_like_keras():
    rng = np.random.default_rng(1)
    x, y = _synthetic(rng, 10)
    with pytest.raises(ValueError, match="no sequence was kept. Increase maxlen"):
        imdb._preprocess((*_flat(x), y), (*_flat(x), y), maxlen=1)


def test_equal_length_sequences_still_give_a_1d_array_of_lists():
    x = _object_array([[1, 2], [3, 4], [5, 6]])
    y = np.array([0, 1, 0])
    (gx, _), _ = imdb._preprocess((*_flat(x), y), (*_flat(x), y))
    assert gx.shape == (3,) and isinstance(gx[0], list)


# --------------------------------------------------------------------------------------------- real data

@pytest.fixture(scope="module")
def default(module_env):
    return imdb.load_data()


@pytest.fixture(scope="module")
def flat_file(module_env):
    with np.load(os.path.join(os.environ["CHAINRULE_DATA"], "imdb", "imdb_flat.npz")) as f:
        return {k: f[k] for k in f.files}


def test_shapes_dtypes_and_known_keras_figures(default, cache_files):
    (x_train, y_train), (x_test, y_test) = default
    assert x_train.shape == (25000,) and x_test.shape == (25000,)
    assert x_train.dtype == object and isinstance(x_train[0], list)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert np.bincount(y_train).tolist() == [12500, 12500] and np.bincount(y_test).tolist() == [12500, 12500]
    train_lengths = np.array([len(s) for s in x_train])
    assert train_lengths.mean() == pytest.approx(238.71, abs=0.005)
    assert np.mean([len(s) for s in x_test]) == pytest.approx(230.80, abs=0.005)
    assert train_lengths.max() == 2494
    assert all(s[0] == 1 for s in x_train[:1000])          # start_char
    # num_words=None: Keras takes the largest index (88582 + 3) as num_words, so it becomes oov too
    assert max(max(s) for s in x_train) == 88584
    assert cache_files() == []


def test_shuffle_and_offsets_follow_keras(default, flat_file):
    (x_train, y_train), (x_test, y_test) = default
    rng = np.random.RandomState(113)
    order_train = np.arange(25000)
    rng.shuffle(order_train)
    order_test = np.arange(25000)
    rng.shuffle(order_test)
    np.testing.assert_array_equal(y_train, flat_file["y_train"][order_train])
    np.testing.assert_array_equal(y_test, flat_file["y_test"][order_test])
    for split, x, order in (("train", x_train, order_train), ("test", x_test, order_test)):
        starts = np.concatenate([[0], np.cumsum(flat_file[f"x_{split}_lengths"])])
        for i in range(20):
            r = order[i]
            ranks = flat_file[f"x_{split}_tokens"][starts[r]:starts[r + 1]]
            expected = [1] + [w + 3 if w + 3 < 88585 else 2 for w in ranks.tolist()]
            assert x[i] == expected


def test_num_words_and_maxlen(module_env, default, monkeypatch):
    # the shared imdb/ folder holds both imdb_flat.npz and an object-array imdb.npz: the flat one is read
    monkeypatch.setattr(_files, "load_object_npz", lambda *a, **k: pytest.fail("object arrays were read"))
    (x_train, y_train), (x_test, _) = imdb.load_data(num_words=10000)
    assert max(max(s) for s in x_train) == 9999 and max(max(s) for s in x_test) == 9999
    assert [len(s) for s in x_train[:500]] == [len(s) for s in default[0][0][:500]]
    assert sum(s.count(2) for s in x_train[:500]) > 0
    np.testing.assert_array_equal(y_train, default[0][1])

    (x_short, y_short), (xt_short, yt_short) = imdb.load_data(maxlen=100)
    full_lengths = np.array([len(s) for s in default[0][0]])
    assert len(x_short) == int((full_lengths < 100).sum()) == len(y_short)
    assert max(len(s) for s in x_short) < 100 and max(len(s) for s in xt_short) < 100
    assert len(xt_short) == len(yt_short) < 25000


def test_word_index(shared_data):
    index = imdb.get_word_index()
    assert len(index) == 88582
    top = sorted(index, key=index.get)[:19]
    assert top == ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i", "this", "that", "was", "as", "for",
                   "with", "movie", "but", "film"]


def test_corrupted_word_index_fails_checksum(shared_data, tmp_path, monkeypatch, cache_files):
    folder = tmp_path / "data" / "imdb"
    folder.mkdir(parents=True)
    text = (shared_data / "imdb" / "imdb_word_index.json").read_text(encoding="utf-8")
    (folder / "imdb_word_index.json").write_text(text.replace('"the":1', '"teh":1'), encoding="utf-8")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="imdb_word_index.json fails its checksum"):
        imdb.get_word_index()
    assert cache_files() == []


def test_legacy_and_unknown_keywords(module_env):
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        imdb.load_data(num_wrds=10)


# --------------------------------------------------------------------------------------------- files

def test_corrupted_flat_copy_fails_checksum_and_nothing_is_cached(shared_data, tmp_path, monkeypatch, cache_files):
    folder = tmp_path / "data" / "imdb"
    folder.mkdir(parents=True)
    raw = bytearray((shared_data / "imdb" / "imdb_flat.npz").read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (folder / "imdb_flat.npz").write_bytes(bytes(raw))
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="imdb_flat.npz fails its checksum"):
        imdb.load_data()
    assert cache_files() == []


def test_object_array_imdb_npz_with_wrong_hash_is_refused_unread(shared_data, tmp_path, monkeypatch, cache_files):
    folder = tmp_path / "data" / "imdb"
    folder.mkdir(parents=True)
    os.symlink(shared_data / "imdb" / "imdb.npz", folder / "imdb.npz")   # a faithful rebuild, not Keras's file

    def never(*args, **kwargs):
        raise AssertionError("an unverified object-array file was unpickled")

    monkeypatch.setattr(_files, "load_object_npz", never)
    monkeypatch.setattr(pickle, "Unpickler", never)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="Refusing to read .*imdb.npz: it stores object arrays") as e:
        imdb.load_data()
    assert "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f" in str(e.value)
    assert "imdb_flat.npz" in str(e.value)
    assert cache_files() == []


def _keras_style_file(path, rng):
    x_train, y_train = _synthetic(rng, 30)
    x_test, y_test = _synthetic(rng, 20)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return (x_train, y_train), (x_test, y_test)


def test_keras_object_npz_is_read_when_its_hash_is_keras(no_data, isolated, monkeypatch, cache_files):
    isolated.mkdir(parents=True)
    (x_train, y_train), (x_test, y_test) = _keras_style_file(isolated / "imdb.npz", np.random.default_rng(3))
    digest = hashlib.sha256((isolated / "imdb.npz").read_bytes()).hexdigest()
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/imdb.npz", {"sha256": {digest}})
    (gx, gy), (gtx, gty) = imdb.load_data(num_words=30)
    (ex, ey), (etx, ety) = keras_reference(x_train, y_train, x_test, y_test, num_words=30)
    assert list(gx) == ex and list(gtx) == etx
    np.testing.assert_array_equal(gy, ey)


def test_object_npz_in_cache_with_wrong_hash_is_refused(no_data, isolated):
    isolated.mkdir(parents=True)
    _keras_style_file(isolated / "imdb.npz", np.random.default_rng(4))
    with pytest.raises(ValueError, match="(?s)Refusing to read.*fresh copy failed too"):
        imdb.load_data()


def test_restricted_unpickler_refuses_other_globals_even_with_the_right_hash(no_data, isolated, monkeypatch):
    class Evil:
        def __reduce__(self):
            return (os.getcwd, ())

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    payload = header.getvalue() + pickle.dumps(Evil(), protocol=2)
    isolated.mkdir(parents=True)
    with zipfile.ZipFile(isolated / "imdb.npz", "w") as zf:
        zf.writestr("x_train.npy", payload)
        for k in ("y_train", "x_test", "y_test"):
            buf = io.BytesIO()
            np.save(buf, np.zeros(1, dtype=np.int64))
            zf.writestr(k + ".npy", buf.getvalue())
    digest = hashlib.sha256((isolated / "imdb.npz").read_bytes()).hexdigest()
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/imdb.npz", {"sha256": {digest}})
    with pytest.raises(ValueError, match="refusing to load global posix.getcwd|refusing to load global nt.getcwd"):
        imdb.load_data()


def test_corrupted_download_is_never_cached(no_data, origin, cache_files):
    _keras_style_file(origin / "imdb.npz", np.random.default_rng(5))
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        imdb.load_data()
    assert cache_files() == []


def test_no_file_and_no_network_says_what_to_place_where(no_data, isolated):
    with pytest.raises(FileNotFoundError) as e:
        imdb.load_data()
    msg = str(e.value)
    assert "$CHAINRULE_DATA/imdb/" in msg and "imdb_flat.npz" in msg
    assert str(isolated / "imdb.npz") in msg
