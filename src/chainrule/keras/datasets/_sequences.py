"""Keras's word-index sequence preprocessing, on flat arrays: the steps ``imdb`` and ``reuters`` share.

A set of sequences is held flat, as tf.keras never does: ``tokens`` (int64, every sequence's word
indices concatenated in row order), ``lengths`` (int64, one per sequence) and ``labels`` (one per
sequence). Each step below is one step of tf.keras's ``imdb.load_data`` / ``reuters.load_data``
(which work on lists of Python lists), done with vectorised numpy and giving the same numbers; the
loaders compose them in their own order (imdb shuffles each split, reuters shuffles once and splits
last). Only :func:`to_object_array` builds the Python lists tf.keras returns.
"""
from __future__ import annotations

import gc
import itertools

import numpy as np


# ---------------------------------------------------------------------------------------------
# Reading: checking a flat split, flattening Keras's object arrays of lists
# ---------------------------------------------------------------------------------------------

def check_split(path, split, tokens, lengths, labels, noun="sequences"):
    """Raise a ValueError naming ``path`` unless ``(tokens, lengths, labels)`` form a consistent flat split.

    Args:
        path: the file the arrays come from (for the message).
        split: ``'train'``, ``'test'`` or ``''`` (for the message).
        tokens, lengths, labels: 1-D integer arrays; ``lengths`` must add up to ``len(tokens)`` and
            have one entry per label.
        noun: what a sequence is called in the message (``'reviews'``, ``'newswires'``).
    """
    what = f"the {split} arrays" if split else "the arrays"
    if tokens.ndim != 1 or lengths.ndim != 1 or labels.ndim != 1:
        raise ValueError(f"{path}: {what} must be one-dimensional.")
    if not (np.issubdtype(tokens.dtype, np.integer) and np.issubdtype(lengths.dtype, np.integer)
            and np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(f"{path}: {what} must hold integers, found {tokens.dtype}, {lengths.dtype}, "
                         f"{labels.dtype}.")
    prefix = f"{split} " if split else ""
    if len(lengths) != len(labels):
        raise ValueError(f"{path}: {len(lengths)} {prefix}{noun} but {len(labels)} {prefix}labels.")
    if (lengths < 0).any() or int(lengths.sum()) != len(tokens):
        raise ValueError(f"{path}: the {prefix}lengths add up to {int(lengths.sum())} but there are "
                         f"{len(tokens)} tokens.")


def flatten_lists(path, key, seqs):
    """``(tokens, lengths)`` (int64) of a 1-D object array of Python lists of ints, as Keras's npz files store."""
    if seqs.ndim != 1 or not all(isinstance(s, list) for s in seqs):
        raise ValueError(f"{path}: {key} is not a one-dimensional array of lists.")
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    tokens = np.fromiter(itertools.chain.from_iterable(seqs), dtype=np.int64, count=int(lengths.sum()))
    return tokens, lengths


# ---------------------------------------------------------------------------------------------
# Flat-array helpers
# ---------------------------------------------------------------------------------------------

def starts(lengths):
    """Where each sequence starts in ``tokens``."""
    return np.cumsum(lengths) - lengths


def gather(tokens, lengths, order):
    """The tokens of the sequences ``order[0], order[1], ...`` concatenated, and their lengths."""
    new_lengths = lengths[order]
    pos = (np.arange(int(new_lengths.sum()), dtype=np.int64)
           + np.repeat(starts(lengths)[order] - starts(new_lengths), new_lengths))
    return tokens[pos], new_lengths


def keep(tokens, lengths, labels, mask):
    """Only the sequences (and labels) where the boolean ``mask`` (one per sequence) is True."""
    return tokens[np.repeat(mask, lengths)], lengths[mask], labels[mask]


def to_object_array(tokens, lengths):
    """A 1-D object array of Python lists of ints (one per sequence), as tf.keras returns.

    Always 1-D: where tf.keras's ``np.array(xs, dtype="object")`` would build a 2-D array because
    every sequence happens to have the same length, this stays an array of lists.
    """
    was_enabled = gc.isenabled()
    gc.disable()  # millions of new ints and 25k lists: the cyclic collector would only slow this down
    try:
        flat = tokens.tolist()
        ends = np.cumsum(lengths).tolist()
        out = np.empty(len(lengths), dtype=object)
        start = 0
        for i, end in enumerate(ends):
            out[i] = flat[start:end]
            start = end
    finally:
        if was_enabled:
            gc.enable()
    return out


# ---------------------------------------------------------------------------------------------
# tf.keras's steps
# ---------------------------------------------------------------------------------------------

def shuffle(rng, tokens, lengths, labels):
    """tf.keras's shuffle: ``rng.shuffle(np.arange(n))`` (advancing ``rng``), then sequences and labels reordered."""
    indices = np.arange(len(lengths))
    rng.shuffle(indices)
    tokens, new_lengths = gather(tokens, lengths, indices)
    return tokens, new_lengths, labels[indices]


def add_offsets(tokens, lengths, start_char, index_from):
    """Every index ``w`` becomes ``w + index_from``, each sequence preceded by ``start_char`` unless it is None."""
    if start_char is not None:
        return np.insert(tokens + index_from, starts(lengths), start_char), lengths + 1
    if index_from:
        return tokens + index_from, lengths
    return tokens, lengths


def drop_long(tokens, lengths, labels, maxlen):
    """tf.keras's ``_remove_long_seq``: keep only the sequences *shorter* than ``maxlen`` (start char included)."""
    return keep(tokens, lengths, labels, lengths < maxlen)


def largest_index(token_arrays, dataset):
    """The largest index in any of ``token_arrays``: tf.keras's ``num_words`` when none is given.

    Raises:
        ValueError: every array is empty, so there is nothing to infer ``num_words`` from.
    """
    present = [t.max() for t in token_arrays if t.size]
    if not present:
        raise ValueError(f"{dataset}.load_data: every sequence is empty, so num_words cannot be inferred.")
    return int(max(present))


def limit_vocabulary(tokens, lengths, num_words, skip_top, oov_char):
    """An index ``w`` outside ``skip_top <= w < num_words`` becomes ``oov_char``, or is dropped when it is None.

    As in tf.keras, the test applies to every index, the start char included.
    """
    inside = (tokens >= skip_top) & (tokens < num_words)
    if oov_char is not None:
        return np.where(inside, tokens, oov_char), lengths
    segment = np.repeat(np.arange(len(lengths)), lengths)
    lengths = np.bincount(segment[inside], minlength=len(lengths)).astype(np.int64)
    return tokens[inside], lengths
