"""Objects as configs and back: model and compile configs, the JSON they travel in, Keras 3's spellings.

Written configs are tf.keras 2's (``{"class_name", "config"}``) or, inside ``.keras`` files,
Keras 3's (``{"module", "class_name", "config", "registered_name"}``). Reading accepts both.
Classes resolve only through :mod:`chainrule.keras.registry`: a config's ``module`` is never
imported, and :func:`check_untrusted_config` refuses system modules and serialized lambdas
anywhere in a file before anything is built.
"""
from __future__ import annotations

import json
import os

import numpy as np

from .. import limits, losses, metrics, optimizers, registry
from ..layers.serialization import unwrap_keras3_values

KERAS_VERSION = "2.11.0"       # the tf.keras API chainrule copies; written where Keras writes its version
BACKEND = "chainrule"
# Keras 3's module/class/registered names for chainrule's model classes (built-in layers are "keras.layers").
_KERAS3_FIELDS = {"Sequential": ("keras", "Sequential", None),
                  "Model": ("keras.src.models.functional", "Functional", "Functional")}


# ----------------------------------------------------------------------------- JSON

def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8")
    if isinstance(obj, np.dtype):
        return obj.name
    name = getattr(obj, "name", None)
    if type(obj).__name__ in ("DType", "TensorShape") and name is not None:
        return name if isinstance(name, str) else list(obj)
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        return {"class_name": registry.get_registered_name(obj), "config": obj.get_config()}
    if callable(obj) and getattr(obj, "__name__", None) and obj.__name__ != "<lambda>":
        return obj.__name__
    raise TypeError(f"Cannot write {obj!r} (type {type(obj).__name__}) to a JSON config. get_config() must "
                    "return JSON types (numbers, strings, lists, dicts) or objects with get_config().")


def dumps(obj, **kwargs) -> str:
    """JSON text of a config; numpy values, dtypes and objects with ``get_config`` are converted."""
    return json.dumps(obj, default=_json_default, **kwargs)


def loads(text, what):
    """A parsed JSON value; invalid, oversized or too deeply nested JSON raises ``ValueError`` naming ``what``.

    The bounds are :data:`chainrule.keras.limits.MAX_JSON_BYTES` and ``MAX_JSON_DEPTH``: a config
    nested thousands of levels deep would otherwise end in a ``RecursionError`` (in the parser or
    in the code that walks the config).
    """
    if len(text) > limits.MAX_JSON_BYTES:
        raise ValueError(f"{what} is {len(text)} bytes, more than the {limits.MAX_JSON_BYTES} bytes a config may "
                         "have (chainrule.keras.limits.MAX_JSON_BYTES); refusing it.")
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{what} is not valid JSON ({e}).") from e
    except RecursionError:
        value = None
        depth = limits.MAX_JSON_DEPTH + 1
    else:
        depth = _depth(value)
    if depth > limits.MAX_JSON_DEPTH:
        raise ValueError(f"{what} is nested more than {limits.MAX_JSON_DEPTH} levels deep (lists and objects within "
                         "one another; chainrule.keras.limits.MAX_JSON_DEPTH); a model config never is. Refusing "
                         "it.") from None
    return value


def _depth(value) -> int:
    """How deeply lists and dicts nest in a parsed JSON value (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if level > limits.MAX_JSON_DEPTH:
                break
            stack.extend((v, level + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


def check_untrusted_config(config, what="model") -> None:
    """Walk a whole parsed config and refuse system modules and serialized lambdas anywhere."""
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "module" in node and isinstance(node.get("module"), (str, type(None))):
                registry.check_module_name(node.get("module"), what)
            if node.get("class_name") == "__lambda__":
                raise ValueError(f"Refusing to load {what}: it contains a serialized lambda (Python bytecode). "
                                 "chainrule never runs code from a file; replace the Lambda/lambda with a "
                                 "registered custom layer or function.")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


# ----------------------------------------------------------------------------- model configs

def _keras3_fields(cls, class_name):
    """``(module, class_name, registered_name)`` as Keras 3 writes them for a layer or model class."""
    if cls is not None and registry.is_builtin(cls):
        return _KERAS3_FIELDS.get(cls.__name__, ("keras.layers", cls.__name__, None))
    if cls is not None:
        return cls.__module__, cls.__name__, registry.registered_name(cls)
    if class_name in ("Functional", "Model"):
        return _KERAS3_FIELDS["Model"]
    return None, class_name, class_name


def _to_keras3_config(config, model) -> dict:
    """A copy of ``config`` with every layer entry (of every ``layers`` list, at any depth) described as
    Keras 3 does: ``module, class_name, config, registered_name``, InputLayer's shape as ``batch_shape``."""
    table = {registry.registered_name(type(layer)): type(layer) for layer in [model] + model._all_layers()}
    root = unwrap_keras3_values(config)  # a copy of the containers (chainrule's own configs hold no wrappers)
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and isinstance(node.get("layers"), list):
            entries = node["layers"]
            has_input = any(isinstance(v, dict) and v.get("class_name") == "InputLayer" for v in entries)
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and "class_name" in entry and isinstance(entry.get("config"), dict):
                    entries[i] = _to_keras3_layer_entry(entry, table, has_input)
        if isinstance(node, (dict, list)):
            stack.extend(node.values() if isinstance(node, dict) else node)
    return root


def _to_keras3_layer_entry(entry, table, has_input_layer):
    cls = table.get(entry["class_name"]) or registry.lookup("layers", entry["class_name"])
    module, class_name, registered = _keras3_fields(cls, entry["class_name"])
    config = entry["config"]
    if class_name == "InputLayer" and "batch_input_shape" in config:  # Keras 3 spells it batch_shape
        config = {("batch_shape" if k == "batch_input_shape" else k): v for k, v in config.items()}
    elif has_input_layer and module == "keras.layers":  # the InputLayer carries the shape; Keras 3 refuses it here
        config.pop("batch_input_shape", None)
    out = {"module": module, "class_name": class_name, "config": config, "registered_name": registered}
    for key, value in entry.items():
        if key not in out and key not in ("class_name", "config"):
            out[key] = value
    return out


def _model_config_or_raise(model, path):
    try:
        return model.get_config()
    except NotImplementedError as e:
        text = str(e)
        if "save_weights" in text:  # the reason already offers the weights-only way out
            text = text.replace("`save_weights(...)`", f"`model.save_weights({_weights_name(path)!r})`")
            hint = ""
        else:
            hint = f" Saving only the weights works without it: model.save_weights({_weights_name(path)!r})."
        raise NotImplementedError(
            f"Cannot save model {model.name!r} of class {type(model).__name__} to {path!r}: {text}{hint}") from e


def _weights_name(path) -> str:
    """``'models/custom.keras'`` -> ``'custom.weights.h5'``: a file name that ``save_weights`` accepts."""
    base = os.path.basename(str(path)) or "model"
    for suffix in (".keras", ".h5", ".hdf5"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return f"{base or 'model'}.weights.h5"


def keras3_model_config(model, path) -> dict:
    """The ``config.json`` of a ``.keras`` file: the model entry with ``build_config`` and ``compile_config``."""
    config = _model_config_or_raise(model, path)
    module, class_name, registered = _keras3_fields(type(model), None)
    entry = {"module": module, "class_name": class_name, "config": _to_keras3_config(config, model),
             "registered_name": registered}
    build = model.get_build_config()
    if build is not None:
        entry["build_config"] = build
    compiled = compile_config(model, keras3=True)
    if compiled is not None:
        entry["compile_config"] = compiled
    return entry


def legacy_model_config(model, path) -> dict:
    """tf.keras 2's ``model_config`` (``.h5`` files and ``to_json``): ``{"class_name", "config"}``."""
    config = _model_config_or_raise(model, path)
    functional = registry.is_builtin(type(model)) and type(model).__name__ == "Model"
    entry = {"class_name": "Functional" if functional else registry.registered_name(type(model)), "config": config}
    if not model._is_layer_graph:
        build = model.get_build_config()
        if build is not None:
            entry["build_config"] = build
    return entry


def model_from_entry(entry, custom_objects):
    """A model from a top-level ``{"class_name", "config", ...}`` entry (no weights, not compiled)."""
    check_untrusted_config(entry, "model")
    cls = registry.resolve_entry("models", entry, custom_objects)
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"the model config of {entry.get('class_name')!r} should be a dict, got "
                         f"{type(config).__name__}")
    model = registry.build("models", cls, unwrap_keras3_values(config), custom_objects)
    if not isinstance(model, registry.base_of("models")):
        raise ValueError(f"{cls.__name__}.from_config returned {type(model).__name__}, not a Model")
    build_from_config(model, entry)
    return model


def build_from_config(model, entry) -> None:
    """Build an unbuilt model (no weights yet) for the input shape its entry's ``build_config`` names."""
    build = entry.get("build_config")
    shape = build.get("input_shape") if isinstance(build, dict) else None
    if model.built or model.weights or shape is None:
        return
    shape = [tuple(s) for s in shape] if shape and isinstance(shape[0], list) else tuple(shape)
    try:
        model.build(shape)
    except Exception as e:  # noqa: BLE001 - user code: report it with the file
        raise ValueError(f"could not build model {model.name!r} ({type(model).__name__}) for input shape "
                         f"{shape} from its build_config: {e}") from e


# ----------------------------------------------------------------------------- compile configs

def _serialize_compile_item(value, kind, keras3):
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_serialize_compile_item(v, kind, keras3) for v in value]
    if isinstance(value, dict):
        return {str(k): _serialize_compile_item(v, kind, keras3) for k, v in value.items()}
    if isinstance(value, type):
        return registry.registered_name(value)
    if isinstance(value, (losses.Loss, metrics.Metric)):
        config = json.loads(dumps(value.get_config()))
        out = {"class_name": registry.registered_name(type(value)), "config": config}
        if keras3:
            cls = type(value)
            builtin = registry.is_builtin(cls)
            out = {"module": f"keras.{kind}" if builtin else cls.__module__, "class_name": cls.__name__,
                   "config": config, "registered_name": None if builtin else registry.registered_name(cls)}
        return out
    name = getattr(value, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(f"Cannot save the compile {kind} {value!r}: use a named function, a registered class "
                         "or a string.")
    return name


def compile_config(model, keras3):
    optimizer = getattr(model, "optimizer", None)
    cc = getattr(model, "_compile_config", None)
    if optimizer is None or not getattr(model, "_is_compiled", False) or cc is None:
        return None
    opt_config = json.loads(dumps(optimizer.get_config()))
    loss = _serialize_compile_item(cc.get("loss"), "losses", keras3)
    metrics = _serialize_compile_item(cc.get("metrics"), "metrics", keras3)
    weighted = _serialize_compile_item(cc.get("weighted_metrics"), "metrics", keras3)
    loss_weights = _serialize_compile_item(cc.get("loss_weights"), "loss_weights", keras3)
    cls = type(optimizer)
    if keras3:
        builtin = registry.is_builtin(cls)
        return {"optimizer": {"module": "keras.optimizers" if builtin else cls.__module__,
                              "class_name": cls.__name__, "config": opt_config,
                              "registered_name": None if builtin else registry.registered_name(cls)},
                "loss": loss, "loss_weights": loss_weights, "metrics": metrics, "weighted_metrics": weighted,
                "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}
    return {"loss": loss, "metrics": metrics, "weighted_metrics": weighted, "loss_weights": loss_weights,
            "optimizer_config": {"class_name": registry.registered_name(cls), "config": opt_config}}


def _check_name(value, kind, custom_objects):
    if custom_objects and value in custom_objects:
        return
    try:
        if kind == "losses":
            losses.get(value)
        elif value.lower() not in ("accuracy", "acc", "crossentropy", "ce"):
            metrics.get(value)
    except ValueError as e:
        raise ValueError(f"cannot restore the compile state: {e} Pass it in custom_objects, or load with "
                         "compile=False and compile the model yourself.") from e


def _deserialize_compile_item(value, kind, custom_objects):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and kind == "loss_weights":
        raise ValueError(f"cannot restore the compile state: loss_weights should hold numbers, found {value!r}")
    if isinstance(value, str):
        _check_name(value, kind, custom_objects)
        return custom_objects[value] if custom_objects and value in custom_objects else value
    if isinstance(value, list):
        return [_deserialize_compile_item(v, kind, custom_objects) for v in value]
    if isinstance(value, dict):
        if "class_name" in value:
            return (losses if kind == "losses" else metrics).deserialize(value, custom_objects)
        return {k: _deserialize_compile_item(v, kind, custom_objects) for k, v in value.items()}
    raise ValueError(f"cannot restore the compile {kind}: unexpected value {value!r}")


def compile_from_config(model, cc, custom_objects):
    if not isinstance(cc, dict):
        raise ValueError(f"the compile config should be a dict, got {type(cc).__name__}")
    opt = cc.get("optimizer", cc.get("optimizer_config"))
    if isinstance(opt, dict):
        optimizer = optimizers.deserialize(opt, custom_objects)
    elif isinstance(opt, str):
        optimizer = optimizers.get(opt)
    else:
        raise ValueError(f"the compile config has no usable optimizer (found {opt!r})")
    if not isinstance(optimizer, optimizers.Optimizer):
        raise ValueError(f"the optimizer config resolves to {type(optimizer).__name__}, not an Optimizer")
    single_output = len(getattr(model, "output_names", None) or [None]) == 1
    metrics = {}
    for key in ("metrics", "weighted_metrics"):
        value = _deserialize_compile_item(cc.get(key), "metrics", custom_objects)
        if single_output and isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            value = value[0]  # tf.keras 2.x writes one list per output: [[metric, ...]]
        metrics[key] = value
    model.compile(optimizer=optimizer,
                  loss=_deserialize_compile_item(cc.get("loss"), "losses", custom_objects),
                  loss_weights=_deserialize_compile_item(cc.get("loss_weights"), "loss_weights", custom_objects),
                  **metrics)
