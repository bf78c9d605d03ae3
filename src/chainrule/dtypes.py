"""TensorFlow-style dtype objects (``chainrule.float32`` prints as ``<dtype: 'float32'>``).

A :class:`DType` compares equal to itself, to its name (``'float32'``) and to
the numpy dtype it stands for, and numpy accepts it wherever a dtype is
expected (``np.zeros(3, dtype=chainrule.float32)``) through its ``dtype``
attribute.
"""
from __future__ import annotations

import builtins
from typing import Any, Union

from ._missing import missing_attribute as _missing_attribute
import numpy as np

#: What a ``dtype=`` argument accepts: a :class:`DType`, a numpy dtype or scalar type, or a name ("float32").
DTypeLike = Union["DType", np.dtype, type, str]


class DType:
    """A tensor element type: ``name``, ``as_numpy_dtype``, ``is_floating``, ``is_integer``."""

    __slots__ = ("name", "_np")

    def __init__(self, name: str, np_dtype: Any) -> None:
        self.name = name
        self._np = np.dtype(np_dtype)

    @property
    def as_numpy_dtype(self) -> Any:
        """The numpy scalar type (``numpy.float32`` for ``float32``)."""
        return self._np.type

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype; lets numpy accept a DType as ``dtype=``."""
        return self._np

    @property
    def is_floating(self) -> builtins.bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> builtins.bool:
        return self._np.kind in "iu"

    @property
    def is_bool(self) -> builtins.bool:
        return self._np.kind == "b"

    @property
    def is_complex(self) -> builtins.bool:
        return self._np.kind == "c"

    @property
    def min(self) -> Any:
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self) -> Any:
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def __repr__(self) -> str:
        return f"<dtype: {self.name!r}>"

    def __eq__(self, other: Any) -> builtins.bool:
        if isinstance(other, DType):
            return self.name == other.name
        try:
            return self is as_dtype(other)
        except (TypeError, ValueError):
            return False

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self) -> Any:
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
half, double = float16, float64
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001 - TensorFlow's public name
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
# Strings are stored as numpy bytes arrays, printed as TF prints them ([b'Hello']).
string = DType("string", np.object_)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
        uint64, bool, complex64, complex128, string]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "double": float64, "float": float32, "int": int32,
                 "str": string, "bytes": string})
_BY_NUMPY = {d._np: d for d in _ALL if d is not string}


# TensorFlow's DataType enum (types.proto), which tf.as_dtype accepts as plain ints.
_BY_ENUM = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string", 8: "complex64",
            9: "int64", 10: "bool", 17: "uint16", 18: "complex128", 19: "float16", 22: "uint32", 23: "uint64"}


def as_dtype(value: Any) -> DType:
    """Return the :class:`DType` for a DType, name, numpy dtype, Python/numpy type or TensorFlow enum number.

    Raises ``TypeError`` naming the value when it is not a known element type.
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    if type(value) is int and value in _BY_ENUM:  # TensorFlow's DataType numbers: tf.zeros(1, 1) is float32
        return _BY_NAME[_BY_ENUM[value]]
    if value is str or value is bytes:
        return string
    try:
        npd = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert {value!r} to a chainrule dtype; use one of "
                        f"{sorted(_BY_NAME)}.") from None
    if npd.kind in "SUO":
        return string
    if npd in _BY_NUMPY:
        return _BY_NUMPY[npd]
    raise TypeError(f"Unsupported dtype {npd} (no chainrule equivalent).")

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
