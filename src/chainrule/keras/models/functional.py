"""The functional graph: ordering a model's layer calls, and its config (tf.keras 2 layout) both ways.

A functional config lists each layer with its ``inbound_nodes`` as
``[[layer_name, node_index, tensor_index, {kwargs}], ...]`` (node indices count only the
calls that belong to this model); rebuilding replays the layer calls in order. Keras 3's
node spelling (``{"args": [...], "kwargs": {...}}``) is read too.

Every walk here uses an explicit stack or a loop: a chain of thousands of layers needs no
recursion.
"""
from __future__ import annotations

import inspect

import numpy as np

from ... import nest
from ...tensor import Tensor
from ..layers.base import KerasTensor
from ..layers.core import InputLayer
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.serialization import serialize as serialize_layer


def map_graph(inputs, outputs, model_name):
    """Order the graph like tf.keras 2: nodes in a valid execution order, layers by decreasing depth.

    Returns ``(nodes, layers, nodes_by_depth)``. Raises ValueError for a graph that needs a
    tensor not derived from ``inputs`` (disconnected) or has a cycle.
    """
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth = []
    layer_indices = {}
    # tf.keras 2 takes a layer's output as a model input too (FeatureSpace's encoded features): the graph
    # starts there, and the calls that made it belong to the model that has the Input behind them
    intermediate = {id(t) for t in inputs if not isinstance(t._keras_history[0], InputLayer)}

    def enter(tensor):
        """The node that made ``tensor``, marked in progress; None when it is already ordered or is an input."""
        if id(tensor) in intermediate:
            return None
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in in_progress:
            raise ValueError(f"Model {model_name!r}: the layer graph has a cycle at layer {layer.name!r}.")
        if id(node) in finished:
            return None
        if id(layer) not in layer_indices:
            layer_indices[id(layer)] = (len(layer_indices), layer)
        in_progress.add(id(node))
        return node

    for output in outputs:  # depth first from each output: a node comes after all the nodes it reads
        node = enter(output)
        stack = [(node, iter(node.input_tensors))] if node is not None else []
        while stack:
            node, pending = stack[-1]
            tensor = next(pending, None)
            if tensor is None:
                stack.pop()
                finished.add(id(node))
                in_progress.discard(id(node))
                nodes_in_decreasing_depth.append(node)
                continue
            parent = enter(tensor)
            if parent is not None:
                stack.append((parent, iter(parent.input_tensors)))

    node_depth, layer_depth = {}, {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))

    input_ids = {id(t) for t in inputs}
    for t in inputs:  # inputs not connected to any output still belong to the model
        layer = t._keras_history[0]
        if id(layer) not in layer_depth and id(t) not in intermediate:
            layer_depth[id(layer)] = 0
            layer_indices[id(layer)] = (-1, layer)
            node = layer._inbound_nodes[0]
            node_depth[id(node)] = 0
            nodes_in_decreasing_depth.append(node)

    # Every tensor a node consumes must be an input or computed by an earlier node.
    available = set(input_ids)
    seen_layers = []
    for node in nodes_in_decreasing_depth:
        if node.is_input:
            if not any(id(t) in input_ids for t in node.output_tensors):
                t = node.output_tensors[0]
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {t!r} at layer {node.layer.name!r}. "
                    f"The following previous layers were accessed without issue: {seen_layers}. Pass that "
                    f"Input to Model(inputs=[...]) too.")
            seen_layers.append(node.layer.name)
            continue
        for t in node.input_tensors:
            if id(t) not in available:
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {t!r} at layer {node.layer.name!r}. "
                    f"The following previous layers were accessed without issue: {seen_layers}.")
        available.update(id(t) for t in node.output_tensors)
        seen_layers.append(node.layer.name)

    by_depth_layers: dict = {}
    for lid, depth in layer_depth.items():
        by_depth_layers.setdefault(depth, []).append(layer_indices[lid])
    layers = []
    for depth in sorted(by_depth_layers, reverse=True):
        layers.extend(layer for _, layer in sorted(by_depth_layers[depth], key=lambda p: p[0]))
    nodes_by_depth: dict = {}
    for node in nodes_in_decreasing_depth:
        nodes_by_depth.setdefault(node_depth[id(node)], []).append(node)
    return nodes_in_decreasing_depth, layers, nodes_by_depth


# ----------------------------------------------------------------------------- config out

def _json_simple(value) -> bool:
    """True when ``value`` is made of JSON types only (call keyword arguments worth writing)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not (item is None or isinstance(item, (bool, int, float, str))):
            return False
    return True


_CONSTANT = "_CONSTANT_VALUE"  # tf.keras 2's marker for a constant where a node's first argument has a tensor


def _call_arg_names(layer) -> list:
    """The names of ``layer.call``'s positional parameters (TFOpLambda: its function's)."""
    own = getattr(layer, "_call_arg_names", None)
    if own is not None:
        return own()
    try:
        params = inspect.signature(layer.call).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _json_constant(value):
    """A constant argument as JSON (tensors and arrays as nested lists)."""
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _serialize_node(node, ref):
    """tf.keras 2's node data: ``[name, node_index, tensor_index, kwargs]`` for each tensor of the first argument
    (``[_CONSTANT_VALUE, -1, value, kwargs]`` for a constant); the other positional arguments join the kwargs
    under their parameter names; Keras tensors inside kwargs are written ``[name, node_index, tensor_index]``."""
    kwargs = {}
    if node.call_rest:
        names = _call_arg_names(node.layer)[1:]
        if len(names) < len(node.call_rest):
            raise ValueError(f"Layer {node.layer.name!r} was called with {len(node.call_rest) + 1} positional "
                             "arguments but its call() names fewer; the model config cannot record them.")
        kwargs.update(zip(names, node.call_rest))
    kwargs.update(node.call_kwargs or {})
    kwargs = nest.map_structure(lambda v: ref(v._keras_history) if isinstance(v, KerasTensor) else _json_constant(v),
                                kwargs)
    kwargs = {k: v for k, v in kwargs.items() if _json_simple(v)}

    def entry(t):
        if isinstance(t, KerasTensor):
            return ref(t._keras_history) + [kwargs]
        return [_CONSTANT, -1, _json_constant(t), kwargs]
    first = node.call_args
    if getattr(node.layer, "_preserve_input_structure_in_config", False) and not nest.is_nested(first):
        return entry(first)
    return [entry(t) for t in nest.flatten(first)]


def functional_config(model) -> dict:
    """tf.keras 2's functional config; node indices count only this model's calls of each layer."""
    if not getattr(model, "_is_graph_network", False):
        # `super().get_config()` from a subclassed model's own get_config: the base arguments.
        return {"name": model.name, "trainable": model.trainable}
    relative: dict = {}  # (id(layer), node_index) -> index among the layer's nodes in this model
    for layer in model.layers:
        k = 0
        for i, node in enumerate(layer._inbound_nodes):
            if isinstance(layer, InputLayer):
                relative[(id(layer), i)] = 0
            elif id(node) in model._network_node_ids and not node.is_input:
                relative[(id(layer), i)] = k
                k += 1

    def ref(history):
        layer, ni, ti = history
        return [layer.name, relative.get((id(layer), ni), ni), ti]

    layers = []
    for layer in model.layers:
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in model._network_node_ids or node.is_input:
                continue
            nodes.append(_serialize_node(node, ref))
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        layers.append(entry)
    return {"name": model.name, "layers": layers,
            "input_layers": [ref(t._keras_history) for t in model.inputs],
            "output_layers": [ref(t._keras_history) for t in model.outputs]}


# ----------------------------------------------------------------------------- config in

def _ref_key(ref, what):
    if (not isinstance(ref, (list, tuple)) or len(ref) < 3 or not isinstance(ref[0], str)
            or not isinstance(ref[1], int) or not isinstance(ref[2], int)):
        raise ValueError(f"Model config is invalid: {what} {ref!r} should be [layer_name, node_index, "
                         "tensor_index].")
    return (ref[0], ref[1], ref[2])


def _keras3_tensor_refs(args) -> list:
    """The ``keras_history`` of every ``__keras_tensor__`` in a Keras 3 node's args, in order."""
    out, stack = [], [args]
    while stack:
        value = stack.pop()
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            out.append(list((value.get("config") or {}).get("keras_history") or []))
        elif isinstance(value, (dict, list, tuple)):
            stack.extend(reversed(list(value.values() if isinstance(value, dict) else value)))
    return out


class _TensorRef:
    """A Keras tensor named inside a node's kwargs (``[layer_name, node_index, tensor_index]``)."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key


def _kwarg_refs(value, layer_names):
    """``value`` with each ``[layer_name, node_index, tensor_index]`` list naming a layer of the config replaced by a
    :class:`_TensorRef` (tf.keras 2 marks Keras tensors in kwargs that way)."""
    if (isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str) and value[0] in layer_names
            and isinstance(value[1], int) and isinstance(value[2], int)):
        return _TensorRef((value[0], value[1], value[2]))
    if isinstance(value, list):
        return [_kwarg_refs(v, layer_names) for v in value]
    if isinstance(value, dict):
        return {k: _kwarg_refs(v, layer_names) for k, v in value.items()}
    return value


def _kwarg_ref_keys(value) -> list:
    if isinstance(value, _TensorRef):
        return [value.key]
    if isinstance(value, list):
        return [k for v in value for k in _kwarg_ref_keys(v)]
    if isinstance(value, dict):
        return [k for v in value.values() for k in _kwarg_ref_keys(v)]
    return []


def _parse_node(node_data, layer_name, layer_names=()):
    """``(items, kwargs, single)`` from a tf.keras 2 node ``[[name, ni, ti, {kwargs}], ...]`` (or one such entry,
    as TFOpLambda writes it) or a Keras 3 node dict. ``items`` are ``("ref", key)`` or ``("const", value)`` for
    the first argument; ``kwargs`` holds :class:`_TensorRef` where it names tensors."""
    single = False
    if isinstance(node_data, dict):  # Keras 3
        items = [("ref", _ref_key(r, f"input of layer {layer_name!r}"))
                 for r in _keras3_tensor_refs(node_data.get("args", []))]
        kwargs = node_data.get("kwargs") or {}
    elif isinstance(node_data, list):
        if node_data and isinstance(node_data[0], str):  # one entry, not wrapped in a list
            node_data, single = [node_data], True
        items, kwargs = [], {}
        for r in node_data:
            if isinstance(r, list) and len(r) >= 3 and r[0] == _CONSTANT:
                items.append(("const", r[2]))
            else:
                items.append(("ref", _ref_key(r, f"input of layer {layer_name!r}")))
            if isinstance(r, list) and len(r) > 3 and isinstance(r[3], dict):
                kwargs = r[3]
    else:
        raise ValueError(f"Model config is invalid: layer {layer_name!r} has an inbound node {node_data!r}.")
    kwargs = {k: _kwarg_refs(v, layer_names) for k, v in kwargs.items()
              if k != "training" and not (k == "mask" and v is None) and _json_simple(v)}
    return items, kwargs, single


def _io_refs(refs, what):
    if isinstance(refs, list) and refs and isinstance(refs[0], str):  # Keras 3 writes one input flat
        refs = [refs]
    if not isinstance(refs, list) or not refs:
        raise ValueError(f"Model config is invalid: '{what}' should be a non-empty list of "
                         f"[layer_name, node_index, tensor_index], got {refs!r}.")
    return [_ref_key(r, what) for r in refs]


def functional_from_config(cls, config, custom_objects=None):
    """A new ``cls`` (a Model class) from a functional config: create every layer, then replay the calls
    as their inputs appear."""
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ValueError("Model config is invalid: 'layers' should be a list of layer configs.")
    created, queues = {}, {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError(f"Model config is invalid: a layer entry is {type(entry).__name__}, not a dict.")
        layer = deserialize_layer(entry, custom_objects)
        name = entry.get("name") or layer.name
        if name in created:
            raise ValueError(f"Model config is invalid: two layers are named {name!r}.")
        created[name] = layer
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise ValueError(f"Model config is invalid: 'inbound_nodes' of layer {name!r} should be a list.")
        queues[name] = nodes
    layer_names = set(created)
    queues = {name: [(k,) + _parse_node(node, name, layer_names) for k, node in enumerate(nodes)]
              for name, nodes in queues.items()}

    tensors = {}
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer._inbound_nodes[0].output_tensors[0]
    progress = True
    while progress and any(queues.values()):
        progress = False
        for name, queue in queues.items():
            while queue:
                k, items, kwargs, single = queue[0]
                refs = [key for kind, key in items if kind == "ref"] + _kwarg_ref_keys(kwargs)
                if not all(r in tensors for r in refs):
                    break
                args = [tensors[value] if kind == "ref" else value for kind, value in items]
                kwargs = nest.map_structure(lambda v: tensors[v.key] if isinstance(v, _TensorRef) else v, kwargs)
                out = created[name](args[0] if single or len(args) == 1 else args, **kwargs)
                for ti, t in enumerate(nest.flatten(out)):
                    tensors[(name, k, ti)] = t
                queue.pop(0)
                progress = True
    stuck = {name: [key for kind, key in q[0][1] if kind == "ref"] + _kwarg_ref_keys(q[0][2])
             for name, q in queues.items() if q}
    if stuck:
        missing = sorted({r for refs in stuck.values() for r in refs if r not in tensors})
        raise ValueError(f"Model config is inconsistent: cannot connect layer(s) {sorted(stuck)}; their inputs "
                         f"{[list(m) for m in missing]} are never produced.")

    def lookup(key, what):
        if key not in tensors:
            raise ValueError(f"Model config is inconsistent: {what} {list(key)} is not produced by any layer.")
        return tensors[key]

    inputs = [lookup(k, "input") for k in _io_refs(config.get("input_layers"), "input_layers")]
    outputs = [lookup(k, "output") for k in _io_refs(config.get("output_layers"), "output_layers")]
    model = cls(inputs=inputs if len(inputs) > 1 else inputs[0], outputs=outputs if len(outputs) > 1 else outputs[0],
                name=config.get("name"))
    # Calls that lead to no output (model.add_loss / add_metric of Keras tensors) still run in every forward pass.
    for key, tensor in tensors.items():
        if not isinstance(created[key[0]], InputLayer) and id(tensor.node) not in model._network_node_ids:
            model._extend_graph(tensor)
    return model
