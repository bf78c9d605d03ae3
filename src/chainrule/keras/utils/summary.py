"""``model.summary()`` in tf.keras 2's format (the one the seeds print).

Sequential-like models use 65 columns split at 45% / 85%; models with
branches use 98 columns split at 33% / 55% / 67% and add a ``Connected to``
column. Every layer row is followed by a blank row, as in tf.keras 2.11.
"""
from __future__ import annotations


def _print_row(fields, positions, print_fn):
    """tf.keras 2's row printer: wraps long cells onto following lines, breaking after '),' or "',"."""
    left = [str(f) for f in fields]
    while any(left):
        line = ""
        for col in range(len(left)):
            start = positions[col - 1] if col > 0 else 0
            space = 2 if col != len(positions) - 1 else 0
            cutoff = positions[col] - start - space
            fit = left[col][:cutoff]
            breaks = [fit.find(x) + len(x) for x in ("),", "},", "],", "',") if fit.find(x) >= 0]
            if breaks:
                cutoff = min(breaks)
                fit = fit[:cutoff]
            if col == 0:
                line += " "
            line += fit
            line += " " * space
            left[col] = left[col][cutoff:]
            line += " " * (positions[col] - len(line))
        print_fn(line)


def _is_sequential_like(model) -> bool:
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True  # as tf.keras 2 (a Sequential holding one layer twice still prints one row for it)
    for nodes in model._nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
    seen = set()
    for layer in model.layers:
        count = sum(1 for n in layer._inbound_nodes if id(n) in model._network_node_ids)
        if count > 1:
            return False
        seen.add(id(layer))
    return True


def _class_name(layer) -> str:
    """The class shown in the table: tf.keras 2 calls a functional model's class ``Functional``."""
    name = type(layer).__name__
    return "Functional" if name == "Model" and getattr(layer, "_is_graph_network", False) else name


def _output_shape(layer):
    try:
        return layer.output_shape
    except AttributeError:
        return "multiple"


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False):
    """Print ``model``'s summary table (see module docstring); ``print_fn`` receives each line."""
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(header, positions, print_fn)
    print_fn("=" * line_length)
    for layer in model.layers:
        params = layer.count_params() if (layer.built or layer.weights) else "0 (unused)"
        fields = [f"{layer.name} ({_class_name(layer)})", _output_shape(layer), params]
        if not sequential_like:
            connections = []
            for node in layer._inbound_nodes:
                if id(node) not in model._network_node_ids:
                    continue
                for inbound_layer, node_index, tensor_index in node.iterate_inbound():
                    connections.append(f"{inbound_layer.name}[{node_index}][{tensor_index}]")
            fields.append(connections)
        _print_row(fields, positions, print_fn)
        print_fn(" " * line_length)
    print_fn("=" * line_length)
    trainable = sum(int(w.size) for w in model.trainable_weights)
    non_trainable = sum(int(w.size) for w in model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)
