"""TensorFlow's ``TensorProto`` wire format, written and read by hand (no protobuf package needed).

The subset ``tf.io.serialize_tensor`` produces: field 1 ``dtype`` (enum), field 2
``tensor_shape`` (``TensorShapeProto``: repeated field 2 ``dim`` with field 1
``size``), field 4 ``tensor_content`` (the raw little-endian numbers) and field
8 ``string_val`` (one per string). Reading also accepts the typed repeated
fields (``float_val`` ...) other writers use.
"""
from __future__ import annotations

import numpy as np

from ..errors import DataLossError
from ._protowire import field_key as _field
from ._protowire import fields, read_varint
from ._protowire import length_delimited as _length_delimited
from ._protowire import varint as _varint

# TensorFlow's DataType enum values.
_DT: dict[np.dtype, int] = {
       np.dtype(np.float32): 1, np.dtype(np.float64): 2, np.dtype(np.int32): 3, np.dtype(np.uint8): 4,
       np.dtype(np.int16): 5, np.dtype(np.int8): 6, np.dtype(np.complex64): 8, np.dtype(np.int64): 9,
       np.dtype(np.bool_): 10, np.dtype(np.uint16): 17, np.dtype(np.complex128): 18, np.dtype(np.float16): 19,
       np.dtype(np.uint32): 22, np.dtype(np.uint64): 23}
_NP: dict[int, np.dtype] = {v: k for k, v in _DT.items()}
_DT_STRING = 7


def serialize_tensor_proto(array: np.ndarray) -> bytes:
    """The TensorProto bytes of ``array`` (byte for byte what TensorFlow writes)."""
    array = np.asarray(array)
    is_string = array.dtype.kind in "SOU"
    if not is_string and array.dtype not in _DT:
        raise TypeError(f"serialize_tensor: dtype {array.dtype} has no TensorFlow equivalent.")
    out = _field(1, 0) + _varint(_DT_STRING if is_string else _DT[array.dtype])
    shape = b"".join(_length_delimited(2, (_field(1, 0) + _varint(d)) if d else b"") for d in array.shape)
    out += _length_delimited(2, shape)
    if is_string:
        for item in array.ravel():
            data = item.encode("utf-8") if isinstance(item, str) else bytes(item)
            out += _length_delimited(8, data)
    elif array.size:
        out += _length_delimited(4, np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    return out


def _fields(data: bytes):
    return fields(data, "TensorProto")


def parse_tensor_proto(data: bytes) -> np.ndarray:
    """The array in TensorProto bytes; ``DataLossError`` when they are not one."""
    dtype_code, dims, content, strings, typed = None, [], None, [], []
    for number, wire, value in _fields(bytes(data)):
        if number == 1 and wire == 0:
            dtype_code = value
        elif number == 2 and wire == 2:
            for n, _, dim in _fields(value):
                if n == 2:
                    size = 0
                    for n2, _, v2 in _fields(dim):
                        if n2 == 1:
                            size = v2
                    dims.append(size)
        elif number == 4:
            content = value
        elif number == 8:
            strings.append(value)
        elif number in (5, 6, 7, 10, 11, 13):  # float_val, double_val, int_val, int64_val, bool_val, half_val
            typed.append((number, wire, value))
    if dtype_code is None:
        raise DataLossError("Could not parse `serialized` as TensorProto.")
    shape = tuple(dims)
    if dtype_code == _DT_STRING:
        out = np.empty(len(strings), dtype=object)
        out[:] = strings
        return out.reshape(shape)
    if dtype_code not in _NP:
        raise DataLossError(f"Could not parse `serialized` as TensorProto: unsupported dtype code {dtype_code}.")
    dtype = _NP[dtype_code]
    count = int(np.prod(shape, dtype=np.int64))
    if content is not None:
        return np.frombuffer(content, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)
    values = _typed_values(typed, dtype)
    if not values.size:
        return np.zeros(shape, dtype=dtype)
    return np.broadcast_to(values[-1], shape).copy() if values.size < count else values[:count].reshape(shape)


def _typed_values(typed, dtype) -> np.ndarray:
    out: list = []
    for number, wire, value in typed:
        if wire == 2:  # packed
            if number == 5:
                out.extend(np.frombuffer(value, dtype="<f4"))
            elif number == 6:
                out.extend(np.frombuffer(value, dtype="<f8"))
            else:
                pos = 0
                while pos < len(value):
                    v, pos = read_varint(value, pos, "TensorProto")
                    out.append(v)
        elif wire == 5:
            out.append(np.frombuffer(value, dtype="<f4")[0])
        elif wire == 1:
            out.append(np.frombuffer(value, dtype="<f8")[0])
        else:
            out.append(value)
    arr = np.asarray(out)
    if dtype == np.float16 and arr.dtype.kind in "iu":
        return arr.astype(np.uint16).view(np.float16)
    if dtype.kind == "i" and arr.size:
        arr = arr.astype(np.uint64).view(np.int64)
    return arr.astype(dtype)
