"""Model configs (the JSON in ``.keras``/``.h5`` files and ``to_json``), tf.keras 2 layout.

A functional config lists each layer with its ``inbound_nodes`` as
``[[layer_name, node_index, tensor_index, {}], ...]``; rebuilding replays the
layer calls in order. Nothing here evaluates code: classes are looked up by
name in a registry of known layers plus ``custom_objects``.
"""
from __future__ import annotations


def _layer_registry(custom_objects=None) -> dict:
    from . import layers as L
    from .models import Model, Sequential
    registry = {name: obj for name, obj in vars(L).items() if isinstance(obj, type)}
    registry.update(Model=Model, Functional=Model, Sequential=Sequential)
    from .saving_registry import registered_objects
    registry.update(registered_objects())
    if custom_objects:
        registry.update(custom_objects)
    return registry


def serialize_layer(layer) -> dict:
    from .saving_registry import registered_name
    return {"class_name": registered_name(type(layer)), "config": layer.get_config()}


def deserialize_layer(config: dict, custom_objects=None):
    registry = _layer_registry(custom_objects)
    name = config.get("class_name")
    cls = registry.get(name)
    if cls is None:
        import difflib
        close = difflib.get_close_matches(str(name), list(registry), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown layer: {name!r}. Please ensure you are using a `keras.utils.custom_object_scope` "
                         f"or pass it in `custom_objects`, or decorate the class with "
                         f"`keras.saving.register_keras_serializable`.{hint}")
    cfg = dict(config.get("config", {}))
    if hasattr(cls, "from_config"):
        try:
            return cls.from_config(cfg, custom_objects=custom_objects) if _takes_custom(cls) else cls.from_config(cfg)
        except TypeError as e:
            raise ValueError(f"Layer {name!r} could not be rebuilt from its config: {e}") from e
    return cls(**cfg)


def _takes_custom(cls) -> bool:
    import inspect
    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def functional_config(model) -> dict:
    layers = []
    for layer in model.layers:
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in model._network_node_ids or node.is_input:
                continue
            nodes.append([[l.name, ni, ti, {}] for (l, ni, ti) in node.iterate_inbound()])
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        layers.append(entry)

    def refs(tensors):
        return [[t._keras_history[0].name, t._keras_history[1], t._keras_history[2]] for t in tensors]
    return {"name": model.name, "layers": layers, "input_layers": refs(model.inputs),
            "output_layers": refs(model.outputs)}


def functional_from_config(cls, config, custom_objects=None):
    created = {}
    for entry in config["layers"]:
        created[entry["name"]] = deserialize_layer(entry, custom_objects)
    outputs_by_key = {}
    from .layers.core import InputLayer
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            outputs_by_key[(name, 0, 0)] = layer._inbound_nodes[0].output_tensors[0]
    pending = [e for e in config["layers"] if e["inbound_nodes"]]
    progress = True
    while pending and progress:
        progress = False
        for entry in list(pending):
            layer = created[entry["name"]]
            done = True
            for node_data in entry["inbound_nodes"]:
                keys = [(n, ni, ti) for n, ni, ti, *_ in node_data]
                node_index = len(layer._inbound_nodes) - (1 if isinstance(layer, InputLayer) else 0)
                if (entry["name"], node_index, 0) in outputs_by_key:
                    continue
                if not all(k in outputs_by_key for k in keys):
                    done = False
                    break
                args = [outputs_by_key[k] for k in keys]
                out = layer(args[0] if len(args) == 1 else args)
                from .layers.base import flatten
                for ti, t in enumerate(flatten(out)):
                    outputs_by_key[(entry["name"], t._keras_history[1], ti)] = t
            if done:
                pending.remove(entry)
                progress = True
    if pending:
        raise ValueError(f"Model config is inconsistent: cannot connect layers {[e['name'] for e in pending]}.")
    inputs = [outputs_by_key[tuple(k[:3])] for k in config["input_layers"]]
    outputs = [outputs_by_key[tuple(k[:3])] for k in config["output_layers"]]
    from .models import Model
    model_cls = cls if cls is not None and issubclass(cls, Model) else Model
    return model_cls(inputs=inputs if len(inputs) > 1 else inputs[0],
                     outputs=outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))


def sequential_config(model) -> dict:
    layers = []
    if model._input_tensor is not None:
        inp = model._input_tensor._keras_history[0]
        layers.append(serialize_layer(inp))
    layers.extend(serialize_layer(layer) for layer in model.layers)
    return {"name": model.name, "layers": layers}


def sequential_from_config(cls, config, custom_objects=None):
    from .layers.core import InputLayer
    model = cls(name=config.get("name"))
    for entry in config["layers"]:
        layer = deserialize_layer(entry, custom_objects)
        if isinstance(layer, InputLayer):
            model.add(layer._inbound_nodes[0].output_tensors[0])
        else:
            model.add(layer)
    return model
