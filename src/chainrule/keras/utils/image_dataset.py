"""``keras.utils.image_dataset_from_directory``: a ``chainrule.data.Dataset`` of images read from class folders.

tf.keras 2's function, argument for argument::

    main_directory/
        class_a/  a_image_1.jpg  a_image_2.png ...
        class_b/  b_image_1.jpg ...

gives batches ``(images, labels)``: images float32 ``(batch, height, width, channels)`` with values
0..255, resized to ``image_size`` as ``tf.image.resize`` does (bilinear, half-pixel centres; 'nearest'
keeps uint8), labels by ``label_mode``. Files are indexed, shuffled and split exactly as tf.keras does
(sorted class folders and files, then ``np.random.RandomState(seed).shuffle``), so the same ``seed``
and ``validation_split`` put the same files in the training and validation subsets. Images are
decoded with Pillow (``pip install pillow``) when a batch is read, in a background thread.
"""
from __future__ import annotations

import os

import numpy as np

from ... import ops as _ops
from ...data import Dataset
from ...io._jpeg import decoded_pixels
from .image_utils import check_interpolation, pil_module

__all__ = ["image_dataset_from_directory", "ALLOWLIST_FORMATS"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def _valid_files(directory, follow_links, formats):
    """``(root, name)`` of every image under ``directory``: folders and files in sorted order, as tf.keras."""
    walk = sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0])
    for root, _, files in walk:
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False):
    """tf.keras's ``dataset_utils.index_directory``: ``(file_paths, labels, class_names)``."""
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
    class_indices = dict(zip(class_names, range(len(class_names))))
    filenames, found_labels = [], []
    for subdir in subdirs:
        folder = os.path.join(directory, subdir)
        for root, name in _valid_files(folder, follow_links, formats):
            filenames.append(os.path.join(subdir, os.path.relpath(os.path.join(root, name), folder)))
            found_labels.append(class_indices[subdir])
    if labels not in ("inferred", None):
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target directory. "
                             f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory "
                             f"{directory}.")
        class_names = sorted(set(labels))
    else:
        labels = np.asarray(found_labels, dtype="int32")
    if labels is None:
        print(f"Found {len(filenames)} files.")
    else:
        print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def training_or_validation_split(samples, labels, validation_split, subset):
    """The last ``int(validation_split * n)`` samples are the validation subset, as in tf.keras."""
    if not validation_split:
        return samples, labels
    n_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - n_val} files for training.")
        return samples[:-n_val], (labels[:-n_val] if labels is not None else None)
    if subset == "validation":
        print(f"Using {n_val} files for validation.")
        return samples[-n_val:], (labels[-n_val:] if labels is not None else None)
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def load_image(path, image_size, color_mode, interpolation, crop_to_aspect_ratio=False):
    """One file as TensorFlow's pipeline gives it: decoded to ``color_mode``, resized with ``tf.image.resize``."""
    image_module = pil_module("keras.utils.image_dataset_from_directory")
    x = decoded_pixels(lambda: image_module.open(path), _CHANNELS[color_mode])  # as tf.io.decode_image
    batch = x[None]
    height, width = (int(s) for s in image_size)
    if crop_to_aspect_ratio:
        h, w = x.shape[:2]
        crop_h = min(h, int(np.float32(w * height) / np.float32(width)))
        crop_w = min(w, int(np.float32(h * width) / np.float32(height)))
        top, left = int(np.float32(h - crop_h) / 2), int(np.float32(w - crop_w) / 2)
        batch = batch[:, top:top + crop_h, left:left + crop_w]
    if interpolation == "nearest":
        return _ops.ResizeNearest((height, width)).forward(batch)[0]
    return _ops.ResizeBilinear((height, width)).forward(batch.astype(np.float32))[0]


class _ImageFiles(Dataset):
    """Elements ``image`` or ``(image, label)``, each image read from its file when the element is produced."""

    def __init__(self, paths, labels, label_mode, num_classes, load):
        self.paths, self.labels, self.label_mode, self.num_classes, self.load = paths, labels, label_mode, \
            num_classes, load

    def _label(self, i):
        label = self.labels[i]
        if self.label_mode == "binary":
            return np.asarray([label], dtype=np.float32)
        if self.label_mode == "categorical":
            return np.eye(self.num_classes, dtype=np.float32)[label]
        return np.asarray(label, dtype=np.int32)

    def _iter(self):
        for i, path in enumerate(self.paths):
            image = self.load(path)
            yield image if self.label_mode is None else (image, self._label(i))

    def _cardinality(self):
        return len(self.paths)


def _pipeline(paths, labels, label_mode, num_classes, load, batch_size, shuffle, seed, class_names):
    dataset = _ImageFiles(paths, labels, label_mode, num_classes, load)
    if batch_size is not None:
        if shuffle:
            dataset = dataset.shuffle(buffer_size=batch_size * 8, seed=seed)
        dataset = dataset.batch(batch_size)
    elif shuffle:
        dataset = dataset.shuffle(buffer_size=1024, seed=seed)
    dataset = dataset.prefetch()
    dataset.class_names = class_names
    dataset.file_paths = paths
    return dataset


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear", follow_links=False, crop_to_aspect_ratio=False,
                                 **kwargs):
    """A dataset of ``(images, labels)`` batches from the image files in ``directory`` (tf.keras 2's function).

    Args:
        directory: with ``labels='inferred'``, one subfolder per class (sorted names give class
            indices 0, 1, ...); otherwise the folder of all images.
        labels: 'inferred', None (images only), or a list of integer labels, one per file in the
            sorted order of the files.
        label_mode: 'int' (int32 labels), 'categorical' (one-hot float32), 'binary' (float32
            ``(1,)``, exactly two classes) or None (no labels).
        class_names: the class folder names in the order wanted (must be all of them).
        color_mode: 'rgb', 'rgba' or 'grayscale' (3, 4 or 1 channels).
        batch_size: default 32; None yields single images.
        image_size: ``(height, width)`` every image is resized to (default (256, 256)).
        shuffle: shuffle the files (and, each pass, within a buffer of 8 batches).
        seed: the shuffling's seed; a ``validation_split`` with shuffling needs one.
        validation_split: the fraction held out.
        subset: 'training', 'validation' or 'both' (a list ``[train, validation]``).
        interpolation: 'bilinear' (default) or 'nearest' (tf.keras's other methods raise
            ``NotImplementedError``).
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio: resize the largest centred crop of the target's aspect ratio.

    Returns a ``chainrule.data.Dataset`` (or two) with ``class_names`` and ``file_paths``
    attributes; ``model.fit`` takes it directly.

    Raises ``ValueError`` for inconsistent arguments or no images found, ``ImportError`` without Pillow.
    """
    if "smart_resize" in kwargs:
        crop_to_aspect_ratio = kwargs.pop("smart_resize")
    if kwargs:
        raise TypeError(f"Unknown keywords argument(s): {tuple(kwargs.keys())}")
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError("`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             "number of image files in the target directory. If you wish to infer the labels from "
                             "the subdirectory names in the target directory, pass `labels=\"inferred\"`. If you wish "
                             f"to get a dataset that only contains images (no labels), pass `labels=None`. Received: "
                             f"labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                             f"and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if color_mode not in _CHANNELS:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: '
                         f"color_mode={color_mode}")
    interpolation = check_interpolation(interpolation, "image_dataset_from_directory")
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")
    pil_module("keras.utils.image_dataset_from_directory")   # fail early, before indexing, without Pillow
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, ALLOWLIST_FORMATS, class_names=class_names,
                                                 shuffle=shuffle, seed=seed, follow_links=follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={class_names}")

    def load(path):
        return load_image(path, image_size, color_mode, interpolation, crop_to_aspect_ratio)

    def build(which):
        sub_paths, sub_labels = training_or_validation_split(paths, labels, validation_split, which)
        if not sub_paths:
            kind = {"training": "training ", "validation": "validation "}.get(which, "") if subset == "both" else ""
            raise ValueError(f"No {kind}images found in directory {directory}. Allowed formats: {ALLOWLIST_FORMATS}")
        return _pipeline(sub_paths, sub_labels, label_mode, len(class_names), load, batch_size,
                         shuffle and which != "validation" if subset == "both" else shuffle, seed, class_names)

    if subset == "both":
        return [build("training"), build("validation")]
    return build(subset)
