"""The object graph a checkpoint saves: which values an object holds, and the key each is saved under.

From a root (a ``chainrule.train.Checkpoint``, or the model of ``save_weights``) the graph is walked
breadth first, as TensorFlow does; every value gets the path of names by which it is first reached,
``model/dense_1/w`` saved as ``model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE``. The children of an object:

* a ``Variable``: none (its value is saved);
* a Keras layer or model: its own weights (named by the attribute holding them, else by their own
  name: ``kernel``, ``bias``), its layers (``layer-0``, ``layer-1``... in ``model.layers`` order for a
  functional or Sequential model; by attribute name for a subclassed one), the Metric objects it
  holds as attributes, and a compiled model's ``optimizer``;
* an optimizer: its variables as the list ``_variables`` (iteration, learning rate, then the slots);
* a Keras metric: its state variables by name;
* a ``tf.Module``: its attributes in name order that hold Variables, Modules, optimizers, metrics,
  dataset iterators, or lists/tuples/dicts of those;
* a dataset iterator: its position (``.ATTRIBUTES/ITERATOR_STATE``);
* an object with a ``_checkpoint_children()`` method (``Checkpoint``): what that returns.
"""
from __future__ import annotations

import collections

import numpy as np

from ...data.dataset import OwnedIterator
from ...module import Module
from ...tensor import Variable
from ..layers.base import Layer
from ..metrics import Metric
from ..optimizers.base import Optimizer

VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
ITERATOR_SUFFIX = "/.ATTRIBUTES/ITERATOR_STATE"
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


class IteratorState:
    """The saved state of a dataset iterator: how many elements it has produced."""

    def __init__(self, iterator):
        self.iterator = iterator

    def get(self):
        return np.int64(self.iterator._position)

    def set(self, value) -> None:
        self.iterator._restore_position(int(np.asarray(value)))


def is_trackable(value) -> bool:
    """Whether ``value`` is saved by a checkpoint (a Variable, Module, optimizer, ... or a container of them)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (Variable, Module, Optimizer, Metric, OwnedIterator)) or \
                hasattr(item, "_checkpoint_children"):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


def _short_name(variable) -> str:
    return variable.name.split("/")[-1].rsplit(":", 1)[0]


class _Names:
    """Unique child names: a repeated name gets ``_1``, ``_2``..."""

    def __init__(self):
        self.used = collections.Counter()

    def __call__(self, name: str) -> str:
        count = self.used[name]
        self.used[name] += 1
        return name if count == 0 else f"{name}_{count}"


def _attribute_names(obj) -> dict:
    """``{id(value): attribute name}`` for the values held directly by an attribute (first in name order)."""
    out: dict = {}
    for key in sorted(vars(obj)):
        out.setdefault(id(vars(obj)[key]), key)
    return out


def _layer_children(layer) -> list:
    if "_tracked_layers" not in vars(layer):  # a subclass that skipped Layer.__init__: its attributes
        return _module_children(layer)
    attr_of = _attribute_names(layer)
    unique = _Names()
    out = [(unique(attr_of.get(id(info.var)) or _short_name(info.var)), info.var)
           for info in layer._own_trainable + layer._own_non_trainable]
    seen = set()
    if getattr(layer, "_is_layer_graph", False):
        for i, sub in enumerate(layer.layers):
            seen.add(id(sub))
            out.append((unique(f"layer-{i}"), sub))
    for i, sub in enumerate(layer._tracked_layers):
        if id(sub) not in seen:
            seen.add(id(sub))
            out.append((unique(attr_of.get(id(sub)) or f"layer-{i}"), sub))
    for metric in layer.__dict__.get("_metrics", ()):
        if id(metric) in attr_of:
            out.append((unique(attr_of[id(metric)]), metric))
    optimizer = getattr(layer, "optimizer", None)
    if isinstance(optimizer, Optimizer):
        out.append((unique("optimizer"), optimizer))
    return out


def _module_children(module) -> list:
    ignored = set(getattr(module, "_TF_MODULE_IGNORED_PROPERTIES", ())) | {"_name", "_name_scope"}
    return [(key, value) for key, value in sorted(vars(module).items())
            if key not in ignored and is_trackable(value)]


def children(obj) -> list:
    """``[(name, child)]`` of one object of the graph (see the module doc)."""
    if isinstance(obj, Variable):
        return []
    if hasattr(obj, "_checkpoint_children"):
        return list(obj._checkpoint_children())
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj) if is_trackable(v)]
    if isinstance(obj, dict):
        return [(str(k), v) for k, v in obj.items() if is_trackable(v)]
    if isinstance(obj, Layer):
        return _layer_children(obj)
    if isinstance(obj, Optimizer):
        return [("_variables", list(obj.variables))]
    if isinstance(obj, Metric):
        unique = _Names()
        return [(unique(_short_name(v)), v) for v in obj.variables]
    if isinstance(obj, OwnedIterator):
        return [("", IteratorState(obj))]
    if isinstance(obj, Module):
        return _module_children(obj)
    return []


def walk(root):
    """``(leaves, objects)``: ``leaves`` maps each saved key to its Variable or IteratorState (breadth first, each
    value once, under its first path); ``objects`` lists ``(path, object)`` for every object of the graph."""
    leaves, objects, seen = {}, [], set()
    queue = collections.deque([("", root)])
    while queue:
        path, obj = queue.popleft()
        if isinstance(obj, IteratorState):
            leaves[path + ITERATOR_SUFFIX] = obj
            continue
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Variable):
            leaves[path + VARIABLE_SUFFIX] = obj
            continue
        objects.append((path, obj))
        for name, child in children(obj):
            queue.append((f"{path}/{name}".strip("/") if name else path, child))
    return leaves, objects


def describe(objects) -> str:
    """The object graph as text (``_CHECKPOINTABLE_OBJECT_GRAPH``): one ``path: class`` line per object."""
    return "\n".join(f"{path or '.'}: {type(obj).__name__}" for path, obj in objects)
