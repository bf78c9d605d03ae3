"""``keras.utils.get_file``: find a data file locally or download it once, verified, into the cache.

Where a file is looked for, in order:

1. the folder named by the environment variable ``CHAINRULE_DATA`` and its immediate
   subfolders (``$CHAINRULE_DATA/auto-mpg.data``, then ``$CHAINRULE_DATA/*/auto-mpg.data``);
   this folder is only ever read, never written;
2. the cache, ``<cache_dir>/<cache_subdir>/fname`` where ``cache_dir`` defaults to
   ``$CHAINRULE_HOME`` (itself defaulting to ``~/.chainrule``) — tf.keras uses ``~/.keras``;
3. a download from ``origin`` (``http(s)://``, ``ftp://`` or ``file://``), written to a
   temporary file in the cache folder, checked against ``file_hash`` when one is given and
   only then moved into place with ``os.replace``. A download that fails its checksum
   raises ``ValueError`` and leaves nothing in the cache.

Archives (``extract=True`` or ``untar=True``) are unpacked into the cache folder; a member
with an absolute path, a ``..`` component, or a link leading outside is refused before
anything is written.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import tarfile
import tempfile
import zipfile

from .progbar import Progbar

__all__ = ["get_file", "validate_file"]

_CHUNK = 1 << 20


# ---------------------------------------------------------------------------------------------
# Folders
# ---------------------------------------------------------------------------------------------

def data_folder():
    """The read-only data folder named by ``$CHAINRULE_DATA``, or ``None`` when it is not set."""
    root = os.environ.get("CHAINRULE_DATA")
    if not root:
        return None
    return os.path.abspath(os.path.expanduser(root))


def chainrule_home():
    """``$CHAINRULE_HOME`` or ``~/.chainrule``: the root of chainrule's cache (not created here)."""
    home = os.environ.get("CHAINRULE_HOME")
    if not home:
        home = os.path.join("~", ".chainrule")
    return os.path.abspath(os.path.expanduser(home))


def _is_writable(folder):
    """True when ``folder`` exists and is writable, or its nearest existing ancestor is."""
    probe = folder
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return os.access(probe, os.W_OK)


def _fallback_base():
    """Where downloads go when the cache folder is not writable (tf.keras uses ``/tmp/.keras``)."""
    return os.path.join(tempfile.gettempdir(), ".chainrule")


# ---------------------------------------------------------------------------------------------
# Hashes
# ---------------------------------------------------------------------------------------------

def _resolve_hasher(algorithm, file_hash=None):
    """A new hashlib object: sha256 for ``'sha256'`` or for ``'auto'`` with a 64-digit hash, else md5."""
    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', got {algorithm!r}.")
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(str(file_hash)) == 64:
        return hashlib.sha256()
    return hashlib.md5()


def _algorithm_name(algorithm, file_hash):
    return _resolve_hasher(algorithm, file_hash).name


def _hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """Hex digest of the file at ``fpath``; ``algorithm`` is a name or a hashlib object."""
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=_CHUNK):
    """True when the file's sha256 or md5 digest (``'auto'``: chosen by the hash's length) equals ``file_hash``."""
    hasher = _resolve_hasher(algorithm, file_hash)
    return _hash_file(fpath, hasher, chunk_size) == str(file_hash).strip().lower()


# ---------------------------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------------------------

class DownloadError(OSError):
    """The origin could not be fetched (no network, unknown host, HTTP error, missing file:// file)."""


def _progbar(total):
    return Progbar(total if total and total > 0 else None)


def _missing_folders(folder):
    """The folders ``os.makedirs(folder)`` would create, deepest first."""
    missing = []
    while folder and not os.path.exists(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return missing


def _download(origin, fpath, file_hash=None, hash_algorithm="auto", *, verbose=True):
    """Fetch ``origin`` into ``fpath`` atomically, verifying ``file_hash`` before the file appears.

    The bytes go to a temporary file beside ``fpath`` while being hashed; on a hash mismatch
    the temporary file is removed and ``ValueError`` is raised, so a corrupted download is
    never cached. Network problems raise :class:`DownloadError`.
    """
    import urllib.error
    import urllib.request

    hasher = _resolve_hasher(hash_algorithm, file_hash) if file_hash is not None else None
    if verbose:
        print(f"Downloading data from {origin}")
    error_msg = "URL fetch failure on {}: {} -- {}"
    try:  # connect before touching the disk: an offline attempt leaves no folder behind
        response = urllib.request.urlopen(origin, timeout=60)
    except urllib.error.HTTPError as e:
        raise DownloadError(error_msg.format(origin, e.code, e.msg)) from e
    except urllib.error.URLError as e:
        raise DownloadError(error_msg.format(origin, e.errno, e.reason)) from e
    except (OSError, ValueError) as e:  # e.g. a malformed URL or a socket timeout
        raise DownloadError(error_msg.format(origin, getattr(e, "errno", None), e)) from e
    with response:
        folder = os.path.dirname(os.path.abspath(fpath))
        created = _missing_folders(folder)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(fpath) + ".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                length = response.headers.get("Content-Length") if response.headers else None
                total = int(length) if length and length.strip().isdigit() else None
                bar = _progbar(total) if verbose else None
                done = 0
                while True:
                    try:
                        chunk = response.read(_CHUNK)
                    except OSError as e:
                        raise DownloadError(error_msg.format(origin, getattr(e, "errno", None), e)) from e
                    if not chunk:
                        break
                    out.write(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
                    done += len(chunk)
                    if bar is not None:
                        bar.update(min(done, total) if total else done)
                if total is not None and done < total:
                    raise DownloadError(error_msg.format(origin, None, f"connection closed after {done} of "
                                                                       f"{total} bytes"))
            if hasher is not None:
                got, want = hasher.hexdigest(), str(file_hash).strip().lower()
                if got != want:
                    raise ValueError(
                        f"Incomplete or corrupted file detected. The {hasher.name} file hash of the data "
                        f"downloaded from {origin} is {got}, which does not match the provided value of {want}. "
                        f"Nothing was written to {fpath}.")
            os.replace(tmp, fpath)
        except BaseException:
            try:
                os.remove(tmp)
                for f in created:  # deepest first; only the folders this call made, and only if empty
                    os.rmdir(f)
            except OSError:
                pass
            raise
    return fpath


# ---------------------------------------------------------------------------------------------
# Archives
# ---------------------------------------------------------------------------------------------

def _unsafe_member_name(name):
    """Why an archive member name may not be extracted, or ``None`` when it is safe."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or os.path.isabs(name):
        return "it is an absolute path"
    if ".." in norm.split("/"):
        return "it contains a '..' component"
    return None


def _check_tar_members(archive_path, tar):
    members = tar.getmembers()
    for m in members:
        why = _unsafe_member_name(m.name)
        if why is None and (m.issym() or m.islnk()):
            why = _unsafe_member_name(m.linkname)
            if why is not None:
                why = f"it is a link to {m.linkname!r} and {why}"
        if why is None and (m.ischr() or m.isblk() or m.isfifo()):
            why = "it is a device or fifo"
        if why is not None:
            raise ValueError(f"Refusing to extract {archive_path}: member {m.name!r} is unsafe because {why}.")
    return members


def _extract_archive(file_path, path=".", archive_format="auto"):
    """Extract a tar (plain, gz, bz2, xz) or zip archive into ``path``; True if it was an archive.

    Every member is checked before anything is written: absolute names, ``..`` components,
    links pointing outside and device files make it raise ``ValueError``.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in archive_format:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as tar:
                members = _check_tar_members(file_path, tar)
                os.makedirs(path, exist_ok=True)
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(path, members=members, **kwargs)
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as zf:
                for name in zf.namelist():
                    why = _unsafe_member_name(name)
                    if why is not None:
                        raise ValueError(f"Refusing to extract {file_path}: member {name!r} is unsafe because {why}.")
                os.makedirs(path, exist_ok=True)
                zf.extractall(path)
            return True
        if kind not in ("tar", "zip"):
            raise ValueError(f"archive_format must be 'auto', 'tar', 'zip', None or a list of those, got {kind!r}.")
    return False


# ---------------------------------------------------------------------------------------------
# get_file
# ---------------------------------------------------------------------------------------------

def _find_in_data_folder(fname):
    """``$CHAINRULE_DATA/fname`` or ``$CHAINRULE_DATA/<subfolder>/fname`` (subfolders in name order)."""
    root = data_folder()
    if root is None or os.path.isabs(fname) or not os.path.isdir(root):
        return None
    candidates = [os.path.join(root, fname)]
    try:
        subs = sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))
    except OSError:
        subs = []
    candidates += [os.path.join(root, s, fname) for s in subs]
    for c in candidates:
        if os.path.isfile(c):
            return c
    return None


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None):
    """Return a local path to ``fname``: found in ``$CHAINRULE_DATA``, in the cache, or downloaded from ``origin``.

    Args:
        fname: file name (``None``: the last part of ``origin``'s path). An absolute path is
            used as the cache location itself.
        origin: URL to download from when the file is not found locally (``file://`` works).
        untar: deprecated form of ``extract`` for ``.tar.gz`` files; returns the extracted folder.
        md5_hash: deprecated form of ``file_hash`` with ``hash_algorithm='md5'``.
        file_hash: expected sha256 or md5 hex digest; checked on local files and downloads.
        cache_subdir: subfolder of the cache (an absolute path is used as is).
        hash_algorithm: ``'auto'`` (sha256 for 64 hex digits, else md5), ``'sha256'`` or ``'md5'``.
        extract: unpack a tar or zip archive into the cache folder after finding it.
        archive_format: ``'auto'`` (tar then zip), ``'tar'``, ``'zip'``, ``None`` or a list.
        cache_dir: cache root; default ``$CHAINRULE_HOME`` or ``~/.chainrule`` (tf.keras: ``~/.keras``).

    Returns:
        The path of the file (for ``untar``, of the extracted folder).

    Raises:
        ValueError: a local file or download does not match ``file_hash`` (nothing is cached),
            or an archive holds unsafe member names.
        DownloadError: the file is nowhere local and ``origin`` cannot be fetched; the message
            says where to put the file to work offline.
    """
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        file_hash = str(file_hash).strip().lower()
        _resolve_hasher(hash_algorithm, file_hash)  # validates hash_algorithm
    fname = os.fspath(fname) if fname is not None else None
    if not fname:
        if not origin:
            raise ValueError('get_file: please specify the "origin" argument (URL of the file to download) or '
                             '"fname".')
        from urllib.parse import urlsplit
        fname = os.path.basename(urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. Please specify the "
                             f"`fname` as the input param.")

    base = os.path.abspath(os.path.expanduser(os.fspath(cache_dir))) if cache_dir is not None else chainrule_home()
    if untar and fname.endswith(".tar.gz"):
        fname = str(pathlib.Path(fname).with_suffix("").with_suffix(""))
    wanted = fname + ".tar.gz" if untar else fname

    def locate(base_folder):
        folder = os.path.join(base_folder, os.fspath(cache_subdir))
        return folder, os.path.join(folder, wanted)

    datadir, fpath = locate(base)
    local = _find_in_data_folder(wanted)
    if local is not None:
        if file_hash is not None and not validate_file(local, file_hash, hash_algorithm):
            algo = _algorithm_name(hash_algorithm, file_hash)
            raise ValueError(
                f"get_file: {local} (found through CHAINRULE_DATA) fails its checksum: its {algo} hash "
                f"{_hash_file(local, algo)} does not match the expected {file_hash}. The file is corrupt or "
                f"not the one asked for; replace it with a good copy or remove it.")
        fpath = local
    else:
        if not os.path.isfile(fpath) and not _is_writable(os.path.dirname(fpath)):
            datadir, fpath = locate(_fallback_base())
        download = True
        if os.path.isfile(fpath):
            download = False
            if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
                print(f"A local file was found, but it seems to be incomplete or outdated because the "
                      f"{_algorithm_name(hash_algorithm, file_hash)} file hash does not match the original value "
                      f"of {file_hash} so we will re-download the data.")
                download = True
        if download:
            if not origin:
                raise ValueError(f'get_file: {wanted!r} is not in {_where_text(datadir)}; please specify the '
                                 f'"origin" argument (URL of the file to download).')
            try:
                _download(origin, fpath, file_hash, hash_algorithm)
            except DownloadError as e:
                raise DownloadError(f"{e}. To work offline, put {wanted!r} in {_where_text(datadir)}.") from e

    if untar:
        if not _is_writable(datadir):
            datadir = os.path.join(_fallback_base(), os.fspath(cache_subdir))
        untar_fpath = os.path.join(datadir, fname)
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format="tar")
        return untar_fpath
    if extract:
        if not _is_writable(datadir):
            datadir = os.path.join(_fallback_base(), os.fspath(cache_subdir))
        _extract_archive(fpath, datadir, archive_format)
    return fpath


def _where_text(datadir):
    root = data_folder()
    data = (f"$CHAINRULE_DATA ({root}) or one of its immediate subfolders" if root is not None
            else "$CHAINRULE_DATA (not set) or one of its immediate subfolders")
    return f"{data}, or in the cache folder {datadir}"
