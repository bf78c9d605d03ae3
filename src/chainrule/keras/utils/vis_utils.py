"""``plot_model`` and ``model_to_dot``: draw a model's layer graph.

The graph is described once (:func:`graph_of`: one node per layer, one edge per
connection). With graphviz's ``dot`` program installed it is rendered by
graphviz, like tf.keras; without it, a small matplotlib renderer draws the
same graph layer by layer, so ``plot_model`` always writes a picture.
"""
from __future__ import annotations

import os
import shutil


def _shape_text(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape) if len(shape) > 1 else _shape_text(shape[0])
    return str(tuple(shape)).replace("None", "None")


def graph_of(model, show_shapes=False, show_dtype=False, show_layer_names=True, show_layer_activations=False):
    """``(nodes, edges)``: nodes are ``(id, label)`` in layer order, edges are ``(from_id, to_id)``."""
    layers = model.layers
    if not layers:
        raise ValueError(f"plot_model: model {model.name!r} has no layers.")
    nodes, edges = [], []
    ids = {id(layer): f"L{i}" for i, layer in enumerate(layers)}
    for layer in layers:
        kind = type(layer).__name__
        label = f"{layer.name}: {kind}" if show_layer_names else kind
        if show_layer_activations and hasattr(layer, "activation"):
            label += f"\nactivation: {getattr(layer.activation, '__name__', layer.activation)}"
        if show_dtype:
            label += f"\ndtype: {layer.dtype}"
        if show_shapes:
            try:
                in_shape = _shape_text(layer.input_shape)
            except AttributeError:
                in_shape = "?"
            try:
                out_shape = _shape_text(layer.output_shape)
            except AttributeError:
                out_shape = "?"
            label += f"\ninput: {in_shape}\noutput: {out_shape}"
        nodes.append((ids[id(layer)], label))
    network_nodes = getattr(model, "_network_node_ids", None)
    if getattr(model, "_is_graph_network", False):
        for layer in layers:
            for node in layer._inbound_nodes:
                if network_nodes is not None and id(node) not in network_nodes:
                    continue
                for inbound, _, _ in node.iterate_inbound():
                    if id(inbound) in ids:
                        edges.append((ids[id(inbound)], ids[id(layer)]))
    else:  # a stack: each layer feeds the next
        edges = [(ids[id(a)], ids[id(b)]) for a, b in zip(layers, layers[1:])]
    return nodes, edges


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False, show_layer_activations=False, **kwargs):
    """A ``graphviz.Digraph`` of the model (needs the ``graphviz`` Python package)."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("model_to_dot needs the `graphviz` Python package: pip install graphviz "
                          "(and graphviz's `dot` program to render it).") from None
    nodes, edges = graph_of(model, show_shapes, show_dtype, show_layer_names, show_layer_activations)
    dot = graphviz.Digraph(name=model.name, graph_attr={"rankdir": rankdir, "dpi": str(dpi), "concentrate": "true"},
                           node_attr={"shape": "record" if not show_shapes else "box", "fontname": "Helvetica"})
    for node_id, label in nodes:
        dot.node(node_id, label)
    for a, b in edges:
        dot.edge(a, b)
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=96, layer_range=None, show_layer_activations=False,
               **kwargs):
    """Draw the model's layer graph into ``to_file`` (PNG) and return ``to_file``.

    Uses graphviz's ``dot`` when it is installed (as tf.keras does), otherwise
    draws the same graph with matplotlib.
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}.")
    folder = os.path.dirname(os.path.abspath(to_file))
    os.makedirs(folder, exist_ok=True)
    if shutil.which("dot"):
        try:
            dot = model_to_dot(model, show_shapes, show_dtype, show_layer_names, rankdir, dpi=dpi,
                               show_layer_activations=show_layer_activations)
            stem, ext = os.path.splitext(to_file)
            dot.render(filename=stem, format=(ext.lstrip(".") or "png"), cleanup=True)
            return to_file
        except ImportError:
            pass
    _draw_with_matplotlib(model, to_file, show_shapes, show_dtype, show_layer_names, rankdir, dpi,
                          show_layer_activations)
    return to_file


def _levels(nodes, edges):
    """Longest-path level of each node from the inputs (inputs at level 0)."""
    level = {n: 0 for n, _ in nodes}
    for _ in range(len(nodes)):
        changed = False
        for a, b in edges:
            if level[b] < level[a] + 1:
                level[b] = level[a] + 1
                changed = True
        if not changed:
            break
    # A source (an Input) sits just above the first layer that uses it, as dot would place it.
    has_incoming = {b for _, b in edges}
    for n, _ in nodes:
        consumers = [level[b] for a, b in edges if a == n]
        if n not in has_incoming and consumers:
            level[n] = min(consumers) - 1
    return level


def _draw_with_matplotlib(model, to_file, show_shapes, show_dtype, show_layer_names, rankdir, dpi,
                          show_layer_activations):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    nodes, edges = graph_of(model, show_shapes, show_dtype, show_layer_names, show_layer_activations)
    level = _levels(nodes, edges)
    rows: dict = {}
    for node_id, _ in nodes:
        rows.setdefault(level[node_id], []).append(node_id)
    labels = dict(nodes)
    width = max(len(row) for row in rows.values())
    lines = max(label.count("\n") + 1 for label in labels.values())
    longest = max(len(line) for label in labels.values() for line in label.split("\n"))
    box_w, box_h = max(3.2, 0.1 * longest + 0.4), 0.35 + 0.28 * lines
    gap_x, gap_y = 0.6, 0.7
    pos = {}
    for lvl, row in rows.items():
        offset = (width - len(row)) * (box_w + gap_x) / 2
        for i, node_id in enumerate(row):
            x = offset + i * (box_w + gap_x)
            y = -lvl * (box_h + gap_y)
            pos[node_id] = (x, y) if rankdir == "TB" else (-y * 1.6, -x)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    fig_w = max(4.0, (max(xs) - min(xs) + box_w) * 0.9 + 1)
    fig_h = max(2.0, (max(ys) - min(ys) + box_h) * 0.9 + 1)
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    for node_id, (x, y) in pos.items():
        ax.add_patch(FancyBboxPatch((x, y - box_h), box_w, box_h, boxstyle="round,pad=0.02", fc="#eef3fb",
                                    ec="#2f5597", lw=1.2))
        ax.text(x + box_w / 2, y - box_h / 2, labels[node_id], ha="center", va="center", fontsize=8,
                family="monospace")
    for a, b in edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        if rankdir == "TB":
            start, end = (xa + box_w / 2, ya - box_h), (xb + box_w / 2, yb)
        else:
            start, end = (xa + box_w, ya - box_h / 2), (xb, yb - box_h / 2)
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", color="#444444", lw=1.0))
    ax.set_xlim(min(xs) - 0.3, max(xs) + box_w + 0.3)
    ax.set_ylim(min(ys) - box_h - 0.3, max(ys) + 0.3)
    ax.axis("off")
    fig.savefig(to_file, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
