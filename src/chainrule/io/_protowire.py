"""The protocol-buffer wire format, by hand: varints, field keys, length-delimited fields.

Shared by the TensorProto (:mod:`._tensor_proto`) and ``tf.train.Example``
(:mod:`.example_proto`) codecs, so that chainrule needs no protobuf package. Reading
is defensive: a truncated field, a varint longer than 10 bytes or an unknown wire
type raises ``DataLossError`` naming the message being read (``what``), and lengths
are checked against the bytes at hand before anything is sliced.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..errors import DataLossError

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_MASK64 = (1 << 64) - 1


def varint(n: int) -> bytes:
    """``n`` as a base-128 varint; a negative ``n`` as its 64-bit two's complement (10 bytes)."""
    n &= _MASK64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field_key(number: int, wire_type: int) -> bytes:
    return varint((number << 3) | wire_type)


def length_delimited(number: int, payload: bytes) -> bytes:
    return field_key(number, LENGTH_DELIMITED) + varint(len(payload)) + payload


def read_varint(data: bytes, pos: int, what: str) -> tuple[int, int]:
    """``(value, next position)``; the value is unsigned, masked to 64 bits."""
    result = shift = 0
    for i in range(pos, min(pos + 10, len(data))):
        byte = data[i]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & _MASK64, i + 1
        shift += 7
    if len(data) - pos >= 10:
        raise DataLossError(f"Could not parse `serialized` as {what}: a varint longer than 10 bytes.")
    raise DataLossError(f"Could not parse `serialized` as {what}: truncated varint.")


def fields(data: bytes, what: str) -> Iterator[tuple[int, int, int | bytes]]:
    """``(field number, wire type, value)`` for each field; the value is an int (varint) or bytes."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = read_varint(data, pos, what)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DataLossError(f"Could not parse `serialized` as {what}: field number 0.")
        value: int | bytes
        if wire == VARINT:
            value, pos = read_varint(data, pos, what)
        else:
            if wire == LENGTH_DELIMITED:
                size, pos = read_varint(data, pos, what)
            elif wire in (FIXED32, FIXED64):
                size = 4 if wire == FIXED32 else 8
            else:
                raise DataLossError(f"Could not parse `serialized` as {what}: field {number} has wire type {wire} "
                                    "(groups and unknown wire types are not read).")
            if size > end - pos:
                raise DataLossError(f"Could not parse `serialized` as {what}: field {number} needs {size} bytes, "
                                    f"{end - pos} remain (truncated).")
            value, pos = data[pos:pos + size], pos + size
        yield number, wire, value
