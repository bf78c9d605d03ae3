"""CIFAR-100: ``(x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode='fine')``, as tf.keras 2.

Read from the binary tarball ``cifar-100-binary.tar.gz`` (plain bytes; tf.keras unpickles the python
version, chainrule never does: see :mod:`chainrule.keras.datasets.cifar`), found in, in order:

* ``$CHAINRULE_DATA/cifar100/cifar-100-binary.tar.gz``;
* the cache ``$CHAINRULE_HOME/datasets/cifar-100-binary.tar.gz`` (or ``cache_dir``);
* a download from https://www.cs.toronto.edu/~kriz/, sha256-verified.
"""
from __future__ import annotations

from . import cifar

TARBALL = "cifar-100-binary.tar.gz"
TRAIN, TEST = "cifar-100-binary/train.bin", "cifar-100-binary/test.bin"


def load_data(label_mode="fine", cache_dir=None):
    """Load CIFAR-100 as in tf.keras 2.

    Args:
        label_mode: 'fine' (100 classes, default) or 'coarse' (20 superclasses).
        cache_dir: a folder to cache the download in instead of ``$CHAINRULE_HOME/datasets``.

    Returns:
        ``x_train`` uint8 ``(50000, 32, 32, 3)``, ``y_train`` int64 ``(50000, 1)``, ``x_test`` uint8
        ``(10000, 32, 32, 3)``, ``y_test`` int64 ``(10000, 1)`` (tf.keras's dtypes: its labels come from
        Python lists), in the published order.

    Raises:
        ValueError: an unknown ``label_mode``, or a tarball that is truncated, corrupt or fails its checksum.
        FileNotFoundError: no file anywhere and no network; the message says where to put which file.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    column = 0 if label_mode == "coarse" else 1

    def reader(path):
        members = cifar.read_members(path, (TRAIN, TEST))
        out = []
        for name in (TRAIN, TEST):
            x, labels = cifar.parse_records(members[name], 2, (20, 100), f"{path}:{name}")
            out.append((cifar.channels(x), labels[:, column:column + 1].astype("int64")))
        return tuple(out)

    return cifar.load("cifar100", "cifar100", TARBALL, reader, cache_dir)
