"""Reuters newswire topics: 11,228 newswires as lists of word indices, labelled with 46 topics.

Files, in lookup order (see :mod:`chainrule.keras.datasets._files`):

* ``$CHAINRULE_DATA/reuters/reuters_flat.npz``: the pickle-free layout — ``x_tokens`` (integers,
  every newswire's word ranks concatenated in row order), ``x_lengths`` (integers, one length per
  newswire) and ``y`` (integer topics, 0..45); ranks start at 1 with no offsets, as in Keras's file;
* ``$CHAINRULE_DATA/reuters/<path>``, then the cache ``$CHAINRULE_HOME/datasets/reuters_flat.npz``
  and ``$CHAINRULE_HOME/datasets/<path>`` (or ``<cache_dir>/datasets/`` when ``cache_dir`` is
  given), then tf.keras's ``~/.keras/datasets/``: either layout;
* a download of Keras's ``reuters.npz``, sha256-verified.

Keras's ``reuters.npz`` stores object arrays (pickled Python lists). Such a file is read only when
its sha256 is that of Keras's published file, and then through an unpickler that can build nothing
but arrays of lists; any other object-array file is refused. A pickle-free file cannot run code, so
it is read whatever its digest (no published one exists), once its arrays pass the shape checks.

The word index (``get_word_index``) maps a word to its frequency rank (1 = "the"); in the
sequences returned by ``load_data`` a word of rank ``r`` is ``r + index_from``.
``get_label_names`` gives the 46 topic names, indexed by label.
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np

from . import _files, _sequences

_FLAT_NAME = "reuters_flat.npz"
_FLAT_KEYS = ("x_tokens", "x_lengths", "y")
_KERAS_KEY = "keras/reuters.npz"
_WORD_INDEX_KEY = "keras/reuters_word_index.json"

# The topic of each label, in tf.keras's order (its get_label_names).
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail",
    "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)


# ---------------------------------------------------------------------------------------------
# Reading the file into (tokens, lengths, labels)
# ---------------------------------------------------------------------------------------------

def _read_flat(path):
    a = _files.load_npz(path, _FLAT_KEYS)
    tokens, lengths, labels = a["x_tokens"], a["x_lengths"], a["y"]
    _sequences.check_split(path, "", tokens, lengths, labels, noun="newswires")
    return tokens.astype(np.int64), lengths.astype(np.int64), labels


def _read_keras(path):
    if not _files.matches_digest(path, _KERAS_KEY):
        want = next(iter(_files.FILE_DIGESTS[_KERAS_KEY]["sha256"]))
        raise _files.ChecksumError(
            f"Refusing to read {path}: it stores object arrays (pickled Python lists), and chainrule unpickles "
            f"such a file only when it is Keras's published reuters.npz (sha256 {want}); this file's sha256 is "
            f"{_files.file_digest(path)}. Use the pickle-free {_FLAT_NAME} instead (arrays x_tokens, x_lengths, "
            f"y; see chainrule.keras.datasets.reuters), placed in $CHAINRULE_DATA/reuters/ or "
            f"{_files.cache_folder()}.")
    a = _files.load_object_npz(path, ("x", "y"))
    tokens, lengths = _sequences.flatten_lists(path, "x", a["x"])
    labels = np.asarray(a["y"])
    _sequences.check_split(path, "", tokens, lengths, labels, noun="newswires")
    return tokens, lengths, labels


def _reader(found):
    path = found.paths[0]
    if "x_tokens" in _files.npz_members(path):
        return _read_flat(path)
    return _read_keras(path)


# ---------------------------------------------------------------------------------------------
# Keras's preprocessing, on flat arrays (the steps are in _sequences, shared with imdb)
# ---------------------------------------------------------------------------------------------

def _split_labels(labels, filtered):
    # After maxlen, tf.keras holds the labels in a list, and np.array of an empty list is float64.
    if filtered and not len(labels):
        return np.array([])
    return labels.copy()


def _preprocess(tokens, lengths, labels, num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
                start_char=1, oov_char=2, index_from=3):
    """tf.keras 2's ``reuters.load_data`` steps on the flat ``(tokens, lengths, labels)`` of every newswire.

    1. shuffle: ``np.random.RandomState(seed)`` shuffles ``np.arange`` of all the rows, once;
    2. offsets: every rank ``w`` becomes ``w + index_from``, preceded by ``start_char`` if not None;
    3. ``maxlen``: keep only sequences *shorter* than ``maxlen`` (start char included);
    4. ``num_words`` (default: the largest index present) and ``skip_top``: a word ``w`` outside
       ``skip_top <= w < num_words`` becomes ``oov_char``, or is dropped when ``oov_char`` is None
       (the start char included, as in Keras);
    5. split: the first ``int(len(xs) * (1 - test_split))`` sequences train, the rest test.
    """
    tokens, lengths, labels = _sequences.shuffle(np.random.RandomState(seed), tokens, lengths, labels)
    tokens, lengths = _sequences.add_offsets(tokens, lengths, start_char, index_from)
    if maxlen:
        tokens, lengths, labels = _sequences.drop_long(tokens, lengths, labels, maxlen)
    if not num_words:
        # tf.keras's max(max(x) for x in xs) fails on an empty sequence and on no sequence at all
        empty = int((lengths == 0).sum())
        if empty or not len(lengths):
            why = f"{empty} newswires are empty" if empty else f"maxlen={maxlen} kept no newswire"
            raise ValueError(f"reuters.load_data: num_words=None takes the largest word index, but {why} (tf.keras "
                             f"fails here too: max() arg is an empty sequence). Pass num_words.")
        num_words = _sequences.largest_index([tokens], "reuters")
    tokens, lengths = _sequences.limit_vocabulary(tokens, lengths, num_words, skip_top, oov_char)

    idx = int(len(lengths) * (1 - test_split))
    cut = int(lengths[:idx].sum())
    x_train = _sequences.to_object_array(tokens[:cut], lengths[:idx])
    x_test = _sequences.to_object_array(tokens[cut:], lengths[idx:])
    filtered = bool(maxlen)
    return (x_train, _split_labels(labels[:idx], filtered)), (x_test, _split_labels(labels[idx:], filtered))


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def _cache_names(path, cache_dir):
    """``path`` (and the flat file) as the lookup names them: relative to the cache, or absolute under ``cache_dir``."""
    names = [_FLAT_NAME, path] if not os.path.isabs(path) else [path]
    if cache_dir:  # tf.keras's get_file keeps its files in <cache_dir>/datasets/
        base = os.path.join(os.path.abspath(os.path.expanduser(os.fspath(cache_dir))), "datasets")
        names = [os.path.join(base, n) for n in names]
    return names


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
              oov_char=2, index_from=3, cache_dir=None, **kwargs):
    """Load the Reuters newswires exactly as tf.keras 2 does: ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: name of Keras's npz in the cache (relative to ``$CHAINRULE_HOME/datasets``); an
            absolute path is used as is and ``$CHAINRULE_DATA`` is then not consulted.
        num_words: keep the ``num_words`` most frequent words (indices ``< num_words``); the rest
            become ``oov_char``. ``None`` keeps all (but, as in Keras, the single largest index is
            then also replaced).
        skip_top: indices below ``skip_top`` become ``oov_char`` too.
        maxlen: keep only sequences shorter than ``maxlen`` (start char included).
        test_split: fraction of the newswires (after ``maxlen``) that form the test set: the first
            ``int(n * (1 - test_split))`` shuffled newswires train, the rest test.
        seed: seed of the one shuffle of all newswires, done before the split.
        start_char: index put at the start of every sequence (``None``: none).
        oov_char: index replacing the words cut by ``num_words``/``skip_top`` (``None``: drop them).
        index_from: offset added to every word rank.
        cache_dir: a folder whose ``datasets/`` subfolder replaces the caches (as tf.keras's
            ``get_file``); ``None``: ``$CHAINRULE_HOME/datasets``, then ``~/.keras/datasets``.
        **kwargs: only the legacy ``nb_words`` (a warning; it is ``num_words``).

    Returns:
        ``x_train``, ``x_test``: 1-D object arrays (8,982 and 2,246 newswires with the defaults)
        of Python lists of ints; ``y_train``, ``y_test``: the topics 0..45 in the file's integer
        dtype, as tf.keras keeps it. As in tf.keras, an empty split after ``maxlen`` has float64
        labels.

    Raises:
        TypeError: an unknown keyword argument.
        ValueError: a file is corrupt, an object-array file is not Keras's published one, or
            ``num_words`` is None while a sequence is empty or ``maxlen`` keeps none.
        FileNotFoundError: no file anywhere and no network; the message says where to put which file.
    """
    if "nb_words" in kwargs:
        warnings.warn("The `nb_words` argument in `load_data` has been renamed `num_words`.", stacklevel=2)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
    path = os.fspath(path)
    names = _cache_names(path, cache_dir)
    digest = next(iter(_files.FILE_DIGESTS[_KERAS_KEY]["sha256"]))
    tokens, lengths, labels = _files.load(
        "reuters", "reuters",
        data_options=[] if os.path.isabs(path) else [("auto", (_FLAT_NAME,)), ("auto", (path,))],
        cache_options=[("auto", (n,)) for n in names],
        downloads=("auto", [(names[-1], _files.KERAS_ORIGIN + "reuters.npz", digest)]),
        reader=_reader)
    return _preprocess(tokens, lengths, labels, num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                       test_split=test_split, seed=seed, start_char=start_char, oov_char=oov_char,
                       index_from=index_from)


def _read_word_index(found):
    path = found.paths[0]
    _files.require_digest(path, _WORD_INDEX_KEY, "Keras's reuters_word_index.json")
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict):
        raise ValueError(f"{path}: expected a JSON object mapping words to ranks.")
    return index


def get_word_index(path="reuters_word_index.json"):
    """The dict ``word -> rank`` (1 = most frequent, "the"); add ``index_from`` to match ``load_data``.

    Args:
        path: file name, looked up as ``$CHAINRULE_DATA/reuters/<path>``, then in
            ``$CHAINRULE_HOME/datasets/`` and ``~/.keras/datasets/``, then downloaded from Keras
            (md5-verified, as tf.keras does); an absolute path is used as is.

    Returns:
        A dict mapping each word (str) to its frequency rank (int, from 1).

    Raises:
        ValueError: the file is not Keras's published one (its md5 differs) or not a JSON object.
        FileNotFoundError: no file anywhere and no network.
    """
    path = os.fspath(path)
    return _files.load(
        "reuters word index", "reuters",
        data_options=[] if os.path.isabs(path) else [("json", (path,))],
        cache_options=[("json", (path,))],
        downloads=("json", [(path, _files.KERAS_ORIGIN + "reuters_word_index.json",
                             next(iter(_files.FILE_DIGESTS[_WORD_INDEX_KEY]["md5"])))]),
        reader=_read_word_index)


def get_label_names():
    """The 46 topic names as a tuple of strings; ``get_label_names()[y]`` names label ``y`` (tf.keras's order).

    Returns:
        ``('cocoa', 'grain', 'veg-oil', 'earn', 'acq', ...)``, 46 names.
    """
    return _LABEL_NAMES
