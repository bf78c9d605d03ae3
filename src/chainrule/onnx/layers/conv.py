"""Converters of the convolution, pooling, padding/cropping/up-sampling and image preprocessing layers.

ONNX's Conv, ConvTranspose, pooling and Resize read ``(N, C, *spatial)``; a ``channels_last`` layer
(Keras's default) is written as Transpose -> op -> Transpose (onnxruntime's optimizer removes the pairs
that cancel between consecutive layers). TensorFlow's ``'same'`` padding puts the odd extra pad at the
end; it is written as explicit ``pads`` when the spatial sizes are known (or do not matter: stride 1)
and as ``auto_pad='SAME_UPPER'`` (the same rule) otherwise.
"""
from __future__ import annotations

import numpy as np

from ...keras.layers.conv_utils import spatial_axes
from ...keras.layers.convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D,
                                           Conv3DTranspose, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                                           SeparableConv2D)
from ...keras.layers.image_preprocessing import (CenterCrop, RandomContrast, RandomCrop, RandomFlip,
                                                RandomRotation, RandomTranslation, RandomZoom, Resizing)
from ...keras.layers.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling2D,
                                     GlobalAveragePooling3D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPooling1D,
                                     MaxPooling2D, MaxPooling3D)
from ...keras.layers.reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D,
                                       ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from ...ops.windows import deconv_output_length, effective_kernel, same_padding
from ..context import ExportError
from ..registry import register_converter
from .common import _as_layer_dtype, reduce, to_channels_first, to_channels_last

_INT64_MAX = int(np.iinfo(np.int64).max)


def _data_format(layer) -> str:
    return getattr(layer, "data_format", None) or "channels_last"


def _check_rank(layer, node, rank: int) -> None:
    got = len(node.input_tensors[0].shape)
    if got != rank + 2:
        raise ExportError(f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) is called on inputs of rank "
                          f"{got}; the export handles rank {rank + 2} (batch, {rank} spatial axes, channels).")


def _spatial_sizes(layer, node, rank: int) -> list:
    shape = tuple(node.input_tensors[0].shape)
    return [shape[a] for a in spatial_axes(rank, _data_format(layer))]


def _channels_first(ctx, layer, x: str, rank: int, emit) -> str:
    """``emit(x_nc)`` run in ``(N, C, *spatial)`` layout, transposing around it for ``channels_last``."""
    if _data_format(layer) == "channels_first":
        return emit(x)
    return to_channels_last(ctx, emit(to_channels_first(ctx, x, rank, layer.name)), rank, layer.name)


def _window_padding(layer, node, padding: str, kernel, strides, dilation) -> dict:
    """ONNX ``pads`` (or ``auto_pad``) of a window op with TensorFlow's padding rule."""
    rank = len(kernel)
    if padding == "valid":
        return {"pads": [0] * (2 * rank)}
    if padding == "causal":
        return {"pads": [effective_kernel(kernel[0], dilation[0]) - 1, 0]}
    sizes = _spatial_sizes(layer, node, rank)
    if any(n is None and s != 1 for n, s in zip(sizes, strides)):
        return {"auto_pad": "SAME_UPPER"}   # the pads depend on the length; ONNX's rule is TensorFlow's
    pairs = [same_padding(n if n is not None else 1, k, s, d) for n, k, s, d in zip(sizes, kernel, strides, dilation)]
    return {"pads": [b for b, _ in pairs] + [a for _, a in pairs]}


def _onnx_kernel(kernel: np.ndarray, rank: int) -> np.ndarray:
    """``(*k, C_in, C_out)`` (tf.keras) -> ``(C_out, C_in, *k)`` (ONNX)."""
    return np.ascontiguousarray(np.transpose(kernel, (rank + 1, rank) + tuple(range(rank))))


# ----------------------------------------------------------------------------- convolutions

@register_converter(Conv1D, Conv2D, Conv3D)
def convert_conv(ctx, layer, inputs, node):
    """Conv1D/2D/3D: ONNX Conv (``group``, ``dilations``; 'causal' as an explicit left pad), then the activation."""
    rank = layer.rank
    _check_rank(layer, node, rank)
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    w = ctx.constant(_onnx_kernel(layer.kernel.numpy(), rank), f"{layer.name}/kernel")
    ws = [w, ctx.weight(layer.bias, f"{layer.name}/bias")] if layer.use_bias else [w]
    attrs = dict(kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
                 dilations=list(layer.dilation_rate), group=int(layer.groups),
                 **_window_padding(layer, node, layer.padding, layer.kernel_size, layer.strides, layer.dilation_rate))
    y = _channels_first(ctx, layer, x, rank, lambda v: ctx.op("Conv", [v] + ws, name=f"{layer.name}/Conv", **attrs))
    return [ctx.activation(layer.activation, y, layer)]


def _depthwise(ctx, layer, x: str, node, with_bias: bool) -> str:
    """Depthwise convolution in NC layout: a grouped Conv with ``group = C_in`` (output channel ``c * m + j``)."""
    rank = layer.rank
    kernel = layer.depthwise_kernel.numpy()                     # (*k, C, m)
    cin, mult = kernel.shape[-2:]
    w = ctx.constant(_onnx_kernel(kernel.reshape(kernel.shape[:rank] + (1, cin * mult)), rank),
                     f"{layer.name}/depthwise_kernel")
    ws = [w, ctx.weight(layer.bias, f"{layer.name}/bias")] if with_bias else [w]
    return ctx.op("Conv", [x] + ws, name=f"{layer.name}/depthwise", kernel_shape=list(layer.kernel_size),
                  strides=list(layer.strides), dilations=list(layer.dilation_rate), group=int(cin),
                  **_window_padding(layer, node, layer.padding, layer.kernel_size, layer.strides, layer.dilation_rate))


@register_converter(DepthwiseConv1D, DepthwiseConv2D)
def convert_depthwise_conv(ctx, layer, inputs, node):
    """DepthwiseConv1D/2D: a Conv with one group per input channel, then the activation."""
    _check_rank(layer, node, layer.rank)
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    y = _channels_first(ctx, layer, x, layer.rank, lambda v: _depthwise(ctx, layer, v, node, layer.use_bias))
    return [ctx.activation(layer.activation, y, layer)]


@register_converter(SeparableConv1D, SeparableConv2D)
def convert_separable_conv(ctx, layer, inputs, node):
    """SeparableConv1D/2D: the depthwise Conv, then a 1x1 Conv with the bias, then the activation."""
    rank = layer.rank
    _check_rank(layer, node, rank)
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    pw = ctx.constant(_onnx_kernel(layer.pointwise_kernel.numpy(), rank), f"{layer.name}/pointwise_kernel")
    ws = [pw, ctx.weight(layer.bias, f"{layer.name}/bias")] if layer.use_bias else [pw]

    def emit(v):
        return ctx.op("Conv", [_depthwise(ctx, layer, v, node, False)] + ws, name=f"{layer.name}/pointwise",
                      kernel_shape=[1] * rank)
    return [ctx.activation(layer.activation, _channels_first(ctx, layer, x, rank, emit), layer)]


def _transpose_geometry(layer, n: int) -> list[tuple[int, int, int]]:
    """Per axis ``(pad_begin, pad_end, output_padding)`` of ONNX ConvTranspose for an input of length ``n``.

    chainrule (as tf.keras) takes the full transposed convolution ``(n - 1) * s + e`` long, drops
    ``before`` values in front and keeps the layer's output length, zeros where that runs past the end.
    """
    pads = layer.output_padding or (None,) * layer.rank
    out = []
    for k, s, d, p in zip(layer.kernel_size, layer.strides, layer.dilation_rate, pads):
        e = effective_kernel(k, d)
        length = deconv_output_length(n, k, layer.padding, p, s, d)
        before = same_padding(length, k, s, d)[0] if layer.padding == "same" else 0
        after = (n - 1) * s + e - before - length
        out.append((before, max(after, 0), max(-after, 0)))
    return out


@register_converter(Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
def convert_conv_transpose(ctx, layer, inputs, node):
    """Conv1D/2D/3DTranspose: ONNX ConvTranspose with the pads and output_padding of TensorFlow's output shape."""
    rank = layer.rank
    _check_rank(layer, node, rank)
    # The pads do not depend on the input length (the output grows by exactly `stride` per input step),
    # so an unknown length is computed as any length.
    sizes = _spatial_sizes(layer, node, rank)
    geometry = [_transpose_geometry(layer, n if n is not None else 5)[i] for i, n in enumerate(sizes)]
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    w = ctx.constant(_onnx_kernel(layer.kernel.numpy(), rank), f"{layer.name}/kernel")   # (C_in, filters, *k)
    ws = [w, ctx.weight(layer.bias, f"{layer.name}/bias")] if layer.use_bias else [w]
    attrs = dict(kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
                 dilations=list(layer.dilation_rate), pads=[g[0] for g in geometry] + [g[1] for g in geometry],
                 output_padding=[g[2] for g in geometry])
    y = _channels_first(ctx, layer, x, rank,
                        lambda v: ctx.op("ConvTranspose", [v] + ws, name=f"{layer.name}/ConvTranspose", **attrs))
    return [ctx.activation(layer.activation, y, layer)]


# ----------------------------------------------------------------------------- pooling

@register_converter(MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D, AveragePooling3D)
def convert_pooling(ctx, layer, inputs, node):
    """MaxPool / AveragePool; 'same' average pooling divides by the real (unpadded) values: count_include_pad=0."""
    rank = len(layer.pool_size)
    _check_rank(layer, node, rank)
    is_max = isinstance(layer, (MaxPooling1D, MaxPooling2D, MaxPooling3D))
    attrs = dict(kernel_shape=list(layer.pool_size), strides=list(layer.strides),
                 **_window_padding(layer, node, layer.padding, layer.pool_size, layer.strides, (1,) * rank))
    if not is_max:
        attrs["count_include_pad"] = 0
    op = "MaxPool" if is_max else "AveragePool"
    return [_channels_first(ctx, layer, inputs[0], rank, lambda v: ctx.op(op, [v], name=f"{layer.name}/{op}", **attrs))]


@register_converter(GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling2D, GlobalMaxPooling3D)
def convert_global_pooling(ctx, layer, inputs, node):
    """GlobalMax/GlobalAveragePooling2D/3D: ReduceMax / ReduceMean over the spatial axes (``keepdims``)."""
    rank = layer._rank
    _check_rank(layer, node, rank)
    is_max = isinstance(layer, (GlobalMaxPooling2D, GlobalMaxPooling3D))
    return [reduce(ctx, "ReduceMax" if is_max else "ReduceMean", inputs[0],
                   list(spatial_axes(rank, _data_format(layer))), layer.keepdims, layer.name)]


# ----------------------------------------------------------------------------- padding, cropping, up-sampling

def _pairs_on_axes(layer, node) -> list[tuple[int, int]]:
    """The layer's (before, after) pairs placed on every axis of the input (zeros off the spatial axes)."""
    ndim = len(node.input_tensors[0].shape)
    pairs = [(0, 0)] * ndim
    for axis, pair in zip(spatial_axes(layer._rank, _data_format(layer)), layer._pairs):
        pairs[axis] = (int(pair[0]), int(pair[1]))
    return pairs


@register_converter(ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
def convert_zero_padding(ctx, layer, inputs, node):
    """ZeroPadding1D/2D/3D: Pad with zeros on the spatial axes."""
    _check_rank(layer, node, layer._rank)
    pairs = _pairs_on_axes(layer, node)
    pads = ctx.ints([b for b, _ in pairs] + [a for _, a in pairs], f"{layer.name}/pads")
    return [ctx.op("Pad", [inputs[0], pads], name=layer.name, mode="constant")]


@register_converter(Cropping1D, Cropping2D, Cropping3D)
def convert_cropping(ctx, layer, inputs, node):
    """Cropping1D/2D/3D: Slice of the spatial axes."""
    _check_rank(layer, node, layer._rank)
    axes = list(spatial_axes(layer._rank, _data_format(layer)))
    pairs = _pairs_on_axes(layer, node)
    starts = [pairs[a][0] for a in axes]
    ends = [-pairs[a][1] if pairs[a][1] else _INT64_MAX for a in axes]
    return [ctx.op("Slice", [inputs[0], ctx.ints(starts), ctx.ints(ends), ctx.ints(axes)], name=layer.name)]


def _resize_nc(ctx, x: str, name: str, mode: str, scales=None, size=None) -> str:
    """ONNX Resize of an ``(N, C, *spatial)`` value by ``scales`` or to the spatial ``size`` (tf.image.resize rules)."""
    if mode == "linear":
        attrs = dict(mode="linear", coordinate_transformation_mode="half_pixel")
    elif scales is not None:    # integer up-sampling: every value repeated
        attrs = dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    else:                       # tf.image.resize 'nearest' (half-pixel centres, rounding down)
        attrs = dict(mode="nearest", coordinate_transformation_mode="tf_half_pixel_for_nn", nearest_mode="floor")
    if scales is not None:
        scale = ctx.constant(np.asarray([1.0, 1.0] + list(scales), np.float32), f"{name}/scales")
        return ctx.op("Resize", [x, "", scale], name=f"{name}/Resize", **attrs)
    head = ctx.op("Slice", [ctx.op("Shape", [x], name=f"{name}/shape"), ctx.ints([0]), ctx.ints([2])],
                  name=f"{name}/batch_channels")
    sizes = ctx.op("Concat", [head, ctx.ints(size, f"{name}/size")], name=f"{name}/sizes", axis=0)
    return ctx.op("Resize", [x, "", "", sizes], name=f"{name}/Resize", **attrs)


@register_converter(UpSampling1D, UpSampling2D, UpSampling3D)
def convert_up_sampling(ctx, layer, inputs, node):
    """UpSampling1D/2D/3D: Resize by the integer factors ('nearest' repeats; 'bilinear' has half-pixel centres)."""
    rank = layer._rank
    _check_rank(layer, node, rank)
    mode = "linear" if layer.interpolation == "bilinear" else "nearest"
    factors = [float(f) for f in layer._factors]
    return [_channels_first(ctx, layer, inputs[0], rank, lambda v: _resize_nc(ctx, v, layer.name, mode, factors))]


# ----------------------------------------------------------------------------- image preprocessing

def _image_float(ctx, layer, inputs, node) -> str:
    if len(node.input_tensors[0].shape) != 4:
        raise ExportError(f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) is exported for batches of "
                          f"images (batch, height, width, channels); got rank {len(node.input_tensors[0].shape)}.")
    return _as_layer_dtype(ctx, layer, inputs[0], node)


@register_converter(RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast)
def convert_random_augmentation(ctx, layer, inputs, node):
    """The random augmentation layers: the identity at inference (after the cast to the layer's dtype)."""
    return [_image_float(ctx, layer, inputs, node)]


def _image_size(layer, node) -> tuple[int, int]:
    height, width = node.input_tensors[0].shape[1:3]
    if height is None or width is None:
        raise ExportError(f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) crops or resizes images of "
                          f"unknown size {(height, width)} here; the export needs the model's Input to give the "
                          "height and width.")
    return int(height), int(width)


def _smart_resize(ctx, layer, x: str, node, method: str) -> str:
    """tf.keras's ``smart_resize``: the largest centred crop with the target's aspect ratio, then a resize."""
    h, w = _image_size(layer, node)
    th, tw = layer.height, layer.width
    crop_h = min(h, int(np.float32(w * th) / np.float32(tw)))       # chainrule's float32 arithmetic
    crop_w = min(w, int(np.float32(h * tw) / np.float32(th)))
    top, left = int(np.float32(h - crop_h) / 2), int(np.float32(w - crop_w) / 2)
    if (crop_h, crop_w) != (h, w):
        x = ctx.op("Slice", [x, ctx.ints([top, left]), ctx.ints([top + crop_h, left + crop_w]), ctx.ints([1, 2])],
                   name=f"{layer.name}/crop")
    if (crop_h, crop_w) == (th, tw):
        return x
    mode = "linear" if method == "bilinear" else "nearest"
    return _channels_first(ctx, layer, x, 2, lambda v: _resize_nc(ctx, v, layer.name, mode, size=(th, tw)))


@register_converter(Resizing)
def convert_resizing(ctx, layer, inputs, node):
    """Resizing: ONNX Resize with tf.image.resize's half-pixel rules ('bilinear' or 'nearest'); with
    ``crop_to_aspect_ratio`` the centred crop first."""
    x = _image_float(ctx, layer, inputs, node)
    if layer.crop_to_aspect_ratio:
        return [_smart_resize(ctx, layer, x, node, layer._method)]
    if tuple(node.input_tensors[0].shape[1:3]) == (layer.height, layer.width):
        return [x]
    mode = "linear" if layer._method == "bilinear" else "nearest"
    return [_channels_first(ctx, layer, x, 2,
                            lambda v: _resize_nc(ctx, v, layer.name, mode, size=(layer.height, layer.width)))]


@register_converter(CenterCrop)
def convert_center_crop(ctx, layer, inputs, node):
    """CenterCrop: a Slice of the centre; an image smaller than the target is resized instead (smart_resize)."""
    x = _image_float(ctx, layer, inputs, node)
    h, w = _image_size(layer, node)
    if h < layer.height or w < layer.width:
        return [_smart_resize(ctx, layer, x, node, "bilinear")]
    top, left = (h - layer.height) // 2, (w - layer.width) // 2
    return [ctx.op("Slice", [x, ctx.ints([top, left]), ctx.ints([top + layer.height, left + layer.width]),
                             ctx.ints([1, 2])], name=layer.name)]


@register_converter(RandomCrop)
def convert_random_crop(ctx, layer, inputs, node):
    """RandomCrop at inference: smart_resize to the target size (the identity when the sizes already agree)."""
    x = _image_float(ctx, layer, inputs, node)
    if tuple(node.input_tensors[0].shape[1:3]) == (layer.height, layer.width):
        return [x]
    return [_smart_resize(ctx, layer, x, node, "bilinear")]
