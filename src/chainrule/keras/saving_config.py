"""Model configs (the JSON in ``.keras``/``.h5`` files and ``to_json``), tf.keras 2 layout.

A functional config lists each layer with its ``inbound_nodes`` as
``[[layer_name, node_index, tensor_index, {kwargs}], ...]`` (node indices count
only the calls that belong to this model); rebuilding replays the layer calls
in order. Keras 3's spellings are read too (``batch_shape``, ``DTypePolicy``
dicts, ``{"args": [...], "kwargs": {...}}`` nodes).

Nothing here evaluates code: classes are looked up by name in a registry of
known layers plus ``custom_objects`` (and ``register_keras_serializable``);
a ``module`` named in a config is never imported, and a system module
(``builtins``, ``os``, ``subprocess``...) makes the whole config refused.
"""
from __future__ import annotations

import inspect

from .. import nest
from .._suggest import did_you_mean

# Standard-library modules that can run code or touch the system: a Keras config never names them
# (Keras writes "keras..." or the user's own module), so a config that does was crafted.
_REFUSED_MODULES = frozenset({
    "builtins", "__builtin__", "os", "posix", "nt", "sys", "subprocess", "importlib", "imp", "pickle", "_pickle",
    "cPickle", "marshal", "shelve", "shutil", "socket", "ctypes", "runpy", "pty", "code", "codeop", "commands",
    "webbrowser", "pdb", "platform", "multiprocessing", "signal", "tempfile", "pathlib", "io", "operator",
    "functools", "types", "inspect", "gc", "zipimport", "pkgutil", "site", "asyncio", "threading", "_thread",
    "posixpath", "ntpath", "glob", "urllib", "http", "ftplib", "smtplib", "telnetlib", "base64", "codecs",
    "timeit", "trace", "cProfile", "profile", "pydoc", "ensurepip", "venv", "distutils", "setuptools", "pip",
})
# Keras 3 layer options chainrule does not have; accepted (and dropped) only at these values.
_KERAS3_ONLY_DEFAULTS = {
    "quantization_config": (None,), "lora_rank": (None, 0), "lora_alpha": (None,), "synchronized": (False,),
    "renorm": (False,), "renorm_clipping": (None,), "optional": (False,), "input_tensor": (None,),
}
# Keras 3.x initializer options chainrule's initializers do not take (dropped when None).
_KERAS3_INITIALIZER_KEYS = ("input_axes", "output_axes")
# Config keys whose string values may name a custom function (activation, initializer...).
_FUNCTION_KEYS = ("activation", "recurrent_activation")
_FUNCTION_SUFFIXES = ("_initializer", "_regularizer", "_constraint")


# ----------------------------------------------------------------------------- class look-up

def _builtin_layers() -> dict:
    from . import layers as L
    from .layers.base import Layer
    from .models import Model, Sequential
    registry = {name: obj for name, obj in vars(L).items()
                if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer}
    registry.update(Model=Model, Functional=Model, Sequential=Sequential)
    return registry


def _layer_registry(custom_objects=None) -> dict:
    from .saving_registry import registered_objects
    registry = _builtin_layers()
    registry.update(registered_objects())
    if custom_objects:
        registry.update(custom_objects)
    return registry


def check_module_name(module, what="object") -> None:
    """Refuse a config that names a system module (``builtins``, ``os``, ``subprocess``, ``pickle``...).

    chainrule never imports the ``module`` written in a config; a Keras file only
    names ``keras...`` modules or the user's own, so one of these means
    the file was crafted to run code.
    """
    if module is None:
        return
    if not isinstance(module, str):
        raise ValueError(f"Invalid {what} config: 'module' must be a string, got {type(module).__name__}.")
    top = module.split(".")[0]
    if top in _REFUSED_MODULES:
        raise ValueError(f"Refusing to load {what}: its config names the module {module!r}. Keras files only "
                         "name keras or user modules, and chainrule never imports modules or runs code from a "
                         "file; this config was probably crafted to execute code.")


def check_untrusted_config(config, what="model") -> None:
    """Walk a whole parsed config and refuse system modules and serialized lambdas anywhere."""
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "module" in node and isinstance(node.get("module"), (str, type(None))):
                check_module_name(node.get("module"), what)
            if node.get("class_name") == "__lambda__":
                raise ValueError(f"Refusing to load {what}: it contains a serialized lambda (Python bytecode). "
                                 "chainrule never runs code from a file; replace the Lambda/lambda with a "
                                 "registered custom layer or function.")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def resolve_class(entry: dict, custom_objects=None, base=None, what="layer", registry=None):
    """The class an entry ``{"class_name", "module"?, "registered_name"?, "config"}`` names.

    Looked up by ``registered_name`` (Keras 3) or ``class_name`` in
    ``custom_objects``, the ``register_keras_serializable`` registry and the
    built-in layers; never imported. A ``registered_name`` that resolves to a
    class of another name, an unknown name, or a class that is not a ``base``
    subclass raises ``ValueError``.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"Invalid {what} config: expected a dict with 'class_name' and 'config', got "
                         f"{type(entry).__name__}.")
    class_name, module, registered = entry.get("class_name"), entry.get("module"), entry.get("registered_name")
    for field, value in (("class_name", class_name), ("registered_name", registered)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"Invalid {what} config: {field!r} must be a string, got {type(value).__name__}.")
    if not class_name:
        raise ValueError(f"Invalid {what} config: it has no 'class_name' (keys: {sorted(entry)}).")
    check_module_name(module, what)
    if class_name == "__lambda__":
        raise ValueError(f"Refusing to load a serialized lambda {what}: chainrule never runs code from a file.")
    custom = dict(custom_objects or {})
    registry = registry if registry is not None else _layer_registry(custom_objects)
    if registered and registered != class_name:
        cls = custom.get(registered) or registry.get(registered) or custom.get(class_name)
        if cls is None:
            raise ValueError(
                f"Unknown {what}: {class_name!r} with registered_name {registered!r}. No class is registered under "
                f"that name. Decorate the class with `keras.saving.register_keras_serializable()` or pass it in "
                f"`custom_objects={{{class_name!r}: {class_name}}}`.")
        if getattr(cls, "__name__", None) != class_name.split(">")[-1]:
            raise ValueError(
                f"Refusing to load {what} {class_name!r}: its registered_name {registered!r} points to "
                f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__name__', cls)!s}, a different class. The "
                "config is inconsistent (possibly crafted).")
    else:
        cls = custom.get(class_name) or registry.get(class_name)
    if cls is None:
        hint = did_you_mean(str(class_name), list(registry))
        raise ValueError(f"Unknown {what}: {class_name!r}. Please ensure you are using a "
                         f"`keras.saving.custom_object_scope` or pass it in `custom_objects`, or decorate the "
                         f"class with `keras.saving.register_keras_serializable`.{hint}")
    if base is not None and not (isinstance(cls, type) and issubclass(cls, base)):
        raise ValueError(f"Refusing to load {what} {class_name!r}: it resolves to {cls!r}, which is not a "
                         f"{base.__name__} subclass.")
    return cls


# ----------------------------------------------------------------------------- layer entries

def serialize_layer(layer) -> dict:
    from .saving_registry import registered_name
    return {"class_name": registered_name(type(layer)), "config": layer.get_config()}


def _explicit_params(cls) -> set:
    try:
        return {name for name, p in inspect.signature(cls.__init__).parameters.items()
                if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    except (TypeError, ValueError):
        return set()


def _unwrap_keras3_values(value):
    """Keras 3 wraps tuples and arrays as ``{"class_name": "__tuple__", "config": {"value": [...]}}``."""
    if isinstance(value, dict):
        if value.get("class_name") in ("__tuple__", "__numpy__") and isinstance(value.get("config"), dict):
            return _unwrap_keras3_values(value["config"].get("value"))
        return {k: _unwrap_keras3_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_keras3_values(v) for v in value]
    return value


def _dtype_name(dtype):
    """``"float32"`` from a Keras 3 ``{"class_name": "DTypePolicy", "config": {"name": "float32"}}``."""
    if isinstance(dtype, dict):
        inner = dtype.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            return inner["name"]
        raise ValueError(f"Unsupported dtype policy in config: {dtype!r}.")
    return dtype


def normalize_layer_config(cls, config: dict, custom_objects=None) -> dict:
    """A layer config in the form chainrule's constructors take (Keras 3 spellings converted)."""
    from .layers.core import InputLayer
    from .saving_registry import registered_objects
    if not isinstance(config, dict):
        raise ValueError(f"Invalid config for layer class {cls.__name__}: expected a dict, got "
                         f"{type(config).__name__}.")
    cfg = _unwrap_keras3_values(dict(config))
    if "dtype" in cfg:
        cfg["dtype"] = _dtype_name(cfg["dtype"])
    if issubclass(cls, InputLayer) and "batch_shape" in cfg:
        cfg.setdefault("batch_input_shape", cfg.pop("batch_shape"))
        cfg.pop("batch_shape", None)
    if cls.__module__.startswith("chainrule."):
        params = _explicit_params(cls)
        for key, defaults in _KERAS3_ONLY_DEFAULTS.items():
            if key in cfg and key not in params:
                value = cfg.pop(key)
                if value not in defaults:
                    raise ValueError(f"Layer {cfg.get('name', '?')!r} ({cls.__name__}): the Keras 3 option "
                                     f"{key}={value!r} is not supported by chainrule.")
        if "renorm_momentum" in cfg and "renorm_momentum" not in params:
            cfg.pop("renorm_momentum")
    lookup = dict(registered_objects())
    lookup.update(custom_objects or {})
    for key, value in list(cfg.items()):
        if key.endswith("_initializer") and isinstance(value, dict) and isinstance(value.get("config"), dict):
            inner = {k: v for k, v in value["config"].items()
                     if not (k in _KERAS3_INITIALIZER_KEYS and v is None)}
            cfg[key] = value = dict(value, config=inner)
        if key in _FUNCTION_KEYS or key.endswith(_FUNCTION_SUFFIXES):
            name = value
            if isinstance(value, dict) and value.get("class_name") == "function":
                name = value.get("config")
            if isinstance(name, str) and name in lookup and callable(lookup[name]):
                cfg[key] = lookup[name]
    return cfg


def deserialize_layer(config: dict, custom_objects=None):
    """A new layer from ``{"class_name": ..., "config": {...}}`` (tf.keras 2 or Keras 3 form)."""
    from .layers.base import Layer
    cls = resolve_class(config, custom_objects, base=Layer, what="layer")
    cfg = normalize_layer_config(cls, config.get("config") or {}, custom_objects)
    name = config.get("class_name")
    try:
        if _takes_custom(cls):
            return cls.from_config(cfg, custom_objects=custom_objects)
        return cls.from_config(cfg)
    except TypeError as e:
        raise ValueError(f"Layer {name!r} could not be rebuilt from its config: {e}") from e


def _takes_custom(cls) -> bool:
    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- functional models

def _json_simple(value) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_json_simple(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_simple(v) for k, v in value.items())
    return False


def functional_config(model) -> dict:
    """tf.keras 2's functional config; node indices count only this model's calls of each layer."""
    if not getattr(model, "_is_graph_network", False):
        # `super().get_config()` from a subclassed model's own get_config: the base arguments.
        return {"name": model.name, "trainable": model.trainable}
    from .layers.core import InputLayer

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
            kwargs = {k: v for k, v in (node.call_kwargs or {}).items() if _json_simple(v)}
            nodes.append([ref(h) + [kwargs] for h in node.iterate_inbound()])
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        layers.append(entry)
    return {"name": model.name, "layers": layers,
            "input_layers": [ref(t._keras_history) for t in model.inputs],
            "output_layers": [ref(t._keras_history) for t in model.outputs]}


def _ref_key(ref, what):
    if (not isinstance(ref, (list, tuple)) or len(ref) < 3 or not isinstance(ref[0], str)
            or not isinstance(ref[1], int) or not isinstance(ref[2], int)):
        raise ValueError(f"Model config is invalid: {what} {ref!r} should be [layer_name, node_index, "
                         "tensor_index].")
    return (ref[0], ref[1], ref[2])


def _keras3_tensor_refs(value, out):
    """Collect the ``keras_history`` of every ``__keras_tensor__`` in a Keras 3 node's args."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            out.append(list((value.get("config") or {}).get("keras_history") or []))
        else:
            for v in value.values():
                _keras3_tensor_refs(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _keras3_tensor_refs(v, out)
    return out


def _parse_node(node_data, layer_name):
    """``(refs, kwargs)`` from a tf.keras 2 node ``[[name, ni, ti, {kwargs}], ...]`` or a Keras 3 node dict."""
    if isinstance(node_data, dict):  # Keras 3
        refs = [_ref_key(r, f"input of layer {layer_name!r}")
                for r in _keras3_tensor_refs(node_data.get("args", []), [])]
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


def _io_refs(refs, what):
    if isinstance(refs, list) and refs and isinstance(refs[0], str):  # Keras 3 writes one input flat
        refs = [refs]
    if not isinstance(refs, list) or not refs:
        raise ValueError(f"Model config is invalid: '{what}' should be a non-empty list of "
                         f"[layer_name, node_index, tensor_index], got {refs!r}.")
    return [_ref_key(r, what) for r in refs]


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a functional model: create every layer, then replay the calls as their inputs appear."""
    from .layers.core import InputLayer
    from .models import Model
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
    progress = True
    while progress and any(queues.values()):
        progress = False
        for name, queue in queues.items():
            while queue:
                k, refs, kwargs = queue[0]
                if not all(r in tensors for r in refs):
                    break
                args = [tensors[r] for r in refs]
                out = created[name](args[0] if len(args) == 1 else args, **kwargs)
                for ti, t in enumerate(nest.flatten(out)):
                    tensors[(name, k, ti)] = t
                queue.pop(0)
                progress = True
    stuck = {name: q[0][1] for name, q in queues.items() if q}
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
    model_cls = cls if isinstance(cls, type) and issubclass(cls, Model) else Model
    return model_cls(inputs=inputs if len(inputs) > 1 else inputs[0],
                     outputs=outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))


# ----------------------------------------------------------------------------- Sequential

def sequential_config(model) -> dict:
    layers = []
    if model._input_tensor is not None:
        inp = model._input_tensor._keras_history[0]
        layers.append(serialize_layer(inp))
    layers.extend(serialize_layer(layer) for layer in model.layers)
    return {"name": model.name, "layers": layers}


def sequential_from_config(cls, config, custom_objects=None):
    from .layers.core import InputLayer
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ValueError("Sequential config is invalid: 'layers' should be a list of layer configs.")
    model = cls(name=config.get("name"))
    for entry in entries:
        layer = deserialize_layer(entry, custom_objects)
        if isinstance(layer, InputLayer):
            model.add(layer._inbound_nodes[0].output_tensors[0])
        else:
            model.add(layer)
    shape = config.get("build_input_shape")
    if not model.built and isinstance(shape, (list, tuple)) and model.layers:
        model.build(tuple(shape))
    return model
