"""``chainrule.io.gfile``: TensorFlow's file API on the local file system.

TensorFlow's GFile also reads ``gs://`` and ``hdfs://``; chainrule reads local
paths only (and ``file://`` URLs) and says so for any other scheme. Errors are
TensorFlow's: ``NotFoundError`` for a missing path (also a ``FileNotFoundError``),
``AlreadyExistsError`` when ``copy``/``rename`` would overwrite without ``overwrite=True``.
"""
from __future__ import annotations

import glob as _glob
import os
import shutil

from ..errors import AlreadyExistsError, NotFoundError, PermissionDeniedError


def _local(path) -> str:
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    if path.startswith("file://"):
        return path[len("file://"):]
    if "://" in path:
        scheme = path.split("://", 1)[0]
        raise NotImplementedError(f"gfile: the {scheme}:// file system is not supported by chainrule; only local "
                                  f"paths are ({path!r}).")
    return path


def _not_found(path) -> NotFoundError:
    return NotFoundError(f"{path}; No such file or directory")


class GFile:
    """A file object: ``GFile(name, mode='r')`` with ``read``, ``readline``, ``readlines``, ``write``,
    iteration, ``seek``/``tell``, ``size()``, ``flush``, ``close`` and ``with`` support.

    Text modes read/write ``str``; ``'b'`` modes bytes. Opening a missing file for reading
    raises ``NotFoundError`` when it is first read, as TensorFlow's does.
    """

    def __init__(self, name, mode="r"):
        self.name = _local(name)
        self.mode = mode
        self._file = None
        if any(c in mode for c in "wa"):
            self._open()

    def _open(self):
        if self._file is None:
            try:
                self._file = open(self.name, self.mode, **({} if "b" in self.mode else {"encoding": "utf-8"}))
            except FileNotFoundError:
                raise _not_found(self.name) from None
            except PermissionError:
                raise PermissionDeniedError(f"{self.name}; Permission denied") from None
        return self._file

    def read(self, n=-1):
        """Up to ``n`` characters/bytes (all when -1)."""
        return self._open().read(n)

    def readline(self):
        """The next line (with its newline)."""
        return self._open().readline()

    def readlines(self):
        """The remaining lines, as a list."""
        return self._open().readlines()

    def write(self, file_content):
        """Write a str (text mode) or bytes (binary mode); bytes in text mode are decoded as UTF-8."""
        f = self._open()
        if "b" not in self.mode and isinstance(file_content, bytes):
            file_content = file_content.decode("utf-8")
        elif "b" in self.mode and isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        f.write(file_content)

    def seek(self, offset=None, whence=0, position=None):
        """Move to byte ``offset`` (or ``position``), from the start by default."""
        return self._open().seek(position if offset is None else offset, whence)

    def tell(self):
        """The current position."""
        return self._open().tell()

    def size(self) -> int:
        """The file's size in bytes."""
        return stat(self.name).length

    def flush(self):
        """Write buffered data to the file."""
        if self._file is not None:
            self._file.flush()

    def close(self):
        """Close the file (also done by ``with``)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __iter__(self):
        return iter(self._open())

    def __next__(self):
        return next(self._open())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


Open = GFile


def exists(path) -> bool:
    """Whether ``path`` (a file or directory) exists."""
    return os.path.exists(_local(path))


def isdir(path) -> bool:
    """Whether ``path`` is a directory."""
    return os.path.isdir(_local(path))


def listdir(path) -> list:
    """The names in directory ``path`` (not full paths); ``NotFoundError`` when it does not exist."""
    p = _local(path)
    if not os.path.isdir(p):
        raise NotFoundError(f"Could not find directory {p}")
    return os.listdir(p)


def glob(pattern) -> list:
    """The paths matching a shell pattern (``*``, ``?``, ``[...]``), sorted."""
    return sorted(_glob.glob(_local(pattern)))


def makedirs(path) -> None:
    """Create ``path`` and its missing parents (no error when it exists)."""
    os.makedirs(_local(path), exist_ok=True)


def mkdir(path) -> None:
    """Create one directory (its parent must exist; no error when it exists)."""
    p = _local(path)
    try:
        os.mkdir(p)
    except FileExistsError:
        pass
    except FileNotFoundError:
        raise _not_found(os.path.dirname(p)) from None


def remove(path) -> None:
    """Delete a file; ``NotFoundError`` when it does not exist."""
    p = _local(path)
    try:
        os.remove(p)
    except FileNotFoundError:
        raise _not_found(p) from None


def rmtree(path) -> None:
    """Delete a directory and everything in it; ``NotFoundError`` when it does not exist."""
    p = _local(path)
    if not os.path.exists(p):
        raise _not_found(p)
    shutil.rmtree(p)


def copy(src, dst, overwrite=False) -> None:
    """Copy a file; ``AlreadyExistsError`` when ``dst`` exists and ``overwrite`` is False."""
    s, d = _local(src), _local(dst)
    if not os.path.exists(s):
        raise _not_found(s)
    if os.path.exists(d) and not overwrite:
        raise AlreadyExistsError("file already exists")
    shutil.copyfile(s, d)


def rename(src, dst, overwrite=False) -> None:
    """Move a file or directory; ``AlreadyExistsError`` when ``dst`` exists and ``overwrite`` is False."""
    s, d = _local(src), _local(dst)
    if not os.path.exists(s):
        raise _not_found(s)
    if os.path.exists(d) and not overwrite:
        raise AlreadyExistsError("file already exists")
    os.replace(s, d)


class FileStatistics:
    """``length`` (bytes), ``mtime_nsec`` and ``is_directory`` of a path."""

    def __init__(self, length, mtime_nsec, is_directory):
        self.length, self.mtime_nsec, self.is_directory = length, mtime_nsec, is_directory

    def __repr__(self):
        return (f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, "
                f"is_directory={self.is_directory})")


def stat(path) -> FileStatistics:
    """The size, modification time and kind of ``path``; ``NotFoundError`` when it does not exist."""
    p = _local(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise _not_found(p) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(p))


def walk(top, topdown=True, onerror=None):
    """``(dirname, subdirectories, files)`` for each directory under ``top``, as ``os.walk``."""
    yield from os.walk(_local(top), topdown=topdown, onerror=onerror)


def join(path, *paths) -> str:
    """``os.path.join`` (TensorFlow's helper for building paths)."""
    return os.path.join(path, *paths)


def get_registered_schemes() -> list:
    """The file systems chainrule reads: local files only."""
    return ["file"]
