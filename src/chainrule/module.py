"""``chainrule.Module``: TensorFlow's ``tf.Module``, a container that finds its Variables and sub-Modules.

A Module finds what it holds by walking its attributes, as TensorFlow does: the
attributes in sorted name order, going into lists, tuples and dicts (dict keys
sorted); each Variable or Module found is reported once; sub-Modules are walked
after their parent's own attributes (depth first), so ``variables`` lists a
Module's own Variables before those of its sub-Modules::

    class Dense(chainrule.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = chainrule.Variable(chainrule.random.normal([n_in, n_out]), name="w")
            self.b = chainrule.Variable(chainrule.zeros([n_out]), name="b")

        def __call__(self, x):
            return chainrule.nn.relu(x @ self.w + self.b)

    Dense(3, 2).trainable_variables     # (b, w): sorted by attribute name

A subclass with its own weight bookkeeping (Keras layers) can override
``variables``/``trainable_variables``/``non_trainable_variables`` or ``_flatten``,
and add attribute names to ``_TF_MODULE_IGNORED_PROPERTIES`` to keep them out of the walk.
This module imports nothing from ``chainrule.keras``.
"""
from __future__ import annotations

import functools
import re

from .context import name_scope as _name_scope_cls
from .tensor import Variable

_VALID_IDENTIFIER = re.compile(r"^[a-zA-Z_]([a-zA-Z0-9_])*$")
_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def camel_to_snake(value: str) -> str:
    """``'SequentialModule'`` -> ``'sequential_module'`` (TensorFlow's rule for default Module names)."""
    return _CAMEL_TO_SNAKE.sub(r"_\1", value).lower()


def valid_identifier(name) -> bool:
    """Whether ``name`` is a valid Module name (a Python identifier made of ASCII letters, digits and _)."""
    return bool(_VALID_IDENTIFIER.match(name))


def _is_variable(obj) -> bool:
    return isinstance(obj, Variable)


def _is_trainable_variable(obj) -> bool:
    return isinstance(obj, Variable) and obj.trainable


def _is_non_trainable_variable(obj) -> bool:
    return isinstance(obj, Variable) and not obj.trainable


def _is_module(obj) -> bool:
    return isinstance(obj, Module)


class Module:
    """Base class for objects that hold Variables and other Modules: ``Module(name=None)``.

    ``name`` defaults to the class name in snake_case (``MyModel`` -> ``'my_model'``); a name
    that is not a Python identifier raises ``ValueError``. Properties (tuples, in the walk
    order described in the module doc): ``variables``, ``trainable_variables``,
    ``non_trainable_variables``, ``submodules``; ``name`` and ``name_scope`` (a context
    manager naming Variables made inside it ``'<name>/...'``); ``with_name_scope`` decorates a
    method to run inside it. A subclass that skips ``super().__init__()`` still works (its
    name is then derived from the class).
    """

    _TF_MODULE_IGNORED_PROPERTIES = frozenset(("_self_unconditional_checkpoint_dependencies",
                                               "_self_unconditional_dependency_names", "_deferred_restorations"))

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if "_deferred_restorations" in self.__dict__:  # a checkpoint restored before this Variable existed
            apply_deferred_restoration(self, name, value)

    def __init__(self, name=None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not valid_identifier(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name).")
        self._name = name
        with _name_scope_cls(name) as scope_name:
            self._name_scope = _name_scope_cls(scope_name)  # ends with "/": re-entered as an absolute scope

    @property
    def name(self) -> str:
        """The Module's name (given, or the class name in snake_case)."""
        if "_name" not in self.__dict__:
            self._name = camel_to_snake(type(self).__name__)
        return self._name

    @property
    def name_scope(self) -> _name_scope_cls:
        """A context manager: Variables created inside are named ``'<scope>/<name>:0'``."""
        if "_name_scope" not in self.__dict__:
            self._name_scope = _name_scope_cls(self.name + "/")
        return self._name_scope

    @property
    def variables(self) -> tuple:
        """Every Variable this Module and its sub-Modules hold, each once."""
        return tuple(self._flatten(predicate=_is_variable, expand_composites=True))

    @property
    def trainable_variables(self) -> tuple:
        """The Variables with ``trainable=True``."""
        return tuple(self._flatten(predicate=_is_trainable_variable, expand_composites=True))

    @property
    def non_trainable_variables(self) -> tuple:
        """The Variables with ``trainable=False``."""
        return tuple(self._flatten(predicate=_is_non_trainable_variable, expand_composites=True))

    @property
    def submodules(self) -> tuple:
        """Every Module held (directly or inside other Modules), each once, parents before children."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None, with_path=False,
                 expand_composites=False):
        """Yield what ``predicate`` accepts among everything reachable from the attributes (see the module doc).

        ``recursive=False`` stays in this Module; ``attribute_traversal_key`` orders attribute
        names (sorted by default); ``with_path`` yields ``(path, value)`` pairs, where path is a
        tuple of attribute names, list indices and dict keys (values reachable by several
        paths are then reported once per path, as TensorFlow does).
        """
        if predicate is None:
            predicate = lambda _: True  # noqa: E731
        return _flatten_module(self, recursive=recursive, predicate=predicate,
                               attribute_traversal_key=attribute_traversal_key,
                               attributes_to_ignore=self._TF_MODULE_IGNORED_PROPERTIES, with_path=with_path)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run ``method`` inside ``self.name_scope``."""
        @functools.wraps(method)
        def method_with_name_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope


def defer_restoration(owner, name: str, value, where: str) -> None:
    """Keep a checkpoint's ``value`` for the Variable ``owner.<name>`` that does not exist yet.

    TensorFlow restores a Variable created after ``Checkpoint.restore`` (a Module that makes its
    variables on first call) when it is assigned to its attribute; so does chainrule: the first
    Variable assigned to ``owner.<name>`` takes ``value``. ``where`` names the checkpoint in errors.
    """
    owner.__dict__.setdefault("_deferred_restorations", {})[name] = (value, where)


def apply_deferred_restoration(owner, name: str, variable) -> None:
    """If a checkpoint left a value for ``owner.<name>`` and ``variable`` is a Variable, assign it (once)."""
    deferred = owner.__dict__.get("_deferred_restorations")
    if not deferred or name not in deferred or not isinstance(variable, Variable):
        return
    value, where = deferred.pop(name)
    if not deferred:
        del owner.__dict__["_deferred_restorations"]
    if tuple(value.shape) != tuple(variable.shape):
        raise ValueError(f"Cannot restore {name!r} of {type(owner).__name__} from the checkpoint {where!r}: the "
                         f"Variable created has shape {tuple(variable.shape)}, the checkpoint {tuple(value.shape)}.")
    variable.assign(value.astype(variable._value.dtype, copy=False))


def _children_with_paths(value):
    """``[(path_tail, child)]`` for a list, tuple or dict (dict keys sorted when they can be); ``None`` for a leaf."""
    if isinstance(value, dict):
        try:
            keys = sorted(value)
        except TypeError:
            keys = list(value)
        return [((k,), value[k]) for k in keys]
    if isinstance(value, (list, tuple)):
        return [((i,), v) for i, v in enumerate(value)]
    return None


def _leaves_with_paths(value):
    """Every leaf of a nested list/tuple/dict structure with its path, in order (no recursion)."""
    out, stack = [], [((), value)]
    while stack:
        path, item = stack.pop()
        children = _children_with_paths(item)
        if children is None:
            out.append((path, item))
        else:
            stack.extend((path + p, c) for p, c in reversed(children))
    return out


def _flatten_module(module, recursive, predicate, attribute_traversal_key, attributes_to_ignore, with_path,
                    module_path=(), seen=None, recursion_stack=None):
    module_id = id(module)
    if seen is None:
        seen = {module_id}
    if recursion_stack is None:
        recursion_stack = []
    if module_id in recursion_stack:  # a cycle: report this module's own values, do not descend again
        recursive = False
    module_dict = vars(module)
    submodules = []
    for key in sorted(module_dict, key=attribute_traversal_key):
        if key in attributes_to_ignore:
            continue
        for leaf_path, leaf in _leaves_with_paths(module_dict[key]):
            leaf_path = (key,) + leaf_path
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (module_path + leaf_path, leaf) if with_path else leaf
            if recursive and _is_module(leaf):
                submodules.append((module_path + leaf_path, leaf))
    recursion_stack.append(module_id)
    for submodule_path, submodule in submodules:
        yield from _flatten_module(submodule, recursive=recursive, predicate=predicate,
                                   attribute_traversal_key=attribute_traversal_key,
                                   attributes_to_ignore=submodule._TF_MODULE_IGNORED_PROPERTIES,
                                   with_path=with_path, module_path=submodule_path, seen=seen,
                                   recursion_stack=recursion_stack)
    recursion_stack.pop()
