"""chainrule functions and operators applied to Keras tensors become layers: ``TFOpLambda``, as in tf.keras 2.

In a functional model, ``x + 1``, ``x[:, :2]``, ``chainrule.reduce_sum(x, axis=1)`` or
``chainrule.nn.relu(x)`` on a Keras tensor cannot compute anything yet; each call is recorded as a
``TFOpLambda`` layer named after TensorFlow's canonical name of the function (``tf.math.reduce_sum``,
``tf.__operators__.add``, ``tf.__operators__.getitem``...), which replays the function when the
model runs and is saved by that name (never as code). The public functions of ``chainrule``,
``chainrule.math``, ``chainrule.nn`` and ``chainrule.linalg`` dispatch here (see
``chainrule._dispatch``).
"""
from __future__ import annotations

import inspect

import numpy as np

from ... import _dispatch, _operators, functions, image, linalg, math, nest, nn
from ..._tape_stack import paused_tapes
from ...tensor import Tensor
from .. import registry
from .base import KerasTensor, Layer, unique_name

# Where TensorFlow's canonical name differs from the rule in `api_name` (checked against
# tensorflow 2.21's tf_export names for every chainrule function that dispatches).
_CANONICAL = {
    ("functions", "where"): "where", ("functions", "log_softmax"): "nn.log_softmax",
    ("functions", "softmax"): "nn.softmax", ("functions", "matmul"): "linalg.matmul",
    ("math", "softsign"): "nn.softsign", ("linalg", "einsum"): "einsum", ("linalg", "tensordot"): "tensordot",
    ("linalg", "norm"): "norm", ("nn", "softplus"): "math.softplus", ("nn", "l2_normalize"): "math.l2_normalize",
    ("nn", "in_top_k"): "math.in_top_k", ("nn", "top_k"): "math.top_k", ("nn", "zero_fraction"): "math.zero_fraction",
}
_NAMESPACES = {"math": math, "linalg": linalg, "nn": nn, "image": image, "__operators__": _operators}
_TOP_LEVEL = (functions, linalg, math, nn)  # the modules chainrule's top-level names come from


def api_name(function) -> str:
    """TensorFlow's canonical name of a chainrule function, without ``tf.``: ``'math.reduce_sum'``, ``'concat'``."""
    module = function.__module__.rsplit(".", 1)[-1]
    module = {"_nn_conv": "nn"}.get(module, module)  # tf.nn's convolutions live in their own file
    name = function.__name__
    if (module, name) in _CANONICAL:
        return _CANONICAL[(module, name)]
    if module in ("math", "linalg", "nn", "image"):
        return f"{module}.{name}"
    if module == "_operators":
        return f"__operators__.{name}"
    if getattr(math, name, None) is function:
        return f"math.{name}"
    return name


def resolve(name: str):
    """The chainrule function TensorFlow calls ``tf.<name>`` (``'math.reduce_sum'``); only chainrule's own
    TensorFlow-named functions are found (nothing is imported). Raises ValueError otherwise."""
    if not isinstance(name, str):
        raise ValueError(f"TFOpLambda: 'function' should be a name such as 'math.reduce_sum', got {name!r}.")
    head, _, tail = name.rpartition(".")
    candidates = [_NAMESPACES[head]] if head in _NAMESPACES else [] if head else list(_TOP_LEVEL)
    for module in candidates:
        found = getattr(module, tail, None)
        if getattr(found, "_dispatches_symbolic", False):
            return found
    raise ValueError(f"TFOpLambda: chainrule has no function tf.{name} to replay; the model uses a TensorFlow "
                     "operation chainrule does not provide.")


class TFOpLambda(Layer):
    """A chainrule function applied to Keras tensors, as a layer (made for you; see the module doc).

    Args:
        function: the function, or its TensorFlow name without ``tf.`` (``'math.reduce_sum'``).
        symbol: the TensorFlow name to use when it is not the function's own (``'__operators__.add'``).
        name: default ``'tf.' + <TensorFlow name>``, made unique (``tf.math.multiply_1``).
    The call's arguments (tensors anywhere, constants, keywords) are those given to the function.
    """

    _accepts_constant_inputs = True
    _preserve_input_structure_in_config = True

    def __init__(self, function, name=None, symbol=None, **kwargs):
        if isinstance(function, str):
            symbol, function = function, resolve(function)
        elif not callable(function):
            raise TypeError(f"TFOpLambda: function must be a chainrule function, got {type(function).__name__}.")
        self.function = function
        self.symbol = symbol or api_name(function)
        super().__init__(name=name or unique_name(f"tf.{self.symbol}"), **kwargs)
        self._call_accepts_training = False  # the function's own keywords only
        self._call_accepts_mask = False

    def call(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def _convert_input(self, x):
        return x  # the function converts its arguments itself, with TensorFlow's dtype rules

    def _call_arg_names(self) -> list:
        try:
            params = inspect.signature(self.function).parameters.values()
        except (TypeError, ValueError):
            return []
        return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    def _infer_output(self, inputs, rest, kwargs):
        """Run the function on ones with every unknown size 2, then 3: axes whose size changed are unknown."""
        runs = []
        for size in (2, 3):
            def value(t, size=size):
                if not isinstance(t, KerasTensor):
                    return t
                return Tensor(np.ones(tuple(size if d is None else d for d in t.shape), dtype=t.dtype.dtype))
            args = nest.map_structure(value, [inputs, *rest])
            kw = nest.map_structure(value, kwargs)
            with paused_tapes(), np.errstate(all="ignore"):
                try:
                    runs.append(self.call(*args, **kw))
                except Exception as e:
                    raise type(e)(f"{self.name}: cannot apply tf.{self.symbol} to the Keras tensors given: {e}") \
                        from e

        def spec(a, b):
            if not isinstance(a, Tensor):
                raise TypeError(f"{self.name}: tf.{self.symbol} on Keras tensors returned {type(a).__name__}; "
                                "only functions returning tensors can be part of a functional model.")
            shape = tuple(None if da != db else da for da, db in zip(a.shape, b.shape))
            return KerasTensor(shape, a.dtype)
        return nest.map_structure(spec, runs[0], runs[1])

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self._dtype, "function": self.symbol}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(config.pop("function"), **config)


def _slice_to_config(key):
    """A getitem key as JSON: slices become ``{"start", "stop", "step"}`` (tf.keras 2's slice_spec)."""
    def one(k):
        if isinstance(k, slice):
            return {"start": one(k.start), "stop": one(k.stop), "step": one(k.step)}
        if k is Ellipsis:
            return {"class_name": "__ellipsis__"}
        if isinstance(k, (np.integer, Tensor)):
            return int(k)
        return k
    return [one(k) for k in key] if isinstance(key, tuple) else one(key)


def _slice_from_config(spec):
    def one(k):
        if isinstance(k, dict) and k.get("class_name") == "__ellipsis__":
            return Ellipsis
        if isinstance(k, dict) and set(k) <= {"start", "stop", "step"}:
            return slice(k.get("start"), k.get("stop"), k.get("step"))
        return k
    return tuple(one(k) for k in spec) if isinstance(spec, list) else one(spec)


class SlicingOpLambda(TFOpLambda):
    """``keras_tensor[...]`` as a layer (``tf.__operators__.getitem``); its key is saved as ``slice_spec``."""

    def call(self, tensor, slice_spec=None, **kwargs):
        return self.function(tensor, _slice_from_config(slice_spec) if isinstance(slice_spec, (list, dict))
                             else slice_spec, **kwargs)

    def _call_arg_names(self) -> list:
        return ["tensor", "slice_spec"]


def _handle(function, args, kwargs, api_name=None):
    """The dispatch handler: record ``function(*args, **kwargs)`` on Keras tensors as a layer call."""
    if function is _operators.getitem or api_name == "__operators__.getitem":
        tensor, key = args
        return SlicingOpLambda(_operators.getitem, symbol="__operators__.getitem")(
            tensor, slice_spec=_slice_to_config(key) if not _dispatch.contains_symbolic([key]) else key)
    layer = TFOpLambda(function, symbol=api_name)
    if not args:
        raise TypeError(f"tf.{layer.symbol}: pass the Keras tensor as a positional argument.")
    return layer(*args, **kwargs)


_dispatch.register_symbolic_type(KerasTensor, _handle)
registry.register("layers", TFOpLambda, SlicingOpLambda)
