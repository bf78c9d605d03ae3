"""Array helpers of ``keras.utils``: ``pad_sequences``, ``normalize``, ``split_dataset``."""
from __future__ import annotations

import numpy as np

from ...data import Dataset


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pad (or cut) lists of ints to one length: shape ``(len(sequences), maxlen)``.

    ``padding``/``truncating`` 'pre' (default, as Keras) act at the start, 'post' at the end.
    """
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise ValueError(f"pad_sequences: padding and truncating must be 'pre' or 'post', got {padding!r} and "
                         f"{truncating!r}.")
    lengths = [len(s) for s in sequences]
    maxlen = max(lengths, default=0) if maxlen is None else int(maxlen)
    out = np.full((len(sequences), maxlen), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        seq = np.asarray(seq, dtype=dtype)
        if not len(seq) or not maxlen:
            continue
        seq = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if padding == "post":
            out[i, :len(seq)] = seq
        else:
            out[i, -len(seq):] = seq
    return out


def normalize(x, axis=-1, order=2):
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero rows stay zero)."""
    x = np.asarray(x)
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split arrays (or a tuple of arrays, or a Dataset) into two ``chainrule.data.Dataset`` parts.

    Sizes are fractions in (0, 1) or sample counts; one may be None (the rest).
    """
    if isinstance(dataset, Dataset):
        items = list(dataset.as_numpy_iterator())
        if items and isinstance(items[0], tuple):
            arrays = tuple(np.stack([it[i] for it in items]) for i in range(len(items[0])))
        else:
            arrays = np.stack(items)
    else:
        arrays = tuple(np.asarray(a) for a in dataset) if isinstance(dataset, (list, tuple)) else np.asarray(dataset)
    first = arrays[0] if isinstance(arrays, tuple) else arrays
    n = len(first)

    def count(size):
        if size is None:
            return None
        if isinstance(size, float):
            if not 0 < size < 1:
                raise ValueError(f"split_dataset: a fractional size must be in (0, 1), got {size}.")
            return int(round(size * n))
        if not 0 < int(size) <= n:
            raise ValueError(f"split_dataset: size {size} is out of range for {n} samples.")
        return int(size)

    left, right = count(left_size), count(right_size)
    if left is None and right is None:
        raise ValueError("split_dataset: give left_size or right_size.")
    left = n - right if left is None else left
    right = n - left if right is None else right
    if left + right > n:
        raise ValueError(f"split_dataset: left_size + right_size = {left + right} exceeds the {n} samples.")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)

    def take(idx):
        return tuple(a[idx] for a in arrays) if isinstance(arrays, tuple) else arrays[idx]
    return (Dataset.from_tensor_slices(take(order[:left])), Dataset.from_tensor_slices(take(order[left:left + right])))
