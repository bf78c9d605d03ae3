"""Training backups (``BackupAndRestore``): weights, optimizer state and metadata in one HDF5 file.

The file holds the Keras 3 weights tree (as ``.weights.h5`` files do) and the attribute
``training_metadata`` (JSON: the epoch, the random-number states). It is written atomically,
so an interrupted write leaves the previous backup usable.
"""
from __future__ import annotations

from ..._version import __version__
from . import hdf5, keras_format
from .atomic import as_path, atomic_write
from .serialization import dumps, loads
from .sniffing import load_errors, sniff


def write_training_backup(model, filepath, metadata: dict) -> None:
    """Atomically write the weights, the optimizer state and ``metadata`` (JSON) to one HDF5 file."""
    text = dumps(metadata)
    with atomic_write(filepath, True, "the training backup") as tmp:
        with hdf5.open_for_writing(tmp) as f:
            f.attrs["training_metadata"] = text
            f.attrs["chainrule_version"] = __version__
            keras_format.write_tree(f, model)


def read_training_backup(model, filepath, check=None) -> dict:
    """Restore :func:`write_training_backup`'s weights and optimizer state into ``model``; return the metadata.

    All or nothing: ``check(metadata)`` (raising ``ValueError`` for metadata it refuses) runs,
    and every weight is read and checked, before the first variable changes.
    """
    path = as_path(filepath)
    sniff(path)
    with load_errors(path, "Cannot restore the training backup"):
        h5py = hdf5.h5py_module()
        with h5py.File(path, "r") as f:
            text = hdf5.read_attr_str(f.attrs, "training_metadata")
            if text is None:
                raise ValueError("it has no 'training_metadata' attribute: it is not a BackupAndRestore file")
            metadata = loads(text, "training_metadata")
            if not isinstance(metadata, dict):
                raise ValueError("training_metadata should be a JSON object")
            pairs = keras_format.tree_plan(f, model, path)
            if check is not None:
                check(metadata)
            hdf5.assign_all(pairs)
    return metadata
