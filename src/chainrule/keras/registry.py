"""The one resolver from names to Keras objects, for every serializable kind.

Kinds: ``layers``, ``models``, ``activations``, ``initializers``, ``regularizers``,
``constraints``, ``losses``, ``metrics``, ``optimizers``, ``schedules`` (learning-rate
schedules). Each module registers its built-in objects here where they are defined
(:func:`register`), and its ``get`` / ``serialize`` / ``deserialize`` are thin calls to
:func:`get`, :func:`serialize` and :func:`deserialize`.

A name resolves the same way for every kind, first match wins:

1. ``custom_objects`` passed to the call (``load_model(..., custom_objects=...)`` too);
2. the open ``custom_object_scope({...})`` blocks of this thread, innermost first;
3. the kind's built-in names and aliases (``'relu'``, ``'glorot_uniform'``, ``'adam'``);
4. objects decorated with :func:`register_keras_serializable`, by ``'package>Name'`` or ``'Name'``.

A ``'package>Name'`` that nothing else matches falls back to the built-in ``Name``
(tf.keras 2.11 writes ``'Custom>Adam'``). User objects are not tied to a kind: a function
registered once is found by ``activations.get`` and as a loss alike.

Security: nothing else turns a name into a class. A config is never imported from: its
``module`` key is only checked, and one naming a system module (``os``, ``builtins``,
``subprocess``...) is refused by :func:`check_module_name`.

This module imports nothing from ``chainrule.keras``: every floor above can use it.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import threading

from .._suggest import accepts_argument, did_you_mean

__all__ = ["register", "register_keras_serializable", "registered_name", "get_registered_name",
           "get_registered_object", "CustomObjectScope", "custom_object_scope", "lookup", "resolve", "get",
           "serialize", "deserialize", "resolve_entry", "build", "is_builtin", "base_of", "check_module_name",
           "ConfigObject"]

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

_ADVICE = ("Pass a custom one as an object, or by name in `custom_objects`, a `keras.saving.custom_object_scope` "
           "or with `keras.saving.register_keras_serializable`.")


class _Kind:
    """What differs between kinds: the label in messages and a few tf.keras 2 quirks."""

    def __init__(self, label, case_insensitive=False, bad_type=ValueError, bind_config=False,
                 instantiate_in_get=False):
        self.label = label
        self.case_insensitive = case_insensitive  # optimizers: 'Adam', 'adam' and 'ADAM' are one name
        self.bad_type = bad_type                  # activations raise TypeError for a non-name, as tf.keras
        self.bind_config = bind_config            # activations: {'class_name': 'elu', 'config': {...}} binds
        self.instantiate_in_get = instantiate_in_get  # initializers: get(GlorotUniform) is an instance
        self.base = None                          # every class of the kind subclasses it (Layer, Model)
        self.builtins: dict = {}
        self.listed: list = []
        self.factories: set = set()               # built-in functions that build an object (l1_l2)

    def key(self, name):
        return name.lower() if self.case_insensitive and isinstance(name, str) else name


_KINDS = {
    "layers": _Kind("layer"),
    "models": _Kind("model"),
    "activations": _Kind("activation function", bad_type=TypeError, bind_config=True),
    "initializers": _Kind("initializer", instantiate_in_get=True),
    "regularizers": _Kind("regularizer"),
    "constraints": _Kind("constraint"),
    "losses": _Kind("loss function"),
    "metrics": _Kind("metric function"),
    "optimizers": _Kind("optimizer", case_insensitive=True),
    "schedules": _Kind("learning rate schedule"),
}

_BUILTIN_IDS: set = set()     # id() of every built-in object, of any kind
_REGISTERED: dict = {}        # 'package>Name' and 'Name' -> user object (register_keras_serializable)
_REGISTERED_NAMES: dict = {}  # user object -> 'package>Name'


class _Scopes(threading.local):
    def __init__(self):
        self.stack = []


_scopes = _Scopes()


class ConfigObject:
    """The base of initializers, regularizers, constraints and learning-rate schedules: ``from_config``
    rebuilds an object from :meth:`get_config`'s output, and ``repr`` shows that config."""

    @classmethod
    def from_config(cls, config: dict):
        """A new object from :meth:`get_config`'s output."""
        return cls(**config)

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this object (each subclass gives its own)."""
        raise NotImplementedError(f"{type(self).__name__}.get_config")

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


# ----------------------------------------------------------------------------- registering

def register(kind, *objects, aliases=None, listed=True, factories=(), base=None):
    """Register built-in ``objects`` of ``kind`` under their ``__name__``, plus ``aliases`` (name -> object).

    ``listed=False`` keeps the names out of the "Valid names" of error messages (base classes).
    ``factories`` are functions that a name or config *calls* to build the object (``l1_l2``).
    ``base``: the class every class of this kind must subclass (a config naming anything else is refused).
    """
    k = _KINDS[kind]
    if base is not None:
        k.base = base
    named = {obj.__name__: obj for obj in objects}
    named.update(aliases or {})
    for name, obj in named.items():
        k.builtins[k.key(name)] = obj
        _BUILTIN_IDS.add(id(obj))
        if listed and k.key(name) not in k.listed:
            k.listed.append(k.key(name))
    k.factories.update(id(f) for f in factories)


def register_keras_serializable(package="Custom", name=None):
    """Decorator: make a class or function loadable by name, as ``'package>Name'`` (and ``'Name'``).

    The object is saved under ``'package>Name'`` and found by every kind's ``get``/``deserialize``
    and by ``load_model`` without ``custom_objects``.
    """
    def decorator(obj):
        registered = name or obj.__name__
        key = f"{package}>{registered}"
        _REGISTERED[key] = obj
        _REGISTERED.setdefault(registered, obj)
        _REGISTERED_NAMES[obj] = key
        return obj
    return decorator


def registered_name(obj) -> str | None:
    """The name ``obj`` (a class or function) is saved under: ``'package>Name'`` when registered, else ``__name__``."""
    try:
        found = _REGISTERED_NAMES.get(obj)
    except TypeError:  # an unhashable object cannot be registered
        found = None
    return found if found is not None else getattr(obj, "__name__", None)


def get_registered_name(obj) -> str | None:
    """The name a class (or an instance's class) or function is saved under (tf.keras's function)."""
    return registered_name(obj if isinstance(obj, type) or inspect.isroutine(obj) else type(obj))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The user object for ``name``: ``custom_objects``, open scopes, then the registered ones; None if unknown."""
    found = _user_object(name, custom_objects)
    return found if found is not None else (module_objects or {}).get(name)


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes the names resolvable inside the block.

    Scopes nest (the innermost wins) and belong to the thread that opened them.
    """

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})

    def __enter__(self):
        _scopes.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scopes.stack.pop()
        return False


custom_object_scope = CustomObjectScope


# ----------------------------------------------------------------------------- resolving names

def _user_object(name, custom_objects=None, registered=True):
    for table in [custom_objects or {}, *reversed(_scopes.stack), _REGISTERED if registered else {}]:
        if name in table:
            return table[name]
    return None


def lookup(kind, name, custom_objects=None):
    """The object ``name`` means for ``kind`` (see the module docstring for the order), or None."""
    if not isinstance(name, str):
        return None
    k = _KINDS[kind]
    found = _user_object(name, custom_objects, registered=False)
    if found is None:
        found = k.builtins.get(k.key(name))
    if found is None:
        found = _REGISTERED.get(name)
    if found is None and (">" in name or "." in name):  # 'Custom>Adam', 'keras.optimizers.Adam'
        found = k.builtins.get(k.key(name.replace(">", ".").rsplit(".", 1)[-1]))
    return found


def _unknown(kind, name, custom_objects=None) -> ValueError:
    k = _KINDS[kind]
    user = list(custom_objects or ()) + [n for scope in _scopes.stack for n in scope] + \
        [n for n in _REGISTERED if ">" not in n]
    hint = did_you_mean(k.key(name), k.listed + user)
    valid = ", ".join(repr(n) for n in sorted(k.listed))
    return ValueError(f"Unknown {k.label}: {name!r}. Valid names: {valid}. {_ADVICE}{hint}")


def resolve(kind, name, custom_objects=None):
    """Like :func:`lookup`, but an unknown name raises ``ValueError`` listing the valid names and the closest one."""
    found = lookup(kind, name, custom_objects)
    if found is None:
        raise _unknown(kind, name, custom_objects)
    return found


def check_module_name(module, what="object") -> None:
    """Refuse a config that names a system module (``builtins``, ``os``, ``subprocess``, ``pickle``...).

    chainrule never imports the ``module`` written in a config; a Keras file only names
    ``keras...`` modules or the user's own, so one of these means the file was crafted to run code.
    """
    if module is None:
        return
    if not isinstance(module, str):
        raise ValueError(f"Invalid {what} config: 'module' must be a string, got {type(module).__name__}.")
    if module.split(".")[0] in _REFUSED_MODULES:
        raise ValueError(f"Refusing to load {what}: its config names the module {module!r}. Keras files only "
                         "name keras or user modules, and chainrule never imports modules or runs code from a "
                         "file; this config was probably crafted to execute code.")


def is_builtin(obj) -> bool:
    """True when ``obj`` is one of chainrule's own registered objects (of any kind)."""
    return id(obj) in _BUILTIN_IDS


def base_of(kind):
    """The class every class of ``kind`` subclasses (``Layer`` for layers), or None."""
    return _KINDS[kind].base


def resolve_entry(kind, entry, custom_objects=None):
    """The class (or function) a config dict ``{'class_name', 'module'?, 'registered_name'?, ...}`` names.

    Looked up by ``registered_name`` (Keras 3) when it differs from ``class_name``, and refused
    when that resolves to a class of another name (a crafted config); a class that is not of
    the kind's base class is refused too.
    """
    label, base = _KINDS[kind].label, _KINDS[kind].base
    class_name, registered = entry.get("class_name"), entry.get("registered_name")
    for field, value in (("class_name", class_name), ("registered_name", registered)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"Invalid {label} config: {field!r} must be a string, got {type(value).__name__}.")
    if not class_name:
        raise ValueError(f"Invalid {label} config: it has no 'class_name' (keys: {sorted(entry)}).")
    check_module_name(entry.get("module"), label)
    if class_name == "__lambda__":
        raise ValueError(f"Refusing to load a serialized lambda {label}: chainrule never runs code from a file.")
    if not registered or registered == class_name:
        found = resolve(kind, class_name, custom_objects)
    else:
        found = lookup(kind, registered, custom_objects) or _user_object(class_name, custom_objects)
        if found is None:
            raise ValueError(f"Unknown {label}: {class_name!r} with registered_name {registered!r}. No class is "
                             "registered under that name. Decorate the class with "
                             "`keras.saving.register_keras_serializable()` or pass it in "
                             f"`custom_objects={{{class_name!r}: {class_name}}}`.")
        if getattr(found, "__name__", None) != class_name.split(">")[-1]:
            raise ValueError(f"Refusing to load {label} {class_name!r}: its registered_name {registered!r} points "
                             f"to {getattr(found, '__module__', '?')}.{getattr(found, '__name__', found)!s}, a "
                             "different class. The config is inconsistent (possibly crafted).")
    if base is not None and not (isinstance(found, type) and issubclass(found, base)):
        raise ValueError(f"Refusing to load {label} {class_name!r}: it resolves to {found!r}, which is not a "
                         f"{base.__name__} subclass.")
    return found


def build(kind, obj, config, custom_objects=None):
    """An object from a resolved class (``from_config``) or factory, inside a scope of ``custom_objects``."""
    with CustomObjectScope(custom_objects) if custom_objects else contextlib.nullcontext():
        if id(obj) in _KINDS[kind].factories or not hasattr(obj, "from_config"):
            return obj(**config)
        if accepts_argument(obj.from_config, "custom_objects", through_kwargs=False):
            return obj.from_config(config, custom_objects=custom_objects)
        return obj.from_config(config)


def _short(value, limit=200) -> str:
    """``repr(value)``, cut to ``limit`` characters: a config from a file may be megabytes long."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def deserialize(kind, config, custom_objects=None):
    """The object a serialized form names: a name (``'relu'``) or a dict ``{'class_name', 'config', ...}``.

    A name that means a class (or a factory such as ``l1_l2``) gives a new instance with the
    defaults, a function is returned as is. A dict builds its class from ``config``
    (Keras 3's ``module`` / ``registered_name`` keys are checked, never imported; its
    ``{'class_name': 'function', 'config': 'relu'}`` form names a function).
    """
    k = _KINDS[kind]
    if isinstance(config, str):
        obj = resolve(kind, config, custom_objects)
        return build(kind, obj, {}, custom_objects) if isinstance(obj, type) or id(obj) in k.factories else obj
    if not isinstance(config, dict):
        raise k.bad_type(f"Could not interpret {k.label} identifier: {_short(config)}")
    if "class_name" not in config:
        raise ValueError(f"Cannot deserialize {k.label} {_short(config)}: expected a dict with 'class_name' and "
                         "'config'.")
    inner = config.get("config")
    if config["class_name"] == "function" and isinstance(inner, str):  # Keras 3's form of a named function
        check_module_name(config.get("module"), k.label)
        return resolve(kind, inner, custom_objects)
    obj = resolve_entry(kind, config, custom_objects)
    if inner is not None and not isinstance(inner, dict):
        raise ValueError(f"Invalid {k.label} config for {config['class_name']!r}: 'config' should be a dict, got "
                         f"{type(inner).__name__}.")
    inner = dict(inner or {})
    if isinstance(obj, type) or id(obj) in k.factories:
        return build(kind, obj, inner, custom_objects)
    if inner and k.bind_config and callable(obj):
        bound = functools.partial(obj, **inner)
        bound.__name__ = getattr(obj, "__name__", config["class_name"])
        return bound
    return obj


def serialize(obj, what="object"):
    """tf.keras 2's form: ``{'class_name': <registered name>, 'config': obj.get_config()}`` for an object with
    ``get_config``, the registered name (or ``__name__``) for a function or class; None stays None."""
    if obj is None:
        return None
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        return {"class_name": registered_name(type(obj)), "config": obj.get_config()}
    name = registered_name(obj)
    if name is None:
        raise ValueError(f"Cannot serialize {what} {obj!r}: it has no get_config() and no __name__. Use a named "
                         "function or an object with get_config(), and register it through custom_objects.")
    return name


def get(kind, identifier, default=None, accepts=callable, expected=None, allow_none=True):
    """tf.keras 2's ``get``: ``None`` -> ``default`` (unless not ``allow_none``), a name or dict ->
    :func:`deserialize`, an accepted object (by default any callable) as is; anything else raises,
    saying what is ``expected``."""
    if identifier is None and allow_none:
        return default
    if isinstance(identifier, (str, dict)):
        return deserialize(kind, identifier)
    k = _KINDS[kind]
    if accepts(identifier):
        return identifier() if k.instantiate_in_get and isinstance(identifier, type) else identifier
    raise k.bad_type(f"Could not interpret {k.label} identifier: {identifier!r}" +
                     (f". Pass {expected}." if expected else ""))
