"""Converters of the core layers: Dense, Activation, Dropout (and the other layers that are the identity at
inference: Identity, AlphaDropout, GaussianNoise, GaussianDropout, ActivityRegularization), Flatten, Reshape,
Permute, Rescaling, BatchNormalization, UnitNormalization, the activation layers (PReLU and ThresholdedReLU
too), the merging layers (Dot too) and nested models."""
from __future__ import annotations

import numpy as np

from ...backend import epsilon
from ...dtypes import as_dtype
from ...keras.layers.activation import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from ...keras.layers.core import Activation, Dense, Dropout, Flatten, Identity, Reshape
from ...keras.layers.merging import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, _Merge
from ...keras.layers.permute import Permute
from ...keras.layers.regularization import ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise
from ...keras.layers.unit_normalization import UnitNormalization
from ...keras.layers.normalization import BatchNormalization
from ...keras.layers.numeric_preprocessing import Normalization
from ...keras.layers.preprocessing import Rescaling
from ...keras.layers.embedding import Embedding
from ...keras.layers.graph_losses import AddLoss, AddMetric
from ...keras.layers.masking import Masking
from ...keras.models.model import Model
from ...keras.models.sequential import Sequential
from ..context import ExportError, emit_softmax, relu_general
from ..registry import register_converter
from .common import _as_layer_dtype, _input_dtype, reduce


# ----------------------------------------------------------------------------- core layers

@register_converter(Dense)
def convert_dense(ctx, layer, inputs, node):
    """``activation(x @ kernel + bias)``: MatMul (any rank) and Add."""
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    y = ctx.op("MatMul", [x, ctx.weight(layer.kernel, f"{layer.name}/kernel")], name=f"{layer.name}/MatMul")
    if layer.use_bias:
        y = ctx.op("Add", [y, ctx.weight(layer.bias, f"{layer.name}/bias")], name=f"{layer.name}/BiasAdd")
    return [ctx.activation(layer.activation, y, layer)]


@register_converter(Activation)
def convert_activation(ctx, layer, inputs, node):
    """The layer's activation function."""
    dtype = _input_dtype(node)
    return [ctx.activation(layer.activation, inputs[0], layer, dtype=dtype)]


@register_converter(Dropout, AlphaDropout, GaussianNoise, GaussianDropout, ActivityRegularization, Identity,
                    AddLoss, AddMetric)
def convert_dropout(ctx, layer, inputs, node):
    """The identity: the dropout and noise layers act only in training; ActivityRegularization, AddLoss and
    AddMetric add losses or metrics and return their input."""
    return [inputs[0]]


@register_converter(Permute)
def convert_permute(ctx, layer, inputs, node):
    """Transpose with the batch axis first, then the layer's ``dims``."""
    return [ctx.op("Transpose", [inputs[0]], name=layer.name, perm=[0] + [int(d) for d in layer.dims])]


def _l2_normalize(ctx, x: str, axes: list, dtype, name: str) -> str:
    """``x / sqrt(max(sum(x ** 2, axes), 1e-12))``, as ``chainrule.math.l2_normalize``."""
    squares = reduce(ctx, "ReduceSum", ctx.op("Mul", [x, x], name=f"{name}/square"), axes, True, f"{name}/sum")
    floor = ctx.op("Max", [squares, ctx.scalar(1e-12, dtype)], name=f"{name}/floor")
    return ctx.op("Div", [x, ctx.op("Sqrt", [floor], name=f"{name}/norm")], name=name)


@register_converter(UnitNormalization)
def convert_unit_normalization(ctx, layer, inputs, node):
    """L2 normalization over the layer's axes."""
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    axes = layer.axis if isinstance(layer.axis, list) else [layer.axis]
    return [_l2_normalize(ctx, x, [int(a) for a in axes], layer.dtype, layer.name)]


@register_converter(Flatten)
def convert_flatten(ctx, layer, inputs, node):
    """ONNX Flatten(axis=1); channels_first inputs are moved to channels-last order first."""
    x = inputs[0]
    rank = len(node.input_tensors[0].shape)
    if rank == 1:
        shape = ctx.constant(np.asarray([-1, 1], dtype=np.int64), f"{layer.name}/shape")
        return [ctx.op("Reshape", [x, shape], name=layer.name)]
    if layer.data_format == "channels_first" and rank > 2:
        x = ctx.op("Transpose", [x], name=f"{layer.name}/to_channels_last", perm=[0] + list(range(2, rank)) + [1])
    return [ctx.op("Flatten", [x], name=layer.name, axis=1)]


@register_converter(Reshape)
def convert_reshape(ctx, layer, inputs, node):
    """ONNX Reshape to ``(batch,) + target_shape`` (0 keeps the batch size)."""
    shape = ctx.constant(np.asarray((0,) + tuple(layer.target_shape), dtype=np.int64), f"{layer.name}/shape")
    return [ctx.op("Reshape", [inputs[0], shape], name=layer.name)]


@register_converter(Rescaling)
def convert_rescaling(ctx, layer, inputs, node):
    """``x * scale + offset`` in the layer's dtype."""
    dtype = np.dtype(as_dtype(layer.dtype).as_numpy_dtype)
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    y = ctx.op("Mul", [x, ctx.constant(np.asarray(layer.scale, dtype), f"{layer.name}/scale")],
               name=f"{layer.name}/scale")
    return [ctx.op("Add", [y, ctx.constant(np.asarray(layer.offset, dtype), f"{layer.name}/offset")],
                   name=f"{layer.name}/offset")]


@register_converter(Normalization)
def convert_normalization(ctx, layer, inputs, node):
    """``(x - mean) / max(sqrt(variance), epsilon)`` (``invert``: ``mean + x * std``) with the adapted statistics."""
    dtype = np.dtype(as_dtype(layer.dtype).as_numpy_dtype)
    mean = np.asarray(layer.mean.numpy(), dtype)
    std = np.maximum(np.sqrt(np.asarray(layer.variance.numpy(), dtype)), np.asarray(epsilon(), dtype)).astype(dtype)
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    mean_c, std_c = ctx.constant(mean, f"{layer.name}/mean"), ctx.constant(std, f"{layer.name}/std")
    if layer.invert:
        return [ctx.op("Add", [mean_c, ctx.op("Mul", [x, std_c], name=f"{layer.name}/scale")], name=layer.name)]
    return [ctx.op("Div", [ctx.op("Sub", [x, mean_c], name=f"{layer.name}/centre"), std_c], name=layer.name)]


@register_converter(BatchNormalization)
def convert_batch_normalization(ctx, layer, inputs, node):
    """Inference form with the moving statistics folded: ``x * scale + shift`` over the layer's axes."""
    dtype = np.dtype(as_dtype(layer.dtype).as_numpy_dtype)
    mean, variance = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    gamma = layer.gamma.numpy() if layer.gamma is not None else np.ones_like(mean)
    beta = layer.beta.numpy() if layer.beta is not None else np.zeros_like(mean)
    inv = (1.0 / np.sqrt(variance + np.asarray(layer.epsilon, variance.dtype))).astype(dtype)
    shape = layer._param_shape
    scale = (gamma * inv).astype(dtype).reshape(shape)
    shift = (beta - mean * gamma * inv).astype(dtype).reshape(shape)
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    y = ctx.op("Mul", [x, ctx.constant(scale, f"{layer.name}/scale")], name=f"{layer.name}/scale")
    return [ctx.op("Add", [y, ctx.constant(shift, f"{layer.name}/shift")], name=f"{layer.name}/shift")]


# ----------------------------------------------------------------------------- activation layers

@register_converter(ReLU)
def convert_relu(ctx, layer, inputs, node):
    """Relu, Clip for ``max_value`` alone, or the general thresholded form."""
    x, dtype = inputs[0], _input_dtype(node) or layer.dtype
    if layer.negative_slope == 0 and layer.threshold == 0:
        if layer.max_value is None:
            return [ctx.op("Relu", [x], name=layer.name)]
        return [ctx.op("Clip", [x, ctx.scalar(0, dtype), ctx.scalar(layer.max_value, dtype)], name=layer.name)]
    return [relu_general(ctx, x, dtype, layer.name, layer.negative_slope, layer.max_value, layer.threshold,
                         keep_at_threshold=True)]


@register_converter(LeakyReLU)
def convert_leaky_relu(ctx, layer, inputs, node):
    """LeakyRelu with the layer's ``alpha``."""
    return [ctx.op("LeakyRelu", [inputs[0]], name=layer.name, alpha=float(layer.alpha))]


@register_converter(PReLU)
def convert_prelu(ctx, layer, inputs, node):
    """PRelu with the learned slope (of one sample's shape, broadcast over the batch)."""
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    return [ctx.op("PRelu", [x, ctx.weight(layer.alpha, f"{layer.name}/alpha")], name=layer.name)]


@register_converter(ThresholdedReLU)
def convert_thresholded_relu(ctx, layer, inputs, node):
    """ThresholdedRelu: ``x`` where x > theta, else 0."""
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    return [ctx.op("ThresholdedRelu", [x], name=layer.name, alpha=float(layer.theta))]


@register_converter(ELU)
def convert_elu(ctx, layer, inputs, node):
    """Elu with the layer's ``alpha``."""
    return [ctx.op("Elu", [inputs[0]], name=layer.name, alpha=float(layer.alpha))]


@register_converter(Softmax)
def convert_softmax(ctx, layer, inputs, node):
    """Softmax along the layer's axis (or axes)."""
    return [emit_softmax(ctx, inputs[0], _input_dtype(node) or layer.dtype, layer.name, axis=layer.axis)]


# ----------------------------------------------------------------------------- merging layers

def _aligned(ctx, layer, inputs, node):
    """Inputs cast to the layer's dtype (floats) and, for lower ranks, given axes after the batch axis."""
    ranks = [len(t.shape) for t in node.input_tensors]
    top = max(ranks)
    out = []
    for i, (x, rank) in enumerate(zip(inputs, ranks)):
        if node.input_tensors[i].dtype.is_floating:
            x = _as_layer_dtype(ctx, layer, x, node, i)
        if rank < top:
            axes = ctx.constant(np.arange(1, 1 + top - rank, dtype=np.int64), f"{layer.name}/axes")
            x = ctx.op("Unsqueeze", [x, axes], name=f"{layer.name}/expand")
        out.append(x)
    return out


_VARIADIC = {Add: "Sum", Average: "Mean", Maximum: "Max", Minimum: "Min"}


@register_converter(_Merge)
def convert_merge(ctx, layer, inputs, node):
    """Add -> Sum, Average -> Mean, Maximum -> Max, Minimum -> Min, Multiply -> Mul, Subtract -> Sub.

    The output mask (when the inputs carry masks) is their logical and, as the layer computes it.
    """
    _merge_mask(ctx, layer, node)
    xs = _aligned(ctx, layer, inputs, node)
    op = next((v for cls, v in _VARIADIC.items() if isinstance(layer, cls)), None)
    if op is not None:
        return [ctx.op(op, xs, name=layer.name)]
    binary = "Mul" if isinstance(layer, Multiply) else "Sub" if isinstance(layer, Subtract) else None
    if binary is None:
        raise ExportError(f"ONNX export: merging layer {layer.name!r} ({type(layer).__name__}) has no converter.")
    out = xs[0]
    for x in xs[1:]:
        out = ctx.op(binary, [out, x], name=layer.name)
    return [out]


def _merge_mask(ctx, layer, node) -> None:
    out = node.output_tensors[0]
    if getattr(out, "_keras_mask", None) is not None:
        mask = ctx.and_masks(node, layer)
        if mask is not None:
            ctx.set_mask(out, mask)


@register_converter(Dot)
def convert_dot(ctx, layer, inputs, node):
    """Einsum of the two inputs over the contracted axes (batch shared), after L2 normalization with
    ``normalize``; an output of just the batch axis gets an axis of 1 (Unsqueeze), as the layer's."""
    shapes = [tuple(t.shape) for t in node.input_tensors]
    a0, a1 = layer._resolved_axes(shapes)
    xs = [_as_layer_dtype(ctx, layer, x, node, i) for i, x in enumerate(inputs)]
    if layer.normalize:
        xs = [_l2_normalize(ctx, x, [a], layer.dtype, f"{layer.name}/normalize{i}")
              for i, (x, a) in enumerate(zip(xs, (a0, a1)))]
    letters = iter("bcdefghijklmnopqrstuvwxyz")
    first = ["a"] + [next(letters) for _ in shapes[0][1:]]
    second = ["a"] + [next(letters) for _ in shapes[1][1:]]
    second[a1] = first[a0]
    out = [first[0]] + [c for i, c in enumerate(first) if i not in (0, a0)] + \
        [c for i, c in enumerate(second) if i not in (0, a1)]
    y = ctx.op("Einsum", xs, name=f"{layer.name}/einsum" if len(out) == 1 else layer.name,
               equation=f"{''.join(first)},{''.join(second)}->{''.join(out)}")
    if len(out) == 1:
        y = ctx.op("Unsqueeze", [y, ctx.constant(np.asarray([1], dtype=np.int64), f"{layer.name}/axis")],
                   name=layer.name)
    return [y]


@register_converter(Concatenate)
def convert_concatenate(ctx, layer, inputs, node):
    """Concat along the layer's axis; joining features, the output mask is the inputs' masks and-ed."""
    rank = len(node.output_tensors[0].shape)
    if int(layer.axis) in (-1, rank - 1):
        _merge_mask(ctx, layer, node)
    xs = [_as_layer_dtype(ctx, layer, x, node, i) if node.input_tensors[i].dtype.is_floating else x
          for i, x in enumerate(inputs)]
    return [ctx.op("Concat", xs, name=layer.name, axis=int(layer.axis))]


# ----------------------------------------------------------------------------- nested models

@register_converter(Model)
def convert_model(ctx, layer, inputs, node):
    """A Sequential or functional model used as a layer: its calls are inlined.

    A Sequential made without an input shape and first called inside another model (the usual
    ``data_augmentation = keras.Sequential([...])`` block) has no graph of its own: its layers are
    converted one after the other, each output shape from the layer's ``compute_output_shape``.
    """
    if getattr(layer, "_is_graph_network", False) or node is None or not isinstance(layer, Sequential):
        return ctx.convert_graph(layer, inputs)
    x, spec = inputs[0], node.input_tensors[0]
    shape, dtype = tuple(spec.shape), spec.dtype
    for inner in layer.layers:
        if isinstance(inner, Masking) or (isinstance(inner, Embedding) and inner.mask_zero):
            raise ExportError(f"ONNX export: layer {inner.name!r} makes a mask inside Sequential {layer.name!r}, "
                              "which has no input shape of its own; give it one (keras.Input first) to export it.")
        out_shape = tuple(inner.compute_output_shape(shape))
        out_dtype = dtype if inner.dtype is None else inner.dtype
        (x,) = ctx.convert_sublayer(inner, [x], [(shape, dtype)], [(out_shape, out_dtype)])
        shape, dtype = out_shape, out_dtype
    return [x]
