"""``chainrule.function``: trace a Python function once per input signature, then replay its ops.

The first call with a new signature (argument shapes and dtypes, Python
argument values) runs the Python function while a tracer records every op
it runs through ``apply_op``: which op, and where each input came from (an
argument, a Variable read at call time, an earlier op's output, or a
constant). Later calls with that signature skip Python entirely: they call
each recorded op's ``forward`` on the new arrays, in order.

A replay is only correct if the function's Python code would do the same
thing again. So a trace is dropped, and that signature runs eagerly from then
on, when the traced code: reads a traced tensor's value in Python (``if x > 0``,
``float(x)``, ``x.numpy()``), assigns a Variable, opens a GradientTape, draws
random numbers outside an op, or when a tape is active at call time. This is
the honest subset of ``tf.function``: the results are always those of the
Python function. ``tf.autograph.to_code`` is not provided.
"""
from __future__ import annotations

import functools

import numpy as np

from ._tape_stack import active_tapes, active_tracer, set_tracer
from .tensor import Tensor

_ARG, _OP, _VAR, _CONST = 0, 1, 2, 3


def _flatten(structure, out):
    if isinstance(structure, dict):
        for k in sorted(structure, key=str):
            _flatten(structure[k], out)
    elif isinstance(structure, (list, tuple)):
        for v in structure:
            _flatten(v, out)
    else:
        out.append(structure)
    return out


def _map(structure, fn):
    if isinstance(structure, dict):
        return {k: _map(v, fn) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(v, fn) for v in structure)
    return fn(structure)


def _signature_of(leaf):
    if isinstance(leaf, Tensor):
        if leaf._is_variable:
            return ("var", id(leaf))
        return ("tensor", leaf._value.shape, leaf._value.dtype.str)
    if isinstance(leaf, np.ndarray):
        return ("array", leaf.shape, leaf.dtype.str)
    try:
        hash(leaf)
        return ("py", type(leaf).__name__, leaf)
    except TypeError:
        return ("obj", id(leaf))


class _Tracer:
    """Records ``(op, input sources)`` for every op run while tracing one call."""

    def __init__(self, arg_tensors):
        self.steps = []
        self.produced = {}  # id(tensor) -> step index
        self.args = {id(t): i for i, t in enumerate(arg_tensors)}
        self.keep = list(arg_tensors)  # keep every seen tensor alive so ids stay unique
        self.invalid = None

    def _source(self, t):
        k = id(t)
        if k in self.produced:
            return (_OP, self.produced[k])
        if k in self.args:
            return (_ARG, self.args[k])
        if t._is_variable:
            return (_VAR, t)
        return (_CONST, t._value)

    def record(self, op, inputs, output):
        self.steps.append((op, tuple(self._source(t) for t in inputs)))
        self.produced[id(output)] = len(self.steps) - 1
        self.keep.append(output)
        self.keep.extend(inputs)

    def record_update(self, variable, update, inputs):
        self.invalidate(f"an update of {variable.name}")  # replayed updates come with the compiled step

    def invalidate(self, what):
        if self.invalid is None:
            self.invalid = what

    def value_read(self, tensor):
        k = id(tensor)
        if k in self.produced or k in self.args:
            self.invalidate("Python code read a tensor's value")


class _Trace:
    """A recorded op sequence and where the function's outputs come from."""

    def __init__(self, steps, outputs, output_structure):
        # Copy a view only when it could alias a Variable (updated in place by optimizers), as apply_op does.
        self.steps = [(op, sources, op.returns_view and any(k == _VAR for k, _ in sources)) for op, sources in steps]
        self.outputs = outputs
        self.output_structure = output_structure

    def replay(self, arg_arrays):
        values = []
        append = values.append
        for op, sources, copy_view in self.steps:
            arrays = [values[p] if kind == _OP else arg_arrays[p] if kind == _ARG else
                      p._value if kind == _VAR else p for kind, p in sources]
            out = op.forward(*arrays)
            if type(out) is not np.ndarray:
                out = np.asarray(out)
            elif copy_view:
                out = out.copy()
            append(out)

        def result(source):
            kind, p = source
            if kind == _OP:
                return Tensor(values[p])
            if kind == _ARG:
                return Tensor(arg_arrays[p])
            if kind == _VAR:
                return p
            return p  # a Python value or constant Tensor returned as is

        flat = [result(s) for s in self.outputs]
        it = iter(flat)
        return _map(self.output_structure, lambda _: next(it))


class Function:
    """A callable that runs ``python_function`` by replaying a recorded trace when it can.

    ``python_function`` gives back the original. Calling with Python numbers
    returns Tensors, as TensorFlow does.
    """

    def __init__(self, python_function, input_signature=None, autograph=True, jit_compile=None,
                 reduce_retracing=False, experimental_relax_shapes=None, name=None):
        self.python_function = python_function
        self.input_signature = input_signature
        self._traces: dict = {}
        self.trace_count = 0
        functools.update_wrapper(self, python_function)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        bound = instance.__dict__.get(f"__chainrule_function_{id(self)}")
        if bound is None:
            bound = Function(self.python_function.__get__(instance, owner))
            instance.__dict__[f"__chainrule_function_{id(self)}"] = bound
        return bound

    def _eager(self, args, kwargs):
        return _as_tensors(self.python_function(*args, **kwargs))

    def __call__(self, *args, **kwargs):
        if active_tapes() or active_tracer() is not None:
            return self._eager(args, kwargs)  # gradients need the tape to see every op
        leaves = _flatten((args, kwargs), [])
        key = tuple(_signature_of(leaf) for leaf in leaves)
        try:
            trace = self._traces[key]
        except KeyError:
            return self._trace(key, args, kwargs)
        except TypeError:  # an unhashable Python value in the signature
            return self._eager(args, kwargs)
        if trace is None:
            return self._eager(args, kwargs)
        arg_arrays = [leaf._value if isinstance(leaf, Tensor) else leaf for leaf in leaves
                      if isinstance(leaf, (Tensor, np.ndarray)) and not getattr(leaf, "_is_variable", False)]
        return trace.replay(arg_arrays)

    def _trace(self, key, args, kwargs):
        self.trace_count += 1
        # Arrays become Tensors so the tracer can follow them; Variables stay captured by reference.
        def to_traced(leaf):
            if isinstance(leaf, np.ndarray):
                return Tensor(leaf)
            return leaf
        args, kwargs = _map(args, to_traced), _map(kwargs, to_traced)
        leaves = _flatten((args, kwargs), [])
        arg_tensors = [leaf for leaf in leaves if isinstance(leaf, Tensor) and not leaf._is_variable]
        tracer = _Tracer(arg_tensors)
        set_tracer(tracer)
        try:
            result = self.python_function(*args, **kwargs)
        finally:
            set_tracer(None)
        result = _as_tensors(result)
        if tracer.invalid is not None:
            self._traces[key] = None
            return result
        outputs = []
        for leaf in _flatten(result, []):
            if isinstance(leaf, Tensor) and not leaf._is_variable:
                outputs.append(tracer._source(leaf))
            else:
                outputs.append((_CONST, leaf))
        self._traces[key] = _Trace(tracer.steps, outputs, result)
        return result

    def experimental_get_tracing_count(self) -> int:
        return self.trace_count


def _as_tensors(result):
    def convert(leaf):
        if isinstance(leaf, (int, float, bool, np.number, np.ndarray)) and not isinstance(leaf, Tensor):
            return Tensor(np.asarray(leaf) if isinstance(leaf, np.ndarray) else leaf)
        return leaf
    return _map(result, convert)


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_relax_shapes=None, **kwargs):
    """Decorator (``@function``) or wrapper (``function(f)``) that traces ``f`` and replays its ops."""
    if func is None:
        return lambda f: Function(f, input_signature=input_signature)
    return Function(func, input_signature=input_signature)
