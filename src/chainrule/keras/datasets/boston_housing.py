"""Boston housing prices (Harrison & Rubinfeld 1978): 506 rows, 13 features, target MEDV in k$.

**Warning** (as in tf.keras): the feature ``B`` encodes an ethically problematic assumption about
race; use this dataset only to illustrate such problems, or for tests.

Files, in lookup order (see :mod:`chainrule.keras.datasets._files`):

* ``$CHAINRULE_DATA/boston_housing/boston_housing.csv`` (header ``CRIM,...,LSTAT,MEDV``) or
  Keras's ``boston_housing.npz`` there;
* the cache ``$CHAINRULE_HOME/datasets/boston_housing.npz`` (Keras's file: arrays ``x``, ``y``);
* a download of Keras's ``boston_housing.npz``, sha256-verified.
"""
from __future__ import annotations

import os

import numpy as np

from . import _files

CSV_HEADER = "CRIM,ZN,INDUS,CHAS,NOX,RM,AGE,DIS,RAD,TAX,PTRATIO,B,LSTAT,MEDV"


def _read_csv(path):
    _files.require_digest(path, "boston_housing/boston_housing.csv", "the Boston housing CSV")
    with open(path, encoding="ascii") as f:
        header = f.readline().strip()
        if header != CSV_HEADER:
            raise ValueError(f"{path}: unexpected header {header!r}; expected {CSV_HEADER!r}.")
        table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    if table.shape != (506, 14):
        raise ValueError(f"{path}: expected 506 rows of 14 numbers, found shape {table.shape}.")
    return table[:, :13].copy(), table[:, 13].copy()


def _read_npz(path):
    _files.require_digest(path, "keras/boston_housing.npz", "Keras's boston_housing.npz")
    arrays = _files.load_npz(path, ("x", "y"))
    return arrays["x"], arrays["y"]


def _reader(found):
    path = found.paths[0]
    return _read_csv(path) if found.kind == "csv" else _read_npz(path)


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Load the Boston housing data, shuffled and split as tf.keras does.

    The 506 rows are permuted with ``np.random.RandomState(seed)`` (``rng.shuffle`` of
    ``np.arange(506)``), then the first ``int(506 * (1 - test_split))`` rows are the training set.

    Args:
        path: name of Keras's npz in the cache (relative to ``$CHAINRULE_HOME/datasets``); an
            absolute path is used as is and ``$CHAINRULE_DATA`` is then not consulted.
        test_split: fraction of the rows kept for the test set, in ``[0, 1)``.
        seed: seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float64 ``x`` of shape ``(n, 13)`` and ``y`` of
        shape ``(n,)``; with the defaults ``n`` is 404 for training and 102 for test.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"boston_housing.load_data: test_split must be in [0, 1), got {test_split}.")
    path = os.fspath(path)
    data_options = [] if os.path.isabs(path) else [("csv", ("boston_housing.csv",)), ("npz", (path,))]
    x, y = _files.load(
        "boston_housing", "boston_housing", data_options,
        cache_options=[("npz", (path,))],
        downloads=("npz", [(path, _files.KERAS_ORIGIN + "boston_housing.npz",
                            next(iter(_files.FILE_DIGESTS["keras/boston_housing.npz"]["sha256"])))]),
        reader=_reader)

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x = x[indices]
    y = y[indices]

    n_train = int(len(x) * (1 - test_split))
    x_train, y_train = np.array(x[:n_train]), np.array(y[:n_train])
    x_test, y_test = np.array(x[n_train:]), np.array(y[n_train:])
    return (x_train, y_train), (x_test, y_test)
