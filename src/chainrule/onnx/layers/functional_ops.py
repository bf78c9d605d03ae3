"""Converters of the functional-API op layers: ``x + y``, ``x[:, 1:]``, ``chainrule.reduce_mean(x, axis=1)``...

A chainrule function applied to Keras tensors is recorded as a ``TFOpLambda`` (``SlicingOpLambda`` for
``x[...]``) named after TensorFlow's function (``tf.math.multiply``). The call's arguments are bound to
the function's signature; Keras tensors become the ONNX values feeding the node, numbers and arrays
become constants of the output's dtype. The functions below are exported; any other is refused with an
:class:`~chainrule.onnx.ExportError` naming the layer and the function.
"""
from __future__ import annotations

import inspect

import numpy as np

from ...dtypes import as_dtype
from ...keras.layers.base import KerasTensor
from ...keras.layers.tf_op_layer import SlicingOpLambda, TFOpLambda, _slice_from_config
from ..context import ExportError, emit_softmax, onnx_elem_type
from ..registry import register_converter
from .common import reduce

_INT64_MAX, _INT64_MIN = int(np.iinfo(np.int64).max), int(np.iinfo(np.int64).min)

_BINARY = {"__operators__.add": "Add", "math.add": "Add", "math.subtract": "Sub", "math.multiply": "Mul",
           "math.truediv": "Div", "math.divide": "Div", "math.maximum": "Max", "math.minimum": "Min",
           "math.pow": "Pow"}
_UNARY = {"math.negative": "Neg", "math.abs": "Abs", "math.exp": "Exp", "math.log": "Log", "math.sqrt": "Sqrt",
          "math.tanh": "Tanh", "math.sigmoid": "Sigmoid", "nn.relu": "Relu", "math.reciprocal": "Reciprocal",
          "math.floor": "Floor", "math.ceil": "Ceil", "math.sin": "Sin", "math.cos": "Cos", "math.erf": "Erf",
          "math.sign": "Sign"}
_REDUCTIONS = {"math.reduce_mean": "ReduceMean", "math.reduce_sum": "ReduceSum", "math.reduce_max": "ReduceMax",
               "math.reduce_min": "ReduceMin", "math.reduce_prod": "ReduceProd"}
_OTHERS = ("math.square", "math.rsqrt", "nn.softmax", "reshape", "transpose", "concat", "expand_dims", "squeeze",
           "linalg.matmul", "cast", "__operators__.getitem")


def _arguments(layer, node) -> dict:
    """The call's arguments by the function's parameter names (defaults filled in)."""
    bound = inspect.signature(layer.function).bind(node.call_args, *node.call_rest, **node.call_kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


class _Values:
    """Turns an argument into an ONNX value: a Keras tensor's value name, or a constant of ``dtype``."""

    def __init__(self, ctx, layer, node, inputs):
        self.ctx, self.layer = ctx, layer
        self.index = {id(t): name for t, name in zip(node.input_tensors, inputs)}
        self.dtype = node.output_tensors[0].dtype

    def __call__(self, value, dtype=None) -> str:
        if isinstance(value, KerasTensor):
            return self.index[id(value)]
        array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        np_dtype = np.dtype(as_dtype(dtype or self.dtype).as_numpy_dtype)
        return self.ctx.constant(array.astype(np_dtype), f"{self.layer.name}/constant")


def _axes(value, rank: int) -> list[int]:
    if value is None:
        return list(range(rank))
    return [int(a) for a in (value if isinstance(value, (list, tuple)) else [value])]


def _getitem(ctx, layer, x: str, key, rank: int) -> str:
    """``x[key]`` for ints, slices, ``None`` and ``...``: Slice, Gather and Unsqueeze, one axis at a time."""
    if isinstance(key, (list, dict)):     # the key as the layer keeps it (its config form)
        key = _slice_from_config(key)
    key = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, KerasTensor) for k in key):
        raise ExportError(f"ONNX export: layer {layer.name!r} indexes with a Keras tensor, which is not exported; "
                          "use ints, slices, None and ... .")
    if any(k is Ellipsis for k in key):
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        real = sum(1 for k in key if k is not None and k is not Ellipsis)
        key = key[:at] + (slice(None),) * (rank - real) + key[at + 1:]
    axis, name = 0, layer.name
    for k in key:
        if k is None:
            x = ctx.op("Unsqueeze", [x, ctx.ints([axis])], name=f"{name}/newaxis")
            axis += 1
        elif isinstance(k, slice):
            step = 1 if k.step is None else int(k.step)
            start = int(k.start) if k.start is not None else (0 if step > 0 else -1)
            stop = int(k.stop) if k.stop is not None else (_INT64_MAX if step > 0 else _INT64_MIN)
            if (start, stop, step) != (0, _INT64_MAX, 1):
                x = ctx.op("Slice", [x, ctx.ints([start]), ctx.ints([stop]), ctx.ints([axis]), ctx.ints([step])],
                           name=f"{name}/slice")
            axis += 1
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            x = ctx.op("Gather", [x, ctx.constant(np.int64(k), f"{name}/index")], name=f"{name}/index", axis=axis)
        else:
            raise ExportError(f"ONNX export: layer {layer.name!r} indexes with {k!r}; ints, slices, None and ... are "
                              "exported.")
    return x


@register_converter(TFOpLambda, SlicingOpLambda)
def convert_tf_op(ctx, layer, inputs, node):
    """The functional-API ops: arithmetic, math functions, reductions, shapes, matmul, cast, softmax, slicing."""
    symbol, name = layer.symbol, layer.name
    args = _arguments(layer, node)
    value = _Values(ctx, layer, node, inputs)
    params = list(args)
    first = args[params[0]]
    rank = len(node.input_tensors[0].shape)
    if symbol in _BINARY:
        out = ctx.op(_BINARY[symbol], [value(args[params[0]]), value(args[params[1]])], name=name)
    elif symbol in _UNARY:
        out = ctx.op(_UNARY[symbol], [value(first)], name=name)
    elif symbol == "math.square":
        x = value(first)
        out = ctx.op("Mul", [x, x], name=name)
    elif symbol == "math.rsqrt":
        out = ctx.op("Reciprocal", [ctx.op("Sqrt", [value(first)], name=f"{name}/sqrt")], name=name)
    elif symbol == "nn.softmax":
        axis = args.get("axis")
        out = emit_softmax(ctx, value(first), node.output_tensors[0].dtype, name, axis=-1 if axis is None else axis)
    elif symbol in _REDUCTIONS:
        out = reduce(ctx, _REDUCTIONS[symbol], value(first), _axes(args.get("axis"), rank),
                     bool(args.get("keepdims")), name)
    elif symbol == "reshape":
        shape = args["shape"]
        if isinstance(shape, KerasTensor) or any(d is None or int(d) == 0 for d in shape):
            raise ExportError(f"ONNX export: layer {name!r} (tf.reshape) needs a shape of known non-zero ints "
                              f"(-1 allowed), got {shape!r}.")
        out = ctx.op("Reshape", [value(first), ctx.ints([int(d) for d in shape], f"{name}/shape")], name=name)
    elif symbol == "transpose":
        perm = args.get("perm")
        perm = list(range(rank))[::-1] if perm is None else [int(p) for p in perm]
        out = ctx.op("Transpose", [value(first)], name=name, perm=perm)
    elif symbol == "concat":
        out = ctx.op("Concat", [value(v) for v in first], name=name, axis=int(args["axis"]))
    elif symbol == "expand_dims":
        out = ctx.op("Unsqueeze", [value(first), ctx.ints([int(args["axis"])])], name=name)
    elif symbol == "squeeze":
        axis = args.get("axis")
        extra = [] if axis is None else [ctx.ints(_axes(axis, rank))]
        out = ctx.op("Squeeze", [value(first)] + extra, name=name)
    elif symbol == "linalg.matmul":
        a, b = value(first), value(args[params[1]])
        ranks = [len(t.shape) for t in node.input_tensors[:2]]
        for flag, which in (("transpose_a", 0), ("transpose_b", 1)):
            if args.get(flag) or args.get(flag.replace("transpose", "adjoint")):
                r = ranks[which]
                swapped = ctx.op("Transpose", [(a, b)[which]], name=f"{name}/{flag}",
                                 perm=list(range(r - 2)) + [r - 1, r - 2])
                a, b = (swapped, b) if which == 0 else (a, swapped)
        out = ctx.op("MatMul", [a, b], name=name)
    elif symbol == "cast":
        out = ctx.op("Cast", [value(first)], name=name, to=onnx_elem_type(args["dtype"]))
    elif symbol == "__operators__.getitem":
        out = _getitem(ctx, layer, value(first), args["slice_spec"], rank)
    else:
        raise ExportError(f"ONNX export: layer {name!r} applies tf.{symbol}, which has no ONNX converter; the "
                          f"functional-API ops exported are {sorted([*_BINARY, *_UNARY, *_REDUCTIONS, *_OTHERS])}.")
    return [out]
