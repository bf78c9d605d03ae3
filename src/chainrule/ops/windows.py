"""Sliding windows over the spatial axes: TensorFlow's padding rules, output lengths, im2col and col2im.

The shared core of the convolution and pooling ops. Arrays are channels_last
inside: ``(N, *spatial, C)``; an op given ``channels_first`` data moves the
channel axis (a view) on the way in and back on the way out.

* ``window_view(xp, ...)`` is the textbook im2col without the copy: a strided
  view ``(N, *out, *kernel, C)`` of the padded input, where
  ``view[n, o, k, c] = xp[n, o * stride + k * dilation, c]``.
  ``view.reshape(N * prod(out), -1)`` is the column matrix (numpy makes the one copy).
* ``col2im_nd`` is its adjoint: it adds each kernel offset's slab back into the
  padded input, one strided ``+=`` per kernel offset (never a loop over pixels).
* ``im2col`` / ``col2im`` are the book's functions (deep-learning-from-scratch,
  ``common/util.py``): NCHW input, rows ``(n, oh, ow)``, columns ``(c, fh, fw)``,
  built on the same view.

Padding (TensorFlow's rules, per spatial axis of length ``L``, kernel ``k``,
stride ``s``, dilation ``d``, effective kernel ``e = (k - 1) * d + 1``):

* ``"valid"``: no padding, ``out = (L - e) // s + 1``;
* ``"same"``: ``out = ceil(L / s)``, total padding ``max((out - 1) * s + e - L, 0)``,
  ``total // 2`` before and the rest (the extra one) after, i.e. at the bottom/right;
* ``"causal"`` (1-D only): ``(k - 1) * d`` before, nothing after;
* explicit: an int ``p`` (``p`` on both sides of every axis), one int per axis,
  or one ``(before, after)`` pair per axis.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import workspace

DATA_FORMATS = ("channels_last", "channels_first")


def normalize_tuple(value: Any, rank: int, name: str, op_name: str) -> tuple:
    """``value`` (an int or a sequence of ``rank`` ints, each >= 1) as a tuple of ``rank`` ints.

    Raises ``ValueError`` naming ``op_name`` and ``name`` otherwise.
    """
    if isinstance(value, (int, np.integer)):
        out = (int(value),) * rank
    else:
        try:
            out = tuple(int(v) for v in value)
        except TypeError:
            raise ValueError(f"{op_name}: {name} must be an int or a tuple of {rank} ints, got {value!r}.") from None
        if len(out) != rank:
            raise ValueError(f"{op_name}: {name} must have {rank} entries for {rank}-D data, got {value!r}.")
    if any(v < 1 for v in out):
        raise ValueError(f"{op_name}: every {name} must be >= 1, got {value!r}.")
    return out


def check_data_format(data_format: str, op_name: str) -> str:
    """``data_format`` lower-cased; ``ValueError`` unless it is 'channels_last' or 'channels_first'."""
    value = str(data_format).lower()
    if value not in DATA_FORMATS:
        raise ValueError(f"{op_name}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}.")
    return value


def to_channels_last(x: np.ndarray, data_format: str) -> Any:
    """``(N, C, *spatial)`` -> ``(N, *spatial, C)`` as a view for channels_first; ``x`` itself otherwise."""
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def from_channels_last(x: np.ndarray, data_format: str) -> Any:
    """The inverse of :func:`to_channels_last`; a contiguous array for channels_first."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if data_format == "channels_first" else x


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: ``(kernel - 1) * dilation + 1``."""
    return (kernel - 1) * dilation + 1


def same_padding(length: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple:
    """TensorFlow's ``"same"`` padding of one axis: ``(before, after)``, the extra one after."""
    out = -(-length // stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - length, 0)
    return total // 2, total - total // 2


def resolve_padding(padding: Any, spatial_shape: Any, kernel_size: Any, strides: Any, dilation: Any, op_name: str,
                    allowed: Any = ("valid", "same", "causal")) -> tuple:
    """``padding`` as one ``(before, after)`` pair per spatial axis (see the module docstring).

    ``allowed`` lists the accepted names. Raises ``ValueError`` for an unknown
    name, ``"causal"`` on data that is not 1-D, or explicit padding of the wrong form.
    """
    rank = len(spatial_shape)
    if isinstance(padding, str):
        name = padding.lower()
        if not allowed:
            raise ValueError(f"{op_name}: padding must be an int, one int per spatial axis or (before, after) "
                             f"pairs, got {padding!r}.")
        if name not in allowed:
            raise ValueError(f"{op_name}: padding must be one of {', '.join(map(repr, allowed))}, got {padding!r}.")
        if name == "valid":
            return ((0, 0),) * rank
        if name == "same":
            return tuple(same_padding(n, k, s, d) for n, k, s, d in zip(spatial_shape, kernel_size, strides, dilation))
        if rank != 1:
            raise ValueError(f"{op_name}: padding='causal' is only for 1-D data (N, steps, C); this input has "
                             f"{rank} spatial axes.")
        return (((kernel_size[0] - 1) * dilation[0], 0),)
    pairs: tuple[tuple[int, ...], ...]
    if isinstance(padding, (int, np.integer)):
        pairs = ((int(padding), int(padding)),) * rank
    else:
        items = list(padding)
        if len(items) != rank:
            raise ValueError(f"{op_name}: explicit padding needs one entry per spatial axis ({rank}), got {padding!r}.")
        pairs = tuple((int(p), int(p)) if isinstance(p, (int, np.integer)) else tuple(int(v) for v in p)
                      for p in items)
        if any(len(p) != 2 for p in pairs):
            raise ValueError(f"{op_name}: explicit padding entries must be ints or (before, after) pairs, "
                             f"got {padding!r}.")
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{op_name}: padding must not be negative, got {padding!r}.")
    return pairs


def output_shape(padded_shape: Any, kernel_size: Any, strides: Any, dilation: Any) -> tuple:
    """Window positions per axis of an already padded input: ``(Lp - e) // s + 1`` (may be <= 0)."""
    return tuple((n - effective_kernel(k, d)) // s + 1
                 for n, k, s, d in zip(padded_shape, kernel_size, strides, dilation))


def check_output_shape(out_shape: Any, spatial_shape: Any, pads: Any, kernel_size: Any, dilation: Any,
                       op_name: str) -> None:
    """``ValueError`` naming the op when a window does not fit into the padded input."""
    if any(o < 1 for o in out_shape):
        eff = tuple(effective_kernel(k, d) for k, d in zip(kernel_size, dilation))
        raise ValueError(f"{op_name}: the window (kernel {tuple(kernel_size)}, dilated span {eff}) does not fit into "
                         f"the input's spatial shape {tuple(spatial_shape)} with padding {tuple(pads)}; use "
                         f"padding='same', a smaller kernel, or a larger input.")


def conv_output_length(input_length: Any, kernel_size: int, padding: str, stride: int, dilation: int = 1) -> Any:
    """tf.keras ``conv_utils.conv_output_length``: the output length of a convolution or pooling axis.

    ``padding``: 'valid', 'same', 'causal' or 'full'. ``None`` in, ``None`` out
    (an unknown length). Lengths are not clamped: a window larger than a
    'valid' input gives 0 or less, as in tf.keras.
    """
    if input_length is None:
        return None
    eff = effective_kernel(kernel_size, dilation)
    length = {"same": input_length, "causal": input_length, "valid": input_length - eff + 1,
              "full": input_length + eff - 1}[padding]
    return (length + stride - 1) // stride


def deconv_output_length(input_length: Any, kernel_size: int, padding: str, output_padding: Any = None, stride: int = 1,
                         dilation: int = 1) -> Any:
    """tf.keras ``conv_utils.deconv_output_length``: the output length of a transposed convolution axis.

    Without ``output_padding``: ``L * s + max(e - s, 0)`` ('valid'), ``L * s``
    ('same'), ``L * s - (s + e - 2)`` ('full'); with it:
    ``(L - 1) * s + e - 2 * pad + output_padding``, ``pad`` = ``e // 2`` ('same'),
    0 ('valid') or ``e - 1`` ('full'). ``None`` in, ``None`` out.
    """
    if input_length is None:
        return None
    eff = effective_kernel(kernel_size, dilation)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(eff - stride, 0)
        if padding == "full":
            return input_length * stride - (stride + eff - 2)
        return input_length * stride
    pad = {"same": eff // 2, "valid": 0, "full": eff - 1}[padding]
    return (input_length - 1) * stride + eff - 2 * pad + output_padding


def pad_spatial(x: np.ndarray, pads: Any, value: np.ndarray | float = 0, first_axis: int = 1) -> Any:
    """``x`` padded on its spatial axes (``first_axis`` onwards, one pair each in ``pads``) with ``value``.

    Returns ``x`` itself when every pad is 0. The result is a workspace buffer
    (:mod:`chainrule.ops.workspace`): the borders are filled, the interior copied.
    """
    if not any(b or a for b, a in pads):
        return x
    shape = list(x.shape)
    for i, (b, a) in enumerate(pads):
        shape[first_axis + i] += b + a
    out = workspace.empty(shape, x.dtype)
    lead = (slice(None),) * first_axis
    interior: list[slice] = []
    for i, (b, a) in enumerate(pads):
        n = x.shape[first_axis + i]
        if b:
            out[lead + tuple(interior) + (slice(0, b),)] = value
        if a:
            out[lead + tuple(interior) + (slice(b + n, None),)] = value
        interior.append(slice(b, b + n))
    out[lead + tuple(interior)] = x
    return out


def crop_spatial(x: np.ndarray, pads: Any, first_axis: int = 1) -> Any:
    """The inverse of :func:`pad_spatial`: a view of ``x`` without the padded borders."""
    if not any(b or a for b, a in pads):
        return x
    return x[(slice(None),) * first_axis + tuple(slice(b, x.shape[first_axis + i] - a)
                                                 for i, (b, a) in enumerate(pads))]


def window_view(xp: Any, kernel_size: Any, strides: Any, dilation: Any, out_shape: Any = None) -> Any:
    """Read-only view ``(N, *out, *kernel, *rest)`` of ``xp (N, *spatial, *rest)``: every window, no copy.

    ``view[n, o..., k..., r...] = xp[n, o * stride + k * dilation, r...]``, so
    ``view.reshape(N * prod(out), -1)`` is the im2col column matrix with columns
    ordered ``(k..., r...)``, which is the row order of a tf.keras kernel
    ``(*kernel, in, out)`` reshaped to ``(-1, out)``.
    """
    rank = len(kernel_size)
    if out_shape is None:
        out_shape = output_shape(xp.shape[1:1 + rank], kernel_size, strides, dilation)
    st = xp.strides
    shape = (xp.shape[0], *out_shape, *kernel_size, *xp.shape[1 + rank:])
    strides_ = (st[0], *(st[1 + i] * strides[i] for i in range(rank)),
                *(st[1 + i] * dilation[i] for i in range(rank)), *st[1 + rank:])
    return as_strided(xp, shape, strides_, writeable=False)


def offset_slices(k: tuple[int, ...], out_shape: Any, strides: Any, dilation: Any, first_axis: int = 1) -> tuple:
    """Index of the input positions that kernel offset ``k`` touches: ``k*d, k*d + s, ..., k*d + s*(out-1)``.

    The spatial axes start at ``first_axis`` (1 for channels_last, 2 for channels_first).
    """
    return (slice(None),) * first_axis + tuple(slice(ki * d, ki * d + s * (o - 1) + 1, s)
                                               for ki, o, s, d in zip(k, out_shape, strides, dilation))


def col2im_nd(dcol: Any, padded_shape: Any, kernel_size: Any, strides: Any, dilation: Any) -> Any:
    """The adjoint of :func:`window_view`: ``dcol (N, *out, *kernel, *rest)`` -> ``(N, *padded, *rest)``.

    Sums the contributions of overlapping windows; one strided ``+=`` per kernel
    offset (``prod(kernel)`` iterations).
    """
    rank = len(kernel_size)
    out_shape = dcol.shape[1:1 + rank]
    rest = dcol.shape[1 + 2 * rank:]
    dxp = workspace.empty((dcol.shape[0], *padded_shape, *rest), dcol.dtype)
    dxp.fill(0)
    lead = (slice(None),) * (1 + rank)
    for k in np.ndindex(*kernel_size):
        dxp[offset_slices(k, out_shape, strides, dilation)] += dcol[lead + k]
    return dxp


# --------------------------------------------------------------------------- the book's functions (NCHW)

def _book_geometry(input_shape: Any, filter_h: Any, filter_w: Any, stride: Any, pad: Any, name: Any) -> Any:
    if len(input_shape) != 4:
        raise ValueError(f"{name}: input_data must be 4-D (N, C, H, W), got shape {tuple(input_shape)}.")
    strides = normalize_tuple(stride, 2, "stride", name)
    pads = resolve_padding(pad, input_shape[2:], (filter_h, filter_w), strides, (1, 1), name, allowed=())
    padded = tuple(n + b + a for n, (b, a) in zip(input_shape[2:], pads))
    out = output_shape(padded, (filter_h, filter_w), strides, (1, 1))
    check_output_shape(out, input_shape[2:], pads, (filter_h, filter_w), (1, 1), name)
    return strides, pads, padded, out


def im2col(input_data: Any, filter_h: Any, filter_w: Any, stride: int = 1, pad: int = 0) -> Any:
    """The book's im2col: ``(N, C, H, W)`` -> column matrix ``(N * out_h * out_w, C * filter_h * filter_w)``.

    Row ``(n * out_h + i) * out_w + j`` is the window at output ``(i, j)`` of
    image ``n``, its columns ordered ``(c, fh, fw)``, so the book's weights
    ``W (FN, C, FH, FW)`` multiply it as ``col @ W.reshape(FN, -1).T``. Zero
    padding ``pad`` on each side (an int, or per-axis ints/pairs); ``stride`` an int or
    ``(sh, sw)``; ``out_h = (H + 2 * pad - filter_h) // stride + 1``. Unlike the
    book (always float64), the dtype of ``input_data`` is kept.
    """
    x = np.asarray(input_data)
    strides, pads, _, out = _book_geometry(x.shape, filter_h, filter_w, stride, pad, "im2col")
    xp = pad_spatial(np.moveaxis(x, 1, -1), pads)
    view = window_view(xp, (filter_h, filter_w), strides, (1, 1), out)   # (N, oh, ow, fh, fw, C)
    return view.transpose(0, 1, 2, 5, 3, 4).reshape(x.shape[0] * out[0] * out[1], -1)


def col2im(col: np.ndarray, input_shape: Any, filter_h: Any, filter_w: Any, stride: int = 1, pad: int = 0) -> Any:
    """The book's col2im, the adjoint of :func:`im2col`: column matrix -> ``input_shape (N, C, H, W)``.

    Values of overlapping windows are added (that is what makes it the
    gradient of im2col); padding is cut off.
    """
    n, c = input_shape[0], input_shape[1]
    strides, pads, padded, out = _book_geometry(tuple(input_shape), filter_h, filter_w, stride, pad, "col2im")
    col = np.asarray(col)
    expected = (n * out[0] * out[1], c * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(f"col2im: col has shape {col.shape}, but input_shape {tuple(input_shape)} with a "
                         f"{filter_h}x{filter_w} filter, stride {stride} and pad {pad} needs {expected}.")
    dcol = col.reshape(n, out[0], out[1], c, filter_h, filter_w).transpose(0, 1, 2, 4, 5, 3)
    img = crop_spatial(col2im_nd(dcol, padded, (filter_h, filter_w), strides, (1, 1)), pads)
    return np.ascontiguousarray(np.moveaxis(img, -1, 1))

