"""Atomic file writing: a save either completes or leaves the previous file as it was.

Every write goes to a temporary file in the destination folder, is flushed to disk
(``fsync``), then renamed over the target with ``os.replace``; a crash or a failed write
leaves the previous file intact, and the next save removes what a dead process left behind.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import re
import secrets

_TMP_SUFFIX = ".chainrule-tmp"
_MAX_STEM_BYTES = 200  # + '.', '.<pid>.<8 hex>' and the suffix: at most 236 bytes, under NAME_MAX (255)


def as_path(filepath) -> str:
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(f"Expected a file path (str or os.PathLike), got {type(filepath).__name__}.") from None


def _fsync_path(path: str) -> None:
    flags = os.O_RDONLY if os.name != "nt" else os.O_RDWR
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _temp_stem(base: str) -> str:
    """``base`` as it starts a temporary name: shortened (with a hash of the whole) when long, so that
    ``.<stem>.<pid>.<random><suffix>`` stays within NAME_MAX (255 bytes) for any valid file name."""
    raw = os.fsencode(base)
    if len(raw) <= _MAX_STEM_BYTES:
        return base
    return os.fsdecode(raw[:_MAX_STEM_BYTES - 16]) + "~" + hashlib.sha1(raw).hexdigest()[:12]


def _temp_name(folder: str, base: str) -> str:
    return os.path.join(folder, f".{_temp_stem(base)}.{os.getpid()}.{secrets.token_hex(4)}{_TMP_SUFFIX}")


def _cleanup_stale_temps(folder: str, base: str) -> None:
    """Remove temporary files that an earlier, interrupted save of ``base`` left behind."""
    pattern = re.compile(r"^\." + re.escape(_temp_stem(base)) + r"\.(\d+)\.[0-9a-f]+" + re.escape(_TMP_SUFFIX) + "$")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = pattern.match(name)
        if not m:
            continue
        full = os.path.join(folder, name)
        if os.name == "nt":
            try:
                stale = (datetime.datetime.now().timestamp() - os.path.getmtime(full)) > 24 * 3600
            except OSError:
                continue
        else:
            stale = not _pid_alive(int(m.group(1)))
        if stale:
            _remove_quietly(full)


@contextlib.contextmanager
def atomic_write(filepath, overwrite: bool, what: str):
    """Yield a temporary path next to ``filepath``; on success fsync it and ``os.replace`` it into place.

    On any failure the temporary file is removed and the existing file is left
    untouched; an OSError is re-raised with a message saying so.
    """
    path = os.path.abspath(as_path(filepath))
    folder, base = os.path.split(path)
    if os.path.isdir(path):
        raise ValueError(f"Cannot save {what} to {path!r}: it is a directory. chainrule writes single files "
                         "('.keras' or '.h5'), not TensorFlow SavedModel directories.")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save {what} to {path!r}: the folder {folder!r} does not exist. "
                                "Create it first (os.makedirs).")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Cannot save {what} to {path!r}: the file exists and overwrite=False. Pass "
                              "overwrite=True to replace it, or choose another name.")
    tmp = _temp_name(folder, base)
    try:
        yield tmp
        _fsync_path(tmp)
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"Cannot save {what} to {path!r}: the file appeared while saving and "
                                  "overwrite=False.")
        os.replace(tmp, path)
    except FileExistsError:
        _remove_quietly(tmp)
        raise
    except OSError as e:
        _remove_quietly(tmp)
        detail = e.strerror or str(e)
        msg = (f"Could not save {what} to {path!r}: {detail}. Nothing was replaced: the previous file (if any) "
               "is unchanged.")
        raise (OSError(e.errno, msg) if e.errno is not None else OSError(msg)) from e
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_dir(folder)
    _cleanup_stale_temps(folder, base)
