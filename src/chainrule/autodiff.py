"""GradientTape: records the ops run on watched tensors, then walks them backwards.

The record is a list of ``(op, inputs, output)`` in execution order, so the
reversed list is already a valid order for the backward pass: no topological
sort and no recursion, whatever the depth of the graph. Each op's backward is
its textbook formula; the tape does the two things every op would otherwise
repeat: it sums a gradient back to the shape of a broadcast input
(:func:`sum_to`) and casts it to that input's dtype.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
from typing import Any, Callable, ContextManager, Iterator, Literal, Mapping, Sequence

import numpy as np

from . import nest
from . import ops as _ops
from ._tape_stack import active_tapes, active_tracer, set_tracer
from .tensor import Tensor, TensorLike, Variable, apply_op, to_array

_NON_PERSISTENT_MESSAGE = ("A non-persistent GradientTape can only be used to compute one set of gradients "
                           "(or jacobians)")


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    ``shape`` must broadcast to ``grad.shape`` (see :func:`reduces_to`).
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    if axes:
        grad = np.add.reduce(grad, axis=axes, keepdims=True)  # ndarray.sum, attributed here (ops/base.py)
    if lead:
        grad = grad.reshape(grad.shape[lead:])
    return grad


def reduces_to(grad_shape: tuple, shape: tuple) -> bool:
    """True when a gradient of ``grad_shape`` is one for an input of ``shape`` that was broadcast.

    That is: ``shape`` broadcasts to ``grad_shape`` (same trailing dimensions, or 1).
    """
    lead = len(grad_shape) - len(shape)
    if lead < 0:
        return False
    return all(n == g or n == 1 for n, g in zip(shape, grad_shape[lead:]))


def _contract_error(op: Any, what: str) -> ValueError:
    return ValueError(f"{op.name}.backward broke the op contract: {what}. See chainrule.ops.base.Op: backward "
                      "returns the gradient itself for a one-input op and a tuple with one entry per input "
                      "otherwise, each of its input's shape (or a shape the input was broadcast to).")


def backpropagate(records: Any, grads: dict, source_keys: Any, key_and_array: Any) -> dict:
    """The backward pass: walk ``records`` in reverse, calling each op's ``backward``.

    ``records`` holds ``(op, inputs, output, watched)`` in execution order;
    ``key_and_array(x)`` gives ``(key, array)`` for an input or output (a
    GradientTape uses tensors and their ids, a compiled ``chainrule.function``
    uses slots of its replay). ``grads`` maps keys to the gradients seeded by the
    targets and is consumed. Returns ``{key: gradient}`` for ``source_keys`` (an
    intermediate output's gradient is taken when the walk reaches it; a leaf's
    is what has been accumulated at the end).

    This is where the op contract is enforced: one gradient per input, each of
    the input's shape or a shape the input broadcasts to (which is summed back
    here, once, by :func:`sum_to`), cast to the input's dtype.
    """
    results: dict = {}
    for op, inputs, output, watched in reversed(records):
        if type(output) is tuple:  # a multi-output op: one gradient per output, None where there is none
            keys = [key_and_array(o)[0] for o in output]
            douts = [grads.pop(k, None) for k in keys]
            if all(d is None for d in douts):
                continue
            for k, d in zip(keys, douts):
                if k in source_keys and d is not None:
                    results[k] = d
            op.needs_input_grad = watched
            in_grads = op.backward(*douts)
        else:
            key = key_and_array(output)[0]
            dout = grads.pop(key, None)
            if dout is None:
                continue
            if key in source_keys:
                results[key] = dout
            op.needs_input_grad = watched
            in_grads = op.backward(dout)
        op.needs_input_grad = None
        if op.returns_tuple():
            if not isinstance(in_grads, (tuple, list)) or len(in_grads) != len(inputs):
                got = (f"{len(in_grads)} gradients" if isinstance(in_grads, (tuple, list)) else
                       f"a single {type(in_grads).__name__}")
                raise _contract_error(op, f"it was called with {len(inputs)} inputs and returned {got}")
        else:
            in_grads = (in_grads,)
        for i, (x, gx, w) in enumerate(zip(inputs, in_grads, watched)):
            if gx is None or not w:
                continue
            k, xv = key_and_array(x)
            if type(gx) is not np.ndarray:
                gx = np.asarray(gx, dtype=xv.dtype)
            if gx.shape != xv.shape:
                if not reduces_to(gx.shape, xv.shape):
                    raise _contract_error(op, f"the gradient for input #{i} has shape {gx.shape} but the input has "
                                              f"shape {xv.shape}")
                gx = sum_to(gx, xv.shape)
            if gx.dtype != xv.dtype:
                gx = gx.astype(xv.dtype)
            prev = grads.get(k)
            grads[k] = gx if prev is None else prev + gx
    for k in source_keys:  # sources that are leaves (Variables, watched inputs)
        if k not in results and k in grads:
            results[k] = grads[k]
    return results


def _tensor_key(t: Any) -> Any:
    return id(t), t._value


class GradientTape:
    """Record operations for automatic differentiation.

    ``with GradientTape(persistent=False, watch_accessed_variables=True) as tape:``
    records every op whose input is watched: trainable Variables automatically
    (unless ``watch_accessed_variables=False``), any tensor passed to ``watch``,
    and every output of a recorded op. ``gradient(target, sources)`` then
    returns d(sum of target)/d(source) in the structure of ``sources``.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._watch_variables = watch_accessed_variables
        self._records: list = []
        self._watched: dict = {}  # id -> tensor, kept alive so ids stay unique
        self._recording = False
        self._used = False

    # -- context
    def __enter__(self) -> GradientTape:
        if self._used and not self._persistent:
            raise RuntimeError("GradientTape: this tape has been used; create a new one for a new step.")
        active_tapes().append(self)
        self._recording = True
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self._pop()
        return False

    def _pop(self) -> None:
        tapes = active_tapes()
        for i in range(len(tapes) - 1, -1, -1):
            if tapes[i] is self:
                del tapes[i]
                break
        self._recording = False

    def stop_recording(self) -> ContextManager[None]:
        """Context manager that pauses this tape (ops inside are not recorded)."""
        tape = self

        class _Paused:
            def __enter__(self_inner: Any) -> None:
                tape._pop()

            def __exit__(self_inner: Any, *exc: object) -> Literal[False]:
                active_tapes().append(tape)
                tape._recording = True
                return False

        return _Paused()

    def reset(self) -> None:
        """Forget everything recorded so far."""
        self._records.clear()
        self._watched.clear()

    # -- watching
    def watch(self, tensor: Tensor | Sequence[Any] | Mapping[Any, Any]) -> None:
        """Watch a tensor (or a nested list/tuple/dict of them) so ops on it are recorded.

        Args:
            tensor: the Tensor(s) to watch; a non-float tensor is watched with a warning (no gradient).

        Raises:
            ValueError: an entry is not a Tensor or Variable.
        """
        for t in nest.flatten(tensor):
            if not isinstance(t, Tensor):
                raise ValueError(f"GradientTape.watch: expected a Tensor or Variable, got {type(t).__name__}; "
                                 "convert it with chainrule.constant first.")
            if t._value.dtype.kind not in "fc":
                import warnings
                warnings.warn(f"The dtype of the watched tensor must be floating (e.g. float32), got "
                              f"{t.dtype.name}; it will get no gradient.", stacklevel=2)
            self._watched[id(t)] = t

    def watched_variables(self) -> tuple[Variable, ...]:
        """The Variables this tape has watched, in the order first seen."""
        return tuple(t for t in self._watched.values() if t._is_variable)

    def _is_watched(self, t: Any) -> bool:
        if id(t) in self._watched:
            return True
        if self._watch_variables and t._is_variable and t.trainable:
            self._watched[id(t)] = t
            return True
        return False

    def _watched_inputs(self, inputs: Any) -> tuple[bool, ...] | None:
        """Which of an op's inputs this tape watches (one bool each), or None when it watches none and so
        will not record the op. Asked by ``apply_op`` before the op runs (a trainable Variable is watched
        from that read on, as TensorFlow watches a Variable when it is read)."""
        watched = tuple([self._is_watched(t) for t in inputs])
        return watched if True in watched else None

    def _record(self, op: Any, inputs: Any, output: Any, watched: tuple[bool, ...]) -> None:
        """Called by ``apply_op`` for an op run on inputs this tape watches (``watched``: from
        :meth:`_watched_inputs`)."""
        self._records.append((op, inputs, output, watched))
        if type(output) is tuple:
            for o in output:
                self._watched[id(o)] = o
        else:
            self._watched[id(output)] = output

    def _record_gradient_results(self, inputs: Any, results: Any) -> None:
        """Record gradients computed by a tape nested in this one (see :class:`chainrule.ops.GradientResult`)."""
        watched = tuple(t for t in inputs if self._is_watched(t))
        if watched:
            for r in results:
                if r is not None:
                    self._record(_ops.GradientResult(r._value), watched, r, (True,) * len(watched))

    # -- differentiation
    def gradient(self, target: Tensor | Sequence[Tensor], sources: Any, output_gradients: Any = None,
                 unconnected_gradients: str = "none") -> Any:
        """Gradients of ``target`` (summed if not scalar) with respect to ``sources``.

        Args:
            target: a Tensor, or a list of Tensors whose gradients are added.
            sources: one Tensor or Variable, or a (nested) list, tuple or dict of them.
            output_gradients: seeds of the backward pass, one per target, instead of ones.
            unconnected_gradients: ``'none'`` (default) or ``'zero'``: what a source the target
                does not depend on gets.

        Returns:
            The gradients in the structure of ``sources``, each of its source's shape and dtype;
            ``None`` (or zeros) for an unconnected source.

        Raises:
            RuntimeError: a non-persistent tape is asked a second time.
            ValueError: a source is not a Tensor, ``output_gradients`` do not match the targets,
                or ``unconnected_gradients`` is unknown.
        """
        if self._used and not self._persistent:
            raise RuntimeError(_NON_PERSISTENT_MESSAGE)
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}.")
        self._used = True
        targets = nest.flatten(target)
        seeds = nest.flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        if len(seeds) != len(targets):
            raise ValueError(f"GradientTape.gradient: {len(seeds)} output_gradients for {len(targets)} targets.")
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise ValueError(f"GradientTape.gradient: sources must be Tensors or Variables, got "
                                 f"{type(s).__name__}.")

        pairs = [(t, None if seed is None else seed if isinstance(seed, Tensor) else
                  Tensor(to_array(seed, t._value.dtype)))
                 for t, seed in zip(targets, seeds) if isinstance(t, Tensor) and t._value.dtype.kind in "fc"]
        targets, seeds = [t for t, _ in pairs], [s for _, s in pairs]
        grads: dict = {}
        for t, seed in zip(targets, seeds):
            g = np.ones_like(t._value) if seed is None else seed._value
            g = np.broadcast_to(g, t._value.shape)
            grads[id(t)] = g if id(t) not in grads else grads[id(t)] + g

        records = self._records
        results = backpropagate(records, grads, {id(s) for s in flat_sources}, _tensor_key)
        if not self._persistent:
            self._records = []
            # Keep only the Variables: watched_variables() still lists them, as TensorFlow's tape does.
            self._watched = {k: t for k, t in self._watched.items() if t._is_variable}

        def wrap(s: Any) -> Any:
            g = results.get(id(s))
            if g is None:
                if unconnected_gradients == "zero":
                    return Tensor(np.zeros_like(s._value))
                return None
            g = np.asarray(g)
            if not g.flags.writeable:  # a broadcast view from a reduction's backward
                g = g.copy()
            return Tensor(g.reshape(s._value.shape))

        flat_results = [wrap(s) for s in flat_sources]
        for tape in active_tapes():
            if tape is not self or self._persistent:
                tape._record_gradient_results(targets + flat_sources, flat_results)
        tracer = active_tracer()
        if tracer is not None:  # a compiled chainrule.function replays this walk
            tracer.record_gradient(records, targets, seeds, flat_sources, flat_results,
                                   unconnected_gradients == "zero")
        return nest.pack_sequence_as(sources, flat_results)

    def jacobian(self, target: Tensor, sources: Any, unconnected_gradients: str = "none") -> Any:
        """Full Jacobian d target[i] / d source[j], one backward pass per target element."""
        if not self._persistent:
            raise RuntimeError("GradientTape.jacobian needs persistent=True in chainrule (one pass per element).")
        flat_sources = nest.flatten(sources)
        rows = []
        for i in range(int(np.prod(target.shape))):
            seed = np.zeros(target._value.size, dtype=target._value.dtype)
            seed[i] = 1
            g = self.gradient(target, flat_sources, output_gradients=seed.reshape(target._value.shape),
                              unconnected_gradients="zero")
            rows.append([x.numpy() for x in g])
        out = []
        for j, s in enumerate(flat_sources):
            stacked = np.stack([r[j] for r in rows]).reshape(tuple(target.shape) + tuple(s.shape))
            out.append(Tensor(stacked))
        return nest.pack_sequence_as(sources, out)


def stop_gradient(x: TensorLike) -> Tensor:
    """The same value as ``x`` with no gradient flowing back through it."""
    # A no-gradient op: tapes never record it, and traced functions replay it.
    return apply_op(_ops.NoGradient(np.array, copy=True), x if isinstance(x, Tensor) else Tensor(to_array(x)))


@contextlib.contextmanager
def _unrecorded() -> Iterator[None]:
    """No tape records and no function trace follows the ops run inside (the user's own forward and
    gradient functions of a ``custom_gradient``, which the tape treats as one op)."""
    tapes, tracer = list(active_tapes()), active_tracer()
    active_tapes().clear()
    set_tracer(None)
    try:
        yield
    finally:
        active_tapes().extend(tapes)
        set_tracer(tracer)


def custom_gradient(f: Callable[..., Any] | None = None) -> Any:
    """Decorator giving a function its own gradient, as ``tf.custom_gradient``.

    ``f(*x)`` returns ``(y, grad_fn)``: ``y`` one Tensor, and ``grad_fn(upstream)`` the gradient of
    ``y`` with respect to each ``x`` given the upstream gradient (one Tensor, or a list/tuple with one
    entry per ``x``, None where there is none). The decorated function runs as one op
    (:class:`chainrule.ops.CustomGradient`): tapes record it, not the ops inside ``f``, and call
    ``grad_fn`` as its backward; a ``chainrule.function`` replays it.

    Raises ``TypeError`` when ``f`` does not return ``(Tensor, callable)`` or ``grad_fn`` gives the wrong
    number of gradients, and ``NotImplementedError`` for a ``grad_fn`` taking ``variables=`` (gradients
    for Variables ``f`` reads: pass them to ``f`` as arguments instead).
    """
    if f is None:
        return custom_gradient
    name = getattr(f, "__name__", "custom_gradient")
    signature_checked: list = []  # grad_fn is the same def at every call: its signature is read once

    @functools.wraps(f)
    def decorated(*args: Any, **kwargs: Any) -> Tensor:
        inputs = [a if isinstance(a, Tensor) else Tensor(to_array(a)) for a in args]
        gradient_fn: list = []

        def forward(*arrays: np.ndarray) -> np.ndarray:
            with _unrecorded():
                result = f(*[Tensor(a) for a in arrays], **kwargs)
            if not (isinstance(result, tuple) and len(result) == 2 and callable(result[1])):
                raise TypeError(f"custom_gradient: {name} must return (value, grad_fn), got "
                                f"{type(result).__name__}.")
            value, grad_fn = result
            if not signature_checked and "variables" in inspect.signature(grad_fn).parameters:
                raise NotImplementedError(f"custom_gradient: {name}'s grad_fn takes variables=, which chainrule "
                                          "does not support yet; pass the Variables to the function as arguments.")
            signature_checked[:] = [True]
            gradient_fn[:] = [grad_fn]
            return (value if isinstance(value, Tensor) else Tensor(to_array(value)))._value

        def backward(dout: np.ndarray) -> Any:
            with _unrecorded():
                grads = gradient_fn[0](Tensor(dout))
            grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
            if len(grads) != len(inputs):
                raise TypeError(f"custom_gradient: {name}'s grad_fn returned {len(grads)} gradients for "
                                f"{len(inputs)} inputs; return one per input (None where there is none).")
            arrays = [None if g is None else (g._value if isinstance(g, Tensor) else np.asarray(g)) for g in grads]
            return tuple(arrays)  # CustomGradient is variadic: one entry per input, always

        return apply_op(_ops.CustomGradient(forward, backward), *inputs)
    return decorated
