"""keras.datasets.reuters against tf.keras 2.21 (fixtures/reuters_tf_keras.json), both file layouts, the hash gate.

The fixture holds 41 synthetic newswires and what tf.keras's ``reuters.load_data`` returned for them under
each case of arguments (``fixtures/make_reuters_fixture.py`` made it). Each test writes those newswires
to small files in ``tmp_path``: no test needs the real reuters.npz or the network.
"""
import hashlib
import json
import os
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule.keras.datasets import _files, reuters

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "reuters_tf_keras.json").read_text(encoding="utf-8"))
CASES = FIXTURE["cases"]
KERAS_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"


def _object_array(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


def write_flat(path, labels_dtype="int64"):
    path.parent.mkdir(parents=True, exist_ok=True)
    xs, ys = FIXTURE["x"], FIXTURE["y"]
    np.savez(path, x_tokens=np.array([w for s in xs for w in s], dtype=np.int32),
             x_lengths=np.array([len(s) for s in xs], dtype=np.int32), y=np.array(ys, dtype=labels_dtype))
    return path


def write_keras(path, labels_dtype="int64"):
    """The newswires in Keras's layout (object arrays); returns the file's sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=_object_array(FIXTURE["x"]), y=np.array(FIXTURE["y"], dtype=labels_dtype))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_like_tf_keras(got, case):
    (x_train, y_train), (x_test, y_test) = got
    for name, arr in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)):
        want = case[name]
        assert isinstance(arr, np.ndarray), name
        assert list(arr.shape) == want["shape"] and str(arr.dtype) == want["dtype"], name
        assert arr.tolist() == want["values"], name
    assert all(type(s) is list and all(type(w) is int for w in s) for s in list(x_train) + list(x_test))


def _load(kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nb_words warns; its own test checks the warning
        return reuters.load_data(**kwargs)


def _check_case(name):
    case = CASES[name]
    if "error" in case:
        error = {"ValueError": ValueError, "TypeError": TypeError}[case["error"]["type"]]
        with pytest.raises(error) as e:
            _load(case["kwargs"])
        assert case["error"]["message"] in str(e.value)
    else:
        assert_like_tf_keras(_load(case["kwargs"]), case)


def test_the_fixture_covers_the_cases_and_errors():
    assert FIXTURE["tf_keras"].startswith("2.")
    assert len(CASES) >= 20 and sum("error" in c for c in CASES.values()) == 4
    assert sum(len(s) == 0 for s in FIXTURE["x"]) == 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_flat_file_gives_what_tf_keras_gives(name, tmp_path, monkeypatch, cache_files):
    write_flat(tmp_path / "data" / "reuters" / "reuters_flat.npz", CASES[name]["labels"])
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    _check_case(name)
    assert cache_files() == []


@pytest.mark.parametrize("name", ["defaults", "maxlen_seed_split", "drop_oov", "all_offsets", "test_split_above_1",
                                  "maxlen_empty_test", "int32_labels", "error_empty_sequence"])
def test_keras_object_file_with_keras_hash_gives_what_tf_keras_gives(name, no_data, isolated, monkeypatch):
    digest = write_keras(isolated / "reuters.npz", CASES[name]["labels"])
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/reuters.npz", {"sha256": {digest}})
    _check_case(name)


def test_defaults_split_and_shuffle_follow_keras(tmp_path, monkeypatch):
    # independent of the fixture: one RandomState(113) shuffle of all 41 rows, then 32 train / 9 test
    write_flat(tmp_path / "data" / "reuters" / "reuters_flat.npz")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=1000)
    order = np.arange(41)
    np.random.RandomState(113).shuffle(order)
    assert len(x_train) == int(41 * (1 - 0.2)) == 32 and len(x_test) == 9
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), np.array(FIXTURE["y"])[order])
    for got, row in zip(list(x_train) + list(x_test), order):
        assert got == [1] + [w + 3 for w in FIXTURE["x"][row]]


def test_label_names_are_tf_keras_topics():
    names = reuters.get_label_names()
    assert isinstance(names, tuple) and len(names) == 46
    assert list(names) == FIXTURE["label_names"]
    assert names[3] == "earn" and names[4] == "acq"


def test_reachable_as_tf_keras_datasets_reuters():
    assert tf.keras.datasets.reuters.load_data is reuters.load_data
    assert "reuters" in tf.keras.datasets.__all__


def test_nb_words_warns_and_unknown_keywords_raise(tmp_path, monkeypatch):
    write_flat(tmp_path / "data" / "reuters" / "reuters_flat.npz")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        (x_old, _), _ = reuters.load_data(nb_words=20)
    (x_new, _), _ = reuters.load_data(num_words=20)
    assert x_old.tolist() == x_new.tolist()
    with pytest.raises(TypeError, match=r"Unrecognized keyword arguments: \{'num_wrds': 10\}"):
        reuters.load_data(num_wrds=10)


def test_empty_sequence_error_says_what_to_do(tmp_path, monkeypatch):
    write_flat(tmp_path / "data" / "reuters" / "reuters_flat.npz")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="1 newswires are empty.*Pass num_words"):
        reuters.load_data(start_char=None)
    with pytest.raises(ValueError, match="maxlen=1 kept no newswire.*Pass num_words"):
        reuters.load_data(maxlen=1)


# --------------------------------------------------------------------------------------------- files

def test_object_file_with_another_hash_is_refused_unread(tmp_path, monkeypatch, cache_files):
    write_keras(tmp_path / "data" / "reuters" / "reuters.npz")

    def never(*args, **kwargs):
        raise AssertionError("an unverified object-array file was unpickled")

    monkeypatch.setattr(_files, "load_object_npz", never)
    monkeypatch.setattr(pickle, "Unpickler", never)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="Refusing to read .*reuters.npz: it stores object arrays") as e:
        reuters.load_data()
    assert KERAS_SHA256 in str(e.value) and "reuters_flat.npz" in str(e.value)
    assert cache_files() == []


def test_object_file_in_the_cache_with_another_hash_is_refused(no_data, isolated):
    write_keras(isolated / "reuters.npz")
    with pytest.raises(ValueError, match="(?s)Refusing to read.*fresh copy failed too"):
        reuters.load_data()


def test_the_flat_file_is_preferred_to_keras_file_beside_it(tmp_path, monkeypatch):
    write_flat(tmp_path / "data" / "reuters" / "reuters_flat.npz")
    write_keras(tmp_path / "data" / "reuters" / "reuters.npz")   # would be refused if it were read
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    assert_like_tf_keras(reuters.load_data(), CASES["defaults"])


def test_a_flat_file_whose_lengths_disagree_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "data" / "reuters" / "reuters_flat.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x_tokens=np.arange(1, 10), x_lengths=np.array([4, 4]), y=np.array([0, 1]))
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match=r"reuters_flat.npz: the lengths add up to 8 but there are 9 tokens"):
        reuters.load_data()
    np.savez(path, x_tokens=np.arange(1, 9), x_lengths=np.array([4, 4]), y=np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"reuters_flat.npz: 2 newswires but 3 labels"):
        reuters.load_data()


def test_from_the_caches_cache_dir_and_an_absolute_path(no_data, isolated, tmp_path, monkeypatch):
    keras_cache = tmp_path / "keras_home" / "datasets"
    write_flat(keras_cache / "reuters_flat.npz")
    assert_like_tf_keras(reuters.load_data(), CASES["defaults"])      # tf.keras's ~/.keras/datasets
    write_flat(isolated / "reuters.npz", "int32")                     # chainrule's cache comes first
    assert_like_tf_keras(reuters.load_data(num_words=25, maxlen=9), CASES["int32_labels"])
    own = tmp_path / "own"
    write_flat(own / "datasets" / "reuters.npz")                      # tf.keras's <cache_dir>/datasets/
    assert_like_tf_keras(reuters.load_data(cache_dir=str(own), test_split=1.3, num_words=30),
                         CASES["test_split_above_1"])
    absolute = write_flat(tmp_path / "elsewhere" / "mine.npz")
    assert_like_tf_keras(reuters.load_data(path=str(absolute), maxlen=8), CASES["maxlen"])


def test_download_is_verified_and_cached(no_data, isolated, origin, monkeypatch, cache_files, tmp_path):
    digest = write_keras(origin / "reuters.npz")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        reuters.load_data()
    assert cache_files() == []
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/reuters.npz", {"sha256": {digest}})
    assert_like_tf_keras(reuters.load_data(), CASES["defaults"])
    assert cache_files() == ["reuters.npz"]
    own = tmp_path / "own"
    assert_like_tf_keras(reuters.load_data(cache_dir=str(own), num_words=20), CASES["num_words"])
    assert (own / "datasets" / "reuters.npz").is_file()


def test_no_file_and_no_network_says_where_it_looked(tmp_path, monkeypatch, isolated):
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "empty_data"))
    with pytest.raises(FileNotFoundError) as e:
        reuters.load_data()
    msg = str(e.value)
    assert msg.startswith("reuters: no data file found. Looked for:")
    assert "$CHAINRULE_DATA/reuters/: reuters_flat.npz; or reuters.npz" in msg
    assert str(isolated / "reuters.npz") in msg and str(isolated / "reuters_flat.npz") in msg
    assert str(tmp_path / "keras_home" / "datasets" / "reuters.npz") in msg
    assert "reuters.npz: the download failed" in msg
    assert e.value.__cause__ is None and e.value.__suppress_context__


# --------------------------------------------------------------------------------------------- word index

def _word_index_file(folder):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "reuters_word_index.json"
    path.write_text(json.dumps({"the": 1, "of": 2, "to": 3, "said": 5, "and": 4, "mln": 7, "a": 6}),
                    encoding="utf-8")
    return path, hashlib.md5(path.read_bytes()).hexdigest()


def test_word_index_from_a_file_with_keras_digest(tmp_path, monkeypatch):
    path, md5 = _word_index_file(tmp_path / "data" / "reuters")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/reuters_word_index.json", {"md5": {md5}})
    index = reuters.get_word_index()
    assert index == json.loads(path.read_text(encoding="utf-8"))
    assert sorted(index, key=index.get)[:3] == ["the", "of", "to"]


def test_word_index_of_another_digest_fails_its_checksum(tmp_path, monkeypatch):
    _word_index_file(tmp_path / "data" / "reuters")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    with pytest.raises(ValueError, match="reuters_word_index.json fails its checksum.*md5 4d44cc38712099c9e383dc6"):
        reuters.get_word_index()


def test_word_index_download_and_not_found(no_data, isolated, origin, monkeypatch, cache_files):
    _, md5 = _word_index_file(origin)
    monkeypatch.setitem(_files.FILE_DIGESTS, "keras/reuters_word_index.json", {"md5": {md5}})
    assert reuters.get_word_index()["said"] == 5
    assert cache_files() == ["reuters_word_index.json"]
    os.remove(origin / "reuters_word_index.json")
    with pytest.raises(FileNotFoundError, match="reuters word index: no data file found"):
        reuters.get_word_index("other_name.json")
