"""Which strategy is in effect, and whether code runs inside a replica step (per thread, no MPI).

Two pieces of state, as in ``tf.distribute``:

* the **scopes**: the strategies entered with ``with strategy.scope():``, innermost last;
* the **replica context**: set while one replica's step runs (``strategy.run(fn)``, or a step of
  ``fit``/``evaluate``); code there computes on this replica's shard, and an optimizer's
  ``apply_gradients`` combines the gradients of every replica.

Inside a non-default strategy's scope but outside a replica step, code is in the
*cross-replica* context: reading a metric there counts every replica's batches.
``nn.compute_average_loss`` and the optimizers read the number of replicas from here, so this
module imports nothing but the standard library.
"""
from __future__ import annotations

import threading

_local = threading.local()


def scopes() -> list:
    """The strategies whose ``scope()`` is entered in this thread, innermost last (a live list)."""
    stack = getattr(_local, "scopes", None)
    if stack is None:
        stack = _local.scopes = []
    return stack


def replica_context():
    """The :class:`~chainrule.distribute.ReplicaContext` of the replica step running now, or None."""
    return getattr(_local, "replica", None)


def set_replica_context(context) -> None:
    _local.replica = context


def num_replicas_in_sync() -> int:
    """How many replicas compute together here: the replica step's, else the entered scope's, else 1."""
    context = replica_context()
    if context is not None:
        return context.num_replicas_in_sync
    stack = scopes()
    return stack[-1].num_replicas_in_sync if stack else 1


def in_replica_step() -> bool:
    """True while a replica's step runs (``strategy.run``, a step of ``fit``)."""
    return replica_context() is not None
