"""``chainrule.print``: TensorFlow's ``tf.print``, with TensorFlow's formatting of tensors.

TensorFlow formats a tensor without column alignment, floats with 6
significant digits when that reads back as the same float (9 for float32, 17
for float64 otherwise), bools as 1/0, strings in double quotes, and, by default
(``summarize=3``), only the first and last 3 entries of each axis longer than 6.

The print is an op: inside a ``chainrule.function`` it runs on every call
(Python's ``print`` runs only while tracing), as ``tf.print`` does.
"""
from __future__ import annotations

import sys

import numpy as np

from . import ops as _ops
from .tensor import Tensor, apply_op


def _format_float(value, dtype) -> str:
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    as_type = np.float64 if dtype == np.float64 else np.float32
    short = "%.6g" % value if dtype != np.float64 else "%.15g" % value
    if as_type(float(short)) == as_type(value):
        return short
    return "%.9g" % value if dtype != np.float64 else "%.17g" % value


def _format_scalar(value, dtype) -> str:
    if dtype.kind == "f":
        return _format_float(float(value), dtype)
    if dtype.kind == "b":
        return "1" if value else "0"
    if dtype.kind in "SO":
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return '"' + text + '"'
    if dtype.kind == "c":
        return str(complex(value))
    return str(int(value))


def format_tensor(array: np.ndarray, summarize=3) -> str:
    """``array`` as ``tf.print`` writes it; ``summarize`` entries kept at each end of long axes (None/-1: all)."""
    limit = None if summarize is None or summarize < 0 else int(summarize)
    return _format(np.asarray(array), limit, 0)


def _format(a, limit, depth) -> str:
    if a.ndim == 0:
        return _format_scalar(a[()], a.dtype)
    n = a.shape[0]
    cut = limit is not None and n > 2 * limit
    indices = list(range(limit)) + [None] + list(range(n - limit, n)) if cut else list(range(n))
    if a.ndim == 1:
        return "[" + " ".join("..." if i is None else _format_scalar(a[i], a.dtype) for i in indices) + "]"
    separator = "\n" * (a.ndim - 1) + " " * (depth + 1)
    parts = ["..." if i is None else _format(a[i], limit, depth + 1) for i in indices]
    return "[" + separator.join(parts) + "]"


def _format_value(value, summarize) -> str:
    if isinstance(value, Tensor):
        return format_tensor(value._value, summarize)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_format_value(v, summarize)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v, summarize) for v in value) + "]"
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        inner = ", ".join(_format_value(v, summarize) for v in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, np.ndarray):
        return repr(value)
    return str(value)


def _has_tensor(value) -> bool:
    if isinstance(value, Tensor):
        return True
    if isinstance(value, dict):
        return any(_has_tensor(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    return False


def _tensors_in(value, out):
    if isinstance(value, Tensor):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _tensors_in(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _tensors_in(v, out)
    return out


def _rebuild(value, arrays):
    """``value`` with each Tensor replaced by the next array of ``arrays`` (as Tensors)."""
    if isinstance(value, Tensor):
        return Tensor(next(arrays))
    if isinstance(value, dict):
        return {k: _rebuild(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebuild(v, arrays) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_rebuild(v, arrays) for v in value)
    return value


def _write(stream, text, end):
    if isinstance(stream, str):
        if not stream.startswith("file://"):
            raise ValueError(f"print: output_stream must be sys.stdout, sys.stderr, a logging function or a "
                             f"'file://<path>' string, got {stream!r}.")
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text + end)
    elif callable(stream) and not hasattr(stream, "write"):  # logging.info and friends
        stream(text)
    else:
        stream.write(text + end)
        if hasattr(stream, "flush"):
            stream.flush()


def print(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):  # noqa: A001
    """Print ``inputs`` (tensors, numbers, strings, lists/dicts of them) the way ``tf.print`` does.

    ``output_stream``: ``sys.stderr`` (the default, as TensorFlow), ``sys.stdout``, a logging
    function, or ``'file://<path>'`` (appended to). ``summarize``: how many entries to show at
    each end of an axis (default 3; -1 or None shows everything). Returns None.
    """
    stream = output_stream

    def emit(*arrays):
        it = iter(arrays)
        values = [_rebuild(v, it) if _has_tensor(v) else v for v in inputs]
        text = sep.join(_format_value(v, summarize) for v in values)
        _write(sys.stderr if stream is None else stream, text, end)
        return np.zeros((), dtype=np.float32)

    tensors = []
    for v in inputs:
        _tensors_in(v, tensors)
    apply_op(_ops.NoGradient(emit), *tensors)
    return None
