"""``tf.nn``'s functional convolutions and pooling: TensorFlow's signatures on chainrule's ops.

Each function translates TensorFlow's arguments (``strides``/``ksize``/``dilations`` as an int, one per
spatial axis or one per axis of the input; ``'SAME'``/``'VALID'`` or explicit padding pairs; ``NHWC``-style
``data_format`` strings) into the hyper-parameters of one op of :mod:`chainrule.ops.conv` or
:mod:`chainrule.ops.pooling`, so every gradient is that op's ``backward``. Depth-wise pooling
(``ksize`` pooling the channel axis only, as ``(1, 1, 1, k)``) is the same op over the channels,
seen as the one spatial axis of ``(N * H * W, C, 1)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dispatch
from . import ops as _ops
from .errors import InvalidArgumentError
from .functions import cast, reshape, transpose
from .tensor import Tensor, TensorLike, apply_op, as_tensor

# data_format strings per spatial rank: (channels_last, channels_first)
_FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


def _keras_format(data_format: str | None, rank: int, op_name: str) -> str:
    """TensorFlow's ``data_format`` string -> ``'channels_last'``/``'channels_first'``; ValueError otherwise."""
    if data_format is None:
        return "channels_last"
    fmt = str(data_format).upper()
    if fmt.startswith("N") and fmt.endswith("C") and len(fmt) == rank + 2:
        return "channels_last"
    if fmt.startswith("NC") and len(fmt) == rank + 2:
        return "channels_first"
    raise ValueError(f"{op_name}: data_format must be {' or '.join(repr(f) for f in _FORMATS.get(rank, ()))} for "
                     f"{rank + 2}-D input, got {data_format!r}.")


def _per_axis(value: Any, rank: int, channels_first: bool, what: str, op_name: str) -> tuple[int, ...]:
    """``strides``/``ksize``/``dilations`` as one int per spatial axis (TensorFlow accepts 1, N or N+2 values).

    With N+2 values the batch and channel entries must be 1 (TensorFlow's rule).
    """
    if value is None:
        return (1,) * rank
    values = [int(v) for v in np.ravel(np.asarray(value.numpy() if isinstance(value, Tensor) else value))]
    if len(values) == 1:
        return (values[0],) * rank
    if len(values) == rank:
        return tuple(values)
    if len(values) == rank + 2:
        lead, spatial = (values[:2], values[2:]) if channels_first else ((values[0], values[-1]), values[1:-1])
        if any(v != 1 for v in lead):
            raise InvalidArgumentError(f"{op_name}: {what} in the batch and channel dimensions must be 1, got "
                                       f"{what}={values}.")
        return tuple(spatial)
    raise ValueError(f"{op_name}: {what} must be an int or a list of 1, {rank} or {rank + 2} ints, got {value!r}.")


def _padding(padding: Any, rank: int, channels_first: bool, op_name: str) -> Any:
    """``'SAME'``/``'VALID'`` -> the op's name; explicit pairs (N+2 of them, or N) -> one pair per spatial axis."""
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID"):
            raise ValueError(f"{op_name}: padding must be 'SAME', 'VALID' or explicit (before, after) pairs, "
                             f"got {padding!r}.")
        return padding.lower()
    pairs = [tuple(int(v) for v in p) for p in padding]
    if len(pairs) == rank + 2:
        lead, pairs = (pairs[:2], pairs[2:]) if channels_first else ([pairs[0], pairs[-1]], pairs[1:-1])
        if any(p != (0, 0) for p in lead):
            raise ValueError(f"{op_name}: explicit padding of the batch and channel dimensions must be [0, 0], got "
                             f"{padding!r}.")
    if len(pairs) != rank or any(len(p) != 2 for p in pairs):
        raise ValueError(f"{op_name}: explicit padding must be {rank + 2} (before, after) pairs, got {padding!r}.")
    return tuple(pairs)


def _same_dtype(x: TensorLike, w: TensorLike) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of one float dtype: an array or list takes the dtype of the Tensor beside it."""
    xt, wt = as_tensor(x), as_tensor(w)
    if xt.dtype != wt.dtype:
        if not isinstance(w, Tensor):
            wt = cast(wt, xt.dtype)
        elif not isinstance(x, Tensor):
            xt = cast(xt, wt.dtype)
        else:
            raise InvalidArgumentError(f"cannot compute a convolution of {xt.dtype.name} input with a "
                                       f"{wt.dtype.name} filter; cast one of them.")
    if xt._value.dtype.kind != "f":
        raise InvalidArgumentError(f"convolutions need floating-point input, got {xt.dtype.name}; cast it first.")
    return xt, wt


def _run(op: Any, *tensors: Tensor, op_name: str) -> Tensor:
    """``apply_op`` with the op's shape complaints as TensorFlow's InvalidArgumentError."""
    try:
        return apply_op(op, *tensors)
    except ValueError as err:
        raise InvalidArgumentError(f"{op_name}: {err}") from None


def _rank_of(x: Tensor, rank: int | None, op_name: str) -> int:
    if rank is None:
        rank = x.ndim - 2
    if rank < 1 or x.ndim != rank + 2:
        raise ValueError(f"{op_name}: input must be {rank + 2 if rank else 'at least 3'}-D (batch, *spatial, "
                         f"channels), got shape {tuple(x.shape)}.")
    return rank


def convolution(input: TensorLike, filters: TensorLike, strides: Any = None, padding: Any = "VALID",  # noqa: A002
                data_format: str | None = None, dilations: Any = None, name: str | None = None) -> Tensor:
    """N-d convolution (cross-correlation), ``tf.nn.convolution``: the rank comes from ``filters``.

    Args:
        input: ``(N, *spatial, C_in)`` (``'N...C'``, the default) or ``(N, C_in, *spatial)`` (``'NC...'``).
        filters: ``(*kernel, C_in // groups, C_out)``; ``C_in`` a multiple of the filter's gives a grouped
            convolution.
        strides: an int, or one per spatial axis, or one per input axis (batch and channel ones 1); default 1.
        padding: ``'VALID'`` (default), ``'SAME'`` (TensorFlow's: extra pad at the end) or explicit
            ``[[0, 0], [top, bottom], [left, right], [0, 0]]`` pairs.
        data_format: ``'NWC'``/``'NHWC'``/``'NDHWC'`` (default) or the ``'NC...'`` forms.
        dilations: as ``strides``; default 1.
        name: ignored (TensorFlow's op name).

    Returns:
        ``(N, *out, C_out)`` (or channels first), the dtype of ``input``.

    Raises:
        ValueError: unknown padding or data_format, strides of the wrong length.
        InvalidArgumentError: filter and input that do not fit, non-float input.
    """
    x, w = _same_dtype(input, filters)
    rank = _rank_of(x, w.ndim - 2, "Conv")
    return _conv(x, w, rank, strides, padding, data_format, dilations)


def _conv(x: Tensor, w: Tensor, rank: int, strides: Any, padding: Any, data_format: Any, dilations: Any) -> Tensor:
    op_name = f"Conv{rank}D" if rank > 1 else "Conv1D"
    fmt = _keras_format(data_format, rank, op_name)
    first = fmt == "channels_first"
    cin = x.shape[1] if first else x.shape[-1]
    cin_g = w.shape[-2]
    if cin_g < 1 or cin % cin_g:
        raise InvalidArgumentError(f"{op_name}: input depth {cin} must be a multiple of the filter's input depth "
                                   f"{cin_g} (input {tuple(x.shape)}, filter {tuple(w.shape)}).")
    op = _ops.Conv(strides=_per_axis(strides, rank, first, "strides", op_name),
                   padding=_padding(padding, rank, first, op_name),
                   dilation_rate=_per_axis(dilations, rank, first, "dilations", op_name),
                   groups=cin // cin_g, data_format=fmt)
    return _run(op, x, w, op_name=op_name)


def conv1d(input: TensorLike, filters: TensorLike, stride: Any, padding: Any, data_format: str = "NWC",  # noqa: A002
           dilations: Any = None, name: str | None = None) -> Tensor:
    """1-D convolution, ``tf.nn.conv1d``: ``input (N, W, C_in)``, ``filters (k, C_in, C_out)``.

    Args:
        input: ``(N, W, C_in)`` (``'NWC'``) or ``(N, C_in, W)`` (``'NCW'``).
        filters: ``(k, C_in, C_out)``.
        stride: an int or a list of 1 or 3 ints.
        padding: ``'SAME'``, ``'VALID'`` or explicit pairs.
        data_format: ``'NWC'`` (default) or ``'NCW'``.
        dilations: an int or a list of 1 or 3 ints; default 1.
        name: ignored.

    Returns:
        ``(N, W_out, C_out)``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`convolution`.
    """
    x, w = _same_dtype(input, filters)
    return _conv(x, w, _rank_of(x, 1, "Conv1D"), stride, padding, data_format, dilations)


def conv2d(input: TensorLike, filters: TensorLike, strides: Any, padding: Any, data_format: str = "NHWC",  # noqa: A002
           dilations: Any = None, name: str | None = None) -> Tensor:
    """2-D convolution, ``tf.nn.conv2d``: ``input (N, H, W, C_in)``, ``filters (kh, kw, C_in, C_out)``.

    Args:
        input: ``(N, H, W, C_in)`` (``'NHWC'``) or ``(N, C_in, H, W)`` (``'NCHW'``); a NumPy array takes the
            dtype of a Tensor ``filters`` and the other way round.
        filters: ``(kh, kw, C_in, C_out)``.
        strides: an int or a list of 1, 2 or 4 ints.
        padding: ``'SAME'``, ``'VALID'`` or explicit ``[[0, 0], [t, b], [l, r], [0, 0]]``.
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        dilations: an int or a list of 1, 2 or 4 ints; default 1.
        name: ignored.

    Returns:
        ``(N, H_out, W_out, C_out)``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`convolution`.
    """
    x, w = _same_dtype(input, filters)
    return _conv(x, w, _rank_of(x, 2, "Conv2D"), strides, padding, data_format, dilations)


def conv3d(input: TensorLike, filters: TensorLike, strides: Any, padding: Any, data_format: str = "NDHWC",  # noqa: A002
           dilations: Any = None, name: str | None = None) -> Tensor:
    """3-D convolution, ``tf.nn.conv3d``: ``input (N, D, H, W, C_in)``, ``filters (kd, kh, kw, C_in, C_out)``.

    Args:
        input: ``(N, D, H, W, C_in)`` (``'NDHWC'``) or ``(N, C_in, D, H, W)`` (``'NCDHW'``).
        filters: ``(kd, kh, kw, C_in, C_out)``.
        strides: an int or a list of 1, 3 or 5 ints.
        padding: ``'SAME'``, ``'VALID'`` or explicit pairs.
        data_format: ``'NDHWC'`` (default) or ``'NCDHW'``.
        dilations: an int or a list of 1, 3 or 5 ints; default 1.
        name: ignored.

    Returns:
        ``(N, D_out, H_out, W_out, C_out)``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`convolution`.
    """
    x, w = _same_dtype(input, filters)
    return _conv(x, w, _rank_of(x, 3, "Conv3D"), strides, padding, data_format, dilations)


class _ConvTransposeTo(_ops.ConvTranspose):
    """:class:`~chainrule.ops.ConvTranspose` whose output has the spatial shape the caller names.

    (TensorFlow's transposed convolutions take ``output_shape`` instead of ``output_padding``; the op's
    forward then checks that this shape convolves back to the input.)
    """

    def __init__(self, out_spatial: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.out_spatial = out_spatial

    def output_shape(self, spatial_shape: Any, kernel_size: Any) -> Any:
        return self.out_spatial


def conv_transpose(input: TensorLike, filters: TensorLike, output_shape: Any, strides: Any,  # noqa: A002
                   padding: str = "SAME", data_format: str | None = None, dilations: Any = None,
                   name: str | None = None) -> Tensor:
    """N-d transposed convolution (the input-gradient of :func:`convolution`), ``tf.nn.conv_transpose``.

    Args:
        input: ``(N, *spatial, C_in)`` (or channels first).
        filters: ``(*kernel, C_out, C_in)`` (note: output channels before input channels).
        output_shape: the full output shape ``(N, *out_spatial, C_out)`` (or channels first), a list or
            1-D Tensor; it must convolve back to ``input``'s spatial shape with these strides and padding.
        strides: an int or a list of 1, N or N+2 ints.
        padding: ``'SAME'`` (default) or ``'VALID'``.
        data_format: ``'N...C'`` (default) or ``'NC...'``.
        dilations: as ``strides``; default 1.
        name: ignored.

    Returns:
        A Tensor of ``output_shape``.

    Raises:
        ValueError: a padding other than 'SAME'/'VALID', ``output_shape`` of the wrong length.
        InvalidArgumentError: ``output_shape`` or ``filters`` that do not fit ``input``.
    """
    x, w = _same_dtype(input, filters)
    rank = _rank_of(x, w.ndim - 2, "Conv2DBackpropInput")
    op_name = "conv_transpose"
    fmt = _keras_format(data_format, rank, op_name)
    first = fmt == "channels_first"
    shape = [int(v) for v in np.ravel(output_shape.numpy() if isinstance(output_shape, Tensor) else output_shape)]
    if len(shape) != rank + 2:
        raise ValueError(f"{op_name}: output_shape must have {rank + 2} entries (N, *spatial, C), got {shape}.")
    if shape[0] != x.shape[0] or shape[1 if first else -1] != w.shape[-2]:
        raise InvalidArgumentError(f"{op_name}: output_shape {shape} must have the input's batch size {x.shape[0]} "
                                   f"and the filter's output depth {w.shape[-2]} (filter {tuple(w.shape)} is "
                                   f"(*kernel, C_out, C_in)).")
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"{op_name}: padding must be 'SAME' or 'VALID', got {padding!r}.")
    out_spatial = tuple(shape[2:] if first else shape[1:-1])
    op = _ConvTransposeTo(out_spatial, strides=_per_axis(strides, rank, first, "strides", op_name),
                          padding=padding.lower(), dilation_rate=_per_axis(dilations, rank, first, "dilations",
                                                                           op_name), data_format=fmt)
    return _run(op, x, w, op_name=op_name)


def conv1d_transpose(input: TensorLike, filters: TensorLike, output_shape: Any, strides: Any,  # noqa: A002
                     padding: str = "SAME", data_format: str = "NWC", dilations: Any = None,
                     name: str | None = None) -> Tensor:
    """1-D transposed convolution, ``tf.nn.conv1d_transpose``; filters ``(k, C_out, C_in)``.

    Args:
        input: ``(N, W, C_in)``.
        filters: ``(k, C_out, C_in)``.
        output_shape: ``(N, W_out, C_out)``.
        strides: an int or a list of 1 or 3 ints.
        padding: ``'SAME'`` (default) or ``'VALID'``.
        data_format: ``'NWC'`` (default) or ``'NCW'``.
        dilations: as ``strides``.
        name: ignored.

    Returns:
        A Tensor of ``output_shape``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`conv_transpose`.
    """
    _rank_of(as_tensor(input), 1, "conv1d_transpose")
    return conv_transpose(input, filters, output_shape, strides, padding, data_format, dilations)


def conv2d_transpose(input: TensorLike, filters: TensorLike, output_shape: Any, strides: Any,  # noqa: A002
                     padding: str = "SAME", data_format: str = "NHWC", dilations: Any = None,
                     name: str | None = None) -> Tensor:
    """2-D transposed convolution, ``tf.nn.conv2d_transpose``; filters ``(kh, kw, C_out, C_in)``.

    Args:
        input: ``(N, H, W, C_in)``.
        filters: ``(kh, kw, C_out, C_in)``.
        output_shape: ``(N, H_out, W_out, C_out)``.
        strides: an int or a list of 1, 2 or 4 ints.
        padding: ``'SAME'`` (default) or ``'VALID'``.
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        dilations: as ``strides``.
        name: ignored.

    Returns:
        A Tensor of ``output_shape``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`conv_transpose`.
    """
    _rank_of(as_tensor(input), 2, "conv2d_transpose")
    return conv_transpose(input, filters, output_shape, strides, padding, data_format, dilations)


def conv3d_transpose(input: TensorLike, filters: TensorLike, output_shape: Any, strides: Any,  # noqa: A002
                     padding: str = "SAME", data_format: str = "NDHWC", dilations: Any = None,
                     name: str | None = None) -> Tensor:
    """3-D transposed convolution, ``tf.nn.conv3d_transpose``; filters ``(kd, kh, kw, C_out, C_in)``.

    Args:
        input: ``(N, D, H, W, C_in)``.
        filters: ``(kd, kh, kw, C_out, C_in)``.
        output_shape: ``(N, D_out, H_out, W_out, C_out)``.
        strides: an int or a list of 1, 3 or 5 ints.
        padding: ``'SAME'`` (default) or ``'VALID'``.
        data_format: ``'NDHWC'`` (default) or ``'NCDHW'``.
        dilations: as ``strides``.
        name: ignored.

    Returns:
        A Tensor of ``output_shape``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`conv_transpose`.
    """
    _rank_of(as_tensor(input), 3, "conv3d_transpose")
    return conv_transpose(input, filters, output_shape, strides, padding, data_format, dilations)


def depthwise_conv2d(input: TensorLike, filter: TensorLike, strides: Any, padding: Any,  # noqa: A002
                     data_format: str | None = None, dilations: Any = None, name: str | None = None) -> Tensor:
    """Depthwise 2-D convolution, ``tf.nn.depthwise_conv2d``: each channel convolved with its own filters.

    Args:
        input: ``(N, H, W, C)`` (``'NHWC'``, default) or ``(N, C, H, W)``.
        filter: ``(kh, kw, C, multiplier)``; output channel ``c * multiplier + m``.
        strides: a list of 4 ints (or 1 or 2).
        padding: ``'SAME'``, ``'VALID'`` or explicit pairs.
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        dilations: 2 ints (or 1); default 1.
        name: ignored.

    Returns:
        ``(N, H_out, W_out, C * multiplier)``.

    Raises:
        ValueError, InvalidArgumentError: as :func:`convolution`.
    """
    x, w = _same_dtype(input, filter)
    rank = _rank_of(x, 2, "DepthwiseConv2dNative")
    op_name = "DepthwiseConv2dNative"
    fmt = _keras_format(data_format, rank, op_name)
    first = fmt == "channels_first"
    op = _ops.DepthwiseConv(strides=_per_axis(strides, rank, first, "strides", op_name),
                            padding=_padding(padding, rank, first, op_name),
                            dilation_rate=_per_axis(dilations, rank, first, "dilations", op_name), data_format=fmt)
    return _run(op, x, w, op_name=op_name)


def separable_conv2d(input: TensorLike, depthwise_filter: TensorLike, pointwise_filter: TensorLike,  # noqa: A002
                     strides: Any, padding: Any, data_format: str | None = None, dilations: Any = None,
                     name: str | None = None) -> Tensor:
    """Depthwise then 1x1 convolution, ``tf.nn.separable_conv2d``.

    Args:
        input: ``(N, H, W, C)`` (or ``'NCHW'``).
        depthwise_filter: ``(kh, kw, C, multiplier)``.
        pointwise_filter: ``(1, 1, C * multiplier, C_out)``.
        strides: for the depthwise step, a list of 4 ints (or 1 or 2).
        padding: ``'SAME'`` or ``'VALID'`` (depthwise step).
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        dilations: 2 ints (or 1); default 1.
        name: ignored.

    Returns:
        ``(N, H_out, W_out, C_out)``.

    Raises:
        ValueError: a pointwise filter that is not ``(1, 1, C * multiplier, C_out)``.
        InvalidArgumentError: as :func:`depthwise_conv2d`.
    """
    pw = as_tensor(pointwise_filter)
    dw = as_tensor(depthwise_filter)
    if pw.ndim != 4 or tuple(pw.shape[:2]) != (1, 1) or pw.shape[2] != dw.shape[2] * dw.shape[3]:
        raise ValueError(f"separable_conv2d: pointwise_filter must be (1, 1, {dw.shape[2] * dw.shape[3]}, C_out) "
                         f"for the depthwise filter {tuple(dw.shape)}, got {tuple(pw.shape)}.")
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(depthwise, pointwise_filter, 1, "VALID", data_format or "NHWC")


# --------------------------------------------------------------------------- pooling

def _pool(kind: str, input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: Any,  # noqa: A002
          rank: int | None, op_name: str) -> Tensor:
    x = as_tensor(input)
    rank = _rank_of(x, rank, op_name)
    fmt = _keras_format(data_format, rank, op_name)
    first = fmt == "channels_first"
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"{op_name}: padding must be 'SAME' or 'VALID', got {padding!r}.")
    depth = _depth_window(ksize, strides, rank, first)
    if depth is not None:
        return _depth_pool(kind, x, depth, padding, op_name)
    op_class = _ops.MaxPool if kind == "max" else _ops.AvgPool
    op = op_class(pool_size=_per_axis(ksize, rank, first, "ksize", op_name),
                  strides=_per_axis(strides, rank, first, "strides", op_name), padding=padding.lower(),
                  data_format=fmt)
    return _run(op, x, op_name=op_name)


def _depth_window(ksize: Any, strides: Any, rank: int, first: bool) -> tuple[int, int] | None:
    """``(k, stride)`` when ``ksize`` has N+2 entries pooling only the (last) channel axis, else None."""
    if first or ksize is None:
        return None
    k = [int(v) for v in np.ravel(ksize)]
    s = [int(v) for v in np.ravel(strides)] if strides is not None else k
    if len(k) != rank + 2 or k[-1] == 1:
        return None
    if len(s) == 1:
        s = s * (rank + 2)
    if any(v != 1 for v in k[:-1]) or len(s) != rank + 2 or any(v != 1 for v in s[:-1]):
        raise InvalidArgumentError(f"pooling over the depth dimension cannot be combined with spatial or batch "
                                   f"pooling: ksize={k}, strides={s}; use ksize=(1, ..., 1, k) with the same "
                                   f"strides.")
    return k[-1], s[-1]


def _depth_pool(kind: str, x: Tensor, depth: tuple[int, int], padding: str, op_name: str) -> Tensor:
    """Pooling of the channel axis: the 1-D pooling op over ``(N * H * W, C, 1)``."""
    k, stride = depth
    channels = x.shape[-1]
    if k != stride or channels % k:
        raise InvalidArgumentError(f"{op_name}: depth-wise pooling needs the depth window equal to its stride and "
                                   f"dividing the depth ({channels}), got window {k}, stride {stride}.")
    lead = tuple(x.shape[:-1])
    op_class = _ops.MaxPool if kind == "max" else _ops.AvgPool
    pooled = _run(op_class(pool_size=k, strides=k, padding="valid"), reshape(x, (-1, channels, 1)),
                  op_name=op_name)
    return reshape(pooled, lead + (channels // k,))


def max_pool(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str | None = None,  # noqa: A002
             name: str | None = None) -> Tensor:
    """Max pooling of any rank, ``tf.nn.max_pool`` (the rank from ``input``: 3-D, 4-D or 5-D).

    Args:
        input: ``(N, *spatial, C)`` (default format) or ``(N, C, *spatial)``.
        ksize: the window: an int or a list of 1, N or N+2 ints. ``(1, 1, 1, k)`` (N+2 entries pooling only
            the channels, with the same strides) pools the depth: ``C`` must be a multiple of ``k``.
        strides: as ``ksize``.
        padding: ``'SAME'`` (pads never win) or ``'VALID'``.
        data_format: ``'NWC'``/``'NHWC'``/``'NDHWC'`` (default) or ``'NC...'``.
        name: ignored.

    Returns:
        The pooled Tensor, the dtype of ``input``; the gradient goes to each window's first maximum.

    Raises:
        ValueError: padding or data_format unknown, ``ksize``/``strides`` of the wrong length.
        InvalidArgumentError: depth pooling mixed with spatial pooling, or a window larger than the input.
    """
    return _pool("max", input, ksize, strides, padding, data_format, None, "MaxPool")


def max_pool1d(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """1-D max pooling, ``tf.nn.max_pool1d``: ``(N, W, C)``.

    Args:
        input: ``(N, W, C)`` (``'NWC'``) or ``(N, C, W)`` (``'NCW'``).
        ksize: an int or a list of 1 or 3 ints.
        strides: an int or a list of 1 or 3 ints.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NWC'`` (default) or ``'NCW'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("max", input, ksize, strides, padding, data_format, 1, "MaxPool1D")


def max_pool2d(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """2-D max pooling, ``tf.nn.max_pool2d``: ``(N, H, W, C)``.

    Args:
        input: ``(N, H, W, C)`` (``'NHWC'``) or ``(N, C, H, W)`` (``'NCHW'``).
        ksize: an int or a list of 1, 2 or 4 ints.
        strides: an int or a list of 1, 2 or 4 ints.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("max", input, ksize, strides, padding, data_format, 2, "MaxPool2D")


def max_pool3d(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str = "NDHWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """3-D max pooling, ``tf.nn.max_pool3d``: ``(N, D, H, W, C)``.

    Args:
        input: ``(N, D, H, W, C)`` (``'NDHWC'``) or ``(N, C, D, H, W)`` (``'NCDHW'``).
        ksize: an int or a list of 1, 3 or 5 ints.
        strides: an int or a list of 1, 3 or 5 ints.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NDHWC'`` (default) or ``'NCDHW'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("max", input, ksize, strides, padding, data_format, 3, "MaxPool3D")


def avg_pool(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str | None = None,  # noqa: A002
             name: str | None = None) -> Tensor:
    """Average pooling of any rank, ``tf.nn.avg_pool``; ``'SAME'`` windows average their real values only.

    Args:
        input: ``(N, *spatial, C)`` (default format) or ``(N, C, *spatial)``.
        ksize: an int or a list of 1, N or N+2 ints (``(1, 1, 1, k)`` averages groups of ``k`` channels).
        strides: as ``ksize``.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NWC'``/``'NHWC'``/``'NDHWC'`` (default) or ``'NC...'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("avg", input, ksize, strides, padding, data_format, None, "AvgPool")


def avg_pool1d(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """1-D average pooling, ``tf.nn.avg_pool1d``.

    Args:
        input: ``(N, W, C)`` (``'NWC'``) or ``(N, C, W)``.
        ksize: an int or a list of 1 or 3 ints.
        strides: an int or a list of 1 or 3 ints.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NWC'`` (default) or ``'NCW'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("avg", input, ksize, strides, padding, data_format, 1, "AvgPool1D")


def avg_pool2d(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """2-D average pooling, ``tf.nn.avg_pool2d``.

    Args:
        input: ``(N, H, W, C)`` (``'NHWC'``) or ``(N, C, H, W)``.
        ksize: an int or a list of 1, 2 or 4 ints.
        strides: an int or a list of 1, 2 or 4 ints.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NHWC'`` (default) or ``'NCHW'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("avg", input, ksize, strides, padding, data_format, 2, "AvgPool2D")


def avg_pool3d(input: TensorLike, ksize: Any, strides: Any, padding: Any, data_format: str = "NDHWC",  # noqa: A002
               name: str | None = None) -> Tensor:
    """3-D average pooling, ``tf.nn.avg_pool3d``.

    Args:
        input: ``(N, D, H, W, C)`` (``'NDHWC'``) or ``(N, C, D, H, W)``.
        ksize: an int or a list of 1, 3 or 5 ints.
        strides: an int or a list of 1, 3 or 5 ints.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NDHWC'`` (default) or ``'NCDHW'``.
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError, InvalidArgumentError: as :func:`max_pool`.
    """
    return _pool("avg", input, ksize, strides, padding, data_format, 3, "AvgPool3D")


def pool(input: TensorLike, window_shape: Any, pooling_type: str, strides: Any = None,  # noqa: A002
         padding: str = "VALID", data_format: str | None = None, dilations: Any = None,
         name: str | None = None) -> Tensor:
    """N-d pooling, ``tf.nn.pool``: ``pooling_type`` 'MAX' or 'AVG' over windows of ``window_shape``.

    Args:
        input: ``(N, *spatial, C)`` (default format) or ``(N, C, *spatial)``.
        window_shape: one int per spatial axis.
        pooling_type: ``'MAX'`` or ``'AVG'``.
        strides: one int per spatial axis; default 1.
        padding: ``'VALID'`` (default) or ``'SAME'``.
        data_format: ``'N...C'`` (default) or ``'NC...'``.
        dilations: must be 1 (dilated pooling is not implemented).
        name: ignored.

    Returns:
        The pooled Tensor.

    Raises:
        ValueError: an unknown ``pooling_type``, ``window_shape`` of the wrong length, or dilations > 1.
    """
    kind = str(pooling_type).upper()
    if kind not in ("MAX", "AVG"):
        raise ValueError(f"pool: pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}.")
    x = as_tensor(input)
    rank = len(list(np.ravel(window_shape)))
    if x.ndim != rank + 2:
        raise ValueError(f"pool: input must have rank {rank + 2} for window_shape {list(window_shape)}, got shape "
                         f"{tuple(x.shape)}.")
    if dilations is not None and any(int(d) != 1 for d in np.ravel(dilations)):
        raise ValueError(f"pool: dilations other than 1 are not implemented in chainrule, got {dilations!r}.")
    return _pool(kind.lower(), x, list(np.ravel(window_shape)), 1 if strides is None else strides, padding,
                 data_format, rank, "pool")



# --------------------------------------------------------------------------- more of tf.nn's image functions

def atrous_conv2d(value: TensorLike, filters: TensorLike, rate: int, padding: Any, name: str | None = None) -> Tensor:
    """Dilated 2-D convolution, ``tf.nn.atrous_conv2d``: :func:`conv2d` with ``dilations=rate``, stride 1.

    Args:
        value: ``(N, H, W, C_in)``.
        filters: ``(kh, kw, C_in, C_out)``.
        rate: the dilation (a positive int).
        padding: ``'SAME'`` or ``'VALID'``.
        name: ignored.

    Returns:
        ``(N, H_out, W_out, C_out)``.

    Raises:
        ValueError: a rate below 1; as :func:`conv2d`.
    """
    if int(rate) < 1:
        raise ValueError(f"atrous_conv2d: rate must be >= 1, got {rate!r}.")
    return conv2d(value, filters, 1, padding, dilations=int(rate))


def atrous_conv2d_transpose(value: TensorLike, filters: TensorLike, output_shape: Any, rate: int, padding: str,
                            name: str | None = None) -> Tensor:
    """The transpose of :func:`atrous_conv2d`, ``tf.nn.atrous_conv2d_transpose``; filters ``(kh, kw, C_out, C_in)``.

    Args:
        value: ``(N, H, W, C_in)``.
        filters: ``(kh, kw, C_out, C_in)``.
        output_shape: ``(N, H_out, W_out, C_out)``.
        rate: the dilation (a positive int).
        padding: ``'SAME'`` or ``'VALID'``.
        name: ignored.

    Returns:
        A Tensor of ``output_shape``.

    Raises:
        ValueError: a rate below 1; as :func:`conv_transpose`.
    """
    if int(rate) < 1:
        raise ValueError(f"atrous_conv2d_transpose: rate must be >= 1, got {rate!r}.")
    return conv2d_transpose(value, filters, output_shape, 1, padding, dilations=int(rate))


def _block_size(block_size: Any, op_name: str) -> int:
    b = int(block_size)
    if b < 2:
        raise InvalidArgumentError(f"{op_name}: Value for attr 'block_size' of {b} must be at least minimum 2.")
    return b


def _nhwc_only(x: Tensor, data_format: str, op_name: str) -> None:
    if data_format != "NHWC":
        raise ValueError(f"{op_name}: only data_format='NHWC' is implemented in chainrule, got {data_format!r}.")
    if x.ndim != 4:
        raise InvalidArgumentError(f"{op_name}: input must be 4-D (N, H, W, C), got shape {tuple(x.shape)}.")


def space_to_depth(input: TensorLike, block_size: int, data_format: str = "NHWC",  # noqa: A002
                   name: str | None = None) -> Tensor:
    """Move ``block_size x block_size`` blocks into the channels, ``tf.nn.space_to_depth``.

    Args:
        input: ``(N, H, W, C)``, ``H`` and ``W`` multiples of ``block_size``.
        block_size: at least 2.
        data_format: ``'NHWC'`` (the only one implemented).
        name: ignored.

    Returns:
        ``(N, H / b, W / b, b * b * C)``, channel ``(i * b + j) * C + c`` from offset ``(i, j)``. Differentiable.

    Raises:
        InvalidArgumentError: a block size below 2 or not dividing ``H`` and ``W``.
        ValueError: another data_format.
    """
    x = as_tensor(input)
    _nhwc_only(x, data_format, "SpaceToDepth")
    b = _block_size(block_size, "SpaceToDepth")
    n, h, w, c = x.shape
    if h % b or w % b:
        raise InvalidArgumentError(f"SpaceToDepth: image height {h} and width {w} should be divisible by "
                                   f"block_size: {b}")
    blocks = reshape(x, (n, h // b, b, w // b, b, c))
    return reshape(transpose(blocks, [0, 1, 3, 2, 4, 5]), (n, h // b, w // b, b * b * c))


def depth_to_space(input: TensorLike, block_size: int, data_format: str = "NHWC",  # noqa: A002
                   name: str | None = None) -> Tensor:
    """Move channels into ``block_size x block_size`` blocks, ``tf.nn.depth_to_space`` (undoes space_to_depth).

    Args:
        input: ``(N, H, W, C)``, ``C`` a multiple of ``block_size ** 2``.
        block_size: at least 2.
        data_format: ``'NHWC'`` (the only one implemented).
        name: ignored.

    Returns:
        ``(N, H * b, W * b, C / b**2)``. Differentiable.

    Raises:
        InvalidArgumentError: a block size below 2 or ``C`` not divisible by its square.
        ValueError: another data_format.
    """
    x = as_tensor(input)
    _nhwc_only(x, data_format, "DepthToSpace")
    b = _block_size(block_size, "DepthToSpace")
    n, h, w, c = x.shape
    if c % (b * b):
        raise InvalidArgumentError(f"DepthToSpace: input depth dimension {c} should be divisible by: {b * b}")
    blocks = reshape(x, (n, h, w, b, b, c // (b * b)))
    return reshape(transpose(blocks, [0, 1, 3, 2, 4, 5]), (n, h * b, w * b, c // (b * b)))


def local_response_normalization(input: TensorLike, depth_radius: int = 5, bias: float = 1.0,  # noqa: A002
                                 alpha: float = 1.0, beta: float = 0.5, name: str | None = None) -> Tensor:
    """``input / (bias + alpha * sqr_sum) ** beta``, ``tf.nn.local_response_normalization`` (AlexNet's LRN).

    ``sqr_sum`` sums the squares over the ``2 * depth_radius + 1`` channels around each channel (fewer at
    the ends), computed as a 1-D convolution with ones over the channel axis.

    Args:
        input: float ``(N, H, W, C)``.
        depth_radius: half-width of the channel window.
        bias: added before the power.
        alpha: scale of the sum of squares.
        beta: the exponent.
        name: ignored.

    Returns:
        The normalised Tensor, same shape and dtype. Differentiable.

    Raises:
        InvalidArgumentError: input that is not a 4-D float Tensor, or a negative depth_radius.
    """
    x = as_tensor(input)
    if x.ndim != 4 or x._value.dtype.kind != "f":
        raise InvalidArgumentError(f"LRN: input must be a 4-D float Tensor, got {x.dtype.name} of shape "
                                   f"{tuple(x.shape)}.")
    r = int(depth_radius)
    if r < 0:
        raise InvalidArgumentError(f"LRN: depth_radius must be >= 0, got {depth_radius}.")
    dt = x._value.dtype
    channels = x.shape[-1]
    window = Tensor(np.ones((2 * r + 1, 1, 1), dtype=dt))
    squares = reshape(x * x, (-1, channels, 1))
    sqr_sum = reshape(apply_op(_ops.Conv(padding=((r, r),)), squares, window), tuple(x.shape))
    return x / (Tensor(np.asarray(bias, dt)) + Tensor(np.asarray(alpha, dt)) * sqr_sum) ** Tensor(np.asarray(beta, dt))


lrn = local_response_normalization


# Called on Keras tensors of the functional API, these functions become layers of the model (TFOpLambda).
_dispatch.add_dispatch_support(globals())
