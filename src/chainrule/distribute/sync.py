"""Keeping the replicas in step: the gradients combined in one all-reduce, variables broadcast from the
chief, metric states summed when they are read.
"""
from __future__ import annotations

import functools
import threading

import numpy as np

from .. import backend as _backend
from .. import nest
from ..ops.collective import AllReduce
from ..tensor import Tensor, Variable, apply_op
from . import context as _context

_local = threading.local()


def aggregate_gradients(grads: list) -> list:
    """The gradients combined over the replicas of the step running now: ONE all-reduce over all of them.

    In a replica step of a strategy with several replicas, returns the combined gradients (views
    of one reduced buffer, in order): their sum in ``strategy.run``, the weighted mean in ``fit``
    (see ``ReplicaContext.gradient_weight``). Elsewhere returns ``grads`` unchanged.

    Raises:
        RuntimeError: called in the cross-replica context of a strategy with several replicas
            (inside ``strategy.scope()`` but not in ``strategy.run``), as ``tf.distribute`` does.
    """
    context = _context.replica_context()
    if context is None:
        stack = _context.scopes()
        if stack and stack[-1].num_replicas_in_sync > 1:
            raise RuntimeError(f"apply_gradients() cannot be called in the cross-replica context of "
                               f"{stack[-1]!r}: the gradients of the {stack[-1].num_replicas_in_sync} replicas "
                               "would not be combined. Call it inside strategy.run(step_fn, args=(batch,)), which "
                               "sums them.")
        return grads
    strategy = context.strategy
    if strategy.num_replicas_in_sync == 1 or not grads:
        return grads
    return list(apply_op(AllReduce(strategy._comm, context.gradient_weight), *grads))


def multi_replica_strategy():
    """The strategy in effect if it has several replicas, else None (what a new metric remembers)."""
    context = _context.replica_context()
    strategy = context.strategy if context is not None else (_context.scopes() or [None])[-1]
    return strategy if strategy is not None and strategy.num_replicas_in_sync > 1 else None


class summed_states:
    """``with summed_states(variables, comm):`` each variable holds its sum over the replicas; after, its own value.

    One Allreduce for all of them. The values are read with ``numpy()``, so a compiled function
    doing this runs eagerly (the sums are made in Python). Results computed inside from the
    variables are the whole job's: what a metric reports when read outside a replica step.
    Every replica must enter it together (a collective).
    """

    def __init__(self, variables, comm):
        self.variables = list(variables)
        self.comm = comm
        self._saved = None

    def __enter__(self):
        _local.summing = getattr(_local, "summing", 0) + 1
        if self.variables:
            values = [np.asarray(v.numpy()) for v in self.variables]
            sums = AllReduce(self.comm).forward(*values)
            self._saved = [v._value for v in self.variables]
            for variable, total in zip(self.variables, sums):
                variable._value = total
        return self

    def __exit__(self, *exc):
        if self._saved is not None:
            for variable, own in zip(self.variables, self._saved):
                variable._value = own
            self._saved = None
        _local.summing -= 1


def sync_on_read(result):
    """Wrap a metric's ``result`` so that, read outside a replica step, it counts every replica's batches.

    As tf.keras's metrics under a strategy: a metric created in the scope of a strategy with
    several replicas (it keeps it as ``_distribute_strategy``) sums its state over the replicas
    before computing the result, when read in the cross-replica context (``metric.result()``
    in a custom loop, ``fit``'s logs). Inside a replica step it reports this replica's batches.
    """
    @functools.wraps(result)
    def read(metric):
        strategy = metric.__dict__.get("_distribute_strategy")
        if strategy is None or _context.replica_context() is not None or getattr(_local, "summing", 0):
            return result(metric)
        with summed_states(metric.variables, strategy._comm):
            return nest.map_structure(_snapshot, result(metric))
    return read


def _snapshot(value):
    """A Variable returned as a result is copied while it holds the sums."""
    return Tensor(np.array(value._value)) if isinstance(value, Variable) else value


def broadcast_variables(variables, comm, root: int = 0) -> None:
    """Every replica's ``variables`` take the values of replica ``root``: one Bcast per dtype.

    Called outside compiled steps (``fit`` does it before its first step). Every replica must
    call it with the same variables (same shapes, same order).
    """
    variables = list(variables)
    rank = comm.Get_rank()
    for dtype in sorted({v._value.dtype.str for v in variables}):
        group = [v for v in variables if v._value.dtype.str == dtype]
        sizes = [v._value.size for v in group]
        buffer = np.empty(sum(sizes), dtype=np.dtype(dtype))
        if rank == root:
            offset = 0
            for v, size in zip(group, sizes):
                buffer[offset:offset + size] = v._value.reshape(-1)
                offset += size
        comm.Bcast(buffer, root=root)
        if rank != root:
            offset = 0
            for v, size in zip(group, sizes):
                v.assign(buffer[offset:offset + size].reshape(v._value.shape))
                offset += size


def average_variables(variables, comm) -> None:
    """Every replica's float ``variables`` take their mean over the replicas (one all-reduce).

    For state each replica updates from its own batches, such as BatchNormalization's moving
    statistics (tf.keras keeps those per replica and averages them when they are read).
    """
    variables = [v for v in variables if v._value.dtype.kind == "f"]
    if not variables:
        return
    means = AllReduce(comm, weight=1.0).forward(*[v._value for v in variables])
    for variable, mean in zip(variables, means):
        variable.assign(mean)


def share_random_state(comm) -> None:
    """Every replica takes the chief's random-number state (``chainrule.backend.rng()``).

    Done when the strategy is created (so models built next start identical) and at the start
    of every training epoch (so shuffles, of arrays or of a ``Dataset``, draw the same order on
    every replica even if an uneven last batch made them draw different amounts before).
    """
    rank = comm.Get_rank()
    state = comm.bcast(_backend.get_rng_state() if rank == 0 else None, root=0)
    if rank != 0:
        _backend.set_rng_state(state)
