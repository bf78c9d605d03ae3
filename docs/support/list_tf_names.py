"""Write tf_public_names.txt: the public names of TensorFlow 2.x and of tf.keras 2, one per line.

Run once, by hand, in a TensorFlow environment (never by the tests):

    TF_USE_LEGACY_KERAS=1 python docs/support/list_tf_names.py

Made with tensorflow-cpu 2.21.0 and tf_keras 2.21.0 (``tf.keras`` is tf_keras with TF_USE_LEGACY_KERAS=1). The
walk starts at ``tf`` and goes into every public submodule (names without a leading underscore), listing each
public attribute as ``tf.<module>.<name>``. Left out (``SKIP``): ``tf.compat`` (the TF1 and versioned copies of
the whole API), ``tf.raw_ops`` (2000+ generated op wrappers), ``tf.dtensor``, ``tf.security``, the TPU, XLA,
Lite and MLIR tooling, ``keras.applications`` and the ``__internal__`` modules. The first line records the
versions.
"""
import os
import sys
import types

import tensorflow as tf
import tf_keras

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = {"tf.compat", "tf.raw_ops", "tf.dtensor", "tf.security", "tf.keras.__internal__", "tf.__internal__",
        "tf.__operators__", "tf.experimental.dtensor", "tf.keras.dtensor", "tf.lite", "tf.tpu",
        "tf.distribute.experimental.rpc", "tf.mlir", "tf.xla", "tf.experimental.dlpack", "tf.keras.applications",
        "tf.tools", "tf.sysconfig", "tf.saved_model.experimental", "tf.keras.estimator"}


def walk():
    names, seen = set(), set()
    stack = [("tf", tf)]
    while stack:
        path, module = stack.pop()
        if id(module) in seen or path in SKIP:
            continue
        seen.add(id(module))
        for attr in dir(module):
            if attr.startswith("_"):
                continue
            full = f"{path}.{attr}"
            try:
                value = getattr(module, attr)
            except Exception:  # noqa: BLE001 - lazy modules that fail to load are skipped
                continue
            if isinstance(value, types.ModuleType):
                if full not in SKIP:
                    stack.append((full, value))
            else:
                names.add(full)
    return sorted(names)


if __name__ == "__main__":
    names = walk()
    with open(os.path.join(HERE, "tf_public_names.txt"), "w") as f:
        f.write(f"# tensorflow {tf.__version__}, tf_keras {tf_keras.__version__}, python "
                f"{sys.version.split()[0]}; made by docs/support/list_tf_names.py\n")
        f.write("\n".join(names) + "\n")
    print(len(names), "names")
