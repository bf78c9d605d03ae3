"""Convolutions: N-d convolution, transposed convolution, depthwise convolution, and the book's Convolution.

Convolution is im2col plus GEMMs (see :mod:`chainrule.ops.windows`)::

    forward:   col = im2col(x_padded)     (N * prod(out), prod(kernel) * C_in)
               y   = col @ W              W = kernel.reshape(-1, C_out): no transpose needed
    backward:  dW  = col.T @ dy
               dx  = col2im(dy @ W.T)     strided convolutions
               dx  = im2col(dy_padded) @ flip(W)
                                          stride 1: the input-gradient of a stride-1 convolution
                                          is a convolution of dy with the flipped kernel, and an
                                          im2col copy is cheaper than col2im's scattered adds

A transposed convolution is the input-gradient of a convolution, so its
forward is the convolution's ``dx`` and its backward the convolution's forward
(for ``dx``) and ``dW``.

Layouts are tf.keras's: data ``channels_last`` ``(N, *spatial, C)`` by default,
``channels_first`` ``(N, C, *spatial)`` on request (the op moves the channel
axis itself; kernels have the same layout for both formats, as in tf.keras).
Kernels: ``(*kernel, C_in // groups, C_out)`` for convolution,
``(*kernel, C_out, C_in)`` for transposed convolution and
``(*kernel, C_in, multiplier)`` for depthwise convolution. The bias, when given
as a third input, is added in the same op.

The book's :class:`Convolution` (NCHW data, ``W (FN, C, FH, FW)``) is
:class:`Conv` with the axes moved.
"""
from __future__ import annotations

from typing import Any, Sequence

import math

import numpy as np

from . import workspace
from .base import Op
from .windows import (check_data_format, check_output_shape, col2im_nd, crop_spatial, deconv_output_length,
                      effective_kernel, from_channels_last, normalize_tuple, offset_slices, output_shape,
                      pad_spatial, resolve_padding, same_padding, to_channels_last, window_view)


# --------------------------------------------------------------------------- the numpy core (channels_last)

def conv_forward(xp: Any, kernel: np.ndarray, strides: Any, dilation: Any, groups: Any, out_sp: Any) -> Any:
    """``xp (N, *padded, C_in)`` conv ``kernel (*k, C_in/G, C_out)`` -> ``(y (M, C_out), col)``.

    ``col`` is the im2col matrix ``(M, prod(k) * C_in)`` (``(G, M, prod(k) * C_in/G)``
    for ``groups > 1``), kept by the ops for the kernel gradient.
    """
    rank, cout = kernel.ndim - 2, kernel.shape[-1]
    m = xp.shape[0] * math.prod(out_sp)
    view = window_view(xp, kernel.shape[:rank], strides, dilation, out_sp)      # (N, *out, *k, C_in)
    if groups == 1:
        col = _im2col(view, m)                                                   # im2col: the one copy
        y = workspace.empty((m, cout), np.result_type(col, kernel))
        return np.matmul(col, kernel.reshape(-1, cout), out=y), col              # the one GEMM
    grouped = view.reshape(view.shape[:-1] + (groups, -1))
    col = np.moveaxis(grouped, -2, 0).reshape(groups, m, -1)
    y = np.matmul(col, _grouped_kernel(kernel, groups))                          # (G, M, C_out/G)
    return y.transpose(1, 0, 2).reshape(m, cout), col


def _im2col(view: Any, rows: Any) -> Any:
    """The column matrix ``(rows, -1)`` of a window view, copied into a workspace buffer.

    (A pooled buffer rather than ``view.reshape``'s fresh array: tens of MB per call would
    otherwise be page-faulted in anew at every training step.)
    """
    if view.flags.c_contiguous:   # 1x1 kernels at stride 1: the view is the matrix already
        return view.reshape(rows, -1)
    col = workspace.empty(view.shape, view.dtype)
    if view.shape[-1] == 1:
        # One channel (a grayscale first layer): one strided copy per kernel offset is ~3x faster
        # than numpy's element-by-element copy of the whole view (0.3 ms instead of 0.9 ms for
        # MNIST's 128 x 28 x 28 at 3x3).
        rank = (view.ndim - 2) // 2
        lead = (slice(None),) * (1 + rank)
        for k in np.ndindex(*view.shape[1 + rank:1 + 2 * rank]):
            col[lead + k] = view[lead + k]
    else:
        np.copyto(col, view)
    return col.reshape(rows, -1)


def _grouped_kernel(kernel: np.ndarray, groups: Any) -> Any:
    """``(*k, C_in/G, C_out)`` -> ``(G, prod(k) * C_in/G, C_out/G)`` (a view)."""
    cout = kernel.shape[-1]
    return kernel.reshape(-1, groups, cout // groups).transpose(1, 0, 2)


def conv_kernel_grad(col: np.ndarray, dy: np.ndarray, kernel_shape: Any, groups: Any) -> Any:
    """``dW = col.T @ dy`` in the kernel's layout; ``dy`` is ``(M, C_out)``."""
    if groups == 1:
        return (col.T @ dy).reshape(kernel_shape)
    cout = kernel_shape[-1]
    dyg = dy.reshape(-1, groups, cout // groups).transpose(1, 0, 2)              # (G, M, C_out/G)
    return np.matmul(col.transpose(0, 2, 1), dyg).transpose(1, 0, 2).reshape(kernel_shape)


def bias_grad(dy2: Any) -> Any:
    """``dbias = dy.sum(axis=0)`` for ``dy (M, C)``, as a matrix-vector product with ones.

    (BLAS's GEMV reads ``dy`` once, row by row: ~10x faster than numpy's column
    reduction on the tall matrices of convolutions, e.g. 0.15 ms instead of 1.8 ms
    for (86528, 32).)
    """
    return np.ones(dy2.shape[0], dtype=dy2.dtype) @ dy2


def flipped_kernel(kernel: np.ndarray, groups: Any) -> Any:
    """The kernel of the stride-1 input-gradient: spatially flipped, in/out channels swapped per group.

    ``(*k, C_in/G, C_out)`` -> ``(*k, C_out/G, C_in)``.
    """
    rank = kernel.ndim - 2
    cin_g, cout = kernel.shape[rank:]
    flipped = kernel[(slice(None, None, -1),) * rank]
    split = flipped.reshape(kernel.shape[:rank] + (cin_g, groups, cout // groups))
    axes = tuple(range(rank))
    return split.transpose(axes + (rank + 2, rank + 1, rank)).reshape(
        kernel.shape[:rank] + (cout // groups, groups * cin_g))


def pad_for_input_grad(dy: np.ndarray, kernel_size: Any, dilation: Any, pads: Any) -> Any:
    """``dy`` padded so that a stride-1 'valid' convolution with the flipped kernel gives the input-gradient.

    Each axis gets ``e - 1 - before`` in front and ``e - 1 - after`` behind (``e``
    the dilated kernel span, ``before``/``after`` the forward padding); a negative
    amount (explicit padding wider than the kernel) crops instead.
    """
    grad_pads = [(effective_kernel(k, d) - 1 - b, effective_kernel(k, d) - 1 - a)
                 for k, d, (b, a) in zip(kernel_size, dilation, pads)]
    crops = tuple((max(-b, 0), max(-a, 0)) for b, a in grad_pads)
    return pad_spatial(crop_spatial(dy, crops), tuple((max(b, 0), max(a, 0)) for b, a in grad_pads))


def conv_input_grad(dy: np.ndarray, kernel: np.ndarray, spatial_shape: Any, pads: Any, strides: Any, dilation: Any,
                    groups: Any) -> Any:
    """The input-gradient of a convolution: ``dy (N, *out, C_out)`` -> ``dx (N, *spatial, C_in)``.

    ``spatial_shape``/``pads`` describe the convolution's (unpadded) input and
    its padding. Stride 1: a convolution of ``dy`` with :func:`flipped_kernel`,
    ``dy`` padded by ``e - 1 - before`` / ``e - 1 - after`` (cropped where that is
    negative). Otherwise: ``col2im(dy @ W.T)`` with the padding cut off, computed
    one kernel offset at a time (:func:`scatter_input_grad`).

    Stride 1 with at least twice as many output as input channels also takes
    the ``col2im`` route: per output position it makes ``prod(k) * C_in`` products
    where the flipped convolution's im2col copies ``prod(k) * C_out`` values per input
    position (MNIST convnet's 32 -> 64 layer at batch 128: about 7.5 ms instead of 11 ms; with
    C_in = C_out the flipped convolution is faster, 36 ms against 42 ms for 64 -> 64 on 32x32).
    """
    rank = kernel.ndim - 2
    ksize, cout = kernel.shape[:rank], kernel.shape[-1]
    n, out_sp = dy.shape[0], dy.shape[1:-1]
    cin = kernel.shape[-2] * groups
    if all(s == 1 for s in strides) and not (groups == 1 and cout >= 2 * cin):
        dyp = pad_for_input_grad(dy, ksize, dilation, pads)
        dx, _ = conv_forward(dyp, flipped_kernel(kernel, groups), strides, dilation, groups, tuple(spatial_shape))
        return dx.reshape(n, *spatial_shape, -1)
    padded = tuple(s + b + a for s, (b, a) in zip(spatial_shape, pads))
    if groups == 1:
        return crop_spatial(scatter_input_grad(dy, kernel, padded, strides, dilation), pads)
    dyg = dy.reshape(-1, groups, cout // groups).transpose(1, 0, 2)
    dcolg = np.matmul(dyg, _grouped_kernel(kernel, groups).transpose(0, 2, 1))  # (G, M, prod(k)*C_in/G)
    dcol = np.moveaxis(dcolg.reshape(groups, n, *out_sp, *ksize, -1), 0, -2)
    dxp = col2im_nd(dcol, padded, ksize, strides, dilation)
    return crop_spatial(dxp.reshape(dxp.shape[:1 + rank] + (-1,)), pads)


def scatter_input_grad(dy: np.ndarray, kernel: np.ndarray, padded_shape: Any, strides: Any, dilation: Any) -> Any:
    """``col2im(dy @ W.T)`` one kernel offset at a time: the input-gradient on the padded input.

    For each offset ``k``: ``dy (M, C_out) @ W[k].T (C_out, C_in)`` is the contribution of
    that offset to every window, added to the input positions it touched (one strided
    ``+=``). The same sums as building the whole ``(M, prod(k) * C_in)`` column matrix and
    folding it back with :func:`col2im_nd`, but each GEMM's result is small enough to stay
    in cache before it is added (about 7.5 ms instead of 11 ms for the MNIST convnet's 32 -> 64 layer).
    """
    rank = kernel.ndim - 2
    ksize, (cin, cout) = kernel.shape[:rank], kernel.shape[rank:]
    n, out_sp = dy.shape[0], tuple(dy.shape[1:-1])
    dtype = np.result_type(dy, kernel)
    dy2 = dy.reshape(-1, cout)
    dxp = workspace.empty((n, *padded_shape, cin), dtype)
    dxp.fill(0)
    part = workspace.empty((dy2.shape[0], cin), dtype)
    for k in np.ndindex(*ksize):
        np.matmul(dy2, kernel[k].T, out=part)
        dxp[offset_slices(k, out_sp, strides, dilation)] += part.reshape(n, *out_sp, cin)
    return dxp


# --------------------------------------------------------------------------- argument checks

def _check_rank(x: np.ndarray, kernel: np.ndarray, op_name: Any, kernel_layout: Any) -> Any:
    rank = kernel.ndim - 2
    if rank < 1:
        raise ValueError(f"{op_name}: the kernel must have shape {kernel_layout}, got shape {kernel.shape}.")
    if x.ndim != rank + 2:
        raise ValueError(f"{op_name}: a kernel of shape {kernel.shape} ({rank}-D) needs {rank + 2}-D input "
                         f"(N, {', '.join(['...'] * rank)}, C), got shape {x.shape}.")
    return rank


def _check_bias(bias: np.ndarray | None, channels: Any, op_name: Any) -> None:
    if bias is not None and np.shape(bias) != (channels,):
        raise ValueError(f"{op_name}: bias must have shape ({channels},) (one value per output channel), "
                         f"got {np.shape(bias)}.")


def _channels_last_grad(dout: np.ndarray, data_format: Any) -> Any:
    return np.asarray(to_channels_last(np.asarray(dout), data_format))


def _to_format(dx: np.ndarray, data_format: Any) -> Any:
    return from_channels_last(dx, data_format) if data_format == "channels_first" else np.ascontiguousarray(dx)


# --------------------------------------------------------------------------- the ops

class Conv(Op):
    """N-d convolution (cross-correlation, as ``tf.nn.convolution``): ``forward(x, kernel, bias=None)``.

    ``x``: ``(N, *spatial, C_in)`` (``channels_last``) or ``(N, C_in, *spatial)``;
    ``kernel``: ``(*kernel_size, C_in // groups, C_out)``; ``bias``: ``(C_out,)`` or
    omitted. The rank (1, 2, 3 ...) is the kernel's ``ndim - 2``.
    ``strides``, ``dilation_rate``: an int or one per spatial axis (any
    combination; tf.keras itself refuses strides > 1 together with dilation > 1).
    ``padding``: ``'valid'``, ``'same'`` (TensorFlow's: the extra pad at the
    end), ``'causal'`` (1-D: ``(k - 1) * dilation`` zeros in front) or explicit
    (see :func:`chainrule.ops.windows.resolve_padding`). ``groups`` splits the
    channels into that many independent convolutions (output channel ``j`` sees
    input group ``j // (C_out // groups)``, as in TensorFlow).

    Output ``(N, *out, C_out)`` (or channels_first). Backward returns
    ``(dx, dkernel)`` or ``(dx, dkernel, dbias)``. Raises ``ValueError`` for
    shapes that do not fit, naming them.
    """

    def __init__(self, strides: int | Sequence[int] = 1, padding: str | int | Sequence[Any] = "valid",
                 dilation_rate: int | Sequence[int] = 1, groups: int = 1, data_format: str = "channels_last") -> None:
        self.strides, self.padding, self.dilation_rate = strides, padding, dilation_rate
        self.groups = int(groups)
        self.data_format = check_data_format(data_format, type(self).__name__)
        if self.groups < 1:
            raise ValueError(f"{type(self).__name__}: groups must be >= 1, got {groups!r}.")

    def forward(self, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, /) -> np.ndarray:
        name = self.name
        x, kernel = np.asarray(x), np.asarray(kernel)
        rank = _check_rank(x, kernel, name, "(*kernel_size, C_in // groups, C_out)")
        xl = to_channels_last(x, self.data_format)
        ksize, (cin_g, cout) = kernel.shape[:rank], kernel.shape[rank:]
        groups, cin = self.groups, xl.shape[-1]
        if cin != cin_g * groups or cout % groups:
            raise ValueError(f"{name}: the input has {cin} channels (shape {x.shape}, {self.data_format}) but the "
                             f"kernel {kernel.shape} with groups={groups} expects {cin_g * groups}; the kernel must "
                             f"be (*kernel_size, C_in // groups, C_out) with C_out divisible by groups.")
        _check_bias(bias, cout, name)
        strides = normalize_tuple(self.strides, rank, "strides", name)
        dilation = normalize_tuple(self.dilation_rate, rank, "dilation_rate", name)
        pads = resolve_padding(self.padding, xl.shape[1:-1], ksize, strides, dilation, name)
        xp = pad_spatial(xl, pads)
        out_sp = output_shape(xp.shape[1:-1], ksize, strides, dilation)
        check_output_shape(out_sp, xl.shape[1:-1], pads, ksize, dilation, name)

        y, col = conv_forward(xp, kernel, strides, dilation, groups, out_sp)
        if bias is not None:
            y += bias
        if self.needs_backward:  # the im2col matrix is the largest array of a step: kept only for backward
            self.col, self.kernel, self.has_bias = col, kernel, bias is not None
            self.geometry = (xl.shape[1:-1], pads, strides, dilation)
        return from_channels_last(y.reshape(x.shape[0], *out_sp, cout), self.data_format)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        kernel, groups = self.kernel, self.groups
        dy = _channels_last_grad(dout, self.data_format)
        dy2 = dy.reshape(-1, kernel.shape[-1])
        dx = dkernel = dbias = None
        if self._needs(1):
            dkernel = conv_kernel_grad(self.col, dy2, kernel.shape, groups)
        if self.has_bias and self._needs(2):
            dbias = bias_grad(dy2)
        if self._needs(0):
            dx = _to_format(conv_input_grad(dy, kernel, *self.geometry, groups), self.data_format)
        return (dx, dkernel, dbias) if self.has_bias else (dx, dkernel)


class ConvTranspose(Op):
    """Transposed convolution (tf.keras ``Conv{1,2,3}DTranspose``): ``forward(x, kernel, bias=None)``.

    The input-gradient of the convolution that maps the output back to the
    input with the same kernel. ``x``: ``(N, *spatial, C_in)`` (or
    channels_first); ``kernel``: ``(*kernel_size, C_out, C_in)``; ``bias``: ``(C_out,)``.
    Output length per axis: tf.keras's ``deconv_output_length`` (``padding``
    'valid' or 'same', ``output_padding`` None or an int/tuple < stride,
    ``strides``, ``dilation_rate``). The padding applied is that of the
    forward convolution of the output: TensorFlow's 'same' rule on the output
    length (extra pad at the end), or none for 'valid' (positions no window
    reaches get 0, plus the bias).

    Backward: ``dx = im2col(dy) @ W`` (the convolution's forward),
    ``dkernel = im2col(dy).T @ x``, ``dbias = sum(dy)``.
    """

    def __init__(self, strides: int | Sequence[int] = 1, padding: str = "valid", output_padding: Any = None,
                 dilation_rate: int | Sequence[int] = 1, data_format: str = "channels_last") -> None:
        self.strides, self.padding, self.output_padding = strides, padding, output_padding
        self.dilation_rate = dilation_rate
        self.data_format = check_data_format(data_format, type(self).__name__)
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise ValueError(f"{type(self).__name__}: padding must be 'valid' or 'same', got {padding!r}.")

    def output_shape(self, spatial_shape: Any, kernel_size: Any) -> Any:
        """The output's spatial shape for an input of ``spatial_shape`` (tf.keras's rule; ``None`` stays ``None``).

        Raises ``ValueError`` when ``output_padding`` is not in ``[0, stride)``.
        """
        rank, name = len(kernel_size), self.name
        strides = normalize_tuple(self.strides, rank, "strides", name)
        dilation = normalize_tuple(self.dilation_rate, rank, "dilation_rate", name)
        out_pad: tuple[int | None, ...]
        if self.output_padding is None:
            out_pad = (None,) * rank
        else:
            value = self.output_padding
            given = (int(value),) * rank if isinstance(value, (int, np.integer)) else tuple(int(v) for v in value)
            if len(given) != rank or any(not 0 <= p < s for p, s in zip(given, strides)):
                raise ValueError(f"{name}: output_padding must be an int or {rank} ints, each in [0, stride); got "
                                 f"output_padding={value!r} with strides={self.strides!r}.")
            out_pad = given
        return tuple(deconv_output_length(n, k, self.padding.lower(), p, s, d)
                     for n, k, p, s, d in zip(spatial_shape, kernel_size, out_pad, strides, dilation))

    def forward(self, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        name = self.name
        x, kernel = np.asarray(x), np.asarray(kernel)
        rank = _check_rank(x, kernel, name, "(*kernel_size, C_out, C_in)")
        xl = to_channels_last(x, self.data_format)
        ksize, (cout, cin) = kernel.shape[:rank], kernel.shape[rank:]
        if xl.shape[-1] != cin:
            raise ValueError(f"{name}: the input has {xl.shape[-1]} channels (shape {x.shape}, {self.data_format}) "
                             f"but the kernel {kernel.shape} is (*kernel_size, C_out, C_in) with C_in={cin}.")
        _check_bias(bias, cout, name)
        strides = normalize_tuple(self.strides, rank, "strides", name)
        dilation = normalize_tuple(self.dilation_rate, rank, "dilation_rate", name)
        in_sp = xl.shape[1:-1]
        out_sp = self.output_shape(in_sp, ksize)
        if self.padding.lower() == "same":
            pads = tuple(same_padding(n, k, s, d) for n, k, s, d in zip(out_sp, ksize, strides, dilation))
        else:
            pads = tuple((0, 0) for _ in out_sp)
        covered = output_shape(tuple(n + b + a for n, (b, a) in zip(out_sp, pads)), ksize, strides, dilation)
        if covered != in_sp:
            raise ValueError(f"{name}: an output of spatial shape {out_sp} does not convolve back to the input's "
                             f"{in_sp} (kernel {ksize}, strides {strides}, padding {self.padding!r}); check "
                             f"output_padding.")
        y = conv_input_grad(xl, kernel, out_sp, pads, strides, dilation, 1)
        if bias is not None:
            y += bias   # y is a fresh array (or a view of one)
        if self.needs_backward:
            self.x, self.kernel, self.has_bias = xl, kernel, bias is not None
            self.geometry = (pads, strides, dilation, in_sp)
        return _to_format(y, self.data_format)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        kernel = self.kernel
        pads, strides, dilation, in_sp = self.geometry
        dy = _channels_last_grad(dout, self.data_format)
        dx = dkernel = dbias = None
        if self._needs(0) or self._needs(1):
            dyp = pad_spatial(dy, pads)
            dx2, col = conv_forward(dyp, kernel, strides, dilation, 1, in_sp)     # the convolution's forward
            if self._needs(0):
                dx = _to_format(dx2.reshape(self.x.shape), self.data_format)
            if self._needs(1):
                dkernel = conv_kernel_grad(col, self.x.reshape(-1, self.x.shape[-1]), kernel.shape, 1)
        if self.has_bias and self._needs(2):
            dbias = bias_grad(dy.reshape(-1, dy.shape[-1]))
        return (dx, dkernel, dbias) if self.has_bias else (dx, dkernel)


def _einsum_letters(rank: Any) -> Any:
    """Subscripts for depthwise einsums: batch ``n``, output positions, kernel offsets."""
    return "n", "hwdpq"[:rank], "ijklm"[:rank]


class DepthwiseConv(Op):
    """Depthwise convolution (tf.keras ``DepthwiseConv{1,2}D``): ``forward(x, kernel, bias=None)``.

    Each input channel is convolved with its own ``multiplier`` filters:
    ``kernel (*kernel_size, C_in, multiplier)``, output channel
    ``c * multiplier + m`` (TensorFlow's order), ``bias (C_in * multiplier,)``.
    Same ``strides``/``padding``/``dilation_rate``/``data_format`` as :class:`Conv`
    (padding 'valid', 'same' or explicit). A grouped convolution with
    ``groups = C_in`` computes the same, but through a batch of skinny GEMMs; here
    each output is a sum of products over the window view (one ``einsum``, no copy).

    Backward: ``dkernel`` sums ``window * dy`` over batch and positions (einsum
    over the same view); ``dx`` is, for stride 1, the depthwise convolution of
    ``dy`` with the flipped kernel, otherwise ``col2im`` of ``dy * kernel``.
    """

    def __init__(self, strides: int | Sequence[int] = 1, padding: str | int | Sequence[Any] = "valid",
                 dilation_rate: int | Sequence[int] = 1, data_format: str = "channels_last") -> None:
        self.strides, self.padding, self.dilation_rate = strides, padding, dilation_rate
        self.data_format = check_data_format(data_format, type(self).__name__)

    def forward(self, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        name = self.name
        x, kernel = np.asarray(x), np.asarray(kernel)
        rank = _check_rank(x, kernel, name, "(*kernel_size, C_in, multiplier)")
        xl = to_channels_last(x, self.data_format)
        ksize, (cin, mult) = kernel.shape[:rank], kernel.shape[rank:]
        if xl.shape[-1] != cin:
            raise ValueError(f"{name}: the input has {xl.shape[-1]} channels (shape {x.shape}, {self.data_format}) "
                             f"but the kernel {kernel.shape} is (*kernel_size, C_in, multiplier) with C_in={cin}.")
        _check_bias(bias, cin * mult, name)
        strides = normalize_tuple(self.strides, rank, "strides", name)
        dilation = normalize_tuple(self.dilation_rate, rank, "dilation_rate", name)
        pads = resolve_padding(self.padding, xl.shape[1:-1], ksize, strides, dilation, name,
                               allowed=("valid", "same"))
        xp = pad_spatial(xl, pads)
        out_sp = output_shape(xp.shape[1:-1], ksize, strides, dilation)
        check_output_shape(out_sp, xl.shape[1:-1], pads, ksize, dilation, name)

        n, o, k = _einsum_letters(rank)
        view = window_view(xp, ksize, strides, dilation, out_sp)                 # (N, *out, *k, C)
        y = np.einsum(f"{n}{o}{k}c,{k}cm->{n}{o}cm", view, kernel).reshape(x.shape[0], *out_sp, cin * mult)
        if bias is not None:
            y += bias
        if self.needs_backward:
            self.view, self.kernel, self.has_bias = view, kernel, bias is not None
            self.geometry = (xl.shape[1:-1], pads, strides, dilation, out_sp)
        return from_channels_last(y, self.data_format)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        kernel = self.kernel
        spatial, pads, strides, dilation, out_sp = self.geometry
        rank = kernel.ndim - 2
        ksize, (cin, mult) = kernel.shape[:rank], kernel.shape[rank:]
        n, o, k = _einsum_letters(rank)
        dy = _channels_last_grad(dout, self.data_format)
        dy4 = dy.reshape(dy.shape[:-1] + (cin, mult))
        dx = dkernel = dbias = None
        if self._needs(1):
            dkernel = np.einsum(f"{n}{o}{k}c,{n}{o}cm->{k}cm", self.view, dy4)
        if self.has_bias and self._needs(2):
            dbias = bias_grad(dy.reshape(-1, cin * mult))
        if self._needs(0):
            if all(s == 1 for s in strides):
                dyp = pad_for_input_grad(dy4, ksize, dilation, pads)
                view = window_view(dyp, ksize, strides, dilation, tuple(spatial))   # (N, *in, *k, C, m)
                flipped = kernel[(slice(None, None, -1),) * rank]
                dx = np.einsum(f"{n}{o}{k}cm,{k}cm->{n}{o}c", view, flipped)
            else:
                dcol = np.einsum(f"{n}{o}cm,{k}cm->{n}{o}{k}c", dy4, kernel)
                padded = tuple(sz + b + a for sz, (b, a) in zip(spatial, pads))
                dx = crop_spatial(col2im_nd(dcol, padded, ksize, strides, dilation), pads)
            dx = _to_format(dx, self.data_format)
        return (dx, dkernel, dbias) if self.has_bias else (dx, dkernel)


class Convolution(Conv):
    """The book's convolution layer (deep-learning-from-scratch ch. 7), NCHW: ``forward(x, W, b)``.

    ``x (N, C, H, W)``, ``W (FN, C, FH, FW)``, ``b (FN,)`` -> ``(N, FN, OH, OW)`` with
    ``OH = (H + 2 * pad - FH) // stride + 1``; ``stride`` and ``pad`` (zeros on
    every side) are ints or per-axis. Backward returns ``(dx, dW, db)`` and, as
    in the book, keeps ``self.dW`` and ``self.db``. Computed by :class:`Conv` with
    ``data_format='channels_first'`` and the kernel moved to ``(FH, FW, C, FN)``.
    """

    def __init__(self, stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0) -> None:
        super().__init__(strides=stride, padding=pad, data_format="channels_first")
        self.stride, self.pad = stride, pad
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None, /) -> np.ndarray:
        W = np.asarray(W)
        if W.ndim != 4:
            raise ValueError(f"Convolution: W must be (FN, C, FH, FW), got shape {W.shape}.")
        return super().forward(x, W.transpose(2, 3, 1, 0), b)

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx, dkernel, self.db = super().backward(dout)
        self.dW = None if dkernel is None else np.ascontiguousarray(dkernel.transpose(3, 2, 0, 1))
        return dx, self.dW, self.db
