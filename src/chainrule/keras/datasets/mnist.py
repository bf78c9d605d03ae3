"""MNIST handwritten digits: ``(x_train, y_train), (x_test, y_test) = mnist.load_data()``.

Files, in lookup order (see :mod:`chainrule.keras.datasets._files`):

* ``$CHAINRULE_DATA/mnist/``: the four IDX files ``train-images-idx3-ubyte.gz``,
  ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``
  (or uncompressed), or Keras's ``mnist.npz``;
* the cache ``$CHAINRULE_HOME/datasets/mnist.npz`` (Keras's file);
* a download of Keras's ``mnist.npz``, sha256-verified.

``load_data(subset='bundled')`` returns the first 5,000 training and 1,000 test images that
ship inside the package (no data folder, no network).
"""
from __future__ import annotations

import hashlib
import os
from importlib import resources

import numpy as np

from . import _files

#: sha256 of the raw bytes of each array of the real MNIST in its original order (Keras's
#: ``mnist.npz`` and the IDX files hold the same pixels), so a converted ``mnist.npz`` is accepted.
MNIST_ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}

#: sha256 of the raw bytes of each array in ``data/mnist_subset.npz`` (see ``data/README.md``).
SUBSET_ARRAY_SHA256 = {
    "x_train": "a853ca5da5c224d531837eaa3fe56ac036778bb2fdfad445143b5b7d4ec1c739",
    "y_train": "4263f048ea43702387ef1c8494b59e785853c0410e9770600d50f541a6fee264",
    "x_test": "f8f3c5a608a9f7d4bd5e9d69b90c53932b8b99371d9db26121b42f62f3abcd56",
    "y_test": "d14ba0a1a3818edefa35518ed001ece84b7ac0eabe9394551c73928493175d3f",
}

_KEYS = ("x_train", "y_train", "x_test", "y_test")
_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}
_SUBSET_SHAPES = {"x_train": (5000, 28, 28), "y_train": (5000,), "x_test": (1000, 28, 28), "y_test": (1000,)}


def _array_sha256(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _check_arrays(path, arrays, shapes, digests, what):
    for k in _KEYS:
        a = arrays[k]
        if a.dtype != np.uint8 or a.shape != shapes[k]:
            raise ValueError(f"{path}: {k} is {a.dtype} {a.shape}, expected uint8 {shapes[k]} for {what}.")
    bad = [k for k in _KEYS if _array_sha256(arrays[k]) != digests[k]]
    if bad:
        raise _files.ChecksumError(
            f"{path} fails its checksum: the content of {', '.join(bad)} differs from {what}. The file is corrupt "
            f"or not the published one; replace it with a good copy (or delete it if it is in the cache, and it "
            f"will be downloaded again).")


def _read_npz(path):
    """Keras's ``mnist.npz`` (or any npz with the same arrays), read with ``allow_pickle=False``."""
    arrays = _files.load_npz(path, _KEYS)
    if not _files.matches_digest(path, "keras/mnist.npz"):
        _check_arrays(path, arrays, _SHAPES, MNIST_ARRAY_SHA256, "MNIST")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _reader(found):
    if found.kind == "idx":
        return _files.read_idx_set(found.paths, [f"mnist/{n}" for n in _files.IDX_NAMES], "MNIST")
    return _read_npz(found.paths[0])


def _load_bundled():
    ref = resources.files(__package__).joinpath("data").joinpath("mnist_subset.npz")
    with resources.as_file(ref) as path:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"The bundled MNIST subset is missing from the installed package ({path}); "
                                    f"reinstall chainrule.")
        arrays = _files.load_npz(path, _KEYS)
        _check_arrays(path, arrays, _SUBSET_SHAPES, SUBSET_ARRAY_SHA256, "the bundled MNIST subset (reinstall "
                                                                         "chainrule)")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_data(path="mnist.npz", subset=None):
    """Load MNIST as in tf.keras: ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: name of Keras's npz in the cache (relative to ``$CHAINRULE_HOME/datasets``); an
            absolute path is used as is and ``$CHAINRULE_DATA`` is then not consulted.
        subset: ``None`` (or ``'full'``) for the full dataset; ``'bundled'`` for the first 5,000
            training and 1,000 test images shipped inside chainrule (no files, no network).

    Returns:
        ``x_train`` uint8 ``(60000, 28, 28)``, ``y_train`` uint8 ``(60000,)`` with digits 0..9,
        ``x_test`` uint8 ``(10000, 28, 28)``, ``y_test`` uint8 ``(10000,)``, in the original
        order (the first training labels are 5 0 4 1 9). With ``subset='bundled'``: 5,000 and
        1,000 images.

    Raises:
        ValueError: a file is truncated, corrupt or fails its checksum (the message names it).
        FileNotFoundError: no file anywhere and no network; the message says where to put which file.
    """
    if subset == "bundled":
        return _load_bundled()
    if subset not in (None, "full"):
        raise ValueError(f"mnist.load_data: subset must be None, 'full' or 'bundled', got {subset!r}.")
    path = os.fspath(path)
    data_options = [] if os.path.isabs(path) else [
        ("idx", tuple(n + ".gz" for n in _files.IDX_NAMES)), ("idx", _files.IDX_NAMES), ("npz", (path,))]
    return _files.load(
        "mnist", "mnist", data_options,
        cache_options=[("npz", (path,))],
        downloads=("npz", [(path, _files.KERAS_ORIGIN + "mnist.npz",
                            next(iter(_files.FILE_DIGESTS["keras/mnist.npz"]["sha256"])))]),
        reader=_reader,
        hint="\nOr use the small subset shipped with chainrule: mnist.load_data(subset='bundled').")
