"""Saving to a directory, as tf.keras 2's default ``model.save("dir")`` and ``tf.saved_model.save`` do.

chainrule cannot write TensorFlow graphs, so there is no ``saved_model.pb``: the directory has
TensorFlow's layout with chainrule's own files, which chainrule loads back and TensorFlow cannot
(a warning says so, once per process)::

    dir/saved_model.json                       what the directory holds (format, versions, a note)
    dir/keras_metadata.json                    a Keras model: its config, build and compile configs
    dir/variables/variables.index              the values, as a chainrule checkpoint (tensor_bundle)
    dir/variables/variables.data-00000-of-00001
    dir/assets/                                (empty: chainrule models have no asset files)
    dir/constants.index, .data-00000-of-00001  a tf.Module's constant Tensors (only when it holds some)

A Keras model comes back with the same config, weights and, when saved with it, optimizer state
(``keras.models.load_model(dir)``). A ``tf.Module`` saved with ``chainrule.saved_model.save`` comes
back with its Variables, constant Tensors (``self.mean = tf.reduce_mean(x)``, in ``constants.*``, a bundle
like the variables') and plain attributes (numbers, strings) in the same structure; its methods,
``chainrule.function`` ones included (traced again on first call), are restored only when its class
is defined in the loading program (in ``__main__``) or registered with
``keras.saving.register_keras_serializable``: nothing is ever imported or run from the directory.
Otherwise the object is a generic ``Module`` holding the values, and calling it raises an error
naming the class. A function held as an attribute (``self.extract_features = onehot_origin``) is saved
by name when it is registered or defined in the saving program (``__main__``), and found the same way when
loading (else the attribute is None); other callables (lambdas, nested functions) are not saved.
The directory is written next to its destination and moved into place whole.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import warnings

import numpy as np

from ..._version import __version__
from ...module import Module
from ...tensor import Tensor, Variable
from .. import registry
from ..layers.base import Layer
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.serialization import serialize as serialize_layer
from . import object_graph, tensor_bundle
from .serialization import (KERAS_VERSION, build_from_config, check_untrusted_config, compile_from_config, dumps,
                            keras3_model_config, loads, model_from_entry)
from .tf_checkpoint import restore_graph, update_checkpoint_state, write_graph

FORMAT = "chainrule-saved-model"
_INFO = "saved_model.json"
_KERAS = "keras_metadata.json"
_VARIABLES = os.path.join("variables", "variables")
_CONSTANTS = "constants"
_MAX_JSON_BYTES = 64 * 1024 * 1024
_NOTE = ("Written by chainrule. Not a TensorFlow SavedModel (there is no saved_model.pb): chainrule loads it back; "
         "TensorFlow and TF Serving cannot load or serve it.")
_warned = False


def is_saved_model_dir(path) -> bool:
    """Whether ``path`` is a directory written by :func:`save_model` or :func:`save_module`."""
    return os.path.isfile(os.path.join(os.fspath(path), _INFO))


def _warn_once(path):
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(f"chainrule saved {path!r} as a SavedModel-like directory (variables/, assets/, chainrule's "
                      "own JSON files). chainrule loads it back (keras.models.load_model / "
                      "chainrule.saved_model.load), but it is not a TensorFlow SavedModel: TensorFlow and TF "
                      "Serving cannot load or serve it. Use a '.keras' file to exchange a model with Keras.",
                      UserWarning, stacklevel=5)


@contextlib.contextmanager
def _atomic_directory(path, overwrite):
    """Yield a temporary directory next to ``path``; on success it replaces ``path`` whole."""
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"Cannot save to {path!r}: a file of that name exists (a SavedModel is a directory).")
    if os.path.isdir(path) and not overwrite:
        raise FileExistsError(f"Cannot save to {path!r}: it exists and overwrite=False.")
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.chainrule-tmp")
    os.makedirs(tmp)
    try:
        yield tmp
        old = None
        if os.path.isdir(path):
            old = f"{tmp}.old"
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_info(folder, kind):
    info = {"format": FORMAT, "version": 1, "kind": kind, "chainrule_version": __version__,
            "keras_version": KERAS_VERSION, "note": _NOTE}
    with open(os.path.join(folder, _INFO), "w", encoding="utf-8") as f:
        f.write(dumps(info, indent=1))


def _read_json(path, what):
    if not os.path.isfile(path):
        raise ValueError(f"{what} is missing: {path!r}")
    if os.path.getsize(path) > _MAX_JSON_BYTES:
        raise ValueError(f"{path!r} is too large for a config; refusing it.")
    with open(path, "rb") as f:
        return loads(f.read(), path)


def read_info(path) -> dict:
    """The checked ``saved_model.json`` of a directory; ValueError when it is not chainrule's."""
    info_path = os.path.join(os.fspath(path), _INFO)
    if not os.path.isfile(info_path):
        tf_made = os.path.isfile(os.path.join(os.fspath(path), "saved_model.pb"))
        raise ValueError(f"{path!r} is not a directory saved by chainrule (no {_INFO})."
                         + (" It is a TensorFlow SavedModel, whose graphs chainrule cannot run; export the model "
                            "from TensorFlow as a '.keras' or '.h5' file instead." if tf_made else ""))
    info = _read_json(info_path, "The SavedModel description")
    if not isinstance(info, dict) or info.get("format") != FORMAT or info.get("kind") not in ("keras", "module"):
        raise ValueError(f"{info_path!r} does not describe a chainrule SavedModel-like directory.")
    return info


# ----------------------------------------------------------------------------- Keras models

def _keras_entry(model, path):
    """The model's config entry; a subclassed model without get_config is recorded by class, rebuilt with no
    arguments when its class is available to the loader."""
    try:
        return keras3_model_config(model, path)
    except NotImplementedError:
        entry = {"module": type(model).__module__, "class_name": type(model).__qualname__,
                 "registered_name": registry.registered_name(type(model)), "config": None}
        build = model.get_build_config()
        if build is not None:
            entry["build_config"] = build
        return entry


def save_model(model, path, overwrite=True, include_optimizer=True) -> None:
    """Write ``model`` (config, weights, optimizer state) as a SavedModel-like directory (see the module doc)."""
    entry = _keras_entry(model, path)
    with _atomic_directory(path, overwrite) as tmp:
        _write_info(tmp, "keras")
        with open(os.path.join(tmp, _KERAS), "w", encoding="utf-8") as f:
            f.write(dumps(entry))
        os.makedirs(os.path.join(tmp, "assets"))
        root = model if include_optimizer else _WithoutOptimizer(model)
        write_graph(root, os.path.join(tmp, _VARIABLES))
    _warn_once(os.fspath(path))


class _WithoutOptimizer:
    """A model's graph without its optimizer (``include_optimizer=False``)."""

    def __init__(self, model):
        self.model = model

    def _checkpoint_children(self):
        return [(name, child) for name, child in object_graph.children(self.model) if name != "optimizer"]


def _subclassed_model(entry, custom_objects):
    name = entry.get("class_name")
    cls = registry.get_registered_object(entry.get("registered_name") or name, custom_objects)
    if cls is None and entry.get("module") == "__main__":
        candidate = getattr(sys.modules.get("__main__"), str(name), None)
        cls = candidate if isinstance(candidate, type) else None
    if cls is None or not issubclass(cls, registry.base_of("models")):
        raise ValueError(f"the model is of class {name!r} (module {entry.get('module')!r}), which has no get_config: "
                         f"pass custom_objects={{'{name}': {name}}} (or register the class) so chainrule can create "
                         "it, or create the model in code and call model.load_weights(<dir>/variables/variables).")
    try:
        model = cls()
    except TypeError as e:
        raise ValueError(f"the class {name!r} needs constructor arguments and has no get_config to record them: "
                         f"implement get_config(), or create the model in code and load the weights ({e})") from e
    build_from_config(model, entry)
    return model


def load_model(path, custom_objects=None, compile=True):  # noqa: A002
    """The Keras model in a directory written by :func:`save_model`: config, weights and optimizer state."""
    info = read_info(path)
    if info["kind"] != "keras":
        raise ValueError(f"{path!r} holds a chainrule.Module, not a Keras model: load it with "
                         "chainrule.saved_model.load.")
    entry = _read_json(os.path.join(path, _KERAS), "The Keras model config")
    if not isinstance(entry, dict):
        raise ValueError(f"{_KERAS} should hold a JSON object")
    check_untrusted_config(entry, "model")
    if entry.get("config") is None:
        model = _subclassed_model(entry, custom_objects)
    else:
        model = model_from_entry(entry, custom_objects)
    if compile and entry.get("compile_config") is not None:
        compile_from_config(model, entry["compile_config"], custom_objects)
    prefix = os.path.join(path, _VARIABLES)
    saved_optimizer = any(k.startswith("optimizer/") for k in tensor_bundle.read_index(prefix)["entries"])
    root = model if compile and saved_optimizer else _WithoutOptimizer(model)  # include_optimizer=False: a fresh one
    status = restore_graph(root, prefix)
    if status.unmatched_object_keys:
        raise ValueError(f"the weights in {prefix!r} do not cover the model: no value for "
                         f"{status.unmatched_object_keys[:5]}")
    return model


# ----------------------------------------------------------------------------- weights in the checkpoint format

def save_weights(model, prefix, overwrite=True) -> None:
    """``model.save_weights("path")`` in tf.keras 2's default (checkpoint) format: ``path.index`` and
    ``path.data-00000-of-00001`` (chainrule's content), the folder's ``checkpoint`` file naming it."""
    prefix = os.fspath(prefix)
    if not overwrite and tensor_bundle.exists(prefix):
        raise FileExistsError(f"Cannot save the weights to {prefix!r}: {tensor_bundle.index_path(prefix)!r} exists "
                              "and overwrite=False.")
    write_graph(model, prefix)
    prefix = os.path.abspath(prefix)
    update_checkpoint_state(os.path.dirname(prefix), prefix, [prefix])


def load_weights(model, prefix):
    """Restore weights written by :func:`save_weights` (or the ``variables/`` of a saved directory); returns the
    restore status. As tf.keras 2, a partial match is allowed (the layers the file covers are loaded, by their
    position in the model; ``status.assert_consumed()`` checks everything matched); a file that matches nothing
    or a weight of another shape raises ``ValueError``. The weights of layers not built yet are assigned when
    they are created (TensorFlow's deferred restoration)."""
    prefix = os.fspath(prefix)
    if os.path.isdir(prefix) and is_saved_model_dir(prefix):
        prefix = os.path.join(prefix, _VARIABLES)
    status = restore_graph(model, prefix)
    if not status.assigned and (model.weights or not status.deferred):
        raise ValueError(f"Cannot load the weights of {prefix!r} into model {model.name!r}: none of its values fits "
                         f"the model (the model needs {status.unmatched_object_keys[:3]}...; is it the same "
                         "architecture?)")
    return status


# ----------------------------------------------------------------------------- tf.Module

_PLAIN = (bool, int, float, str, type(None))


def _plain(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


def _describe(obj, path, objects_by_id, paths, constants):
    """The JSON node of one object of a Module's graph (its constant Tensors are added to ``constants``)."""
    if isinstance(obj, Layer):
        if obj.built and obj.weights and obj._build_input_shape is None:
            raise ValueError(f"Cannot save the Keras layer {obj.name!r} held at {path!r}: it was built by calling "
                             "build() directly, so its input shape is unknown; call it once on data first.")
        config = serialize_layer(obj)
        return {"kind": "keras_layer", "layer": config,
                "build_input_shape": list(obj._build_input_shape) if obj._build_input_shape is not None else None}
    if isinstance(obj, (list, tuple, dict)):
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        return {"kind": "dict" if isinstance(obj, dict) else "list",
                "items": {str(k): _ref(v, objects_by_id, paths, constants, f"{path}/{k}") for k, v in items}}
    node = {"kind": "object", "module": type(obj).__module__, "class": type(obj).__qualname__,
            "attributes": {}, "children": {}}
    ignored = {"_name_scope"} | set(getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", ()))
    for key, value in sorted(vars(obj).items()):
        if key in ignored:
            continue
        if object_graph.is_trackable(value) or _constant_or_function(value):
            node["children"][key] = _ref(value, objects_by_id, paths, constants, f"{path}/{key}")
        elif _plain(value):
            node["attributes"][key] = list(value) if isinstance(value, tuple) else value
    return node


def _function_name(value) -> str | None:
    """The name a function attribute is saved under: its registered name, or its name in ``__main__``."""
    if not callable(value) or isinstance(value, type) or not hasattr(value, "__qualname__"):
        return None
    registered = registry.get_registered_name(value)
    if registered is not None and registry.get_registered_object(registered) is value:
        return registered
    name = value.__qualname__
    main = sys.modules.get("__main__")
    if getattr(value, "__module__", None) == "__main__" and getattr(main, name, None) is value:
        return name
    return None


def _constant_or_function(value) -> bool:
    return (isinstance(value, Tensor) and not isinstance(value, Variable)) or _function_name(value) is not None


def _ref(value, objects_by_id, paths, constants, path):
    if isinstance(value, Variable):
        return {"variable": paths.get(id(value)), "trainable": value.trainable, "name": value.name}
    if isinstance(value, Tensor):
        constants[path] = value.numpy()
        return {"constant": path}
    if id(value) in objects_by_id:
        return {"object": objects_by_id[id(value)]}
    if _plain(value):
        return {"value": value}
    name = _function_name(value)
    if name is not None:
        return {"function": name, "module": value.__module__}
    return None


def save_module(module, path, overwrite=True) -> None:
    """``chainrule.saved_model.save`` of a ``tf.Module``: its structure, plain attributes, Variables, constant
    Tensors and the functions it holds by name (see the module doc)."""
    leaves, objects = object_graph.walk(module)
    paths = {id(leaf): key for key, leaf in leaves.items() if isinstance(leaf, Variable)}
    objects_by_id = {id(obj): p for p, obj in objects}
    nodes: dict = {}
    constants: dict = {}
    for p, obj in objects:
        if any(p.startswith(q + "/") for q, o in objects if isinstance(o, Layer) and q != p and q != ""):
            continue  # inside a Keras layer: the layer's config and weights describe it
        nodes[p] = _describe(obj, p, objects_by_id, paths, constants)
    with _atomic_directory(path, overwrite) as tmp:
        _write_info(tmp, "module")
        with open(os.path.join(tmp, "module_graph.json"), "w", encoding="utf-8") as f:
            f.write(dumps({"root": "", "objects": nodes}))
        os.makedirs(os.path.join(tmp, "assets"))
        write_graph(module, os.path.join(tmp, _VARIABLES))
        if constants:
            tensor_bundle.write(os.path.join(tmp, _CONSTANTS), constants)
    _warn_once(os.fspath(path))


class _UserObject(Module):
    """A Module restored without its class: it holds the saved values, but not the methods."""

    _restored_class = "?"

    def __call__(self, *args, **kwargs):
        raise TypeError(f"This object was restored from a SavedModel-like directory without its class "
                        f"{self._restored_class!r}, so its methods (and traced functions) are not available. Define "
                        "or import that class in this program (or register it with "
                        "keras.saving.register_keras_serializable()) before calling chainrule.saved_model.load.")


def _module_class(node):
    name, module = node.get("class"), node.get("module")
    found = registry.get_registered_object(str(name))
    if found is None and module == "__main__":
        found = getattr(sys.modules.get("__main__"), str(name), None)
    if isinstance(found, type) and issubclass(found, Module) and not issubclass(found, Layer):
        return found
    return None


def _saved_function(ref):
    """The function saved by name (see the module doc), or None when the loading program does not know it."""
    name = str(ref["function"])
    found = registry.get_registered_object(name)
    if found is None and ref.get("module") == "__main__":
        found = getattr(sys.modules.get("__main__"), name, None)
    return found if callable(found) else None


def load_module(path):
    """The object saved by :func:`save_module` (see the module doc for what is restored)."""
    read_info(path)
    graph = _read_json(os.path.join(path, "module_graph.json"), "The Module graph")
    if not isinstance(graph, dict) or not isinstance(graph.get("objects"), dict) or "" not in graph["objects"]:
        raise ValueError(f"{path!r}: module_graph.json is damaged.")
    check_untrusted_config(graph, "module")
    prefix = os.path.join(path, _VARIABLES)
    index = tensor_bundle.read_index(prefix)
    constants_prefix = os.path.join(path, _CONSTANTS)
    constants = tensor_bundle.read_index(constants_prefix) if tensor_bundle.exists(constants_prefix) else None
    nodes, built = graph["objects"], {}

    def value_of(ref):
        if not isinstance(ref, dict):
            return None
        if "variable" in ref:
            key = ref["variable"]
            if key not in index["entries"]:
                raise ValueError(f"{path!r}: the variable {key!r} is missing from the checkpoint.")
            value = tensor_bundle.read_values(prefix, index, [key])[key]
            return Variable(np.asarray(value), trainable=bool(ref.get("trainable", True)),
                            name=str(ref.get("name") or "Variable"))
        if "constant" in ref:
            key = ref["constant"]
            if constants is None or key not in constants["entries"]:
                raise ValueError(f"{path!r}: the constant {key!r} is missing from {_CONSTANTS}.index.")
            return Tensor(tensor_bundle.read_values(constants_prefix, constants, [key])[key])
        if "function" in ref:
            return _saved_function(ref)
        if "object" in ref:
            return make(ref["object"])
        return ref.get("value")

    def make(p):
        if p in built:
            return built[p]
        node = nodes.get(p)
        if not isinstance(node, dict):
            raise ValueError(f"{path!r}: the object {p!r} is missing from module_graph.json.")
        kind = node.get("kind")
        if kind == "keras_layer":
            layer = deserialize_layer(node["layer"])
            if node.get("build_input_shape") is not None and not layer.built:
                layer.build(tuple(node["build_input_shape"]))
            built[p] = layer
            return layer
        if kind in ("list", "dict"):
            items = {k: value_of(v) for k, v in (node.get("items") or {}).items()}
            built[p] = items if kind == "dict" else [items[k] for k in sorted(items, key=int)]
            return built[p]
        cls = _module_class(node)
        obj = cls.__new__(cls) if cls is not None else _UserObject()
        if cls is None:
            obj._restored_class = f"{node.get('module')}.{node.get('class')}"
        built[p] = obj
        for key, value in (node.get("attributes") or {}).items():
            object.__setattr__(obj, key, value)
        for key, ref in (node.get("children") or {}).items():
            object.__setattr__(obj, key, value_of(ref))
        return obj

    root = make("")
    restore_graph(root, prefix)  # Keras layers' weights, and anything set by reference above
    return root
