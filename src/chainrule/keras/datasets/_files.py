"""Finding, verifying and reading the dataset files behind ``keras.datasets``.

Lookup order for every dataset (first match wins):

1. ``$CHAINRULE_DATA/<folder>/`` — a read-only folder laid out like chainrule's shared
   datasets folder: ``mnist/``, ``fashion_mnist/``, ``imdb/``, ``reuters/``, ``boston_housing/``;
2. the cache ``$CHAINRULE_HOME/datasets/`` (``CHAINRULE_HOME`` defaults to ``~/.chainrule``),
   holding files in the layout tf.keras caches them in ``~/.keras/datasets/``;
3. tf.keras's own cache ``$KERAS_HOME/datasets/`` (``KERAS_HOME`` defaults to ``~/.keras``),
   read only: a TensorFlow user's ``mnist.npz`` and friends are used where they are;
4. a download of Keras's file from :data:`KERAS_ORIGIN`, verified against the sha256 Keras
   publishes, then moved into chainrule's cache atomically.

When all four fail, one ``FileNotFoundError`` (no chained traceback) lists where it looked and
how to get the file.

Every file read is checked against the digests of the published files (or, for files
whose bytes may legitimately differ, of their decompressed content) and a mismatch raises
:class:`ChecksumError`, a ``ValueError`` naming the file; the one exception is a pickle-free
``reuters_flat.npz``, which has no published digest and is checked for its shapes only.
Nothing is unpickled except Keras's own ``imdb.npz`` and ``reuters.npz`` after their sha256 has
matched, and then only through an unpickler that can build NumPy arrays of lists and nothing else.
"""
from __future__ import annotations

import codecs
import gzip
import hashlib
import os
import pickle
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from ..utils.data_utils import DownloadError, _download, _hash_file, chainrule_home, data_folder

#: Where tf.keras 2.11 downloads its datasets from. Tests point this at a ``file://`` folder.
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
#: Where CIFAR's binary tarballs are published (tf.keras downloads the python-pickle ones from the
#: same folder; chainrule reads the binary version, see ``cifar.py``). Tests point this elsewhere too.
CIFAR_ORIGIN = "https://www.cs.toronto.edu/~kriz/"

IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

#: Digests of whole files that are accepted as they are, keyed by ``<folder>/<name>``
#: (``keras/<name>`` for the files Keras publishes). Each value maps an algorithm to the set
#: of accepted hex digests.
FILE_DIGESTS = {
    # Keras's published files: the file_hash arguments of tf.keras 2.11's loaders.
    "keras/mnist.npz": {"sha256": {"731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"}},
    "keras/imdb.npz": {"sha256": {"69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"}},
    "keras/imdb_word_index.json": {"md5": {"bfafd718b763782e994055a2d397834f"}},
    "keras/reuters.npz": {"sha256": {"d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"}},
    "keras/reuters_word_index.json": {"md5": {"4d44cc38712099c9e383dc6e5f11a921"}},
    "keras/boston_housing.npz": {"sha256": {"f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"}},
    # Fashion-MNIST as published by Zalando (and mirrored by Keras, whose loader passes no hash).
    "keras/fashion-mnist/train-images-idx3-ubyte.gz": {
        "sha256": {"08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"}},
    "keras/fashion-mnist/train-labels-idx1-ubyte.gz": {
        "sha256": {"b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"}},
    "keras/fashion-mnist/t10k-images-idx3-ubyte.gz": {
        "sha256": {"78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"}},
    "keras/fashion-mnist/t10k-labels-idx1-ubyte.gz": {
        "sha256": {"42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"}},
    # chainrule's shared datasets folder (its README lists these digests).
    "mnist/train-images-idx3-ubyte.gz": {
        "sha256": {"0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971"}},
    "mnist/train-labels-idx1-ubyte.gz": {
        "sha256": {"1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203"}},
    "mnist/t10k-images-idx3-ubyte.gz": {
        "sha256": {"1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be"}},
    "mnist/t10k-labels-idx1-ubyte.gz": {
        "sha256": {"b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b"}},
    "fashion_mnist/train-images-idx3-ubyte.gz": {
        "sha256": {"5e083f719e3924200b940e340b94a0acfe853acabe3460bac828d068fc59aa63",
                   "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"}},
    "fashion_mnist/train-labels-idx1-ubyte.gz": {
        "sha256": {"689e117f1cc88f12be3d5109cd1b552b0e49cf24002219ed1eba6bef6160f183",
                   "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"}},
    "fashion_mnist/t10k-images-idx3-ubyte.gz": {
        "sha256": {"fdd99acf79588754aece185b87ff00066755e8753e73df2812cc42e806536452",
                   "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"}},
    "fashion_mnist/t10k-labels-idx1-ubyte.gz": {
        "sha256": {"4eb9b4d839de482cf27e89505fc43b510f14255866f0ee58f6a9759f724340bf",
                   "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"}},
    "imdb/imdb_flat.npz": {"sha256": {"cf6dc5b9ae1ed8ae5bc11c49c1e3083cffb9ee556a9ef796e5e54f6fe99b6973"}},
    "imdb/imdb_word_index.json": {"sha256": {"3c070acb5d2c9648321cdada4606cab513d42f7e61ba963c17cdd34ef4eb07e4"},
                                  "md5": {"bfafd718b763782e994055a2d397834f"}},
    "boston_housing/boston_housing.csv": {
        "sha256": {"79ac716620024011b03c0c44d2bf99069b8173649181926d9109c25475a3804c"}},
    # CIFAR's binary tarballs as published by A. Krizhevsky (the digests TensorFlow Datasets checks,
    # tensorflow/datasets url_checksums/cifar10.txt and cifar100.txt: 170052171 and 168513733 bytes).
    "cifar10/cifar-10-binary.tar.gz": {
        "sha256": {"c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"}},
    "cifar100/cifar-100-binary.tar.gz": {
        "sha256": {"58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"}},
}

#: sha256 of the *decompressed* IDX files, so that any gzip of the right content is accepted
#: (MNIST: the original LeCun content; Fashion-MNIST: the shared folder's rebuilt files).
IDX_CONTENT_SHA256 = {
    "mnist/train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "mnist/train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "mnist/t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "mnist/t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "fashion_mnist/train-images-idx3-ubyte": "89536ed34180745b18d4aa969c8122333d7c42130f830e4ba17e5bbeceb0851f",
    "fashion_mnist/train-labels-idx1-ubyte": "555214f1044ed118552f2853693d1bbfe9dcb7016d52d9b7b68b0db16674a264",
    "fashion_mnist/t10k-images-idx3-ubyte": "c0bf90449dd1cc5c94599a041c95cb912a7ec19e918750dd4e21dcfd9db2e877",
    "fashion_mnist/t10k-labels-idx1-ubyte": "1f26ccf8967d573271d48857feee7944050591ac1ca4bf131a097f3701771026",
}


class ChecksumError(ValueError):
    """A dataset file's digest matches none of the published ones: it is corrupt, truncated or another file."""


# ---------------------------------------------------------------------------------------------
# Folders and messages
# ---------------------------------------------------------------------------------------------

def cache_folder():
    """``$CHAINRULE_HOME/datasets`` (default ``~/.chainrule/datasets``); not created until a download."""
    return os.path.join(chainrule_home(), "datasets")


def keras_cache_folder():
    """tf.keras's dataset cache, ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``); only read."""
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return os.path.join(os.path.abspath(os.path.expanduser(home)), "datasets")


def _layout_note():
    root = data_folder()
    state = f"CHAINRULE_DATA={root}" if root is not None else "CHAINRULE_DATA is not set"
    return (f"({state}; it names a folder laid out like chainrule's shared datasets folder, with subfolders "
            f"mnist/, fashion_mnist/, imdb/, reuters/, boston_housing/, cifar10/ and cifar100/)")


# ---------------------------------------------------------------------------------------------
# Digests
# ---------------------------------------------------------------------------------------------

def file_digest(path, algorithm="sha256"):
    """Hex digest of a file, read in 1 MiB chunks."""
    return _hash_file(path, algorithm)


def matches_digest(path, key, data=None):
    """True when the file's digest (or the digest of ``data``, its bytes) is a known one for ``key``."""
    for algorithm, accepted in FILE_DIGESTS.get(key, {}).items():
        got = hashlib.new(algorithm, data).hexdigest() if data is not None else file_digest(path, algorithm)
        if got in accepted:
            return True
    return False


def require_digest(path, keys, what):
    """Raise :class:`ChecksumError` unless the file at ``path`` matches a digest of one of ``keys``."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    if any(matches_digest(path, k) for k in keys):
        return
    expected = sorted({f"{a} {d}" for k in keys for a, ds in FILE_DIGESTS.get(k, {}).items() for d in ds})
    raise ChecksumError(
        f"{path} fails its checksum: its sha256 is {file_digest(path)}, but {what} has "
        f"{' or '.join(expected) if expected else 'no known digest'}. The file is corrupt, truncated or not the "
        f"published one; replace it with a good copy (or delete it if it is in the cache, and it will be "
        f"downloaded again).")


# ---------------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------------

@dataclass
class Found:
    """Files found for a dataset: ``kind`` tells the reader their format; ``where`` is data, cache, keras-cache
    or download."""
    kind: str
    paths: tuple
    where: str


def _cache_folders():
    """The caches searched after ``$CHAINRULE_DATA``: ``(folder, description)``, chainrule's first."""
    return [(cache_folder(), "chainrule's cache"), (keras_cache_folder(), "tf.keras's cache")]


def _options_text(folder, data_options, cache_options):
    lines = []
    data = [", ".join(names) for _, names in data_options]
    if data:
        lines.append(f"  - $CHAINRULE_DATA/{folder}/: {'; or '.join(data)}  {_layout_note()}")
    shown = []
    for base, description in _cache_folders():
        for _, names in cache_options:
            paths = ", ".join(n if os.path.isabs(n) else os.path.join(base, n) for n in names)
            if paths not in shown:
                shown.append(paths)
                lines.append(f"  - {paths}  ({description})")
    return "\n".join(lines)


def _not_found(dataset, folder, data_options, cache_options, downloads, failure, hint):
    """The one error for a dataset found nowhere: where it looked, and how to get the file."""
    if downloads is not None:
        urls = ", ".join(url for _, url, _ in downloads[1])
        lines = f"\n  - a download of {urls}: the download failed ({failure})"
        names = ", ".join(os.path.basename(n) for n, _, _ in downloads[1])
        how = (f"To get it: run once with network access (the file is downloaded, checked and cached), or copy "
               f"{names} into {cache_folder()} or {keras_cache_folder()}, or set CHAINRULE_DATA to a folder "
               f"holding {folder}/ as above.")
    else:
        lines, how = "", "To get it: place the files in one of the places above."
    return FileNotFoundError(f"{dataset}: no data file found. Looked for:\n"
                             f"{_options_text(folder, data_options, cache_options)}{lines}\n{how}{hint}")


def load(dataset, folder, data_options, cache_options, downloads, reader, hint=""):
    """Find a dataset's files, then return ``reader(found)``; download into the cache if needed.

    Args:
        dataset: name used in messages (``'mnist'``).
        folder: subfolder of ``$CHAINRULE_DATA`` (``'mnist'``).
        data_options: ``[(kind, names), ...]`` tried in order inside ``$CHAINRULE_DATA/folder``; a
            group of names is used only when all are present (a partial group is an error).
        cache_options: ``[(kind, names), ...]`` tried in order inside chainrule's cache folder, then
            inside tf.keras's (``~/.keras/datasets``).
        downloads: ``(kind, [(name, url, sha256_or_md5), ...])`` fetched into the cache folder
            when nothing was found (only the missing names are fetched), or ``None``.
        reader: ``reader(found) -> result``; raises :class:`ChecksumError` on a bad digest.
        hint: extra sentence for the "not found" message.

    Returns:
        What ``reader`` returns.

    Raises:
        FileNotFoundError: the files are nowhere and cannot be downloaded (one message, no chained
            traceback), or ``$CHAINRULE_DATA/folder`` holds only part of a group of files.
        ChecksumError: a file found fails its checksum and no good copy could be had.
    """
    root = data_folder()
    if root is not None:
        base = os.path.join(root, folder)
        for kind, names in data_options:
            paths = tuple(os.path.join(base, n) for n in names)
            present = [os.path.isfile(p) for p in paths]
            if all(present):
                return reader(Found(kind, paths, "data"))
            if any(present) and len(paths) > 1:
                missing = [n for n, ok in zip(names, present) if not ok]
                raise FileNotFoundError(
                    f"{dataset}: {base} holds only part of the dataset; missing {', '.join(missing)}. Add the "
                    f"missing files or remove the folder {_layout_note()}.")
    cache = cache_folder()
    for kind, names in cache_options:
        paths = tuple(os.path.join(cache, n) for n in names)
        if all(os.path.isfile(p) for p in paths):
            try:
                return reader(Found(kind, paths, "cache"))
            except ChecksumError as e:
                if downloads is None or kind != downloads[0] or \
                        tuple(os.path.join(cache, n) for n, _, _ in downloads[1]) != paths:
                    raise
                print(f"{e}\nA cached file seems to be incomplete or outdated, so we will re-download the data.")
                try:
                    fresh = _fetch(downloads, force=True)
                except DownloadError as fetch_error:
                    raise ChecksumError(f"{e}\nDownloading a fresh copy failed too: {fetch_error}") from None
                return reader(fresh)
    keras_cache = keras_cache_folder()
    for kind, names in cache_options:
        paths = tuple(os.path.join(keras_cache, n) for n in names)
        if keras_cache != cache and all(os.path.isfile(p) for p in paths):
            try:
                return reader(Found(kind, paths, "keras-cache"))
            except ChecksumError as e:
                if downloads is None:
                    raise
                print(f"{e}\nThe file in tf.keras's cache is left as it is; chainrule downloads its own copy.")
    if downloads is None:
        raise _not_found(dataset, folder, data_options, cache_options, None, None, hint)
    try:
        found = _fetch(downloads)
    except DownloadError as e:
        raise _not_found(dataset, folder, data_options, cache_options, downloads, e, hint) from None
    return reader(found)


def _fetch(downloads, force=False):
    """Download the missing files of ``downloads`` into the cache; raises ``DownloadError``."""
    kind, items = downloads
    cache = cache_folder()
    paths = []
    for name, url, digest in items:
        dest = os.path.join(cache, name)
        paths.append(dest)
        if os.path.isfile(dest) and not force:
            continue
        _download(url, dest, digest)
    return Found(kind, tuple(paths), "download")


# ---------------------------------------------------------------------------------------------
# IDX (MNIST-style) files
# ---------------------------------------------------------------------------------------------

_IDX_MAGIC = {"images": 2051, "labels": 2049}


def read_bytes_maybe_gzip(path):
    """``(raw file bytes, decompressed bytes)``; gzip problems become a ValueError naming the file."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw, raw
    try:
        return raw, gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: cannot decompress this gzip file ({e}); it is truncated or corrupt. Replace it "
                         f"with a good copy.") from None


def parse_idx(content, path, kind, size=(28, 28)):
    """Check an IDX file's magic number and sizes; return its array (uint8, writable).

    ``kind`` is ``'images'`` (magic 2051, shape ``(n,) + size``) or ``'labels'`` (magic 2049,
    shape ``(n,)``, values 0..9).
    """
    want = _IDX_MAGIC[kind]
    header = 16 if kind == "images" else 8
    if len(content) < header:
        raise ValueError(f"{path}: truncated: {len(content)} bytes is too short for an IDX {kind} header "
                         f"({header} bytes).")
    magic = int.from_bytes(content[:4], "big")
    if magic != want:
        raise ValueError(f"{path}: bad IDX magic number {magic} (expected {want} for an {kind} file); the file is "
                         f"corrupt or not an MNIST-style {kind} file.")
    dims = [int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range((header - 4) // 4)]
    if kind == "images" and tuple(dims[1:]) != tuple(size):
        raise ValueError(f"{path}: images are {dims[1]}x{dims[2]}, expected {size[0]}x{size[1]}.")
    expected = int(np.prod(dims))
    got = len(content) - header
    if got < expected:
        what = f"{dims[0]} images of {dims[1]}x{dims[2]}" if kind == "images" else f"{dims[0]} labels"
        raise ValueError(f"{path}: truncated: the header announces {what} ({expected} bytes of data) but only "
                         f"{got} bytes are present.")
    if got > expected:
        raise ValueError(f"{path}: {got - expected} unexpected bytes after the {expected} bytes of data the header "
                         f"announces; the file is corrupt.")
    arr = np.frombuffer(content, dtype=np.uint8, offset=header).reshape(dims).copy()
    if kind == "labels" and arr.size and arr.max() > 9:
        raise ValueError(f"{path}: label values must be 0..9, found {int(arr.max())}; the file is corrupt.")
    return arr


def read_idx_set(paths, keys, dataset):
    """Read the four IDX files (train images, train labels, test images, test labels), verified.

    ``keys`` are the digest-table keys of the four files without ``.gz``. A file passes when
    its bytes match a known file digest or its decompressed content matches the known content.
    """
    arrays = [None] * 4
    for i in (1, 0, 3, 2):  # labels first: the small files fail fast
        path, key = paths[i], keys[i]
        kind = "images" if "images" in key else "labels"
        raw, content = read_bytes_maybe_gzip(path)
        arr = parse_idx(content, path, kind)
        if not (matches_digest(path, key + ".gz", data=raw) or
                hashlib.sha256(content).hexdigest() == IDX_CONTENT_SHA256.get(key)):
            raise ChecksumError(
                f"{path} fails its checksum: the sha256 of its content is {hashlib.sha256(content).hexdigest()}, "
                f"expected {IDX_CONTENT_SHA256.get(key)} for {dataset}'s {os.path.basename(key)}. The file is "
                f"corrupt or not the published one; replace it with a good copy.")
        arrays[i] = arr
    x_train, y_train, x_test, y_test = arrays
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise ValueError(f"{dataset}: the {split} files disagree: {len(x)} images but {len(y)} labels.")
    return (x_train, y_train), (x_test, y_test)


# ---------------------------------------------------------------------------------------------
# npz files
# ---------------------------------------------------------------------------------------------

def npz_members(path):
    """Array names inside an ``.npz`` (no array is read)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return [n[:-4] if n.endswith(".npy") else n for n in zf.namelist()]
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"{path}: not a readable .npz file ({e}); it is truncated or corrupt.") from None


def load_npz(path, keys):
    """The arrays ``keys`` of an ``.npz`` loaded with ``allow_pickle=False``; problems name the file."""
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in keys if k not in f.files]
            if missing:
                raise ValueError(f"{path}: missing arrays {missing}; found {sorted(f.files)}.")
            return {k: f[k] for k in keys}
    except ValueError as e:
        if str(e).startswith(str(path)):
            raise
        raise ValueError(f"{path}: cannot be read without unpickling or is corrupt ({e}).") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: not a readable .npz file ({e}); it is truncated or corrupt.") from None


class _ArrayUnpickler(pickle.Unpickler):
    """Builds NumPy arrays of Python lists/ints and nothing else: every other global is refused."""

    _RECONSTRUCT = np.ndarray.__reduce__(np.empty(0, dtype=object))[0]
    _SCALAR = np.int64(0).__reduce__()[0]
    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
        ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
        ("numpy.core.multiarray", "scalar"): _SCALAR,
        ("numpy._core.multiarray", "scalar"): _SCALAR,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): codecs.encode,
    }

    def find_class(self, module, name):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}: only NumPy arrays of lists "
                                         f"are accepted") from None


def load_object_npz(path, keys):
    """Arrays of an ``.npz`` whose object arrays are read by :class:`_ArrayUnpickler`.

    Call only for a file whose digest has been verified; the restricted unpickler is a second
    line of defence, not the first.
    """
    out = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for key in keys:
                with zf.open(key + ".npy") as fp:
                    version = np.lib.format.read_magic(fp)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
                    elif version == (2, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
                    else:
                        raise ValueError(f"unsupported .npy format version {version}")
                    if dtype.hasobject:
                        arr = _ArrayUnpickler(fp, encoding="latin1").load()
                        if not isinstance(arr, np.ndarray) or arr.shape != tuple(shape):
                            raise ValueError(f"{key} does not hold an array of shape {shape}")
                    else:
                        fp_data = fp.read()
                        arr = np.frombuffer(fp_data, dtype=dtype).copy()
                        arr = arr.reshape(shape, order="F" if fortran else "C")
                    out[key] = arr
    except (KeyError, ValueError, pickle.UnpicklingError, zipfile.BadZipFile, EOFError, OSError) as e:
        raise ValueError(f"{path}: cannot be read ({e}).") from None
    return out
