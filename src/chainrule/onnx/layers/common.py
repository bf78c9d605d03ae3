"""Helpers shared by the converter modules: dtypes, layouts, shapes."""
from __future__ import annotations

import numpy as np



def _input_dtype(node, i=0):
    return node.input_tensors[i].dtype if node is not None else None


def _as_layer_dtype(ctx, layer, x, node, i=0):
    """Float inputs cast to the layer's dtype, as the layer casts them when called."""
    dtype = _input_dtype(node, i)
    return x if dtype is None else ctx.cast_to(x, dtype, layer.dtype, name=f"{layer.name}/cast")


def to_channels_first(ctx, x: str, rank: int, name: str) -> str:
    """``(N, *spatial, C)`` -> ``(N, C, *spatial)`` (ONNX's layout for Conv, pooling and Resize)."""
    return ctx.op("Transpose", [x], name=f"{name}/to_NC", perm=[0, rank + 1] + list(range(1, rank + 1)))


def to_channels_last(ctx, x: str, rank: int, name: str) -> str:
    """``(N, C, *spatial)`` -> ``(N, *spatial, C)``."""
    return ctx.op("Transpose", [x], name=f"{name}/to_NHWC", perm=[0] + list(range(2, rank + 2)) + [1])


def reverse_axis(ctx, x: str, axis: int, name: str) -> str:
    """``x`` reversed along ``axis`` (any length): Slice with step -1."""
    return ctx.op("Slice", [x, ctx.ints([-1]), ctx.ints([np.iinfo(np.int64).min]), ctx.ints([axis]), ctx.ints([-1])],
                  name=name)


def reduce(ctx, op: str, x: str, axes: list[int], keepdims: bool, name: str) -> str:
    """ReduceMean/ReduceMax/ReduceSum over ``axes`` (an attribute before opset 18, an input from 18 on;
    ReduceSum takes it as an input from 13 on)."""
    if op == "ReduceSum" or ctx.opset >= 18:
        return ctx.op(op, [x, ctx.ints(axes, f"{name}/axes")], name=name, keepdims=int(keepdims))
    return ctx.op(op, [x], name=name, axes=list(axes), keepdims=int(keepdims))
