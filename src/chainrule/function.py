"""``chainrule.function``: trace a Python function once per input signature, then replay what it did.

The first call with a new signature (argument shapes and dtypes, Python
argument values) runs the Python function while a tracer writes down, in
order, everything it did to tensors:

* every op run through ``apply_op`` (which op instance, and where each input
  came from: an argument, a Variable read at call time, an earlier step's
  output, or a constant);
* every ``GradientTape.gradient`` call (the tape's records, in the same
  terms), so a replay runs the recorded ops' ``backward`` exactly as the
  tape does, with :func:`chainrule.autodiff.backpropagate`;
* every state update of a Variable (``Variable.apply_update``: optimizer
  steps, moving statistics, metric totals, ``assign*``).

Later calls with that signature skip Python: they call each recorded op's
``forward`` on the new arrays, the recorded backward walks, and the recorded
updates, in order. The ops and their backward are the same objects the eager
run used, so a replay computes exactly what the Python function computes.

A replay is only correct if the Python code would do the same thing again. So a
trace is dropped, and that signature runs eagerly from then on, when the traced
code reads a traced tensor's or any Variable's value in Python (``if x > 0``,
``float(x)``, ``x.numpy()``), draws random numbers outside an op, or takes
gradients from a tape it did not open; and the function runs eagerly whenever
a GradientTape outside it is recording. Python side effects (``print``,
appending to a list) happen while tracing only, as in TensorFlow.
``chainrule.config.run_functions_eagerly(True)`` turns replay off.
``tf.autograph`` is not needed: Python control flow runs as written while
tracing (a branch on a tensor value makes that signature eager).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import functools
import inspect
from operator import attrgetter, itemgetter

import numpy as np

from . import backend as _backend
from . import nest
from ._fpenv import flush_denormals
from ._tape_stack import active_tapes, active_tracer, set_tracer
from .autodiff import backpropagate
from .tensor import Tensor
from .tensor_spec import TensorSpec

# Where a recorded input comes from.
_ARG, _SLOT, _VAR, _CONST = 0, 1, 2, 3
# What a recorded step is (_OP1: an op with one input, which a compiled trace calls without unpacking).
_OP, _GRADIENT, _UPDATE, _MULTI_OP, _OP1 = 0, 1, 2, 3, 4
_value_of = attrgetter("_value")


def _signature_of(leaf: Any) -> Any:
    # A numpy dtype is its own key (equal exactly when the element types are; hashing it is cheaper than
    # building its .str at every call).
    if isinstance(leaf, Tensor):
        if leaf._is_variable:
            return ("var", id(leaf))
        return ("tensor", leaf._value.shape, leaf._value.dtype)
    if isinstance(leaf, np.ndarray):
        return ("array", leaf.shape, leaf.dtype)
    try:
        hash(leaf)
        return ("py", type(leaf).__name__, leaf)
    except TypeError:
        return ("obj", id(leaf))


class _GradientPlan:
    """One ``tape.gradient`` call of a trace: the tape's records with inputs named by trace sources
    (while tracing) or by positions in a replay's values (once compiled, see :class:`_Trace`)."""

    __slots__ = ("records", "seeds", "sources", "source_set", "zero_unconnected", "_ones")

    def __init__(self, records: Any, seeds: Any, sources: Any, zero_unconnected: Any) -> None:
        self.records = records  # [(op, input sources, output source, watched)]
        self.seeds = seeds  # [(target source, seed source or None)]
        self.sources = sources  # [source] in the order gradient() returns them
        # Compiled plans name sources by position (ints); while tracing they are (kind, object) pairs.
        self.source_set = set(sources) if all(type(s) is int for s in sources) else None
        self.zero_unconnected = zero_unconnected
        self._ones: np.ndarray | None = None

    def ones(self, like: np.ndarray) -> np.ndarray:
        """The default seed, ``ones_like(target)``: made once per shape and dtype, read-only (a backward
        never writes into its ``dout``)."""
        ones = self._ones
        if ones is None or ones.shape != like.shape or ones.dtype != like.dtype:
            ones = self._ones = np.ones_like(like)
            ones.flags.writeable = False
        return ones


class _Tracer:
    """Writes down, while the Python function runs, every op, gradient and update (see the module doc)."""

    def __init__(self, arg_tensors: Any) -> None:
        self.steps: list[Any] = []
        self.n_slots = 0
        self.produced: dict[int, int] = {}  # id(tensor) -> slot index
        self.args = {id(t): i for i, t in enumerate(arg_tensors)}
        self.keep = list(arg_tensors)  # keep every seen tensor alive so ids stay unique
        self.invalid = None

    def source(self, t: Any) -> Any:
        k = id(t)
        if k in self.produced:
            return (_SLOT, self.produced[k])
        if k in self.args:
            return (_ARG, self.args[k])
        if t._is_variable:
            return (_VAR, t)
        self.keep.append(t)
        return (_CONST, t._value)

    def _new_slot(self, tensor: Any) -> None:
        self.produced[id(tensor)] = self.n_slots
        self.n_slots += 1
        self.keep.append(tensor)

    def record(self, op: Any, inputs: Any, output: Any) -> None:
        sources = tuple(self.source(t) for t in inputs)
        if type(output) is tuple:
            self.steps.append((_MULTI_OP, op, sources, None))
            for o in output:
                self._new_slot(o)
            return
        copy_view = op.returns_view and any(kind == _VAR for kind, _ in sources)
        self.steps.append((_OP, op, sources, copy_view))
        self._new_slot(output)

    def _output_slots(self, output: Any) -> Any:
        """An op output as its slot number (a tuple of them for a multi-output op), as backpropagate keys it."""
        if type(output) is tuple:
            return tuple(self.produced[id(o)] for o in output)
        return self.produced[id(output)]

    def record_gradient(self, records: Any, targets: Any, seeds: Any, sources: Any, results: Any,
                        zero_unconnected: Any) -> None:
        for _, _, output, _ in records:
            if any(id(o) not in self.produced for o in (output if type(output) is tuple else (output,))):
                self.invalidate("a gradient from a tape that recorded outside the function")
                return
        plan = _GradientPlan(
            [(op, tuple(self.source(t) for t in inputs), self._output_slots(output), watched)
             for op, inputs, output, watched in records],
            [(self.source(t), None if s is None else self.source(s)) for t, s in zip(targets, seeds)],
            [self.source(s) for s in sources], zero_unconnected)
        self.steps.append((_GRADIENT, plan, None, None))
        for g in results:  # one slot per source, None where it is unconnected
            if g is None:
                self.n_slots += 1
            else:
                self._new_slot(g)

    def record_update(self, variable: Any, update: Any, inputs: Any) -> None:
        self.steps.append((_UPDATE, update, tuple(self.source(t) for t in inputs), variable))

    def invalidate(self, what: Any) -> None:
        if self.invalid is None:
            self.invalid = what

    def value_read(self, tensor: Any) -> None:
        if tensor._is_variable or id(tensor) in self.produced or id(tensor) in self.args:
            self.invalidate("Python code read a tensor's value")


class _Trace:
    """A recorded step list, compiled for replay, and where the function's outputs come from.

    Every array a replay handles has one position in a list ``values``: the arguments first,
    then the Variables and constants the steps read, then each step's outputs in the order
    the tracer numbered them (its slots). A step names its inputs by position, so a replay
    reads them with one list index each. A Variable's position holds its current array: set
    when the replay starts and again after each recorded update of that Variable (an update
    may bind a new array), which are the only places a Variable changes during a replay.
    """

    def __init__(self, tracer: Any, outputs: Any, output_structure: Any) -> None:
        n_args = len(tracer.args)
        self.variables: list = []
        self.constants: list = []  # what the steps read besides arguments and slots
        seen: set = set()

        def note(source: Any) -> None:
            if type(source) is tuple and source[0] in (_VAR, _CONST) and (source[0], id(source[1])) not in seen:
                seen.add((source[0], id(source[1])))
                (self.variables if source[0] == _VAR else self.constants).append(source[1])

        for kind, a, sources, _ in tracer.steps:
            if kind == _GRADIENT:
                for _, ins, _, _ in a.records:
                    for source in ins:
                        note(source)
                for target, seed in a.seeds:
                    note(target)
                    note(seed)
                for source in a.sources:
                    note(source)
            else:
                for source in sources:
                    note(source)
        var_positions = {id(v): n_args + i for i, v in enumerate(self.variables)}
        const_positions = {id(c): n_args + len(self.variables) + i for i, c in enumerate(self.constants)}
        base = n_args + len(self.variables) + len(self.constants)

        def position(source: Any) -> int:
            if type(source) is int:  # an op output's slot, as gradient plans name them
                return base + source
            kind, p = source
            if kind == _SLOT:
                return base + p
            if kind == _ARG:
                return p
            return var_positions[id(p)] if kind == _VAR else const_positions[id(p)]

        # (kind, op or plan, a position (_OP1) or a reader of positions, extra)
        self.steps: list[tuple[int, Any, Any, Any]] = []
        for kind, a, sources, extra in tracer.steps:
            if kind == _GRADIENT:
                plan = _GradientPlan(
                    [(op, tuple(position(s) for s in ins), tuple(position(o) for o in out) if type(out) is tuple
                      else position(out), watched) for op, ins, out, watched in a.records],
                    [(position(t), None if seed is None else position(seed)) for t, seed in a.seeds],
                    [position(s) for s in a.sources], a.zero_unconnected)
                self.steps.append((kind, plan, None, None))
            elif kind == _UPDATE:  # extra: the Variable, and the position where steps read it (or None)
                read_at = var_positions.get(id(extra))
                self.steps.append((kind, a, _reader([position(s) for s in sources]), (extra, read_at)))
            elif kind == _OP and len(sources) == 1:
                self.steps.append((_OP1, a, position(sources[0]), extra))
            else:
                self.steps.append((kind, a, _reader([position(s) for s in sources]), extra))
        self.outputs = [(_SLOT, base + p) if kind == _SLOT else (kind, p) for kind, p in outputs]
        self.output_structure = output_structure
        self.single_output = not nest.is_nested(output_structure) and len(self.outputs) == 1
        # The usual function returns one op output: its position, read without the general packing below.
        self.single_slot = self.outputs[0][1] if self.single_output and self.outputs[0][0] == _SLOT else None

    def replay(self, args: Any) -> Any:
        values = list(args)
        values += map(_value_of, self.variables)
        values += self.constants
        append = values.append

        for kind, a, inputs, extra in self.steps:  # inputs: a position (_OP1), or a reader of positions
            if kind == _OP1 or kind == _OP:
                out = a.forward(values[inputs]) if kind == _OP1 else a.forward(*inputs(values))
                if type(out) is not np.ndarray:
                    out = np.asarray(out)
                elif extra:  # a view of a Variable, which optimizers update in place
                    out = out.copy()
                append(out)
            elif kind == _UPDATE:
                variable, read_at = extra
                variable._store(a.forward(variable._value, *inputs(values)))
                if read_at is not None:
                    values[read_at] = variable._value
            elif kind == _MULTI_OP:
                values.extend(np.asarray(o) for o in a.forward(*inputs(values)))
            else:
                values.extend(_replay_gradient(a, values))

        if self.single_slot is not None:
            v = values[self.single_slot]
            return None if v is None else Tensor(v)

        def result(source: Any) -> Any:
            kind, p = source
            if kind == _SLOT:
                v = values[p]
                return None if v is None else Tensor(v)
            if kind == _ARG:
                return Tensor(args[p])
            return p  # a Variable, a Python value or a constant Tensor, returned as is

        if self.single_output:
            return result(self.outputs[0])
        return nest.pack_sequence_as(self.output_structure, [result(s) for s in self.outputs])


def _reader(positions: list[int]) -> Callable[[list], tuple]:
    """``values -> tuple of values[p] for p in positions``, at operator.itemgetter's C speed."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        one = itemgetter(positions[0])
        return lambda values: (one(values),)
    return lambda values: ()


def _replay_gradient(plan: _GradientPlan, values: list) -> list:
    """Run a recorded ``tape.gradient`` on the replay's arrays: the same walk, the same ops' backward.

    The plan names every array by its position in ``values``, which is also its key in the walk.
    """
    grads: dict = {}
    for target, seed in plan.seeds:
        value = values[target]
        if seed is None:
            g = plan.ones(value)
        else:
            g = np.broadcast_to(np.asarray(values[seed], dtype=value.dtype), value.shape)
        grads[target] = g if target not in grads else grads[target] + g
    results = backpropagate(plan.records, grads, plan.source_set, lambda p: (p, values[p]))
    out = []
    for s in plan.sources:
        got = results.get(s)
        like = values[s]
        if got is None:
            out.append(np.zeros_like(like) if plan.zero_unconnected else None)
            continue
        g = got if type(got) is np.ndarray else np.asarray(got)
        if not g.flags.writeable:
            g = g.copy()
        out.append(g if g.shape == like.shape else g.reshape(like.shape))
    return out


def _check_signature(name: str, signature: Any, leaves: Any) -> None:
    """Refuse arguments that do not match ``input_signature`` as TensorFlow does (TypeError)."""
    if len(leaves) != len(signature):
        raise TypeError(f"function {name!r} was called with {len(leaves)} tensor argument(s) but its "
                        f"input_signature has {len(signature)}: {list(signature)}.")
    for i, (leaf, spec) in enumerate(zip(leaves, signature)):
        if isinstance(leaf, (Tensor, np.ndarray)):
            arr = leaf._value if isinstance(leaf, Tensor) else leaf
        else:
            try:
                arr = np.asarray(Tensor(leaf)._value)
            except (TypeError, ValueError):
                arr = None
        if arr is None or not spec.is_compatible_with(arr):
            got = ("a non-tensor value " + repr(leaf)) if arr is None else \
                f"TensorSpec(shape={tuple(arr.shape)}, dtype=chainrule.{Tensor(arr).dtype.name})"
            raise TypeError(f"Binding inputs to function {name!r} failed: argument #{i} is {got}, which is not "
                            f"compatible with the input_signature's {spec!r}.")


class Function:
    """A callable that runs ``python_function`` by replaying a recorded trace when it can.

    ``python_function`` gives back the original. Calling with Python numbers
    returns Tensors, as TensorFlow does.
    """

    def __init__(self, python_function: Callable[..., Any], input_signature: Sequence[TensorSpec] | None = None,
                 autograph: bool = True,
                 jit_compile: Any = None, reduce_retracing: bool = False, experimental_relax_shapes: Any = None,
                 name: str | None = None) -> None:
        self.python_function = python_function
        if input_signature is not None:
            specs = nest.flatten(list(input_signature))
            for s in specs:
                if not isinstance(s, TensorSpec):
                    raise TypeError(f"function: input_signature must be a list of chainrule.TensorSpec, got "
                                    f"{type(s).__name__} ({s!r}).")
            input_signature = tuple(input_signature)
        self.input_signature = input_signature
        self._signature_leaves = None if input_signature is None else nest.flatten(list(input_signature))
        self._traces: dict = {}
        self._concrete: dict = {}  # get_concrete_function's objects, by signature
        self.trace_count = 0
        functools.update_wrapper(self, python_function)

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self
        key = f"__chainrule_function_{id(self)}"
        bound = instance.__dict__.get(key)
        if bound is None:
            bound = Function(self.python_function.__get__(instance, owner), input_signature=self.input_signature)
            instance.__dict__[key] = bound
        return bound

    def _eager(self, args: Any, kwargs: Any) -> Any:
        return _as_tensors(self.python_function(*args, **kwargs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._signature_leaves is not None:
            _check_signature(getattr(self.python_function, "__name__", "function"), self._signature_leaves,
                             nest.flatten((args, kwargs)))
        if active_tapes() or active_tracer() is not None or _backend.functions_run_eagerly():
            return self._eager(args, kwargs)  # gradients need the outer tape to see every op
        if not kwargs and len(args) == 1 and type(args[0]) is Tensor:  # the common call: one Tensor
            value = args[0]._value
            key: tuple = (("tensor", value.shape, value.dtype),)
            arg_arrays = [value]
        else:
            leaves: Sequence[Any]
            if not kwargs and all(type(a) is Tensor for a in args):  # Tensors only, no nesting
                leaves = args
            else:
                leaves = nest.flatten((args, kwargs))
            key = tuple([_signature_of(leaf) for leaf in leaves])
            arg_arrays = [leaf._value if isinstance(leaf, Tensor) else leaf for leaf in leaves
                          if isinstance(leaf, (Tensor, np.ndarray)) and not getattr(leaf, "_is_variable", False)]
        try:
            trace = self._traces[key]
        except KeyError:
            return self._trace(key, args, kwargs)
        except TypeError:  # an unhashable Python value in the signature
            return self._eager(args, kwargs)
        if trace is None:
            return self._eager(args, kwargs)
        with flush_denormals():
            return trace.replay(arg_arrays)

    def _trace(self, key: Any, args: Any, kwargs: Any) -> Any:
        self.trace_count += 1

        def to_traced(leaf: Any) -> Any:  # arrays become Tensors so the tracer can follow them
            return Tensor(leaf) if isinstance(leaf, np.ndarray) else leaf
        args, kwargs = nest.map_structure(to_traced, args), nest.map_structure(to_traced, kwargs)
        leaves = nest.flatten((args, kwargs))
        arg_tensors = [leaf for leaf in leaves if isinstance(leaf, Tensor) and not leaf._is_variable]
        tracer = _Tracer(arg_tensors)
        set_tracer(tracer)
        try:
            with flush_denormals():  # the trace computes what every replay will
                result = self.python_function(*args, **kwargs)
        finally:
            set_tracer(None)
        result = _as_tensors(result)
        if tracer.invalid is not None:
            self._traces[key] = None
            return result
        outputs = []
        for leaf in nest.flatten(result):
            if isinstance(leaf, Tensor) and not leaf._is_variable:
                outputs.append(tracer.source(leaf))
            else:
                outputs.append((_CONST, leaf))
        self._traces[key] = _Trace(tracer, outputs, result)
        return result

    def experimental_get_tracing_count(self) -> int:
        """How many times the Python function was traced (once per new input signature)."""
        return self.trace_count

    def get_concrete_function(self, *args: Any, **kwargs: Any) -> "ConcreteFunction":
        """The function for one input signature, as ``tf.function``'s ``get_concrete_function``.

        Args:
            *args, **kwargs: example arguments (Tensors, arrays or Python values) or ``TensorSpec``s;
                none when the function has an ``input_signature``.

        Returns:
            A :class:`ConcreteFunction`, the same object for the same signature. Example Tensors trace
            the function now (as TensorFlow does); TensorSpecs are traced by the first call.

        Raises:
            ValueError: no arguments and no ``input_signature``.
        """
        if not args and not kwargs:
            if self.input_signature is None:
                raise ValueError(f"get_concrete_function: {getattr(self.python_function, '__name__', 'function')} "
                                 "has no input_signature; pass example arguments or TensorSpecs.")
            args = tuple(self.input_signature)
        specs = nest.map_structure(_spec_of, (args, kwargs))
        key = repr(specs)
        concrete = self._concrete.get(key)
        if concrete is None:
            concrete = self._concrete[key] = ConcreteFunction(self, specs)
        if not any(isinstance(leaf, TensorSpec) for leaf in nest.flatten((args, kwargs))):
            self(*args, **kwargs)  # trace now, as TensorFlow does
        return concrete


def _spec_of(leaf: Any) -> Any:
    """A TensorSpec for a tensor argument; other values (TensorSpecs, Python values) as given."""
    if isinstance(leaf, (Tensor, np.ndarray)) and not getattr(leaf, "_is_variable", False):
        return TensorSpec.from_tensor(leaf if isinstance(leaf, Tensor) else Tensor(leaf))
    return leaf


class ConcreteFunction:
    """One signature of a :class:`Function` (``tf.function(f).get_concrete_function(...)``): calling it
    checks the arguments against that signature, then runs the function (its trace is replayed).

    ``structured_input_signature`` is ``(args_specs, kwargs_specs)``. Raises ``TypeError`` for an
    argument that does not fit its TensorSpec (shape or dtype), as TensorFlow's ConcreteFunction does.
    """

    def __init__(self, function: Function, specs: Any) -> None:
        self._function = function
        self.structured_input_signature = specs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        name = getattr(self._function.python_function, "__name__", "function")
        specs, given = nest.flatten(self.structured_input_signature), nest.flatten((args, kwargs))
        if len(given) != len(specs):
            raise TypeError(f"ConcreteFunction {name!r} takes {len(specs)} argument(s), got {len(given)}: "
                            f"{self.pretty_printed_signature()}.")
        paired = [(s, g) for s, g in zip(specs, given) if isinstance(s, TensorSpec)]
        _check_signature(name, [s for s, _ in paired], [g for _, g in paired])
        return self._function(*args, **kwargs)

    def pretty_printed_signature(self) -> str:
        """``f(x: TensorSpec(...), ...)``, for reading."""
        specs, kw = self.structured_input_signature
        parts = [repr(s) for s in specs] + [f"{k}={v!r}" for k, v in kw.items()]
        return f"{getattr(self._function.python_function, '__name__', 'function')}({', '.join(parts)})"

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self.pretty_printed_signature()}>"


def _as_tensors(result: Any) -> Any:
    def convert(leaf: Any) -> Any:
        if isinstance(leaf, (int, float, bool, np.number, np.ndarray)) and not isinstance(leaf, Tensor):
            return Tensor(np.asarray(leaf) if isinstance(leaf, np.ndarray) else leaf)
        return leaf
    return nest.map_structure(convert, result)


def function(func: Callable[..., Any] | None = None, input_signature: Sequence[TensorSpec] | None = None,
             autograph: bool = True, jit_compile: Any = None, reduce_retracing: bool = False,
             experimental_relax_shapes: Any = None, experimental_compile: Any = None,
             experimental_autograph_options: Any = None, experimental_follow_type_hints: Any = None,
             experimental_implements: Any = None,
             name: str | None = None) -> Function | Callable[[Callable[..., Any]], Function]:
    """Decorator (``@function``) or wrapper (``function(f)``) that traces ``f`` and replays its ops.

    Args:
        func: the Python function (or method) to compile.
        input_signature: a list of :class:`chainrule.TensorSpec`; calls whose tensor arguments do not
            match raise ``TypeError`` as in TensorFlow. (chainrule still traces once per concrete
            shape; the signature only checks.)
        autograph: accepted for signature compatibility with ``tf.function`` and ignored: chainrule
            traces Python as written.
        jit_compile: ignored (there is no XLA).
        reduce_retracing: ignored: chainrule retraces per concrete shape, which gives the same results.
        experimental_relax_shapes: ignored, as ``reduce_retracing``.
        experimental_compile: ignored, as ``jit_compile``.
        experimental_autograph_options: ignored.
        experimental_follow_type_hints: ignored.
        experimental_implements: ignored.
        name: ignored.

    Returns:
        A :class:`Function` (called like ``func``), or, when used as ``@function(...)`` with arguments,
        the decorator that makes one.

    Raises:
        TypeError: ``func`` is a class or not callable.
    """
    if func is None:
        return lambda f: Function(f, input_signature=input_signature)
    if inspect.isclass(func) or not callable(func):
        raise TypeError(f"function: expected a Python function or method, got {func!r}.")
    return Function(func, input_signature=input_signature)
