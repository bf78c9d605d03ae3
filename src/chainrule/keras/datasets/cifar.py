"""Reading CIFAR-10 / CIFAR-100 from their *binary* tarballs: plain bytes, never a pickle.

tf.keras 2 reads the "python version" tarballs, whose batches are Python pickles; unpickling a
downloaded file can run arbitrary code, so chainrule reads the "binary version" that Alex
Krizhevsky publishes beside it (https://www.cs.toronto.edu/~kriz/cifar.html), which holds the
same images in the same order as fixed-size records:

* CIFAR-10 (``cifar-10-binary.tar.gz``): ``cifar-10-batches-bin/data_batch_{1..5}.bin`` and
  ``test_batch.bin``, each record ``<1 byte label><3072 bytes pixels>``;
* CIFAR-100 (``cifar-100-binary.tar.gz``): ``cifar-100-binary/train.bin`` and ``test.bin``, each
  record ``<1 byte coarse label><1 byte fine label><3072 bytes pixels>``;

the pixels of a record are the red, green and blue 32x32 planes, row by row (channels first).
The members are read straight out of the tarball (nothing is extracted to disk), after the
tarball's sha256 has matched the published one.
"""
from __future__ import annotations

import os
import tarfile
import zlib

import numpy as np

from ... import backend as _backend
from . import _files

PIXELS = 3 * 32 * 32


def read_members(path, names):
    """``{name: bytes}`` of the tarball members ``names``; a missing member or a bad archive names the file."""
    out = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for name in names:
                try:
                    member = tar.getmember(name)
                except KeyError:
                    raise ValueError(f"{path}: the archive has no member {name!r}; it is not the CIFAR binary "
                                     f"tarball it should be.") from None
                if not member.isfile():
                    raise ValueError(f"{path}: member {name!r} is not a regular file.")
                out[name] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
        raise ValueError(f"{path}: cannot read this tar.gz archive ({e}); it is truncated or corrupt.") from None
    return out


def parse_records(content, n_labels, label_limits, where):
    """``<n_labels label bytes><3072 pixel bytes>`` records -> ``(images (N, 3, 32, 32), labels (N, n_labels))``.

    Both uint8; ``label_limits`` bounds each label column (a larger value means a corrupt file).
    """
    size = n_labels + PIXELS
    if not content or len(content) % size:
        raise ValueError(f"{where}: {len(content)} bytes is not a whole number of {size}-byte CIFAR records; the file "
                         f"is truncated or corrupt.")
    records = np.frombuffer(content, dtype=np.uint8).reshape(-1, size)
    labels = records[:, :n_labels].copy()
    for column, limit in enumerate(label_limits):
        if labels[:, column].max() >= limit:
            raise ValueError(f"{where}: label values must be below {limit}, found {int(labels[:, column].max())}; "
                             f"the file is corrupt.")
    return records[:, n_labels:].reshape(-1, 3, 32, 32), labels


def channels(images):
    """Channels-first CIFAR images in ``keras.backend.image_data_format()``'s layout (a contiguous array)."""
    if _backend.image_data_format() == "channels_last":
        return np.ascontiguousarray(images.transpose(0, 2, 3, 1))
    return np.ascontiguousarray(images)


def load(dataset, folder, tarball, reader, cache_dir=None):
    """Find ``tarball`` ($CHAINRULE_DATA/<folder>/, then the cache, then a download) and return ``reader(path)``.

    ``cache_dir`` (tf.keras's argument) replaces the cache folder ``$CHAINRULE_HOME/datasets``.
    """
    key = f"{folder}/{tarball}"
    digest = next(iter(_files.FILE_DIGESTS[key]["sha256"]))

    def read(found):
        path = found.paths[0]
        _files.require_digest(path, key, f"the published {tarball}")
        return reader(path)

    cached = tarball if cache_dir is None else os.path.join(os.path.abspath(os.path.expanduser(cache_dir)),
                                                            tarball)
    return _files.load(dataset, folder, data_options=[("tar", (tarball,))], cache_options=[("tar", (cached,))],
                       downloads=("tar", [(cached, _files.CIFAR_ORIGIN + tarball, digest)]), reader=read)
