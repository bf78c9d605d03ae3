"""The Layer contract: ``__init__`` takes config, ``build(input_shape)`` makes weights, ``call`` computes.

A layer is called on Tensors (eager: returns Tensors), on numpy arrays
(converted with the layer's dtype) or on symbolic ``KerasTensor``s from
``Input`` (functional API: returns KerasTensors and records a ``Node`` so a
``Model`` can later replay the graph).

Masks (tf.keras 2): a tensor may carry a boolean ``_keras_mask`` (True = a real
step). A layer whose ``call`` takes ``mask`` receives its inputs' masks; a layer
that ``supports_masking`` sets ``compute_mask(inputs, mask)`` on its outputs (by
default the input mask passes through). Layers that do not support masking drop
the mask. KerasTensors carry the mask's shape the same way, so a functional
graph shows where masks flow before it runs.
"""
from __future__ import annotations

import inspect
import threading
from typing import Any

import numpy as np

from ... import _dispatch, _operators
from ... import backend as _backend
from ... import dtypes as _dtypes
from ... import linalg as _linalg
from ... import math as _math
from ... import nest
from ..._tape_stack import active_tapes
from ...context import name_scope as _name_scope
from ...functions import cast
from ...module import Module, apply_deferred_restoration
from ...tensor import Tensor, Variable, to_array
from ...tensor_shape import TensorShape
from ..._suggest import accepts_argument, did_you_mean_argument, init_arguments
from .. import constraints, initializers, limits, registry, regularizers
from .. import metrics as _metrics
from ..utils.naming import to_snake_case
from .input_spec import assert_input_compatibility

# ----------------------------------------------------------------------------- names

_name_counts: dict = {}


def unique_name(base: str, zero_based: bool = True) -> str:
    """Keras's per-session names: ``dense``, ``dense_1``, ... (``input_1``, ``input_2`` when not zero-based)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    if zero_based:
        return base if count == 0 else f"{base}_{count}"
    return f"{base}_{count + 1}"


def _checked_name(name, cls) -> str:
    """A layer or model name that every file format stores and reads back unchanged.

    Raises ``TypeError`` for a non-string (as tf.keras) and ``ValueError`` for a name that an
    HDF5 file cannot hold as written: starting with '/', with a '.' path component (HDF5 reads
    'x/.' as 'x') or a NUL. Other names, '/' inside ('conv1/7x7_s2') and '..' included,
    round-trip through every format. The empty name is kept, as tf.keras keeps it (TensorFlow's
    tutorials write ``super().__init__(name='')``); only the legacy ``.h5`` format, whose layer
    groups are named after the layers, refuses it when saving.
    """
    if not isinstance(name, str):
        raise TypeError(f"{cls.__name__}: Expected `name` argument to be a string, but got: {name!r} "
                        f"({type(name).__name__}).")
    parts = name.split("/")
    if name and (name.startswith("/") or "." in parts or "\x00" in name):
        fixed = "/".join(p for p in name.replace("\x00", "").split("/") if p not in ("", ".")) or "layer"
        raise ValueError(f"{cls.__name__}: invalid name {name!r}: a layer or model name must not start with '/', "
                         "have a '.' path component (such as 'x/.') or contain a NUL character, so that saved "
                         f"files store it unchanged. Choose another name, e.g. {fixed!r}.")
    return name


def reset_names() -> None:
    """Forget every generated name (``keras.backend.clear_session``)."""
    _name_counts.clear()


# ----------------------------------------------------------------------------- call context

class _CallContext(threading.local):
    def __init__(self):
        self.training = None  # the training flag of the outermost call, inherited by nested layers


_context = _CallContext()


def _unknown_kwargs_message(cls, unknown: list, allowed) -> str:
    """The TypeError text for misspelled constructor keywords, with the closest valid name."""
    valid = init_arguments(cls) + sorted(set(allowed) - set(init_arguments(cls)))
    hint = did_you_mean_argument(valid, unknown)
    return (f"{cls.__name__}: unexpected keyword argument(s) {unknown}.{hint} Check the spelling; "
            f"{cls.__name__} accepts: {', '.join(valid)}.")


# ----------------------------------------------------------------------------- symbolic tensors

class KerasTensor:
    """A symbolic tensor of the functional API: a shape (``None`` for the batch axis) and a dtype.

    ``_keras_history`` is ``(layer, node_index, tensor_index)``: which call of
    which layer produced it.
    """

    def __init__(self, shape, dtype="float32", layer=None, node_index=0, tensor_index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = _dtypes.as_dtype(dtype)
        self._keras_history = (layer, node_index, tensor_index)
        self.name = name
        self._keras_mask = None  # a boolean KerasTensor when the values carry a mask

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def node(self):
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self) -> str:
        layer = self._keras_history[0]
        by = f" (created by layer '{layer.name}')" if layer is not None else ""
        return f"<KerasTensor: shape={self.shape} dtype={self.dtype.name}{by}>"

    def __hash__(self):
        return id(self)

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no length. Use .shape[0] instead.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"{self!r} is symbolic (a functional-API input or layer output): it has no value to "
                        "convert to a numpy array. Call layers or chainrule functions on it to build a model, "
                        "then call the model on data. (For `tensor + keras_tensor`, write `keras_tensor + tensor` "
                        "or chainrule.add(tensor, keras_tensor).)")

    # numpy defers `array OP keras_tensor` to the operators below instead of converting this tensor.
    __array_ufunc__ = None

    # -- operators: each records a layer of the functional graph under tf.keras 2's name (TFOpLambda)
    def __add__(self, other):
        return _dispatch.symbolic_call(_operators.add, (self, other), api_name="__operators__.add")

    def __radd__(self, other):
        return _dispatch.symbolic_call(_operators.add, (other, self), api_name="__operators__.add")

    def __sub__(self, other):
        return _dispatch.symbolic_call(_math.subtract, (self, other), api_name="math.subtract")

    def __rsub__(self, other):
        return _dispatch.symbolic_call(_math.subtract, (other, self), api_name="math.subtract")

    def __mul__(self, other):
        return _dispatch.symbolic_call(_math.multiply, (self, other), api_name="math.multiply")

    def __rmul__(self, other):
        return _dispatch.symbolic_call(_math.multiply, (other, self), api_name="math.multiply")

    def __truediv__(self, other):
        return _dispatch.symbolic_call(_math.truediv, (self, other), api_name="math.truediv")

    def __rtruediv__(self, other):
        return _dispatch.symbolic_call(_math.truediv, (other, self), api_name="math.truediv")

    def __floordiv__(self, other):
        return _dispatch.symbolic_call(_math.floordiv, (self, other), api_name="math.floordiv")

    def __rfloordiv__(self, other):
        return _dispatch.symbolic_call(_math.floordiv, (other, self), api_name="math.floordiv")

    def __mod__(self, other):
        return _dispatch.symbolic_call(_math.floormod, (self, other), api_name="math.floormod")

    def __rmod__(self, other):
        return _dispatch.symbolic_call(_math.floormod, (other, self), api_name="math.floormod")

    def __pow__(self, other):
        return _dispatch.symbolic_call(_math.pow, (self, other), api_name="math.pow")

    def __rpow__(self, other):
        return _dispatch.symbolic_call(_math.pow, (other, self), api_name="math.pow")

    def __matmul__(self, other):
        return _dispatch.symbolic_call(_linalg.matmul, (self, other), api_name="linalg.matmul")

    def __rmatmul__(self, other):
        return _dispatch.symbolic_call(_linalg.matmul, (other, self), api_name="linalg.matmul")

    def __neg__(self):
        return _dispatch.symbolic_call(_math.negative, (self,), api_name="math.negative")

    def __abs__(self):
        return _dispatch.symbolic_call(_math.abs, (self,), api_name="math.abs")

    def __lt__(self, other):
        return _dispatch.symbolic_call(_math.less, (self, other), api_name="math.less")

    def __le__(self, other):
        return _dispatch.symbolic_call(_math.less_equal, (self, other), api_name="math.less_equal")

    def __gt__(self, other):
        return _dispatch.symbolic_call(_math.greater, (self, other), api_name="math.greater")

    def __ge__(self, other):
        return _dispatch.symbolic_call(_math.greater_equal, (self, other), api_name="math.greater_equal")

    def __getitem__(self, key):
        return _dispatch.symbolic_call(_operators.getitem, (self, key), api_name="__operators__.getitem")


def symbolic_tensors(structure) -> list:
    """The KerasTensors among ``structure``'s leaves (lists, tuples and dicts walked), in order."""
    return [x for x in nest.flatten(structure) if isinstance(x, KerasTensor)]


class Node:
    """One call of a layer in a functional graph: the symbolic inputs and outputs of that call.

    ``call_args`` is the first argument (a tensor, list or dict), ``call_rest`` the further
    positional arguments and ``call_kwargs`` the keyword arguments; KerasTensors may appear
    in all three (``mha(query, value, attention_mask=m)``). ``input_tensors`` lists every
    KerasTensor the call reads: the first argument's, then the others'.
    """

    def __init__(self, layer, call_args, inputs, outputs, call_kwargs, call_rest=()):
        self.layer = layer
        self.call_args = call_args  # the structure passed to the layer (tensor, list or dict)
        self.call_rest = tuple(call_rest)  # the positional arguments after the first
        self.input_tensors = inputs  # flat list of KerasTensors
        self.output_tensors = outputs  # flat list of KerasTensors
        self.call_kwargs = call_kwargs
        self.parent_nodes = [t.node for t in inputs]

    @property
    def first_arg_tensors(self) -> list:
        """The KerasTensors of the first argument (what a tf.keras 2 config lists as the node's inputs)."""
        return [t for t in nest.flatten(self.call_args) if isinstance(t, KerasTensor)]

    def replay(self, value_of, training):
        """Call the layer again with each KerasTensor replaced by ``value_of(tensor)``."""
        def swap(t):
            return value_of(t) if isinstance(t, KerasTensor) else t
        args = nest.map_structure(swap, self.call_args)
        rest = [nest.map_structure(swap, a) for a in self.call_rest]
        kwargs = {k: nest.map_structure(swap, v) for k, v in self.call_kwargs.items()}
        return self.layer(args, *rest, training=training, **kwargs)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    def iterate_inbound(self):
        """Yield ``(layer, node_index, tensor_index)`` for every input of this call."""
        for t in self.input_tensors:
            yield t._keras_history


def _shape_of(x):
    if isinstance(x, (Tensor, KerasTensor)):
        return tuple(x.shape)
    return tuple(np.shape(x))


def _first_parameter(fn):
    """The name of the first parameter of a (bound) ``call``, or None."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    return params[0].name if params and params[0].kind in (params[0].POSITIONAL_ONLY,
                                                          params[0].POSITIONAL_OR_KEYWORD) else None


_POSITIONAL_FLAGS: dict = {}


def _positional_flags(fn, count):
    """The parameter names where the ``count`` positional arguments after the inputs land in a (bound)
    ``call``'s signature, when one of them is ``training`` or ``mask``; None otherwise (the usual case)."""
    key = (getattr(fn, "__func__", fn), count)
    if key not in _POSITIONAL_FLAGS:
        try:
            params = list(inspect.signature(fn).parameters.values())[1:1 + count]
        except (TypeError, ValueError):
            params = []
        names = [p.name if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None for p in params]
        ok = len(names) == count and None not in names and any(n in ("training", "mask") for n in names)
        _POSITIONAL_FLAGS[key] = names if ok else None
    return _POSITIONAL_FLAGS[key]


def _for_user_code(method, shapes):
    """``shapes`` as tf.keras hands them to ``build``/``compute_output_shape``: TensorShapes (``.as_list()``,
    ``.rank``), for a method written outside chainrule; chainrule's own layers keep plain tuples."""
    if getattr(method, "__module__", "").startswith("chainrule."):
        return shapes
    if isinstance(shapes, list):
        return [TensorShape(s) if isinstance(s, tuple) else s for s in shapes]
    return TensorShape(shapes) if isinstance(shapes, tuple) else shapes


def _input_masks(inputs):
    """The ``_keras_mask`` of each input tensor, in the inputs' nesting; None when no input has one."""
    if isinstance(inputs, (Tensor, KerasTensor)):
        return getattr(inputs, "_keras_mask", None)
    flat = nest.flatten(inputs)
    masks = [getattr(t, "_keras_mask", None) for t in flat]
    if all(m is None for m in masks):
        return None
    return nest.pack_sequence_as(inputs, masks)


def _as_mask(m):
    """A mask given by the user (a list, a numpy array) as a Tensor; Tensors and None as they are."""
    return m if m is None or isinstance(m, (Tensor, KerasTensor)) else Tensor(to_array(m))


def _dummy(t, size=2):
    """A stand-in for a KerasTensor in a dry run: zeros (True for booleans, so masks keep every step and
    masked averages divide by a non-zero count; empty strings), unknown dimensions ``size``, its mask attached."""
    shape = tuple(size if d is None else d for d in t.shape)
    if t.dtype.name == "string":
        value = Tensor(np.full(shape, b""))
    elif t.dtype.name == "bool":
        value = Tensor(np.ones(shape, dtype=bool))
    else:
        value = Tensor(np.zeros(shape, dtype=t.dtype.dtype))
    if t._keras_mask is not None:
        value._keras_mask = _dummy(t._keras_mask, size)
    return value


def _mask_spec(mask, output, dummy_shape=None):
    """A boolean KerasTensor for a mask computed on zeros: an axis the output leaves unknown (None) is
    unknown in the mask too when the mask matched the output's stand-in size there."""
    if dummy_shape is None:
        dummy_shape = tuple(2 if d is None else d for d in output.shape)
    shape = tuple(None if i < len(output.shape) and output.shape[i] is None and d == dummy_shape[i] else d
                  for i, d in enumerate(mask.shape))
    return KerasTensor(shape, "bool")


# ----------------------------------------------------------------------------- Layer

class _LayerNameScope(_name_scope):
    """``layer.name_scope``: a context manager for the scope ``'<layer name>/'`` that, called, returns that
    scope (tf.keras 2's ``layer.name_scope()`` is a method returning it)."""

    def __call__(self) -> str:
        return self.name


class Layer(Module):
    """Base class of every layer: owns weights (``add_weight`` in ``build``) and computes in ``call``.

    A Layer is a :class:`chainrule.Module` (``tf.Module``): ``variables``/``trainable_variables``
    are its weights (in tf.keras 2's order), ``submodules`` the layers and Modules it holds,
    ``name_scope`` its scope. ``tf.Variable`` attributes (also in lists and dicts) become weights,
    as those of ``add_weight``, in the order they are assigned; so do the Variables a plain
    ``Module`` attribute holds when it is assigned.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name; default: the snake-case class name made unique (``dense``, ``dense_1``).
        dtype: the dtype of the weights and of float inputs (default ``floatx()``, float32).
        dynamic: accepted for tf.keras compatibility (every layer runs eagerly or replayed alike).
        **kwargs: ``input_shape``, ``input_dim``, ``batch_input_shape`` or ``batch_size`` give the first
            layer of a ``Sequential`` its input shape (without the batch axis for ``input_shape``).
    """

    _NAME_ZERO_BASED = True
    _tracked_layers: list[Layer]  # sub-layers held as attributes, in the order set (made in __init__)

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        allowed = {"input_shape", "input_dim", "batch_input_shape", "batch_size", "weights",
                   "activity_regularizer", "autocast", "implementation"}
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(_unknown_kwargs_message(type(self), sorted(unknown), allowed))
        object.__setattr__(self, "_tracked_layers", [])
        self._own_trainable = []
        self._own_non_trainable = []
        self._trainable = bool(trainable)
        self._name = _checked_name(name, type(self)) if name is not None else unique_name(
            to_snake_case(type(self).__name__), self._NAME_ZERO_BASED)
        self._dtype = _dtypes.as_dtype(dtype).name if dtype is not None else _backend.floatx()
        self._np_dtype = _dtypes.as_dtype(self._dtype).dtype  # np.object_ for 'string' layers
        self.built = False
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._activity_losses = []
        self._added_losses = []
        self._build_input_shape = None
        self._initial_weights = kwargs.get("weights")
        batch_input_shape = kwargs.get("batch_input_shape")
        if batch_input_shape is None:
            if "input_shape" in kwargs and kwargs["input_shape"] is not None:
                shape = kwargs["input_shape"]
                shape = (shape,) if isinstance(shape, int) else tuple(shape)
                batch_input_shape = (kwargs.get("batch_size"),) + shape
            elif kwargs.get("input_dim") is not None:
                batch_input_shape = (kwargs.get("batch_size"), int(kwargs["input_dim"]))
        self._batch_input_shape = tuple(batch_input_shape) if batch_input_shape is not None else None
        act_reg = kwargs.get("activity_regularizer")
        if act_reg is not None:
            act_reg = regularizers.get(act_reg)
        self.activity_regularizer = act_reg
        self._call_accepts_training = accepts_argument(self.call, "training")
        self._call_accepts_mask = accepts_argument(self.call, "mask")
        # As tf.keras 2: a layer that defines compute_mask supports masking; others set supports_masking.
        self._supports_masking = type(self).compute_mask is not Layer.compute_mask

    # -- names (a Layer's name may be any string, unlike a Module's)
    @property
    def name(self) -> str:
        """The layer's name (read-only, as in tf.keras 2)."""
        return self._name

    @property
    def name_scope(self) -> _LayerNameScope:
        """``with layer.name_scope:`` names Variables ``'<layer>/...'``; ``layer.name_scope()`` gives ``'<layer>/'``."""
        return _LayerNameScope(self._name + "/")

    # -- attribute tracking: sub-layers, Variables, Modules and Metrics assigned as attributes
    # (or in lists/dicts) are owned, as tf.keras 2's Layer.__setattr__ does.
    def __setattr__(self, key, value):
        tracked = self.__dict__.get("_tracked_layers")
        if tracked is not None and key != "_tracked_layers":
            # Keras 3 tracks the layers of a dict attribute in insertion order (the order its files use).
            leaves = nest.flatten(value, sort_dicts=False)
            has_variables = False
            for v in leaves:
                if isinstance(v, Layer):
                    if v is not self and all(v is not t for t in tracked):
                        tracked.append(v)
                elif isinstance(v, Variable):
                    has_variables = True
                elif isinstance(v, _metrics.Metric):  # the layer's metrics, as in tf.keras
                    own = self.__dict__.setdefault("_metrics", [])
                    if all(v is not m for m in own):
                        own.append(v)
                elif isinstance(v, Module):  # a tf.Module: its Variables are the layer's own weights
                    for var in v.variables:
                        self._track_variable(var)
            if has_variables:  # in tf.nest order (dict keys sorted), as tf.keras 2
                for v in nest.flatten(value):
                    if isinstance(v, Variable):
                        self._track_variable(v)
        object.__setattr__(self, key, value)
        if "_deferred_restorations" in self.__dict__:  # a checkpoint restored before this weight existed
            apply_deferred_restoration(self, key, value)

    def _track_variable(self, var, regularizer=None) -> None:
        """Make ``var`` one of this layer's own weights (trainable or not as the Variable says), once."""
        own = self._own_trainable if var.trainable else self._own_non_trainable
        if all(info.var is not var for info in own):
            own.append(_WeightInfo(var, regularizer))

    # -- dtype
    @property
    def dtype(self) -> str:
        """The layer's variable dtype name ('float32')."""
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    # -- weights
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, **kwargs):
        """Create a Variable owned by this layer and return it.

        ``initializer`` (name, instance or callable ``(shape, dtype)``; default
        glorot_uniform for floats, zeros otherwise) gives the initial value;
        ``regularizer`` adds its penalty to ``losses``; ``constraint`` (name, instance or
        callable) becomes the Variable's ``constraint``, applied by the optimizer after each update.
        """
        shape = tuple(int(s) for s in (shape or ()))
        limits.charge_weight(shape, self.name, name or "weight")  # a file's config may not allocate unbounded
        dtype = _dtypes.as_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype)
        value = to_array(value, dtype)
        var = Variable(value, trainable=trainable, name=f"{self._weight_scope()}/{name or 'weight'}", dtype=dtype,
                       constraint=constraints.get(constraint))
        self._track_variable(var, regularizers.get(regularizer))
        return var

    def _weight_scope(self) -> str:
        """The prefix of this layer's weight names: its name, or the scope a containing layer set in
        ``_scope`` before building it (tf.keras 2's name scopes: ``lstm/lstm_cell/kernel:0``)."""
        return self.__dict__.get("_scope") or self.name

    #: False for a Sequential: tf.keras 2 builds its layers in a graph of their own, outside any name scope
    _scopes_sublayers = True

    def _scope_sublayers(self) -> None:
        """Name the weights of the sub-layers this layer's first call will build ``'<this layer>/<sub-layer>/...'``.

        tf.keras 2 calls and builds a layer inside the name scope of the layers whose ``call`` calls it
        (``transformer_block/multi_head_attention/query/kernel:0``, ``my_model/dense/kernel:0``); a sub-layer
        already built, or whose scope its container set itself (a recurrent cell), keeps its names."""
        if not self._scopes_sublayers:
            return
        for sub in self._tracked_layers:
            if not sub.built and "_scope" not in sub.__dict__:
                sub.__dict__["_scope"] = f"{self._weight_scope()}/{sub.name}"

    def add_variable(self, *args, **kwargs):
        """tf.keras 2's deprecated alias of :meth:`add_weight`."""
        return self.add_weight(*args, **kwargs)

    def _preorder(self) -> list:
        """This layer then its tracked sub-layers, depth first (a sub-layer held twice comes twice). No recursion."""
        out, stack = [], [self]
        while stack:
            layer = stack.pop()
            out.append(layer)
            stack.extend(reversed(layer._tracked_layers))
        return out

    def _all_layers(self):
        """This layer's tracked sub-layers, depth first, each once."""
        out, seen = [], set()
        stack = [iter(self._tracked_layers)]
        while stack:
            sub = next(stack[-1], None)
            if sub is None:
                stack.pop()
            elif id(sub) not in seen:
                seen.add(id(sub))
                out.append(sub)
                stack.append(iter(sub._tracked_layers))
        return out

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool):
        for layer in self._preorder():
            layer._trainable = bool(value)

    def _weight_infos(self, trainable: bool):
        return [info for layer in self._preorder()
                for info in (layer._own_trainable if trainable else layer._own_non_trainable)]

    def _collect_weights(self, want_trainable: bool) -> list:
        """``trainable_weights`` (or ``non_trainable_weights``): a frozen layer's weights all count as
        non-trainable, its sub-layers' included. Tasks on a stack keep the order of the definition:
        own weights first, then each sub-layer's (for a frozen layer: its trainable then its other ones)."""
        layers = self._preorder()
        if all(layer._trainable for layer in layers):  # the common case: the definition is a plain preorder
            return _dedup([w.var for layer in layers
                           for w in (layer._own_trainable if want_trainable else layer._own_non_trainable)])
        out: list
        stack: list[tuple[bool, Any]]
        out, stack = [], [(want_trainable, self)]
        while stack:
            trainable, node = stack.pop()
            if isinstance(node, list):
                out.extend(node)
                continue
            if trainable:
                if not node._trainable:
                    continue
                tasks = [(True, [w.var for w in node._own_trainable])] + [(True, s) for s in node._tracked_layers]
            elif node._trainable:
                tasks = [(False, [w.var for w in node._own_non_trainable])] + \
                    [(False, s) for s in node._tracked_layers]
            else:
                tasks = [(False, [w.var for w in node._own_trainable + node._own_non_trainable])] + \
                    [task for s in node._tracked_layers for task in ((True, s), (False, s))]
            stack.extend(reversed(tasks))
        return _dedup(out)

    @property
    def trainable_weights(self) -> list:
        """The weights updated by training (empty when ``trainable`` is False)."""
        return self._collect_weights(True)

    @property
    def non_trainable_weights(self) -> list:
        """Weights not updated by gradients (moving statistics; every weight when frozen)."""
        return self._collect_weights(False)

    @property
    def weights(self) -> list:
        """Every weight, trainable first then non-trainable (tf.keras 2's order)."""
        return self.trainable_weights + self.non_trainable_weights

    # Lists, as tf.keras gives them (tf.Module's own properties give tuples).
    trainable_variables = trainable_weights  # type: ignore[assignment]
    non_trainable_variables = non_trainable_weights  # type: ignore[assignment]
    variables = weights  # type: ignore[assignment]

    def get_weights(self) -> list:
        """Copies of the weights as numpy arrays, in ``weights`` order."""
        return [w.numpy().copy() if w.ndim else np.array(w.numpy()) for w in self.weights]

    def set_weights(self, weights) -> None:
        """Set every weight from a list of arrays in ``weights`` order (count and shapes must match)."""
        params = self.weights
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}): set_weights expected a list of {len(params)} "
                f"arrays (shapes {[tuple(p.shape) for p in params]}), but got {len(weights)} arrays. "
                "Pass the list returned by get_weights() of an identical layer.")
        for i, (p, w) in enumerate(zip(params, weights)):
            w = np.asarray(w)
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}): weight #{i} {p.name!r} has shape "
                    f"{tuple(p.shape)}, but the array given has shape {tuple(w.shape)}.")
        for p, w in zip(params, weights):
            p.assign(np.asarray(w))

    def count_params(self) -> int:
        """The number of scalars in all weights; the layer must be built."""
        if not self.built and not self.weights:
            raise ValueError(f"You tried to call `count_params` on layer {self.name!r}, but the layer isn't "
                             "built. You can build it manually via: `layer.build(batch_input_shape)`.")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # -- losses
    @property
    def losses(self) -> list:
        """Regularization penalties (weights' regularizers, computed now) and losses added in the last call."""
        out = []
        for layer in self._preorder():
            for info in layer._own_trainable + layer._own_non_trainable:
                if info.regularizer is not None:
                    out.append(info.regularizer(info.var))
            out += layer._activity_losses + layer._added_losses
        return out

    def add_loss(self, loss) -> None:
        """Add a loss tensor (e.g. an activity penalty) computed in ``call``; it is reset each call."""
        self._added_losses.append(loss if isinstance(loss, Tensor) else Tensor(to_array(loss, self._dtype)))

    @property
    def metrics(self) -> list:
        """Metric objects held as attributes and those made by :meth:`add_metric`, of this layer and its layers."""
        return [m for layer in [self] + self._all_layers() for m in layer.__dict__.get("_metrics", ())]

    def add_metric(self, value, name=None, aggregation=None, **kwargs) -> None:
        """Track a metric computed in ``call``, as tf.keras 2.

        ``value`` returned by calling a Metric object this layer holds (``self.acc(y, p)``)
        is that metric, already updated. Any other value (a Tensor or number) is averaged
        over the epoch by a ``Mean`` metric named ``name`` (required), created on first use.
        The metrics appear in ``model.metrics`` and in the logs of ``fit``/``evaluate``.
        """
        own = self.__dict__.setdefault("_metrics", [])
        if any(getattr(m, "_last_result", None) is value for m in own):
            return
        if name is None:
            raise ValueError(f"Layer {self.name!r}: please provide a name for your metric, like "
                             "`self.add_metric(tf.reduce_sum(inputs), name='mean_activation')`.")
        if aggregation not in (None, "mean"):
            raise ValueError(f"Layer {self.name!r}: add_metric supports aggregation='mean' (or None), got "
                             f"{aggregation!r}.")
        metric = next((m for m in own if m.name == name), None)
        if metric is None:
            metric = _metrics.Mean(name=name)
            own.append(metric)
        metric.update_state(value)

    # -- building and calling
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included, may be None)."""
        self.built = True

    def _maybe_build(self, input_shapes):
        if not self.built:
            shapes = input_shapes[0] if len(input_shapes) == 1 else input_shapes
            self._build_input_shape = shapes
            self._scope_sublayers()
            self.build(_for_user_code(type(self).build, shapes))
            self.built = True
            self._scope_sublayers()  # those made in build
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None

    def call(self, inputs, *args, **kwargs):
        """The computation: override it. Takes Tensors, returns Tensors."""
        return inputs

    # -- the fused output head (see keras.trainers.compile_utils.OutputHead)
    _keep_logits = False
    _kept_logits = None

    def _keep(self, logits, output):
        """Return ``output``; when compile fused this layer's final activation with the loss, also keep
        ``(logits, output)`` so the loss is computed from the logits (as tf.keras 2 does)."""
        if self._keep_logits:
            self.__dict__["_kept_logits"] = (logits, output)
        return output

    def _activate(self, values):
        """``self.activation(values)``, keeping the values for a fused loss (see :meth:`_keep`)."""
        return self._keep(values, self.activation(values))

    def _convert_input(self, x):
        if isinstance(x, Tensor):
            v = x._value
            kind = v.dtype.kind
            if kind == "f":
                if v.dtype != np.dtype(self._dtype):
                    return cast(x, self._dtype)
            elif kind in "SOU" and self._dtype != "string":
                raise self._string_input_error(v.shape)
            return x
        if x is None:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) was called on None; pass a tensor or "
                             "array, e.g. layer(x).")
        arr = to_array(x)
        kind = arr.dtype.kind
        if kind == "f":
            if arr.dtype != np.dtype(self._dtype):
                arr = arr.astype(self._dtype)
        elif kind in "SOU" and self._dtype != "string":
            raise self._string_input_error(arr.shape)
        return Tensor(arr)

    def _string_input_error(self, shape) -> ValueError:
        return ValueError(f"{type(self).__name__} {self.name!r}: cannot compute on a string input of shape "
                          f"{tuple(shape)}; convert it to numbers first (e.g. np.asarray(x, dtype='float32'), "
                          "or map the strings to integer ids).")

    def __call__(self, *args, **kwargs):
        if not args:
            first = _first_parameter(self.call)
            if first is None or first not in kwargs:  # layer(query=q, value=v) names its first argument
                raise ValueError(f"Layer {self.name!r}: call it on inputs, e.g. layer(x).")
            args = (kwargs.pop(first),)
        inputs, rest = args[0], args[1:]
        if rest:
            names = _positional_flags(self.call, len(rest))
            if names is not None:  # model(x, True): a positional training (or mask) argument, as tf.keras reads it
                for name, value in zip(names, rest):
                    if name in kwargs:
                        raise TypeError(f"{type(self).__name__}.call() got multiple values for argument {name!r}.")
                    kwargs[name] = value
                rest = ()
        if (rest or len(kwargs) > ("training" in kwargs)) and _dispatch.contains_symbolic(rest, kwargs):
            # Keras tensors beside the first argument: layer(targets, logits), layer(query, value)
            return self._symbolic_call(inputs, rest, kwargs)
        if isinstance(inputs, Tensor) and inputs._value.dtype == self._np_dtype:
            # The common case: one tensor already of the layer's dtype.
            if self.input_spec is not None:
                self._check_input_spec(inputs)
            if not self.built:
                self._maybe_build([inputs._value.shape])
        else:
            flat = nest.flatten(inputs)
            if any(isinstance(x, KerasTensor) for x in flat):
                return self._symbolic_call(inputs, rest, kwargs)
            inputs = nest.map_structure(self._convert_input, inputs)
            self._check_input_spec(inputs)
            self._maybe_build([_shape_of(x) for x in nest.flatten(inputs)])
        training = kwargs.pop("training", None) if kwargs else None
        context = _context
        outer = context.training
        if training is None:
            training = outer
        if self._call_accepts_training:
            kwargs["training"] = training
        input_masks = None
        if "mask" in kwargs:  # an explicit mask wins over the inputs' own
            if not self._call_accepts_mask and kwargs["mask"] is not None:  # as tf.keras 2: never silently ignored
                raise TypeError(f"{type(self).__name__} {self.name!r} does not support masking: its call() takes "
                                "no `mask` argument. Drop mask=..., or apply the mask to the data first.")
            mask = kwargs["mask"] if self._call_accepts_mask else kwargs.pop("mask")
            input_masks = None if mask is None else nest.map_structure(_as_mask, mask)
            if self._call_accepts_mask:
                kwargs["mask"] = input_masks
        elif self._supports_masking or self._call_accepts_mask:
            input_masks = inputs._keras_mask if type(inputs) is Tensor else _input_masks(inputs)
            if input_masks is not None and self._call_accepts_mask:
                kwargs["mask"] = input_masks
        if self._activity_losses or self._added_losses:  # losses of the previous call
            self.__dict__["_activity_losses"], self.__dict__["_added_losses"] = [], []
        context.training = training
        try:
            outputs = self.call(inputs, *rest, **kwargs) if rest or kwargs else self.call(inputs)
        finally:
            context.training = outer
        if self._supports_masking and (input_masks is not None or (
                type(self).compute_mask is not Layer.compute_mask and not self._compute_output_and_mask_jointly)):
            self._set_output_masks(inputs, outputs, input_masks)
        if self.activity_regularizer is not None:
            for out in nest.flatten(outputs):
                if isinstance(out, Tensor):
                    n = out.shape[0] if out.ndim else 1
                    self._activity_losses.append(self.activity_regularizer(out) / cast(n, out.dtype))
        return outputs

    #: What the inputs must be (a ``keras.layers.InputSpec``, or a list with one per input); None: anything.
    input_spec = None
    #: True for a layer whose ``call`` sets its outputs' masks itself (``compute_mask`` is not asked after it).
    _compute_output_and_mask_jointly = False

    def _check_input_spec(self, inputs):
        """``assert_input_compatibility`` for ``self.input_spec``, except on a symbolic call's stand-ins."""
        if self.input_spec is not None and not self.__dict__.get("_dry_running"):
            assert_input_compatibility(self.input_spec, inputs, self.name)

    def _set_output_masks(self, inputs, outputs, input_masks):
        """Put ``compute_mask(inputs, input_masks)`` on the output tensors (unless ``call`` already did)."""
        if self._compute_output_and_mask_jointly:
            return
        flat = nest.flatten(outputs)
        if all(getattr(t, "_keras_mask", None) is not None for t in flat):
            return
        masks = self.compute_mask(inputs, input_masks)
        if masks is None:
            return
        for t, m in zip(flat, nest.flatten(masks)):
            if isinstance(t, Tensor) and m is not None:
                t._keras_mask = m

    def _symbolic_call(self, inputs, rest, kwargs):
        """Record a call on KerasTensors: every KerasTensor among the arguments (positional, keyword,
        inside lists and dicts) is an input of the new graph node."""
        flat = nest.flatten(inputs)
        if any(isinstance(x, KerasTensor) for x in flat) and not self._accepts_constant_inputs:
            for x in flat:
                if not isinstance(x, KerasTensor):
                    raise ValueError(f"Layer {self.name!r}: mixing symbolic inputs (from Input) with concrete "
                                     f"values ({type(x).__name__}) in one call is not supported.")
        kwargs = dict(kwargs)
        kwargs.pop("training", None)
        if kwargs.get("mask", 0) is None:
            kwargs.pop("mask")
        first = [x for x in flat if isinstance(x, KerasTensor)]
        all_inputs = first + symbolic_tensors(list(rest)) + symbolic_tensors(kwargs)
        if first:
            self._check_input_spec(inputs)
        shapes = [x.shape for x in (first or all_inputs)]
        try:
            self._maybe_build(shapes)
        except (ValueError, TypeError) as e:
            raise type(e)(f"{e}") from e
        specs = self._infer_output(inputs, rest, kwargs)
        node_index = len(self._inbound_nodes)
        outputs_flat = [KerasTensor(spec.shape, spec.dtype, layer=self, node_index=node_index, tensor_index=i)
                        for i, spec in enumerate(nest.flatten(specs))]
        for t, spec in zip(outputs_flat, nest.flatten(specs)):
            t._keras_mask = spec._keras_mask
        outputs = nest.pack_sequence_as(specs, outputs_flat)
        node = Node(self, inputs, all_inputs, outputs_flat, kwargs, call_rest=rest)
        self._inbound_nodes.append(node)
        for x in all_inputs:
            x._keras_history[0]._outbound_nodes.append(node)
        return outputs

    # A layer whose first argument may hold constants beside KerasTensors (TFOpLambda: ``1 - x``).
    _accepts_constant_inputs = False

    def _infer_output(self, inputs, rest, kwargs):
        """The outputs' shapes, dtypes and masks for symbolic inputs, as unconnected KerasTensors in the
        output nesting.

        From ``compute_output_shape`` when the layer defines it (and every tensor is in the first
        argument), otherwise from a dry run on zeros; masks from ``compute_mask`` on zeros (or from
        the dry run).
        """
        flat = nest.flatten(inputs)
        masks_needed = self._supports_masking and (
            _input_masks(inputs) is not None or "mask" in kwargs
            or type(self).compute_mask is not Layer.compute_mask)
        # compute_output_shape describes the plain call (a mask changes no shape): options such as
        # return_attention_scores=True, or tensors besides the first argument, need a run.
        plain = not symbolic_tensors([list(rest), {k: v for k, v in kwargs.items() if k != "mask"}]) and \
            not (set(kwargs) - {"mask"})
        if type(self).compute_output_shape is not Layer.compute_output_shape and plain:
            in_shapes = nest.map_structure(lambda t: t.shape, inputs)
            out_shape = self.compute_output_shape(_for_user_code(type(self).compute_output_shape, in_shapes))
            dtype = _dtypes.as_dtype(self._output_dtype(flat))
            if isinstance(out_shape, list) and out_shape and isinstance(out_shape[0], (tuple, list)):
                specs = [KerasTensor(s, dtype) for s in out_shape]
            else:
                specs = KerasTensor(out_shape, dtype)
            if masks_needed:
                dummy = nest.map_structure(_dummy, inputs)
                explicit = kwargs.get("mask")
                masks = self.compute_mask(dummy, nest.map_structure(lambda m: None if m is None else _dummy(m),
                                                                    explicit) if explicit is not None
                                          else _input_masks(dummy))
                if masks is not None:
                    for t, m in zip(nest.flatten(specs), nest.flatten(masks)):
                        t._keras_mask = _mask_spec(m, t) if m is not None else None
            return specs
        return self._infer_output_by_running(inputs, rest, kwargs)

    def _infer_output_by_running(self, inputs, rest, kwargs):
        """``_infer_output`` from dry runs of ``call`` (not ``compute_output_shape``): the outputs' true nesting."""
        flat = nest.flatten(inputs)
        # Dry run on a batch of 2 (None dimensions become 2), then put None back on the batch axis; with other
        # unknown dimensions (variable-length steps) a second run where they are 3 tells which output axes follow.
        out = self._dry_run(inputs, rest, kwargs, 2)
        other = None
        if any(None in t.shape[1:] for t in symbolic_tensors([inputs, list(rest), kwargs])):
            try:
                other = nest.flatten(self._dry_run(inputs, rest, kwargs, 3))
            except (ValueError, TypeError, IndexError):  # a computation that only fits the first stand-in
                other = None
        batch_unknown = bool(flat) and isinstance(flat[0], KerasTensor) and flat[0].shape and flat[0].shape[0] is None
        flat_out = nest.flatten(out)

        def spec(t):
            shape = tuple(t.shape)
            if batch_unknown and shape:
                shape = (None,) + shape[1:]
            twin = other[[id(o) for o in flat_out].index(id(t))] if other is not None else None
            if twin is not None and len(twin.shape) == len(shape):
                shape = tuple(None if a != b else d for d, a, b in zip(shape, t.shape, twin.shape))
            out_spec = KerasTensor(shape, t.dtype)
            mask = getattr(t, "_keras_mask", None)
            if mask is not None:
                out_spec._keras_mask = _mask_spec(mask, out_spec, tuple(t.shape))
            return out_spec
        return nest.map_structure(spec, out)

    def _dry_run(self, inputs, rest, kwargs, size):
        """The layer called on stand-ins for the KerasTensors (unknown dimensions ``size``), outside any tape,
        its losses left as they were."""
        dummy, dummy_rest, dummy_kwargs = (nest.map_structure(
            lambda t: _dummy(t, size) if isinstance(t, KerasTensor) else t, s) for s in (inputs, list(rest), kwargs))
        saved = self._activity_losses, self._added_losses
        tapes = list(active_tapes())
        active_tapes().clear()
        self.__dict__["_dry_running"] = True  # the stand-ins' sizes are not the inputs': input_spec was checked
        try:
            return Layer.__call__(self, dummy, *dummy_rest, training=False, **dummy_kwargs)
        finally:
            self.__dict__["_dry_running"] = False
            active_tapes().extend(tapes)
            self._activity_losses, self._added_losses = saved

    def _output_dtype(self, flat_inputs):
        return self._dtype

    # -- masks
    @property
    def supports_masking(self) -> bool:
        """Whether ``compute_mask`` gives the outputs a mask (otherwise an input mask is dropped)."""
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value):
        self._supports_masking = bool(value)

    def compute_mask(self, inputs, mask=None):
        """The output mask for ``inputs`` and their ``mask``: the input mask itself when the layer supports
        masking, None otherwise (a TypeError if a layer that does not support masking is given one)."""
        if not self._supports_masking:
            if any(m is not None for m in nest.flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed an input_mask: "
                                f"{mask}")
            return None
        return mask

    @property
    def input_mask(self):
        """The mask(s) of the inputs of the layer's (only) call, or None."""
        tensors = self._inbound_nodes[0].first_arg_tensors if self._inbound_nodes else []
        if not tensors:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has no defined input mask.")
        masks = [t._keras_mask for t in tensors]
        return masks[0] if len(masks) == 1 else masks

    @property
    def output_mask(self):
        """The mask(s) of the outputs of the layer's (only) call, or None."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has no defined output mask.")
        masks = [t._keras_mask for t in self._inbound_nodes[0].output_tensors]
        return masks[0] if len(masks) == 1 else masks

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``; by default found by running the layer once."""
        return self._infer_output(KerasTensor(input_shape, self._dtype), (), {}).shape

    # -- shapes of the functional graph
    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has no defined input.")
        args = self._inbound_nodes[0].call_args
        return args

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has no defined output.")
        outs = self._inbound_nodes[0].output_tensors
        return outs[0] if len(outs) == 1 else outs

    @property
    def output_shape(self):
        """The output shape of the layer's calls (``(None, 16)``); AttributeError if never called."""
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name!r} has never been called and thus has no defined "
                                 "output shape.")
        shapes = {tuple(tuple(t.shape) for t in n.output_tensors) for n in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError(f"The layer {self.name!r} has multiple inbound nodes with different output "
                                 "shapes. Use get_output_shape_at(node_index).")
        outs = shapes.pop()
        return outs[0] if len(outs) == 1 else list(outs)

    @property
    def input_shape(self):
        """The input shape of the layer's calls (``(None, 784)``); AttributeError if never called."""
        if not self._inbound_nodes:
            if self._batch_input_shape is not None:
                return self._batch_input_shape
            raise AttributeError(f"The layer {self.name!r} has never been called and thus has no defined "
                                 "input shape.")
        ins = [tuple(t.shape) for t in self._inbound_nodes[0].input_tensors]
        if not ins:  # an InputLayer: its input is what it was declared with
            return self._batch_input_shape
        return ins[0] if len(ins) == 1 else ins

    # -- config
    def get_config(self) -> dict:
        """The constructor arguments as a JSON-able dict (``from_config`` rebuilds the layer)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = tuple(self._batch_input_shape)
        if type(self).__init__ is not Layer.__init__ and type(self).get_config is Layer.get_config:
            raise NotImplementedError(
                f"Layer {type(self).__name__} has arguments in `__init__` and therefore must override "
                "`get_config()` to be serialized: return a dict of those arguments merged with "
                "super().get_config().")
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Create a layer from the output of ``get_config``."""
        return cls(**config)


class _WeightInfo:
    __slots__ = ("var", "regularizer")

    def __init__(self, var, regularizer):
        self.var, self.regularizer = var, regularizer


def _dedup(variables: list) -> list:
    seen, out = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


registry.register("layers", base=Layer)
