"""Argument and input checks shared by the convolution, pooling, reshaping and image layers.

tf.keras's ``conv_utils`` rules: an int or a tuple of ``n`` ints for sizes and strides, ``data_format``
``None`` meaning ``keras.backend.image_data_format()``, padding names lower-cased. Inputs are checked
against the rank a layer needs, and a wrong rank gets a message naming the layer, the rank expected
and the usual fix (a missing channels axis).
"""
from __future__ import annotations

import numbers
from typing import Any

from ... import backend as _backend

_SPATIAL_NAMES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def normalize_tuple(value, n: int, name: str, owner: str, allow_zero: bool = False) -> tuple:
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` ints; ``ValueError`` naming ``owner`` otherwise.

    Every entry must be >= 1 (>= 0 with ``allow_zero``), as in tf.keras.
    """
    out: Any
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            out = None
        if out is None or len(out) != n or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                                               for v in out):
            raise ValueError(f"{owner}: the `{name}` argument must be an integer or a tuple of {n} integers, "
                             f"received {name}={value!r}.")
        out = tuple(int(v) for v in out)
    low = 0 if allow_zero else 1
    if any(v < low for v in out):
        what = "non-negative" if allow_zero else "positive (>= 1)"
        raise ValueError(f"{owner}: every entry of `{name}` must be {what}, received {name}={value!r}.")
    return out


def normalize_data_format(value, owner: str) -> str:
    """``None`` -> ``keras.backend.image_data_format()``; otherwise 'channels_last' or 'channels_first'."""
    if value is None:
        return _backend.image_data_format()
    fmt = str(value).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"{owner}: data_format must be 'channels_last' or 'channels_first', got {value!r}.")
    return fmt


def normalize_padding(value, owner: str, allowed=("valid", "same")) -> str:
    """The padding name lower-cased; ``ValueError`` unless it is one of ``allowed``."""
    name = value.lower() if isinstance(value, str) else value
    if name not in allowed:
        raise ValueError(f"{owner}: padding must be one of {', '.join(map(repr, allowed))}, got {value!r}.")
    return name


def normalize_pairs(value, n: int, name: str, owner: str) -> tuple:
    """Padding/cropping amounts as ``n`` ``(before, after)`` pairs (tf.keras's ZeroPadding/Cropping rule).

    An int means that amount on every side; otherwise one entry per spatial axis, each an int (both
    sides) or a pair.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{owner}: `{name}` must be non-negative, received {name}={value!r}.")
        return ((int(value), int(value)),) * n
    try:
        entries = list(value)
    except TypeError:
        entries = None
    if entries is None or len(entries) != n:
        raise ValueError(f"{owner}: `{name}` should be an int, a tuple of {n} ints or a tuple of {n} tuples of "
                         f"2 ints ((before, after) per spatial axis), received {name}={value!r}.")
    return tuple(normalize_tuple(e, 2, f"entry {i} of {name}", owner, allow_zero=True)
                 for i, e in enumerate(entries))


def spatial_layout(rank: int, data_format: str) -> str:
    """``'(batch, height, width, channels)'`` for rank 2, channels_last."""
    names = _SPATIAL_NAMES.get(rank, tuple(f"dim{i + 1}" for i in range(rank)))
    axes = ("batch",) + (names + ("channels",) if data_format == "channels_last" else ("channels",) + names)
    return "(" + ", ".join(axes) + ")"


def check_input_rank(layer, shape, rank: int, data_format: str = "channels_last", exact: bool = True) -> None:
    """``ValueError`` when ``shape`` (batch axis included) is not the ``rank + 2`` dimensions ``layer`` needs.

    ``exact=False`` accepts extra leading batch axes (tf.keras's ``min_ndim``). The message names the
    layer, the rank and layout expected, the shape received and, for a missing channels axis, the fix.
    """
    shape = tuple(shape)
    need = rank + 2
    if len(shape) == need or (not exact and len(shape) > need):
        return
    kind = type(layer).__name__
    expected = f"{'' if exact else 'at least '}rank {need} {spatial_layout(rank, data_format)}"
    msg = (f"{kind} {layer.name!r}: expected input of {expected} with data_format={data_format!r}, but received "
           f"input of shape {shape} (rank {len(shape)}).")
    if len(shape) == need - 1:
        dims = tuple(shape[1:])
        with_channel = dims + (1,) if data_format == "channels_last" else (1,) + dims
        axis = -1 if data_format == "channels_last" else 1
        msg += (f" The samples seem to have no channels axis: add one of size 1, e.g. `np.expand_dims(x, {axis})` "
                f"(or `x[..., np.newaxis]`) on the data, or declare `Input(shape={with_channel})` / put "
                f"`Reshape({with_channel})` first in the model.")
    elif len(shape) < need:
        msg += f" Each sample must have {rank} spatial axes and a channels axis."
    raise ValueError(msg)


def channel_axis(data_format: str, ndim: int) -> int:
    """The (non-negative) index of the channels axis."""
    return ndim - 1 if data_format == "channels_last" else 1


def check_channels(layer, shape, data_format: str, expected: int) -> None:
    """``ValueError`` when a built layer is called on inputs with another number of channels."""
    got = shape[channel_axis(data_format, len(shape))]
    if got is not None and int(got) != expected:
        axis = -1 if data_format == "channels_last" else 1
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: expected axis {axis} of the input shape to have "
                         f"value {expected} (the layer was built for {expected} channels), but received input of "
                         f"shape {tuple(shape)}.")


def defined_channels(layer, shape, data_format: str) -> int:
    """The number of input channels; ``ValueError`` when that axis is ``None``."""
    axis = channel_axis(data_format, len(shape))
    value = shape[axis]
    if value is None:
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: the channel dimension of the inputs should be "
                         f"defined; the input shape received is {tuple(shape)}, where axis {axis} (0-based) is "
                         f"the channel dimension, which was found to be None.")
    return int(value)


def spatial_axes(rank: int, data_format: str) -> tuple:
    """Indices of the spatial axes in a ``rank + 2`` dimensional input."""
    return tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))
