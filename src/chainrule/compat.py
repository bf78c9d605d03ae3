"""``chainrule.compat``: TensorFlow's string helpers from ``tf.compat`` that TF2 programs use.

``as_bytes``/``as_text`` convert between ``bytes`` and ``str`` (programs test file headers with
``tf.compat.as_bytes("JFIF") in f.peek(10)``, or decode a ``tf.string`` value with ``as_text``); ``as_str`` is
``as_text``; ``as_str_any`` and ``path_to_str`` give the ``str`` of any value or of a path-like. The rest of
``tf.compat`` (``v1``, the TF1 API; ``v2``; ``forward_compatible``) is not provided.
"""
import os
from typing import Any

from ._missing import missing_attribute

bytes_or_text_types = (bytes, str)


def as_bytes(bytes_or_text: Any, encoding: str = "utf-8") -> bytes:
    """``bytes_or_text`` as ``bytes``: a ``str`` encoded with ``encoding``, ``bytes`` as is, a ``bytearray`` copied.

    Raises:
        TypeError: for anything else ("Expected binary or unicode string, got 3", as TensorFlow says).
    """
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text: Any, encoding: str = "utf-8") -> str:
    """``bytes_or_text`` as ``str``: ``bytes`` decoded with ``encoding``, a ``str`` as is.

    Raises:
        TypeError: for anything else ("Expected binary or unicode string, got 3").
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value: Any, encoding: str = "utf-8") -> str:
    """``value`` as ``str``: ``bytes`` decoded with ``encoding``, anything else through ``str()``."""
    return as_str(value, encoding) if isinstance(value, bytes) else str(value)


def path_to_str(path: Any) -> Any:
    """A path-like (``os.PathLike``, such as ``pathlib.Path``) as its ``str``; any other value unchanged."""
    return os.fspath(path) if hasattr(path, "__fspath__") else path


__getattr__ = missing_attribute(__name__)
