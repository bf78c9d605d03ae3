"""CIFAR-10: ``(x_train, y_train), (x_test, y_test) = cifar10.load_data()``, as tf.keras 2 returns it.

Read from the binary tarball ``cifar-10-binary.tar.gz`` (plain bytes; tf.keras unpickles the python
version, chainrule never does: see :mod:`chainrule.keras.datasets.cifar`), found in, in order:

* ``$CHAINRULE_DATA/cifar10/cifar-10-binary.tar.gz``;
* the cache ``$CHAINRULE_HOME/datasets/cifar-10-binary.tar.gz`` (or ``cache_dir``);
* a download from https://www.cs.toronto.edu/~kriz/, sha256-verified.

Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck.
"""
from __future__ import annotations

import numpy as np

from . import cifar

TARBALL = "cifar-10-binary.tar.gz"
TRAIN = tuple(f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6))
TEST = "cifar-10-batches-bin/test_batch.bin"


def _reader(path):
    members = cifar.read_members(path, TRAIN + (TEST,))
    parts = [cifar.parse_records(members[name], 1, (10,), f"{path}:{name}") for name in TRAIN]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    x_test, y_test = cifar.parse_records(members[TEST], 1, (10,), f"{path}:{TEST}")
    return (cifar.channels(x_train), y_train), (cifar.channels(x_test), y_test)


def load_data(cache_dir=None):
    """Load CIFAR-10 as in tf.keras 2.

    Returns:
        ``x_train`` uint8 ``(50000, 32, 32, 3)``, ``y_train`` uint8 ``(50000, 1)`` (labels 0..9),
        ``x_test`` uint8 ``(10000, 32, 32, 3)``, ``y_test`` uint8 ``(10000, 1)``, in the published order
        (``(N, 3, 32, 32)`` when ``keras.backend.image_data_format()`` is 'channels_first').

    Raises:
        ValueError: the tarball is truncated, corrupt or fails its checksum (the message names it).
        FileNotFoundError: no file anywhere and no network; the message says where to put which file.
    """
    return cifar.load("cifar10", "cifar10", TARBALL, _reader, cache_dir)
