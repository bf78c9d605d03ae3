"""``Lambda``: any function of tensors as a layer, saved without ever running code from a file by default.

A saved ``Lambda`` records its function by name when it has one that a loader can find without
importing anything: a chainrule function (``chainrule.nn.relu`` -> ``'nn.relu'``), a Keras
activation, a function registered with ``register_keras_serializable`` or passed in
``custom_objects``, or a function defined in the running script (``__main__``). Anything else (a
``lambda``, a nested function) is written as tf.keras 2 writes it, Python bytecode, and loading that
needs an explicit opt-in: ``load_model(path, safe_mode=False)`` (or
``keras.saving.enable_unsafe_deserialization()``); otherwise the load stops with an error saying so.
"""
from __future__ import annotations

import base64
import inspect
import marshal
import sys
import types

from .. import activations, registry
from ..safe_mode import in_safe_mode
from . import tf_op_layer
from .base import KerasTensor, Layer


def _json_simple(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_json_simple(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_simple(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str))


def _function_config(fn, what):
    """``(function, function_type, module)`` for a Lambda config (see the module doc)."""
    if getattr(fn, "_dispatches_symbolic", False):
        return tf_op_layer.api_name(fn), "function", "chainrule"
    name = getattr(fn, "__name__", None)
    if name is not None and registry.get_registered_object(registry.registered_name(fn)) is fn:
        return registry.registered_name(fn), "function", getattr(fn, "__module__", None)
    if name is not None and getattr(activations, name, None) is fn:
        return name, "function", "chainrule.keras.activations"
    if isinstance(fn, types.FunctionType):
        if fn.__name__ != "<lambda>" and fn.__qualname__ == fn.__name__:  # a module-level function: by name
            return fn.__name__, "function", fn.__module__
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        if not _json_simple(list(fn.__defaults__ or ())) or not _json_simple(list(closure or ())):
            raise ValueError(f"Lambda: the {what} {fn.__qualname__!r} uses values that cannot be saved (its defaults "
                             "or the variables it closes over are not JSON). Define it at module level and register "
                             "it (keras.saving.register_keras_serializable()), or pass it in custom_objects when "
                             "loading.")
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        return [code, list(fn.__defaults__) if fn.__defaults__ else None, list(closure) if closure else None], \
            "lambda", fn.__module__
    if callable(fn):
        raise ValueError(f"Lambda: cannot save the {what} {fn!r}: give a Python function (named, registered or a "
                         "chainrule function).")
    return fn, "raw", None


def _function_from_config(value, function_type, module, what, custom_objects=None):
    if function_type == "raw" or value is None:
        return value
    if function_type == "function":
        if not isinstance(value, str):
            raise ValueError(f"Lambda config: the {what} should be a name, got {value!r}.")
        found = registry.get_registered_object(value, custom_objects)
        if found is not None:
            return found
        if module == "chainrule" or (module or "").startswith("tensorflow"):
            return tf_op_layer.resolve(value)
        if module == "chainrule.keras.activations" and callable(getattr(activations, value, None)):
            return getattr(activations, value)
        main = sys.modules.get("__main__")
        candidate = getattr(main, value, None) if module == "__main__" else None
        if isinstance(candidate, types.FunctionType) and candidate.__module__ == "__main__":
            return candidate
        raise ValueError(f"Lambda config: the {what} {value!r} (module {module!r}) is not known here. Pass it in "
                         f"custom_objects={{'{value}': {value}}} or register it with "
                         "keras.saving.register_keras_serializable(); chainrule never imports modules named by a file.")
    if function_type == "lambda":
        if in_safe_mode():
            raise ValueError(
                "Requested the deserialization of a Lambda layer whose function is Python bytecode (a `lambda` or a "
                "nested function). Running code from a file can do anything, so chainrule refuses it by default. "
                "If you trust the source of this file, load it with `safe_mode=False` (load_model(path, "
                "safe_mode=False)), or save a named, registered function instead.")
        if not isinstance(value, (list, tuple)) or not value or not isinstance(value[0], str):
            raise ValueError(f"Lambda config: the {what} bytecode should be [code, defaults, closure], got {value!r}.")
        code = marshal.loads(base64.b64decode(value[0].encode("ascii")))  # opted in: safe_mode=False
        defaults = tuple(value[1]) if len(value) > 1 and value[1] else None
        closure = tuple(types.CellType(c) for c in value[2]) if len(value) > 2 and value[2] else None
        namespace = dict(vars(sys.modules[module])) if module in sys.modules else {}
        namespace.update(custom_objects or {})
        return types.FunctionType(code, namespace, code.co_name, defaults, closure)
    raise ValueError(f"Lambda config: unknown {what} type {function_type!r}; expected 'function', 'lambda' or 'raw'.")


class Lambda(Layer):
    """Wraps a function of tensors as a layer: ``Lambda(lambda x: x ** 2)``.

    Args:
        function: called as ``function(inputs, **arguments)`` (with ``mask=``/``training=`` too when
            it takes them); it must use chainrule functions so gradients flow.
        output_shape: the output shape without the batch axis (a tuple), or a function of the input
            shape; by default found by running the function once.
        mask: a mask to return, or a function ``(inputs, mask) -> mask``.
        arguments: keyword arguments passed to ``function``.

    Saving rules: see the module doc (a ``lambda`` needs ``safe_mode=False`` to be loaded).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda {self.name!r}: function must be callable, got {type(function).__name__}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape
        self._fn_accepts_mask = "mask" in _parameters(function)
        self._fn_accepts_training = "training" in _parameters(function)

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_accepts_mask:
            kwargs["mask"] = mask
        if self._fn_accepts_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        """The ``mask`` given to the constructor (called with ``(inputs, mask)`` when it is a function)."""
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def _infer_output(self, inputs, rest, kwargs):
        """A dry run of the function (Layer's); ``output_shape``, when given, names the shape."""
        spec = Layer._infer_output(self, inputs, rest, kwargs)
        if self._output_shape is None or not isinstance(spec, KerasTensor):
            return spec
        input_shape = tuple(inputs.shape) if hasattr(inputs, "shape") else None
        if callable(self._output_shape):
            shape = tuple(self._output_shape(input_shape))
        else:
            shape = (input_shape[0] if input_shape else None,) + tuple(self._output_shape)
        return KerasTensor(shape, spec.dtype)

    def get_config(self) -> dict:
        function, function_type, module = _function_config(self.function, "function")
        output_shape, shape_type, shape_module = _function_config(self._output_shape, "output_shape") \
            if callable(self._output_shape) else (list(self._output_shape) if self._output_shape is not None else None,
                                                  "raw", None)
        config = super().get_config()
        config.update(function=function, function_type=function_type, module=module, output_shape=output_shape,
                      output_shape_type=shape_type, output_shape_module=shape_module, arguments=self.arguments)
        if self.mask is not None:
            mask, mask_type, mask_module = _function_config(self.mask, "mask") if callable(self.mask) else \
                (self.mask, "raw", None)
            config.update(mask=mask, mask_type=mask_type, mask_module=mask_module)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = _function_from_config(config.pop("function"), config.pop("function_type", "function"),
                                         config.pop("module", None), "function", custom_objects)
        shape_type = config.pop("output_shape_type", "raw")
        output_shape = _function_from_config(config.pop("output_shape", None), shape_type,
                                             config.pop("output_shape_module", None), "output_shape", custom_objects)
        if shape_type == "raw" and isinstance(output_shape, list):
            output_shape = tuple(output_shape)
        mask = _function_from_config(config.pop("mask", None), config.pop("mask_type", "raw"),
                                     config.pop("mask_module", None), "mask", custom_objects)
        return cls(function, output_shape=output_shape, mask=mask, **config)


def _parameters(fn) -> set:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


registry.register("layers", Lambda)
