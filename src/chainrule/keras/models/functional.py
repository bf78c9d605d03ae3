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

from ... import nest
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

    def enter(tensor):
        """The node that made ``tensor``, marked in progress; None when it is already ordered."""
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
        if id(layer) not in layer_depth:
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


def _node_kwargs(node, ref) -> dict:
    """A node's arguments after the first, by name, as tf.keras 2 writes them: KerasTensors as
    ``[layer_name, node_index, tensor_index]``, other values when they are plain JSON."""
    kwargs = dict(node.call_kwargs or {})
    if node.call_rest:
        names = [p for p in inspect.signature(node.layer.call).parameters][1:]
        kwargs.update(zip(names, node.call_rest))

    def serialize(value):
        return ref(value._keras_history) if isinstance(value, KerasTensor) else value
    out = {}
    for key, value in kwargs.items():
        value = nest.map_structure(serialize, value)
        if _json_simple(value):
            out[key] = value
    return out


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
            kwargs = _node_kwargs(node, ref)
            nodes.append([ref(t._keras_history) + [kwargs] for t in node.first_arg_tensors])
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


def _parse_node(node_data, layer_name):
    """``(refs, kwargs)`` from a tf.keras 2 node ``[[name, ni, ti, {kwargs}], ...]`` or a Keras 3 node dict."""
    if isinstance(node_data, dict):  # Keras 3
        refs = [_ref_key(r, f"input of layer {layer_name!r}") for r in _keras3_tensor_refs(node_data.get("args", []))]
        kwargs = node_data.get("kwargs") or {}
    elif isinstance(node_data, list):
        refs, kwargs = [], {}
        for r in node_data:
            refs.append(_ref_key(r, f"input of layer {layer_name!r}"))
            if len(r) > 3 and isinstance(r[3], dict):
                kwargs = r[3]
    else:
        raise ValueError(f"Model config is invalid: layer {layer_name!r} has an inbound node {node_data!r}.")
    kwargs = {k: v for k, v in kwargs.items()
              if k != "training" and not (k == "mask" and v is None) and _json_simple(v)}
    return refs, kwargs


def _kwarg_refs(kwargs, layer_names) -> list:
    """The tensor references ``[layer_name, node_index, tensor_index]`` inside a node's keyword arguments."""
    return [tuple(v) for v in _leaf_lists(kwargs) if _is_ref(v, layer_names)]


def _is_ref(value, layer_names) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and value[0] in layer_names
            and all(isinstance(i, int) and not isinstance(i, bool) for i in value[1:]))


def _leaf_lists(value):
    """Every list in ``value`` that holds no list or dict (tensor references are such lists)."""
    out, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            if any(isinstance(v, (list, dict)) for v in item):
                stack.extend(item)
            else:
                out.append(item)
    return out


def _resolve_refs(value, tensors, layer_names):
    """``value`` with every tensor reference replaced by its KerasTensor (lists rebuilt, no recursion)."""
    if _is_ref(value, layer_names):
        return tensors[tuple(value)]
    if not isinstance(value, (list, dict)):
        return value
    root = [value]
    stack = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        node = holder[key]
        if _is_ref(node, layer_names):
            holder[key] = tensors[tuple(node)]
        elif isinstance(node, (list, dict)):
            node = holder[key] = type(node)(node)
            stack.extend((node, k) for k in (node if isinstance(node, dict) else range(len(node))))
    return root[0]


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
        queues[name] = [(k,) + _parse_node(node, name) for k, node in enumerate(nodes)]

    tensors = {}
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer._inbound_nodes[0].output_tensors[0]
    names = set(created)
    progress = True
    while progress and any(queues.values()):
        progress = False
        for name, queue in queues.items():
            while queue:
                k, refs, kwargs = queue[0]
                if not all(r in tensors for r in refs + _kwarg_refs(kwargs, names)):
                    break
                args = [tensors[r] for r in refs]
                kwargs = {key: _resolve_refs(v, tensors, names) for key, v in kwargs.items()}
                out = created[name](args[0] if len(args) == 1 else args, **kwargs)
                for ti, t in enumerate(nest.flatten(out)):
                    tensors[(name, k, ti)] = t
                queue.pop(0)
                progress = True
    stuck = {name: q[0][1] + _kwarg_refs(q[0][2], names) for name, q in queues.items() if q}
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
    return cls(inputs=inputs if len(inputs) > 1 else inputs[0], outputs=outputs if len(outputs) > 1 else outputs[0],
               name=config.get("name"))
