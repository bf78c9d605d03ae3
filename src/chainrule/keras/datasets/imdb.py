"""IMDB movie-review sentiment: 25,000 training and 25,000 test reviews as lists of word indices.

Files, in lookup order (see :mod:`chainrule.keras.datasets._files`):

* ``$CHAINRULE_DATA/imdb/imdb_flat.npz``: the pickle-free layout — for each split ``x_<split>_tokens``
  (int32, every review's word ranks concatenated in row order), ``x_<split>_lengths`` (int32, one
  length per review), plus ``y_train`` and ``y_test``; ranks start at 1 with no offsets;
* ``$CHAINRULE_DATA/imdb/<path>``, then the cache ``$CHAINRULE_HOME/datasets/imdb_flat.npz`` and
  ``$CHAINRULE_HOME/datasets/<path>``: either layout;
* a download of Keras's ``imdb.npz``, sha256-verified.

Keras's ``imdb.npz`` stores object arrays (pickled Python lists). Such a file is read only
when its sha256 is that of Keras's published file, and then through an unpickler that can
build nothing but arrays of lists; any other object-array file is refused.

The word index (``get_word_index``) maps a word to its frequency rank (1 = "the"); in the
sequences returned by ``load_data`` a word of rank ``r`` is ``r + index_from``.
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np

from . import _files, _sequences

_FLAT_KEYS = ("x_train_tokens", "x_train_lengths", "y_train", "x_test_tokens", "x_test_lengths", "y_test")


# ---------------------------------------------------------------------------------------------
# Reading the files into (tokens, lengths, labels) per split
# ---------------------------------------------------------------------------------------------

def _read_flat(path):
    _files.require_digest(path, "imdb/imdb_flat.npz", "the pickle-free imdb_flat.npz")
    a = _files.load_npz(path, _FLAT_KEYS)
    out = []
    for split in ("train", "test"):
        tokens, lengths, labels = a[f"x_{split}_tokens"], a[f"x_{split}_lengths"], a[f"y_{split}"]
        _sequences.check_split(path, split, tokens, lengths, labels, noun="reviews")
        out.append((tokens.astype(np.int64), lengths.astype(np.int64), labels.astype(np.int64)))
    return tuple(out)


def _read_keras(path):
    sha = "keras/imdb.npz"
    if not _files.matches_digest(path, sha):
        want = next(iter(_files.FILE_DIGESTS[sha]["sha256"]))
        raise _files.ChecksumError(
            f"Refusing to read {path}: it stores object arrays (pickled Python lists), and chainrule unpickles "
            f"such a file only when it is Keras's published imdb.npz (sha256 {want}); this file's sha256 is "
            f"{_files.file_digest(path)}. Use the pickle-free imdb_flat.npz instead (arrays x_train_tokens, "
            f"x_train_lengths, y_train, x_test_tokens, x_test_lengths, y_test; see chainrule.keras.datasets.imdb), "
            f"placed in $CHAINRULE_DATA/imdb/ or {_files.cache_folder()}.")
    a = _files.load_object_npz(path, ("x_train", "y_train", "x_test", "y_test"))
    out = []
    for split in ("train", "test"):
        tokens, lengths = _sequences.flatten_lists(path, f"x_{split}", a[f"x_{split}"])
        labels = np.asarray(a[f"y_{split}"])
        _sequences.check_split(path, split, tokens, lengths, labels, noun="reviews")
        out.append((tokens, lengths, labels.astype(np.int64)))
    return tuple(out)


def _reader(found):
    path = found.paths[0]
    if "x_train_tokens" in _files.npz_members(path):
        return _read_flat(path)
    return _read_keras(path)


# ---------------------------------------------------------------------------------------------
# Keras's preprocessing, on flat arrays (the steps are in _sequences, shared with reuters)
# ---------------------------------------------------------------------------------------------

def _preprocess(train, test, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
                index_from=3):
    """tf.keras 2.11's ``imdb.load_data`` steps on ``(tokens, lengths, labels)`` per split.

    1. shuffle: one ``np.random.RandomState(seed)`` shuffles ``np.arange`` of the train rows,
       then (continuing) of the test rows;
    2. offsets: every rank ``w`` becomes ``w + index_from``, preceded by ``start_char`` if not None;
    3. ``maxlen``: keep only sequences *shorter* than ``maxlen`` (start char included);
    4. ``num_words`` (default: the largest index present) and ``skip_top``: a word ``w`` outside
       ``skip_top <= w < num_words`` becomes ``oov_char``, or is dropped when ``oov_char`` is None.
       As in Keras, this test also applies to ``start_char``.
    """
    rng = np.random.RandomState(seed)
    splits = [_sequences.shuffle(rng, *split) for split in (train, test)]   # train first, then test
    splits = [(*_sequences.add_offsets(t, n, start_char, index_from), y) for t, n, y in splits]
    if maxlen:
        splits = [_sequences.drop_long(t, n, y, maxlen) for t, n, y in splits]
        if not len(splits[0][1]) or not len(splits[1][1]):
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             f"Increase maxlen.")
    if not num_words:
        num_words = _sequences.largest_index([t for t, _, _ in splits], "imdb")
    splits = [(*_sequences.limit_vocabulary(t, n, num_words, skip_top, oov_char), y) for t, n, y in splits]

    labels = np.concatenate([splits[0][2], splits[1][2]])
    idx = len(splits[0][1])
    x_train = _sequences.to_object_array(splits[0][0], splits[0][1])
    x_test = _sequences.to_object_array(splits[1][0], splits[1][1])
    return (x_train, labels[:idx]), (x_test, labels[idx:])


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """Load the IMDB reviews exactly as tf.keras 2.11 does: ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: name of Keras's npz in the cache (relative to ``$CHAINRULE_HOME/datasets``); an
            absolute path is used as is and ``$CHAINRULE_DATA`` is then not consulted.
        num_words: keep the ``num_words`` most frequent words (indices ``< num_words``); the rest
            become ``oov_char``. ``None`` keeps all (but, as in Keras, the single largest index is
            then also replaced).
        skip_top: indices below ``skip_top`` become ``oov_char`` too.
        maxlen: keep only sequences shorter than ``maxlen`` (start char included).
        seed: seed of the shuffle of each split.
        start_char: index put at the start of every sequence (``None``: none).
        oov_char: index replacing the words cut by ``num_words``/``skip_top`` (``None``: drop them).
        index_from: offset added to every word rank.

    Returns:
        ``x_train``, ``x_test``: 1-D object arrays (25,000 each without ``maxlen``) of Python
        lists of ints; ``y_train``, ``y_test``: int64 arrays of 0 (negative) / 1 (positive).

    Raises:
        ValueError: a file is corrupt or fails its checksum, an object-array file is not Keras's
            published one, or ``maxlen`` leaves no sequence.
        FileNotFoundError: no file anywhere and no network; the message says where to put which file.
    """
    if "nb_words" in kwargs:
        warnings.warn("The `nb_words` argument in `load_data` has been renamed `num_words`.", stacklevel=2)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}.")
    path = os.fspath(path)
    options = [("auto", ("imdb_flat.npz",)), ("auto", (path,))]
    train, test = _files.load(
        "imdb", "imdb",
        data_options=[] if os.path.isabs(path) else options,
        cache_options=[("auto", (path,))] if os.path.isabs(path) else options,
        downloads=("auto", [(path, _files.KERAS_ORIGIN + "imdb.npz",
                             next(iter(_files.FILE_DIGESTS["keras/imdb.npz"]["sha256"])))]),
        reader=_reader)
    return _preprocess(train, test, num_words=num_words, skip_top=skip_top, maxlen=maxlen, seed=seed,
                       start_char=start_char, oov_char=oov_char, index_from=index_from)


def _read_word_index(found):
    path = found.paths[0]
    _files.require_digest(path, ["imdb/imdb_word_index.json", "keras/imdb_word_index.json"], "the IMDB word index")
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict):
        raise ValueError(f"{path}: expected a JSON object mapping words to ranks.")
    return index


def get_word_index(path="imdb_word_index.json"):
    """The dict ``word -> rank`` (1 = most frequent, "the"); add ``index_from`` to match ``load_data``.

    Looked up as ``$CHAINRULE_DATA/imdb/<path>``, then ``$CHAINRULE_HOME/datasets/<path>``, then
    downloaded from Keras (md5-verified, as tf.keras does).
    """
    path = os.fspath(path)
    return _files.load(
        "imdb word index", "imdb",
        data_options=[] if os.path.isabs(path) else [("json", (path,))],
        cache_options=[("json", (path,))],
        downloads=("json", [(path, _files.KERAS_ORIGIN + "imdb_word_index.json",
                             next(iter(_files.FILE_DIGESTS["keras/imdb_word_index.json"]["md5"])))]),
        reader=_read_word_index)
