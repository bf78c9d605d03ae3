"""``keras.preprocessing.sequence``: ``pad_sequences`` (the same function as ``keras.utils.pad_sequences``) and
the word2vec helpers ``make_sampling_table`` and ``skipgrams``.

``skipgrams`` draws from Python's ``random`` module, in the same calls and order as tf.keras 2's, so a program
that seeds ``random`` gets the same skip-grams from both.
"""
from __future__ import annotations

import random

import numpy as np

from ..utils.sequence_utils import pad_sequences

__all__ = ["make_sampling_table", "pad_sequences", "skipgrams"]


def make_sampling_table(size, sampling_factor=1e-5):
    """The probability of keeping the word of each rank, as word2vec subsamples frequent words (tf.keras 2).

    Word frequencies are taken to follow Zipf's law, ``frequency(rank) ~ 1 / (rank * (log(rank) + gamma) +
    1/2 - 1 / (12 * rank))`` (gamma 0.577), and ``p = min(1, sqrt(sampling_factor / frequency))``. Returns a
    float64 array of shape ``(size,)``; entry 0 (the padding index) is computed as rank 1.
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True, categorical=False,
              sampling_table=None, seed=None):
    """``(couples, labels)``: the ``[word, context_word]`` pairs of a sequence of word indices, as tf.keras 2.

    Every word ``wi`` (index 0, padding, is skipped; with ``sampling_table``, a word is kept with probability
    ``sampling_table[wi]``) is paired with each nonzero word at most ``window_size`` positions away, label 1
    (``[0, 1]`` when ``categorical``). ``negative_samples`` times as many pairs of a shuffled word and a random
    index in ``[1, vocabulary_size - 1]`` follow, label 0 (``[1, 0]``). ``shuffle`` shuffles couples and labels
    alike, with ``random.seed(seed)`` (a seed drawn from ``random`` when None). Python's ``random`` module
    gives every draw, in tf.keras 2's order.
    """
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None:
            if sampling_table[wi] < random.random():
                continue
        window_start = max(0, i - window_size)
        window_end = min(len(sequence), i + window_size + 1)
        for j in range(window_start, window_end):
            if j != i:
                wj = sequence[j]
                if not wj:
                    continue
                couples.append([wi, wj])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0:
        num_negative_samples = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, int(vocabulary_size - 1))]
                    for i in range(num_negative_samples)]
        labels += [[1, 0] if categorical else 0 for _ in range(num_negative_samples)]
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
