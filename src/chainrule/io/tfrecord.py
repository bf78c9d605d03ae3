"""TFRecord files: ``tf.io.TFRecordWriter`` and the record reader behind ``tf.data.TFRecordDataset``.

A TFRecord file is a sequence of records, each framed as TensorFlow frames it::

    uint64 length (little-endian)
    uint32 masked CRC-32C of the 8 length bytes
    byte   data[length]
    uint32 masked CRC-32C of the data

where ``masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8`` (mod 2**32). The whole file may be
GZIP- or ZLIB-compressed (``TFRecordOptions(compression_type=...)``). Files written here are read by
TensorFlow and the other way round; a record whose length or checksum does not match is a
``DataLossError`` naming the file and the offset, never silently skipped.
"""
from __future__ import annotations

import gzip
import struct
import zlib
from typing import Any, Iterator

import numpy as np

from ..errors import DataLossError
from ..tensor import Tensor
from . import gfile


def _crc32c_table() -> list[int]:
    poly, table = 0x82F63B78, []  # Castagnoli, reflected
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) of ``data``, as TFRecord frames use it."""
    crc, table = 0xFFFFFFFF, _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _compression(options: Any) -> str:
    kind = getattr(options, "compression_type", options) or ""
    kind = kind.upper() if isinstance(kind, str) else kind
    if kind not in ("", "GZIP", "ZLIB"):
        raise ValueError(f"TFRecord: compression_type must be '', 'GZIP' or 'ZLIB', got {kind!r}.")
    return kind


class TFRecordOptions:
    """Options of a TFRecord file: ``compression_type`` ``''`` (default), ``'GZIP'`` or ``'ZLIB'``."""

    def __init__(self, compression_type: str | None = None, **kwargs: Any) -> None:
        self.compression_type = _compression(compression_type)


class TFRecordWriter:
    """Writes records (bytes, or scalar string Tensors) to a TFRecord file, as ``tf.io.TFRecordWriter``.

    Args:
        path: the file to write (created or truncated).
        options: a :class:`TFRecordOptions` or a compression name (``'GZIP'``, ``'ZLIB'``).

    Use it as a context manager, or call ``close()``; ``flush()`` writes what is buffered.

    Raises:
        TypeError: a record that is not bytes/str or a scalar string Tensor.
        ValueError: writing after ``close()``, or an unknown compression.
    """

    def __init__(self, path: Any, options: Any = None) -> None:
        self.path = path.decode("utf-8") if isinstance(path, bytes) else str(path)
        self._kind = _compression(options)
        raw = open(gfile._local(self.path), "wb")
        self._raw = raw
        self._file: Any = (gzip.GzipFile(fileobj=raw, mode="wb") if self._kind == "GZIP" else raw)
        self._zlib = zlib.compressobj() if self._kind == "ZLIB" else None

    def write(self, record: Any) -> None:
        """Append one record."""
        if self._file is None:
            raise ValueError(f"TFRecordWriter({self.path!r}): write after close().")
        if isinstance(record, Tensor):
            record = record._value.item() if record._value.ndim == 0 else None
        if isinstance(record, str):
            record = record.encode("utf-8")
        if not isinstance(record, (bytes, bytearray, np.bytes_)):
            raise TypeError(f"TFRecordWriter.write: a record is bytes or a scalar string Tensor, got "
                            f"{type(record).__name__}; serialize it first (e.g. tf.io.serialize_tensor(t).numpy()).")
        record = bytes(record)
        length = struct.pack("<Q", len(record))
        frame = length + struct.pack("<I", masked_crc32c(length)) + record + struct.pack("<I", masked_crc32c(record))
        self._file.write(self._zlib.compress(frame) if self._zlib is not None else frame)

    def flush(self) -> None:
        """Write buffered records to the file."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Finish the file (the compressed stream's end) and close it."""
        if self._file is None:
            return
        if self._zlib is not None:
            self._raw.write(self._zlib.flush())
        if self._file is not self._raw:
            self._file.close()
        self._raw.close()
        self._file = None

    def __enter__(self) -> "TFRecordWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def read_records(path: str, data: bytes) -> Iterator[bytes]:
    """The records of a TFRecord file's (decompressed) bytes ``data``, checksums checked; ``path`` names
    the file in errors.

    Raises:
        DataLossError: a truncated record or a checksum that does not match.
    """
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < 12:
            raise DataLossError(f"truncated record at {offset} in {path}: {end - offset} bytes left, a record "
                                "header has 12.")
        length_bytes = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        (length_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        if masked_crc32c(length_bytes) != length_crc:
            raise DataLossError(f"corrupted record at {offset} in {path}: the length's checksum does not match "
                                "(not a TFRecord file, or a compressed one read without compression_type).")
        start, stop = offset + 12, offset + 12 + length
        if stop + 4 > end:
            raise DataLossError(f"truncated record at {offset} in {path}: it declares {length} bytes, the file has "
                                f"{max(end - start - 4, 0)} left.")
        record = data[start:stop]
        (data_crc,) = struct.unpack("<I", data[stop:stop + 4])
        if masked_crc32c(record) != data_crc:
            raise DataLossError(f"corrupted record at {offset} in {path}: the data's checksum does not match.")
        yield record
        offset = stop + 4
