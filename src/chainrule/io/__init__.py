"""``chainrule.io``: TensorFlow's ``tf.io`` for what needs no graph: files, tensor (de)serialization, CSV, images.

* ``serialize_tensor`` / ``parse_tensor`` write and read TensorFlow's own
  ``TensorProto`` bytes (the same bytes ``tf.io.serialize_tensor`` gives), encoded
  here by hand so that no protobuf package is needed.
* ``read_file`` / ``write_file``, ``decode_raw``, ``decode_csv``, ``encode/decode_base64``.
* ``encode_png`` / ``decode_png`` / ``encode_jpeg`` / ``decode_jpeg`` / ``decode_image``
  use Pillow (``pip install pillow``) and say so when it is missing.
* ``gfile``: the local file system (:mod:`chainrule.io.gfile`).
* ``parse_single_example`` / ``parse_example`` with ``FixedLenFeature`` / ``VarLenFeature`` read
  serialized ``tf.train.Example`` records (:mod:`chainrule.io.parsing`, :mod:`chainrule.io.example_proto`).
"""
from __future__ import annotations

from .._missing import missing_attribute as _missing_attribute
import base64
from typing import Any
import csv
import io as _pyio

import numpy as np

from .. import dtypes as _dtypes
from .. import ops as _ops
from .._tape_stack import note_value_read
from ..errors import InvalidArgumentError, NotFoundError
from ..strings import bytes_array
from ..tensor import Tensor, apply_op, as_tensor
from . import _jpeg, gfile  # noqa: F401
from .tfrecord import TFRecordOptions, TFRecordWriter  # noqa: F401
from .parsing import FixedLenFeature, VarLenFeature, parse_example, parse_single_example  # noqa: F401
from ._tensor_proto import parse_tensor_proto, serialize_tensor_proto


def _one_bytes(x) -> bytes:
    """A scalar string tensor (or str/bytes) as bytes."""
    if isinstance(x, Tensor):
        v = x._value
        if v.size != 1:
            raise InvalidArgumentError(f"expected a scalar string, got a tensor of shape {x.shape}.")
        x = v.reshape(())[()]
    if isinstance(x, str):
        return x.encode("utf-8")
    return bytes(x)


def _bytes_op(fn, *tensors):
    """``fn`` on the scalar strings of ``tensors`` as an op (so a traced function repeats it); returns bytes."""
    def run(*arrays):
        return bytes_array([fn(*[a.reshape(())[()] for a in arrays])], ())
    return apply_op(_ops.NoGradient(run), *[t if isinstance(t, Tensor) else Tensor(bytes_array([_one_bytes(t)], ()))
                                            for t in tensors])


# ----------------------------------------------------------------------------- files

def read_file(filename, name=None) -> Tensor:
    """The whole content of a local file as a scalar string tensor; ``NotFoundError`` when it does not exist."""
    def read(path):
        path = path.decode("utf-8") if isinstance(path, bytes) else path
        try:
            with open(gfile._local(path), "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise NotFoundError(f"{path}; No such file or directory [Op:ReadFile]") from None
    return _bytes_op(read, filename)


def write_file(filename, contents, name=None) -> None:
    """Write the scalar string ``contents`` to a local file (creating or replacing it)."""
    def write(path, data):
        path = path.decode("utf-8") if isinstance(path, bytes) else path
        with open(gfile._local(path), "wb") as f:
            f.write(data if isinstance(data, bytes) else str(data).encode("utf-8"))
        return b""
    _bytes_op(write, filename, contents)


def matching_files(pattern, name=None) -> Tensor:
    """The sorted paths matching a shell pattern, as a 1-D string tensor."""
    return Tensor(bytes_array(gfile.glob(_one_bytes(pattern).decode("utf-8"))))


# ----------------------------------------------------------------------------- serialization

def serialize_tensor(tensor, name=None) -> Tensor:
    """``tensor`` as the bytes of a TensorFlow ``TensorProto`` (a scalar string tensor)."""
    t = as_tensor(tensor)
    return apply_op(_ops.NoGradient(lambda v: bytes_array([serialize_tensor_proto(v)], ())), t)


def parse_tensor(serialized, out_type, name=None) -> Tensor:
    """The tensor in ``serialized`` (from ``serialize_tensor``); its dtype must be ``out_type``.

    Raises ``InvalidArgumentError`` on a dtype mismatch and ``DataLossError`` on bytes that
    are not a TensorProto.
    """
    want = _dtypes.as_dtype(out_type)
    t = serialized if isinstance(serialized, Tensor) else Tensor(bytes_array([_one_bytes(serialized)], ()))

    def parse(v):
        arr = parse_tensor_proto(v.reshape(())[()])
        got = _dtypes.as_dtype(arr.dtype)
        if got != want:
            names = {"float32": "float", "float64": "double"}
            raise InvalidArgumentError(f"Type mismatch between parsed tensor ({names.get(got.name, got.name)}) and "
                                       f"dtype ({names.get(want.name, want.name)}) [Op:ParseTensor]")
        return arr
    return apply_op(_ops.NoGradient(parse), t)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None) -> Tensor:
    """The bytes of each string reinterpreted as numbers of ``out_type``:
    ``decode_raw("Duck", uint8)`` -> ``[68 117 99 107]``."""
    dt = np.dtype(_dtypes.as_dtype(out_type).dtype).newbyteorder("<" if little_endian else ">")
    t = as_tensor(input_bytes)
    note_value_read(t)
    v = t._value
    rows = [np.frombuffer(b if isinstance(b, bytes) else bytes(b), dtype=dt).astype(dt.newbyteorder("="))
            for b in v.ravel()]
    if v.ndim == 0:
        return Tensor(rows[0])
    if len({len(r) for r in rows}) > 1:
        raise InvalidArgumentError("DecodeRaw requires input strings to all be the same size.")
    return Tensor(np.stack(rows).reshape(v.shape + (-1,)))


def encode_base64(input, pad=False, name=None) -> Tensor:  # noqa: A002
    """Web-safe base64 of each string (``-`` and ``_``; no ``=`` padding unless ``pad``)."""
    def enc(b):
        out = base64.urlsafe_b64encode(b)
        return out if pad else out.rstrip(b"=")
    t = as_tensor(input)
    return apply_op(_ops.NoGradient(lambda v: bytes_array([enc(b) for b in v.ravel()], v.shape)), t)


def decode_base64(input, name=None) -> Tensor:  # noqa: A002
    """The bytes of each web-safe base64 string (padding optional)."""
    def dec(b):
        return base64.urlsafe_b64decode(b + b"=" * (-len(b) % 4))
    t = as_tensor(input)
    return apply_op(_ops.NoGradient(lambda v: bytes_array([dec(b) for b in v.ravel()], v.shape)), t)


# ----------------------------------------------------------------------------- CSV

def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None) -> list:
    """Parse CSV lines into one tensor per column, each of ``records``' shape.

    ``record_defaults``: one entry per (selected) column, a value or a 1-element list giving
    the column's type and its default for empty fields (int -> int32, float -> float32,
    str -> string), or an empty list/tensor for a required column (an empty field then
    raises ``InvalidArgumentError``). ``select_cols`` picks columns by index.
    """
    t = as_tensor(records)
    note_value_read(t)
    lines = [b.decode("utf-8") if isinstance(b, bytes) else str(b) for b in t._value.ravel()]
    specs = []  # (default, required, dtype of the column or None for strings)
    for d in record_defaults:
        dtype: Any = "from the value"
        if isinstance(d, (Tensor, np.ndarray)):
            arr = d._value if isinstance(d, Tensor) else d
            dtype = None if arr.dtype.kind in "SUO" else arr.dtype
            d = arr.tolist() if arr.ndim else [arr.item()]
        if isinstance(d, (list, tuple)):
            if not d:  # a required column; an empty tensor names its type (a bare [] is float32, as in TF)
                dtype = np.dtype(np.float32) if dtype == "from the value" else dtype
                specs.append((b"" if dtype is None else dtype.type(0).item(), True, dtype))
                continue
            d = d[0]
        if dtype == "from the value":
            dtype = (np.dtype(bool) if isinstance(d, bool) else np.dtype(np.int32) if isinstance(d, int)
                     else np.dtype(np.float32) if isinstance(d, float) else None)
        specs.append((d, False, dtype))
    columns: list[list] = [[] for _ in specs]
    reader = csv.reader(lines, delimiter=field_delim, quoting=csv.QUOTE_MINIMAL if use_quote_delim else
                        csv.QUOTE_NONE)
    for row_number, row in enumerate(reader):
        fields = [row[i] if i < len(row) else "" for i in select_cols] if select_cols is not None else row
        if len(fields) != len(specs):
            raise InvalidArgumentError(f"Expect {len(specs)} fields but have {len(fields)} in record {row_number}")
        for j, (field, (default, required, _)) in enumerate(zip(fields, specs)):
            if field == "" or field == na_value:
                if required:
                    raise InvalidArgumentError(f"Field {j} is required but missing in record {row_number}!")
                columns[j].append(default)
            else:
                columns[j].append(_parse_field(field, default, j, row_number))
    out = []
    for (_, _, dtype), values in zip(specs, columns):
        if dtype is None:
            out.append(Tensor(bytes_array(values, t._value.shape)))
        else:
            out.append(Tensor(np.asarray(values, dtype=dtype).reshape(t._value.shape)))
    return out


def _parse_field(field, default, column, row):
    try:
        if isinstance(default, bool):
            return field.strip().lower() in ("true", "1")
        if isinstance(default, int):
            return int(field)
        if isinstance(default, float):
            return float(field)
    except ValueError:
        kind = "int" if isinstance(default, int) else "float"
        raise InvalidArgumentError(f"Field {column} in record {row} is not a valid {kind}: {field}") from None
    return field.encode("utf-8")


# ----------------------------------------------------------------------------- images (Pillow)

def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("chainrule.io's image functions need Pillow: pip install pillow") from None
    return Image


def decode_image(contents, channels=None, dtype=_dtypes.uint8, name=None, expand_animations=True) -> Tensor:
    """A PNG/JPEG/GIF/BMP image as ``[height, width, channels]`` uint8 (or ``dtype`` scaled to [0, 1] for floats).

    A JPEG's pixels are TensorFlow's (its fast integer DCT and fancy chroma upsampling, ``io/_jpeg.py``).

    ``channels``: 1 (grey), 3 (RGB) or 4 (RGBA) to convert, None/0 to keep the file's. Raises
    ``InvalidArgumentError`` for bytes that are not an image.
    """
    image_module = _pillow()
    data = _one_bytes(contents)
    try:
        arr = _jpeg.decoded_pixels(lambda: image_module.open(_pyio.BytesIO(data)), channels)
    except Exception as e:
        raise InvalidArgumentError(f"decode_image: the contents are not a known image format ({e}).") from None
    target = _dtypes.as_dtype(dtype)
    if target.is_floating:
        return Tensor((arr / 255.0).astype(target.dtype))
    return Tensor(arr.astype(target.dtype))


def decode_png(contents, channels=0, dtype=_dtypes.uint8, name=None) -> Tensor:
    """A PNG as ``[height, width, channels]`` uint8 (see ``decode_image``)."""
    return decode_image(contents, channels=channels, dtype=dtype)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None) -> Tensor:
    """A JPEG as ``[height, width, channels]`` uint8 (see ``decode_image``)."""
    return decode_image(contents, channels=channels)


def _encode(image, fmt, **save_args) -> Tensor:
    image_module = _pillow()
    arr = np.asarray(as_tensor(image)._value)
    if arr.ndim != 3 or arr.shape[-1] not in (1, 3, 4):
        raise InvalidArgumentError(f"image must be 3-dimensional [height, width, channels] with 1, 3 or 4 channels, "
                                   f"got shape {list(arr.shape)}")
    if arr.dtype != np.uint8:
        raise InvalidArgumentError(f"encode_{fmt.lower()}: the image must be uint8, got {arr.dtype}; scale and cast "
                                   "it first.")
    pil = image_module.fromarray(arr[..., 0] if arr.shape[-1] == 1 else arr)
    buffer = _pyio.BytesIO()
    pil.save(buffer, format=fmt, **save_args)
    return Tensor(bytes_array([buffer.getvalue()], ()))


def encode_png(image, compression=-1, name=None) -> Tensor:
    """A uint8 image ``[height, width, channels]`` as PNG bytes (a scalar string tensor)."""
    return _encode(image, "PNG", **({} if compression < 0 else {"compress_level": int(compression)}))


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False, chroma_downsampling=True,  # noqa: A002
                density_unit="in", x_density=300, y_density=300, xmp_metadata="", name=None) -> Tensor:
    """A uint8 image ``[height, width, 1 or 3]`` as JPEG bytes (``quality`` 0-100)."""
    return _encode(image, "JPEG", quality=int(quality))


__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
