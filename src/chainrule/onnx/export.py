"""``export(model, path)``: a Sequential or functional model written as an ONNX file."""
from __future__ import annotations

import os

from ..keras.saving.atomic import atomic_write
from ..version import CHAINRULE_VERSION
from . import context as _context
from .context import ConversionContext, ExportError, onnx_elem_type

#: The ONNX opset written by default: understood by onnxruntime 1.13 and later.
DEFAULT_OPSET = 17
# IR version 8 is the one that goes with opset 17; newer runtimes read it, older ones are not refused.
_IR_VERSION = 8


def _value_info(name: str, shape, dtype, symbols: dict):
    dims = []
    for axis, size in enumerate(shape):
        if size is None:
            dims.append(symbols.setdefault((name, axis), "batch" if axis == 0 else f"{name}_dim{axis}"))
        else:
            dims.append(int(size))
    return _context.helper.make_tensor_value_info(name, onnx_elem_type(dtype), dims)


def to_model_proto(model, opset: int = DEFAULT_OPSET):
    """The ONNX ``ModelProto`` of a Sequential or functional model (inference graph, weights included).

    Args:
        model: a built Sequential or functional ``keras.Model``.
        opset: the ONNX opset to write (13 or later).

    Returns:
        An ``onnx.ModelProto`` that passes ``onnx.checker.check_model``.

    Raises:
        ImportError: the ``onnx`` package is not installed.
        ExportError: the model is subclassed or not built, or one of its layers cannot be exported
            (the message names the layer).
    """
    _context.require_onnx()
    if int(opset) < 13:
        raise ExportError(f"ONNX export: opset {opset} is too old; chainrule writes opset 13 or later "
                          f"(default {DEFAULT_OPSET}).")
    ctx = ConversionContext(opset)
    if not getattr(model, "_is_graph_network", False):
        ctx.convert_graph(model, [])  # raises the explaining ExportError
    symbols: dict = {}
    input_names = list(model.input_names)
    for name in input_names:
        ctx.reserve(name)
    output_names = []
    for name in model.output_names:
        unique = name if name not in output_names and name not in input_names else ctx.fresh(name)
        ctx.reserve(unique)
        output_names.append(unique)
    inner = ctx.convert_graph(model, input_names)
    for value, name in zip(inner, output_names):
        ctx.nodes.append(_context.helper.make_node("Identity", [value], [name], name=ctx.fresh(f"{name}/output")))
    graph = _context.helper.make_graph(
        ctx.nodes, model.name,
        inputs=[_value_info(n, t.shape, t.dtype, symbols) for n, t in zip(input_names, model.inputs)],
        outputs=[_value_info(n, t.shape, t.dtype, symbols) for n, t in zip(output_names, model.outputs)],
        initializer=ctx.initializers)
    proto = _context.helper.make_model(graph, opset_imports=[_context.helper.make_opsetid("", int(opset))],
                                       producer_name="chainrule", producer_version=CHAINRULE_VERSION,
                                       doc_string=f"chainrule model {model.name!r}")
    proto.ir_version = _IR_VERSION
    _context.onnx.checker.check_model(proto)
    return proto


def export(model, filepath, opset: int = DEFAULT_OPSET, verbose: bool = False) -> str:
    """Write ``model`` as an ONNX file (replacing an existing file atomically).

    Args:
        model: a built Sequential or functional ``keras.Model``.
        filepath: where to write (``"model.onnx"``); the folder must exist.
        opset: the ONNX opset to write (default :data:`DEFAULT_OPSET`).
        verbose: print where the file went and its inputs and outputs.

    Returns:
        The absolute path written.

    Raises:
        ImportError: the ``onnx`` package is not installed.
        ExportError: the model or one of its layers cannot be exported (the message names it).
        OSError: the file cannot be written; an existing file is left unchanged.
    """
    proto = to_model_proto(model, opset=opset)
    path = os.path.abspath(os.fspath(filepath))
    with atomic_write(path, overwrite=True, what="the ONNX model") as tmp:
        with open(tmp, "wb") as f:
            f.write(proto.SerializeToString())
    if verbose:
        ins = ", ".join(f"{i.name} {list(t.shape)}" for i, t in zip(proto.graph.input, model.inputs))
        outs = ", ".join(f"{o.name} {list(t.shape)}" for o, t in zip(proto.graph.output, model.outputs))
        print(f"Saved ONNX model (opset {opset}) to {path}: inputs {ins}; outputs {outs}")
    return path


__all__ = ["DEFAULT_OPSET", "ExportError", "export", "to_model_proto"]
