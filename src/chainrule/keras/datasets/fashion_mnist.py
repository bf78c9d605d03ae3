"""Fashion-MNIST: ``(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()``.

Files, in lookup order (see :mod:`chainrule.keras.datasets._files`):

* ``$CHAINRULE_DATA/fashion_mnist/``: ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
  ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz`` (or uncompressed);
* the cache ``$CHAINRULE_HOME/datasets/fashion-mnist/`` with the same four ``.gz`` files
  (tf.keras's cache layout);
* a download of those four files from Keras's mirror, sha256-verified against Zalando's files.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot.
"""
from __future__ import annotations

from . import _files

_GZ = tuple(n + ".gz" for n in _files.IDX_NAMES)


def _reader(found):
    return _files.read_idx_set(found.paths, [f"fashion_mnist/{n}" for n in _files.IDX_NAMES], "Fashion-MNIST")


def load_data():
    """Load Fashion-MNIST as in tf.keras: ``(x_train, y_train), (x_test, y_test)``.

    Returns:
        ``x_train`` uint8 ``(60000, 28, 28)``, ``y_train`` uint8 ``(60000,)`` (labels 0..9),
        ``x_test`` uint8 ``(10000, 28, 28)``, ``y_test`` uint8 ``(10000,)``, in the order of
        the files read (tf.keras does not shuffle).

    Raises:
        ValueError: a file is truncated, corrupt or fails its checksum (the message names it).
        FileNotFoundError: no file anywhere and no network; the message says where to put which file.
    """
    cached = tuple(f"fashion-mnist/{n}" for n in _GZ)
    downloads = [(c, _files.KERAS_ORIGIN + n,
                  next(iter(_files.FILE_DIGESTS[f"keras/fashion-mnist/{n}"]["sha256"])))
                 for c, n in zip(cached, _GZ)]
    return _files.load(
        "fashion_mnist", "fashion_mnist",
        data_options=[("idx", _GZ), ("idx", _files.IDX_NAMES)],
        cache_options=[("idx", cached)],
        downloads=("idx", downloads),
        reader=_reader)
