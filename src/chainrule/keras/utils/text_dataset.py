"""``text_dataset_from_directory``: a folder of ``.txt`` files, one sub-folder per class, as a Dataset (tf.keras 2).

The files are indexed as tf.keras indexes them: class sub-folders in alphanumeric order (their
names are the ``class_names``), the ``.txt`` files of each folder found by a sorted recursive walk,
then, with ``shuffle``, both lists shuffled by ``np.random.RandomState(seed)``; the validation split
takes the last ``int(validation_split * n)`` files. With the same ``seed`` the training and
validation files are therefore exactly tf.keras's. The order of the elements within an epoch
comes from chainrule's own shuffle buffer (``batch_size * 8``, as tf.keras), not TensorFlow's.
"""
from __future__ import annotations

import os

import numpy as np

from ...data import Dataset

_FORMATS = (".txt",)


def _walk_files(directory, follow_links):
    """``(root, name)`` of every .txt file under ``directory``, roots and names sorted."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if name.lower().endswith(_FORMATS):
                yield root, name


def _index_directory(directory, labels, class_names, shuffle, seed, follow_links):
    if labels != "inferred":
        subdirs = [""]
        class_names = subdirs
    else:
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if not class_names:
            class_names = subdirs
        elif set(class_names) != set(subdirs):
            raise ValueError(f"The `class_names` passed did not match the names of the subdirectories of the target "
                             f"directory. Expected: {subdirs}, but received: {class_names}")
    class_index = {name: i for i, name in enumerate(class_names)}
    paths, found = [], []
    for subdir in subdirs:
        folder = os.path.join(directory, subdir)
        for root, name in _walk_files(folder, follow_links):
            paths.append(os.path.join(root, name))
            found.append(class_index[subdir] if labels == "inferred" else 0)
    if labels not in ("inferred", None):
        if len(labels) != len(paths):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target directory. "
                             f"len(labels) is {len(labels)} while we found {len(paths)} files in directory "
                             f"{directory}.")
        class_names = sorted(set(labels))
        found = list(labels)
    label_array = np.asarray(found, dtype="int32")
    if labels is None:
        print(f"Found {len(paths)} files.")
    else:
        print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        np.random.RandomState(seed).shuffle(paths)
        np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, class_names


def _split(paths, labels, validation_split, subset):
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    if subset == "training":
        print(f"Using {len(paths) - n_val} files for training.")
        return paths[:-n_val], labels[:-n_val]
    if subset == "validation":
        print(f"Using {n_val} files for validation.")
        return paths[-n_val:], labels[-n_val:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def _read(paths, max_length):
    texts = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        texts.append(data[:max_length] if max_length is not None else data)
    return np.array(texts, dtype=bytes) if texts else np.zeros(0, dtype="S1")


def _dataset(paths, labels, label_mode, num_classes, max_length, batch_size, shuffle, seed, class_names):
    texts = _read(paths, max_length)
    if label_mode == "binary":
        targets = labels.astype("float32")[:, None]
    elif label_mode == "categorical":
        targets = np.eye(num_classes, dtype="float32")[labels]
    else:
        targets = labels
    ds = Dataset.from_tensor_slices((texts, targets) if label_mode else texts)
    if shuffle:
        ds = ds.shuffle(buffer_size=batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    ds.class_names = class_names
    return ds


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False):
    """A ``chainrule.data.Dataset`` of ``(texts, labels)`` batches from ``directory/<class>/*.txt``.

    Args (tf.keras 2's): ``labels`` 'inferred' (from the sub-folders), None, or a list of ints (one per
    file in sorted path order); ``label_mode`` 'int' (int32), 'categorical' (one-hot float32), 'binary'
    (float32 ``(batch, 1)``, two classes) or None (texts only); ``class_names`` to fix the classes'
    order; ``batch_size`` (None: single elements); ``max_length`` (keep the first ``max_length`` bytes);
    ``shuffle`` and ``seed``; ``validation_split`` with ``subset`` 'training', 'validation' or 'both'
    (then a ``(train, validation)`` pair). Texts are bytes, as TensorFlow reads them. The Dataset has
    ``class_names``.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of text files in the target directory. If you wish to infer the labels from "
                             f"the subdirectory names in the target directory, pass `labels=\"inferred\"`. If you "
                             f"wish to get a dataset that only contains text samples (no labels), pass "
                             f"`labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, and '
                             f"class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. Received: '
                         f"label_mode={label_mode}")
    if not os.path.isdir(directory):
        raise ValueError(f"text_dataset_from_directory: {directory!r} is not a directory.")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, to "
                         "make sure that there is no overlap between the training and validation subset.")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, label_array, class_names = _index_directory(directory, labels, class_names, shuffle, seed, follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={class_names}")
    num_classes = len(class_names)
    if subset == "both":
        out = []
        for part in ("training", "validation"):
            p, lab = _split(paths, label_array, validation_split, part)
            if not len(p):
                raise ValueError(f"No {part} text files found in directory {directory}. Allowed format: .txt")
            out.append(_dataset(p, lab, label_mode, num_classes, max_length, batch_size,
                                shuffle and part == "training", seed, class_names))
        return out
    paths, label_array = _split(paths, label_array, validation_split, subset)
    if not len(paths):
        raise ValueError(f"No text files found in directory {directory}. Allowed format: .txt")
    return _dataset(paths, label_array, label_mode, num_classes, max_length, batch_size, shuffle, seed, class_names)
