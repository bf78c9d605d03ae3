"""GradientTape: records the ops run on watched tensors, then walks them backwards.

The record is a list of ``(op, inputs, output)`` in execution order, so the
reversed list is already a valid order for the backward pass: no topological
sort and no recursion, whatever the depth of the graph. Each op's backward is
its textbook formula; the tape does the two things every op would otherwise
repeat: it sums a gradient back to the shape of a broadcast input
(:func:`sum_to`) and casts it to that input's dtype.
"""
from __future__ import annotations

import numpy as np

from . import ops as _ops
from ._tape_stack import active_tapes, note_side_effect
from .tensor import Tensor, apply_op, to_array

_NON_PERSISTENT_MESSAGE = ("A non-persistent GradientTape can only be used to compute one set of gradients "
                           "(or jacobians)")


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # e.g. a (n,) bias gradient for a (1, n) bias
        grad = grad.reshape((1,) * (len(shape) - grad.ndim) + grad.shape)
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if lead:
        grad = grad.reshape(grad.shape[lead:])
    if grad.shape != shape:  # a scalar-broadcast gradient from a hand-written backward
        grad = np.broadcast_to(grad, shape)
    return grad


class GradientTape:
    """Record operations for automatic differentiation.

    ``with GradientTape(persistent=False, watch_accessed_variables=True) as tape:``
    records every op whose input is watched: trainable Variables automatically
    (unless ``watch_accessed_variables=False``), any tensor passed to ``watch``,
    and every output of a recorded op. ``gradient(target, sources)`` then
    returns d(sum of target)/d(source) in the structure of ``sources``.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_variables = watch_accessed_variables
        self._records: list = []
        self._watched: dict = {}  # id -> tensor, kept alive so ids stay unique
        self._recording = False
        self._used = False

    # -- context
    def __enter__(self):
        note_side_effect("a GradientTape")
        if self._used and not self._persistent:
            raise RuntimeError("GradientTape: this tape has been used; create a new one for a new step.")
        active_tapes().append(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        self._pop()
        return False

    def _pop(self):
        tapes = active_tapes()
        for i in range(len(tapes) - 1, -1, -1):
            if tapes[i] is self:
                del tapes[i]
                break
        self._recording = False

    def stop_recording(self):
        """Context manager that pauses this tape (ops inside are not recorded)."""
        tape = self

        class _Paused:
            def __enter__(self_inner):
                tape._pop()

            def __exit__(self_inner, *exc):
                active_tapes().append(tape)
                tape._recording = True
                return False

        return _Paused()

    def reset(self):
        """Forget everything recorded so far."""
        self._records.clear()
        self._watched.clear()

    # -- watching
    def watch(self, tensor):
        """Watch a tensor (or a nested list/tuple/dict of them) so ops on it are recorded."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise ValueError(f"GradientTape.watch: expected a Tensor or Variable, got {type(t).__name__}; "
                                 "convert it with chainrule.constant first.")
            if t._value.dtype.kind not in "fc":
                import warnings
                warnings.warn(f"The dtype of the watched tensor must be floating (e.g. float32), got "
                              f"{t.dtype.name}; it will get no gradient.", stacklevel=2)
            self._watched[id(t)] = t

    def watched_variables(self):
        """The Variables this tape has watched, in the order first seen."""
        return tuple(t for t in self._watched.values() if t._is_variable)

    def _is_watched(self, t) -> bool:
        if id(t) in self._watched:
            return True
        if self._watch_variables and t._is_variable and t.trainable:
            self._watched[id(t)] = t
            return True
        return False

    def _record(self, op, inputs, output):
        """Called by ``apply_op`` for every op run while this tape is active."""
        watched = [self._is_watched(t) for t in inputs]
        if any(watched):
            self._records.append((op, inputs, output, watched))
            self._watched[id(output)] = output

    # -- differentiation
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of ``target`` (summed if not scalar) with respect to ``sources``.

        ``sources`` may be one tensor, a list/tuple or a dict; the result has the
        same structure, with ``None`` for a source the target does not depend on
        (zeros with ``unconnected_gradients='zero'``). ``output_gradients`` seeds
        the backward pass instead of ones.
        """
        if self._used and not self._persistent:
            raise RuntimeError(_NON_PERSISTENT_MESSAGE)
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', got {unconnected_gradients!r}.")
        self._used = True
        targets = _flatten(target)
        seeds = _flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        if len(seeds) != len(targets):
            raise ValueError(f"GradientTape.gradient: {len(seeds)} output_gradients for {len(targets)} targets.")
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise ValueError(f"GradientTape.gradient: sources must be Tensors or Variables, got "
                                 f"{type(s).__name__}.")

        grads: dict = {}
        for t, seed in zip(targets, seeds):
            if not isinstance(t, Tensor) or t._value.dtype.kind not in "fc":
                continue
            g = np.ones_like(t._value) if seed is None else to_array(seed, t._value.dtype)
            g = np.broadcast_to(g, t._value.shape)
            grads[id(t)] = g if id(t) not in grads else grads[id(t)] + g

        source_ids = {id(s) for s in flat_sources}
        results: dict = {}
        records = self._records
        for op, inputs, output, watched in reversed(records):
            key = id(output)
            dout = grads.get(key)
            if dout is None:
                continue
            if key in source_ids:
                results[key] = dout
            del grads[key]
            op.needs_input_grad = tuple(watched)
            in_grads = op.backward(dout)
            op.needs_input_grad = None
            if len(inputs) == 1:
                in_grads = (in_grads,)
            for x, gx, w in zip(inputs, in_grads, watched):
                if gx is None or not w:
                    continue
                xv = x._value
                if type(gx) is not np.ndarray:
                    gx = np.asarray(gx, dtype=xv.dtype)
                if gx.shape != xv.shape:
                    gx = sum_to(gx, xv.shape)
                if gx.dtype != xv.dtype:
                    gx = gx.astype(xv.dtype)
                k = id(x)
                prev = grads.get(k)
                grads[k] = gx if prev is None else prev + gx
        for s in flat_sources:  # sources that are leaves (Variables, watched inputs)
            k = id(s)
            if k not in results and k in grads:
                results[k] = grads[k]

        if not self._persistent:
            self._records = []
            self._watched = {}

        def wrap(s):
            g = results.get(id(s))
            if g is None:
                if unconnected_gradients == "zero":
                    return Tensor(np.zeros_like(s._value))
                return None
            g = np.asarray(g)
            if not g.flags.writeable:  # a broadcast view from a reduction's backward
                g = g.copy()
            return Tensor(g.reshape(s._value.shape))

        return _unflatten(sources, [wrap(s) for s in flat_sources])

    def jacobian(self, target, sources, unconnected_gradients="none"):
        """Full Jacobian d target[i] / d source[j], one backward pass per target element."""
        if not self._persistent:
            raise RuntimeError("GradientTape.jacobian needs persistent=True in chainrule (one pass per element).")
        flat_sources = _flatten(sources)
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
        return _unflatten(sources, out)


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [v for k in structure for v in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for s in structure for v in _flatten(s)]
    return [structure]


def _unflatten(structure, flat: list):
    """``flat`` put back into the nesting of ``structure`` (lists, tuples, dicts)."""
    return _build(structure, iter(flat))


def _build(structure, it):
    # A module-level function, not a closure: a recursive closure is a reference
    # cycle that would keep a step's gradients alive until the cycle collector ran.
    if isinstance(structure, dict):
        return {k: _build(v, it) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        items = [_build(v, it) for v in structure]
        return type(structure)(*items) if hasattr(structure, "_fields") else type(structure)(items)
    return next(it)


def stop_gradient(x) -> Tensor:
    """The same value as ``x`` with no gradient flowing back through it."""
    # A no-gradient op: tapes never record it, and traced functions replay it.
    return apply_op(_ops.NoGradient(np.array, copy=True), x if isinstance(x, Tensor) else Tensor(to_array(x)))
