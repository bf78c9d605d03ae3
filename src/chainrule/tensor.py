"""Tensor and Variable: an array plus TensorFlow's dtype rules and operators.

Every operator runs one op from :mod:`chainrule.ops` through :func:`apply_op`,
which records it on the active GradientTapes (if any watch an input). Outside
a tape nothing is recorded and nothing is kept.

Conversion rules (as in TensorFlow):

* Python ``int`` -> int32, Python ``float`` -> float32, ``bool`` -> bool,
  ``str``/``bytes`` -> string; nested lists follow the same rule.
* numpy arrays and numpy scalars keep their dtype (float64 stays float64).
* In ``tensor OP other``, a Python number or numpy array ``other`` takes the
  tensor's dtype; two Tensors of different dtypes raise ``InvalidArgumentError``.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Iterator, TypeAlias

import numpy as np

from . import dtypes as _dtypes
from . import _name_scope
from . import ops as _ops
from ._tape_stack import note_update, note_value_read, state as _recording
from .errors import InvalidArgumentError
from .dtypes import DTypeLike
from .tensor_shape import TensorShape

# Names for what the TF-named functions accept, for readers of their signatures. Both are Any to the type
# checker on purpose: every function converts its arguments itself (as_tensor, _axis) with TensorFlow's rules
# and raises TensorFlow's errors, so a union here would only move those checks into casts.
#: A tensor argument: a Tensor or Variable, a numpy array or scalar, a Python number, string or bool, or a
#: (nested) list of them.
TensorLike: TypeAlias = Any
#: An ``axis=`` argument: None (every axis), an int, a sequence of ints, or an integer Tensor.
AxisLike: TypeAlias = Any

_INT32_MIN, _INT32_MAX = np.iinfo(np.int32).min, np.iinfo(np.int32).max


# ----------------------------------------------------------------------------- conversion

def _strings_to_bytes(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "U":
        return np.char.encode(arr, "utf-8")
    if arr.dtype.kind == "O":
        flat = [v.encode("utf-8") if isinstance(v, str) else v for v in arr.ravel()]
        if all(isinstance(v, bytes) for v in flat):
            return np.array(flat, dtype=bytes).reshape(arr.shape)
    return arr


def _python_to_array(value: Any) -> np.ndarray:
    """TensorFlow's inference for Python values: ints -> int32, floats -> float32."""
    try:
        arr = np.asarray(value)
    except ValueError:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor. (Rows of different lengths "
                         "need chainrule.ragged.constant or padding.)") from None
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype == np.float64:
        return arr.astype(np.float32)
    if kind == "i" and arr.dtype.itemsize == 8:
        if arr.size == 0 or (arr.min() >= _INT32_MIN and arr.max() <= _INT32_MAX):
            return arr.astype(np.int32)
        return arr
    if kind in "UO":
        return _strings_to_bytes(arr)
    return arr


def _contains_tensor(value: Any) -> bool:
    if isinstance(value, Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return False


def to_array(value: Any, dtype: DTypeLike | None = None) -> np.ndarray:
    """Convert ``value`` to a numpy array with TensorFlow's dtype inference.

    ``dtype`` (a DType, name or numpy dtype) forces the element type; a lossy
    float -> integer conversion raises ``TypeError`` as in TensorFlow.
    """
    if isinstance(value, Tensor):
        arr = value._value
    elif isinstance(value, np.ndarray):
        arr = _strings_to_bytes(value) if value.dtype.kind in "UO" else value
    elif isinstance(value, np.generic):
        arr = np.asarray(value)
    elif isinstance(value, (bool, numbers.Number, str, bytes)) or (
            isinstance(value, (list, tuple)) and not _contains_tensor(value)):
        # With a target dtype, convert exactly (0.1 as float64 stays 0.1); otherwise TF's inference.
        arr = _python_to_array(value) if dtype is None else np.asarray(value)
        if arr.dtype.kind in "UO":
            arr = _strings_to_bytes(arr)
    elif isinstance(value, (list, tuple)):
        arr = np.asarray([to_array(v) for v in value])
    elif hasattr(value, "__array__"):
        arr = np.asarray(value)
        if arr.dtype.kind in "UO":
            arr = _strings_to_bytes(arr)
    else:
        raise TypeError(f"Cannot convert {value!r} (type {type(value).__name__}) to a chainrule Tensor.")
    if dtype is None:
        return arr
    target = _dtypes.as_dtype(dtype)
    if target is _dtypes.string:
        return _strings_to_bytes(arr.astype(object)) if arr.dtype.kind not in "S" else arr
    np_target = target.dtype
    if arr.dtype == np_target:
        return arr
    if np_target.kind in "iub" and arr.dtype.kind in "fc" and arr.size and not isinstance(value, Tensor):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.trunc(arr)):
            sample = arr.ravel()[0] if arr.size == 1 else arr.ravel()[:3]
            raise TypeError(f"Cannot convert {sample} to a Tensor of dtype {target.name}: the value is not "
                            f"integral. Round or cast it explicitly first.")
    if arr.dtype.kind in "SO":
        raise TypeError(f"Cannot convert a string value to a Tensor of dtype {target.name}.")
    return arr.astype(np_target)


def _dtype_name(arr: np.ndarray) -> str:
    return _dtypes.as_dtype(arr.dtype).name


# ----------------------------------------------------------------------------- running ops

def apply_op(op: _ops.Op, *inputs: Tensor, result_type: type | None = None) -> Any:
    """Run ``op.forward`` on the inputs' arrays and return the output as a Tensor.

    (A Tensor, or a tuple of Tensors for a multi-output op: hence ``Any`` to the type checker.)

    If a GradientTape is recording and watches one of the inputs, the call
    ``(op, inputs, output)`` is appended to its record; that record is all the
    tape needs to run ``op.backward`` later. This is also the one place that
    decides whether a backward can run: ``op.needs_backward`` is set before
    ``forward``, False when no tape will record the call, so an inference call
    keeps nothing for a backward (a ``chainrule.function`` replay reuses the op
    with the decision taken while tracing). An op whose ``forward`` returns a
    tuple of arrays (several outputs, as BatchNorm's normalized values and batch
    statistics) gives a tuple of Tensors; its ``backward`` then receives one
    gradient per output (``None`` for an output nobody differentiated). ``result_type``: a Tensor
    subclass for the output (a Variable's slice, which can be assigned to).
    """
    recording = _recording
    recorders = _recorders(recording.tapes, op, inputs) if recording.tapes else None
    op.needs_backward = recorders is not None
    out = op.forward(inputs[0]._value) if len(inputs) == 1 else op.forward(*[t._value for t in inputs])
    if type(out) is tuple:
        return _apply_multi(op, inputs, out, recorders)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if op.returns_view and True in [t._is_variable for t in inputs]:
        out = out.copy()  # a Variable is updated in place; a view would change with it
    result = Tensor(out) if result_type is None else result_type(out)
    if recorders is not None and out.dtype.kind in "fc":
        for tape, watched in recorders:
            tape._record(op, inputs, result, watched)
    tracer = recording.tracer
    if tracer is not None:
        tracer.record(op, inputs, result)
    return result


def _recorders(tapes: list, op: _ops.Op, inputs: tuple) -> list | None:
    """The active tapes that record a call of ``op``, each with which inputs it watches; None when none does
    (the op is not differentiable, or no tape watches an input): then nothing will run its backward."""
    if not op.differentiable:
        return None
    found = [(tape, watched) for tape in tapes if (watched := tape._watched_inputs(inputs)) is not None]
    return found or None


def _apply_multi(op: Any, inputs: Any, outs: tuple, recorders: list | None) -> tuple:
    results = tuple(Tensor(np.asarray(o)) for o in outs)
    if recorders is not None and any(r._value.dtype.kind in "fc" for r in results):
        for tape, watched in recorders:
            tape._record(op, inputs, results, watched)
    tracer = _recording.tracer
    if tracer is not None:
        tracer.record(op, inputs, results)
    return results


def _operand_error(op_name: str, index: int, expected: np.dtype, got: np.dtype) -> InvalidArgumentError:
    exp, act = _dtypes.as_dtype(expected).name, _dtypes.as_dtype(got).name
    return InvalidArgumentError(
        f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a {exp} tensor but is "
        f"a {act} tensor [Op:{op_name}]. Tensors of different dtypes do not mix: cast one first, e.g. "
        f"chainrule.cast(x, chainrule.{exp}).")


def coerce_pair(a: Any, b: Any, op_name: str) -> Any:
    """Turn two operands into Tensors of one dtype, following TensorFlow's rules.

    Two Tensors must already agree; a Python number, list or numpy array takes
    the dtype of the Tensor operand.
    """
    a_is, b_is = isinstance(a, Tensor), isinstance(b, Tensor)
    if a_is and b_is:
        if a._value.dtype != b._value.dtype:
            raise _operand_error(op_name, 1, a._value.dtype, b._value.dtype)
        return a, b
    if a_is:
        return a, Tensor(to_array(b, a._value.dtype))
    if b_is:
        return Tensor(to_array(a, b._value.dtype)), b
    a = Tensor(to_array(a))
    return a, Tensor(to_array(b, a._value.dtype))


def _check_numeric(t: "Tensor", op_name: str) -> None:
    if t._value.dtype.kind in "SO":
        raise InvalidArgumentError(f"{op_name}: cannot compute on a string tensor of shape {t.shape}.")


def _raise_if_not_broadcastable(a: "Tensor", b: "Tensor", op_name: str) -> None:
    """After an element-wise op failed: raise TF's 'Incompatible shapes' error if the shapes do not broadcast.

    Called only on the error path, so a successful op pays nothing for the check.
    """
    sa, sb = a._value.shape, b._value.shape
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise InvalidArgumentError(f"Incompatible shapes: {sa} vs. {sb} [Op:{op_name}]; the shapes must be "
                                       "equal or broadcastable (each axis, aligned from the right, equal or "
                                       "1).") from None


def binary(op_cls: Any, a: Any, b: Any, op_name: str, **params: Any) -> Any:
    """Apply a two-input op with TensorFlow's operand conversion."""
    a, b = coerce_pair(a, b, op_name)
    if op_cls is _ops.Add and a._value.dtype.kind in "SO":  # TensorFlow's AddV2 concatenates strings
        return apply_op(_ops.NoGradient(_concat_strings), a, b)
    _check_numeric(a, op_name)
    try:
        return apply_op(op_cls(**params), a, b)
    except ValueError as e:
        if op_cls is not _ops.MatMul and not isinstance(e, InvalidArgumentError):
            _raise_if_not_broadcastable(a, b, op_name)
        raise


def _concat_strings(x: Any, y: Any) -> Any:
    x, y = np.broadcast_arrays(x, y)
    flat = np.empty(x.size, dtype=object)
    for i, (p, q) in enumerate(zip(x.ravel(), y.ravel())):
        flat[i] = bytes(p) + bytes(q)
    return flat.reshape(x.shape)


def _true_divide(a: Any, b: Any) -> Any:
    a, b = coerce_pair(a, b, "RealDiv")
    kind = a._value.dtype.kind
    if kind in "iub":
        # TensorFlow: int8/int16/uint8 / ... -> float32; int32/int64 -> float64.
        target = np.float64 if a._value.dtype.itemsize >= 4 else np.float32
        # Cast through the op (not Tensor(a._value.astype(...))), so a chainrule.function trace follows the values.
        a, b = apply_op(_ops.Cast(target), a), apply_op(_ops.Cast(target), b)
    _check_numeric(a, "RealDiv")
    try:
        return apply_op(_ops.Div(), a, b)
    except ValueError:
        _raise_if_not_broadcastable(a, b, "RealDiv")
        raise


def _compare(a: Any, b: Any, ufunc: Any, op_name: Any) -> Any:
    a, b = coerce_pair(a, b, op_name)
    try:
        return apply_op(_ops.NoGradient(ufunc), a, b)
    except ValueError:
        _raise_if_not_broadcastable(a, b, op_name)
        raise


def _normalize_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(_normalize_key(k) for k in key)
    if isinstance(key, Tensor):
        v = key._value
        return v.item() if v.ndim == 0 and v.dtype.kind in "iu" else v
    if isinstance(key, list):
        return np.asarray([k._value if isinstance(k, Tensor) else k for k in key])
    if isinstance(key, slice) and any(isinstance(s, Tensor) for s in (key.start, key.stop, key.step)):
        conv = [int(s._value) if isinstance(s, Tensor) else s for s in (key.start, key.stop, key.step)]
        return slice(*conv)
    return key


class _Ref:
    """A hashable reference to a Tensor (``tensor.ref()``), as in TensorFlow."""

    __slots__ = ("_t",)

    def __init__(self, t: Any) -> None:
        self._t = t

    def deref(self) -> Any:
        return self._t

    def __hash__(self) -> Any:
        return id(self._t)

    def __eq__(self, other: TensorLike) -> Any:
        return isinstance(other, _Ref) and other._t is self._t


# ----------------------------------------------------------------------------- Tensor

class Tensor:
    """An immutable n-dimensional array with a dtype, recorded on GradientTapes when watched.

    Create one with :func:`constant` or :func:`convert_to_tensor`; operators
    (``+ - * / // % ** @``, comparisons, indexing) return new Tensors.
    ``np.array(t)`` and matplotlib accept a Tensor directly.
    """

    # `_keras_mask`: set by Keras layers on their outputs (a boolean Tensor, tf.keras 2's mask metadata).
    # `_keras_softmax`: set by a fused output head on the logits it hands to the loss: the layer's own
    # softmax of them, which the loss op reuses (keras.losses._known_softmax).
    # `_keras_logits`: set by keras.activations.sigmoid/softmax on their output: the input they were given, which
    # the cross-entropy losses use instead of the probabilities (tf.keras 2's attribute of the same name).
    __slots__ = ("_value", "_keras_mask", "_keras_softmax", "_keras_logits", "__weakref__")
    __array_priority__ = 100  # numpy defers `ndarray * tensor` to Tensor.__rmul__
    _is_variable = False

    def __init__(self, value: Any) -> None:
        self._value = value if type(value) is np.ndarray else to_array(value)
        self._keras_mask = None  # set, so that reading it (every Keras layer call does) is not a caught AttributeError

    # -- introspection
    @property
    def shape(self) -> TensorShape:
        """The shape as a :class:`TensorShape` (a tuple)."""
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        """The static shape (the same as ``shape``)."""
        return self.shape

    def set_shape(self, shape: Any) -> None:
        """Check that ``shape`` (a list with None for any size, or a TensorShape) fits this tensor's shape.

        An eager tensor's shape is always fully known, so this only checks, as TensorFlow's eager
        ``set_shape`` does; code written for graphs (``inputs.set_shape([None, width, None])`` in a
        ``Dataset.map``) runs unchanged.

        Raises:
            ValueError: the shapes are incompatible (rank or a known size differs).
        """
        wanted = TensorShape(shape)
        if not self.shape.is_compatible_with(wanted):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape {wanted}.")

    @property
    def dtype(self) -> _dtypes.DType:
        """The element type (``chainrule.float32`` ...)."""
        return _dtypes.as_dtype(self._value.dtype)

    @property
    def device(self) -> str:
        """Where the value lives: always the CPU, named as TensorFlow names it
        (``'/job:localhost/replica:0/task:0/device:CPU:0'``)."""
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def size(self) -> int:
        return self._value.size

    def numpy(self) -> Any:
        """The value as a numpy array (a numpy scalar for a 0-d tensor)."""
        note_value_read(self)
        v = self._value
        return v[()] if v.ndim == 0 else v

    def __array__(self, dtype: DTypeLike | None = None, copy: Any = None) -> Any:
        note_value_read(self)
        if copy:
            return np.array(self._value, dtype=dtype, copy=True)
        return np.asarray(self._value, dtype=dtype)

    def ref(self) -> _Ref:
        """A hashable reference usable as a dict key; ``ref().deref()`` gives the tensor back."""
        return _Ref(self)

    __hash__ = object.__hash__

    # -- printing, as TensorFlow prints
    def _numpy_text(self, is_repr: bool) -> str:
        v = self._value
        if v.dtype.kind == "S":  # shown as TensorFlow shows strings: b'...' items of an object array
            v = v.astype(object)
        text = str(v) if (not is_repr or v.ndim == 0) else repr(v)
        return "\n" + text if "\n" in text else text

    def __str__(self) -> str:
        return (f"chainrule.Tensor({self._numpy_text(False)}, shape={self.shape}, "
                f"dtype={self.dtype.name})")

    def __repr__(self) -> str:
        return f"<chainrule.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={self._numpy_text(True)}>"

    def __format__(self, spec: str) -> str:
        note_value_read(self)
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        return format(self._value, spec)  # as TensorFlow: the numpy array's text, "[0 1 1 1]"

    # -- Python protocol
    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d (scalar) Tensor is not defined.")
        return self._value.shape[0]

    def __iter__(self) -> Iterator[Any]:
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._value.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise ValueError(f"The truth value of a Tensor of shape {self.shape} is ambiguous; "
                             "use chainrule.reduce_any or chainrule.reduce_all.")
        note_value_read(self)
        return bool(self._value.reshape(()))

    def __float__(self) -> float:
        note_value_read(self)
        return float(self._value)

    def __int__(self) -> int:
        note_value_read(self)
        return int(self._value)

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iu":
            raise TypeError(f"Only integer scalar tensors can be used as an index, not {self.dtype.name}.")
        note_value_read(self)
        return int(self._value)

    # -- arithmetic
    def __add__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Add, self, other, "AddV2")

    def __radd__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Add, other, self, "AddV2")

    def __sub__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Sub, self, other, "Sub")

    def __rsub__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Sub, other, self, "Sub")

    def __mul__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Mul, self, other, "Mul")

    def __rmul__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Mul, other, self, "Mul")

    def __truediv__(self, other: TensorLike) -> Tensor:
        return _true_divide(self, other)

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        return _true_divide(other, self)

    def __floordiv__(self, other: TensorLike) -> Tensor:
        return binary(_ops.FloorDiv, self, other, "FloorDiv")

    def __rfloordiv__(self, other: TensorLike) -> Tensor:
        return binary(_ops.FloorDiv, other, self, "FloorDiv")

    def __mod__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Mod, self, other, "FloorMod")

    def __rmod__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Mod, other, self, "FloorMod")

    def __pow__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Pow, self, other, "Pow")

    def __rpow__(self, other: TensorLike) -> Tensor:
        return binary(_ops.Pow, other, self, "Pow")

    def __matmul__(self, other: TensorLike) -> Tensor:
        return binary(_ops.MatMul, self, other, "MatMul")

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return binary(_ops.MatMul, other, self, "MatMul")

    def __neg__(self) -> Tensor:
        _check_numeric(self, "Neg")
        return apply_op(_ops.Neg(), self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        _check_numeric(self, "Abs")
        return apply_op(_ops.Abs(), self)

    # -- comparisons and logic (no gradient)
    def __eq__(self, other: TensorLike) -> Any:
        if other is None:
            return False
        try:
            return _compare(self, other, np.equal, "Equal")
        except (TypeError, InvalidArgumentError):
            return False

    def __ne__(self, other: TensorLike) -> Any:
        if other is None:
            return True
        try:
            return _compare(self, other, np.not_equal, "NotEqual")
        except (TypeError, InvalidArgumentError):
            return True

    def __lt__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.less, "Less")

    def __le__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.less_equal, "LessEqual")

    def __gt__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.greater, "Greater")

    def __ge__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.greater_equal, "GreaterEqual")

    def __and__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.logical_and if self._value.dtype == bool else np.bitwise_and,
                        "LogicalAnd")

    def __or__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.logical_or if self._value.dtype == bool else np.bitwise_or,
                        "LogicalOr")

    def __xor__(self, other: TensorLike) -> Tensor:
        return _compare(self, other, np.logical_xor if self._value.dtype == bool else np.bitwise_xor,
                        "LogicalXor")

    def __invert__(self) -> Tensor:
        return apply_op(_ops.NoGradient(np.logical_not if self._value.dtype == bool else np.invert), self)

    # -- indexing
    def __getitem__(self, key: Any) -> Tensor:
        return apply_op(_ops.GetItem(_normalize_key(key)), self)


# ----------------------------------------------------------------------------- Variable

class Variable(Tensor):
    """A mutable tensor holding model state: ``Variable(initial_value, trainable=True, name=None, dtype=None)``.

    Trainable Variables are watched automatically by every active GradientTape.
    ``assign``, ``assign_add`` and ``assign_sub`` update the value in place (the
    shape cannot change). ``name`` reads ``'weight:0'`` for ``name='weight'``.
    """

    __slots__ = ("trainable", "_name", "_aggregation", "constraint", "_storage")
    _is_variable = True

    def __init__(self, initial_value: TensorLike | Callable[[], TensorLike] = None, trainable: bool = True,
                 name: str | None = None, dtype: DTypeLike | None = None, shape: Any = None,
                 constraint: Callable[[Tensor], TensorLike] | None = None, **kwargs: Any) -> None:
        if constraint is not None and not callable(constraint):
            raise ValueError(f"Variable: constraint must be a callable (value -> projected value), got "
                             f"{type(constraint).__name__}.")
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given (an array, number or callable).")
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Tensor) and dtype is not None and \
                _dtypes.as_dtype(dtype).dtype != initial_value._value.dtype:
            raise ValueError(f"initial_value: Tensor conversion requested dtype {_dtypes.as_dtype(dtype).name} for "
                             f"Tensor with dtype {_dtype_name(initial_value._value)}; cast it first, e.g. "
                             f"chainrule.cast(value, chainrule.{_dtypes.as_dtype(dtype).name}).")
        arr = to_array(initial_value, dtype)
        super().__init__(np.array(arr, copy=True))
        self.trainable = bool(trainable)
        self.constraint = constraint
        self._storage = None  # set when an optimizer keeps this variable in its flat buffer (a view of it)
        base = "Variable" if name is None else str(name)
        if not base.endswith(":0"):
            base = _name_scope.scoped(base) + ":0"  # "outer/w:0" inside chainrule.name_scope("outer")
        self._name = base

    @property
    def name(self) -> str:
        """The variable's name with TensorFlow's ``:0`` suffix."""
        return self._name

    def numpy(self) -> Any:
        """A copy of the current value (later updates do not change it)."""
        note_value_read(self)
        v = self._value
        return v[()] if v.ndim == 0 else v.copy()

    def value(self) -> Tensor:
        """The current value as a Tensor (a snapshot; differentiable when watched)."""
        return apply_op(_ops.Identity(), self)

    read_value = value

    def _new_value(self, value: Any, op_name: Any) -> Any:
        if isinstance(value, Tensor) and value._value.dtype != self._value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dtype_name(self._value)} for Tensor with dtype "
                             f"{_dtype_name(value._value)}: cannot {op_name} it to variable {self._name!r}. "
                             "TensorFlow does not cast a Tensor implicitly; cast it first, e.g. "
                             f"chainrule.cast(value, chainrule.{_dtype_name(self._value)}).")
        try:
            arr = to_array(value, self._value.dtype)
        except TypeError as e:
            dtype = _dtype_name(self._value)
            given = value._value if isinstance(value, Tensor) else np.asarray(value)
            if given.dtype.kind in "fc" and self._value.dtype.kind in "iub":
                shown = given if given.size <= 6 else given.ravel()[:6]
                raise TypeError(f"Cannot {op_name} to variable {self._name!r} ({dtype}): the values {shown} are "
                                "not integral; round or cast them first, e.g. np.round(values).astype("
                                f"{dtype!r}).") from None
            raise TypeError(f"Cannot {op_name} to variable {self._name!r} ({dtype}): {e}") from None
        if arr.shape != self._value.shape:
            raise ValueError(f"Cannot {op_name} variable {self._name!r}: the variable has shape "
                             f"{tuple(self._value.shape)} and the value has shape {tuple(arr.shape)}; "
                             "they must match.")
        return arr

    def _update_input(self, value: Any, op_name: Any) -> "Tensor":
        """``value`` checked and converted for an assignment, kept as the same Tensor when it already fits."""
        arr = self._new_value(value, op_name)
        if isinstance(value, Tensor) and value._value is arr:
            return value  # a traced tensor stays traced
        return Tensor(arr)

    # Assignments bind a new array rather than writing into the old one, so an op
    # that read the variable keeps the value it saw (as TensorFlow's tape does).
    # Optimizers update in place, after the gradient has been taken.
    def assign(self, value: TensorLike, read_value: bool = True) -> Variable:
        """Set the value; returns the variable."""
        self.apply_update(_ops.updates.Assign(), self._update_input(value, "assign"))
        return self

    def assign_add(self, delta: TensorLike, read_value: bool = True) -> Variable:
        """Add ``delta``; returns the variable."""
        self.apply_update(_ops.updates.AssignAdd(), self._update_input(delta, "assign_add"))
        return self

    def assign_sub(self, delta: TensorLike, read_value: bool = True) -> Variable:
        """Subtract ``delta``; returns the variable."""
        self.apply_update(_ops.updates.AssignSub(), self._update_input(delta, "assign_sub"))
        return self

    def apply_update(self, update: _ops.Op, *inputs: Tensor) -> None:
        """Run a state-update op on this variable: the one way any code changes a Variable's value.

        ``update`` is an op from :mod:`chainrule.ops.updates` whose ``forward(value, *input_arrays)``
        returns the new value (it may write into ``value`` in place and return it). ``inputs`` are
        Tensors (Variables are read when the update runs). Optimizers, BatchNormalization's moving
        statistics, metric state and ``assign*`` all come through here, so a ``chainrule.function``
        trace records the update and every replay repeats it.
        """
        self._store(update.forward(self._value, *[t._value for t in inputs]))
        note_update(self, update, inputs)

    def _store(self, value: Any) -> None:
        """Bind ``value`` as the new value; a variable an optimizer keeps in its flat buffer stays there
        (the value is copied into its slice of the buffer, so one kernel call can update them all)."""
        storage = self._storage
        if storage is not None and value is not storage:
            np.copyto(storage, value)
            value = storage
        self._value = value

    def __getitem__(self, key: Any) -> Tensor:
        """The slice as a Tensor (differentiable, as for any Tensor) that can also be assigned to:
        ``v[0, 0].assign(3.0)`` writes into the variable, as in TensorFlow."""
        normalized = _normalize_key(key)
        piece = apply_op(_ops.GetItem(normalized), self, result_type=VariableSlice)
        piece._variable, piece._key = self, normalized
        return piece

    def __repr__(self) -> str:
        return (f"<chainrule.Variable {self._name!r} shape={self.shape} dtype={self.dtype.name}, "
                f"numpy={self._numpy_text(True)}>")

    __str__ = __repr__


class VariableSlice(Tensor):
    """What indexing a Variable gives: a Tensor with the slice's value, plus ``assign``, which writes the
    slice back into the variable (TensorFlow's sliced-variable assignment).

    Raises (from ``assign``): ``ValueError`` for a Tensor of another dtype or a value that does not
    broadcast to the slice's shape; ``TypeError`` for non-integral values into an integer variable.
    """

    __slots__ = ("_variable", "_key")
    _variable: Variable
    _key: Any

    def assign(self, value: TensorLike, read_value: bool = True) -> Variable:
        """``variable[key] = value``; returns the variable (the update is recorded as the variable's)."""
        var = self._variable
        if isinstance(value, Tensor) and value._value.dtype != var._value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dtype_name(var._value)} for Tensor with dtype "
                             f"{_dtype_name(value._value)}: cannot assign it to a slice of variable {var._name!r}; "
                             f"cast it first, e.g. chainrule.cast(value, chainrule.{_dtype_name(var._value)}).")
        try:
            arr = to_array(value, var._value.dtype)
        except TypeError as e:
            raise TypeError(f"Cannot assign to a slice of variable {var._name!r} "
                            f"({_dtype_name(var._value)}): {e}") from None
        try:
            np.broadcast_to(arr, self._value.shape)
        except ValueError:
            raise ValueError(f"Cannot assign to a slice of variable {var._name!r}: the slice has shape "
                             f"{tuple(self._value.shape)} and the value has shape {tuple(arr.shape)}, which does "
                             "not broadcast to it.") from None
        new = value if isinstance(value, Tensor) and value._value is arr else Tensor(arr)
        var.apply_update(_ops.updates.AssignSlice(self._key), new)
        return var


# ----------------------------------------------------------------------------- constructors

def constant(value: TensorLike, dtype: DTypeLike | None = None, shape: Any = None, name: str | None = None) -> Tensor:
    """A Tensor from a Python value, numpy array or Tensor.

    ``dtype`` forces the type (ints -> int32 and floats -> float32 otherwise);
    ``shape`` reshapes the value, or fills it when ``value`` is a scalar.
    """
    if isinstance(value, Tensor) and dtype is not None and _dtypes.as_dtype(dtype).dtype != value._value.dtype:
        raise TypeError(f"Expected tensor {value._numpy_text(False)} with dtype {_dtypes.as_dtype(dtype).name}, but "
                        f"got dtype {_dtype_name(value._value)}; use chainrule.cast to change a Tensor's dtype.")
    arr = to_array(value, dtype)
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        if arr.size == 1 and int(np.prod(shape)) != 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        else:
            try:
                arr = arr.reshape(shape)
            except ValueError:
                raise TypeError(f"constant: expected {int(np.prod(shape))} values for shape {shape}, "
                                f"got {arr.size}.") from None
    if arr is value or (isinstance(value, Tensor) and arr is value._value):
        arr = arr.copy()  # a constant never changes with the array it came from
    return Tensor(arr)


def convert_to_tensor(value: TensorLike, dtype: DTypeLike | None = None, dtype_hint: Any = None,
                      name: str | None = None) -> Tensor:
    """Return ``value`` as a Tensor: Tensors pass through, Variables are read, others converted.

    Raises ``ValueError`` when a Tensor's dtype differs from the requested ``dtype``.
    """
    if isinstance(value, Tensor):
        if dtype is not None and _dtypes.as_dtype(dtype) != value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dtypes.as_dtype(dtype).name} for Tensor "
                             f"with dtype {value.dtype.name}; use chainrule.cast to change it.")
        return value.value() if isinstance(value, Variable) else value
    if dtype is None and dtype_hint is not None:
        try:
            return Tensor(to_array(value, dtype_hint))
        except (TypeError, ValueError):
            pass
    return Tensor(to_array(value, dtype))


def as_tensor(value: TensorLike) -> Tensor:
    """Fast path used internally: a Tensor unchanged (Variables too), anything else converted."""
    return value if isinstance(value, Tensor) else Tensor(to_array(value))
