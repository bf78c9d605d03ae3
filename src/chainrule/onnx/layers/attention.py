"""Converters of LayerNormalization, GroupNormalization, EinsumDense, MultiHeadAttention, Attention and
AdditiveAttention.

MultiHeadAttention is written as its parts, with the layer's own einsum equations and weight shapes:
three EinsumDense projections, ``Einsum(dot)`` of the keys and the scaled queries, a softmax over the
attention axes with masked positions pushed down by 1e9 (as chainrule and tf.keras 2 do), ``Einsum(combine)``
with the values and the output projection. Its automatic masks (the query's and value's ``_keras_mask``),
``attention_mask`` and ``use_causal_mask`` are combined as the layer combines them.
"""
from __future__ import annotations

import numpy as np

from ...dtypes import as_dtype
from ...keras.layers.attention.dense_attention import AdditiveAttention, Attention
from ...keras.layers.attention.multi_head_attention import MultiHeadAttention
from ...keras.layers.base import KerasTensor
from ...keras.layers.einsum_dense import EinsumDense
from ...keras.layers.group_normalization import GroupNormalization
from ...keras.layers.layer_normalization import LayerNormalization
from ..context import ExportError, emit_softmax, onnx_elem_type
from ..registry import register_converter
from .common import _as_layer_dtype, reduce


@register_converter(GroupNormalization)
def convert_group_normalization(ctx, layer, inputs, node):
    """Channels moved last (Transpose, when they are not), Reshape to ``(batch, -1, groups, channels // groups)``,
    the mean and variance over axes 1 and 3, then the original shape back and the per-channel gamma and beta."""
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    shape = tuple(node.input_tensors[0].shape)
    rank, axis, groups, name = len(shape), layer._channel_axis, layer.groups, layer.name
    channels = shape[axis]
    perm = [i for i in range(rank) if i != axis] + [axis]
    if axis != rank - 1:
        x = ctx.op("Transpose", [x], name=f"{name}/channels_last", perm=perm)
    moved_shape = ctx.op("Shape", [x], name=f"{name}/shape")
    grouped = ctx.op("Reshape", [x, ctx.constant(np.asarray([0, -1, groups, channels // groups], dtype=np.int64),
                                                 f"{name}/grouped_shape")], name=f"{name}/grouped")
    mean = reduce(ctx, "ReduceMean", grouped, [1, 3], True, f"{name}/mean")
    centred = ctx.op("Sub", [grouped, mean], name=f"{name}/centred")
    variance = reduce(ctx, "ReduceMean", ctx.op("Mul", [centred, centred], name=f"{name}/square"), [1, 3], True,
                      f"{name}/variance")
    std = ctx.op("Sqrt", [ctx.op("Add", [variance, ctx.scalar(layer.epsilon, layer.dtype)], name=f"{name}/eps")],
                 name=f"{name}/std")
    y = ctx.op("Reshape", [ctx.op("Div", [centred, std], name=f"{name}/normalized"), moved_shape],
               name=f"{name}/ungrouped")
    if axis != rank - 1:
        y = ctx.op("Transpose", [y], name=f"{name}/channels_back", perm=[int(i) for i in np.argsort(perm)])
    broadcast = [channels if a == axis else 1 for a in range(1, rank)]
    if layer.gamma is not None:
        y = ctx.op("Mul", [y, ctx.constant(layer.gamma.numpy().reshape(broadcast), f"{name}/gamma")],
                   name=f"{name}/scale")
    if layer.beta is not None:
        y = ctx.op("Add", [y, ctx.constant(layer.beta.numpy().reshape(broadcast), f"{name}/beta")], name=name)
    return [y]


@register_converter(LayerNormalization)
def convert_layer_normalization(ctx, layer, inputs, node):
    """Opset 17's LayerNormalization when the axes are the trailing ones, else Reduce/Sub/Sqrt/Div."""
    x = _as_layer_dtype(ctx, layer, inputs[0], node)
    rank = len(node.input_tensors[0].shape)
    axes = [int(a) for a in layer.axis]
    param_shape = [node.input_tensors[0].shape[a] for a in axes]
    dtype = np.dtype(as_dtype(layer.dtype).as_numpy_dtype)
    gamma = layer.gamma.numpy() if layer.scale else np.ones(param_shape, dtype)
    beta = layer.beta.numpy() if layer.center else np.zeros(param_shape, dtype)
    name = layer.name
    if ctx.opset >= 17 and axes == list(range(axes[0], rank)):
        scale, shift = ctx.constant(gamma, f"{name}/gamma"), ctx.constant(beta, f"{name}/beta")
        return [ctx.op("LayerNormalization", [x, scale, shift], name=name, axis=axes[0],
                       epsilon=float(layer.epsilon))]
    broadcast = [node.input_tensors[0].shape[a] if a in axes else 1 for a in range(1, rank)]
    mean = reduce(ctx, "ReduceMean", x, axes, True, f"{name}/mean")
    centred = ctx.op("Sub", [x, mean], name=f"{name}/centred")
    variance = reduce(ctx, "ReduceMean", ctx.op("Mul", [centred, centred], name=f"{name}/square"), axes, True,
                      f"{name}/variance")
    std = ctx.op("Sqrt", [ctx.op("Add", [variance, ctx.scalar(layer.epsilon, layer.dtype)], name=f"{name}/eps")],
                 name=f"{name}/std")
    y = ctx.op("Mul", [ctx.op("Div", [centred, std], name=f"{name}/normalized"),
                       ctx.constant(gamma.reshape(broadcast), f"{name}/gamma")], name=f"{name}/scale")
    return [ctx.op("Add", [y, ctx.constant(beta.reshape(broadcast), f"{name}/beta")], name=name)]


def emit_einsum_dense(ctx, layer, x: str) -> str:
    """``activation(einsum(equation, x, kernel) + bias)`` of an EinsumDense layer."""
    y = ctx.op("Einsum", [x, ctx.weight(layer.kernel, f"{layer.name}/kernel")], name=f"{layer.name}/Einsum",
               equation=layer.equation)
    if layer.bias is not None:
        y = ctx.op("Add", [y, ctx.weight(layer.bias, f"{layer.name}/bias")], name=f"{layer.name}/bias")
    return ctx.activation(layer.activation, y, layer)


@register_converter(EinsumDense)
def convert_einsum_dense(ctx, layer, inputs, node):
    """ONNX Einsum with the layer's equation, the bias and the activation."""
    return [emit_einsum_dense(ctx, layer, _as_layer_dtype(ctx, layer, inputs[0], node))]


def _mha_arguments(node, inputs) -> dict:
    """The query, value, key and attention_mask of a MultiHeadAttention call (a value name, a constant or None)."""
    if not hasattr(node, "call_args"):     # called inside another layer's converter: inputs are [query, value, key?]
        names = ["query", "value", "key"]
        given: dict = dict(zip(names, inputs))
        given.update({k: v for k, v in node.call_kwargs.items() if k not in names})
        given["tensors"] = dict(zip(names, node.input_tensors))
        return given
    index = {id(t): i for i, t in enumerate(node.input_tensors)}
    positional = ["value", "key", "attention_mask", "return_attention_scores", "training", "use_causal_mask"]
    raw = dict(node.call_kwargs)
    raw["query"] = node.call_args
    raw.update(zip(positional, node.call_rest))
    args: dict = {"tensors": {}}
    for k, v in raw.items():
        if isinstance(v, KerasTensor):
            args[k] = inputs[index[id(v)]]
            args["tensors"][k] = v
        else:
            args[k] = v
    return args


def _mask_constant(ctx, value, name: str) -> str:
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value).astype(bool)
    return ctx.constant(array, name)


def _penalty(ctx, layer, mask: str, name: str) -> str:
    """0 where ``mask`` is True, -1e9 where it is False (added to the logits before the softmax)."""
    return ctx.op("Where", [mask, ctx.scalar(0.0, layer.dtype), ctx.scalar(-1e9, layer.dtype)], name=name)


@register_converter(MultiHeadAttention)
def convert_multi_head_attention(ctx, layer, inputs, node):
    """The projections, ``Einsum``s and masked softmax of the layer (any ``attention_axes``)."""
    args = _mha_arguments(node, inputs)
    tensors, name = args["tensors"], layer.name
    query, value = args["query"], args["value"]
    key = args.get("key") if args.get("key") is not None else value
    dtype = node.input_tensors[0].dtype
    q = emit_einsum_dense(ctx, layer._query_dense, ctx.cast_to(query, dtype, layer.dtype))
    k = emit_einsum_dense(ctx, layer._key_dense, ctx.cast_to(key, dtype, layer.dtype))
    v = emit_einsum_dense(ctx, layer._value_dense, ctx.cast_to(value, dtype, layer.dtype))
    # The mask: the query's (B, T, 1), the value's and key's (B, 1, S), causal (1, T, S), attention_mask; all and-ed.
    masks = []     # (value name, rank)
    attention_mask = args.get("attention_mask")
    if attention_mask is not None:
        if isinstance(attention_mask, str):      # a value name: its rank from its tensor (3 inside a sub-layer call)
            rank = len(tensors["attention_mask"].shape) if "attention_mask" in tensors else 3
            attention_mask = ctx.op("Cast", [attention_mask], name=f"{name}/attention_mask", to=onnx_elem_type("bool"))
        else:
            rank = np.ndim(attention_mask)
            attention_mask = _mask_constant(ctx, attention_mask, f"{name}/attention_mask")
        masks.append((attention_mask, rank))
    for role, axis in (("query", -1), ("value", -2), ("key", -2)):
        tensor = tensors.get(role)
        mask = ctx.mask_of(tensor, layer) if tensor is not None else None
        if mask is not None:
            masks.append((ctx.op("Unsqueeze", [mask, ctx.ints([axis])], name=f"{name}/{role}_mask"),
                          len(tensor.shape)))
    if args.get("use_causal_mask"):
        t, s = tensors["query"].shape[1], tensors.get("value", tensors["query"]).shape[1]
        if t is None or s is None:
            raise ExportError(f"ONNX export: MultiHeadAttention layer {name!r} uses use_causal_mask=True with an "
                              "unknown number of steps; give the model's Input a full shape.")
        masks.append((ctx.constant(np.tril(np.ones((1, t, s), dtype=bool)), f"{name}/causal_mask"), 3))
    mask, mask_rank = masks[0] if masks else (None, 0)
    for m, rank in masks[1:]:
        mask, mask_rank = ctx.op("And", [mask, m], name=f"{name}/mask"), max(mask_rank, rank)
    scaled = ctx.op("Mul", [q, ctx.scalar(1.0 / np.sqrt(float(layer._key_dim)), layer.dtype)], name=f"{name}/scale")
    scores = ctx.op("Einsum", [k, scaled], name=f"{name}/scores", equation=layer._dot_equation)
    scores_rank = len(layer._dot_equation.split("->")[1])
    norm_axes = [int(a) for a in layer._norm_axes]
    if mask is not None:
        for _ in range(scores_rank - mask_rank):
            mask = ctx.op("Unsqueeze", [mask, ctx.ints([-len(layer._attention_axes) * 2 - 1])],
                          name=f"{name}/mask_heads")
        scores = ctx.op("Add", [scores, _penalty(ctx, layer, mask, f"{name}/penalty")], name=f"{name}/masked_scores")
    axis = norm_axes[0] if len(norm_axes) == 1 else norm_axes
    if axis == scores_rank - 1:
        axis = -1
    weights = emit_softmax(ctx, scores, layer.dtype, f"{name}/softmax", axis=axis)
    out = ctx.op("Einsum", [weights, v], name=f"{name}/combine", equation=layer._combine_equation)
    out = emit_einsum_dense(ctx, layer._output_dense, out)
    query_mask = ctx.mask_of(tensors["query"], layer) if "query" in tensors else None
    if query_mask is not None and getattr(node.output_tensors[0], "_keras_mask", None) is not None:
        ctx.set_mask(node.output_tensors[0], query_mask)     # the output keeps the query's mask
    return [out, weights] if args.get("return_attention_scores") else [out]


@register_converter(Attention, AdditiveAttention)
def convert_dense_attention(ctx, layer, inputs, node):
    """Attention ('dot' or 'concat' scores) and AdditiveAttention: scores, masked softmax, ``weights @ value``;
    the query's mask zeroes its rows of the result and the value's mask (and ``use_causal_mask``) the scores."""
    name = layer.name
    q, v = inputs[0], inputs[1]
    k = inputs[2] if len(inputs) > 2 else v
    q_spec, v_spec = node.input_tensors[0], node.input_tensors[1]
    q_mask, v_mask = ctx.mask_of(q_spec, layer), ctx.mask_of(v_spec, layer)
    if len(node.input_tensors) > 2:
        ctx.mask_not_needed(node.input_tensors[2])     # the layer reads the query's and value's masks only
    if isinstance(layer, AdditiveAttention) or layer.score_mode == "concat":
        summed = ctx.op("Add", [ctx.op("Unsqueeze", [q, ctx.ints([-2])], name=f"{name}/query_rows"),
                                ctx.op("Unsqueeze", [k, ctx.ints([-3])], name=f"{name}/key_columns")],
                        name=f"{name}/summed")
        if isinstance(layer, AdditiveAttention):
            summed = ctx.op("Tanh", [summed], name=f"{name}/tanh")
            if layer.scale is not None:
                summed = ctx.op("Mul", [summed, ctx.weight(layer.scale, f"{name}/scale")], name=f"{name}/scaled")
            scores = reduce(ctx, "ReduceSum", summed, [-1], False, f"{name}/scores")
        else:
            if layer.scale is not None:
                summed = ctx.op("Mul", [summed, ctx.weight(layer.scale, f"{name}/scale")], name=f"{name}/scaled")
            scores = reduce(ctx, "ReduceSum", ctx.op("Tanh", [summed], name=f"{name}/tanh"), [-1], False,
                            f"{name}/sum")
            scores = ctx.op("Mul", [scores, ctx.weight(layer.concat_score_weight, f"{name}/concat_score_weight")],
                            name=f"{name}/scores")
    else:
        scores = ctx.op("Einsum", [q, k], name=f"{name}/scores", equation="...td,...sd->...ts")
        if layer.scale is not None:
            scores = ctx.op("Mul", [scores, ctx.weight(layer.scale, f"{name}/scale")], name=f"{name}/scaled")
    masks = []
    if v_mask is not None:
        masks.append(ctx.op("Unsqueeze", [v_mask, ctx.ints([-2])], name=f"{name}/value_mask"))
    if layer.causal or node.call_kwargs.get("use_causal_mask"):
        t, s = q_spec.shape[-2], v_spec.shape[-2]
        if t is None or s is None:
            raise ExportError(f"ONNX export: {type(layer).__name__} layer {name!r} uses a causal mask with an unknown "
                              "number of steps; give the model's Input a full shape.")
        causal = np.tril(np.ones((1,) * (len(q_spec.shape) - 2) + (t, s), dtype=bool))
        masks.append(ctx.constant(causal, f"{name}/causal_mask"))
    for i, m in enumerate(masks):
        scores = ctx.op("Add", [scores, _penalty(ctx, layer, m, f"{name}/penalty")], name=f"{name}/masked_{i}")
    weights = ctx.op("Softmax", [scores], name=f"{name}/softmax", axis=-1)
    result = ctx.op("MatMul", [weights, v], name=f"{name}/combine")
    if q_mask is not None:
        keep = ctx.op("Cast", [ctx.op("Unsqueeze", [q_mask, ctx.ints([-1])], name=f"{name}/query_mask")],
                      name=f"{name}/query_keep", to=onnx_elem_type(layer.dtype))
        result = ctx.op("Mul", [result, keep], name=name)
    return [result, weights] if node.call_kwargs.get("return_attention_scores") else [result]
