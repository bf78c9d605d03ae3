"""Converters of the sequence layers: Embedding, Masking, SimpleRNN/LSTM/GRU (and RNN over their cells or a
StackedRNNCells of them), Bidirectional, TimeDistributed, RepeatVector and the 1-D global pooling layers.

The recurrent layers become ONNX's RNN/LSTM/GRU ops (time-major inside, so a Transpose on each side).
Their weights are reordered to ONNX's gate order: Keras's LSTM kernel is ``[i, f, c, o]`` and ONNX's
``[i, o, f, c]``; GRU is ``[z, r, h]`` in both, and ``reset_after=True`` (the default) is ONNX's
``linear_before_reset=1`` with the kernel and recurrent biases kept apart.

Masks: ``Embedding(mask_zero=True)`` and ``Masking`` make their mask in the graph, and layers that keep
their input's mask (Dense, Dropout...) pass it on; ``GlobalAveragePooling1D`` applies it. A recurrent
layer fed a mask is written as an ONNX ``Scan`` whose body is the cell's step: Keras skips the masked steps
wherever they are (carrying the states through), which ONNX's ``sequence_lens`` cannot express (it only
describes real steps followed by padding). The same Scan serves activations the ONNX recurrent ops lack.
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
from ...keras.layers.rnn.base_rnn import RNN
from ...keras.layers.rnn.cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
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
    if node.input_tensors[0].dtype.name != "int64":
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


class _NoOnnxActivation(Exception):
    """An activation that ONNX's RNN/LSTM/GRU ops do not take (the layer is then written as a Scan)."""


def _rnn_activations(functions) -> dict:
    """The ``activations`` (and ``activation_alpha``/``activation_beta``) attributes of an ONNX recurrent op."""
    names, alphas, betas = [], [], []
    for fn in functions:
        name = str(getattr(fn, "__name__", ""))
        entry = _RNN_ACTIVATIONS.get(name)
        if entry is None or isinstance(fn, functools.partial) or getattr(activations, name, None) is not fn:
            raise _NoOnnxActivation(name)
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


def _kind(cell) -> str | None:
    """'lstm', 'gru' or 'simple' for the built-in cells, None for any other."""
    if isinstance(cell, LSTMCell):
        return "lstm"
    if isinstance(cell, GRUCell):
        return "gru"
    return "simple" if isinstance(cell, SimpleRNNCell) else None


def _rnn_weights(cell, dtype) -> tuple[str, list[np.ndarray], dict]:
    """``(ONNX op, [W, R, B], extra attributes)`` of a SimpleRNN, LSTM or GRU cell."""
    units, kernel, recurrent = cell.units, cell.kernel.numpy(), cell.recurrent_kernel.numpy()
    bias = cell.bias.numpy() if cell.use_bias else None
    kind = _kind(cell)
    extra: dict = {}
    if kind == "lstm":
        order, op = [0, 3, 1, 2], "LSTM"           # Keras i, f, c, o -> ONNX i, o, f, c
        functions = [cell.recurrent_activation, cell.activation, cell.activation]
        w_bias = _gates(bias, order, units) if bias is not None else np.zeros(4 * units, dtype)
        r_bias = np.zeros(4 * units, dtype)
    elif kind == "gru":
        order, op = [0, 1, 2], "GRU"               # z, r, h in both
        functions = [cell.recurrent_activation, cell.activation]
        if bias is None:
            w_bias = r_bias = np.zeros(3 * units, dtype)
        elif cell.reset_after:
            w_bias, r_bias = bias[0], bias[1]
        else:
            w_bias, r_bias = bias, np.zeros(3 * units, dtype)
        extra["linear_before_reset"] = int(cell.reset_after)
    else:
        order, op = [0], "RNN"
        functions = [cell.activation]
        w_bias = bias if bias is not None else np.zeros(units, dtype)
        r_bias = np.zeros(units, dtype)
    w = _gates(kernel, order, units).T[None]                # (1, gates * units, input)
    r = _gates(recurrent, order, units).T[None]             # (1, gates * units, units)
    b = np.concatenate([w_bias, r_bias])[None]               # (1, 2 * gates * units)
    extra.update(_rnn_activations(functions), hidden_size=int(units))
    return op, [w.astype(dtype), r.astype(dtype), b.astype(dtype)], extra


def _zeros(ctx, batch: str, width: int, dtype, name: str) -> str:
    """A ``(batch, width)`` tensor of zeros (False for bool) for a batch size known only at run time."""
    shape = ctx.op("Concat", [batch, ctx.ints([width])], name=f"{name}/shape", axis=0)
    return ctx.constant_of_shape(shape, 0, dtype, name)


def _cell_step(ctx, layer, cell, name: str, xw: str, states: list[str]) -> list[str]:
    """One step of ``cell`` on the precomputed ``x @ kernel + bias`` (Keras's gate order): the new states."""
    units, h = cell.units, states[0]
    recurrent = cell.recurrent_kernel.numpy()
    kind = _kind(cell)

    def split(v, parts, hint):
        return ctx.op("Split", [v, ctx.ints([units] * parts, f"{name}/split")], name=hint, outputs=parts, axis=-1)

    def act(fn, v):
        return ctx.activation(fn, v, layer, dtype=layer.dtype) if fn is not None else v

    def matmul(v, weights, hint):
        return ctx.op("MatMul", [v, ctx.constant(weights, f"{name}/{hint}")], name=f"{name}/step/{hint}")

    if kind == "simple":
        return [act(cell.activation, ctx.op("Add", [xw, matmul(h, recurrent, "hR")], name=f"{name}/step/z"))]
    if kind == "lstm":
        z = ctx.op("Add", [xw, matmul(h, recurrent, "hR")], name=f"{name}/step/z")
        zi, zf, zc, zo = split(z, 4, f"{name}/step/gates")
        i, f = act(cell.recurrent_activation, zi), act(cell.recurrent_activation, zf)
        c = ctx.op("Add", [ctx.op("Mul", [f, states[1]], name=f"{name}/step/fc"),
                           ctx.op("Mul", [i, act(cell.activation, zc)], name=f"{name}/step/ig")],
                   name=f"{name}/step/c")
        o = act(cell.recurrent_activation, zo)
        return [ctx.op("Mul", [o, act(cell.activation, c)], name=f"{name}/step/h"), c]
    # GRU: xw holds the kernel part with the input bias; Keras's z, r, h blocks
    xz, xr, xh = split(xw, 3, f"{name}/step/x_gates")
    bias = cell.bias.numpy() if cell.use_bias else None
    if cell.reset_after:
        rh = matmul(h, recurrent, "hR")
        if bias is not None:
            rh = ctx.op("Add", [rh, ctx.constant(bias[1], f"{name}/recurrent_bias")], name=f"{name}/step/hR_b")
        rz, rr, rhh = split(rh, 3, f"{name}/step/h_gates")
        rec_r = None
    else:
        rz, rr = matmul(h, recurrent[:, :units], "rz"), matmul(h, recurrent[:, units:2 * units], "rr")
        rec_r = recurrent[:, 2 * units:]
    z = act(cell.recurrent_activation, ctx.op("Add", [xz, rz], name=f"{name}/step/zz"))
    r = act(cell.recurrent_activation, ctx.op("Add", [xr, rr], name=f"{name}/step/zr"))
    if rec_r is None:
        rec_h = ctx.op("Mul", [r, rhh], name=f"{name}/step/r_hh")
    else:
        rec_h = matmul(ctx.op("Mul", [r, h], name=f"{name}/step/rh"), rec_r, "rec_h")
    hh = act(cell.activation, ctx.op("Add", [xh, rec_h], name=f"{name}/step/zh"))
    one_minus_z = ctx.op("Sub", [ctx.scalar(1.0, layer.dtype), z], name=f"{name}/step/1-z")
    return [ctx.op("Add", [ctx.op("Mul", [z, h], name=f"{name}/step/zh_prev"),
                           ctx.op("Mul", [one_minus_z, hh], name=f"{name}/step/new")], name=f"{name}/step/h")]


def _scan_cell(ctx, layer, cell, name: str, x: str, mask: str | None, states: list[str], backwards: bool):
    """``cell`` over the time-major ``x`` as an ONNX Scan whose body is the cell's step (any activation, masks).

    A masked step carries the states through; its output is the previous output (zeros before the first
    real step), or zeros with the layer's ``zero_output_for_mask``. No mask: every step is real.

    Returns:
        ``(sequence (T, B, U) in processing order, last output (B, U), final states)``.
    """
    dtype, units = layer.dtype, cell.units
    xw = ctx.op("MatMul", [x, ctx.constant(cell.kernel.numpy(), f"{name}/kernel")], name=f"{name}/xW")
    if cell.use_bias:
        bias = cell.bias.numpy()
        in_bias = bias[0] if _kind(cell) == "gru" and cell.reset_after else bias
        xw = ctx.op("Add", [xw, ctx.constant(in_bias, f"{name}/bias")], name=f"{name}/xW_b")
    shape = ctx.op("Shape", [x], name=f"{name}/shape")
    batch = ctx.op("Slice", [shape, ctx.ints([1]), ctx.ints([2])], name=f"{name}/batch")
    if mask is None:
        steps_batch = ctx.op("Slice", [shape, ctx.ints([0]), ctx.ints([2])], name=f"{name}/steps_batch")
        steps_mask = ctx.constant_of_shape(ctx.op("Concat", [steps_batch, ctx.ints([1])], name=f"{name}/mask_shape",
                                                  axis=0), True, "bool", f"{name}/all_real")
    else:
        steps_mask = ctx.op("Unsqueeze", [mask, ctx.ints([-1])], name=f"{name}/step_mask")      # (T, B, 1)
    n_states = 2 if _kind(cell) == "lstm" else 1
    states = list(states) or [_zeros(ctx, batch, units, dtype, f"{name}/zeros") for _ in range(n_states)]
    seen = _zeros(ctx, batch, 1, "bool", f"{name}/seen0")
    zero_output = bool(getattr(layer, "zero_output_for_mask", False))

    def body(names):
        old, seen_in, xw_t, m_t = names[:n_states], names[n_states], names[n_states + 1], names[n_states + 2]
        new = _cell_step(ctx, layer, cell, name, xw_t, old)
        kept = [ctx.op("Where", [m_t, n, o], name=f"{name}/step/carry") for n, o in zip(new, old)]
        seen_out = ctx.op("Or", [seen_in, m_t], name=f"{name}/step/seen")
        weight = ctx.op("Cast", [m_t if zero_output else seen_out], name=f"{name}/step/out_weight",
                        to=onnx_elem_type(dtype))
        return kept + [seen_out, ctx.op("Mul", [kept[0], weight], name=f"{name}/step/output")]

    graph = ctx.subgraph(f"{name}/cell", body,
                         [(f"{name}/h_in", dtype)] + ([(f"{name}/c_in", dtype)] if n_states == 2 else []) +
                         [(f"{name}/seen_in", "bool"), (f"{name}/xW_t", dtype), (f"{name}/mask_t", "bool")],
                         [dtype] * n_states + ["bool", dtype])
    direction = 1 if backwards else 0
    outs = ctx.op("Scan", states + [seen, xw, steps_mask], name=f"{name}/Scan", outputs=n_states + 2, body=graph,
                  num_scan_inputs=2, scan_input_directions=[direction, direction])
    sequence = outs[-1]
    last = ctx.op("Squeeze", [ctx.op("Slice", [sequence, ctx.ints([-1]), ctx.ints([_INT64_MAX]), ctx.ints([0])],
                                     name=f"{name}/last_step"), ctx.ints([0])], name=f"{name}/last_output")
    return sequence, last, outs[:n_states]


def _onnx_cell(ctx, layer, cell, name: str, x: str, states: list[str], backwards: bool, op_parts):
    """``cell`` over the time-major ``x`` as ONNX's RNN/LSTM/GRU op: ``(sequence, last output, final states)``."""
    op, (w, r, b), attrs = op_parts
    feeds = [x, ctx.constant(w, f"{name}/W"), ctx.constant(r, f"{name}/R"), ctx.constant(b, f"{name}/B"), ""]
    for state in states:
        feeds.append(ctx.op("Unsqueeze", [state, ctx.ints([0])], name=f"{name}/initial_state"))
    outs = ctx.op(op, feeds, name=f"{name}/{op}", outputs=3 if op == "LSTM" else 2,
                  direction="reverse" if backwards else "forward", **attrs)
    sequence = ctx.op("Squeeze", [outs[0], ctx.ints([1])], name=f"{name}/sequence")     # (T, B, H)
    if backwards:   # ONNX keeps each output at its step; Keras lists them in the order it processed the steps
        sequence = reverse_axis(ctx, sequence, 0, f"{name}/processing_order")
    finals = [ctx.op("Squeeze", [s, ctx.ints([0])], name=f"{name}/state") for s in outs[1:]]
    return sequence, finals[0], finals


def emit_rnn(ctx, layer, x: str, x_dtype, initial_states: list[str], mask: str | None = None) -> list[str]:
    """A recurrent layer (SimpleRNN, LSTM, GRU, or RNN over their cells or a StackedRNNCells of them) on ``x``
    with Keras's outputs: ``[output, *states]`` (states when ``return_state``).

    Each cell is ONNX's RNN/LSTM/GRU op (gates reordered), or, with a mask or an activation those ops lack,
    a Scan of the cell's step. A stack feeds each cell's outputs to the next, in processing order.

    Args:
        ctx: the context.
        layer: the recurrent layer.
        x: its input ``(batch, steps, features)`` (``(steps, batch, features)`` when ``time_major``).
        x_dtype: the input's dtype.
        initial_states: value names of the initial states ``(batch, units)``, every cell's (empty: zeros).
        mask: the value name of the input's mask (laid out as the input's first two axes), or ``None``.

    Returns:
        The value names of the layer's outputs, in Keras's order.

    Raises:
        ExportError: a stateful layer, a cell other than the built-in ones, or a custom activation function.
    """
    name = layer.name
    if layer.stateful:
        raise ExportError(f"ONNX export: recurrent layer {name!r} is stateful (its state carries over between "
                          "batches), which an ONNX graph cannot hold; rebuild it with stateful=False to export.")
    cells = list(layer.cell.cells) if isinstance(layer.cell, StackedRNNCells) else [layer.cell]
    for cell in cells:
        if _kind(cell) is None:
            raise ExportError(f"ONNX export: recurrent layer {name!r} runs the cell {cell.name!r} "
                              f"({type(cell).__name__}); the export handles SimpleRNNCell, LSTMCell and GRUCell "
                              "(alone or in a StackedRNNCells).")
    x = ctx.cast_to(x, x_dtype, layer.dtype, name=f"{name}/cast")
    if not layer.time_major:
        x = ctx.op("Transpose", [x], name=f"{name}/time_major", perm=[1, 0, 2])
        if mask is not None:
            mask = ctx.op("Transpose", [mask], name=f"{name}/mask_time_major", perm=[1, 0])
    finals: list[str] = []
    offset, last = 0, x
    for i, cell in enumerate(cells):
        cell_name = name if len(cells) == 1 else f"{name}/{cell.name}"
        n = 2 if _kind(cell) == "lstm" else 1
        states = list(initial_states[offset:offset + n])
        offset += n
        backwards = layer.go_backwards and i == 0      # later cells read the outputs in processing order
        cell_mask = mask
        if mask is not None and i > 0 and layer.go_backwards:
            cell_mask = reverse_axis(ctx, mask, 0, f"{cell_name}/mask_processing_order")
        op_parts = None
        if cell_mask is None:
            try:
                op_parts = _rnn_weights(cell, _np_dtype(layer))
            except _NoOnnxActivation:    # an activation ONNX's recurrent ops lack (selu, gelu...): a Scan
                op_parts = None
        if op_parts is not None:
            x, last, cell_finals = _onnx_cell(ctx, layer, cell, cell_name, x, states, backwards, op_parts)
        else:
            x, last, cell_finals = _scan_cell(ctx, layer, cell, cell_name, x, cell_mask, states, backwards)
        finals.extend(cell_finals)
    if layer.return_sequences:
        output = x if layer.time_major else ctx.op("Transpose", [x], name=f"{name}/batch_major", perm=[1, 0, 2])
    else:
        output = last
    return [output] + (finals if layer.return_state else [])


def _initial_state_names(node, inputs) -> list[str]:
    """The value names of a recurrent call's initial states (given as ``initial_state=`` or as extra inputs)."""
    return list(inputs[1:])


@register_converter(RNN)
def convert_recurrent(ctx, layer, inputs, node):
    """SimpleRNN, LSTM, GRU and RNN over their cells: ONNX's recurrent ops, or a Scan of the cell (masks)."""
    mask = ctx.mask_of(node.input_tensors[0], layer)
    return emit_rnn(ctx, layer, inputs[0], node.input_tensors[0].dtype, _initial_state_names(node, inputs), mask)


@register_converter(Bidirectional)
def convert_bidirectional(ctx, layer, inputs, node):
    """Both directions' recurrent ops, the backward sequence put back in time order, merged by ``merge_mode``."""
    forward, backward = layer.forward_layer, layer.backward_layer
    states = _initial_state_names(node, inputs)
    half = len(states) // 2
    x, dtype = inputs[0], node.input_tensors[0].dtype
    mask = ctx.mask_of(node.input_tensors[0], layer)
    ys = emit_rnn(ctx, forward, x, dtype, states[:half], mask)
    ys_rev = emit_rnn(ctx, backward, x, dtype, states[half:], mask)
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
