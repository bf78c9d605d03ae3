"""List every public name of TensorFlow's ``tf.*`` and ``tf.keras.*`` namespaces (writes ``tf_public_names.txt``).

Run ONCE, by hand, in an environment with TensorFlow and tf_keras (never needed to build the docs)::

    TF_USE_LEGACY_KERAS=1 /work/refenv-tf/bin/python docs/tools/list_tf_names.py > docs/tools/tf_public_names.txt

It walks the public API modules (``tensorflow._api.v2.*`` and, with ``TF_USE_LEGACY_KERAS=1``, tf_keras's
``tf_keras.api._v2.keras.*``) from ``tf`` down, and prints one line per public name: the dotted name as a
TensorFlow program writes it and its kind (``module``, ``class``, ``function`` or ``constant``). Left out:
``tf.compat`` (the TF1 API, ``tf.compat.v1``) and ``tf.raw_ops`` (the generated low-level op wrappers), and
attributes that are implementation packages rather than API modules (``tf.dtensor``, ``tf.security``,
``tf.tools``).
"""
import importlib
import inspect
import os
import sys
import types

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

API_PACKAGES = ("tensorflow._api.v2", "tf_keras.api._v2")
LEFT_OUT = {"tf.compat", "tf.raw_ops"}


def kind(obj):
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "constant"


def as_module(obj):
    """The API module behind ``obj`` (tf.keras's sub-modules are lazy loaders), or None."""
    if type(obj).__name__ == "KerasLazyLoader":
        return importlib.import_module(obj.__name__)
    return obj if isinstance(obj, types.ModuleType) else None


def walk(module, prefix, out):
    for name in sorted(dir(module)):
        if name.startswith("_"):
            continue
        try:
            obj = getattr(module, name)
        except Exception:  # an attribute whose lazy import fails in this environment: not listable
            continue
        dotted = f"{prefix}.{name}"
        sub = as_module(obj)
        if sub is not None:
            if dotted in LEFT_OUT or not sub.__name__.startswith(API_PACKAGES):
                continue
            out.append((dotted, "module"))
            walk(sub, dotted, out)
        else:
            out.append((dotted, kind(obj)))


def main():
    import tf_keras
    names = []
    walk(tf, "tf", names)
    print(f"# Public names of TensorFlow {tf.__version__} (tf.*) with tf_keras {tf_keras.__version__} "
          "(tf.keras.*, TF_USE_LEGACY_KERAS=1).")
    print("# Made by docs/tools/list_tf_names.py (see its docstring); read by docs/tools/gen_support.py.")
    print("# Left out: tf.compat (TF1) and tf.raw_ops. One line per name: <dotted name> <kind>.")
    for dotted, k in names:
        print(dotted, k)
    print(f"{len(names)} names", file=sys.stderr)


if __name__ == "__main__":
    main()
