"""Integer arguments (sizes, shapes, axes, counts, indices) taken as TensorFlow takes them: never truncated.

TensorFlow converts such an argument to an int32/int64 tensor, and a float (2.5, and even 2.0)
or a string is refused: ``TypeError: Cannot convert 2.5 to EagerTensor of dtype int32`` where
a Python argument is converted, ``InvalidArgumentError: Value for attr 'Tshape' of float is not
in the list of allowed values: int32, int64`` where it becomes an op's input. ``int(2.5)``
would silently give 2; these helpers raise the error TensorFlow raises instead.

Accepted: Python ints (and bools, as TensorFlow does), numpy integer scalars and arrays,
integer Tensors; ``None`` inside a shape (an unknown size) is kept.
"""
from __future__ import annotations

import numbers

import numpy as np

from .errors import InvalidArgumentError


def _raw(value):
    """The array of a Tensor (duck-typed: tensor.py is a higher floor), of a numpy value, else None."""
    raw = getattr(value, "_value", None)
    if isinstance(raw, np.ndarray):
        return raw
    return np.asarray(value) if isinstance(value, (np.ndarray, np.generic)) else None


def _as_int(value):
    """``int(value)`` for an integer scalar, None for anything else."""
    if isinstance(value, numbers.Integral):
        return int(value)
    arr = _raw(value)
    if arr is not None and arr.ndim == 0 and arr.dtype.kind in "iub":
        return int(arr[()])
    return None


def _float_hint(value) -> str:
    return f" such as {int(value)}" if isinstance(value, float) and np.isfinite(value) else ""


def integer(value, what: str, op_name: str, dtype: str = "int32") -> int:
    """``value`` as a Python int; TensorFlow's ``TypeError`` for a float, a string or anything else."""
    out = _as_int(value)
    if out is None:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype}: {op_name}'s {what} must be an "
                        f"integer, got {type(value).__name__}. TensorFlow does not truncate it; pass an int"
                        f"{_float_hint(value)}.")
    return out


def integers(values, what: str, op_name: str, attr: str = "T", error=InvalidArgumentError) -> tuple:
    """``values`` (a scalar, a list/tuple, a 1-D array or Tensor, a TensorShape) as a tuple of ints.

    Not integers: ``InvalidArgumentError`` with TensorFlow's words (``error=TypeError`` for the
    functions where TensorFlow raises that, e.g. ``zeros([2.5])``).
    """
    if hasattr(values, "as_list"):  # a TensorShape
        values = values.as_list()
    if isinstance(values, (list, tuple)):
        out = [None if v is None else _as_int(v) for v in values]
        bad = [v for v, o in zip(values, out) if v is not None and o is None]
    else:
        single = _as_int(values)
        arr = _raw(values)
        if single is not None:
            return (single,)
        if arr is not None and arr.ndim == 1 and arr.dtype.kind in "iub":
            return tuple(int(v) for v in arr)
        out, bad = [], [values]
    if not bad:
        return tuple(out)
    kind = "float" if all(isinstance(b, (float, np.floating)) or getattr(_raw(b), "dtype", np.dtype("O")).kind == "f"
                          for b in bad) else type(bad[0]).__name__
    if error is TypeError:
        raise TypeError(f"Cannot convert {values!r} to EagerTensor of dtype int32: {op_name}'s {what} must be "
                        f"integers, found {bad[0]!r}. TensorFlow does not truncate it; pass ints.")
    raise error(f"Value for attr '{attr}' of {kind} is not in the list of allowed values: int32, int64 "
                f"[Op:{op_name}]: {what} must be integers, found {bad[0]!r} in {values!r}.")
