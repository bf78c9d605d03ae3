"""``tf.train.Example`` and its parts as plain Python classes, with protobuf's wire format written by hand.

``BytesList`` / ``FloatList`` / ``Int64List`` (``value=[...]``), ``Feature`` (one of
``bytes_list``, ``float_list``, ``int64_list``), ``Features`` (``feature={name: Feature}``) and
``Example`` (``features=Features``) behave as the protobuf messages TensorFlow users know:
``SerializeToString()`` gives the bytes TensorFlow writes, ``Example.FromString(data)`` /
``ParseFromString(data)`` read them (packed or unpacked repeated numbers), ``==`` compares
contents, and ``repr`` is protobuf's text format. Malformed bytes raise ``DataLossError``.

The schema (proto3): ``Example{Features features = 1}``, ``Features{map<string, Feature>
feature = 1}``, ``Feature{oneof kind {BytesList bytes_list = 1; FloatList float_list = 2;
Int64List int64_list = 3}}``, ``BytesList{repeated bytes value = 1}``, ``FloatList{repeated
float value = 1 [packed]}``, ``Int64List{repeated int64 value = 1 [packed]}``.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar

import numpy as np

from ..errors import DataLossError
from ._protowire import FIXED32, LENGTH_DELIMITED, VARINT, fields, length_delimited, read_varint, varint

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


# ----------------------------------------------------------------------------- scalar conversions

def _as_bytes(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray, memoryview, np.bytes_)):
        return bytes(v)
    raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: bytes")


def _as_float32(v: Any) -> float:
    if isinstance(v, (bytes, str)) or not np.isscalar(v) and not (isinstance(v, np.ndarray) and v.ndim == 0):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: int, float")
    return float(np.float32(v))  # type: ignore[arg-type]  # checked to be a real scalar above


def _as_int64(v: Any) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{v!r} has type {type(v).__name__}, but expected one of: int")
    v = int(v)
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise ValueError(f"Value out of range: {v}")
    return v


def _escape(data: bytes) -> str:
    """Bytes as protobuf's text format writes them (C escapes, octal for the unprintable)."""
    special = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\"}
    return "".join(special.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}") for b in data)


def _float_text(v: float) -> str:
    return f"{v:.9g}"  # protobuf's text format: 9 significant digits, no trailing zeros


def _raw(data) -> bytes:
    """``data`` as bytes: bytes-like, or a scalar string tensor (anything with ``numpy()``)."""
    if hasattr(data, "numpy"):
        data = data.numpy()
    return bytes(data.item() if isinstance(data, np.ndarray) else data)


# ----------------------------------------------------------------------------- repeated values

class _Repeated(list):
    """A list that converts what goes in (as a protobuf repeated field checks types) and tells its owner."""

    def __init__(self, convert: Callable[[Any], Any], on_change: Callable[[], None] | None = None, values=()):
        super().__init__(convert(v) for v in values)
        self._convert, self._on_change = convert, on_change

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def append(self, v) -> None:
        super().append(self._convert(v))
        self._changed()

    def extend(self, values) -> None:
        super().extend(self._convert(v) for v in values)
        self._changed()

    def insert(self, i, v) -> None:
        super().insert(i, self._convert(v))
        self._changed()

    def __setitem__(self, i, v) -> None:
        super().__setitem__(i, [self._convert(x) for x in v] if isinstance(i, slice) else self._convert(v))
        self._changed()


class _ValueList:
    """The shared shape of ``BytesList``, ``FloatList`` and ``Int64List``: one repeated field ``value``."""

    _convert: ClassVar[Any]  # the staticmethod that checks and converts one value

    def __init__(self, value=()) -> None:
        self._value = _Repeated(type(self)._convert, None, value)

    def _set_owner(self, on_change: Callable[[], None]) -> None:
        self._value._on_change = on_change

    @property
    def value(self) -> list:
        return self._value

    @value.setter
    def value(self, values) -> None:
        raise AttributeError(f"Assignment not allowed to repeated field \"value\" in protocol message object "
                             f"(use {type(self).__name__}.value.extend(...) or {type(self).__name__}(value=...)).")

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and list(self._value) == list(other._value)

    __hash__ = None  # type: ignore[assignment]  # mutable, as protobuf messages

    def __len__(self) -> int:
        return len(self._value)

    def _text(self, indent: str) -> str:
        return "".join(f"{indent}value: {self._item_text(v)}\n" for v in self._value)

    @staticmethod
    def _item_text(v) -> str:
        return str(v)

    def __repr__(self) -> str:
        return self._text("")

    __str__ = __repr__

    def SerializeToString(self, deterministic: bool = False) -> bytes:  # noqa: N802 - protobuf's name
        """The message's protobuf bytes."""
        return self._encode()

    def ParseFromString(self, data) -> int:  # noqa: N802 - protobuf's name
        """Replace the content with the message in ``data``; returns its length. ``DataLossError`` if malformed."""
        data = _raw(data)
        parsed = type(self)._decode(data)
        self._value[:] = parsed._value
        return len(data)

    @classmethod
    def FromString(cls, data):  # noqa: N802 - protobuf's name
        """The message in ``data`` (bytes); ``DataLossError`` if malformed."""
        return cls._decode(_raw(data))

    def _encode(self) -> bytes:
        raise NotImplementedError

    @classmethod
    def _decode(cls, data: bytes):
        raise NotImplementedError


class BytesList(_ValueList):
    """``tf.train.BytesList(value=[b"...", ...])``: a list of byte strings (``str`` is refused, as protobuf)."""

    _convert = staticmethod(_as_bytes)

    @staticmethod
    def _item_text(v) -> str:
        return f'"{_escape(v)}"'

    def _encode(self) -> bytes:
        return b"".join(length_delimited(1, v) for v in self._value)

    @classmethod
    def _decode(cls, data: bytes) -> "BytesList":
        values = []
        for number, wire, value in fields(data, "BytesList"):
            if number == 1:
                if wire != LENGTH_DELIMITED:
                    raise DataLossError(f"Could not parse `serialized` as BytesList: value with wire type {wire}.")
                values.append(value)
        return cls(values)


class FloatList(_ValueList):
    """``tf.train.FloatList(value=[...])``: float32 numbers (stored rounded to float32, as protobuf)."""

    _convert = staticmethod(_as_float32)

    @staticmethod
    def _item_text(v) -> str:
        return _float_text(v)

    def _encode(self) -> bytes:
        if not self._value:
            return b""
        return length_delimited(1, np.asarray(self._value, dtype="<f4").tobytes())

    @classmethod
    def _decode(cls, data: bytes) -> "FloatList":
        out = cls()
        out._value[:] = _decode_floats(data).tolist()
        return out


class Int64List(_ValueList):
    """``tf.train.Int64List(value=[...])``: signed 64-bit integers (``ValueError`` outside that range)."""

    _convert = staticmethod(_as_int64)

    def _encode(self) -> bytes:
        if not self._value:
            return b""
        return length_delimited(1, b"".join(varint(v) for v in self._value))

    @classmethod
    def _decode(cls, data: bytes) -> "Int64List":
        out = cls()
        out._value[:] = _decode_int64s(data).tolist()
        return out


def _decode_floats(data: bytes) -> np.ndarray:
    """The float32 values of a FloatList's bytes, packed (wire type 2) or one by one (wire type 5)."""
    chunks = []
    for number, wire, value in fields(data, "FloatList"):
        if number != 1:
            continue
        assert isinstance(value, bytes) or wire == VARINT
        if wire == FIXED32:
            chunks.append(value)
        elif wire == LENGTH_DELIMITED:
            if len(value) % 4:  # type: ignore[arg-type]
                raise DataLossError(f"Could not parse `serialized` as FloatList: packed values of {len(value)} "  # type: ignore[arg-type]
                                    "bytes, not a multiple of 4.")
            chunks.append(value)
        else:
            raise DataLossError(f"Could not parse `serialized` as FloatList: value with wire type {wire}.")
    return np.frombuffer(b"".join(chunks), dtype="<f4").astype(np.float32)  # type: ignore[arg-type]


def _signed(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


def _decode_int64s(data: bytes) -> np.ndarray:
    """The int64 values of an Int64List's bytes, packed (wire type 2) or one by one (wire type 0)."""
    values: list[int] = []
    for number, wire, value in fields(data, "Int64List"):
        if number != 1:
            continue
        if wire == VARINT:
            values.append(_signed(value))  # type: ignore[arg-type]
        elif wire == LENGTH_DELIMITED:
            assert isinstance(value, bytes)
            pos = 0
            while pos < len(value):
                v, pos = read_varint(value, pos, "Int64List")
                values.append(_signed(v))
        else:
            raise DataLossError(f"Could not parse `serialized` as Int64List: value with wire type {wire}.")
    return np.array(values, dtype=np.int64)


# ----------------------------------------------------------------------------- Feature, Features, Example

_KINDS = {"bytes_list": (1, BytesList), "float_list": (2, FloatList), "int64_list": (3, Int64List)}


class _Message:
    """``SerializeToString`` / ``FromString`` / ``ParseFromString`` / ``CopyFrom`` / ``repr`` for the messages."""

    def SerializeToString(self, deterministic: bool = False) -> bytes:  # noqa: N802 - protobuf's name
        """The message's protobuf bytes (map entries in insertion order; sorted with ``deterministic=True``)."""
        return self._encode(deterministic)

    @classmethod
    def FromString(cls, data):  # noqa: N802 - protobuf's name
        """The message in ``data`` (bytes); ``DataLossError`` if malformed."""
        return cls._decode(_raw(data))

    def ParseFromString(self, data) -> int:  # noqa: N802 - protobuf's name
        """Replace the content with the message in ``data``; returns its length. ``DataLossError`` if malformed."""
        data = _raw(data)
        self.CopyFrom(type(self)._decode(data))
        return len(data)

    def CopyFrom(self, other) -> None:  # noqa: N802 - protobuf's name
        """Make this message a copy of ``other`` (of the same type)."""
        if type(other) is not type(self):
            raise TypeError(f"Parameter to CopyFrom() must be instance of same class: expected {type(self).__name__} "
                            f"got {type(other).__name__}.")
        self._copy_from(type(self)._decode(other._encode(False)))

    def __repr__(self) -> str:
        return self._text("")

    __str__ = __repr__
    __hash__ = None  # type: ignore[assignment]  # mutable, as protobuf messages

    def _encode(self, deterministic: bool) -> bytes:
        raise NotImplementedError

    @classmethod
    def _decode(cls, data: bytes):
        raise NotImplementedError

    def _copy_from(self, other) -> None:
        raise NotImplementedError

    def _text(self, indent: str) -> str:
        raise NotImplementedError


class Feature(_Message):
    """``tf.train.Feature(bytes_list=BytesList(...))`` (or ``float_list=`` / ``int64_list=``): one feature's values.

    At most one of the three is set (``WhichOneof("kind")`` names it); reading an unset one gives
    an empty list, and changing it (``feature.int64_list.value.append(1)``) makes it the set one.
    """

    def __init__(self, bytes_list: BytesList | None = None, float_list: FloatList | None = None,
                 int64_list: Int64List | None = None) -> None:
        given = {k: v for k, v in (("bytes_list", bytes_list), ("float_list", float_list),
                                   ("int64_list", int64_list)) if v is not None}
        self._lists: dict[str, _ValueList] = {}
        self._kind: str | None = None
        for name, value in given.items():  # as protobuf: the last one given wins
            cls = _KINDS[name][1]
            if not isinstance(value, cls):
                raise TypeError(f"Feature: {name} must be a {cls.__name__}, got {type(value).__name__}.")
            self._adopt(name, cls(value.value))

    def _adopt(self, name: str, value: _ValueList) -> None:
        value._set_owner(lambda: self._select(name))
        self._lists[name] = value
        self._select(name)

    def _select(self, name: str) -> None:
        if self._kind != name:
            for other in [k for k in self._lists if k != name]:
                del self._lists[other]
            self._kind = name

    def _list(self, name: str) -> _ValueList:
        if name not in self._lists:
            value = _KINDS[name][1]()
            value._set_owner(lambda: self._select(name))
            self._lists[name] = value
        return self._lists[name]

    @property
    def bytes_list(self) -> BytesList:
        return self._list("bytes_list")  # type: ignore[return-value]

    @property
    def float_list(self) -> FloatList:
        return self._list("float_list")  # type: ignore[return-value]

    @property
    def int64_list(self) -> Int64List:
        return self._list("int64_list")  # type: ignore[return-value]

    def WhichOneof(self, oneof_group: str) -> str | None:  # noqa: N802 - protobuf's name
        """The name of the set list (``"bytes_list"``, ``"float_list"``, ``"int64_list"``), or None."""
        if oneof_group != "kind":
            raise ValueError(f'Protocol message has no oneof "{oneof_group}" field.')
        return self._kind

    def HasField(self, field_name: str) -> bool:  # noqa: N802 - protobuf's name
        """Whether ``field_name`` (one of the lists, or ``"kind"``) is set."""
        if field_name == "kind":
            return self._kind is not None
        if field_name not in _KINDS:
            raise ValueError(f'Protocol message Feature has no field "{field_name}".')
        return self._kind == field_name

    def __eq__(self, other) -> bool:
        if not isinstance(other, Feature) or self._kind != other._kind:
            return False
        return self._kind is None or self._lists[self._kind] == other._lists[self._kind]

    def _copy_from(self, other: "Feature") -> None:
        self._lists, self._kind = {}, None
        if other._kind is not None:
            self._adopt(other._kind, other._lists[other._kind])

    def _encode(self, deterministic: bool) -> bytes:
        if self._kind is None:
            return b""
        return length_delimited(_KINDS[self._kind][0], self._lists[self._kind]._encode())

    @classmethod
    def _decode(cls, data: bytes) -> "Feature":
        out = cls()
        by_number = {number: name for name, (number, _) in _KINDS.items()}
        for number, wire, value in fields(data, "Feature"):
            if number in by_number:
                if wire != LENGTH_DELIMITED:
                    raise DataLossError(f"Could not parse `serialized` as Feature: {by_number[number]} with wire "
                                        f"type {wire}.")
                name = by_number[number]
                out._adopt(name, _KINDS[name][1]._decode(value))  # type: ignore[arg-type]
        return out

    def _text(self, indent: str) -> str:
        if self._kind is None:
            return ""
        return f"{indent}{self._kind} {{\n{self._lists[self._kind]._text(indent + '  ')}{indent}}}\n"


class _FeatureMap(dict):
    """``Features.feature``: a dict of name -> Feature; a missing name reads as a new empty Feature (protobuf's map)."""

    def __missing__(self, key):
        self[key] = Feature()
        return self[key]

    def __setitem__(self, key, value) -> None:
        if not isinstance(key, str):
            raise TypeError(f"Features.feature: a key must be a str, got {type(key).__name__}.")
        if not isinstance(value, Feature):
            raise TypeError(f"Features.feature[{key!r}]: a value must be a Feature, got {type(value).__name__}.")
        super().__setitem__(key, value)


class Features(_Message):
    """``tf.train.Features(feature={"name": Feature(...), ...})``: an Example's named features."""

    def __init__(self, feature: dict | None = None) -> None:
        self._feature = _FeatureMap()
        for key, value in (feature or {}).items():
            self._feature[key] = value

    @property
    def feature(self) -> dict:
        return self._feature

    def __eq__(self, other) -> bool:
        return isinstance(other, Features) and dict(self._feature) == dict(other._feature)

    def _copy_from(self, other: "Features") -> None:
        self._feature = other._feature

    def _encode(self, deterministic: bool) -> bytes:
        keys = sorted(self._feature) if deterministic else list(self._feature)
        return b"".join(length_delimited(1, length_delimited(1, key.encode("utf-8")) +
                                         length_delimited(2, self._feature[key]._encode(deterministic)))
                        for key in keys)

    @classmethod
    def _decode(cls, data: bytes) -> "Features":
        out = cls()
        for number, wire, entry in fields(data, "Features"):
            if number != 1:
                continue
            if wire != LENGTH_DELIMITED:
                raise DataLossError(f"Could not parse `serialized` as Features: feature entry with wire type {wire}.")
            key, value = b"", Feature()
            for n, w, v in fields(entry, "Features"):  # type: ignore[arg-type]
                if n in (1, 2) and w != LENGTH_DELIMITED:
                    raise DataLossError(f"Could not parse `serialized` as Features: map entry field {n} with wire "
                                        f"type {w}.")
                if n == 1:
                    key = v  # type: ignore[assignment]
                elif n == 2:
                    value = Feature._decode(v)  # type: ignore[arg-type]
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                raise DataLossError(f"Could not parse `serialized` as Features: feature name {key!r} is not "
                                    "UTF-8.") from None
            out._feature[name] = value
        return out

    def _text(self, indent: str) -> str:
        inner = indent + "  "
        return "".join(f'{indent}feature {{\n{inner}key: "{_escape(key.encode("utf-8"))}"\n{inner}value {{\n'
                       f"{value._text(inner + '  ')}{inner}}}\n{indent}}}\n" for key, value in self._feature.items())


class Example(_Message):
    """``tf.train.Example(features=Features(...))``: one record of named features, as stored in TFRecord files.

    ``example.SerializeToString()`` is what ``tf.io.TFRecordWriter`` writes and
    ``tf.io.parse_single_example`` / ``parse_example`` read; ``Example.FromString(data)``
    gives it back (``DataLossError`` when ``data`` is not an Example).
    """

    def __init__(self, features: Features | None = None) -> None:
        if features is not None and not isinstance(features, Features):
            raise TypeError(f"Example: features must be a Features, got {type(features).__name__}.")
        self._features = Features(dict(features.feature)) if features is not None else Features()
        self._has_features = features is not None

    @property
    def features(self) -> Features:
        self._has_features = True  # protobuf marks a message field present once it is touched to be changed
        return self._features

    def HasField(self, field_name: str) -> bool:  # noqa: N802 - protobuf's name
        if field_name != "features":
            raise ValueError(f'Protocol message Example has no field "{field_name}".')
        return self._has_features

    def __eq__(self, other) -> bool:
        return isinstance(other, Example) and self._features == other._features

    def _copy_from(self, other: "Example") -> None:
        self._features, self._has_features = other._features, other._has_features

    def _encode(self, deterministic: bool) -> bytes:
        if not self._has_features:
            return b""
        return length_delimited(1, self._features._encode(deterministic))

    @classmethod
    def _decode(cls, data: bytes) -> "Example":
        out = cls()
        for number, wire, value in fields(data, "Example"):
            if number == 1:
                if wire != LENGTH_DELIMITED:
                    raise DataLossError(f"Could not parse `serialized` as Example: features with wire type {wire}.")
                out._features, out._has_features = Features._decode(value), True  # type: ignore[arg-type]
        return out

    def _text(self, indent: str) -> str:
        if not self._has_features:
            return ""
        return f"{indent}features {{\n{self._features._text(indent + '  ')}{indent}}}\n"


def example_feature_arrays(data: bytes) -> dict[str, tuple[str | None, Any]]:
    """The features of a serialized Example as ``{name: (kind, values)}``.

    ``kind`` is ``"bytes_list"``, ``"float_list"``, ``"int64_list"`` or None (an empty Feature);
    ``values`` a list of bytes, a float32 array or an int64 array. What ``tf.io.parse_example`` reads.
    """
    features = Example._decode(_raw(data))._features._feature
    out: dict[str, tuple[str | None, Any]] = {}
    for name, feature in features.items():
        kind = feature._kind
        if kind is None:
            out[name] = (None, [])
        else:
            values = list(feature._lists[kind]._value)
            out[name] = (kind, values if kind == "bytes_list" else
                         np.asarray(values, dtype=np.float32 if kind == "float_list" else np.int64))
    return out

