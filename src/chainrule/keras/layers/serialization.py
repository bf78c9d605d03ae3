"""``keras.layers.serialize`` / ``deserialize``: a layer as ``{"class_name", "config"}`` and back.

Classes resolve only through :mod:`chainrule.keras.registry` (built-in layers, registered
classes, ``custom_objects``); a config's ``module`` is never imported. Keras 3's spellings are
read too: ``batch_shape``, ``DTypePolicy`` dicts, ``__tuple__``/``__numpy__`` wrappers, and
Keras 3-only options at their default values.
"""
from __future__ import annotations

import functools
import inspect

from .. import registry
from .core import InputLayer

__all__ = ["serialize", "deserialize", "unwrap_keras3_values"]

# Keras 3 layer options chainrule does not have; accepted (and dropped) only at these values.
_KERAS3_ONLY_DEFAULTS = {
    "quantization_config": (None,), "lora_rank": (None, 0), "lora_alpha": (None,), "synchronized": (False,),
    "renorm": (False,), "renorm_clipping": (None,), "optional": (False,), "input_tensor": (None,),
    "renorm_momentum": None,  # any value: it only matters with renorm=True
}
# Keras 3.x initializer options chainrule's initializers do not take (dropped when None).
_KERAS3_INITIALIZER_KEYS = ("input_axes", "output_axes")
_WRAPPERS = ("__tuple__", "__numpy__")


def serialize(layer) -> dict:
    """``{"class_name": <registered name>, "config": layer.get_config()}`` (tf.keras 2's form).

    Args:
        layer: a layer.
    """
    return registry.serialize(layer, "layer")


def unwrap_keras3_values(value):
    """A copy of a parsed config with Keras 3's ``{"class_name": "__tuple__", "config": {"value": [...]}}``
    wrappers (and ``__numpy__``) replaced by their values. Walks with a stack: any depth works."""
    def unwrap(v):
        while isinstance(v, dict) and v.get("class_name") in _WRAPPERS and isinstance(v.get("config"), dict):
            v = v["config"].get("value")
        return v

    root = [unwrap(value)]
    stack = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        node = holder[key]
        if isinstance(node, (dict, list)):
            node = holder[key] = type(node)(node)
            for k in (node if isinstance(node, dict) else range(len(node))):
                node[k] = unwrap(node[k])
                stack.append((node, k))
    return root[0]


_DTYPE_POLICY_CLASSES = ("DTypePolicy", "FloatDTypePolicy", "Policy")  # Keras 3, Keras 3.0-3.3, tf.keras 2


def _dtype_name(dtype):
    """``"float32"`` from a Keras 3 ``{"class_name": "DTypePolicy", "config": {"name": "float32"}}``
    (or tf.keras 2's mixed-precision ``Policy``); another class is refused, never ignored."""
    if isinstance(dtype, dict):
        cls = dtype.get("class_name")
        if cls not in _DTYPE_POLICY_CLASSES:
            raise ValueError(f"Unknown dtype policy {cls!r} in config (known: {', '.join(_DTYPE_POLICY_CLASSES)}); "
                             "chainrule takes a dtype name or a plain DTypePolicy.")
        inner = dtype.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            return inner["name"]
        raise ValueError(f"Unsupported dtype policy in config: {dtype!r}.")
    return dtype


@functools.lru_cache(maxsize=None)
def _explicit_params(cls) -> frozenset:
    try:
        return frozenset(name for name, p in inspect.signature(cls.__init__).parameters.items()
                         if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))
    except (TypeError, ValueError):
        return frozenset()


def _normalize(cls, config) -> dict:
    """A layer config in the form chainrule's constructors take (Keras 3 spellings converted)."""
    if not isinstance(config, dict):
        raise ValueError(f"Invalid config for layer class {cls.__name__}: expected a dict, got "
                         f"{type(config).__name__}.")
    cfg = unwrap_keras3_values(config)
    if "dtype" in cfg:
        cfg["dtype"] = _dtype_name(cfg["dtype"])
    if issubclass(cls, InputLayer) and "batch_shape" in cfg:
        cfg.setdefault("batch_input_shape", cfg.pop("batch_shape"))
        cfg.pop("batch_shape", None)
    if registry.is_builtin(cls):
        params = _explicit_params(cls)
        for key, defaults in _KERAS3_ONLY_DEFAULTS.items():
            if key in cfg and key not in params:
                value = cfg.pop(key)
                if defaults is not None and value not in defaults:
                    raise ValueError(f"Layer {cfg.get('name', '?')!r} ({cls.__name__}): the Keras 3 option "
                                     f"{key}={value!r} is not supported by chainrule.")
    for key, value in cfg.items():
        if key.endswith("_initializer") and isinstance(value, dict) and isinstance(value.get("config"), dict):
            inner = {k: v for k, v in value["config"].items() if not (k in _KERAS3_INITIALIZER_KEYS and v is None)}
            cfg[key] = dict(value, config=inner)
    return cfg


def deserialize(config, custom_objects=None):
    """A new layer from ``{"class_name": ..., "config": {...}}`` (tf.keras 2 or Keras 3 form).

    Names in the config (the class, activations, initializers...) resolve through
    ``custom_objects`` first. An unknown or non-layer class raises ``ValueError``.

    Args:
        config: the ``{'class_name', 'config'}`` dict.
        custom_objects: ``{name: class}`` for your own layers.
    """
    if not isinstance(config, dict):
        raise ValueError(f"Invalid layer config: expected a dict with 'class_name' and 'config', got "
                         f"{type(config).__name__}.")
    cls = registry.resolve_entry("layers", config, custom_objects)
    cfg = _normalize(cls, config.get("config") or {})
    try:
        return registry.build("layers", cls, cfg, custom_objects)
    except TypeError as e:
        raise ValueError(f"Layer {config.get('class_name')!r} could not be rebuilt from its config: {e}") from e
