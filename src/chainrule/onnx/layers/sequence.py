"""Converters of the sequence layers: Embedding, Masking, SimpleRNN/LSTM/GRU, Bidirectional, TimeDistributed,
RepeatVector and the 1-D global pooling layers.

The recurrent layers become ONNX's RNN/LSTM/GRU ops (time-major inside, so a Transpose on each side).
Their weights are reordered to ONNX's gate order: Keras's LSTM kernel is ``[i, f, c, o]`` and ONNX's
``[i, o, f, c]``; GRU is ``[z, r, h]`` in both, and ``reset_after=True`` (the default) is ONNX's
``linear_before_reset=1`` with the kernel and recurrent biases kept apart.

Masks: ``Embedding(mask_zero=True)`` and ``Masking`` make their mask in the graph, and layers that keep
their input's mask (Dense, Dropout...) pass it on; ``GlobalAveragePooling1D`` applies it. A recurrent
layer fed a mask is refused (:class:`~chainrule.onnx.ExportError`): Keras skips the masked steps wherever
they are, while ONNX's ``sequence_lens`` only expresses masks that are a run of real steps followed by
padding, which the export cannot know of the data.
"""
from __future__ import annotations

import functools

import numpy as np

from ...dtypes import as_dtype
from ...keras import activations
from ...keras.layers.embedding import Embedding
from ...keras.layers.masking import Masking
from ...keras.layers.pooling1d import GlobalAveragePooling1D, GlobalMaxPooling1D
from ...keras.layers.repeat_vector import RepeatVector
from ...keras.layers.rnn.bidirectional import Bidirectional
from ...keras.layers.rnn.recurrent import GRU, LSTM, SimpleRNN
from ...keras.layers.rnn.time_distributed import TimeDistributed
from ..context import ExportError, onnx_elem_type
from ..registry import register_converter
from .common import reduce, reverse_axis

_INT64_MAX = int(np.iinfo(np.int64).max)


def _np_dtype(layer):
    return np.dtype(as_dtype(layer.dtype).as_numpy_dtype)


# ----------------------------------------------------------------------------- embeddings and masks

@register_converter(Embedding)
def convert_embedding(ctx, layer, inputs, node):
    """Gather of the embedding rows (float ids are truncated as the layer casts them); ``mask_zero``: ``ids != 0``."""
    ids = inputs[0]
    dtype = node.input_tensors[0].dtype
    if not dtype.is_integer or dtype.name != "int64":
        ids = ctx.op("Cast", [ids], name=f"{layer.name}/ids", to=onnx_elem_type("int64"))
    y = ctx.op("Gather", [ctx.weight(layer.embeddings, f"{layer.name}/embeddings"), ids], name=layer.name, axis=0)
    if layer.mask_zero and getattr(node.output_tensors[0], "_keras_mask", None) is not None:
        zero = ctx.constant(np.asarray(0, np.int64), f"{layer.name}/zero")
        ctx.set_mask(node.output_tensors[0], ctx.op("Not", [ctx.op("Equal", [ids, zero], name=f"{layer.name}/is_pad")],
                                                    name=f"{layer.name}/mask"))
    return [y]


@register_converter(Masking)
def convert_masking(ctx, layer, inputs, node):
    """``x * any(x != mask_value, axis=-1)``; the mask is that ``any``."""
    x, dtype = inputs[0], node.input_tensors[0].dtype
    differs = ctx.op("Not", [ctx.op("Equal", [x, ctx.scalar(layer.mask_value, dtype)], name=f"{layer.name}/equal")],
                     name=f"{layer.name}/differs")
    as_float = ctx.op("Cast", [differs], name=f"{layer.name}/differs_f", to=onnx_elem_type("float32"))
    keep = reduce(ctx, "ReduceMax", as_float, [-1], True, f"{layer.name}/any")
    y = ctx.op("Mul", [x, ctx.cast_to(keep, "float32", dtype, name=f"{layer.name}/keep")], name=layer.name)
    mask = ctx.op("Cast", [ctx.op("Squeeze", [keep, ctx.ints([-1])], name=f"{layer.name}/squeeze")],
                  name=f"{layer.name}/mask", to=onnx_elem_type("bool"))
    ctx.set_mask(node.output_tensors[0], mask)
    return [y]


@register_converter(GlobalAveragePooling1D)
def convert_global_average_pooling_1d(ctx, layer, inputs, node):
    """ReduceMean over the steps; with a mask, the sum over the real steps divided by their number."""
    axis = 1 if layer.data_format == "channels_last" else 2
    mask = ctx.mask_of(node.input_tensors[0], layer)
    if mask is None:
        return [reduce(ctx, "ReduceMean", inputs[0], [axis], layer.keepdims, layer.name)]
    weights = ctx.op("Cast", [mask], name=f"{layer.name}/weights", to=onnx_elem_type(node.input_tensors[0].dtype))
    weights = ctx.op("Unsqueeze", [weights, ctx.ints([2 if axis == 1 else 1])], name=f"{layer.name}/expand")
    total = reduce(ctx, "ReduceSum", ctx.op("Mul", [inputs[0], weights], name=f"{layer.name}/masked"), [axis],
                   layer.keepdims, f"{layer.name}/sum")
    count = reduce(ctx, "ReduceSum", weights, [axis], layer.keepdims, f"{layer.name}/count")
    return [ctx.op("Div", [total, count], name=layer.name)]


@register_converter(GlobalMaxPooling1D)
def convert_global_max_pooling_1d(ctx, layer, inputs, node):
    """ReduceMax over the steps (the layer ignores masks, as tf.keras 2's)."""
    axis = 1 if layer.data_format == "channels_last" else 2
    return [reduce(ctx, "ReduceMax", inputs[0], [axis], layer.keepdims, layer.name)]


@register_converter(RepeatVector)
def convert_repeat_vector(ctx, layer, inputs, node):
    """``(batch, features)`` -> ``(batch, n, features)``: Unsqueeze then Expand."""
    x = ctx.op("Unsqueeze", [inputs[0], ctx.ints([1])], name=f"{layer.name}/expand")
    return [ctx.op("Expand", [x, ctx.ints([1, layer.n, 1], f"{layer.name}/shape")], name=layer.name)]


# ----------------------------------------------------------------------------- recurrent layers

# Keras activation -> (ONNX recurrent activation name, alpha, beta); None where ONNX takes no parameter.
_RNN_ACTIVATIONS = {"tanh": ("Tanh", None, None), "sigmoid": ("Sigmoid", None, None), "relu": ("Relu", None, None),
                    "hard_sigmoid": ("HardSigmoid", 0.2, 0.5), "linear": ("Affine", 1.0, 0.0),
                    "softsign": ("Softsign", None, None), "softplus": ("Softplus", None, None),
                    "elu": ("Elu", 1.0, None)}


def _rnn_activations(layer, functions) -> dict:
    """The ``activations`` (and ``activation_alpha``/``activation_beta``) attributes of an ONNX recurrent op."""
    names, alphas, betas = [], [], []
    for fn in functions:
        name = str(getattr(fn, "__name__", ""))
        entry = _RNN_ACTIVATIONS.get(name)
        if entry is None or isinstance(fn, functools.partial) or getattr(activations, name, None) is not fn:
            raise ExportError(f"ONNX export: recurrent layer {layer.name!r} uses the activation {fn!r}, which ONNX's "
                              f"recurrent ops do not have; they take {sorted(_RNN_ACTIVATIONS)}.")
        names.append(entry[0])
        if entry[1] is not None:
            alphas.append(entry[1])
        if entry[2] is not None:
            betas.append(entry[2])
    attrs: dict = {"activations": names}
    if alphas:
        attrs["activation_alpha"] = alphas
    if betas:
        attrs["activation_beta"] = betas
    return attrs


def _gates(matrix: np.ndarray, order: list[int], units: int) -> np.ndarray:
    """The gate blocks (columns of width ``units``) of ``matrix`` in ``order``."""
    return np.concatenate([matrix[..., g * units:(g + 1) * units] for g in order], axis=-1)


def _rnn_weights(layer) -> tuple[str, list[np.ndarray], dict]:
    """``(ONNX op, [W, R, B], extra attributes)`` of a SimpleRNN, LSTM or GRU layer's cell."""
    cell, dtype = layer.cell, _np_dtype(layer)
    units, kernel, recurrent = cell.units, cell.kernel.numpy(), cell.recurrent_kernel.numpy()
    bias = cell.bias.numpy() if cell.use_bias else None
    if isinstance(layer, LSTM):
        order, op, gates = [0, 3, 1, 2], "LSTM", 4         # Keras i, f, c, o -> ONNX i, o, f, c
        functions = [cell.recurrent_activation, cell.activation, cell.activation]
        w_bias = _gates(bias, order, units) if bias is not None else np.zeros(4 * units, dtype)
        r_bias = np.zeros(4 * units, dtype)
        extra: dict = {}
    elif isinstance(layer, GRU):
        order, op, gates = [0, 1, 2], "GRU", 3             # z, r, h in both
        functions = [cell.recurrent_activation, cell.activation]
        if bias is None:
            w_bias = r_bias = np.zeros(3 * units, dtype)
        elif cell.reset_after:
            w_bias, r_bias = bias[0], bias[1]
        else:
            w_bias, r_bias = bias, np.zeros(3 * units, dtype)
        extra = {"linear_before_reset": int(cell.reset_after)}
    else:
        order, op, gates = [0], "RNN", 1
        functions = [cell.activation]
        w_bias = bias if bias is not None else np.zeros(units, dtype)
        r_bias = np.zeros(units, dtype)
        extra = {}
    del gates
    w = _gates(kernel, order, units).T[None]                # (1, gates * units, input)
    r = _gates(recurrent, order, units).T[None]             # (1, gates * units, units)
    b = np.concatenate([w_bias, r_bias])[None]               # (1, 2 * gates * units)
    extra.update(_rnn_activations(layer, functions), hidden_size=int(units))
    return op, [w.astype(dtype), r.astype(dtype), b.astype(dtype)], extra


def emit_rnn(ctx, layer, x: str, x_dtype, initial_states: list[str]) -> list[str]:
    """A SimpleRNN/LSTM/GRU layer on ``x`` with Keras's outputs: ``[output, *states]`` (states when ``return_state``).

    Args:
        ctx: the context.
        layer: the recurrent layer.
        x: its input ``(batch, steps, features)`` (``(steps, batch, features)`` when ``time_major``).
        x_dtype: the input's dtype.
        initial_states: value names of the initial states ``(batch, units)`` (empty: zeros).

    Returns:
        The value names of the layer's outputs, in Keras's order.

    Raises:
        ExportError: a stateful layer or an activation ONNX's recurrent ops lack.
    """
    if layer.stateful:
        raise ExportError(f"ONNX export: recurrent layer {layer.name!r} is stateful (its state carries over between "
                          "batches), which an ONNX graph cannot hold; rebuild it with stateful=False to export.")
    name = layer.name
    op, (w, r, b), attrs = _rnn_weights(layer)
    x = ctx.cast_to(x, x_dtype, layer.dtype, name=f"{name}/cast")
    if not layer.time_major:
        x = ctx.op("Transpose", [x], name=f"{name}/time_major", perm=[1, 0, 2])
    feeds = [x, ctx.constant(w, f"{name}/W"), ctx.constant(r, f"{name}/R"), ctx.constant(b, f"{name}/B"), ""]
    for state in initial_states:
        feeds.append(ctx.op("Unsqueeze", [state, ctx.ints([0])], name=f"{name}/initial_state"))
    n_out = 3 if op == "LSTM" else 2
    outs = ctx.op(op, feeds, name=f"{name}/{op}", outputs=n_out,
                  direction="reverse" if layer.go_backwards else "forward", **attrs)
    if layer.return_sequences:
        seq = ctx.op("Squeeze", [outs[0], ctx.ints([1])], name=f"{name}/sequence")     # (T, B, H)
        if layer.go_backwards:   # Keras gives the outputs in the order it processed the steps
            seq = reverse_axis(ctx, seq, 0, f"{name}/processing_order")
        output = seq if layer.time_major else ctx.op("Transpose", [seq], name=f"{name}/batch_major", perm=[1, 0, 2])
    else:
        output = None
    states = [ctx.op("Squeeze", [s, ctx.ints([0])], name=f"{name}/state") for s in outs[1:]]
    if output is None:
        output = states[0]
    return [output] + (states if layer.return_state else [])


def _initial_state_names(node, inputs) -> list[str]:
    """The value names of a recurrent call's initial states (given as ``initial_state=`` or as extra inputs)."""
    return list(inputs[1:])


@register_converter(SimpleRNN, LSTM, GRU)
def convert_recurrent(ctx, layer, inputs, node):
    """ONNX RNN/LSTM/GRU (gates reordered), ``go_backwards`` as direction='reverse'; masks are refused."""
    return emit_rnn(ctx, layer, inputs[0], node.input_tensors[0].dtype, _initial_state_names(node, inputs))


@register_converter(Bidirectional)
def convert_bidirectional(ctx, layer, inputs, node):
    """Both directions' recurrent ops, the backward sequence put back in time order, merged by ``merge_mode``."""
    forward, backward = layer.forward_layer, layer.backward_layer
    for inner in (forward, backward):
        if not isinstance(inner, (SimpleRNN, LSTM, GRU)):
            raise ExportError(f"ONNX export: Bidirectional layer {layer.name!r} wraps {type(inner).__name__}; the "
                              "export handles SimpleRNN, LSTM and GRU.")
    states = _initial_state_names(node, inputs)
    half = len(states) // 2
    x, dtype = inputs[0], node.input_tensors[0].dtype
    ys = emit_rnn(ctx, forward, x, dtype, states[:half])
    ys_rev = emit_rnn(ctx, backward, x, dtype, states[half:])
    y, y_rev = ys[0], ys_rev[0]
    if layer.return_sequences:
        time_axis = 0 if getattr(forward, "time_major", False) else 1
        y_rev = reverse_axis(ctx, y_rev, time_axis, f"{layer.name}/time_order")
    mode, name = layer.merge_mode, layer.name
    if mode == "concat":
        merged = [ctx.op("Concat", [y, y_rev], name=name, axis=-1)]
    elif mode == "sum":
        merged = [ctx.op("Add", [y, y_rev], name=name)]
    elif mode == "mul":
        merged = [ctx.op("Mul", [y, y_rev], name=name)]
    elif mode == "ave":
        half_value = ctx.scalar(0.5, layer.dtype)
        merged = [ctx.op("Mul", [ctx.op("Add", [y, y_rev], name=f"{name}/sum"), half_value], name=name)]
    else:
        merged = [y, y_rev]
    return merged + (ys[1:] + ys_rev[1:] if layer.return_state else [])


@register_converter(TimeDistributed)
def convert_time_distributed(ctx, layer, inputs, node):
    """The inner layer on ``(batch * steps, ...)``: Reshape, the inner converter, Reshape back."""
    if len(node.input_tensors) != 1 or len(node.output_tensors) != 1:
        raise ExportError(f"ONNX export: TimeDistributed layer {layer.name!r} has several inputs or outputs; the "
                          "export handles one of each.")
    inner, spec_in, spec_out = layer.layer, node.input_tensors[0], node.output_tensors[0]
    if not getattr(inner, "_call_accepts_mask", False):
        ctx.mask_not_needed(spec_in)       # the inner layer ignores the mask: so does the output
    name, x = layer.name, inputs[0]
    shape = ctx.op("Shape", [x], name=f"{name}/shape")
    rest = ctx.op("Slice", [shape, ctx.ints([2]), ctx.ints([_INT64_MAX])], name=f"{name}/rest")
    folded = ctx.op("Reshape", [x, ctx.op("Concat", [ctx.ints([-1]), rest], name=f"{name}/fold_shape", axis=0)],
                    name=f"{name}/fold")
    (y,) = ctx.convert_sublayer(inner, [folded], [((None,) + tuple(spec_in.shape[2:]), spec_in.dtype)],
                                [((None,) + tuple(spec_out.shape[2:]), spec_out.dtype)])
    head = ctx.op("Slice", [shape, ctx.ints([0]), ctx.ints([2])], name=f"{name}/batch_steps")
    tail = ctx.op("Slice", [ctx.op("Shape", [y], name=f"{name}/inner_shape"), ctx.ints([1]),
                            ctx.ints([_INT64_MAX])], name=f"{name}/inner_rest")
    return [ctx.op("Reshape", [y, ctx.op("Concat", [head, tail], name=f"{name}/unfold_shape", axis=0)], name=name)]
