"""Converters of the numeric preprocessing layers that run inside a model: Discretization and CategoryEncoding.

Both turn integer bins into ``int`` outputs or into ``(batch, depth)`` encodings ('one_hot',
'multi_hot', 'count') with ONNX's OneHot and a reduction over the values of each sample. Inputs of rank
2 at most are exported (the layers' own limit); ``count_weights`` is refused.
"""
from __future__ import annotations

import numpy as np

from ...dtypes import as_dtype
from ...keras.layers.numeric_preprocessing import Discretization
from ...keras.layers.text.category_encoding import CategoryEncoding
from ..context import ExportError, onnx_elem_type
from ..registry import register_converter
from .common import reduce


def _encode(ctx, layer, indices: str, shape: tuple, mode: str, depth: int) -> str:
    """int64 ``indices`` of ``shape`` (batch first) encoded as ``(batch, depth)`` (or ``(batch, k, depth)``
    for 'one_hot' of ``k > 1`` values), in the layer's dtype."""
    dtype = np.dtype(as_dtype(layer.dtype).as_numpy_dtype)
    if len(shape) > 2:
        raise ExportError(f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) with output_mode={mode!r} "
                          f"takes inputs of rank 2 at most, got shape {shape}.")
    values = ctx.constant(np.asarray([0, 1], dtype), f"{layer.name}/off_on")
    encoded = ctx.op("OneHot", [indices, ctx.constant(np.asarray([depth], np.int64), f"{layer.name}/depth"), values],
                     name=f"{layer.name}/one_hot", axis=-1)
    if len(shape) == 1 or (mode == "one_hot" and shape[-1] != 1):
        return encoded
    return reduce(ctx, "ReduceSum" if mode == "count" else "ReduceMax", encoded, [-2], False, layer.name)


@register_converter(Discretization)
def convert_discretization(ctx, layer, inputs, node):
    """The bin of each value (``sum(value >= boundaries)``, numpy's searchsorted 'right'), encoded as asked."""
    shape = tuple(node.input_tensors[0].shape)
    boundaries = np.asarray(layer.bin_boundaries, np.float64)
    x = ctx.cast_to(inputs[0], node.input_tensors[0].dtype, "float64", name=f"{layer.name}/cast")
    expanded = ctx.op("Unsqueeze", [x, ctx.ints([-1])], name=f"{layer.name}/expand")
    above = ctx.op("Not", [ctx.op("Less", [expanded, ctx.constant(boundaries, f"{layer.name}/boundaries")],
                                  name=f"{layer.name}/less")], name=f"{layer.name}/above")
    bins = reduce(ctx, "ReduceSum", ctx.op("Cast", [above], name=f"{layer.name}/count", to=onnx_elem_type("int64")),
                  [-1], False, f"{layer.name}/bins")
    if layer.output_mode == "int":
        return [ctx.cast_to(bins, "int64", layer.dtype, name=layer.name)]
    return [_encode(ctx, layer, bins, shape, layer.output_mode, len(layer.bin_boundaries) + 1)]


@register_converter(CategoryEncoding)
def convert_category_encoding(ctx, layer, inputs, node):
    """OneHot of the ids, then the max ('multi_hot') or the sum ('count') over each sample's ids."""
    if node.call_kwargs.get("count_weights") is not None or len(node.input_tensors) > 1:
        raise ExportError(f"ONNX export: layer {layer.name!r} (CategoryEncoding) is called with count_weights, "
                          "which is not exported.")
    ids = ctx.cast_to(inputs[0], node.input_tensors[0].dtype, "int64", name=f"{layer.name}/ids")
    return [_encode(ctx, layer, ids, tuple(node.input_tensors[0].shape), layer.output_mode, layer.num_tokens)]
