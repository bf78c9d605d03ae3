"""What a file is (a ``.keras`` zip or HDF5, or what else it looks like) and the error a damaged one gives.

A damaged, truncated or foreign file raises ``ValueError`` naming the file and the problem,
whatever part of the reading failed.
"""
from __future__ import annotations

import contextlib
import json
import os
import struct
import zipfile
import zlib


_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x93NUMPY", "a NumPy .npy file"), (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ", "an xz archive"), (b"7z\xbc\xaf", "a 7-zip archive"),
    (b"\x7fELF", "an executable (ELF)"), (b"\x80", "a Python pickle (chainrule never loads pickles)"),
]


def _describe_bytes(head: bytes) -> str:
    if not head:
        return "the file is empty"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"it looks like {what}"
    if head.lstrip()[:1] in (b"{", b"["):
        return "it looks like a JSON/text file (use keras.models.model_from_json for JSON architectures)"
    try:
        head.decode("utf-8")
        return "it looks like a text file"
    except UnicodeDecodeError:
        return f"its first bytes are {head[:8]!r}"


def sniff(path: str) -> str:
    """'zip' (``.keras``) or 'hdf5'; ValueError for anything else. Missing file: FileNotFoundError."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file or directory found at {path!r}.")
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a directory. chainrule loads '.keras' and '.h5' files; TensorFlow "
                         "SavedModel directories are not supported.")
    with open(path, "rb") as f:
        head = f.read(8)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            return "zip"
        for offset in (0, 512, 1024, 2048):
            f.seek(offset)
            if f.read(8) == b"\x89HDF\r\n\x1a\n":
                return "hdf5"
    raise ValueError(f"{path!r} is neither a '.keras' zip archive nor an HDF5 ('.h5') file: "
                     f"{_describe_bytes(head)}.")


@contextlib.contextmanager
def load_errors(path: str, action: str):
    """Turn any failure while reading ``path`` into a ValueError that names the file."""
    try:
        yield
    except (ImportError, FileNotFoundError):
        raise
    except json.JSONDecodeError as e:
        raise ValueError(f"{action} {path!r}: a JSON part of the file is not valid ({e}); the file is "
                         "corrupted.") from e
    except ValueError as e:
        if path in str(e):
            raise
        raise ValueError(f"{action} {path!r}: {e}") from e
    except (OSError, KeyError, EOFError, RuntimeError, zipfile.BadZipFile, zlib.error, struct.error,
            UnicodeDecodeError, IndexError, NotImplementedError, OverflowError) as e:
        raise ValueError(f"{action} {path!r}: the file is corrupted or truncated "
                         f"({type(e).__name__}: {e}).") from e
    except TypeError as e:
        raise ValueError(f"{action} {path!r}: {e}") from e
