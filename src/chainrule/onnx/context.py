"""The graph being built during an ONNX export: unique names, nodes, initializers, and the layer walk."""
from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from ..dtypes import as_dtype
from ..keras import activations
from ..keras.layers.base import Layer
from .registry import converter_for, registered_layers

try:  # the optional extra: `pip install 'chainrule[onnx]'`
    import onnx
    from onnx import helper, numpy_helper
except ImportError:  # chainrule.onnx still imports; export() says what to install
    onnx = helper = numpy_helper = None  # type: ignore[assignment]


class ExportError(ValueError):
    """A model or layer that cannot be written as ONNX; the message names the layer and the reason."""


class TensorSpec:
    """The shape and dtype of a value inside a layer (what a converter reads off ``node.input_tensors``).

    Args:
        shape: the shape, ``None`` for unknown axes.
        dtype: anything :func:`chainrule.as_dtype` accepts.
    """

    _keras_mask = None

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = as_dtype(dtype)


class SpecNode:
    """A stand-in for a :class:`~chainrule.keras.layers.Node` when a layer is called inside another layer.

    Args:
        input_tensors: a :class:`TensorSpec` per input.
        output_tensors: a :class:`TensorSpec` per output.
        call_kwargs: the call's keyword arguments.
    """

    def __init__(self, input_tensors: list, output_tensors: list, call_kwargs: dict):
        self.input_tensors, self.output_tensors, self.call_kwargs = input_tensors, output_tensors, call_kwargs


def require_onnx() -> None:
    """Raise ``ImportError`` with the install command when the ``onnx`` package is missing.

    Raises:
        ImportError: ``onnx`` is not installed.
    """
    if onnx is None:
        raise ImportError("ONNX export needs the onnx package: pip install 'chainrule[onnx]' (or pip install onnx); "
                          "onnxruntime runs the exported file.")


def onnx_elem_type(dtype) -> int:
    """The ``onnx.TensorProto`` element type of a chainrule/numpy dtype.

    Args:
        dtype: anything :func:`chainrule.as_dtype` accepts.

    Returns:
        The ONNX element type number.

    Raises:
        ExportError: the dtype has no ONNX equivalent (strings, complex).
    """
    np_dtype = np.dtype(as_dtype(dtype).as_numpy_dtype)
    try:
        return helper.np_dtype_to_tensor_dtype(np_dtype)
    except (KeyError, TypeError, ValueError):
        raise ExportError(f"ONNX export: tensors of dtype {np_dtype} cannot be exported.") from None


class ConversionContext:
    """Collects the nodes and initializers of one ONNX graph; handed to every converter.

    Args:
        opset: the ONNX opset of the default domain the nodes are written for.

    Attributes:
        opset: the opset (converters may emit different ops for different opsets).
        nodes: the ``onnx.NodeProto`` list, in execution order.
        initializers: the ``onnx.TensorProto`` list (weights and constants).
    """

    def __init__(self, opset: int):
        require_onnx()
        self.opset = int(opset)
        self.nodes: list = []
        self.initializers: list = []
        self._used: set[str] = set()
        self._constants: dict[tuple, str] = {}
        self._masks: dict[int, str] = {}      # id(KerasTensor) -> the ONNX bool value of its mask
        self._mask_reads: set[int] = set()    # ids of the KerasTensors whose mask a converter read

    # ------------------------------------------------------------------ names and nodes
    def fresh(self, hint: str) -> str:
        """A value or node name not used yet, built from ``hint``.

        Args:
            hint: the preferred name (``"dense/MatMul"``).

        Returns:
            ``hint`` itself, or ``hint`` with a numeric suffix when it is taken.
        """
        name, k = hint, 1
        while name in self._used:
            name = f"{hint}_{k}"
            k += 1
        self._used.add(name)
        return name

    def reserve(self, name: str) -> None:
        """Mark ``name`` as taken (graph input and output names).

        Args:
            name: the name.
        """
        self._used.add(name)

    def op(self, op_type: str, inputs: list[str], name: str | None = None, outputs: int = 1,
           **attributes: Any) -> Any:
        """Append an ONNX node and return its output name (a list of names when ``outputs > 1``).

        Args:
            op_type: the ONNX operator (``"MatMul"``).
            inputs: value names of its inputs (``""`` for an omitted optional input).
            name: the node-name hint (default ``op_type``); output names derive from it.
            outputs: how many outputs the node has.
            **attributes: the operator's attributes (``axis=1``).

        Returns:
            The output value name, or the list of them.
        """
        node_name = self.fresh(name or op_type)
        out = [self.fresh(node_name if outputs == 1 else f"{node_name}:{i}") for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), out, name=node_name, **attributes))
        return out[0] if outputs == 1 else out

    def constant(self, value, name: str, dtype=None) -> str:
        """An initializer holding ``value`` (equal constants are shared); returns its value name.

        Args:
            value: an array or number.
            name: the name hint.
            dtype: the numpy dtype to store (default: the array's own).

        Returns:
            The initializer's value name.
        """
        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key in self._constants and array.size <= 64:
            return self._constants[key]
        name = self.fresh(name)
        # np.ascontiguousarray would turn a 0-d array into shape (1,); a scalar must stay a scalar (Range, Where)
        self.initializers.append(numpy_helper.from_array(np.array(array, order="C"), name))
        if array.size <= 64:
            self._constants[key] = name
        return name

    def weight(self, variable, name: str) -> str:
        """An initializer holding a layer weight's current value.

        Args:
            variable: a chainrule Variable (``layer.kernel``) or an array.
            name: the name hint (``"dense/kernel"``).

        Returns:
            The initializer's value name.
        """
        value = variable.numpy() if hasattr(variable, "numpy") else variable
        return self.constant(np.array(value), name)

    def scalar(self, value: float, like_dtype, name: str = "const") -> str:
        """A 0-d constant of the numpy dtype ``like_dtype`` (constants must match their partner's dtype).

        Args:
            value: the number.
            like_dtype: the dtype of the tensor it combines with.
            name: the name hint.

        Returns:
            The constant's value name.
        """
        return self.constant(np.asarray(value, dtype=np.dtype(as_dtype(like_dtype).as_numpy_dtype)), name)

    def cast_to(self, x: str, from_dtype, to_dtype, name: str = "Cast") -> str:
        """``x`` cast to ``to_dtype`` when its dtype ``from_dtype`` differs (as layers autocast their inputs).

        Args:
            x: the value name.
            from_dtype: its dtype.
            to_dtype: the wanted dtype.
            name: the node-name hint.

        Returns:
            ``x`` itself or the Cast's output.
        """
        if as_dtype(from_dtype) == as_dtype(to_dtype):
            return x
        return self.op("Cast", [x], name=name, to=onnx_elem_type(to_dtype))

    def ints(self, values, name: str = "ints") -> str:
        """A 1-d int64 constant (shapes, axes, slice bounds).

        Args:
            values: the integers.
            name: the name hint.

        Returns:
            The constant's value name.
        """
        return self.constant(np.asarray(list(values), dtype=np.int64).reshape(-1), name)

    def constant_of_shape(self, shape: str, value: float, dtype, name: str) -> str:
        """A tensor of the run-time ``shape`` (an int64 value name) filled with ``value`` (ConstantOfShape).

        Args:
            shape: the value name of the shape.
            value: the fill value.
            dtype: its dtype.
            name: the node-name hint.

        Returns:
            The output value name.
        """
        fill = helper.make_tensor("value", onnx_elem_type(dtype), [1], [value])
        return self.op("ConstantOfShape", [shape], name=name, value=fill)

    def subgraph(self, name: str, emit: Callable[[list[str]], list[str]], inputs: list[tuple[str, Any]],
                 outputs: list[Any]):
        """A graph for a control-flow node's body (Scan, Loop): ``emit`` adds its nodes through this context.

        Args:
            name: the graph's name hint.
            emit: called with the body's input value names; returns its output value names.
            inputs: ``(name hint, dtype)`` of each body input.
            outputs: the dtype of each body output.

        Returns:
            The ``onnx.GraphProto``. Constants and weights it uses are initializers of the main graph
            (a body may read the outer scope).
        """
        saved, self.nodes = self.nodes, []
        try:
            names = [self.fresh(hint) for hint, _ in inputs]
            results = emit(names)
            body_nodes = self.nodes
        finally:
            self.nodes = saved
        for i, out in enumerate(results):     # a body output must be made by a node of the body
            if not any(out in n.output for n in body_nodes):
                identity = self.fresh(f"{name}/output_{i}")
                body_nodes.append(helper.make_node("Identity", [out], [identity], name=identity))
                results[i] = identity
        return helper.make_graph(
            body_nodes, self.fresh(name),
            inputs=[helper.make_tensor_value_info(n, onnx_elem_type(d), None) for n, (_, d) in zip(names, inputs)],
            outputs=[helper.make_tensor_value_info(n, onnx_elem_type(d), None) for n, d in zip(results, outputs)])

    # ------------------------------------------------------------------ masks
    def set_mask(self, tensor, mask: str) -> None:
        """Record ``mask`` (an ONNX bool value, True = a real step) as the mask of the KerasTensor ``tensor``.

        Converters of mask-making layers (``Embedding(mask_zero=True)``, ``Masking``) call it for their output.

        Args:
            tensor: the KerasTensor (one of ``node.output_tensors``).
            mask: the value name of the mask.
        """
        self._masks[id(tensor)] = mask

    def mask_of(self, tensor, layer: Layer) -> str | None:
        """The ONNX value of the mask ``tensor`` carries, or ``None`` when it has none.

        A converter that applies the masks of its inputs reads them here; reading one tells the export
        that the layer honours it (a mask-consuming layer whose converter does not read it is refused).

        Args:
            tensor: a KerasTensor (one of ``node.input_tensors``).
            layer: the reading layer (for the message).

        Returns:
            The mask's value name, or ``None``.

        Raises:
            ExportError: the tensor has a mask that the export could not follow to here.
        """
        if getattr(tensor, "_keras_mask", None) is None:
            return None
        self._mask_reads.add(id(tensor))
        if id(tensor) not in self._masks:
            raise ExportError(f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) reads a mask that the "
                              "export cannot compute (it comes through a layer whose mask has no ONNX form).")
        return self._masks[id(tensor)]

    def and_masks(self, node, layer: Layer) -> str | None:
        """The logical and of the masks of ``node``'s inputs (the merging layers' output mask), or ``None``.

        Args:
            node: the call's Node.
            layer: the layer (for messages).

        Returns:
            The value name of the combined mask, or ``None`` when no input has a mask or one of them
            is not known (the output's mask then stays unknown).
        """
        masked = [t for t in node.input_tensors if getattr(t, "_keras_mask", None) is not None]
        if any(id(t) not in self._masks for t in masked):
            return None
        masks = list(dict.fromkeys(self._masks[id(t)] for t in masked))
        if not masks:
            return None
        combined = masks[0]
        for m in masks[1:]:
            combined = self.op("And", [combined, m], name=f"{layer.name}/mask")
        return combined

    def mask_not_needed(self, tensor) -> None:
        """Tell the export that the converting layer's output does not depend on ``tensor``'s mask.

        Args:
            tensor: a KerasTensor (one of ``node.input_tensors``).
        """
        self._mask_reads.add(id(tensor))

    def convert_sublayer(self, layer: Layer, inputs: list[str], input_specs: list, output_specs: list,
                         call_kwargs: dict | None = None) -> list[str]:
        """Convert a layer called inside another layer (a wrapper's inner layer, a custom layer's parts).

        Args:
            layer: the inner layer (built).
            inputs: the value names of its inputs.
            input_specs: ``(shape, dtype)`` of each input (``None`` for unknown axes).
            output_specs: ``(shape, dtype)`` of each output.
            call_kwargs: keyword arguments of the call (as ``node.call_kwargs``).

        Returns:
            The value names of its outputs.

        Raises:
            ExportError: the inner layer cannot be converted.
        """
        node = SpecNode([TensorSpec(s, d) for s, d in input_specs], [TensorSpec(s, d) for s, d in output_specs],
                        dict(call_kwargs or {}))
        return self.convert_layer(layer, inputs, node)

    # ------------------------------------------------------------------ activations
    def activation(self, activation, x: str, layer: Layer, dtype=None) -> str:
        """Emit a Keras activation function (or activation layer) applied to ``x``.

        Args:
            activation: what ``layer.activation`` holds: a function of ``keras.activations``
                (possibly with bound keyword arguments) or an activation layer such as ``LeakyReLU()``.
            x: the input value name.
            layer: the layer it belongs to (for names and messages).
            dtype: the dtype of ``x`` (default ``layer.dtype``).

        Returns:
            The output value name (``x`` itself for ``linear``).

        Raises:
            ExportError: a custom activation function without an ONNX form.
        """
        if activation is None:
            return x
        if isinstance(activation, Layer):
            return self.convert_layer(activation, [x], None)[0]
        kwargs = {}
        fn = activation
        if isinstance(activation, functools.partial):
            fn, kwargs = activation.func, dict(activation.keywords)
        fn_name = str(getattr(fn, "__name__", ""))
        emit = _ACTIVATIONS.get(fn_name)
        if emit is None or getattr(activations, fn_name, None) is not fn:
            raise ExportError(f"ONNX export: layer {layer.name!r} uses the activation {activation!r}, which has no "
                              f"ONNX form; the built-in ones are {sorted(_ACTIVATIONS)}.")
        return emit(self, x, dtype or layer.dtype, f"{layer.name}/{fn_name}", **kwargs)

    # ------------------------------------------------------------------ layers and graphs
    def convert_layer(self, layer: Layer, inputs: list[str], node) -> list[str]:
        """Run the converter registered for ``layer``'s class.

        Args:
            layer: the layer.
            inputs: the value names of the call's inputs.
            node: the call's Node (``None`` for an activation layer used as an activation).

        Returns:
            The value names of the call's outputs.

        Raises:
            ExportError: no converter is registered for the class, or it refuses the layer.
        """
        converter = converter_for(type(layer))
        if converter is None:
            raise ExportError(
                f"ONNX export: no converter for layer {layer.name!r} ({type(layer).__name__}). Layers with a "
                f"converter: {', '.join(registered_layers())}. Add one with chainrule.onnx.register_converter "
                f"(see the chainrule.onnx module documentation).")
        outputs = converter(self, layer, list(inputs), node)
        expected = len(node.output_tensors) if node is not None else 1
        if len(outputs) != expected:
            raise ExportError(f"ONNX export: the converter of {type(layer).__name__} returned {len(outputs)} "
                              f"outputs for layer {layer.name!r}, which has {expected}.")
        return list(outputs)

    def convert_graph(self, model, input_names: list[str]) -> list[str]:
        """Emit every layer call of a functional or Sequential ``model`` and return its output names.

        Args:
            model: a model built as a graph of layer calls (``model.inputs``/``model.outputs`` known).
            input_names: value names feeding ``model.inputs``, in order.

        Returns:
            The value names of ``model.outputs``, in order.

        Raises:
            ExportError: the model is subclassed or not built, or a layer cannot be converted.
        """
        if not getattr(model, "_is_graph_network", False):
            kind = "a Sequential model without an input shape" if type(model).__name__ == "Sequential" else \
                "a subclassed Model (its call() is Python code, not a graph of layers)"
            raise ExportError(f"ONNX export: model {model.name!r} is {kind}. Export converts Sequential and "
                              "functional models whose inputs are known: give the first layer input_shape=... "
                              "(or start with keras.Input), or build the model, before exporting.")
        values = {id(t): name for t, name in zip(model.inputs, input_names)}
        needed = _nodes_reaching(model.outputs)
        for node in model._execution_nodes:
            if id(node) not in needed:     # a branch no output reads (add_loss, add_metric): not exported
                continue
            layer = node.layer
            if node.call_kwargs.get("mask") is not None:
                raise ExportError(f"ONNX export: layer {layer.name!r} is called with an explicit mask= argument; "
                                  "only masks made inside the model (Embedding(mask_zero=True), Masking) are "
                                  "exported.")
            names = [values[id(t)] for t in node.input_tensors]
            outputs = self.convert_layer(layer, names, node)
            masked = [t for t in node.input_tensors if getattr(t, "_keras_mask", None) is not None]
            if masked and getattr(layer, "_call_accepts_mask", False) and \
                    not any(id(t) in self._mask_reads for t in masked):
                raise ExportError(
                    f"ONNX export: layer {layer.name!r} ({type(layer).__name__}) applies the mask of its input "
                    "(from Embedding(mask_zero=True) or Masking), and its ONNX form cannot apply it exactly. Export "
                    "the model without the mask (mask_zero=False / no Masking layer), or add a converter that "
                    "applies it (chainrule.onnx.register_converter).")
            for t, out in zip(node.output_tensors, outputs):
                values[id(t)] = out
                self._pass_mask(t, masked)
        return [values[id(t)] for t in model.outputs]

    def _pass_mask(self, out, masked_inputs) -> None:
        """An output mask no converter set is the input's mask (Dropout, Dense...) when every masked input
        carries that one mask with the output mask's shape; otherwise it stays unknown (and is refused if read)."""
        mask = getattr(out, "_keras_mask", None)
        if mask is None or id(out) in self._masks:
            return
        names = {self._masks.get(id(t)) if tuple(t._keras_mask.shape) == tuple(mask.shape) else None
                 for t in masked_inputs}
        only = names.pop() if len(names) == 1 else None
        if only is not None:
            self._masks[id(out)] = only


def _nodes_reaching(outputs) -> set[int]:
    """The ids of the Nodes whose outputs the given KerasTensors depend on."""
    seen: set[int] = set()
    stack = list(outputs)
    while stack:
        node = getattr(stack.pop(), "node", None)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(node.input_tensors)
    return seen


# ----------------------------------------------------------------------------- activation functions
# Each takes (ctx, x, dtype, name, **bound keyword arguments) and returns the output name; the formulas
# are those of chainrule.keras.activations.

def _relu(ctx, x, dtype, name, alpha=0.0, max_value=None, threshold=0.0, negative_slope=None):
    if negative_slope is not None:
        alpha = negative_slope
    if alpha == 0 and max_value is None and threshold == 0:
        return ctx.op("Relu", [x], name=name)
    if alpha != 0 and max_value is None and threshold == 0:
        return ctx.op("LeakyRelu", [x], name=name, alpha=float(alpha))
    return relu_general(ctx, x, dtype, name, alpha, max_value, threshold)


def relu_general(ctx, x, dtype, name, slope, max_value, threshold, keep_at_threshold=False) -> str:
    """``x`` above ``threshold`` (capped at ``max_value``), ``slope * (x - threshold)`` below.

    Args:
        ctx: the context.
        x: the input value name.
        dtype: its dtype.
        name: the node-name hint.
        slope: the slope below the threshold.
        max_value: the cap of the positive part, or ``None``.
        threshold: where the two parts meet.
        keep_at_threshold: ``x >= threshold`` keeps ``x`` (the ReLU layer) instead of ``x > threshold``
            (the relu function).

    Returns:
        The output value name.
    """
    t = ctx.scalar(threshold, dtype)
    above = ctx.op("GreaterOrEqual" if keep_at_threshold else "Greater", [x, t], name=f"{name}/above")
    kept = x
    if max_value is not None and keep_at_threshold:
        kept = ctx.op("Min", [x, ctx.scalar(max_value, dtype)], name=f"{name}/cap")
    elif max_value is not None:  # the relu function clips the kept part to [0, max_value]
        kept = ctx.op("Clip", [x, ctx.scalar(0, dtype), ctx.scalar(max_value, dtype)], name=f"{name}/cap")
    below = ctx.op("Mul", [ctx.op("Sub", [x, t], name=f"{name}/shift"), ctx.scalar(slope, dtype)],
                   name=f"{name}/slope")
    return ctx.op("Where", [above, kept, below], name=name)


def emit_softmax(ctx, x, dtype, name, axis=-1) -> str:
    """Softmax along ``axis`` (an int, or several axes composed from ReduceMax, Exp and ReduceSum).

    Args:
        ctx: the context.
        x: the input value name.
        dtype: its dtype.
        name: the node-name hint.
        axis: the axis or axes.

    Returns:
        The output value name.
    """
    if isinstance(axis, (int, np.integer)):
        return ctx.op("Softmax", [x], name=name, axis=int(axis))
    axes = ctx.constant(np.asarray(list(axis), dtype=np.int64), f"{name}/axes")
    shifted = ctx.op("Sub", [x, ctx.op("ReduceMax", [x, axes] if ctx.opset >= 18 else [x], name=f"{name}/max",
                                       **({} if ctx.opset >= 18 else {"axes": list(axis)}))], name=f"{name}/shift")
    e = ctx.op("Exp", [shifted], name=f"{name}/exp")
    return ctx.op("Div", [e, ctx.op("ReduceSum", [e, axes], name=f"{name}/sum")], name=name)


def _gelu(ctx, x, dtype, name, approximate=False):
    half = ctx.op("Mul", [x, ctx.scalar(0.5, dtype)], name=f"{name}/half")
    if approximate:
        cube = ctx.op("Mul", [ctx.op("Mul", [x, x], name=f"{name}/sq"), x], name=f"{name}/cube")
        inner = ctx.op("Add", [x, ctx.op("Mul", [cube, ctx.scalar(0.044715, dtype)], name=f"{name}/c")],
                       name=f"{name}/inner")
        t = ctx.op("Tanh", [ctx.op("Mul", [inner, ctx.scalar(math.sqrt(2.0 / math.pi), dtype)],
                                   name=f"{name}/scaled")], name=f"{name}/tanh")
    else:
        t = ctx.op("Erf", [ctx.op("Mul", [x, ctx.scalar(1.0 / math.sqrt(2.0), dtype)], name=f"{name}/scaled")],
                   name=f"{name}/erf")
    return ctx.op("Mul", [half, ctx.op("Add", [t, ctx.scalar(1.0, dtype)], name=f"{name}/one_plus")], name=name)


def _leaky_relu(ctx, x, dtype, name, negative_slope=0.2, alpha=None):
    return ctx.op("LeakyRelu", [x], name=name, alpha=float(negative_slope if alpha is None else alpha))


def _selu(ctx, x, dtype, name):
    return ctx.op("Selu", [x], name=name, alpha=1.6732632423543772, gamma=1.0507009873554805)


_ACTIVATIONS: dict[str, Callable[..., str]] = {
    "linear": lambda ctx, x, dtype, name: x,
    "relu": _relu,
    "relu6": lambda ctx, x, dtype, name: ctx.op("Clip", [x, ctx.scalar(0, dtype), ctx.scalar(6, dtype)], name=name),
    "sigmoid": lambda ctx, x, dtype, name: ctx.op("Sigmoid", [x], name=name),
    "tanh": lambda ctx, x, dtype, name: ctx.op("Tanh", [x], name=name),
    "softmax": emit_softmax,
    "log_softmax": lambda ctx, x, dtype, name, axis=-1: ctx.op("LogSoftmax", [x], name=name, axis=int(axis)),
    "leaky_relu": _leaky_relu,
    "elu": lambda ctx, x, dtype, name, alpha=1.0: ctx.op("Elu", [x], name=name, alpha=float(alpha)),
    "selu": _selu,
    "softplus": lambda ctx, x, dtype, name: ctx.op("Softplus", [x], name=name),
    "softsign": lambda ctx, x, dtype, name: ctx.op("Softsign", [x], name=name),
    "swish": lambda ctx, x, dtype, name: ctx.op("Mul", [x, ctx.op("Sigmoid", [x], name=f"{name}/sigmoid")],
                                                name=name),
    "gelu": _gelu,
    "hard_sigmoid": lambda ctx, x, dtype, name: ctx.op("HardSigmoid", [x], name=name, alpha=0.2, beta=0.5),
    "exponential": lambda ctx, x, dtype, name: ctx.op("Exp", [x], name=name),
    "mish": lambda ctx, x, dtype, name: ctx.op(
        "Mul", [x, ctx.op("Tanh", [ctx.op("Softplus", [x], name=f"{name}/softplus")], name=f"{name}/tanh")],
        name=name),
}
